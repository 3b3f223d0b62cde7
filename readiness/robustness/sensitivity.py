"""Sobol sensitivity of the overall score and the rank to each modelling choice.

Factors: one per pillar weight (a Gamma variable with shape ``concentration x share``:
normalised, the pillar weights are then exactly the Dirichlet of the uncertainty
analysis, and independent, as Sobol indices require), the overall aggregation method
and the unknown policy (a uniform variable picking one of the allowed values), and the
low-confidence ratings (a uniform variable moving every such rating one level down,
not at all, or up). Criterion weights stay at the rubric's. Sampling and estimation are
scipy's (:func:`scipy.stats.sobol_indices`: Saltelli 2010 first-order, Jansen total);
the model runs through the robustness engine, all partnerships at once.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import TypedDict

from readiness._limits import MAX_SOBOL_N, MAX_SOBOL_VALUES
from readiness.document import Chart, Column, Document, Paragraph, Rendered, Row, Section, Table
from readiness.document.charts import MUTED, RANGE, SCORE, draw, short_label, style_axis
from readiness.document.words import robustness as said
from readiness.errors import InputError, Problem
from readiness.robustness._engine import METHODS, POLICIES, Draws, evaluate
from readiness.robustness._panel import PartnershipArrays, panel_of
from readiness.robustness.uncertainty import Choices, _shift_bounds, rank_matrix
from readiness.rubric import Rubric

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Sensitivity", "SensitivityData", "sensitivity", "sobol_table"]


class Indices(TypedDict):
    """Sobol first-order and total indices of one output, by factor (null: undefined)."""

    first: dict[str, float | None]
    total: dict[str, float | None]


class SensitivePartnership(TypedDict):
    partnership: str
    overall: Indices
    rank: Indices
    most_sensitive_to: str | None


class SensitivityData(TypedDict):
    """The JSON document of a sensitivity analysis (``Sensitivity.to_dict()``;
    ``readiness schema sensitivity``)."""

    n: int
    seed: int
    factors: list[str]
    partnerships: list[SensitivePartnership]


Floats = NDArray[np.float64]


@dataclass(frozen=True)
class SobolTable:
    """First-order and total Sobol indices of ``s`` outputs to ``d`` factors.

    ``first``/``total`` are (s, d); 0 for an output that does not vary, NaN for one
    that is not finite in some sample (its variance is then undefined).
    """

    first: Floats
    total: Floats


def sobol_table(
    func: Callable[[Floats], Floats],
    dists: Sequence[Any],
    n: int,
    seed: int,
) -> SobolTable:
    """Sobol indices by :func:`scipy.stats.sobol_indices`, for outputs that may be NaN.

    Args:
        func: (d, N) inputs -> (s, N) outputs.
        dists: d frozen scipy distributions.
        n: Base sample size, a power of 2 (``n x (d + 2)`` evaluations).
        seed: Seed of scipy's scrambled Sobol sequence.
    """
    from scipy.stats import sobol_indices

    bad: list[NDArray[np.bool_]] = []

    def safe(x: Floats) -> Floats:
        y = np.asarray(func(x), dtype=np.float64)
        finite = np.isfinite(y)
        bad.append(np.asarray(~finite.all(axis=1), dtype=bool))
        return np.where(finite, y, 0.0)

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        res = sobol_indices(func=safe, n=n, dists=list(dists), rng=np.random.default_rng(seed))
    outputs = bad[0].shape[0]  # scipy drops the output axis when there is one output
    first = np.array(res.first_order, dtype=np.float64).reshape(outputs, len(dists))
    total = np.array(res.total_order, dtype=np.float64).reshape(outputs, len(dists))
    undefined = np.logical_or.reduce(bad)
    first[undefined] = np.nan
    total[undefined] = np.nan
    return SobolTable(first, total)


@dataclass(frozen=True, eq=False)
class Sensitivity(Rendered):
    """Sobol indices of every partnership's overall score and rank. Build with
    :func:`sensitivity`.

    Attributes:
        panel: The partnerships.
        factors: Factor names: pillar ids, then ``aggregation``, ``unknown_policy``,
            ``ratings`` (those that vary).
        n: Base sample size (``n x (factors + 2)`` evaluations).
        seed: Seed.
        first, total: (partnerships, factors) indices of the overall score.
        rank_first, rank_total: The same for the rank (a sample without a score ranks
            last; NaN when the rank never moves).

    Indices of the overall score are NaN for a partnership that has no score in some
    sample (then the score's variance is undefined), and 0 when its score never moves.
    """

    panel: PartnershipArrays
    choices: Choices
    factors: tuple[str, ...]
    n: int
    seed: int
    first: Floats = field(repr=False)
    total: Floats = field(repr=False)
    rank_first: Floats = field(repr=False)
    rank_total: Floats = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"<Sensitivity of {self.panel.n} partnerships: {len(self.factors)} factors, "
            f"Sobol n={self.n:,}, seed {self.seed}>"
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return self.panel.labels

    def top(self, output: str = "overall") -> list[str | None]:
        """Per partnership, the factor with the largest total index (None: undefined,
        or no factor moves the output)."""
        total = self.total if output == "overall" else self.rank_total
        out: list[str | None] = []
        for row in total:
            if np.isnan(row).all() or not np.nanmax(row) > 1e-9:
                out.append(None)
            else:
                out.append(self.factors[int(np.nanargmax(row))])
        return out

    def to_frame(self) -> pd.DataFrame:
        """Long table: partnership, output (``overall``/``rank``), factor, first, total."""
        import pandas as pd

        parts = []
        for output, first, total in (
            ("overall", self.first, self.total),
            ("rank", self.rank_first, self.rank_total),
        ):
            n, d = first.shape
            parts.append(
                pd.DataFrame(
                    {
                        "partnership": np.repeat(self.labels, d),
                        "output": output,
                        "factor": np.tile(self.factors, n),
                        "first": first.ravel(),
                        "total": total.ravel(),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> SensitivityData:
        def clean(row: Floats) -> dict[str, float | None]:
            return {
                f: None if math.isnan(x) else float(x)
                for f, x in zip(self.factors, row, strict=True)
            }

        return {
            "n": self.n,
            "seed": self.seed,
            "factors": list(self.factors),
            "partnerships": [
                {
                    "partnership": label,
                    "overall": {"first": clean(self.first[i]), "total": clean(self.total[i])},
                    "rank": {
                        "first": clean(self.rank_first[i]),
                        "total": clean(self.rank_total[i]),
                    },
                    "most_sensitive_to": self.top()[i],
                }
                for i, label in enumerate(self.labels)
            ],
        }

    def to_document(self) -> Document:
        """The indices laid out: how they were estimated, then one section per
        partnership with its indices (largest total index first) and their chart."""
        return Document(
            said.sensitivity_title(self.panel.n),
            (
                Paragraph.of(said.sensitivity_run(self.n, self.seed, len(self.factors))),
                *(self._section(i) for i in range(self.panel.n)),
            ),
            "sensitivity",
            self.to_dict(),
        )

    def _section(self, i: int) -> Section:
        """One partnership's indices: a table (largest total index first) and a chart."""
        label = self.labels[i]
        undefined = bool(np.isnan(self.total[i]).all())
        table = Table(
            (
                Column("Factor"),
                Column("Total", "score", 2),
                Column("First-order", "score", 2),
                Column("Rank total", "score", 2),
                Column("Rank first-order", "score", 2),
            ),
            tuple(
                Row(
                    (
                        self.factors[j],
                        *(_cell(a[i, j]) for a in (self.total, self.first)),
                        *(_cell(a[i, j]) for a in (self.rank_total, self.rank_first)),
                    )
                )
                for j in _largest_first(self.total[i])
            ),
        )
        if undefined:
            return Section(label, (Paragraph.of(said.sensitivity_undefined()), table))
        chart = Chart(said.tornado_alt(label), partial(_tornado_chart, self, label))
        return Section(label, (table, chart))


def _cell(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _largest_first(total: Floats) -> list[int]:
    """Factor indices by total index, largest first (undefined ones last)."""
    return [int(j) for j in np.argsort(-np.nan_to_num(total, nan=-1.0), kind="stable")]


def _tornado_chart(s: Sensitivity, label: str, output: str = "overall") -> str:
    """Total (light) and first-order (dark) Sobol indices of one partnership, largest first."""
    i = list(s.labels).index(label)
    first = s.first[i] if output == "overall" else s.rank_first[i]
    total = s.total[i] if output == "overall" else s.rank_total[i]
    order = [j for j in np.argsort(-np.nan_to_num(total, nan=-1.0)) if not math.isnan(total[j])]
    names = [s.factors[j] for j in order]

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        ys = np.arange(len(order))
        ax.barh(
            ys, [max(0.0, total[j]) for j in order], height=0.62, color=RANGE, label="Total index"
        )
        ax.barh(
            ys,
            [max(0.0, first[j]) for j in order],
            height=0.32,
            color=SCORE,
            label="First-order index",
        )
        ax.set_yticks(ys, [short_label(x) for x in names])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"Share of the variance of the {output}", color=MUTED)
        style_axis(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)

    return draw("tornado", f"Sobol indices of {label}", 0.9 + 0.26 * max(1, len(order)), paint)


def _check_work(n: int, factors: int, partnerships: int) -> None:
    """Refuse an estimate that would hold more than :data:`MAX_SOBOL_VALUES` values.

    Raises:
        InputError: Named ``options``, with the largest ``n`` that fits.
    """
    per_n = (factors + 2) * (factors + 2 * partnerships)
    if n <= MAX_SOBOL_N and n * per_n <= MAX_SOBOL_VALUES:
        return
    fits = 1 << max(0, (min(MAX_SOBOL_N, MAX_SOBOL_VALUES // per_n)).bit_length() - 1)
    advice = (
        f"use n = {fits:,} or less"
        if fits >= 64
        else "analyse fewer partnerships at once (n is at least 64)"
    )
    raise InputError(
        [
            Problem(
                "n",
                f"a Sobol estimate with n = {n:,} for {factors} factors and {partnerships:,} "
                f"partnership(s) holds {n * per_n:,} values, more than {MAX_SOBOL_VALUES:,} "
                f"(about 2 GB; n is at most {MAX_SOBOL_N:,}); {advice}",
            )
        ],
        source="options",
    )


def sensitivity(
    subject: object,
    rubric: Rubric | None = None,
    *,
    n: int = 1024,
    seed: int = 0,
    choices: Choices | None = None,
) -> Sensitivity:
    """Sobol first-order and total indices of each partnership's overall score and rank.

    Args:
        subject: An assessment, a list of them, or a levels DataFrame.
        rubric: The rubric of a levels DataFrame.
        n: Base sample size, a power of 2 from 64 to
            :data:`~readiness._limits.MAX_SOBOL_N` (``n x (factors + 2)`` evaluations);
            with the factors and partnerships it may hold at most
            :data:`~readiness._limits.MAX_SOBOL_VALUES` values.
        seed: Seed of the Sobol sequence.
        choices: The concentration and the methods and policies that vary
            (criterion weights stay at the rubric's).

    Raises:
        InputError: ``n`` is not a power of 2 or too large for the work, bad choices,
            bad inputs, or nothing varies.
    """
    from scipy import stats

    choices = choices or Choices()
    choices.check()
    if isinstance(n, bool) or not isinstance(n, int) or n < 64 or n & (n - 1):
        raise InputError([Problem("n", f"must be a power of 2, at least 64 (got {n!r})")])
    panel = panel_of(subject, rubric)
    model = panel.model
    names: list[str] = []
    dists: list[Any] = []
    if not math.isinf(choices.concentration):
        share = model.pillar_weight / model.pillar_weight.sum()
        names += list(model.pillar_ids)
        dists += [stats.gamma(a=choices.concentration * s) for s in share]
    n_weights = len(names)
    vary_method = len(choices.methods) > 1
    vary_policy = len(choices.policies) > 1
    lo, hi = _shift_bounds(panel)
    vary_ratings = choices.ratings and len(lo) > 0
    for flag, name in (
        (vary_method, "aggregation"),
        (vary_policy, "unknown_policy"),
        (vary_ratings, "ratings"),
    ):
        if flag:
            names.append(name)
            dists.append(stats.uniform())
    if not names:
        raise InputError([Problem("choices", "nothing varies: no factor to analyse")])
    _check_work(n, len(names), panel.n)
    methods = np.array([METHODS.index(m) for m in choices.methods], dtype=np.int8)
    policies = np.array([POLICIES.index(p) for p in choices.policies], dtype=np.int8)

    def pick(u: Floats, options: NDArray[np.int8]) -> NDArray[np.int8]:
        return options[np.minimum((u * len(options)).astype(np.intp), len(options) - 1)]

    def model_fn(x: Floats) -> Floats:
        size = x.shape[1]
        row = n_weights
        weights = (
            x[:n_weights].T
            if n_weights
            else np.broadcast_to(model.pillar_weight, (size, model.n_pillars)).copy()
        )
        method = methods[np.zeros(size, np.intp)]
        policy = policies[np.zeros(size, np.intp)]
        shift = None
        if vary_method:
            method, row = pick(x[row], methods), row + 1
        if vary_policy:
            policy, row = pick(x[row], policies), row + 1
        if vary_ratings:
            direction = pick(x[row], np.array([-1, 0, 1], dtype=np.int8))
            shift = np.clip(direction[:, None], lo, hi).astype(np.int8)
        draws = Draws(np.ascontiguousarray(weights), None, method, policy, shift)
        overall, _ = evaluate(panel, draws)
        ranks = rank_matrix(overall)
        ranks[np.isnan(ranks)] = panel.n  # no score: ranked last
        return np.vstack([overall.T, ranks.T])

    table = sobol_table(model_fn, dists, n, seed)
    k = panel.n
    return Sensitivity(
        panel=panel,
        choices=choices,
        factors=tuple(names),
        n=n,
        seed=seed,
        first=table.first[:k],
        total=table.total[:k],
        rank_first=table.first[k:],
        rank_total=table.total[k:],
    )

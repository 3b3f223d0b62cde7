"""Uncertainty analysis: scores, bands and ranks under choices an analyst could defend.

Each sample draws pillar weights from a Dirichlet distribution centred on the rubric's
pillar shares (``alpha = concentration x share``; a larger concentration keeps weights
closer to the rubric's), criterion weights inside each pillar the same way, an overall
aggregation method and an unknown policy (uniformly from the ones allowed: ``estimate``,
the rubric's default, beside ``exclude`` and ``worst``), and moves
every low-confidence rating to a level drawn uniformly from its interval (one level
down to one level up, within 0-4: the interval the lower and upper bounds already use).
Gates and the coverage rule apply in every sample exactly as in the kernel.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import TypedDict

from readiness.document import Chart, Column, Document, Paragraph, Rendered, Row, Section, Table
from readiness.document.charts import (
    BAND_TINTS,
    GRID,
    INK,
    MUTED,
    RANGE,
    SCORE,
    draw,
    short_label,
    style_axis,
)
from readiness.document.words import robustness as said
from readiness.errors import InputError, Problem
from readiness.robustness._engine import METHODS, POLICIES, Draws, evaluate
from readiness.robustness._panel import PartnershipArrays, panel_of
from readiness.rubric import Rubric
from readiness.scoring import LEVEL_MAX

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Choices",
    "ChoicesData",
    "Uncertainty",
    "UncertaintyData",
    "draw_choices",
    "rank_matrix",
    "uncertainty",
]


class ChoicesData(TypedDict):
    """What the analysis varied, in JSON (``None``: a concentration that keeps the
    rubric's weights)."""

    concentration: float | None
    criterion_concentration: float | None
    methods: list[str]
    policies: list[str]
    ratings: bool


class ScoreSpread(TypedDict):
    median: float | None
    p05: float | None
    p95: float | None


class RankSpread(TypedDict):
    point: float | None
    median: float | None
    p05: float | None
    p95: float | None


class UncertainPartnership(TypedDict):
    """One partnership under sampled choices: its score and rank intervals and the
    probability of each band (keyed by band id, and ``none`` for no score)."""

    partnership: str
    overall: float | None
    band: str | None
    score: ScoreSpread
    band_probabilities: dict[str, float | None]
    likely_band: str
    rank: RankSpread


class UncertaintyData(TypedDict):
    """The JSON document of an uncertainty analysis (``Uncertainty.to_dict()``;
    ``readiness schema uncertainty``)."""

    samples: int
    seed: int
    choices: ChoicesData
    partnerships: list[UncertainPartnership]


Floats = NDArray[np.float64]

MAX_SAMPLES = 1_000_000
MAX_CELLS = 200_000_000
"""Partnerships x samples kept in memory at most (1.6 GB of scores)."""
_WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class Choices:
    """What an uncertainty analysis varies.

    Attributes:
        concentration: Dirichlet concentration of the pillar weights (sum of the alphas).
            With ``k`` pillars of equal weight a pillar's share has a coefficient of
            variation of ``sqrt((k - 1) / (concentration + 1))``: 100 gives about 33% for
            12 pillars. ``math.inf`` keeps the rubric's pillar weights.
        criterion_concentration: The same for criterion weights inside each pillar
            (default: ``concentration``; ``math.inf`` keeps the rubric's).
        methods: Overall aggregation methods drawn from, uniformly.
        policies: Unknown policies drawn from, uniformly.
        ratings: Move low-confidence ratings within their one-level interval.
    """

    concentration: float = 100.0
    criterion_concentration: float | None = None
    methods: tuple[str, ...] = ("arithmetic", "geometric")
    policies: tuple[str, ...] = ("exclude", "worst", "estimate")
    ratings: bool = True

    def check(self) -> None:
        """Raises: InputError naming each bad option."""
        problems = []
        for name in ("concentration", "criterion_concentration"):
            value = getattr(self, name)
            if value is None and name == "criterion_concentration":
                continue
            if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
                problems.append(Problem(name, f"must be a positive number (got {value!r})"))
        if not self.methods or any(m not in METHODS for m in self.methods):
            problems.append(
                Problem("methods", f"must be some of {list(METHODS)} (got {self.methods!r})")
            )
        if not self.policies or any(p not in POLICIES for p in self.policies):
            problems.append(
                Problem("policies", f"must be some of {list(POLICIES)} (got {self.policies!r})")
            )
        if problems:
            raise InputError(problems, source="choices")

    def to_dict(self) -> ChoicesData:
        cc = self.criterion_concentration
        return {
            "concentration": _finite(self.concentration),
            "criterion_concentration": _finite(self.concentration if cc is None else cc),
            "methods": list(self.methods),
            "policies": list(self.policies),
            "ratings": self.ratings,
        }


def _finite(x: float) -> float | None:
    """JSON has no infinity: ``None`` means 'fixed at the rubric's'."""
    return None if math.isinf(x) else float(x)


def draw_choices(panel: PartnershipArrays, choices: Choices, samples: int, seed: int) -> Draws:
    """Draw ``samples`` sets of choices (seeded: the same seed gives the same draws)."""
    model = panel.model
    rng = np.random.default_rng(seed)
    pillar_w = _dirichlet(rng, model.pillar_weight, choices.concentration, samples)
    cc = choices.criterion_concentration
    cc = choices.concentration if cc is None else cc
    criterion_w = None
    if not math.isinf(cc):
        criterion_w = np.empty((samples, model.n_criteria))
        for p in range(model.n_pillars):
            cols = np.flatnonzero(model.criterion_pillar == p)
            criterion_w[:, cols] = _dirichlet(rng, model.criterion_weight[cols], cc, samples)
    method = np.array([METHODS.index(m) for m in choices.methods], dtype=np.int8)
    policy = np.array([POLICIES.index(p) for p in choices.policies], dtype=np.int8)
    shift = None
    if choices.ratings:
        lo, hi = _shift_bounds(panel)
        if len(lo):
            shift = (lo + rng.integers(0, hi - lo + 1, size=(samples, len(lo)))).astype(np.int8)
    return Draws(
        pillar_weight=pillar_w,
        criterion_weight=criterion_w,
        method=rng.choice(method, size=samples),
        policy=rng.choice(policy, size=samples),
        shift=shift,
    )


def _shift_bounds(panel: PartnershipArrays) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """How far each low-confidence rating can move: (down, up), within 0-4."""
    rated = ~np.isnan(panel.levels) & ~panel.not_applicable
    level = panel.levels[panel.low_confidence & rated]
    return (
        (np.maximum(level - 1, 0) - level).astype(np.int8),
        (np.minimum(level + 1, LEVEL_MAX) - level).astype(np.int8),
    )


def _dirichlet(rng: np.random.Generator, weights: Floats, c: float, samples: int) -> Floats:
    share = weights / weights.sum()
    if math.isinf(c) or len(weights) == 1:
        return np.broadcast_to(share, (samples, len(weights))).copy()
    # Dirichlet as normalised independent gammas (the same draws scipy's and numpy's
    # Dirichlet make, but vectorised over samples with alphas below 1 handled)
    g = rng.standard_gamma(c * share, size=(samples, len(weights)))
    total = g.sum(axis=1, keepdims=True)
    return np.where(total > 0, g / np.where(total > 0, total, 1.0), share)


def rank_matrix(scores: Floats) -> Floats:
    """Competition ranks in each row: 1 for the highest score, tied scores share the
    best rank, NaN for no score. ``scores`` is (S, n), one row per sample."""
    ranks = np.empty(scores.shape)
    step = max(1, 2_000_000 // max(1, scores.shape[1]))
    starts = range(0, scores.shape[0], step)

    def block(start: int) -> None:
        sl = slice(start, start + step)
        ranks[sl] = _ranks(scores[sl])

    _parallel(block, starts)
    return ranks


def _parallel(fn: Callable[[int], None], starts: range) -> None:
    """Run ``fn`` on each start; numpy releases the GIL in sorts and ufuncs."""
    if len(starts) < 2:
        for start in starts:
            fn(start)
        return
    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(starts))) as pool:
        for future in [pool.submit(fn, start) for start in starts]:
            future.result()


def _ranks(scores: Floats) -> Floats:
    s, n = scores.shape
    key = np.where(np.isnan(scores), np.inf, -scores)  # no score sorts last
    order = np.argsort(key, axis=1)
    ordered = np.take_along_axis(key, order, axis=1)
    new = np.ones((s, n), dtype=bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.where(new, np.arange(n, dtype=np.float64), 0.0)
    np.maximum.accumulate(first, axis=1, out=first)
    first += 1.0
    first[np.isinf(ordered)] = np.nan
    ranks = np.empty((s, n))
    np.put_along_axis(ranks, order, first, axis=1)
    return ranks


@dataclass(frozen=True, eq=False)
class Uncertainty(Rendered):
    """The outcome of :func:`uncertainty`: n partnerships under S sampled choices.

    Attributes:
        panel: The partnerships (labels, levels, point scores).
        choices: What was varied.
        samples: S.
        seed: The seed (the same seed and inputs give the same result).
        scores: (n, S) overall score per sample (NaN: no score in that sample).
        bands: (n, S) band index per sample (-1: no score).
        ranks: (n, S) competition rank per sample (1 = best; NaN: no score).
    """

    panel: PartnershipArrays
    choices: Choices
    samples: int
    seed: int
    scores: Floats = field(repr=False)
    bands: NDArray[np.int8] = field(repr=False)
    ranks: Floats = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"<Uncertainty of {self.panel.n} partnerships: {self.samples:,} samples, "
            f"seed {self.seed}>"
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return self.panel.labels

    @property
    def band_ids(self) -> tuple[str, ...]:
        return self.panel.model.band_ids

    def band_probabilities(self) -> Floats:
        """(n, bands + 1): share of samples in each band; the last column is 'no score'."""
        nb = len(self.band_ids)
        counts = np.stack([(self.bands == b).sum(axis=1) for b in range(-1, nb)], axis=1)
        result: Floats = np.roll(counts, -1, axis=1) / self.samples  # 'no score' last
        return result

    def score_quantiles(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> Floats:
        """(n, len(q)) quantiles of the overall score over the samples that have one."""
        if tuple(q) == (0.05, 0.5, 0.95):
            return self._score_q
        return _quantiles(self.scores, q)

    def rank_quantiles(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> Floats:
        """(n, len(q)) rank quantiles (sample values: whole ranks) over ranked samples."""
        if tuple(q) == (0.05, 0.5, 0.95):
            return self._rank_q
        return _quantiles(self.ranks, q, method="inverted_cdf")

    @cached_property
    def _score_q(self) -> Floats:
        return _quantiles(self.scores, (0.05, 0.5, 0.95))

    @cached_property
    def _rank_q(self) -> Floats:
        return _quantiles(self.ranks, (0.05, 0.5, 0.95), method="inverted_cdf")

    def point_ranks(self) -> Floats:
        """(n,) ranks under the rubric's own choices."""
        result: Floats = rank_matrix(self.panel.point.overall[None, :])[0]
        return result

    def to_frame(self) -> pd.DataFrame:
        """One row per partnership: point score and band, score median and 5-95%,
        band probabilities (``p_<band>``, ``p_none``), most likely band, point rank,
        median rank and 5-95% rank interval."""
        import pandas as pd

        point = self.panel.point
        sq = self.score_quantiles()
        rq = self.rank_quantiles()
        probs = self.band_probabilities()
        names = [*self.band_ids, "none"]
        frame = pd.DataFrame(
            {
                "overall": point.overall,
                "band": [self.band_ids[b] if b >= 0 else None for b in point.band],
                "median": sq[:, 1],
                "p05": sq[:, 0],
                "p95": sq[:, 2],
                "likely_band": [names[i] for i in probs.argmax(axis=1)],
                "rank": self.point_ranks(),
                "rank_median": rq[:, 1],
                "rank_p05": rq[:, 0],
                "rank_p95": rq[:, 2],
            },
            index=pd.Index(self.labels, name="partnership"),
        )
        for j, name in enumerate(names):
            frame[f"p_{name}"] = probs[:, j]
        return frame

    def dominance(self, labels: Sequence[str] | None = None) -> pd.DataFrame:
        """P(row ranks above column): share of samples where the row's score is higher
        (a partnership with no score ranks below any score). Pass ``labels`` to limit
        the table for large sets (it costs n x n x S comparisons).

        Raises:
            InputError: A label that is not in the analysis.
        """
        import pandas as pd

        chosen = list(self.labels if labels is None else labels)
        index = {name: i for i, name in enumerate(self.labels)}
        missing = [x for x in chosen if x not in index]
        if missing:
            raise InputError(
                [Problem(f"labels[{x!r}]", "not a partnership of this analysis") for x in missing]
            )
        rows = np.array([index[x] for x in chosen], dtype=np.intp)
        x = np.where(np.isnan(self.scores[rows]), -np.inf, self.scores[rows])
        out = np.empty((len(rows), len(rows)))
        for i in range(len(rows)):  # one (n, S) comparison per row
            out[i] = (x[i] > x).mean(axis=1)
        return pd.DataFrame(out, index=chosen, columns=chosen)

    def to_dict(self) -> UncertaintyData:
        """JSON-ready: options and one record per partnership (numbers rounded to 4 places)."""
        frame = self.to_frame()
        records: list[UncertainPartnership] = []
        for label, row in frame.iterrows():
            records.append(
                {
                    "partnership": str(label),
                    "overall": _num(row["overall"]),
                    "band": row["band"],
                    "score": {
                        "median": _num(row["median"]),
                        "p05": _num(row["p05"]),
                        "p95": _num(row["p95"]),
                    },
                    "band_probabilities": {
                        name: _num(row[f"p_{name}"]) for name in [*self.band_ids, "none"]
                    },
                    "likely_band": row["likely_band"],
                    "rank": {
                        "point": _num(row["rank"]),
                        "median": _num(row["rank_median"]),
                        "p05": _num(row["rank_p05"]),
                        "p95": _num(row["rank_p95"]),
                    },
                }
            )
        return {
            "samples": self.samples,
            "seed": self.seed,
            "choices": self.choices.to_dict(),
            "partnerships": records,
        }

    def to_document(self) -> Document:
        """The analysis laid out: what was varied, each partnership's score and rank
        intervals, its band probabilities, and their charts."""
        frame = self.to_frame()
        names = [b.name for b in self.panel.rubric.bands]
        scores = Table(
            (
                Column("Partnership"),
                Column("Overall", "score"),
                Column("Band"),
                Column("Score median", "score"),
                Column("Score 5%", "score"),
                Column("Score 95%", "score"),
                Column("Likely band"),
                Column("Rank", "count"),
                Column("Rank median", "count"),
                Column("Rank 5%", "count"),
                Column("Rank 95%", "count"),
            ),
            tuple(
                Row(
                    (
                        str(label),
                        *(
                            _cell(row[k])
                            for k in ("overall", "band", "median", "p05", "p95", "likely_band")
                        ),
                        *(_cell(row[k]) for k in ("rank", "rank_median", "rank_p05", "rank_p95")),
                    )
                )
                for label, row in frame.iterrows()
            ),
        )
        bands = Table(
            (
                Column("Partnership"),
                *(Column(name, "share", 1) for name in names),
                Column("No score", "share", 1),
            ),
            tuple(
                Row((str(label), *(_cell(row[f"p_{b}"]) for b in [*self.band_ids, "none"])))
                for label, row in frame.iterrows()
            ),
        )
        return Document(
            said.uncertainty_title(self.panel.n),
            (
                Paragraph.of(said.sampled(self.samples, self.seed, varied(self.choices))),
                Section(
                    "Scores and ranks",
                    (
                        scores,
                        Chart(
                            "Rank intervals under sampled choices",
                            partial(_rank_interval_chart, self),
                        ),
                    ),
                ),
                Section(
                    "Band probabilities",
                    (bands, Chart("Probability of each band", partial(_band_chart, self))),
                ),
            ),
            "uncertainty",
            self.to_dict(),
        )


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _cell(x: Any) -> Any:
    """A table cell: text (a band id) as it is, a number as a float (NaN: ``None``)."""
    return x if x is None or isinstance(x, str) else _num(x)


def varied(choices: Choices) -> str:
    """What ``choices`` vary, and what not, in words."""
    cc = choices.criterion_concentration
    return said.varied(
        choices.concentration,
        choices.concentration if cc is None else cc,
        choices.methods,
        choices.policies,
        choices.ratings,
    )


# --- charts ---------------------------------------------------------------------------


def _rank_interval_chart(u: Uncertainty) -> str:
    """Each partnership's rank: 5-95% interval (line), median (bar tick), point (dot)."""
    frame = u.to_frame().sort_values("rank", na_position="last")
    n = len(frame)

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        ys = list(range(n))
        ax.hlines(
            ys,
            frame["rank_p05"],
            frame["rank_p95"],
            color=RANGE,
            linewidth=4,
            label="5-95% of samples",
            zorder=2,
        )
        ax.scatter(frame["rank_median"], ys, marker="|", s=160, color=INK, label="Median", zorder=3)
        ax.scatter(
            frame["rank"], ys, marker="o", s=26, color=SCORE, label="Rubric's own choices", zorder=4
        )
        ax.set_yticks(ys, [short_label(str(x)) for x in frame.index])
        ax.invert_yaxis()
        ax.set_xlim(0.5, max(1, u.panel.n) + 0.5)
        ax.set_xlabel("Rank (1 = highest score)", color=MUTED)
        style_axis(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)

    return draw("rank-intervals", "Rank intervals under sampled choices", 0.9 + 0.32 * n, paint)


def _band_chart(u: Uncertainty, label: str | None = None) -> str:
    """Stacked probability of each band (and of no score), one bar per partnership
    (``label``: that partnership's bar only)."""
    probs = u.band_probabilities()
    labels = list(u.labels)
    if label is not None:
        i = labels.index(label)
        probs, labels = probs[i : i + 1], [label]
    names = [b.name for b in u.panel.rubric.bands] + ["No score"]
    colours = [BAND_TINTS[i % len(BAND_TINTS)] for i in range(len(names) - 1)] + [GRID]

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        ys = np.arange(len(labels))
        left = np.zeros(len(labels))
        for j, name in enumerate(names):
            if not probs[:, j].any():
                continue
            ax.barh(
                ys,
                probs[:, j],
                left=left,
                height=0.6,
                color=colours[j],
                edgecolor="white",
                label=name,
            )
            for y, (x0, w) in enumerate(zip(left, probs[:, j], strict=True)):
                if w >= 0.08:
                    ax.text(
                        x0 + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=8, color=INK
                    )
            left += probs[:, j]
        ax.set_yticks(ys, [short_label(x) for x in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("Probability", color=MUTED)
        style_axis(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(6, len(names)))

    return draw("band-probabilities", "Probability of each band", 0.9 + 0.34 * len(labels), paint)


def _quantiles(values: Floats, q: Sequence[float], method: str = "linear") -> Floats:
    """(n, len(q)) quantiles of each row of (n, S) ``values``, ignoring NaN."""
    out = np.full((values.shape[0], len(q)), np.nan)
    missing = np.asarray(np.isnan(values).any(axis=1), dtype=bool)
    step = max(1, 2_000_000 // max(1, values.shape[1]))

    def block(start: int) -> None:
        rows = np.arange(start, min(start + step, values.shape[0]))
        full = rows[~missing[rows]]
        if len(full):
            out[full] = np.quantile(values[full], q, axis=1, method=method).T  # type: ignore[call-overload]

    _parallel(block, range(0, values.shape[0], step))
    for i in np.flatnonzero(missing):  # rows without a score in some samples
        row = values[i][~np.isnan(values[i])]
        if len(row):
            out[i] = np.quantile(row, q, method=method)  # type: ignore[call-overload]
    return out


def uncertainty(
    subject: object,
    rubric: Rubric | None = None,
    *,
    samples: int = 10_000,
    seed: int = 0,
    choices: Choices | None = None,
) -> Uncertainty:
    """Score partnerships under ``samples`` sets of choices an analyst could defend.

    Args:
        subject: An :class:`~readiness.Assessment`, a list of them (same rubric and
            options), or a levels DataFrame (one column per criterion id).
        rubric: The rubric of a levels DataFrame (default: the shipped one).
        samples: How many sets of choices (1 to 1,000,000).
        seed: Seed of the random draws.
        choices: What to vary (default :class:`Choices`).

    Raises:
        InputError: Bad options or inputs (named).

    >>> from readiness import assess, load_partnership
    >>> a = assess(load_partnership("examples/partnerships/nato.json"))
    >>> u = uncertainty(a, samples=2_000, seed=1)
    >>> round(float(u.band_probabilities().sum()), 9)
    1.0
    """
    choices = choices or Choices()
    choices.check()
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise InputError(
            [Problem("samples", f"must be an integer from 1 to {MAX_SAMPLES:,} (got {samples!r})")],
            source="options",
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(
            [Problem("seed", f"must be a non-negative integer (got {seed!r})")], source="options"
        )
    panel = panel_of(subject, rubric)
    if panel.n * samples > MAX_CELLS:
        raise InputError(
            [
                Problem(
                    "samples",
                    f"{panel.n:,} partnerships x {samples:,} samples is more than "
                    f"{MAX_CELLS:,} scores in memory; use fewer samples",
                )
            ],
            source="options",
        )
    draws = draw_choices(panel, choices, samples, seed)
    scores, bands = evaluate(panel, draws)  # sample-major (S, n); views are (n, S)
    return Uncertainty(
        panel=panel,
        choices=choices,
        samples=samples,
        seed=seed,
        scores=scores.T,
        bands=bands.T,
        ranks=rank_matrix(scores).T,
    )

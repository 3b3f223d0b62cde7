"""Coherence audit of a rubric over many partnerships (the JRC's statistical checks).

Does each pillar's criteria measure one thing (Cronbach's alpha and its ordinal
variant, item-rest correlations)? Are all five levels used, or do ratings pile up at
the floor or the ceiling? Do two pillars say the same thing (pillar correlations above
a threshold)? Does a criterion never vary (it then cannot tell partnerships apart)?

Formulas: Cronbach (1951), ``alpha = k / (k - 1) x (1 - sum of item variances /
variance of the sum)``, on the partnerships that rate every criterion of the pillar;
ordinal alpha (Zumbo, Gadermann and Zeisser 2007) is the same formula on the matrix of
polychoric correlations, each estimated by maximum likelihood with thresholds from the
marginal proportions (Olsson 1979, two-step).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NotRequired

import numpy as np
from numpy.typing import NDArray
from typing_extensions import TypedDict

from readiness.document import (
    Column,
    Document,
    Inline,
    Paragraph,
    Rendered,
    Row,
    Table,
    code,
)
from readiness.document.words import audit as said
from readiness.robustness import RobustnessData
from readiness.robustness._panel import PartnershipArrays, panel_of
from readiness.rubric import Rubric
from readiness.scoring import LEVEL_MAX

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Audit",
    "AuditData",
    "RobustnessReport",
    "alpha_from_cov",
    "audit",
    "cronbach_alpha",
    "polychoric",
]

Floats = NDArray[np.float64]


def alpha_from_cov(cov: Floats) -> float:
    """Cronbach's alpha from a (k x k) covariance (or correlation) matrix.

    >>> round(alpha_from_cov(np.array([[10, 6, 6, 6], [6, 11, 6, 6],
    ...                                [6, 6, 12, 6], [6, 6, 6, 13]], float)), 4)
    0.8136
    """
    cov = np.asarray(cov, dtype=np.float64)
    k = cov.shape[0]
    total = cov.sum()
    if k < 2 or not total > 0:
        return math.nan
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total))


def cronbach_alpha(items: Floats) -> float:
    """Cronbach's alpha of an (observations x items) matrix without missing values."""
    items = np.asarray(items, dtype=np.float64)
    if items.shape[0] < 2 or items.shape[1] < 2:
        return math.nan
    return alpha_from_cov(np.cov(items, rowvar=False, ddof=1))


def polychoric(x: Floats, y: Floats) -> float:
    """Polychoric correlation of two ordinal variables (two-step maximum likelihood).

    NaN when either variable takes a single value.
    """
    from scipy.optimize import minimize_scalar
    from scipy.stats import multivariate_normal, norm

    ok = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[ok].astype(np.intp), y[ok].astype(np.intp)
    xs, ys = np.unique(x), np.unique(y)
    if len(xs) < 2 or len(ys) < 2:
        return math.nan
    table = np.zeros((len(xs), len(ys)))
    np.add.at(table, (np.searchsorted(xs, x), np.searchsorted(ys, y)), 1.0)
    n = table.sum()
    big = 10.0  # stands for infinity in the bivariate normal cdf

    def cuts(counts: Floats) -> Floats:
        inner = norm.ppf(np.cumsum(counts)[:-1] / n)
        return np.concatenate([[-big], inner, [big]])

    a, b = cuts(table.sum(axis=1)), cuts(table.sum(axis=0))
    grid = np.array([[u, v] for u in a for v in b])

    def nll(r: float) -> float:
        cdf = multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, r], [r, 1.0]]).cdf(grid)
        f = np.asarray(cdf, dtype=np.float64).reshape(len(a), len(b))
        cells = f[1:, 1:] - f[:-1, 1:] - f[1:, :-1] + f[:-1, :-1]
        return float(-(table * np.log(np.clip(cells, 1e-300, None))).sum())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = minimize_scalar(
            nll, bounds=(-0.999, 0.999), method="bounded", options={"xatol": 1e-6}
        )
    return float(res.x)


class AuditPillarData(TypedDict):
    """One pillar of an audit in JSON (counts are written as numbers)."""

    id: str
    criteria: float
    complete: float
    alpha: float | None
    ordinal_alpha: float | None
    mean_item_rest: float | None


class AuditItemData(TypedDict):
    """One criterion of an audit in JSON: its share of ratings at each level 0 to
    :data:`~readiness.scoring.LEVEL_MAX` (``level_0`` ...), and its flags."""

    id: str
    pillar: str
    rated: float
    mean: float | None
    sd: float | None
    item_rest: float | None
    alpha_if_dropped: float | None
    level_0: float | None
    level_1: float | None
    level_2: float | None
    level_3: float | None
    level_4: float | None
    floor: float | None
    ceiling: float | None
    never_varies: bool
    floor_effect: bool
    ceiling_effect: bool


class PillarPair(TypedDict):
    a: str
    b: str
    r: float


class AuditData(TypedDict):
    """The JSON document of an audit (``Audit.to_dict()``; ``readiness schema audit``)."""

    partnerships: int
    threshold: float
    extreme: float
    pillars: list[AuditPillarData]
    items: list[AuditItemData]
    correlation: dict[str, dict[str, float | None]]
    redundant: list[PillarPair]
    never_vary: list[str]


class RobustnessReport(RobustnessData):
    """The JSON document of ``readiness robustness --format json`` (``readiness schema
    robustness``): :class:`~readiness.robustness.RobustnessData`, with the coherence
    audit of the same set (``None`` under three partnerships). ``Robustness.to_dict()``
    gives the same document without ``audit`` and ``dominance``."""

    audit: NotRequired[AuditData | None]


def _r4(value: Any) -> float | None:
    """A figure of an audit frame as JSON: to 4 places, NaN as null."""
    x = float(value)
    return None if math.isnan(x) else round(x, 4)


@dataclass(frozen=True, eq=False)
class Audit(Rendered):
    """The coherence audit of one rubric over a set of partnerships.

    Attributes:
        pillars: One row per pillar: criteria, complete rows, ``alpha``,
            ``ordinal_alpha``, mean item-rest correlation.
        items: One row per criterion: rated count, mean and sd of the level, item-rest
            correlation, alpha of its pillar without it, share at each level
            (``level_0`` ... ``level_4``), ``floor``/``ceiling`` shares, and flags
            ``never_varies``, ``floor_effect``, ``ceiling_effect``.
        correlation: Pillar x pillar Pearson correlations of pillar scores.
        redundant: Pairs of pillars correlated at or above ``threshold``: (a, b, r).
        threshold: The redundancy threshold.
        extreme: The share of ratings at one end that flags a floor or ceiling effect.
    """

    panel: PartnershipArrays
    pillars: pd.DataFrame = field(repr=False)
    items: pd.DataFrame = field(repr=False)
    correlation: pd.DataFrame = field(repr=False)
    redundant: tuple[tuple[str, str, float], ...]
    threshold: float
    extreme: float

    def __repr__(self) -> str:
        return (
            f"<Audit of {self.panel.rubric.label} over {self.panel.n} partnerships: "
            f"{len(self.redundant)} redundant pairs>"
        )

    @property
    def never_vary(self) -> tuple[str, ...]:
        """Criteria rated the same in every partnership that rates them."""
        return tuple(self.items.index[self.items["never_varies"]])

    def to_dict(self) -> AuditData:
        """JSON-ready data: the frames as records (numbers to 4 places, NaN as null),
        the correlation matrix, the redundant pairs and the criteria that never vary."""
        pillars: list[AuditPillarData] = [
            {
                "id": str(key),
                "criteria": float(row["criteria"]),
                "complete": float(row["complete"]),
                "alpha": _r4(row["alpha"]),
                "ordinal_alpha": _r4(row["ordinal_alpha"]),
                "mean_item_rest": _r4(row["mean_item_rest"]),
            }
            for key, row in self.pillars.iterrows()
        ]
        items: list[AuditItemData] = [
            {
                "id": str(key),
                "pillar": str(row["pillar"]),
                "rated": float(row["rated"]),
                "mean": _r4(row["mean"]),
                "sd": _r4(row["sd"]),
                "item_rest": _r4(row["item_rest"]),
                "alpha_if_dropped": _r4(row["alpha_if_dropped"]),
                "level_0": _r4(row["level_0"]),
                "level_1": _r4(row["level_1"]),
                "level_2": _r4(row["level_2"]),
                "level_3": _r4(row["level_3"]),
                "level_4": _r4(row["level_4"]),
                "floor": _r4(row["floor"]),
                "ceiling": _r4(row["ceiling"]),
                "never_varies": bool(row["never_varies"]),
                "floor_effect": bool(row["floor_effect"]),
                "ceiling_effect": bool(row["ceiling_effect"]),
            }
            for key, row in self.items.iterrows()
        ]
        corr = self.correlation.round(4)
        return {
            "partnerships": self.panel.n,
            "threshold": self.threshold,
            "extreme": self.extreme,
            "pillars": pillars,
            "items": items,
            "correlation": {
                str(a): {str(b): (None if math.isnan(v) else float(v)) for b, v in row.items()}
                for a, row in corr.iterrows()
            },
            "redundant": [{"a": a, "b": b, "r": round(r, 4)} for a, b, r in self.redundant],
            "never_vary": list(self.never_vary),
        }

    def to_document(self) -> Document:
        """The audit laid out: one row per pillar (criteria, complete rows, alpha,
        ordinal alpha, mean item-rest correlation), then what it flags: possibly
        redundant pillars, criteria that never vary, floor and ceiling effects."""
        table = Table(
            (
                Column("Pillar"),
                Column("Criteria", "count"),
                Column("Complete rows", "count"),
                Column("Alpha", "score", 2),
                Column("Ordinal alpha", "score", 2),
                Column("Mean item-rest", "score", 2),
            ),
            tuple(
                Row(
                    (
                        str(pid),
                        *(_cell(row[k]) for k in ("criteria", "complete")),
                        *(_cell(row[k]) for k in ("alpha", "ordinal_alpha", "mean_item_rest")),
                    )
                )
                for pid, row in self.pillars.iterrows()
            ),
        )
        notes: list[Paragraph] = []
        if self.redundant:
            notes.append(Paragraph.of(said.redundant(self.threshold, self.redundant)))
        if self.never_vary:
            notes.append(_listed(said.never_vary_lead(), self.never_vary))
        flagged = self.items[self.items["floor_effect"] | self.items["ceiling_effect"]]
        if len(flagged):
            notes.append(_listed(said.extreme_lead(self.extreme), [str(c) for c in flagged.index]))
        return Document(said.title(self.panel.n), (table, *notes), "audit", self.to_dict())


def audit(
    subject: object,
    rubric: Rubric | None = None,
    *,
    threshold: float = 0.9,
    extreme: float = 0.8,
    ordinal: bool = True,
) -> Audit:
    """Audit the coherence of a rubric over many partnerships.

    Args:
        subject: A list of assessments or a levels DataFrame (one row per partnership).
        rubric: The rubric of a levels DataFrame.
        threshold: |r| at or above which two pillars are flagged as redundant.
        extreme: Share of ratings at level 0 (or 4) that flags a floor (ceiling) effect.
        ordinal: Estimate ordinal alpha (polychoric correlations; slower).

    Raises:
        InputError: Bad inputs or options.
    """
    import pandas as pd

    from readiness.errors import InputError, Problem

    for name, value in (("threshold", threshold), ("extreme", extreme)):
        if not isinstance(value, int | float) or not 0 < value <= 1:
            raise InputError([Problem(name, f"must be a number in (0, 1] (got {value!r})")])
    panel = panel_of(subject, rubric)
    model = panel.model
    levels = np.where(panel.not_applicable, np.nan, panel.levels)
    item_rows = []
    pillar_rows = []
    for p, pid in enumerate(model.pillar_ids):
        cols = np.flatnonzero(model.criterion_pillar == p)
        block = levels[:, cols]
        complete = ~np.isnan(block).any(axis=1)
        full = block[complete]
        alpha = cronbach_alpha(full)
        ordinal_alpha = math.nan
        if ordinal and len(cols) >= 2:
            r = np.eye(len(cols))
            for i in range(len(cols)):
                for j in range(i + 1, len(cols)):
                    r[i, j] = r[j, i] = polychoric(block[:, i], block[:, j])
            ordinal_alpha = alpha_from_cov(r) if not np.isnan(r).any() else math.nan
        rests = []
        for t, j in enumerate(cols.tolist()):
            values = levels[:, j]
            rated = values[~np.isnan(values)]
            others = np.delete(full, t, axis=1) if len(cols) > 1 else full[:, :0]
            item_rest = _corr(full[:, t], others.sum(axis=1)) if others.shape[1] else math.nan
            rests.append(item_rest)
            shares = [
                float((rated == lv).mean()) if len(rated) else math.nan
                for lv in range(LEVEL_MAX + 1)
            ]
            item_rows.append(
                {
                    "criterion": model.criterion_ids[j],
                    "pillar": pid,
                    "rated": len(rated),
                    "mean": float(rated.mean()) if len(rated) else math.nan,
                    "sd": float(rated.std(ddof=1)) if len(rated) > 1 else math.nan,
                    "item_rest": item_rest,
                    "alpha_if_dropped": cronbach_alpha(others) if others.shape[1] > 1 else math.nan,
                    **{f"level_{lv}": s for lv, s in enumerate(shares)},
                    "floor": shares[0],
                    "ceiling": shares[LEVEL_MAX],
                    "never_varies": bool(len(rated) >= 2 and np.ptp(rated) == 0),
                    "floor_effect": bool(len(rated) and shares[0] >= extreme),
                    "ceiling_effect": bool(len(rated) and shares[LEVEL_MAX] >= extreme),
                }
            )
        pillar_rows.append(
            {
                "pillar": pid,
                "criteria": len(cols),
                "complete": int(complete.sum()),
                "alpha": alpha,
                "ordinal_alpha": ordinal_alpha,
                "mean_item_rest": float(np.nanmean(rests))
                if not np.isnan(rests).all()
                else math.nan,
            }
        )
    pillar_scores = pd.DataFrame(panel.point.pillar, columns=list(model.pillar_ids))
    corr = pillar_scores.corr(method="pearson", min_periods=3)
    matrix = corr.to_numpy(dtype=np.float64)
    ids = model.pillar_ids
    redundant = tuple(
        (ids[i], ids[j], float(matrix[i, j]))
        for i in range(len(ids))
        for j in range(i + 1, len(ids))
        if not math.isnan(matrix[i, j]) and abs(matrix[i, j]) >= threshold
    )
    return Audit(
        panel=panel,
        pillars=pd.DataFrame(pillar_rows).set_index("pillar"),
        items=pd.DataFrame(item_rows).set_index("criterion"),
        correlation=corr,
        redundant=redundant,
        threshold=float(threshold),
        extreme=float(extreme),
    )


def _cell(x: Any) -> float | None:
    value = float(x)
    return None if math.isnan(value) else value


def _listed(lead: str, ids: Sequence[str]) -> Paragraph:
    """``lead: `a`, `b`.``: a lead and criterion ids, each as code."""
    pieces: list[Inline] = [f"{lead}: "]
    for k, c in enumerate(ids):
        pieces += [", "] if k else []
        pieces.append(code(c))
    return Paragraph.of(*pieces, ".")


def _corr(a: Floats, b: Floats) -> float:
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])

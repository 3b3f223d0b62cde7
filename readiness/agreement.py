"""Inter-rater agreement: how far several assessors of one partnership agree.

Krippendorff's alpha is implemented here from its definition (Krippendorff, 2011,
"Computing Krippendorff's Alpha-Reliability", sections A-E): observers' values are
gathered into a coincidence matrix, ``alpha = 1 - D_o / D_e`` compares the observed
disagreement within units with the disagreement expected by chance from the pooled
values, and missing values are allowed (a unit with fewer than two values is not
pairable and drops out). Three difference functions are provided: ``nominal`` (any
difference counts 1), ``ordinal`` (the number of pooled values between two ranks) and
``interval`` (squared difference).

:func:`agreement` applies it to a matrix of levels (one row per assessor, one column
per rubric criterion): alpha per pillar and overall, the share of pairs of assessors
within one level per criterion, pillar and overall, the criteria to adjudicate (two
or more levels apart) and the assessors who gave every criterion the same level, as
an :class:`AssessorAgreement`. That class was called ``Agreement`` before 0.3.0; the name
stays as a deprecated alias (``Agreement`` is a treaty: :class:`readiness.facts.Agreement`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray
from typing_extensions import TypedDict

from readiness.errors import renamed
from readiness.rubric import Rubric

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LEVELS_OF_MEASUREMENT",
    "AgreementData",
    "AgreementRow",
    "AssessorAgreement",
    "CriterionAgreement",
    "agreement",
    "krippendorff_alpha",
    "within_one_share",
]

Floats = NDArray[np.float64]
Measurement = Literal["nominal", "ordinal", "interval"]
LEVELS_OF_MEASUREMENT: tuple[Measurement, ...] = ("nominal", "ordinal", "interval")

#: Assessors this many levels apart (or more) on a criterion put it on the adjudication list.
ADJUDICATE_SPREAD = 2
#: An assessor is flagged for straight-lining when at least this many levels are all equal.
STRAIGHT_LINE_MIN = 5


def _value_counts(data: Floats) -> tuple[Floats, Floats]:
    """(units x values) counts of each value in each unit, and the sorted value domain."""
    values = np.unique(data[~np.isnan(data)])
    counts = np.zeros((data.shape[1], len(values)))
    if len(values) == 0:
        return counts, values
    observers, units = np.nonzero(~np.isnan(data))
    index = np.searchsorted(values, data[observers, units])
    np.add.at(counts, (units, index), 1.0)
    return counts, values


def _coincidences(counts: Floats) -> Floats:
    """The coincidence matrix ``o[c, k]``: pairs of values c, k within units, each unit
    weighted ``1 / (m_u - 1)`` (``m_u`` its number of values; units with one value drop)."""
    m = counts.sum(axis=1)
    weight = np.where(m >= 2, 1.0 / np.maximum(m - 1.0, 1.0), 0.0)
    pairs: Floats = (counts * weight[:, None]).T @ counts
    pairs -= np.diag((counts * weight[:, None]).sum(axis=0))
    return pairs


def _squared_differences(level: Measurement, values: Floats, marginals: Floats) -> Floats:
    """``delta^2[c, k]`` for the value domain (Krippendorff 2011, section E)."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "interval":
        diff: Floats = np.subtract.outer(values, values)
        return diff * diff
    # ordinal: (sum of n_g for g from c to k) - (n_c + n_k) / 2, squared
    cum = np.concatenate([[0.0], np.cumsum(marginals)])
    i = np.arange(len(values))
    lo, hi = np.minimum.outer(i, i), np.maximum.outer(i, i)
    between: Floats = cum[hi + 1] - cum[lo] - (marginals[lo] + marginals[hi]) / 2.0
    return between * between


def krippendorff_alpha(
    data: Sequence[Sequence[float | None]] | NDArray[np.floating] | NDArray[np.integer],
    level: Measurement = "interval",
) -> float:
    """Krippendorff's alpha of a reliability data matrix.

    Args:
        data: One row per observer (assessor), one column per unit (criterion); NaN or
            ``None`` where an observer gave no value.
        level: ``nominal``, ``ordinal`` or ``interval``.

    Returns:
        Alpha: 1 for perfect agreement, 0 for agreement at chance, below 0 for
        systematic disagreement. NaN when it is not defined: no unit has two values,
        or every pairable value is the same (no expected disagreement).

    Raises:
        ValueError: An unknown level of measurement.

    The worked example of Krippendorff (2011), section C (4 observers, 12 units,
    missing values):

    >>> nan = float("nan")
    >>> paper = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...          [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...          [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...          [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> [round(krippendorff_alpha(paper, lv), 3) for lv in ("nominal", "ordinal", "interval")]
    [0.743, 0.815, 0.849]
    """
    if level not in LEVELS_OF_MEASUREMENT:
        raise ValueError(f"level must be one of {list(LEVELS_OF_MEASUREMENT)} (got {level!r})")
    matrix = np.array(
        [[np.nan if v is None else v for v in row] for row in data]
        if not isinstance(data, np.ndarray)
        else data,
        dtype=np.float64,
    )
    if matrix.ndim != 2:
        raise ValueError(f"data must be a 2-D matrix of observers x units (got {matrix.ndim}-D)")
    counts, values = _value_counts(matrix)
    counts = counts[counts.sum(axis=1) >= 2]  # only pairable units carry information
    if len(counts) == 0 or len(values) == 0:
        return math.nan
    o = _coincidences(counts)
    marginals = o.sum(axis=1)
    n = marginals.sum()
    delta = _squared_differences(level, values, marginals)
    observed = float((o * delta).sum())
    expected = float(marginals @ delta @ marginals)
    if expected <= 0.0:
        return math.nan
    return float(1.0 - (n - 1.0) * observed / expected)


def within_one_share(data: NDArray[np.floating]) -> tuple[float, int]:
    """The share of pairs of observers, over all units, whose values differ by one or less.

    Args:
        data: (observers, units) with NaN for missing values.

    Returns:
        The share (NaN when there is no pair) and the number of pairs.

    Each unit's values are sorted and, for each value, the values at most one above it
    are counted by binary search: time ``n log n`` and memory ``n`` per unit (pairing
    every two observers at once took ``n x n x units`` booleans: 8 GiB for 5,000).

    >>> within_one_share(np.array([[0.0, 2.0], [1.0, 4.0], [1.0, np.nan]]))
    (0.75, 4)
    """
    matrix = np.asarray(data, dtype=np.float64)
    pairs = good = 0
    for column in matrix.T:
        values = np.sort(column[~np.isnan(column)])
        n = len(values)
        if n < 2:
            continue
        pairs += n * (n - 1) // 2
        good += int((_last_within_one(values) - np.arange(n)).sum())
    return (good / pairs if pairs else math.nan), pairs


def _last_within_one(values: Floats) -> NDArray[np.intp]:
    """For sorted ``values``: the index of the last value ``v`` with ``v - values[i] <= 1``
    for each ``i``, by the same comparison as ``abs(a - b) <= 1`` (floating point)."""
    last = np.searchsorted(values, values + 1.0, side="right") - 1
    n, start = len(values), np.arange(len(values))
    while True:  # where rounding made ``values + 1`` and ``v - values`` disagree, step
        back = (last > start) & (values[last] - values > 1.0)
        ahead = last + 1 < n
        ahead[ahead] = values[last[ahead] + 1] - values[ahead] <= 1.0
        if not back.any() and not ahead.any():
            return last
        last = last - back + ahead


@dataclass(frozen=True)
class AgreementRow:
    """Agreement over a group of criteria (a pillar, or the whole rubric)."""

    id: str
    title: str
    alpha_ordinal: float
    alpha_interval: float
    alpha_nominal: float
    within_one: float
    pairs: int


@dataclass(frozen=True)
class CriterionAgreement:
    """How the assessors rated one criterion.

    ``levels`` has one entry per assessor (``None`` where the assessor gave no level:
    not rated, unknown or not applicable). ``spread`` is highest minus lowest level.
    """

    id: str
    pillar: str
    title: str
    levels: tuple[int | None, ...]
    n: int
    median: float | None
    low: int | None
    high: int | None
    spread: int | None
    within_one: float

    @property
    def adjudicate(self) -> bool:
        """Whether two assessors are two levels or more apart here."""
        return self.spread is not None and self.spread >= ADJUDICATE_SPREAD


class AgreementRowData(TypedDict):
    """A pillar's (or the whole rubric's) agreement in JSON (:class:`AgreementRow`)."""

    id: str
    title: str
    alpha_ordinal: float | None
    alpha_interval: float | None
    alpha_nominal: float | None
    within_one: float | None
    pairs: int


class CriterionAgreementData(TypedDict):
    """How the assessors rated one criterion, in JSON (:class:`CriterionAgreement`)."""

    id: str
    pillar: str
    levels: list[int | None]
    n: int
    median: float | None
    low: int | None
    high: int | None
    spread: int | None
    within_one: float | None
    adjudicate: bool


class AgreementData(TypedDict):
    """The agreement among assessors in JSON (``AssessorAgreement.to_dict()``, the
    ``agreement`` of ``readiness schema panel``)."""

    assessors: list[str]
    overall: AgreementRowData
    pillars: list[AgreementRowData]
    criteria: list[CriterionAgreementData]
    adjudication: list[str]
    straight_liners: list[str]


@dataclass(frozen=True)
class AssessorAgreement:
    """Agreement among the assessors of one partnership; build with :func:`agreement`.

    Formerly ``Agreement`` (deprecated alias); ``repr`` still reads ``<Agreement of ...>``.
    """

    assessors: tuple[str, ...]
    criteria: tuple[CriterionAgreement, ...]
    pillars: tuple[AgreementRow, ...]
    overall: AgreementRow
    straight_liners: tuple[str, ...]

    def __repr__(self) -> str:
        alpha = self.overall.alpha_ordinal
        shown = "n/a" if math.isnan(alpha) else f"{alpha:.2f}"
        return f"<Agreement of {len(self.assessors)} assessors: ordinal alpha {shown}>"

    @property
    def adjudication(self) -> tuple[CriterionAgreement, ...]:
        """Criteria where assessors are two levels or more apart, widest spread first."""
        rows = [c for c in self.criteria if c.adjudicate]
        return tuple(sorted(rows, key=lambda c: -(c.spread or 0)))

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: each assessor's level, median, spread, within-one share."""
        import pandas as pd

        rows = []
        for c in self.criteria:
            row: dict[str, Any] = {"pillar": c.pillar, "criterion": c.id}
            row |= dict(zip(self.assessors, c.levels, strict=True))
            row |= {
                "n": c.n,
                "median": c.median,
                "spread": c.spread,
                "within_one": c.within_one,
                "adjudicate": c.adjudicate,
            }
            rows.append(row)
        frame = pd.DataFrame(rows)
        return frame.astype(dict.fromkeys(self.assessors, "Int64") | {"spread": "Int64"})

    def pillar_frame(self) -> pd.DataFrame:
        """One row per pillar and one for the whole rubric (id ``overall``)."""
        import pandas as pd

        return pd.DataFrame([vars(r) for r in (*self.pillars, self.overall)]).set_index("id")

    def to_dict(self) -> AgreementData:
        """JSON-ready data (NaN becomes ``None``)."""
        return {
            "assessors": list(self.assessors),
            "overall": _row_dict(self.overall),
            "pillars": [_row_dict(r) for r in self.pillars],
            "criteria": [
                {
                    "id": c.id,
                    "pillar": c.pillar,
                    "levels": list(c.levels),
                    "n": c.n,
                    "median": c.median,
                    "low": c.low,
                    "high": c.high,
                    "spread": c.spread,
                    "within_one": _none(c.within_one),
                    "adjudicate": c.adjudicate,
                }
                for c in self.criteria
            ],
            "adjudication": [c.id for c in self.adjudication],
            "straight_liners": list(self.straight_liners),
        }


def _none(value: float) -> float | None:
    return None if math.isnan(value) else value


def _row_dict(r: AgreementRow) -> AgreementRowData:
    return {
        "id": r.id,
        "title": r.title,
        "alpha_ordinal": _none(r.alpha_ordinal),
        "alpha_interval": _none(r.alpha_interval),
        "alpha_nominal": _none(r.alpha_nominal),
        "within_one": _none(r.within_one),
        "pairs": r.pairs,
    }


def _row(rid: str, title: str, block: Floats) -> AgreementRow:
    share, pairs = within_one_share(block)
    return AgreementRow(
        id=rid,
        title=title,
        alpha_ordinal=krippendorff_alpha(block, "ordinal"),
        alpha_interval=krippendorff_alpha(block, "interval"),
        alpha_nominal=krippendorff_alpha(block, "nominal"),
        within_one=share,
        pairs=pairs,
    )


def agreement(
    levels: NDArray[np.floating],
    assessors: Sequence[str],
    rubric: Rubric,
    *,
    straight_line_min: int = STRAIGHT_LINE_MIN,
) -> AssessorAgreement:
    """Agreement among assessors.

    Args:
        levels: (assessors, criteria) levels 0-4 in rubric criterion order; NaN where
            an assessor gave no level (not rated, unknown or not applicable: those
            are missing values, not a category).
        assessors: One name per row.
        rubric: The rubric whose criteria the columns are.
        straight_line_min: An assessor with at least this many levels, all equal, is
            flagged for straight-lining.

    Returns:
        Alpha (ordinal, interval, nominal) per pillar and overall, with the share of
        pairs within one level; per criterion the levels, median, spread and share of
        pairs within one level; the criteria to adjudicate; the straight-liners.
        Alpha is not given per criterion: one unit has no expected disagreement of
        its own, so there the spread and the within-one share say how far apart the
        assessors are.
    """
    matrix = np.asarray(levels, dtype=np.float64)
    ids = rubric.criterion_ids
    if matrix.shape != (len(assessors), len(ids)):
        raise ValueError(
            f"levels must be (assessors, criteria) = ({len(assessors)}, {len(ids)}); "
            f"got {matrix.shape}"
        )
    criteria = []
    for j, cid in enumerate(ids):
        col = matrix[:, j]
        known = col[~np.isnan(col)]
        share, _ = within_one_share(col[:, None])
        criteria.append(
            CriterionAgreement(
                id=cid,
                pillar=rubric.pillar_of[cid].id,
                title=rubric.criterion(cid).title,
                levels=tuple(None if math.isnan(v) else int(v) for v in col.tolist()),
                n=len(known),
                median=float(np.median(known)) if len(known) else None,
                low=int(known.min()) if len(known) else None,
                high=int(known.max()) if len(known) else None,
                spread=int(known.max() - known.min()) if len(known) else None,
                within_one=share,
            )
        )
    pillars = []
    for p in rubric.pillars:
        cols = [j for j, cid in enumerate(ids) if rubric.pillar_of[cid].id == p.id]
        pillars.append(_row(p.id, p.title, matrix[:, cols]))
    flat = []
    for name, row in zip(assessors, matrix, strict=True):
        given = row[~np.isnan(row)]
        if len(given) >= straight_line_min and bool((given == given[0]).all()):
            flat.append(name)
    return AssessorAgreement(
        assessors=tuple(assessors),
        criteria=tuple(criteria),
        pillars=tuple(pillars),
        overall=_row("overall", "All criteria", matrix),
        straight_liners=tuple(flat),
    )


def __getattr__(name: str) -> object:
    """``Agreement``: the deprecated name of :class:`AssessorAgreement` (before 0.3.0)."""
    return renamed(__name__, name, {"Agreement": ("AssessorAgreement", AssessorAgreement)})

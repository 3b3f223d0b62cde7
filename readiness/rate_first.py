"""What to rate first: the uncertain criteria ranked by the value of rating them.

An assessment's uncertain criteria are its unknown ones (applicable, not rated) and its
low-confidence ratings. Each could turn out at several levels:

- an unknown criterion around its estimate under the rubric's ``estimate`` settings
  (:func:`readiness.scoring.estimate_unknowns`), with the spread of one criterion's
  level around it (:func:`readiness.scoring.estimate_spread`), read as a normal
  distribution rounded to the nearest level 0-4 (the tails to 0 and 4);
- a low-confidence rating anywhere in its one-level interval (one level down to one up,
  within 0-4), each level equally likely: the interval the bounds already use.

The criteria are taken as independent of one another. A *completion* gives every
uncertain criterion a level; its score is the score once everything is known (gates
apply). The chance of each band is the weighted share of completions that reach it:
every completion is enumerated when there are at most :data:`MAX_EXACT` (exact), else
``samples`` are drawn (seeded, the same draws for every criterion).

Rating a criterion at a level ``l`` changes two things, each measured exactly:

- the score's range: ``lower``-``upper`` and the likely range of the assessment with
  the criterion rated ``l`` (scored by the kernel with the assessment's options);
- the chances of each band: the completions with the criterion at ``l``.

Averaged over the levels the criterion could take, these give its *narrowing* (points
of range lost) and its *band shift* (how far the band chances move: the expected total
variation distance, 0-1), which rank it. Every row goes through one
:func:`readiness.scoring.score_outputs` call per kind (completions; ratings).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray
from typing_extensions import TypedDict

from readiness._numbers import rounded
from readiness.document import (
    Column,
    Document,
    Facts,
    Num,
    Paragraph,
    Rendered,
    Row,
    Section,
    Table,
    code,
    line,
)
from readiness.document.words import rate_first as words
from readiness.errors import InputError, Problem
from readiness.scoring import (
    LEVEL_MAX,
    ScoringModel,
    estimate_spread,
    estimate_unknowns,
    score_outputs,
)

if TYPE_CHECKING:
    import pandas as pd

    from readiness.assessment import Assessment

__all__ = [
    "DEFAULT_SAMPLES",
    "MAX_EXACT",
    "Candidate",
    "CandidateData",
    "Completions",
    "LevelOutcome",
    "OutcomeData",
    "RateFirst",
    "RateFirstData",
    "check_sampling",
    "completions",
    "level_distribution",
    "rate_first",
    "uncertain_levels",
]

Floats = NDArray[np.float64]
Reason = Literal["unknown", "low-confidence"]
Method = Literal["exact", "sampled"]

MAX_EXACT = 512
"""Completions enumerated exactly at most; beyond, they are sampled."""
DEFAULT_SAMPLES = 200
"""Completions drawn when there are too many to enumerate."""
MAX_SAMPLES = 100_000
_LEVELS = np.arange(LEVEL_MAX + 1, dtype=np.float64)


# --- the distribution of the uncertain criteria --------------------------------------


def level_distribution(mean: float, sd: float) -> Floats:
    """(5,) chances of levels 0-4: a normal (``mean``, ``sd``) rounded to the nearest
    level, the tails to 0 and 4.

    >>> level_distribution(2.0, 1e-9).round(3).tolist()
    [0.0, 0.0, 1.0, 0.0, 0.0]
    >>> bool(abs(level_distribution(1.3, 0.8).sum() - 1) < 1e-12)
    True
    """
    from scipy.special import ndtr

    cuts = (np.arange(0.5, LEVEL_MAX, 1.0) - mean) / sd  # between 0|1, 1|2, 2|3, 3|4
    cdf = np.concatenate([[0.0], ndtr(cuts), [1.0]])
    p: Floats = np.diff(cdf)
    return p


def uncertain_levels(a: Assessment) -> tuple[NDArray[np.intp], tuple[Reason, ...], Floats]:
    """The uncertain criteria of ``a``: their columns, why each is uncertain, and the
    (u, 5) chances of each level (see the module's text)."""
    model = ScoringModel.from_rubric(a.rubric)
    levels = np.asarray(a.levels, dtype=np.float64)
    na = np.asarray(a.not_applicable, dtype=bool)
    low = np.asarray(a.low_confidence, dtype=bool)[0]
    known = ~np.isnan(levels[0])
    unknown = ~known & ~na[0]
    shaky = known & low & ~na[0]
    columns = np.flatnonzero(unknown | shaky)
    probs = np.zeros((len(columns), LEVEL_MAX + 1))
    reasons: list[Reason] = []
    if unknown.any():
        guess = estimate_unknowns(levels, ~na, model).levels[0]
        spread = estimate_spread(levels, ~na, model)[0]
    for i, j in enumerate(columns.tolist()):
        if unknown[j]:
            probs[i] = level_distribution(float(guess[j]), float(spread[j]))
            reasons.append("unknown")
        else:
            level = int(levels[0, j])
            span = np.arange(max(level - 1, 0), min(level + 1, LEVEL_MAX) + 1)
            probs[i, span] = 1.0 / len(span)
            reasons.append("low-confidence")
    return columns, tuple(reasons), probs


@dataclass(frozen=True, eq=False)
class Completions:
    """Levels for every uncertain criterion, with their weights.

    Attributes:
        levels: (N, u) one completion per row, one column per uncertain criterion.
        weights: (N,) how much each counts; they sum to 1.
        method: ``exact`` (every combination, weighed by its chance) or ``sampled``.
        seed: The seed of the draws (``None`` when exact).
    """

    levels: Floats
    weights: Floats
    method: Method
    seed: int | None


def completions(probs: Floats, samples: int = DEFAULT_SAMPLES, seed: int = 0) -> Completions:
    """Every combination of the uncertain criteria's levels when there are at most
    :data:`MAX_EXACT`, else ``samples`` draws (each criterion independently).

    >>> c = completions(np.array([[0.5, 0.5, 0, 0, 0], [0, 0, 0.25, 0.75, 0]]))
    >>> c.method, c.levels.tolist(), c.weights.tolist()
    ('exact', [[0.0, 2.0], [0.0, 3.0], [1.0, 2.0], [1.0, 3.0]], [0.125, 0.375, 0.125, 0.375])
    """
    support = [np.flatnonzero(p > 0) for p in probs]
    size = math.prod(len(s) for s in support)
    if size <= MAX_EXACT:
        grid = np.array(list(itertools.product(*support)), dtype=np.intp).reshape(size, len(probs))
        weights = np.ones(size)
        for i, p in enumerate(probs):
            weights *= p[grid[:, i]]
        return Completions(grid.astype(np.float64), weights / weights.sum(), "exact", None)
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(probs, axis=1)
    u = rng.random((samples, len(probs)))
    drawn = (u[:, :, None] >= cdf[None, :, :-1]).sum(axis=2).astype(np.float64)
    return Completions(drawn, np.full(samples, 1.0 / samples), "sampled", seed)


# --- the JSON document -----------------------------------------------------------------


class OutcomeData(TypedDict):
    """One level a candidate could take, in the JSON document (band chances by id)."""

    level: int
    probability: float | None
    overall: float | None
    lower: float | None
    upper: float | None
    likely_lower: float | None
    likely_upper: float | None
    bands: dict[str, float | None]


class CandidateData(TypedDict):
    """One uncertain criterion in the JSON document."""

    rank: int
    criterion: str
    pillar: str
    reason: Reason
    level: int | None
    expected_level: float | None
    narrowing: float | None
    likely_narrowing: float | None
    band_shift: float | None
    likely_band_change: float | None
    outcomes: list[OutcomeData]


class RateFirstData(TypedDict):
    """The JSON document of what to rate first (``RateFirst.to_dict``; ``readiness
    schema rate-first``; under ``what_to_rate`` in ``assess --rate-first --format json``)."""

    partnership: str
    method: Method
    completions: int
    seed: int | None
    lower: float | None
    upper: float | None
    likely_lower: float | None
    likely_upper: float | None
    likely_band: str | None
    bands: dict[str, float | None]
    candidates: list[CandidateData]


# --- the result ------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelOutcome:
    """What rating one criterion at one level would give.

    Attributes:
        level: The level.
        probability: Its chance.
        overall, lower, upper, likely_lower, likely_upper: The assessment rated so
            (``overall`` ``None`` below the minimum coverage).
        bands: The chance of each band once everything is known, given this level
            (the order of :attr:`RateFirst.band_ids`).
    """

    level: int
    probability: float
    overall: float | None
    lower: float
    upper: float
    likely_lower: float
    likely_upper: float
    bands: tuple[float, ...]


@dataclass(frozen=True)
class Candidate:
    """One uncertain criterion and the value of rating it.

    Attributes:
        criterion, pillar, title: Which criterion.
        reason: ``unknown`` or ``low-confidence``.
        level: Its rating now (low confidence), ``None`` when unknown.
        expected_level: The mean of the levels it could take.
        outcomes: One per level it could take.
        narrowing: Points by which rating it narrows ``lower``-``upper``, on average.
        likely_narrowing: The same for the likely range.
        band_shift: How far the chances of the bands move on average (expected total
            variation distance: half the sum of the absolute changes, 0-1).
        likely_band_change: The expected absolute change in the chance of the band most
            likely now.
        rank: 1 for the criterion to rate first.
    """

    criterion: str
    pillar: str
    title: str
    reason: Reason
    level: int | None
    expected_level: float
    outcomes: tuple[LevelOutcome, ...]
    narrowing: float
    likely_narrowing: float
    band_shift: float
    likely_band_change: float
    rank: int

    @property
    def distribution(self) -> tuple[tuple[int, float], ...]:
        """(level, chance) pairs."""
        return tuple((o.level, o.probability) for o in self.outcomes)


@dataclass(frozen=True, eq=False)
class RateFirst(Rendered):
    """The uncertain criteria of an assessment, the most valuable to rate first.

    Build it with :meth:`readiness.Assessment.rate_first`. ``candidates`` run from the
    one to rate first (largest band shift, then largest narrowing).

    Attributes:
        assessment: The assessment.
        candidates: The uncertain criteria, ranked.
        band_ids: The rubric's bands, lowest first.
        bands: The chance of each band once everything is known, now.
        method, completions, seed: How the band chances were computed.
    """

    assessment: Assessment
    candidates: tuple[Candidate, ...]
    band_ids: tuple[str, ...]
    bands: tuple[float, ...]
    method: Method
    completions: int
    seed: int | None

    @property
    def likely_band(self) -> str | None:
        """The band the completions reach most often (``None``: nothing applies)."""
        if not self.bands or max(self.bands) == 0:
            return None
        return self.band_ids[int(np.argmax(self.bands))]

    def criterion(self, criterion_id: str) -> Candidate:
        for c in self.candidates:
            if c.criterion == criterion_id:
                return c
        raise KeyError(criterion_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate, in rank order: criterion, pillar, reason, level,
        expected level, narrowing, likely narrowing, band shift, likely band change."""
        import pandas as pd

        columns = [
            "rank", "criterion", "pillar", "title", "reason", "level", "expected_level",
            "narrowing", "likely_narrowing", "band_shift", "likely_band_change",
        ]  # fmt: skip
        rows = [{k: getattr(c, k) for k in columns} for c in self.candidates]
        frame = pd.DataFrame(rows, columns=columns).astype({"level": "Int64"})
        return frame.set_index("rank")

    def to_dict(self) -> RateFirstData:
        """JSON-ready: the band chances now and every candidate (numbers to 4 places)."""
        a = self.assessment
        return {
            "partnership": a.partnership.id,
            "method": self.method,
            "completions": self.completions,
            "seed": self.seed,
            "lower": rounded(a.lower, 4),
            "upper": rounded(a.upper, 4),
            "likely_lower": rounded(_likely(a)[0], 4),
            "likely_upper": rounded(_likely(a)[1], 4),
            "likely_band": self.likely_band,
            "bands": dict(zip(self.band_ids, _r4(self.bands), strict=True)),
            "candidates": [
                {
                    "rank": c.rank,
                    "criterion": c.criterion,
                    "pillar": c.pillar,
                    "reason": c.reason,
                    "level": c.level,
                    "expected_level": rounded(c.expected_level, 4),
                    "narrowing": rounded(c.narrowing, 4),
                    "likely_narrowing": rounded(c.likely_narrowing, 4),
                    "band_shift": rounded(c.band_shift, 4),
                    "likely_band_change": rounded(c.likely_band_change, 4),
                    "outcomes": [
                        {
                            "level": o.level,
                            "probability": rounded(o.probability, 4),
                            "overall": rounded(o.overall, 4),
                            "lower": rounded(o.lower, 4),
                            "upper": rounded(o.upper, 4),
                            "likely_lower": rounded(o.likely_lower, 4),
                            "likely_upper": rounded(o.likely_upper, 4),
                            "bands": dict(zip(self.band_ids, _r4(o.bands), strict=True)),
                        }
                        for o in c.outcomes
                    ],
                }
                for c in self.candidates
            ],
        }

    def to_document(self) -> Document:
        """What to rate first: the facts, how it is measured, then the ranked table."""
        a = self.assessment
        names = {b.id: b.name for b in a.rubric.bands}
        likely = self.likely_band
        p = max(self.bands) if self.bands else 0.0
        blocks: list[Any] = [
            Facts.of(
                [
                    (
                        "Now",
                        words.now(names.get(likely) if likely else None, p, a.lower, a.upper),
                    ),
                    ("Band chances", words.method(self.method, self.completions, self.seed)),
                ]
            )
        ]
        if not self.candidates:
            blocks.append(Paragraph.of(words.nothing_to_rate()))
        else:
            blocks.append(Paragraph.of(words.how()))
            blocks.append(
                Table(
                    (
                        Column("#", "count"),
                        Column("criterion"),
                        Column("why"),
                        Column("levels it could take"),
                        Column("narrowing", "score"),
                        Column("likely narrowing", "score"),
                        Column("band shift", "share"),
                    ),
                    tuple(
                        Row(
                            (
                                c.rank,
                                line(code(c.criterion)),
                                words.STATE[c.reason]
                                + ("" if c.level is None else f" (rated {c.level})"),
                                words.distribution(c.distribution),
                                c.narrowing,
                                c.likely_narrowing,
                                Num(c.band_shift, "share"),
                            )
                        )
                        for c in self.candidates
                    ),
                )
            )
        return Document(
            f"What to rate first: {a.partnership.name}", tuple(blocks), "rate-first", self.to_dict()
        )

    def to_section(self) -> Section:
        """The document as a section of the assessment's report: JSON key
        ``what_to_rate`` (the report's own ``rate_first`` lists its unrated gates)."""
        return self.to_document().as_section("what_to_rate", title="What to rate first")

    def __repr__(self) -> str:
        top = ", ".join(c.criterion for c in self.candidates[:3])
        return (
            f"<RateFirst {self.assessment.partnership.id}: {len(self.candidates)} uncertain "
            f"criteria ({self.method}, {self.completions:,} completions); first: {top or '-'}>"
        )


def _r4(values: tuple[float, ...]) -> list[float | None]:
    return [rounded(v, 4) for v in values]


def _likely(a: Assessment) -> tuple[float, float]:
    """The likely range of ``a`` (its bounds when it has none)."""
    lo = a.lower if math.isnan(a.likely_lower) else a.likely_lower
    hi = a.upper if math.isnan(a.likely_upper) else a.likely_upper
    return lo, hi


# --- the computation ---------------------------------------------------------------------


def rate_first(a: Assessment, *, samples: int = DEFAULT_SAMPLES, seed: int = 0) -> RateFirst:
    """Rank the uncertain criteria of ``a`` by the value of rating them (see the module).

    Args:
        a: The assessment.
        samples: Completions drawn when there are more than :data:`MAX_EXACT`.
        seed: Seed of those draws.

    Raises:
        InputError: ``samples`` or ``seed`` out of range.

    >>> from readiness import assess, load_partnership
    >>> r = rate_first(assess(load_partnership("examples/partnerships/us-japan.json")))
    >>> r.method, len(r.candidates), r.candidates[0].reason
    ('exact', 3, 'unknown')
    """
    check_sampling(samples, seed, "rate_first")
    model = ScoringModel.from_rubric(a.rubric)
    columns, reasons, probs = uncertain_levels(a)
    band_ids = model.band_ids
    comp = completions(probs, samples, seed)
    levels = np.asarray(a.levels, dtype=np.float64)
    na = np.asarray(a.not_applicable, dtype=bool)
    supports = [np.flatnonzero(p > 0) for p in probs]
    # every completion as a whole row of levels; then, per (criterion, level), the same
    # completions with that criterion at that level
    n = len(comp.weights)
    pairs = [(j, lv) for i, j in enumerate(columns.tolist()) for lv in supports[i].tolist()]
    base = np.repeat(levels, n, axis=0)
    base[:, columns] = comp.levels
    # a completion that has the criterion at that level already is its own row: only
    # the others are scored again
    moved = [np.flatnonzero(base[:, j] != lv) for j, lv in pairs]
    rows = np.empty((n + sum(len(m) for m in moved), levels.shape[1]))
    rows[:n] = base
    at = n
    for (j, lv), m in zip(pairs, moved, strict=True):
        rows[at : at + len(m)] = base[m]
        rows[at : at + len(m), j] = lv
        at += len(m)
    # a completion is fully known: the unknown policy does not matter, so the quickest
    out = score_outputs(
        rows,
        model,
        not_applicable=np.repeat(na, len(rows), axis=0),
        unknown_policy="exclude",
        min_coverage=a.options.min_coverage,
        outputs=frozenset({"band"}),
    )
    scored = np.asarray(out["band"])
    band = np.repeat(scored[None, :n], 1 + len(pairs), axis=0)
    at = n
    for b, m in enumerate(moved, start=1):
        band[b, m] = scored[at : at + len(m)]
        at += len(m)
    chances = _band_chances(band, comp.weights, len(band_ids))  # (blocks, bands)
    now = chances[0]
    # the assessment rated at each level: one row per (criterion, level)
    rated = _rated_rows(a, model, columns, supports)
    likely_now = _likely(a)
    width_now = a.upper - a.lower
    likely_width_now = likely_now[1] - likely_now[0]
    top = int(np.argmax(now)) if now.any() else 0
    ids, pillar_of = a.rubric.criterion_ids, a.rubric.pillar_of
    found = []
    k = 1
    for i, j in enumerate(columns.tolist()):
        outcomes = []
        width = likely_width = shift = change = 0.0
        for lv in supports[i].tolist():
            p = float(probs[i, lv])
            o = rated[k - 1]
            after = chances[k]
            k += 1
            width += p * (o["upper"] - o["lower"])
            likely_width += p * (o["likely_upper"] - o["likely_lower"])
            shift += p * 0.5 * float(np.abs(after - now).sum())
            change += p * abs(float(after[top] - now[top]))
            outcomes.append(
                LevelOutcome(
                    level=int(lv),
                    probability=p,
                    overall=o["overall"],
                    lower=o["lower"],
                    upper=o["upper"],
                    likely_lower=o["likely_lower"],
                    likely_upper=o["likely_upper"],
                    bands=tuple(after.tolist()),
                )
            )
        c = a.rubric.criteria[j]
        found.append(
            Candidate(
                criterion=ids[j],
                pillar=pillar_of[ids[j]].id,
                title=c.title,
                reason=reasons[i],
                level=None if reasons[i] == "unknown" else int(levels[0, j]),
                expected_level=float(probs[i] @ _LEVELS),
                outcomes=tuple(outcomes),
                narrowing=width_now - width,
                likely_narrowing=likely_width_now - likely_width,
                band_shift=shift,
                likely_band_change=change,
                rank=0,
            )
        )
    order = sorted(
        range(len(found)),
        key=lambda x: (-round(found[x].band_shift, 9), -round(found[x].narrowing, 9), x),
    )
    ranked = tuple(Candidate(**{**vars(found[x]), "rank": r}) for r, x in enumerate(order, start=1))
    return RateFirst(
        assessment=a,
        candidates=ranked,
        band_ids=band_ids,
        bands=tuple(now.tolist()),
        method=comp.method,
        completions=len(comp.weights),
        seed=comp.seed,
    )


def _band_chances(band: NDArray[np.intp], weights: Floats, n_bands: int) -> Floats:
    """(blocks, bands) the weighted share of each block's completions in each band (a
    completion without a score, when nothing applies, counts in none)."""
    out = np.zeros((band.shape[0], n_bands))
    for b in range(n_bands):
        out[:, b] = (band == b) @ weights
    return out


def _rated_rows(
    a: Assessment, model: ScoringModel, columns: NDArray[np.intp], supports: list[NDArray[np.intp]]
) -> list[dict[str, Any]]:
    """The assessment with one criterion rated at one level, for every (criterion, level)
    in order: overall (``None`` below the minimum coverage), bounds and likely range."""
    pairs = [(j, lv) for i, j in enumerate(columns.tolist()) for lv in supports[i].tolist()]
    if not pairs:
        return []
    n = len(pairs)
    levels = np.repeat(np.asarray(a.levels, dtype=np.float64), n, axis=0)
    low = np.repeat(np.asarray(a.low_confidence, dtype=bool), n, axis=0)
    for r, (j, lv) in enumerate(pairs):
        levels[r, j] = lv
        low[r, j] = False  # rated now, with confidence
    out = score_outputs(
        levels,
        model,
        not_applicable=np.repeat(np.asarray(a.not_applicable, dtype=bool), n, axis=0),
        low_confidence=low,
        unknown_policy=a.options.unknown_policy,
        min_coverage=a.options.min_coverage,
        outputs=frozenset({"overall", "lower", "upper", "likely_lower", "likely_upper"}),
    )
    names = ("lower", "upper", "likely_lower", "likely_upper")
    return [
        {"overall": None if math.isnan(v := float(out["overall"][r])) else v}
        | {name: float(out[name][r]) for name in names}
        for r in range(n)
    ]


def check_sampling(samples: object, seed: object, source: str) -> None:
    """Raises: InputError naming ``samples`` or ``seed`` when out of range."""
    problems = []
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        problems.append(
            Problem("samples", f"must be an integer from 1 to {MAX_SAMPLES:,} (got {samples!r})")
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(Problem("seed", f"must be a non-negative integer (got {seed!r})"))
    if problems:
        raise InputError(problems, source=source)

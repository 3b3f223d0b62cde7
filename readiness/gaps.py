"""Gaps against a target profile, their exact impact, and the order to close them.

The impact of a gap is computed by re-scoring, never estimated: the partnership is
scored again with that one criterion at its target level (gates included), and the
impact is the change in the overall score. All candidates are scored in one matrix.

When the overall score is absent (coverage below the minimum), impacts are measured
on the lower bound instead, and the report says so (``basis``).

Unknown criteria are *evidence gaps*: they are not below target, they are unrated.
They are listed apart, with the gain that rating them at target would bring to the
lower bound.

Ranking does not reward ignorance. Under the ``exclude`` policy one rated criterion
stands for its whole pillar while its siblings are unknown, so its gain on today's
score grows with missing data. Gaps are therefore ranked by ``rank_gain``: the gain
with every unknown at its worst (level 0), before gates. For an arithmetic overall
method it never grows when another criterion becomes unknown. Each gap also carries
its gain over the interval (``impact_lower``, ``impact_upper``: with every unknown at
its worst, and at its best, gates included). Under the ``estimate`` policy raising a
known criterion also raises the estimates of the unknown ones, so today's gain is
larger than ``rank_gain`` for the same reason.

Root causes come first (``priority``). A root cause is measured, not counted: closing
it *unblocks* gain that other gaps cannot deliver before it closes (``unblocks``, in
points). Priority 0 is a failed gate (or an unrated gate, among evidence gaps) and the
prerequisites of a failed gate; 1 a gap whose prerequisite role unblocks gain (the
summed ``rank_gain`` of the gaps that wait for it, directly or through others), largest
first; 2 the rest. Within a priority, gaps go by ``rank_gain``, then by that gain per
unit of effort, then by id (:data:`ORDER` says so in one line, and every format shows
it). Each gap carries its :class:`Reason`: a code with its figures (a failed gate and the
band its cap holds the score at, the gain a root cause unblocks...), which
:mod:`readiness.document.words.gaps` says in a few words (``Gap.why``). The reports lay
themselves out as documents (``to_document()``) of the vocabulary of
:mod:`readiness.document`.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from typing_extensions import TypedDict

from readiness._numbers import optional
from readiness.document import (
    BulletList,
    Column,
    Document,
    Item,
    Paragraph,
    Rendered,
    Row,
    Section,
    Table,
    code,
    line,
    words,
)
from readiness.rubric import Profile
from readiness.scoring import SETTLE_DECIMALS, Scores, ScoringModel, score_matrix

if TYPE_CHECKING:
    import pandas as pd

    from readiness.assessment import Assessment
    from readiness.rubric import Rubric

__all__ = [
    "ORDER",
    "ROADMAP_ORDER",
    "Gap",
    "GapReport",
    "GapRow",
    "GapRowData",
    "GapsData",
    "HeldBy",
    "ProfileChoice",
    "Reason",
    "Remediation",
    "Roadmap",
    "RoadmapData",
    "RoadmapStep",
    "StepRow",
    "StepRowData",
    "choose_profile",
    "gap_report",
]

ORDER = words.gaps.ORDER
"""The order of gaps, in one line (every format shows it; said in
:mod:`readiness.document.words.gaps`)."""

ROADMAP_ORDER = words.gaps.ROADMAP_ORDER
"""The order of roadmap steps, in one line."""

Basis = Literal["overall", "lower"]
_SHOWN = 0.05
"""Below this many points a difference does not show at one decimal (a gain this small
makes no root cause)."""

ReasonCode = Literal[
    "unrated-gate",
    "failed-gate",
    "gate-prerequisite",
    "root-cause",
    "unrated",
    "gain",
    "gain-per-effort",
]
"""Why a gap or step sits where it does: an ``unrated-gate`` or ``failed-gate`` (priority
0), a ``gate-prerequisite`` of a failed gate (0), a ``root-cause`` whose closing unblocks
other gaps' gain (1); else an ``unrated`` criterion (an evidence gap), a ``gain``
(gaps) or a ``gain-per-effort`` (roadmap steps)."""


@dataclass(frozen=True)
class HeldBy:
    """A failed or unrated gate whose cap holds a gap's gain down."""

    gate: str
    """The gate's criterion id."""
    status: Literal["failed", "unrated"]
    band: str
    """The name of the band its cap holds the score at."""


@dataclass(frozen=True)
class Reason:
    """Why a gap (or a roadmap step) sits where it does, as a code with its figures.

    :attr:`text` says it in words (:mod:`readiness.document.words.gaps`), as ``why``.
    Only the figures of its :attr:`code` are set; the others keep their defaults.
    """

    code: ReasonCode
    band: str | None = None
    """``unrated-gate``, ``failed-gate``: the name of the band the gate's cap holds."""
    min_level: int = 0
    """``unrated-gate``: the level below which the cap applies."""
    gate: str | None = None
    """``gate-prerequisite``: the failed gate that waits for this criterion."""
    unblocks: float = 0.0
    """``failed-gate``, ``root-cause``: points of other gaps' gain it unblocks."""
    waiting: tuple[str, ...] = ()
    """``root-cause``: the gaps whose gain waits for it (by id)."""
    gain: float = 0.0
    """``gain``, ``gain-per-effort``: the rank gain; ``unrated``: the lower bound's gain."""
    today: float = 0.0
    """``gain``: the gain on today's score."""
    lower: float = 0.0
    """``gain``: the gain in the lower bound (every unknown at its worst)."""
    upper: float = 0.0
    """``gain``: the gain in the upper bound (every unknown at its best)."""
    policy: str = "exclude"
    """``gain``: the assessment's unknown policy (how today's score treats unknowns)."""
    effort_units: float = 0.0
    """``gain-per-effort``: the step's effort."""
    held_by: tuple[HeldBy, ...] = ()
    """Any code: the gates whose cap holds the gain down."""
    held_gain: float = 0.0
    """With ``held_by``: the gain as it is while they hold it."""

    @property
    def text(self) -> str:
        """The reason in words, e.g. ``failed gate: caps the score at Emerging``."""
        return _why(self)


@dataclass(frozen=True)
class ProfileChoice:
    """How the target profile was chosen: ``named`` in the call, in the partnership
    ``file``, by the partnership's ``status`` on a date, by its ``kind``, or the rubric's
    ``default``. :attr:`text` says it."""

    how: Literal["named", "file", "status", "kind", "default"]
    status: str | None = None
    on: dt.date | None = None
    kind: str | None = None

    @property
    def text(self) -> str:
        """E.g. ``selected by the partnership kind collective-defense-alliance``."""
        return words.gaps.profile_reason(self.how, status=self.status, on=self.on, kind=self.kind)


@dataclass(frozen=True)
class Gap:
    """One criterion below its target level (or not yet rated)."""

    criterion: str
    pillar: str
    title: str
    status: Literal["below-target", "unknown"]
    current: int | None
    target: int
    gap: int
    impact: float
    effort: str
    effort_units: float
    remediation: tuple[tuple[int, str], ...]
    prerequisites: tuple[str, ...]
    facts_to_change: tuple[str, ...] = ()
    """For a level derived from facts (or an unknown one a rule could derive): the fact
    values that would reach the target, e.g. ``exercises_per_year >= 3 (now 1)``."""
    impact_lower: float = 0.0
    """Gain in the lower bound (every unknown at its worst), gates included."""
    impact_upper: float = 0.0
    """Gain in the upper bound (every unknown at its best), gates included."""
    rank_gain: float = 0.0
    """The ranking figure: the gain with every unknown at its worst, before gates. It
    does not grow when another criterion becomes unknown (arithmetic overall)."""
    priority: int = 2
    """0: failed or unrated gate, or a prerequisite of a failed gate; 1: a root cause
    (closing it unblocks other gaps' gain: ``unblocks`` > 0); 2: the rest."""
    blocks: tuple[str, ...] = ()
    """The gaps below target that wait for this criterion (directly or through others)."""
    unblocks: float = 0.0
    """Points of other gaps' gain that wait for this one: the summed ``rank_gain`` of
    ``blocks`` (for a failed or unrated gate: the gain its cap holds down)."""
    blocked_by: tuple[str, ...] = ()
    """Failed or unrated gates whose cap holds this gap's gain down."""
    reason: Reason | None = None
    """Why the gap sits where it does, as a code with its figures."""

    @property
    def why(self) -> str:
        """The reason in words, e.g. ``failed gate: caps the score at Emerging``."""
        return "" if self.reason is None else self.reason.text

    @property
    def impact_per_effort(self) -> float:
        return self.impact / self.effort_units if self.effort_units else 0.0

    @property
    def rank_gain_per_effort(self) -> float:
        return self.rank_gain / self.effort_units if self.effort_units else 0.0


@dataclass(frozen=True)
class Remediation:
    """One step of advice: what raises a criterion to ``to_level``."""

    to_level: int
    action: str


@dataclass(frozen=True)
class GapRow:
    """A gap as every document shows it (the one JSON shape of a gap): the gap report's
    ``to_dict()`` and the report document (``assess --format json``) both write it.

    ``rank`` is the gap's place in its list (gaps, or evidence gaps); the figures are
    those of :class:`Gap`, at full precision.
    """

    rank: int
    criterion: str
    title: str
    pillar: str
    status: Literal["below-target", "unknown"]
    current: int | None
    target: int
    gap: int
    impact: float
    impact_lower: float
    impact_upper: float
    rank_gain: float
    effort: str
    effort_units: float
    remediation: tuple[Remediation, ...]
    prerequisites: tuple[str, ...]
    facts_to_change: tuple[str, ...]
    priority: int
    unblocks: float
    why: str

    @classmethod
    def of(cls, rank: int, g: Gap) -> GapRow:
        """The row of gap ``g`` at place ``rank`` (from 1); ``why`` is its reason in words."""
        remediation = tuple(Remediation(lv, text) for lv, text in g.remediation)
        return cls(rank=rank, remediation=remediation, why=g.why, **_same_fields(cls, g))


@dataclass(frozen=True)
class RoadmapStep:
    """One step of a roadmap: close one gap, and where the score stands after it."""

    step: int
    criterion: str
    title: str
    from_level: int
    to_level: int
    impact: float
    effort_units: float
    score_after: float
    effort_after: float
    band_after: str | None
    waited_for: tuple[str, ...]
    unrated_prerequisites: tuple[str, ...] = ()
    """Prerequisites nobody has rated: the step may be blocked; rate them first."""
    rank_gain: float = 0.0
    """The step's gain with every unknown at its worst, before gates (what it is ranked by)."""
    blocked_by: tuple[str, ...] = ()
    """Failed or unrated gates whose cap holds this step's gain down."""
    reason: Reason | None = None
    """Why the step comes here, and why its gain is what it is (a code with its figures)."""

    @property
    def why(self) -> str:
        """The reason in words."""
        return "" if self.reason is None else self.reason.text


@dataclass(frozen=True)
class StepRow:
    """A roadmap step as every document shows it (the one JSON shape of a step): the
    roadmap's ``to_dict()`` and the report document both write it; ``band_after`` is the
    band's name, the figures are at full precision."""

    step: int
    criterion: str
    title: str
    from_level: int
    to_level: int
    impact: float
    effort_units: float
    score_after: float
    band_after: str | None
    waited_for: tuple[str, ...]
    unrated_prerequisites: tuple[str, ...] = ()
    effort_after: float = 0.0
    rank_gain: float = 0.0
    blocked_by: tuple[str, ...] = ()
    why: str = ""

    @classmethod
    def of(cls, s: RoadmapStep, rubric: Rubric) -> StepRow:
        """The row of roadmap step ``s`` (its band named as ``rubric`` names it)."""
        band = rubric.band(s.band_after).name if s.band_after else None
        return cls(band_after=band, why=s.why, **_same_fields(cls, s))


class RemediationData(TypedDict):
    """One step of advice in a gap's JSON shape (:class:`Remediation`)."""

    to_level: int
    action: str


class GapRowData(TypedDict):
    """A gap in JSON (:class:`GapRow`, field for field): ``gaps`` and ``evidence_gaps``
    of ``readiness schema gaps``."""

    rank: int
    criterion: str
    title: str
    pillar: str
    status: Literal["below-target", "unknown"]
    current: int | None
    target: int
    gap: int
    impact: float
    impact_lower: float
    impact_upper: float
    rank_gain: float
    effort: str
    effort_units: float
    remediation: tuple[RemediationData, ...]
    prerequisites: tuple[str, ...]
    facts_to_change: tuple[str, ...]
    priority: int
    unblocks: float
    why: str


class StepRowData(TypedDict):
    """A roadmap step in JSON (:class:`StepRow`, field for field): ``steps`` of
    ``readiness schema roadmap``."""

    step: int
    criterion: str
    title: str
    from_level: int
    to_level: int
    impact: float
    effort_units: float
    score_after: float
    band_after: str | None
    waited_for: tuple[str, ...]
    unrated_prerequisites: tuple[str, ...]
    effort_after: float
    rank_gain: float
    blocked_by: tuple[str, ...]
    why: str


class TargetData(TypedDict):
    profile: str
    reason: str


class RubricRef(TypedDict):
    id: str
    version: str


class GapsData(TypedDict):
    """The JSON document of a gap report (``readiness gaps --format json``,
    ``GapReport.to_dict()``; ``readiness schema gaps``)."""

    partnership: str
    rubric: RubricRef
    target: TargetData
    basis: Basis
    base: float
    order: str
    gaps: list[GapRowData]
    evidence_gaps: list[GapRowData]


class RoadmapData(TypedDict):
    """The JSON document of a roadmap (``Roadmap.to_dict()``; ``readiness schema
    roadmap``)."""

    basis: Basis
    start: float
    rate_first: list[str]
    steps: list[StepRowData]


def _gap_data(r: GapRow) -> GapRowData:
    """``r`` as JSON data (what ``asdict`` gives, typed)."""
    return {
        "rank": r.rank,
        "criterion": r.criterion,
        "title": r.title,
        "pillar": r.pillar,
        "status": r.status,
        "current": r.current,
        "target": r.target,
        "gap": r.gap,
        "impact": r.impact,
        "impact_lower": r.impact_lower,
        "impact_upper": r.impact_upper,
        "rank_gain": r.rank_gain,
        "effort": r.effort,
        "effort_units": r.effort_units,
        "remediation": tuple({"to_level": x.to_level, "action": x.action} for x in r.remediation),
        "prerequisites": r.prerequisites,
        "facts_to_change": r.facts_to_change,
        "priority": r.priority,
        "unblocks": r.unblocks,
        "why": r.why,
    }


def _step_data(r: StepRow) -> StepRowData:
    """``r`` as JSON data (what ``asdict`` gives, typed)."""
    return {
        "step": r.step,
        "criterion": r.criterion,
        "title": r.title,
        "from_level": r.from_level,
        "to_level": r.to_level,
        "impact": r.impact,
        "effort_units": r.effort_units,
        "score_after": r.score_after,
        "band_after": r.band_after,
        "waited_for": r.waited_for,
        "unrated_prerequisites": r.unrated_prerequisites,
        "effort_after": r.effort_after,
        "rank_gain": r.rank_gain,
        "blocked_by": r.blocked_by,
        "why": r.why,
    }


def _same_fields(row: type, result: object) -> dict[str, Any]:
    """The fields a document row copies unchanged from its result (same name), all but
    those the row computes itself (``rank``, ``remediation``, ``band_after``, ``why``)."""
    own = {"rank", "remediation", "band_after", "why"}
    return {f.name: getattr(result, f.name) for f in fields(row) if f.name not in own}


@dataclass(frozen=True)
class Roadmap(Rendered):
    """The order to close gaps: root causes first, then the gain per unit of effort.

    ``rate_first`` lists the unrated gates: critical criteria to rate (at least at
    their minimum level) before the steps, since each caps the lower bound. Markdown,
    text, HTML and JSON come from :meth:`to_document`.
    """

    report: GapReport
    steps: tuple[RoadmapStep, ...]
    start: float
    rate_first: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"<Roadmap {self.report.assessment.partnership.id} to {self.report.profile.id}: "
            f"{len(self.steps)} steps from {self.start:.1f}>"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per step; ``waited_for`` lists the prerequisites it waited for, ``why``
        says why the step comes here."""
        import pandas as pd

        rows = [
            {k: v for k, v in vars(s).items() if k != "reason"}
            | {
                "waited_for": ", ".join(s.waited_for),
                "unrated_prerequisites": ", ".join(s.unrated_prerequisites),
                "blocked_by": ", ".join(s.blocked_by),
                "why": s.why,
            }
            for s in self.steps
        ]
        return pd.DataFrame(rows).set_index("step")

    def to_dict(self) -> RoadmapData:
        """A JSON-ready dict: ``basis``, ``start``, ``rate_first`` and the ``steps``
        (:class:`StepRow`, the shape the report document uses)."""
        rubric = self.report.assessment.rubric
        return {
            "basis": self.report.basis,
            "start": self.start,
            "rate_first": list(self.rate_first),
            "steps": [_step_data(StepRow.of(s, rubric)) for s in self.steps],
        }

    def to_document(self) -> Document:
        """The roadmap laid out: the unrated gates to rate first, then the steps."""
        report = self.report
        blocks: list[Any] = []
        if self.rate_first:
            ids = [piece for c in self.rate_first for piece in (", ", code(c))][1:]
            blocks.append(Paragraph.of(words.gaps.rate_first(), *ids))
        columns = (
            Column("step", "count"),
            Column("criterion"),
            Column("levels", "levels"),
            Column("gain", "delta"),
            Column("effort", "number"),
            Column(f"{words.gaps.basis_name(report.basis, short=True)} after", "score"),
            Column("band after"),
            Column("why"),
        )
        blocks.append(Table(columns, tuple(_step_row(s) for s in self.steps)))
        return Document(
            words.gaps.roadmap_title(report.assessment.partnership.name, report.profile.title),
            tuple(blocks),
            "roadmap",
            self.to_dict(),
        )


@dataclass(frozen=True)
class GapReport(Rendered):
    """The gaps of one assessment against one target profile, ranked by impact.

    Markdown, text, HTML (the notebook's display) and JSON come from :meth:`to_document`.
    """

    assessment: Assessment
    profile: Profile
    profile_choice: ProfileChoice
    """How the target profile was chosen (:attr:`profile_reason` says it)."""
    basis: Basis
    base: float
    gaps: tuple[Gap, ...]
    evidence_gaps: tuple[Gap, ...]

    @property
    def profile_reason(self) -> str:
        """Why this target profile, in words, e.g. ``named in the call``."""
        return self.profile_choice.text

    def __len__(self) -> int:
        return len(self.gaps)

    def __iter__(self) -> Any:
        return iter(self.gaps)

    @cached_property
    def profile_scores(self) -> Scores:
        """Scores of a partnership exactly at the target profile (one row).

        This is the *score at the target profile*: every criterion at the profile's
        level, whatever this partnership has today. It differs from
        :attr:`score_after_gaps`, which keeps every criterion already above target.
        """
        a = self.assessment
        goal = np.array(
            [[self.profile.target(c) for c in a.rubric.criterion_ids]], dtype=np.float64
        )
        return _rescore(a, goal, np.zeros_like(a.low_confidence))

    @property
    def profile_score(self) -> float | None:
        """The overall score of a partnership exactly at the target profile."""
        return optional(self.profile_scores.overall[0])

    @property
    def target_score(self) -> float:
        """Deprecated name of :attr:`score_after_gaps` (it is not the profile's score)."""
        warnings.warn(
            "GapReport.target_score is now GapReport.score_after_gaps; "
            "the profile's own score is GapReport.profile_score",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.score_after_gaps

    @cached_property
    def score_after_gaps(self) -> float:
        """The score after closing every gap: each gap and evidence gap at its target.

        Criteria already at or above target keep their level, so this can exceed
        :attr:`profile_score`. Measured on the report's ``basis``.
        """
        levels = self.assessment.levels.copy()
        low = self.assessment.low_confidence.copy()
        for g in (*self.gaps, *self.evidence_gaps):
            j = self.assessment.rubric.criterion_index[g.criterion]
            levels[0, j] = g.target
            low[0, j] = False  # a criterion brought to target is a new, firm rating
        s = _rescore(self.assessment, levels, low)
        return float(_basis_values(s, self.basis)[0])

    def roadmap(self) -> Roadmap:
        """Close the gaps in order: root causes first, then the best gain per effort.

        At each step every gap whose prerequisites have no open gap is re-scored. Among
        them, a failed gate (or a prerequisite of one) goes first, then a root cause
        (the one whose closing unblocks the most gain of the open gaps that wait for it),
        then the largest ``rank_gain`` per unit of effort (ties: larger gain, then
        criterion id). ``rank_gain`` is the gain with
        every unknown at its worst, before gates, so a criterion whose rated siblings
        are few does not jump the queue. ``impact`` is the gain in the report's basis
        after the earlier steps (gates included), so the steps add up to ``score_after``;
        where a gate holds it down, ``blocked_by`` and ``why`` say which.
        """
        a = self.assessment
        ids = a.rubric.criterion_ids
        levels = a.levels.copy()
        low = a.low_confidence.copy()
        open_gaps = {g.criterion: g for g in self.gaps}
        all_gaps = {x.criterion for x in self.gaps}
        gates = _gates(a)
        current = self.base
        effort = 0.0
        steps: list[RoadmapStep] = []
        model = ScoringModel.from_rubric(a.rubric)
        while open_gaps:
            ready = sorted(  # by id, so that min() below keeps the smallest id on a tie
                (g for g in open_gaps.values() if not any(p in open_gaps for p in g.prerequisites)),
                key=lambda g: g.criterion,
            )
            if not ready:  # impossible for a valid (acyclic) rubric
                ready = sorted(open_gaps.values(), key=lambda g: g.criterion)
            n = len(ready)
            batch = np.repeat(levels, n + 1, axis=0)  # the last row: the state so far
            batch_low = np.repeat(low, n + 1, axis=0)
            for r, g in enumerate(ready):
                j = ids.index(g.criterion)
                batch[r, j] = g.target
                batch_low[r, j] = False
            s = _rescore(a, batch, batch_low)
            values = _basis_values(s, self.basis)
            step_gains = values - current
            rank_gains = s.raw_lower[:n] - s.raw_lower[n]
            below = {c: _below_of(a, c) for c in open_gaps}
            gains = {c: g.rank_gain for c, g in open_gaps.items()}
            roles = [_role(a, g.criterion, gates, below, gains) for g in ready]
            best = min(
                range(n),
                key=lambda r: (
                    roles[r][0],
                    roles[r][1],
                    -_settled(float(rank_gains[r]) / ready[r].effort_units),
                    -_settled(float(rank_gains[r])),
                ),
            )
            g = ready[best]
            j = ids.index(g.criterion)
            levels[0, j] = g.target
            low[0, j] = False
            effort += g.effort_units
            impact = float(step_gains[best])
            rank_gain = float(rank_gains[best])
            current = float(values[best])
            band = int(s.band[best])
            blocked = _blocked(s, best, g.criterion, gates, min(impact, rank_gain), rank_gain)
            reason = roles[best][2] or Reason(
                "gain-per-effort", gain=rank_gain, effort_units=g.effort_units
            )
            steps.append(
                RoadmapStep(
                    step=len(steps) + 1,
                    criterion=g.criterion,
                    title=g.title,
                    from_level=g.current if g.current is not None else 0,
                    to_level=g.target,
                    impact=impact,
                    effort_units=g.effort_units,
                    score_after=current,
                    effort_after=effort,
                    band_after=model.band_ids[band] if band >= 0 else None,
                    waited_for=tuple(p for p in g.prerequisites if p in all_gaps),
                    unrated_prerequisites=tuple(
                        p for p in g.prerequisites if a.criterion(p).state == "unknown"
                    ),
                    rank_gain=rank_gain,
                    blocked_by=blocked,
                    reason=_held(reason, blocked, gates, impact),
                )
            )
            del open_gaps[g.criterion]
        return Roadmap(
            report=self,
            steps=tuple(steps),
            start=self.base,
            rate_first=tuple(  # the lowest cap first
                x.criterion for x in sorted(a.unrated_gates, key=lambda x: (x.cap, x.criterion))
            ),
        )

    def plot(self) -> Any:
        """The gaps chart of the report as a matplotlib figure: the gain of closing each
        gap alone, in rank order, then the unrated criteria (lighter, hatched: they gain
        on the lower bound). Needs the ``plots`` extra.

        Raises:
            ReportError: matplotlib is not installed, or there are no gaps to plot.
        """
        from readiness.document.charts import figure_of, gain_chart

        rows = (*self.gaps, *self.evidence_gaps)
        return figure_of(
            lambda: gain_chart(
                [g.title for g in rows],
                [g.impact for g in rows],
                unrated=[False] * len(self.gaps) + [True] * len(self.evidence_gaps),
            )
        )

    # --- rendering ---------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """One row per gap (evidence gaps last), in the report's order (:data:`ORDER`):
        ``priority`` (0 gates, 1 root causes, 2 the rest), then ``rank_gain``."""
        import pandas as pd

        rows = [
            {
                "criterion": g.criterion,
                "pillar": g.pillar,
                "title": g.title,
                "status": g.status,
                "current": g.current,
                "target": g.target,
                "gap": g.gap,
                "impact": g.impact,
                "effort": g.effort,
                "effort_units": g.effort_units,
                "impact_per_effort": g.impact_per_effort,
                "priority": g.priority,
                "rank_gain": g.rank_gain,
                "unblocks": g.unblocks,
                "why": g.why,
                "next_step": g.remediation[0][1] if g.remediation else None,
            }
            for g in (*self.gaps, *self.evidence_gaps)
        ]
        columns = [
            "criterion", "pillar", "title", "status", "current", "target", "gap",
            "impact", "effort", "effort_units", "impact_per_effort", "priority", "rank_gain",
            "unblocks", "why", "next_step",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns).astype({"current": "Int64"})

    def to_dict(self) -> GapsData:
        """A JSON-ready dict: the partnership and rubric, the ``target`` profile and why,
        ``basis``, ``base``, ``order`` and the ``gaps`` and ``evidence_gaps``
        (:class:`GapRow`, the shape the report document uses)."""
        a = self.assessment
        return {
            "partnership": a.partnership.id,
            "rubric": {"id": a.rubric.id, "version": a.rubric.version},
            "target": {"profile": self.profile.id, "reason": self.profile_reason},
            "basis": self.basis,
            "base": self.base,
            "order": ORDER,
            "gaps": [_gap_data(GapRow.of(i, g)) for i, g in enumerate(self.gaps, 1)],
            "evidence_gaps": [
                _gap_data(GapRow.of(i, g)) for i, g in enumerate(self.evidence_gaps, 1)
            ],
        }

    def to_document(self) -> Document:
        """The gap report laid out: one section with the target, the ranked gaps, the
        evidence gaps and the facts that would close gaps (that section alone is what
        a report shows of it)."""
        a = self.assessment
        before, after = words.gaps.target_profile(self.profile_reason)
        intro = Paragraph.of(
            before,
            code(self.profile.id),
            after,
            " ",
            words.gaps.impact_meaning(self.basis, a.rubric.label),
            " ",
            words.gaps.order(),
        )
        blocks = (
            intro,
            _gaps_table(self.gaps) if self.gaps else Paragraph.of(words.gaps.no_gaps()),
            *_evidence_section(self.evidence_gaps),
            *_facts_section((*self.gaps, *self.evidence_gaps)),
        )
        section = Section(words.gaps.gaps_heading(self.profile.title), blocks)
        return Document(
            words.gaps.gap_report_title(a.partnership.name), (section,), "gaps", self.to_dict()
        )

    def criteria_frame(self) -> pd.DataFrame:
        """One row per criterion of the rubric (tidy), in rubric order.

        Columns: ``criterion``, ``pillar``, ``title``, ``status`` (``met``,
        ``below-target``, ``unknown`` or ``not-applicable``), ``level`` and ``score``
        (missing when not rated), ``weight``, ``effective_weight``, ``target`` (the
        profile's level), ``gap`` (levels still to climb: 0 when met, target minus 0 when
        unknown, missing when not applicable) and ``impact`` (the exact gain if that
        criterion alone reached target, as in :meth:`to_frame`: on the report's basis
        for below-target criteria, on the lower bound for unknown ones; 0 when met).
        Sort by ``impact`` for the ranking, group by ``pillar`` for a pillar view.
        """
        import pandas as pd

        a = self.assessment
        found = {g.criterion: g for g in (*self.gaps, *self.evidence_gaps)}
        rows = []
        for c in a.criteria:
            target = self.profile.target(c.id)
            g = found.get(c.id)
            if c.state == "not-applicable":
                status, gap, impact = "not-applicable", None, None
            elif g is not None:
                status, gap, impact = g.status, g.gap, g.impact
            else:
                status, gap, impact = "met", 0, 0.0
            rows.append(
                {
                    "criterion": c.id,
                    "pillar": c.pillar,
                    "title": c.title,
                    "status": status,
                    "level": c.level,
                    "score": c.score,
                    "weight": c.weight,
                    "effective_weight": c.effective_weight,
                    "target": target,
                    "gap": gap,
                    "impact": impact,
                }
            )
        columns = [
            "criterion", "pillar", "title", "status", "level", "score", "weight",
            "effective_weight", "target", "gap", "impact",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns).astype(
            {"level": "Int64", "score": "Float64", "gap": "Int64", "impact": "Float64"}
        )

    def __repr__(self) -> str:
        return (
            f"<GapReport {self.assessment.partnership.id} vs {self.profile.id}: "
            f"{len(self.gaps)} gaps, {len(self.evidence_gaps)} unrated>"
        )


def _rescore(a: Assessment, levels: np.ndarray, low: np.ndarray | None = None) -> Scores:
    n = levels.shape[0]
    return score_matrix(
        levels,
        ScoringModel.from_rubric(a.rubric),
        not_applicable=np.repeat(a.not_applicable, n, axis=0),
        low_confidence=np.repeat(a.low_confidence, n, axis=0) if low is None else low,
        unknown_policy=a.options.unknown_policy,
        min_coverage=a.options.min_coverage,
    )


def _basis_values(s: Scores, basis: Basis) -> np.ndarray:
    return s.overall if basis == "overall" else s.lower


def choose_profile(a: Assessment, target: str | None) -> tuple[Profile, ProfileChoice]:
    """The target profile to use, and how it was chosen.

    Raises:
        InputError: ``target`` names no profile of the rubric.
    """
    rubric, p = a.rubric, a.partnership
    if target is not None:
        try:
            return rubric.profile(target), ProfileChoice("named")
        except KeyError:
            from readiness.errors import InputError

            names = ", ".join(x.id for x in rubric.profiles)
            raise InputError(f"unknown target profile {target!r} (known: {names})") from None
    if p.target is not None:
        return rubric.profile(p.target), ProfileChoice("file")
    status = p.status_on()  # a profile may list a status (dissolving) among its kinds
    for profile in rubric.profiles:
        if status is not None and status in profile.kinds:
            return profile, ProfileChoice("status", status=status, on=p.as_of)
    for profile in rubric.profiles:
        if p.kind in profile.kinds:
            return profile, ProfileChoice("kind", kind=p.kind)
    return rubric.profile(), ProfileChoice("default")


def resolve_profile(a: Assessment, target: str | None) -> tuple[Profile, str]:
    """The target profile to use and why, in words (see :func:`choose_profile`)."""
    profile, choice = choose_profile(a, target)
    return profile, choice.text


def gap_report(a: Assessment, target: str | None = None) -> GapReport:
    """Build the gap report of an assessment against a target profile.

    Gaps and evidence gaps are ordered root causes first (``priority``), then by
    ``rank_gain`` (the gain with every unknown at its worst, before gates), then by
    that gain per unit of effort, then by id; see the module docstring.
    """
    profile, choice = choose_profile(a, target)
    rubric = a.rubric
    basis: Basis = "overall" if a.overall is not None else "lower"
    base = a.overall if a.overall is not None else a.lower
    candidates = []
    for j, c in enumerate(a.criteria):
        goal = profile.target(c.id)
        if c.state == "not-applicable":
            continue
        if c.state == "unknown" or (c.level is not None and c.level < goal):
            candidates.append((j, c, goal))
    # one matrix: every candidate at its target, and today's levels in the last row
    n = len(candidates)
    levels = np.repeat(a.levels, n + 1, axis=0)
    low = np.repeat(a.low_confidence, n + 1, axis=0)
    for r, (j, _, goal) in enumerate(candidates):
        levels[r, j] = goal
        low[r, j] = False
    s = _rescore(a, levels, low)
    gates = _gates(a)
    below = {c.id: _below_of(a, c.id) for _, c, _ in candidates if c.state != "unknown"}
    rank_gains = {
        c.id: float(s.raw_lower[r] - s.raw_lower[n])
        for r, (_, c, _) in enumerate(candidates)
        if c.state != "unknown"
    }
    held = _held_by_gates(a, candidates, gates, profile)
    derived = a.derivations
    gaps: list[Gap] = []
    evidence: list[Gap] = []
    for r, (j, c, goal) in enumerate(candidates):
        criterion = rubric.criteria[j]
        start = c.level if c.level is not None else 0
        steps = goal - start
        impact_lower = float(s.lower[r] - s.lower[n])
        impact = impact_lower if c.state == "unknown" else float(_basis_values(s, basis)[r] - base)
        rank_gain = float(s.raw_lower[r] - s.raw_lower[n])
        priority, _, reason = _role(a, c.id, gates, below, rank_gains, held)
        effort_units = rubric.effort_scale[criterion.effort] * max(steps, 1)
        blocked = _blocked(s, r, c.id, gates, min(impact, impact_lower), rank_gain)
        if reason is None:
            reason = (
                Reason("unrated", gain=impact_lower)
                if c.state == "unknown"
                else Reason(
                    "gain",
                    gain=rank_gain,
                    today=impact,
                    lower=impact_lower,
                    upper=float(s.upper[r] - s.upper[n]),
                    policy=a.options.unknown_policy,
                )
            )
        gap = Gap(
            criterion=c.id,
            pillar=c.pillar,
            title=c.title,
            status="unknown" if c.state == "unknown" else "below-target",
            current=c.level,
            target=goal,
            gap=steps,
            impact=impact,
            effort=criterion.effort,
            effort_units=effort_units,
            remediation=tuple(
                (lv, profile.remediation_for(criterion, lv)) for lv in range(start + 1, goal + 1)
            ),
            prerequisites=criterion.prerequisites,
            facts_to_change=(
                derived[c.id].facts_to_reach(goal)
                if c.id in derived and c.origin in ("derived", "unknown")
                else ()
            ),
            impact_lower=impact_lower,
            impact_upper=float(s.upper[r] - s.upper[n]),
            rank_gain=rank_gain,
            priority=priority,
            blocks=tuple(sorted(x for x, pre in below.items() if c.id in pre)),
            unblocks=held.get(c.id, _unblocks(c.id, below, rank_gains)),
            blocked_by=blocked,
            reason=_held(reason, blocked, gates, min(impact, impact_lower)),
        )
        (evidence if c.state == "unknown" else gaps).append(gap)
    gaps.sort(key=lambda g: _rank(g, a, gates, below, rank_gains, held))
    evidence.sort(key=lambda g: _rank(g, a, gates, below, rank_gains, held))
    return GapReport(
        assessment=a,
        profile=profile,
        profile_choice=choice,
        basis=basis,
        base=float(base),
        gaps=tuple(gaps),
        evidence_gaps=tuple(evidence),
    )


@dataclass(frozen=True)
class _Gate:
    index: int
    min_level: int
    cap: float
    band: str
    status: str


def _gates(a: Assessment) -> dict[str, _Gate]:
    """The rubric's gates by criterion id, with this assessment's state of each."""
    return {
        g.criterion: _Gate(i, g.min_level, g.cap, a.rubric.band(g.cap_band).name, g.status)
        for i, g in enumerate(a.gates)  # in the order of ScoringModel.gate_criterion
    }


def _below_of(a: Assessment, cid: str) -> frozenset[str]:
    """Every criterion ``cid`` waits for, directly or through other prerequisites."""
    seen: set[str] = set()
    todo = list(a.rubric.criterion(cid).prerequisites)
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(a.rubric.criterion(p).prerequisites)
    return frozenset(seen)


def _unblocks(cid: str, below: dict[str, frozenset[str]], gains: dict[str, float]) -> float:
    """The summed gain of the open gaps that wait for ``cid`` (directly or through others)."""
    return sum(max(gains.get(x, 0.0), 0.0) for x, pre in below.items() if cid in pre)


def _held_by_gates(
    a: Assessment,
    candidates: list[tuple[int, Any, int]],
    gates: dict[str, _Gate],
    profile: Profile,
) -> dict[str, float]:
    """For each failed or unrated gate: the gain of the other gaps that its cap holds down
    (each other gap's gain with the gate passed, minus its gain with the gate as it is)."""
    out: dict[str, float] = {}
    ids = a.rubric.criterion_ids
    others = [(j, goal) for j, c, goal in candidates if c.state != "unknown"]
    for cid, gate in gates.items():
        if gate.status not in ("failed", "unrated"):
            continue
        g = ids.index(cid)
        rows = []
        for lifted in (False, True):
            base = a.levels.copy()
            if lifted:
                base[0, g] = max(gate.min_level, profile.target(cid))
            rows.append(base)
            for j, goal in others:
                if j != g:
                    row = base.copy()
                    row[0, j] = goal
                    rows.append(row)
        s = _rescore(a, np.vstack(rows))
        k = len(rows) // 2
        now = s.lower[1:k] - s.lower[0]
        freed = s.lower[k + 1 :] - s.lower[k]
        out[cid] = float(np.maximum(freed - now, 0.0).sum())
    return out


def _role(
    a: Assessment,
    cid: str,
    gates: dict[str, _Gate],
    below: dict[str, frozenset[str]],
    gains: dict[str, float],
    held: dict[str, float] | None = None,
) -> tuple[int, float, Reason | None]:
    """(priority, order within it, reason) of one gap among the open gaps ``below``
    (no reason for priority 2: the caller knows which gain to give).

    ``below`` maps each open gap below target to everything it waits for; ``gains`` is
    their ``rank_gain``; ``held`` the gain each failed or unrated gate holds down.
    """
    gate = gates.get(cid)
    c = a.criterion(cid)
    freed = (held or {}).get(cid, 0.0)
    if gate is not None and c.state == "unknown":
        return 0, gate.cap, Reason("unrated-gate", band=gate.band, min_level=gate.min_level)
    if gate is not None and c.level is not None and c.level < gate.min_level:
        return 0, gate.cap, Reason("failed-gate", band=gate.band, unblocks=freed)
    failing = sorted(
        (gates[x].cap, x)
        for x, pre in below.items()
        if cid in pre
        and x in gates
        and (lv := a.criterion(x).level) is not None
        and lv < gates[x].min_level
    )
    if failing:
        return 0, failing[0][0], Reason("gate-prerequisite", gate=failing[0][1])
    waiting = sorted(x for x, pre in below.items() if cid in pre and gains.get(x, 0.0) >= _SHOWN)
    total = _unblocks(cid, below, gains)
    if waiting and total >= _SHOWN:
        return (
            1,
            -_settled(total + gains.get(cid, 0.0)),
            Reason("root-cause", unblocks=total, waiting=tuple(waiting)),
        )
    return 2, 0.0, None


def _rank(
    g: Gap,
    a: Assessment,
    gates: dict[str, _Gate],
    below: dict[str, frozenset[str]],
    gains: dict[str, float],
    held: dict[str, float],
) -> tuple[int, float, float, float, str]:
    """Root causes first (the lowest cap, or the most gain unblocked, first), then the
    gain that does not grow with missing data, then that gain per effort, then id."""
    _, order, _ = _role(a, g.criterion, gates, below, gains, held)
    return (
        g.priority,
        order,
        -_settled(g.rank_gain),
        -_settled(g.rank_gain_per_effort),
        g.criterion,
    )


def _blocked(
    s: Scores, r: int, cid: str, gates: dict[str, _Gate], gain: float, rank_gain: float
) -> tuple[str, ...]:
    """The failed or unrated gates (other than ``cid``) whose cap holds row ``r`` down."""
    if gain >= rank_gain - _SHOWN:
        return ()
    raw, raw_lo = float(s.raw[r]), float(s.raw_lower[r])
    out = []
    for x, gate in gates.items():
        if x == cid:
            continue
        failed, unrated = bool(s.gate_failed[r, gate.index]), bool(s.gate_unrated[r, gate.index])
        if ((failed or unrated) and gate.cap < raw_lo) or (failed and gate.cap < raw):
            out.append(x)
    return tuple(out)


def _held(reason: Reason, blocked: tuple[str, ...], gates: dict[str, _Gate], gain: float) -> Reason:
    """``reason`` with the gates in ``blocked`` that hold its gain (``gain`` now) down."""
    if not blocked:
        return reason
    by = tuple(
        HeldBy(x, "unrated" if gates[x].status == "unrated" else "failed", gates[x].band)
        for x in blocked
    )
    return replace(reason, held_by=by, held_gain=gain)


def _settled(value: float) -> float:
    """A score difference rounded below float noise, so ties stay ties on any BLAS."""
    return round(float(value), SETTLE_DECIMALS)


# --- the documents' parts -----------------------------------------------------------------


def _why(r: Reason) -> str:
    """A reason in words (each code said by :mod:`readiness.document.words.gaps`)."""
    say = words.gaps
    if r.code == "unrated-gate":
        text = say.unrated_gate(r.min_level, r.band or "")
    elif r.code == "failed-gate":
        text = say.failed_gate(r.band or "", r.unblocks)
    elif r.code == "gate-prerequisite":
        text = say.gate_prerequisite(r.gate or "")
    elif r.code == "root-cause":
        text = say.root_cause(r.unblocks, r.waiting)
    elif r.code == "unrated":
        text = say.unrated(r.gain)
    elif r.code == "gain":
        text = say.gain(r.gain, r.today, r.lower, r.upper, r.policy)
    else:
        text = say.gain_per_effort(r.gain, r.effort_units)
    held = [(h.gate, h.status, h.band) for h in r.held_by]
    return text + say.held(held, r.held_gain)


def _named(g: Gap) -> tuple[Any, ...]:
    """``Title (`criterion.id`)``."""
    return line(g.title, " (", code(g.criterion), ")")


def _gap_row(rank: int, g: Gap) -> Row:
    nxt = g.remediation[0][1] if g.remediation else ""
    levels = words.gaps.levels(g.current, g.target)
    return Row((rank, _named(g), g.pillar, levels, g.impact, g.effort, g.why, nxt))


def _step_row(s: RoadmapStep) -> Row:
    criterion = s.title + words.gaps.step_waits(s.waited_for, s.unrated_prerequisites)
    levels = words.gaps.levels(s.from_level, s.to_level)
    return Row(
        (s.step, criterion, levels, s.impact, s.effort_units, s.score_after, s.band_after, s.why)
    )


def _gaps_table(gaps: tuple[Gap, ...]) -> Table:
    columns = (
        Column("#", "count"),
        Column("criterion"),
        Column("pillar"),
        Column("now → target", "levels"),
        Column("impact", "delta"),
        Column("effort"),
        Column("why here"),
        Column("next step"),
    )
    return Table(columns, tuple(_gap_row(i, g) for i, g in enumerate(gaps, 1)))


def _evidence_section(gaps: tuple[Gap, ...]) -> tuple[Section, ...]:
    """The unrated criteria and what rating them at target does (none: no section)."""
    if not gaps:
        return ()
    columns = (
        Column("criterion"),
        Column("target", "count"),
        Column("lower-bound gain", "delta"),
        Column("why here"),
    )
    rows = tuple(Row((_named(g), g.target, g.impact, g.why)) for g in gaps)
    intro = Paragraph.of(words.gaps.evidence_intro())
    return (Section(words.gaps.evidence_heading(), (intro, Table(columns, rows))),)


def _facts_section(gaps: tuple[Gap, ...]) -> tuple[Section, ...]:
    """The fact values that would close derived gaps (none: no section)."""
    items = tuple(
        Item(
            line(
                *_named(g),
                ", ",
                words.gaps.levels(g.current, g.target),
                ": ",
                "; ".join(g.facts_to_change),
            )
        )
        for g in gaps
        if g.facts_to_change
    )
    if not items:
        return ()
    intro = Paragraph.of(words.gaps.facts_intro())
    return (Section(words.gaps.facts_heading(), (intro, BulletList(items))),)

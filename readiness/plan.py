"""The cheapest path to a target: which level each criterion should reach, at least effort.

:func:`plan` answers "what is the least effort that gets this partnership to a band (or
a score)?" and, with a budget, "how far can this budget take it?". It is solved exactly
as a mixed-integer program (``scipy.optimize.milp``, HiGHS inside):

- **Decision**: for every criterion, the level it should reach (its level now up to 4;
  a plan never lowers a level). One binary per (criterion, level), one of them chosen,
  so any function of one criterion's level is linear.
- **Effort**: each level step costs the criterion's effort size (``effort_scale``), as
  in the gap report and the roadmap.
- **Gates**: a band needs every gate whose cap lies below it passed, so those
  criteria must reach their ``min_level``; with a budget, a failed gate caps the score.
- **Prerequisites**: a criterion may rise to level ``L`` only when each prerequisite
  stands at ``L`` or at the level the target profile asks of it, whichever is lower. A
  criterion does not run ahead of what it depends on; the roadmap's rule (close a
  prerequisite's gap first) is the case ``L`` = the profile's level.
- **Aggregation**: arithmetic pillars and an arithmetic overall are linear. Minimum
  pillars and a minimum overall are exact with one bound per member. Geometric means
  are concave: they are bounded from above by tangent planes added where the solver's
  answer claims more than the true mean (outer approximation, exact at convergence),
  and a zero member forces the mean to zero. Every candidate is re-scored by
  :func:`readiness.scoring.score_matrix`; a plan is returned as *optimal* only when its
  true score reaches the target and the solver proved no cheaper plan of the relaxed
  (never stricter) problem exists. Otherwise the result says optimality is not proven.

Unknown criteria are handled explicitly, and the result says how (``unknown``):

- ``"lower"`` (default): plan on the *lower bound*. Unrated criteria count as level 0
  and may be raised from there; low-confidence ratings count one level down until
  raised. A plan reaches the target whatever the unrated criteria turn out to be.
- ``"rate-first"``: plan on the point score. Unrated criteria stay unrated (rate them
  first); when the point score does not exist (coverage below the minimum) or an
  unrated gate caps it below the target, there is no plan, and the reason says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NotRequired

import numpy as np
from typing_extensions import TypedDict

from readiness._numbers import rounded
from readiness.document import (
    BulletList,
    Chart,
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
    strong,
    words,
)
from readiness.document.charts import BAND_TINTS, GRID, MUTED, SCORE, TARGET, draw, short_label
from readiness.errors import InputError, Problem
from readiness.gaps import RemediationData, RubricRef
from readiness.scoring import (
    GEO_SCALE,
    LEVEL_MAX,
    POINTS_PER_LEVEL,
    Scores,
    ScoringModel,
    estimate_map,
    geo_in,
    geo_out,
    score_matrix,
    settle,
    shares,
    unknown_counts,
)

if TYPE_CHECKING:
    import pandas as pd
    from scipy.sparse import csr_array

    from readiness.assessment import Assessment
    from readiness.rubric import Profile, UnknownPolicy

__all__ = [
    "ChancePlan",
    "ChancePlanData",
    "Frontier",
    "FrontierData",
    "FrontierPoint",
    "FrontierPointData",
    "PassedGate",
    "Plan",
    "PlanData",
    "PlanStep",
    "PlanStepData",
    "Target",
    "Unknowns",
    "Why",
    "WhyCode",
    "WhyData",
    "chance_plan",
    "frontier",
    "parse_target",
    "plan",
]

Unknowns = Literal["lower", "rate-first"]
"""How a plan treats unrated criteria: plan on the lower bound, or rate them first."""
Status = Literal["optimal", "not-proven", "infeasible"]
Basis = Literal["overall", "lower"]

UNKNOWN_MODES: tuple[Unknowns, ...] = ("lower", "rate-first")
DEFAULT_UNKNOWN: Unknowns = "lower"
_TOL = 1e-4
"""Points by which the solver's claim may exceed a true score before a tangent is added.

HiGHS accepts binaries within 1e-6 of 0 or 1, so with coefficients up to 100 its claims
carry noise of this order; a claim within it that still misses the target is excluded
by a no-good cut instead, and two plans whose scores differ by less count as equal."""
_STEP = 1e-3
"""Smallest score gain between two frontier points."""
_MAX_ROUNDS = 60
"""Solver rounds (cuts and exclusions) before a plan is returned as not proven."""
_MAX_FRONTIER = 2000


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a plan aims at: a band (its minimum score and its gates) or a score."""

    score: float
    band: str | None = None
    """The band id when the target is a band."""

    @property
    def label(self) -> str:
        return self.band if self.band is not None else f"{self.score:g}"


WhyCode = Literal[
    "unrated-gate",
    "no-point-score",
    "out-of-reach",
    "over-budget",
    "no-plan-found",
    "time-limit",
    "round-limit",
    "no-score",
    "best-not-proven",
]
"""Why a plan is not proven, or there is none (:class:`Why`)."""


class WhyData(TypedDict):
    """A reason in JSON (:meth:`Why.to_dict`): its ``code`` and only the figures that
    code carries (``unrated-gate``: criterion, level, band; ``no-point-score``: note;
    ``out-of-reach``: score, band, target, count; ``over-budget``: target, budget;
    ``round-limit``: count; the other codes none)."""

    code: WhyCode
    criterion: NotRequired[str | None]
    level: NotRequired[int | None]
    band: NotRequired[str | None]
    score: NotRequired[float | None]
    target: NotRequired[str | None]
    budget: NotRequired[float | None]
    count: NotRequired[int]
    note: NotRequired[str | None]


@dataclass(frozen=True)
class Why:
    """Why a plan is not proven or does not exist: a reason code and its figures.

    ``unrated-gate``: ``criterion`` is unrated and its gate (``level``) caps the point
    score at ``band``; ``no-point-score``: the point score does not exist (``note``: the
    assessment's reason); ``out-of-reach``: every criterion at level 4 gives ``score``
    (in ``band``), short of ``target``, with ``count`` unrated criteria left out until
    rated; ``over-budget``: ``target`` is out of reach within ``budget``;
    ``no-plan-found``, ``time-limit``, ``round-limit`` (after ``count`` rounds),
    ``no-score``, ``best-not-proven``: what stopped the solver or the proof.
    :attr:`Plan.reason` says them in words.
    """

    code: WhyCode
    criterion: str | None = None
    level: int | None = None
    band: str | None = None
    """A band id."""
    score: float | None = None
    target: str | None = None
    budget: float | None = None
    count: int = 0
    note: str | None = None

    def to_dict(self) -> WhyData:
        """The code and the figures it carries (the same keys for every reason of a code)."""
        data: WhyData = {"code": self.code}
        for key in _FIGURES[self.code]:
            if key == "criterion":
                data["criterion"] = self.criterion
            elif key == "level":
                data["level"] = self.level
            elif key == "band":
                data["band"] = self.band
            elif key == "score":
                data["score"] = rounded(self.score, 4)
            elif key == "target":
                data["target"] = self.target
            elif key == "budget":
                data["budget"] = self.budget
            elif key == "count":
                data["count"] = self.count
            else:
                data["note"] = self.note
        return data


Figure = Literal["criterion", "level", "band", "score", "target", "budget", "count", "note"]
"""A figure a reason may carry: a field of :class:`Why` and a key of :class:`WhyData`."""

_FIGURES: dict[WhyCode, tuple[Figure, ...]] = {
    "unrated-gate": ("criterion", "level", "band"),
    "no-point-score": ("note",),
    "out-of-reach": ("score", "band", "target", "count"),
    "over-budget": ("target", "budget"),
    "no-plan-found": (),
    "time-limit": (),
    "round-limit": ("count",),
    "no-score": (),
    "best-not-proven": (),
}
"""The figures each reason code carries (:meth:`Why.to_dict`)."""


@dataclass(frozen=True)
class PassedGate:
    """The gate a step passes: its minimum level, the band it caps at, the rubric's why."""

    min_level: int
    cap_band: str
    """The band id of the cap lifted."""
    reason: str


class PassedGateData(TypedDict):
    """The gate a step passes, in JSON (:class:`PassedGate`)."""

    min_level: int
    cap_band: str
    reason: str


class PlanStepData(TypedDict):
    """A plan's step in JSON (:meth:`PlanStep.to_dict`): ``steps`` of ``readiness schema
    plan``; ``level_now`` and ``opens_gate`` in words, the rest figures and the rubric's
    text."""

    step: int
    criterion: str
    pillar: str
    title: str
    from_level: int | None
    planned_from: int
    to_level: int
    level_now: str
    counted_level: int | None
    level_after: str
    actions: list[RemediationData]
    effort: str
    effort_units: float | None
    points: float | None
    score_after: float | None
    effort_after: float | None
    band_after: str | None
    opens_gate: str | None
    gate: PassedGateData | None
    after: list[str]
    unrated_prerequisites: list[str]


@dataclass(frozen=True)
class PlanStep:
    """One criterion raised by a plan, in the rubric's words.

    Steps are ordered prerequisites first, then by points per unit of effort; ``points``
    and ``score_after`` are true scores after this step and the ones before it.
    """

    step: int
    criterion: str
    pillar: str
    title: str
    from_level: int | None
    """The level now; ``None`` when unrated (planned from ``planned_from``)."""
    planned_from: int
    to_level: int
    descriptor_now: str
    """The rubric's descriptor of the level now (level 0's when unrated)."""
    level_after: str
    actions: tuple[tuple[int, str], ...]
    """The remediation for each level gained, the profile's own where it gives one:
    (level, action)."""
    effort: str
    effort_units: float
    points: float
    score_after: float
    effort_after: float
    band_after: str | None
    gate: PassedGate | None = None
    """The gate this step passes and the cap it lifts; ``None`` if none."""
    after: tuple[str, ...] = ()
    """Prerequisites raised by earlier steps of this plan."""
    unrated_prerequisites: tuple[str, ...] = ()
    """Prerequisites nobody has rated (``rate-first``): the step may wait on them."""
    counted_level: int | None = None
    """A low-confidence rating planned on the lower bound: the level the bound counts."""
    cap_band_name: str | None = None
    """The name of the band :attr:`gate` caps at (the rubric's word for it)."""

    @property
    def level_now(self) -> str:
        """The rubric's descriptor of the level now, or why the plan assumes it, in words."""
        if self.from_level is None:
            return words.plan.not_rated_now(self.descriptor_now)
        if self.counted_level is not None:
            return words.plan.now_low_confidence(self.descriptor_now, self.counted_level)
        return self.descriptor_now

    @property
    def opens_gate(self) -> str | None:
        """The gate this step passes and the cap it lifts, in words; ``None`` if none."""
        g = self.gate
        if g is None:
            return None
        return words.plan.gate_passed(g.min_level, self.cap_band_name or g.cap_band, g.reason)

    def to_dict(self) -> PlanStepData:
        def num(v: float) -> float | None:
            return rounded(v, 4)

        return {
            "step": self.step,
            "criterion": self.criterion,
            "pillar": self.pillar,
            "title": self.title,
            "from_level": self.from_level,
            "planned_from": self.planned_from,
            "to_level": self.to_level,
            "level_now": self.level_now,
            "counted_level": self.counted_level,
            "level_after": self.level_after,
            "actions": [{"to_level": lv, "action": text} for lv, text in self.actions],
            "effort": self.effort,
            "effort_units": num(self.effort_units),
            "points": num(self.points),
            "score_after": num(self.score_after),
            "effort_after": num(self.effort_after),
            "band_after": self.band_after,
            "opens_gate": self.opens_gate,
            "gate": None
            if self.gate is None
            else {
                "min_level": self.gate.min_level,
                "cap_band": self.gate.cap_band,
                "reason": self.gate.reason,
            },
            "after": list(self.after),
            "unrated_prerequisites": list(self.unrated_prerequisites),
        }


class PlanTargetData(TypedDict):
    """A plan's target in JSON: a band id (``None`` for a score) and its minimum score."""

    band: str | None
    score: float | None


class PlanData(TypedDict):
    """The JSON document of a plan (``readiness plan --format json``, ``Plan.to_dict()``,
    ``plan`` of ``report --plan --format json``; ``readiness schema plan``)."""

    partnership: str
    rubric: RubricRef
    target: PlanTargetData | None
    budget: float | None
    unknown: Unknowns
    basis: Basis
    profile: str
    status: Status
    reason: str | None
    why: list[WhyData]
    reached: bool
    effort: float | None
    start: float | None
    score: float | None
    band: str | None
    levels: dict[str, int]
    steps: list[PlanStepData]
    unrated: list[str]
    low_confidence: list[str]


@dataclass(frozen=True, eq=False)
class Plan(Rendered):
    """The least-effort levels that reach a target (or the best score within a budget).

    ``status`` is ``optimal`` (proven cheapest, or proven best within the budget),
    ``not-proven`` (a plan that reaches its goal, without proof that none is cheaper;
    ``why`` holds the reasons, ``reason`` says them) or ``infeasible`` (no plan reaches
    the target; ``why`` holds what stands in the way). ``levels`` holds only the criteria
    the plan raises.
    """

    assessment: Assessment
    target: Target | None
    budget: float | None
    unknown: Unknowns
    profile: str
    status: Status
    why: tuple[Why, ...]
    levels: Mapping[str, int]
    effort: float
    start: float | None
    score: float | None
    band: str | None
    reached: bool
    steps: tuple[PlanStep, ...]
    unrated: tuple[str, ...]
    low_confidence: tuple[str, ...]
    solve_rounds: int = 0
    solve_seconds: float = 0.0
    _problem: _Problem | None = field(default=None, repr=False)

    @property
    def basis(self) -> Basis:
        """``lower`` (lower bound) or ``overall`` (point score): what the scores measure."""
        return "lower" if self.unknown == "lower" else "overall"

    @property
    def proven(self) -> bool:
        return self.status == "optimal"

    @property
    def reason(self) -> str | None:
        """Why the plan is not proven or does not exist, in words (``None``: nothing to say)."""
        return _reason(self.why, self.assessment, self.unknown)

    def scenario(self) -> Assessment:
        """The assessment with every planned level set (``Assessment.what_if``)."""
        return self.assessment.what_if(dict(self.levels))

    def frontier(self) -> Frontier:
        """The effort-score Pareto frontier under the same rules and unknown handling."""
        if self._problem is None:  # pragma: no cover - every plan carries its problem
            raise RuntimeError("this plan has no problem to sweep")
        return _sweep(self._problem)

    def to_frame(self) -> pd.DataFrame:
        """One row per step (criterion raised), in plan order."""
        import pandas as pd

        columns = [
            "step", "criterion", "pillar", "title", "from_level", "to_level", "effort",
            "effort_units", "points", "score_after", "effort_after", "band_after", "opens_gate",
        ]  # fmt: skip
        rows = [{k: getattr(s, k) for k in columns} for s in self.steps]
        return pd.DataFrame(rows, columns=columns).astype({"from_level": "Int64"}).set_index("step")

    def to_dict(self) -> PlanData:
        a = self.assessment
        return {
            "partnership": a.partnership.id,
            "rubric": {"id": a.rubric.id, "version": a.rubric.version},
            "target": None
            if self.target is None
            else {"band": self.target.band, "score": rounded(self.target.score, 4)},
            "budget": self.budget,
            "unknown": self.unknown,
            "basis": self.basis,
            "profile": self.profile,
            "status": self.status,
            "reason": self.reason,
            "why": [w.to_dict() for w in self.why],
            "reached": self.reached,
            "effort": rounded(self.effort, 4),
            "start": rounded(self.start, 4),
            "score": rounded(self.score, 4),
            "band": self.band,
            "levels": dict(self.levels),
            "steps": [s.to_dict() for s in self.steps],
            "unrated": list(self.unrated),
            "low_confidence": list(self.low_confidence),
        }

    # --- the plan laid out -------------------------------------------------------------

    def to_document(self) -> Document:
        """The plan laid out: its summary, the steps as a table and in the rubric's words,
        and the effort-score frontier with the plan marked (drawn only in HTML)."""
        title = words.plan.title(self._goal(), self.assessment.partnership.name)
        return Document(title, self._blocks(), "plan", self.to_dict())

    def report_section(self) -> Section:
        """The plan as a section of its assessment's report (``report --plan``): headed
        without the partnership's name, its data under the key ``plan``."""
        return Section(
            words.plan.title(self._goal()), self._blocks(), key="plan", data=self.to_dict()
        )

    def _band_name(self, band_id: str | None) -> str:
        return "-" if band_id is None else self.assessment.rubric.band(band_id).name

    def _goal(self) -> str:
        t = self.target
        band = None if t is None or t.band is None else self._band_name(t.band)
        return words.plan.goal(band, None if t is None else t.score, self.budget)

    def _summary(self) -> list[str]:
        """The plan's headline facts, one sentence each."""
        said = [
            words.plan.status(
                self.status,
                budget=self.budget is not None,
                target=self.target is not None,
                reached=self.reached,
            )
        ]
        if self.why:
            said.append(words.plan.why([_say(w, self.assessment, self.unknown) for w in self.why]))
        if self.status != "infeasible":
            said.append(
                words.plan.effort(
                    self.effort, len(self.steps), self.start, self.score, self._band_name(self.band)
                )
            )
        said.append(words.plan.basis(self.unknown))
        if self.unrated:
            said.append(words.plan.unrated(self.unrated))
        said.append(words.plan.prerequisites(self.profile))
        return said

    def _blocks(self) -> tuple[Any, ...]:
        blocks: list[Any] = [Paragraph.of(" ".join(self._summary()))]
        if not self.steps:
            if self.status != "infeasible" and self.reached:
                blocks.append(Paragraph.of(words.plan.nothing_to_do()))
        else:
            columns = (
                Column("step", "count"),
                Column("criterion"),
                Column("levels", "levels"),
                Column("effort", "number"),
                Column("points", "delta"),
                Column(f"{words.plan.basis_name(self.unknown)} after", "score"),
                Column("band after"),
            )
            rows = tuple(
                Row(
                    (
                        s.step,
                        line(s.title, " (", code(s.criterion), ")"),
                        words.plan.levels(s.from_level, s.to_level),
                        s.effort_units,
                        s.points,
                        s.score_after,
                        self._band_name(s.band_after),
                    )
                )
                for s in self.steps
            )
            steps = BulletList(tuple(_step_item(s) for s in self.steps), ordered=True)
            blocks += [
                Table(columns, rows),
                Section(words.plan.steps_heading(), (steps,)),
                Paragraph.of(words.plan.rubric(self.assessment.rubric.label)),
            ]
        if self.status != "infeasible":
            blocks.append(Chart(words.plan.plan_chart_alt(), functools.partial(_plan_chart, self)))
        return tuple(blocks)

    def __repr__(self) -> str:
        goal = f"to {self.target.label}" if self.target else f"within {self.budget:g}"
        return (
            f"<Plan {self.assessment.partnership.id} {goal}: {self.status}, "
            f"effort {self.effort:g}, {len(self.steps)} steps, basis {self.basis}>"
        )


class FrontierPointData(TypedDict):
    """A frontier point in JSON (:class:`FrontierPoint`): ``points`` of ``readiness
    schema frontier``."""

    effort: float | None
    score: float | None
    band: str | None
    levels: dict[str, int]


class FrontierData(TypedDict):
    """The JSON document of a frontier (``readiness plan --frontier --format json``,
    ``Frontier.to_dict()``; ``readiness schema frontier``)."""

    unknown: Unknowns
    basis: Basis
    profile: str
    proven: bool
    reason: str | None
    why: list[WhyData]
    points: list[FrontierPointData]


@dataclass(frozen=True)
class FrontierPoint:
    """One plan on the frontier: no plan reaches a higher score for this effort or less."""

    effort: float
    score: float
    band: str | None
    levels: Mapping[str, int]


@dataclass(frozen=True, eq=False)
class Frontier(Rendered):
    """The effort-score Pareto frontier: every plan not beaten on both effort and score.

    Points run from no effort (the score now) to the highest reachable score, each the
    highest score for its effort and the least effort for its score. ``proven`` is
    False when some point's optimality could not be proven (see :class:`Plan`).
    """

    assessment: Assessment
    unknown: Unknowns
    profile: str
    points: tuple[FrontierPoint, ...]
    proven: bool
    why: tuple[Why, ...] = ()

    @property
    def basis(self) -> Basis:
        return "lower" if self.unknown == "lower" else "overall"

    @property
    def reason(self) -> str | None:
        """Why the frontier is not all proven (or empty), in words."""
        return _reason(self.why, self.assessment, self.unknown)

    def __len__(self) -> int:
        return len(self.points)

    def to_frame(self) -> pd.DataFrame:
        """One row per point: ``effort``, ``score``, ``band``, ``changes`` (criteria raised)
        and ``levels`` (criterion id -> planned level, as text)."""
        import pandas as pd

        rows = [
            {
                "effort": p.effort,
                "score": p.score,
                "band": p.band,
                "changes": len(p.levels),
                "levels": ", ".join(f"{k}={v}" for k, v in p.levels.items()),
            }
            for p in self.points
        ]
        return pd.DataFrame(rows, columns=["effort", "score", "band", "changes", "levels"])

    def to_dict(self) -> FrontierData:
        return {
            "unknown": self.unknown,
            "basis": self.basis,
            "profile": self.profile,
            "proven": self.proven,
            "reason": self.reason,
            "why": [w.to_dict() for w in self.why],
            "points": [
                {
                    "effort": rounded(p.effort, 4),
                    "score": rounded(p.score, 4),
                    "band": p.band,
                    "levels": dict(p.levels),
                }
                for p in self.points
            ],
        }

    def to_document(self) -> Document:
        """The frontier laid out: what it holds, one row per point, and its chart (HTML)."""
        rubric = self.assessment.rubric
        columns = (
            Column("effort", "number"),
            Column(words.plan.basis_name(self.unknown), "score"),
            Column("band"),
            Column("criteria raised", "count"),
        )
        rows = tuple(
            Row((p.effort, p.score, rubric.band(p.band).name if p.band else "-", len(p.levels)))
            for p in self.points
        )
        blocks: list[Any] = [
            Paragraph.of(words.plan.frontier_intro(self.unknown, self.proven, self.reason)),
            Table(columns, rows),
        ]
        if self.points:
            blocks.append(
                Chart(words.plan.frontier_chart_alt(), functools.partial(_frontier_chart, self))
            )
        return Document(words.plan.frontier_title(), tuple(blocks), "frontier", self.to_dict())

    def __repr__(self) -> str:
        return f"<Frontier {self.assessment.partnership.id}: {len(self.points)} points>"


def _say(w: Why, a: Assessment, unknown: Unknowns) -> str:
    """One reason in words (band names from the rubric where the words name a band)."""
    if w.code == "unrated-gate":
        assert w.criterion is not None and w.level is not None and w.band is not None
        return words.plan.unrated_gate(w.criterion, w.level, a.rubric.band(w.band).name)
    if w.code == "no-point-score":
        return words.plan.no_point_score(w.note)
    if w.code == "out-of-reach":
        assert w.score is not None and w.target is not None
        return words.plan.out_of_reach(unknown, w.score, w.band, w.target, w.count)
    if w.code == "over-budget":
        assert w.target is not None and w.budget is not None
        return words.plan.over_budget(w.target, w.budget)
    if w.code == "round-limit":
        return words.plan.round_limit(w.count)
    return {
        "no-plan-found": words.plan.no_plan_found,
        "time-limit": words.plan.time_limit,
        "no-score": words.plan.no_score,
        "best-not-proven": words.plan.best_not_proven,
    }[w.code]()


def _reason(why: tuple[Why, ...], a: Assessment, unknown: Unknowns) -> str | None:
    return "; ".join(_say(w, a, unknown) for w in why) or None


def _step_item(s: PlanStep) -> Item:
    """One step in the rubric's words: the level now and after, what to do for each level
    gained, the gate it passes and what it waits on."""
    said = [words.plan.now(s.level_now), words.plan.after(s.level_after)]
    said += [words.plan.to_level(lv, text) for lv, text in s.actions]
    if s.opens_gate:
        said.append(words.plan.gate(s.opens_gate))
    if s.after:
        said.append(words.plan.after_prerequisites(s.after))
    if s.unrated_prerequisites:
        said.append(words.plan.unrated_prerequisites(s.unrated_prerequisites))
    head = line(strong(s.title), " (", code(s.criterion), "), ", words.plan.effort_size(s.effort))
    return Item(head, tuple(Item((x,)) for x in said))


def _plan_chart(p: Plan) -> str:
    """The frontier of ``p``'s problem with ``p`` marked (the frontier is swept here)."""
    return _frontier_chart(p.frontier(), p)


def _frontier_chart(frontier: Frontier, plan: Plan | None = None) -> str:
    """The effort-score frontier as a staircase, bands as tints, and a plan marked.

    Each step is a plan no other beats on both effort and score; between two points the
    best score stays that of the cheaper one. ``plan`` (if given) is drawn as a marker.
    Returns '' when the frontier has no point.
    """
    points = frontier.points
    if not points:
        return ""
    rubric = frontier.assessment.rubric

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        efforts = [p.effort for p in points]
        scores = [p.score for p in points]
        right = max(efforts[-1], 1.0) * 1.04
        mins = [b.min for b in rubric.bands]
        for i, band in enumerate(rubric.bands):
            top = mins[i + 1] if i + 1 < len(mins) else 100.0
            ax.axhspan(band.min, top, color=BAND_TINTS[i % len(BAND_TINTS)], zorder=0)
            ax.text(
                right,
                (band.min + top) / 2,
                f" {short_label(band.name, 16)}",
                va="center",
                fontsize=7,
                color=MUTED,
                clip_on=False,
            )
        ax.step(
            [*efforts, right],
            [*scores, scores[-1]],
            where="post",
            color=SCORE,
            linewidth=1.4,
            zorder=2,
            label=words.plan.frontier_legend(),
        )
        ax.plot(efforts, scores, "o", color=SCORE, markersize=2.5, zorder=3)
        if plan is not None and plan.score is not None and plan.steps:
            ax.plot(
                [plan.effort],
                [plan.score],
                "D",
                color=TARGET,
                markersize=6,
                zorder=4,
                label=words.plan.plan_marker(plan.effort),
            )
        if plan is not None and plan.target is not None:
            ax.axhline(
                plan.target.score,
                color=TARGET,
                linewidth=0.8,
                linestyle="--",
                zorder=1,
                label=words.plan.target_line(plan.target.score),
            )
        ax.set_xlim(0, right)
        ax.set_ylim(0, 100)
        ax.set_xlabel(words.plan.axis_effort())
        ax.set_ylabel(words.plan.axis_basis(frontier.unknown))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        fig.legend(loc="outside lower center", ncols=3)

    label = words.plan.frontier_label(
        frontier.assessment.partnership.name, len(points), points[0].score, points[-1].score
    )
    return draw("frontier", label, 3.4, paint)


# --- entry points --------------------------------------------------------------------


def plan(
    a: Assessment,
    target: str | float | None = None,
    budget: float | None = None,
    *,
    unknown: Unknowns = DEFAULT_UNKNOWN,
    profile: str | None = None,
    time_limit: float = 10.0,
) -> Plan:
    """The least-effort plan that reaches ``target``, or the best score within ``budget``.

    Args:
        a: The assessment to plan from.
        target: A band id or name (``"advanced"``) or a score 0-100. With a band, every
            gate that would cap the partnership below that band must be passed.
        budget: Effort units available (as in ``effort_scale``). With a budget the
            plan is the highest score within it (ties: least effort), and ``reached``
            says whether the target, if any, is reached.
        unknown: ``"lower"`` (plan on the lower bound: unrated criteria at level 0,
            low-confidence ratings one level down) or ``"rate-first"`` (plan on the point
            score; unrated criteria stay unrated).
        profile: The profile whose levels prerequisites refer to (default: the one the
            gap report uses for this partnership).
        time_limit: Seconds the solver may spend on one problem.

    Raises:
        InputError: No target and no budget, an unknown band, a score outside 0-100,
            a negative budget or an unknown ``unknown`` mode.
    """
    from readiness.gaps import resolve_profile

    goal = _target(a, target)
    if goal is None and budget is None:
        raise InputError(
            [Problem("target", "give a target (a band or a score 0-100), a budget, or both")],
            source="plan",
        )
    budget = _budget(budget)
    mode = _mode(unknown)
    chosen, _ = resolve_profile(a, profile)
    problem = _Problem(a, mode, chosen, time_limit)
    return problem.plan(goal, budget)


def frontier(
    a: Assessment,
    *,
    unknown: Unknowns = DEFAULT_UNKNOWN,
    profile: str | None = None,
    time_limit: float = 10.0,
) -> Frontier:
    """The effort-score Pareto frontier of an assessment (see :class:`Frontier`)."""
    from readiness.gaps import resolve_profile

    chosen, _ = resolve_profile(a, profile)
    return _sweep(_Problem(a, _mode(unknown), chosen, time_limit))


def parse_target(a: Assessment, target: str | float | None) -> Target | None:
    """A target from a band id, a band name or a score (text such as ``"75"`` too)."""
    return _target(a, target)


def _target(a: Assessment, target: str | float | None) -> Target | None:
    if target is None:
        return None
    bands = a.rubric.bands
    if isinstance(target, str):
        text = target.strip()
        for b in bands:
            if text.lower() in (b.id.lower(), b.name.lower()):
                return Target(score=float(b.min), band=b.id)
        try:
            target = float(text)
        except ValueError:
            known = ", ".join(b.id for b in bands)
            raise InputError(
                [Problem("target", f"unknown band {text!r}; expected one of {known} or 0-100")],
                source="plan",
            ) from None
    if isinstance(target, bool) or not isinstance(target, int | float):
        raise InputError(
            [Problem("target", f"must be a band id or a score (got {type(target).__name__})")],
            source="plan",
        )
    if not (math.isfinite(target) and 0 <= target <= 100):
        raise InputError(
            [Problem("target", f"a score target must be between 0 and 100 (got {target!r})")],
            source="plan",
        )
    return Target(score=float(target))


def _budget(budget: float | None) -> float | None:
    if budget is None:
        return None
    if (
        isinstance(budget, bool)
        or not isinstance(budget, int | float)
        or not math.isfinite(budget)
        or budget < 0
    ):
        raise InputError(
            [Problem("budget", f"must be a number of effort units >= 0 (got {budget!r})")],
            source="plan",
        )
    return float(budget)


def _mode(unknown: str) -> Unknowns:
    for m in UNKNOWN_MODES:
        if unknown == m:
            return m
    raise InputError(
        [Problem("unknown", f"must be one of {list(UNKNOWN_MODES)} (got {unknown!r})")],
        source="plan",
    )


# --- gate handling ---------------------------------------------------------------------


def _unrated_gate_caps(model: ScoringModel, gate: int, policy: UnknownPolicy) -> bool:
    """Whether an unrated critical criterion caps the *point* score (``rate-first``).

    The one place that decides how an unrated gate counts on the point score: scoring
    a probe row (gate criterion unrated, every other criterion at 4, no coverage rule)
    asks the scoring core itself, so a change of gate semantics there (an unrated gate
    capping only the lower bound) is followed here without another edit. On the lower
    bound an unrated criterion is level 0, an ordinary failed gate.
    """
    row = np.full((1, model.n_criteria), float(LEVEL_MAX))
    row[0, model.gate_criterion[gate]] = np.nan
    s = score_matrix(row, model, unknown_policy=policy, min_coverage=0.0)
    return bool(s.overall[0] < s.raw[0]) or bool(s.band[0] <= model.gate_band[gate])


# --- the problem ---------------------------------------------------------------------


@dataclass
class _Expr:
    """A linear expression: coefficients by variable index, and a constant."""

    coef: dict[int, float] = field(default_factory=dict)
    const: float = 0.0

    def add(self, other: _Expr, factor: float = 1.0) -> None:
        for k, v in other.coef.items():
            self.coef[k] = self.coef.get(k, 0.0) + factor * v
        self.const += factor * other.const


@dataclass
class _Row:
    coef: dict[int, float]
    lb: float
    ub: float


_SOLVE_ERROR = 4
"""``scipy.optimize.milp``'s status for a solver error (HiGHS's "Solve error")."""

_SOLVER_GAP = 1e-7
"""How much better a second optimum must be to replace the first (solver noise apart)."""


class _Problem:
    """One assessment's decision space, its mixed-integer model and its true scoring."""

    def __init__(self, a: Assessment, unknown: Unknowns, profile: Profile, time_limit: float):
        self.a = a
        self.unknown = unknown
        self.profile = profile
        self.time_limit = time_limit
        rubric = a.rubric
        self.model = model = ScoringModel.from_rubric(rubric)
        self.ids = rubric.criterion_ids
        m = model.n_criteria
        levels = a.levels[0]
        self.na = na = a.not_applicable[0].astype(bool)
        low = a.low_confidence[0].astype(bool)
        known = ~np.isnan(levels)
        lower = unknown == "lower"
        self.start = np.where(known, np.nan_to_num(levels), 0.0).astype(int)
        # the level each criterion counts at on the basis when the plan leaves it alone
        base = self.start.copy()
        if lower:
            base = np.where(known & low, np.maximum(self.start - 1, 0), base)
        self.base_eff = base
        self.policy: UnknownPolicy = a.options.unknown_policy
        # on the point score under 'estimate', unknown criteria count at their estimates,
        # which follow the planned levels (scoring.estimate_map): every applicable one counts
        self.estimating = not lower and self.policy == "estimate"
        counts_all = lower or unknown_counts(self.policy)  # the lower bound: unknown at 0
        self.answered = ~na if counts_all else ~na & known
        self.known = known
        # plannable: applicable, and known (or planned from 0 on the lower bound)
        self.plannable = ~na & (known | lower)
        self.unit = np.array([rubric.effort_scale[c.effort] for c in rubric.criteria])
        # variables: one binary per (criterion, reachable level) where there is a choice
        self.var_of: dict[tuple[int, int], int] = {}
        self.var_cost: list[float] = []
        self.var_eff: list[int] = []
        self.var_crit: list[int] = []
        self.var_level: list[int] = []
        for j in range(m):
            if not self.plannable[j] or self.start[j] >= LEVEL_MAX:
                continue
            for level in range(int(self.start[j]), LEVEL_MAX + 1):
                self.var_of[(j, level)] = len(self.var_cost)
                self.var_cost.append(float(self.unit[j] * (level - self.start[j])))
                self.var_eff.append(int(base[j]) if level == self.start[j] else level)
                self.var_crit.append(j)
                self.var_level.append(level)
        self.n_x = len(self.var_cost)
        self.lower_unrated = tuple(self.ids[j] for j in range(m) if not na[j] and not known[j])
        self.low_ids = tuple(self.ids[j] for j in range(m) if known[j] and low[j] and not na[j])
        self._build()

    # --- true scores -------------------------------------------------------------

    def truth(self, planned: np.ndarray) -> Scores:
        """True scores on the basis of (k, m) planned levels (-1: left as it is)."""
        a = self.a
        k = planned.shape[0]
        raised = planned >= 0
        if self.unknown == "lower":
            rows = np.where(raised, planned, self.base_eff[None, :].astype(np.float64))
            rows = np.where(self.na[None, :], np.nan, rows)
            return score_matrix(rows, self.model, not_applicable=np.repeat(a.not_applicable, k, 0))
        rows = np.where(raised, planned, np.repeat(a.levels, k, 0))
        return score_matrix(
            rows,
            self.model,
            not_applicable=np.repeat(a.not_applicable, k, 0),
            unknown_policy=a.options.unknown_policy,
            min_coverage=a.options.min_coverage,
        )

    def reaches(self, s: Scores, i: int, goal: Target) -> bool:
        value = float(s.overall[i])
        if math.isnan(value) or value < goal.score:
            return False
        if goal.band is None:
            return True
        return int(s.band[i]) >= self.band_index(goal.band)

    def band_index(self, band_id: str) -> int:
        return self.model.band_ids.index(band_id)

    # --- the mixed-integer model ----------------------------------------------------

    def _new_var(self, lb: float, ub: float, integer: bool) -> int:
        self.extra_lb.append(lb)
        self.extra_ub.append(ub)
        self.extra_int.append(integer)
        return self.n_x + len(self.extra_lb) - 1

    def crit_score(self, j: int) -> _Expr:
        """The score (0-100) criterion ``j`` counts at, as an expression of the binaries."""
        if j in self.estimate_var:
            return _Expr({self.estimate_var[j]: 1.0})
        if (j, int(self.start[j])) in self.var_of:
            return _Expr(
                {
                    self.var_of[(j, lv)]: POINTS_PER_LEVEL * self.var_eff[self.var_of[(j, lv)]]
                    for lv in range(int(self.start[j]), LEVEL_MAX + 1)
                }
            )
        return _Expr(const=POINTS_PER_LEVEL * float(self.base_eff[j]))

    def _estimates(self) -> None:
        """Each unknown criterion's estimated score as a variable ``y``: at most 100 and at
        most the affine estimate of the planned levels, or 0 when that is negative (a
        binary chooses), so ``y <= max(0, min(100, estimate))``. Scores only gain from a
        higher ``y``, so the solver takes the largest: the kernel's clipped estimate."""
        const, coef = estimate_map(self.known & ~self.na, self.model)
        self.estimate_const, self.estimate_coef = const, coef
        for j in np.flatnonzero(~self.known & ~self.na).tolist():
            score = _Expr(const=POINTS_PER_LEVEL * float(const[j]))
            for k in np.flatnonzero(coef[j]).tolist():
                score.add(self.crit_score(k), float(coef[j, k]))
            big = 100.0 + POINTS_PER_LEVEL * max(0.0, -float(const[j])) + 1.0
            y = self._new_var(0.0, 100.0, False)
            z = self._new_var(0.0, 1.0, True)
            row = {y: 1.0, z: -big}
            for k, v in score.coef.items():
                row[k] = row.get(k, 0.0) - v
            self.rows.append(_Row(row, -np.inf, score.const))  # y <= estimate + big z
            self.rows.append(_Row({y: 1.0, z: big}, -np.inf, big))  # y <= big (1 - z)
            self.estimate_var[j] = y
            self.estimate_expr[j] = score

    def zero_var(self, j: int) -> int | None:
        """The binary whose choice puts criterion ``j`` at score 0 (None if none can)."""
        for lv in range(int(self.start[j]), LEVEL_MAX + 1):
            v = self.var_of.get((j, lv))
            if v is not None and self.var_eff[v] == 0:
                return v
        return None

    def _build(self) -> None:
        """The mixed-integer model, seam by seam. The order is part of the model: it
        numbers the extra variables and the rows the solver sees."""
        self.extra_lb: list[float] = []
        self.extra_ub: list[float] = []
        self.extra_int: list[bool] = []
        self.rows: list[_Row] = []
        self.geo_pillars: list[tuple[int, int, list[int], np.ndarray]] = []
        self._one_level_each()
        self._prerequisites()
        self.n_choice_rows = len(self.rows)  # the rows over binaries only, so far
        self.estimate_var: dict[int, int] = {}
        self.estimate_expr: dict[int, _Expr] = {}  # each estimate, unclipped, in points
        if self.estimating:
            self._estimates()
        self._pillars()
        self._overall()
        self._gates()

    @staticmethod
    def _at_most(y: int, e: _Expr) -> _Row:
        """``y <= e``: a hypograph variable below an expression of the binaries."""
        row = {y: 1.0}
        for k, v in e.coef.items():
            row[k] = row.get(k, 0.0) - v
        return _Row(row, -np.inf, e.const)

    def _one_level_each(self) -> None:
        """Each criterion with a choice takes exactly one of its reachable levels."""
        for j in range(self.model.n_criteria):
            group = [v for (jj, _), v in self.var_of.items() if jj == j]
            if group:
                self.rows.append(_Row(dict.fromkeys(group, 1.0), 1.0, 1.0))

    def _prerequisites(self) -> None:
        """Reaching L needs each prerequisite at min(L, its profile level). A prerequisite
        that cannot be planned (unrated, left so) is only noted, per criterion."""
        self.unrated_prereqs: dict[int, tuple[str, ...]] = {}
        index = self.a.rubric.criterion_index
        for j, c in enumerate(self.a.rubric.criteria):
            unrated = []
            for pre in c.prerequisites:
                p = index[pre]
                if self.na[p]:
                    continue
                if not self.plannable[p]:
                    unrated.append(pre)
                    continue
                self._prerequisite_rows(j, p, self.profile.target(pre))
            self.unrated_prereqs[j] = tuple(unrated)

    def _prerequisite_rows(self, j: int, p: int, target: int) -> None:
        """Per level L criterion ``j`` can reach: ``level(j) >= L`` and
        ``level(p) < min(L, target)`` cannot both hold."""
        for lv in range(int(self.start[j]) + 1, LEVEL_MAX + 1):
            need = min(lv, target)
            if need <= self.start[p] or (j, lv) not in self.var_of:
                continue
            row = {self.var_of[(j, x)]: 1.0 for x in range(lv, LEVEL_MAX + 1)}
            for x in range(int(self.start[p]), need):
                if (p, x) in self.var_of:
                    row[self.var_of[(p, x)]] = 1.0
            self.rows.append(_Row(row, -np.inf, 1.0))

    def _pillars(self) -> None:
        """Each pillar's score over its answered criteria, by the pillar's method, and the
        choices that put it at zero (``pillar_zero``)."""
        model = self.model
        self.pillar_value: dict[int, _Expr] = {}
        self.pillar_zero: dict[int, list[tuple[int, ...]]] = {}
        for pi in range(model.n_pillars):
            members = [
                j
                for j in range(model.n_criteria)
                if model.criterion_pillar[j] == pi and self.answered[j]
            ]
            if not members:
                continue
            w = model.criterion_weight[members]
            share = shares(w)
            method = model.pillar_method[pi]
            scores = [self.crit_score(j) for j in members]
            if method == "arithmetic":
                self._arithmetic_pillar(pi, members, share, scores)
            elif method == "minimum":
                self._minimum_pillar(pi, members, scores)
            else:
                self._geometric_pillar(pi, members, share, scores)

    def _arithmetic_pillar(
        self, pi: int, members: list[int], share: np.ndarray, scores: list[_Expr]
    ) -> None:
        """A weighted mean, linear in the binaries; zero only when every member is."""
        value = _Expr()
        for s, f in zip(scores, share, strict=True):
            value.add(s, float(f))
        self.pillar_value[pi] = value
        zeros = [self.zero_var(j) for j in members]
        if all(s.const == 0 and not s.coef for s in scores):
            self.pillar_zero[pi] = [()]
        elif all(
            z is not None or (not s.coef and s.const == 0)
            for z, s in zip(zeros, scores, strict=True)
        ):
            self.pillar_zero[pi] = [tuple(z for z in zeros if z is not None)]

    def _minimum_pillar(self, pi: int, members: list[int], scores: list[_Expr]) -> None:
        """A variable below every member's score; any one member at zero zeroes it."""
        y = self._new_var(0.0, 100.0, False)
        self.pillar_value[pi] = _Expr({y: 1.0})
        zero_sets: list[tuple[int, ...]] = []
        for s in scores:
            self.rows.append(self._at_most(y, s))
        for j, s in zip(members, scores, strict=True):
            z = self.zero_var(j)
            if z is not None:
                self.rows.append(_Row({y: 1.0, z: 100.0}, -np.inf, 100.0))
                zero_sets.append((z,))
            elif not s.coef and s.const == 0:
                self.extra_ub[y - self.n_x] = 0.0
                zero_sets.append(())
        self.pillar_zero[pi] = zero_sets

    def _geometric_pillar(
        self, pi: int, members: list[int], share: np.ndarray, scores: list[_Expr]
    ) -> None:
        """A variable below the arithmetic mean (the geometric one is concave, below it);
        tangents at the true values bound the rest (:meth:`cuts`). One member at zero
        does not zero it (scoring.GEO_SCALE)."""
        y = self._new_var(0.0, 100.0, False)
        self.pillar_value[pi] = _Expr({y: 1.0})
        tangent = {y: 1.0}
        for s, f in zip(scores, share, strict=True):
            for k, v in s.coef.items():
                tangent[k] = tangent.get(k, 0.0) - f * v
        self.rows.append(
            _Row(
                tangent,
                -np.inf,
                float(sum(f * s.const for s, f in zip(scores, share, strict=True))),
            )
        )
        self.geo_pillars.append((pi, y, members, share))
        self.pillar_zero[pi] = []

    def _overall(self) -> None:
        """The overall (raw) score over the scored pillars, by the rubric's method."""
        model = self.model
        scored = sorted(self.pillar_value)
        pw = model.pillar_weight[scored]
        self.pillar_share: dict[int, float] = (
            dict(zip(scored, shares(pw).tolist(), strict=True)) if scored else {}
        )
        method = model.overall_method
        self.raw = _Expr()
        self.geo_overall: int | None = None
        if method == "arithmetic":
            for pi in scored:
                self.raw.add(self.pillar_value[pi], self.pillar_share[pi])
            return
        r = self._new_var(0.0, 100.0, False)
        self.raw = _Expr({r: 1.0})
        if method == "minimum":
            for pi in scored:
                self.rows.append(self._at_most(r, self.pillar_value[pi]))
        if method == "geometric":
            self.geo_overall = r
            row = {r: 1.0}
            const = 0.0
            for pi in scored:
                for k, v in self.pillar_value[pi].coef.items():
                    row[k] = row.get(k, 0.0) - self.pillar_share[pi] * v
                const += self.pillar_share[pi] * self.pillar_value[pi].const
            self.rows.append(_Row(row, -np.inf, const))  # below the arithmetic mean

    def _gates(self) -> None:
        """Per gate on an applicable criterion: its index, the cap it sets when it fails,
        and the binaries below its minimum (or a constant pass/fail)."""
        model = self.model
        self.gates: list[tuple[int, float, list[int] | bool]] = []
        tops = model.gate_caps()
        for g, j in enumerate(model.gate_criterion):
            if self.na[j]:
                continue
            self.gates.append((g, float(tops[g]), self._gate_state(g, int(j))))

    def _gate_state(self, g: int, j: int) -> list[int] | bool:
        """The binaries that fail gate ``g`` on criterion ``j``, or whether it passes
        when the plan cannot move it."""
        need = int(self.model.gate_min[g])
        if not self.plannable[j]:  # unrated and left so (rate-first)
            return not _unrated_gate_caps(self.model, g, self.policy)
        if (j, int(self.start[j])) not in self.var_of:
            return bool(self.base_eff[j] >= need)
        return [
            self.var_of[(j, lv)]
            for lv in range(int(self.start[j]), LEVEL_MAX + 1)
            if self.var_eff[self.var_of[(j, lv)]] < need
        ]

    def required_gates(self, goal: Target) -> list[tuple[int, float, list[int] | bool]]:
        """Gates that must pass: their cap lies below the target band (or score)."""
        model = self.model
        if goal.band is not None:
            b = self.band_index(goal.band)
            return [gt for gt in self.gates if int(model.gate_band[gt[0]]) < b]
        return [gt for gt in self.gates if gt[1] < goal.score]

    # --- solving ---------------------------------------------------------------------

    def _solve(
        self,
        objective: dict[int, float],
        rows: Sequence[_Row],
        zero: Sequence[int],
        extra_vars: int = 0,
    ) -> tuple[int, np.ndarray | None]:
        """One MILP solve (minimise). Returns (scipy status, solution or None)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        n = self.n_x + len(self.extra_lb) + extra_vars
        if n == 0:  # nothing to decide: the empty plan, if its constant rows hold
            holds = all(r.lb <= _TOL and r.ub >= -_TOL for r in [*self.rows, *rows])
            return (0, np.zeros(0)) if holds else (2, None)
        c = np.zeros(n)
        for k, v in objective.items():
            c[k] = v
        lb = np.concatenate([np.zeros(self.n_x), self.extra_lb, np.full(extra_vars, -np.inf)])
        ub = np.concatenate([np.ones(self.n_x), self.extra_ub, np.full(extra_vars, np.inf)])
        ub[list(zero)] = 0.0
        integrality = np.concatenate(
            [np.ones(self.n_x), np.array(self.extra_int, dtype=float), np.zeros(extra_vars)]
        )
        all_rows = [*self.rows, *rows]
        constraints = []
        if all_rows:
            constraints.append(
                LinearConstraint(
                    _sparse(all_rows, n),
                    np.array([r.lb for r in all_rows]),
                    np.array([r.ub for r in all_rows]),
                )
            )
        # HiGHS (scipy 1.17) can call a solution optimal that is not, with presolve and
        # without it: without, it returned a dearer plan on a gated geometric model
        # (tests/test_plan.py, a geometric pillar behind gates); with, a lower best score
        # than a plan within the same effort on a minimum of pillars (tests/test_plan.py,
        # the walk that never repeats a point), and a solve error (status 4) on some
        # small feasible models (a minimum pillar over an estimated member under
        # rate-first). So a model is solved both ways, and the better optimum is kept
        # (both are feasible); a solve error on the first is solved the second way.
        options: dict[str, Any] = {"mip_rel_gap": 0.0, "time_limit": self.time_limit}
        best = None
        with native_stdout_silenced():
            for retry in ({}, {"presolve": False}):
                res = milp(
                    c,
                    integrality=integrality,
                    bounds=Bounds(lb, ub),
                    constraints=constraints,
                    options=options | retry,
                )
                if res.status == _SOLVE_ERROR:
                    continue
                # (a second solve runs only after an optimal first: compare the two)
                if best is None or (res.status == 0 and res.fun < best.fun - _SOLVER_GAP):
                    best = res
                if best.status != 0:  # not optimal: infeasible, or the time limit
                    break
        if best is None:
            return int(res.status), None
        return int(best.status), (None if best.x is None else np.asarray(best.x))

    def decode(self, x: np.ndarray) -> np.ndarray:
        """(m,) planned levels from a solution: -1 where the plan leaves a criterion."""
        planned = np.full(self.model.n_criteria, -1.0)
        for v in range(self.n_x):
            if x[v] > 0.5 and self.var_level[v] > self.start[self.var_crit[v]]:
                planned[self.var_crit[v]] = self.var_level[v]
        return planned

    def cost(self, planned: np.ndarray) -> float:
        raised = planned >= 0
        return float(np.sum(np.where(raised, (planned - self.start) * self.unit, 0.0)))

    def cuts(self, x: np.ndarray, s: Scores) -> list[_Row]:
        """Tangent planes at the true values where the solver claims too much."""
        out: list[_Row] = []
        chosen_eff = self.base_eff.astype(float).copy()
        for v in range(self.n_x):
            if x[v] > 0.5:
                chosen_eff[self.var_crit[v]] = self.var_eff[v]
        if self.estimate_var:  # an estimated criterion counts at the kernel's estimate
            known = np.where(self.known & ~self.na, chosen_eff, 0.0)
            guess = np.clip(self.estimate_const + self.estimate_coef @ known, 0, LEVEL_MAX)
            for j in self.estimate_var:
                chosen_eff[j] = guess[j]
        for _, y, members, share in self.geo_pillars:
            pts = POINTS_PER_LEVEL * chosen_eff[members]
            tangent = _geo_tangent(pts, share)
            if x[y] <= tangent[0] + _TOL:
                continue
            out.append(self._tangent_row(y, tangent, [self.crit_score(j) for j in members]))
        r = self.geo_overall
        if r is not None:
            pillars = list(self.pillar_share)
            values = np.array([self._value(pi, x) for pi in pillars])
            share = np.array([self.pillar_share[pi] for pi in pillars])
            tangent = _geo_tangent(values, share)
            if x[r] > tangent[0] + _TOL:
                out.append(self._tangent_row(r, tangent, [self.pillar_value[pi] for pi in pillars]))
        return out

    @staticmethod
    def _tangent_row(
        y: int, tangent: tuple[float, np.ndarray, float], parts: Sequence[_Expr]
    ) -> _Row:
        """``y <= true + sum(slope * (part - part now))``, each part an expression in x."""
        _, slopes, offset = tangent
        row = {y: 1.0}
        const = offset
        for e, g in zip(parts, slopes.tolist(), strict=True):
            for k, val in e.coef.items():
                row[k] = row.get(k, 0.0) - g * val
            const += g * e.const
        return _Row(row, -np.inf, const)

    def _value(self, pi: int, x: np.ndarray) -> float:
        """The true value of pillar ``pi`` at solution ``x`` (its hypograph variable may
        claim more; the true value is what a tangent of the overall mean needs)."""
        e = self.pillar_value[pi]
        if len(e.coef) == 1 and next(iter(e.coef)) >= self.n_x:  # a min/geo pillar variable
            planned = self.decode(x)
            s = self.truth(planned[None, :])
            return float(s.pillar[0, pi])
        return e.const + float(sum(v * x[k] for k, v in e.coef.items()))

    def _retreat(self, extra: list[_Row], last: tuple[np.ndarray, int]) -> list[_Row]:
        """``extra`` without the last round's cuts, excluding that round's solution instead.

        Tangent cuts never remove a point at its true value, so when the best score is
        sought (the solution just cut stays feasible at its true score) a problem that
        turns infeasible right after them failed numerically (steep cuts near a zero
        score), and so does one the solver cannot finish; excluding the one solution
        already evaluated is exact.
        """
        x, count = last
        return [*extra[:-count], self.nogood(x)]

    def nogood(self, x: np.ndarray) -> _Row:
        """Exclude exactly this choice of levels (it looked feasible only within tolerance)."""
        chosen = [v for v in range(self.n_x) if x[v] > 0.5]
        return _Row(dict.fromkeys(chosen, 1.0), -np.inf, len(chosen) - 1.0)

    def cost_row(self) -> dict[int, float]:
        return {v: c for v, c in enumerate(self.var_cost) if c}

    def min_cost(
        self,
        goal: Target,
        budget: float | None = None,
        rows: Sequence[_Row] = (),
        *,
        merge: bool = True,
    ) -> tuple[Status, np.ndarray | None, Why | None, int]:
        """The cheapest levels whose true score reaches ``goal`` (within ``budget``).

        A separable rubric is solved by the exact merge of :func:`_linear_frontier`
        (pruned to the target) unless ``merge`` is False; anything else by the solver."""
        zero: list[int] = []
        for g, _, gate in self.required_gates(goal):
            if gate is False:
                return "infeasible", None, self._gate_reason(g), 0
            if isinstance(gate, list):
                zero.extend(gate)
        if merge and budget is None and not rows:
            fast = _linear_frontier(self, frozenset(zero), goal.score)
            found = None if fast is None else self._first_reaching(fast, goal)
            if found is not None:
                return found
        extra = list(rows)
        extra.append(_Row(dict(self.raw.coef), goal.score - self.raw.const, np.inf))
        if budget is not None:
            extra.append(_Row(self.cost_row(), -np.inf, budget + 1e-9))
        objective = self.cost_row()
        last: tuple[np.ndarray, int] | None = None  # the last solution and the cuts it gave
        for rounds in range(1, _MAX_ROUNDS + 1):
            status, x = self._solve(objective, extra, zero)
            if x is None:
                if status == 2:  # valid cuts can prove the goal out of reach
                    return "infeasible", None, None, rounds
                if last is not None and last[1]:  # the solver failed on steep cuts
                    extra = self._retreat(extra, last)
                    last = None
                    continue
                return "not-proven", None, Why("no-plan-found"), rounds
            planned = self.decode(x)
            s = self.truth(planned[None, :])
            if self.reaches(s, 0, goal):
                if status == 0:
                    return "optimal", planned, None, rounds
                return "not-proven", planned, Why("time-limit"), rounds
            new = self.cuts(x, s)
            extra.extend(new or [self.nogood(x)])
            last = (x, len(new))
        return "not-proven", None, Why("round-limit", count=_MAX_ROUNDS), rounds

    def _first_reaching(
        self, plans: list[np.ndarray], goal: Target
    ) -> tuple[Status, np.ndarray | None, Why | None, int] | None:
        """The first of the merge's plans (in order of effort) that reaches ``goal``;
        infeasible when the merge found no plan at all; None when none of its plans
        reaches the goal (the solver decides)."""
        if not plans:
            return "infeasible", None, None, 0
        s = self.truth(np.array(plans))
        for i, planned in enumerate(plans):
            if self.reaches(s, i, goal):
                return "optimal", planned, None, 0
        return None

    def max_score(
        self, budget: float, rows: Sequence[_Row] = (), *, merge: bool = True
    ) -> tuple[Status, np.ndarray | None, float, Why | None, int]:
        """The levels with the highest true score within ``budget`` (ties: least effort).

        A separable rubric reads it off the exact frontier (:func:`_linear_frontier`)
        unless ``merge`` is False; anything else goes to the solver."""
        if merge and not rows:
            fast = _linear_frontier(self)
            if fast is not None:
                return self._best_within(fast, budget)
        return self._solve_max_score(budget, rows)

    def _solve_max_score(
        self, budget: float, rows: Sequence[_Row]
    ) -> tuple[Status, np.ndarray | None, float, Why | None, int]:
        """:meth:`max_score` by the solver: the best claimed score, cut down to the true
        one by tangents and exclusions, then the least effort that keeps it."""
        o = self.n_x + len(self.extra_lb)
        extra = list(rows)
        extra.append(self._at_most(o, self.raw))
        for _, top, gate in self.gates:
            if not math.isfinite(top) or top >= 100:
                continue
            if gate is False:
                extra.append(_Row({o: 1.0}, -np.inf, top))
            elif isinstance(gate, list) and gate:
                # failing (a binary below the minimum chosen) caps the score at the top
                extra.append(_Row({o: 1.0} | dict.fromkeys(gate, 100.0 - top), -np.inf, 100.0))
        extra.append(_Row(self.cost_row(), -np.inf, budget + 1e-9))
        best: tuple[float, np.ndarray] | None = None
        last: tuple[np.ndarray, int] | None = None  # the last solution and the cuts it gave
        for rounds in range(1, _MAX_ROUNDS + 1):
            status, x = self._solve({o: -1.0}, extra, [], extra_vars=1)
            if x is None:
                if last is not None and last[1]:
                    extra = self._retreat(extra, last)
                    last = None
                    continue
                break
            planned = self.decode(x)
            s = self.truth(planned[None, :])
            true = float(s.overall[0])
            if not math.isnan(true) and (best is None or true > best[0]):
                best = (true, planned)
            bound = float(x[o])
            if best is not None and best[0] >= bound - _TOL and status == 0:
                # the best true score is proven; now the least effort that keeps it
                goal = Target(score=best[0])
                st, cheaper, _, more = self.min_cost(goal, budget, rows)
                if cheaper is not None and self.cost(cheaper) <= self.cost(best[1]):
                    s2 = self.truth(cheaper[None, :])
                    return st, cheaper, float(s2.overall[0]), None, rounds + more
                return "optimal", best[1], best[0], None, rounds + more
            new = self.cuts(x, s)
            if not new:
                if status != 0:
                    break
                extra.append(self.nogood(x))
            extra.extend(new)
            last = (x, len(new))
        if best is None:
            return "infeasible", None, math.nan, Why("no-score"), _MAX_ROUNDS
        return (
            "not-proven",
            best[1],
            best[0],
            Why("best-not-proven"),
            _MAX_ROUNDS,
        )

    def _best_within(
        self, plans: list[np.ndarray], budget: float
    ) -> tuple[Status, np.ndarray | None, float, Why | None, int]:
        """The frontier point with the best true score within ``budget``: the points come
        in order of effort, and a later one counts only if it scores higher."""
        best: tuple[float, np.ndarray] | None = None
        if plans:
            s = self.truth(np.array(plans))
            for i, planned in enumerate(plans):
                true = float(s.overall[i])
                if self.cost(planned) > budget + 1e-9:
                    break
                if not math.isnan(true) and (best is None or true > best[0] + 1e-9):
                    best = (true, planned)
        if best is None:
            return "infeasible", None, math.nan, Why("no-score"), 0
        return "optimal", best[1], best[0], None, 0

    def _gate_reason(self, g: int) -> Why:
        c = self.a.rubric.criteria[int(self.model.gate_criterion[g])]
        assert c.critical is not None
        return Why(
            "unrated-gate", criterion=c.id, level=c.critical.min_level, band=c.critical.cap_band
        )

    def infeasible_reason(self, goal: Target) -> Why:
        """Why no plan reaches ``goal``: the best reachable score on this basis."""
        full = np.where(self.plannable, float(LEVEL_MAX), -1.0)
        s = self.truth(full[None, :])
        best = float(s.overall[0])
        if math.isnan(best):
            return Why("no-point-score", note=self.a.reason)
        band = self.model.band_ids[int(s.band[0])] if s.band[0] >= 0 else None
        out = len(self.lower_unrated) if self.unknown == "rate-first" else 0
        return Why("out-of-reach", band=band, score=best, target=goal.label, count=out)

    # --- results ---------------------------------------------------------------------

    def plan(self, goal: Target | None, budget: float | None) -> Plan:
        t0 = time.perf_counter()
        reason: Why | None = None
        if budget is None:
            assert goal is not None
            status, planned, reason, rounds = self.min_cost(goal)
            if status == "infeasible" and reason is None:
                reason = self.infeasible_reason(goal)
        else:
            status, planned, _, reason, rounds = self.max_score(budget)
        now = self.truth(np.full((1, self.model.n_criteria), -1.0))
        start = _maybe(float(now.overall[0]))
        if planned is None:
            return self._result(goal, budget, status, reason, None, start, rounds, t0)
        return self._result(goal, budget, status, reason, planned, start, rounds, t0)

    def _result(
        self,
        goal: Target | None,
        budget: float | None,
        status: Status,
        reason: Why | None,
        planned: np.ndarray | None,
        start: float | None,
        rounds: int,
        t0: float,
    ) -> Plan:
        levels: dict[str, int] = {}
        steps: tuple[PlanStep, ...] = ()
        score, band = start, None
        effort = 0.0
        reached = False
        if planned is not None:
            levels = {self.ids[j]: int(planned[j]) for j in range(len(planned)) if planned[j] >= 0}
            steps = self.steps(planned, start)
            s = self.truth(planned[None, :])
            score = _maybe(float(s.overall[0]))
            band = self.model.band_ids[int(s.band[0])] if s.band[0] >= 0 else None
            effort = self.cost(planned)
            reached = goal is None or self.reaches(s, 0, goal)
        why: tuple[Why, ...] = () if reason is None else (reason,)
        if goal is not None and budget is not None and planned is not None and not reached:
            why += (Why("over-budget", target=goal.label, budget=budget),)
        return Plan(
            assessment=self.a,
            target=goal,
            budget=budget,
            unknown=self.unknown,
            profile=self.profile.id,
            status=status,
            why=why,
            levels=levels,
            effort=effort,
            start=start,
            score=score,
            band=band,
            reached=reached,
            steps=steps,
            unrated=self.lower_unrated,
            low_confidence=self.low_ids if self.unknown == "lower" else (),
            solve_rounds=rounds,
            solve_seconds=time.perf_counter() - t0,
            _problem=self,
        )

    def steps(self, planned: np.ndarray, start: float | None) -> tuple[PlanStep, ...]:
        """The plan's criteria in order: prerequisites first, then points per effort.

        Each criterion's gain alone (from today's levels) ranks it; ``points`` and
        ``score_after`` are then the true scores of each prefix of that order (two
        scoring calls in all), so gates and geometric means count where they bite.
        """
        rubric = self.a.rubric
        m = len(planned)
        todo = [j for j in range(m) if planned[j] >= 0]
        if not todo:
            return ()
        index = self.a.rubric.criterion_index
        alone = np.full((len(todo), m), -1.0)
        for r, j in enumerate(todo):
            alone[r, j] = planned[j]
        base = float("nan") if start is None else start
        gain = dict(zip(todo, (self.truth(alone).overall - base).tolist(), strict=True))
        cost = {j: float((planned[j] - self.start[j]) * self.unit[j]) for j in todo}
        order: list[int] = []
        left = list(todo)
        while left:
            ready = [
                j
                for j in left
                if not any(index[p] in left for p in rubric.criteria[j].prerequisites)
            ] or left
            j = max(
                ready,
                key=lambda k: (
                    settle(np.nan_to_num(gain[k]) / cost[k]),
                    settle(np.nan_to_num(gain[k])),
                    -k,
                ),
            )
            order.append(j)
            left.remove(j)
        prefixes = np.full((len(order), m), -1.0)
        for r, j in enumerate(order):
            prefixes[r:, j] = planned[j]
        s = self.truth(prefixes)
        out: list[PlanStep] = []
        current, effort = base, 0.0
        for r, j in enumerate(order):
            after = float(s.overall[r])
            effort += cost[j]
            earlier = {x.criterion for x in out}
            points = after - current if not math.isnan(current) else math.nan
            out.append(self._step(r + 1, j, int(planned[j]), points, after, effort, s, r, earlier))
            current = after
        return tuple(out)

    def _step(
        self,
        number: int,
        j: int,
        to: int,
        points: float,
        after: float,
        effort: float,
        s: Scores,
        row: int,
        earlier: set[str],
    ) -> PlanStep:
        rubric = self.a.rubric
        c = rubric.criteria[j]
        frm = int(self.start[j])
        rated = not np.isnan(self.a.levels[0, j])
        counted = None
        if rated and self.unknown == "lower" and self.base_eff[j] < frm:
            counted = int(self.base_eff[j])  # low confidence: the lower bound counts this
        gate = None
        if c.critical is not None and self.base_eff[j] < c.critical.min_level <= to:
            cr = c.critical
            gate = PassedGate(cr.min_level, cr.cap_band, cr.reason)
        band_index = int(s.band[row])
        return PlanStep(
            step=number,
            criterion=c.id,
            pillar=rubric.pillar_of[c.id].id,
            title=c.title,
            from_level=frm if rated else None,
            planned_from=frm,
            to_level=to,
            descriptor_now=c.levels[frm] if rated else c.levels[0],
            level_after=c.levels[to],
            actions=tuple(
                (lv, self.profile.remediation_for(c, lv)) for lv in range(frm + 1, to + 1)
            ),
            effort=c.effort,
            effort_units=float((to - frm) * self.unit[j]),
            points=points,
            score_after=after,
            effort_after=effort,
            band_after=self.model.band_ids[band_index] if band_index >= 0 else None,
            gate=gate,
            after=tuple(p for p in c.prerequisites if p in earlier),
            unrated_prerequisites=self.unrated_prereqs.get(j, ()),
            counted_level=counted,
            cap_band_name=None if gate is None else rubric.band(gate.cap_band).name,
        )


_GROUP_LIMIT = 4096
"""Most joint level choices of one prerequisite group the exact merge enumerates."""


def _geo_tangent(values: np.ndarray, share: np.ndarray) -> tuple[float, np.ndarray, float]:
    """The scoring kernel's geometric mean of ``values`` (0-100) with weights ``share``
    (summing to 1) at this point, its slopes, and the tangent's offset:
    ``mean(v) <= true + slopes @ (v - values) = slopes @ v + offset`` (it is concave)."""
    logs = geo_in(values)
    true = float(geo_out(np.array(np.dot(share, logs))))
    product = 1.0 + GEO_SCALE * true  # the geometric mean of 1 + GEO_SCALE * value
    slopes = share * product / (1.0 + GEO_SCALE * values)
    return true, slopes, true - float(np.dot(slopes, values))


_GroupTable = tuple[list[int], np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""A group's feasible joint choices: (members, level combos, cost, sums (n, d), gate
state)."""
_Sets = dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]
"""A Pareto set per gate state: (costs, sums (n, d), node ids)."""
_Step = tuple[list[int], np.ndarray, np.ndarray, np.ndarray]
"""One merge step: (members, combos, parent node of each node, combo of each node)."""


def _linear_frontier(
    problem: _Problem, banned: frozenset[int] = frozenset(), floor: float | None = None
) -> list[np.ndarray] | None:
    """The frontier of a separable rubric, exactly, by merging Pareto sets; None if the
    score before gates is not separable (:func:`_terms`).

    ``banned``: binaries that may not be chosen (gates a target requires). ``floor``:
    drop partial plans that cannot reach this score before gates even with every later
    group at its best (for a single target: only its frontier points matter).

    The score before gates is the least of a few sums of one term per criterion (one
    sum unless an estimate can reach the top of the scale). Criteria tied by
    prerequisites form groups whose joint level choices are enumerated (the rule checked
    on each); groups are then merged two by two, keeping only the partial plans no other
    beats on cost and on every sum (with one sum: for every cost only the best score, a
    multiple-choice knapsack, solved exactly). Gates enter as a state, the lowest cap
    among failed gates, merged by ``min``; each state's scores are capped at the end and
    the states' sets merged once more.
    """
    terms = _terms(problem)
    if terms is None:
        return None
    per_var, consts = terms
    free = len(problem.model.band_ids) - 1  # the state of "no gate caps below the top band"
    state0, gate_of = _gate_states(problem, free)
    tables: list[_GroupTable] = []
    for members in _groups(problem):
        table = _group_table(problem, per_var, members, banned, gate_of, free)
        if table is None:
            return None
        if not len(table[1]):
            return []
        tables.append(table)
    sets, steps = _merge_groups(consts, tables, state0, floor)
    return _read_back(problem, sets, steps, free)


_SUMS_LIMIT = 16
"""Most sums per partial plan the exact merge carries (:func:`_terms`); with more, the
solver plans."""
_EPS = 1e-9


def _terms(problem: _Problem) -> tuple[np.ndarray, np.ndarray] | None:
    """The score before gates as the least of ``d`` sums of one term per binary: the
    terms (n_x, d) and the constants (d,); None if it is not of that form.

    Arithmetic pillars and overall make it one sum, unless an estimate enters. Under
    rate-first with the ``estimate`` policy an unknown criterion counts at its estimate,
    an affine map of the planned levels (:func:`readiness.scoring.estimate_map`) kept
    within 0-100. Substituted, the score is again one sum while no estimate can leave
    0-100 over the levels the plan may choose. Estimates that can pass 100 are exact
    too: ``min(e, 100)`` with a weight ``w >= 0`` makes the score the least, over sets
    S of such estimates, of ``sum - sum over S of w (e - 100)``; the true score is the
    sum for S = the estimates above 100. Estimates with the same terms (a pillar's) pass
    100 in the order of their constants, so S only needs to hold the highest of them
    first: a chain of ``k`` of them gives ``k + 1`` choices, and the sums are the
    product over chains. Every sum bounds the score from above, and the first (no
    estimate at the top) bounds every other. An estimate that can fall below 0
    (``max(0, e)`` is convex) is left to the solver.
    """
    model = problem.model
    if model.overall_method != "arithmetic" or any(
        model.pillar_method[pi] != "arithmetic" for pi in problem.pillar_value
    ):
        return None
    n = problem.n_x
    estimate_of = {y: j for j, y in problem.estimate_var.items()}
    # each criterion's binaries are consecutive: the first of each block
    starts = np.flatnonzero(np.diff(np.asarray(problem.var_crit, dtype=np.intp), prepend=-1))
    base = np.zeros(n)
    const = problem.raw.const
    capped: list[tuple[float, np.ndarray, float]] = []  # (weight, terms, constant)
    for k, w in problem.raw.coef.items():
        if k < n:
            base[k] += w
            continue
        j = estimate_of.get(k)
        if j is None:
            return None  # a variable of its own: not a sum
        e = problem.estimate_expr[j]
        terms = np.zeros(n)
        for v, c in e.coef.items():
            terms[v] += c
        low = high = e.const
        if n:
            low += float(np.minimum.reduceat(terms, starts).sum())
            high += float(np.maximum.reduceat(terms, starts).sum())
        if low < -_EPS:
            return None
        base += w * terms
        const += w * e.const
        if high > 100.0 + _EPS and w > 0:
            capped.append((w, terms, e.const))
    # estimates with the same terms (those of one pillar) pass 100 in the order of their
    # constants: only the sets holding the highest first can be the ones at the top
    chains: list[list[tuple[float, np.ndarray, float]]] = []
    for item in sorted(capped, key=lambda t: -t[2]):
        chain = next((ch for ch in chains if np.array_equal(ch[0][1], item[1])), None)
        if chain is None:
            chains.append([item])
        else:
            chain.append(item)
    sizes = [len(ch) + 1 for ch in chains]
    d = math.prod(sizes)
    if d > _SUMS_LIMIT:
        return None
    per_var = np.repeat(base[:, None], d, axis=1)
    consts = np.full(d, const)
    at_top = np.indices(sizes).reshape(len(sizes), d)  # per chain: how many at the top
    for ch, count in zip(chains, at_top, strict=True):
        for rank, (w, terms, c) in enumerate(ch):
            held = count > rank
            per_var[:, held] -= w * terms[:, None]
            consts[held] -= w * (c - 100.0)
    return per_var, consts


def _groups(problem: _Problem) -> list[list[int]]:
    """The criteria with a choice, in groups joined by prerequisite rows (union-find)."""
    m = problem.model.n_criteria
    parent = list(range(m))

    def root(j: int) -> int:
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    for row in problem.rows[: problem.n_choice_rows]:
        crits = {problem.var_crit[v] for v in row.coef}
        first, *rest = sorted(crits)
        for j in rest:
            parent[root(j)] = root(first)
    chosen = [j for j in range(m) if (j, int(problem.start[j])) in problem.var_of]
    groups: dict[int, list[int]] = {}
    for j in chosen:
        groups.setdefault(root(j), []).append(j)
    return list(groups.values())


def _gate_states(problem: _Problem, free: int) -> tuple[int, dict[int, list[tuple[int, int]]]]:
    """The gate state before any choice (the lowest cap band of the gates that fail
    whatever is planned; ``free`` if none) and, per criterion, the gates a choice can
    fail: [(min level, cap band)]."""
    model = problem.model
    gate_of: dict[int, list[tuple[int, int]]] = {}
    state0 = free
    for g, _, gate in problem.gates:
        band = int(model.gate_band[g])
        if gate is False:
            state0 = min(state0, band)
        elif isinstance(gate, list) and gate:
            j = int(model.gate_criterion[g])
            gate_of.setdefault(j, []).append((int(model.gate_min[g]), band))
    return state0, gate_of


def _group_table(
    problem: _Problem,
    per_var: np.ndarray,
    members: list[int],
    banned: frozenset[int],
    gate_of: dict[int, list[tuple[int, int]]],
    free: int,
) -> _GroupTable | None:
    """Every joint choice of levels of a group that its prerequisite rows allow and that
    chooses no banned binary, with its cost, sums (:func:`_terms`) and gate state; None
    if too many."""
    var_cost = np.asarray(problem.var_cost)
    var_eff = np.asarray(problem.var_eff)
    options = [list(range(int(problem.start[j]), LEVEL_MAX + 1)) for j in members]
    combos = np.array(np.meshgrid(*options, indexing="ij")).reshape(len(members), -1).T
    if len(combos) > _GROUP_LIMIT:
        return None
    ok = _rows_hold(problem, members, combos)
    cost = np.zeros(len(combos))
    score = np.zeros((len(combos), per_var.shape[1]))
    state = np.full(len(combos), free)
    for k, j in enumerate(members):
        var = np.array([problem.var_of[(j, lv)] for lv in options[k]])
        idx = var[combos[:, k] - int(problem.start[j])]
        ok &= ~np.isin(idx, list(banned))
        cost += var_cost[idx]
        score += per_var[idx]
        for need, band in gate_of.get(j, []):
            state = np.where(var_eff[idx] < need, np.minimum(state, band), state)
    return members, combos[ok], cost[ok], score[ok], state[ok]


def _merge_groups(
    consts: np.ndarray, tables: list[_GroupTable], state0: int, floor: float | None
) -> tuple[_Sets, list[_Step]]:
    """Merge the groups' tables two by two into a Pareto set per gate state; a node is
    (parent node, combo) of one merge step, so the chosen combos are read back from the
    last step's nodes."""
    sets: _Sets = {state0: (np.zeros(1), consts[None, :], np.zeros(1, dtype=np.intp))}
    steps: list[_Step] = []
    # the first sum is the score with no estimate held at the top: at least every other
    best_rest = np.cumsum([0.0, *(t[3][:, 0].max() for t in reversed(tables))])[::-1][1:]
    for (members, combos, cost, score, state), rest in zip(tables, best_rest, strict=True):
        merged: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = {}
        for s_old, (c_old, v_old, n_old) in sets.items():
            for s_new in np.unique(state).tolist():
                pick = np.flatnonzero(state == s_new)
                c = (c_old[:, None] + cost[pick][None, :]).ravel()
                v = (v_old[:, None, :] + score[pick][None, :, :]).reshape(-1, score.shape[1])
                parent_node = np.repeat(n_old, len(pick))
                combo = np.tile(pick, len(n_old))
                merged.setdefault(min(s_old, int(s_new)), []).append((c, v, parent_node, combo))
        sets = {}
        parents, chosen_combo = [], []
        offset = 0
        for st, parts in merged.items():
            c = np.concatenate([p[0] for p in parts])
            v = np.concatenate([p[1] for p in parts])
            keep = _pareto(c, v[:, 0]) if v.shape[1] == 1 else _pareto_all(c, v)
            if floor is not None:  # drop what cannot reach the floor even at best later
                keep = keep[v[keep, 0] + rest >= floor - 1e-9]
            parents.append(np.concatenate([p[2] for p in parts])[keep])
            chosen_combo.append(np.concatenate([p[3] for p in parts])[keep])
            sets[st] = (c[keep], v[keep], np.arange(offset, offset + len(keep)))
            offset += len(keep)
        steps.append((members, combos, np.concatenate(parents), np.concatenate(chosen_combo)))
    return sets, steps


def _read_back(problem: _Problem, sets: _Sets, steps: list[_Step], free: int) -> list[np.ndarray]:
    """Cap each state's scores at its band's top, keep the Pareto points of them all, and
    read each one's planned levels back through the merge steps."""
    model = problem.model
    tops = model.band_tops()
    costs, values, nodes = [], [], []
    for st, (c, sums, n) in sets.items():
        costs.append(c)
        v = sums.min(axis=1)  # the score before gates: the least of the sums
        values.append(np.minimum(v, tops[st]) if st < free else v)
        nodes.append(n)
    c = np.concatenate(costs)
    v = np.concatenate(values)
    node = np.concatenate(nodes)[_pareto(c, v)]
    planned = np.full((len(node), model.n_criteria), -1.0)
    for members, combos, parent_of, combo_of in reversed(steps):
        levels = combos[combo_of[node]]
        for k, j in enumerate(members):
            planned[:, j] = np.where(levels[:, k] > problem.start[j], levels[:, k], -1.0)
        node = parent_of[node]
    return list(planned)


def _rows_hold(problem: _Problem, members: list[int], combos: np.ndarray) -> np.ndarray:
    """Which joint choices of a group satisfy every prerequisite row inside it."""
    column = {j: k for k, j in enumerate(members)}
    ok = np.ones(len(combos), dtype=bool)
    for row in problem.rows[: problem.n_choice_rows]:
        crits = {problem.var_crit[v] for v in row.coef}
        if not crits <= set(column) or row.lb == row.ub:  # the one-level rows always hold
            continue
        total = np.zeros(len(combos))
        for v, coef in row.coef.items():
            j, lv = problem.var_crit[v], problem.var_level[v]
            total += coef * (combos[:, column[j]] == lv)
        ok &= total <= row.ub + 1e-9
    return ok


_BLOCK = 256
"""Points compared at once by :func:`_pareto_all`."""


def _pareto_all(cost: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Indices of the points (cost, several sums) no other beats: none costs no more and
    has every sum at least as high (within 1e-9); of equal points the first is kept."""
    order = np.lexsort((-sums.sum(axis=1), cost))  # a point's dominators come before it
    ranked = sums[order]
    kept: list[np.ndarray] = []
    kept_sums = np.zeros((0, sums.shape[1]))
    earlier = np.tri(_BLOCK, k=-1, dtype=bool)  # [p, q]: q comes before p
    for start in range(0, len(order), _BLOCK):
        block = ranked[start : start + _BLOCK]
        b = len(block)
        floor = block[:, None, :] - 1e-9
        beaten = np.zeros(b, dtype=bool)
        for at in range(0, len(kept_sums), _BLOCK):
            chunk = kept_sums[at : at + _BLOCK]
            beaten |= np.any(np.all(chunk[None, :, :] >= floor, axis=2), axis=1)
        inside = np.all(block[None, :, :] >= floor, axis=2)
        beaten |= np.any(inside & earlier[:b, :b], axis=1)
        fresh = np.flatnonzero(~beaten)
        kept.append(order[start + fresh])
        kept_sums = np.concatenate([kept_sums, block[fresh]])
    return np.concatenate(kept) if kept else np.zeros(0, dtype=np.intp)


def _pareto(cost: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices of the points no other beats: by cost, each raising the best score."""
    if len(score) == 0:
        return np.zeros(0, dtype=np.intp)
    order = np.lexsort((-score, cost))
    ranked = score[order]
    before = np.maximum.accumulate(np.concatenate([[-np.inf], ranked[:-1]]))
    return order[ranked > before + 1e-9]


def _sweep(problem: _Problem) -> Frontier:
    """The frontier: exact merging for linear rubrics, else a walk with the solver."""
    exact = _linear_frontier(problem)
    if exact is not None:
        return _checked(problem, exact)
    return _walk(problem)


def _checked(problem: _Problem, plans: list[np.ndarray]) -> Frontier:
    """Frontier points re-scored by the scoring core (one matrix); the merge's numbers
    only choose the plans."""
    start = problem.truth(np.full((1, problem.model.n_criteria), -1.0))
    if math.isnan(float(start.overall[0])):
        return Frontier(
            problem.a,
            problem.unknown,
            problem.profile.id,
            (),
            True,
            (Why("no-score"),),
        )
    s = problem.truth(np.array(plans))  # every point in one matrix
    points = [_point(problem, p, s, i) for i, p in enumerate(plans)]
    kept: list[FrontierPoint] = []
    for p in points:  # true scores decide; drop any point the scoring core does not confirm
        if not kept or p.score > kept[-1].score + 1e-9:
            kept.append(p)
    return Frontier(problem.a, problem.unknown, problem.profile.id, tuple(kept), True)


def _walk(problem: _Problem) -> Frontier:
    """Walk the frontier with the solver (a rubric the exact merge cannot take): from no
    effort, the least effort for any better score, then the best score for that effort,
    until no better score is reachable."""
    points: list[FrontierPoint] = []
    proven = True
    reason = None
    status, planned, score, why, _ = problem.max_score(0.0, merge=False)
    if planned is None or math.isnan(score):
        return Frontier(
            problem.a, problem.unknown, problem.profile.id, (), status != "not-proven", _one(why)
        )
    proven = proven and status == "optimal"
    points.append(_point(problem, planned))
    while len(points) < _MAX_FRONTIER:
        goal = Target(score=points[-1].score + _STEP)
        st, nxt, why, _ = problem.min_cost(goal, merge=False)
        if nxt is None:
            if st == "not-proven":
                proven, reason = False, why
            break
        st2, best, _, why2, _ = problem.max_score(problem.cost(nxt), merge=False)
        if best is None:  # pragma: no cover - nxt itself is within that budget
            best = nxt
        point, reached = _point(problem, best), _point(problem, nxt)
        if point.score < reached.score:
            # the solver's best within nxt's effort scores below nxt itself: its proof
            # failed. Keep nxt (a true point) and say the frontier is not proven, rather
            # than stepping back to the same point until the cap
            point, st2, why2 = reached, "not-proven", Why("best-not-proven")
        proven = proven and st == "optimal" and st2 == "optimal"
        reason = reason or why or why2
        points.append(point)
    return Frontier(
        problem.a, problem.unknown, problem.profile.id, tuple(points), proven, _one(reason)
    )


def _point(
    problem: _Problem, planned: np.ndarray, s: Scores | None = None, row: int = 0
) -> FrontierPoint:
    if s is None:
        s = problem.truth(planned[None, :])
    band = int(s.band[row])
    return FrontierPoint(
        effort=problem.cost(planned),
        score=float(s.overall[row]),
        band=problem.model.band_ids[band] if band >= 0 else None,
        levels={problem.ids[j]: int(planned[j]) for j in range(len(planned)) if planned[j] >= 0},
    )


def _one(why: Why | None) -> tuple[Why, ...]:
    return () if why is None else (why,)


def _maybe(value: float) -> float | None:
    return None if math.isnan(value) else value


def _sparse(rows: Sequence[_Row], n: int) -> csr_array:
    from scipy.sparse import csr_array

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for r in rows:
        indices.extend(r.coef)
        data.extend(r.coef.values())
        indptr.append(len(indices))
    return csr_array((data, indices, indptr), shape=(len(rows), n))


@contextlib.contextmanager
def native_stdout_silenced() -> Iterator[None]:
    """Silence what native code prints on standard output (file descriptor 1) meanwhile.

    HiGHS, the solver behind ``scipy.optimize.milp``, prints debugging lines with C's
    ``printf`` on some problems ("HighsMipSolverData::transformNewIntegerFeasibleSolution
    ..."), whatever its display option, which corrupted ``readiness plan --format json``.
    Python's own ``sys.stdout`` is flushed first and C's buffers before file descriptor 1
    is given back, so nothing printed before or after moves. The redirection is
    process-wide, so plans are not solved while another thread writes to standard output.
    """
    try:
        saved = os.dup(1)
    except OSError:  # no standard output at all: nothing to protect
        yield
        return
    if sys.stdout is not None:  # None under pythonw
        sys.stdout.flush()
    _flush_c_stdio()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        _flush_c_stdio()  # what the solver printed goes to /dev/null, not out later
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


def _flush_c_stdio() -> None:
    """``fflush(NULL)``: C's buffered output, where the C library can be reached."""
    fflush = _c_fflush()
    if fflush is not None:
        fflush(None)


@functools.cache
def _c_fflush() -> Any:
    """The C library's ``fflush``, looked up once (``None`` where it cannot be reached,
    as on Windows, which has no ``CDLL(None)``)."""
    try:
        return ctypes.CDLL(None).fflush
    except (OSError, AttributeError, TypeError):
        return None


# --- a plan under uncertainty ------------------------------------------------------------

Method = Literal["exact", "sampled"]


class _RubricRef(TypedDict):
    id: str
    version: str


class _TargetData(TypedDict):
    band: str | None
    score: float | None


class LowerPlanData(TypedDict):
    """The plan on the lower bound beside a plan with a chance."""

    status: Status
    levels: dict[str, int]
    effort: float | None
    reason: str | None


class ChancePlanData(TypedDict):
    """The JSON document of a plan with a chance (``readiness plan --confidence P
    --format json``; ``readiness schema chance-plan``)."""

    partnership: str
    rubric: _RubricRef
    target: _TargetData
    confidence: float
    profile: str
    status: Status
    reason: str | None
    reached: bool
    levels: dict[str, int]
    effort: float | None
    probability: float | None
    probability_now: float | None
    method: Method
    completions: int
    seed: int | None
    uncertain: list[str]
    on_lower_bound: LowerPlanData


@dataclass(frozen=True, eq=False)
class ChancePlan(Rendered):
    """The least-effort levels that reach a target with a given chance over the unknowns.

    The uncertain criteria (unknown ones, low-confidence ratings) take levels as in
    :mod:`readiness.rate_first`: each *completion* gives each of them a level, with a
    weight. A plan raises criteria to planned levels (a criterion already above its
    planned level in a completion stays there); it reaches the target in a completion
    when the completion's score, everything known, reaches it (gates apply).
    ``probability`` is the weighted share of completions where it does: at least
    ``confidence`` for a plan. The plan is the cheapest such one over these completions,
    solved as one mixed-integer program with a binary per completion (a chance
    constraint); exact over the discrete distribution when every completion is
    enumerated (``method`` ``exact``), over the drawn completions otherwise.

    Effort counts as the plan on the lower bound does: an unrated criterion from level 0,
    a rating from its level. ``on_lower`` is that plan (``unknown='lower'``: it reaches
    the target whatever the unknowns turn out to be), for comparison: its effort is never
    less than this plan's.

    Attributes:
        levels: Criterion id -> planned level, for the criteria the plan raises.
        probability_now: The share of completions that reach the target without a plan.
        columns: Ids of the uncertain criteria; ``completions`` (N, u) their levels in
            each completion, ``weights`` (N,) the completions' weights.
    """

    assessment: Assessment
    target: Target
    confidence: float
    profile: str
    status: Status
    reason: str | None
    levels: Mapping[str, int]
    effort: float
    probability: float
    probability_now: float
    method: Method
    seed: int | None
    on_lower: Plan
    columns: tuple[str, ...]
    completions: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    solve_seconds: float = 0.0

    @property
    def reached(self) -> bool:
        """Whether the plan reaches the target with at least the asked chance."""
        return self.status != "infeasible" and self.probability >= self.confidence - 1e-12

    def to_dict(self) -> ChancePlanData:
        a = self.assessment
        lower = self.on_lower
        return {
            "partnership": a.partnership.id,
            "rubric": {"id": a.rubric.id, "version": a.rubric.version},
            "target": {"band": self.target.band, "score": rounded(self.target.score, 4)},
            "confidence": self.confidence,
            "profile": self.profile,
            "status": self.status,
            "reason": self.reason,
            "reached": self.reached,
            "levels": dict(self.levels),
            "effort": rounded(self.effort, 4),
            "probability": rounded(self.probability, 4),
            "probability_now": rounded(self.probability_now, 4),
            "method": self.method,
            "completions": len(self.weights),
            "seed": self.seed,
            "uncertain": list(self.columns),
            "on_lower_bound": {
                "status": lower.status,
                "levels": dict(lower.levels),
                "effort": rounded(lower.effort, 4),
                "reason": lower.reason,
            },
        }

    def to_document(self) -> Document:
        """The plan beside the plan on the lower bound: facts, then one row per criterion
        either raises."""
        from readiness.document import Facts
        from readiness.document.words import chance as words

        a = self.assessment
        lower = self.on_lower
        goal = _goal_name(a, self.target)
        facts = [
            ("Target", words.target(goal, self.confidence)),
            ("Status", words.status(self.status, self.reason)),
            ("Reached in", words.reached(self.probability, self.probability_now)),
            ("Completions", words.completions(self.method, len(self.weights), self.seed)),
            ("Effort", words.effort(self.effort, lower.effort, lower.status)),
        ]
        blocks: list[Any] = [Facts.of(facts)]
        raised = sorted(set(self.levels) | set(lower.levels), key=a.rubric.criterion_ids.index)
        if raised:
            blocks.append(
                Table(
                    (
                        Column("criterion"),
                        Column("now"),
                        Column(words.with_chance(self.confidence), "count"),
                        Column("on the lower bound", "count"),
                    ),
                    tuple(
                        Row(
                            (
                                line(code(cid)),
                                _now(a, cid),
                                self.levels.get(cid),
                                lower.levels.get(cid),
                            )
                        )
                        for cid in raised
                    ),
                )
            )
        elif self.status != "infeasible":
            blocks.append(Paragraph.of(words.nothing_to_do()))
        blocks.append(Paragraph.of(words.how()))
        return Document(
            words.title(goal, self.confidence, a.partnership.name),
            tuple(blocks),
            "chance-plan",
            dict(self.to_dict()),
        )

    def __repr__(self) -> str:
        return (
            f"<ChancePlan {self.assessment.partnership.id} to {self.target.label} "
            f"(p >= {self.confidence:g}): {self.status}, effort {self.effort:g}, "
            f"probability {self.probability:.3f}; on the lower bound {self.on_lower.effort:g}>"
        )


def _goal_name(a: Assessment, goal: Target) -> str:
    from readiness.document.words import chance as words

    return words.goal(goal.score) if goal.band is None else a.rubric.band(goal.band).name


def _now(a: Assessment, cid: str) -> str:
    c = a.criterion(cid)
    if c.level is None:
        return "unrated"
    low = a.low_confidence[0, a.rubric.criterion_index[cid]]
    return f"{c.level} (low confidence)" if low else str(c.level)


def chance_plan(
    a: Assessment,
    target: str | float,
    confidence: float = 0.9,
    *,
    samples: int = 100,
    seed: int = 0,
    profile: str | None = None,
    time_limit: float = 30.0,
) -> ChancePlan:
    """The cheapest plan that reaches ``target`` with probability at least ``confidence``
    over the unknown and low-confidence criteria (see :class:`ChancePlan`).

    Args:
        a: The assessment to plan from.
        target: A band id or name, or a score 0-100.
        confidence: The chance the plan must reach the target with, in (0, 1].
        samples: Completions drawn when there are too many to enumerate
            (:data:`readiness.rate_first.MAX_EXACT`).
        seed: Seed of those draws.
        profile: The profile whose levels prerequisites refer to.
        time_limit: Seconds the solver may spend (a plan found by then is returned as
            ``not-proven``).

    Raises:
        InputError: A bad target, confidence, samples or seed; or a rubric whose
            pillars or overall score are not arithmetic means (the chance constraint is
            exact for linear scores only).

    >>> from readiness import assess, load_partnership
    >>> a = assess(load_partnership("examples/partnerships/anzus.json"))
    >>> p = chance_plan(a, "advanced", 0.9)
    >>> p.status, p.probability >= 0.9, p.effort <= p.on_lower.effort
    ('optimal', True, True)
    """
    from readiness.gaps import resolve_profile
    from readiness.rate_first import check_sampling, completions, uncertain_levels

    goal = _target(a, target)
    if goal is None:
        raise InputError(
            [Problem("target", "give a target: a band or a score 0-100")], source="plan"
        )
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not 0 < confidence <= 1
    ):
        raise InputError(
            [Problem("confidence", f"must be a probability in (0, 1] (got {confidence!r})")],
            source="plan",
        )
    check_sampling(samples, seed, "plan")
    chosen, _ = resolve_profile(a, profile)
    problem = _Problem(a, "lower", chosen, time_limit)
    model = problem.model
    methods = {*model.pillar_method, model.overall_method}
    if methods != {"arithmetic"}:
        raise InputError(
            [
                Problem(
                    "rubric",
                    "a plan with a confidence needs arithmetic pillars and overall score "
                    f"(this rubric uses {', '.join(sorted(methods))})",
                )
            ],
            source="plan",
        )
    t0 = time.perf_counter()
    on_lower = problem.plan(goal, None)
    columns, _, probs = uncertain_levels(a)
    comp = completions(probs, samples, seed)
    scenarios = _scenarios(problem, columns, comp.levels)
    weights, scenarios = _merged(comp.weights, scenarios)
    ceiling = on_lower.effort if on_lower.status == "optimal" else None
    solver = _ChanceSolver(problem, goal, scenarios, weights, float(confidence), ceiling)
    status, planned, reason = solver.solve()
    now = solver.reached(np.full(model.n_criteria, -1.0)) @ weights
    levels: dict[str, int] = {}
    effort, probability = 0.0, float(now)
    if planned is not None:
        levels = {problem.ids[j]: int(v) for j, v in enumerate(planned.tolist()) if v >= 0}
        effort = problem.cost(planned)
        probability = float(solver.reached(planned) @ weights)
    elif reason is None:
        best = solver.reached(np.where(problem.plannable, float(LEVEL_MAX), -1.0))
        reason = (
            f"with every criterion at level 4 the target is reached in "
            f"{float(best @ weights):.1%} of completions"
        )
    return ChancePlan(
        assessment=a,
        target=goal,
        confidence=float(confidence),
        profile=chosen.id,
        status=status,
        reason=reason,
        levels=levels,
        effort=effort,
        probability=probability,
        probability_now=float(now),
        method=comp.method,
        seed=comp.seed,
        on_lower=on_lower,
        columns=tuple(problem.ids[j] for j in columns.tolist()),
        completions=comp.levels,
        weights=comp.weights,
        solve_seconds=time.perf_counter() - t0,
    )


def _merged(weights: np.ndarray, scenarios: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equal completions (draws repeat) as one, their weights added."""
    filled = np.nan_to_num(scenarios, nan=-1.0)
    _, first, inverse = np.unique(filled, axis=0, return_index=True, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=weights, minlength=len(first))
    return merged, scenarios[first]


def _scenarios(problem: _Problem, columns: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """(N, m) every criterion's level in each completion (NaN: not applicable)."""
    a = problem.a
    levels = np.where(np.isnan(a.levels[0]), 0.0, a.levels[0])
    levels = np.where(problem.na, np.nan, levels)
    out = np.repeat(levels[None, :], len(drawn), axis=0)
    out[:, columns] = drawn
    return out


_MAX_PAIRS = 20_000


def _dominated_pairs(x: np.ndarray) -> list[tuple[int, int]]:
    """(s, t) pairs of completions where s is at least t in every criterion (s != t),
    at most :data:`_MAX_PAIRS` of them."""
    filled = np.nan_to_num(x, nan=0.0)
    ge = (filled[:, None, :] >= filled[None, :, :]).all(axis=2)
    np.fill_diagonal(ge, False)
    s, t = np.nonzero(ge)
    return list(zip(s[:_MAX_PAIRS].tolist(), t[:_MAX_PAIRS].tolist(), strict=True))


def _start_sum(contrib: np.ndarray, raised: np.ndarray) -> np.ndarray:
    """(N,) the planned criteria's points in each completion when none is raised."""
    return np.asarray(contrib[:, ~raised].sum(axis=1))


def _top_sum(contrib: np.ndarray, var_crit: np.ndarray) -> np.ndarray:
    """(N,) the planned criteria's most points in each completion (each at its best)."""
    out = np.zeros(contrib.shape[0])
    for j in np.unique(var_crit).tolist():
        out += contrib[:, var_crit == j].max(axis=1)
    return out


class _ChanceSolver:
    """The chance-constrained program over completions, and its true scoring."""

    def __init__(
        self,
        problem: _Problem,
        goal: Target,
        scenarios: np.ndarray,
        weights: np.ndarray,
        confidence: float,
        ceiling: float | None = None,
    ) -> None:
        self.ceiling = ceiling
        """Effort no plan needs to exceed (the plan on the lower bound's)."""
        self.p = problem
        self.goal = goal
        self.x = scenarios
        self.w = weights
        self.confidence = confidence
        model = problem.model
        na = problem.na
        # the raw score is linear in the levels once everything is known (arithmetic)
        probe = np.where(na, np.nan, 0.0)[None, :].repeat(model.n_criteria + 1, axis=0)
        for j in range(model.n_criteria):
            if not na[j]:
                probe[j + 1, j] = 1.0
        raw = score_matrix(
            probe,
            model,
            not_applicable=np.repeat(na[None, :], len(probe), 0),
            unknown_policy="exclude",
            min_coverage=0.0,
        ).raw
        self.coef = np.nan_to_num(raw[1:] - raw[0])

    def reached(self, planned: np.ndarray) -> np.ndarray:
        """(N,) whether each completion reaches the goal with ``planned`` levels (-1: left),
        scored by the kernel."""
        rows = np.where(planned >= 0, np.fmax(self.x, planned), self.x)
        s = score_matrix(
            rows,
            self.p.model,
            not_applicable=np.repeat(self.p.na[None, :], len(rows), 0),
            unknown_policy="exclude",
            min_coverage=self.p.a.options.min_coverage,
        )
        ok = ~np.isnan(s.overall) & (s.overall >= self.goal.score)
        if self.goal.band is not None:
            ok &= s.band >= self.p.band_index(self.goal.band)
        return ok.astype(np.float64)

    def _rows(self) -> list[_Row]:
        p, n = self.p, len(self.w)
        z0 = p.n_x  # completion s's binary is z0 + s
        var_crit = np.array(p.var_crit, dtype=np.intp)
        var_level = np.array(p.var_level, dtype=np.float64)
        raised = var_level > p.start[var_crit]
        # the level each binary gives criterion j in each completion: (N, n_x)
        held = self.x[:, var_crit]
        eff = np.where(raised[None, :], np.fmax(held, var_level[None, :]), held)
        fixed = np.ones(self.p.model.n_criteria, dtype=bool)
        fixed[var_crit] = False
        fixed &= ~p.na
        const = self.x[:, fixed] @ self.coef[fixed] if fixed.any() else np.zeros(n)
        contrib = eff * self.coef[var_crit][None, :]
        rows: list[_Row] = []
        score = self.goal.score
        # raw_s >= target where z_s is 1; where it is 0, raw_s is at least its value
        # without a plan (floor_s), which the row then says: the tightest big-M
        floor = const + _start_sum(contrib, raised)
        top = const + _top_sum(contrib, var_crit)
        for s in range(n):
            if top[s] < score - 1e-9:  # out of reach whatever the plan: never counts
                rows.append(_Row({z0 + s: 1.0}, -np.inf, 0.0))
                continue
            coef = {v: float(c) for v, c in enumerate(contrib[s].tolist()) if c}
            coef[z0 + s] = -(score - float(floor[s]))
            rows.append(_Row(coef, float(floor[s] - const[s]) - 1e-9, np.inf))
        for g, _, _ in p.required_gates(self.goal):
            j = int(p.model.gate_criterion[g])
            need = float(p.model.gate_min[g])
            own = np.flatnonzero(var_crit == j)
            for s in range(n):
                passing = [int(v) for v in own.tolist() if eff[s, v] >= need]
                if not len(own):  # not planned: it passes or fails as it stands
                    if self.x[s, j] < need:
                        rows.append(_Row({z0 + s: 1.0}, -np.inf, 0.0))
                    continue
                rows.append(_Row({z0 + s: 1.0} | dict.fromkeys(passing, -1.0), -np.inf, 0.0))
        chance = {z0 + s: float(self.w[s]) for s in range(n)}
        rows.append(_Row(chance, self.confidence - 1e-12, np.inf))
        # a completion at least as high everywhere as one that is reached is reached too
        # (scores and gates only gain from higher levels): valid rows that cut the search
        for s, t in _dominated_pairs(self.x):
            rows.append(_Row({z0 + t: 1.0, z0 + s: -1.0}, -np.inf, 0.0))
        if self.ceiling is not None:
            rows.append(_Row(p.cost_row(), -np.inf, self.ceiling + 1e-9))
        return rows

    def solve(self) -> tuple[Status, np.ndarray | None, str | None]:
        from scipy.optimize import Bounds, LinearConstraint, milp

        p, n = self.p, len(self.w)
        total = p.n_x + n
        cost = np.concatenate([np.array(p.var_cost, dtype=np.float64), np.zeros(n)])
        rows = [*p.rows, *self._rows()]
        for _ in range(_MAX_ROUNDS):
            with native_stdout_silenced():
                res = milp(
                    cost,
                    integrality=np.ones(total),
                    bounds=Bounds(np.zeros(total), np.ones(total)),
                    constraints=[
                        LinearConstraint(
                            _sparse(rows, total),
                            np.array([r.lb for r in rows]),
                            np.array([r.ub for r in rows]),
                        )
                    ],
                    options={"mip_rel_gap": 0.0, "time_limit": p.time_limit},
                )
            if res.x is None:
                if res.status == 2:
                    return "infeasible", None, None
                return "not-proven", None, "the solver stopped before finding a plan"
            planned = p.decode(np.asarray(res.x))
            if float(self.reached(planned) @ self.w) >= self.confidence - 1e-12:
                if res.status == 0:
                    return "optimal", planned, None
                return "not-proven", planned, "the solver stopped at its time limit"
            rows.append(p.nogood(np.asarray(res.x)))  # reached only within tolerance
        return "not-proven", None, f"no plan confirmed after {_MAX_ROUNDS} solver rounds"

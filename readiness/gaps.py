"""Gaps against a target profile, their exact impact, and the order to close them.

The impact of a gap is computed by re-scoring, never estimated: the partnership is
scored again with that one criterion at its target level (gates included), and the
impact is the change in the overall score. All candidates are scored in one matrix.

When the overall score is absent (coverage below the minimum), impacts are measured
on the lower bound instead, and the report says so (``basis``).

Unknown criteria are *evidence gaps*: they are not below target, they are unrated.
They are listed apart, with the gain that rating them at target would bring to the
lower bound.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from readiness._display import render
from readiness._numbers import optional, rounded
from readiness.rubric import Profile
from readiness.scoring import Scores, ScoringModel, score_matrix

if TYPE_CHECKING:
    import pandas as pd

    from readiness.assessment import Assessment

__all__ = ["Gap", "GapReport", "Roadmap", "RoadmapStep", "gap_report"]

Basis = Literal["overall", "lower"]


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

    @property
    def impact_per_effort(self) -> float:
        return self.impact / self.effort_units if self.effort_units else 0.0


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


@dataclass(frozen=True)
class Roadmap:
    """The order to close gaps: prerequisites first, then impact per unit of effort."""

    report: GapReport
    steps: tuple[RoadmapStep, ...]
    start: float

    def to_frame(self) -> pd.DataFrame:
        """One row per step; ``waited_for`` lists the prerequisites it waited for."""
        import pandas as pd

        rows = [
            vars(s)
            | {
                "waited_for": ", ".join(s.waited_for),
                "unrated_prerequisites": ", ".join(s.unrated_prerequisites),
            }
            for s in self.steps
        ]
        return pd.DataFrame(rows).set_index("step")

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": self.report.basis,
            "start": rounded(self.start),
            "steps": [
                {k: (rounded(v) if isinstance(v, float) else v) for k, v in vars(s).items()}
                | {
                    "waited_for": list(s.waited_for),
                    "unrated_prerequisites": list(s.unrated_prerequisites),
                }
                for s in self.steps
            ],
        }

    def to_markdown(self) -> str:
        """The steps as a Markdown table (rendered by ``readiness.report``)."""
        return str(render(self, "markdown"))


@dataclass(frozen=True)
class GapReport:
    """The gaps of one assessment against one target profile, ranked by impact."""

    assessment: Assessment
    profile: Profile
    profile_reason: str
    basis: Basis
    base: float
    gaps: tuple[Gap, ...]
    evidence_gaps: tuple[Gap, ...]

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
            j = self.assessment.rubric.criterion_ids.index(g.criterion)
            levels[0, j] = g.target
            low[0, j] = False  # a criterion brought to target is a new, firm rating
        s = _rescore(self.assessment, levels, low)
        return float(_basis_values(s, self.basis)[0])

    def roadmap(self) -> Roadmap:
        """Close the gaps in order: prerequisites first, then the best gain per effort.

        At each step every gap whose prerequisites have no open gap is re-scored, and
        the one with the largest gain per unit of effort is taken (ties: larger gain,
        then criterion id). The gain is measured after the earlier steps, so it
        accounts for interactions (gates, geometric means).
        """
        a = self.assessment
        ids = a.rubric.criterion_ids
        levels = a.levels.copy()
        low = a.low_confidence.copy()
        open_gaps = {g.criterion: g for g in self.gaps}
        current = self.base
        effort = 0.0
        steps: list[RoadmapStep] = []
        model = ScoringModel.from_rubric(a.rubric)
        while open_gaps:
            ready = sorted(  # by id, so that max() below keeps the smallest id on a tie
                (g for g in open_gaps.values() if not any(p in open_gaps for p in g.prerequisites)),
                key=lambda g: g.criterion,
            )
            if not ready:  # impossible for a valid (acyclic) rubric
                ready = sorted(open_gaps.values(), key=lambda g: g.criterion)
            batch = np.repeat(levels, len(ready), axis=0)
            batch_low = np.repeat(low, len(ready), axis=0)
            for r, g in enumerate(ready):
                j = ids.index(g.criterion)
                batch[r, j] = g.target
                batch_low[r, j] = False
            s = _rescore(a, batch, batch_low)
            values = _basis_values(s, self.basis)
            gains = values - current
            best = max(
                range(len(ready)),
                key=lambda r: (
                    _settled(float(gains[r]) / ready[r].effort_units),
                    _settled(float(gains[r])),
                ),
            )
            g = ready[best]
            j = ids.index(g.criterion)
            levels[0, j] = g.target
            low[0, j] = False
            effort += g.effort_units
            current = float(values[best])
            band = int(s.band[best])
            steps.append(
                RoadmapStep(
                    step=len(steps) + 1,
                    criterion=g.criterion,
                    title=g.title,
                    from_level=g.current if g.current is not None else 0,
                    to_level=g.target,
                    impact=float(gains[best]),
                    effort_units=g.effort_units,
                    score_after=current,
                    effort_after=effort,
                    band_after=model.band_ids[band] if band >= 0 else None,
                    waited_for=tuple(
                        p for p in g.prerequisites if p in {x.criterion for x in self.gaps}
                    ),
                    unrated_prerequisites=tuple(
                        p for p in g.prerequisites if a.criterion(p).state == "unknown"
                    ),
                )
            )
            del open_gaps[g.criterion]
        return Roadmap(report=self, steps=tuple(steps), start=self.base)

    # --- rendering ---------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """One row per gap (evidence gaps last), ranked by impact."""
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
                "next_step": g.remediation[0][1] if g.remediation else None,
            }
            for g in (*self.gaps, *self.evidence_gaps)
        ]
        columns = [
            "criterion", "pillar", "title", "status", "current", "target", "gap",
            "impact", "effort", "effort_units", "impact_per_effort", "next_step",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns).astype({"current": "Int64"})

    def to_dict(self) -> dict[str, Any]:
        a = self.assessment
        return {
            "partnership": a.partnership.id,
            "rubric": {"id": a.rubric.id, "version": a.rubric.version},
            "target": {"profile": self.profile.id, "reason": self.profile_reason},
            "basis": self.basis,
            "base": rounded(self.base),
            "gaps": [_gap_dict(g) for g in self.gaps],
            "evidence_gaps": [_gap_dict(g) for g in self.evidence_gaps],
        }

    def to_markdown(self) -> str:
        """The ranked gaps as a Markdown section, heading level 2 (see ``readiness.report``)."""
        return str(render(self, "markdown"))

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

    def _repr_html_(self) -> str:
        """Notebook display: the target, ranked gaps and unrated criteria (escaped)."""
        return str(render(self, "html"))


def _gap_dict(g: Gap) -> dict[str, Any]:
    return {
        "criterion": g.criterion,
        "pillar": g.pillar,
        "status": g.status,
        "current": g.current,
        "target": g.target,
        "gap": g.gap,
        "impact": rounded(g.impact),
        "effort": g.effort,
        "effort_units": g.effort_units,
        "remediation": [{"to_level": lv, "action": text} for lv, text in g.remediation],
        "prerequisites": list(g.prerequisites),
        "facts_to_change": list(g.facts_to_change),
    }


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


def resolve_profile(a: Assessment, target: str | None) -> tuple[Profile, str]:
    """The target profile to use and why."""
    rubric, p = a.rubric, a.partnership
    if target is not None:
        try:
            return rubric.profile(target), "named in the call"
        except KeyError:
            from readiness.errors import InputError

            names = ", ".join(x.id for x in rubric.profiles)
            raise InputError(f"unknown target profile {target!r} (known: {names})") from None
    if p.target is not None:
        return rubric.profile(p.target), "named in the partnership file"
    status = p.status_on()  # a profile may list a status (dissolving) among its kinds
    for profile in rubric.profiles:
        if status is not None and status in profile.kinds:
            return profile, f"selected by the partnership's status: {status} on {p.as_of}"
    for profile in rubric.profiles:
        if p.kind in profile.kinds:
            return profile, f"selected by the partnership kind {p.kind}"
    return rubric.profile(), "the rubric's default profile"


def gap_report(a: Assessment, target: str | None = None) -> GapReport:
    """Build the gap report of an assessment against a target profile."""
    profile, why = resolve_profile(a, target)
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
    # one matrix: every candidate at its target; evidence gaps are judged on the lower bound
    levels = np.repeat(a.levels, max(len(candidates), 1), axis=0)
    low = np.repeat(a.low_confidence, max(len(candidates), 1), axis=0)
    for r, (j, _, goal) in enumerate(candidates):
        levels[r, j] = goal
        low[r, j] = False
    s = _rescore(a, levels, low) if candidates else None
    derived = a.derivations
    gaps: list[Gap] = []
    evidence: list[Gap] = []
    for r, (j, c, goal) in enumerate(candidates):
        criterion = rubric.criteria[j]
        assert s is not None
        start = c.level if c.level is not None else 0
        steps = goal - start
        if c.state == "unknown":
            impact = float(s.lower[r] - a.lower)
        else:
            impact = float(_basis_values(s, basis)[r] - base)
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
            effort_units=rubric.effort_scale[criterion.effort] * max(steps, 1),
            remediation=tuple((lv, criterion.remediation[lv]) for lv in range(start + 1, goal + 1)),
            prerequisites=criterion.prerequisites,
            facts_to_change=(
                derived[c.id].facts_to_reach(goal)
                if c.id in derived and c.origin in ("derived", "unknown")
                else ()
            ),
        )
        (evidence if c.state == "unknown" else gaps).append(gap)
    gaps.sort(key=_rank)
    evidence.sort(key=lambda g: (-_settled(g.impact), g.criterion))
    return GapReport(
        assessment=a,
        profile=profile,
        profile_reason=why,
        basis=basis,
        base=float(base),
        gaps=tuple(gaps),
        evidence_gaps=tuple(evidence),
    )


def _settled(value: float) -> float:
    """A score difference rounded below float noise, so ties stay ties on any BLAS."""
    return round(float(value), 9)


def _rank(g: Gap) -> tuple[float, float, str]:
    """Gaps ordered by impact, then impact per effort, then id."""
    return (-_settled(g.impact), -_settled(g.impact_per_effort), g.criterion)

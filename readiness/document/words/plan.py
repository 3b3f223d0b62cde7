"""Words of a plan and of the effort-score frontier.

Each function takes plain values (numbers, ids, band and criterion names, the rubric's
own text) and returns plain text; :mod:`readiness.plan` lays the sentences out.
"""

from __future__ import annotations

from collections.abc import Sequence

from readiness.document.words.numbers import score

__all__ = [
    "after",
    "after_prerequisites",
    "axis_basis",
    "axis_effort",
    "basis",
    "basis_name",
    "best_not_proven",
    "effort",
    "effort_size",
    "frontier_chart_alt",
    "frontier_intro",
    "frontier_label",
    "frontier_legend",
    "frontier_title",
    "gate",
    "gate_passed",
    "goal",
    "levels",
    "no_plan_found",
    "no_point_score",
    "no_score",
    "not_rated_now",
    "nothing_to_do",
    "now",
    "now_low_confidence",
    "out_of_reach",
    "over_budget",
    "plan_chart_alt",
    "plan_marker",
    "prerequisites",
    "round_limit",
    "rubric",
    "status",
    "steps_heading",
    "target_line",
    "time_limit",
    "title",
    "to_level",
    "unrated",
    "unrated_gate",
    "unrated_prerequisites",
    "why",
]

_STATUS = {
    "optimal": "proven cheapest",
    "not-proven": "not proven cheapest",
    "infeasible": "no plan reaches the target",
}


# --- the plan's heading and summary ------------------------------------------------------


def goal(band: str | None, target_score: float | None, budget: float | None) -> str:
    """``to Advanced (score 70) within a budget of 20 effort units`` (either part may go).

    Args:
        band: The target band's name, when the target is a band.
        target_score: The target score (``None``: no target).
        budget: The budget in effort units (``None``: none).
    """
    parts = []
    if target_score is not None:
        parts.append(f"to {band} (score {target_score:g})" if band else f"to {target_score:g}")
    if budget is not None:
        parts.append(f"within a budget of {budget:g} effort units")
    return " ".join(parts)


def title(goal: str, partnership: str | None = None) -> str:
    """``Cheapest plan for FPDA to Advanced (score 70)`` (without ``for``: no name)."""
    whose = f" for {partnership}" if partnership else ""
    return f"Cheapest plan{whose} {goal}"


def status(status: str, *, budget: bool, target: bool, reached: bool) -> str:
    """``Status: proven cheapest.``: what the solver proved about the plan.

    Args:
        status: ``optimal``, ``not-proven`` or ``infeasible``.
        budget: Whether the plan was made within a budget.
        target: Whether a target was given.
        reached: Whether the plan reaches its target.
    """
    if status == "optimal" and budget and not reached:
        said = "the best score within the budget (proven); the target is not reached"
    elif status == "optimal" and budget and not target:
        said = "the best score within the budget (proven)"
    else:
        said = _STATUS[status]
    return f"Status: {said}."


def why(reasons: Sequence[str]) -> str:
    """``Why: ...``: the reasons a plan is not proven or does not exist, in one sentence."""
    return f"Why: {'; '.join(reasons)}."


def effort(effort: float, steps: int, start: float | None, end: float | None, band: str) -> str:
    """``Effort 123 units over 25 criteria: score 25.3 -> 70.2 (Advanced).``"""
    return (
        f"Effort {effort:g} units over {steps} criteria: score "
        f"{score(start)} -> {score(end)} ({band})."
    )


def basis(unknown: str) -> str:
    """What the plan's scores measure: the lower bound, or the point score."""
    if unknown == "lower":
        return (
            "Planned on the lower bound: unrated criteria count as level 0 and "
            "low-confidence ratings one level down until raised, so what the plan reaches "
            "holds whatever the unrated criteria turn out to be."
        )
    return (
        "Planned on the point score: unrated criteria stay unrated (rate them first; "
        "their ratings can move the score either way)."
    )


def basis_name(unknown: str) -> str:
    """``lower bound`` or ``score``: what a plan's or a frontier's scores are."""
    return "lower bound" if unknown == "lower" else "score"


def unrated(ids: Sequence[str]) -> str:
    """``Unrated criteria: a, b.``"""
    return f"Unrated criteria: {', '.join(ids)}."


def prerequisites(profile: str) -> str:
    """How prerequisites bind a plan, with the profile they refer to."""
    return (
        f"Prerequisites refer to profile {profile}: a criterion may rise to a level "
        "only when each prerequisite stands at that level or at the profile's level for "
        "it, whichever is lower."
    )


def nothing_to_do() -> str:
    """A plan without steps that reaches its target."""
    return "The target is already reached: nothing to do."


def rubric(label: str) -> str:
    """``Rubric default@2.`` (the rubric the plan was made against)."""
    return f"Rubric {label}."


# --- the steps ---------------------------------------------------------------------------


def steps_heading() -> str:
    """The heading of the steps said in the rubric's words."""
    return "Steps in the rubric's words"


def levels(from_level: int | None, to_level: int) -> str:
    """``2 → 4``, or ``unrated → 4``."""
    frm = "unrated" if from_level is None else str(from_level)
    return f"{frm} → {to_level}"


def effort_size(size: str) -> str:
    """``low effort``: a criterion's effort size."""
    return f"{size} effort"


def now(descriptor: str) -> str:
    """``Now: <the rubric's descriptor of the level now>``."""
    return f"Now: {descriptor}"


def now_low_confidence(descriptor: str, counted: int) -> str:
    """The level now, rated with low confidence: the lower bound counts one level down."""
    return f"{descriptor} (low confidence: the lower bound counts level {counted})"


def not_rated_now(descriptor: str) -> str:
    """An unrated criterion, planned from level 0 (``descriptor``: level 0's)."""
    return f"not rated: planned from level 0, the worst case ({descriptor})"


def after(descriptor: str) -> str:
    """``After: <the rubric's descriptor of the level reached>``."""
    return f"After: {descriptor}"


def to_level(level: int, action: str) -> str:
    """``To level 3: <the remediation for that level>``."""
    return f"To level {level}: {action}"


def gate_passed(min_level: int, band: str, rubric_reason: str) -> str:
    """The gate a step passes and the cap it lifts (``band``: the cap's band name)."""
    return (
        f"passes its gate (level {min_level}): the cap at {band} "
        f"no longer applies ({rubric_reason})"
    )


def gate(passed: str) -> str:
    """``Gate: <the gate passed>``."""
    return f"Gate: {passed}"


def after_prerequisites(ids: Sequence[str]) -> str:
    """Prerequisites raised by earlier steps."""
    return f"After its prerequisites: {', '.join(ids)}"


def unrated_prerequisites(ids: Sequence[str]) -> str:
    """Prerequisites nobody has rated."""
    return f"Unrated prerequisites (rate them first): {', '.join(ids)}"


# --- why there is no (proven) plan --------------------------------------------------------


def unrated_gate(criterion: str, min_level: int, band: str) -> str:
    """An unrated gate caps the point score below the target (``band``: the cap's name)."""
    return (
        f"{criterion} is unrated and its gate (level {min_level}) caps the score "
        f"at {band}: rate it first, or plan on the lower bound (unknown='lower')"
    )


def no_point_score(why: str | None) -> str:
    """The point score does not exist (``why``: the assessment's reason, if any)."""
    return (
        f"the point score does not exist ({why or 'too little is rated'}); "
        "rate more criteria first, or plan on the lower bound (unknown='lower')"
    )


def out_of_reach(unknown: str, best: float, band: str | None, target: str, unrated_out: int) -> str:
    """Even every criterion at level 4 misses the target.

    Args:
        unknown: How unrated criteria are planned (``lower`` or ``rate-first``).
        best: The best reachable score on this basis.
        band: The band id of that score, if any.
        target: The target's label (a band id or a score).
        unrated_out: Unrated criteria left out until rated (``rate-first``).
    """
    basis = "lower bound" if unknown == "lower" else "point score"
    said = (
        f"even with every criterion at level 4 the {basis} is {best:.1f}"
        + (f" ({band})" if band else "")
        + f", short of the target {target}"
    )
    if unrated_out:
        said += f"; {unrated_out} unrated criteria stay out until rated"
    return said


def over_budget(target: str, budget: float) -> str:
    """The best plan within the budget misses the target."""
    return f"the target {target} is out of reach within a budget of {budget:g}"


def no_plan_found() -> str:
    """The solver stopped without a plan."""
    return "the solver stopped before finding a plan"


def time_limit() -> str:
    """The solver's time limit ended the proof."""
    return "the solver stopped at its time limit"


def round_limit(rounds: int) -> str:
    """No proven plan within the rounds of cuts allowed."""
    return f"no proven plan after {rounds} solver rounds"


def no_score() -> str:
    """No score exists on the plan's basis."""
    return "no score exists on this basis"


def best_not_proven() -> str:
    """The best score within a budget is not proven."""
    return "the solver could not prove this is the best score within the budget"


# --- the frontier --------------------------------------------------------------------------


def frontier_title() -> str:
    """The frontier's heading."""
    return "Effort and score: the frontier"


def frontier_intro(unknown: str, proven: bool, reason: str | None) -> str:
    """What the frontier holds (and why it is not all proven, if it is not)."""
    not_proven = "" if proven else f" (not all proven: {reason or ''})"
    return f"Every plan that no other beats on both effort and {basis_name(unknown)}{not_proven}."


def frontier_label(partnership: str, points: int, first: float, last: float) -> str:
    """The frontier chart's accessible label."""
    return f"Effort-score frontier of {partnership}: {points} plans from {first:.1f} to {last:.1f}"


def plan_chart_alt() -> str:
    """What the chart of a plan shows."""
    return "The effort-score frontier, with this plan and its target marked"


def frontier_chart_alt() -> str:
    """What the frontier chart shows."""
    return "The effort-score frontier: the best score for each effort"


def frontier_legend() -> str:
    """The legend of the frontier's staircase."""
    return "Best score for the effort"


def axis_effort() -> str:
    """The frontier chart's effort axis."""
    return "Effort (units of the rubric's effort scale)"


def axis_basis(unknown: str) -> str:
    """The frontier chart's score axis: ``Lower bound`` or ``Overall score``."""
    return "Lower bound" if unknown == "lower" else "Overall score"


def plan_marker(effort: float) -> str:
    """The legend of the plan marked on the frontier chart."""
    return f"This plan ({effort:g} units)"


def target_line(target_score: float) -> str:
    """The legend of the target line on the frontier chart."""
    return f"Target ({target_score:g})"

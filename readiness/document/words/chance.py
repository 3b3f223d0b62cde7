"""Words of a plan under uncertainty: its target, its chance and its effort."""

from __future__ import annotations

__all__ = [
    "completions",
    "effort",
    "goal",
    "how",
    "nothing_to_do",
    "reached",
    "status",
    "target",
    "title",
    "with_chance",
]

_STATUS = {
    "optimal": "optimal (proven cheapest over these completions)",
    "not-proven": "a plan, not proven cheapest",
    "infeasible": "no plan reaches the target with this chance",
}


def target(goal: str, confidence: float) -> str:
    """``Advanced with probability at least 90%``."""
    return f"{goal} with probability at least {confidence:.0%}"


def status(code: str, reason: str | None) -> str:
    text = _STATUS.get(code, code)
    return text if reason is None else f"{text}: {reason}"


def reached(probability: float, now: float) -> str:
    """The chance with the plan, and without it."""
    return f"{probability:.1%} of completions with the plan ({now:.1%} without)"


def completions(method: str, n: int, seed: int | None) -> str:
    if method == "exact":
        return f"{n:,}, every combination of the uncertain criteria's levels, each weighed"
    return f"{n:,} drawn (seed {seed}); the chance holds over these draws"


def effort(units: float, lower_units: float, lower_status: str) -> str:
    """This plan's effort beside the plan on the lower bound."""
    if lower_status == "infeasible":
        return f"{units:g} units (on the lower bound no plan reaches the target)"
    return f"{units:g} units (on the lower bound, whatever the unknowns: {lower_units:g})"


def how() -> str:
    return (
        "Unknown criteria take levels around their estimates and low-confidence ratings "
        "levels within their interval, as in what to rate first. A planned level is a "
        "floor: a criterion already above it in a completion stays there. Effort counts "
        "an unrated criterion from level 0, as the plan on the lower bound does."
    )


def nothing_to_do() -> str:
    return "The target is reached with this chance already: nothing to do."


def goal(score: float) -> str:
    """A score target: ``75``."""
    return f"{score:g}"


def title(goal: str, confidence: float, name: str) -> str:
    """``Plan to Advanced with 90% chance: ANZUS``."""
    return f"Plan to {goal} with {confidence:.0%} chance: {name}"


def with_chance(confidence: float) -> str:
    """The heading of the plan's column: ``with 90% chance``."""
    return f"with {confidence:.0%} chance"

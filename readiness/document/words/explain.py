"""Words of an explanation: how the points of an overall score add up."""

from __future__ import annotations

from readiness.document.numbers import number

__all__ = [
    "gate_failed",
    "gate_loss",
    "legend",
    "method",
    "no_overall",
    "overall",
    "raw",
    "state",
    "title",
]


def title(name: str) -> str:
    """The heading of an explanation."""
    return f"How the overall score of {name} is made"


def method(rubric: str, aggregation: str) -> str:
    """Which rubric, and how its pillars combine."""
    return f"Rubric {rubric}, pillars by {aggregation} mean."


def state(state: str) -> str:
    """The mark of a criterion without a level: ``?`` unknown, ``n/a`` not applicable."""
    return {"unknown": "?", "not-applicable": "n/a"}.get(state, "")


def legend() -> str:
    """What the columns and marks of the table mean."""
    return (
        "eff.w: the criterion's share of the whole when everything is rated; used: its "
        "share among what is rated (points = score x used for arithmetic means); "
        "?: unknown, n/a: not applicable"
    )


def raw() -> str:
    """The label of the sum of the contributions."""
    return "sum of contributions (raw overall)"


def gate_loss() -> str:
    """The label of what the failed gates take off."""
    return "failed gates take off, together"


def overall() -> str:
    """The label of the overall score."""
    return "overall"


def gate_failed(criterion: str, min_level: int, cap_band: str, cost: float) -> str:
    """A failed gate: its criterion, the level it needs, the band it caps, and what
    lifting it alone would add."""
    return (
        f"gate failed: {criterion} below level {min_level} caps the band at {cap_band} "
        f"(lifting it alone would add {number(cost, 'score', 2)} points)"
    )


def no_overall(reason: str) -> str:
    """Why there is no overall score."""
    return f"overall: none ({reason})"

"""Words of the report of one assessment: its head, gates and evidence."""

from __future__ import annotations

import math

__all__ = [
    "POLICY",
    "assessed_by",
    "evidence_state",
    "gate_effect",
    "likely",
    "range_known",
    "unrated_effect",
]

POLICY = {
    "exclude": "unknowns excluded",
    "worst": "unknowns counted as level 0",
    "estimate": "unknowns estimated from the known criteria",
}
"""How unknown criteria were treated, by ``unknown_policy``."""


def range_known(lower: float, upper: float, *, dash: str = " – ") -> str:
    """The score range once every unknown is known (``none`` when there is none)."""
    return "none" if math.isnan(lower) else f"{lower:.1f}{dash}{upper:.1f}"


def likely(lower: float, upper: float, probability: float, *, dash: str = " – ") -> str:
    """The likely range under the estimate policy."""
    return (
        f"likely {lower:.1f}{dash}{upper:.1f} ({probability:.0%}, the unknown criteria "
        "estimated from the known ones)"
    )


def gate_effect(overall: float | None, cost: float, gate_loss: float) -> str:
    """What one failed gate does to today's score (never a misleading zero)."""
    if overall is None:
        return "no overall score yet; the cap applies once there is one"
    if cost >= 0.05:
        return f"costs {cost:.1f} points on its own"
    if gate_loss >= 0.05:
        return (
            f"costs nothing on its own while another gate caps lower; failed gates "
            f"together cost {gate_loss:.1f} points"
        )
    return "costs nothing at today's score (the score is below the cap)"


def unrated_effect(
    overall: float | None, min_level: int, band: str, cost: float, at_risk: float
) -> str:
    """What an unrated gate means: what to rate, and what is at stake."""
    head = f"rate it at level {min_level} or above; below that the score is capped at {band}"
    if overall is None:
        return head + " (the lower bound already is)"
    if cost >= 0.05:  # the ``worst`` policy: it caps the point score as well
        return head + f"; counted as level 0, it costs {cost:.1f} points today"
    if at_risk >= 0.05:
        return head + f"; today's score would lose {at_risk:.1f} points"
    return head + "; today's score is under that cap already"


def assessed_by(assessor: str | None, on: str | None) -> str:
    """``Assessed by X on 2026-01-01``."""
    return f"Assessed by {assessor or 'unknown'}" + (f" on {on}" if on else "")


def evidence_state(
    state: str, origin: str, level: int | None, level_name: str | None, confidence: str | None
) -> str:
    """A criterion's state in the evidence list: its level and where it comes from."""
    if state != "rated":
        return state
    if origin == "derived":
        return f"level {level} ({level_name}), derived from facts"
    head = f"level {level} ({level_name}), confidence {confidence}"
    return head + (", overrides the facts" if origin == "overridden" else "")

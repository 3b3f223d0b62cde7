"""Words of gap reports and roadmaps: why a gap sits where it does, and what it means.

A gap (or a roadmap step) carries its reason as a code with its figures
(:class:`readiness.gaps.Reason`); the functions here say each code. They take plain
values and return plain text; the result's document adds the markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

__all__ = [
    "ORDER",
    "ROADMAP_ORDER",
    "basis_name",
    "evidence_heading",
    "evidence_intro",
    "facts_heading",
    "facts_intro",
    "failed_gate",
    "gain",
    "gain_per_effort",
    "gap_report_title",
    "gaps_heading",
    "gate_prerequisite",
    "held",
    "impact_meaning",
    "levels",
    "no_gaps",
    "order",
    "profile_reason",
    "rate_first",
    "roadmap_title",
    "root_cause",
    "step_waits",
    "target_profile",
    "unrated",
    "unrated_gate",
]

ORDER = (
    "root causes first (failed and unrated gates and what they wait for, then gaps whose "
    "closing unblocks other gaps' gain, the most unblocked first), then by the gain with "
    "every unknown at its worst (rank gain; it does not grow with missing data), then by "
    "that gain per unit of effort"
)
"""The order of gaps, in one line (every format shows it)."""

ROADMAP_ORDER = (
    "prerequisites before what waits for them; among the steps that can start, root causes "
    "first (failed and unrated gates and what they wait for, then the step whose closing "
    "unblocks the most gain of other steps), then the largest gain per unit of effort with "
    "every unknown at its worst"
)
"""The order of roadmap steps, in one line."""

_SHOWN = 0.05
"""Below this many points a difference does not show at one decimal, so it is not said."""

_TODAY = {
    "exclude": "which leaves the unknowns out",
    "estimate": "whose estimates of the unknowns rise with it",
    "worst": "which counts the unknowns at 0",
}
"""How today's score treats the unknowns, by unknown policy."""


# --- the target and the report --------------------------------------------------------


def profile_reason(
    how: str, *, status: str | None = None, on: dt.date | None = None, kind: str | None = None
) -> str:
    """Why this target profile: ``named`` (in the call), ``file`` (in the partnership
    file), ``status`` (the partnership's ``status`` on date ``on``), ``kind`` (its
    ``kind``) or ``default`` (the rubric's default)."""
    if how == "named":
        return "named in the call"
    if how == "file":
        return "named in the partnership file"
    if how == "status":
        return f"selected by the partnership's status: {status} on {on}"
    if how == "kind":
        return f"selected by the partnership kind {kind}"
    return "the rubric's default profile"


def target_profile(reason: str) -> tuple[str, str]:
    """The words around a target profile's id (the document sets the id as code):
    ``Target profile `x` (named in the call).``"""
    return "Target profile ", f" ({reason})."


def basis_name(basis: str, *, short: bool = False) -> str:
    """What impacts are measured on: the overall score, or its lower bound."""
    if basis == "overall":
        return "overall score"
    return "lower bound" if short else "lower bound of the score"


def gap_report_title(partnership: str) -> str:
    """The title of a gap report: ``Gaps of NATO``."""
    return f"Gaps of {partnership}"


def gaps_heading(profile: str) -> str:
    """The heading of the gaps: ``Gaps against Collective-defense alliance``."""
    return f"Gaps against {profile}"


def roadmap_title(partnership: str, profile: str) -> str:
    """The title of a roadmap: ``Roadmap of NATO to Collective-defense alliance``."""
    return f"Roadmap of {partnership} to {profile}"


def impact_meaning(basis: str, rubric: str) -> str:
    """What a gap's impact is, measured on ``basis`` with rubric ``rubric`` (its label)."""
    return (
        f"Impact is the exact gain in the {basis_name(basis)} if that criterion alone "
        f"reached its target, re-scored with rubric {rubric}."
    )


def order(text: str = ORDER) -> str:
    """``Order: ...``, the order of the gaps in one sentence."""
    return f"Order: {text}."


def no_gaps() -> str:
    """What a report without gaps below target says."""
    return "No rated criterion is below its target."


def evidence_heading() -> str:
    """The heading of the evidence gaps."""
    return "Evidence gaps (unrated criteria)"


def facts_heading() -> str:
    """The heading of the facts that would close gaps."""
    return "Facts that would close these gaps"


def evidence_intro() -> str:
    """The line before the table of evidence gaps."""
    return "Rating these at target would raise the lower bound by:"


def facts_intro() -> str:
    """The line before the facts that would close gaps."""
    return (
        "These criteria are derived (or could be derived) from the partnership's facts by "
        "the rubric's rules; to reach the target the facts would have to be:"
    )


def levels(now: int | None, target: int) -> str:
    """``2 → 4`` (``unknown → 3`` for an unrated criterion)."""
    return f"{'unknown' if now is None else now} → {target}"


def step_waits(waited_for: Sequence[str], unrated: Sequence[str]) -> str:
    """After a step's title: `` (after a, b) (rate first: c)``, or nothing."""
    out = f" (after {', '.join(waited_for)})" if waited_for else ""
    if unrated:
        out += f" (rate first: {', '.join(unrated)})"
    return out


def rate_first() -> str:
    """The label before the unrated gates a roadmap rates first."""
    return "Rate first (unrated gates): "


# --- why a gap sits where it does (one function per reason code) -----------------------


def unrated_gate(min_level: int, band: str) -> str:
    """An unrated gate: what its cap does below its minimum level."""
    return f"unrated gate: below level {min_level} it caps the score at {band}; rate it first"


def failed_gate(band: str, unblocks: float) -> str:
    """A failed gate, and the gain of other gaps its cap holds down (said when it shows)."""
    more = (
        f"; closing it unblocks {unblocks:+.1f} points of other gaps" if unblocks >= _SHOWN else ""
    )
    return f"failed gate: caps the score at {band}{more}"


def gate_prerequisite(gate: str) -> str:
    """A prerequisite of the failed gate ``gate``."""
    return f"prerequisite of the failed gate {gate}"


def root_cause(unblocks: float, waiting: Sequence[str]) -> str:
    """A root cause: the gain it unblocks, and (up to three of) the gaps waiting for it."""
    shown = ", ".join(waiting[:3]) + (f" and {len(waiting) - 3} more" if len(waiting) > 3 else "")
    return f"root cause: closing it unblocks {unblocks:+.1f} points of gain in {shown}"


def unrated(gain: float) -> str:
    """An evidence gap: what rating it at target does to the lower bound."""
    return f"unrated: rated at target it raises the lower bound by {gain:+.1f}"


def gain(rank: float, today: float, lower: float, upper: float, policy: str) -> str:
    """``gain +1.2 points (+0.4 to +2.0 over the unknowns)``, and today's gain if it differs.

    Args:
        rank: The gain with every unknown at its worst, before gates.
        today: The gain on today's score.
        lower: The gain in the lower bound; ``upper``: in the upper bound.
        policy: The assessment's unknown policy (how today's score treats unknowns).
    """
    text = f"gain {rank:+.1f} points"
    lo, hi = min(lower, upper), max(lower, upper)
    if abs(lo - rank) >= _SHOWN or abs(hi - rank) >= _SHOWN:
        text += f" ({lo:+.1f} to {hi:+.1f} over the unknowns)"
    if today - rank >= _SHOWN and f"{today:+.1f}" != f"{rank:+.1f}":
        text += f"; {today:+.1f} on today's score, {_TODAY[policy]}"
    return text


def gain_per_effort(gain: float, effort_units: float) -> str:
    """A roadmap step chosen for its gain per unit of effort."""
    return f"gain {gain:+.1f} points for {effort_units:g} effort units"


def held(gates: Sequence[tuple[str, str, str]], gain: float) -> str:
    """What holds a gain down: ``"; held at Functional by the failed gate x: close it first"``.

    Args:
        gates: (criterion id, ``failed`` or ``unrated``, band name of its cap) of each
            gate whose cap holds the gain down; none: the empty string.
        gain: The gain as it is now (said when it rounds to nothing).
    """
    if not gates:
        return ""
    now = f"{gain:+.1f} now: " if abs(gain) < _SHOWN else ""
    parts = [
        f"blocked by the unrated gate {x}: rate it first"
        if status == "unrated"
        else f"held at {band} by the failed gate {x}: close it first"
        for x, status, band in gates
    ]
    return "; " + now + "; ".join(parts)

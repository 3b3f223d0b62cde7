"""Words of ATOP alliances over time: the summary by decade and one alliance's years."""

from __future__ import annotations

__all__ = [
    "DEFINITIONS",
    "alliance_title",
    "chart_alt",
    "decade",
    "interval",
    "members",
    "span",
    "summary_lede",
    "summary_title",
    "years_shown",
]

DEFINITIONS = (
    "Read from the institutionalisation measures ATOP publishes (codebook v5.1, section "
    "2.34; Leeds and Anac 2005): milinst, peacetime military institutionalisation (0-2), "
    "and formal, the formality of the alliance (0-2), coded per phase (a renegotiation "
    "that changes obligations or institutions starts a new phase, section 1.53). In each "
    "decade an alliance is compared at its last year in the decade with the year before "
    "its first year in it (its first year, if formed in the decade). It deepened when "
    "either measure rose and neither fell, and hollowed out when either fell and neither "
    "rose; an unknown measure leaves it out of both. A member joined when it came into an "
    "alliance already in effect, and left in its last year when the alliance went on."
)


def summary_title(first: int, last: int) -> str:
    """``ATOP alliances over time, 1815-2018``."""
    return f"ATOP alliances over time, {first}-{last}"


def summary_lede(alliances: int, deepened: int, hollowed: int) -> str:
    """The sentence above the table by decade."""
    return (
        f"{alliances} alliances by decade: how many were in effect, formed and ended, "
        f"how many deepened ({deepened} in all) or hollowed out ({hollowed} in all), and "
        "how many members joined and left."
    )


def decade(start: int) -> str:
    """``1940s``."""
    return f"{start}s"


def alliance_title(alliance: str) -> str:
    """``ATOP alliance 3180 over time``."""
    return f"ATOP alliance {alliance.removeprefix('atop-')} over time"


def span(first: int, last: int, data_end: int) -> str:
    """``1949-2018 (still in effect at the end of the data)``."""
    more = " (still in effect at the end of the data)" if last == data_end else ""
    return f"{first}-{last}{more}"


def members(first: int, last: int) -> str:
    """``12 at the start, 29 at the end``."""
    return f"{first} at the start, {last} at the end"


def years_shown(shown: int, total: int) -> str:
    """Said above the table of years."""
    return (
        f"The {shown} of {total} years in which something changed (members, phase, "
        "institutionalisation or a score), with the first and the last."
    )


def interval(lower: float | None, upper: float | None) -> str:
    """``25.0-75.0``; ``-`` when there is none."""
    return "-" if lower is None or upper is None else f"{lower:.1f}-{upper:.1f}"


def chart_alt(alliance: str, first: int, last: int) -> str:
    """The chart's accessible label."""
    return (
        f"Score of ATOP alliance {alliance.removeprefix('atop-')} with its range and its "
        f"member count, {first}-{last}, and each pillar ATOP informs"
    )

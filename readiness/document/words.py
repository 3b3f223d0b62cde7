"""The one place where reasons and figures become words.

Results carry what they found as data: reason codes with their figures (a failed
gate's level and cap, a gap's band and gain, a change's old and new value). Their
documents call the functions here to say it, so every sentence a reader sees is
written once, in one voice, and a change of wording is a change to this module only.
Each function takes plain values and returns plain text (renderers escape it).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["band_change", "changed_counts", "score", "score_change", "value"]


def score(x: float | None) -> str:
    """A 0-100 score with one decimal; ``-`` when there is none."""
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f}"


def value(x: Any) -> str:
    """A value that may be a score, a level, a band id or missing (``-``)."""
    if x is None:
        return "-"
    if isinstance(x, float):
        return score(x)
    return str(x)


def score_change(what: str, old: float | None, new: float | None, delta: float | None) -> str:
    """``Overall: 55.1 → 57.0 (+1.9)``."""
    by = "" if delta is None else f" ({delta:+.1f})"
    return f"{what}: {value(old)} → {value(new)}{by}"


def band_change(old: str | None, new: str | None) -> str:
    """``Band: emerging → functional``."""
    return f"Band: {value(old)} → {value(new)}"


def changed_counts(pillars: int, criteria: int) -> str:
    """How many pillar scores and criterion ratings changed."""
    return f"{pillars} pillar score(s) and {criteria} criterion rating(s) changed"

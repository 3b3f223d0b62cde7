"""Numbers inside sentences (tables format theirs by column kind)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["score", "value"]


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

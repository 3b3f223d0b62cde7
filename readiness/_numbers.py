"""Small conversions of scores for results and documents: NaN becomes None."""

from __future__ import annotations

import math

__all__ = ["optional", "rounded", "shown", "shown_share"]


def optional(value: float) -> float | None:
    """A float, or ``None`` for NaN (no score)."""
    return None if math.isnan(value) else float(value)


def rounded(value: float | None, digits: int = 2) -> float | None:
    """``value`` rounded for a document; ``None`` for ``None`` or NaN."""
    return None if value is None or math.isnan(value) else round(value, digits)


def shown(value: float | None, fmt: str = ".1f") -> str:
    """A score for people: ``-`` when there is none."""
    return "-" if value is None or math.isnan(value) else format(value, fmt)


def shown_share(value: float) -> str:
    """A share as a percentage for people: ``-`` when there is none."""
    return "-" if math.isnan(value) else f"{value:.0%}"

"""Words of a trend: intervals, band changes and their causes."""

from __future__ import annotations

import datetime as dt
import math

from readiness.document.words.numbers import score

__all__ = ["band_change", "cause", "chart_alt", "interval", "no_band_change"]


def interval(lower: float, upper: float) -> str:
    """``59.5-69.5``; ``-`` when there is none."""
    return "-" if math.isnan(lower) else f"{lower:.1f}-{upper:.1f}"


def band_change(
    start: dt.date,
    end: dt.date,
    old: str | None,
    new: str | None,
    overall_old: float | None,
    overall_new: float | None,
) -> str:
    """``2024-01-01 → 2025-01-01: Emerging → Functional (48.2 → 61.0)``."""
    return (
        f"{start.isoformat()} → {end.isoformat()}: {old or 'no band'} → {new or 'no band'} "
        f"({score(overall_old)} → {score(overall_new)})"
    )


def _said(value: int | str, origin: str | None) -> str:
    if isinstance(value, int):
        return f"level {value}" + (f" ({origin})" if origin else "")
    return value


def cause(old: int | str, new: int | str, old_origin: str | None, new_origin: str | None) -> str:
    """``level 2 (rated) → level 3 (derived)``."""
    return f"{_said(old, old_origin)} → {_said(new, new_origin)}"


def no_band_change(dates: int) -> str:
    """Said when a partnership kept its band."""
    return f"The band held over all {dates} dates."


def chart_alt(name: str, dates: int) -> str:
    """The chart's accessible label."""
    return f"Overall score of {name} with its range over {dates} dates, and each pillar"

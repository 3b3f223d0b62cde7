"""Words of a comparison: what changed between two dated assessments."""

from __future__ import annotations

from readiness.document.words.numbers import value

__all__ = ["band_change", "changed_counts", "score_change"]


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

"""Words of a coherence audit: its title and the findings under its table."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["extreme_lead", "never_vary_lead", "redundant", "title"]


def title(partnerships: int) -> str:
    """``Coherence audit (7 partnerships)``."""
    return f"Coherence audit ({partnerships} partnerships)"


def redundant(threshold: float, pairs: Sequence[tuple[str, str, float]]) -> str:
    """The pillars correlated at or above ``threshold``, each pair with its r."""
    listed = "; ".join(f"{a} and {b} (r = {r:.2f})" for a, b, r in pairs)
    return f"Pillars correlated at |r| >= {threshold:g} (possibly redundant): {listed}."


def never_vary_lead() -> str:
    """What the list of criteria rated alike everywhere follows."""
    return "Criteria that never vary"


def extreme_lead(extreme: float) -> str:
    """What the list of criteria with a floor or ceiling effect follows."""
    return f"Floor or ceiling effects (at least {extreme:.0%} of ratings at one end)"

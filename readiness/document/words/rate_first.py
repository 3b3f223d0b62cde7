"""Words of what to rate first: how the value of rating a criterion was measured."""

from __future__ import annotations

__all__ = ["METHOD", "STATE", "distribution", "how", "method", "nothing_to_rate", "now"]

STATE = {
    "unknown": "unknown",
    "low-confidence": "low confidence",
}
"""Why a criterion is a candidate, by its state code."""

METHOD = {
    "exact": "every completion enumerated",
    "sampled": "sampled completions",
}


def method(kind: str, completions: int, seed: int | None) -> str:
    """``exact over 125 completions`` or ``200 sampled completions (seed 0)``."""
    if kind == "exact":
        return f"exact: {completions:,} completions of the uncertain criteria, each weighed"
    return f"{completions:,} sampled completions of the uncertain criteria (seed {seed})"


def now(band: str | None, probability: float, lower: float, upper: float) -> str:
    """The band the completions most often reach, and today's range."""
    head = "no band" if band is None else band
    return f"{head} with probability {probability:.0%}; range {lower:.1f}-{upper:.1f}"


def distribution(levels: tuple[tuple[int, float], ...]) -> str:
    """``1: 20%, 2: 55%, 3: 25%`` (levels below 0.5% left out)."""
    shown = [f"{lv}: {p:.0%}" for lv, p in levels if p >= 0.005]
    return ", ".join(shown)


def how() -> str:
    """What the columns measure (one paragraph)."""
    return (
        "Each criterion is rated, in turn, at each level it could take: an unknown one "
        "around its estimate, with the estimate's spread for one criterion; a "
        "low-confidence rating anywhere in its one-level interval. Narrowing is how many "
        "points the range (lower-upper) and the likely range lose on average; band shift "
        "is how far the chances of each band move on average (half the sum of the "
        "changes, 0-100%), over completions of the other uncertain criteria."
    )


def nothing_to_rate() -> str:
    return "Every applicable criterion is rated with confidence: nothing to rate first."

"""Words of a robustness analysis: what was varied, what each partnership's score,
band and rank do under it, and the titles that carry a number."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

__all__ = [
    "Sensitive",
    "distribution",
    "interval",
    "no_limit",
    "sampled",
    "sensitivity_run",
    "sensitivity_title",
    "sensitivity_undefined",
    "sobol_title",
    "summary",
    "title",
    "tornado_alt",
    "uncertainty_title",
    "varied",
    "weight_label",
]

Sensitive = Literal["factor", "undefined", "unmoved", "not-run"]
"""What the Sobol indices say of a partnership's score: one ``factor`` moves it most,
they are ``undefined`` (no score in some samples), nothing moves it (``unmoved``), or
no sensitivity analysis was run (``not-run``)."""


def title(n: int) -> str:
    """``Robustness of 4 partnership(s)``."""
    return f"Robustness of {n} partnership(s)"


def uncertainty_title(n: int) -> str:
    """``Uncertainty of 4 partnership(s)``."""
    return f"Uncertainty of {n} partnership(s)"


def sensitivity_title(n: int) -> str:
    """``Sobol sensitivity of 4 partnership(s)``."""
    return f"Sobol sensitivity of {n} partnership(s)"


def sobol_title(n: int) -> str:
    """The heading of the table of total indices (``n``: the Sobol base sample size)."""
    return f"Sobol total indices of the overall score (n = {n})"


def varied(
    concentration: float,
    criterion_concentration: float,
    methods: Sequence[str],
    policies: Sequence[str],
    ratings: bool,
) -> str:
    """What the analysis varies, and what it does not, in one sentence (no final stop)."""
    weights = (
        "pillar weights fixed"
        if math.isinf(concentration)
        else f"pillar weights from a Dirichlet around the rubric's (concentration "
        f"{concentration:g})"
    )
    weights += (
        "; criterion weights fixed"
        if math.isinf(criterion_concentration)
        else f"; criterion weights likewise (concentration {criterion_concentration:g})"
    )
    named = ", ".join(
        "geometric (on scores moved to 1-100, as the geometric mean needs positive values)"
        if m == "geometric"
        else m
        for m in methods
    )
    return (
        f"{weights}; overall aggregation {named}; unknown policy {', '.join(policies)}; "
        f"low-confidence ratings {'moved within one level' if ratings else 'fixed'}. "
        "Not varied: the levels of unknown criteria (the range of assess covers them)"
    )


def sampled(samples: int, seed: int, what: str) -> str:
    """``400 samples (seed 0). Varied: ...`` (``what``: the sentence of :func:`varied`)."""
    return f"{samples:,} samples (seed {seed}). Varied: {what}."


def sensitivity_run(n: int, seed: int, factors: int) -> str:
    """How the Sobol indices were estimated, and how to read them."""
    return (
        f"Sobol base sample n = {n:,} ({n * (factors + 2):,} evaluations of {factors} "
        f"factors), seed {seed}. A first-order index is the share of the variance a factor "
        "explains alone, a total index the share it explains with its interactions; "
        "- means undefined (no score in some samples)."
    )


def sensitivity_undefined() -> str:
    """Why a partnership's indices of the overall score are missing."""
    return "Indices of the overall score undefined: no score in some samples."


def distribution(
    samples: int, seed: int, median: float | None, p05: float | None, p95: float | None
) -> str:
    """The overall score's median and 90% interval under the sampled choices."""
    return (
        f"Under {samples:,} sampled sets of choices (seed {seed}), the overall score has "
        f"median {_f(median)} and 90% interval {interval(p05, p95)}."
    )


def interval(low: float | None, high: float | None, digits: int = 1) -> str:
    """``58.4-67.6``: a 5-95% interval (``-`` for a missing bound)."""
    return f"{_f(low, digits)}-{_f(high, digits)}"


def weight_label(pillar: str, weight: float) -> str:
    """``intel (1.3)``: a pillar and its weight."""
    return f"{pillar} ({weight:g})"


def no_limit() -> str:
    """A weight bound that does not exist (the band holds for any higher weight)."""
    return "any"


def summary(
    partnership: str,
    *,
    band: str | None,
    p_band: float | None,
    score_p05: float | None,
    score_p95: float | None,
    rank: float | None,
    of: int,
    rank_p05: float | None,
    rank_p95: float | None,
    sensitive: Sensitive,
    factor: str | None,
    margin: tuple[str, float, float, float | None] | None,
    lower: float | None,
    upper: float | None,
) -> str:
    """One partnership's robustness in one sentence.

    Args:
        partnership: Its label.
        band: The name of its band (``None``: no score).
        p_band: The probability of that band (of no score, when ``band`` is ``None``).
        score_p05, score_p95: Its score's 5-95% interval.
        rank, of, rank_p05, rank_p95: Its rank among ``of`` and the rank's interval.
        sensitive: What the Sobol indices say (:data:`Sensitive`), ``factor`` the
            factor with the largest total index.
        margin: The tightest pillar weight: (pillar, weight, lowest, highest weight
            keeping the band; ``None``: no upper limit).
        lower, upper: The range the unknown criteria leave open.
    """
    if band is None:
        said = f"{partnership}: no score (no score in {p_band or 0:.0%} of samples)"
    else:
        said = (
            f"{partnership}: {band} with probability {p_band or 0:.2f} under the choices "
            f"varied (score 5-95%: {_f(score_p05)}-{_f(score_p95)})"
        )
    if of > 1 and rank is not None:
        said += f"; rank {rank:.0f} of {of} (90% interval {interval(rank_p05, rank_p95, 0)})"
    if sensitive == "factor":
        said += f"; most sensitive to {factor} (largest Sobol total index)"
    elif sensitive == "undefined":
        said += "; sensitivity undefined (no score in some samples)"
    elif sensitive == "unmoved":
        said += "; no choice moves its score"
    if margin is not None:
        pillar, weight, down, up = margin
        high = "any higher value" if up is None or math.isinf(up) else f"{up:.3g}"
        low = "0" if down <= 0 else f"{down:.3g}"
        said += (
            f"; tightest weight: {pillar}, whose weight {weight:g} can move between {low} "
            f"and {high} before the band changes"
        )
    if lower is not None and upper is not None:
        said += (
            f"; unknown criteria are not varied: once rated, the score lies in "
            f"{lower:.1f}-{upper:.1f} (the range of assess)"
        )
    return said


def _f(x: float | None, digits: int = 1) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.{digits}f}"


def tornado_alt(partnership: str) -> str:
    """What a partnership's chart of Sobol indices shows."""
    return f"Sobol indices of {partnership}"

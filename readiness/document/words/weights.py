"""Words of an elicitation of weights: consistency, completion, the concentration used."""

from __future__ import annotations

import math

__all__ = [
    "WORST_HEADING",
    "completed",
    "concentration_from",
    "consistency",
    "judgement",
    "method_name",
    "robustness_concentration",
]

WORST_HEADING = (
    "The judgements furthest from what the weights imply (revisit these first to lower "
    "the consistency ratio):"
)


def method_name(method: str) -> str:
    """``AHP (pairwise comparisons, principal eigenvector)`` or ``swing weighting``."""
    if method == "ahp":
        return "AHP (pairwise comparisons, principal eigenvector)"
    return "swing weighting (ranked swings rated against the first)"


def consistency(worst_cr: float | None, swing: bool, consistent: bool) -> str:
    """``largest CR 0.040 (acceptable)``; ``... (above 0.10: revisit)``; swing: no CR."""
    if worst_cr is None:
        return "no consistency ratio (swing weighting)" if swing else "no random index"
    verdict = "acceptable" if consistent else "above 0.10: revisit"
    return f"largest CR {worst_cr:.3f} ({verdict})"


def completed(missing: list[str], how: str | None) -> str:
    """How many pairs were completed and how (the first few named), or ``none``."""
    if not missing:
        return "none"
    way = "Harker's method" if how == "harker" else "least inconsistent values"
    shown = "; ".join(missing[:3]) + ("; ..." if len(missing) > 3 else "")
    return f"{len(missing)} completed ({way}): {shown}"


def judgement(a: str, b: str, given: float, implied: float) -> str:
    """``a over b: judged 5, the weights imply 1.8``."""
    return f"{a} over {b}: judged {given:.3g}, the weights imply {implied:.3g}"


def concentration_from(assessors: int, concentration: float | None, method: str) -> str:
    """Which Dirichlet concentration the spread between assessors implies, and why."""
    if concentration is None:
        return "none: one assessor gives no spread (robustness keeps its default of 100)"
    if math.isinf(concentration):
        return f"infinite: the {assessors} assessors agree exactly (weights held fixed)"
    return (
        f"{concentration:.1f}, matching the variance of the {assessors} assessors' "
        "pillar weights around their mean (method of moments)"
    )


def robustness_concentration(
    concentration: float, assessors: int, files: int, criteria: bool
) -> str:
    """The sentence a robustness report gives when the concentration was elicited."""
    shown = "infinite (weights held fixed)" if math.isinf(concentration) else f"{concentration:.1f}"
    said = (
        f"Pillar weight concentration {shown}, set by the spread between {assessors} "
        f"assessors' elicited pillar weights ({files} weight sheet(s), method of moments) "
        "instead of the default 100"
    )
    if criteria:
        return (
            said + "; criterion weight concentration likewise, from the criteria they compared "
            "(applied to every pillar's criteria)."
        )
    return said + "; criterion weights keep 100 (no criteria were compared)."

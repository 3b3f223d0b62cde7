"""Words of a panel: how several assessors' levels became one, and how far they agree."""

from __future__ import annotations

from collections.abc import Sequence

from readiness.document.numbers import number

__all__ = [
    "agreement",
    "attributed",
    "consensus",
    "consensus_line",
    "consensus_note",
    "no_adjudication",
    "no_gap",
    "perception_criteria",
    "perception_heading",
    "perception_lede",
    "range_line",
    "score_range",
    "straight_lining",
]

_RULES = {
    "median": "the median of {n} assessors' levels per criterion",
    "mean": "the mean of {n} assessors' levels per criterion, rounded",
    "median-low": (
        "the median of {n} assessors' levels per criterion, the lower of the two middle "
        "levels where they differ (a conservative rule: it may fall below every assessor)"
    ),
    "median-high": (
        "the median of {n} assessors' levels per criterion, the higher of the two middle "
        "levels where they differ (it may rise above every assessor)"
    ),
    "min": "the lowest level any of {n} assessors gave (it may fall below every assessor)",
    "max": "the highest level any of {n} assessors gave (it may rise above every assessor)",
}


def consensus(
    rule: str,
    assessors: int,
    *,
    split: int = 0,
    moved: Sequence[str] = (),
    central: str | None = None,
    bounded: bool = False,
) -> str:
    """The consensus rule and what it did: ``split`` criteria where the rule allowed two
    levels, the criteria ``moved`` to keep the overall in range, the ``central``
    assessor whose levels were taken, and whether each assessor's overall counts the
    panel's criteria (``bounded``)."""
    text = _RULES.get(rule, rule + " of {n} assessors").format(n=assessors)
    if split and rule in ("median", "mean"):
        count = f"{split} {'criterion' if split == 1 else 'criteria'}"
        where = (
            f"where the two middle levels differ ({count}), the level between them"
            if rule == "median"
            else f"where the mean lies between two levels ({count}), the rounding"
        )
        text += f"; {where} that keeps the overall nearest the middle of the assessors' scores"
    if moved:
        text += (
            f"; {', '.join(moved)} moved toward the assessors' levels "
            "so that the overall stays between the lowest and the highest assessor"
        )
    if central is not None:
        text += f"; {central}'s levels taken, the middle assessor, to stay within the panel"
    if bounded:
        text += (
            ". Each assessor's overall counts the panel's criteria: their own levels, and "
            "the consensus where they gave none"
        )
    return text


def consensus_line(said: str) -> str:
    """``Consensus: <what consensus() says>.``"""
    return f"Consensus: {said}."


def range_line(lower: float, upper: float, low: float, high: float) -> str:
    """The consensus's own interval and the one the assessors' levels widen it to."""
    return (
        f"Range: {_score(lower)}-{_score(upper)} from the consensus alone; {_score(low)}-"
        f"{_score(high)} with every criterion at the lowest and the highest level an "
        "assessor gave it."
    )


def agreement(
    ordinal: float | None,
    interval: float | None,
    nominal: float | None,
    within_one: float | None,
    pairs: int,
) -> str:
    """Krippendorff's alpha three ways and the share of pairs within one level."""
    return (
        f"Agreement: Krippendorff's alpha {_alpha(ordinal)} (ordinal), {_alpha(interval)} "
        f"(interval), {_alpha(nominal)} (nominal); {number(within_one, 'share')} of {pairs} "
        "pairs of ratings within one level."
    )


def straight_lining(assessors: Sequence[str]) -> str:
    """Assessors who gave every criterion the same level."""
    return (
        f"Straight-lining: {', '.join(assessors)} gave every criterion the same level; "
        "check those ratings."
    )


def score_range(lower: float | None, upper: float | None) -> str:
    """An assessor's interval in whole points: ``60-69``."""
    return f"{number(lower, 'score', 0)}-{number(upper, 'score', 0)}"


def no_adjudication() -> str:
    """Nothing to adjudicate."""
    return "No criterion: every pair of assessors is within one level."


def perception_heading(sides: Sequence[str]) -> str:
    """The heading of the perception gap."""
    return f"Perception gap: how {' and '.join(sides)} see the partnership"


def perception_lede() -> str:
    """How each side's view is made."""
    return "Each side's view is the consensus of its own assessors, scored alone."


def perception_criteria() -> str:
    """What the criteria table of the perception gap lists."""
    return "Criteria the sides rate one level or more apart, largest first:"


def no_gap() -> str:
    """No criterion the sides rate apart."""
    return "None."


def consensus_note(
    rule: str,
    votes: Sequence[tuple[str, object]],
    spread: int | None,
    *,
    moved: bool = False,
    notes: Sequence[tuple[str, str]] = (),
) -> str:
    """The note of a consensus rating: each assessor's level (``votes``), the spread of
    the levels given (``None``: nobody gave one), whether the level was moved to keep
    the overall in range, and each assessor's own note."""
    said = ", ".join(f"{who} {level}" for who, level in votes)
    if spread is None:
        text = f"consensus ({rule}): {said}"
    else:
        why = "; moved to keep the overall between the assessors' scores" if moved else ""
        text = f"consensus ({rule}) of {said}; spread {spread}{why}"
    return text + (". " + attributed(notes) if notes else "")


def attributed(said: Sequence[tuple[str, str]]) -> str:
    """What each assessor said, after their name: ``Ann: ...; Bob: ...``."""
    return "; ".join(f"{who}: {text}" for who, text in said)


def _score(x: float | None) -> str:
    return number(x, "score")


def _alpha(x: float | None) -> str:
    return number(x, "score", 2)

"""Words of a rubric diff: what changed between two rubrics, and what moved a score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from readiness.document.words.numbers import value

__all__ = [
    "METHOD",
    "MOVES_TITLE",
    "NO_CHANGE",
    "change",
    "counted",
    "gate",
    "group_title",
    "levels_moved",
    "no_decomposition",
    "set_aside",
    "title",
]

NO_CHANGE = "The two rubrics score alike: nothing that a score, band or target depends on differs."
MOVES_TITLE = "How the scores moved"
METHOD = (
    "Each column after the change is one group of changes' share of it: its Shapley value "
    "(its effect averaged over every order in which the groups could have been applied), "
    "exact to 1e-9 point, so the shares add up to the change."
)

_GROUPS = {
    "criteria": "Criteria and pillars added, removed or moved",
    "weights": "Weights",
    "gates": "Gates (critical criteria)",
    "derive": "Derive rules (facts to levels)",
    "bands": "Bands",
    "scoring": "Scoring settings",
    "profiles": "Profiles (targets)",
    "text": "Wording (titles, descriptors, remediation, sources)",
}

_WHAT = {
    "criterion-added": "criterion added ({new})",
    "criterion-removed": "criterion removed ({old})",
    "criterion-moved": "moved from pillar {old} to {new}",
    "pillar-added": "pillar added ({new})",
    "pillar-removed": "pillar removed ({old})",
    "weight": "weight {old} → {new}",
    "pillar-weight": "pillar weight {old} → {new}",
    "gate": "gate {old} → {new}",
    "rule": "rule {old} → {new}",
    "band": "band minimum {old} → {new}",
    "setting": "{old} → {new}",
    "profile-added": "profile added ({new})",
    "profile-removed": "profile removed ({old})",
    "text": "wording changed",
}


def title(a_id: str, a_version: str, b_id: str, b_version: str) -> str:
    """``Rubric defense-partnership 1.1.0 → 1.3.0``."""
    if a_id == b_id:
        return f"Rubric {a_id} {a_version} → {b_version}"
    return f"Rubric {a_id} {a_version} → {b_id} {b_version}"


def group_title(group: str) -> str:
    """The heading of a group of changes."""
    return _GROUPS[group]


def _shown(x: object) -> str:
    if x is None:
        return "none"
    if isinstance(x, float):
        return f"{x:g}"
    return value(x)


def change(what: str, old: object, new: object) -> str:
    """One change in words (``weight 1 → 2``, ``gate none → below 2 caps at emerging``)."""
    if what == "profile":
        if isinstance(new, int) and old is None:
            if new == 0:
                return "advice or wording changed (no target moved)"
            return (
                f"targets of {new} criteria changed" if new > 1 else "target of 1 criterion changed"
            )
        return f"{_shown(old)} → {_shown(new)}"
    if what in ("rule", "gate") and (old is None or new is None or old == new):
        if old is None:
            return f"{what} added: {new}"
        if new is None:
            return f"{what} removed (was {old})"
        return f"{what} changed (still {new})"
    if what == "setting" and isinstance(old, int) and isinstance(new, int):
        return f"estimate offsets changed for {new} criteria"
    return _WHAT[what].format(old=_shown(old), new=_shown(new))


def gate(min_level: int, cap_band: str) -> str:
    """A gate: ``below 2 caps at emerging``."""
    return f"below {min_level} caps at {cap_band}"


def counted(counts: Mapping[str, int]) -> str:
    """``3 weights, 12 derive, 2 profiles`` (``none`` without changes)."""
    if not counts:
        return "none"
    return ", ".join(f"{n} {group}" for group, n in counts.items())


def no_decomposition(reason: str) -> str:
    """Why a move is not split among the changes."""
    return {
        "no-score": "no split: a rubric gives no overall score (coverage below its minimum)",
        "no-score-between": "no split: a mix of the two rubrics gives no overall score",
        "rubric-between": "no split: a mix of the two rubrics is not a valid rubric",
    }[reason]


def levels_moved(levels: Sequence[tuple[str, object, object]]) -> str:
    """The criteria whose level differs: ``levels moved: a 2 → 3, b unknown → 1``."""
    return "levels moved: " + ", ".join(f"{cid} {_shown(o)} → {_shown(n)}" for cid, o, n in levels)


def set_aside(ids: Sequence[str]) -> str:
    """Ratings of criteria one rubric lacks, left out under it."""
    return "ratings left out where a rubric lacks the criterion: " + ", ".join(ids)

"""The derive-rule language: rules written in a rubric that give a level from facts.

A criterion may carry a ``derive:`` rule in the rubric (data, never code). A rule reads
features of the catalogue :data:`readiness.facts.FEATURES` and gives a level 0-4, or
*unknown* when the facts it needs are missing. Six rule types, told apart by ``rule:``::

    derive: {rule: bands, feature: exercises_per_year, thresholds: [0.2, 1, 3, 12]}
    derive: {rule: bands, feature: security_incidents_5y, descending: true,
             thresholds: [10, 2, 0, -.inf]}
    derive: {rule: map, feature: intelligence_sharing,
             levels: {none: 0, ad-hoc: 1, formal-bilateral: 2, integrated: 4}}
    derive: {rule: count, features: [atop.defense, atop.consultation], thresholds: [1, 2, 3, 4]}
    derive: {rule: present, feature: agreement.status-of-forces, if_true: 2, if_false: 0}
    derive: {rule: max, of: [{rule: ...}, {rule: ...}]}     # also: min

- ``bands``: a number or level feature; the level is how many of the four thresholds
  the value reaches (``>=``; with ``descending: true`` lower is better and the level is
  how many thresholds the value is at or below). ``.inf`` (``-.inf`` when descending)
  marks a level the facts can never show.
- ``map``: a category or flag feature; every value is given a level.
- ``count``: how many of several flag features are true, banded like ``bands``. Unknown
  flags are tolerated when they cannot change the level (the level with every unknown
  false equals the level with every unknown true); otherwise the result is unknown.
- ``present``: a flag feature; ``if_true`` when true, ``if_false`` when false (omit it
  when a false flag says nothing: the level is then unknown).
- ``min`` / ``max``: the lowest / highest level of two or more sub-rules. Both are
  *conservative*: a derived level must never claim more than the facts show. ``min`` is
  unknown when any input is unknown, because the missing input could be the lowest (so a
  ``min`` can gate a rule on a fact being known). With ``settle: lowest`` it is known as
  soon as its lowest known input is at or below the lowest level any unknown input could
  give (:meth:`Bands.bottom`): a known 0 settles it, while a known 3 beside an input that
  could still give 1 leaves it unknown. ``max`` ignores unknown inputs, because every
  known input is a level the facts do show, and a missing one can only raise the
  maximum; it is unknown only when every input is.

This module is the *language* only (the describe layer): the rule models, what each
reads (:meth:`Bands.inputs`), how it reads in one line (:meth:`Bands.describe`), the
highest and lowest levels it can give (:meth:`Bands.top`, :meth:`Bands.bottom`) and its
checks against the feature catalogue (:func:`check_rule`). Running rules on facts is the
engine's job, :mod:`readiness.derive`.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Discriminator, Tag, field_validator

from readiness._models import Frozen
from readiness.errors import Problem
from readiness.facts import FEATURES, FeatureType

__all__ = [
    "RULE_TYPES",
    "Bands",
    "Count",
    "Map",
    "Max",
    "Min",
    "Present",
    "Rule",
    "check_rule",
    "number_text",
]

_LEVELS = range(5)


def _not_text(value: object) -> object:
    """Numbers in a rule are written as numbers: text and true/false are refused."""
    if isinstance(value, bool | str):
        kind = "true/false" if isinstance(value, bool) else "text"
        raise ValueError(f"must be a number, not {kind} (got {value!r:.40})")
    return value


Threshold = Annotated[float, BeforeValidator(_not_text)]
"""A threshold: a number; ``.inf``/``-.inf`` mark a level the facts never show."""
Level = Annotated[int, BeforeValidator(_not_text)]
"""A level a rule gives: a whole number (0-4 is checked with the rule)."""


def number_text(value: float) -> str:
    """A threshold or fact value as people write it: ``3``, ``0.5``, ``inf``."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return str(int(value)) if value == int(value) else f"{value:g}"


def _steps(levels: list[tuple[int, float]], op: str) -> str:
    """``3 at >= 1, 4 at >= 20``: equal thresholds shown once, at their highest level."""
    always = -math.inf if op == ">=" else math.inf
    out = []
    for i, (level, t) in enumerate(levels):
        if i + 1 < len(levels) and levels[i + 1][1] == t:
            continue
        out.append(f"at least {level}" if t == always else f"{level} at {op} {number_text(t)}")
    return ", ".join(out)


class _Rule(Frozen):
    note: str | None = None
    """Why the rule reads these facts this way (for readers of the rubric)."""

    def inputs(self) -> tuple[str, ...]:
        """The features the rule reads."""
        raise NotImplementedError

    def describe(self) -> str:
        """The rule in one line, for reports."""
        raise NotImplementedError

    def top(self) -> int:
        """The highest level the rule can give."""
        raise NotImplementedError

    def bottom(self) -> int:
        """The lowest level the rule can give when it gives one (what ``min`` assumes of an
        unknown input)."""
        raise NotImplementedError

    def check(self, at: str) -> Iterator[Problem]:
        """Problems of this rule against the feature catalogue; ``at`` is its JSON path."""
        raise NotImplementedError


class Bands(_Rule):
    """A number or level feature cut into levels by four thresholds."""

    rule: Literal["bands"]
    feature: str
    thresholds: tuple[Threshold, ...]
    descending: bool = False

    def inputs(self) -> tuple[str, ...]:
        return (self.feature,)

    @property
    def op(self) -> str:
        """The comparison a value must pass: ``>=``, or ``<=`` when descending."""
        return "<=" if self.descending else ">="

    def reachable(self) -> list[tuple[int, float]]:
        """(level, threshold) for every level the facts can show."""
        never = -math.inf if self.descending else math.inf
        return [(i + 1, t) for i, t in enumerate(self.thresholds) if t != never]

    def describe(self) -> str:
        return f"bands on {self.feature}: {_steps(self.reachable(), self.op)}"

    def top(self) -> int:
        return len(self.reachable())

    def bottom(self) -> int:
        always = math.inf if self.descending else -math.inf
        return sum(1 for t in self.thresholds if t == always)

    def check(self, at: str) -> Iterator[Problem]:
        yield from _feature_problems(self.feature, f"{at}.feature", ("number", "level"), "bands")
        yield from _threshold_problems(self.thresholds, f"{at}.thresholds", self.descending)


class Map(_Rule):
    """A category or flag feature, each value given a level."""

    rule: Literal["map"]
    feature: str
    levels: dict[str, Level]

    @field_validator("levels", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {(str(k).lower() if isinstance(k, bool) else k): v for k, v in value.items()}
        return value

    def inputs(self) -> tuple[str, ...]:
        return (self.feature,)

    def describe(self) -> str:
        pairs = ", ".join(f"{k} -> {v}" for k, v in self.levels.items())
        return f"map on {self.feature}: {pairs}"

    def top(self) -> int:
        return max(self.levels.values(), default=0)

    def bottom(self) -> int:
        return min(self.levels.values(), default=0)

    def check(self, at: str) -> Iterator[Problem]:
        kinds: tuple[FeatureType, ...] = ("category", "flag")
        problems = list(_feature_problems(self.feature, f"{at}.feature", kinds, "map"))
        yield from problems
        for key, level in self.levels.items():
            if level not in _LEVELS:
                yield Problem(_key(f"{at}.levels", key), f"level must be 0-4 (got {level!r})")
        if problems:
            return
        values = FEATURES[self.feature].values
        for key in self.levels:
            if key not in values:
                yield Problem(
                    _key(f"{at}.levels", key),
                    f"{key!r} is not a value of {self.feature} (values: {', '.join(values)})",
                )
        missing = [v for v in values if v not in self.levels]
        if missing:
            yield Problem(
                f"{at}.levels",
                f"no level for {', '.join(missing)}: every value of {self.feature} needs one",
            )


class Count(_Rule):
    """How many of several flag features are true, cut into levels by four thresholds."""

    rule: Literal["count"]
    features: tuple[str, ...]
    thresholds: tuple[Threshold, ...]

    def inputs(self) -> tuple[str, ...]:
        return self.features

    def names(self) -> str:
        """The features it counts, comma-separated."""
        return ", ".join(self.features)

    def describe(self) -> str:
        reachable = [(i + 1, t) for i, t in enumerate(self.thresholds) if t != math.inf]
        return f"count true of [{self.names()}]: {_steps(reachable, '>=')}"

    def top(self) -> int:
        return sum(1 for t in self.thresholds if t <= len(self.features))

    def bottom(self) -> int:
        return sum(1 for t in self.thresholds if t <= 0)

    def check(self, at: str) -> Iterator[Problem]:
        if not self.features:
            yield Problem(f"{at}.features", "count needs at least one feature")
        for i, name in enumerate(self.features):
            yield from _feature_problems(name, f"{at}.features[{i}]", ("flag",), "count")
        yield from _threshold_problems(self.thresholds, f"{at}.thresholds")


class Present(_Rule):
    """A flag feature: one level when true, another (or unknown) when false."""

    rule: Literal["present"]
    feature: str
    if_true: Level
    if_false: Level | None = None

    def inputs(self) -> tuple[str, ...]:
        return (self.feature,)

    def describe(self) -> str:
        when_false = "unknown" if self.if_false is None else str(self.if_false)
        return f"present {self.feature}: true -> {self.if_true}, false -> {when_false}"

    def top(self) -> int:
        return max(self.if_true, self.if_false or 0)

    def bottom(self) -> int:
        return self.if_true if self.if_false is None else min(self.if_true, self.if_false)

    def check(self, at: str) -> Iterator[Problem]:
        yield from _feature_problems(self.feature, f"{at}.feature", ("flag",), "present")
        for name in ("if_true", "if_false"):
            level = getattr(self, name)
            if level is not None and level not in _LEVELS:
                yield Problem(f"{at}.{name}", f"level must be 0-4 (got {level!r})")


class _Combined(_Rule):
    kind: ClassVar[str] = "min/max"
    of: tuple[Rule, ...]

    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for r in self.of for f in r.inputs()))

    def check(self, at: str) -> Iterator[Problem]:
        if len(self.of) < 2:
            yield Problem(f"{at}.of", f"{self.kind} needs at least two rules (got {len(self.of)})")
        for i, sub in enumerate(self.of):
            yield from sub.check(f"{at}.of[{i}]")


class Min(_Combined):
    """The lowest level of two or more rules; unknown when any of them is unknown, or (with
    ``settle: lowest``) when an unknown one could give less than the lowest known."""

    rule: Literal["min"]
    kind: ClassVar[str] = "min"
    settle: Literal["all", "lowest"] = "all"
    """``all``: known when every input is; ``lowest``: known when no unknown input could
    give less than the lowest known one."""

    def describe(self) -> str:
        head = "lowest of (" if self.settle == "all" else "lowest, settled by the known, of ("
        return head + "; ".join(r.describe() for r in self.of) + ")"

    def top(self) -> int:
        return min((r.top() for r in self.of), default=0)

    def bottom(self) -> int:
        return min((r.bottom() for r in self.of), default=0)


class Max(_Combined):
    """The highest known level of two or more rules; unknown only when all of them are."""

    rule: Literal["max"]
    kind: ClassVar[str] = "max"

    def describe(self) -> str:
        return "highest of (" + "; ".join(r.describe() for r in self.of) + ")"

    def top(self) -> int:
        return max((r.top() for r in self.of), default=0)

    def bottom(self) -> int:
        return max((r.bottom() for r in self.of), default=0)


RULE_TYPES: dict[str, type[_Rule]] = {
    "bands": Bands,
    "map": Map,
    "count": Count,
    "present": Present,
    "min": Min,
    "max": Max,
}


def _rule_tag(value: Any) -> str | None:
    kind = value.get("rule") if isinstance(value, dict) else getattr(value, "rule", None)
    return f"tag:{kind}" if kind in RULE_TYPES else None


Rule = Annotated[
    Annotated[Bands, Tag("tag:bands")]
    | Annotated[Map, Tag("tag:map")]
    | Annotated[Count, Tag("tag:count")]
    | Annotated[Present, Tag("tag:present")]
    | Annotated[Min, Tag("tag:min")]
    | Annotated[Max, Tag("tag:max")],
    Discriminator(
        _rule_tag,
        custom_error_type="rule_type",
        custom_error_message="a rule needs `rule:` set to one of " + ", ".join(RULE_TYPES),
    ),
]
"""One derive rule (``rule:`` tells which). ``min`` and ``max`` hold rules; their
``Rule`` is resolved when their (deferred) validator is first built."""


# --- checking rules against the catalogue -------------------------------------------------


def check_rule(rule: Rule, at: str) -> Iterator[Problem]:
    """Every problem of a rule: unknown features, wrong feature types, bad thresholds or levels.

    Args:
        rule: The rule.
        at: Its JSON path, e.g. ``$.pillars[0].criteria[1].derive``.

    Returns:
        The problems, each at the JSON path of the offending field.
    """
    return rule.check(at)


def _key(at: str, key: str) -> str:
    return f"{at}.{key}" if key.isidentifier() else f"{at}[{key!r}]"


def _feature_problems(
    name: str, at: str, kinds: tuple[FeatureType, ...], rule: str
) -> Iterator[Problem]:
    feature = FEATURES.get(name)
    if feature is None:
        hint = difflib.get_close_matches(name, list(FEATURES), n=1)
        more = f"; did you mean {hint[0]!r}?" if hint else ""
        yield Problem(at, f"unknown feature {name!r}{more}")
    elif feature.type not in kinds:
        yield Problem(
            at,
            f"feature {name!r} is a {feature.type}; rule '{rule}' needs a "
            f"{' or '.join(kinds)} feature",
        )


def _threshold_problems(
    thresholds: tuple[float, ...], at: str, descending: bool = False
) -> Iterator[Problem]:
    shown = [number_text(t) if not math.isnan(t) else "nan" for t in thresholds]
    if len(thresholds) != 4:
        yield Problem(
            at, f"thresholds must be 4 numbers, one per level 1-4 (got {len(thresholds)})"
        )
        return
    if any(math.isnan(t) for t in thresholds):
        yield Problem(at, f"thresholds must be numbers (got [{', '.join(shown)}])")
        return
    pairs = list(itertools.pairwise(thresholds))
    if descending and any(b > a for a, b in pairs):
        yield Problem(
            at, f"descending thresholds must be non-increasing (got [{', '.join(shown)}])"
        )
    elif not descending and any(b < a for a, b in pairs):
        yield Problem(at, f"thresholds must be non-decreasing (got [{', '.join(shown)}])")

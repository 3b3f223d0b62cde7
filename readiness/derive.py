"""Derive criterion levels from facts, by rules written in the rubric.

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
  unknown when any input is unknown, because the missing input could be the lowest.
  ``max`` ignores unknown inputs, because every known input is a level the facts do
  show, and a missing one can only raise the maximum; it is unknown only when every
  input is.

Evaluation works on whole columns (numpy), never row by row: :func:`derive_frame`
turns a feature table (:func:`readiness.facts.facts_frame`) into a level table ready
for :func:`readiness.assess_frame`. One partnership goes through the same rules
(:func:`derive_partnership`), so ``assess`` and ``derive_frame`` + ``assess_frame`` agree.

Every rule can describe itself in one line (:meth:`Bands.describe`), explain one
partnership's level (:meth:`Bands.explain`, e.g. ``bands on exercises_per_year = 3 ->
level 2``) and say which facts would reach a target level
(:meth:`Bands.requirements`, e.g. ``exercises_per_year >= 12 (now 3)``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import Discriminator, Tag, field_validator

from readiness._models import Frozen
from readiness.errors import InputError, Problem, json_path
from readiness.facts import FEATURES, FeatureType, FeatureValue, facts_features

if TYPE_CHECKING:
    from readiness.partnership import Partnership
    from readiness.rubric import Rubric

__all__ = [
    "RULE_TYPES",
    "Bands",
    "Count",
    "Derivation",
    "Map",
    "Max",
    "Min",
    "Present",
    "Rule",
    "Table",
    "check_rule",
    "derive_frame",
    "derive_partnership",
    "encode_frame",
    "encode_row",
    "facts_to_reach",
    "override_problems",
]

Floats = NDArray[np.float64]
_LEVELS = range(5)


# --- the feature table rules read --------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Encoded feature columns of ``n`` partnerships, as float arrays.

    Numbers and levels are themselves, flags 1.0/0.0, categories the index of the value
    in the feature's ``values``; NaN is unknown. A feature with no column is unknown.
    """

    n: int
    columns: Mapping[str, Floats]

    def get(self, name: str) -> Floats:
        """The column of one feature (all NaN when absent)."""
        column = self.columns.get(name)
        return np.full(self.n, np.nan) if column is None else column

    def show(self, name: str, row: int = 0) -> str:
        """One value as people write it: ``3``, ``true``, ``ad-hoc`` or ``missing``."""
        value = float(self.get(name)[row])
        if math.isnan(value):
            return "missing"
        feature = FEATURES[name]
        if feature.type in ("flag", "category"):
            return feature.values[int(value)]
        return _num(value)


def _num(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return str(int(value)) if value == int(value) else f"{value:g}"


def _says(head: str, level: float) -> str:
    return f"{head} -> " + ("unknown" if math.isnan(level) else f"level {int(level)}")


def _steps(levels: list[tuple[int, float]], op: str) -> str:
    """``3 at >= 1, 4 at >= 20``: equal thresholds shown once, at their highest level."""
    always = -math.inf if op == ">=" else math.inf
    out = []
    for i, (level, t) in enumerate(levels):
        if i + 1 < len(levels) and levels[i + 1][1] == t:
            continue
        out.append(f"at least {level}" if t == always else f"{level} at {op} {_num(t)}")
    return ", ".join(out)


def _band(values: Floats, thresholds: tuple[float, ...], descending: bool = False) -> Floats:
    th = np.asarray(thresholds, dtype=np.float64)
    hit = values[:, None] <= th[None, :] if descending else values[:, None] >= th[None, :]
    out: Floats = hit.sum(axis=1).astype(np.float64)
    out[np.isnan(values)] = np.nan
    return out


# --- rules ---------------------------------------------------------------------------


class _Rule(Frozen):
    note: str | None = None
    """Why the rule reads these facts this way (for readers of the rubric)."""

    def inputs(self) -> tuple[str, ...]:
        """The features the rule reads."""
        raise NotImplementedError

    def evaluate(self, table: Table) -> Floats:
        """Levels 0-4 (NaN unknown), one per row of ``table``."""
        raise NotImplementedError

    def describe(self) -> str:
        """The rule in one line, for reports."""
        raise NotImplementedError

    def explain(self, table: Table) -> str:
        """How the first row of ``table`` gets its level, in one line."""
        raise NotImplementedError

    def top(self) -> int:
        """The highest level the rule can give."""
        raise NotImplementedError

    def requirements(self, target: int, table: Table) -> tuple[str, ...] | None:
        """Fact values that would bring the first row of ``table`` to ``target``.

        Returns:
            ``()`` when the row is already at or above ``target``; the conditions that
            must all hold (each like ``exercises_per_year >= 12 (now 3)``); or ``None``
            when no facts reach ``target`` under this rule.
        """
        raise NotImplementedError

    def check(self, at: str) -> Iterator[Problem]:
        """Problems of this rule against the feature catalogue; ``at`` is its JSON path."""
        raise NotImplementedError

    def _level(self, table: Table) -> float:
        return float(self.evaluate(table)[0])


class Bands(_Rule):
    """A number or level feature cut into levels by four thresholds."""

    rule: Literal["bands"]
    feature: str
    thresholds: tuple[float, ...]
    descending: bool = False

    def inputs(self) -> tuple[str, ...]:
        return (self.feature,)

    def evaluate(self, table: Table) -> Floats:
        return _band(table.get(self.feature), self.thresholds, self.descending)

    def _op(self) -> str:
        return "<=" if self.descending else ">="

    def _reachable(self) -> list[tuple[int, float]]:
        never = -math.inf if self.descending else math.inf
        return [(i + 1, t) for i, t in enumerate(self.thresholds) if t != never]

    def describe(self) -> str:
        return f"bands on {self.feature}: {_steps(self._reachable(), self._op())}"

    def explain(self, table: Table) -> str:
        return _says(f"bands on {self.feature} = {table.show(self.feature)}", self._level(table))

    def top(self) -> int:
        return len(self._reachable())

    def requirements(self, target: int, table: Table) -> tuple[str, ...] | None:
        if self._level(table) >= target:
            return ()
        if target > self.top():
            return None
        t = self.thresholds[target - 1]
        return (f"{self.feature} {self._op()} {_num(t)} (now {table.show(self.feature)})",)

    def check(self, at: str) -> Iterator[Problem]:
        yield from _feature_problems(self.feature, f"{at}.feature", ("number", "level"), "bands")
        yield from _threshold_problems(self.thresholds, f"{at}.thresholds", self.descending)


class Map(_Rule):
    """A category or flag feature, each value given a level."""

    rule: Literal["map"]
    feature: str
    levels: dict[str, int]

    @field_validator("levels", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {(str(k).lower() if isinstance(k, bool) else k): v for k, v in value.items()}
        return value

    def inputs(self) -> tuple[str, ...]:
        return (self.feature,)

    def evaluate(self, table: Table) -> Floats:
        values = FEATURES[self.feature].values
        lookup = np.array([self.levels.get(v, np.nan) for v in values], dtype=np.float64)
        codes = table.get(self.feature)
        out = np.full(codes.shape, np.nan)
        known = ~np.isnan(codes)
        out[known] = lookup[codes[known].astype(np.intp)]
        return out

    def describe(self) -> str:
        pairs = ", ".join(f"{k} -> {v}" for k, v in self.levels.items())
        return f"map on {self.feature}: {pairs}"

    def explain(self, table: Table) -> str:
        return _says(f"map on {self.feature} = {table.show(self.feature)}", self._level(table))

    def top(self) -> int:
        return max(self.levels.values(), default=0)

    def requirements(self, target: int, table: Table) -> tuple[str, ...] | None:
        if self._level(table) >= target:
            return ()
        good = [v for v in FEATURES[self.feature].values if self.levels.get(v, -1) >= target]
        if not good:
            return None
        now = f"(now {table.show(self.feature)})"
        if len(good) == 1:
            return (f"{self.feature} = {good[0]} {now}",)
        return (f"{self.feature} one of {', '.join(good)} {now}",)

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
    thresholds: tuple[float, ...]

    def inputs(self) -> tuple[str, ...]:
        return self.features

    def _stack(self, table: Table) -> Floats:
        if not self.features:
            return np.zeros((table.n, 0))
        return np.stack([table.get(f) for f in self.features], axis=1)

    def evaluate(self, table: Table) -> Floats:
        x = self._stack(table)
        true = (x == 1).sum(axis=1).astype(np.float64)
        unknown = np.isnan(x).sum(axis=1)
        low = _band(true, self.thresholds)
        high = _band(true + unknown, self.thresholds)
        return np.where(low == high, low, np.nan)

    def _names(self) -> str:
        return ", ".join(self.features)

    def describe(self) -> str:
        reachable = [(i + 1, t) for i, t in enumerate(self.thresholds) if t != math.inf]
        return f"count true of [{self._names()}]: {_steps(reachable, '>=')}"

    def _now(self, table: Table) -> str:
        x = self._stack(table)[0]
        true = [f for f, v in zip(self.features, x, strict=True) if v == 1]
        unknown = int(np.isnan(x).sum())
        text = f"{len(true)} true" + (f": {', '.join(true)}" if true else "")
        return text + (f"; {unknown} unknown" if unknown else "")

    def explain(self, table: Table) -> str:
        return _says(f"count true of [{self._names()}] = {self._now(table)}", self._level(table))

    def top(self) -> int:
        return sum(1 for t in self.thresholds if t <= len(self.features))

    def requirements(self, target: int, table: Table) -> tuple[str, ...] | None:
        if self._level(table) >= target:
            return ()
        if target > self.top():
            return None
        need = _num(self.thresholds[target - 1])
        return (f"at least {need} of {self._names()} true (now {self._now(table)})",)

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
    if_true: int
    if_false: int | None = None

    def inputs(self) -> tuple[str, ...]:
        return (self.feature,)

    def evaluate(self, table: Table) -> Floats:
        v = table.get(self.feature)
        when_false = np.nan if self.if_false is None else float(self.if_false)
        return np.where(v == 1, float(self.if_true), np.where(v == 0, when_false, np.nan))

    def describe(self) -> str:
        when_false = "unknown" if self.if_false is None else str(self.if_false)
        return f"present {self.feature}: true -> {self.if_true}, false -> {when_false}"

    def explain(self, table: Table) -> str:
        return _says(f"present {self.feature} = {table.show(self.feature)}", self._level(table))

    def top(self) -> int:
        return max(self.if_true, self.if_false or 0)

    def requirements(self, target: int, table: Table) -> tuple[str, ...] | None:
        if self._level(table) >= target:
            return ()
        now = f"(now {table.show(self.feature)})"
        if self.if_true >= target:
            return (f"{self.feature} true {now}",)
        if self.if_false is not None and self.if_false >= target:
            return (f"{self.feature} false {now}",)
        return None

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

    def _stack(self, table: Table) -> Floats:
        if not self.of:
            return np.full((1, table.n), np.nan)
        return np.stack([r.evaluate(table) for r in self.of])

    def _missing(self, table: Table) -> str:
        names = [f for f in self.inputs() if math.isnan(float(table.get(f)[0]))]
        return ", ".join(names)

    def check(self, at: str) -> Iterator[Problem]:
        if len(self.of) < 2:
            yield Problem(f"{at}.of", f"{self.kind} needs at least two rules (got {len(self.of)})")
        for i, sub in enumerate(self.of):
            yield from sub.check(f"{at}.of[{i}]")


class Min(_Combined):
    """The lowest level of two or more rules; unknown when any of them is unknown."""

    rule: Literal["min"]
    kind: ClassVar[str] = "min"

    def evaluate(self, table: Table) -> Floats:
        out: Floats = np.minimum.reduce(self._stack(table), axis=0)
        return out

    def describe(self) -> str:
        return "lowest of (" + "; ".join(r.describe() for r in self.of) + ")"

    def explain(self, table: Table) -> str:
        level = self._level(table)
        head = f"lowest of {len(self.of)} rules"
        if math.isnan(level):
            return f"{head}: unknown (missing {self._missing(table)})"
        limiting = next(r for r in self.of if r._level(table) == level)
        return f"{head}: {limiting.explain(table)}"

    def top(self) -> int:
        return min((r.top() for r in self.of), default=0)

    def requirements(self, target: int, table: Table) -> tuple[str, ...] | None:
        if self._level(table) >= target:
            return ()
        out: list[str] = []
        for r in self.of:
            needed = r.requirements(target, table)
            if needed is None:
                return None
            out.extend(needed)
        return tuple(dict.fromkeys(out))


class Max(_Combined):
    """The highest known level of two or more rules; unknown only when all of them are."""

    rule: Literal["max"]
    kind: ClassVar[str] = "max"

    def evaluate(self, table: Table) -> Floats:
        out: Floats = np.fmax.reduce(self._stack(table), axis=0)
        return out

    def describe(self) -> str:
        return "highest of (" + "; ".join(r.describe() for r in self.of) + ")"

    def explain(self, table: Table) -> str:
        level = self._level(table)
        head = f"highest of {len(self.of)} rules"
        if math.isnan(level):
            return f"{head}: unknown (missing {self._missing(table)})"
        best = next(r for r in self.of if r._level(table) == level)
        return f"{head}: {best.explain(table)}"

    def top(self) -> int:
        return max((r.top() for r in self.of), default=0)

    def requirements(self, target: int, table: Table) -> tuple[str, ...] | None:
        if self._level(table) >= target:
            return ()
        options = [o for o in (r.requirements(target, table) for r in self.of) if o is not None]
        if not options:
            return None
        options = sorted(dict.fromkeys(options), key=len)
        if len(options) == 1:
            return options[0]
        return ("one of: " + " or ".join("(" + "; ".join(o) + ")" for o in options),)


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
"""One derive rule (``rule:`` tells which)."""

Min.model_rebuild()
Max.model_rebuild()


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
    shown = [_num(t) if not math.isnan(t) else "nan" for t in thresholds]
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


# --- encoding feature tables ----------------------------------------------------------------


def encode_frame(facts: pd.DataFrame) -> Table:
    """Check and encode a feature table (one column per feature) for the rules.

    Args:
        facts: One row per partnership, columns named after features of
            :data:`readiness.facts.FEATURES` (any subset; a missing column is unknown).
            Numbers and levels numeric, flags bool/boolean or 0/1, categories text; NaN,
            None or NA is unknown.

    Returns:
        The encoded :class:`Table`.

    Raises:
        InputError: Unknown columns, or values of the wrong type or outside their range,
            each named by row label and column.
    """
    problems: list[Problem] = []
    columns: dict[str, Floats] = {}
    for label in facts.columns:
        name = str(label)
        feature = FEATURES.get(name)
        if feature is None:
            hint = difflib.get_close_matches(name, list(FEATURES), n=1)
            more = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.append(Problem(f"column {name!r}", f"not a feature{more}"))
            continue
        values, bad, message = _encode(facts[label], feature.type, feature.values)
        if bad.any():
            for i in np.flatnonzero(bad)[:5]:
                got = facts[label].iloc[i]
                got = got.item() if isinstance(got, np.generic) else got
                problems.append(
                    Problem(f"row {facts.index[i]!r}, column {name!r}", f"{message} (got {got!r})")
                )
            continue
        columns[name] = values
    if problems:
        raise InputError(problems, source="facts")
    return Table(n=len(facts), columns=columns)


def _encode(
    series: pd.Series, kind: FeatureType, allowed: tuple[str, ...]
) -> tuple[Floats, NDArray[np.bool_], str]:
    present = series.notna().to_numpy(dtype=bool)
    if kind == "category":
        codes = pd.Index(list(allowed)).get_indexer(pd.Index(series.astype(object)))
        values = codes.astype(np.float64)
        values[codes < 0] = np.nan
        return values, present & (codes < 0), f"must be one of {', '.join(allowed)}"
    if kind != "flag" and pd.api.types.is_bool_dtype(series.dtype):
        return np.full(len(series), np.nan), present, "must be a number, not true/false"
    numbers = pd.to_numeric(series.astype(object), errors="coerce")
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    invalid = present & np.isnan(values)
    if kind == "flag":
        return values, invalid | (present & ~np.isin(values, (0.0, 1.0))), "must be true or false"
    if kind == "level":
        off = ~np.isin(values, (0.0, 1.0, 2.0, 3.0, 4.0))
        return values, invalid | (present & off), "must be a level 0-4"
    return values, invalid | (present & ~(values >= 0)), "must be a number >= 0"


def encode_row(values: Mapping[str, FeatureValue]) -> Table:
    """Encode one partnership's features (from :func:`readiness.facts.facts_features`).

    Args:
        values: Feature name -> value (``None`` unknown); names outside the catalogue
            are ignored.

    Returns:
        A one-row :class:`Table`.
    """
    columns: dict[str, Floats] = {}
    for name, value in values.items():
        feature = FEATURES.get(name)
        if feature is None:
            continue
        if value is None:
            x = math.nan
        elif feature.type == "category":
            x = float(feature.values.index(str(value)))
        elif feature.type == "flag":
            x = 1.0 if value else 0.0
        else:
            x = float(value)
        columns[name] = np.array([x], dtype=np.float64)
    return Table(n=1, columns=columns)


# --- tables and single partnerships --------------------------------------------------------


def derive_frame(facts: pd.DataFrame, rubric: Rubric | None = None) -> pd.DataFrame:
    """Derive the levels of many partnerships from their features, column by column.

    Args:
        facts: A feature table, e.g. :func:`readiness.facts_frame` or
            :func:`readiness.io.atop.atop_facts_frame` (see :func:`encode_frame`).
        rubric: The rubric whose ``derive:`` rules apply; default
            :func:`readiness.load_rubric`.

    Returns:
        Levels 0-4 as floats (NaN where the facts are missing), same index as
        ``facts``, one column per criterion that has a rule, in rubric order: ready for
        :func:`readiness.assess_frame`.

    Raises:
        InputError: The table has unknown columns or invalid values.

    >>> frame = pd.DataFrame({"exercises_per_year": [0.0, 4.0, None]}, index=["a", "b", "c"])
    >>> derive_frame(frame)["training.joint-exercises"].tolist()
    [0.0, 3.0, nan]
    """
    from readiness.rubric import load_rubric

    rubric = rubric or load_rubric()
    table = encode_frame(facts)
    data = {c.id: c.derive.evaluate(table) for c in rubric.criteria if c.derive is not None}
    return pd.DataFrame(data, index=facts.index, columns=list(data), dtype=np.float64)


@dataclass(frozen=True)
class Derivation:
    """The level one rule derives for one partnership.

    Attributes:
        criterion: The criterion id.
        level: The derived level, ``None`` when the facts it needs are missing.
        text: How, in one line: ``bands on exercises_per_year = 3 -> level 2``.
        rule: The rule.
        table: The partnership's encoded features (one row).
    """

    criterion: str
    level: int | None
    rule: Rule
    table: Table

    @cached_property
    def text(self) -> str:
        """How, in one line (built on first use: most results never show it)."""
        return self.rule.explain(self.table)

    def facts_to_reach(self, target: int) -> tuple[str, ...]:
        """The fact values that would bring this criterion to ``target``."""
        return facts_to_reach(self.rule, target, self.table)


def facts_to_reach(rule: Rule, target: int, table: Table) -> tuple[str, ...]:
    """What would have to change in the facts for ``rule`` to give ``target``.

    Args:
        rule: The rule.
        target: The level wanted.
        table: One partnership's encoded features.

    Returns:
        The conditions (all needed), or one sentence saying facts cannot show ``target``.
    """
    needed = rule.requirements(target, table)
    if needed is None:
        return (
            f"no facts reach level {target} under this rule (it gives at most {rule.top()}); "
            "rate the criterion with evidence",
        )
    return needed


def derive_partnership(partnership: Partnership, rubric: Rubric) -> dict[str, Derivation]:
    """The levels a partnership's facts give, for every criterion that has a rule.

    Facts are read as of ``assessed_on`` (else today).

    Args:
        partnership: The partnership.
        rubric: The rubric whose rules apply.

    Returns:
        Criterion id -> :class:`Derivation`; empty when the partnership has no facts.
    """
    if partnership.facts is None:
        return {}
    as_of = partnership.assessed_on or dt.date.today()
    table = encode_row(facts_features(partnership.facts, as_of))
    out = {}
    for c in rubric.criteria:
        if c.derive is None:
            continue
        level = float(c.derive.evaluate(table)[0])
        out[c.id] = Derivation(
            criterion=c.id,
            level=None if math.isnan(level) else int(level),
            rule=c.derive,
            table=table,
        )
    return out


def override_problems(partnership: Partnership, derived: Mapping[str, Derivation]) -> list[Problem]:
    """Ratings that override a derived level too far without a justification.

    A rating may differ from the derived level by one level freely. A larger difference,
    or a rating of ``not-applicable`` or ``unknown`` over a derived level, needs a
    ``justification``.

    Args:
        partnership: The partnership.
        derived: Its derivations (:func:`derive_partnership`).

    Returns:
        One problem per such rating, at ``$.ratings['<id>'].justification``.
    """
    problems = []
    for cid, d in derived.items():
        rating = partnership.ratings.get(cid)
        if rating is None or d.level is None or rating.justification:
            continue
        path = json_path(("ratings", cid, "justification"))
        if isinstance(rating.level, int):
            if abs(rating.level - d.level) > 1:
                problems.append(
                    Problem(
                        path,
                        f"the rating {rating.level} differs from the level {d.level} derived "
                        f"from facts by more than one level; add a justification",
                    )
                )
        else:
            problems.append(
                Problem(
                    path,
                    f"the rating {rating.level!r} replaces the level {d.level} derived from "
                    f"facts; add a justification",
                )
            )
    return problems

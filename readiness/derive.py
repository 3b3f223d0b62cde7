"""The derive engine: run the rubric's derive rules on facts, column by column.

The rules themselves (what ``derive:`` may say in a rubric, and their checks) are the
language, :mod:`readiness.rules`. This module runs them:

- :func:`evaluate` gives levels 0-4 (NaN unknown) for every row of a feature
  :class:`Table`; :func:`derive_frame` does it for a whole feature frame (numpy, never
  row by row), ready for :func:`readiness.assess_frame`.
- :func:`derive_partnership` runs the same rules on one partnership's facts, so
  ``assess`` and ``derive_frame`` + ``assess_frame`` agree.
- :func:`explain` says how one row got its level (``bands on exercises_per_year = 3 ->
  level 2``) and :func:`requirements` which facts would reach a target level
  (``exercises_per_year >= 12 (now 3)``).
"""

from __future__ import annotations

import difflib
import functools
import math
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from readiness.errors import InputError, Problem
from readiness.facts import FEATURES, FeatureType, FeatureValue
from readiness.rules import (
    RULE_TYPES,
    Bands,
    Count,
    Map,
    Max,
    Min,
    Present,
    Rule,
    check_rule,
    number_text,
)

if TYPE_CHECKING:
    import pandas as pd

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
    "derive_levels",
    "derive_partnership",
    "encode_frame",
    "encode_row",
    "encode_rows",
    "evaluate",
    "explain",
    "facts_to_reach",
    "override_problems",
    "requirements",
]

Floats = NDArray[np.float64]
_num = number_text


# --- the feature table rules read --------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Encoded feature columns of ``n`` partnerships, as float arrays.

    Numbers and levels are themselves, flags 1.0/0.0, categories the index of the value
    in the feature's ``values``; NaN is unknown. A feature with no column is unknown.
    """

    n: int
    columns: Mapping[str, Floats]
    row: Mapping[str, float] | None = field(default=None, compare=False, repr=False)
    """For a one-row table, its values as Python floats (:func:`encode_row` keeps them)."""

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


def _says(head: str, level: float) -> str:
    return f"{head} -> " + ("unknown" if math.isnan(level) else f"level {int(level)}")


def _band(values: Floats, thresholds: tuple[float, ...], descending: bool = False) -> Floats:
    th = np.asarray(thresholds, dtype=np.float64)
    hit = values[:, None] <= th[None, :] if descending else values[:, None] >= th[None, :]
    out: Floats = hit.sum(axis=1).astype(np.float64)
    out[np.isnan(values)] = np.nan
    return out


# --- running rules -------------------------------------------------------------------------


def evaluate(rule: Rule, table: Table) -> Floats:
    """Levels 0-4 (NaN unknown) that ``rule`` gives, one per row of ``table``."""
    match rule:
        case Bands():
            return _band(table.get(rule.feature), rule.thresholds, rule.descending)
        case Map():
            values = FEATURES[rule.feature].values
            lookup = np.array([rule.levels.get(v, np.nan) for v in values], dtype=np.float64)
            codes = table.get(rule.feature)
            out = np.full(codes.shape, np.nan)
            known = ~np.isnan(codes)
            out[known] = lookup[codes[known].astype(np.intp)]
            return out
        case Count():
            x = _flags(rule, table)
            true = (x == 1).sum(axis=1).astype(np.float64)
            unknown = np.isnan(x).sum(axis=1)
            low = _band(true, rule.thresholds)
            high = _band(true + unknown, rule.thresholds)
            return np.where(low == high, low, np.nan)
        case Present():
            v = table.get(rule.feature)
            when_false = np.nan if rule.if_false is None else float(rule.if_false)
            return np.where(v == 1, float(rule.if_true), np.where(v == 0, when_false, np.nan))
        case Min() if rule.settle == "all":
            lowest_: Floats = np.minimum.reduce(_sub_levels(rule, table), axis=0)
            return lowest_
        case Min():
            levels = _sub_levels(rule, table)
            missing = np.isnan(levels)
            bottoms = np.array([r.bottom() for r in rule.of], dtype=np.float64)[:, None]
            could_be = np.where(missing, bottoms, np.inf).min(axis=0, initial=np.inf)
            lowest = np.where(missing, np.inf, levels).min(axis=0, initial=np.inf)
            settled: Floats = np.where(lowest <= could_be, lowest, np.nan)
            return settled
        case Max():
            highest: Floats = np.fmax.reduce(_sub_levels(rule, table), axis=0)
            return highest
    raise TypeError(f"not a rule: {type(rule).__name__}")  # pragma: no cover


def explain(rule: Rule, table: Table) -> str:
    """How the first row of ``table`` gets its level under ``rule``, in one line."""
    level = _level(rule, table)
    match rule:
        case Bands() | Map():
            return _says(f"{rule.rule} on {rule.feature} = {table.show(rule.feature)}", level)
        case Present():
            return _says(f"present {rule.feature} = {table.show(rule.feature)}", level)
        case Count():
            return _says(f"count true of [{rule.names()}] = {_now(rule, table)}", level)
        case Min() | Max():
            head = f"{'lowest' if isinstance(rule, Min) else 'highest'} of {len(rule.of)} rules"
            if math.isnan(level):
                missing = [f for f in rule.inputs() if math.isnan(float(table.get(f)[0]))]
                return f"{head}: unknown (missing {', '.join(missing)})"
            deciding = next(r for r in rule.of if _level(r, table) == level)
            return f"{head}: {explain(deciding, table)}"
    raise TypeError(f"not a rule: {type(rule).__name__}")  # pragma: no cover


def requirements(rule: Rule, target: int, table: Table) -> tuple[str, ...] | None:
    """Fact values that would bring the first row of ``table`` to ``target``.

    Returns:
        ``()`` when the row is already at or above ``target``; the conditions that
        must all hold (each like ``exercises_per_year >= 12 (now 3)``); or ``None``
        when no facts reach ``target`` under this rule.
    """
    if _level(rule, table) >= target:
        return ()
    match rule:
        case Bands():
            return _needs_bands(rule, target, table)
        case Map():
            return _needs_map(rule, target, table)
        case Count():
            if target > rule.top():
                return None
            need = _num(rule.thresholds[target - 1])
            return (f"at least {need} of {rule.names()} true (now {_now(rule, table)})",)
        case Present():
            return _needs_present(rule, target, table)
        case Min():
            return _needs_all(rule, target, table)
        case Max():
            return _needs_one(rule, target, table)
    raise TypeError(f"not a rule: {type(rule).__name__}")  # pragma: no cover


def _needs_bands(rule: Bands, target: int, table: Table) -> tuple[str, ...] | None:
    if target > rule.top():
        return None
    t = rule.thresholds[target - 1]
    now = f"(now {table.show(rule.feature)})"
    if math.isinf(t):  # every value reaches it: the fact must only be given
        return (f"{rule.feature} given {now}",)
    return (f"{rule.feature} {rule.op} {_num(t)} {now}",)


def _needs_map(rule: Map, target: int, table: Table) -> tuple[str, ...] | None:
    good = [v for v in FEATURES[rule.feature].values if rule.levels.get(v, -1) >= target]
    if not good:
        return None
    now = f"(now {table.show(rule.feature)})"
    if len(good) == len(FEATURES[rule.feature].values):
        return (f"{rule.feature} given {now}",)
    if len(good) == 1:
        return (f"{rule.feature} = {good[0]} {now}",)
    return (f"{rule.feature} one of {', '.join(good)} {now}",)


def _needs_present(rule: Present, target: int, table: Table) -> tuple[str, ...] | None:
    now = f"(now {table.show(rule.feature)})"
    if rule.if_true >= target:
        return (f"{rule.feature} true {now}",)
    if rule.if_false is not None and rule.if_false >= target:
        return (f"{rule.feature} false {now}",)
    return None


def _needs_all(rule: Min, target: int, table: Table) -> tuple[str, ...] | None:
    out: list[str] = []
    for r in rule.of:
        # every input is asked for, even one that cannot give less than target:
        # with ``settle: lowest`` an unknown input still leaves the min unknown
        # when the known ones give more than that input's lowest level
        needed = requirements(r, target, table)
        if needed is None:
            return None
        out.extend(needed)
    return tuple(dict.fromkeys(out))


def _needs_one(rule: Max, target: int, table: Table) -> tuple[str, ...] | None:
    found = (requirements(r, target, table) for r in rule.of)
    options = sorted(dict.fromkeys(o for o in found if o is not None), key=len)
    # an option that asks for all of another and more is never the way to go
    options = [o for i, o in enumerate(options)
               if not any(set(p) <= set(o) for p in options[:i])]  # fmt: skip
    if not options:
        return None
    if len(options) == 1:
        return options[0]
    return ("one of: " + " or ".join("(" + "; ".join(o) + ")" for o in options),)


def _first_row(table: Table) -> dict[str, float]:
    return {name: float(column[0]) for name, column in table.columns.items()}


OneRow = Callable[[Mapping[str, float]], float]
"""A rule compiled for one row: the row's values (a feature not in it is unknown) ->
the level :func:`evaluate` gives that row (NaN unknown), on Python floats."""


def _one_row(rule: Rule) -> OneRow:
    """``rule`` compiled for one row: closures over its constants, so a partnership's 43
    rules cost a few Python calls each instead of a dispatch on every call.

    The same rule as :func:`evaluate`, on Python floats; ``tests/test_derive.py`` holds
    the two equal on random rows for every rule of the shipped rubric.
    """
    match rule:
        case Bands():
            return _bands_one(rule.feature, rule.thresholds, rule.descending)
        case Map():
            return _map_one(rule)
        case Count():
            return _count_one(rule)
        case Present():
            return _present_one(rule)
        case Min() | Max() if not rule.of:  # no rule checks allow it: as the arrays do
            level = float(evaluate(rule, Table(n=1, columns={})).item())
            return lambda row: level
        case Min():
            return _min_one(rule)
        case Max():
            return _max_one(rule)
    raise TypeError(f"not a rule: {type(rule).__name__}")  # pragma: no cover


def _map_one(rule: Map) -> OneRow:
    nan, feature = math.nan, rule.feature
    lookup = [float(rule.levels.get(v, nan)) for v in FEATURES[feature].values]

    def mapped(row: Mapping[str, float]) -> float:
        code = row.get(feature, nan)
        return nan if code != code else lookup[int(code)]

    return mapped


def _count_one(rule: Count) -> OneRow:
    nan, features, thresholds = math.nan, rule.features, rule.thresholds

    def count(row: Mapping[str, float]) -> float:
        true = unknown = 0
        for f in features:
            x = row.get(f, nan)
            if x == 1:
                true += 1
            elif x != x:
                unknown += 1
        low = float(sum(true >= t for t in thresholds))
        if not unknown:
            return low
        high = float(sum(true + unknown >= t for t in thresholds))
        return low if low == high else nan

    return count


def _present_one(rule: Present) -> OneRow:
    nan, feature, if_true = math.nan, rule.feature, float(rule.if_true)
    if_false = nan if rule.if_false is None else float(rule.if_false)

    def present(row: Mapping[str, float]) -> float:
        v = row.get(feature, nan)
        return if_true if v == 1 else if_false if v == 0 else nan

    return present


def _min_one(rule: Min) -> OneRow:
    nan = math.nan
    if rule.settle == "all":
        parts = [_one_row(r) for r in rule.of]

        def lowest_all(row: Mapping[str, float]) -> float:
            lowest = math.inf
            for f in parts:
                x = f(row)
                if x != x:  # one unknown: unknown (the rules have no side effects)
                    return nan
                if x < lowest:
                    lowest = x
            return lowest  # ``of`` is never empty here (see _one_row)

        return lowest_all
    pairs = [(_one_row(r), float(r.bottom())) for r in rule.of]

    def lowest_settled(row: Mapping[str, float]) -> float:
        lowest = could_be = math.inf
        for f, bottom in pairs:
            x = f(row)
            if x != x:
                could_be = min(could_be, bottom)
            else:
                lowest = min(lowest, x)
        return lowest if lowest <= could_be else nan

    return lowest_settled


def _max_one(rule: Max) -> OneRow:
    nan, parts = math.nan, [_one_row(r) for r in rule.of]

    def highest(row: Mapping[str, float]) -> float:
        best = nan
        for f in parts:
            x = f(row)
            if x > best or (best != best and x == x):  # NaN compares False
                best = x
        return best

    return highest


def _bands_one(feature: str, thresholds: tuple[float, ...], descending: bool) -> OneRow:
    nan = math.nan
    ascending = sorted(thresholds)
    if not any(math.isnan(t) for t in thresholds) and list(thresholds) == (
        ascending[::-1] if descending else ascending
    ):
        # thresholds in order (as a valid rubric has them): the count is a bisection
        # (how many thresholds the value reaches), not a comparison per threshold
        if descending:  # how many t >= v
            size = len(ascending)

            def at_most_sorted(row: Mapping[str, float]) -> float:
                v = row.get(feature, nan)
                return nan if v != v else float(size - bisect_left(ascending, v))

            return at_most_sorted

        def at_least_sorted(row: Mapping[str, float]) -> float:
            v = row.get(feature, nan)
            return nan if v != v else float(bisect_right(ascending, v))

        return at_least_sorted
    if descending:

        def at_most(row: Mapping[str, float]) -> float:
            v = row.get(feature, nan)
            return nan if v != v else float(sum(v <= t for t in thresholds))

        return at_most

    def at_least(row: Mapping[str, float]) -> float:
        v = row.get(feature, nan)
        return nan if v != v else float(sum(v >= t for t in thresholds))

    return at_least


def _one_row_rules(rubric: Rubric) -> tuple[OneRow | None, ...]:
    """Every criterion's rule compiled for one row (``None``: no rule), kept per rubric
    object (an entry goes when its rubric is collected)."""
    kept = _ONE_ROW.get(id(rubric))
    if kept is not None and kept[0]() is rubric:
        return kept[1]
    rules = tuple(None if c.derive is None else _one_row(c.derive) for c in rubric.criteria)
    _ONE_ROW[id(rubric)] = (weakref.ref(rubric), rules)
    weakref.finalize(rubric, _ONE_ROW.pop, id(rubric), None)
    return rules


_ONE_ROW: dict[int, tuple[weakref.ref[Rubric], tuple[OneRow | None, ...]]] = {}


def _level(rule: Rule, table: Table) -> float:
    return float(evaluate(rule, table)[0])


def _flags(rule: Count, table: Table) -> Floats:
    if not rule.features:
        return np.zeros((table.n, 0))
    return np.stack([table.get(f) for f in rule.features], axis=1)


def _sub_levels(rule: Min | Max, table: Table) -> Floats:
    if not rule.of:
        return np.full((1, table.n), np.nan)
    return np.stack([evaluate(r, table) for r in rule.of])


def _now(rule: Count, table: Table) -> str:
    x = _flags(rule, table)[0]
    true = [f for f, v in zip(rule.features, x, strict=True) if v == 1]
    unknown = int(np.isnan(x).sum())
    text = f"{len(true)} true" + (f": {', '.join(true)}" if true else "")
    return text + (f"; {unknown} unknown" if unknown else "")


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
    import pandas as pd

    present = series.notna().to_numpy(dtype=bool)
    if kind == "category":
        codes = pd.Index(list(allowed)).get_indexer(pd.Index(series.astype(object)))
        values = codes.astype(np.float64)
        values[codes < 0] = np.nan
        return values, present & (codes < 0), f"must be one of {', '.join(allowed)}"
    if kind != "flag" and pd.api.types.is_bool_dtype(series.dtype):
        return np.full(len(series), np.nan), present, "must be a number, not true/false"
    if pd.api.types.is_complex_dtype(series.dtype):
        return np.full(len(series), np.nan), present, "must be a real number, not complex"
    if pd.api.types.is_object_dtype(
        series.dtype
    ):  # true/false and complex values are never numbers
        odd = (
            (complex, np.complexfloating)
            if kind == "flag"
            else (bool, np.bool_, complex, np.complexfloating)
        )
        strange = np.fromiter((isinstance(v, odd) for v in series), bool, len(series))
        if strange.any():
            what = "true or false" if kind == "flag" else "a number, not true/false or complex"
            return np.full(len(series), np.nan), present & strange, f"must be {what}"
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
    row: dict[str, float] = {}
    encoders = _encoders()
    nan = math.nan
    for name, value in values.items():
        encode = encoders.get(name)
        if encode is None:  # not a feature
            continue
        row[name] = nan if value is None else encode(value)
    return Table(n=1, columns=_RowColumns(row), row=row)


def encode_rows(rows: Sequence[Mapping[str, FeatureValue]]) -> Table:
    """Encode many partnerships' features (each from :func:`readiness.facts.facts_features`,
    so each holds every feature) into one table: the values :func:`encode_row` gives, laid
    out as one float array (a row per partnership, a feature per column) in one call,
    not a dict per row and an array per feature built value by value.
    """
    nan = math.nan
    encoders = tuple(_encoders().items())
    matrix = np.array(
        [
            [nan if (v := row[name]) is None else encode(v) for name, encode in encoders]
            for row in rows
        ],
        dtype=np.float64,
    ).reshape(len(rows), len(encoders))
    columns = np.ascontiguousarray(matrix.T)  # one contiguous array per feature
    return Table(n=len(rows), columns=dict(zip(FEATURES, columns, strict=True)))


@functools.cache
def _encoders() -> dict[str, Callable[[FeatureValue], float]]:
    """Every feature (catalogue order) with the function that encodes a known value: a
    category's index among its values, a flag's 1 or 0, a number as a float."""

    def category(values: tuple[str, ...]) -> Callable[[FeatureValue], float]:
        return lambda v: float(values.index(str(v)))

    def flag(v: FeatureValue) -> float:
        return 1.0 if v else 0.0

    out: dict[str, Callable[[FeatureValue], float]] = {}
    for name, feature in FEATURES.items():
        if feature.type == "category":
            out[name] = category(feature.values)
        else:
            out[name] = flag if feature.type == "flag" else float  # type: ignore[assignment]
    return out


class _RowColumns(Mapping[str, Floats]):
    """A one-row table's columns, each made from its Python float when asked for: one
    partnership's rules read the floats (:func:`_one_row`), so the ~200 one-element
    arrays a table of every feature would hold are mostly never needed."""

    __slots__ = ("_row",)

    def __init__(self, row: Mapping[str, float]) -> None:
        self._row = row

    def __getitem__(self, name: str) -> Floats:
        return np.array([self._row[name]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


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

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"exercises_per_year": [0.0, 4.0, None]}, index=["a", "b", "c"])
    >>> derive_frame(frame)["training.joint-exercises"].tolist()
    [0.0, 3.0, nan]
    """
    import pandas as pd

    from readiness.rubric import load_rubric

    rubric = rubric or load_rubric()
    table = encode_frame(facts)
    data = {c.id: evaluate(c.derive, table) for c in rubric.criteria if c.derive is not None}
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
        return explain(self.rule, self.table)

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
    needed = requirements(rule, target, table)
    if needed is None:
        return (
            f"no facts reach level {target} under this rule (it gives at most {rule.top()}); "
            "rate the criterion with evidence",
        )
    return needed


def derive_levels(table: Table, rubric: Rubric) -> Floats:
    """The levels every rule of ``rubric`` gives every row of ``table``.

    One row (one partnership: ``assess``) is derived with Python floats by
    :func:`_one_row`, the same rules on the same values without the arrays that
    pay off only for many rows (``tests/test_derive.py`` holds the two paths equal).

    Returns:
        ``(n, m)`` levels, one column per criterion of the rubric in order (NaN where
        a criterion has no rule or its facts are missing).
    """
    if table.n == 1:
        row = table.row if table.row is not None else _first_row(table)
        nan = math.nan
        return np.array(
            [[nan if f is None else f(row) for f in _one_row_rules(rubric)]], dtype=np.float64
        )
    out = np.full((table.n, len(rubric.criteria)), np.nan)
    for j, c in enumerate(rubric.criteria):
        if c.derive is not None:
            out[:, j] = evaluate(c.derive, table)
    return out


def derive_partnership(partnership: Partnership, rubric: Rubric) -> dict[str, Derivation]:
    """The levels a partnership's facts give, for every criterion that has a rule.

    Facts are read as of ``assessed_on`` (else today), with the members and agreements
    in force on that date (:meth:`readiness.Partnership.features`): the same values
    :func:`readiness.resolve.resolve` derives for ``assess`` and for the batch.

    Args:
        partnership: The partnership.
        rubric: The rubric whose rules apply.

    Returns:
        Criterion id -> :class:`Derivation`, for every criterion with a rule (without
        ``facts``, only those the members alone give a level).
    """
    table = encode_row(partnership.features())
    levels = derive_levels(table, rubric)[0]
    out = {}
    for j, c in enumerate(rubric.criteria):
        if c.derive is None:
            continue
        level = float(levels[j])
        if math.isnan(level) and partnership.facts is None:
            continue
        out[c.id] = Derivation(
            criterion=c.id,
            level=None if math.isnan(level) else int(level),
            rule=c.derive,
            table=table,
        )
    return out


def override_problems(partnership: Partnership, derived: Mapping[str, Derivation]) -> list[Problem]:
    """Ratings that contradict a derived level without a justification.

    The rule itself is :meth:`readiness.Partnership.override_problems` (data checks
    belong to the description); this takes :func:`derive_partnership`'s result.
    """
    return partnership.override_problems({k: d.level for k, d in derived.items()})

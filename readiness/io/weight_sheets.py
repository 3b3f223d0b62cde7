"""Weight sheets: the pairwise comparisons (or swings) an assessor fills in.

``readiness template --weights`` adds a weight sheet to the questionnaire and
``readiness weights FILE...`` reads it back (:func:`read_judgements`) into
:class:`~readiness.weights.Judgements` for :func:`~readiness.weights.elicit`.

Two kinds of sheet, one row per question:

- **AHP** (:data:`AHP_COLUMNS`): one row per pair of pillars (group
  :data:`~readiness.weights.PILLARS`), then one row per pair of criteria inside each
  pillar (the group is the pillar id). ``value`` says how many times more important
  ``a`` is than ``b`` on Saaty's scale: ``1`` equal, ``3`` moderately, ``5`` strongly,
  ``7`` very strongly, ``9`` extremely (2, 4, 6, 8 in between); when ``b`` is the more
  important, ``1/3``, ``1/5`` ... (or 0.333, 0.2). Blank: not judged; missing pairs are
  completed as long as the judged ones connect every pillar (or criterion); a pillar whose
  criteria are all left blank keeps the rubric's criterion weights.
- **Swing** (:data:`SWING_COLUMNS`): one row per pillar. ``rank``: 1 for the pillar whose
  swing from its worst to its best level matters most, 2 for the next...; ``rating``: the
  swing rated from 0 to 100 against the first (which is 100).

Where the sheet goes: a sheet ``Weights`` in a workbook; in a csv questionnaire a section
after the criteria table that starts with a line ``weights,ahp`` (or ``weights,swing``)
followed by the header; in a json questionnaire an object ``"weights": {"method", "help",
"rows"}``. A file holding only the weight sheet reads the same way. The assessor's name is
the cover's ``assessor`` (else the file name).

Every problem names its cell: ``Weights!D5`` in a workbook, ``line 60, column D (value)``
in a csv file, ``$.weights.rows[3].value`` in json.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness.errors import InputError, Problem
from readiness.io._cells import _read_text, _records
from readiness.io._weight_layout import (
    AHP_COLUMNS,
    AHP_HELP,
    SWING_COLUMNS,
    SWING_HELP,
    WEIGHTS_SHEET,
    WeightMethod,
    columns_of,
    weight_rows,
)
from readiness.io._xlsx import column_letter, read_sheets
from readiness.io.template import COVER_SHEET, XLSX_HINT, template_format
from readiness.rubric import Rubric
from readiness.weights import PILLARS, SCALE, Judgements, ahp, swing

__all__ = [
    "AHP_COLUMNS",
    "AHP_HELP",
    "SWING_COLUMNS",
    "SWING_HELP",
    "WEIGHTS_SHEET",
    "read_judgements",
    "weight_rows",
]

# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    value: Any
    where: str


_Row = dict[str, _Cell]


def read_judgements(path: str | Path, rubric: Rubric) -> Judgements:
    """One assessor's judgements from a filled weight sheet (xlsx, csv or json).

    Args:
        path: A questionnaire written with ``readiness template --weights``, or a file
            holding only its weight sheet.
        rubric: The rubric whose pillars and criteria the sheet compares.

    Returns:
        The :class:`~readiness.weights.Judgements`, checked: each group's judgements
        give weights (values on Saaty's scale, pairs connected; ranks and ratings valid).

    Raises:
        InputError: No weight sheet, a value off the scale or not a number, a pillar or
            criterion the rubric lacks, a pair given twice (or both ways, not
            reciprocal), judged pairs that do not connect a group; every problem at its
            cell, the error naming the file.
    """
    p = Path(path)
    name = str(path)
    try:
        kind = template_format(p)
    except Exception:
        raise InputError(
            "cannot tell the format from the extension; use .xlsx, .csv or .json", source=name
        ) from None
    if kind == "xlsx":
        method, rows, assessor = _read_xlsx(p)
    elif kind == "csv":
        method, rows, assessor = _read_csv(p)
    else:
        method, rows, assessor = _read_json(p)
    who = assessor or p.stem
    try:
        return _judgements(method, rows, rubric, who, name)
    except InputError as exc:
        raise InputError(exc.problems, source=name) from None


def _method_of(header: Sequence[str], where: str, name: str) -> WeightMethod:
    if {"group", "a", "b", "value"} <= set(header):
        return "ahp"
    if {"pillar", "rank", "rating"} <= set(header):
        return "swing"
    raise InputError(
        [
            Problem(
                where,
                "the weight sheet's header has neither the AHP columns (group, a, b, value) "
                "nor the swing columns (pillar, rank, rating)",
            )
        ],
        source=name,
    )


def _rows_of(
    table: Sequence[tuple[int, Sequence[Any]]],
    where: Callable[[int, int, str], str],
    name: str,
    header_where: str,
) -> tuple[WeightMethod, list[_Row]]:
    """The rows (column -> cell) under a header row; blank rows left out."""
    if not table:
        raise InputError([Problem(header_where, "the weight sheet is empty")], source=name)
    header = [str(c).strip().lower() if c is not None else "" for c in table[0][1]]
    method = _method_of(header, header_where, name)
    index = {c: header.index(c) for c in columns_of(method) if c in header}
    out: list[_Row] = []
    for r, values in table[1:]:
        row = {
            c: _Cell(values[i] if i < len(values) else None, where(r, i, c))
            for c, i in index.items()
        }
        if all(_blank(cell.value) for cell in row.values()):
            continue
        out.append(row)
    return method, out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_xlsx(path: Path) -> tuple[WeightMethod, list[_Row], str | None]:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise InputError(XLSX_HINT, source=str(path)) from None
    sheets = read_sheets(path, (WEIGHTS_SHEET,), optional=(COVER_SHEET,))
    assessor = None
    if COVER_SHEET in sheets:
        for _, values in sheets[COVER_SHEET].rows:
            if values and str(values[0]).strip().lower() == "assessor" and len(values) > 1:
                assessor = _text(values[1])
    table = sheets[WEIGHTS_SHEET].rows
    method, rows = _rows_of(
        table,
        lambda r, c, _: f"{WEIGHTS_SHEET}!{column_letter(c + 1)}{r}",
        str(path),
        f"{WEIGHTS_SHEET}!1",
    )
    return method, rows, assessor


def _read_csv(path: Path) -> tuple[WeightMethod, list[_Row], str | None]:
    name = str(path)
    lines = _records(_read_text(path), name)
    start = next(
        (i for i, row in enumerate(lines) if row and row[0].strip().lower() == "weights"), None
    )
    if start is None or start + 1 >= len(lines):
        raise InputError(
            "no weight sheet: no line starts with 'weights' (write the questionnaire with "
            "readiness template --weights)",
            source=name,
        )
    assessor = next(
        (
            _text(row[1])
            for row in lines[:start]
            if len(row) > 1 and row[0].strip().lower() == "assessor"
        ),
        None,
    )

    def where(r: int, c: int, column: str) -> str:
        return f"line {r}, column {column_letter(c + 1)} ({column})"

    table = [(start + 2 + i, tuple(row)) for i, row in enumerate(lines[start + 1 :])]
    method, rows = _rows_of(table, where, name, f"line {start + 2}")
    return method, rows, assessor


def _read_json(path: Path) -> tuple[WeightMethod, list[_Row], str | None]:
    name = str(path)
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(
            [Problem(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")],
            source=name,
        ) from None
    weights = data.get("weights") if isinstance(data, dict) else None
    if not isinstance(weights, dict):
        raise InputError(
            [Problem("$.weights", "no weight sheet (write it with readiness template --weights)")],
            source=name,
        )
    cover = data.get("cover")
    assessor = _text(cover.get("assessor")) if isinstance(cover, dict) else None
    method = weights.get("method")
    if method not in ("ahp", "swing"):
        raise InputError(
            [Problem("$.weights.method", f"must be 'ahp' or 'swing' (got {method!r})")],
            source=name,
        )
    rows_in = weights.get("rows")
    if not isinstance(rows_in, list):
        raise InputError([Problem("$.weights.rows", "must be a list of rows")], source=name)
    rows: list[_Row] = []
    problems: list[Problem] = []
    for k, row in enumerate(rows_in):
        at = f"$.weights.rows[{k}]"
        if not isinstance(row, dict):
            problems.append(Problem(at, "must be an object"))
            continue
        known = columns_of(method)
        for key in row:
            if key not in known:
                problems.append(Problem(f"{at}[{key!r}]", f"unknown key {key!r}"))
        rows.append({c: _Cell(row.get(c), _json_at(at, c)) for c in known})
    if problems:
        raise InputError(problems, source=name)
    return method, rows, assessor


def _json_at(at: str, key: str) -> str:
    return f"{at}.{key}" if key.isidentifier() else f"{at}[{key!r}]"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")


def _number(value: Any) -> float | None:
    """A number from a cell: a number, numeric text or a fraction ``1/3``; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _FRACTION.match(value)
        if m:
            den = float(m.group(2))
            return float(m.group(1)) / den if den else None
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _judgements(
    method: WeightMethod, rows: list[_Row], rubric: Rubric, assessor: str, name: str
) -> Judgements:
    if method == "swing":
        return _swing(rows, rubric, assessor, name)
    return _ahp(rows, rubric, assessor, name)


def _ahp(rows: list[_Row], rubric: Rubric, assessor: str, name: str) -> Judgements:
    problems: list[Problem] = []
    criteria_of = {p.id: tuple(c.id for c in p.criteria) for p in rubric.pillars}
    pillar_ids = tuple(criteria_of)
    groups: dict[str, dict[tuple[str, str], float]] = {}
    seen: dict[tuple[str, frozenset[str]], tuple[str, float, str]] = {}
    for row in rows:
        g, a, b, v = (row[c] for c in ("group", "a", "b", "value"))
        group = _text(g.value)
        if group is None:
            problems.append(Problem(g.where, f"no group: {PILLARS} or a pillar id"))
            continue
        known = pillar_ids if group == PILLARS else criteria_of.get(group)
        if known is None:
            problems.append(
                Problem(g.where, f"{group!r} is neither {PILLARS} nor a pillar of the rubric")
            )
            continue
        what = "pillar" if group == PILLARS else f"criterion of pillar {group!r}"
        ids = []
        for cell in (a, b):
            x = _text(cell.value)
            if x not in known:
                problems.append(Problem(cell.where, f"{x!r} is not a {what} of the rubric"))
            ids.append(x)
        if any(x not in known for x in ids):
            continue
        x, y = str(ids[0]), str(ids[1])
        if x == y:
            problems.append(Problem(b.where, f"{x!r} compared with itself"))
            continue
        if _blank(v.value):
            continue
        value = _number(v.value)
        if value is None or not math.isfinite(value) or value <= 0:
            problems.append(
                Problem(v.where, f"not a number on Saaty's scale (got {v.value!r}); write 1-9 "
                        "or 1/2-1/9")
            )  # fmt: skip
            continue
        if not SCALE[0] * (1 - 1e-3) <= value <= SCALE[1] * (1 + 1e-9):
            problems.append(Problem(v.where, f"off Saaty's scale: {value:g} is not from 1/9 to 9"))
            continue
        key = (group, frozenset((x, y)))
        if key in seen:
            first_a, first_v, first_at = seen[key]
            agrees = math.isclose(first_v if first_a == x else 1 / first_v, value, rel_tol=1e-2)
            problems.append(
                Problem(
                    v.where,
                    f"{x!r} and {y!r} are compared twice (first at {first_at})"
                    + ("" if agrees else ", and the two are not reciprocal")
                    + "; keep one row",
                )
            )
            continue
        seen[key] = (x, value, v.where)
        # a value written as 0.333 stands for 1/3: snap to the reciprocal of a whole
        # number when within the rounding of three decimals
        if value < 1 and abs(1 / value - round(1 / value)) < 5e-3 * (1 / value):
            value = 1 / round(1 / value)
        groups.setdefault(group, {})[(x, y)] = value
    if PILLARS not in groups and not problems:
        problems.append(Problem("$", "no comparison of pillars is filled in"))
    if problems:
        raise InputError(problems, source=name)
    for group, pairs in groups.items():
        items = pillar_ids if group == PILLARS else criteria_of[group]
        if len(items) < 2:
            continue
        try:
            ahp(pairs, items)
        except InputError as exc:
            problems += [Problem(f"{WEIGHTS_SHEET} group {group}", p.message) for p in exc.problems]
    if problems:
        raise InputError(problems, source=name)
    return Judgements(assessor, "ahp", comparisons=groups, source=name)


def _swing(rows: list[_Row], rubric: Rubric, assessor: str, name: str) -> Judgements:
    problems: list[Problem] = []
    pillar_ids = tuple(p.id for p in rubric.pillars)
    ranks: dict[str, int] = {}
    ratings: dict[str, float] = {}
    rating_at: dict[str, str] = {}
    first_at: dict[str, str] = {}
    by_rank: dict[int, str] = {}
    for row in rows:
        pc, rc, vc = row["pillar"], row["rank"], row["rating"]
        pid = _text(pc.value)
        if pid not in pillar_ids:
            problems.append(Problem(pc.where, f"{pid!r} is not a pillar of the rubric"))
            continue
        if pid in first_at:
            problems.append(Problem(pc.where, f"{pid!r} is given twice (first at {first_at[pid]})"))
            continue
        first_at[pid] = pc.where
        rank = _number(rc.value)
        if rank is None or rank != int(rank) or not 1 <= rank <= len(pillar_ids):
            problems.append(
                Problem(rc.where, f"a rank is a whole number from 1 to {len(pillar_ids)} "
                        f"(got {rc.value!r})")
            )  # fmt: skip
        elif int(rank) in by_rank:
            problems.append(
                Problem(rc.where, f"rank {int(rank)} is given to {by_rank[int(rank)]!r} too; "
                        "give each pillar its own rank")
            )  # fmt: skip
        else:
            by_rank[int(rank)] = pid
            ranks[pid] = int(rank)
        rating = _number(vc.value)
        if _blank(vc.value) and ranks.get(pid) == 1:
            rating = 100.0
        if rating is None or not 0 <= rating <= 100:
            problems.append(
                Problem(vc.where, f"a rating is a number from 0 to 100 (got {vc.value!r})")
            )
        else:
            ratings[pid] = rating
            rating_at[pid] = vc.where
    missing = [p for p in pillar_ids if p not in first_at]
    if missing:
        problems.append(Problem("$", f"pillars not in the sheet: {', '.join(missing)}"))
    if problems:
        raise InputError(problems, source=name)
    ranking = tuple(sorted(ranks, key=ranks.__getitem__))
    try:
        swing(ranking, ratings)
    except InputError as exc:
        out = []
        for p in exc.problems:
            hit = re.match(r"ratings\['(.+)'\]$", p.path)
            out.append(Problem(rating_at.get(hit.group(1), p.path) if hit else p.path, p.message))
        raise InputError(out, source=name) from None
    return Judgements(assessor, "swing", ranking=ranking, ratings=ratings, source=name)

"""The cells of a filled questionnaire, read from xlsx, csv or json.

Each reader gives the cover (field -> cell), the rows of the criteria table (column
-> cell) and, when the questionnaire carries them, the cells of the partnership's facts
(a sheet ``Facts``, a csv section ``facts``, a json object ``facts``), every cell with
its place: ``Criteria!E14`` in a workbook, ``line 14, column E
(level)`` in a csv file, a JSON path in a json questionnaire. The readers hold every file
to the limits of :mod:`readiness._limits` and refuse, with that place, what they cannot
read as written: a cover field given twice, a merged cell or a formula without a
computed value in the table, a JSON value of the wrong type or an unknown key. Turning
cells into ratings is :mod:`readiness.io.questionnaire`'s job.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness._io import read_document
from readiness._limits import MAX_BYTES, MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS
from readiness._text import text_from_formula_quote
from readiness.errors import InputError, Problem
from readiness.io._xlsx import Sheet, column_letter, read_sheets
from readiness.io.template import (
    COVER_FIELDS,
    COVER_SHEET,
    CRITERIA_COLUMNS,
    CRITERIA_SHEET,
    FACTS_FIELDS,
    FACTS_SHEET,
    XLSX_HINT,
)

__all__ = ["Cell", "FactsCells", "read_cells", "text_problem"]

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters no spreadsheet cell holds (tab and line breaks are fine)."""


@dataclass(frozen=True)
class Cell:
    """A cell's value and its place."""

    value: Any
    where: str


Cover = dict[str, Cell]
Rows = list[dict[str, Cell]]


@dataclass(frozen=True)
class FactsCells:
    """The cells of the facts a questionnaire carries (see :mod:`readiness.io.template`).

    Attributes:
        fields: ``about``, ``format`` and ``sha256``, those given.
        pieces: The cells of the JSON text, in order (xlsx, csv).
        document: The object itself (json questionnaire).
        where: The place of the JSON: ``Facts!B5:B6``, ``lines 16-17, column B (json)``,
            ``$.facts.partnership``.
        name: How a message names the section: ``the Facts sheet``, ``the facts
            section``, ``$.facts``.
    """

    fields: dict[str, Cell]
    pieces: tuple[Cell, ...]
    document: Cell | None
    where: str
    name: str


def read_cells(path: Path, kind: str) -> tuple[Cover, Rows, FactsCells | None]:
    """The cover, the criteria rows and the facts (``None`` when it carries none) of a
    questionnaire of ``kind`` (xlsx, csv, json).

    Raises:
        InputError: Every problem found, each at its place; the error names the file.
    """
    if kind == "xlsx":
        return _read_xlsx(path)
    if kind == "csv":
        return _read_csv(path)
    return _read_json(path)


_FACTS_KEYS = tuple(k for k, _ in FACTS_FIELDS)
"""The single fields of a facts section; ``json`` rows (the text, in pieces) follow."""


def _facts_rows(
    rows: Iterable[tuple[int, Sequence[Any]]],
    where: Callable[[int, str, str], str],
    section: str,
    name: str,
) -> tuple[FactsCells, list[Problem]]:
    """The facts section of an xlsx sheet or a csv file: rows ``(number, values)`` after
    its header; ``where(number, column letter, field)`` is the place of a cell. Every
    field but ``json`` is given at most once; a value without a field, or a field of
    another name, is a problem."""
    problems: list[Problem] = []
    fields: dict[str, Cell] = {}
    first: dict[str, int] = {}
    pieces: list[tuple[int, Cell]] = []
    known = (*_FACTS_KEYS, "json")
    for number, values in rows:
        key = values[0] if values else None
        value = values[1] if len(values) > 1 else None
        if not isinstance(key, str) or not key.strip():
            if not _blank(key) or not _blank(value):
                problems.append(
                    Problem(
                        where(number, "A", ""),
                        f"a row without a field name; {name} has the fields {', '.join(known)}",
                    )
                )
            continue
        field = key.strip().lower()
        if field == "json":
            pieces.append((number, Cell(value, where(number, "B", field))))
        elif field not in _FACTS_KEYS:
            problems.append(
                Problem(
                    where(number, "A", field),
                    f"unknown field {key.strip()!r} in {name}{_suggest(field, known)}",
                )
            )
        elif field in first:
            problems.append(
                Problem(
                    where(number, "A", field),
                    f"the field {field!r} is given twice (first on "
                    f"{where(first[field], 'A', field)}); {name} is written by readiness "
                    "and not edited",
                )
            )
        else:
            first[field] = number
            fields[field] = Cell(value, where(number, "B", field))
    if not pieces:
        place = section
    elif len(pieces) == 1:
        place = pieces[0][1].where
    else:
        place = _span(pieces[0][1].where, pieces[-1][1].where, pieces[0][0], pieces[-1][0])
    return FactsCells(fields, tuple(c for _, c in pieces), None, place, name), problems


def _span(first: str, last: str, top: int, bottom: int) -> str:
    """The place of rows ``top`` to ``bottom`` of one column, from the places of the first
    and the last: ``Facts!B5:B7``, ``lines 16-18, column B (json)``."""
    if "!" in first:
        return f"{first}:{last.split('!', 1)[1]}"
    return first.replace(f"line {top},", f"lines {top}-{bottom},", 1)


def text_problem(cell: Cell) -> Problem | None:
    """A text value too long, or holding a control character, as a problem at its cell."""
    value = cell.value
    if not isinstance(value, str):
        return None
    if len(value) > MAX_CELL_CHARS:
        return Problem(
            cell.where,
            f"the text is {len(value):,} characters long; a cell holds at most "
            f"{MAX_CELL_CHARS:,} (as in Excel)",
        )
    bad = _CONTROL.search(value)
    if bad:
        return Problem(
            cell.where,
            f"the text holds the control character U+{ord(bad.group()):04X}, which no "
            "spreadsheet cell holds; delete it",
        )
    return None


def _suggest(key: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for a misspelt key (case ignored), else ``""``."""
    names = {k.lower(): k for k in known}
    hint = difflib.get_close_matches(key.lower(), names, n=1)
    return f"; did you mean {names[hint[0]]!r}?" if hint else ""


# --- the criteria table, whatever the format ------------------------------------------


def _table(
    rows: Sequence[tuple[int, Sequence[Any]]],
    where: Callable[[int, int], str],
    header_where: str,
    name: str,
) -> tuple[Rows, dict[str, int]]:
    """The rows of a criteria table (header first) as column name -> cell, blank rows
    left out; and the column index of each known column.

    Raises:
        InputError: No table, or no ``id`` or ``level`` column.
    """
    if not rows:
        raise InputError([Problem(header_where, "the criteria table is empty")], source=name)
    header = [str(c).strip().lower() if c is not None else "" for c in rows[0][1]]
    missing = [c for c in ("id", "level") if c not in header]
    if missing:
        raise InputError(
            [Problem(header_where, f"no {' or '.join(repr(m) for m in missing)} column")],
            source=name,
        )
    index = {column: header.index(column) for column in CRITERIA_COLUMNS if column in header}
    out: Rows = []
    for r, row in rows[1:]:
        cells = {
            column: Cell(row[c] if c < len(row) else None, where(r, c))
            for column, c in index.items()
        }
        if all(_blank(cell.value) for cell in cells.values()):
            continue
        out.append(cells)
    return out, index


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- xlsx -------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> tuple[Cover, Rows, FactsCells | None]:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise InputError(XLSX_HINT, source=str(path)) from None
    name = str(path)
    sheets = read_sheets(path, (COVER_SHEET, CRITERIA_SHEET), optional=(FACTS_SHEET,))
    problems: list[Problem] = []
    cover: Cover = {}
    first: dict[str, int] = {}
    front = sheets[COVER_SHEET]
    for r, values in front.rows:
        key = values[0]
        if r < 2 or not isinstance(key, str) or not key.strip():
            continue
        field = key.strip().lower()
        if field in first:
            problems.append(_twice(field, f"{COVER_SHEET}!A{r}", f"row {first[field]}"))
            continue
        first[field] = r
        cover[field] = Cell(values[1], f"{COVER_SHEET}!B{r}")
    problems += _unreadable(front, COVER_SHEET, {0, 1}, 2)

    def where(r: int, c: int) -> str:
        return f"{CRITERIA_SHEET}!{column_letter(c + 1)}{r}"

    table = sheets[CRITERIA_SHEET]
    numbered = table.rows if not table.rows or table.rows[0][0] == 1 else [(1, ()), *table.rows]
    try:
        rows, index = _table(numbered, where, f"{CRITERIA_SHEET}!1", name)
    except InputError as exc:
        raise InputError([*problems, *exc.problems], source=name) from None
    read = {index[c] for c in _READ if c in index}  # title, question ...: never read
    problems += _unreadable(table, CRITERIA_SHEET, read, 2)
    facts = None
    if FACTS_SHEET in sheets:
        sheet = sheets[FACTS_SHEET]
        facts, found = _facts_rows(
            ((r, values) for r, values in sheet.rows if r >= 2),
            lambda r, column, _: f"{FACTS_SHEET}!{column}{r}",
            f"{FACTS_SHEET}!A1",
            f"the {FACTS_SHEET} sheet",
        )
        problems += found + _unreadable(sheet, FACTS_SHEET, {0, 1}, 1)
    if problems:
        raise InputError(problems, source=name)
    return cover, rows, facts


_READ = ("id", "level", "confidence", "evidence", "source", "date", "url", "note", "justification")
"""The columns of the criteria table that are read (the others are the template's text)."""


def _twice(field: str, where: str, first: str) -> Problem:
    return Problem(
        where, f"the cover field {field!r} is given twice (first on {first}); keep one of them"
    )


def _unreadable(sheet: Sheet, title: str, columns: set[int], first_row: int) -> list[Problem]:
    """Cells of the used ``columns`` (0-based) that cannot be read as written: a formula
    without a computed value, or a cell merged into another (which keeps only the first
    cell's value)."""
    problems = []
    for row, column in sorted(sheet.formulas):
        if column - 1 in columns and row >= first_row:
            problems.append(
                Problem(
                    f"{title}!{column_letter(column)}{row}",
                    "the cell holds a formula without a computed value (the file was "
                    "written by a program, not a spreadsheet); open and save the file in a "
                    "spreadsheet program, which stores the value of every formula",
                )
            )
    for min_row, min_col, max_row, max_col in sheet.merged:
        hit = [c for c in range(min_col, max_col + 1) if c - 1 in columns]
        if not hit or max_row < first_row or (min_row == max_row and hit == [min_col]):
            continue
        top = f"{column_letter(min_col)}{min_row}"
        span = f"{top}:{column_letter(max_col)}{max_row}"
        problems.append(
            Problem(
                f"{title}!{top}",
                f"the cells {span} are merged: a merged cell keeps only its first cell's "
                "value, so the other rows or columns would be read as blank; unmerge them "
                "and fill in each cell",
            )
        )
    return problems


# --- csv --------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    name = str(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError("file not found", source=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=name) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", source=name) from None
    if len(data) > MAX_BYTES:
        raise InputError(
            f"the file is larger than {MAX_BYTES // 1_000_000} MB, the most that is read",
            source=name,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", source=name
        ) from None


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")
"""A line of a CSV file with its line break (``\\r\\n``, ``\\n`` or ``\\r``)."""


def _records(text: str, name: str) -> list[list[str]]:
    """The CSV records (at most :data:`MAX_ROWS`, :data:`MAX_COLUMNS` cells each), a
    cell our template quoted against formula injection (``'=...``) as written."""
    records: list[list[str]] = []
    reader = csv.reader(m.group() for m in _LINE.finditer(text))  # not StringIO: 4x the text
    try:
        for row in reader:
            line = len(records) + 1
            if line > MAX_ROWS:
                raise InputError(
                    [
                        Problem(
                            f"line {line}",
                            f"more than {MAX_ROWS:,} lines, the most that is read (a "
                            "questionnaire has one line per criterion and per further piece "
                            "of evidence)",
                        )
                    ],
                    source=name,
                )
            beyond = next((c for c in range(MAX_COLUMNS, len(row)) if row[c].strip()), None)
            if beyond is not None:
                raise InputError(
                    [
                        Problem(
                            f"line {line}, column {column_letter(beyond + 1)}",
                            f"a cell with content right of column {column_letter(MAX_COLUMNS)} "
                            f"(the {MAX_COLUMNS} columns that are read)",
                        )
                    ],
                    source=name,
                )
            records.append([text_from_formula_quote(cell) for cell in row[:MAX_COLUMNS]])
    except csv.Error as exc:
        line = len(records) + 1
        message = (
            f"a cell is longer than {MAX_CELL_CHARS:,} characters, the most a cell holds"
            if "field limit" in str(exc)
            else f"not valid CSV ({exc})"
        )
        raise InputError([Problem(f"line {line}", message)], source=name) from None
    return records


def _read_csv(path: Path) -> tuple[Cover, Rows, FactsCells | None]:
    name = str(path)
    lines = _records(_read_text(path), name)
    start = next(
        (i for i, row in enumerate(lines) if {"id", "level"} <= {c.strip().lower() for c in row}),
        None,
    )
    if start is None:
        raise InputError("no criteria table: no line has the columns 'id' and 'level'", source=name)
    problems = []
    cover: Cover = {}
    first: dict[str, int] = {}
    section = [
        i for i, row in enumerate(lines[:start]) if row and row[0].strip().lower() == "facts"
    ]
    for i in section[1:]:
        problems.append(
            Problem(
                f"line {i + 1}, column A",
                f"the facts section is given twice (first on line {section[0] + 1}); it is "
                "written by readiness and not edited",
            )
        )
    end = section[0] if section else start
    facts = None
    if section:
        facts, found = _facts_rows(
            ((i + 1, row) for i, row in enumerate(lines[end + 1 : start], start=end + 1)
             if i not in section),
            lambda n, column, field: f"line {n}, column {column}"
            + (f" ({field})" if column == "B" else ""),
            f"line {end + 1}",
            "the facts section",
        )  # fmt: skip
        problems += found
    for i, row in enumerate(lines[:end]):
        if not row or not row[0].strip() or row[0].strip().lower() == "field":
            continue
        field = row[0].strip().lower()
        if field in first:
            problems.append(_twice(field, f"line {i + 1}, column A", f"line {first[field]}"))
            continue
        first[field] = i + 1
        value = row[1] if len(row) > 1 else ""
        cover[field] = Cell(value, f"line {i + 1}, column B ({row[0].strip()})")
    header = [c.strip().lower() for c in lines[start]]

    def where(r: int, c: int) -> str:
        column = header[c] if c < len(header) else "?"
        return f"line {r}, column {column_letter(c + 1)} ({column})"

    # a weight sheet (readiness template --weights) follows the table: it ends there
    stop = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i] and lines[i][0].strip().lower() == "weights"
        ),
        len(lines),
    )
    numbered = [(start + 1 + i, tuple(row)) for i, row in enumerate(lines[start:stop])]
    try:
        rows, _ = _table(numbered, where, f"line {start + 1}", name)
    except InputError as exc:
        raise InputError([*problems, *exc.problems], source=name) from None
    if problems:
        raise InputError(problems, source=name)
    return cover, rows, facts


# --- json -------------------------------------------------------------------------------

_TOP_KEYS = ("questionnaire", "rubric", "help", "cover", "facts", "criteria", "weights")
"""``weights``: a weight sheet (:mod:`readiness.io.weight_sheets`), read by ``readiness
weights``, not here."""
_FACTS_OBJECT_KEYS = (*_FACTS_KEYS, "partnership")
_ITEM_KEYS = (
    "pillar",
    "id",
    "title",
    "question",
    "levels",
    "level",
    "confidence",
    "evidence",
    "note",
    "justification",
)
_TEXT_KEYS = ("pillar", "id", "title", "question", "confidence", "note", "justification")
_EVIDENCE_KEYS = {"text": "evidence", "source": "source", "date": "date", "url": "url"}
"""Keys of a piece of evidence, and the criteria-table column each fills."""


class _Checked:
    """Type and key checks of a json questionnaire: every problem, at its JSON path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def keys(self, data: dict[str, Any], known: Sequence[str], at: str, what: str) -> None:
        for key in data:
            if key not in known:
                self.problems.append(
                    Problem(
                        f"{at}.{key}" if str(key).isidentifier() else f"{at}[{key!r}]",
                        f"unknown {what} {key!r} (it would be ignored){_suggest(str(key), known)}",
                    )
                )

    def text(self, value: Any, at: str) -> Any:
        """``value`` when it is text or null, else a problem (and ``None``)."""
        if value is None or isinstance(value, str):
            return value
        self.problems.append(Problem(at, f"must be text or null (got {_kind(value)})"))
        return None

    def level(self, value: Any, at: str) -> Any:
        if (
            value is None
            or isinstance(value, str)
            or (isinstance(value, int | float) and not isinstance(value, bool))
        ):
            return value
        self.problems.append(
            Problem(at, f"must be a level 0-4, 'not-applicable' or 'unknown' (got {_kind(value)})")
        )
        return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    kinds = {str: "text", dict: "an object", list: "a list", int: "a number", float: "a number"}
    return next((k for t, k in kinds.items() if isinstance(value, t)), type(value).__name__)


def _read_json(path: Path) -> tuple[Cover, Rows, FactsCells | None]:
    name = str(path)
    doc = read_document(path, InputError)
    if not isinstance(doc, dict) or not isinstance(doc.get("criteria"), list):
        raise InputError(
            "a json questionnaire is an object with 'cover' and 'criteria'", source=name
        )
    check = _Checked()
    check.keys(doc, _TOP_KEYS, "$", "key")
    raw_cover = doc.get("cover") or {}
    if not isinstance(raw_cover, dict):
        raise InputError([Problem("$.cover", "must be an object")], source=name)
    fields = [k for k, _ in COVER_FIELDS]
    check.keys(raw_cover, fields, "$.cover", "cover field")
    cover: Cover = {}
    for key, value in raw_cover.items():
        at = f"$.cover.{key}" if str(key).isidentifier() else f"$.cover[{key!r}]"
        if key not in fields:
            continue
        if key == "members" and isinstance(value, list):
            codes = [check.text(m, f"{at}[{i}]") for i, m in enumerate(value)]
            value = ", ".join(c for c in codes if isinstance(c, str))
        else:
            value = check.text(value, at)
        cover[key] = Cell(value, at)
    facts = _json_facts(doc, check)
    rows: Rows = []
    for i, item in enumerate(doc["criteria"]):
        base = f"$.criteria[{i}]"
        if not isinstance(item, dict):
            check.problems.append(Problem(base, f"must be an object (got {_kind(item)})"))
            continue
        check.keys(item, _ITEM_KEYS, base, "key")
        levels = item.get("levels")
        if levels is not None and not isinstance(levels, dict):
            check.problems.append(
                Problem(f"{base}.levels", f"must be an object (got {_kind(levels)})")
            )
        row = {k: Cell(check.text(item.get(k), f"{base}.{k}"), f"{base}.{k}") for k in _TEXT_KEYS}
        row["level"] = Cell(check.level(item.get("level"), f"{base}.level"), f"{base}.level")
        evidence = item.get("evidence")
        if evidence is None:
            evidence = []
        if not isinstance(evidence, list):
            check.problems.append(
                Problem(f"{base}.evidence", f"must be a list of {{text, source, date, url}} "
                        f"(got {_kind(evidence)})")
            )  # fmt: skip
            evidence = []
        pieces: list[dict[str, Cell]] = []
        for n, piece in enumerate(evidence):
            at = f"{base}.evidence[{n}]"
            if not isinstance(piece, dict):
                check.problems.append(
                    Problem(
                        at, f"must be an object {{text, source, date, url}} (got {_kind(piece)})"
                    )
                )
                continue
            check.keys(piece, tuple(_EVIDENCE_KEYS), at, "key")
            pieces.append(
                {
                    column: Cell(check.text(piece.get(key), f"{at}.{key}"), f"{at}.{key}")
                    for key, column in _EVIDENCE_KEYS.items()
                }
            )
        for n, cells in enumerate(pieces or [{}]):
            if n == 0:
                rows.append(row | cells)
            else:
                rows.append({"id": row["id"], "level": Cell(None, row["level"].where)} | cells)
        if len(rows) > MAX_ROWS:
            raise InputError(
                [
                    Problem(
                        base,
                        f"more than {MAX_ROWS:,} rows (criteria and further pieces of "
                        "evidence), the most that is read",
                    )
                ],
                source=name,
            )
    if check.problems:
        raise InputError(check.problems, source=name)
    return cover, rows, facts


def _json_facts(doc: dict[str, Any], check: _Checked) -> FactsCells | None:
    """The ``facts`` object of a json questionnaire (``None`` when it has none)."""
    if "facts" not in doc:
        return None
    raw = doc["facts"]
    if not isinstance(raw, dict):
        check.problems.append(Problem("$.facts", f"must be an object (got {_kind(raw)})"))
        return None
    check.keys(raw, _FACTS_OBJECT_KEYS, "$.facts", "key")
    fields = {
        k: Cell(check.text(raw[k], f"$.facts.{k}"), f"$.facts.{k}") for k in _FACTS_KEYS if k in raw
    }
    document = None
    if "partnership" in raw:
        document = Cell(raw["partnership"], "$.facts.partnership")
    return FactsCells(fields, (), document, "$.facts.partnership", "$.facts")

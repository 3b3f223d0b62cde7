"""Reading the sheets of an xlsx workbook that may come from anyone.

An xlsx file is a zip archive of XML parts, and openpyxl (which reads the values) trusts
what the parts say: a few MB can expand to gigabytes, ``<dimension>`` can claim a million
rows (or hide rows below it), an XML entity can expand without end. So the workbook is
checked before openpyxl opens it, with the limits of :mod:`readiness._limits`:

1. the file (at most :data:`MAX_BYTES`) is read once, into memory, and every check and
   read uses those bytes;
2. each part's expanded size (:data:`MAX_PART_BYTES`) and all of them together
   (:data:`MAX_EXPANDED_BYTES`) are checked from the archive's directory (zipfile never
   expands a part past the size the directory gives);
3. every XML part is parsed once by expat, which must find well-formed XML without a
   DTD (so no entity, external or internal, is ever expanded); the worksheets are
   scanned on the way: row and column of each cell with content (limits
   :data:`MAX_ROWS` and :data:`MAX_COLUMNS`), merged ranges, formulas without a
   computed value, cells marked as numbers that hold no number, shared-string
   indexes, rows or cells out of order (openpyxl would drop them);
4. openpyxl then reads the real rows (``reset_dimensions``: ``<dimension>`` is ignored)
   up to those limits.

Every problem is named by sheet and cell (``Criteria!E14``), or by the archive's part.
"""

from __future__ import annotations

import io
import math
import re
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from readiness._limits import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_EXPANDED_BYTES,
    MAX_PART_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
)
from readiness.errors import InputError, Problem

__all__ = ["Sheet", "column_letter", "read_sheets"]

_MB = 1_000_000
_MAX_RECORDED = 1_000
"""Problems (and merged ranges) a scan records before it stops: enough to report."""

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_SAVE_HINT = "open and save the file in a spreadsheet program"


def column_letter(column: int) -> str:
    """The letters of a 1-based column number.

    >>> column_letter(1), column_letter(27), column_letter(100)
    ('A', 'AA', 'CV')
    """
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


@dataclass
class Sheet:
    """What a questionnaire reader needs of one sheet.

    Attributes:
        rows: ``(row number, values)`` of each row with content, values of columns A to
            :data:`MAX_COLUMNS`, in order.
        formulas: Cells ``(row, column)`` holding a formula without a computed value.
        merged: Merged ranges ``(min_row, min_column, max_row, max_column)``.
    """

    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


class _StopScanError(Exception):
    """Ends a scan early: a limit is broken, or enough problems are recorded."""


@dataclass
class _Scan:
    """What the expat pass learns of one part."""

    root: str | None = None
    strings: int = 0  # shared-strings table: how many
    problems: list[Problem] = field(default_factory=list)
    sheet: Sheet = field(default_factory=Sheet)
    string_refs: list[tuple[str, int]] = field(default_factory=list)  # (cell, index): largest


class _Parser:
    """One expat pass over one part: well-formed, no DTD, and for a worksheet its cells."""

    def __init__(self, label: str) -> None:
        self.label = label  # how problems name the part until the sheet's name is known
        self.scan = _Scan()
        self.depth = 0
        self.in_data = False
        self.row = 0
        self.column = 0
        self.cell: dict[str, Any] | None = None
        self.text: list[str] | None = None
        self.biggest_string = -1
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.ExternalEntityRefHandler = self._external
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._data

    # --- refusals --------------------------------------------------------------------

    def _doctype(self, *_: Any) -> None:
        raise _RefusedError("declares a DTD (a workbook never does; its entities are not expanded)")

    def _entity(self, *_: Any) -> None:
        raise _RefusedError("declares an XML entity (a workbook never does)")

    def _external(self, *_: Any) -> int:
        raise _RefusedError("refers to an external entity (a workbook never does)")

    # --- the worksheet scan ------------------------------------------------------------

    def _problem(self, where: str, message: str) -> None:
        self.scan.problems.append(Problem(where, message))
        if len(self.scan.problems) >= _MAX_RECORDED:
            raise _StopScanError

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        self.depth += 1
        if self.depth == 1:
            self.scan.root = local
            return
        root = self.scan.root
        if root == "sst":
            if self.depth == 2 and local == "si":
                self.scan.strings += 1
                if self.scan.strings > MAX_SHARED_STRINGS:
                    self._problem(
                        self.label,
                        f"the workbook has more than {MAX_SHARED_STRINGS:,} shared texts, the "
                        "most that are read",
                    )
                    raise _StopScanError
            return
        if root != "worksheet":
            return
        if self.depth == 2:
            self.in_data = local == "sheetData"
            return
        if local == "mergeCell" and self.depth == 3:
            self._merged(attrs.get("ref", ""))
        elif not self.in_data:
            return
        elif local == "row" and self.depth == 3:
            self._row(attrs.get("r"))
        elif local == "c" and self.depth == 4:
            self._cell_start(attrs)
        elif self.cell is not None and self.depth == 5:
            if local == "f":
                self.cell["f"] = True
            elif local == "v":
                self.text = []
            elif local == "is":
                self.cell["is"] = True

    def _row(self, given: str | None) -> None:
        number = self.row + 1
        if given is not None:
            try:
                number = int(given)
            except ValueError:
                self._problem(
                    f"{self.label}!A{self.row + 1}", f"row number {given!r} is not a number"
                )
                raise _StopScanError from None
            if number <= self.row:
                self._problem(
                    f"{self.label}!A{number}",
                    f"row {number} comes after row {self.row} in the file (rows out of order "
                    f"would be lost); {_SAVE_HINT}",
                )
                raise _StopScanError
        self.row, self.column = number, 0

    def _cell_start(self, attrs: dict[str, str]) -> None:
        column = self.column + 1
        given = attrs.get("r")
        if given is not None:
            match = _COORDINATE.fullmatch(given)
            if match is None or int(match.group(2)) < 1:
                self._problem(
                    f"{self.label}!{column_letter(column)}{self.row}",
                    f"{given!r} is not a cell reference; {_SAVE_HINT}",
                )
                raise _StopScanError
            column = _column_number(match.group(1))
            if column <= self.column:
                self._problem(
                    f"{self.label}!{given}",
                    f"cell {given} comes after column {column_letter(self.column)} of its row "
                    f"(cells out of order would be lost); {_SAVE_HINT}",
                )
                raise _StopScanError
        self.column = column
        self.cell = {"t": attrs.get("t", "n"), "f": False, "is": False, "v": None}

    def _data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def _end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if self.cell is not None:
            if local == "v" and self.depth == 5 and self.text is not None:
                self.cell["v"] = "".join(self.text)
                self.text = None
            elif local == "c" and self.depth == 4:
                self._cell_end(self.cell)
                self.cell = None
        elif local == "sheetData" and self.depth == 2:
            self.in_data = False
        self.depth -= 1

    def _cell_end(self, cell: dict[str, Any]) -> None:
        value: str | None = cell["v"]
        has = bool(value) or cell["is"] or cell["f"]
        if not has:
            return
        row, column = self.row, self.column
        where = f"{self.label}!{column_letter(column)}{row}"
        if row > MAX_ROWS:
            self._problem(
                where,
                f"a cell with content below row {MAX_ROWS:,}, the last row that is read "
                "(a questionnaire has one row per criterion and per further piece of evidence)",
            )
            raise _StopScanError
        if column > MAX_COLUMNS:
            self._problem(
                where,
                f"a cell with content right of column {column_letter(MAX_COLUMNS)} "
                f"(the {MAX_COLUMNS} columns that are read)",
            )
            raise _StopScanError
        if cell["f"] and not value:
            self.scan.sheet.formulas.add((row, column))
        if not value:
            return
        kind = cell["t"]
        shown = value if len(value) <= 40 else value[:39] + "…"
        if kind == "n":
            if not _NUMBER.fullmatch(value.strip()):
                self._problem(where, f"the cell is marked as a number but holds {shown!r}")
            elif not math.isfinite(float(value)):
                self._problem(where, f"the number {shown} is too large")
        elif kind == "b" and not _INTEGER.fullmatch(value.strip()):
            self._problem(where, f"the cell is marked as true/false but holds {shown!r}")
        elif kind == "s":
            if not _INTEGER.fullmatch(value.strip()) or int(value) < 0:
                self._problem(where, f"the cell refers to shared text {shown!r}, not a number")
            elif int(value) > self.biggest_string:
                self.biggest_string = int(value)
                self.scan.string_refs = [(where, int(value))]
        elif kind == "d" and not _iso_date(value):
            self._problem(where, f"the cell is marked as a date but holds {shown!r}")

    def _merged(self, ref: str) -> None:
        from openpyxl.utils.cell import range_boundaries

        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            self._problem(self.label, f"the merged range {ref[:40]!r} is not a range of cells")
            return
        if (min_col, min_row) != (max_col, max_row):
            self.scan.sheet.merged.append((min_row or 1, min_col or 1, max_row or 1, max_col or 1))
            if len(self.scan.sheet.merged) > _MAX_RECORDED:
                self._problem(
                    self.label,
                    f"more than {_MAX_RECORDED:,} merged ranges (merged cells keep only their "
                    "first cell's value): unmerge them",
                )
                raise _StopScanError


def _iso_date(value: str) -> bool:
    from openpyxl.utils.datetime import from_ISO8601

    try:
        from_ISO8601(value)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


class _RefusedError(Exception):
    """The part declares a DTD or an entity."""


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> _Scan:
    """Parse one XML part with expat (see the module docstring).

    Raises:
        InputError: Not well-formed, a DTD or an entity, or the part cannot be expanded.
    """
    parser = _Parser(info.filename)
    part = "this part of the workbook"
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 16):
                parser.parser.Parse(chunk, False)
            parser.parser.Parse(b"", True)
    except _StopScanError:
        pass
    except _RefusedError as exc:
        raise InputError([Problem(info.filename, f"{part} {exc}")], source=name) from None
    except expat.ExpatError as exc:
        where = f"{info.filename}, line {exc.lineno}, column {exc.offset + 1}"
        message = expat.ErrorString(exc.code)
        raise InputError(
            [Problem(where, f"{part} is not well-formed XML ({message}); the file is damaged")],
            source=name,
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        raise InputError(
            [Problem(info.filename, f"{part} cannot be expanded ({exc}); the file is damaged")],
            source=name,
        ) from None
    return parser.scan


def _read_bytes(path: Path, name: str) -> bytes:
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
            f"the file is larger than {MAX_BYTES // _MB} MB, the most that is read", source=name
        )
    return data


def _check_archive(archive: zipfile.ZipFile, name: str) -> dict[str, _Scan]:
    """Sizes of every part, then an expat pass over each XML part; the scans by part.

    Raises:
        InputError: A part too large, all of them too large together, or a part that is
            not well-formed XML (or declares a DTD).
    """
    problems = []
    total = 0
    infos = archive.infolist()
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            problems.append(
                Problem(
                    info.filename,
                    f"this part of the workbook expands to {info.file_size / _MB:,.0f} MB; at "
                    f"most {MAX_PART_BYTES // _MB} MB a part are read",
                )
            )
    if not problems and total > MAX_EXPANDED_BYTES:
        problems.append(
            Problem(
                "$",
                f"the parts of the workbook expand to {total / _MB:,.0f} MB together; at most "
                f"{MAX_EXPANDED_BYTES // _MB} MB are read",
            )
        )
    if problems:
        raise InputError(problems, source=name)
    scans = {}
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels")) and not info.is_dir():
            scan = scans[info.filename] = _scan_part(archive, info, name)
            if scan.root == "sst" and scan.problems:
                raise InputError(scan.problems, source=name)
    return scans


def _open_workbook(data: bytes, name: str) -> Any:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "extension is not supported"
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any failure of openpyxl on a checked archive is the file's
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"not a readable xlsx workbook ({detail})", source=name) from None


def _named(problems: list[Problem], part: str, sheet: str) -> list[Problem]:
    """Problems of a worksheet part, named by the sheet instead of the part."""
    return [
        Problem(p.path.replace(part, sheet, 1), p.message.replace(part, f"sheet {sheet}", 1))
        for p in problems
    ]


def read_sheets(
    path: Path, sheets: Sequence[str], *, optional: Sequence[str] = ()
) -> dict[str, Sheet]:
    """The rows of ``sheets`` of the xlsx workbook ``path``, after every check above,
    and of those of the ``optional`` sheets it has.

    Raises:
        InputError: The file is not a workbook, breaks a limit, is damaged, lacks one
            of the sheets, or a cell cannot be read; every problem named by sheet and
            cell (or by part of the archive), the error by the file.
    """
    name = str(path)
    data = _read_bytes(path, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise InputError(f"not an xlsx workbook (not a zip archive: {exc})", source=name) from None
    with archive:
        scans = _check_archive(archive, name)
    strings = sum(s.strings for s in scans.values() if s.root == "sst")
    wb = _open_workbook(data, name)
    try:
        missing = [s for s in sheets if s not in wb.sheetnames]
        if missing:
            raise InputError(
                f"no sheet named {' or '.join(missing)} (sheets: {', '.join(wb.sheetnames)})",
                source=name,
            )
        out: dict[str, Sheet] = {}
        problems: list[Problem] = []
        for title in [*sheets, *(s for s in optional if s in wb.sheetnames)]:
            ws = wb[title]
            part = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
            scan = scans.get(part)
            if scan is None or scan.root != "worksheet":
                raise InputError(f"the sheet {title} cannot be found in the archive", source=name)
            problems += _named(scan.problems, part, title)
            problems += [
                Problem(where.replace(part, title, 1), f"the cell refers to shared text number "
                        f"{index + 1}, but the workbook has {strings}; {_SAVE_HINT}")
                for where, index in scan.string_refs
                if index >= strings
            ]  # fmt: skip
            if not problems:
                scan.sheet.rows = _rows(ws, title, name)
            out[title] = scan.sheet
        if problems:
            raise InputError(problems, source=name)
        return out
    finally:
        wb.close()


def _rows(ws: Any, title: str, name: str) -> list[tuple[int, tuple[Any, ...]]]:
    """The rows with content, read by openpyxl after the scan (``<dimension>`` ignored)."""
    ws.reset_dimensions()
    rows: list[tuple[int, tuple[Any, ...]]] = []
    number = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a date out of range: read as #VALUE!
            cells = ws.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True)
            for number, values in enumerate(cells, start=1):
                if values.count(None) != len(values):
                    rows.append((number, values))
    except Exception as exc:  # the scan should have named it; the file's, not a bug
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(
            [Problem(f"{title}!A{number + 1}", f"the row cannot be read ({detail})")], source=name
        ) from None
    return rows

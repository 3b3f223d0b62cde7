"""Questionnaire templates of a rubric, for assessors who never open Python.

:func:`write_template` writes one questionnaire in one of three formats:

- **xlsx** (needs openpyxl: ``pip install 'readiness[xlsx]'``): a ``Cover`` sheet for
  the partnership and the assessor, a ``Criteria`` sheet with one row per criterion
  (pillar, id, title, question, the columns to fill in, the five level descriptors)
  with drop-down lists (data validation) for level and confidence, and a ``Scale``
  sheet with the meaning of each level;
- **csv** (no extra): the cover as ``field,value`` lines, a blank line, then the
  criteria table with the same columns;
- **json** (no extra): ``{"questionnaire": ..., "cover": {...}, "criteria": [...]}``.

A questionnaire written from a partnership (``partnership=``) also carries what an
assessor is not asked for but scoring needs: the partnership's ``facts``, ``status``,
members with their dates, ``established``, ``description`` and ``format_version``
(:data:`KEPT`, with its ``id``), as canonical JSON text with its SHA-256 (a sheet
``Facts`` in xlsx, a ``facts`` section between the cover and the criteria in csv, a
``facts`` object in json). They are not to be edited; :mod:`readiness.io.questionnaire`
reads them back and checks them, so that a filled questionnaire scores as the
partnership file it was written from.

To fill in: a level (0-4, ``not-applicable`` or ``unknown``; blank means not rated),
a confidence (``low``, ``medium``, ``high``; blank is medium), and evidence (text,
source, date ``YYYY-MM-DD``, url), a note and a justification. More than one piece of
evidence for a criterion: add a row below it with the same id, the level left blank and
only the evidence columns filled. :mod:`readiness.io.questionnaire` reads a filled
template back (``readiness import``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from readiness._atomic import atomic_path
from readiness._limits import MAX_PART_BYTES
from readiness._text import formula_as_text
from readiness.errors import Problem, ReportError
from readiness.partnership import KINDS

if TYPE_CHECKING:
    from readiness.partnership import Partnership
    from readiness.rubric import Rubric

__all__ = [
    "CARRIED",
    "COVER_FIELDS",
    "CRITERIA_COLUMNS",
    "FACTS_FORMAT",
    "FACTS_SHEET",
    "FORMATS",
    "KEPT",
    "LEVEL_CHOICES",
    "XLSX_HINT",
    "carried_fields",
    "facts_digest",
    "facts_text",
    "template_format",
    "write_template",
]

TemplateFormat = Literal["xlsx", "csv", "json"]
FORMATS: tuple[TemplateFormat, ...] = ("xlsx", "csv", "json")
XLSX_HINT = "spreadsheets need openpyxl: pip install 'readiness[xlsx]' (or use .csv or .json)"

#: (key, what to write) of the cover, in order. ``members``: comma-separated.
COVER_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "partnership id: lowercase letters, digits and '-' (e.g. aukus)"),
    ("name", "partnership name"),
    ("kind", "one of: " + ", ".join(KINDS)),
    ("members", "member codes, separated by commas (e.g. AUS, GBR, USA)"),
    ("established", "date the partnership began, YYYY-MM-DD (optional)"),
    ("description", "one paragraph (optional)"),
    ("target", "target profile id (optional)"),
    ("assessor", "your name"),
    ("organisation", "your organisation (optional)"),
    ("side", "the member whose view you give (one of the members; optional)"),
    ("assessed_on", "date of this assessment, YYYY-MM-DD"),
)

#: The columns of the criteria table, in order (the fill-in columns are ``level`` to
#: ``justification``); the five level descriptors follow as ``level 0`` ... ``level 4``.
CRITERIA_COLUMNS: tuple[str, ...] = (
    "pillar",
    "id",
    "title",
    "question",
    "level",
    "confidence",
    "evidence",
    "source",
    "date",
    "url",
    "note",
    "justification",
)
DESCRIPTOR_COLUMNS: tuple[str, ...] = tuple(f"level {i}" for i in range(5))
LEVEL_CHOICES: tuple[str, ...] = ("0", "1", "2", "3", "4", "not-applicable", "unknown")
CONFIDENCE_CHOICES: tuple[str, ...] = ("low", "medium", "high")
#: Sheet names of the xlsx template.
COVER_SHEET, CRITERIA_SHEET, SCALE_SHEET = "Cover", "Criteria", "Scale"
FACTS_SHEET = "Facts"
QUESTIONNAIRE = "readiness-questionnaire/1"

#: What a partnership gives its questionnaires and the result of ``--partnership FILE``
#: (``readiness import``, ``agreement``, ``assess``, ``report``): what a questionnaire
#: does not ask for but scoring needs. The cover shows ``members`` (codes only),
#: ``established`` and ``description``; these are the values scored.
KEPT: tuple[str, ...] = (
    "format_version",
    "members",
    "established",
    "description",
    "status",
    "facts",
)
#: What a questionnaire carries: :data:`KEPT` and the partnership's ``id``.
CARRIED: tuple[str, ...] = ("id", *KEPT)
#: The version of the facts a questionnaire carries.
FACTS_FORMAT = "readiness-facts/1"
#: Characters of the facts' JSON text in one cell: 16,000 characters are at most 32,000
#: UTF-16 units, below the 32,767 a spreadsheet cell holds (``MAX_CELL_CHARS``).
FACTS_PIECE_CHARS = 16_000
FACTS_ABOUT = (
    "Not to be edited. The partnership's facts, members (with their dates), status, "
    "dates and description, which scoring needs and a questionnaire does not ask for, "
    "written by readiness template from the partnership file. readiness import, "
    "agreement, assess and report read them back and check them (sha256). To change "
    "them, edit the partnership file and write the questionnaire again, or give "
    "--partnership FILE, whose facts are then used instead."
)
#: (field, what it is) of the facts section; ``json`` rows follow, one per piece.
FACTS_FIELDS: tuple[tuple[str, str], ...] = (
    ("about", "what this is"),
    ("format", "the version of this section"),
    ("sha256", "the SHA-256 of the JSON text below (canonical form)"),
)
_UNSAFE_IN_A_CELL = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")
"""Characters JSON may hold raw that a cell may not (controls) or that break lines."""


def template_format(path: str | Path, fmt: str | None = None) -> TemplateFormat:
    """The format named by ``fmt`` or by the extension of ``path``.

    Raises:
        ReportError: Neither gives one of xlsx, csv, json.
    """
    name = (fmt or Path(path).suffix.lstrip(".")).lower()
    for known in FORMATS:
        if name == known:
            return known
    raise ReportError(
        f"cannot tell the template format from {fmt or Path(path).suffix or '(no extension)'!r}; "
        f"use one of {', '.join(FORMATS)}",
        source=str(path),
    )


def carried_fields(partnership: Partnership) -> dict[str, Any]:
    """The fields of :data:`CARRIED` that ``partnership`` has, as JSON data.

    >>> from readiness.partnership import Partnership
    >>> p = Partnership(id="demo", name="Demo", kind="bilateral-alliance",
    ...                 members=("FRA", "DEU"), established="1963-01-22")
    >>> carried_fields(p)
    {'id': 'demo', 'format_version': 1, 'members': ['FRA', 'DEU'], 'established': '1963-01-22'}

    The format version is always carried (absent in the file: 1), so that carried facts
    read as their file's format reads them (e.g. whether a list is complete).
    """
    data = partnership.model_dump(mode="json", exclude_none=True)
    data.setdefault("format_version", 1)
    return {k: data[k] for k in CARRIED if k in data}


def facts_text(data: Any) -> str:
    r"""The canonical JSON text of carried fields: keys sorted, no blanks between items,
    and the characters a cell may not hold (U+007F-U+009F, lone surrogates, line and
    paragraph separators) escaped, so that it fits in cells and parsing it and writing
    it again gives the same text.

    >>> facts_text({"id": "demo", "description": "a\x85b"})
    '{"description":"a\\u0085b","id":"demo"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _UNSAFE_IN_A_CELL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def facts_digest(data: Any) -> str:
    """The SHA-256 (hex) of :func:`facts_text` of ``data``."""
    return hashlib.sha256(facts_text(data).encode("utf-8")).hexdigest()


def _facts_pieces(text: str) -> list[str]:
    """``text`` cut into pieces of at most :data:`FACTS_PIECE_CHARS` characters."""
    return [text[i : i + FACTS_PIECE_CHARS] for i in range(0, len(text), FACTS_PIECE_CHARS)]


def _facts_rows(carried: dict[str, Any]) -> list[list[str]]:
    """The rows of the facts section (xlsx and csv): about, format, sha256, json pieces."""
    pieces = _facts_pieces(facts_text(carried))
    rows = [
        ["about", FACTS_ABOUT, FACTS_FIELDS[0][1]],
        ["format", FACTS_FORMAT, FACTS_FIELDS[1][1]],
        ["sha256", facts_digest(carried), FACTS_FIELDS[2][1]],
    ]
    rows += [
        ["json", piece, f"the JSON text, part {i} of {len(pieces)} (parts are read in order)"]
        for i, piece in enumerate(pieces, start=1)
    ]
    return rows


def _cover(partnership: Partnership | None) -> dict[str, str]:
    if partnership is None:
        return dict.fromkeys((k for k, _ in COVER_FIELDS), "")
    p = partnership
    sides = {r.perspective for r in p.ratings.values() if r.perspective}
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "members": ", ".join(p.member_codes),
        "established": p.established.isoformat() if p.established else "",
        "description": p.description or "",
        "target": p.target or "",
        "assessor": p.assessor or "",
        "organisation": "",
        "side": next(iter(sides)) if len(sides) == 1 else "",
        "assessed_on": p.assessed_on.isoformat() if p.assessed_on else "",
    }


def _rows(rubric: Rubric, partnership: Partnership | None) -> list[list[Any]]:
    """The criteria table (without header): one row per criterion, plus one row per
    further piece of evidence when a partnership fills it in."""
    out: list[list[Any]] = []
    for pillar in rubric.pillars:
        for c in pillar.criteria:
            descriptors = [c.levels.get(i, "") for i in range(5)]
            rating = None if partnership is None else partnership.ratings.get(c.id)
            fill: list[Any] = [""] * 8
            more: list[list[Any]] = []
            if rating is not None:
                ev = list(rating.evidence)
                first = [_evidence(ev[0])] if ev else [["", "", "", ""]]
                fill = [
                    rating.level,
                    rating.confidence,
                    *first[0],
                    rating.note or "",
                    rating.justification or "",
                ]
                more = [
                    [pillar.id, c.id, "", "", "", "", *_evidence(e), "", ""] + [""] * 5
                    for e in ev[1:]
                ]
            out.append([pillar.id, c.id, c.title, c.question, *fill, *descriptors])
            out += more
    return out


def _evidence(e: Any) -> list[str]:
    return [e.text, e.source, e.date.isoformat() if e.date else "", e.url or ""]


def write_template(
    path: str | Path,
    rubric: Rubric,
    *,
    fmt: str | None = None,
    partnership: Partnership | None = None,
    weights: Literal["ahp", "swing"] | None = None,
) -> TemplateFormat:
    """Write a questionnaire for ``rubric`` to ``path`` (replaced atomically).

    Args:
        path: The file to write.
        rubric: The rubric whose criteria the questionnaire asks about.
        fmt: ``xlsx``, ``csv`` or ``json``; by default the extension of ``path``.
        partnership: Fill the cover (and any ratings it has) from this partnership, and
            carry its :data:`CARRIED` fields (facts, status, members with dates ...).
        weights: Add a weight sheet (:mod:`readiness.io.weight_sheets`): ``ahp``
            (pairwise comparisons of pillars and of the criteria in each pillar) or
            ``swing`` (a rank and a rating per pillar); read back by ``readiness weights``.

    Returns:
        The format written.

    Raises:
        ReportError: Unknown format, openpyxl missing for xlsx, facts too large to
            carry, or the file cannot be written (an existing file is then left as it was).
    """
    kind = template_format(path, fmt)
    sheet = None if weights is None else _weight_sheet(rubric, weights)
    cover = _cover(partnership)
    rows = _rows(rubric, partnership)
    carried = None if partnership is None else carried_fields(partnership)
    if carried is not None and len(facts_text(carried).encode("utf-8")) > MAX_PART_BYTES // 2:
        raise ReportError(
            f"the partnership's facts are too large to carry in a questionnaire (more "
            f"than {MAX_PART_BYTES // 2_000_000} MB of JSON, which a questionnaire reader "
            "refuses)",
            source=str(path),
        )
    if kind == "xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise ReportError(XLSX_HINT, source=str(path)) from None
    try:
        with atomic_path(path) as tmp:
            if kind == "xlsx":
                _write_xlsx(tmp, rubric, cover, rows, partnership, carried, sheet)
            elif kind == "csv":
                text = _csv_text(cover, rows, carried, sheet)
                tmp.write_text(text, encoding="utf-8", newline="")
            else:
                tmp.write_text(_json_text(rubric, cover, rows, carried, sheet), encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write: {exc.strerror or exc}", source=str(path)) from None
    return kind


@dataclass(frozen=True)
class _WeightSheet:
    """A blank weight sheet: its method, what to write, header and rows."""

    method: Literal["ahp", "swing"]
    help: str
    header: tuple[str, ...]
    rows: list[list[str]]


def _weight_sheet(rubric: Rubric, method: Literal["ahp", "swing"]) -> _WeightSheet:
    from readiness.io._weight_layout import columns_of, help_of, weight_rows

    if method not in ("ahp", "swing"):
        raise ReportError(f"weights must be 'ahp' or 'swing' (got {method!r})")
    return _WeightSheet(method, help_of(method), columns_of(method), weight_rows(rubric, method))


def _csv_text(
    cover: dict[str, str],
    rows: Sequence[Sequence[Any]],
    carried: dict[str, Any] | None = None,
    weights: _WeightSheet | None = None,
) -> str:
    """The questionnaire as CSV: the cover, the facts section (``facts,value,what it
    is``) when it carries facts, and the criteria table, each after a blank line. A text
    cell a spreadsheet would run as a formula gets a leading ``'`` (OWASP, "CSV
    Injection"); :mod:`readiness.io.questionnaire` takes it off again when the file is
    read back."""
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\r\n")

    def safe(row: Sequence[Any]) -> list[Any]:
        return [formula_as_text(v) if isinstance(v, str) else v for v in row]

    w.writerow(["field", "value", "what to write"])
    for key, help_text in COVER_FIELDS:
        w.writerow(safe([key, cover[key], help_text]))
    if carried is not None:
        w.writerow([])
        w.writerow(["facts", "value", "what it is"])
        w.writerows(safe(row) for row in _facts_rows(carried))
    w.writerow([])
    w.writerow([*CRITERIA_COLUMNS, *DESCRIPTOR_COLUMNS])
    w.writerows(safe(row) for row in rows)
    if weights is not None:  # after the criteria table: `weights` ends the table
        w.writerow([])
        w.writerow(["weights", weights.method, weights.help])
        w.writerow(weights.header)
        w.writerows(safe(row) for row in weights.rows)
    return buffer.getvalue()


def _json_text(
    rubric: Rubric,
    cover: dict[str, str],
    rows: Sequence[Sequence[Any]],
    carried: dict[str, Any] | None = None,
    weights: _WeightSheet | None = None,
) -> str:
    criteria: list[dict[str, Any]] = []
    for row in rows:
        cells = dict(zip(CRITERIA_COLUMNS, row, strict=False))
        evidence: list[dict[str, Any]] = []
        if cells["evidence"] or cells["source"]:
            piece = {"text": cells["evidence"], "source": cells["source"]}
            evidence.append(piece | {k: cells[k] for k in ("date", "url") if cells[k]})
        if criteria and criteria[-1]["id"] == cells["id"]:  # a further piece of evidence
            criteria[-1]["evidence"] += evidence
            continue
        criteria.append(
            {
                "pillar": cells["pillar"],
                "id": cells["id"],
                "title": cells["title"],
                "question": cells["question"],
                "levels": {str(i): row[len(CRITERIA_COLUMNS) + i] for i in range(5)},
                "level": cells["level"] if cells["level"] != "" else None,
                "confidence": cells["confidence"] or None,
                "evidence": evidence,
                "note": cells["note"] or None,
                "justification": cells["justification"] or None,
            }
        )
    doc: dict[str, Any] = {
        "questionnaire": QUESTIONNAIRE,
        "rubric": {"id": rubric.id, "version": rubric.version},
        "help": {
            "level": "0-4, 'not-applicable' or 'unknown'; null: not rated",
            "confidence": "low, medium or high; null: medium",
            "evidence": "a list of {text, source, date YYYY-MM-DD, url}",
            "cover": dict(COVER_FIELDS),
        },
        "cover": {k: (v or None) for k, v in cover.items()},
    }
    if carried is not None:
        doc["facts"] = {
            "about": FACTS_ABOUT,
            "format": FACTS_FORMAT,
            "sha256": facts_digest(carried),
            "partnership": carried,
        }
    doc["criteria"] = criteria
    if weights is not None:
        doc["weights"] = {
            "method": weights.method,
            "help": weights.help,
            "rows": [
                {k: (v or None) if k in ("value", "rank", "rating") else v
                 for k, v in zip(weights.header, row, strict=True)}
                for row in weights.rows
            ],
        }  # fmt: skip
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _no_formulas(workbook: Any) -> None:
    """Text that starts with ``=`` stays text: openpyxl would store it as a formula, and
    a partnership's or a rubric's text must never run in an assessor's spreadsheet."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _write_xlsx(
    path: Path,
    rubric: Rubric,
    cover: dict[str, str],
    rows: Sequence[Sequence[Any]],
    partnership: Partnership | None,
    carried: dict[str, Any] | None = None,
    weights: _WeightSheet | None = None,
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    fill_in = PatternFill("solid", fgColor="FFF7E0")
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = COVER_SHEET
    ws.append(["field", "value", "what to write"])
    for key, help_text in COVER_FIELDS:
        ws.append([key, cover[key], help_text])
    for cell in ws[1]:
        cell.font = bold
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].fill = fill_in
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 70
    keys = [k for k, _ in COVER_FIELDS]
    kind_list = DataValidation(type="list", formula1='"' + ",".join(KINDS) + '"', allow_blank=True)
    ws.add_data_validation(kind_list)
    kind_list.add(f"B{keys.index('kind') + 2}")
    if partnership is not None and sum(len(m) + 1 for m in partnership.member_codes) < 250:
        sides = DataValidation(
            type="list", formula1='"' + ",".join(partnership.member_codes) + '"', allow_blank=True
        )
        ws.add_data_validation(sides)
        sides.add(f"B{keys.index('side') + 2}")

    sheet = wb.create_sheet(CRITERIA_SHEET)
    header = [*CRITERIA_COLUMNS, *DESCRIPTOR_COLUMNS]
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    n = len(rows) + 1
    for cell in sheet[1]:
        cell.font = bold
    col = {name: get_column_letter(i + 1) for i, name in enumerate(header)}
    first, last = col["level"], col["justification"]
    for r in sheet.iter_rows(min_row=2, max_row=n):
        for cell in r:
            cell.alignment = wrap
            if first <= cell.column_letter <= last and len(cell.column_letter) == 1:
                cell.fill = fill_in
    widths = {"pillar": 14, "id": 30, "title": 30, "question": 50, "level": 14}
    widths |= {"confidence": 12, "evidence": 50, "source": 30, "date": 12, "url": 25}
    widths |= {"note": 30, "justification": 30} | dict.fromkeys(DESCRIPTOR_COLUMNS, 40)
    for name, width in widths.items():
        sheet.column_dimensions[col[name]].width = width
    sheet.freeze_panes = "C2"
    level_list = DataValidation(
        type="list",
        formula1='"' + ",".join(LEVEL_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Level",
        error="A level is 0-4, not-applicable or unknown (blank: not rated).",
    )
    conf_list = DataValidation(
        type="list",
        formula1='"' + ",".join(CONFIDENCE_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        error="Confidence is low, medium or high (blank: medium).",
    )
    sheet.add_data_validation(level_list)
    sheet.add_data_validation(conf_list)
    level_list.add(f"{col['level']}2:{col['level']}{max(n, 2) + 200}")
    conf_list.add(f"{col['confidence']}2:{col['confidence']}{max(n, 2) + 200}")

    scale = wb.create_sheet(SCALE_SHEET)
    scale.append(["level", "name", "meaning"])
    for s in rubric.scale:
        scale.append([s.level, s.name, s.meaning])
    scale.append([])
    scale.append(["rubric", f"{rubric.id} {rubric.version}", rubric.title])
    for cell in scale[1]:
        cell.font = bold
    if carried is not None:
        facts = wb.create_sheet(FACTS_SHEET)
        facts.append(["field", "value", "what it is"])
        for row in _facts_rows(carried):
            facts.append(row)
        for cell in facts[1]:
            cell.font = bold
        facts.column_dimensions["A"].width = 10
        facts.column_dimensions["B"].width = 90
        facts.column_dimensions["C"].width = 50
        facts.cell(2, 2).alignment = wrap
        facts.protection.sheet = True  # read-only in a spreadsheet (no password)
    if weights is not None:
        _weights_sheet(wb, weights, bold, fill_in)
    _no_formulas(wb)
    scale.column_dimensions["C"].width = 90
    wb.properties.creator = "readiness"
    path.write_bytes(_reproducible_xlsx(wb))


def _weights_sheet(wb: Any, weights: _WeightSheet, bold: Any, fill_in: Any) -> None:
    """The ``Weights`` sheet: header, one row per question, the help beside the header."""
    from openpyxl.utils import get_column_letter

    from readiness.io._weight_layout import WEIGHTS_SHEET

    ws = wb.create_sheet(WEIGHTS_SHEET)
    ws.append([*weights.header, "", weights.help])
    for row in weights.rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = bold
    filled = ("value",) if weights.method == "ahp" else ("rank", "rating")
    for name in filled:
        letter = get_column_letter(weights.header.index(name) + 1)
        for r in range(2, len(weights.rows) + 2):
            ws[f"{letter}{r}"].fill = fill_in
    for i, name in enumerate(weights.header):
        ws.column_dimensions[get_column_letter(i + 1)].width = 30 if "title" in name else 22
    ws.freeze_panes = "A2"


def _stamp() -> dt.datetime:
    """The time written into a workbook: ``SOURCE_DATE_EPOCH`` (seconds since 1970, as
    reproducible builds set it) when set, else 1980-01-01 (the earliest a zip archive
    can hold), so that the same questionnaire is the same file byte for byte.

    Raises:
        ReportError: ``SOURCE_DATE_EPOCH`` is not a whole number of seconds.
    """
    earliest = dt.datetime(1980, 1, 1)
    given = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not given:
        return earliest
    try:
        seconds = int(given)
        stamp = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        raise ReportError(
            [
                Problem(
                    "SOURCE_DATE_EPOCH",
                    f"must be a whole number of seconds since 1970 (got {given[:40]!r})",
                )
            ],
            source="environment",
        ) from None
    return max(earliest, min(stamp, dt.datetime(2107, 12, 31, 23, 59, 58)))


def _ignore(unraisable: Any) -> None:
    """An unraisable-exception hook that shows nothing."""


def _reproducible_xlsx(wb: Any) -> bytes:
    """The workbook as bytes, with every time in it (the document's created and modified
    times, each zip entry's) set to :func:`_stamp`. Built in memory: a full disk then
    fails one plain write of the whole file, not openpyxl's zip writer halfway."""
    from openpyxl.writer.excel import ExcelWriter

    stamp = _stamp()
    wb.properties.created = wb.properties.modified = stamp
    raw = io.BytesIO()
    # openpyxl writes each sheet to a temporary file first; when that fails (a full
    # disk), its half-closed writers complain as they are freed ("Exception ignored in
    # ..."): the error is reported once, as ours, and their complaints are not shown
    previous, failure = sys.unraisablehook, None
    sys.unraisablehook = _ignore
    try:
        try:
            ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()  # closes
        except OSError as exc:
            failure = OSError(exc.errno, exc.strerror)
        gc.collect()  # the writers are freed here (their traceback is gone), quietly
    finally:
        sys.unraisablehook = previous
    if failure is not None:
        raise failure
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as written,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as fixed,
    ):
        for info in written.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            fixed.writestr(entry, written.read(info))
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A value for a spreadsheet cell: a level number stays a number, the rest text."""
    return value if isinstance(value, int) else str(value)

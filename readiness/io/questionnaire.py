"""Read a filled questionnaire (``readiness template``) back: ``readiness import``.

:func:`read_questionnaire` reads an xlsx, csv or json questionnaire into a
:class:`FilledQuestionnaire`: the partnership on its cover and one assessor's
ratings. ``.partnership()`` gives a partnership (each rating's ``perspective`` is the
cover's ``side``); :func:`panel_from_questionnaires` combines several into a panel
(:mod:`readiness.panel`) that keeps each assessor's organisation and side.

Every problem names its place: ``Criteria!E14`` in a spreadsheet, ``line 14, column E
(level)`` in a csv file, the JSON path in a json questionnaire. One read reports every
problem at once.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import difflib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from readiness._io import read_document
from readiness._models import problems_from
from readiness._text import text_from_formula_quote
from readiness.errors import InputError, Problem
from readiness.io.template import (
    COVER_FIELDS,
    COVER_SHEET,
    CRITERIA_COLUMNS,
    CRITERIA_SHEET,
    XLSX_HINT,
    template_format,
)
from readiness.panel import Panel, panel_from_dict
from readiness.partnership import FORMAT_VERSION, Partnership, Rating
from readiness.rubric import Rubric, load_rubric

__all__ = ["FilledQuestionnaire", "panel_from_questionnaires", "read_questionnaire"]

_LEVEL_HELP = "level must be 0-4, not-applicable or unknown (blank: not rated)"
_NA = {"not-applicable", "not applicable", "n/a", "na"}
_EVIDENCE = ("evidence", "source", "date", "url")


@dataclass(frozen=True)
class _Cell:
    value: Any
    where: str


@dataclass(frozen=True)
class FilledQuestionnaire:
    """One filled questionnaire: the partnership on its cover and one assessor's ratings.

    ``header`` is a partnership document without ratings, assessor or date;
    ``assessment`` a panel assessment (assessor, organisation, side, assessed_on,
    ratings) as plain data.
    """

    source: str
    header: dict[str, Any]
    assessment: dict[str, Any]

    def partnership(self) -> Partnership:
        """The partnership as this assessor describes it (organisation in brackets
        after the assessor's name; ``side`` as each rating's ``perspective``)."""
        a = self.assessment
        who = a.get("assessor")
        if who and a.get("organisation"):
            who = f"{who} ({a['organisation']})"
        side = a.get("side")
        data = self.header | {
            "ratings": {
                k: r | ({"perspective": side} if side else {}) for k, r in a["ratings"].items()
            }
        }
        data |= {k: v for k, v in (("assessor", who), ("assessed_on", a.get("assessed_on"))) if v}
        return Partnership.model_validate({"format_version": FORMAT_VERSION} | data)


def read_questionnaire(
    path: str | Path, rubric: Rubric | None = None, *, fmt: str | None = None
) -> FilledQuestionnaire:
    """Read a filled questionnaire.

    Args:
        path: An ``.xlsx``, ``.csv`` or ``.json`` questionnaire.
        rubric: The rubric whose criteria it rates (default: the shipped one).
        fmt: The format, when the extension does not say.

    Raises:
        InputError: Every problem, each named by sheet and cell, line and column, or
            JSON path; the error names the file.
    """
    rubric = rubric or load_rubric()
    name = str(path)
    try:
        kind = template_format(path, fmt)
    except Exception as exc:
        raise InputError(str(exc).split(": ", 1)[-1], source=name) from None
    if kind == "xlsx":
        cover, rows = _read_xlsx(Path(path))
    elif kind == "csv":
        cover, rows = _read_csv(Path(path))
    else:
        cover, rows = _read_json(Path(path))
    return _build(name, cover, rows, rubric)


# --- the three readers: cover cells by field, criteria rows by column ------------------


def _read_xlsx(path: Path) -> tuple[dict[str, _Cell], list[dict[str, _Cell]]]:
    try:
        from openpyxl import load_workbook
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise InputError(XLSX_HINT, source=str(path)) from None
    try:
        wb = load_workbook(path, data_only=True, read_only=True)
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except Exception as exc:  # a zip that is not a workbook, a damaged file ...
        raise InputError(f"not a readable xlsx workbook ({exc})", source=str(path)) from None
    missing = [s for s in (COVER_SHEET, CRITERIA_SHEET) if s not in wb.sheetnames]
    if missing:
        raise InputError(
            f"no sheet named {' or '.join(missing)} (sheets: {', '.join(wb.sheetnames)})",
            source=str(path),
        )
    cover: dict[str, _Cell] = {}
    for r, row in enumerate(wb[COVER_SHEET].iter_rows(min_row=2, max_col=2, values_only=True), 2):
        if row and isinstance(row[0], str) and row[0].strip():
            value = row[1] if len(row) > 1 else None
            cover[row[0].strip().lower()] = _Cell(value, f"{COVER_SHEET}!B{r}")
    table = list(wb[CRITERIA_SHEET].iter_rows(values_only=True))
    wb.close()

    def where(r: int, c: int) -> str:
        return f"{CRITERIA_SHEET}!{get_column_letter(c + 1)}{r}"

    return cover, _table(table, 1, where, CRITERIA_SHEET + "!1")


def _letters(c: int) -> str:
    out = ""
    c += 1
    while c:
        c, rest = divmod(c - 1, 26)
        out = chr(65 + rest) + out
    return out


def _read_csv(path: Path) -> tuple[dict[str, _Cell], list[dict[str, _Cell]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", source=str(path)
        ) from None
    # a cell our template quoted against formula injection ('=...) reads as written
    lines = [
        [text_from_formula_quote(cell) for cell in row]
        for row in csv.reader(io.StringIO(text, newline=""))
    ]
    start = next(
        (i for i, row in enumerate(lines) if {"id", "level"} <= {c.strip().lower() for c in row}),
        None,
    )
    if start is None:
        raise InputError(
            "no criteria table: no line has the columns 'id' and 'level'", source=str(path)
        )
    cover: dict[str, _Cell] = {}
    for i, row in enumerate(lines[:start]):
        if row and row[0].strip() and row[0].strip().lower() != "field":
            value = row[1] if len(row) > 1 else ""
            cover[row[0].strip().lower()] = _Cell(
                value, f"line {i + 1}, column B ({row[0].strip()})"
            )
    header = [c.strip().lower() for c in lines[start]]

    def where(r: int, c: int) -> str:
        name = header[c] if c < len(header) else "?"
        return f"line {r}, column {_letters(c)} ({name})"

    rows: list[tuple[Any, ...]] = [tuple(x) for x in lines[start:]]
    return cover, _table(rows, start + 1, where, f"line {start + 1}")


def _read_json(path: Path) -> tuple[dict[str, _Cell], list[dict[str, _Cell]]]:
    doc = read_document(path, InputError)
    if not isinstance(doc, dict) or not isinstance(doc.get("criteria"), list):
        raise InputError(
            "a json questionnaire is an object with 'cover' and 'criteria'", source=str(path)
        )
    raw_cover = doc.get("cover") or {}
    if not isinstance(raw_cover, dict):
        raise InputError([Problem("$.cover", "must be an object")], source=str(path))
    cover = {str(k).lower(): _Cell(v, f"$.cover.{k}") for k, v in raw_cover.items()}
    rows: list[dict[str, _Cell]] = []
    for i, item in enumerate(doc["criteria"]):
        base = f"$.criteria[{i}]"
        if not isinstance(item, dict):
            raise InputError([Problem(base, "must be an object")], source=str(path))
        row = {
            k: _Cell(item.get(k), f"{base}.{k}")
            for k in ("pillar", "id", "level", "confidence", "note", "justification")
        }
        evidence = item.get("evidence") or []
        if not isinstance(evidence, list):
            raise InputError([Problem(f"{base}.evidence", "must be a list")], source=str(path))
        pieces = evidence or [{}]
        for n, e in enumerate(pieces):
            e = e if isinstance(e, dict) else {}
            ev = {
                "evidence": _Cell(e.get("text"), f"{base}.evidence[{n}].text"),
                "source": _Cell(e.get("source"), f"{base}.evidence[{n}].source"),
                "date": _Cell(e.get("date"), f"{base}.evidence[{n}].date"),
                "url": _Cell(e.get("url"), f"{base}.evidence[{n}].url"),
            }
            if n == 0:
                rows.append(row | ev)
            else:
                rows.append({"id": row["id"], "level": _Cell(None, row["level"].where)} | ev)
    return cover, rows


def _table(
    table: Sequence[Sequence[Any]],
    first_row: int,
    where: Callable[[int, int], str],
    header_where: str,
) -> list[dict[str, _Cell]]:
    """Rows of a criteria table as column name -> cell (blank rows left out)."""
    if not table:
        raise InputError([Problem(header_where, "the criteria table is empty")])
    header = [str(c).strip().lower() if c is not None else "" for c in table[0]]
    missing = [c for c in ("id", "level") if c not in header]
    if missing:
        raise InputError(
            [Problem(header_where, f"no {' or '.join(repr(m) for m in missing)} column")]
        )
    index = {name: header.index(name) for name in CRITERIA_COLUMNS if name in header}
    rows = []
    for offset, row in enumerate(table[1:], 1):
        r = first_row + offset
        cells = {
            name: _Cell(row[c] if c < len(row) else None, where(r, c)) for name, c in index.items()
        }
        if all(_blank(cell.value) for cell in cells.values()):
            continue
        rows.append(cells)
    return rows


# --- turning cells into a partnership, with every problem at its cell -----------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _level(value: Any) -> int | str | None:
    """A level cell: an int 0-4, 'not-applicable', 'unknown', or None (blank)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{_LEVEL_HELP} (got {value!r})")
    if isinstance(value, int | float) and float(value).is_integer() and 0 <= value <= 4:
        return int(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if re.fullmatch(r"[0-4](\.0+)?", text):
            return int(float(text))
        if text in _NA:
            return "not-applicable"
        if text == "unknown":
            return "unknown"
    raise ValueError(f"{_LEVEL_HELP} (got {value!r})")


def _build(
    source: str, cover: dict[str, _Cell], rows: list[dict[str, _Cell]], rubric: Rubric
) -> FilledQuestionnaire:
    problems: list[Problem] = []
    places: dict[str, str] = {}  # JSON path of the partnership -> cell
    header: dict[str, Any] = {}
    assessment: dict[str, Any] = {"ratings": {}}
    keys = {k for k, _ in COVER_FIELDS}
    for key, cell in cover.items():
        if key not in keys:
            hint = difflib.get_close_matches(key, keys, n=1)
            more = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.append(Problem(cell.where, f"unknown cover field {key!r}{more}"))
            continue
        value = _text(cell.value)
        places[f"$.{key}"] = cell.where
        if value is None:
            continue
        if key == "members":
            header[key] = [m.strip() for m in value.split(",") if m.strip()]
        elif key in ("assessor", "organisation", "side", "assessed_on"):
            assessment[key] = value
        else:
            header[key] = value
    if "assessor" not in assessment:  # the partnership model checks the other fields
        at = cover["assessor"].where if "assessor" in cover else "$.assessor"
        problems.append(Problem(at, "required field is missing (your name)"))

    known = set(rubric.criterion_ids)
    first_row: dict[str, str] = {}
    ratings: dict[str, dict[str, Any]] = assessment["ratings"]
    for row in rows:
        id_cell = row["id"]
        cid = _text(id_cell.value)
        if cid is None:
            problems.append(Problem(id_cell.where, "the row has content but no criterion id"))
            continue
        if cid not in known:
            hint = difflib.get_close_matches(cid, known, n=1)
            more = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.append(
                Problem(
                    id_cell.where,
                    f"unknown criterion {cid!r} (not in rubric {rubric.label}){more}",
                    criterion=cid,
                )
            )
            continue
        try:
            level = _level(row["level"].value)
        except ValueError as exc:
            problems.append(Problem(row["level"].where, str(exc), criterion=cid))
            continue
        evidence = {
            k: _text(row[k].value) for k in _EVIDENCE if k in row and not _blank(row[k].value)
        }
        base = f"$.ratings[{cid!r}]"
        if cid in first_row:  # a further row of the same criterion adds evidence only
            extra = [
                k
                for k in ("confidence", "note", "justification")
                if k in row and not _blank(row[k].value)
            ]
            if level is not None or extra:
                problems.append(
                    Problem(
                        row["level"].where if level is not None else row[extra[0]].where,
                        f"criterion {cid!r} is already on {first_row[cid]}; a further row of "
                        "it may only add evidence (leave level, confidence, note and "
                        "justification blank)",
                        criterion=cid,
                    )
                )
                continue
            if cid not in ratings:
                problems.append(
                    Problem(
                        id_cell.where, f"evidence for {cid!r}, which has no level", criterion=cid
                    )
                )
                continue
            if evidence:
                n = len(ratings[cid].setdefault("evidence", []))
                ratings[cid]["evidence"].append(_piece(evidence))
                _place_evidence(places, f"{base}.evidence[{n}]", row)
            continue
        first_row[cid] = id_cell.where.split("!")[-1]
        if level is None:
            fields: tuple[str, ...] = ("confidence", *_EVIDENCE, "note", "justification")
            filled = [k for k in fields if k in row and not _blank(row[k].value)]
            if filled:
                problems.append(
                    Problem(
                        row["level"].where,
                        f"{_LEVEL_HELP}: the row has {filled[0]} but no level",
                        criterion=cid,
                    )
                )
            continue
        rating: dict[str, Any] = {"level": level}
        for k in ("confidence", "note", "justification"):
            if k in row and not _blank(row[k].value):
                value = _text(row[k].value)
                rating[k] = value.lower() if k == "confidence" and value else value
                places[f"{base}.{k}"] = row[k].where
        places[f"{base}.level"] = row["level"].where
        places[base] = id_cell.where
        if evidence:
            rating["evidence"] = [_piece(evidence)]
            _place_evidence(places, f"{base}.evidence[0]", row)
        ratings[cid] = rating
    # every rating on its own, then the partnership (cover, dates) with the good ones:
    # one run reports every problem
    good: dict[str, dict[str, Any]] = {}
    for cid, rating in ratings.items():
        try:
            Rating.model_validate(rating)
            good[cid] = rating
        except ValidationError as exc:
            problems += [
                _at(dataclasses.replace(p, path=f"$.ratings[{cid!r}]" + p.path[1:]), places)
                for p in problems_from(exc)
            ]
    try:
        FilledQuestionnaire(source, header, assessment | {"ratings": good}).partnership()
    except InputError as exc:
        problems += [_at(p, places) for p in exc.problems]
    except ValidationError as exc:
        problems += [_at(p, places) for p in problems_from(exc)]
    if problems:
        raise InputError(problems, source=source)
    return FilledQuestionnaire(source, header, assessment)


def _piece(evidence: dict[str, str | None]) -> dict[str, Any]:
    out: dict[str, Any] = {"text": evidence.get("evidence"), "source": evidence.get("source")}
    return out | {k: evidence[k] for k in ("date", "url") if evidence.get(k)}


def _place_evidence(places: dict[str, str], base: str, row: dict[str, _Cell]) -> None:
    names = {"evidence": "text", "source": "source", "date": "date", "url": "url"}
    for column, field in names.items():
        if column in row:
            places[f"{base}.{field}"] = row[column].where
    places[base] = row.get("evidence", row["id"]).where


def _at(problem: Problem, places: dict[str, str]) -> Problem:
    """A problem found on the partnership, moved to the cell it came from."""
    path = problem.path
    while path:
        if path in places:
            return dataclasses.replace(problem, path=places[path])
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return problem


def panel_from_questionnaires(
    filled: Sequence[FilledQuestionnaire], *, rule: str = "median"
) -> Panel:
    """Several assessors' questionnaires of one partnership as one panel.

    The first questionnaire's cover gives the partnership; the others must name the
    same id, kind and members (their other cover fields are not used).

    Raises:
        InputError: Questionnaires of different partnerships (named by file and cell).
    """
    if not filled:
        raise InputError("no questionnaire to combine")
    first = filled[0]
    problems = []
    for q in filled[1:]:
        for key in ("id", "kind", "members"):
            if q.header.get(key) != first.header.get(key):
                problems.append(
                    Problem(
                        f"cover {key}",
                        f"{q.header.get(key)!r} differs from {first.header.get(key)!r} in "
                        f"{first.source}: every questionnaire must describe the same partnership",
                        file=q.source,
                    )
                )
    named: dict[str, str] = {}
    for q in filled:
        who = str(q.assessment.get("assessor") or "")
        if who and who in named:
            problems.append(
                Problem(
                    "cover assessor",
                    f"assessor {who!r} also fills {named[who]}: each questionnaire needs its "
                    "own assessor (rename one, or leave one file out)",
                    file=q.source,
                )
            )
        named.setdefault(who, q.source)
    if problems:
        raise InputError([dataclasses.replace(p, path=f"{p.file}: {p.path}") for p in problems])
    return panel_from_dict(
        {
            "partnership": first.header,
            "consensus": {"rule": rule},
            "assessments": [q.assessment for q in filled],
        }
    )

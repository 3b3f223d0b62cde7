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

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from readiness._limits import MAX_ASSESSORS
from readiness._models import problems_from
from readiness.errors import InputError, Problem
from readiness.io._cells import Cell, read_cells, text_problem
from readiness.io.template import COVER_FIELDS, template_format
from readiness.panel import Panel, panel_from_dict
from readiness.partnership import FORMAT_VERSION, Partnership, Rating
from readiness.rubric import Rubric, load_rubric

__all__ = ["FilledQuestionnaire", "panel_from_questionnaires", "read_questionnaire"]

_LEVEL_HELP = "level must be 0-4, not-applicable or unknown (blank: not rated)"
_NA = {"not-applicable", "not applicable", "n/a", "na"}
_EVIDENCE = ("evidence", "source", "date", "url")


@dataclass(frozen=True)
class FilledQuestionnaire:
    """One filled questionnaire: the partnership on its cover and one assessor's ratings.

    ``header`` is a partnership document without ratings, assessor or date;
    ``assessment`` a panel assessment (assessor, organisation, side, assessed_on,
    ratings) as plain data; ``places`` the cell each of their JSON paths came from
    (``$.ratings['x'].level`` -> ``Criteria!E14``), so that a later problem (in a
    panel) is reported where the assessor can fix it.
    """

    source: str
    header: dict[str, Any]
    assessment: dict[str, Any]
    places: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __repr__(self) -> str:
        who = self.assessment.get("assessor") or "no assessor"
        rated = len(self.assessment.get("ratings") or {})
        return (
            f"<FilledQuestionnaire {self.source}: {self.header.get('id')}, {who}, {rated} ratings>"
        )

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

    def place(self, path: str) -> str:
        """The cell a JSON path of the partnership or the assessment came from (the path
        itself when no cell is known)."""
        return _at(Problem(path, ""), self.places).path


def read_questionnaire(
    path: str | Path, rubric: Rubric | None = None, *, fmt: str | None = None
) -> FilledQuestionnaire:
    """Read a filled questionnaire.

    Every file is held to the limits of :mod:`readiness._limits` (size, rows, columns,
    cell length; for xlsx each part of the archive), and what cannot be read as written
    is refused rather than guessed: a cover field given twice, merged cells or a
    formula without a computed value in the table, a JSON value of the wrong type or an
    unknown key, a control character.

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
    try:
        cover, rows = read_cells(Path(path), kind)
        return _build(name, cover, rows, rubric)
    except InputError as exc:
        raise (exc if exc.source else exc.with_source(name)) from None


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
    if isinstance(value, int) and 0 <= value <= 4:
        return value
    if isinstance(value, float) and value.is_integer() and 0 <= value <= 4:
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
    source: str, cover: dict[str, Cell], rows: list[dict[str, Cell]], rubric: Rubric
) -> FilledQuestionnaire:
    problems: list[Problem] = []
    checked: set[str] = set()
    for cell in [*cover.values(), *(c for row in rows for c in row.values())]:
        if cell.where not in checked:
            checked.add(cell.where)
            if (problem := text_problem(cell)) is not None:
                problems.append(problem)
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
    return FilledQuestionnaire(source, header, assessment, places)


def _piece(evidence: dict[str, str | None]) -> dict[str, Any]:
    out: dict[str, Any] = {"text": evidence.get("evidence"), "source": evidence.get("source")}
    return out | {k: evidence[k] for k in ("date", "url") if evidence.get(k)}


def _place_evidence(places: dict[str, str], base: str, row: dict[str, Cell]) -> None:
    names = {"evidence": "text", "source": "source", "date": "date", "url": "url"}
    for column, key in names.items():
        if column in row:
            places[f"{base}.{key}"] = row[column].where
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
    filled: Sequence[FilledQuestionnaire],
    *,
    rule: str = "median",
    rubric: Rubric | None = None,
) -> Panel:
    """Several assessors' questionnaires of one partnership as one panel.

    The first questionnaire's cover gives the partnership; the others must name the
    same id, kind and members (their other cover fields are not used). With ``rubric``,
    every assessment is also checked against it (criterion ids, overrides of derived
    levels).

    Raises:
        InputError: Questionnaires of different partnerships, more than
            :data:`~readiness._limits.MAX_ASSESSORS`, or a problem of the panel (an
            assessor named twice, a side that is not a member ...): each problem named
            by file and cell.
    """
    if not filled:
        raise InputError("no questionnaire to combine")
    if len(filled) > MAX_ASSESSORS:
        raise InputError(
            f"{len(filled):,} questionnaires; a panel has at most {MAX_ASSESSORS:,} assessors"
        )
    first = filled[0]
    problems = []
    for q in filled[1:]:
        for key in ("id", "kind", "members"):
            if q.header.get(key) != first.header.get(key):
                problems.append(
                    Problem(
                        q.place(f"$.{key}"),
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
                    q.place("$.assessor"),
                    f"assessor {who!r} appears twice (also in {named[who]}): each "
                    "questionnaire needs its own assessor",
                    file=q.source,
                )
            )
        named.setdefault(who, q.source)
    if problems:
        raise _in_files(problems)
    try:
        panel = panel_from_dict(
            {
                "partnership": first.header,
                "consensus": {"rule": rule},
                "assessments": [q.assessment for q in filled],
            }
        )
        if rubric is not None:
            panel.check_against(rubric)
    except InputError as exc:
        raise _in_files([_in_questionnaire(p, filled) for p in exc.problems]) from None
    return panel


_ASSESSMENT = re.compile(r"\$\.assessments\[(\d+)\]")


def _in_questionnaire(problem: Problem, filled: Sequence[FilledQuestionnaire]) -> Problem:
    """A problem of the panel built from ``filled``, at the file and cell it came from."""
    match = _ASSESSMENT.match(problem.path)
    if match and int(match.group(1)) < len(filled):
        q, rest = filled[int(match.group(1))], problem.path[match.end() :]
    elif problem.path.startswith("$.partnership"):
        q, rest = filled[0], problem.path[len("$.partnership") :]
    else:
        return problem
    return dataclasses.replace(problem, path=q.place("$" + rest), file=q.source)


def _in_files(problems: list[Problem]) -> InputError:
    """The error of ``problems`` found in one or several files: named by the file when
    there is one, else each problem by its file."""
    files = {p.file for p in problems}
    if len(files) == 1 and None not in files:
        return InputError(problems, source=problems[0].file)
    return InputError(
        [dataclasses.replace(p, path=f"{p.file}: {p.path}") if p.file else p for p in problems]
    )

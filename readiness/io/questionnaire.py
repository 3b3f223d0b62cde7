"""Read a filled questionnaire (``readiness template``) back: ``readiness import``.

:func:`read_questionnaire` reads an xlsx, csv or json questionnaire into a
:class:`FilledQuestionnaire`: the partnership on its cover, the partnership's facts
when the questionnaire carries them (written from a partnership file), and one
assessor's ratings. ``.partnership()`` gives a partnership (each rating's
``perspective`` is the cover's ``side``); :func:`panel_from_questionnaires` combines
several into a panel (:mod:`readiness.panel`) that keeps each assessor's organisation
and side. ``.with_partnership(base)`` takes the facts of a partnership file instead
(``--partnership FILE``), so that a questionnaire scores as that file whether it
carries the facts or not.

Every problem names its place: ``Criteria!E14`` in a spreadsheet, ``line 14, column E
(level)`` in a csv file, the JSON path in a json questionnaire; in the facts, the
cells that hold them and the JSON path inside (``Facts!B5 $.facts.agreements[0].signed``).
One read reports every problem at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from readiness._io import parse_json
from readiness._limits import MAX_ASSESSORS
from readiness._models import problems_from
from readiness.errors import InputError, Problem
from readiness.facts import normal_code
from readiness.io._cells import Cell, FactsCells, read_cells, text_problem
from readiness.io.template import (
    CARRIED,
    COVER_FIELDS,
    FACTS_FORMAT,
    KEPT,
    carried_fields,
    facts_digest,
    template_format,
)
from readiness.panel import Panel, panel_from_dict
from readiness.partnership import FORMAT_VERSION, Partnership, Rating
from readiness.resolve import resolve
from readiness.rubric import Rubric, load_rubric

__all__ = ["FilledQuestionnaire", "panel_from_questionnaires", "read_questionnaire"]

_LEVEL_HELP = "level must be 0-4, not-applicable or unknown (blank: not rated)"
_NA = {"not-applicable", "not applicable", "n/a", "na"}
_EVIDENCE = ("evidence", "source", "date", "url")
_FACTS_AT = "(facts)"
"""The key of :attr:`FilledQuestionnaire.places` that gives the place of the facts."""


@dataclass(frozen=True)
class FilledQuestionnaire:
    """One filled questionnaire: the partnership on its cover, the facts it carries and
    one assessor's ratings.

    ``header`` is the cover's partnership document (without ratings, assessor or
    date); ``carried`` the partnership fields the questionnaire carries
    (:data:`~readiness.io.template.CARRIED`: its id, facts, status, members with their
    dates, established, description, format_version), checked, or ``None`` (a blank
    template); ``assessment`` a panel assessment (assessor, organisation, side,
    assessed_on, ratings) as plain data; ``places`` the cell each of their JSON paths
    came from (``$.ratings['x'].level`` -> ``Criteria!E14``), so that a later problem
    (in a panel) is reported where the assessor can fix it.
    """

    source: str
    header: dict[str, Any]
    assessment: dict[str, Any]
    places: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    carried: dict[str, Any] | None = None

    def __repr__(self) -> str:
        who = self.assessment.get("assessor") or "no assessor"
        rated = len(self.assessment.get("ratings") or {})
        facts = ", facts carried" if self.carried and "facts" in self.carried else ""
        return (
            f"<FilledQuestionnaire {self.source}: {self.header.get('id')}, {who}, "
            f"{rated} ratings{facts}>"
        )

    @property
    def kept(self) -> dict[str, Any]:
        """The fields of the carried facts that replace the cover's
        (:data:`~readiness.io.template.KEPT`); empty without facts."""
        return {k: v for k, v in (self.carried or {}).items() if k in KEPT}

    def partnership(self) -> Partnership:
        """The partnership as this assessor describes it (organisation in brackets
        after the assessor's name; ``side`` as each rating's ``perspective``), with the
        facts the questionnaire carries."""
        a = self.assessment
        who = a.get("assessor")
        if who and a.get("organisation"):
            who = f"{who} ({a['organisation']})"
        side = a.get("side")
        data = (
            self.header
            | self.kept
            | {
                "ratings": {
                    k: r | ({"perspective": side} if side else {}) for k, r in a["ratings"].items()
                }
            }
        )
        data |= {k: v for k, v in (("assessor", who), ("assessed_on", a.get("assessed_on"))) if v}
        return Partnership.model_validate({"format_version": FORMAT_VERSION} | data)

    def with_partnership(
        self, base: Partnership, *, source: str | None = None, rubric: Rubric | None = None
    ) -> FilledQuestionnaire:
        """This questionnaire with the facts of ``base`` (the fields of
        :data:`~readiness.io.template.KEPT`) instead of those it carries, if any: what
        ``--partnership FILE`` does. ``base`` must be the same partnership (same id and
        members); its fields win over the cover's.

        Args:
            base: The partnership whose facts to take.
            source: Its file, which problems in its facts name.
            rubric: The rubric the ratings are checked against (overrides of derived
                levels need a justification); default: the shipped one.

        Raises:
            InputError: ``base`` describes another partnership (named by ``source``), or
                the result is invalid: a date after the assessment date, a rating that
                contradicts the facts without a justification (named by cell).
        """
        name = source or "the partnership given"
        carried = carried_fields(base)
        if carried["id"] != self.header.get("id"):
            raise InputError(
                [
                    Problem(
                        self.place("$.id"),
                        f"the questionnaire is of partnership {self.header.get('id')!r}, "
                        f"but {name} describes partnership {carried['id']!r}",
                    )
                ],
                source=self.source,
            )
        other = _other_members(self, carried)
        if other is not None:
            raise InputError(
                [
                    Problem(
                        self.place("$.members"),
                        f"the members {other} are not those of {name}: "
                        f"{', '.join(_codes(carried.get('members')) or ())}",
                    )
                ],
                source=self.source,
            )
        places = dict(self.places) | {_FACTS_AT: name}
        places |= _facts_places(carried, lambda path: f"{name} {path}")
        q = dataclasses.replace(self, carried=carried, places=places)
        problems = _checked(q, rubric or load_rubric())
        if problems:
            raise InputError(problems, source=self.source)
        return q

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

    The facts a questionnaire carries are checked as a partnership file's are, and
    more: their format, their SHA-256 (facts changed after ``readiness template`` wrote
    them are refused), their id (the cover's), their members (the cover's codes), the
    cover's ``established`` and ``description`` (which, when filled in, must be theirs),
    and the ratings against the levels they derive (a rating more than one level away
    needs a justification).

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
        cover, rows, facts = read_cells(Path(path), kind)
        return _build(name, cover, rows, rubric, facts)
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
    source: str,
    cover: dict[str, Cell],
    rows: list[dict[str, Cell]],
    rubric: Rubric,
    facts: FactsCells | None = None,
) -> FilledQuestionnaire:
    """The questionnaire from its cells, or every problem of it at once (cells' text,
    cover, facts, rating rows, each rating, then the partnership as a whole)."""
    facts_cells = [] if facts is None else [*facts.fields.values(), *facts.pieces]
    problems = _text_problems(
        [*cover.values(), *(c for row in rows for c in row.values()), *facts_cells]
    )
    facts_readable = not problems or not {p.path for p in problems} & {c.where for c in facts_cells}
    places: dict[str, str] = {}  # JSON path of the partnership -> cell
    header: dict[str, Any] = {}
    assessment: dict[str, Any] = {"ratings": {}}
    problems += _read_cover(cover, header, assessment, places)
    carried = None
    if facts is not None and facts_readable:
        carried, found = _carried(facts, cover, header, source)
        problems += found
        if carried is not None:
            places[_FACTS_AT] = facts.where
            places |= _facts_places(carried, lambda path: _in_facts(facts, path))
    ratings: dict[str, dict[str, Any]] = assessment["ratings"]
    problems += _read_rows(rows, rubric, ratings, places)
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
    rated = FilledQuestionnaire(source, header, assessment | {"ratings": good}, places, carried)
    problems += _checked(rated, rubric, overrides=not problems)
    if problems:
        raise InputError(problems, source=source)
    return FilledQuestionnaire(source, header, assessment, places, carried)


def _text_problems(cells: Sequence[Cell]) -> list[Problem]:
    """The text problems of each cell, once per place."""
    problems: list[Problem] = []
    checked: set[str] = set()
    for cell in cells:
        if cell.where not in checked:
            checked.add(cell.where)
            if (problem := text_problem(cell)) is not None:
                problems.append(problem)
    return problems


def _read_cover(
    cover: dict[str, Cell],
    header: dict[str, Any],
    assessment: dict[str, Any],
    places: dict[str, str],
) -> list[Problem]:
    """The cover's fields into ``header`` (the partnership) and ``assessment`` (who rated,
    when); its problems: unknown fields, no assessor."""
    problems: list[Problem] = []
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
    return problems


def _read_rows(
    rows: list[dict[str, Cell]],
    rubric: Rubric,
    ratings: dict[str, dict[str, Any]],
    places: dict[str, str],
) -> list[Problem]:
    """The rating rows into ``ratings``: a criterion's first row rates it, further rows
    add evidence; the problems of each row."""
    problems: list[Problem] = []
    known = set(rubric.criterion_ids)
    first_row: dict[str, str] = {}
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
        if cid in first_row:
            problems += _further_row(row, cid, level, first_row[cid], ratings, places)
            continue
        first_row[cid] = id_cell.where.split("!")[-1]
        problems += _first_row(row, cid, level, ratings, places)
    return problems


def _first_row(
    row: dict[str, Cell],
    cid: str,
    level: int | str | None,
    ratings: dict[str, dict[str, Any]],
    places: dict[str, str],
) -> list[Problem]:
    """A criterion's rating from its first row (none without a level: then nothing else
    may be filled in)."""
    base = f"$.ratings[{cid!r}]"
    if level is None:
        fields: tuple[str, ...] = ("confidence", *_EVIDENCE, "note", "justification")
        filled = [k for k in fields if k in row and not _blank(row[k].value)]
        if filled:
            return [
                Problem(
                    row["level"].where,
                    f"{_LEVEL_HELP}: the row has {filled[0]} but no level",
                    criterion=cid,
                )
            ]
        return []
    evidence = _row_evidence(row)
    rating: dict[str, Any] = {"level": level}
    for k in ("confidence", "note", "justification"):
        if k in row and not _blank(row[k].value):
            value = _text(row[k].value)
            rating[k] = value.lower() if k == "confidence" and value else value
            places[f"{base}.{k}"] = row[k].where
    places[f"{base}.level"] = row["level"].where
    places[base] = row["id"].where
    if "justification" in row:  # where a justification goes (overrides of facts)
        places.setdefault(f"{base}.justification", row["justification"].where)
    if evidence:
        rating["evidence"] = [_piece(evidence)]
        _place_evidence(places, f"{base}.evidence[0]", row)
    ratings[cid] = rating
    return []


def _further_row(
    row: dict[str, Cell],
    cid: str,
    level: int | str | None,
    first: str,
    ratings: dict[str, dict[str, Any]],
    places: dict[str, str],
) -> list[Problem]:
    """A further row of criterion ``cid`` (first on ``first``): it adds evidence only."""
    extra = [
        k for k in ("confidence", "note", "justification") if k in row and not _blank(row[k].value)
    ]
    if level is not None or extra:
        return [
            Problem(
                row["level"].where if level is not None else row[extra[0]].where,
                f"criterion {cid!r} is already on {first}; a further row of "
                "it may only add evidence (leave level, confidence, note and "
                "justification blank)",
                criterion=cid,
            )
        ]
    if cid not in ratings:
        return [
            Problem(row["id"].where, f"evidence for {cid!r}, which has no level", criterion=cid)
        ]
    evidence = _row_evidence(row)
    if evidence:
        n = len(ratings[cid].setdefault("evidence", []))
        ratings[cid]["evidence"].append(_piece(evidence))
        _place_evidence(places, f"$.ratings[{cid!r}].evidence[{n}]", row)
    return []


def _row_evidence(row: dict[str, Cell]) -> dict[str, str | None]:
    """The evidence cells a row fills in (text, source, date...)."""
    return {k: _text(row[k].value) for k in _EVIDENCE if k in row and not _blank(row[k].value)}


def _checked(q: FilledQuestionnaire, rubric: Rubric, *, overrides: bool = True) -> list[Problem]:
    """The problems of ``q``'s partnership (cover, facts, dates), each at its place; when
    it has none and ``overrides`` is true, the ratings that contradict the levels its
    facts derive without a justification."""
    try:
        p = q.partnership()
    except InputError as exc:
        return [_at(problem, q.places) for problem in exc.problems]
    except ValidationError as exc:
        return [_at(problem, q.places) for problem in problems_from(exc)]
    if not overrides:
        return []
    return [_at(problem, q.places) for problem in resolve([p], rubric).problems[0]]


# --- the facts a questionnaire carries -------------------------------------------------

_NOT_EDITED = "they are written by readiness template and not edited"


def _facts_places(carried: dict[str, Any], place: Callable[[str], str]) -> dict[str, str]:
    """The places of the carried fields that replace the cover's (``place(json path)``);
    the members stay on the cover, and only a member with dates is placed in the facts."""
    out = {f"$.{k}": place(f"$.{k}") for k in KEPT if k in carried and k != "members"}
    members = carried.get("members")
    for i, member in enumerate(members if isinstance(members, list) else ()):
        if isinstance(member, dict):
            out[f"$.members[{i}]"] = place(f"$.members[{i}]")
    return out


def _in_facts(facts: FactsCells, path: str) -> str:
    """The place of JSON path ``path`` inside the facts: ``Facts!B5 $.facts`` (the cells
    hold JSON text), ``$.facts.partnership.facts`` (a json questionnaire)."""
    return facts.where + path[1:] if facts.document is not None else f"{facts.where} {path}"


def _carried(
    facts: FactsCells, cover: dict[str, Cell], header: dict[str, Any], source: str
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The facts a questionnaire carries, checked against their format, their SHA-256
    and the cover (id, members, established, description); ``None`` with the problems
    when they cannot be used."""
    problems: list[Problem] = []
    fmt = facts.fields.get("format")
    if fmt is None or _blank(fmt.value):
        problems.append(
            Problem(fmt.where if fmt else facts.where, f"{facts.name} names no format "
                    f"({FACTS_FORMAT}); {_NOT_EDITED}")
        )  # fmt: skip
    elif str(fmt.value).strip() != FACTS_FORMAT:
        problems.append(
            Problem(
                fmt.where,
                f"unknown format {str(fmt.value).strip()[:40]!r} of {facts.name} (this "
                f"readiness reads {FACTS_FORMAT}); write the questionnaire again",
            )
        )
    data = _facts_document(facts, source, problems)
    if data is None:
        return None, problems
    digest = facts.fields.get("sha256")
    if digest is None or _blank(digest.value):
        problems.append(
            Problem(digest.where if digest else facts.where,
                    f"{facts.name} has no sha256; {_NOT_EDITED}")
        )  # fmt: skip
        return None, problems
    if str(digest.value).strip().lower() != facts_digest(data):
        problems.append(
            Problem(
                digest.where,
                "the facts were changed after readiness template wrote them (their SHA-256 "
                f"is not the one recorded): {_NOT_EDITED}. Write the questionnaire again "
                f"from the partnership file, or delete {facts.name} and give --partnership "
                "FILE",
            )
        )
        return None, problems
    for key in data:
        if key not in CARRIED:
            hint = difflib.get_close_matches(str(key), CARRIED, n=1)
            more = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.append(Problem(_in_facts(facts, f"$.{key}"), f"unknown field {key!r}{more}"))
    cover_id = header.get("id")
    if not isinstance(data.get("id"), str):
        problems.append(Problem(_in_facts(facts, "$.id"), "the facts name no partnership id"))
    elif cover_id is not None and data["id"] != cover_id:
        problems.append(
            Problem(
                _in_facts(facts, "$.id"),
                f"the facts are those of partnership {data['id']!r}, the cover names "
                f"{cover_id!r} ({cover['id'].where}): the questionnaire was written for "
                "another partnership",
            )
        )
    problems += _member_problems_of(header, cover, data, facts.where)
    for key in ("established", "description"):
        given, theirs = header.get(key), data.get(key)
        if given is None or theirs is None or given == str(theirs).strip():
            continue
        problems.append(
            Problem(
                cover[key].where,
                f"{given[:40]!r} differs from the {key} the questionnaire carries with the "
                f"facts ({facts.where}): {str(theirs).strip()[:40]!r}, which is scored. Clear "
                "the cell or write that value (the partnership file is where it changes)",
            )
        )
    return (None if problems else data), problems


def _facts_document(facts: FactsCells, source: str, problems: list[Problem]) -> Any:
    """The parsed facts (a JSON object), or ``None`` with the problems added."""
    if facts.document is not None:
        value, where = facts.document.value, facts.document.where
    else:
        if not facts.pieces:
            problems.append(
                Problem(
                    facts.where,
                    f"{facts.name} holds no facts (no json row); delete it if the "
                    "questionnaire carries none",
                )
            )
            return None
        bad = [c for c in facts.pieces if not isinstance(c.value, str)]
        for c in bad:
            problems.append(
                Problem(c.where, f"must be the JSON text readiness wrote (got {c.value!r:.40})")
            )
        if bad:
            return None
        text = "".join(c.value for c in facts.pieces)
        where = facts.where
        try:
            value = parse_json(text, source, InputError)
        except InputError as exc:
            problems += _json_problems(exc, text, facts)
            return None
    if not isinstance(value, dict):
        got = "a list" if isinstance(value, list) else "not an object"
        problems.append(Problem(where, f"the facts must be a JSON object (got {got})"))
        return None
    return value


def _json_problems(exc: InputError, text: str, facts: FactsCells) -> list[Problem]:
    """The problems of facts that are not valid JSON, at the cell where it breaks."""
    try:
        json.loads(text)
        position = None
    except json.JSONDecodeError as error:
        position, message = error.pos, error.msg
    except (ValueError, RecursionError):
        position = None
    if position is None:  # a limit (depth, digits) or a key given twice: the whole text
        return [
            Problem(facts.where, f"the facts cannot be read ({p}); {_NOT_EDITED}")
            for p in exc.problems
        ]
    start = 0
    for cell in facts.pieces:
        end = start + len(cell.value)
        if position < end or cell is facts.pieces[-1]:
            break
        start = end
    return [
        Problem(
            cell.where,
            f"the facts are not valid JSON: {message} (character {position - start + 1:,} of "
            f"the cell); {_NOT_EDITED}",
        )
    ]


def _codes(members: Any) -> list[str] | None:
    """The member codes of a members list (codes or objects), ``None`` if it is not one."""
    if not isinstance(members, list):
        return None
    out = []
    for m in members:
        code = m.get("code") if isinstance(m, dict) else m
        if not isinstance(code, str):
            return None
        out.append(normal_code(code))
    return out


def _member_problems_of(
    header: dict[str, Any], cover: dict[str, Cell], data: dict[str, Any], where: str
) -> list[Problem]:
    """The cover's members, when they are not the members of the facts (``where``)."""
    given, theirs = _codes(header.get("members")), _codes(data.get("members"))
    if given is None or theirs is None or sorted(given) == sorted(theirs):
        return []
    at = cover["members"].where if "members" in cover else "$.members"
    return [
        Problem(
            at,
            f"the members {', '.join(given)} are not those of the partnership whose facts "
            f"the questionnaire carries ({where}): {', '.join(theirs)}; members change in "
            "the partnership file, not in a questionnaire",
        )
    ]


def _other_members(q: FilledQuestionnaire, carried: dict[str, Any]) -> str | None:
    """The cover's member codes when they are not those of ``carried``, else ``None``."""
    given, theirs = _codes(q.header.get("members")), _codes(carried.get("members"))
    if given is None or theirs is None or sorted(given) == sorted(theirs):
        return None
    return ", ".join(given)


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
            place, rest = places[path], problem.path[len(path) :]
            if rest and place.endswith(path[1:]):  # a place inside JSON: the rest follows
                place += rest
            return dataclasses.replace(problem, path=place)
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
    same id, kind and members (their other cover fields are not used). The facts are
    those the questionnaires carry: every questionnaire that carries facts must carry
    the same (those written from a blank template carry none and take them); to use a
    partnership file's instead, pass each through
    :meth:`FilledQuestionnaire.with_partnership` first. With ``rubric``, every
    assessment is also checked against it (criterion ids, overrides of derived levels).

    Raises:
        InputError: Questionnaires of different partnerships, or carrying different
            facts (naming both files), more than
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
    carriers = [q for q in filled if q.carried is not None]
    for q in carriers[1:]:
        theirs, ours = carriers[0].carried or {}, q.carried or {}
        if ours != theirs:
            differ = sorted(k for k in {*ours, *theirs} if ours.get(k) != theirs.get(k))
            problems.append(
                Problem(
                    q.places.get(_FACTS_AT, "$"),
                    f"the facts it carries differ from those {carriers[0].source} carries "
                    f"({', '.join(differ)}): the questionnaires of one partnership carry the "
                    "same facts. Write them again from one partnership file, or give "
                    "--partnership FILE, whose facts are then used",
                    file=q.source,
                )
            )
    if problems:
        raise _in_files(problems)
    try:
        panel = panel_from_dict(
            {
                "partnership": first.header | (carriers[0].kept if carriers else {}),
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
    key = re.match(r"\.(\w+)", rest)
    carrier = next((c for c in filled if c.carried is not None), None)
    if q.carried is None and carrier is not None and key and key.group(1) in carrier.kept:
        # the facts of the panel: those another questionnaire carries
        where = f"{carrier.source}: {carrier.place('$' + rest)}"
        return dataclasses.replace(problem, path=where, file=q.source)
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

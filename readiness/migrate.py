"""Rewrite old partnership and rubric files into the current format.

``readiness migrate FILE`` (and :func:`migrate_file`) reads one file, rewrites what the
current format refuses or names differently, checks the result, and hands back the new
text with a list of what changed. Nothing else in the file is touched:

- **Partnership files** get ``"format_version": 3`` (a file without it is format 1,
  which is still read as it was). Members written as a country's name or alpha-2 code
  (``India``, ``US``), which format 3 refuses, get their ISO alpha-3 code (``IND``,
  ``USA``), in ``members`` and wherever a member is named (facts keyed by member,
  agreement parties, invocations, a rating's side); a member code that is not a
  country's is left for the check to refuse. Every list the file gives in its facts
  (``agreements``, ``invocations``, an agreement's ``provisions``) was read as complete;
  format 3 reads what a list leaves out as unknown unless the file says the list is
  complete, so each gets its statement (``"agreements_complete": true``, ...) right after
  it, and the file means what it meant. Members written as plain codes stay plain
  codes, and agreements of one kind keep their ``kind``: both forms are current. A version this
  readiness does not know (``3``, ``0``, ``true``) is left as it is, and the check
  below refuses it ("written by a newer readiness"; "a whole number").
- **Date fields** (those the format declares as dates: ``established``,
  ``assessed_on``, an evidence ``date``, an agreement's ``signed`` ...) written with a
  time of day (``2021-09-15T00:00:00``, ``2021-09-15 00:00:00Z``, or a YAML timestamp)
  become the date ``2021-09-15``. Text elsewhere (a name, a note, evidence text) is
  never touched, even when it looks like a date and a time.
- **Rubric files**: numbers written as text where the format wants a number
  (``weight: "1"``, ``min_coverage: "0.6"``, ``thresholds: ["0.2", "1", "3", ".inf"]``,
  a profile's ``levels: {legal.founding-agreement: "4"}``) become numbers. Rubrics have
  no format_version; their ``version`` is their own.

YAML files are edited in place, scalar by scalar, so comments, order and layout stay as
they were; JSON files are written back with two-space indentation and their key order.
The result is checked before anything is written, against the current format and, for
a partnership, against the rubric when one is given (criterion ids, target): a file
that is still invalid is reported with every problem (file, JSON path, message), and
nothing is written.

This module belongs to the describe layer: it knows the formats and checks them with
their own validators (:mod:`readiness.partnership`, :mod:`readiness.rubric`).

Each rewritten value is a :class:`Rewrite`; before 0.3.0 it was called ``Change``, a
name that stays as a deprecated alias (a ``Change`` is a row of
:meth:`readiness.compare.Comparison.changes`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from readiness._io import read_document
from readiness.errors import InputError, Problem, json_path, renamed
from readiness.partnership import FORMAT_VERSION, Partnership, partnership_from_dict
from readiness.rubric import Rubric, rubric_from_dict

__all__ = ["Migration", "Rewrite", "migrate_document", "migrate_file"]

FileKind = Literal["partnership", "rubric"]

_DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")
_INFINITY = {".inf": math.inf, "inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf,
             "-inf": -math.inf}  # fmt: skip

_RUBRIC_NUMBERS = (
    ("min_coverage",),
    ("effort_scale", "*"),
    ("scale", "*", "level"),
    ("bands", "*", "min"),
    ("pillars", "*", "weight"),
    ("pillars", "*", "criteria", "*", "weight"),
    ("pillars", "*", "criteria", "*", "critical", "min_level"),
    ("profiles", "*", "default_level"),
    ("profiles", "*", "levels", "*"),
)
"""Where a rubric holds numbers (``*``: any key or index); derive rules are walked apart."""

_RULE_NUMBERS = {"thresholds", "if_true", "if_false", "levels"}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Rewrite:
    """One rewritten value (formerly ``Change``, a deprecated alias).

    Attributes:
        path: Its place in the document, as a tuple of keys and indexes.
        old: The value as written.
        new: The value written now.
        why: Why it changed, in a few words.
    """

    path: Path_
    old: Any
    new: Any
    why: str
    added: bool = False
    """Whether the field is new: written where the file had none (``old`` is ``None``)."""

    @property
    def where(self) -> str:
        """The JSON path (``$.pillars[0].weight``)."""
        return json_path(self.path)

    def __str__(self) -> str:
        if self.added:
            return f"{self.where}: added {_shown(self.new)} ({self.why})"
        return f"{self.where}: {_shown(self.old)} -> {_shown(self.new)} ({self.why})"


@dataclass(frozen=True)
class Migration:
    """The result of migrating one file.

    Attributes:
        kind: ``partnership`` or ``rubric``.
        changes: What was rewritten; empty when the file was current already.
        text: The new content of the file (the old content when nothing changed).
    """

    kind: FileKind
    changes: tuple[Rewrite, ...]
    text: str
    document: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    """The migrated document as data (what ``text`` holds)."""

    @property
    def changed(self) -> bool:
        """Whether anything was rewritten."""
        return bool(self.changes)


def _shown(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = (
        json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else repr(value)
    )
    return text if len(text) <= 40 else text[:37] + "..."


def _kind_of(data: dict[str, Any]) -> FileKind:
    return "rubric" if "pillars" in data else "partnership"


def _date_of(value: Any) -> dt.date | None:
    """The date of a date-time (text or a YAML timestamp); ``None`` for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        m = _DATE_TIME.match(value.strip())
        if m:
            try:
                return dt.date.fromisoformat(m.group(1))
            except ValueError:
                return None
    return None


def _number_of(value: Any) -> int | float | None:
    """The number a text holds (``"1"``, ``"0.6"``, ``".inf"``); ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower() in _INFINITY:
        return _INFINITY[text.lower()]
    if not _NUMBER.match(text):
        return None
    number = float(text)
    if not math.isfinite(number):
        return None
    return int(number) if re.fullmatch(r"[-+]?\d+", text) else number


def _walk(node: Any, at: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every (path, value) in a document, depth first, without recursion limits."""
    stack = [(at, node)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))


def _matches(path: Path_, pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(
        p in ("*", k) for k, p in zip(path, pattern, strict=True)
    )


def _rule_number_paths(data: dict[str, Any]) -> Iterator[Path_]:
    """Paths of the numbers inside every criterion's ``derive`` rule."""
    for path, value in _walk(data):
        if len(path) < 5 or path[-1] != "derive" or path[0] != "pillars":
            continue
        for sub, rule in _walk(value, path):
            if not isinstance(rule, dict):
                continue
            for key in _RULE_NUMBERS & set(rule):
                field = rule[key]
                if key == "thresholds" and isinstance(field, list):
                    yield from ((*sub, key, i) for i in range(len(field)))
                elif key == "levels" and isinstance(field, dict):
                    yield from ((*sub, key, k) for k in field)
                elif key in ("if_true", "if_false"):
                    yield (*sub, key)


def _get(data: Any, path: Path_) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: Path_, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def migrate_document(data: dict[str, Any]) -> tuple[FileKind, dict[str, Any], tuple[Rewrite, ...]]:
    """Rewrite a parsed partnership or rubric document (a copy; ``data`` is untouched).

    Returns:
        The kind of file, the rewritten document and the changes made.
    """
    kind = _kind_of(data)
    out: dict[str, Any] = json.loads(json.dumps(data, default=_jsonable))  # a deep copy
    changes: list[Rewrite] = []
    for path in _date_fields(data, kind):
        value = _get(data, path)
        day = _date_of(value)
        if day is not None:
            changes.append(Rewrite(path, value, day.isoformat(), "a date has no time of day"))
            _set(out, path, day.isoformat())
    if kind == "rubric":
        numeric = {p for p, _ in _walk(data) if any(_matches(p, pat) for pat in _RUBRIC_NUMBERS)}
        numeric.update(_rule_number_paths(data))
        for path in sorted(numeric, key=_order):
            value = _get(data, path)
            number = _number_of(value)
            if number is not None:
                changes.append(Rewrite(path, value, number, "numbers are written as numbers"))
                _set(out, path, number)
    elif _older_format(out.get("format_version")):
        changes += _member_codes(out)
        changes += _list_statements(out)
        old = out.get("format_version")
        out = {
            "format_version": FORMAT_VERSION,
            **{k: v for k, v in out.items() if k != "format_version"},
        }
        changes.append(
            Rewrite(("format_version",), old, FORMAT_VERSION, "the file states its format")
        )
    changes.sort(key=lambda c: _order(c.path))
    return kind, out, tuple(changes)


_CODES_WHY = "members are ISO 3166-1 alpha-3 codes"


def _member_codes(out: dict[str, Any]) -> list[Rewrite]:
    """Members written as a country's name or alpha-2 code get their ISO alpha-3 code
    (``India`` -> ``IND``, ``US`` -> ``USA``), in ``out`` and in the keys of the facts that
    are keyed by member; anything else that is not a code is left for the check to refuse."""
    changes, renamed = _renamed_members(out)
    if not renamed:
        return changes
    given = out.get("facts")
    facts: dict[str, Any] = given if isinstance(given, dict) else {}
    changes += _member_keys(facts, renamed)
    for at in _member_places(out, facts):
        value = _get(out, at)
        code = renamed.get(value.strip().upper()) if isinstance(value, str) else None
        if code is not None:
            changes.append(Rewrite(at, value, code, _CODES_WHY))
            _set(out, at, code)
    return changes


def _renamed_members(out: dict[str, Any]) -> tuple[list[Rewrite], dict[str, str]]:
    """The members given by name or alpha-2 code, rewritten; and old text -> code."""
    from readiness.countries import code_for_name, is_member_code

    changes: list[Rewrite] = []
    renamed: dict[str, str] = {}
    members = out.get("members")
    for i, m in enumerate(members if isinstance(members, list) else ()):
        at: Path_ = ("members", i) if isinstance(m, str) else ("members", i, "code")
        text = m if isinstance(m, str) else m.get("code") if isinstance(m, dict) else None
        if not isinstance(text, str) or is_member_code(text.strip().upper()):
            continue
        code = code_for_name(text)
        if code is None or not is_member_code(code):
            continue
        changes.append(Rewrite(at, text, code, _CODES_WHY))
        _set(out, at, code)
        renamed[text.strip().upper()] = code
    return changes, renamed


def _member_keys(facts: dict[str, Any], renamed: dict[str, str]) -> list[Rewrite]:
    """The facts keyed by member (spending, UN ideal points) re-keyed by code."""
    changes = []
    for key in ("defense_spending_gdp", "un_ideal_points"):
        table = facts.get(key)
        if not isinstance(table, dict):
            continue
        for name in list(table):
            code = renamed.get(str(name).strip().upper())
            if code is not None:
                changes.append(
                    Rewrite(("facts", key, name), name, code, "keyed by the member's code")
                )
                table[code] = table.pop(name)
    return changes


def _member_places(out: dict[str, Any], facts: dict[str, Any]) -> list[Path_]:
    """Other places that name a member: agreement parties, who invoked, a disruption's
    member, a rating's side."""
    places: list[Path_] = []
    for i, agreement in enumerate(facts.get("agreements") or []):
        if isinstance(agreement, dict) and isinstance(agreement.get("parties"), list):
            places += [
                ("facts", "agreements", i, "parties", k) for k in range(len(agreement["parties"]))
            ]
    for i, invocation in enumerate(facts.get("invocations") or []):
        if isinstance(invocation, dict) and "by" in invocation:
            places.append(("facts", "invocations", i, "by"))
    for i, disruption in enumerate(facts.get("leadership_change_disruptions") or []):
        if isinstance(disruption, dict) and "member" in disruption:
            places.append(("facts", "leadership_change_disruptions", i, "member"))
    ratings = out.get("ratings")
    for cid, rating in ratings.items() if isinstance(ratings, dict) else ():
        if isinstance(rating, dict) and "perspective" in rating:
            places.append(("ratings", cid, "perspective"))
    return places


_COMPLETE_WHY = "formats 1 and 2 read a given list as complete; format 3 says so"


def _list_statements(out: dict[str, Any]) -> list[Rewrite]:
    """State that the lists a format 1 or 2 file gives are complete, as they were read.

    Format 3 reads a kind of agreement, an invocation or a provision that a list leaves
    out as *unknown* unless the file says the list is complete; older formats read every
    given list as complete. Each given list gets its statement (``agreements_complete``,
    ``invocations_complete``, an agreement's ``provisions_complete``), written right
    after it, unless the file already makes one: the file then means what it meant.
    """
    facts = out.get("facts")
    if not isinstance(facts, dict):
        return []
    changes: list[Rewrite] = []
    places: list[tuple[Path_, dict[str, Any], str]] = [
        (("facts",), facts, name) for name in ("agreements", "invocations")
    ]
    agreements = facts.get("agreements")
    for i, agreement in enumerate(agreements if isinstance(agreements, list) else ()):
        if isinstance(agreement, dict):
            places.append((("facts", "agreements", i), agreement, "provisions"))
    for at, mapping, name in places:
        statement = f"{name}_complete"
        if not isinstance(mapping.get(name), list) or statement in mapping:
            continue
        changes.append(Rewrite((*at, statement), None, True, _COMPLETE_WHY, added=True))
        _insert_after(mapping, name, statement, True)
    return changes


def _insert_after(mapping: dict[str, Any], key: str, new_key: str, value: Any) -> None:
    """Add ``new_key`` to ``mapping`` right after ``key``, keeping the order of the rest."""
    items = list(mapping.items())
    mapping.clear()
    for k, v in items:
        mapping[k] = v
        if k == key:
            mapping[new_key] = value


def _older_format(version: Any) -> bool:
    """Whether ``format_version`` names a format older than today's (absent: format 1).
    Anything else (a newer or unknown version, a boolean, text) is left for the check
    to refuse: rewriting it would hide what the file says."""
    if version is None:
        return True
    return type(version) is int and 1 <= version < FORMAT_VERSION


def _date_fields(data: dict[str, Any], kind: FileKind) -> list[Path_]:
    """The paths in ``data`` of the fields its format declares as dates."""
    from readiness.rubric import Rubric

    model = Rubric if kind == "rubric" else Partnership
    schema = model.model_json_schema()
    defs: dict[str, Any] = schema.get("$defs", {})
    found: list[Path_] = []
    stack: list[tuple[Path_, Any, Any]] = [((), data, schema)]
    while stack:
        path, value, node = stack.pop()
        branches = list(_branches(node, defs))
        if path and any(b.get("format") == "date" for b in branches):
            found.append(path)
            continue
        for branch in branches:
            if isinstance(value, dict):
                props = branch.get("properties") or {}
                extra = branch.get("additionalProperties")
                for key, item in value.items():
                    sub = props.get(key, extra if isinstance(extra, dict) else None)
                    if isinstance(sub, dict):
                        stack.append(((*path, key), item, sub))
            elif isinstance(value, list) and isinstance(branch.get("items"), dict):
                stack.extend(((*path, i), item, branch["items"]) for i, item in enumerate(value))
    return sorted(set(found), key=_order)


def _branches(node: Any, defs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schemas a value may match: ``$ref`` resolved, ``anyOf``/``oneOf``/``allOf``
    spread out."""
    stack, seen = [node], 0
    while stack and seen < 1_000:
        seen += 1
        current = stack.pop()
        if not isinstance(current, dict):
            continue
        ref = current.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            stack.append(defs.get(ref.rsplit("/", 1)[-1]))
            continue
        spread = [b for key in ("anyOf", "oneOf", "allOf") for b in current.get(key) or ()]
        if spread:
            stack.extend(spread)
        yield current


def _order(path: Path_) -> list[tuple[int, int, str]]:
    """Document order: indexes as numbers (``[4]`` before ``[11]``), keys as text."""
    return [(0, k, "") if isinstance(k, int) else (1, 0, k) for k in path]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot copy {type(value).__name__}")


def migrate_file(path: str | Path, rubric: Rubric | None = None) -> Migration:
    """Migrate one partnership or rubric file (JSON or YAML) without writing anything.

    What it would write is checked first: against the current format, and for a
    partnership against ``rubric`` when one is given (criterion ids, target). Checks
    that run the rubric's derive rules (overrides of derived levels) are the caller's
    (``readiness migrate`` runs them as ``readiness validate`` does).

    Raises:
        InputError: The file cannot be read, or the migrated partnership is still
            invalid: every problem, each with its JSON path.
        RubricError: The migrated rubric is still invalid.
    """
    name = str(path)
    data = read_document(Path(path), InputError)
    if not isinstance(data, dict):
        raise InputError(
            f"expected a partnership or rubric object at the top level (got {type(data).__name__})",
            source=name,
        )
    kind, new, changes = migrate_document(data)
    if kind == "rubric":
        rubric_from_dict(new, source=name)
    else:
        _check_partnership(new, rubric, name)
    text = Path(path).read_text(encoding="utf-8-sig")
    if not changes:
        return Migration(kind, (), text, new)
    if name.endswith((".yaml", ".yml")):
        new_text = _edit_yaml(text, changes) or yaml.safe_dump(
            new, sort_keys=False, allow_unicode=True
        )
    else:
        new_text = json.dumps(new, indent=2, ensure_ascii=False) + "\n"
    return Migration(kind, changes, new_text, new)


def _check_partnership(data: dict[str, Any], rubric: Rubric | None, name: str) -> None:
    """Every problem of a migrated partnership: the format's and, with ``rubric``, the
    rubric's (also when the format check failed, on the ratings and target as written).

    Raises:
        InputError: Named ``name``.
    """
    problems: list[Problem] = []
    checked: Partnership | None = None
    try:
        checked = partnership_from_dict(data, source=name)
    except InputError as exc:
        problems += exc.problems
    if rubric is not None:
        subject = checked or _as_written(data)
        try:
            subject.check_against(rubric, source=name)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems, source=name)


def _as_written(data: dict[str, Any]) -> Partnership:
    """A partnership holding only the ratings, rubric and target of ``data`` as written,
    unvalidated: enough for :meth:`Partnership.check_against` when the format check
    failed, so that one run lists every problem."""
    ratings: Any = data.get("ratings")
    rubric: Any = data.get("rubric")
    target: Any = data.get("target")
    given: Any = data  # only what check_against reads is set; the rest is never used
    return Partnership.model_construct(
        id=given.get("id"),
        name=given.get("name"),
        kind=given.get("kind"),
        members=(),
        ratings={k: v for k, v in ratings.items() if isinstance(k, str)}
        if isinstance(ratings, dict)
        else {},
        rubric=rubric if isinstance(rubric, str) else None,
        target=target if isinstance(target, str) else None,
    )


def _yaml_literal(value: Any) -> str:
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, int | float):
        return repr(value)
    return str(value)


def _edit_yaml(text: str, changes: tuple[Rewrite, ...]) -> str | None:
    """The YAML text with each changed scalar replaced where it stands; ``None`` if the
    layout does not allow it (the caller then writes the document afresh)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    edits: list[tuple[int, int, str]] = []
    for change in changes:
        if change.added:
            edit = _yaml_addition(text, root, change)
            if edit is None:
                return None
            edits.append(edit)
            continue
        if change.path == ("format_version",):
            if change.old is not None:
                node = _node_at(root, change.path)
                if node is None:
                    return None
                edits.append((node.start_mark.index, node.end_mark.index, str(change.new)))
                continue
            if root.flow_style:
                return None
            start = root.start_mark.index
            edits.append((start, start, f"format_version: {change.new}\n"))
            continue
        node = _node_at(root, change.path)
        if not isinstance(node, yaml.ScalarNode):
            return None
        edits.append((node.start_mark.index, node.end_mark.index, _yaml_literal(change.new)))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _yaml_addition(text: str, root: yaml.Node, change: Rewrite) -> tuple[int, int, str] | None:
    """The edit that writes an added key right after the key it speaks of (the key named
    by the statement: ``agreements`` for ``agreements_complete``), in block or flow style;
    ``None`` when the layout does not allow it."""
    parent = _node_at(root, change.path[:-1])
    name = str(change.path[-1])
    after = name.removesuffix("_complete")
    if not isinstance(parent, yaml.MappingNode):
        return None
    pairs = parent.value
    k = next((i for i, (key, _) in enumerate(pairs) if key.value == after), None)
    if k is None:
        return None
    key, value = pairs[k]
    line = f"{name}: {_yaml_literal(change.new).lower()}"
    if parent.flow_style:
        end = value.end_mark.index
        return end, end, f", {line}"
    indent = " " * key.start_mark.column
    if k + 1 < len(pairs):
        start = pairs[k + 1][0].start_mark.index
        return start, start, f"{line}\n{indent}"
    last = value  # a block collection ends where the next token starts: find its last line
    while isinstance(last, yaml.CollectionNode) and not last.flow_style and last.value:
        tail = last.value[-1]
        last = tail[1] if isinstance(tail, tuple) else tail
    newline = text.find("\n", last.end_mark.index)
    if newline < 0:
        return len(text), len(text), f"\n{indent}{line}\n"
    return newline + 1, newline + 1, f"{indent}{line}\n"


def _node_at(root: yaml.Node, path: Path_) -> yaml.Node | None:
    node: yaml.Node | None = root
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
        else:
            return None
    return node


def __getattr__(name: str) -> object:
    """``Change``: the deprecated name of :class:`Rewrite` (before 0.3.0)."""
    return renamed(__name__, name, {"Change": ("Rewrite", Rewrite)})

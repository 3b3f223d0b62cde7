"""Shared pydantic configuration and the translation of validation errors into Problems."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
import typing
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError
from pydantic.json_schema import WithJsonSchema

from readiness import _prebuilt
from readiness.errors import Problem, ReadinessError, json_path

__all__ = ["Day", "Frozen", "Id", "NonEmpty", "built", "output_schema", "problems_from"]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")]
"""A lowercase identifier such as ``legal`` or ``legal.status-of-forces``."""

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S")]
"""Text with at least one non-blank character (the pattern says so in the JSON Schema)."""

_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ISO_DAY_TEXT = re.compile(_ISO_DAY)


def _iso_day(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text (or a ``date``): no timestamps, no times of day."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DAY_TEXT.fullmatch(value):
        return value  # pydantic then refuses impossible days such as 2024-02-30
    raise ValueError(f"must be a date written YYYY-MM-DD (got {value!r})")


Day = Annotated[
    dt.date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _ISO_DAY}),
]
"""A calendar date written ``YYYY-MM-DD``."""


class Frozen(BaseModel):
    """Base of every data model: immutable, and unknown fields are errors.

    The validators are built on first use (``defer_build``), not when the class is
    defined: a command that reads a partnership builds the schema of a partnership only
    (its nested models inside it), and none of the models it never validates.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True
    )


_NOISE = ("function-", "tag:")
"""Prefixes of pydantic's own loc entries: validator functions and union tags."""

_ID_PATTERN = Id.__metadata__[0].pattern  # type: ignore[attr-defined]
_EXAMPLES = {
    "Rating": 'an object such as {"level": 3, "evidence": [...]}',
    "Evidence": 'an object such as {"text": "...", "source": "..."}',
}
"""How a message shows an object of a model people often write wrongly."""


_FIXED_WORDS: dict[str, str] = {
    "missing": "required field is missing",
    **dict.fromkeys(
        ("tuple_type", "list_type", "set_type", "frozen_set_type"),
        "must be a list (a JSON array [...])",
    ),
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float"), "must be a whole number"),
    **dict.fromkeys(("float_type", "float_parsing", "finite_number"), "must be a number"),
    **dict.fromkeys(("bool_type", "bool_parsing"), "must be true or false"),
    "string_type": "must be text",
}
"""pydantic error types whose wording needs nothing from the error."""

_BOUNDS = {
    "less_than_equal": ("le", "at most"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "below"),
    "greater_than": ("gt", "above"),
}


def _words(err: Any, model: type[BaseModel] | None, loc: list[str | int]) -> str | None:
    """Plain wording, in the terms of the file, for pydantic's messages."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _FIXED_WORDS:
        return _FIXED_WORDS[kind]
    if kind.startswith(("date_", "datetime_")):
        return "must be a real date written YYYY-MM-DD"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"must be {words} {ctx.get(key)}"
    if kind == "extra_forbidden":
        return _unknown_field(model, loc)
    if kind == "literal_error":
        return _one_of(str(ctx.get("expected", "")), err.get("input"))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        example = _EXAMPLES.get(str(ctx.get("class_name")), "an object {...}")
        return f"must be {example}"
    return _length_words(kind, ctx)


def _length_words(kind: str, ctx: dict[str, Any]) -> str | None:
    """Wording for the length and pattern errors (``None`` for any other)."""
    if kind in ("too_short", "string_too_short"):
        n = ctx.get("min_length", 1)
        what = "characters" if kind.startswith("string") else "items"
        return "must not be empty" if n == 1 else f"needs at least {n} {what}"
    if kind == "too_long":
        return f"has at most {ctx.get('max_length')} items"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _ID_PATTERN:
            return (
                "must be an id: lower-case letters, digits and hyphens, in parts joined by "
                "dots (e.g. 'us-japan' or 'legal.status-of-forces')"
            )
        if ctx.get("pattern") == r"\S":
            return "must not be blank"
        return f"must match the pattern {ctx.get('pattern')}"
    return None


def _one_of(expected: str, got: object) -> str:
    """``unknown value 'x'; did you mean 'y'? (expected one of: a, b)`` from pydantic's
    ``'a', 'b' or 'c'``."""
    choices = re.findall(r"'([^']*)'", expected) or [expected]
    hint = difflib.get_close_matches(str(got), choices, n=1, cutoff=0.6) if got else []
    more = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"unknown value {got!r}{more} (expected one of: {', '.join(choices)})"


def _unknown_field(model: type[BaseModel] | None, loc: list[str | int]) -> str:
    """An unknown field, with the field it most likely meant."""
    name = str(loc[-1]) if loc else ""
    fields = _fields_at(model, loc[:-1]) if model is not None else []
    hint = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
    if hint:
        return f"unknown field {name!r}; did you mean {hint[0]!r}?"
    if fields and len(fields) <= 12:
        return f"unknown field {name!r} (fields here: {', '.join(fields)})"
    return f"unknown field {name!r} (check the spelling; unknown fields are never ignored)"


def _fields_at(model: type[BaseModel], loc: list[str | int]) -> list[str]:
    """The field names of the model found at ``loc`` under ``model`` ([] if none)."""
    current: Any = model
    for part in loc:
        inner = _inner_model(current)
        if isinstance(part, str) and inner is not None and part in inner.model_fields:
            current = inner.model_fields[part].annotation
        else:  # a list index or a mapping key: the item's model
            current = inner
    inner = _inner_model(current)
    return [] if inner is None else list(inner.model_fields)


def _inner_model(annotation: Any) -> Any:
    """The model an annotation holds (through Optional, Annotated, tuples, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def problems_from(exc: ValidationError, model: type[BaseModel] | None = None) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into Problems with JSON paths.

    Errors raised as :class:`ReadinessError` inside validators keep their own paths.
    ``model`` (the model validated) lets an unknown field suggest the one it meant.
    """
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        inner: Any = (err.get("ctx") or {}).get("error")
        if isinstance(inner, ReadinessError):
            out.extend(inner.problems)
            continue
        # pydantic appends tagged-union / function names to loc; drop the noise
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(_NOISE))]
        message = _words(err, model, loc) or err["msg"]
        shows_input = err["type"] not in ("missing", "extra_forbidden", "literal_error")
        if shows_input and "input" in err and err["type"] != "value_error":
            shown = repr(err["input"])
            if len(shown) <= 60:
                message = f"{message} (got {shown})"
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        out.append(Problem(json_path(loc), message))
    return out


M = TypeVar("M", bound=BaseModel)


def json_kind(value: object) -> str:
    """What ``value`` is, in JSON's words: ``null``, ``true/false``, ``number``,
    ``string``, ``array``, ``object`` (else its Python type, e.g. from a caller's object)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    kinds = {str: "string", list: "array", tuple: "array", dict: "object"}
    return next((k for t, k in kinds.items() if isinstance(value, t)), type(value).__name__)


def validate_document(
    model: type[M],
    data: object,
    *,
    what: str,
    error: type[ReadinessError],
    source: str | None,
    second_look: bool = False,
) -> M:
    """Validate an already parsed document as ``model``: one object, every problem at once.

    Args:
        model: The model of the document.
        data: The parsed JSON or YAML.
        what: How the message names the document when it is not an object
            (``a partnership must be a JSON object``).
        error: The error type to raise.
        source: The file, for the message.
        second_look: Also report what the model's checks across fields find once the
            invalid values are set aside (:func:`_second_look`), so that one run shows
            every problem.

    Raises:
        error: Not a mapping, or every validation problem with its JSON path.
    """
    if not isinstance(data, dict):
        raise error(f"{what} (got {json_kind(data)})", source=source)
    # a partnership's validator compiled from its pre-built core schema (readiness/
    # _prebuilt.py), when current: the model's own is built on first use, about 30 ms
    prebuilt = _prebuilt.validator(model)
    try:
        if prebuilt is not None:
            document: M = prebuilt.validate_python(data)
            return document
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from(exc, model)
        if second_look:
            problems += _second_look(model, data, exc, problems)
        raise error(problems, source=source) from None


def _second_look(
    model: type[BaseModel], data: dict[str, Any], exc: ValidationError, found: list[Problem]
) -> list[Problem]:
    """The problems the model's own checks (across fields) find in the rest of ``data``.

    pydantic runs a model's checks only when every field is valid, so a file would show
    its problems in stages. Here every invalid value is set aside (an optional field
    left out, a list item, a required value or a mapping entry replaced by a minimal
    valid one) and the document is validated once more; its new problems are kept,
    except those at or under a place set aside.
    """
    aside: list[str] = []
    repaired = copy.deepcopy(data)
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(_NOISE))]
        if not loc or not _set_aside(model, repaired, loc):
            return []  # nothing sensible to stand in: the first problems must do
        aside.append(json_path(loc))
    try:
        model.model_validate(repaired)
    except ValidationError as again:
        seen = {(p.path, p.message) for p in found}
        return [
            p
            for p in problems_from(again, model)
            if (p.path, p.message) not in seen and not any(_under(p.path, a) for a in aside)
        ]
    return []


def _under(path: str, place: str) -> bool:
    return path == place or path.startswith((place + ".", place + "["))


def _set_aside(model: type[BaseModel], data: Any, loc: list[str | int]) -> bool:
    """Replace or drop the value at ``loc``; False when that cannot be done."""
    parent: Any = data
    annotation: Any = model
    for part in loc[:-1]:
        inner = _inner_model(annotation)
        if isinstance(part, str) and inner is not None and part in inner.model_fields:
            annotation = inner.model_fields[part].annotation
        else:
            annotation = _item_type(annotation)
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    key = loc[-1]
    inner = _inner_model(annotation)
    if isinstance(parent, list) and isinstance(key, int) and key < len(parent):
        parent[key] = _minimal(_item_type(annotation))
        return True
    if not isinstance(parent, dict):
        return False
    if isinstance(key, str) and inner is not None and key in inner.model_fields:
        field = inner.model_fields[key]
        if not field.is_required():
            parent.pop(key, None)
        else:
            parent[key] = _minimal(field.annotation)
        return True
    if key in parent and (inner is not None or _inner_model(_item_type(annotation)) is not None):
        del parent[key]  # an entry of a mapping of objects (a rating), or an unknown field
        return True
    return False  # an entry of a mapping of values: other checks may need it


def _item_type(annotation: Any) -> Any:
    """The type of the items of a list, tuple or mapping annotation (through Optional)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _item_type(args[0])
    if origin in (tuple, list):
        return args[0] if args else Any
    if origin is dict:
        return args[1] if len(args) == 2 else Any
    for arg in args:  # a union: the first container in it
        if typing.get_origin(arg) in (tuple, list, dict, typing.Annotated):
            return _item_type(arg)
    return Any


def _minimal(annotation: Any) -> Any:
    """A minimal valid value of ``annotation`` (text, the first choice, an empty list ...)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _minimal(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {
            name: _minimal(f.annotation)
            for name, f in annotation.model_fields.items()
            if f.is_required()
        }
    if origin is typing.Literal:
        return args[0]
    if origin in (tuple, list):
        return [_minimal(args[0])] if args else []
    if origin is dict:
        return {}
    if args:  # a union: None when allowed, else its first member
        return None if type(None) in args else _minimal(args[0])
    if annotation is dt.date:
        return "1900-01-01"
    if annotation in (int, float):
        return 0
    if annotation is bool:
        return False
    return "x"


def output_schema(shape: Any, kind: str, version: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a JSON document readiness writes.

    ``shape`` is the type the document is built as (a ``TypedDict`` or dataclass), so
    the schema cannot drift from it. A number that is not defined (NaN) is written as
    ``null``, so every number may be null.
    """
    from pydantic import TypeAdapter

    schema: dict[str, Any] = _nullable_numbers(TypeAdapter(shape).json_schema(mode="serialization"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:readiness:{kind}:{version}",
    } | schema


def _nullable_numbers(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("type") == "number":
            return {k: v for k, v in node.items() if k != "type"} | {"type": ["number", "null"]}
        return {k: _nullable_numbers(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_nullable_numbers(v) for v in node]
    return node


_D = TypeVar("_D")


def built(cls: type[_D], values: dict[str, Any]) -> _D:
    """A frozen dataclass whose fields are ``values`` (a fresh dict, every field in it,
    which becomes the object's ``__dict__``), without the per-field
    ``object.__setattr__`` of its ``__init__`` nor a keyword-argument call: one
    ``assess`` builds 43 criterion, 12 pillar and about 30 derivation results, and
    ``__init__`` made them a tenth of its time.

    Only for classes without ``__post_init__``, ``slots`` or defaults computed at init;
    ``tests/test_assessment.py`` holds each result so built whole and equal to
    ``cls(**values)``.
    """
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    return obj

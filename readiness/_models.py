"""Shared pydantic configuration and the translation of validation errors into Problems."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError
from pydantic.json_schema import WithJsonSchema

from readiness.errors import Problem, ReadinessError, json_path

__all__ = ["Day", "Frozen", "Id", "NonEmpty", "problems_from"]

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
    """Base of every data model: immutable, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


_NOISE = ("function-", "tag:")
"""Prefixes of pydantic's own loc entries: validator functions and union tags."""

_FRIENDLY = {
    "extra_forbidden": "unknown field (check the spelling; unknown fields are never ignored)",
    "missing": "required field is missing",
}


def _reworded(err: Any) -> str | None:
    """Plain wording for pydantic's most common messages about input files."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return "must not be empty" if n == 1 else f"needs at least {n} items"
    if kind.startswith(("date_", "datetime_")):
        return "must be a date written YYYY-MM-DD"
    return None


def problems_from(exc: ValidationError) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into Problems with JSON paths.

    Errors raised as :class:`ReadinessError` inside validators keep their own paths.
    """
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        inner: Any = (err.get("ctx") or {}).get("error")
        if isinstance(inner, ReadinessError):
            out.extend(inner.problems)
            continue
        # pydantic appends tagged-union / function names to loc; drop the noise
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(_NOISE))]
        message = _FRIENDLY.get(err["type"]) or _reworded(err) or err["msg"]
        if err["type"] not in _FRIENDLY and "input" in err and err["type"] != "value_error":
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
    model: type[M], data: object, *, what: str, error: type[ReadinessError], source: str | None
) -> M:
    """Validate an already parsed document as ``model``: one object, every problem at once.

    Args:
        model: The model of the document.
        data: The parsed JSON or YAML.
        what: How the message names the document when it is not an object
            (``a partnership must be a JSON object``).
        error: The error type to raise.
        source: The file, for the message.

    Raises:
        error: Not a mapping, or every validation problem with its JSON path.
    """
    if not isinstance(data, dict):
        raise error(f"{what} (got {json_kind(data)})", source=source)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(problems_from(exc), source=source) from None

"""Reading JSON and YAML documents with errors that name the file and position."""

from __future__ import annotations

import json
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from readiness.errors import Problem, ReadinessError

__all__ = ["Readable", "read_document", "source_name"]

Readable = Path | str | Traversable


def source_name(path: Readable) -> str:
    """A short, user-facing name for a file argument."""
    return str(path) if not isinstance(path, Traversable) or isinstance(path, Path) else path.name


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects may not repeat a key: the last one would silently win."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            shown = ", ".join(repr(k) for k in list(out)[:3])
            raise _DuplicateKeyError(
                f"duplicate key {key!r} in the object that starts with {shown}"
            )
        out[key] = value
    return out


def read_document(path: Readable, error: type[ReadinessError]) -> Any:
    """Read a JSON or YAML file into plain Python objects.

    YAML is used for ``.yaml``/``.yml`` files, JSON for everything else.

    Raises:
        error: The file is missing, empty, or not valid JSON/YAML; the message names
            the file and, for syntax errors, the line and column.
    """
    name = source_name(path)
    file = Path(path) if isinstance(path, str) else path
    try:
        text = file.read_text(encoding="utf-8-sig")  # a byte-order mark is harmless
    except FileNotFoundError:
        raise error("file not found", source=name) from None
    except IsADirectoryError:
        raise error("is a directory, not a file", source=name) from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start})", source=name) from None
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", source=name) from None
    if not text.strip():
        raise error("the file is empty", source=name)
    if name.endswith((".yaml", ".yml")):
        try:
            return yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "$"
            raise error([Problem(where, f"invalid YAML: {exc.problem}")], source=name) from None
        except yaml.YAMLError as exc:
            raise error(f"invalid YAML: {exc}", source=name) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKeyError as exc:
        raise error([Problem("$", str(exc))], source=name) from None
    except json.JSONDecodeError as exc:
        raise error(
            [Problem(f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}")],
            source=name,
        ) from None

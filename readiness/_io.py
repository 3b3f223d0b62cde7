"""Reading JSON and YAML documents with errors that name the file and position."""

from __future__ import annotations

import hashlib
import io
import json
import marshal
import os
import re
import stat
import sys
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeAlias

import orjson

from readiness._limits import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_EXPANDED_VALUES,
    MAX_INT_DIGITS,
    int_digits,
    long_integer,
    too_deep,
)
from readiness.errors import Problem, ReadinessError, json_path

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_EXPANDED_VALUES",
    "MAX_INT_DIGITS",
    "Readable",
    "parse_json",
    "read_document",
    "source_name",
    "write_parsed",
]

Readable: TypeAlias = "Path | str | Traversable"
"""A file argument: a path, or a file of the package's data (``importlib.resources``).
Text, so that reading a file does not load ``importlib.resources``."""


def source_name(path: Readable) -> str:
    """A short, user-facing name for a file argument."""
    if isinstance(path, str | Path):  # the common case, without the slow protocol check
        return str(path)
    from importlib.resources.abc import Traversable

    return str(path) if not isinstance(path, Traversable) else path.name


class _DuplicateKeyError(ValueError):
    pass


class _LongIntegerError(ValueError):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects may not repeat a key: the last one would silently win."""
    out: dict[str, Any] = dict(pairs)
    if len(out) == len(pairs):  # the common case, checked in C
        return out
    out = {}
    for key, value in pairs:
        if key in out:
            shown = ", ".join(repr(k) for k in list(out)[:3])
            raise _DuplicateKeyError(
                f"duplicate key {key!r} in the object that starts with {shown}"
            )
        out[key] = value
    return out


def _json_int(literal: str) -> int:
    if int_digits(literal) > MAX_INT_DIGITS:
        raise _LongIntegerError(literal)
    return int(literal)


def _line_column(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line} column {offset - text.rfind(chr(10), 0, offset)}"


_JSON_SCAN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
"""JSON strings (skipped whole, so brackets inside them do not count) and brackets."""


def _json_too_deep(text: str) -> int | None:
    """Offset of the first bracket nested deeper than ``MAX_DEPTH``, without recursion."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _JSON_SCAN.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif char in "]}":
            depth -= 1
    return None


def _expanded_shape(data: Any) -> Problem | None:
    """Nesting and size of a document whose YAML aliases may repeat (or contain) a part.

    Walks the lists and mappings without recursion, each as often as aliases repeat it.
    """
    # a stack entry: (container, depth, entry of its parent, its key in the parent)
    stack: list[tuple[Any, int, Any, Any]] = [(data, 1, None, None)]
    count = 1
    while stack:
        entry = stack.pop()
        value, depth = entry[0], entry[1]
        if depth > MAX_DEPTH:
            return Problem(json_path(_loc(entry)), too_deep() + " once YAML aliases are expanded")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        count += len(value)
        if count > MAX_EXPANDED_VALUES:
            return Problem(
                "$", f"YAML aliases expand the document past {MAX_EXPANDED_VALUES:,} values"
            )
        stack.extend(
            (item, depth + 1, entry, key)
            for key, item in items
            if isinstance(item, dict | list | tuple)
        )
    return None


def _loc(entry: tuple[Any, int, Any, Any]) -> list[str | int]:
    """The keys leading from the document's top to a stack entry of :func:`_expanded_shape`."""
    loc: list[str | int] = []
    while entry[2] is not None:
        key = entry[3]
        loc.append(key if isinstance(key, str | int) and not isinstance(key, bool) else str(key))
        entry = entry[2]
    return loc[::-1]


_CHUNK = 1 << 20
"""Bytes read at a time from a stream whose size is not known (a pipe, a device)."""


def _read_bytes(stream: IO[bytes]) -> bytes | None:
    """At most ``MAX_BYTES + 1`` bytes of ``stream`` (``None`` for a regular file that
    ``fstat`` says is larger): a regular file is read in one call after one ``fstat``
    (the buffer sized to the file, not to the limit); anything else in chunks, so that
    an endless stream such as /dev/zero stops at the limit."""
    try:
        info = os.fstat(stream.fileno())
    except (AttributeError, OSError, io.UnsupportedOperation):  # e.g. inside a zip
        info = None
    chunks: list[bytes] = []
    size = 0
    if info is not None and stat.S_ISREG(info.st_mode):
        if info.st_size > MAX_BYTES:
            return None
        data = stream.read(info.st_size + 1)
        if len(data) <= info.st_size:
            return data
        chunks, size = [data], len(data)  # the file grew meanwhile (or /proc says 0)
    while size <= MAX_BYTES and (chunk := stream.read(min(_CHUNK, MAX_BYTES + 1 - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _read_text(path: Readable, name: str, error: type[ReadinessError]) -> str:
    return _text_of(_file_bytes(path, name, error), name, error)[0]


def _file_bytes(path: Readable, name: str, error: type[ReadinessError]) -> bytes:
    """The bytes of a file, at most :data:`MAX_BYTES` of them."""
    file = Path(path) if isinstance(path, str) else path
    try:
        with file.open("rb") as stream:
            data = _read_bytes(stream)
    except FileNotFoundError:
        raise error("file not found", source=name) from None
    except IsADirectoryError:
        raise error("is a directory, not a file", source=name) from None
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", source=name) from None
    if data is None or len(data) > MAX_BYTES:
        raise error(
            f"the file is larger than {MAX_BYTES // 1_000_000} MB, the most that is read",
            source=name,
        )
    return data


def _text_of(data: bytes, name: str, error: type[ReadinessError]) -> tuple[str, bytes | None]:
    """The text of a file's bytes, and the bytes when they are the text's UTF-8 (no
    byte-order mark, no carriage return): the JSON parser reads bytes, which then need
    not be encoded again."""
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is harmless
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start})", source=name) from None
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n"), None
    return text, None if data.startswith(_BOM) else data


_BOM = b"\xef\xbb\xbf"
"""UTF-8's byte-order mark."""


def _read_yaml(text: str, name: str, error: type[ReadinessError], *, shipped: bool = False) -> Any:
    import yaml  # here, not above: a command that reads only JSON never loads PyYAML

    from readiness._yaml import Loader, Refused, ShippedLoader

    try:  # the reader refuses control characters as soon as it is made
        loader = ShippedLoader(text) if shipped else Loader(text)
    except yaml.reader.ReaderError as exc:
        where = _line_column(text, exc.position)
        what = f"character U+{exc.character:04X}" if isinstance(exc.character, int) else "a byte"
        raise error([Problem(where, f"invalid YAML: {what} is not allowed")], source=name) from None
    try:
        data = loader.get_single_data()
    except Refused as exc:
        raise error([Problem(exc.where, exc.message)], source=name) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "$"
        raise error([Problem(where, f"invalid YAML: {exc.problem}")], source=name) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", source=name) from None
    except ValueError as exc:  # e.g. a lowered sys.set_int_max_str_digits
        raise error(f"invalid YAML: {exc}", source=name) from None
    finally:
        loader.dispose()
    if loader.aliased and isinstance(data, dict | list | tuple):
        problem = _expanded_shape(data)
        if problem is not None:
            raise error([problem], source=name)
    return data


_NOT_MARKS = bytes(b for b in range(256) if chr(b) not in '[]{}"')
_DEPTH_STEP = [0] * 256
_DEPTH_STEP[ord("[")] = _DEPTH_STEP[ord("{")] = 1
_DEPTH_STEP[ord("]")] = _DEPTH_STEP[ord("}")] = -1


def _nested_deeper(text: str) -> bool:
    """Whether valid JSON text nests lists and objects more than ``MAX_DEPTH`` deep.

    Without an escaped quote every ``"`` opens or closes a string: keeping only quotes
    and brackets (in C), the brackets outside strings are every other piece between
    quotes. With an escaped quote, the exact scan runs.
    """
    if '\\"' in text:
        return _json_too_deep(text) is not None
    marks = text.encode("utf-8").translate(None, _NOT_MARKS)
    outside = b"".join(marks.split(b'"')[::2])
    return max(accumulate(map(_DEPTH_STEP.__getitem__, outside)), default=0) > MAX_DEPTH


def _loads(text: str) -> Any:
    """``json.loads`` with our checks; Python's own limit on digits refuses long integers
    in C when it is ours, and the hook that words the error then runs."""
    if sys.get_int_max_str_digits() == MAX_INT_DIGITS:
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates)
        except (json.JSONDecodeError, _DuplicateKeyError):
            raise
        except ValueError:
            pass
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_json_int)


def _read_json(text: str, name: str, error: type[ReadinessError], raw: bytes | None = None) -> Any:
    """Parse JSON text under our rules: orjson parses (about 3x faster than ``json``),
    and cheap tests on its result decide whether the exact parse must run instead.

    orjson keeps the last of repeated keys, reads an integer beyond 64 bits as a float
    and nests up to 1,024 levels. Its result is written back (by orjson, indented two
    spaces a level, strings escaped), and the tests are:

    - a key was repeated: then the text has more colons than the written result. Each
      key has one colon outside strings in both, colons inside strings are the same in
      both, and a dropped key takes its colon (and any inside its value) with it; only
      a colon written ``\\u003a`` in the text would appear in the result alone, so
      such text goes the exact way;
    - nesting deeper than :data:`MAX_DEPTH`: a line of the result indented 128 spaces
      (an item inside 64 levels); then the exact parse counts the brackets;
    - an integer of 19 digits or more (which orjson may have read as a float): a run of
      19 digits anywhere in the text.

    When a test says it could matter, or orjson refuses the text (also what ``json``
    accepts and orjson does not: ``NaN``, lone surrogates), :func:`_read_json_exact`
    parses it as always and words the error. ``raw`` is the text's UTF-8 when the
    caller has it (a file's bytes).
    """
    if raw is None:
        raw = text.encode("utf-8")
    data = _read_json_bytes(raw)
    if data is _NOT_FAST:  # a test says it could matter, or orjson refused the text
        return _read_json_exact(text, name, error)
    return data


_NOT_FAST = object()
"""What :func:`_read_json_bytes` gives when the text needs a closer look."""


def _read_json_bytes(raw: bytes) -> Any:
    """orjson's parse of UTF-8 JSON when every test of :func:`_read_json` says it is the
    parse (no long integer, no deep nesting, no repeated key), else :data:`_NOT_FAST`.

    It needs no text: a file's bytes that orjson parses are UTF-8 (orjson checks), so a
    file is decoded only when they are not, or when a test asks for a closer look.
    """
    if _LONG_DIGITS in raw.translate(_DIGITS_AS_ZERO):
        return _NOT_FAST
    try:
        data = orjson.loads(raw)
        written = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _NOT_FAST
    if _INDENT_64 in written or raw.count(b":") != written.count(b":"):
        return _NOT_FAST
    if b"\\u003" in raw and (b"\\u003a" in raw or b"\\u003A" in raw):
        return _NOT_FAST
    return data


_DIGITS_AS_ZERO = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
"""A ``bytes.translate`` table: every digit to ``0``, anything else to a blank."""

_LONG_DIGITS = b"0" * 19
"""Digits enough for an integer orjson may read as a float (2**63 has 19)."""

_INDENT_64 = b"\n" + b" " * (2 * MAX_DEPTH)
"""In orjson's two-space indented output, the start of an item inside 64 levels."""


def _read_json_exact(text: str, name: str, error: type[ReadinessError]) -> Any:
    """Parse JSON with ``json`` and a hook per object that refuses a repeated key."""
    # Parse first (the C parser stops at Python's recursion limit, with an error); the
    # bracket scan that finds where a document nests too deep runs only when it does,
    # or when parsing failed (so that depth is reported first, as always).
    maybe_deep = text.count("[") + text.count("{") > MAX_DEPTH
    try:
        data = _loads(text)
    except (ValueError, RecursionError) as exc:
        deep = _json_too_deep(text) if maybe_deep else None
        if deep is not None:
            raise error([Problem(_line_column(text, deep), too_deep())], source=name) from None
        raise _json_error(exc, text, name, error) from None
    if maybe_deep and _nested_deeper(text):
        deep = _json_too_deep(text)
        raise error([Problem(_line_column(text, deep or 0), too_deep())], source=name)
    return data


def _json_error(
    exc: Exception, text: str, name: str, error: type[ReadinessError]
) -> ReadinessError:
    """The error to raise for an exception of :func:`_loads`."""
    if isinstance(exc, _DuplicateKeyError):
        return error([Problem("$", str(exc))], source=name)
    if isinstance(exc, _LongIntegerError):
        where = _line_column(text, max(text.find(exc.literal), 0))
        return error([Problem(where, long_integer(int_digits(exc.literal)))], source=name)
    if isinstance(exc, json.JSONDecodeError):
        where = f"line {exc.lineno} column {exc.colno}"
        return error([Problem(where, f"invalid JSON: {exc.msg}")], source=name)
    return error(f"invalid JSON: {exc}", source=name)  # e.g. a lowered int digit limit


def parse_json(text: str, name: str, error: type[ReadinessError]) -> Any:
    """Parse JSON text (e.g. one line of a JSON Lines file) under :func:`read_document`'s rules.

    Raises:
        error: The text is blank or not valid JSON, or breaks a limit; named ``name``.
    """
    if not text or text.isspace():  # as not text.strip(), without a copy of the text
        raise error("the document is empty", source=name)
    return _read_json(text, name, error)


PARSED = Path(__file__).with_name("_parsed.marshal")
"""The package's own YAML files (rubrics, earlier rubric versions, seed cards), parsed:
each file's text's SHA-256 -> its parsed data (``marshal``). ``make parsed`` writes it;
``tests/test_io.py`` fails when it differs from parsing the files now."""


@cache
def _parsed_table() -> dict[str, bytes]:
    try:
        table = marshal.loads(PARSED.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):  # absent, or another marshal format
        return {}
    return table if isinstance(table, dict) else {}


def _parsed(text: str) -> Any:
    """The data of a shipped YAML text whose exact text was parsed into :data:`PARSED`
    (fresh objects on every call), or ``None``: then the text is parsed as usual."""
    entry = _parsed_table().get(hashlib.sha256(text.encode()).hexdigest())
    return None if entry is None else marshal.loads(entry)


def write_parsed(paths: list[Path], out: Path = PARSED) -> None:
    """Parse the package's own YAML files under :func:`read_document`'s rules and write
    their data to ``out``, keyed by each file's text's SHA-256 (see :data:`PARSED`)."""
    table = {}
    for path in paths:
        text = _read_text(path, source_name(path), ReadinessError)
        key = hashlib.sha256(text.encode()).hexdigest()
        data = _read_yaml(text, source_name(path), ReadinessError, shipped=True)
        table[key] = marshal.dumps(data)
    out.write_bytes(marshal.dumps(dict(sorted(table.items()))))


def read_document(path: Readable, error: type[ReadinessError], *, shipped: bool = False) -> Any:
    """Read a JSON or YAML file into plain Python objects.

    YAML is used for ``.yaml``/``.yml`` files, JSON for everything else. Both formats
    are held to the same limits, checked without deep recursion, so that a hostile or
    broken file ends in ``error`` rather than a crash:

    - at most :data:`MAX_BYTES` (50 MB) are read;
    - lists and mappings nest at most :data:`MAX_DEPTH` (64) levels deep (the shipped
      formats use fewer than 10; Python's parsers would hit their recursion limit
      near 1,000);
    - an integer has at most :data:`MAX_INT_DIGITS` (4,300) digits, the longest
      Python converts from text by default;
    - a key appears once per mapping (in YAML, keys merged in with ``<<`` may be
      overridden);
    - in YAML, a number with an exponent (``1e-3``, ``1.5e3``) is a number, as in
      YAML 1.2 and JSON, not text as in PyYAML's YAML 1.1;
    - YAML aliases may not expand the document beyond :data:`MAX_EXPANDED_VALUES`
      values or :data:`MAX_DEPTH` levels (nor make it contain itself).

    ``shipped=True`` is for the package's own rubric and seed files: a YAML text that
    :data:`PARSED` holds (the same text, by its SHA-256) is not parsed again; any other
    is parsed by libyaml (when PyYAML has it) with the same checks but the nesting one.

    Raises:
        error: The file is missing, empty, too large, or not valid JSON/YAML, or it
            breaks one of the limits above; the message names the file and the line
            and column (or the JSON path) of the problem.
    """
    name = source_name(path)
    yaml = name.endswith((".yaml", ".yml"))
    content = _file_bytes(path, name, error)
    # JSON bytes that are their text (no byte-order mark, no carriage return) go to
    # orjson's parse first; when a test of it asks for a closer look, that is all left
    fast = not yaml and not content.startswith(_BOM) and b"\r" not in content
    if fast:
        parsed = _read_json_bytes(content)  # valid JSON: neither empty nor anything but UTF-8
        if parsed is not _NOT_FAST:
            return parsed
    text, raw = _text_of(content, name, error)
    if not text.strip():
        raise error("the file is empty", source=name)
    if yaml:
        if shipped and (data := _parsed(text)) is not None:
            return data
        return _read_yaml(text, name, error, shipped=shipped)
    return _read_json_exact(text, name, error) if fast else _read_json(text, name, error, raw)

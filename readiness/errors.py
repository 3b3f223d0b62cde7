"""The errors that ``readiness`` raises.

Every error is a :class:`ValueError`, carries the file it came from (when there is
one) and a list of :class:`Problem` s, each naming a JSON path and what is wrong, so
that one run reports every problem at once::

    ReadinessError (ValueError)
    ├── RubricError       a rubric file or rubric model is invalid
    ├── InputError        a partnership description, a facts or levels table is invalid
    └── ReportError       a report cannot be rendered or written
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "InputError",
    "Problem",
    "ReadinessError",
    "ReportError",
    "RubricError",
    "json_path",
    "renamed",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong.

    The location is kept as fields, so that the CLI, the API and the readers can report
    or re-label it without parsing text: ``path`` is always set (a JSON path, or a
    description such as ``row 'nato', column 'legal.founding-agreement'`` for tables);
    the keyword fields are set where they are known.

    Attributes:
        path: JSON path into the document, e.g. ``$.ratings['legal.status-of-forces'].level``.
        message: What is wrong, in a sentence without a final full stop.
        file: The file the problem is in, when the problem itself knows it (errors also
            carry ``source``).
        line: 1-based line in a text file (syntax errors).
        column: 1-based column in a text file (syntax errors); for arrays, the 0-based
            column position (as ``row`` gives the 0-based row).
        criterion: The criterion id the problem concerns.
        row: The row of a table: its label, or its 0-based position in an array.
    """

    path: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    criterion: str | None = None
    row: int | str | None = None

    def __post_init__(self) -> None:
        # a 10 MB value or key is never carried (or echoed) whole: see _clip
        object.__setattr__(self, "path", _clip(self.path, LONGEST_PATH))
        object.__setattr__(self, "message", _clip(self.message, LONGEST_LINE))

    def __str__(self) -> str:
        # a problem of the whole document (a missing file, not an object) has no place
        return self.message if self.path == "$" else f"{self.path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data; location fields that are not known are left out."""
        out: dict[str, Any] = {"path": self.path, "message": self.message}
        for name in ("file", "line", "column", "criterion", "row"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def json_path(loc: Iterable[str | int]) -> str:
    """Render a location tuple as a JSON path.

    >>> json_path(("pillars", 0, "criteria", 2, "weight"))
    '$.pillars[0].criteria[2].weight'
    >>> json_path(("ratings", "legal.status-of-forces", "level"))
    "$.ratings['legal.status-of-forces'].level"
    """
    out = "$"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


NOT_FOUND = "file not found"
"""The message of an input file that does not exist (rendered ``file not found: NAME``)."""

SHOWN_PROBLEMS = 20
"""How many problems an error message lists; the rest are counted (``problems`` has all)."""

LONGEST_VALUE = 80
"""Longest value (a quoted literal or a run without spaces) echoed in a message; longer
ones are cut and end in "…"."""

LONGEST_LINE = 500
"""Longest problem message; the rest is cut and counted."""

LONGEST_PATH = 300
"""Longest location (JSON path) kept in a problem."""

LONGEST_SOURCE = 1_000
"""Longest file name kept in an error (file names are not cut otherwise)."""

LONGEST_MESSAGE = 10_000
"""Most bytes (UTF-8) of an error message; problems past it are counted, not listed."""

_LONG_VALUE = re.compile(
    "|".join(
        (
            f"'[^'\\n]{{{LONGEST_VALUE - 1},}}'",  # a quoted value
            f'"[^"\\n]{{{LONGEST_VALUE - 1},}}"',
            f"\\S{{{LONGEST_VALUE + 1},}}",  # a run without blanks
        )
    )
)


def _cut_value(match: re.Match[str]) -> str:
    text = match.group()
    if text[0] in "'\"" and text[-1] == text[0]:
        return f"{text[: LONGEST_VALUE - 2]}…{text[0]}"
    return f"{text[: LONGEST_VALUE - 1]}…"


def _clip(text: str, longest: int = LONGEST_LINE) -> str:
    """Text cut to a readable length: each echoed value to :data:`LONGEST_VALUE`
    characters, the whole to ``longest`` (a 10 MB value is not echoed back).

    >>> _clip("unknown kind " + repr("x" * 1000) + " (expected: a, b)")[-30:]
    "xxxxxxxxxxx…' (expected: a, b)"
    """
    if len(text) <= LONGEST_VALUE:
        return text
    short = _LONG_VALUE.sub(_cut_value, text)
    if len(short) <= longest:
        return short
    return f"{short[:longest]}… ({len(text) - longest} more characters)"


class ReadinessError(ValueError):
    """Root of every error raised by ``readiness``.

    Args:
        problems: The problems found, or one message (reported at path ``$``).
        source: The file (or other named input) the problems were found in.
    """

    def __init__(self, problems: Sequence[Problem] | str, *, source: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem("$", problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        if source is not None and len(source) > LONGEST_SOURCE:
            source = f"{source[:LONGEST_SOURCE]}…"
        self.source = source
        super().__init__(self._render())

    def _render(self, all_of_them: str = "--format json, or .problems") -> str:
        """The message: the first :data:`SHOWN_PROBLEMS` problems, then a count and
        where to see ``all_of_them``; never more than :data:`LONGEST_MESSAGE` bytes."""
        where = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            only = self.problems[0]
            if only.path == "$" and only.message == NOT_FOUND and self.source:
                return f"{NOT_FOUND}: {self.source}"  # as shells say it: what, then which
            return f"{where}{only}"
        lines = [f"{where}{len(self.problems)} problems:"]
        size = len(lines[0].encode()) + 200  # room for the last line
        for p in self.problems[:SHOWN_PROBLEMS]:
            line = f"  - {p}"
            size += len(line.encode()) + 1
            if size > LONGEST_MESSAGE:
                break
            lines.append(line)
        rest = len(self.problems) - (len(lines) - 1)
        if rest:
            lines.append(f"  ... and {rest} more (all of them: {all_of_them})")
        return "\n".join(lines)

    def message(self, all_of_them: str) -> str:
        """The message, naming ``all_of_them`` (e.g. a command's option) as where to see
        every problem when not all are shown."""
        return self._render(all_of_them)

    def with_source(self, source: str) -> ReadinessError:
        """Return a copy of this error that names ``source`` as the file."""
        return type(self)(self.problems, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready dict (used by ``--format json``)."""
        return {
            "error": type(self).__name__,
            "source": self.source,
            "problems": [p.to_dict() for p in self.problems],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


class RubricError(ReadinessError):
    """A rubric file or rubric model is invalid."""


class InputError(ReadinessError):
    """A partnership description, facts table or levels table is invalid."""


class ReportError(ReadinessError):
    """A report cannot be rendered or written."""


def renamed(module: str, name: str, moved: Mapping[str, tuple[str, object]]) -> object:
    """An old name of ``module`` (a module ``__getattr__``, PEP 562), with a warning.

    ``moved`` maps each old name to its new name and the object; any other name is
    an ordinary ``AttributeError``.

    Raises:
        AttributeError: ``name`` is neither defined nor an old name.
    """
    if name not in moved:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    new, value = moved[name]
    warnings.warn(
        f"{module}.{name} is deprecated; use {module}.{new}", DeprecationWarning, stacklevel=3
    )
    return value

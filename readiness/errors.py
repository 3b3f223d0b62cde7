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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "InputError",
    "Problem",
    "ReadinessError",
    "ReportError",
    "RubricError",
    "json_path",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong.

    Attributes:
        path: JSON path into the document, e.g. ``$.ratings['legal.status-of-forces'].level``.
        message: What is wrong, in a sentence without a final full stop.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


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
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return f"{where}{self.problems[0]}"
        lines = [f"{where}{len(self.problems)} problems:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def with_source(self, source: str) -> ReadinessError:
        """Return a copy of this error that names ``source`` as the file."""
        return type(self)(self.problems, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready dict (used by ``--format json``)."""
        return {
            "error": type(self).__name__,
            "source": self.source,
            "problems": [{"path": p.path, "message": p.message} for p in self.problems],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


class RubricError(ReadinessError):
    """A rubric file or rubric model is invalid."""


class InputError(ReadinessError):
    """A partnership description, facts table or levels table is invalid."""


class ReportError(ReadinessError):
    """A report cannot be rendered or written."""

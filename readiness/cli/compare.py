"""``readiness compare``: partnerships side by side, and what changed."""

from __future__ import annotations

import argparse
import json
from functools import partial
from typing import TYPE_CHECKING, Any

from readiness._text import json_neutralise
from readiness.cli._common import (
    EXIT_INPUT,
    _Duplicates,
    _emit,
    _expand_inputs,
    _fail,
    _guarded,
    _load,
    _rubric_option,
)
from readiness.errors import ReadinessError

if TYPE_CHECKING:
    from readiness.assessment import Assessment
    from readiness.rubric import Rubric

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``compare`` command."""
    c = sub.add_parser(
        "compare",
        help="put partnerships side by side, and show what changed between dates",
        description=(
            "Score partnership files and show their pillar and overall scores side by "
            "side. Files of the same partnership with different assessed_on dates also "
            "get a 'what changed' section (criteria, pillars, overall), in date order. "
            "A bad file is reported and left out; the others are compared (exit 2)."
        ),
    )
    c.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="partnership JSON files, or directories (every *.json inside)",
    )
    _rubric_option(c)
    c.add_argument(
        "--format",
        choices=("table", "markdown", "json"),
        default="table",
        help="output format (default: table)",
    )
    c.set_defaults(func=_cmd_compare)


def _assess(path: str, rubric: Rubric) -> Assessment:
    from readiness.assessment import assess

    return assess(_load(path, rubric), rubric)


def _cmd_compare(args: argparse.Namespace) -> int:
    """Score the files and print the comparison of the good ones.

    Returns:
        ``EXIT_OK``, or ``EXIT_INPUT`` when any input was bad (reported, left out) or
        two files hold the same partnership on the same date.

    Raises:
        ReadinessError: The rubric cannot be loaded.
    """
    from readiness.compare import compare

    files, status = _expand_inputs(args.files)
    from readiness.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    results: list[Assessment] = []
    duplicates = _Duplicates()
    for path in files:
        try:
            a = _guarded(path, partial(_assess, path, rubric))
        except ReadinessError as exc:
            _fail(exc)
            status = EXIT_INPUT
            continue
        if (twice := duplicates.check(a, path)) is not None:
            _fail(twice)
            status = EXIT_INPUT
        results.append(a)
    if not results:
        return EXIT_INPUT
    comparison = compare(results)
    if args.format == "json":
        _emit(json_neutralise(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False)))
    elif args.format == "markdown":
        _emit(comparison.to_markdown())
    else:
        _emit(comparison.to_text())
    return status

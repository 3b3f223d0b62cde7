"""``readiness diff``: two rubric versions side by side, and how they move scores."""

from __future__ import annotations

import argparse
import json
import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness._text import json_neutralise
from readiness.cli._common import (
    EXIT_INPUT,
    _check_outputs,
    _emit,
    _expand_inputs,
    _fail,
    _guarded,
    _output_format,
    _page_format_option,
    _write_output,
)
from readiness.errors import ReadinessError

if TYPE_CHECKING:
    from readiness.partnership import Partnership
    from readiness.rubric import Rubric

__all__ = ["add_parser", "rubric_of"]

_VERSION = re.compile(r"^\d+\.\d+\.\d+$")

EPILOG = """\
examples:
  readiness diff 1.1.0 1.3.0                       # what changed between two releases
  readiness diff 1.2.0 1.3.0 examples/partnerships/ # ...and how it moved each score
  readiness diff defense-partnership@1.1.0 my-rubric.yaml nato.json --format json
"""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``diff`` command."""
    c = sub.add_parser(
        "diff",
        help="what changed between two rubrics, and how it moves partnerships' scores",
        description=(
            "List what changed from rubric A to rubric B (criteria and pillars added, "
            "removed or moved, weights, gates, derive rules, bands, scoring settings, "
            "profiles, wording). With partnership files, score each under both and split "
            "the change of its overall score among the groups of changes (Shapley values, "
            "exact to 1e-9 point: the shares add up to the change). A bad file is reported "
            "and left out; the others are shown (exit 2)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument(
        "rubric_a",
        metavar="RUBRIC_A",
        help="the old rubric: a released version of the shipped rubric (1.1.0), "
        "NAME@VERSION, a shipped rubric's name, or a rubric file",
    )
    c.add_argument("rubric_b", metavar="RUBRIC_B", help="the new rubric, written the same way")
    c.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="partnership JSON files, or directories (every *.json inside)",
    )
    _page_format_option(c)
    c.add_argument("-o", "--out", metavar="PATH", help="write to PATH instead of stdout")
    c.set_defaults(func=_cmd_diff)


def rubric_of(text: str) -> Rubric:
    """The rubric a ``RUBRIC`` argument names: ``1.1.0`` (a version of the default
    rubric), ``NAME@1.1.0``, a shipped rubric's name, or a file.

    Raises:
        RubricError: Not found or invalid.
    """
    from readiness.rubric import load_rubric

    if _VERSION.match(text):
        return load_rubric(version=text)
    name, at, version = text.rpartition("@")
    if at and name and _VERSION.match(version) and not Path(text).exists():
        return load_rubric(name, version=version)
    return load_rubric(text)


def _load(path: str) -> Partnership:
    from readiness.partnership import load_partnership

    return load_partnership(Path(path))


def _cmd_diff(args: argparse.Namespace) -> int:
    """Compare the rubrics, score the good files under both, print (or write) the diff.

    Returns:
        ``EXIT_OK``, or ``EXIT_INPUT`` when a file was bad (reported, left out).

    Raises:
        ReadinessError: A rubric cannot be loaded; exit 2.
    """
    from readiness.diff import diff_rubrics

    _check_outputs(args, [*args.files, args.rubric_a, args.rubric_b], ("-o", args.out))
    a, b = rubric_of(args.rubric_a), rubric_of(args.rubric_b)
    files, status = _expand_inputs(args.files)
    partnerships = []
    for path in files:
        try:
            partnerships.append(_guarded(path, partial(_load, path)))
        except ReadinessError as exc:
            _fail(exc)
            status = EXIT_INPUT
    if args.files and not partnerships:
        return EXIT_INPUT
    result = diff_rubrics(a, b, partnerships)
    text = _formatted(result, _output_format(args.format, args.out))
    if args.out:
        _write_output(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        _emit(f"wrote {args.out}")
    else:
        _emit(text)
    return status


def _formatted(result: Any, fmt: str) -> str:
    if fmt == "json":
        return json_neutralise(json.dumps(result.to_dict(), indent=2, ensure_ascii=False)) + "\n"
    if fmt == "markdown":
        return str(result.to_markdown())
    if fmt == "html":
        from readiness.report.page import render_page

        return render_page(result.to_document())
    return str(result.to_text())

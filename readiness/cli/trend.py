"""``readiness trend``: a partnership over time, from dated files or one file as of dates."""

from __future__ import annotations

import argparse
import datetime as dt
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    _check_outputs,
    _emit,
    _expand_inputs,
    _fail,
    _guarded,
    _load,
    _output_format,
    _rubric_option,
    _usage_error,
    _write_output,
)
from readiness.errors import ReadinessError

if TYPE_CHECKING:
    from readiness.assessment import Assessment
    from readiness.rubric import Rubric

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``trend`` command."""
    t = sub.add_parser(
        "trend",
        help="follow partnerships over time: scores, bands and their causes by date",
        description=(
            "Score dated partnership files (the same id on different assessed_on dates; "
            "or one file read as of several dates with --as-of) and show, per "
            "partnership and date, the overall score with its range, the band, the "
            "coverage and every pillar; each change of band lists the criteria whose "
            "level or origin changed. A bad file is reported and left out (exit 2)."
        ),
        epilog=(
            "examples:\n"
            "  readiness trend history/*.json\n"
            "  readiness trend examples/partnerships/nato.json "
            "--as-of 1990-01-01 --as-of 2010-01-01 --as-of 2024-01-01\n"
            "  readiness trend history/ -o trend.html"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument(
        "files", nargs="+", metavar="FILE",
        help="partnership JSON files, or directories (every *.json inside)",
    )  # fmt: skip
    _rubric_option(t)
    t.add_argument(
        "--as-of",
        action="append",
        metavar="DATE",
        type=_day,
        help="also read each file as it was known on DATE (YYYY-MM-DD; repeat for several); "
        "the file's own date is kept",
    )
    t.add_argument(
        "--format",
        choices=("table", "markdown", "json", "html"),
        default=None,
        help="output format (default: table, or what -o's extension names)",
    )
    t.add_argument("-o", "--out", metavar="FILE", help="write to FILE instead of printing")
    t.set_defaults(func=_cmd_trend)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _history(path: str, rubric: Rubric, days: list[dt.date]) -> list[Assessment]:
    from readiness.asof import as_of
    from readiness.assessment import assess

    p = _load(path, rubric)
    return [assess(as_of(p, d), rubric) for d in days] + [assess(p, rubric)]


def _cmd_trend(args: argparse.Namespace) -> int:
    """Score the files (and each as of the dates asked for) and show the trend."""
    from readiness.rubric import load_rubric
    from readiness.trend import trend

    fmt = _output_format(args.format, args.out)
    if fmt == "html" and args.out is None:
        return _usage_error("--format html writes a page: give -o FILE")
    files, status = _expand_inputs(args.files)
    rubric = load_rubric(args.rubric)
    _check_outputs(args, files, ("--out", args.out))
    results: list[Assessment] = []
    for path in files:
        try:
            results += _guarded(path, partial(_history, path, rubric, sorted(args.as_of or [])))
        except ReadinessError as exc:
            _fail(exc)
            status = EXIT_INPUT
    if not results:
        return EXIT_INPUT
    t = trend(results)
    if fmt == "html":
        from readiness.report.page import render_page

        text = render_page(t.to_document())
    else:
        text = {"markdown": t.to_markdown, "json": t.to_json}.get(fmt, t.to_text)()
    if args.out is None:
        _emit(text)
        return status
    _write_output(args.out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    print(f"wrote {args.out}")
    return status if status else EXIT_OK

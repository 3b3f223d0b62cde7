"""``readiness trend``: a partnership over time, from dated files or one file as of dates."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Iterator
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
from readiness.errors import InputError, ReadinessError

if TYPE_CHECKING:
    from readiness.assessment import Assessment
    from readiness.document import Rendered
    from readiness.partnership import Partnership
    from readiness.rubric import Rubric

__all__ = ["add_parser"]

DESCRIPTION = """\
Score dated partnership files (the same id on different assessed_on dates), or one
file read as it was known on earlier dates (--as-of), and show per date the overall
score with its range, the band, the coverage and every pillar; each change of band
lists its causes, the criteria whose level or origin changed.

A trend follows one partnership: a file of another id, or a second file of a date
already given, is reported and left out, as is a bad file (exit 2).

With --atop DIR: every ATOP alliance by year instead, summarised by decade (how many
deepened or hollowed out, members joining and leaving), or one alliance (--alliance).
"""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``trend`` command."""
    t = sub.add_parser(
        "trend",
        help="follow a partnership over time (or ATOP alliances): scores, bands, causes",
        description=DESCRIPTION,
        epilog=(
            "examples:\n"
            "  readiness trend history/*.json\n"
            "  readiness trend examples/partnerships/nato.json "
            "--as-of 1990-01-01 --as-of 2010-01-01 --as-of 2024-01-01\n"
            "  readiness trend history/ -o trend.html\n"
            "  readiness trend --atop ../shared/data/atop --alliance 3180 -o nato.html"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument(
        "files", nargs="*", metavar="FILE",
        help="partnership JSON files, JSON Lines files (.jsonl, one partnership a line) "
        "or directories (every *.json inside)",
    )  # fmt: skip
    _rubric_option(t)
    t.add_argument(
        "--as-of",
        action="append",
        metavar="DATE",
        type=_day,
        help="also read each file as it was known on DATE (YYYY-MM-DD; repeat for several): "
        "what is dated later is left out (readiness.as_of); the file's own date is kept, "
        "and a DATE after it is an error",
    )
    t.add_argument(
        "--format",
        choices=("table", "markdown", "json", "html"),
        default=None,
        help="output format (default: table, or what -o's extension names)",
    )
    t.add_argument(
        "--atop",
        metavar="DIR",
        help="instead of FILEs: every ATOP alliance by year from DIR's member-level file "
        "(atop5_1m.csv; atopinst5_1.csv read when there): a summary by decade of how many "
        "alliances deepened or hollowed out and how many members joined and left",
    )
    t.add_argument(
        "--alliance",
        metavar="ID",
        help="with --atop: one alliance (ATOP id, e.g. 3180 or atop-3180): the years "
        "something changed, members joining and leaving, and a chart",
    )
    t.add_argument("-o", "--out", metavar="FILE", help="write to FILE instead of printing")
    t.set_defaults(func=_cmd_trend)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


Loader = Callable[[], "Partnership"]


def _sources(path: str, rubric: Rubric) -> Iterator[tuple[str, Loader]]:
    """``(name, load)`` per partnership in ``path``: one for a JSON file, one per line
    (named ``FILE:LINE``) for a JSON Lines file (``.jsonl``)."""
    if not path.lower().endswith(".jsonl"):
        yield path, partial(_load, path, rubric)
        return
    from readiness._io import _read_text

    def unreadable(exc: InputError) -> Partnership:
        raise exc

    try:
        text = _read_text(path, path, InputError)
    except InputError as exc:
        yield path, partial(unreadable, exc)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield f"{path}:{number}", partial(_line, line, f"{path}:{number}", rubric)


def _line(text: str, name: str, rubric: Rubric) -> Partnership:
    from readiness._io import parse_json
    from readiness.partnership import partnership_from_dict

    p = partnership_from_dict(parse_json(text, name, InputError), source=name)
    p.check_against(rubric, source=name)
    return p


def _history(name: str, load: Loader, rubric: Rubric, days: list[dt.date]) -> list[Assessment]:
    """The partnership as of each day other than its own date, then as it is.

    Raises:
        ReadinessError: The file is bad, or cannot be read as of a day (named
            ``"FILE as of DAY"``).
    """
    from readiness.asof import as_of
    from readiness.assessment import assess

    p = load()
    out = []
    for day in days:
        if day == p.assessed_on:
            continue
        try:
            out.append(assess(as_of(p, day), rubric))
        except ReadinessError as exc:
            raise exc.with_source(f"{name} as of {day.isoformat()}") from None
    return [*out, assess(p, rubric)]


def _one_partnership(found: list[tuple[str, Assessment]]) -> tuple[list[Assessment], int]:
    """Keep the assessments of the first partnership met, once per date; report the
    others (another id, or a date met twice) naming their files."""
    kept: list[Assessment] = []
    status = EXIT_OK
    first: dict[dt.date, tuple[int, str]] = {}
    pid = found[0][1].partnership.id if found else None
    for i, (name, a) in enumerate(found):
        p = a.partnership
        if p.id != pid:
            _fail(
                InputError(
                    f"partnership {p.id!r}, not {pid!r}: a trend follows one partnership "
                    "(files with the same id on different dates); left out",
                    source=name,
                )
            )
            status = EXIT_INPUT
            continue
        at, earlier = first.setdefault(p.as_of, (i, name))
        if at != i:
            _fail(
                InputError(
                    f"{p.id} on {p.as_of.isoformat()} is given twice (also {earlier}); left out",
                    source=name,
                )
            )
            status = EXIT_INPUT
            continue
        kept.append(a)
    return kept, status


def _cmd_trend(args: argparse.Namespace) -> int:
    """Score the files (and each as of the dates asked for) and show the trend."""
    from readiness.rubric import load_rubric
    from readiness.trend import trend

    fmt = _output_format(args.format, args.out)
    if fmt == "html" and args.out is None:
        return _usage_error("--format html writes a page: give -o FILE")
    if args.atop is not None:
        if args.files or args.as_of:
            return _usage_error("--atop reads the ATOP files: give no FILE and no --as-of")
        return _atop(args, fmt)
    if args.alliance is not None:
        return _usage_error("--alliance goes with --atop DIR")
    if not args.files:
        return _usage_error("give partnership FILEs (or --atop DIR)")
    files, status = _expand_inputs(args.files)
    rubric = load_rubric(args.rubric)
    _check_outputs(args, files, ("--out", args.out))
    days = sorted(set(args.as_of or []))
    found: list[tuple[str, Assessment]] = []
    for path in files:
        for name, load in _sources(path, rubric):
            try:
                found += [
                    (name, a) for a in _guarded(name, partial(_history, name, load, rubric, days))
                ]
            except ReadinessError as exc:
                _fail(exc)
                status = EXIT_INPUT
    results, twice = _one_partnership(found)
    status = status or twice
    if not results:
        return EXIT_INPUT
    return _show(trend(results), fmt, args.out, status)


def _show(result: Rendered, fmt: str, out: str | None, status: int) -> int:
    """Print ``result`` in ``fmt``, or write it to ``out``; returns ``status``."""
    if fmt == "html":
        from readiness.report.page import render_page

        text = render_page(result.to_document())
    else:
        text = {"markdown": result.to_markdown, "json": result.to_json}.get(fmt, result.to_text)()
    if out is None:
        _emit(text)
        return status
    _write_output(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    print(f"wrote {out}")
    return status


def _atop(args: argparse.Namespace, fmt: str) -> int:
    """``--atop DIR [--alliance ID]``: every alliance by year, or one of them."""
    from readiness.io.atop_trend import atop_trend
    from readiness.rubric import load_rubric

    folder = Path(args.atop)
    members = folder / "atop5_1m.csv"
    if not folder.is_dir() or not members.is_file():
        _fail(
            InputError(
                "not a folder with the ATOP member-level file atop5_1m.csv "
                "(https://www.atopdata.org, release 5.1)",
                source=args.atop,
            )
        )
        return EXIT_INPUT
    inst = folder / "atopinst5_1.csv"
    _check_outputs(args, [str(members), str(inst)], ("--out", args.out))
    try:
        result = atop_trend(
            members, load_rubric(args.rubric), inst=inst if inst.is_file() else None
        )
        if args.alliance is not None:
            result = result.of(args.alliance)
    except ReadinessError as exc:
        _fail(exc)
        return EXIT_INPUT
    return _show(result, fmt, args.out, EXIT_OK)

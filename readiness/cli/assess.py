"""``readiness assess``: score files and report gaps, or write a table of scores."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness._text import json_neutralise
from readiness.cli._common import (
    EXIT_INPUT,
    _assess_file,
    _check_fail_under,
    _check_outputs,
    _Duplicates,
    _emit,
    _expand_inputs,
    _fail,
    _guarded,
    _rubric_option,
    _score,
    _scoring_options,
    _usage_error,
    _write_output,
)
from readiness.cli.agreement import assess_any, consensus_option, panel_document, with_panel
from readiness.errors import ReadinessError, ReportError

if TYPE_CHECKING:  # imported where used: --help and --version stay fast
    import pandas as pd

    from readiness.assessment import Assessment
    from readiness.rubric import Rubric

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``assess`` command."""
    p = sub.add_parser(
        "assess",
        help="score partnership files and report their gaps",
        description="Score one or more partnership JSON files and report the gaps to target.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="partnership or panel JSON file(s), or directories (every *.json inside)",
    )
    _rubric_option(p)
    p.add_argument(
        "--target",
        metavar="PROFILE",
        help="target profile id (default: the file's target, else the one its kind selects)",
    )
    p.add_argument(
        "--format",
        choices=("table", "json", "markdown"),
        help="output format (default: table)",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="show how each pillar and criterion contributed to the overall score",
    )
    _scoring_options(p)
    consensus_option(p)
    p.add_argument(
        "--fail-under",
        type=_score,
        metavar="SCORE",
        help="exit 1 when an overall score is below SCORE (or absent)",
    )
    p.add_argument(
        "--out",
        metavar="OUT",
        help="write one row of scores per partnership to OUT (.csv, .jsonl or .parquet) "
        "instead of printing reports",
    )
    p.add_argument(
        "--errors",
        metavar="FILE",
        help="write the problems of files that cannot be scored to FILE (JSON Lines, one "
        "object per file: file, error, problems; replaced atomically) instead of standard "
        "error, which then gets one summary line",
    )
    p.set_defaults(func=_cmd_assess)


class _BadFiles:
    """The files that could not be scored: reported on standard error, or kept for ``--errors``.

    Args:
        errors: The ``--errors`` file, or ``None`` to report each file on standard error.
    """

    def __init__(self, errors: str | None) -> None:
        self.errors = errors
        self.records: list[dict[str, Any]] = []

    def add(self, exc: ReadinessError, path: str) -> None:
        """Report or keep the error of one file (named ``path`` unless it names its own)."""
        named = exc if exc.source else exc.with_source(path)
        if self.errors is None:
            _fail(named)
            return
        data = named.to_dict()
        self.records.append(
            {"file": data["source"], "error": data["error"], "problems": data["problems"]}
        )

    def finish(self, total: int) -> None:
        """Write the ``--errors`` file (empty when every file was good) and its summary line.

        Raises:
            ReportError: The file cannot be written (the message names it).
        """
        if self.errors is None:
            return
        lines = "".join(
            json_neutralise(json.dumps(r, ensure_ascii=False)) + "\n" for r in self.records
        )
        _write_output(self.errors, lambda tmp: tmp.write_text(lines, encoding="utf-8"))
        if self.records:
            sys.stderr.write(
                f"readiness: {len(self.records)} of {total} files could not be scored; "
                f"their problems are in {self.errors}\n"
            )


def _cmd_assess(args: argparse.Namespace) -> int:
    _check_outputs(args, args.files, ("--out", args.out), ("--errors", args.errors))
    files, status = _expand_inputs(args.files)
    if args.out is not None:
        return _assess_to_table(args, files, status)
    from readiness.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    results: list[Assessment] = []
    documents: list[dict[str, Any]] = []
    bad = _BadFiles(args.errors)
    duplicates = _Duplicates()
    for path in files:
        try:
            a, panel = assess_any(path, rubric, args)  # a panel file: its consensus
            if args.format == "json":
                documents.append(_guarded(path, partial(_panel_json, a, panel, args)))
            else:
                output = _guarded(path, partial(_panel_text, a, panel, args))
        except ReadinessError as exc:
            bad.add(exc, path)
            status = EXIT_INPUT
            continue
        if (twice := duplicates.check(a, path)) is not None:
            bad.add(twice, path)
            status = EXIT_INPUT
        if args.format != "json":
            if results:
                _emit("")
            _emit(output)
        results.append(a)
    if args.format == "json" and (documents or len(files) > 1):
        # one file: one object; several files or a folder: one JSON array
        shown: Any = documents[0] if len(files) == 1 else documents
        _emit(json_neutralise(json.dumps(shown, sort_keys=True, indent=2, ensure_ascii=False)))
    bad.finish(len(files))
    return _check_fail_under(args, results, status)


def _panel_json(a: Assessment, panel: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The JSON document, with the panel section when the file is a panel."""
    return _assessment_json(a, args) | panel_document(panel)


def _panel_text(a: Assessment, panel: Any, args: argparse.Namespace) -> str:
    """The printed report, with the panel section when the file is a panel."""
    return with_panel(_render_assessment(a, args), panel, args.format or "text")


def _assessment_json(a: Assessment, args: argparse.Namespace) -> dict[str, Any]:
    """The ``--format json`` document: the report document (as ``report --format json``)."""
    from readiness.report import build_report

    data = build_report(a, args.target).to_dict()
    if args.explain:
        frame = a.explain().to_frame()
        data["explain"] = json.loads(frame.to_json(orient="records"))
    return data


def _render_assessment(a: Assessment, args: argparse.Namespace) -> str:
    from readiness.report import build_report, render_markdown, render_text

    report = build_report(a, args.target)
    text = render_markdown(report) if args.format == "markdown" else render_text(report)
    if args.explain:
        text += "\n" + a.explain().to_text() + "\n"
    return text


# --- batch: many files, one table of scores ------------------------------------------

#: Output formats of ``assess --out``, by file extension.
TABLE_FORMATS = {".csv": "CSV", ".jsonl": "JSON Lines", ".parquet": "Parquet"}

#: Progress is shown on a terminal only when there are more files than this.
PROGRESS_MIN_FILES = 20

#: The columns of ``assess --out`` before the pillar scores; ``reason`` comes after them.
_ROW_COLUMNS = (
    "id",
    "rubric",
    "rubric_version",
    "name",
    "kind",
    "file",
    "overall",
    "raw",
    "gate_loss",
    "band",
    "coverage",
    "lower",
    "upper",
    "gates_failed",
    "gates_unrated",
)


class _Progress:
    """A counter line on standard error, only on a terminal and for many files."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.on = total > PROGRESS_MIN_FILES and sys.stderr.isatty()

    def show(self, done: int) -> None:
        if self.on:
            sys.stderr.write(f"\rreadiness: scoring {done}/{self.total}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.on:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _table_writer(out: str) -> Callable[[pd.DataFrame, Path], None]:
    """The function that writes a table of scores in the format ``out``'s extension names.

    Args:
        out: The output file (``.csv``, ``.jsonl`` or ``.parquet``).

    Returns:
        A function ``(frame, path)`` writing ``frame`` to ``path``.

    Raises:
        ReportError: Unknown extension, or Parquet without pyarrow installed.
    """
    suffix = Path(out).suffix.lower()
    if suffix == ".csv":
        return lambda frame, path: frame.to_csv(path, index=False)
    if suffix == ".jsonl":
        return lambda frame, path: frame.to_json(
            path, orient="records", lines=True, force_ascii=False
        )
    if suffix == ".parquet":
        try:
            importlib.import_module("pyarrow")
        except ImportError:
            raise ReportError(
                "writing Parquet needs pyarrow: pip install 'readiness[parquet]' "
                "(or write .csv or .jsonl)",
                source=out,
            ) from None
        return lambda frame, path: frame.to_parquet(path, index=False, engine="pyarrow")
    known = ", ".join(TABLE_FORMATS)
    raise ReportError(
        f"cannot tell the output format from the extension {suffix or '(none)'!r}; "
        f"use one of {known}",
        source=out,
    )


def _score_row(a: Assessment, path: str) -> dict[str, Any]:
    """One row of ``assess --out``.

    Who, against which rubric, which file; the overall score, the score before the
    gates and the coverage rule (``raw``) and the points failed gates took off
    (``gate_loss``); band, coverage, range, failed gates (rated below their minimum)
    and unrated gates (critical criteria still unknown); each pillar's score; and
    ``reason``, why there is no overall score (``None`` when there is one).
    """
    p = a.partnership
    return (
        {
            "id": p.id,
            "rubric": a.rubric.id,
            "rubric_version": a.rubric.version,
            "name": p.name,
            "kind": p.kind,
            "file": path,
            "overall": a.overall,
            "raw": a.raw,
            "gate_loss": a.gate_loss,
            "band": a.band.id if a.band else None,
            "coverage": a.coverage,
            "lower": a.lower,
            "upper": a.upper,
            "gates_failed": len(a.failed_gates),
            "gates_unrated": len(a.unrated_gates),
        }
        | {pillar.id: pillar.score for pillar in a.pillars}
        | {"reason": a.reason}
    )


def _scores_table(rows: list[dict[str, Any]], rubric: Rubric) -> pd.DataFrame:
    """The rows as a frame with fixed columns and types (also when there is no row)."""
    import pandas as pd

    pillars = [p.id for p in rubric.pillars]
    frame = pd.DataFrame(rows, columns=[*_ROW_COLUMNS, *pillars, "reason"])
    scores = ("overall", "raw", "gate_loss", "coverage", "lower", "upper", *pillars)
    numbers = dict.fromkeys(scores, "float64")
    frame = frame.astype({**numbers, "gates_failed": "int64", "gates_unrated": "int64"})
    # scores to 4 decimals: no 74.99999999999999 in a spreadsheet; coverage keeps 4 too
    return frame.round(dict.fromkeys(numbers, 4))


def _assess_to_table(args: argparse.Namespace, files: list[str], status: int) -> int:
    """``assess --out``: score every file and write one row per partnership.

    Bad files are reported on standard error (or in the ``--errors`` file) and left
    out; the others are written. A line on standard error says how many were written.

    Args:
        args: The parsed ``assess`` options.
        files: The input files (directories already expanded).
        status: ``EXIT_INPUT`` when expanding the inputs already found a problem.

    Returns:
        ``EXIT_INPUT`` when any input was bad, else ``EXIT_POLICY`` when a score is
        below ``--fail-under``, else ``EXIT_OK``.

    Raises:
        ReportError: Unknown output extension, Parquet without pyarrow, or the output
            or the ``--errors`` file cannot be written.
    """
    unused = [
        flag
        for flag, given in (
            ("--format", args.format is not None),
            ("--explain", args.explain),
            ("--target", args.target is not None),
        )
        if given
    ]
    if unused:
        return _usage_error(
            f"{' and '.join(unused)} cannot be used with --out, which writes scores only"
        )
    writer = _table_writer(args.out)
    from readiness.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    rows: list[dict[str, Any]] = []
    results: list[Assessment] = []
    bad = _BadFiles(args.errors)
    progress = _Progress(len(files))
    duplicates = _Duplicates()
    for i, path in enumerate(files):
        progress.show(i)
        try:
            a = _assess_file(path, rubric, args)
        except ReadinessError as exc:
            progress.clear()
            bad.add(exc, path)
            status = EXIT_INPUT
            continue
        if (twice := duplicates.check(a, path)) is not None:
            progress.clear()
            bad.add(twice, path)
            status = EXIT_INPUT
        rows.append(_score_row(a, path))
        results.append(a)
    progress.show(len(files))
    progress.clear()
    bad.finish(len(files))
    if not rows:  # nothing good to write: an existing output stays as it was
        sys.stderr.write(f"readiness: nothing written to {args.out}: no input could be scored\n")
        return EXIT_INPUT
    frame = _scores_table(rows, rubric)
    _write_output(args.out, lambda tmp: writer(frame, tmp))
    sys.stderr.write(f"readiness: wrote {len(rows)} of {len(files)} partnerships to {args.out}\n")
    return _check_fail_under(args, results, status)

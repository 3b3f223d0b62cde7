"""``readiness assess``: score files and report gaps, or write a table of scores."""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness._text import json_neutralise
from readiness.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_POLICY,
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
    formulas_as_text,
)
from readiness.cli.agreement import (
    assess_any,
    assess_questionnaires,
    consensus_option,
    is_questionnaire,
    panel_document,
    panel_sections,
    partnership_option,
)
from readiness.errors import ReadinessError, ReportError

if TYPE_CHECKING:  # imported where used: --help and --version stay fast
    import pandas as pd

    from readiness.assessment import Assessment
    from readiness.batch import PlainRows
    from readiness.document import Section
    from readiness.rubric import Rubric

#: Partnerships read, derived and scored at once by ``assess --out`` (see readiness.batch).
CHUNK_SIZE = 1_000

__all__ = ["add_parser"]

EPILOG = """\
examples:
  readiness assess nato.json aukus.json                  # one report per file
  readiness assess panel.json                            # a panel: its consensus
  readiness assess fpda.json --rate-first                # what to rate first
  readiness assess ann.xlsx bob.csv                      # questionnaires: their consensus
  readiness assess ann.xlsx bob.csv --partnership aukus.json  # with that file's facts
  readiness assess partnerships/ --out scores.csv        # a table of scores
"""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``assess`` command."""
    p = sub.add_parser(
        "assess",
        help="score partnership files and report their gaps",
        description="Score one or more partnership JSON files and report the gaps to target.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="partnership or panel JSON file(s), or directories (every *.json inside); "
        "filled questionnaires (xlsx, csv, json) of one partnership, scored together (one: "
        "its assessor's partnership; several: their consensus, as readiness agreement); "
        "with --out also JSON Lines files (.jsonl, one partnership a line) and - (JSON "
        "Lines on standard input)",
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
    p.add_argument(
        "--rate-first",
        action="store_true",
        help="add what to rate first: the unknown and low-confidence criteria ranked by "
        "how much rating each narrows the score's range and moves the chances of each "
        "band (see Assessment.rate_first)",
    )
    _scoring_options(p)
    consensus_option(p)
    partnership_option(p)
    p.add_argument(
        "--fail-under",
        type=_score,
        metavar="SCORE",
        help="exit 1 when an overall score is below SCORE (or absent)",
    )
    p.add_argument(
        "-o",
        "--out",
        metavar="OUT",
        help="write one row of scores per partnership (a panel file: its consensus) to OUT "
        "(.csv, .jsonl or .parquet; a device or pipe without an extension gets CSV) "
        "instead of printing reports; inputs are scored in "
        "chunks and rows written as they come. In CSV, a text cell that starts with = + - "
        "@, a tab or a carriage return gets a leading ' so that a spreadsheet shows it "
        "as text instead of running it as a formula",
    )
    p.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="with --out: processes that read and score files side by side (default: one "
        "per CPU, at most 4; they start only for more than 1,000 inputs). N is capped at "
        "one per CPU and one per 1,000 files (a note on standard error says so when N is "
        "more than the CPUs)",
    )
    p.add_argument(
        "--errors",
        metavar="FILE",
        help="write the problems of files that cannot be scored to FILE (JSON Lines, one "
        "object per file: file, error, problems; replaced atomically) instead of standard "
        "error, which then gets one summary line",
    )
    p.set_defaults(func=_cmd_assess)


def _jobs(text: str) -> int:
    """A number of worker processes (``--jobs``), 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {value})")
    return value


class _BadFiles:
    """The files that could not be scored: reported on standard error, or kept for ``--errors``.

    Args:
        errors: The ``--errors`` file, or ``None`` to report each file on standard error.
    """

    def __init__(self, errors: str | None, all_of_them: str | None = None) -> None:
        self.errors = errors
        self.all_of_them = all_of_them
        self.records: list[dict[str, Any]] = []

    def add(self, exc: ReadinessError, path: str) -> None:
        """Report or keep the error of one file (named ``path`` unless it names its own)."""
        named = exc if exc.source else exc.with_source(path)
        if self.errors is None:
            _fail(named, self.all_of_them)
            return
        data = named.to_dict()
        self.records.append(
            {"file": data["source"], "error": data["error"], "problems": data["problems"]}
        )

    def finish(self, total: int, noun: str = "file") -> None:
        """Write the ``--errors`` file (empty when every file was good) and its summary line
        (``noun``: what ``total`` counts, e.g. ``line``).

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
                f"readiness: {len(self.records)} of {_count(total, noun)} could not be scored; "
                f"their problems are in {self.errors}\n"
            )


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1: ``1 file``, ``7 files``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _sheet(file: str) -> bool:
    """Whether a file is a questionnaire (``.xlsx`` or ``.csv``); a cheap test first, as
    a folder of many partnership files is checked name by name."""
    name = file.lower()
    return (".xlsx" in name or ".csv" in name) and Path(file).suffix.lower() in (".xlsx", ".csv")


def _cmd_assess(args: argparse.Namespace) -> int:
    given = [args.partnership] if args.partnership else []
    _check_outputs(args, [*args.files, *given], ("--out", args.out), ("--errors", args.errors))
    files, status = _expand_inputs(args.files)
    if args.out is not None:
        sheets = [f for f in files if _sheet(f)]
        if sheets or args.partnership:
            what = f"a questionnaire ({sheets[0]})" if sheets else "--partnership"
            return _usage_error(
                f"--out reads partnership and panel files, not {what}; combine "
                "questionnaires into a panel file first: readiness import FILE... -o "
                "panel.json [--partnership FILE]"
            )
        return _assess_to_table(args, files, status)
    if args.jobs is not None:
        return _usage_error("--jobs works with --out only")
    lines = [f for f in files if f == "-" or f.lower().endswith(".jsonl")]
    if lines:
        return _usage_error(f"JSON Lines input ({lines[0]}) is read with --out only")
    from readiness.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    units = _units(files)
    if args.partnership and not any(asked for asked, _ in units):
        return _usage_error(
            "--partnership gives its facts to questionnaires, and no file given is one (a "
            "partnership or panel file has its own facts)"
        )
    results: list[Assessment] = []
    documents: list[dict[str, Any]] = []
    bad = _BadFiles(args.errors)
    duplicates = _Duplicates()
    for questionnaires, group in units:
        path = group[0]
        try:
            if questionnaires:  # one partnership's assessors
                a, panel = assess_questionnaires(group, rubric, args)
            else:
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
    if args.format == "json" and (documents or len(units) > 1):
        # one file (or one partnership's questionnaires): one object; several files or a
        # folder: one JSON array
        shown: Any = documents[0] if len(units) == 1 else documents
        _emit(json_neutralise(json.dumps(shown, sort_keys=True, indent=2, ensure_ascii=False)))
    bad.finish(len(files))
    return _check_fail_under(args, results, status)


def _units(files: list[str]) -> list[tuple[bool, list[str]]]:
    """The inputs scored one by one, each with whether it is questionnaires: each
    partnership or panel file alone, and the questionnaires all together (those of one
    partnership's assessors), in the place of the first of them."""
    units: list[tuple[bool, list[str]]] = []
    questionnaires: list[str] | None = None
    for path in files:
        if not is_questionnaire(path):
            units.append((False, [path]))
        elif questionnaires is None:
            questionnaires = [path]
            units.append((True, questionnaires))
        else:
            questionnaires.append(path)
    return units


def _panel_json(a: Assessment, panel: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The JSON document, with the panel section when the file is a panel."""
    return _assessment_json(a, args) | panel_document(panel)


def _panel_text(a: Assessment, panel: Any, args: argparse.Namespace) -> str:
    """The printed report, with the panel section when the file is a panel."""
    return _render_assessment(a, args, panel_sections(panel))


def _assessment_json(a: Assessment, args: argparse.Namespace) -> dict[str, Any]:
    """The ``--format json`` document: the report document (as ``report --format json``)."""
    from readiness.report import build_report

    data = dict(build_report(a, args.target).to_dict())  # a copy: the report keeps its own
    if args.rate_first:
        data["what_to_rate"] = a.rate_first().to_dict()
    if args.explain:
        data["explain"] = a.explain().to_dict()["rows"]
    return data


def _render_assessment(
    a: Assessment, args: argparse.Namespace, sections: tuple[Section, ...] = ()
) -> str:
    """The printed report (Markdown or text), with the explanation (``--explain``), what
    to rate first (``--rate-first``) and then ``sections`` (a panel) as sections of it."""
    import readiness.report

    report = readiness.report.build_report(a, args.target)
    if args.rate_first:  # what to rate first, before the panel
        sections = (a.rate_first().to_section(), *sections)
    if args.explain:  # the explanation as one more section of the report
        sections = (a.explain().to_document().as_section(), *sections)
    # the one renderer asked for is loaded (readiness.report's names load on first use)
    fmt = "markdown" if args.format == "markdown" else "text"
    render = getattr(readiness.report, f"render_{fmt}")
    return str(render(report, sections=sections))


# --- batch: many files, one table of scores ------------------------------------------

#: Output formats of ``assess --out``, by file extension.
TABLE_FORMATS = {".csv": "CSV", ".jsonl": "JSON Lines", ".parquet": "Parquet"}

#: Extensions of report files (``readiness report -o``), named in the error of ``--out``.
_REPORT_SUFFIXES = frozenset({".json", ".md", ".markdown", ".html", ".htm", ".txt"})

#: Progress is shown on a terminal only when there are more files than this.
PROGRESS_MIN_FILES = 20


class _Progress:
    """A counter line on standard error, only on a terminal and for many inputs.

    ``total`` is ``None`` when it is not known in advance (JSON Lines input).
    """

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.on = (total is None or total > PROGRESS_MIN_FILES) and sys.stderr.isatty()

    def show(self, done: int) -> None:
        if self.on:
            of = "" if self.total is None else f"/{self.total}"
            sys.stderr.write(f"\rreadiness: scoring {done}{of}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.on:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


class _NothingToWriteError(Exception):
    """No input could be scored: the output is not replaced."""


class _TableWriter:
    """Writes chunks of rows to one file as they come, in the format of its extension.

    Args:
        out: The output file (``.csv``, ``.jsonl`` or ``.parquet``); its extension is
            checked when the writer is made. An existing device or named pipe without
            one of these extensions (``/dev/null``) gets CSV.

    Raises:
        ReportError: A directory, an unknown extension, or Parquet without pyarrow.
    """

    def __init__(self, out: str) -> None:
        self.out = out
        self.suffix = Path(out).suffix.lower()
        kind = _file_kind(out)
        if kind == "directory":
            raise ReportError(
                "is a directory; --out writes a table of scores to a file (e.g. "
                f"{Path(out) / 'scores.csv'})",
                source=out,
            )
        if kind == "stream" and self.suffix not in TABLE_FORMATS:
            self.suffix = ".csv"  # /dev/null, /dev/stdout, a named pipe: CSV
        if self.suffix not in TABLE_FORMATS:
            known = ", ".join(TABLE_FORMATS)
            hint = (
                "; to write a report to a file, use readiness report FILE -o OUT"
                if self.suffix in _REPORT_SUFFIXES
                else ""
            )
            raise ReportError(
                f"--out writes a table of scores and cannot tell its format from the "
                f"extension {self.suffix or '(none)'!r}; use one of {known}{hint}",
                source=out,
            )
        if self.suffix == ".parquet":
            try:
                importlib.import_module("pyarrow")
            except ImportError:
                raise ReportError(
                    "writing Parquet needs pyarrow: pip install 'readiness[parquet]' "
                    "(or write .csv or .jsonl)",
                    source=out,
                ) from None

    def write(self, path: Path, chunks: Iterable[pd.DataFrame | PlainRows], rubric: Rubric) -> int:
        """Write every chunk to ``path``; returns the number of rows. CSV takes chunks
        of either kind (:class:`readiness.batch.PlainRows` are written without pandas,
        the same bytes as a table's ``to_csv``); JSON Lines and Parquet, tables.

        Raises:
            _NothingToWriteError: No chunk had a row (``path`` then holds nothing useful).
        """
        from readiness.batch import PlainRows

        rows = 0
        if self.suffix == ".parquet":
            return self._parquet(path, chunks, rubric)  # type: ignore[arg-type]
        with open(path, "w", encoding="utf-8", newline="") as stream:
            for chunk in chunks:
                if isinstance(chunk, PlainRows):  # CSV only
                    _plain_csv(stream, chunk, header=rows == 0)
                elif self.suffix == ".csv":
                    formulas_as_text(chunk).to_csv(
                        stream, index=False, header=rows == 0, lineterminator="\n"
                    )
                else:
                    stream.write(chunk.to_json(orient="records", lines=True, force_ascii=False))
                rows += len(chunk)
        if not rows:
            raise _NothingToWriteError
        return rows

    def _parquet(self, path: Path, chunks: Iterable[pd.DataFrame], rubric: Rubric) -> int:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from readiness.batch import arrow_schema

        schema = arrow_schema(rubric)
        rows = 0
        with pq.ParquetWriter(path, schema) as writer:
            for chunk in chunks:
                writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))
                rows += len(chunk)
        if not rows:
            raise _NothingToWriteError
        return rows


def _column(chunk: pd.DataFrame | PlainRows, name: str) -> list[Any]:
    """One column of a chunk of rows (either kind) as Python values."""
    from readiness.batch import PlainRows

    return chunk.values(name) if isinstance(chunk, PlainRows) else chunk[name].tolist()


def _plain_csv(stream: Any, rows: PlainRows, *, header: bool) -> None:
    """Rows written as CSV, byte for byte as ``formulas_as_text(table).to_csv(index=False,
    lineterminator="\\n")`` writes the table of the same rows: pandas' dialect of the
    ``csv`` module (minimal quoting, ``"`` doubled), a float as numpy's ``astype(str)``
    writes it and a missing one empty, text a spreadsheet would run quoted with ``'``."""
    import csv

    import numpy as np

    from readiness._text import formula_as_text

    cells = []
    for values in rows.columns.values():
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            text = values.astype(str).astype(object)
            text[np.isnan(values)] = ""
            cells.append(text.tolist())
        elif isinstance(values, np.ndarray):
            cells.append(values.tolist())
        else:
            cells.append([v if v is None else formula_as_text(v) for v in values])
    writer = csv.writer(stream, lineterminator="\n")
    if header:
        writer.writerow(rows.columns)
    writer.writerows(zip(*cells, strict=True))


def _file_kind(path: str) -> str | None:
    """``directory``, ``stream`` (a character device or a named pipe), else ``None``
    (a regular file, or nothing there yet)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(mode):
        return "directory"
    return "stream" if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) else None


def _workers(jobs: int | None, inputs: int | None) -> int:
    """The worker processes for ``--jobs`` (``None``: the default) and ``inputs`` files
    (``None``: not known, JSON Lines). A ``--jobs`` above the CPUs is capped with a note
    on standard error: thousands of processes would only exhaust the memory."""
    from readiness.batch import available_cpus, default_workers, worker_count

    count = worker_count(jobs or default_workers(), inputs, CHUNK_SIZE)
    cpus = available_cpus()
    if jobs is not None and jobs > cpus:
        why = "one per CPU" if count == cpus else f"one per {CHUNK_SIZE:,} inputs"
        sys.stderr.write(
            f"readiness: --jobs {jobs}: using {count} worker{'s' if count != 1 else ''} ({why})\n"
        )
    return count


def _inputs(files: list[str]) -> list[Any]:
    """The batch inputs: ``-`` is standard input (JSON Lines)."""
    return [sys.stdin if f == "-" else f for f in files]


def _assess_to_table(args: argparse.Namespace, files: list[str], status: int) -> int:
    """``assess --out``: score every input and write one row per partnership.

    Inputs are read, derived and scored in chunks (:mod:`readiness.batch`) and the rows
    written as they come, so memory stays flat in the number of files. Bad inputs are
    reported on standard error (or in the ``--errors`` file) and left out; the others
    are written. A line on standard error says how many were written.

    Args:
        args: The parsed ``assess`` options.
        files: The inputs (directories already expanded; ``.jsonl`` files and ``-``
            hold one partnership a line; a panel file gives its consensus row).
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
    writer = _TableWriter(args.out)
    from readiness.batch import PlainRows, rounded_scores, scored_rows
    from readiness.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    bad = _BadFiles(args.errors, all_of_them="--errors FILE")  # --format is refused here
    streams = [f == "-" or f.lower().endswith(".jsonl") for f in files]  # JSON Lines
    lines = any(streams)
    jobs = _workers(args.jobs, None if lines else len(files))
    progress = _Progress(None if lines else len(files))
    seen = {"rows": 0, "bad": 0, "twice": 0}
    duplicates = _Duplicates()
    below: list[tuple[str, float]] = []  # --fail-under: (id, overall) of the rows below it

    def on_error(exc: ReadinessError) -> None:
        progress.clear()
        seen["bad"] += 1
        bad.add(exc, exc.source or "")

    rows = scored_rows(
        _inputs(files), rubric, args.unknown_policy, args.min_coverage, CHUNK_SIZE, on_error,
        jobs, args.consensus,
    )  # fmt: skip
    # CSV is written from plain columns (pandas is never loaded); the others from tables
    plain = writer.suffix == ".csv"
    made = (c.plain(rubric) if plain else c.table(rubric) for c in rows)
    scored = (chunk for chunk in made if chunk is not None)

    def chunks() -> Iterator[pd.DataFrame | PlainRows]:
        for chunk in scored:
            ids = _column(chunk, "id")
            if args.fail_under is not None:  # on the scores before rounding, as without --out
                below.extend(
                    (pid, overall)
                    for pid, overall in zip(ids, _column(chunk, "overall"), strict=True)
                    if not overall >= args.fail_under  # NaN (no score) is below too
                )
            days, names = _column(chunk, "assessed_on"), _column(chunk, "file")
            for pid, day, name in zip(ids, days, names, strict=True):
                if (twice := duplicates.seen(pid, day, name)) is not None:
                    progress.clear()
                    seen["twice"] += 1
                    bad.add(twice, name)
            seen["rows"] += len(chunk)
            progress.show(seen["rows"] + seen["bad"])
            yield (
                chunk.rounded(rubric)
                if isinstance(chunk, PlainRows)
                else rounded_scores(chunk, rubric)
            )

    progress.show(0)
    try:
        _write_output(args.out, lambda tmp: writer.write(tmp, chunks(), rubric))
        written = True
    except _NothingToWriteError:
        written = False
    progress.clear()
    total = seen["rows"] + seen["bad"]
    bad.finish(total, "line" if all(streams) else "input" if any(streams) else "file")
    if not written:  # nothing good to write: an existing output stays as it was
        sys.stderr.write(f"readiness: nothing written to {args.out}: no input could be scored\n")
        return EXIT_INPUT
    wrote = _count(total, "partnership")
    sys.stderr.write(f"readiness: wrote {seen['rows']} of {wrote} to {args.out}\n")
    if seen["bad"] or seen["twice"]:
        status = EXIT_INPUT
    if status == EXIT_OK:
        for pid, overall in below:
            shown = "none" if math.isnan(overall) else f"{overall:.1f}"
            sys.stderr.write(
                f"readiness: {pid}: overall {shown} is below --fail-under {args.fail_under:g}\n"
            )
            status = EXIT_POLICY
    return status

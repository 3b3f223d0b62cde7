"""The ``readiness`` command.

Exit codes: 0 success; 1 a policy said no (``--fail-under``); 2 bad input or usage.
Errors are one paragraph on standard error naming the file, the JSON path and the
problem; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from readiness._atomic import atomic_path
from readiness._version import __version__
from readiness.assessment import Assessment, assess
from readiness.errors import InputError, ReadinessError, ReportError
from readiness.partnership import Partnership, load_partnership
from readiness.rubric import Rubric, available_rubrics, load_rubric, rubric_from_dict

__all__ = ["main"]

EXIT_OK, EXIT_POLICY, EXIT_INPUT = 0, 1, 2

DESCRIPTION = """\
Score how ready an international defense partnership is against a weighted,
evidence-anchored rubric, and report the gaps to its target, ranked by impact.
"""

EPILOG = """\
examples:
  readiness assess examples/partnerships/nato.json
  readiness assess examples/partnerships/aukus.json --format markdown \\
      --target technology-partnership
  readiness assess examples/partnerships/us-japan.json --explain
  readiness assess examples/partnerships/ --out scores.csv
  readiness compare examples/partnerships/nato.json examples/partnerships/us-japan.json
  readiness report examples/partnerships/nato.json --format html -o nato.html
  readiness validate my-partnership.json
  readiness schema partnership > partnership.schema.json

exit codes: 0 success, 1 below --fail-under, 2 bad input, usage or unwritable output
"""


class _Parser(argparse.ArgumentParser):
    """argparse with our error format (exit 2, one paragraph, no traceback)."""

    def error(self, message: str) -> Any:  # pragma: no cover - argparse calls exit
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"readiness: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="readiness",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"readiness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
        help="partnership JSON file(s), or directories (every *.json inside)",
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
        "--unknown-policy",
        choices=("exclude", "worst"),
        help="how unknown criteria count (default: the rubric's policy)",
    )
    p.add_argument(
        "--min-coverage",
        type=_fraction,
        metavar="FRACTION",
        help="minimum rated share (0-1) for an overall score (default: the rubric's)",
    )
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
    p.set_defaults(func=_cmd_assess)

    v = sub.add_parser(
        "validate",
        help="check partnership or rubric files without scoring",
        description="Check partnership (JSON) or rubric (YAML/JSON with 'pillars') files.",
    )
    v.add_argument("files", nargs="+", metavar="FILE")
    _rubric_option(v)
    v.set_defaults(func=_cmd_validate)

    r = sub.add_parser(
        "rubrics", help="list the shipped rubrics", description="List the shipped rubrics."
    )
    r.set_defaults(func=_cmd_rubrics)

    s = sub.add_parser(
        "schema",
        help="print the JSON Schema of a rubric or partnership file",
        description="Print the JSON Schema of a rubric or partnership file.",
    )
    s.add_argument("kind", choices=("rubric", "partnership"))
    s.set_defaults(func=_cmd_schema)
    _add_compare_parser(sub)
    _add_report_parser(sub)
    _add_derive_parser(sub)
    return parser


def _rubric_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rubric",
        metavar="R",
        help="shipped rubric name or path to a rubric file (default: defense-partnership)",
    )


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be a score between 0 and 100 (got {value:g})")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (got {value})")
    return value


def _emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _fail(exc: ReadinessError) -> None:
    sys.stderr.write(f"readiness: error: {exc}\n")


def _load(path: str, rubric: Rubric) -> Partnership:
    return load_partnership(Path(path), rubric)


def _cmd_assess(args: argparse.Namespace) -> int:
    files, status = _expand_inputs(args.files)
    if args.out is not None:
        return _assess_to_table(args, files, status)
    rubric = load_rubric(args.rubric)
    results: list[Assessment] = []
    documents: list[dict[str, Any]] = []
    for path in files:
        try:
            a = assess(
                _load(path, rubric),
                rubric,
                unknown_policy=args.unknown_policy,
                min_coverage=args.min_coverage,
            )
            if args.format == "json":
                documents.append(_assessment_json(a, args))
            else:
                output = _render_assessment(a, args)
        except ReadinessError as exc:
            _fail(exc if exc.source else exc.with_source(path))
            status = EXIT_INPUT
            continue
        if args.format != "json":
            if results:
                _emit("")
            _emit(output)
        results.append(a)
    if args.format == "json" and (documents or len(files) > 1):
        # one file: one object; several files or a folder: one JSON array
        shown: Any = documents[0] if len(files) == 1 else documents
        _emit(json.dumps(shown, indent=2, ensure_ascii=False))
    return _check_fail_under(args, results, status)


def _check_fail_under(args: argparse.Namespace, results: list[Assessment], status: int) -> int:
    """Apply ``--fail-under`` (only when every input was good); returns the exit code."""
    if status == EXIT_OK and args.fail_under is not None:
        for a in results:
            if a.overall is None or a.overall < args.fail_under:
                shown = "none" if a.overall is None else f"{a.overall:.1f}"
                sys.stderr.write(
                    f"readiness: {a.partnership.id}: overall {shown} is below "
                    f"--fail-under {args.fail_under:g}\n"
                )
                status = EXIT_POLICY
    return status


def _assessment_json(a: Assessment, args: argparse.Namespace) -> dict[str, Any]:
    """The ``--format json`` document of one assessment."""
    gaps = a.gaps(args.target)
    gap_dict = gaps.to_dict()
    data = a.to_dict() | {
        "target": {"profile": gaps.profile.id, "reason": gaps.profile_reason},
        "gaps": gap_dict["gaps"],
        "evidence_gaps": gap_dict["evidence_gaps"],
        "roadmap": gaps.roadmap().to_dict()["steps"],
    }
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


def _cmd_validate(args: argparse.Namespace) -> int:
    from readiness._io import read_document

    status = EXIT_OK
    rubric: Rubric | None = None
    for path in args.files:
        try:
            data = read_document(Path(path), InputError)
            if isinstance(data, dict) and "pillars" in data:
                checked = rubric_from_dict(data, source=path)
                _emit(
                    f"ok: {path}: rubric {checked.label}, {len(checked.pillars)} pillars, "
                    f"{len(checked.criteria)} criteria"
                )
                continue
            rubric = rubric or load_rubric(args.rubric)
            p = _load(path, rubric)
            origins = Counter(c.origin for c in assess(p, rubric).criteria)
            counts = ", ".join(
                f"{origins[o]} {o}"
                for o in ("rated", "derived", "overridden", "not-applicable", "unknown")
                if origins[o]
            )
            _emit(
                f"ok: {path}: partnership {p.id} against {rubric.label}: "
                f"{counts} (of {len(rubric.criteria)} criteria)"
            )
        except ReadinessError as exc:
            _fail(exc if exc.source else exc.with_source(path))
            status = EXIT_INPUT
    return status


def _cmd_rubrics(args: argparse.Namespace) -> int:
    for name in available_rubrics():
        r = load_rubric(name)
        profiles = ", ".join(p.id for p in r.profiles)
        _emit(
            f"{name}  {r.version}  {r.title}\n"
            f"    {len(r.pillars)} pillars, {len(r.criteria)} criteria; profiles: {profiles}"
        )
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from readiness.rubric import Rubric as RubricModel

    model = RubricModel if args.kind == "rubric" else Partnership
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:readiness:{args.kind}:{__version__}",
    } | model.model_json_schema()
    _emit(json.dumps(schema, indent=2))
    return EXIT_OK


# --- batch: many files, one table of scores ------------------------------------------

#: Output formats of ``assess --out``, by file extension.
TABLE_FORMATS = {".csv": "CSV", ".jsonl": "JSON Lines", ".parquet": "Parquet"}

#: Progress is shown on a terminal only when there are more files than this.
PROGRESS_MIN_FILES = 20

_ROW_COLUMNS = (
    "id",
    "name",
    "kind",
    "file",
    "overall",
    "band",
    "coverage",
    "lower",
    "upper",
    "gates_failed",
)


def _usage_error(message: str) -> int:
    """Report a usage problem found after parsing; returns ``EXIT_INPUT``."""
    sys.stderr.write(f"readiness: error: {message}\n")
    return EXIT_INPUT


def _expand_inputs(paths: Sequence[str]) -> tuple[list[str], int]:
    """Replace directory arguments by the ``*.json`` files inside them.

    Args:
        paths: File and directory arguments, in command-line order.

    Returns:
        The files in order (a directory's files sorted by name, hidden files left
        out), and ``EXIT_INPUT`` when a directory held no JSON file (reported on
        standard error), else ``EXIT_OK``.
    """
    files: list[str] = []
    status = EXIT_OK
    for arg in paths:
        folder = Path(arg)
        if not folder.is_dir():
            files.append(arg)
            continue
        found = sorted(
            f for f in folder.glob("*.json") if f.is_file() and not f.name.startswith(".")
        )
        if not found:
            _fail(InputError("the directory has no *.json file", source=arg))
            status = EXIT_INPUT
        files += [str(f) for f in found]
    return files, status


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
    """One row of ``assess --out``: who, which file, the scores, and each pillar."""
    p = a.partnership
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "file": path,
        "overall": a.overall,
        "band": a.band.id if a.band else None,
        "coverage": a.coverage,
        "lower": a.lower,
        "upper": a.upper,
        "gates_failed": len(a.failed_gates),
    } | {pillar.id: pillar.score for pillar in a.pillars}


def _scores_table(rows: list[dict[str, Any]], rubric: Rubric) -> pd.DataFrame:
    """The rows as a frame with fixed columns and types (also when there is no row)."""
    pillars = [p.id for p in rubric.pillars]
    frame = pd.DataFrame(rows, columns=[*_ROW_COLUMNS, *pillars])
    numbers = dict.fromkeys(("overall", "coverage", "lower", "upper", *pillars), "float64")
    frame = frame.astype({**numbers, "gates_failed": "int64"})
    # scores to 4 decimals: no 74.99999999999999 in a spreadsheet; coverage keeps 4 too
    return frame.round(dict.fromkeys(numbers, 4))


def _write_output(out: str, write: Callable[[Path], object]) -> None:
    """Write an output file atomically.

    Args:
        out: The file to create or replace.
        write: Writes the whole content to the temporary path it is given.

    Raises:
        ReportError: The file cannot be written (the message names it); an existing
            file is left unchanged and no temporary file is left behind.
    """
    try:
        with atomic_path(out) as tmp:
            write(tmp)
    except OSError as exc:
        raise ReportError(f"cannot write: {exc.strerror or exc}", source=out) from None


def _assess_to_table(args: argparse.Namespace, files: list[str], status: int) -> int:
    """``assess --out``: score every file and write one row per partnership.

    Bad files are reported on standard error and left out; the others are written.

    Args:
        args: The parsed ``assess`` options.
        files: The input files (directories already expanded).
        status: ``EXIT_INPUT`` when expanding the inputs already found a problem.

    Returns:
        ``EXIT_INPUT`` when any input was bad, else ``EXIT_POLICY`` when a score is
        below ``--fail-under``, else ``EXIT_OK``.

    Raises:
        ReportError: Unknown output extension, Parquet without pyarrow, or the output
            cannot be written.
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
    rubric = load_rubric(args.rubric)
    rows: list[dict[str, Any]] = []
    results: list[Assessment] = []
    progress = _Progress(len(files))
    for i, path in enumerate(files):
        progress.show(i)
        try:
            a = assess(
                _load(path, rubric),
                rubric,
                unknown_policy=args.unknown_policy,
                min_coverage=args.min_coverage,
            )
        except ReadinessError as exc:
            progress.clear()
            _fail(exc if exc.source else exc.with_source(path))
            status = EXIT_INPUT
            continue
        rows.append(_score_row(a, path))
        results.append(a)
    progress.show(len(files))
    progress.clear()
    if not rows:  # nothing good to write: an existing output stays as it was
        sys.stderr.write(f"readiness: nothing written to {args.out}: no input could be scored\n")
        return EXIT_INPUT
    frame = _scores_table(rows, rubric)
    _write_output(args.out, lambda tmp: writer(frame, tmp))
    sys.stderr.write(
        f"readiness: wrote {len(rows)} of {len(files)} partnerships to {args.out}\n"
        if len(rows) < len(files)
        else ""
    )
    return _check_fail_under(args, results, status)


# --- compare ------------------------------------------------------------------------


def _add_compare_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``compare`` command."""
    c = sub.add_parser(
        "compare",
        help="put partnerships side by side, and show what changed between dates",
        description=(
            "Score partnership files and show their pillar and overall scores side by "
            "side. Files of the same partnership with different assessed_on dates also "
            "get a 'what changed' section (criteria, pillars, overall), in date order. "
            "When any file is bad nothing is compared (exit 2)."
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


def _cmd_compare(args: argparse.Namespace) -> int:
    """Score the files and print their comparison (nothing when a file is bad).

    Returns:
        ``EXIT_OK``, or ``EXIT_INPUT`` when any input was bad.

    Raises:
        ReadinessError: The rubric cannot be loaded.
    """
    from readiness.compare import compare

    files, status = _expand_inputs(args.files)
    rubric = load_rubric(args.rubric)
    results: list[Assessment] = []
    for path in files:
        try:
            results.append(assess(_load(path, rubric), rubric))
        except ReadinessError as exc:
            _fail(exc if exc.source else exc.with_source(path))
            status = EXIT_INPUT
    if status != EXIT_OK or not results:
        return EXIT_INPUT
    comparison = compare(results)
    if args.format == "json":
        _emit(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        _emit(comparison.to_markdown())
    else:
        _emit(comparison.to_text())
    return EXIT_OK


# --- report -------------------------------------------------------------------------

_REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}


def _add_report_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``report`` command."""
    r = sub.add_parser(
        "report",
        help="write the full report of one partnership as HTML, Markdown or JSON",
        description="Score one partnership file and write its full report.",
    )
    r.add_argument("file", metavar="FILE", help="partnership JSON file")
    r.add_argument(
        "--format",
        choices=("html", "markdown", "json"),
        help="report format (default: from the extension of -o: .html, .md or .json; "
        "else markdown)",
    )
    r.add_argument(
        "-o",
        "--out",
        metavar="OUT",
        help="write the report to OUT (replaced atomically) instead of standard output",
    )
    r.add_argument(
        "--target",
        metavar="PROFILE",
        help="target profile id (default: the file's target, else the one its kind selects)",
    )
    _rubric_option(r)
    r.set_defaults(func=_cmd_report)


def _render_report(a: Assessment, target: str | None, fmt: str) -> str:
    """Build the report model of ``a`` and render it.

    Args:
        a: The assessment.
        target: The target profile id, or ``None`` for the default.
        fmt: ``html``, ``json`` or ``markdown``.

    Returns:
        The rendered report.

    Raises:
        ReadinessError: Unknown target profile, or the report cannot be rendered.
    """
    from readiness.report import build_report, render_markdown

    report = build_report(a, target)
    if fmt == "html":
        from readiness.report import render_html

        return render_html(report)
    if fmt == "json":
        from readiness.report import render_json

        return render_json(report)
    return render_markdown(report)


def _cmd_report(args: argparse.Namespace) -> int:
    """Score one file and write (or print) its full report.

    Returns:
        ``EXIT_OK``, or ``EXIT_INPUT`` when the format cannot be told from ``-o``.

    Raises:
        ReadinessError: Bad input (named by file) or an output that cannot be written.
    """
    out: str | None = args.out
    fmt = args.format or (_REPORT_SUFFIXES.get(Path(out).suffix.lower()) if out else None)
    if out is not None and fmt is None:
        known = ", ".join(sorted(_REPORT_SUFFIXES))
        return _usage_error(
            f"cannot tell the report format from the extension of {out!r}: "
            f"use one of {known} or give --format"
        )
    rubric = load_rubric(args.rubric)
    try:
        a = assess(_load(args.file, rubric), rubric)
        text = _render_report(a, args.target, fmt or "markdown")
    except ReadinessError as exc:
        raise (exc if exc.source else exc.with_source(args.file)) from None
    text = text if text.endswith("\n") else text + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        _write_output(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return EXIT_OK


# --- derive -------------------------------------------------------------------------


def _add_derive_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``derive`` command."""
    d = sub.add_parser(
        "derive",
        help="show the levels a partnership's facts give, rule by rule",
        description=(
            "Print, for every criterion with a derive rule, the level the partnership's "
            "facts give, how (the rule and the fact values it read), and whether a rating "
            "in the file overrides it."
        ),
    )
    d.add_argument("file", metavar="FILE", help="partnership JSON file")
    _rubric_option(d)
    d.set_defaults(func=_cmd_derive)


def _cmd_derive(args: argparse.Namespace) -> int:
    """Print each derived level with its rule and facts.

    Returns:
        0, or 2 when the file is bad.
    """
    from readiness.derive import derive_partnership

    rubric = load_rubric(args.rubric)
    try:
        p = _load(args.file, rubric)
    except ReadinessError as exc:
        _fail(exc if exc.source else exc.with_source(args.file))
        return EXIT_INPUT
    if p.facts is None:
        _emit(f"{p.id}: no facts in {args.file}; nothing to derive")
        return EXIT_OK
    derived = derive_partnership(p, rubric)
    as_of = p.assessed_on.isoformat() if p.assessed_on else "today"
    lines = [f"{p.id}: levels derived from facts as of {as_of}, rubric {rubric.label}", ""]
    counts = {"derived": 0, "overridden": 0, "unknown": 0}
    for cid, d in derived.items():
        level = "-" if d.level is None else str(d.level)
        rating = p.ratings.get(cid)
        if d.level is None:
            counts["unknown"] += 1
        elif rating is not None and rating.level != d.level:
            counts["overridden"] += 1
        else:
            counts["derived"] += 1
        rated = "" if rating is None else f"  (file rates {rating.level})"
        lines.append(f"{cid:<40} {level:>2}  {d.text}{rated}")
        lines.append(f"{'':<44}rule: {d.rule.describe()}")
    lines += [
        "",
        f"{len(derived)} rules: {counts['derived']} give a level, {counts['overridden']} "
        f"overridden by a rating, {counts['unknown']} unknown (facts missing)",
    ]
    _emit("\n".join(lines))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``readiness`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ReadinessError as exc:
        _fail(exc)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `readiness assess ... | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

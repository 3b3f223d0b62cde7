"""``readiness weights``: a rubric's weights from the judgements of its owners."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness._text import json_neutralise
from readiness.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    _check_outputs,
    _emit,
    _fail,
    _rubric_option,
    _write_output,
)
from readiness.errors import InputError, ReadinessError

if TYPE_CHECKING:
    from readiness.rubric import Rubric
    from readiness.weights import Elicitation

__all__ = ["add_parser", "elicit_files"]

EPILOG = """\
examples:
  readiness template --weights -o ana.xlsx          # a questionnaire with a Weights sheet
  readiness weights ana.xlsx ben.xlsx chen.csv -o rubric-elicited.yaml
  readiness weights ana.json --format json
  readiness robustness nato.json --weights ana.xlsx ben.xlsx chen.csv

Each FILE is one assessor's filled weight sheet (AHP comparisons, or a swing sheet with
readiness template --weights swing); all files use the same method. The group's weights
are the geometric mean of the judgements (AHP's aggregation of individual judgements) or
the mean of the swing weights. -o writes the rubric with those weights (version marked
+custom, a variant); give it to any command with --rubric.
"""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``weights`` command."""
    p = sub.add_parser(
        "weights",
        help="derive rubric weights from assessors' pairwise comparisons or swings",
        description=(
            "Read filled weight sheets (readiness template --weights), one per assessor, "
            "and report each assessor's weights and consistency (Saaty's consistency ratio "
            "and the judgements furthest from the weights), the group's weights and the "
            "spread between assessors; -o writes the rubric variant with the group's "
            "weights. When any file is bad nothing is derived (exit 2)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="filled weight sheets (xlsx, csv, json)"
    )
    _rubric_option(p)
    p.add_argument(
        "-o",
        "--out",
        metavar="RUBRIC_OUT",
        help="write the rubric with the group's weights here (.yaml, .yml or .json)",
    )
    p.add_argument(
        "--format",
        choices=("table", "markdown", "json", "html"),
        default="table",
        help="format of the report on standard output (default: table)",
    )
    p.set_defaults(func=_cmd_weights)


def elicit_files(files: Sequence[str], rubric: Rubric) -> Elicitation:
    """The elicitation of ``rubric``'s weights from filled weight sheets.

    Raises:
        InputError: Every problem of every file (each named by its file and cell).
    """
    from readiness.io.weight_sheets import read_judgements
    from readiness.weights import Judgements, elicit

    judgements: list[Judgements] = []
    problems = []
    for path in files:
        try:
            judgements.append(read_judgements(path, rubric))
        except InputError as exc:
            problems += [p if p.file else _in_file(p, path) for p in exc.problems]
    if problems:
        raise InputError(problems, source=files[0] if len(files) == 1 else None)
    methods = {j.method: j.source for j in judgements}
    if len(methods) > 1:
        raise InputError(
            "the sheets mix AHP comparisons and swings ("
            + "; ".join(f"{m}: {src}" for m, src in methods.items())
            + "); give one method for the group"
        )
    return elicit(rubric, judgements)


def _in_file(problem: Any, path: str) -> Any:
    from dataclasses import replace

    return replace(problem, file=path)


def _cmd_weights(args: argparse.Namespace) -> int:
    """Derive the weights and print the report (and write the rubric variant).

    Returns:
        ``EXIT_OK``, or ``EXIT_INPUT`` when a sheet was bad.

    Raises:
        ReadinessError: The rubric cannot be loaded or the output not written.
    """
    _check_outputs(args, args.files, ("-o", args.out))
    from readiness.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    try:
        result = elicit_files(args.files, rubric)
    except ReadinessError as exc:
        _fail(exc)
        return EXIT_INPUT
    if args.out:
        variant = result.weighted_rubric()
        write_rubric(args.out, variant)
        sys.stderr.write(f"readiness: wrote the rubric {variant.label} to {args.out}\n")
    if args.format == "json":
        _emit(json_neutralise(json.dumps(result.to_dict(), indent=2, ensure_ascii=False)))
    elif args.format == "markdown":
        _emit(result.to_markdown())
    elif args.format == "html":
        from readiness.report.page import render_page

        _emit(render_page(result.to_document()))
    else:
        _emit(result.to_text())
    return EXIT_OK


def write_rubric(out: str, rubric: Rubric) -> None:
    """Write ``rubric`` as YAML (``.yaml``/``.yml``) or JSON (anything else)."""
    data = rubric.model_dump(mode="json", exclude_none=True)
    if Path(out).suffix.lower() in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    _write_output(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))

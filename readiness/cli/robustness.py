"""``readiness robustness``: how far scores, bands and ranks can be trusted."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    _check_outputs,
    _emit,
    _expand_inputs,
    _fail,
    _load,
    _number_in,
    _output_format,
    _page_format_option,
    _rubric_option,
    _write_output,
)
from readiness.errors import InputError, ReadinessError

if TYPE_CHECKING:
    from readiness.robustness import Choices
    from readiness.rubric import Rubric

__all__ = ["add_parser"]


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"must be from 1 to 1,000,000 (got {value})")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {value})")
    return value


def _concentration(text: str) -> float:
    return _number_in(text, 0.01, float("inf"), "a concentration")


def _sobol_n(text: str) -> int:
    from readiness._limits import MAX_SOBOL_N

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 64 <= value <= MAX_SOBOL_N or value & (value - 1):
        raise argparse.ArgumentTypeError(
            f"must be a power of 2 from 64 to {MAX_SOBOL_N:,} (got {value})"
        )
    return value


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``robustness`` command."""
    c = sub.add_parser(
        "robustness",
        help="band probabilities, rank intervals, Sobol sensitivity and weight margins",
        description=(
            "Score partnership files under many sets of choices an analyst could defend "
            "(pillar and criterion weights drawn from a Dirichlet around the rubric's, "
            "arithmetic or geometric aggregation, exclude or worst unknown policy, "
            "low-confidence ratings within one level) and report, per partnership, the "
            "probability of each band, the 5-95% score and rank intervals, the Sobol "
            "indices of each choice and the exact margins of each pillar weight; for "
            "several files also the probability that one ranks above another and a "
            "coherence audit of the rubric. Seeded: the same seed gives the same report. "
            "When any file is bad nothing is analysed (exit 2)."
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
        "--samples",
        type=_count,
        default=10_000,
        metavar="N",
        help="sets of choices to sample (default: 10000)",
    )
    c.add_argument(
        "--seed", type=_seed, default=0, metavar="S", help="seed of the random draws (default: 0)"
    )
    c.add_argument(
        "--concentration",
        type=_concentration,
        default=None,
        metavar="C",
        help="Dirichlet concentration of the weights: larger keeps them closer "
        "to the rubric's (default: 100, or what --weights implies)",
    )
    c.add_argument(
        "--weights",
        nargs="+",
        action="extend",
        metavar="SHEET",
        help="filled weight sheets of two or more assessors (readiness template --weights; "
        "after the partnership files): the spread between their weights sets the "
        "concentrations instead of 100 (method of moments), and the report says so; "
        "give --rubric the rubric readiness weights -o wrote to centre on their weights",
    )
    c.add_argument(
        "--sobol",
        type=_sobol_n,
        default=512,
        metavar="N",
        help="base sample size of the Sobol estimate, a power of 2 from 64 to 65536 "
        "(default: 512); with many files the most that fits is smaller, and the error says it",
    )
    _page_format_option(c)
    c.add_argument(
        "-o",
        "--out",
        metavar="OUT",
        help="write to this file (atomically) instead of standard output",
    )
    c.set_defaults(func=_cmd_robustness)


def _choices(args: argparse.Namespace, rubric: Rubric) -> Choices:
    """The choices to vary: ``--concentration``, or what ``--weights`` implies.

    Raises:
        InputError: Both given, a weight sheet is bad, or fewer than two assessors.
    """
    from readiness.robustness import Choices, Elicited

    if not args.weights:
        return Choices(concentration=100.0 if args.concentration is None else args.concentration)
    if args.concentration is not None:
        raise InputError(
            "--concentration and --weights both set the concentration; give one of them"
        )
    from readiness.cli.weights import elicit_files

    e = elicit_files(args.weights, rubric)
    if e.concentration is None:
        raise InputError(
            "the weights of one assessor have no spread to set a concentration from; give "
            "the sheets of two or more assessors (or --concentration)",
            source=args.weights[0],
        )
    return Choices(
        concentration=e.concentration,
        # criteria nobody compared keep the default spread
        criterion_concentration=(
            100.0 if e.criterion_concentration is None else e.criterion_concentration
        ),
        elicited=Elicited(
            len(e.assessors), e.method, tuple(args.weights), e.criterion_concentration is not None
        ),
    )


def _cmd_robustness(args: argparse.Namespace) -> int:
    """Analyse the files and print or write the report (nothing when a file is bad).

    Returns:
        ``EXIT_OK``, or ``EXIT_INPUT`` when any input was bad.

    Raises:
        ReadinessError: The rubric cannot be loaded or the report not written.
    """
    _check_outputs(args, [*args.files, *(args.weights or [])], ("-o", args.out))
    from readiness.assessment import Assessment, assess
    from readiness.audit import audit
    from readiness.document import document_data, render_markdown, render_text
    from readiness.robustness import robustness
    from readiness.rubric import load_rubric

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
    choices = _choices(args, rubric)
    r = robustness(results, samples=args.samples, seed=args.seed, n=args.sobol, choices=choices)
    checked = audit(results) if len(results) >= 3 else None
    doc = r.to_document()
    if checked is not None:
        doc = doc.with_sections(checked.to_document().as_section("audit"))
    fmt = _output_format(args.format, args.out)
    if fmt == "json":
        data = document_data(doc) | ({} if checked is not None else {"audit": None})
        text = json.dumps(data, indent=2, ensure_ascii=False)
    elif fmt == "markdown":
        text = render_markdown(doc)
    elif fmt == "html":
        from readiness.report.page import render_page

        text = render_page(doc)
    else:
        text = render_text(doc)
    if args.out:
        content = text if text.endswith("\n") else text + "\n"
        _write_output(args.out, lambda tmp: Path(tmp).write_text(content, encoding="utf-8"))
    else:
        _emit(text)
    return EXIT_OK

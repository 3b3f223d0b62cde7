"""``readiness robustness``: how far scores, bands and ranks can be trusted."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

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
    _rubric_option,
    _write_output,
)
from readiness.errors import ReadinessError

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


_CSS = """body{font-family:system-ui,sans-serif;color:#1f2937;max-width:60rem;margin:2rem auto;
padding:0 1rem}table{border-collapse:collapse;margin:1rem 0}td,th{padding:.25rem .6rem;
border-bottom:1px solid #e5e7eb}figure{margin:1rem 0}svg.chart{width:100%;height:auto}"""


def _page(title: str, body: str) -> str:
    """A self-contained HTML page around a document's fragment."""
    import html

    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style></head><body>\n"
        f"{body}\n</body></html>\n"
    )


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
        default=100.0,
        metavar="C",
        help="Dirichlet concentration of the weights: larger keeps them closer "
        "to the rubric's (default: 100)",
    )
    c.add_argument(
        "--sobol",
        type=_sobol_n,
        default=512,
        metavar="N",
        help="base sample size of the Sobol estimate, a power of 2 from 64 to 65536 "
        "(default: 512); with many files the most that fits is smaller, and the error says it",
    )
    c.add_argument(
        "--format",
        choices=("table", "markdown", "json", "html"),
        default=None,
        help="output format (default: from the extension of -o: .md, .json, .html; else table)",
    )
    c.add_argument(
        "-o",
        "--out",
        metavar="OUT",
        help="write to this file (atomically) instead of standard output",
    )
    c.set_defaults(func=_cmd_robustness)


def _cmd_robustness(args: argparse.Namespace) -> int:
    """Analyse the files and print or write the report (nothing when a file is bad).

    Returns:
        ``EXIT_OK``, or ``EXIT_INPUT`` when any input was bad.

    Raises:
        ReadinessError: The rubric cannot be loaded or the report not written.
    """
    _check_outputs(args, args.files, ("-o", args.out))
    from readiness.assessment import Assessment, assess
    from readiness.audit import audit
    from readiness.document import document_data, render_html, render_markdown, render_text
    from readiness.robustness import Choices, robustness
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
    choices = Choices(concentration=args.concentration)
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
        text = _page(doc.title, render_html(doc))
    else:
        text = render_text(doc)
    if args.out:
        content = text if text.endswith("\n") else text + "\n"
        _write_output(args.out, lambda tmp: Path(tmp).write_text(content, encoding="utf-8"))
    else:
        _emit(text)
    return EXIT_OK

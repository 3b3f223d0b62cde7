"""``readiness plan``: the cheapest levels that take a partnership to a band or score."""

from __future__ import annotations

import argparse
import json
from typing import Any

from readiness.cli._common import (
    EXIT_OK,
    _assess_file,
    _check_outputs,
    _emit,
    _output_format,
    _page_format_option,
    _rubric_option,
    _scoring_options,
    _write_output,
)

__all__ = ["add_parser"]

EPILOG = """\
examples:
  readiness plan examples/partnerships/quad.json --to advanced
  readiness plan examples/partnerships/quad.json --to advanced --unknown rate-first
  readiness plan examples/partnerships/anzus.json --to advanced --confidence 0.9
  readiness plan examples/partnerships/fpda.json --to 75 --format markdown
  readiness plan examples/partnerships/fpda.json --budget 20 --format json
  readiness plan examples/partnerships/fpda.json --frontier --format markdown
  readiness plan examples/partnerships/fpda.json --to advanced --format html -o plan.html

exit codes: 0 a plan (or a proof that none reaches the target), 2 bad input
"""


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of effort units >= 0 (got {text})")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a probability in (0, 1] (got {text})")
    return value


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``plan`` command."""
    c = sub.add_parser(
        "plan",
        help="the least effort that reaches a band or score (or the best score in a budget)",
        description=(
            "Find, for each criterion, the level to reach so that the partnership reaches "
            "a band or a score at the least effort (the rubric's effort sizes per level "
            "step), honouring gates and prerequisites; solved exactly and proven cheapest, "
            "or said why not. With --budget: the highest score within the budget. Each "
            "step is explained in the rubric's words. Unrated criteria are planned on the "
            "lower bound (level 0, default) or left for rating (--unknown rate-first)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("file", metavar="FILE", help="a partnership JSON file")
    c.add_argument(
        "--to",
        metavar="TARGET",
        help="a band id or name (e.g. advanced) or a score 0-100 (e.g. 75)",
    )
    c.add_argument("--budget", type=_budget, metavar="N", help="effort units available")
    c.add_argument(
        "--unknown",
        choices=("lower", "rate-first"),
        default="lower",
        help="unrated criteria: plan on the lower bound (level 0; default) or rate them "
        "first and plan on the point score",
    )
    c.add_argument(
        "--confidence",
        type=_probability,
        metavar="P",
        help="the cheapest plan that reaches --to with probability at least P (e.g. 0.9) "
        "over the unknown and low-confidence criteria, shown beside the plan on the lower "
        "bound (exact when the completions can be enumerated, else over --samples draws)",
    )
    c.add_argument(
        "--samples",
        type=int,
        default=100,
        metavar="N",
        help="with --confidence: completions drawn when there are too many to enumerate "
        "(default 100)",
    )
    c.add_argument(
        "--seed", type=int, default=0, help="with --confidence: seed of the draws (default 0)"
    )
    c.add_argument(
        "--profile",
        metavar="P",
        help="profile whose levels prerequisites refer to (default: as the gap report)",
    )
    c.add_argument(
        "--frontier",
        action="store_true",
        help="print the effort-score frontier (every plan not beaten on both) instead",
    )
    _rubric_option(c)
    _scoring_options(c)
    _page_format_option(c)
    c.add_argument("-o", "--out", metavar="PATH", help="write to PATH instead of stdout")
    c.set_defaults(func=_cmd_plan)


def _cmd_plan(args: argparse.Namespace) -> int:
    """Plan one file and print (or write) the plan or the frontier.

    Raises:
        ReadinessError: Bad input (file, rubric, target, budget); exit 2.
    """
    _check_outputs(args, [args.file], ("-o", args.out))
    from readiness.errors import InputError, Problem
    from readiness.plan import frontier, plan
    from readiness.rubric import load_rubric

    if args.to is None and args.budget is None and not args.frontier:
        raise InputError(
            [Problem("--to", "give --to TARGET, --budget N, both, or --frontier")],
            source="readiness plan",
        )
    rubric = load_rubric(args.rubric)
    a = _assess_file(args.file, rubric, args)
    result: Any
    if args.confidence is not None:
        if args.to is None or args.budget is not None or args.frontier:
            raise InputError(
                [Problem("--confidence", "goes with --to TARGET only (no --budget, --frontier)")],
                source="readiness plan",
            )
        from readiness.plan import chance_plan

        result = chance_plan(
            a, args.to, args.confidence, samples=args.samples, seed=args.seed, profile=args.profile
        )
    elif args.frontier:
        result = frontier(a, unknown=args.unknown, profile=args.profile)
    else:
        result = plan(a, args.to, args.budget, unknown=args.unknown, profile=args.profile)
    text = _format(result, _output_format(args.format, args.out))
    if args.out:
        _write_output(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    else:
        _emit(text)
    return EXIT_OK


def _format(result: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return str(result.to_markdown())
    if fmt == "html":
        from readiness.report.page import render_page

        return render_page(result.to_document())
    return str(result.to_text())

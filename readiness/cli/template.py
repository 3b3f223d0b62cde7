"""``readiness template``: write a questionnaire of a rubric for assessors to fill in."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from readiness.cli._common import EXIT_OK, _check_outputs, _rubric_option

__all__ = ["add_parser"]

EPILOG = """\
examples:
  readiness template -o aukus.xlsx                       # needs readiness[xlsx]
  readiness template --partnership aukus.json -o aukus-questionnaire.xlsx
  readiness template --format csv -o questionnaire.csv

Fill in level (0-4, not-applicable, unknown; blank: not rated), confidence, evidence,
source, date, url, note and justification; for more evidence on a criterion add a row
with the same id and only the evidence columns. Read it back with `readiness import`
(or give it to `agreement`, `assess`, `report`).

With --partnership the questionnaire also carries the file's facts, status, members
(with their dates), established and description, which are scored (xlsx: sheet Facts;
csv: a facts section; json: a facts object). They are not to be edited: their SHA-256
is checked when the questionnaire is read.

With --weights the questionnaire also asks for the weights (xlsx: sheet Weights; csv: a
weights section after the criteria table; json: a weights object): AHP pairwise
comparisons on Saaty's 1-9 scale, or with --weights swing a rank and a rating per pillar.
Read them with `readiness weights FILE...`.
"""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``template`` command."""
    p = sub.add_parser(
        "template",
        help="write a questionnaire (xlsx, csv or json) for assessors to fill in",
        description="Write a questionnaire of a rubric: a cover for the partnership and "
        "the assessor, one row per criterion with its question and five level descriptors.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument(
        "--format",
        choices=("xlsx", "csv", "json"),
        help="questionnaire format (default: from the extension of -o)",
    )
    p.add_argument(
        "--partnership",
        metavar="FILE",
        help="fill the cover (and any ratings) from this partnership JSON file, and carry "
        "its facts, status, members with their dates, established and description, which "
        "every verb reading the questionnaire scores with",
    )
    p.add_argument(
        "--weights",
        nargs="?",
        const="ahp",
        choices=("ahp", "swing"),
        help="add a weight sheet for readiness weights: ahp (the default; pairwise "
        "comparisons of pillars and of the criteria in each pillar) or swing (a rank and "
        "a rating per pillar)",
    )
    _rubric_option(p)
    p.set_defaults(func=_cmd_template)


def _cmd_template(args: argparse.Namespace) -> int:
    _check_outputs(args, [args.partnership] if args.partnership else [], ("-o", args.out))
    from readiness.io.template import write_template
    from readiness.partnership import load_partnership
    from readiness.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    partnership = None if args.partnership is None else load_partnership(args.partnership, rubric)
    kind = write_template(
        args.out, rubric, fmt=args.format, partnership=partnership, weights=args.weights
    )
    article = "an" if kind[:1] in ("a", "e", "i", "o", "x") else "a"  # an xlsx, a csv
    sheet = "" if args.weights is None else f" with an {args.weights.upper()} weight sheet"
    if args.weights == "swing":
        sheet = " with a swing weight sheet"
    sys.stderr.write(
        f"readiness: wrote {article} {kind} questionnaire of {len(rubric.criterion_ids)} criteria "
        f"(rubric {rubric.label}){sheet} to {args.out}\n"
    )
    return EXIT_OK

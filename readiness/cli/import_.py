"""``readiness import``: filled questionnaires back to a partnership or a panel file."""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from typing import Any

from readiness.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    _check_outputs,
    _fail,
    _guarded,
    _rubric_option,
    _write_output,
)
from readiness.cli.agreement import PARTNERSHIP_HELP, RULES

__all__ = ["add_parser"]

EPILOG = """\
examples:
  readiness import filled.xlsx -o partnership.json       # one assessor: a partnership
  readiness import ann.xlsx bob.xlsx cy.csv -o panel.json  # several: a panel file
  readiness import ann.xlsx bob.csv -o panel.json --partnership aukus.json
  readiness assess panel.json                            # the consensus, agreement, gaps

A questionnaire written by `readiness template --partnership FILE` carries that file's
facts, status, members (with their dates), established and description, and the result
keeps them; --partnership FILE takes them from a partnership file instead (a blank
template carries none).

Errors name the sheet and cell (Criteria!E14), the csv line and column, or the JSON path;
every file's problems are reported at once, and --errors FILE keeps all of them.
Limits (docs/cli.md, "Input safety"): 50 MB a file, 50 MB a part of an xlsx archive once
expanded, 10,000 rows, 100 columns, 32,767 characters a cell, 1,000 assessors.
"""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``import`` command."""
    p = sub.add_parser(
        "import",
        help="read filled questionnaires back into a partnership or panel JSON file",
        description="Read one filled questionnaire (xlsx, csv or json) into a partnership "
        "file, or several assessors' questionnaires of one partnership into a panel file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="filled questionnaire(s)")
    p.add_argument(
        "-o", "--out", required=True, metavar="OUT", help="the JSON file to write (atomically)"
    )
    p.add_argument(
        "--panel",
        action="store_true",
        help="write a panel file even for one questionnaire (keeps organisation and side)",
    )
    p.add_argument(
        "--consensus",
        choices=RULES,
        default="median",
        help="the consensus rule recorded in a panel file (default: median)",
    )
    p.add_argument("--partnership", metavar="FILE", help=PARTNERSHIP_HELP)
    p.add_argument(
        "--errors",
        metavar="FILE",
        help="write every problem of the files that cannot be read to FILE (JSON Lines, "
        "one object per file: file, error, problems; replaced atomically) instead of "
        "listing the first 20 on standard error",
    )
    _rubric_option(p)
    p.set_defaults(func=_cmd_import)


def _cmd_import(args: argparse.Namespace) -> int:
    inputs = [*args.files, *([args.partnership] if args.partnership else [])]
    _check_outputs(args, inputs, ("-o", args.out), ("--errors", args.errors))
    from readiness._limits import MAX_ASSESSORS
    from readiness.cli.agreement import QuestionnaireFacts
    from readiness.errors import InputError, ReadinessError
    from readiness.io.questionnaire import panel_from_questionnaires
    from readiness.rubric import load_rubric

    if len(args.files) > MAX_ASSESSORS:
        raise InputError(
            f"{len(args.files):,} questionnaires; a panel has at most {MAX_ASSESSORS:,} "
            "assessors (nothing read)"
        )
    rubric = load_rubric(args.rubric)
    facts = QuestionnaireFacts(args.partnership, rubric)
    filled = []
    problems: list[ReadinessError] = []
    for path in args.files:  # every file is read: a bad one never hides the others
        try:
            filled.append(_guarded(path, partial(facts.read, path)))
        except ReadinessError as exc:
            problems.append(exc)
    if problems:  # every file's problems at once; nothing is written
        return _report(problems, args.errors, len(args.files))
    if len(filled) == 1 and not args.panel:
        data: dict[str, Any] = filled[0].partnership().model_dump(mode="json", exclude_none=True)
        what = "partnership"
    else:
        try:
            panel = panel_from_questionnaires(filled, rule=args.consensus, rubric=rubric)
        except ReadinessError as exc:
            return _report([exc], args.errors, len(args.files))
        data = panel.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
        what = f"panel of {len(filled)} assessors"
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    _write_output(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if args.errors:
        _write_output(args.errors, lambda tmp: tmp.write_text("", encoding="utf-8"))
    sys.stderr.write(f"readiness: wrote the {what} to {args.out}\n")
    facts.note(filled)
    return EXIT_OK


def _report(problems: list[Any], errors: str | None, files: int) -> int:
    """Report the errors of the files that cannot be read (nothing else is written):
    on standard error, the first 20 problems of each (then where to see them all), or
    every problem in the ``--errors`` file. Returns ``EXIT_INPUT``."""
    from readiness._text import json_neutralise

    if errors is None:
        for exc in problems:
            _fail(exc, "--errors FILE")
        return EXIT_INPUT
    records = [
        {"file": data["source"], "error": data["error"], "problems": data["problems"]}
        for data in (exc.to_dict() for exc in problems)
    ]
    lines = "".join(json_neutralise(json.dumps(r, ensure_ascii=False)) + "\n" for r in records)
    _write_output(errors, lambda tmp: tmp.write_text(lines, encoding="utf-8"))
    count = sum(len(r["problems"]) for r in records)
    sys.stderr.write(
        f"readiness: {len(records)} of {files} questionnaire(s) could not be read "
        f"({count} problem(s)); every problem is in {errors}; nothing else written\n"
    )
    return EXIT_INPUT

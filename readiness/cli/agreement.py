"""``readiness agreement``: several assessors' files -> consensus, agreement, perception gap.

Also the panel support of ``assess`` and ``report``: :func:`assess_any` scores a
partnership file as before and a panel file (an object with ``assessments``) by its
consensus, returning the panel's result for the report's panel section.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.cli._common import (
    EXIT_OK,
    _assess_file,
    _check_outputs,
    _guarded,
    _rubric_option,
    _scoring_options,
    _write_output,
)

if TYPE_CHECKING:
    from readiness.assessment import Assessment
    from readiness.errors import InputError, ReadinessError
    from readiness.panel import Panel, PanelResult
    from readiness.rubric import Rubric

__all__ = ["add_parser", "assess_any", "consensus_option", "panel_document", "with_panel"]

RULES = ("median", "mean", "median-low", "median-high", "min", "max")
"""The consensus rules (readiness.consensus.CONSENSUS_RULES, kept here so that --help
loads no numpy; a test holds the two equal)."""
_QUESTIONNAIRES = (".xlsx", ".csv")
_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".txt": "text"}

EPILOG = """\
examples:
  readiness agreement ann.xlsx bob.xlsx cy.xlsx          # filled questionnaires
  readiness agreement panel.json                         # a panel file (readiness import)
  readiness agreement a.json b.json c.json --consensus median-high
  readiness agreement ann.xlsx bob.xlsx cy.xlsx -o panel-report.html

Text output: the consensus score, Krippendorff's alpha, the criteria to adjudicate
(assessors two levels or more apart), straight-lining and the perception gap between
the sides. Markdown, JSON and HTML: the consensus assessment's full report with that
section added.
"""


def consensus_option(p: argparse.ArgumentParser) -> None:
    """``--consensus RULE`` (used when a file is a panel)."""
    p.add_argument(
        "--consensus",
        choices=RULES,
        help="for a panel file: how assessors' levels combine (default: the file's rule, "
        "else median). median and mean keep the consensus between the lowest and the "
        "highest assessor's score; median-low, median-high, min and max, asked for by "
        "name, may put it below (or above) every assessor",
    )


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``agreement`` command."""
    p = sub.add_parser(
        "agreement",
        help="agreement of several assessors, items to adjudicate and each side's view",
        description="Combine several assessors' files of one partnership (filled "
        "questionnaires, partnership JSON files, or one panel file) into a consensus "
        "assessment and report how far they agree and where the sides differ.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="files of one partnership")
    consensus_option(p)
    p.add_argument(
        "--format",
        choices=("text", "markdown", "json", "html"),
        help="output format (default: from the extension of -o, else text)",
    )
    p.add_argument("-o", "--out", metavar="OUT", help="write to OUT (atomically) instead of stdout")
    p.add_argument("--target", metavar="PROFILE", help="target profile id of the report")
    _rubric_option(p)
    _scoring_options(p)
    p.set_defaults(func=_cmd_agreement)


def load_panel_files(paths: list[str], rubric: Rubric) -> Panel:
    """One panel from the files: a panel file, questionnaires or partnership files.

    Raises:
        InputError: A file cannot be read, or the files describe different partnerships.
    """
    from dataclasses import replace

    from readiness._io import read_document
    from readiness._limits import MAX_ASSESSORS
    from readiness.errors import InputError, ReadinessError
    from readiness.io.questionnaire import panel_from_questionnaires, read_questionnaire
    from readiness.panel import is_panel_document, panel_from_dict, panel_from_partnerships
    from readiness.partnership import partnership_from_dict

    if len(paths) > MAX_ASSESSORS:
        raise InputError(
            f"{len(paths):,} files; a panel has at most {MAX_ASSESSORS:,} assessors (nothing read)"
        )
    if len(paths) == 1 and Path(paths[0]).suffix.lower() not in _QUESTIONNAIRES:
        doc = read_document(Path(paths[0]), InputError)
        if is_panel_document(doc):
            return panel_from_dict(doc, source=paths[0])

    def one(path: str) -> Any:
        if Path(path).suffix.lower() in _QUESTIONNAIRES:
            return read_questionnaire(path, rubric)
        doc = read_document(Path(path), InputError)
        if isinstance(doc, dict) and "criteria" in doc and "cover" in doc:
            return read_questionnaire(path, rubric, fmt="json")
        if is_panel_document(doc):
            raise InputError("combine a panel file with nothing else", source=path)
        return partnership_from_dict(doc, source=path)

    docs: list[Any] = []
    bad: list[ReadinessError] = []
    for path in paths:  # every file is read: a bad one never hides the others
        try:
            docs.append(_guarded(path, partial(one, path)))
        except ReadinessError as exc:
            bad.append(exc)
    if len(bad) == 1:
        raise bad[0]
    if bad:
        raise InputError(
            [
                replace(p, path=f"{e.source}: {p.path}", file=e.source)
                for e in bad
                for p in e.problems
            ]
        )
    if all(not hasattr(d, "model_dump") for d in docs):
        return panel_from_questionnaires(docs, rubric=rubric)
    partnerships = [d if hasattr(d, "model_dump") else d.partnership() for d in docs]
    return panel_from_partnerships(partnerships, sources=paths)


def _is_panel_file(path: str) -> bool:
    from readiness._io import read_document
    from readiness.errors import InputError
    from readiness.panel import is_panel_document

    try:
        return is_panel_document(read_document(Path(path), InputError))
    except InputError:
        return False  # the partnership reader names the problem


def assess_any(
    path: str, rubric: Rubric, args: argparse.Namespace
) -> tuple[Assessment, PanelResult | None]:
    """Score a partnership file, or a panel file by its consensus (with its result)."""
    if not _is_panel_file(path):
        return _assess_file(path, rubric, args), None
    from readiness.errors import InputError
    from readiness.panel import assess_panel, load_panel

    panel = load_panel(Path(path))
    try:
        result = assess_panel(
            panel,
            rubric,
            rule=getattr(args, "consensus", None),
            unknown_policy=args.unknown_policy,
            min_coverage=args.min_coverage,
        )
    except InputError as exc:
        raise exc.with_source(path) from None
    return result.assessment, result


def panel_document(result: PanelResult | None) -> dict[str, Any]:
    """``{"panel": ...}`` for a JSON document, or ``{}`` without a panel."""
    if result is None:
        return {}
    from readiness.report.agreement import panel_json

    return {"panel": panel_json(result)}


def with_panel(rendered: str, result: PanelResult | None, fmt: str) -> str:
    """``rendered`` (a report of ``fmt``) with the panel section, when there is a panel."""
    if result is None:
        return rendered
    from readiness.report.agreement import add_panel_section

    return add_panel_section(rendered, result, fmt)


def _in_files(exc: InputError, files: list[str]) -> ReadinessError:
    """A problem of the panel (``$.assessments[i]...``) named by the file it came from:
    the one panel file, or the ``i``-th of the files given."""
    import dataclasses
    import re

    if exc.source:
        return exc
    if len(files) == 1:
        return exc.with_source(files[0])
    problems = []
    for p in exc.problems:
        match = re.match(r"\$\.assessments\[(\d+)\]", p.path)
        if match and int(match.group(1)) < len(files):
            name = files[int(match.group(1))]
            p = dataclasses.replace(p, path=f"{name}: ${p.path[match.end() :]}", file=name)
        problems.append(p)
    return InputError(problems)


def _cmd_agreement(args: argparse.Namespace) -> int:
    _check_outputs(args, args.files, ("-o", args.out))
    from readiness.errors import InputError
    from readiness.panel import assess_panel
    from readiness.report import RENDERERS, build_report
    from readiness.report.agreement import add_panel_section
    from readiness.rubric import load_rubric

    fmt = args.format or (_SUFFIXES.get(Path(args.out).suffix.lower()) if args.out else None)
    fmt = fmt or "text"
    rubric = load_rubric(args.rubric)
    panel = load_panel_files(args.files, rubric)
    try:
        result = assess_panel(
            panel,
            rubric,
            rule=args.consensus,
            unknown_policy=args.unknown_policy,
            min_coverage=args.min_coverage,
        )
    except InputError as exc:
        raise _in_files(exc, args.files) from None
    if fmt == "text":
        text = result.assessment.summary() + "\n\n" + result.to_text()
    else:
        report = build_report(result.assessment, args.target)
        text = add_panel_section(RENDERERS[fmt](report), result, fmt)
    if args.out is None:
        sys.stdout.write(text)
    else:
        _write_output(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        sys.stderr.write(
            f"readiness: wrote the {fmt} report of {len(panel.assessors)} assessors to {args.out}\n"
        )
    return EXIT_OK

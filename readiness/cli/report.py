"""``readiness report``: the full report of one file, to a file or stdout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.cli._common import (
    EXIT_OK,
    _check_outputs,
    _guarded,
    _rubric_option,
    _scoring_options,
    _usage_error,
    _write_output,
)
from readiness.cli.agreement import (
    assess_any,
    assess_questionnaires,
    consensus_option,
    is_questionnaire,
    panel_section,
    partnership_option,
)

if TYPE_CHECKING:
    from readiness.assessment import Assessment
    from readiness.document import Section

__all__ = ["add_parser"]


_REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}

EPILOG = """\
examples:
  readiness report nato.json -o nato.html
  readiness report panel.json --format json              # a panel: its consensus
  readiness report ann.xlsx bob.csv -o aukus.html        # questionnaires: their consensus
  readiness report ann.xlsx bob.csv --partnership aukus.json -o aukus.html
"""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``report`` command."""
    r = sub.add_parser(
        "report",
        help="write the full report of one partnership as HTML, Markdown or JSON",
        description="Score one partnership file (or a panel file, or the filled "
        "questionnaires of one partnership) and write its full report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a partnership or panel JSON file, or the filled questionnaires (xlsx, csv, "
        "json) of one partnership: one gives its assessor's partnership, several their "
        "consensus (as readiness agreement)",
    )
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
    r.add_argument(
        "--robustness",
        metavar="SAMPLES",
        type=int,
        help="add a robustness section: the score's distribution and each band's "
        "probability under SAMPLES sampled weights and modelling choices (e.g. 2000), "
        "its sensitivity and weight margins (see `readiness robustness`)",
    )
    r.add_argument("--seed", type=int, default=0, help="seed of the robustness samples (default 0)")
    r.add_argument(
        "--plan",
        metavar="TARGET",
        help="add the cheapest plan to TARGET (a band such as advanced, or a score 0-100), "
        "planned on the lower bound, with the effort-score frontier (see `readiness plan`)",
    )
    _rubric_option(r)
    _scoring_options(r)
    consensus_option(r)
    partnership_option(r)
    r.set_defaults(func=_cmd_report)


def _render_report(
    a: Assessment, target: str | None, fmt: str, sections: tuple[Section, ...] = ()
) -> str:
    """Build the report model of ``a`` and render it, with ``sections`` of other results.

    Args:
        a: The assessment.
        target: The target profile id, or ``None`` for the default.
        fmt: ``html``, ``json`` or ``markdown``.
        sections: Document sections to add (a panel, robustness, a plan), in order.

    Returns:
        The rendered report.

    Raises:
        ReadinessError: Unknown target profile, or the report cannot be rendered.
    """
    from readiness.report import build_report, render_markdown

    report = build_report(a, target)
    if fmt == "html":
        from readiness.report import render_html

        return render_html(report, sections=sections)
    if fmt == "json":
        from readiness.report import render_json

        return render_json(report, sections=sections)
    return render_markdown(report, sections=sections)


def _robustness_section(a: Assessment, args: argparse.Namespace) -> Section:
    """The robustness section of ``a`` (``--robustness SAMPLES``)."""
    from readiness.errors import InputError
    from readiness.robustness import robustness

    if args.robustness < 1:
        raise InputError("--robustness takes a number of samples of at least 1")
    return robustness(a, samples=args.robustness, seed=args.seed).section_for(a)


def _plan_section(a: Assessment, target: str) -> Section:
    """The cheapest plan of ``a`` to ``target`` as a report section (``--plan TARGET``)."""
    from readiness.plan import plan

    return plan(a, target).report_section()


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
    given = [args.partnership] if args.partnership else []
    _check_outputs(args, [*args.files, *given], ("-o", out))
    from readiness.rubric import load_rubric

    name = args.files[0]
    questionnaires = len(args.files) > 1 or is_questionnaire(name)
    if questionnaires and not all(is_questionnaire(f) for f in args.files):
        return _usage_error(
            "report takes one partnership or panel file, or the questionnaires of one "
            "partnership (xlsx, csv, json)"
        )
    if args.partnership and not questionnaires:
        return _usage_error(
            "--partnership gives its facts to questionnaires, and no file given is one (a "
            "partnership or panel file has its own facts)"
        )
    rubric = load_rubric(args.rubric)
    if questionnaires:
        a, panel = _guarded(name, lambda: assess_questionnaires(args.files, rubric, args))
    else:
        a, panel = _guarded(name, lambda: assess_any(name, rubric, args))
    sections: list[Section] = []
    if panel is not None:
        sections.append(panel_section(panel))
    if args.robustness is not None:
        sections.append(_guarded(name, lambda: _robustness_section(a, args)))
    if args.plan is not None:
        sections.append(_guarded(name, lambda: _plan_section(a, args.plan)))
    text = _guarded(
        name, lambda: _render_report(a, args.target, fmt or "markdown", tuple(sections))
    )
    text = text if text.endswith("\n") else text + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        _write_output(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        sys.stderr.write(
            f"readiness: wrote the {fmt or 'markdown'} report of {a.partnership.id} to {out}\n"
        )
    return EXIT_OK

"""``readiness agreement``: several assessors' files -> consensus, agreement, perception gap.

Also the panel and questionnaire support of ``assess``, ``report`` and ``import``:
:func:`assess_any` scores a partnership file as before and a panel file (an object with
``assessments``) by its consensus, returning the panel's result for the report's panel
section; :func:`assess_questionnaires` scores the questionnaires of one partnership
(one: that assessor's partnership; several: their consensus). :class:`QuestionnaireFacts`
gives every questionnaire the same facts: those of ``--partnership FILE`` when it is
given, else those the questionnaires carry, so that every verb gives one answer.
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
    from collections.abc import Sequence

    from readiness.assessment import Assessment
    from readiness.document import Section
    from readiness.errors import InputError, ReadinessError
    from readiness.io.questionnaire import FilledQuestionnaire
    from readiness.panel import Panel, PanelResult
    from readiness.partnership import Partnership
    from readiness.rubric import Rubric

__all__ = [
    "QuestionnaireFacts",
    "add_parser",
    "assess_any",
    "assess_questionnaires",
    "consensus_option",
    "is_questionnaire",
    "panel_document",
    "panel_section",
    "panel_sections",
    "partnership_option",
]

RULES = ("median", "mean", "median-low", "median-high", "min", "max")
"""The consensus rules (readiness.consensus.CONSENSUS_RULES, kept here so that --help
loads no numpy; a test holds the two equal)."""
_QUESTIONNAIRES = (".xlsx", ".csv")
_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".txt": "text"}

EPILOG = """\
examples:
  readiness agreement ann.xlsx bob.xlsx cy.xlsx          # filled questionnaires
  readiness agreement ann.xlsx bob.csv --partnership aukus.json  # that file's facts
  readiness agreement panel.json                         # a panel file (readiness import)
  readiness agreement a.json b.json c.json --consensus median-high
  readiness agreement ann.xlsx bob.xlsx cy.xlsx -o panel-report.html

Questionnaires written by `readiness template --partnership FILE` carry that file's
facts, which are scored; --partnership FILE gives them (or questionnaires written from
a blank template) a partnership file's facts instead. `agreement`, `import` then
`assess`, `assess` and `report` of the same questionnaires give the same consensus.

Text output: the consensus score, Krippendorff's alpha (overall and per pillar), the
criteria to adjudicate (assessors two levels or more apart), straight-lining and the
perception gap between the sides. Markdown, JSON and HTML: the consensus
assessment's full report with that section added.
"""

PARTNERSHIP_HELP = (
    "for questionnaires: score them with this partnership JSON file's facts, status, "
    "members (with their dates), established, description and format_version, as "
    "`readiness import --partnership` keeps them (same id and members; the file wins over "
    "the facts a questionnaire carries, with a note when they differ). Default: the facts "
    "the questionnaires carry (template --partnership), else none"
)


def consensus_option(p: argparse.ArgumentParser) -> None:
    """``--consensus RULE`` (used when a file is a panel)."""
    p.add_argument(
        "--consensus",
        choices=RULES,
        help="for a panel (a panel file, or several assessors' questionnaires): how "
        "assessors' levels combine (default: the file's rule, else median). median and "
        "mean keep the consensus between the lowest and the highest assessor's score; "
        "median-low, median-high, min and max, asked for by name, may put it below (or "
        "above) every assessor",
    )


def partnership_option(p: argparse.ArgumentParser) -> None:
    """``--partnership FILE``: the facts of questionnaires (see :class:`QuestionnaireFacts`)."""
    p.add_argument("--partnership", metavar="FILE", help=PARTNERSHIP_HELP)


def is_questionnaire(path: str) -> bool:
    """Whether ``path`` is a questionnaire: an ``.xlsx`` or ``.csv`` file, or a JSON file
    with ``cover`` and ``criteria`` (one that cannot be read is not: its reader says why)."""
    suffix = Path(path).suffix.lower()
    if suffix in _QUESTIONNAIRES:
        return True
    if path == "-" or suffix in (".jsonl", ".yaml", ".yml") or Path(path).is_dir():
        return False
    from readiness._io import read_document
    from readiness.errors import InputError

    try:
        doc = read_document(Path(path), InputError)
    except InputError:
        return False
    return _is_questionnaire_document(doc)


def _is_questionnaire_document(doc: object) -> bool:
    return isinstance(doc, dict) and "criteria" in doc and "cover" in doc


class QuestionnaireFacts:
    """The facts questionnaires are scored with, the same for every verb.

    With ``--partnership FILE`` (``path``), every questionnaire takes that file's facts
    (:meth:`FilledQuestionnaire.with_partnership`: same id and members, the file's
    fields win); otherwise each keeps the facts it carries (none from a blank template).

    Args:
        path: The ``--partnership`` file, or ``None``.
        rubric: The rubric the questionnaires rate.

    Raises:
        InputError: The file is not a valid partnership file (named by it).
    """

    def __init__(self, path: str | None, rubric: Rubric) -> None:
        self.path = path
        self.rubric = rubric
        self.base: Partnership | None = None
        self.replaced: list[str] = []  # questionnaires whose own facts the file replaced
        if path is not None:
            from readiness.partnership import load_partnership

            self.base = _guarded(path, partial(load_partnership, path, rubric))

    def read(self, path: str, fmt: str | None = None) -> FilledQuestionnaire:
        """Read one questionnaire, with the facts it is scored with.

        Raises:
            InputError: Named by the questionnaire (or by the ``--partnership`` file when
                that describes another partnership).
        """
        from readiness.io.questionnaire import read_questionnaire

        q = read_questionnaire(path, self.rubric, fmt=fmt)
        if self.base is None:
            return q
        given = q.with_partnership(self.base, source=self.path, rubric=self.rubric)
        if q.carried is not None and q.kept != given.kept:
            self.replaced.append(path)
        return given

    def note(self, filled: Sequence[FilledQuestionnaire]) -> None:
        """Say on standard error where the facts come from, when it matters: the file's
        replaced facts some questionnaires carried, or no facts at all."""
        if self.replaced:
            sys.stderr.write(
                f"readiness: note: the facts of {self.path} are used; they differ from "
                f"those {_names(self.replaced)} carr{'y' if len(self.replaced) > 1 else 'ies'}\n"
            )
        elif self.base is None and filled and all(q.carried is None for q in filled):
            names = [q.source for q in filled]
            sys.stderr.write(
                f"readiness: note: {_names(names)} carr{'y' if len(names) > 1 else 'ies'} no "
                "facts (written from a blank template), so no level is derived from facts; "
                "add --partnership FILE to score with a partnership file's facts\n"
            )


def _names(paths: Sequence[str]) -> str:
    """``a.xlsx``, ``a.xlsx and b.csv``, ``a.xlsx, b.csv and 5 more``."""
    if len(paths) <= 2:
        return " and ".join(paths)
    return f"{paths[0]}, {paths[1]} and {len(paths) - 2} more"


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
    partnership_option(p)
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


def load_panel_files(paths: list[str], rubric: Rubric, partnership: str | None = None) -> Panel:
    """One panel from the files: a panel file, questionnaires or partnership files; the
    questionnaires with the facts of ``partnership`` (a file) when given, else with
    those they carry (see :class:`QuestionnaireFacts`).

    Raises:
        InputError: A file cannot be read, the files describe different partnerships, or
            ``partnership`` is given without a questionnaire.
    """
    from dataclasses import replace

    from readiness._io import read_document
    from readiness._limits import MAX_ASSESSORS
    from readiness.errors import InputError, ReadinessError
    from readiness.io.questionnaire import panel_from_questionnaires
    from readiness.panel import is_panel_document, panel_from_dict, panel_from_partnerships
    from readiness.partnership import partnership_from_dict

    if len(paths) > MAX_ASSESSORS:
        raise InputError(
            f"{len(paths):,} files; a panel has at most {MAX_ASSESSORS:,} assessors (nothing read)"
        )
    if len(paths) == 1 and Path(paths[0]).suffix.lower() not in _QUESTIONNAIRES:
        doc = read_document(Path(paths[0]), InputError)
        if is_panel_document(doc):
            if partnership is not None:
                raise _not_questionnaires(partnership)
            return panel_from_dict(doc, source=paths[0])
    facts = QuestionnaireFacts(partnership, rubric)

    def one(path: str) -> Any:
        if Path(path).suffix.lower() in _QUESTIONNAIRES:
            return facts.read(path)
        doc = read_document(Path(path), InputError)
        if _is_questionnaire_document(doc):
            return facts.read(path, fmt="json")
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
    filled = [d for d in docs if not hasattr(d, "model_dump")]
    if partnership is not None and not filled:
        raise _not_questionnaires(partnership)
    facts.note(filled)
    if len(filled) == len(docs):
        return panel_from_questionnaires(filled, rubric=rubric)
    partnerships = [d if hasattr(d, "model_dump") else d.partnership() for d in docs]
    return panel_from_partnerships(partnerships, sources=paths)


def _not_questionnaires(partnership: str) -> InputError:
    from readiness.errors import InputError

    return InputError(
        "--partnership gives its facts to questionnaires, and no file given is one (a "
        "partnership or panel file has its own facts)",
        source=partnership,
    )


def _is_panel_file(path: str) -> bool:
    from readiness._io import read_document
    from readiness.errors import InputError
    from readiness.partnership import is_panel_document  # not readiness.panel: not loaded

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


def assess_questionnaires(
    paths: list[str], rubric: Rubric, args: argparse.Namespace
) -> tuple[Assessment, PanelResult | None]:
    """Score the questionnaires of one partnership, with the facts of
    ``args.partnership`` or those they carry: one questionnaire as its assessor's
    partnership (as ``import`` then ``assess``), several by their consensus, with the
    panel's result (as ``agreement``).

    Raises:
        ReadinessError: A questionnaire (or the panel) is bad, named by file and cell.
    """
    from readiness.assessment import assess
    from readiness.errors import InputError
    from readiness.panel import assess_panel

    if len(paths) == 1:
        path = paths[0]
        facts = QuestionnaireFacts(getattr(args, "partnership", None), rubric)
        q = _guarded(path, partial(facts.read, path))
        facts.note([q])
        partnership = _guarded(path, q.partnership)
        return _guarded(
            path,
            lambda: assess(
                partnership,
                rubric,
                unknown_policy=args.unknown_policy,
                min_coverage=args.min_coverage,
            ),
        ), None
    panel = load_panel_files(paths, rubric, getattr(args, "partnership", None))
    try:
        result = assess_panel(
            panel,
            rubric,
            rule=getattr(args, "consensus", None),
            unknown_policy=args.unknown_policy,
            min_coverage=args.min_coverage,
        )
    except InputError as exc:
        raise _in_files(exc, paths) from None
    return result.assessment, result


def panel_document(result: PanelResult | None) -> dict[str, Any]:
    """``{"panel": ...}`` for a JSON document, or ``{}`` without a panel."""
    if result is None:
        return {}
    return {"panel": result.to_dict()}


def panel_section(result: PanelResult) -> Section:
    """The panel's section of a report (key ``panel``): its document as a section."""
    return result.to_document().as_section("panel")


def panel_sections(result: PanelResult | None) -> tuple[Section, ...]:
    """``(panel_section(result),)``, or ``()`` without a panel."""
    return () if result is None else (panel_section(result),)


def _in_files(exc: InputError, files: list[str]) -> ReadinessError:
    """A problem of the panel (``$.assessments[i]...``) named by the file it came from:
    the one panel file, or the ``i``-th of the files given."""
    import dataclasses
    import re

    from readiness.errors import InputError

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
    given = [args.partnership] if args.partnership else []
    _check_outputs(args, [*args.files, *given], ("-o", args.out))
    from readiness.errors import InputError
    from readiness.panel import assess_panel
    from readiness.report import RENDERERS, build_report
    from readiness.rubric import load_rubric

    fmt = args.format or (_SUFFIXES.get(Path(args.out).suffix.lower()) if args.out else None)
    fmt = fmt or "text"
    rubric = load_rubric(args.rubric)
    panel = load_panel_files(args.files, rubric, args.partnership)
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
        text = RENDERERS[fmt](report, sections=(panel_section(result),))
    if args.out is None:
        sys.stdout.write(text)
    else:
        _write_output(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        sys.stderr.write(
            f"readiness: wrote the {fmt} report of {len(panel.assessors)} assessors to {args.out}\n"
        )
    return EXIT_OK

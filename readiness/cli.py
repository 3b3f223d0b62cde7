"""The ``readiness`` command.

Exit codes: 0 success; 1 a policy said no (``--fail-under``); 2 bad input or usage.
Errors are one paragraph on standard error naming the file, the JSON path and the
problem; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from readiness._version import __version__
from readiness.assessment import Assessment, assess
from readiness.errors import InputError, ReadinessError
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
  readiness assess examples/partnerships/aukus.json --format markdown \
      --target technology-partnership
  readiness assess examples/partnerships/us-japan.json --explain
  readiness validate my-partnership.json
  readiness schema partnership > partnership.schema.json

exit codes: 0 success, 1 below --fail-under, 2 bad input or usage
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
    p.add_argument("files", nargs="+", metavar="FILE", help="partnership JSON file(s)")
    _rubric_option(p)
    p.add_argument(
        "--target",
        metavar="PROFILE",
        help="target profile id (default: the file's target, else the one its kind selects)",
    )
    p.add_argument(
        "--format",
        choices=("table", "json", "markdown"),
        default="table",
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
        type=float,
        metavar="SCORE",
        help="exit 1 when an overall score is below SCORE (or absent)",
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
    return parser


def _rubric_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rubric",
        metavar="R",
        help="shipped rubric name or path to a rubric file (default: defense-partnership)",
    )


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
    rubric = load_rubric(args.rubric)
    status = EXIT_OK
    results: list[Assessment] = []
    for i, path in enumerate(args.files):
        try:
            a = assess(
                _load(path, rubric),
                rubric,
                unknown_policy=args.unknown_policy,
                min_coverage=args.min_coverage,
            )
            output = _render_assessment(a, args)
        except ReadinessError as exc:
            _fail(exc if exc.source else exc.with_source(path))
            status = EXIT_INPUT
            continue
        if i and args.format != "json":
            _emit("")
        _emit(output)
        results.append(a)
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


def _render_assessment(a: Assessment, args: argparse.Namespace) -> str:
    from readiness.report import build_report, render_markdown, render_text

    if args.format == "json":
        gaps = a.gaps(args.target)
        data = a.to_dict() | {
            "target": {"profile": gaps.profile.id, "reason": gaps.profile_reason},
            "gaps": gaps.to_dict()["gaps"],
            "evidence_gaps": gaps.to_dict()["evidence_gaps"],
            "roadmap": gaps.roadmap().to_dict()["steps"],
        }
        if args.explain:
            frame = a.explain().to_frame()
            data["explain"] = json.loads(frame.to_json(orient="records"))
        return json.dumps(data, indent=2, ensure_ascii=False)
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
            rated = sum(1 for r in p.ratings.values() if r.is_rated)
            _emit(
                f"ok: {path}: partnership {p.id}, {rated} of {len(rubric.criteria)} criteria "
                f"rated, against {rubric.label}"
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
    _emit(json.dumps(model.model_json_schema(), indent=2))
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

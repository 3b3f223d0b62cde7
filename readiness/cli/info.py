"""``readiness rubrics`` and ``readiness schema``: what ships, and the file formats."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, NamedTuple

from readiness._version import __version__
from readiness.cli._common import (
    EXIT_OK,
    _emit,
    _rubric_option,
    _usage_error,
)

if TYPE_CHECKING:  # imported where used: --help and --version stay fast
    from readiness.rubric import Rubric

__all__ = ["add_parsers"]


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``rubrics`` and ``schema`` commands."""
    r = sub.add_parser(
        "rubrics",
        help="list the shipped rubrics, or one rubric's criteria",
        description="List the shipped rubrics (or only --rubric R) with their pillars, "
        "criteria and profiles; with --criteria, list the criteria of one rubric.",
    )
    r.add_argument(
        "--criteria",
        action="store_true",
        help="list every criterion of the rubric (--rubric, default defense-partnership): "
        "pillar, id, weight, effective weight (its share of the overall score), "
        "whether it is critical (a gate), its derive rule, and its title",
    )
    r.add_argument(
        "--rubric",
        metavar="R",
        help="shipped rubric name or path to a rubric file (default: every shipped rubric; "
        "with --criteria: defense-partnership)",
    )
    r.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="with --criteria: a text table (default), or CSV with every column of "
        "Rubric.to_frame() including the question",
    )
    r.set_defaults(func=_cmd_rubrics)

    s = sub.add_parser(
        "schema",
        help="print the JSON Schema of an input file or of a JSON document readiness writes",
        description="Print the JSON Schema of a rubric file, a partnership file, or a "
        "JSON document readiness writes: "
        + "; ".join(f"{kind} ({out.source})" for kind, out in OUTPUTS.items())
        + ". A partnership schema allows only the criterion ids and target profiles of "
        "the rubric (--rubric). The schemas of partnership, rubric and report files also "
        "ship in the package (--path prints where).",
    )
    s.add_argument("kind", choices=("rubric", "partnership", *OUTPUTS))
    s.add_argument(
        "--path",
        action="store_true",
        help="print the path of the shipped schema file instead (the same schema, the "
        "partnership one with the default rubric's criteria), for an editor's settings; "
        "partnership, rubric and report only",
    )
    _rubric_option(s)
    s.set_defaults(func=_cmd_schema)


def _cmd_rubrics(args: argparse.Namespace) -> int:
    from readiness.rubric import available_rubrics, load_rubric

    if args.format != "table" and not args.criteria:
        return _usage_error("--format applies to --criteria only")
    if args.criteria:
        _emit(_criteria_table(load_rubric(args.rubric), args.format))
        return EXIT_OK
    rubrics = (
        [(r.id, r) for r in [load_rubric(args.rubric)]]
        if args.rubric is not None
        else [(name, load_rubric(name)) for name in available_rubrics()]
    )
    for name, r in rubrics:
        profiles = ", ".join(p.id for p in r.profiles)
        _emit(
            f"{name}  {r.version}  {r.title}\n"
            f"    {len(r.pillars)} pillars, {len(r.criteria)} criteria; profiles: {profiles}"
        )
    return EXIT_OK


def _criteria_table(rubric: Rubric, fmt: str) -> str:
    """``rubrics --criteria``: the rubric's criteria as a text table or CSV."""
    frame = rubric.to_frame()
    if fmt == "csv":  # a user's rubric text could start a spreadsheet formula
        from readiness.cli._common import formulas_as_text

        return str(formulas_as_text(frame).to_csv(index=False))
    columns = {
        "pillar": list(frame["pillar"]),
        "id": list(frame["id"]),
        "weight": [f"{w:g}" for w in frame["weight"]],
        "effective": [f"{w:.1%}" for w in frame["effective_weight"]],
        "critical": ["yes" if c else "" for c in frame["critical"]],
        "derive": [d or "" for d in frame["derive"]],
        "title": list(frame["title"]),
    }
    widths = {name: max(len(name), *map(len, cells)) for name, cells in columns.items()}
    lines = [
        f"{rubric.label}: {len(frame)} criteria (effective: share of the overall score)",
        "  ".join(name.ljust(widths[name]) for name in columns).rstrip(),
    ]
    for row in zip(*columns.values(), strict=True):
        cells = (cell.ljust(widths[name]) for name, cell in zip(columns, row, strict=True))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


class Output(NamedTuple):
    """A JSON document readiness writes: the type it is built as, and where it is read."""

    module: str
    type: str
    source: str


OUTPUTS: dict[str, Output] = {
    "report": Output(
        "readiness.readout",
        "Report",
        "assess --format json, report --format json, Assessment.to_dict()",
    ),
    "comparison": Output(
        "readiness.compare", "ComparisonData", "compare --format json, Comparison.to_dict()"
    ),
    "gaps": Output("readiness.gaps", "GapsData", "GapReport.to_dict()"),
    "roadmap": Output("readiness.gaps", "RoadmapData", "Roadmap.to_dict()"),
    "robustness": Output(
        "readiness.audit",
        "RobustnessReport",
        "robustness --format json, Robustness.to_dict()",
    ),
    "uncertainty": Output(
        "readiness.robustness.uncertainty", "UncertaintyData", "Uncertainty.to_dict()"
    ),
    "sensitivity": Output(
        "readiness.robustness.sensitivity", "SensitivityData", "Sensitivity.to_dict()"
    ),
    "audit": Output("readiness.audit", "AuditData", "Audit.to_dict()"),
    "panel": Output(
        "readiness.panel",
        "PanelData",
        "'panel' of assess --format json on a panel, PanelResult.to_dict()",
    ),
    "explanation": Output(
        "readiness.explain",
        "ExplanationData",
        "Explanation.to_dict(), whose rows are 'explain' of assess --explain --format json",
    ),
}
"""JSON documents readiness writes -> the type each is built as (the schema comes from
it) and where a user meets it."""


def output_json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of the document ``kind`` (a key of :data:`OUTPUTS`)."""
    import importlib

    from readiness._models import output_schema

    out = OUTPUTS[kind]
    return output_schema(getattr(importlib.import_module(out.module), out.type), kind, __version__)


def _cmd_schema(args: argparse.Namespace) -> int:
    from readiness.partnership import partnership_json_schema
    from readiness.rubric import Rubric as RubricModel
    from readiness.rubric import load_rubric

    if args.kind != "partnership" and args.rubric is not None:
        return _usage_error("--rubric applies to 'schema partnership' only")
    if args.path:
        if args.rubric is not None:
            return _usage_error(
                "--path names the shipped schema of the default rubric; without --path, "
                "--rubric prints the schema of another"
            )
        from readiness._resources import SCHEMAS, schema_file

        if args.kind not in SCHEMAS:
            return _usage_error(
                f"--path: no file ships for {args.kind!r} (only {', '.join(SCHEMAS)}); "
                f"'readiness schema {args.kind}' prints its schema"
            )
        _emit(str(schema_file(args.kind)))
        return EXIT_OK
    if args.kind == "report":
        from readiness.report.model import report_json_schema

        _emit(json.dumps(report_json_schema(), indent=2))
        return EXIT_OK
    if args.kind in OUTPUTS:
        _emit(json.dumps(output_json_schema(args.kind), indent=2))
        return EXIT_OK
    if args.kind == "rubric":
        body = RubricModel.model_json_schema()
    else:
        body = partnership_json_schema(load_rubric(args.rubric))
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:readiness:{args.kind}:{__version__}",
    } | body
    _emit(json.dumps(schema, indent=2))
    return EXIT_OK

"""``readiness rubrics`` and ``readiness schema``: what ships, and the file formats."""

from __future__ import annotations

import argparse
import json
from typing import Any

from readiness._version import __version__
from readiness.cli._common import (
    EXIT_OK,
    _emit,
    _rubric_option,
    _usage_error,
)
from readiness.partnership import partnership_json_schema
from readiness.rubric import available_rubrics, load_rubric

__all__ = ["add_parsers"]


def add_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``rubrics`` and ``schema`` commands."""
    r = sub.add_parser(
        "rubrics", help="list the shipped rubrics", description="List the shipped rubrics."
    )
    r.set_defaults(func=_cmd_rubrics)

    s = sub.add_parser(
        "schema",
        help="print the JSON Schema of a rubric or partnership file",
        description="Print the JSON Schema of a rubric or partnership file. A partnership "
        "schema allows only the criterion ids and target profiles of the rubric (--rubric).",
    )
    s.add_argument("kind", choices=("rubric", "partnership"))
    _rubric_option(s)
    s.set_defaults(func=_cmd_schema)


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

    if args.kind == "rubric":
        if args.rubric is not None:
            return _usage_error("--rubric applies to 'schema partnership' only")
        body = RubricModel.model_json_schema()
    else:
        body = partnership_json_schema(load_rubric(args.rubric))
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:readiness:{args.kind}:{__version__}",
    } | body
    _emit(json.dumps(schema, indent=2))
    return EXIT_OK

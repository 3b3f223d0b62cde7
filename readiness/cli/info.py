"""``readiness rubrics`` and ``readiness schema``: what ships, and the file formats."""

from __future__ import annotations

import argparse
import json
from typing import Any

from readiness._version import __version__
from readiness.cli._common import (
    EXIT_OK,
    _emit,
)
from readiness.partnership import Partnership
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
        description="Print the JSON Schema of a rubric or partnership file.",
    )
    s.add_argument("kind", choices=("rubric", "partnership"))
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

    model = RubricModel if args.kind == "rubric" else Partnership
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:readiness:{args.kind}:{__version__}",
    } | model.model_json_schema()
    _emit(json.dumps(schema, indent=2))
    return EXIT_OK

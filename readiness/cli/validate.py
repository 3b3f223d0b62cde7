"""``readiness validate``: check partnership or rubric files without scoring."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    _emit,
    _fail,
    _load,
    _rubric_option,
)
from readiness.errors import InputError, ReadinessError

if TYPE_CHECKING:
    from readiness.rubric import Rubric

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``validate`` command."""
    v = sub.add_parser(
        "validate",
        help="check partnership or rubric files without scoring",
        description="Check partnership (JSON) or rubric (YAML/JSON with 'pillars') files.",
    )
    v.add_argument("files", nargs="+", metavar="FILE")
    _rubric_option(v)
    v.set_defaults(func=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from readiness._io import read_document
    from readiness.assessment import assess
    from readiness.rubric import load_rubric, rubric_from_dict

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
            origins = Counter(c.origin for c in assess(p, rubric).criteria)
            counts = ", ".join(
                f"{origins[o]} {o}"
                for o in ("rated", "derived", "overridden", "not-applicable", "unknown")
                if origins[o]
            )
            _emit(
                f"ok: {path}: partnership {p.id} against {rubric.label}: "
                f"{counts} (of {len(rubric.criteria)} criteria)"
            )
        except ReadinessError as exc:
            _fail(exc if exc.source else exc.with_source(path))
            status = EXIT_INPUT
    return status

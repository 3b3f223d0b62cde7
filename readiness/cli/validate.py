"""``readiness validate``: check partnership or rubric files without scoring."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness._text import neutralise
from readiness.cli._common import (
    EXIT_INPUT,
    _Duplicates,
    _emit,
    _expand_inputs,
    _fail,
    _guarded,
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
        description="Check partnership (JSON) or rubric (YAML/JSON with 'pillars') files, or "
        "every *.json file in a directory. Every file is checked; a bad one is reported and "
        "the others still are. Warnings (a file written for another version of the rubric; "
        "the same partnership and date in two files) are printed; --strict makes them errors.",
    )
    v.add_argument("files", nargs="+", metavar="FILE", help="files, or directories")
    _rubric_option(v)
    v.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings as errors (exit 2)",
    )
    v.set_defaults(func=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    files, status = _expand_inputs(args.files)
    duplicates = _Duplicates()
    rubric: Rubric | None = None
    for path in files:
        try:
            rubric, warnings = _guarded(
                path, partial(_validate_one, path, args, rubric, duplicates)
            )
        except ReadinessError as exc:
            _fail(exc)
            status = EXIT_INPUT
            continue
        for warning in warnings:
            if args.strict:
                _fail(warning)
                status = EXIT_INPUT
            else:
                sys.stderr.write(f"readiness: warning: {neutralise(str(warning))}\n")
    return status


def _validate_one(
    path: str, args: argparse.Namespace, rubric: Rubric | None, duplicates: _Duplicates
) -> tuple[Rubric | None, list[ReadinessError]]:
    """Check one file and print its ``ok:`` line; returns the rubric (loaded on first
    need) and the file's warnings."""
    from readiness._io import read_document
    from readiness.rubric import load_rubric, rubric_from_dict

    data = read_document(Path(path), InputError)
    if isinstance(data, dict) and "pillars" in data:
        checked = rubric_from_dict(data, source=path)
        _emit(
            f"ok: {path}: rubric {checked.label}, {len(checked.pillars)} pillars, "
            f"{len(checked.criteria)} criteria"
        )
        return rubric, []
    # a partnership's derived levels need the numpy rule engine; a rubric file does not.
    # Not scored: the checks of an assessment are the loader's (ids, target) and the
    # resolver's (ratings that override derived levels), which is all that runs here
    from readiness.resolve import resolve

    rubric = rubric or load_rubric(args.rubric)
    p = _load(path, rubric)  # checks the partnership against the rubric, as assess does
    resolved = resolve([p], rubric)
    if resolved.problems[0]:
        raise InputError(list(resolved.problems[0]))
    origins = Counter(resolved.origins(0))
    counts = ", ".join(
        f"{origins[o]} {o}"
        for o in ("rated", "derived", "overridden", "not-applicable", "unknown")
        if origins[o]
    )
    _emit(
        f"ok: {path}: partnership {p.id} against {rubric.label}: "
        f"{counts} (of {len(rubric.criteria)} criteria)"
    )
    warnings: list[ReadinessError] = []
    if problems := p.warnings(rubric):
        warnings.append(InputError(problems, source=path))
    day = p.assessed_on.isoformat() if p.assessed_on else None
    if (twice := duplicates.seen(p.id, day, path)) is not None:
        warnings.append(twice)
    return rubric, warnings

"""``readiness migrate``: rewrite old partnership and rubric files into the current format."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from readiness.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    _check_outputs,
    _fail,
    _rubric_option,
    _usage_error,
)
from readiness.errors import ReadinessError

if TYPE_CHECKING:
    from readiness.migrate import Migration
    from readiness.rubric import Rubric

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``migrate`` command."""
    m = sub.add_parser(
        "migrate",
        help="rewrite old partnership or rubric files into the current format",
        description=(
            "Rewrite a partnership file into the current format (format_version 3: members "
            "as ISO codes, and each list its facts give stated complete, as older formats "
            "read it) and a rubric file whose numbers are written as text into numbers; in "
            "both, date "
            "fields written with a time of day become YYYY-MM-DD (other text is never "
            "touched). YAML keeps its comments and layout. What it would write is checked "
            "first, as readiness validate checks it (a partnership against the rubric "
            "too): when still invalid, every problem is listed, nothing is written and "
            "the exit code is 2. What changed is listed on standard error. Without -o or "
            "--in-place the new file is printed."
        ),
    )
    m.add_argument("files", nargs="+", metavar="FILE", help="partnership or rubric file(s)")
    where = m.add_mutually_exclusive_group()
    where.add_argument("-o", "--out", metavar="OUT", help="write the migrated file to OUT")
    where.add_argument(
        "--in-place", action="store_true", help="replace each FILE (atomically) with its migration"
    )
    _rubric_option(m)
    m.set_defaults(func=_cmd_migrate)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from readiness._atomic import write_text
    from readiness.rubric import load_rubric

    if len(args.files) > 1 and not args.in_place:
        return _usage_error("several files can only be migrated with --in-place")
    _check_outputs(args, args.files, ("-o", args.out))  # --in-place is the way to replace
    rubric = load_rubric(args.rubric)
    status = EXIT_OK
    for path in args.files:
        try:
            result = _migrated(path, rubric)
        except ReadinessError as exc:
            _fail(exc if exc.source else exc.with_source(path))
            status = EXIT_INPUT
            continue
        for change in result.changes:
            print(f"{path}: {change}", file=sys.stderr)
        target = path if args.in_place else args.out
        if target is None:
            sys.stdout.write(result.text)
            continue
        if args.in_place and not result.changed:
            sys.stderr.write(f"readiness: {path}: already current ({result.kind}), not rewritten\n")
            continue
        try:
            write_text(target, result.text)
        except OSError as exc:
            from readiness.errors import ReportError

            _fail(ReportError(f"cannot write: {exc.strerror or exc}", source=target))
            status = EXIT_INPUT
            continue
        sys.stderr.write(f"readiness: {path}: {len(result.changes)} change(s); wrote {target}\n")
    return status


def _migrated(path: str, rubric: Rubric) -> Migration:
    """The migration of ``path``, checked as ``readiness validate`` checks a file: the
    format, the rubric's criterion ids and target, and (by scoring it, which runs the
    derive rules) the overrides of derived levels.

    Raises:
        ReadinessError: Every problem of what would be written, named by file.
    """
    from readiness.assessment import assess
    from readiness.migrate import migrate_file
    from readiness.partnership import partnership_from_dict

    result = migrate_file(path, rubric)
    if result.kind == "partnership" and result.document is not None:
        assess(partnership_from_dict(result.document, source=path), rubric)
    return result

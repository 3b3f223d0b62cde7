"""``readiness migrate``: rewrite old partnership and rubric files into the current format."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from readiness.cli._common import EXIT_INPUT, EXIT_OK, _check_outputs, _fail, _usage_error
from readiness.errors import ReadinessError

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``migrate`` command."""
    m = sub.add_parser(
        "migrate",
        help="rewrite old partnership or rubric files into the current format",
        description=(
            "Rewrite a partnership file into the current format (format_version 2) and a "
            "rubric file whose numbers are written as text into numbers; in both, dates "
            "written with a time of day become YYYY-MM-DD. YAML keeps its comments and "
            "layout. The result is checked before anything is written; what changed is "
            "listed on standard error. Without -o or --in-place the new file is printed."
        ),
    )
    m.add_argument("files", nargs="+", metavar="FILE", help="partnership or rubric file(s)")
    where = m.add_mutually_exclusive_group()
    where.add_argument("-o", "--out", metavar="OUT", help="write the migrated file to OUT")
    where.add_argument(
        "--in-place", action="store_true", help="replace each FILE (atomically) with its migration"
    )
    m.set_defaults(func=_cmd_migrate)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from readiness._atomic import write_text
    from readiness.migrate import migrate_file

    if len(args.files) > 1 and not args.in_place:
        return _usage_error("several files can only be migrated with --in-place")
    _check_outputs(args, args.files, ("-o", args.out))  # --in-place is the way to replace
    status = EXIT_OK
    for path in args.files:
        try:
            result = migrate_file(path)
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
            from readiness.errors import InputError

            _fail(InputError(f"cannot write {target}: {exc.strerror or exc}"))
            status = EXIT_INPUT
            continue
        sys.stderr.write(f"readiness: {path}: {len(result.changes)} change(s); wrote {target}\n")
    return status

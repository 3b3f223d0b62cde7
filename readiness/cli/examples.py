"""``readiness examples``: list the example partnership files, or copy them out.

The examples ship inside the package, so a pip-installed ``readiness`` can write them
into a folder and the command lines of the README work on them.
"""

from __future__ import annotations

import argparse
import sys
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from readiness._resources import data_dir
from readiness.cli._common import EXIT_OK, _emit, _usage_error, _write_output
from readiness.errors import InputError, ReportError

__all__ = ["add_parser"]

EPILOG = """\
examples:
  readiness examples                        # list them
  readiness examples nato aukus -o mine     # write mine/nato.json and mine/aukus.json
  readiness examples --all -o examples/partnerships
"""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``examples`` command."""
    e = sub.add_parser(
        "examples",
        help="list the example partnership files, or write them into a folder",
        description=(
            "Without arguments, list the example partnership files that ship with\n"
            "readiness (file, partnership name, kind). With names (or --all) and -o DIR,\n"
            "write those files into DIR, each atomically."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="example to write, by file name with or without .json (e.g. nato)",
    )
    e.add_argument("--all", action="store_true", help="write every example")
    e.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        help="folder to write the examples into (created if missing)",
    )
    e.add_argument(
        "--force",
        action="store_true",
        help="replace files that already exist in DIR (default: refuse and write nothing)",
    )
    e.set_defaults(func=_cmd_examples)


def _shipped() -> dict[str, Traversable]:
    """The example files by name without ``.json``, sorted by name."""
    root = data_dir("examples")
    return {
        e.name.removesuffix(".json"): e
        for e in sorted(root.iterdir(), key=lambda e: e.name)
        if e.name.endswith(".json") and not e.name.startswith(".")
    }


def _cmd_examples(args: argparse.Namespace) -> int:
    """List the examples, or write the chosen ones into ``--out``.

    Returns:
        0, or 2 for an unknown name, a file that exists (without ``--force``) or
        options that do not fit together.

    Raises:
        ReportError: The folder cannot be created or a file cannot be written.
    """
    shipped = _shipped()
    if not args.names and not args.all:
        if args.out is not None or args.force:
            return _usage_error("name the examples to write, or use --all")
        return _list(shipped)
    if args.names and args.all:
        return _usage_error("name examples or use --all, not both")
    if args.out is None:
        return _usage_error("-o DIR is needed to write examples (without names, they are listed)")
    wanted = [n.removesuffix(".json") for n in args.names] if args.names else list(shipped)
    unknown = [n for n in args.names if n.removesuffix(".json") not in shipped]
    if unknown:
        what = "example" if len(unknown) == 1 else "examples"
        shown = ", ".join(repr(n) for n in unknown)
        return _usage_error(f"unknown {what} {shown}; the examples are: {', '.join(shipped)}")
    return _write(shipped, list(dict.fromkeys(wanted)), Path(args.out), force=args.force)


def _list(shipped: dict[str, Traversable]) -> int:
    """Print one line per example: file name, partnership name, kind."""
    rows = []
    for entry in shipped.values():
        from readiness._io import read_document

        data = read_document(entry, InputError)
        if not isinstance(data, dict):
            raise InputError("not a JSON object", source=entry.name)
        rows.append((entry.name, str(data.get("name", "")), str(data.get("kind", ""))))
    file_width = max((len(r[0]) for r in rows), default=0)
    name_width = max((len(r[1]) for r in rows), default=0)
    for file, name, kind in rows:
        _emit(f"{file:<{file_width}}  {name:<{name_width}}  {kind}")
    return EXIT_OK


def _write(shipped: dict[str, Traversable], wanted: list[str], folder: Path, *, force: bool) -> int:
    """Copy the ``wanted`` examples into ``folder``, each file atomically."""
    targets = {name: folder / shipped[name].name for name in wanted}
    existing = [str(t) for t in targets.values() if t.exists() or t.is_symlink()]
    if existing and not force:
        them = "it" if len(existing) == 1 else "them"
        return _usage_error(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            f"nothing written (use --force to replace {them})"
        )
    if folder.exists() and not folder.is_dir():
        raise ReportError("exists and is not a folder", source=str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"cannot create the folder: {exc.strerror or exc}", source=str(folder)
        ) from None
    for name, target in targets.items():
        _copy(shipped[name], target)
    count = len(targets)
    sys.stderr.write(
        f"readiness: wrote {count} example file{'' if count == 1 else 's'} to {folder}\n"
    )
    return EXIT_OK


def _copy(source: Traversable, target: Path) -> None:
    """Write the bytes of ``source`` to ``target`` atomically (a ``ReportError`` names it)."""
    data = source.read_bytes()
    _write_output(str(target), lambda tmp: tmp.write_bytes(data))

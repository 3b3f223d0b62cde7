"""MkDocs hooks: pages written from the code at build time, so they cannot go stale.

- ``<!-- cli-reference -->`` becomes the ``--help`` of ``readiness`` and of every command,
  as the installed command line prints it (80 columns).
- ``<!-- api-reference -->`` becomes one mkdocstrings block per name in
  ``readiness.__all__``, under the module that defines it.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

CLI_MARKER = "<!-- cli-reference -->"
API_MARKER = "<!-- api-reference -->"


def _fence(text: str) -> str:
    return f"```text\n{text.rstrip()}\n```\n"


def cli_reference() -> str:
    """The help of ``readiness`` and of each of its commands, as Markdown."""
    os.environ["COLUMNS"] = "80"  # argparse wraps help to the terminal's width
    from readiness.cli import _parser

    parser = _parser()
    parser.prog = "readiness"
    parts = ["## readiness\n", _fence(parser.format_help())]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        command.prog = f"readiness {name}"
        parts += [f"## readiness {name}\n", _fence(command.format_help())]
    return "\n".join(parts)


def api_reference() -> str:
    """A ``::: module.name`` block for every public name, grouped by module."""
    import readiness

    exports: dict[str, str] = readiness._EXPORTS
    by_module: dict[str, list[str]] = {}
    for name in readiness.__all__:
        if name != "__version__":
            by_module.setdefault(exports[name], []).append(name)
    parts = []
    for module, names in by_module.items():
        parts.append(f"## `{module}`\n")
        for name in names:
            parts.append(f"::: {module}.{name}\n    options:\n      heading_level: 3\n")
    return "\n".join(parts)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    if API_MARKER in markdown:
        markdown = markdown.replace(API_MARKER, api_reference())
    return markdown

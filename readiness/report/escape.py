"""Escaping text from input files for Markdown output.

Partnership names, notes, evidence and sources come from files the user may not have
written. In Markdown they must stay text: no emphasis, no links, no table cells split,
no raw HTML (which most Markdown viewers pass through).
"""

from __future__ import annotations

__all__ = ["markdown_escape"]

#: Characters escaped with a backslash. The backslash comes first so that the
#: backslashes added for the others are not escaped again.
_SPECIAL = "\\`*_[]<>|"


def markdown_escape(text: object) -> str:
    """Escape ``text`` for a Markdown line or table cell.

    Each of ``\\ ` * _ [ ] < > |`` gets a backslash in front, so it shows as itself:
    ``<img ...>`` is not an HTML tag, ``[x](y)`` is not a link, ``|`` does not end a
    table cell. Line breaks (``\\r\\n``, ``\\r``, ``\\n``) become a space, so the text
    stays on its line (a heading, list item or table row).

    Args:
        text: Any value; it is converted with ``str()`` first.

    Returns:
        The escaped text, on one line.
    """
    s = str(text)
    for ch in _SPECIAL:
        s = s.replace(ch, "\\" + ch)
    return s.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")

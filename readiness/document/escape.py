"""Escaping text from input files for every output format.

Partnership names, notes, evidence and sources come from files the user may not have
written. Two things are done to such text:

- :func:`neutralise` (every format: text, Markdown, HTML, JSON, error messages)
  replaces the characters that change how *other* text is shown rather than showing
  themselves: terminal controls (ESC, BEL, NUL and the rest of C0 and C1, DEL), the
  bidirectional controls behind the "Trojan source" trick (U+202A-U+202E,
  U+2066-U+2069, U+200E, U+200F, U+061C), and invisible characters (zero-width space
  U+200B, word joiner U+2060-U+2064, BOM U+FEFF, line and paragraph separators
  U+2028/U+2029, interlinear annotations U+FFF9-U+FFFB, tag characters
  U+E0000-U+E007F). Each becomes a visible ``{U+202E}``; lone surrogates (which
  cannot be written as UTF-8) become ``{U+D800}`` too. Tab and line breaks are left
  to the format. Zero-width (non-)joiners (U+200C, U+200D) stay: scripts such as
  Persian and Devanagari need them.
- :func:`markdown_escape` (Markdown) also keeps the text from becoming markup: no
  emphasis, links, raw HTML or split table cells.
"""

from __future__ import annotations

import re

from readiness._text import CONTROL, json_neutralise, neutralise

__all__ = ["CONTROL", "json_neutralise", "markdown_escape", "neutralise"]

#: Characters escaped with a backslash. The backslash comes first so that the
#: backslashes added for the others are not escaped again.
_SPECIAL = "\\`*_[]>|"


def markdown_escape(text: object) -> str:
    """Escape ``text`` for a Markdown line or table cell.

    Each of ``\\ ` * _ [ ] > |`` gets a backslash in front, so it shows as itself, and
    ``<`` becomes ``&lt;``: ``<img ...>`` is not an HTML tag (nor is its text), ``[x](y)``
    is not a link (a ``(`` right after ``]`` is escaped too), ``|`` does not end a
    table cell, and ``&`` before a name or ``#`` gets a backslash so that ``&#x202E;``
    is not a character reference. Line breaks (``\\r\\n``, ``\\r``, ``\\n``) become a
    space, so the text stays on its line (a heading, list item or table row), and
    :func:`neutralise` makes control, bidi and invisible characters visible.

    Args:
        text: Any value; it is converted with ``str()`` first.

    Returns:
        The escaped text, on one line.
    """
    s = str(text)
    for ch in _SPECIAL:
        s = s.replace(ch, "\\" + ch)
    s = re.sub(r"&(?=#?\w+;)", r"\\&", s.replace("\\](", "\\]\\("))
    s = s.replace("<", "&lt;")
    return neutralise(s.replace("\r\n", " ").replace("\r", " ").replace("\n", " "))

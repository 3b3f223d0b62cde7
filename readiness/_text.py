"""Control, bidi and invisible characters: made visible, or escaped in JSON.

The base of :mod:`readiness.report.escape` (which documents the character set), kept
in the base layer so that error messages and the command line use it too.
"""

from __future__ import annotations

import re

__all__ = [
    "CONTROL",
    "FORMULA_STARTS",
    "STARTS_A_FORMULA",
    "formula_as_text",
    "json_neutralise",
    "neutralise",
    "text_from_formula_quote",
]

_INVISIBLE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
)
"""Control, bidi and invisible characters (a character class's content)."""

#: The characters :func:`neutralise` replaces (see the module docstring).
CONTROL = re.compile("[" + _INVISIBLE + "\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    return f"{{U+{ord(match.group()):04X}}}"


def neutralise(text: str) -> str:
    """Replace control, bidi and invisible characters by a visible ``{U+XXXX}``.

    >>> neutralise("abc\\u202edef\\x1b[31m")
    'abc{U+202E}def{U+001B}[31m'
    """
    return CONTROL.sub(_visible, text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # a tag character: its UTF-16 surrogate pair, as JSON spells it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_neutralise(document: str) -> str:
    """A JSON document with the :data:`CONTROL` characters written as ``\\uXXXX``.

    The data is unchanged (a JSON reader gets the same strings back); only the raw
    characters are gone from the text, so a terminal or viewer showing it is not
    misled. Outside strings JSON has no such characters, so the whole text can be
    processed.

    >>> json_neutralise('{"name": "a\\u202eb"}')
    '{"name": "a\\\\u202eb"}'
    """
    return CONTROL.sub(_json_escape, document)


#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP, "CSV
#: Injection"), with their full-width forms (``＝``, which spreadsheets in East Asian
#: locales read as ``=``): such text cells get a leading ``'`` in CSV files we write.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


STARTS_A_FORMULA = re.compile("['" + _INVISIBLE + "]*[" + re.escape("".join(FORMULA_STARTS)) + "]")
"""Text that :func:`formula_as_text` quotes: a :data:`FORMULA_STARTS` character, after any
quotes already there (so that quoting can always be undone) and any invisible or
control characters (``\ufeff=1+1``: a spreadsheet may strip the invisible prefix and
run the rest). Its pattern holds no surrogate, so that it also runs on Arrow strings."""


def formula_as_text(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula.

    Text that already starts with quotes before such a character gets one more, so
    that :func:`text_from_formula_quote` gives every text back as it was.

    >>> formula_as_text("=HYPERLINK(1)"), formula_as_text("a = b"), formula_as_text("'=x")
    ("'=HYPERLINK(1)", 'a = b', "''=x")
    >>> formula_as_text("\\ufeff=1+1"), formula_as_text("\\uff1d1+1")
    ("'\\ufeff=1+1", "'＝1+1")
    """
    return "'" + text if STARTS_A_FORMULA.match(text) else text


def text_from_formula_quote(text: str) -> str:
    """The inverse of :func:`formula_as_text`, for CSV files read back.

    >>> text_from_formula_quote("'=1+1"), text_from_formula_quote("''=x")
    ('=1+1', "'=x")
    >>> text_from_formula_quote("'quoted'")
    "'quoted'"
    """
    return text[1:] if text.startswith("'") and STARTS_A_FORMULA.match(text, 1) else text

"""markdown_escape: text from input files stays text in every Markdown output."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from readiness import compare
from readiness.report import build_report, render_markdown
from readiness.report.escape import CONTROL, markdown_escape
from tests.report.helpers import IMG_EVIDENCE, SCRIPT_NAME, assessment_of, hostile_data

SPECIAL = set("\\`*_[]>|(&")
LINK = "[x](javascript:alert(1))"


def inert(md: str) -> bool:
    """True when every special character is backslash-escaped and nothing breaks a line.

    Scans left to right: a backslash must escape the next character (itself special),
    and no special character may stand on its own; ``<`` never appears (it is
    ``&lt;``), ``(`` and ``&`` only where they cannot start a link or a character
    reference, and no control, bidi or invisible character is left.
    """
    if "<" in md or "](" in md or re.search(r"(?<!\\)&(?!lt;)#?\w+;", md):
        return False
    if CONTROL.search(md):
        return False
    i = 0
    while i < len(md):
        ch = md[i]
        if ch in "\r\n":
            return False
        if ch in "(&":
            i += 1
            continue
        if ch == "\\":
            if i + 1 >= len(md) or md[i + 1] not in SPECIAL:
                return False
            i += 2
            continue
        if ch in SPECIAL:
            return False
        i += 1
    return True


def unescape(md: str) -> str:
    md = re.sub(r"\{U\+([0-9A-F]{4,5})\}", lambda m: chr(int(m[1], 16)), md)
    return re.sub(r"\\(.)", r"\1", md.replace("&lt;", "<"))


def test_html_and_links_come_out_inert():
    img = markdown_escape("<img src=x onerror=alert(1)>")
    assert img == "&lt;img src=x onerror=alert(1)\\>"
    assert markdown_escape(LINK) == "\\[x\\]\\(javascript:alert(1))"
    assert markdown_escape(IMG_EVIDENCE) == IMG_EVIDENCE.replace("<", "&lt;").replace(">", "\\>")
    for text in (img, markdown_escape(LINK), markdown_escape(SCRIPT_NAME)):
        assert inert(text)
        assert "<" not in text and "](" not in text


def test_character_references_and_controls_stay_text():
    assert markdown_escape("&#x202E; &lt; R&D") == "\\&#x202E; \\&lt; R&D"
    assert markdown_escape("a\u202eb\x1b[31m\x00") == "a{U+202E}b{U+001B}\\[31m{U+0000}"
    assert markdown_escape("\u2066x\u2069\u200f\u061c") == "{U+2066}x{U+2069}{U+200F}{U+061C}"


def test_every_special_character_and_line_break():
    assert markdown_escape("a|b*c_d`e\\f") == "a\\|b\\*c\\_d\\`e\\\\f"
    assert markdown_escape("one\ntwo\r\nthree\rfour") == "one two three four"
    assert markdown_escape(3.5) == "3.5"
    assert markdown_escape("\\*") == "\\\\\\*"  # an escaped star in the input stays literal


@given(st.text())
def test_any_text_is_inert_and_loses_nothing_but_line_breaks(text: str):
    out = markdown_escape(text)
    assert inert(out)
    flat = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    if "{U+" not in flat and "&lt;" not in flat:  # else the round trip is ambiguous
        assert unescape(out) == flat


def test_reports_and_comparisons_use_it():
    name = f"{SCRIPT_NAME} {LINK} | *x*"
    hostile = assessment_of(hostile_data(name))
    earlier = assessment_of({**hostile_data(name), "assessed_on": "2025-01-01"})
    report = render_markdown(build_report(hostile))
    table = compare([earlier, hostile]).to_markdown()  # the name heads "What changed"
    for md in (report, table):
        assert markdown_escape(name) in md
        assert "<script>" not in md and "[x](" not in md
    assert markdown_escape(IMG_EVIDENCE) in report and IMG_EVIDENCE not in report

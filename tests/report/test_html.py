"""The HTML report: self-contained, escaped, inert, reproducible, with and without charts."""

from __future__ import annotations

import re
import sys
from dataclasses import replace

import pytest
from markupsafe import escape

from readiness.errors import ReportError
from readiness.report import build_report, charts, render_html, render_markdown
from readiness.report import html as html_module
from tests.report.helpers import (
    BOLD_EVIDENCE,
    EXAMPLE_FILES,
    GATE,
    IMG_EVIDENCE,
    SCRIPT_NAME,
    SOURCE,
    URL,
    example_report,
    hostile_report,
    synthetic_assessment,
    synthetic_report,
)

#: an attribute that makes a browser fetch something, with an absolute or scheme-relative URL
REMOTE_ATTR = re.compile(
    r"""\b(?:src|href|srcset|action|formaction|poster|data|background|ping)\s*=\s*["']?\s*"""
    r"""(?:[a-z][a-z0-9+.-]*:|//)""",
    re.IGNORECASE,
)


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "available", lambda: False)


def test_page_is_a_complete_document():
    page = render_html(synthetic_report(), charts=False)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert page.endswith("</html>\n")
    assert '<meta charset="utf-8">' in page
    assert "<title>Readiness of Synthetic partnership</title>" in page
    assert "@media print" in page


@pytest.mark.parametrize("with_charts", [False, True])
def test_same_report_same_bytes(with_charts):
    if with_charts:
        pytest.importorskip("matplotlib")
    first = render_html(synthetic_report(), charts=with_charts)
    second = render_html(build_report(synthetic_assessment()), charts=with_charts)
    assert first.encode() == second.encode()


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_nothing_is_fetched(path):
    page = render_html(example_report(path), charts=charts.available())
    assert not REMOTE_ATTR.findall(page)
    for forbidden in ("<script", "<link", "<iframe", "<object", "<embed", "@import", "url(http"):
        assert forbidden not in page.lower()
    assert "@font-face" not in page


def test_every_section_is_there():
    r = synthetic_report()
    page = render_html(r, charts=False)
    for heading in ("Pillars", "Gaps, root causes first", "Unrated criteria", "Roadmap"):
        assert f">{heading}</h" in page
    assert "Evidence by criterion" in page
    assert page.count('<details class="criterion">') == len(r.criteria)
    assert page.count('<li class="gap">') == len(r.gaps)
    for x in r.pillars:
        assert escape(x.title) in page
    for s in r.roadmap:
        assert f"{s.score_after:.1f}" in page
    assert f"{r.overall:.1f}" in page
    assert r.band is not None and r.band["name"] in page
    assert f"version {r.rubric['version']}" in page  # footer: rubric and options
    assert "an overall score needs 60% coverage" in page


def test_failed_gates_callout():
    r = synthetic_report()
    assert [g.criterion for g in r.gates] == [GATE]
    page = render_html(r, charts=False)
    assert "Failed gates" in page and "1 failed" in page
    assert escape(r.gates[0].reason) in page
    assert f"costing {r.gate_loss:.1f} points" in page
    as_unrated = (replace(r.gates[0], status="unrated", level=None, effect="rate it"),)
    unrated = render_html(replace(r, gates=(), unrated_gates=as_unrated, gate_loss=0.0))
    assert "Failed gates" not in unrated and "All passed" not in unrated
    assert "1 unrated" in unrated and "Unrated gates" in unrated
    passed = render_html(replace(r, gates=(), unrated_gates=(), gate_loss=0.0), charts=False)
    assert "Failed gates" not in passed and "All passed" in passed


def test_input_text_is_escaped_in_html():
    page = render_html(hostile_report(), charts=charts.available())
    assert "<script" not in page
    assert escape(SCRIPT_NAME) in page  # shown, as text
    assert "<b>in secret</b>" not in page and escape(BOLD_EVIDENCE) in page
    assert "<img" not in page and escape(IMG_EVIDENCE) in page
    assert "<i>GBR</i>" not in page and "<em>Assessor</em>" not in page
    assert "<u>markup</u>" not in page
    assert escape(SOURCE) in page


def test_evidence_urls_are_text_not_links():
    page = render_html(hostile_report(), charts=False)
    assert f'<span class="url">{escape(URL)}</span>' in page
    assert "javascript:alert(1)</span>" in page
    assert "href=" not in page and "<a " not in page


def test_input_text_is_escaped_in_markdown():
    md = render_markdown(hostile_report())
    assert "<" not in md  # no tag can open: every < from an input is &lt;
    assert "&lt;script\\>" in md
    assert "&lt;b\\>in secret&lt;/b\\>" in md
    assert "&lt;img src=x" in md


def test_tables_only_without_matplotlib(no_matplotlib):
    page = render_html(synthetic_report())
    assert "<svg" not in page
    assert "Install readiness[plots] for charts" in page
    assert "<table" in page and "Gaps, root causes first" in page


def test_tables_only_when_matplotlib_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises
    assert not charts.available()
    page = render_html(synthetic_report())
    assert "<svg" not in page and "Install readiness[plots] for charts" in page


def test_charts_false_has_no_note(no_matplotlib):
    page = render_html(synthetic_report(), charts=False)
    assert "<svg" not in page and "readiness[plots]" not in page


def test_charts_true_without_matplotlib_is_an_error(no_matplotlib):
    with pytest.raises(ReportError, match=r"readiness\[plots\]"):
        render_html(synthetic_report(), charts=True)


def test_charts_when_available():
    pytest.importorskip("matplotlib")
    page = render_html(synthetic_report())
    assert page.count("<svg ") == 2
    assert 'class="chart chart-pillars"' in page and 'class="chart chart-gaps"' in page
    assert "readiness[plots]" not in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "element ids are unique across the inlined charts"


def test_no_gaps_no_gap_chart():
    pytest.importorskip("matplotlib")
    r = synthetic_report()
    page = render_html(replace(r, gaps=(), evidence_gaps=(), roadmap=()), charts=True)
    assert "No rated criterion is below its target." in page
    assert 'chart-gaps"' not in page and '<h2 id="roadmap-heading"' not in page


def test_no_overall_score():
    r = replace(synthetic_report(), overall=None, band=None, reason="coverage 40% < 60%")
    page = render_html(r, charts=False)
    assert "No overall score" in page and "coverage 40% &lt; 60%." in page


def test_templates_ship_inside_the_package():
    names = list(html_module.template_names())
    assert {"report.html.j2", "report.css"} <= set(names)
    assert html_module.environment().autoescape is True

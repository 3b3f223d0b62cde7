"""Charts: deterministic inline SVG, no pyplot, no leaked rc settings, escaped labels."""

from __future__ import annotations

import re
import sys
from dataclasses import replace

import pytest

from readiness.errors import ReportError
from readiness.report import charts
from tests.report.helpers import SCRIPT_NAME, hostile_report, synthetic_report

mpl = pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def report():
    return synthetic_report()


def _check_svg(svg: str, salt: str) -> None:
    assert svg.startswith(f'<svg class="chart chart-{salt}" role="img" aria-label="')
    assert svg.endswith("</svg>\n")
    head = svg[: svg.index(">")]
    assert "viewBox=" in head and " width=" not in head and " height=" not in head
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "<metadata" not in svg and "matplotlib.org" not in svg  # no creator, no date
    assert "<text" in svg  # svg.fonttype 'none': text stays text
    for ident in re.findall(r'\sid="([^"]+)"', svg):
        assert ident.startswith(f"{salt}-")
    for ref in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg):
        assert "".join(ref).startswith(f"{salt}-")


def test_pillar_chart(report):
    svg = charts.pillar_chart(report)
    _check_svg(svg, "pillars")
    for band in report.bands:
        assert f">{band.name}</text>" in svg


def test_gaps_chart(report):
    svg = charts.gaps_chart(report)
    _check_svg(svg, "gaps")
    assert "(unrated)</text>" in svg
    assert f"{report.gaps[0].impact:+.1f}" in svg
    assert charts.gaps_chart(replace(report, gaps=(), evidence_gaps=())) == ""


def test_charts_are_reproducible(report):
    assert charts.pillar_chart(report) == charts.pillar_chart(report)
    assert charts.gaps_chart(report) == charts.gaps_chart(report)


def test_no_pyplot_and_no_leaked_rc(report):
    before = dict(mpl.rcParams)
    had_pyplot = "matplotlib.pyplot" in sys.modules
    charts.pillar_chart(report)
    charts.comparison_chart([report, report])
    assert dict(mpl.rcParams) == before
    assert ("matplotlib.pyplot" in sys.modules) == had_pyplot


def test_comparison_chart(report):
    hostile = hostile_report(SCRIPT_NAME + " $x$ _hidden")
    svg = charts.comparison_chart([report, hostile])
    _check_svg(svg, "compare")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "$x$" in svg  # a dollar is a dollar, not mathtext
    assert ">Synthetic partnership</text>" in svg
    tricky = charts.comparison_chart([report], names=['x id="y" url(#z)'])
    assert 'x id="y" url(#z)</text>' in tricky  # text is not taken for attributes
    named = charts.comparison_chart([report, report], names=["A", "A"])
    assert ">A</text>" in named


def test_comparison_chart_checks_its_input(report):
    with pytest.raises(ReportError):
        charts.comparison_chart([])
    with pytest.raises(ReportError):
        charts.comparison_chart([report], names=["a", "b"])
    with pytest.raises(ReportError):
        charts.comparison_chart([report, replace(report, pillars=report.pillars[:-1])])


def test_grouped_bar_chart():
    svg = charts.grouped_bar_chart(
        ["one", "two"], {"a": [10.0, None], "b": [5.0, 7.5]}, xmax=None, salt="custom"
    )
    _check_svg(svg, "custom")
    with pytest.raises(ReportError):
        charts.grouped_bar_chart(["one"], {"a": [1.0, 2.0]})
    with pytest.raises(ReportError):
        charts.grouped_bar_chart(["one"], {"a": [1.0]}, salt='x" onload="y')


def test_missing_matplotlib(monkeypatch, report):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import raises ImportError
    with pytest.raises(ReportError, match=r"readiness\[plots\]"):
        charts.pillar_chart(report)

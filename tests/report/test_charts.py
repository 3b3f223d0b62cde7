"""Charts: deterministic inline SVG, no pyplot, no leaked rc settings, escaped labels."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from xml.dom import minidom
from xml.etree import ElementTree

import pytest

from readiness import assess, compare, load_rubric
from readiness.errors import ReportError
from readiness.report import build_report, charts
from tests.factories import SMALL
from tests.report.helpers import (
    SCRIPT_NAME,
    assessment_of,
    hostile_data,
    synthetic_assessment,
    synthetic_report,
)

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

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
    charts.comparison_chart([synthetic_assessment()] * 2)
    assert dict(mpl.rcParams) == before
    assert ("matplotlib.pyplot" in sys.modules) == had_pyplot


def test_comparison_chart():
    synthetic = synthetic_assessment()
    hostile = assessment_of(hostile_data(SCRIPT_NAME + " $x$ _hidden"))
    svg = charts.comparison_chart([synthetic, hostile])
    _check_svg(svg, "compare")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "$x$" in svg  # a dollar is a dollar, not mathtext
    assert ">Synthetic partnership</text>" in svg
    tricky = charts.comparison_chart([synthetic], names=['x id="y" url(#z)'])
    assert 'x id="y" url(#z)</text>' in tricky  # text is not taken for attributes
    named = charts.comparison_chart([synthetic, synthetic], names=["A", "A"])
    assert ">A</text>" in named


def test_comparison_chart_of_a_comparison_uses_its_labels():
    synthetic = synthetic_assessment()
    comparison = compare([synthetic, synthetic])
    svg = charts.comparison_chart(comparison)
    _check_svg(svg, "compare")
    legend = _texts(svg)
    assert set(comparison.labels) <= legend
    assert "Synthetic partnership" not in legend
    assert svg == charts.comparison_chart([synthetic] * 2, names=comparison.labels)


def test_comparison_chart_checks_its_input():
    synthetic = synthetic_assessment()
    with pytest.raises(ReportError, match="at least one"):
        charts.comparison_chart([])
    with pytest.raises(ReportError, match="names"):
        charts.comparison_chart([synthetic], names=["a", "b"])
    small = load_rubric(SMALL)
    other = assess(synthetic.partnership.model_copy(update={"ratings": {}}), small)
    with pytest.raises(ReportError, match="same rubric"):
        charts.comparison_chart([synthetic, other])


def _texts(svg: str) -> set[str]:
    return {t.text or "" for t in ElementTree.fromstring(svg).iter(f"{SVG}text")}


def _every_chart(report, assessments) -> dict[str, str]:
    return {
        "pillars": charts.pillar_chart(report),
        "gaps": charts.gaps_chart(report),
        "compare": charts.comparison_chart(assessments),
        "grouped": charts.grouped_bar_chart(
            ["one", "two"], {"a": [10.0, None], "b": [5.0, 7.5]}, xmax=None, salt="grouped"
        ),
    }


def test_every_chart_is_well_formed_xml(report):
    for kind, svg in _every_chart(report, [synthetic_assessment()] * 2).items():
        root = ElementTree.fromstring(svg)  # raised 'unbound prefix' on xlink:href
        minidom.parseString(svg)
        assert root.tag == f"{SVG}svg", kind
        refs = [e.get(f"{XLINK}href") for e in root.iter() if e.get(f"{XLINK}href")]
        assert refs, kind  # the references are still there, now in their namespace
        ids = {e.get("id") for e in root.iter()}
        assert all(ref[1:] in ids for ref in refs), kind  # and each points at an element


def test_every_chart_displays_in_ipython(report):
    display = pytest.importorskip("IPython.display")
    for kind, svg in _every_chart(report, [synthetic_assessment()] * 2).items():
        assert "<svg" in display.SVG(data=svg)._repr_svg_(), kind  # parses it with minidom


def test_charts_of_hostile_text_are_well_formed_xml():
    # characters XML cannot hold at all (control characters, U+FFFE) are dropped
    name = SCRIPT_NAME + " a\x01b\x00c\ufffed & <i>"
    hostile = assessment_of(hostile_data(name))
    for kind, svg in _every_chart(build_report(hostile), [hostile, hostile]).items():
        ElementTree.fromstring(svg)
        if kind == "compare":
            assert SCRIPT_NAME + " abcd & <i>" in _texts(svg)
    odd = charts.grouped_bar_chart(["t\x02"], {"s\x03": [1.0]}, xlabel="x\x04", label="l\x05")
    root = ElementTree.fromstring(odd)
    assert root.get("aria-label") == "l"
    assert {"t", "s", "x"} <= _texts(odd)


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
        charts.comparison_chart([synthetic_assessment()])
    # the report's own charts are written without matplotlib
    _check_svg(charts.pillar_chart(report), "pillars")
    _check_svg(charts.gaps_chart(report), "gaps")

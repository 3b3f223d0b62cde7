"""Explanations: contributions in points that add up to the raw score, and gate loss."""

from __future__ import annotations

import json
import re

import pytest

from readiness import assess, load_rubric
from tests.factories import ROOT, SMALL
from tests.test_gaps import partnership
from tests.test_panel import assert_renders_nothing


@pytest.fixture(scope="module")
def small():
    return load_rubric(SMALL)


def test_explain_points_add_up(small):
    a = assess(partnership(a_one=4, a_two=2, b_one=1, b_two=3), small)
    frame = a.explain().to_frame()
    criteria = frame[frame["criterion"].notna()]
    assert criteria["points"].sum() == pytest.approx(a.raw)
    pillars = frame[frame["criterion"].isna()]
    assert pillars["points"].sum() == pytest.approx(a.raw)
    # arithmetic: a.two = 50 points x 3/4 of pillar A x 2/3 of the whole
    assert float(criteria.set_index("criterion").loc["a.two", "points"]) == pytest.approx(25.0)
    text = a.explain().to_text()
    assert "a.two" in text and re.search(
        r"^sum of contributions \(raw overall\) +58\.33$", text, re.M
    )


def test_explain_shows_gate_loss(small):
    a = assess(partnership(a_one=4, a_two=4, b_one=4, b_two=1), small)
    e = a.explain()
    assert e.gate_loss == pytest.approx(47.5)
    assert "gate failed: b.two below level" in e.to_text()
    assert re.search(r"^failed gates take off, together +-47\.50$", e.to_text(), re.M)


def test_points_per_pillar_and_criterion_are_a_typed_table(small):
    from readiness.document import Table

    a = assess(partnership(a_one=4, a_two=2, b_one="unknown", b_two=3), small)
    doc = a.explain().to_document()
    assert doc.kind == "explanation" and doc.title == "How the overall score of T is made"
    points, totals = [b for b in doc.blocks if isinstance(b, Table)]
    kinds = [c.kind for c in points.columns]
    assert kinds == ["text", "level", "score", "number", "share", "share", "score"]
    assert [r.strong for r in points.rows] == [True, False, False, True, False, False]
    b_one = points.rows[4].cells
    assert b_one[1] == "?"  # unknown: marked
    assert totals.rows[-1].cells == ("overall", a.overall) and totals.rows[-1].strong
    md = a.explain().to_markdown()
    assert "| **a** |  | **62.5** | **2** | **66.7%** | **66.7%** | **41.67** |" in md  # bold
    assert "| `a.two` | 2 | 50.0 | 3 | 50.0% | 50.0% | 25.00 |" in md
    assert "| `b.one` | ? | - | 1 | 16.7% | 0.0% | 0.00 |" in md


def test_no_overall_score_is_said_with_its_reason(small):
    a = assess(partnership(a_one="unknown", a_two="unknown", b_one="unknown"), small)
    assert a.overall is None and a.reason == "no criterion is rated"
    text = a.explain().to_text()
    assert text.endswith("\n\noverall: none (no criterion is rated)\n")
    assert re.search(r"^sum of contributions \(raw overall\) +-$", text, re.M)


def test_every_format_comes_from_the_document(small):
    from readiness.document import render_html, render_markdown, render_text

    e = assess(partnership(a_one=4, a_two=4, b_one=4, b_two=1), small).explain()
    doc = e.to_document()
    assert e.to_markdown() == render_markdown(doc)
    assert e.to_text() == render_text(doc) == str(e)
    assert e._repr_html_() == render_html(doc)
    data = json.loads(e.to_json())
    assert data == json.loads(json.dumps(e.to_dict()))
    assert data["rows"] == json.loads(e.to_frame().to_json(orient="records"))


def test_explanation_lays_itself_out_with_the_vocabulary_and_renders_nothing():
    assert_renders_nothing(ROOT / "readiness" / "explain.py")

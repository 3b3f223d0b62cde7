"""Notebook display (``_repr_html_``) and the tidy per-criterion gap frame."""

from __future__ import annotations

import pandas as pd
from markupsafe import escape

from tests.report.helpers import (
    GATE,
    NOT_APPLICABLE,
    SCRIPT_NAME,
    UNKNOWN,
    assessment_of,
    hostile_data,
    synthetic_assessment,
)


def test_assessment_repr_html():
    a = synthetic_assessment()
    out = a._repr_html_()
    assert out.startswith('<div class="readiness-assessment">') and out.rstrip().endswith("</div>")
    assert f"<dd>{a.overall:.1f} / 100 [" in out
    assert out.count("<tr>") == len(a.pillars) + 1
    assert "Gate failed" in out and GATE in out
    assert "<svg" not in out and "<style" not in out and "<script" not in out


def test_gap_report_repr_html():
    g = synthetic_assessment().gaps()
    out = g._repr_html_()
    assert out.startswith('<div class="readiness-gaps">')
    assert g.profile.title in out and g.profile_reason in out
    for gap in (*g.gaps, *g.evidence_gaps):
        assert gap.criterion in out
    assert "Evidence gaps (unrated criteria)" in out
    assert g.assessment.partnership.name in out
    for gap in g.gaps:  # what the Markdown shows, the notebook shows too
        assert gap.why.replace("'", "&#x27;") in out


def test_repr_html_escapes_input_text():
    a = assessment_of(hostile_data())
    for out in (a._repr_html_(), a.gaps()._repr_html_()):
        assert "<script" not in out and str(escape(SCRIPT_NAME)) in out


def test_criteria_frame_is_tidy():
    g = synthetic_assessment().gaps()
    f = g.criteria_frame()
    a = g.assessment
    assert list(f.columns) == [
        "criterion", "pillar", "title", "status", "level", "score", "weight",
        "effective_weight", "target", "gap", "impact",
    ]  # fmt: skip
    assert list(f["criterion"]) == list(a.rubric.criterion_ids)
    by_id = f.set_index("criterion")
    assert by_id.loc[UNKNOWN, "status"] == "unknown" and pd.isna(by_id.loc[UNKNOWN, "level"])
    assert by_id.loc[NOT_APPLICABLE, "status"] == "not-applicable"
    na = by_id.loc[NOT_APPLICABLE]
    assert pd.isna(na["impact"]) and pd.isna(na["gap"])
    for gap in g.gaps:
        row = by_id.loc[gap.criterion]
        assert row["status"] == "below-target" and row["impact"] == gap.impact
        assert row["gap"] == row["target"] - row["level"]
    met = f[f["status"] == "met"]
    assert (met["gap"] == 0).all() and (met["impact"] == 0).all()
    assert (met["level"] >= met["target"]).all()
    assert f["effective_weight"].sum() == sum(c.effective_weight for c in a.criteria)
    ranked = f.sort_values("impact", ascending=False, kind="stable")
    assert ranked["criterion"].iloc[0] in {x.criterion for x in (*g.gaps, *g.evidence_gaps)}

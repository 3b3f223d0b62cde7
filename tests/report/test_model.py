"""The report model's additions for the HTML report: bands, methods, cumulative effort."""

from __future__ import annotations

from readiness.report import build_report, report_from_gaps
from tests.report.helpers import synthetic_assessment, synthetic_report


def test_bands_cover_0_to_100():
    r = synthetic_report()
    a = synthetic_assessment()
    assert [b.id for b in r.bands] == [b.id for b in a.rubric.bands]
    assert r.bands[0].min == 0 and r.bands[-1].max == 100
    for lo, hi in zip(r.bands, r.bands[1:], strict=False):
        assert lo.max == hi.min


def test_pillar_methods_and_cumulative_effort():
    r = synthetic_report()
    a = synthetic_assessment()
    assert [p.method for p in r.pillars] == [p.method for p in a.pillars]
    total = 0.0
    for s in r.roadmap:
        total += s.effort_units
        assert s.effort_after == total


def test_report_from_gaps_is_build_report():
    a = synthetic_assessment()
    assert report_from_gaps(a.gaps()) == build_report(a)
    assert report_from_gaps(a.gaps("regional-forum")) == build_report(a, "regional-forum")


def test_the_terminal_report_does_not_work_out_the_json_form(monkeypatch):
    # a report's data (its JSON form, a deep copy of the whole model) is made when read,
    # once, equal to to_dict(); the text and Markdown reports never read it
    from readiness.document import DeferredData, render_json
    from readiness.readout import Report
    from readiness.report import render_markdown, render_text

    r = synthetic_report()
    expected = r.to_dict()
    doc = r.to_document()
    assert isinstance(doc.data, DeferredData)
    assert doc.data == expected and dict(doc.data) == expected
    assert render_json(r.to_document()) == render_json(
        type(doc)(doc.title, doc.blocks, doc.kind, expected)
    )
    calls = []
    made = Report.to_dict
    monkeypatch.setattr(Report, "to_dict", lambda self: calls.append(1) or made(self))
    render_text(r)
    render_markdown(r)
    assert calls == []
    doc = r.to_document(brief=True)
    assert len(doc.data) == len(expected) and doc.data["title"] == expected["title"]
    assert calls == [1]  # made once, however often read

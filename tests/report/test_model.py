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

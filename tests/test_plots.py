"""Charts in notebooks: ``plot()`` returns the matplotlib figure of the chart a report
shows (``readiness.document.charts.figure_of``), not attached to pyplot."""

from __future__ import annotations

import sys
from functools import cache

import pytest

import readiness as rd
from readiness.document.charts import short_label
from readiness.errors import InputError, ReportError
from tests.factories import EXAMPLES

mpl = pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402


@cache
def _a(name: str) -> rd.Assessment:
    return rd.assess(rd.load_partnership(EXAMPLES / f"{name}.json"))


def _labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_an_assessment_plots_its_pillars_with_ranges_and_targets() -> None:
    a = _a("fpda")
    fig = a.plot()
    assert isinstance(fig, Figure)
    assert _labels(fig) == [short_label(p.title) for p in a.pillars]
    ax = fig.axes[0]
    bars = [b.get_width() for b in ax.containers[0]]
    assert bars == pytest.approx([p.score for p in a.pillars if p.score is not None])
    # the diamonds sit at the profile's pillar scores, one per pillar
    targets = a.gaps().profile_scores.pillar[0]
    (marks,) = [c for c in ax.collections if c.get_label() == "Target"]
    assert sorted(marks.get_offsets()[:, 0]) == pytest.approx(sorted(targets))
    # a named profile moves the targets
    other = next(p.id for p in a.rubric.profiles if p.id != a.gaps().profile.id)
    (moved,) = [c for c in a.plot(other).axes[0].collections if c.get_label() == "Target"]
    want = a.gaps(other).profile_scores.pillar[0]
    assert sorted(moved.get_offsets()[:, 0]) == pytest.approx(sorted(want))
    assert sorted(want) != pytest.approx(sorted(targets))


def test_a_gap_report_plots_gains_in_rank_order_then_the_unrated() -> None:
    g = _a("quad").gaps()
    fig = g.plot()
    ax = fig.axes[0]
    widths = {}
    for container in ax.containers:
        for bar in container:
            widths[round(bar.get_y() + bar.get_height() / 2)] = bar.get_width()
    rows = (*g.gaps, *g.evidence_gaps)
    assert len(widths) == len(rows)
    assert [widths[i] for i in range(len(rows))] == pytest.approx(
        [max(r.impact, 0.0) for r in rows]
    )
    assert len(g.evidence_gaps) > 0  # quad has unrated criteria: both kinds are drawn
    assert {c.get_label() for c in ax.containers} == {"Below target", "Unrated (lower bound)"}


def test_a_comparison_plot_is_the_picture_its_html_shows() -> None:
    from readiness.compare import _pillar_chart
    from readiness.document.charts import figure_of

    c = rd.compare([_a("nato"), _a("aukus")])
    fig = c.plot()
    assert len(fig.axes[0].containers) == 2  # one series per assessment
    # the same drawing code: the SVG the HTML inlines comes from the captured figure
    svg = _pillar_chart(c)
    assert svg.strip() in c.to_html()
    again = figure_of(lambda: _pillar_chart(c))
    assert _labels(again) == _labels(fig)


def test_robustness_plots_each_of_its_charts() -> None:
    r = rd.robustness([_a(n) for n in ("nato", "aukus", "quad")], samples=128, n=64)
    for kind in ("bands", "ranks", "sensitivity"):
        assert isinstance(r.plot(kind), Figure)
    assert isinstance(r.plot("sensitivity", r.uncertainty.labels[-1]), Figure)
    with pytest.raises(InputError, match="no partnership"):
        r.plot("sensitivity", "atlantis")
    with pytest.raises(InputError, match="unknown kind"):
        r.plot("pie")  # type: ignore[arg-type]


def test_figures_stay_out_of_pyplot() -> None:
    had = "matplotlib.pyplot" in sys.modules
    _a("nato").plot()
    assert ("matplotlib.pyplot" in sys.modules) == had


def test_without_matplotlib_plot_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    with pytest.raises(ReportError, match=r"readiness\[plots\]"):
        _a("nato").plot()

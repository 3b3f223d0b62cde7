"""Every example in every report format, compared byte for byte with a stored snapshot.

After a deliberate change to a renderer, the rubric or an example, regenerate with
``make snapshots`` (``pytest -q tests/report --snapshot-update``) and review the diff.

HTML snapshots are rendered with charts, and do not change with matplotlib's version:
the report's own charts (pillars, gaps) are SVG that readiness writes itself, compared
byte for byte (:func:`test_the_report_charts_need_no_matplotlib` holds them to that),
and a chart that matplotlib draws, should one enter the report, is compared by what it
says (its ``aria-label`` and every text it shows, in order: titles, ticks, labels,
legend) and not by the geometry a matplotlib release lays out (:func:`stable_charts`).
The snapshot files keep the page as rendered, so they still open in a browser.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from readiness.report import Report, render_html, render_json, render_markdown, render_text
from tests.report.helpers import EXAMPLE_FILES, example_report

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"

FORMATS: dict[str, tuple[str, Callable[[Report], str]]] = {
    "markdown": ("md", render_markdown),
    "json": ("json", render_json),
    "html": ("html", lambda r: render_html(r, charts=True)),
    "text": ("txt", render_text),
}
HINT = "regenerate with `make snapshots` (pytest -q tests/report --snapshot-update)"

#: an inline chart: readiness.report.charts makes every one start like this
_CHART = re.compile(r'<svg class="chart chart-(?P<salt>[a-z][a-z0-9-]*)"[^>]*>.*?</svg>', re.S)
_LABEL = re.compile(r'\saria-label="([^"]*)"')
_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)


def _drawn_by_matplotlib(svg: str, salt: str) -> bool:
    # charts._draw keeps matplotlib's element ids, prefixed with the chart's salt
    return f'id="{salt}-figure_1"' in svg


def stable_charts(page: str) -> str:
    """``page`` with each chart that matplotlib drew replaced by what it says: its
    ``aria-label`` and its texts in order (titles, ticks, axis labels, legend), and a
    digest of them; charts that readiness writes itself are left byte for byte."""

    def summary(match: re.Match[str]) -> str:
        svg, salt = match.group(0), match.group("salt")
        if not _drawn_by_matplotlib(svg, salt):
            return svg
        label = _LABEL.search(svg[: svg.index(">") + 1])
        texts = [" ".join(html.unescape(t).split()) for t in _TEXT.findall(svg)]
        said = "\n".join([label.group(1) if label else "", *texts])
        digest = hashlib.sha256(said.encode("utf-8")).hexdigest()[:16]
        lines = "".join(f"\n  {html.escape(t)}" for t in texts)
        return f'<svg class="chart chart-{salt}" matplotlib-chart="{digest}">{lines}\n</svg>'

    return _CHART.sub(summary, page)


@pytest.fixture
def update(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--snapshot-update"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_snapshot(path: Path, fmt: str, update: bool) -> None:
    ext, render = FORMATS[fmt]
    if fmt == "html":
        pytest.importorskip("matplotlib", reason="HTML snapshots are drawn with charts")
    text = render(example_report(path))
    snapshot = SNAPSHOTS / f"{path.stem}.{ext}"
    if update:
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_bytes(text.encode("utf-8"))
        return
    assert snapshot.exists(), f"no snapshot {snapshot.name}: {HINT}"
    expected = snapshot.read_bytes().decode("utf-8")
    if fmt == "html":  # a matplotlib-drawn chart by what it says, not its geometry
        text, expected = stable_charts(text), stable_charts(expected)
    assert text == expected, f"{snapshot.name} differs from the rendered report: {HINT}"


def test_no_stale_snapshots(update: bool) -> None:
    """A snapshot whose example is gone is removed on update, and fails otherwise."""
    stems = {p.stem for p in EXAMPLE_FILES}
    exts = {ext for ext, _ in FORMATS.values()}
    stale = sorted(
        f
        for f in SNAPSHOTS.glob("*")
        if f.is_file() and (f.stem not in stems or f.suffix[1:] not in exts)
    )
    if update:
        for f in stale:
            f.unlink()
        return
    assert not stale, f"snapshots without an example: {[f.name for f in stale]}; {HINT}"


def test_the_report_charts_need_no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's charts are written without matplotlib (so the snapshots hold no
    byte of its output): with ``import matplotlib`` failing they come out the same."""
    from readiness.report import charts

    report = example_report(EXAMPLE_FILES[0])
    drawn = charts.pillar_chart(report), charts.gaps_chart(report)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` fails
    assert (charts.pillar_chart(report), charts.gaps_chart(report)) == drawn
    page = (SNAPSHOTS / f"{EXAMPLE_FILES[0].stem}.html").read_text(encoding="utf-8")
    assert stable_charts(page) == page  # no chart of the snapshots is matplotlib's


def test_a_matplotlib_chart_is_compared_by_what_it_says_not_its_geometry() -> None:
    pytest.importorskip("matplotlib")
    from readiness.report import charts
    from tests.report.helpers import example_assessment

    assessments = [example_assessment(p) for p in EXAMPLE_FILES[:2]]
    svg = charts.comparison_chart(assessments)
    page = f"<p>before</p>\n{svg}<p>after</p>\n"
    stable = stable_charts(page)
    assert stable.startswith("<p>before</p>\n") and stable.endswith("</svg>\n<p>after</p>\n")
    assert "<path" not in stable and "Score (0-100)" in stable  # texts kept, shapes not
    for name in ("ASEAN Defence Ministers&#x27;", "Trust and transparency"):
        assert name in stable
    # another matplotlib lays the same chart out elsewhere: the same summary
    moved = re.sub(r'd="M [0-9.]+', 'd="M 1.5', page)
    moved = re.sub(r'(x|y)="([0-9.]+)"', r'\1="7"', moved)
    assert moved != page and stable_charts(moved) == stable
    # what the chart says changes: the summary changes
    renamed = charts.comparison_chart(assessments, names=["One", "Two"])
    assert stable_charts(renamed) != stable_charts(svg)
    relabelled = page.replace("Score (0-100)", "Score (0-10)")
    assert stable_charts(relabelled) != stable

"""The report's charts, as inline SVG strings.

The report's two charts (:func:`pillar_chart`, :func:`gaps_chart`) are plain bars,
written as SVG directly in about a millisecond, in the colours and fonts of the
matplotlib charts (:mod:`readiness.document.charts`, which holds the machinery every
chart shares: :func:`~readiness.document.charts.available`, deterministic SVG,
:func:`~readiness.document.charts.grouped_bar_chart`). The comparison chart here is
drawn with matplotlib (the ``plots`` extra); :func:`frontier_chart` is
the frontier's own chart (:meth:`readiness.plan.Frontier.to_document`), kept here for
its callers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from readiness.assessment import Assessment
from readiness.compare import Comparison, pillar_series
from readiness.document.charts import (
    BAND_TINTS,
    GRID,
    INK,
    MUTED,
    PLOTS_HINT,
    RANGE,
    SCORE,
    TARGET,
    UNRATED,
    available,
    grouped_bar_chart,
    short_label,
    xml_text,
)
from readiness.errors import ReportError
from readiness.plan import Frontier, Plan
from readiness.report.model import Report

__all__ = [
    "BAND_TINTS",
    "PLOTS_HINT",
    "available",
    "comparison_chart",
    "frontier_chart",
    "gaps_chart",
    "grouped_bar_chart",
    "pillar_chart",
]

_LEGEND_ORDER = ("Score", "Range once unknowns are known", "Target")


# --- the report's two charts, written as SVG directly --------------------------------
#
# They are plain horizontal bars, so they are written here without matplotlib: about
# 1 ms each instead of 200-600 ms (axes, text layout and the SVG backend). Same look:
# the colours, fonts and legends of the matplotlib charts below.

_W = 760.0
"""Width of the report charts (viewBox units; the element scales to its container)."""
_LABELS = 236.0
"""Right edge of the row labels; the plot starts 10 units further."""
_PLOT = (_LABELS + 10.0, _W - 24.0)
_CHAR = 5.1
"""Approximate width of one character at font size 9 (DejaVu Sans), for legend layout."""


def _n(x: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _t(text: str) -> str:
    """Text content: characters XML cannot hold dropped, markup escaped."""
    return html.escape(xml_text(text), quote=False)


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK,
          size: float = 9) -> str:  # fmt: skip
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{fill}" '
        f'font-size="{_n(size)}">{_t(text)}</text>'
    )


def _svg(salt: str, label: str, height: float, body: list[str], defs: list[str]) -> str:
    name = html.escape(xml_text(label))
    head = (
        f'<svg class="chart chart-{salt}" role="img" aria-label="{name}" '
        'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 {_n(_W)} {_n(height)}" font-family="DejaVu Sans, sans-serif">'
    )
    return "\n".join([head, "<defs>", *defs, "</defs>", *body, "</svg>"]) + "\n"


def _axis(scale: Any, top: float, bottom: float, ticks: Sequence[float], title: str) -> list[str]:
    """Vertical grid lines, tick labels under the plot, the bottom spine and the title."""
    out = [
        f'<line x1="{_n(scale(t))}" y1="{_n(top)}" x2="{_n(scale(t))}" y2="{_n(bottom)}" '
        f'stroke="{GRID}" stroke-width="0.8"/>'
        for t in ticks
    ]
    out.append(
        f'<line x1="{_n(_PLOT[0])}" y1="{_n(bottom)}" x2="{_n(_PLOT[1])}" y2="{_n(bottom)}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    out += [
        _text(scale(t), bottom + 13, f"{t:g}", anchor="middle", fill=MUTED, size=8) for t in ticks
    ]
    out.append(_text((_PLOT[0] + _PLOT[1]) / 2, bottom + 29, title, anchor="middle"))
    return out


def _legend(y: float, items: list[tuple[str, str]]) -> list[str]:
    """One centred row: (swatch markup at x=0, label) each; swatches are 14 units wide."""
    widths = [20 + _CHAR * 0.9 * len(label) + 18 for _, label in items]
    x = (_W - sum(widths)) / 2
    out = []
    for (swatch, label), width in zip(items, widths, strict=True):
        out.append(f'<g transform="translate({_n(x)} {_n(y)})">{swatch}</g>')
        out.append(_text(x + 20, y + 3, label, size=8))
        x += width
    return out


def pillar_chart(report: Report) -> str:
    """Each pillar's score (bar), its range once unknowns are known (line) and target.

    Pillars run top to bottom in rubric order; the background is tinted by band.
    Written as SVG directly (no matplotlib needed).
    """
    pillars = report.pillars
    row = 26.0
    top = 24.0 if report.bands else 10.0
    bottom = top + row * len(pillars)
    x0, x1 = _PLOT

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * min(max(v, 0.0), 100.0) / 100.0

    defs = [
        '<path id="pillars-target" d="M0 -5.2 L5.2 0 L0 5.2 L-5.2 0 Z" '
        f'fill="{TARGET}" stroke="white" stroke-width="0.8"/>'
    ]
    body = [
        f'<rect x="{_n(sx(b.min))}" y="{_n(top)}" width="{_n(sx(b.max) - sx(b.min))}" '
        f'height="{_n(bottom - top)}" fill="{BAND_TINTS[i % len(BAND_TINTS)]}"/>'
        for i, b in enumerate(report.bands)
    ]
    body += [
        _text(
            (sx(b.min) + sx(b.max)) / 2, top - 7, short_label(b.name, 14), anchor="middle",
            fill=MUTED, size=8,
        )
        for b in report.bands
    ]  # fmt: skip
    body += _axis(sx, top, bottom, range(0, 101, 10), "Score (0-100)")
    for i, p in enumerate(pillars):
        y = top + row * i + row / 2
        body.append(_text(_LABELS, y + 3, short_label(p.title), anchor="end"))
        if p.score is not None:
            body.append(
                f'<rect x="{_n(x0)}" y="{_n(y - 0.28 * row)}" width="{_n(sx(p.score) - x0)}" '
                f'height="{_n(0.56 * row)}" fill="{SCORE}"/>'
            )
        else:
            body.append(
                f'<rect x="{_n(x0 + 4)}" y="{_n(y - 7)}" width="46" height="13" fill="white" '
                f'stroke="{GRID}"/>'
            )
            body.append(_text(x0 + 27, y + 3, "no score", anchor="middle", fill=MUTED, size=8))
        if not (math.isnan(p.lower) or math.isnan(p.upper)):  # NaN: nothing applies
            body.append(
                f'<line x1="{_n(sx(p.lower))}" y1="{_n(y)}" x2="{_n(sx(p.upper))}" y2="{_n(y)}" '
                f'stroke="{RANGE}" stroke-width="3"/>'
            )
        if p.target is not None:
            body.append(f'<use xlink:href="#pillars-target" x="{_n(sx(p.target))}" y="{_n(y)}"/>')
    items = [
        (f'<rect x="0" y="-4.5" width="14" height="9" fill="{SCORE}"/>', "Score"),
        (
            f'<line x1="0" y1="0" x2="14" y2="0" stroke="{RANGE}" stroke-width="3"/>',
            "Range once unknowns are known",
        ),
    ]
    if any(p.target is not None for p in pillars):
        items.append(('<use xlink:href="#pillars-target" x="7" y="0"/>', "Target"))
    body += _legend(bottom + 50, items)
    label = "Pillar scores with their range and target"
    return _svg("pillars", label, bottom + 64, body, defs)


def _ticks(span: float) -> list[float]:
    """Round tick values from 0 to at most ``span``: steps of 1, 2 or 5 times a power of 10."""
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [round(i * step, 10) for i in range(int(span / step + 1e-9) + 1)]


def gaps_chart(report: Report) -> str:
    """The gain each gap would bring if closed alone, largest first; '' when no gaps.

    Below-target criteria gain on the report's basis (overall score, or the lower bound
    when there is no overall score); unrated criteria, drawn lighter and hatched, gain
    on the lower bound. Written as SVG directly (no matplotlib needed).
    """
    rows = [*report.gaps, *report.evidence_gaps]
    if not rows:
        return ""
    basis = "overall score" if report.basis == "overall" else "lower bound"
    row = 22.0
    top = 8.0
    bottom = top + row * len(rows)
    x0, x1 = _PLOT
    most = max((g.impact for g in rows), default=0.0)
    span = (most if most > 0 else 1.0) * 1.12

    def sx(v: float) -> float:
        return x0 + (x1 - x0) * min(max(v, 0.0), span) / span

    defs = [
        '<pattern id="gaps-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{UNRATED}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{RANGE}" stroke-width="1"/></pattern>',
        f'<rect id="gaps-below" x="0" y="-4.5" width="14" height="9" fill="{SCORE}"/>',
        '<rect id="gaps-unknown" x="0" y="-4.5" width="14" height="9" fill="url(#gaps-hatch)"/>',
    ]
    body = _axis(sx, top, bottom, _ticks(span), "Points gained if closed alone")
    for i, g in enumerate(rows):
        y = top + row * i + row / 2
        below = g.status == "below-target"
        name = (
            f"{g.rank}. {short_label(g.title, 40)}"
            if below
            else f"{short_label(g.title, 34)} (unrated)"
        )
        body.append(_text(_LABELS, y + 3, name, anchor="end"))
        fill = SCORE if below else "url(#gaps-hatch)"
        body.append(
            f'<rect x="{_n(x0)}" y="{_n(y - 0.3 * row)}" width="{_n(sx(g.impact) - x0)}" '
            f'height="{_n(0.6 * row)}" fill="{fill}"/>'
        )
        body.append(_text(sx(g.impact) + 4, y + 3, f"{g.impact:+.1f}", size=8))
    items = []
    if any(g.status == "below-target" for g in rows):
        items.append(('<use xlink:href="#gaps-below"/>', f"Below target (gain in {basis})"))
    if any(g.status != "below-target" for g in rows):
        items.append(('<use xlink:href="#gaps-unknown"/>', "Unrated (gain in lower bound)"))
    body += _legend(bottom + 50, items)
    label = "Gaps ranked by the points each would add if closed alone"
    return _svg("gaps", label, bottom + 64, body, defs)


def comparison_chart(
    assessments: Comparison | Sequence[Assessment], *, names: Sequence[str] | None = None
) -> str:
    """Pillar scores of several assessments side by side (grouped bars).

    Args:
        assessments: A :class:`~readiness.compare.Comparison`, or assessments against
            the same rubric (id and version).
        names: One legend name per assessment (default: the comparison's column
            labels, or each partnership's name when given assessments).

    Raises:
        ReportError: No assessments, assessments against different rubrics, or not
            one name per assessment.
    """
    if isinstance(assessments, Comparison):
        items = assessments.assessments
        default = list(assessments.labels)
    else:
        items = tuple(assessments)
        default = [a.partnership.name for a in items]
    if not items:
        raise ReportError("comparison_chart needs at least one assessment")
    rubric = items[0].rubric
    if any(a.rubric.label != rubric.label for a in items):
        raise ReportError("comparison_chart needs assessments against the same rubric")
    names = list(names) if names is not None else default
    if len(names) != len(items):
        raise ReportError(f"{len(names)} names for {len(items)} assessments")
    series = pillar_series(items, names)
    return grouped_bar_chart(
        [p.title for p in rubric.pillars],
        series,
        label="Pillar scores side by side",
    )


def frontier_chart(frontier: Frontier, plan: Plan | None = None) -> str:
    """The effort-score frontier as a staircase, bands as tints, and ``plan`` marked.

    Kept for callers of this module: the chart is drawn next to the frontier
    (:meth:`readiness.plan.Frontier.to_document` holds it as a chart block). Returns ''
    when the frontier has no point.
    """
    from readiness.plan import _frontier_chart

    return _frontier_chart(frontier, plan)

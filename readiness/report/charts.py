"""Charts for reports, as inline SVG strings.

The report's two charts (:func:`pillar_chart`, :func:`gaps_chart`) are plain bars,
written as SVG directly in about a millisecond. The comparison charts are drawn with
matplotlib, an optional extra (``pip install 'readiness[plots]'``) imported only when
such a chart is drawn: check :func:`available` first (``render_html`` does, for all
charts), or catch the :class:`~readiness.errors.ReportError` raised when it is missing.

Figures are built with :class:`matplotlib.figure.Figure` directly (never pyplot, so no
global figure registry and no backend switch), every rc setting is scoped with
``matplotlib.rc_context`` and the SVG is byte-for-byte reproducible: a fixed
``svg.hashsalt`` per chart, text kept as text (``svg.fonttype = 'none'``), no date,
creator or other metadata, no XML prologue. The returned ``<svg>`` element has no fixed
size (it scales to its container), carries ``role="img"`` and an ``aria-label``, and
is well-formed XML on its own (its namespaces are declared on it; characters XML
cannot hold are dropped from labels).
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from typing import Any

from readiness.assessment import Assessment
from readiness.compare import Comparison
from readiness.errors import ReportError
from readiness.plan import Frontier, Plan
from readiness.report.model import Report

__all__ = [
    "PLOTS_HINT",
    "available",
    "comparison_chart",
    "frontier_chart",
    "gaps_chart",
    "grouped_bar_chart",
    "pillar_chart",
]

PLOTS_HINT = "Install readiness[plots] for charts"

INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
SCORE = "#1e3a5f"
RANGE = "#94a3b8"
TARGET = "#c2410c"
UNRATED = "#cbd5e1"
#: tints behind the pillar chart, lowest band first (cycled if a rubric has more bands)
BAND_TINTS = ("#fdecec", "#fdf3e3", "#fbf8e1", "#eaf6ec", "#e3f3f1")
#: one colour per partnership in a comparison (cycled)
SERIES = ("#1e3a5f", "#c2410c", "#0f766e", "#7c3aed", "#b45309", "#be185d", "#4d7c0f", "#475569")

_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,  # '$' in a partnership name is a dollar, not mathtext
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "axes.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "xtick.labelsize": 8,
    "ytick.labelsize": 9,
    "legend.frameon": False,
    "legend.fontsize": 8,
}
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def available() -> bool:
    """Whether matplotlib can be imported (the ``plots`` extra is installed)."""
    try:
        return find_spec("matplotlib") is not None
    except (ImportError, ValueError):  # pragma: no cover - broken installs
        return False


def _require() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ReportError(f"matplotlib is not installed: {PLOTS_HINT}") from None
    return matplotlib


#: characters XML 1.0 cannot hold (even as character references); they are dropped
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` without the characters an XML document cannot hold."""
    return _NOT_XML.sub("", text)


def _label(text: str, width: int = 44) -> str:
    """A tick or legend label: shortened, and never hidden by a leading underscore."""
    text = " ".join(_xml_text(text).split())
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return text if not text.startswith("_") else "\u200b" + text


def _draw(salt: str, label: str, height: float, paint: Any, width: float = 7.6) -> str:
    """Run ``paint(figure)`` on a fresh figure and return it as a deterministic <svg>."""
    if not _SALT.fullmatch(salt):
        raise ReportError(f"chart salt must be lowercase letters, digits and '-' (got {salt!r})")
    mpl = _require()
    from matplotlib.figure import Figure

    buffer = io.StringIO()
    with mpl.rc_context(_RC | {"svg.hashsalt": f"readiness-{salt}"}):
        fig = Figure(figsize=(width, height), layout="constrained")
        paint(fig)
        fig.savefig(buffer, format="svg", metadata=_METADATA)
    return _inline(buffer.getvalue(), label, salt)


_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')
_TAG = re.compile(r"<[^<>]*>")
_REF = re.compile(r'(\sid="|url\(#|href="#)')
_SALT = re.compile(r"[a-z][a-z0-9-]*")


def _inline(svg: str, label: str, salt: str) -> str:
    """Make matplotlib's SVG document an element to inline in a page.

    Strips the XML prologue and the fixed size, adds a class, role and accessible
    label, and prefixes the element ids so that several charts can share one page.
    The root keeps its namespace declarations (``xmlns`` and ``xmlns:xlink``, which
    the ``xlink:href`` references need), so the element is well-formed XML on its
    own: it can be saved as an ``.svg`` file or parsed by an XML parser.
    """
    svg = svg[svg.index("<svg") :]
    root = _ROOT.match(svg)
    name = html.escape(_xml_text(label))
    attrs = f'<svg class="chart chart-{salt}" role="img" aria-label="{name}"'
    sized, n = _SIZE.subn("", root.group(0)) if root else ("", 0)
    if root is None or n != 2 or "xmlns=" not in sized:  # pragma: no cover
        raise ReportError("unexpected SVG header from matplotlib")
    svg = attrs + sized[len("<svg") :] + svg[root.end() :]
    # several charts share one page: give each chart's ids (and references) its own
    # prefix, inside tags only (text content is escaped, so it holds no '<' or '>')
    svg = _TAG.sub(lambda m: _REF.sub(rf"\g<1>{salt}-", m.group(0)), svg)
    return svg.strip() + "\n"


def _style_axis(ax: Any) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", length=3)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


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
    return html.escape(_xml_text(text), quote=False)


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK,
          size: float = 9) -> str:  # fmt: skip
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{fill}" '
        f'font-size="{_n(size)}">{_t(text)}</text>'
    )


def _svg(salt: str, label: str, height: float, body: list[str], defs: list[str]) -> str:
    name = html.escape(_xml_text(label))
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
            (sx(b.min) + sx(b.max)) / 2, top - 7, _label(b.name, 14), anchor="middle",
            fill=MUTED, size=8,
        )
        for b in report.bands
    ]  # fmt: skip
    body += _axis(sx, top, bottom, range(0, 101, 10), "Score (0-100)")
    for i, p in enumerate(pillars):
        y = top + row * i + row / 2
        body.append(_text(_LABELS, y + 3, _label(p.title), anchor="end"))
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
        name = f"{g.rank}. {_label(g.title, 40)}" if below else f"{_label(g.title, 34)} (unrated)"
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


def grouped_bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    xlabel: str = "Score (0-100)",
    xmax: float | None = 100.0,
    label: str = "Scores side by side",
    salt: str = "compare",
) -> str:
    """Horizontal grouped bars: one group per label, one bar per series (``None`` = gap).

    Args:
        labels: The group names, drawn top to bottom (e.g. pillar titles).
        series: Name -> one value per label (e.g. partnership name -> pillar scores).
        xlabel: The value axis title.
        xmax: The value axis maximum (``None``: fit the data).
        label: The accessible label of the chart.
        salt: Distinguishes the SVG ids of several charts inlined in one page.
    """
    names = list(series)
    for name in names:
        if len(series[name]) != len(labels):
            raise ReportError(f"series {name!r} has {len(series[name])} values for {len(labels)}")
    k = max(len(names), 1)
    height = 0.8 / k

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        for s, name in enumerate(names):
            offset = -0.4 + height * (s + 0.5)
            points = [(i + offset, v) for i, v in enumerate(series[name]) if v is not None]
            ax.barh(
                [y for y, _ in points],
                [v for _, v in points],
                height=height * 0.92,
                color=SERIES[s % len(SERIES)],
                label=_label(name, 40),
                zorder=2,
            )
        ax.set_yticks(range(len(labels)), [_label(x) for x in labels])
        ax.set_ylim(len(labels) - 0.5, -0.5)
        values = [v for vs in series.values() for v in vs if v is not None]
        ax.set_xlim(0, xmax if xmax is not None else max([*values, 1.0]) * 1.05)
        ax.set_xlabel(_xml_text(xlabel))
        _style_axis(ax)
        fig.legend(loc="outside lower center", ncols=min(k, 4))

    return _draw(salt, label, (0.22 * k + 0.18) * len(labels) + 1.4, paint)


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
    series: dict[str, list[float | None]] = {}
    for name, a in zip(names, items, strict=True):
        key = name
        while key in series:  # two partnerships with one name still get two bars
            key += " "
        series[key] = [p.score for p in a.pillars]
    return grouped_bar_chart(
        [p.title for p in rubric.pillars],
        series,
        label="Pillar scores side by side",
    )


def frontier_chart(frontier: Frontier, plan: Plan | None = None) -> str:
    """The effort-score frontier as a staircase, bands as tints, and a plan marked.

    Each step is a plan no other beats on both effort and score; between two points the
    best score stays that of the cheaper one. ``plan`` (if given) is drawn as a marker.
    Returns '' when the frontier has no point.
    """
    points = frontier.points
    if not points:
        return ""
    rubric = frontier.assessment.rubric
    basis = "Lower bound" if frontier.basis == "lower" else "Overall score"

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        efforts = [p.effort for p in points]
        scores = [p.score for p in points]
        right = max(efforts[-1], 1.0) * 1.04
        mins = [b.min for b in rubric.bands]
        for i, band in enumerate(rubric.bands):
            top = mins[i + 1] if i + 1 < len(mins) else 100.0
            ax.axhspan(band.min, top, color=BAND_TINTS[i % len(BAND_TINTS)], zorder=0)
            ax.text(
                right,
                (band.min + top) / 2,
                f" {_label(band.name, 16)}",
                va="center",
                fontsize=7,
                color=MUTED,
                clip_on=False,
            )
        ax.step(
            [*efforts, right],
            [*scores, scores[-1]],
            where="post",
            color=SCORE,
            linewidth=1.4,
            zorder=2,
            label="Best score for the effort",
        )
        ax.plot(efforts, scores, "o", color=SCORE, markersize=2.5, zorder=3)
        if plan is not None and plan.score is not None and plan.steps:
            ax.plot(
                [plan.effort],
                [plan.score],
                "D",
                color=TARGET,
                markersize=6,
                zorder=4,
                label=f"This plan ({plan.effort:g} units)",
            )
        if plan is not None and plan.target is not None:
            ax.axhline(
                plan.target.score,
                color=TARGET,
                linewidth=0.8,
                linestyle="--",
                zorder=1,
                label=f"Target ({plan.target.score:g})",
            )
        ax.set_xlim(0, right)
        ax.set_ylim(0, 100)
        ax.set_xlabel("Effort (units of the rubric's effort scale)")
        ax.set_ylabel(basis)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        fig.legend(loc="outside lower center", ncols=3)

    label = (
        f"Effort-score frontier of {frontier.assessment.partnership.name}: "
        f"{len(points)} plans from {points[0].score:.1f} to {points[-1].score:.1f}"
    )
    return _draw("frontier", label, 3.4, paint)

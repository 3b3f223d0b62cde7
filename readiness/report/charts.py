"""Charts for reports, drawn with matplotlib as inline SVG strings.

matplotlib is an optional extra (``pip install 'readiness[plots]'``) and is imported
only when a chart is drawn: check :func:`available` first (``render_html`` does), or
catch the :class:`~readiness.errors.ReportError` raised when it is missing.

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


def pillar_chart(report: Report) -> str:
    """Each pillar's score (bar), its range once unknowns are known (line) and target.

    Pillars run top to bottom in rubric order; the background is tinted by band.
    """
    pillars = report.pillars
    n = len(pillars)

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        ys = list(range(n))
        for i, band in enumerate(report.bands):
            ax.axvspan(band.min, band.max, color=BAND_TINTS[i % len(BAND_TINTS)], zorder=0)
        scored = [(y, p) for y, p in zip(ys, pillars, strict=True) if p.score is not None]
        ax.barh(
            [y for y, _ in scored],
            [p.score for _, p in scored],
            height=0.56,
            color=SCORE,
            label="Score",
            zorder=2,
        )
        ax.hlines(
            ys,
            [p.lower for p in pillars],
            [p.upper for p in pillars],
            color=RANGE,
            linewidth=2.2,
            label="Range once unknowns are known",
            zorder=3,
        )
        targets = [(y, p.target) for y, p in zip(ys, pillars, strict=True) if p.target is not None]
        if targets:
            ax.scatter(
                [t for _, t in targets],
                [y for y, _ in targets],
                marker="D",
                s=30,
                color=TARGET,
                edgecolors="white",
                linewidths=0.8,
                label="Target",
                zorder=4,
                clip_on=False,
            )
        for y, p in zip(ys, pillars, strict=True):
            if p.score is None:
                ax.text(
                    1.5,
                    y,
                    "no score",
                    va="center",
                    color=MUTED,
                    fontsize=8,
                    zorder=5,
                    bbox={"facecolor": "white", "edgecolor": GRID, "pad": 1.5},
                )
        ax.set_yticks(ys, [_label(p.title) for p in pillars])
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_xlim(0, 100)
        ax.set_xticks(range(0, 101, 10))
        ax.set_xlabel("Score (0-100)")
        _style_axis(ax)
        if report.bands:
            top = ax.secondary_xaxis("top")
            top.set_xticks(
                [(b.min + b.max) / 2 for b in report.bands],
                [_label(b.name, 14) for b in report.bands],
            )
            top.tick_params(length=0, labelsize=8, labelcolor=MUTED)
            top.spines["top"].set_visible(False)
        handles, names = ax.get_legend_handles_labels()
        order = sorted(range(len(names)), key=lambda i: _LEGEND_ORDER.index(names[i]))
        fig.legend(
            [handles[i] for i in order],
            [names[i] for i in order],
            loc="outside lower center",
            ncols=3,
        )

    label = "Pillar scores with their range and target"
    return _draw("pillars", label, 0.36 * n + 1.5, paint)


def gaps_chart(report: Report) -> str:
    """The gain each gap would bring if closed alone, largest first; '' when no gaps.

    Below-target criteria gain on the report's basis (overall score, or the lower bound
    when there is no overall score); unrated criteria, drawn lighter and hatched, gain
    on the lower bound.
    """
    rows = [*report.gaps, *report.evidence_gaps]
    if not rows:
        return ""
    n = len(rows)
    basis = "overall score" if report.basis == "overall" else "lower bound"

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        ys = list(range(n))
        for kind, colour, hatch, name in (
            ("below-target", SCORE, None, f"Below target (gain in {basis})"),
            ("unknown", UNRATED, "///", "Unrated (gain in lower bound)"),
        ):
            sel = [(y, g) for y, g in zip(ys, rows, strict=True) if g.status == kind]
            if sel:
                ax.barh(
                    [y for y, _ in sel],
                    [max(g.impact, 0.0) for _, g in sel],
                    height=0.6,
                    color=colour,
                    hatch=hatch,
                    edgecolor="white" if hatch is None else RANGE,
                    linewidth=0.5,
                    label=name,
                    zorder=2,
                )
        top = max((g.impact for g in rows), default=0.0)
        span = top if top > 0 else 1.0
        for y, g in zip(ys, rows, strict=True):
            ax.text(
                max(g.impact, 0.0) + span * 0.01,
                y,
                f"{g.impact:+.1f}",
                va="center",
                fontsize=8,
                color=INK,
            )
        ax.set_yticks(
            ys,
            [
                f"{g.rank}. {_label(g.title, 40)}"
                if g.status == "below-target"
                else f"{_label(g.title, 34)} (unrated)"
                for g in rows
            ],
        )
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_xlim(0, span * 1.12)
        ax.set_xlabel("Points gained if closed alone")
        _style_axis(ax)
        fig.legend(loc="outside lower center", ncols=2)

    label = "Gaps ranked by the points each would add if closed alone"
    return _draw("gaps", label, 0.3 * n + 1.3, paint)


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

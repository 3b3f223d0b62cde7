"""Chart machinery shared by every result: deterministic inline SVG from matplotlib.

matplotlib is an optional extra (``pip install 'readiness[plots]'``), imported only
when a chart is drawn: check :func:`available` first, or catch the
:class:`~readiness.errors.ReportError` raised when it is missing.

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
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from importlib.util import find_spec
from typing import Any

from readiness.errors import ReportError

__all__ = [
    "BAND_TINTS",
    "GRID",
    "INK",
    "MUTED",
    "PLOTS_HINT",
    "RANGE",
    "SCORE",
    "SERIES",
    "TARGET",
    "UNRATED",
    "available",
    "draw",
    "figure_of",
    "gain_chart",
    "grouped_bar_chart",
    "interval_chart",
    "short_label",
    "style_axis",
    "xml_text",
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


def xml_text(text: str) -> str:
    """``text`` without the characters an XML document cannot hold."""
    return _NOT_XML.sub("", text)


def short_label(text: str, width: int = 44) -> str:
    """A tick or legend label: shortened, and never hidden by a leading underscore."""
    text = " ".join(xml_text(text).split())
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return text if not text.startswith("_") else "\u200b" + text


def draw(salt: str, label: str, height: float, paint: Any, width: float = 7.6) -> str:
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
    captured = _CAPTURED.get()
    if captured is not None:
        captured.append(fig)
    return _inline(buffer.getvalue(), label, salt)


_CAPTURED: ContextVar[list[Any] | None] = ContextVar("readiness_figures", default=None)


def figure_of(make: Callable[[], object]) -> Any:
    """The matplotlib :class:`~matplotlib.figure.Figure` of the chart ``make()`` draws.

    ``make`` is any chart function of readiness (the one a report inlines as SVG), so a
    notebook's figure and a report's picture are drawn by the same code. The figure is
    not attached to pyplot: a notebook shows it as the cell's value, and
    ``fig.savefig(...)`` writes it in any format matplotlib knows.

    Raises:
        ReportError: matplotlib is not installed, or ``make`` drew no chart.
    """
    _require()
    figures: list[Any] = []
    token = _CAPTURED.set(figures)
    try:
        make()
    finally:
        _CAPTURED.reset(token)
    if not figures:
        raise ReportError("there is nothing to plot")
    return figures[-1]


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
    name = html.escape(xml_text(label))
    attrs = f'<svg class="chart chart-{salt}" role="img" aria-label="{name}"'
    sized, n = _SIZE.subn("", root.group(0)) if root else ("", 0)
    if root is None or n != 2 or "xmlns=" not in sized:  # pragma: no cover
        raise ReportError("unexpected SVG header from matplotlib")
    svg = attrs + sized[len("<svg") :] + svg[root.end() :]
    # several charts share one page: give each chart's ids (and references) its own
    # prefix, inside tags only (text content is escaped, so it holds no '<' or '>')
    svg = _TAG.sub(lambda m: _REF.sub(rf"\g<1>{salt}-", m.group(0)), svg)
    return svg.strip() + "\n"


def style_axis(ax: Any) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", length=3)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


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
                label=short_label(name, 40),
                zorder=2,
            )
        ax.set_yticks(range(len(labels)), [short_label(x) for x in labels])
        ax.set_ylim(len(labels) - 0.5, -0.5)
        values = [v for vs in series.values() for v in vs if v is not None]
        ax.set_xlim(0, xmax if xmax is not None else max([*values, 1.0]) * 1.05)
        ax.set_xlabel(xml_text(xlabel))
        style_axis(ax)
        fig.legend(loc="outside lower center", ncols=min(k, 4))

    return draw(salt, label, (0.22 * k + 0.18) * len(labels) + 1.4, paint)


def interval_chart(
    labels: Sequence[str],
    scores: Sequence[float | None],
    lower: Sequence[float],
    upper: Sequence[float],
    *,
    targets: Sequence[float | None] = (),
    bands: Sequence[tuple[str, float, float]] = (),
    label: str = "Pillar scores with their range and target",
    salt: str = "pillars",
) -> str:
    """Horizontal bars of scores (``None``: no score), each with its range as a line and
    its target as a diamond, over band tints (``(name, min, max)``, lowest first); the
    picture of a report's pillar chart, drawn with matplotlib."""

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        for i, (name, lo, hi) in enumerate(bands):
            ax.axvspan(lo, hi, color=BAND_TINTS[i % len(BAND_TINTS)], zorder=0, lw=0)
            ax.text((lo + hi) / 2, -0.75, short_label(name, 14), ha="center", va="bottom",
                    color=MUTED, fontsize=8)  # fmt: skip
        rows = range(len(labels))
        shown = [(i, v) for i, v in zip(rows, scores, strict=True) if v is not None]
        ax.barh([i for i, _ in shown], [v for _, v in shown], height=0.56, color=SCORE,
                label="Score", zorder=2)  # fmt: skip
        spans = [
            (i, lo, hi)
            for i, lo, hi in zip(rows, lower, upper, strict=True)
            if not (math.isnan(lo) or math.isnan(hi))
        ]
        ax.hlines([i for i, _, _ in spans], [lo for _, lo, _ in spans],
                  [hi for _, _, hi in spans], colors=RANGE, linewidth=3,
                  label="Range once unknowns are known", zorder=3)  # fmt: skip
        marks = [(i, t) for i, t in zip(rows, targets, strict=False) if t is not None]
        if marks:
            ax.scatter([t for _, t in marks], [i for i, _ in marks], marker="D", s=30,
                       color=TARGET, edgecolors="white", label="Target", zorder=4,
                       clip_on=False)  # fmt: skip  # a target of 100 shows whole
        ax.set_yticks(list(rows), [short_label(x) for x in labels])
        ax.set_ylim(len(labels) - 0.5, -1.0 if bands else -0.5)
        ax.set_xlim(0, 100)
        ax.set_xlabel("Score (0-100)")
        style_axis(ax)
        fig.legend(loc="outside lower center", ncols=3)

    return draw(salt, label, 0.32 * len(labels) + 1.5, paint)


def gain_chart(
    labels: Sequence[str],
    gains: Sequence[float],
    *,
    unrated: Sequence[bool] = (),
    xlabel: str = "Points gained if closed alone",
    label: str = "Gain of closing each gap",
    salt: str = "gaps",
) -> str:
    """Horizontal bars of gains, largest first as given; ``unrated`` rows drawn lighter
    and hatched (they gain on the lower bound); the picture of a report's gaps chart."""
    flags = list(unrated) or [False] * len(labels)

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        rows = range(len(labels))
        for flag, name in ((False, "Below target"), (True, "Unrated (lower bound)")):
            picked = [i for i in rows if flags[i] == flag]
            if picked:
                ax.barh(picked, [max(gains[i], 0.0) for i in picked], height=0.6,
                        color=UNRATED if flag else SCORE, hatch="//" if flag else None,
                        edgecolor=RANGE if flag else SCORE, label=name, zorder=2)  # fmt: skip
        ax.set_yticks(list(rows), [short_label(x) for x in labels])
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_xlim(0, max([*gains, 0.0]) * 1.12 or 1.0)
        ax.set_xlabel(xml_text(xlabel))
        style_axis(ax)
        fig.legend(loc="outside lower center", ncols=2)

    return draw(salt, label, 0.28 * len(labels) + 1.3, paint)

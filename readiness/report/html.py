"""Render a :class:`~readiness.report.model.Report` as HTML.

:func:`render_html` makes one self-contained page: inline CSS (with a print
stylesheet), inline SVG charts when matplotlib is installed, no JavaScript, no fonts,
images or links fetched from anywhere. Every piece of text from an input file goes
through Jinja2's autoescaping, control, bidi and invisible characters are shown as
``{U+XXXX}`` (:func:`readiness.report.escape.neutralise`), evidence URLs are shown
as text rather than links, and
the same report always gives the same bytes.

Notebook displays are not made here: an assessment and a gap report lay themselves
out as documents (``Assessment.to_document(brief=True)``, ``GapReport.to_document()``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup

from readiness.document import Section, render_section_html
from readiness.document.words.report import POLICY
from readiness.errors import ReportError
from readiness.gaps import ORDER, ROADMAP_ORDER
from readiness.report import charts as _charts
from readiness.report.escape import neutralise
from readiness.report.model import CriterionRow, PillarRow, Report

__all__ = ["render_html"]

#: strong band colours (chips, markers), lowest band first; cycled past five bands
BAND_COLOURS = ("#b42318", "#c2410c", "#a16207", "#2f7d32", "#0f6e66")


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the shipped templates (autoescaping on, strict)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("readiness", "report/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=_num, pct=_pct, signed=_signed, pos=_pos, human=_human)
    return env


def _num(value: float | None, digits: int = 1) -> str:
    """A score with ``digits`` decimals; an en dash when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _signed(value: float | None, digits: int = 1) -> str:
    """A gain or difference with its sign (a true minus sign for negatives)."""
    if value is None or math.isnan(value):
        return "–"
    text = f"{value:+.{digits}f}"
    return "±" + text[1:] if text[1:] == f"{0:.{digits}f}" else text.replace("-", "−")


def _pct(value: float | None, digits: int = 0) -> str:
    """A share as a percentage; an en dash when there is none."""
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.{digits}%}"


def _pos(value: float | None) -> str:
    """A 0-100 score as a CSS percentage for positioning (clamped, two decimals)."""
    v = 0.0 if value is None or math.isnan(value) else min(max(value, 0.0), 100.0)
    return f"{v:.2f}%"


def _human(identifier: str) -> str:
    """'technology-partnership' -> 'Technology partnership'."""
    text = identifier.replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def _band_colours(report: Report) -> dict[str, str]:
    """Band id and band name -> its colour."""
    out: dict[str, str] = {}
    for i, band in enumerate(report.bands):
        colour = BAND_COLOURS[i % len(BAND_COLOURS)]
        out[band.id] = out[band.name] = colour
    return out


def _band_tints(report: Report) -> dict[str, str]:
    return {
        b.id: _charts.BAND_TINTS[i % len(_charts.BAND_TINTS)] for i, b in enumerate(report.bands)
    }


def _groups(report: Report) -> list[tuple[PillarRow, list[CriterionRow]]]:
    """The criteria grouped by pillar, in rubric order."""
    return [(p, [c for c in report.criteria if c.pillar == p.id]) for p in report.pillars]


def _context(report: Report) -> dict[str, Any]:
    below = {g.criterion for g in report.gaps}
    return {
        "r": report,
        "p": report.partnership,
        "o": report.options,
        "pillar_titles": {p.id: p.title for p in report.pillars},
        "band_colours": _band_colours(report),
        "band_tints": _band_tints(report),
        "groups": _groups(report),
        "below_target": below,
        "start": report.overall if report.basis == "overall" else report.lower,
        "basis_name": "overall score" if report.basis == "overall" else "lower bound",
        "order": ORDER,
        "roadmap_order": ROADMAP_ORDER,
        "policy": POLICY[report.options["unknown_policy"]],
    }


def _draw_charts(report: Report) -> dict[str, Markup]:
    # matplotlib escapes the text it writes (XML), and the labels come from the report
    return {
        "pillars": Markup(_charts.pillar_chart(report)),
        "gaps": Markup(_charts.gaps_chart(report)),
    }


def render_html(
    report: Report, *, charts: bool | None = None, sections: tuple[Section, ...] = ()
) -> str:
    """The report as one self-contained, printable HTML page.

    Args:
        report: The report model (see :func:`~readiness.report.build_report`).
        charts: ``True`` to draw charts (needs matplotlib, ``readiness[plots]``),
            ``False`` for tables only, ``None`` (default) to draw them if matplotlib is
            installed and otherwise show a note saying how to get them.
        sections: Sections of other results (a plan, robustness, a panel), each laid
            out by :func:`~readiness.document.render_section_html` in a block of the
            page before the evidence appendix.

    Raises:
        ReportError: ``charts=True`` and matplotlib is not installed.
    """
    have = _charts.available()
    if charts and not have:
        raise ReportError(f"charts need matplotlib: {_charts.PLOTS_HINT}")
    draw = have if charts is None else charts
    context = _context(report) | {
        "charts": _draw_charts(report) if draw else None,
        "charts_note": _charts.PLOTS_HINT if charts is None and not have else None,
        "extra": [
            {
                "id": s.anchor or "section",
                "html": Markup(render_section_html(s, charts=draw)),  # escaped by the renderer
            }
            for s in sections
        ],
    }
    return neutralise(environment().get_template("report.html.j2").render(context))


def template_names() -> Iterable[str]:
    """The names of the shipped templates (for tests and packaging checks)."""
    return sorted(environment().list_templates())

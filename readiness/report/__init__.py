"""Reports: one model built from an assessment, several renderers::

    from readiness.report import build_report, render_html
    page = render_html(build_report(assessment))

``build_report`` makes the :class:`Report` model; ``render_markdown``, ``render_text``,
``render_json`` and ``render_html`` lay it out. Charts (``readiness.report.charts``)
need the ``plots`` extra (matplotlib).
"""

from collections.abc import Callable

from readiness.report.html import render_html
from readiness.report.json import render_json
from readiness.report.markdown import render_markdown
from readiness.report.model import Report, build_report, report_from_gaps
from readiness.report.text import render_text

__all__ = [
    "RENDERERS",
    "Report",
    "build_report",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "report_from_gaps",
]

RENDERERS: dict[str, Callable[[Report], str]] = {
    "markdown": render_markdown,
    "text": render_text,
    "json": render_json,
    "html": render_html,
}
"""Format name -> renderer of a :class:`Report` (each returns text ending in a newline)."""

"""Reports: one model built from an assessment, several renderers::

    from readiness.report import build_report, render_html
    page = render_html(build_report(assessment))

``build_report`` makes the :class:`Report` model (:mod:`readiness.readout`);
``render_markdown``, ``render_text``, ``render_json`` and ``render_html`` lay it out,
each with other results' sections if given (``sections=``). Charts
(``readiness.report.charts``) need the ``plots`` extra (matplotlib). Names load on
first use, so a terminal report never imports the HTML page's template engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readiness.readout import Report, build_report, report_from_gaps
    from readiness.report.html import render_html
    from readiness.report.json import render_json
    from readiness.report.markdown import render_markdown
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

_WHERE = {
    "Report": "readiness.readout",
    "build_report": "readiness.readout",
    "report_from_gaps": "readiness.readout",
    "render_html": "readiness.report.html",
    "render_json": "readiness.report.json",
    "render_markdown": "readiness.report.markdown",
    "render_text": "readiness.report.text",
}


def __getattr__(name: str) -> Any:
    if name == "RENDERERS":
        return {fmt: __getattr__(f"render_{fmt}") for fmt in ("markdown", "text", "json", "html")}
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'readiness.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


RENDERERS: dict[str, Callable[..., str]]
"""Format name -> renderer of a :class:`Report` (each returns text ending in a newline)."""

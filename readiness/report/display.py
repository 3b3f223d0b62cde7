"""The one place where result types are wired to their renderers.

:mod:`readiness._display` imports this module the first time a result object is
rendered (``to_markdown()``, ``to_text()``, ``_repr_html_()``). Each entry below
registers one renderer for one (result type, format) pair and only hands the object
to a function of the render layer; add a type by adding its entries here.
"""

from __future__ import annotations

from readiness._display import renderer
from readiness.compare import Comparison
from readiness.report.compare import comparison_html, comparison_markdown, comparison_text

__all__: list[str] = []


@renderer(Comparison, "markdown")
def _comparison_markdown(c: Comparison) -> str:
    return comparison_markdown(c)


@renderer(Comparison, "text")
def _comparison_text(c: Comparison) -> str:
    return comparison_text(c)


@renderer(Comparison, "html")
def _comparison_html(c: Comparison) -> str:
    return comparison_html(c)

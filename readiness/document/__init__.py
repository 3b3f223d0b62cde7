"""The document vocabulary and its renderers: one layout for every result.

Every result (an assessment, its gaps, a comparison, a plan, a robustness analysis, a
panel of assessors...) offers ``to_document()``, a :class:`Document` of blocks
(:mod:`~readiness.document.blocks`). This package lays any document out, knowing blocks
and never result types: :func:`render_markdown`, :func:`render_text`,
:func:`render_html` (the fragment notebooks show) and :func:`render_json` (the result's
data). Results get ``to_markdown()``, ``to_text()``, ``to_html()`` and
``_repr_html_()`` from the :class:`Rendered` mixin, which calls them on
``to_document()``. Reasons that results carry as codes become words in
:mod:`~readiness.document.words`, the one place that writes them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from readiness.document.blocks import (
    Block,
    BulletList,
    Cell,
    Chart,
    Column,
    DeferredData,
    Document,
    Facts,
    Inline,
    Item,
    Kind,
    Line,
    Num,
    Paragraph,
    Row,
    Section,
    Span,
    Table,
    code,
    em,
    line,
    strong,
)

if TYPE_CHECKING:
    from readiness.document.html import render_html, render_section_html
    from readiness.document.json import document_data, render_json
    from readiness.document.markdown import render_markdown, render_section_markdown
    from readiness.document.text import render_section_text, render_text

_RENDERERS = {
    "render_html": "html",
    "render_section_html": "html",
    "document_data": "json",
    "render_json": "json",
    "render_markdown": "markdown",
    "render_section_markdown": "markdown",
    "render_section_text": "text",
    "render_text": "text",
}
"""Renderer -> its module, loaded on first use (PEP 562): a terminal report loads the
text renderer only, not the HTML one and its charts."""


def __getattr__(name: str) -> Any:
    module = _RENDERERS.get(name)
    if module is None:
        raise AttributeError(f"module 'readiness.document' has no attribute {name!r}")
    value = getattr(import_module(f"readiness.document.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


__all__ = [
    "Block",
    "BulletList",
    "Cell",
    "Chart",
    "Column",
    "DeferredData",
    "Document",
    "Facts",
    "Inline",
    "Item",
    "Kind",
    "Line",
    "Num",
    "Paragraph",
    "Rendered",
    "Row",
    "Section",
    "Span",
    "Table",
    "code",
    "document_data",
    "em",
    "line",
    "render_html",
    "render_json",
    "render_markdown",
    "render_section_html",
    "render_section_markdown",
    "render_section_text",
    "render_text",
    "strong",
]


class Rendered:
    """Mixin of result types: every format from ``to_document()``.

    A result defines :meth:`to_document`; Markdown, text, the notebook's HTML and the
    JSON text all come from it.
    """

    __slots__ = ()

    def to_document(self) -> Document:
        """The result as a :class:`Document` (each result type defines it)."""
        raise NotImplementedError(f"{type(self).__name__} defines no document")

    def to_markdown(self) -> str:
        """The result as Markdown (text from input files escaped)."""
        from readiness.document.markdown import render_markdown

        return render_markdown(self.to_document())

    def to_text(self) -> str:
        """The result as plain text for a terminal."""
        from readiness.document.text import render_text

        return render_text(self.to_document())

    def to_html(self, *, charts: bool | None = None) -> str:
        """The result as an HTML fragment (what a notebook shows)."""
        from readiness.document.html import render_html

        return render_html(self.to_document(), charts=charts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_json(self) -> str:
        """The result's data as JSON text (keys sorted, ends in a newline)."""
        from readiness.document.json import render_json

        return render_json(self.to_document())

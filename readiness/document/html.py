"""Lay a :class:`~readiness.document.blocks.Document` out as HTML.

:func:`render_html` makes the fragment a notebook shows (``_repr_html_``): one
``<div class="readiness-<kind>">`` with headings, paragraphs, lists, definition lists
for facts, tables (numbers right-aligned, written with a true minus sign and an en dash
for nothing) and charts as inline SVG. :func:`render_section_html` lays one section
out for a page that has its own frame (the full HTML report). All text is escaped;
control, bidi and invisible characters are made visible.
"""

from __future__ import annotations

import html

from readiness.document import charts as _charts
from readiness.document.blocks import (
    Block,
    BulletList,
    Chart,
    Document,
    Facts,
    Item,
    Line,
    Paragraph,
    Section,
    Table,
)
from readiness.document.escape import neutralise
from readiness.document.numbers import TYPESET, cell_line
from readiness.errors import ReportError

__all__ = ["render_html", "render_section_html"]

_TAG = {"strong": "strong", "code": "code", "em": "em"}
_RIGHT = ' style="text-align:right"'


def render_html(doc: Document, *, charts: bool | None = None) -> str:
    """The document as one HTML fragment.

    Args:
        doc: The document.
        charts: ``True`` draws every chart (matplotlib needed for most), ``False`` none,
            ``None`` (default) those that can be drawn here.

    Raises:
        ReportError: ``charts=True`` and a chart needs matplotlib, which is missing.
    """
    kind = html.escape(doc.kind)
    parts = [f'<div class="readiness-{kind}">', f"<h3>{html.escape(doc.title)}</h3>"]
    parts += [_block(b, 4, charts) for b in doc.blocks]
    parts.append("</div>")
    return neutralise("\n".join(p for p in parts if p))


def render_section_html(section: Section, *, depth: int = 2, charts: bool | None = None) -> str:
    """One section's heading (``<h{depth}>``) and blocks, without a frame around them."""
    return neutralise(_block(section, depth, charts, framed=False) + "\n")


def inline(line: Line) -> str:
    """A line of inline pieces as HTML."""
    return "".join(
        html.escape(p)
        if isinstance(p, str)
        else f"<{_TAG[p.style]}>{html.escape(p.text)}</{_TAG[p.style]}>"
        for p in line
    )


def _block(block: Block, depth: int, charts: bool | None, *, framed: bool = True) -> str:
    if isinstance(block, Section):
        inner = []
        if block.title is not None:
            h = min(depth, 6)
            inner.append(f"<h{h}>{html.escape(block.title)}</h{h}>")
        inner += [_block(b, depth + 1, charts) for b in block.blocks]
        body = "\n".join(x for x in inner if x)
        if not framed:
            return body
        anchor = f' id="{html.escape(block.anchor)}"' if block.anchor else ""
        return f"<section{anchor}>\n{body}\n</section>"
    if isinstance(block, Paragraph):
        return "<p>" + "<br>\n".join(inline(x) for x in block.lines) + "</p>"
    if isinstance(block, BulletList):
        return _items(block.items, block.ordered)
    if isinstance(block, Facts):
        rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{inline(v)}</dd>" for k, v in block.pairs)
        return f"<dl>{rows}</dl>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return _chart(block, charts)
    raise TypeError(f"not a block: {type(block).__name__}")  # pragma: no cover


def _items(items: tuple[Item, ...], ordered: bool) -> str:
    tag = "ol" if ordered else "ul"
    lis = "".join(
        f"<li>{inline(i.content)}{_items(i.children, False) if i.children else ''}</li>"
        for i in items
    )
    return f"<{tag}>{lis}</{tag}>"


def _table(t: Table) -> str:
    head = "".join(
        f"<th{_RIGHT if c.numeric else ''}>{html.escape(c.name)}</th>" for c in t.columns
    )
    rows = []
    for r in t.rows:
        cells = "".join(
            f"<td{_RIGHT if col.numeric else ''}>{inline(cell_line(cell, col, TYPESET))}</td>"
            for cell, col in zip(r.cells, t.columns, strict=True)
        )
        style = ' style="font-weight:bold"' if r.strong else ""
        rows.append(f"<tr{style}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _chart(c: Chart, charts: bool | None) -> str:
    if charts is False:
        return ""
    if c.needs_matplotlib and not _charts.available():
        if charts:
            raise ReportError(f"charts need matplotlib: {_charts.PLOTS_HINT}")
        return ""
    try:
        svg = c.draw()
    except ReportError:
        if charts:
            raise
        return ""
    return f'<figure class="chart">{svg.strip()}</figure>' if svg else ""

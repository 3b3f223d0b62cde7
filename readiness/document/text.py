"""Lay a :class:`~readiness.document.blocks.Document` out as plain text for terminals.

Running text fits in :data:`WIDTH` columns: paragraphs and list items wrap, and a
table's text columns wrap inside their cells when the table would be wider than
:data:`TABLE_WIDTH`. Headings are underlined (``=`` for the title, ``-`` for sections); charts are
left out. Nothing is escaped but control, bidi and invisible characters.
"""

from __future__ import annotations

import textwrap

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
from readiness.document.numbers import cell_line

__all__ = ["TABLE_WIDTH", "WIDTH", "render_section_text", "render_text"]

WIDTH = 78
"""The widest line of running text."""
TABLE_WIDTH = 100
"""The widest table line before text columns wrap inside their cells."""
_NARROWEST = 12
"""A wrapped text column never gets narrower than this."""


def render_text(doc: Document) -> str:
    """The document as text, ending in a newline."""
    title = " ".join(doc.title.split())
    out = [title, "=" * min(len(title), WIDTH)]
    for block in doc.blocks:
        if lines := _block(block, 2):
            out += ["", *lines]
    return neutralise("\n".join(out) + "\n")


def render_section_text(section: Section) -> str:
    """One section as text, ending in a newline."""
    return neutralise("\n".join(_block(section, 2)) + "\n")


def plain(line: Line) -> str:
    """A line without markup."""
    return "".join(p if isinstance(p, str) else p.text for p in line)


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _block(block: Block, depth: int) -> list[str]:
    if isinstance(block, Section):
        out: list[str] = []
        if block.title is not None:
            title = " ".join(block.title.split())
            out += [title, "-" * min(len(title), WIDTH)]
        for b in block.blocks:
            if lines := _block(b, depth + 1):
                out += ["", *lines] if out else lines
        return out
    if isinstance(block, Paragraph):
        return [w for x in block.lines for w in _wrap(plain(x), "", "")]
    if isinstance(block, BulletList):
        return _items(block.items, block.ordered, "")
    if isinstance(block, Facts):
        return [w for k, v in block.pairs for w in _wrap(f"{k}: {plain(v)}", "", "    ")]
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return []
    raise TypeError(f"not a block: {type(block).__name__}")  # pragma: no cover


def _items(items: tuple[Item, ...], ordered: bool, indent: str) -> list[str]:
    out = []
    for n, item in enumerate(items, 1):
        mark = f"{n:>2}. " if ordered else "- "
        out += _wrap(plain(item.content), indent + mark, indent + " " * len(mark))
        out += _items(item.children, False, indent + " " * len(mark))
    return out


def _table(t: Table) -> list[str]:
    head = [c.name for c in t.columns]
    body = [
        [plain(cell_line(c, col)) for c, col in zip(r.cells, t.columns, strict=True)]
        for r in t.rows
    ]
    widths = [max(len(x) for x in (h, *(row[i] for row in body))) for i, h in enumerate(head)]
    # narrow the widest text columns until the table fits (numbers are never wrapped)
    wrap = [not c.numeric for c in t.columns]
    while sum(widths) + 2 * (len(widths) - 1) > TABLE_WIDTH:
        candidates = [i for i, w in enumerate(widths) if wrap[i] and w > _NARROWEST]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
    out = []
    heading = [(head, True)] if any(head) else []
    for cells, is_head in [*heading, *((row, False) for row in body)]:
        parts = [
            textwrap.wrap(x, w, break_long_words=True) or [""] if wrap[i] else [x]
            for i, (x, w) in enumerate(zip(cells, widths, strict=True))
        ]
        for k in range(max(len(p) for p in parts)):
            pieces = []
            for i, p in enumerate(parts):
                x = p[k] if k < len(p) else ""
                numeric = t.columns[i].numeric
                pieces.append(f"{x:>{widths[i]}}" if numeric else f"{x:<{widths[i]}}")
            out.append("  ".join(pieces).rstrip())
        if is_head:
            out.append("  ".join("-" * w for w in widths))
    return out

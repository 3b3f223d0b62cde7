"""Lay a :class:`~readiness.document.blocks.Document` out as Markdown.

Plain text is escaped (:func:`~readiness.document.escape.markdown_escape`); code spans
are written as they are. The title is a level-1 heading, top-level sections level 2,
nested ones one deeper; blocks are separated by a blank line; charts are left out.
"""

from __future__ import annotations

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
from readiness.document.escape import markdown_escape, neutralise
from readiness.document.numbers import cell_line

__all__ = ["render_markdown", "render_section_markdown"]

_MARK = {"strong": "**", "em": "*"}


def render_markdown(doc: Document) -> str:
    """The document as Markdown, ending in a newline."""
    out = [f"# {markdown_escape(doc.title)}"]
    for block in doc.blocks:
        if lines := _block(block, 2):
            out += ["", *lines]
    return neutralise("\n".join(out) + "\n")


def render_section_markdown(section: Section, depth: int = 2) -> str:
    """One section as Markdown (its heading at ``depth``), ending in a newline."""
    return neutralise("\n".join(_block(section, depth)) + "\n")


def inline(line: Line) -> str:
    """A line of inline pieces as Markdown."""
    out = []
    for piece in line:
        if isinstance(piece, str):
            out.append(markdown_escape(piece))
        elif piece.style == "code":
            tick = "``" if "`" in piece.text else "`"
            pad = " " if tick == "``" else ""
            out.append(f"{tick}{pad}{neutralise(piece.text)}{pad}{tick}")
        else:
            mark = _MARK[piece.style]
            out.append(f"{mark}{markdown_escape(piece.text)}{mark}")
    return "".join(out)


def _block(block: Block, depth: int) -> list[str]:
    if isinstance(block, Section):
        out: list[str] = []
        if block.title is not None:
            out.append(f"{'#' * min(depth, 6)} {markdown_escape(block.title)}")
        for b in block.blocks:
            if lines := _block(b, depth + 1):
                out += ["", *lines] if out else lines
        return out
    if isinstance(block, Paragraph):
        return [inline(x) for x in block.lines]
    if isinstance(block, BulletList):
        return _items(block.items, block.ordered, "")
    if isinstance(block, Facts):
        return [f"- {markdown_escape(k)}: {inline(v)}" for k, v in block.pairs]
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return []
    raise TypeError(f"not a block: {type(block).__name__}")  # pragma: no cover


def _items(items: tuple[Item, ...], ordered: bool, indent: str) -> list[str]:
    out = []
    for n, item in enumerate(items, 1):
        mark = f"{n}." if ordered else "-"
        out.append(f"{indent}{mark} {inline(item.content)}")
        out += _items(item.children, False, indent + "  ")
    return out


def _table(t: Table) -> list[str]:
    head = "| " + " | ".join(markdown_escape(c.name) if c.name else "" for c in t.columns) + " |"
    head = head.replace("|  |", "| |")
    rule = "|" + "|".join("---:" if c.numeric else "---" for c in t.columns) + "|"
    out = [head, rule]
    for row in t.rows:
        cells = []
        for cell, col in zip(row.cells, t.columns, strict=True):
            text = inline(cell_line(cell, col))
            cells.append(f"**{text}**" if row.strong and text else text)
        out.append("| " + " | ".join(cells) + " |")
    return out

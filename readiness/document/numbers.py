"""How each format writes the numbers of a table cell (one rule per column kind)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from readiness.document.blocks import Cell, Column, Kind, Line, Num

__all__ = ["PLAIN", "TYPESET", "Style", "cell_line", "number"]


@dataclass(frozen=True)
class Style:
    """A format's conventions: what a missing value is, and the minus sign."""

    missing: str
    minus: str
    zero_sign: str


PLAIN = Style(missing="-", minus="-", zero_sign="+")
"""Markdown and text: ASCII."""

TYPESET = Style(missing="–", minus="−", zero_sign="±")
"""HTML: an en dash for nothing, a true minus sign, ``±0.0`` for no change."""

_DIGITS: dict[str, int] = {"score": 1, "delta": 1, "share": 0}


def number(
    value: float | int | None,
    kind: Kind,
    digits: int | None = None,
    *,
    signed: bool = False,
    style: Style = PLAIN,
) -> str:
    """``value`` written as ``kind`` (see :data:`~readiness.document.blocks.Kind`)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return style.missing
    d = _DIGITS.get(kind, 0) if digits is None else digits
    if kind == "share":
        return f"{value:.{d}%}"
    if kind == "number":
        return f"{value:g}"
    if kind in ("level", "count"):
        text = f"{round(value):+d}" if signed else f"{round(value):d}"
    elif kind == "delta" or signed:
        text = f"{value:+.{d}f}"
    else:
        text = f"{value:.{d}f}"
    if text.startswith("-"):
        return style.minus + text[1:]
    if text.startswith("+") and style.zero_sign != "+" and not any(c in "123456789" for c in text):
        return style.zero_sign + text[1:]
    return text


def cell_line(cell: Cell, column: Column, style: Style = PLAIN) -> Line:
    """A table cell as a :data:`~readiness.document.blocks.Line`: numbers written by
    their kind (the cell's own, for a :class:`~readiness.document.blocks.Num`)."""
    if isinstance(cell, tuple):
        return cell
    if isinstance(cell, str):
        return (cell,)
    if isinstance(cell, Num):
        return (number(cell.value, cell.kind, cell.digits, signed=cell.signed, style=style),)
    if column.kind in ("text", "levels"):
        return (style.missing if cell is None else str(cell),)
    return (number(cell, column.kind, column.digits, style=style),)

"""The document vocabulary: the blocks every result is laid out with.

A result describes itself as a :class:`Document` (``result.to_document()``): sections
holding paragraphs, lists, facts, tables with typed columns and charts. The renderers
of this package (:mod:`~readiness.document.markdown`, :mod:`~readiness.document.text`,
:mod:`~readiness.document.html`, :mod:`~readiness.document.json`) lay any document out;
they know blocks, never result types. So a new result needs only ``to_document()``,
and a new format only a renderer of these blocks.

Text in blocks is plain: each renderer escapes it for its format. Markup is a
:class:`Span` (strong, code, emphasis). Numbers stay numbers in tables until a
renderer formats them by their column's :data:`Kind`, so the HTML report can write a
true minus sign and an en dash where Markdown writes ``-``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

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
    "Row",
    "Section",
    "Span",
    "Table",
    "code",
    "em",
    "line",
    "strong",
]


@dataclass(frozen=True)
class Span:
    """Inline markup around plain text: ``strong``, ``code`` or ``em``."""

    text: str
    style: Literal["strong", "code", "em"]


Inline: TypeAlias = "str | Span"
"""One piece of a line: plain text (escaped by each renderer) or a :class:`Span`."""

Line: TypeAlias = "tuple[Inline, ...]"
"""A run of inline pieces, shown on one line."""


def strong(text: object) -> Span:
    """Bold text."""
    return Span(str(text), "strong")


def code(text: object) -> Span:
    """An identifier (criterion id, file name): shown as code, never escaped further."""
    return Span(str(text), "code")


def em(text: object) -> Span:
    """Emphasised text."""
    return Span(str(text), "em")


def line(*pieces: Inline | None) -> Line:
    """A :data:`Line` from pieces; ``None`` pieces are left out."""
    return tuple(p for p in pieces if p is not None)


Kind = Literal["text", "score", "share", "delta", "level", "levels", "count", "number"]
"""How a column's numbers are written.

``score``: one decimal (a 0-100 score, a range bound); ``share``: a percentage
(``Column.digits`` decimals, 0 by default); ``delta``: a signed change with one decimal;
``level``: a whole level, signed when it is a change (:class:`Num` ``signed=True``);
``levels``: text such as ``2 → 4``; ``count``: a whole number; ``number``: the shortest
form (``:g``); ``text``: as given. A missing value (``None``, NaN) is ``-`` in Markdown
and text and an en dash in HTML.
"""


@dataclass(frozen=True)
class Num:
    """A cell whose kind differs from its column's (e.g. a level change among scores)."""

    value: float | int | None
    kind: Kind
    digits: int | None = None
    signed: bool = False


Cell: TypeAlias = "str | float | int | Num | Line | None"
"""A table cell: plain text, a number (formatted by the column's kind), a
:class:`Num`, or a :data:`Line` with markup."""


@dataclass(frozen=True)
class Column:
    """A table column: its heading and how its cells are written.

    Attributes:
        name: The heading (may be empty).
        kind: How numbers in it are written (:data:`Kind`); numeric kinds align right.
        digits: Decimals, where the kind has them (``share``: 0, ``score``/``delta``: 1).
    """

    name: str
    kind: Kind = "text"
    digits: int | None = None

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers (aligned right)."""
        return self.kind not in ("text", "levels")


@dataclass(frozen=True)
class Row:
    """A table row; ``strong`` rows (e.g. the overall score) are set in bold."""

    cells: tuple[Cell, ...]
    strong: bool = False


@dataclass(frozen=True)
class Table:
    """Rows under typed columns.

    Attributes:
        columns: The columns, left to right.
        rows: One :class:`Row` per line (:meth:`of` takes bare tuples of cells too).
    """

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    def __post_init__(self) -> None:
        for r in self.rows:
            if len(r.cells) != len(self.columns):
                raise ValueError(f"a row has {len(r.cells)} cells for {len(self.columns)} columns")

    @classmethod
    def of(cls, columns: Iterable[Column | str], rows: Iterable[Row | Iterable[Cell]]) -> Table:
        """A table from columns (a bare name is a text column) and rows."""
        cols = tuple(c if isinstance(c, Column) else Column(c) for c in columns)
        return cls(cols, tuple(r if isinstance(r, Row) else Row(tuple(r)) for r in rows))


@dataclass(frozen=True)
class Paragraph:
    """Lines of running text (one paragraph; each line starts on its own line)."""

    lines: tuple[Line, ...]

    @classmethod
    def of(cls, *pieces: Inline | None) -> Paragraph:
        """A one-line paragraph from inline pieces."""
        return cls((line(*pieces),))


@dataclass(frozen=True)
class Item:
    """A list item: a line, and an optional nested list."""

    content: Line
    children: tuple[Item, ...] = ()


@dataclass(frozen=True)
class BulletList:
    """A list of items (bullets; ``ordered`` numbers them)."""

    items: tuple[Item, ...]
    ordered: bool = False

    @classmethod
    def of(cls, *lines: Line | Inline, ordered: bool = False) -> BulletList:
        """A flat list, one item per line (a bare string or span is a one-piece line)."""
        return cls(tuple(Item(x if isinstance(x, tuple) else (x,)) for x in lines), ordered)


@dataclass(frozen=True)
class Facts:
    """Labelled values about the result (``label: value`` pairs, in order)."""

    pairs: tuple[tuple[str, Line], ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, Line | Inline]]) -> Facts:
        """Facts from (label, value) pairs; a bare value is a one-piece line."""
        return cls(tuple((k, v if isinstance(v, tuple) else (v,)) for k, v in pairs))


@dataclass(frozen=True)
class Chart:
    """A chart, drawn only when a format shows it (HTML).

    Attributes:
        alt: What the chart shows, in words (its accessible label; text formats skip it).
        draw: Returns the chart as an inline ``<svg>`` element; may raise
            :class:`~readiness.errors.ReportError` when matplotlib is missing.
        needs_matplotlib: Whether ``draw`` needs the ``plots`` extra.
    """

    alt: str
    draw: Callable[[], str] = field(compare=False)
    needs_matplotlib: bool = True


Block: TypeAlias = "Paragraph | BulletList | Facts | Table | Chart | Section"
"""Anything a section holds."""


@dataclass(frozen=True)
class Section:
    """A titled part of a document; sections nest.

    Attributes:
        title: Its heading (``None``: blocks without a heading).
        blocks: What it holds, in order.
        key: Its key in the JSON form of a document, with ``data`` as the value
            (``None``: the section is not in the JSON form).
        data: Its JSON-ready data (used with ``key``).
        id: An anchor for HTML (default: ``key``).
    """

    title: str | None
    blocks: tuple[Block, ...] = ()
    key: str | None = None
    data: Any = None
    id: str | None = None

    @property
    def anchor(self) -> str | None:
        """The HTML id of the section."""
        return self.id or self.key


class DeferredData(Mapping[str, Any]):
    """A document's data made on first read: a report's JSON form is worked out only when
    something reads it (the JSON renderer, a section keyed by it), not for the terminal.
    Equal to the mapping it makes."""

    __slots__ = ("_made", "_make")

    def __init__(self, make: Callable[[], Mapping[str, Any]]) -> None:
        self._make = make
        self._made: Mapping[str, Any] | None = None

    def _data(self) -> Mapping[str, Any]:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return repr(self._data())


@dataclass(frozen=True)
class Document:
    """A result laid out for reading: a title, blocks, and its data.

    Attributes:
        title: The heading of the whole document.
        blocks: Its content, in order (sections, or blocks before the first section).
        kind: What it is (``assessment``, ``comparison``, ``plan``...): the class of
            the HTML fragment (``readiness-<kind>``).
        data: The JSON form of the result (a mapping); keyed sections add their data.
    """

    title: str
    blocks: tuple[Block, ...]
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def with_sections(self, *sections: Section) -> Document:
        """This document with ``sections`` added at the end (a plan, robustness...)."""
        return Document(self.title, (*self.blocks, *sections), self.kind, self.data)

    def as_section(self, key: str | None = None, *, title: str | None = None) -> Section:
        """This document as one section of another (a plan inside a report): its
        title (or ``title``) as the heading, its data under ``key`` in the JSON form."""
        data = dict(self.data) if key is not None else None
        return Section(title or self.title, self.blocks, key=key, data=data)

    def sections(self) -> tuple[Section, ...]:
        """The top-level sections."""
        return tuple(b for b in self.blocks if isinstance(b, Section))

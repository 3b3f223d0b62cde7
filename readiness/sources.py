"""Source cards: what each seed document says, section by section.

A source card (``seeds/<document>.yaml``) lists the sections of one source document
with a stable anchor, its heading, the partnership components it discusses and the
claims it supports, paraphrased. Rubric criteria cite ``document`` + ``section`` anchors
from these cards, and rubric loading rejects a citation that names no card or section.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError, model_validator

from readiness._io import Readable, read_document, source_name
from readiness._models import Frozen, Id, NonEmpty, problems_from
from readiness._resources import data_dir
from readiness.errors import Problem, RubricError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["SeedCard", "SeedSection", "load_seed_cards"]


class SeedSection(Frozen):
    """One section of a source document."""

    anchor: Id
    heading: str | None = None
    components: tuple[Id, ...] = ()
    claims: tuple[NonEmpty, ...] = ()


class SeedCard(Frozen):
    """A source card: one source document, section by section."""

    document: NonEmpty
    file: NonEmpty
    title: NonEmpty
    summary: str = ""
    sections: tuple[SeedSection, ...]

    @model_validator(mode="after")
    def _unique_anchors(self) -> SeedCard:
        seen: set[str] = set()
        problems = []
        for i, section in enumerate(self.sections):
            if section.anchor in seen:
                problems.append(
                    Problem(f"$.sections[{i}].anchor", f"duplicate anchor {section.anchor!r}")
                )
            seen.add(section.anchor)
        if problems:
            raise RubricError(problems)
        return self

    def section(self, anchor: str) -> SeedSection | None:
        """The section with this anchor, or ``None``."""
        return next((s for s in self.sections if s.anchor == anchor), None)


def _load_card(path: Readable, *, shipped: bool = False) -> SeedCard:
    data = read_document(path, RubricError, shipped=shipped)
    try:
        return SeedCard.model_validate(data)
    except ValidationError as exc:
        raise RubricError(problems_from(exc), source=source_name(path)) from None


def load_seed_cards(folder: Readable | None = None) -> dict[str, SeedCard]:
    """Load every source card in ``folder`` (default: the shipped ``seeds/``), by document.

    >>> cards = load_seed_cards()
    >>> sorted(cards)[0]
    '000_375e20a599b9b292'
    """
    if folder is None:
        return dict(_default_cards())
    root: Traversable = Path(folder) if isinstance(folder, str) else folder
    return _cards_in(root)


def _cards_in(root: Traversable, *, shipped: bool = False) -> dict[str, SeedCard]:
    cards = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            card = _load_card(entry, shipped=shipped)
            cards[card.document] = card
    return cards


@cache
def _default_cards() -> tuple[tuple[str, SeedCard], ...]:
    return tuple(_cards_in(data_dir("seeds"), shipped=True).items())

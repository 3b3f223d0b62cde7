"""Source cards, checked in both directions against the rubric and the seed documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness import load_rubric
from readiness.sources import load_seed_cards
from tests.factories import ROOT

SEED_TEXTS = ROOT.parent / "shared" / "seeds"


def test_one_card_per_seed_document():
    cards = load_seed_cards()
    assert sorted(cards) == ["000_375e20a599b9b292", "002_ddde5a2afcf008a2"]
    for name, card in cards.items():
        assert card.file == f"{name}.txt"
        assert len(card.sections) >= 10


def test_every_criterion_cites_a_real_anchor():
    cards = load_seed_cards()
    for c in load_rubric().criteria:
        assert c.sources, f"{c.id} cites no source"
        for src in c.sources:
            assert cards[src.document].section(src.section) is not None, (c.id, src)


def test_every_section_naming_a_component_is_used():
    cited = {(s.document, s.section) for c in load_rubric().criteria for s in c.sources}
    for name, card in load_seed_cards().items():
        for section in card.sections:
            if section.components:
                assert (name, section.anchor) in cited, f"{name}#{section.anchor} is never cited"


def test_components_are_pillars():
    pillars = {p.id for p in load_rubric().pillars}
    for card in load_seed_cards().values():
        for section in card.sections:
            assert set(section.components) <= pillars, section.anchor


@pytest.mark.skipif(not SEED_TEXTS.is_dir(), reason="seed texts not beside the checkout")
def test_headings_are_lines_of_the_seed_documents():
    for name, card in load_seed_cards().items():
        lines = {line.strip() for line in (SEED_TEXTS / card.file).read_text().splitlines()}
        for section in card.sections:
            if section.heading is not None:
                assert section.heading in lines, (name, section.heading)


@pytest.mark.skipif(not SEED_TEXTS.is_dir(), reason="seed texts not beside the checkout")
def test_project_text_does_not_copy_seed_sentences():
    """No run of 8 words from a seed document appears in the cards or the rubric."""
    import re

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9']+", text.lower())

    shingles = set()
    for f in SEED_TEXTS.glob("*.txt"):
        w = words(f.read_text())
        shingles |= {tuple(w[i : i + 8]) for i in range(len(w) - 7)}
    ours = [
        Path(ROOT / "rubrics" / "defense-partnership.yaml"),
        *sorted((ROOT / "seeds").glob("*.yaml")),
    ]
    for f in ours:
        # headings are quoted on purpose (they are the anchors' names); drop them
        text = "\n".join(
            line
            for line in f.read_text().splitlines()
            if not line.strip().startswith(("heading:", "title:"))
        )
        w = words(text)
        copied = [
            " ".join(w[i : i + 8]) for i in range(len(w) - 7) if tuple(w[i : i + 8]) in shingles
        ]
        assert not copied, (f.name, copied[:3])

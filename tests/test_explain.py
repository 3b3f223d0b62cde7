"""Explanations: contributions in points that add up to the raw score, and gate loss."""

from __future__ import annotations

import pytest

from readiness import assess, load_rubric
from tests.factories import SMALL
from tests.test_gaps import partnership


@pytest.fixture(scope="module")
def small():
    return load_rubric(SMALL)


def test_explain_points_add_up(small):
    a = assess(partnership(a_one=4, a_two=2, b_one=1, b_two=3), small)
    frame = a.explain().to_frame()
    criteria = frame[frame["criterion"].notna()]
    assert criteria["points"].sum() == pytest.approx(a.raw)
    pillars = frame[frame["criterion"].isna()]
    assert pillars["points"].sum() == pytest.approx(a.raw)
    # arithmetic: a.two = 50 points x 3/4 of pillar A x 2/3 of the whole
    assert float(criteria.set_index("criterion").loc["a.two", "points"]) == pytest.approx(25.0)
    text = a.explain().to_text()
    assert "a.two" in text and "58.33" in text


def test_explain_shows_gate_loss(small):
    a = assess(partnership(a_one=4, a_two=4, b_one=4, b_two=1), small)
    e = a.explain()
    assert e.gate_loss == pytest.approx(47.5)
    assert "gate failed: b.two" in e.to_text()

"""Krippendorff's alpha and the agreement of several assessors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from readiness.agreement import agreement, krippendorff_alpha, within_one_share
from readiness.rubric import load_rubric

NAN = math.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: the
# reliability data matrix of 4 observers (A-D) and 12 units, with missing values
PAPER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_reproduces_the_published_worked_example(level, published):
    assert round(krippendorff_alpha(PAPER, level), 3) == published


def test_alpha_of_the_paper_with_none_for_missing_values():
    data = [[None if math.isnan(v) else v for v in row] for row in PAPER]
    expected = krippendorff_alpha(PAPER, "ordinal")
    assert krippendorff_alpha(data, "ordinal") == pytest.approx(expected)


def test_alpha_on_a_second_published_example():
    # three coders, fifteen units (the example of Krippendorff's alpha on Wikipedia,
    # from the same paper's method): nominal 0.691, interval 0.811
    data = [
        [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
        [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
        [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
    ]
    assert round(krippendorff_alpha(data, "nominal"), 3) == 0.691
    assert round(krippendorff_alpha(data, "interval"), 3) == 0.811


def test_alpha_is_undefined_without_variation_or_pairs():
    assert math.isnan(krippendorff_alpha([[2, 2, 2], [2, 2, 2]], "interval"))
    assert math.isnan(krippendorff_alpha([[1, NAN], [NAN, 2]], "nominal"))
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha(PAPER, "ratio")  # type: ignore[arg-type]


def _alpha_by_pairs(data: np.ndarray, level: str) -> float:
    """Alpha from its definition, pair by pair (slow, obviously right)."""
    pairs = []  # (c, k, weight) for ordered pairs of values within a unit
    for u in range(data.shape[1]):
        vals = [v for v in data[:, u] if not math.isnan(v)]
        m = len(vals)
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            pairs.append((vals[i], vals[j], 1.0 / (m - 1)))
    if not pairs:
        return NAN
    domain = sorted({c for c, _, _ in pairs})
    n_c = {c: sum(w for a, _, w in pairs if a == c) for c in domain}
    n = sum(n_c.values())

    def d2(c: float, k: float) -> float:
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return (c - k) ** 2
        lo, hi = min(c, k), max(c, k)
        between = sum(n_c[g] for g in domain if lo <= g <= hi)
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(w * d2(c, k) for c, k, w in pairs) / n
    expected = sum(n_c[c] * n_c[k] * d2(c, k) for c in domain for k in domain) / (n * (n - 1))
    return NAN if expected == 0 else 1 - observed / expected


levels_matrix = hnp.arrays(
    np.float64,
    st.tuples(st.integers(2, 5), st.integers(1, 8)),
    elements=st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0, NAN]),
)


@settings(max_examples=150, deadline=None)
@given(levels_matrix, st.sampled_from(["nominal", "ordinal", "interval"]))
def test_alpha_equals_the_pairwise_definition(data, level):
    fast, slow = krippendorff_alpha(data, level), _alpha_by_pairs(data, level)
    assert (math.isnan(fast) and math.isnan(slow)) or fast == pytest.approx(slow, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(levels_matrix, st.randoms(use_true_random=False))
def test_alpha_ignores_the_order_of_observers_and_units(data, rnd):
    rows, cols = list(range(data.shape[0])), list(range(data.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    for level in ("nominal", "ordinal", "interval"):
        a, b = krippendorff_alpha(data, level), krippendorff_alpha(data[rows][:, cols], level)
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(levels_matrix)
def test_interval_alpha_is_unchanged_by_a_linear_rescale(data):
    a, b = krippendorff_alpha(data, "interval"), krippendorff_alpha(25 * data + 7, "interval")
    assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-9)


def test_identical_observers_agree_perfectly():
    data = np.array([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0, 1, 2, 3, NAN]])
    for level in ("nominal", "ordinal", "interval"):
        assert krippendorff_alpha(data, level) == pytest.approx(1.0)


@settings(max_examples=100, deadline=None)
@given(levels_matrix)
def test_within_one_share_counts_pairs(data):
    share, pairs = within_one_share(data)
    good = total = 0
    for u in range(data.shape[1]):
        vals = [v for v in data[:, u] if not math.isnan(v)]
        for a, b in itertools.combinations(vals, 2):
            total += 1
            good += abs(a - b) <= 1
    assert pairs == total
    assert (total == 0 and math.isnan(share)) or share == pytest.approx(good / total)


def test_agreement_lists_adjudication_and_straight_lining():
    rubric = load_rubric()
    m = len(rubric.criterion_ids)
    levels = np.full((3, m), NAN)
    levels[0] = 2.0  # straight-liner: every criterion level 2
    levels[1] = np.arange(m) % 5
    levels[2] = np.arange(m) % 5
    levels[2, 3] = NAN  # a missing value
    result = agreement(levels, ["A", "B", "C"], rubric)
    assert result.straight_liners == ("A",)
    # criteria where B (and C) are 2+ levels away from A's 2: levels 0 and 4
    expected = {cid for j, cid in enumerate(rubric.criterion_ids) if j % 5 in (0, 4)}
    assert {c.id for c in result.adjudication} == expected
    assert result.adjudication[0].spread == 2
    row = result.criteria[3]
    assert row.levels == (2, 3, None) and row.n == 2 and row.within_one == 1.0
    assert result.overall.pairs == 3 * m - 2
    assert 0 < result.overall.within_one < 1
    assert len(result.pillars) == len(rubric.pillars)
    frame = result.to_frame()
    assert list(frame.columns[:5]) == ["pillar", "criterion", "A", "B", "C"]
    data = result.to_dict()
    assert data["straight_liners"] == ["A"]
    assert set(data["adjudication"]) == expected


def test_agreement_refuses_a_matrix_of_the_wrong_shape():
    with pytest.raises(ValueError, match="levels must be"):
        agreement(np.zeros((2, 3)), ["A", "B"], load_rubric())

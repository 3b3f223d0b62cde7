"""The coherence audit: Cronbach's alpha, ordinal alpha, item statistics, redundancy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.audit import alpha_from_cov, audit, cronbach_alpha, polychoric
from readiness.errors import InputError
from readiness.rubric import load_rubric

# The worked example of StatsBase.jl's ``cronbachalpha`` documentation (Julia): four items
# with variances 10-13 and every covariance 6 give alpha 0.8136; dropping item 1, 2, 3 or
# 4 gives 0.7500, 0.7606, 0.7714 and 0.7826. By hand: k = 4, sum of variances 46, sum of
# the matrix 46 + 12 x 6 = 118, alpha = 4/3 x (1 - 46/118) = 0.81356.
TEXTBOOK_COV = np.array([[10, 6, 6, 6], [6, 11, 6, 6], [6, 6, 12, 6], [6, 6, 6, 13]], float)


def test_cronbach_alpha_of_the_textbook_covariance():
    assert alpha_from_cov(TEXTBOOK_COV) == pytest.approx(0.8136, abs=5e-5)
    dropped = [alpha_from_cov(np.delete(np.delete(TEXTBOOK_COV, i, 0), i, 1)) for i in range(4)]
    np.testing.assert_allclose(dropped, [0.7500, 0.7606, 0.7714, 0.7826], atol=5e-5)


def test_cronbach_alpha_of_data_equals_the_covariance_form():
    rng = np.random.default_rng(0)
    data = rng.multivariate_normal(np.zeros(4), TEXTBOOK_COV, size=200_000)
    assert cronbach_alpha(data) == pytest.approx(0.8136, abs=0.005)
    small = rng.integers(0, 5, (30, 3)).astype(float)
    total = small.sum(axis=1)
    by_hand = 3 / 2 * (1 - small.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    assert cronbach_alpha(small) == pytest.approx(by_hand, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(0, 2**31))
def test_alpha_of_identical_items_is_one_and_of_independent_items_near_zero(k, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(500, 1))
    assert cronbach_alpha(np.repeat(x, k, axis=1)) == pytest.approx(1.0)
    assert alpha_from_cov(np.eye(k)) == pytest.approx(0.0)


def test_polychoric_recovers_the_latent_correlation():
    rng = np.random.default_rng(1)
    z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=4000)
    cut = [-1.0, -0.3, 0.4, 1.2]
    x, y = np.digitize(z[:, 0], cut).astype(float), np.digitize(z[:, 1], cut).astype(float)
    assert polychoric(x, y) == pytest.approx(0.6, abs=0.04)
    # ordinal data attenuate Pearson's r; the polychoric estimate does not
    assert np.corrcoef(x, y)[0, 1] < polychoric(x, y)
    assert np.isnan(polychoric(x, np.full_like(x, 2.0)))


def frame_of(levels):
    rubric = load_rubric()
    return pd.DataFrame(levels, columns=list(rubric.criterion_ids))


def test_audit_flags_constant_criteria_floor_and_redundant_pillars():
    rubric = load_rubric()
    rng = np.random.default_rng(2)
    n, m = 60, len(rubric.criterion_ids)
    base = rng.integers(0, 5, (n, 1)).astype(float)
    levels = np.clip(base + rng.integers(-1, 2, (n, m)), 0, 4)
    levels[:, 0] = 2.0  # never varies
    levels[:, 1] = np.where(rng.random(n) < 0.9, 0.0, 1.0)  # floor effect
    a = audit(frame_of(levels), rubric, threshold=0.5, ordinal=False)
    first, second = rubric.criterion_ids[:2]
    assert a.never_vary == (first,)
    assert bool(a.items.loc[second, "floor_effect"])
    assert not bool(a.items.loc[second, "ceiling_effect"])
    assert a.redundant  # every pillar follows the same latent level
    shares = a.items[[f"level_{i}" for i in range(5)]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)
    # items that follow one latent level are coherent; the pillar holding the constant
    # and the floored criterion is not
    alpha = a.pillars["alpha"]
    assert (alpha.drop(rubric.pillars[0].id) > 0.5).all()
    assert alpha[rubric.pillars[0].id] < 0.5


def test_audit_ordinal_alpha_is_at_least_the_pearson_alpha_on_coarse_items():
    rubric = load_rubric()
    rng = np.random.default_rng(3)
    latent = rng.normal(size=(400, 1))
    m = len(rubric.criterion_ids)
    z = latent + rng.normal(scale=0.8, size=(400, m))
    levels = np.digitize(z, [-1.5, -0.5, 0.5, 1.5]).astype(float)
    a = audit(frame_of(levels), rubric)
    both = a.pillars[["alpha", "ordinal_alpha"]].dropna()
    assert len(both) > 5
    assert (both["ordinal_alpha"] >= both["alpha"] - 0.02).all()
    assert a.to_dict()["pillars"][0]["id"] == rubric.pillars[0].id


def test_audit_refuses_bad_options():
    with pytest.raises(InputError, match="threshold"):
        audit(frame_of(np.zeros((3, len(load_rubric().criterion_ids)))), threshold=2)

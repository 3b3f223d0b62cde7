"""Robustness: the sampling engine against the kernel, uncertainty, Sobol, margins."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness.robustness._engine import METHODS, POLICIES, Draws, evaluate, rubric_draws
from readiness.robustness._panel import Panel
from readiness.rubric import load_rubric
from readiness.scoring import ScoringModel, score_matrix
from tests.factories import level_matrix, rubrics


def random_panel(rng, n=200, unknown=0.1, na=0.03, low=0.05, rubric=None):
    rubric = rubric or load_rubric()
    m = len(rubric.criterion_ids)
    levels = rng.integers(0, 5, (n, m)).astype(float)
    levels[rng.random((n, m)) < unknown] = np.nan
    return Panel.from_arrays(
        levels,
        rubric,
        not_applicable=rng.random((n, m)) < na,
        low_confidence=rng.random((n, m)) < low,
    )


def kernel_scores(panel, pillar_w, criterion_w, method, policy, shifted):
    """What score_matrix gives with these weights, method, policy and levels."""
    model = dataclasses.replace(
        panel.model,
        pillar_weight=np.asarray(pillar_w, float),
        criterion_weight=np.asarray(criterion_w, float),
        overall_method=method,
    )
    return score_matrix(
        shifted,
        model,
        not_applicable=panel.not_applicable,
        unknown_policy=policy,
        min_coverage=panel.min_coverage,
    )


def shifted_levels(panel, shift_row):
    rated = ~np.isnan(panel.levels) & ~panel.not_applicable
    levels = panel.levels.copy()
    rows, cols = np.nonzero(panel.low_confidence & rated)
    levels[rows, cols] += shift_row
    return levels


def check_against_kernel(panel, draws):
    overall, band = evaluate(panel, draws)
    model = panel.model
    for t in range(draws.size):
        cw = model.criterion_weight if draws.criterion_weight is None else draws.criterion_weight[t]
        shift = 0 if draws.shift is None else draws.shift[t]
        s = kernel_scores(
            panel,
            draws.pillar_weight[t],
            cw,
            METHODS[draws.method[t]],
            POLICIES[draws.policy[t]],
            shifted_levels(panel, shift),
        )
        np.testing.assert_allclose(overall[t], s.overall, rtol=0, atol=1e-9, equal_nan=True)
        np.testing.assert_array_equal(band[t], s.band)


def random_draws(rng, panel, size, methods=(0, 1, 2)):
    model = panel.model
    rated = ~np.isnan(panel.levels) & ~panel.not_applicable
    level = panel.levels[panel.low_confidence & rated]
    lo = np.maximum(level - 1, 0) - level
    hi = np.minimum(level + 1, 4) - level
    shift = (lo + rng.integers(0, 2, size=(size, len(level))) * (hi - lo)).astype(np.int8)
    return Draws(
        pillar_weight=rng.gamma(2.0, size=(size, model.n_pillars)) + 1e-3,
        criterion_weight=rng.gamma(2.0, size=(size, model.n_criteria)) + 1e-3,
        method=rng.choice(np.array(methods, dtype=np.int8), size=size),
        policy=rng.integers(0, 2, size=size).astype(np.int8),
        shift=shift,
    )


def test_rubric_choices_reproduce_score_matrix_exactly():
    rng = np.random.default_rng(7)
    panel = random_panel(rng, n=500)
    overall, band = evaluate(panel, rubric_draws(panel.model, 2))
    np.testing.assert_array_equal(overall[0], panel.point.overall)
    np.testing.assert_array_equal(band[1], panel.point.band)


def test_sampled_choices_match_the_kernel_on_the_default_rubric():
    rng = np.random.default_rng(11)
    panel = random_panel(rng, n=300)
    check_against_kernel(panel, random_draws(rng, panel, 24))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric=rubrics(), data=st.data())
def test_sampled_choices_match_the_kernel_on_any_rubric(rubric, data):
    m = len(rubric.criterion_ids)
    n = data.draw(st.integers(1, 6))
    levels = level_matrix(data.draw, n, m)
    na = np.array(data.draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))).reshape(n, m)
    low = np.array(data.draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))).reshape(n, m)
    panel = Panel.from_arrays(levels, rubric, not_applicable=na, low_confidence=low)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    check_against_kernel(panel, random_draws(rng, panel, 5))


def test_the_point_scores_are_the_kernels():
    rng = np.random.default_rng(3)
    panel = random_panel(rng, n=50)
    s = score_matrix(
        panel.levels, ScoringModel.from_rubric(load_rubric()), not_applicable=panel.not_applicable
    )
    np.testing.assert_array_equal(panel.point.overall, s.overall)

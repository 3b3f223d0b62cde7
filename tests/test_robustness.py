"""Robustness: the sampling engine against the kernel, uncertainty, Sobol, margins."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness.errors import InputError
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


# --- exact margins ------------------------------------------------------------------

from readiness.robustness.margins import margins  # noqa: E402


def kernel_band(panel, i, p, weight):
    w = panel.model.pillar_weight.copy()
    w[p] = weight
    model = dataclasses.replace(panel.model, pillar_weight=w)
    s = score_matrix(
        panel.levels[i : i + 1],
        model,
        not_applicable=panel.not_applicable[i : i + 1],
        unknown_policy=panel.unknown_policy,
        min_coverage=panel.min_coverage,
    )
    return int(s.band[0])


def bisect(f, lo, hi, tol=1e-13):
    """The point in [lo, hi] where f turns True (f(lo) False, f(hi) True)."""
    while hi - lo > tol * max(1.0, abs(hi)):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if f(mid) else (mid, hi)
    return (lo + hi) / 2


def exact_band(lin, i, p, weight):
    """The band from the linear-fractional form, without the kernel's settling."""
    t = np.array([weight - lin.panel.model.pillar_weight[p]])
    return int(lin.band(np.array([i]), p, t)[0])


def test_band_margins_are_exact_to_1e9_and_agree_with_the_kernel():
    from readiness.robustness.margins import _Linear

    rng = np.random.default_rng(5)
    panel = random_panel(rng, n=40, low=0.0)
    lin = _Linear.of(panel)
    m = margins(panel)
    checked = 0
    for r in m.bands.itertuples():
        i = panel.labels.index(r.partnership)
        p = panel.model.pillar_ids.index(r.pillar)
        b0 = panel.point.band[i]
        assert kernel_band(panel, i, p, r.weight) == b0 == exact_band(lin, i, p, r.weight)
        if np.isfinite(r.up):
            x = bisect(
                lambda w, i=i, p=p, b0=b0: exact_band(lin, i, p, w) != b0, r.weight, r.up + 1e-3
            )
            assert abs(x - r.up) < 1e-9 * max(1.0, r.up)
            # the kernel settles scores to 1e-9 points: it agrees just either side
            assert kernel_band(panel, i, p, r.up * (1 - 1e-6)) == b0
            assert kernel_band(panel, i, p, r.up * (1 + 1e-6)) != b0
            checked += 1
        else:  # never changes upwards: not at a huge weight either
            assert kernel_band(panel, i, p, r.weight * 1e6) == b0
        if r.down > 0:
            x = bisect(
                lambda w, i=i, p=p, b0=b0: exact_band(lin, i, p, w) == b0, r.down - 1e-3, r.weight
            )
            assert abs(x - r.down) < 1e-9 * max(1.0, r.down)
            assert kernel_band(panel, i, p, r.down * (1 + 1e-6)) == b0
            assert kernel_band(panel, i, p, r.down * (1 - 1e-6)) != b0
            checked += 1
        else:
            assert kernel_band(panel, i, p, r.weight * 1e-6) == b0
    assert checked > 20


def test_swap_margins_are_exact_to_1e9_and_agree_with_the_kernel():
    from readiness.robustness.margins import _Linear, _order

    rng = np.random.default_rng(9)
    panel = random_panel(rng, n=30, low=0.0)
    lin = _Linear.of(panel)
    m = margins(panel)

    def kernel_order(a, b, p, weight):
        w = panel.model.pillar_weight.copy()
        w[p] = weight
        model = dataclasses.replace(panel.model, pillar_weight=w)
        s = score_matrix(panel.levels[[a, b]], model, not_applicable=panel.not_applicable[[a, b]])
        x = np.nan_to_num(s.overall, nan=-1.0)
        return np.sign(x[0] - x[1])

    def exact_order(a, b, p, weight):
        t = np.array([weight - panel.model.pillar_weight[p]])
        return int(_order(lin, np.array([a]), np.array([b]), p, t)[0])

    checked = 0
    for r in m.swaps.itertuples():
        a, b = panel.labels.index(r.above), panel.labels.index(r.below)
        p = panel.model.pillar_ids.index(r.pillar)
        start = exact_order(a, b, p, r.weight)
        assert start == kernel_order(a, b, p, r.weight)
        if np.isfinite(r.up):
            x = bisect(
                lambda w, a=a, b=b, p=p, start=start: exact_order(a, b, p, w) != start,
                r.weight,
                r.up + 1e-3,
            )
            assert abs(x - r.up) < 1e-9 * max(1.0, r.up)
            assert kernel_order(a, b, p, r.up * (1 - 1e-6)) == start
            assert kernel_order(a, b, p, r.up * (1 + 1e-6)) != start
            checked += 1
        if r.down > 0:
            x = bisect(
                lambda w, a=a, b=b, p=p, start=start: exact_order(a, b, p, w) == start,
                r.down - 1e-3,
                r.weight,
            )
            assert abs(x - r.down) < 1e-9 * max(1.0, r.down)
            checked += 1
    assert checked > 10


def test_margins_refuse_a_geometric_rubric():
    from tests.factories import make_rubric, rubric_dict

    rubric = make_rubric(
        rubric_dict([("a", 1, "arithmetic", [("a.x", 1)])], aggregation="geometric")
    )
    panel = Panel.from_arrays(np.array([[2.0]]), rubric)
    with pytest.raises(InputError, match="arithmetic"):
        margins(panel)

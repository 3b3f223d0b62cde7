"""Hypothesis properties of the scoring maths, for every aggregation method.

Random rubrics (1-4 pillars of 1-4 criteria, random weights, random methods per pillar
and overall, random gates, both unknown policies) and random level matrices.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness import Partnership, assess, assess_frame
from readiness.rubric import Rubric
from readiness.scoring import Scores, ScoringModel, score_matrix
from tests.factories import level_matrix, make_rubric, rubrics

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw: st.DrawFn, rows: int = 3, methods: st.SearchStrategy[str] | None = None):
    rubric = draw(rubrics() if methods is None else rubrics(methods=methods))
    m = len(rubric.criterion_ids)
    levels = level_matrix(draw, rows, m)
    na = np.array(draw(st.lists(st.booleans(), min_size=rows * m, max_size=rows * m)))
    na = na.reshape(rows, m) & (np.arange(m) % 3 == 0)  # some not-applicable, not all
    low = np.array(draw(st.lists(st.booleans(), min_size=rows * m, max_size=rows * m)))
    return rubric, levels, na, low.reshape(rows, m)


def run(rubric: Rubric, levels, na=None, low=None) -> Scores:
    return score_matrix(
        levels, ScoringModel.from_rubric(rubric), not_applicable=na, low_confidence=low
    )


def all_scores(s: Scores) -> list[np.ndarray]:
    return [s.pillar, s.pillar_lower, s.pillar_upper, s.raw, s.overall, s.lower, s.upper]


@SETTINGS
@given(cases())
def test_scores_are_within_0_and_100(case):
    rubric, levels, na, low = case
    for arr in all_scores(run(rubric, levels, na, low)):
        finite = arr[~np.isnan(arr)]
        assert ((finite >= -1e-9) & (finite <= 100 + 1e-9)).all()


@SETTINGS
@given(cases())
def test_lower_le_score_le_upper(case):
    rubric, levels, na, low = case
    s = run(rubric, levels, na, low)
    defined = ~np.isnan(s.overall)
    assert (s.lower[defined] <= s.overall[defined] + 1e-9).all()
    assert (s.overall[defined] <= s.upper[defined] + 1e-9).all()
    applies = ~na.all(axis=1)
    assert (s.lower[applies] <= s.upper[applies] + 1e-9).all()
    # bounds exist even without a point score, wherever anything applies
    assert not np.isnan(s.lower[applies]).any()
    assert np.isnan(s.lower[~applies]).all()


@SETTINGS
@given(cases(rows=1), st.data())
def test_raising_a_level_never_lowers_any_score(case, data):
    rubric, levels, na, low = case
    rated = np.flatnonzero(~np.isnan(levels[0]) & (levels[0] < 4))
    if len(rated) == 0:
        return
    j = data.draw(st.sampled_from(list(rated)))
    raised = levels.copy()
    raised[0, j] += 1
    before, after = run(rubric, levels, na, low), run(rubric, raised, na, low)
    for b, a in zip(all_scores(before), all_scores(after), strict=True):
        both = ~np.isnan(b) & ~np.isnan(a)
        assert (a[both] >= b[both] - 1e-9).all()
        assert (np.isnan(a) == np.isnan(b)).all()  # coverage does not change
    assert (after.band >= before.band).all()
    assert (after.gate_failed <= before.gate_failed).all()


@SETTINGS
@given(cases(), st.floats(0.01, 100), st.integers(0, 3))
def test_scaling_the_weights_of_a_group_changes_nothing(case, factor, which):
    rubric, levels, na, low = case
    doc = rubric.model_dump(mode="json")
    if which == 0:  # every pillar weight
        for p in doc["pillars"]:
            p["weight"] *= factor
    else:  # every criterion weight of one pillar
        pillar = doc["pillars"][which % len(doc["pillars"])]
        for c in pillar["criteria"]:
            c["weight"] *= factor
    scaled = make_rubric(doc)
    for b, a in zip(
        all_scores(run(rubric, levels, na, low)),
        all_scores(run(scaled, levels, na, low)),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(cases(), st.randoms())
def test_order_of_criteria_and_pillars_changes_nothing(case, rnd):
    rubric, levels, na, low = case
    doc = rubric.model_dump(mode="json")
    shuffled = copy.deepcopy(doc)
    rnd.shuffle(shuffled["pillars"])
    for p in shuffled["pillars"]:
        rnd.shuffle(p["criteria"])
    other = make_rubric(shuffled)
    # present the same data in the other rubric's order, through a labelled frame
    frame = pd.DataFrame(levels, columns=list(rubric.criterion_ids))
    na_frame = pd.DataFrame(na, columns=list(rubric.criterion_ids))
    low_frame = pd.DataFrame(low, columns=list(rubric.criterion_ids))
    cols = list(frame.columns)
    rnd.shuffle(cols)
    a = assess_frame(frame, rubric, not_applicable=na_frame, low_confidence=low_frame)
    b = assess_frame(
        frame[cols], other, not_applicable=na_frame[cols], low_confidence=low_frame[cols]
    )
    pd.testing.assert_frame_equal(a[b.columns], b, check_exact=False, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(cases(rows=1), st.data())
def test_not_applicable_leaves_other_pillars_untouched(case, data):
    rubric, levels, na, low = case
    j = data.draw(st.integers(0, len(rubric.criterion_ids) - 1))
    more_na = na.copy()
    more_na[0, j] = True
    model = ScoringModel.from_rubric(rubric)
    before, after = run(rubric, levels, na, low), run(rubric, levels, more_na, low)
    others = np.arange(model.n_pillars) != model.criterion_pillar[j]
    if rubric.unknown_policy == "estimate":
        # estimates read every known criterion: only pillars with nothing to estimate stay
        unknown = np.isnan(levels[0]) & ~more_na[0]
        others &= np.bincount(model.criterion_pillar[unknown], minlength=model.n_pillars) == 0
    np.testing.assert_array_equal(before.pillar[:, others], after.pillar[:, others])
    np.testing.assert_array_equal(before.pillar_lower[:, others], after.pillar_lower[:, others])


def _partnership(
    rubric: Rubric, levels: np.ndarray, na: np.ndarray, low: np.ndarray
) -> Partnership:
    ratings = {}
    for j, cid in enumerate(rubric.criterion_ids):
        if na[j]:
            ratings[cid] = {"level": "not-applicable"}
        elif not np.isnan(levels[j]):
            ratings[cid] = {"level": int(levels[j]), "confidence": "low" if low[j] else "high"}
    return Partnership(
        id="p", name="P", kind="defense-cooperation", members=("A",), ratings=ratings
    )


@SETTINGS
@given(cases(rows=4))
def test_assess_equals_the_matching_row_of_assess_frame(case):
    rubric, levels, na, low = case
    cols = list(rubric.criterion_ids)
    frame = assess_frame(
        pd.DataFrame(levels, columns=cols),
        rubric,
        not_applicable=pd.DataFrame(na, columns=cols),
        low_confidence=pd.DataFrame(low, columns=cols),
    )
    for r in range(len(levels)):
        a = assess(_partnership(rubric, levels[r], na[r], low[r]), rubric)
        row = frame.iloc[r]
        for key, value in (("overall", a.overall), ("lower", a.lower), ("upper", a.upper),
                           ("coverage", a.coverage)):  # fmt: skip
            same(row[key], value)
        assert (row["band"] if not pd.isna(row["band"]) else None) == (
            a.band.id if a.band else None
        )
        assert row["gates_failed"] == len(a.failed_gates)
        for p in a.pillars:
            same(row[p.id], p.score)


def same(frame_value: float, value: float | None) -> None:
    """Equal up to the last bits BLAS may round differently for 1 row and n rows."""
    if value is None or np.isnan(value):
        assert np.isnan(frame_value)
    else:
        assert frame_value == pytest.approx(value, rel=1e-12, abs=1e-12)


@SETTINGS
@given(cases(rows=5, methods=st.just("arithmetic")))
def test_linear_fast_path_equals_the_general_path(case):
    """Arithmetic pillars take a matrix-product shortcut; it must agree with the general path."""
    from readiness.scoring import _Kernel

    rubric, levels, na, low = case
    model = ScoringModel.from_rubric(rubric)
    fast = _Kernel(model, model.unknown_policy, model.min_coverage)
    general = _Kernel(model, model.unknown_policy, model.min_coverage, linear=False)
    assert fast.linear and not general.linear
    a = fast.run(levels, na, low.astype(float))
    b = general.run(levels, na, low.astype(float))
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9, atol=1e-9, err_msg=key)


@SETTINGS
@given(
    cases(rows=7, methods=st.just("arithmetic")),
    st.sampled_from(["exclude", "worst"]),
    st.booleans(),
)
def test_fused_kernel_equals_the_reference_paths(case, policy, fortran):
    """The fused kernel (one pass per level, extra weight columns, F-ordered input read
    in place, only the outputs asked for) gives what the old linear and general paths give."""
    from hypothesis import assume

    from readiness.scoring import ALL_OUTPUTS, _Kernel

    rubric, levels, _, _ = case
    model = ScoringModel.from_rubric(rubric)
    # the overall method is random: the fused kernel takes an arithmetic one only (a
    # geometric overall amplifies float noise near 0 differently on the two old paths)
    assert _Kernel(model, policy, 0.5).fused == (rubric.aggregation == "arithmetic")
    assume(rubric.aggregation == "arithmetic")
    block = np.asfortranarray(levels) if fortran else np.ascontiguousarray(levels)
    fused = _Kernel(model, policy, model.min_coverage)
    linear = _Kernel(model, policy, model.min_coverage, fused=False)
    general = _Kernel(model, policy, model.min_coverage, linear=False)
    a = fused.run(block, None, None)
    assert set(a) == ALL_OUTPUTS
    for ref in (linear, general):
        b = ref.run(levels, None, None)
        for key in ALL_OUTPUTS:
            np.testing.assert_allclose(
                a[key].astype(float), b[key].astype(float), rtol=1e-9, atol=1e-9, err_msg=key
            )
    some = frozenset({"overall", "band", "gates_failed"})
    assert set(fused.run(block, None, None, some)) == some


@SETTINGS
@given(cases(rows=6))
def test_no_masks_equals_all_false_masks(case):
    """Without masks the kernel takes shortcuts (fixed denominators); they must agree."""
    rubric, levels, _, _ = case
    model = ScoringModel.from_rubric(rubric)
    zeros = np.zeros(levels.shape, dtype=bool)
    bare = score_matrix(levels, model)
    masked = score_matrix(levels, model, not_applicable=zeros, low_confidence=zeros)
    # Scores are settled to 1e-9 before banding, so two paths may differ by a grid step;
    # a geometric mean near 0 carries more float noise (seen: an upper bound at 4.2e-7 on
    # one path, 0 on the other). On a 0-100 scale shown to one decimal, 1e-6 is noise.
    for name in ("pillar", "pillar_lower", "pillar_upper", "pillar_coverage", "raw", "overall",
                 "lower", "upper", "coverage", "gate_loss"):  # fmt: skip
        np.testing.assert_allclose(
            getattr(bare, name), getattr(masked, name), rtol=1e-12, atol=1e-6, err_msg=name
        )
    np.testing.assert_array_equal(bare.band, masked.band)
    np.testing.assert_array_equal(bare.gate_failed, masked.gate_failed)


# --- gates: unknown is not failed -------------------------------------------------


def _capped(s: Scores, model: ScoringModel, capping: np.ndarray) -> np.ndarray:
    """The raw score under the caps of the ``capping`` gates (a reference, row by row)."""
    caps = np.where(capping, model.gate_caps(), np.inf)
    return np.minimum(s.raw, caps.min(axis=1, initial=np.inf))


@SETTINGS
@given(cases())
def test_a_gate_fails_on_evidence_only(case):
    rubric, levels, na, low = case
    model = ScoringModel.from_rubric(rubric)
    s = run(rubric, levels, na, low)
    gate_levels = levels[:, model.gate_criterion]
    applies = ~na[:, model.gate_criterion]
    np.testing.assert_array_equal(s.gate_unrated, applies & np.isnan(gate_levels))
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(s.gate_failed, applies & (gate_levels < model.gate_min))
    assert not (s.gate_failed & s.gate_unrated).any()
    # the point score is capped by failed gates only (and, under worst, by unrated ones)
    capping = s.gate_failed | (s.gate_unrated if rubric.unknown_policy == "worst" else False)
    defined = ~np.isnan(s.overall)
    np.testing.assert_allclose(s.overall[defined], _capped(s, model, capping)[defined], atol=1e-9)


@SETTINGS
@given(cases(rows=1), st.data())
def test_rating_an_unrated_gate_at_its_minimum_never_caps_the_score(case, data):
    rubric, levels, na, low = case
    model = ScoringModel.from_rubric(rubric)
    before = run(rubric, levels, na, low)
    unrated = np.flatnonzero(before.gate_unrated[0])
    if len(unrated) == 0 or rubric.unknown_policy == "worst":
        return
    g = data.draw(st.sampled_from(list(unrated)))
    rated = levels.copy()
    rated[0, model.gate_criterion[g]] = data.draw(st.integers(int(model.gate_min[g]), 4))
    after = run(rubric, rated, na, low)
    # the same gates cap the score before and after: only the raw average moves
    np.testing.assert_array_equal(after.gate_failed, before.gate_failed)
    if not np.isnan(after.overall[0]):
        expected = _capped(after, model, before.gate_failed)
        assert after.overall[0] == pytest.approx(expected[0], abs=1e-9)


@SETTINGS
@given(cases(rows=2))
def test_with_every_gate_rated_the_old_rule_holds(case):
    """Old rule: a gate fails when its criterion is below the minimum or unknown."""
    rubric, levels, na, low = case
    model = ScoringModel.from_rubric(rubric)
    cols = model.gate_criterion
    levels[:, cols] = np.nan_to_num(levels[:, cols], nan=2.0)  # every gate rated
    s = run(rubric, levels, na, low)
    old_failed = ~na[:, cols] & ~(levels[:, cols] >= model.gate_min)
    np.testing.assert_array_equal(s.gate_failed, old_failed)
    assert not s.gate_unrated.any()


# --- gap ranking: a figure that does not grow with missing data -------------------


@SETTINGS
@given(cases(rows=1), st.data())
def test_rank_gain_does_not_grow_when_a_sibling_becomes_unknown(case, data):
    from hypothesis import assume

    rubric, levels, na, low = case
    assume(rubric.aggregation == "arithmetic")
    below = np.flatnonzero(~np.isnan(levels[0]) & (levels[0] < 4) & ~na[0])
    assume(len(below) > 0)
    j = data.draw(st.sampled_from(list(below)))
    siblings = np.flatnonzero(~np.isnan(levels[0]) & (np.arange(levels.shape[1]) != j))
    assume(len(siblings) > 0)
    k = data.draw(st.sampled_from(list(siblings)))

    def rank_gain(lv: np.ndarray) -> float:
        closed, closed_low = lv.copy(), low.copy()
        closed[0, j], closed_low[0, j] = 4, False
        s = run(rubric, np.vstack([lv, closed]), np.vstack([na, na]), np.vstack([low, closed_low]))
        return float(s.raw_lower[1] - s.raw_lower[0])

    forgotten = levels.copy()
    forgotten[0, k] = np.nan
    # scores are settled to 1e-9: two rescorings may differ by one grid step
    assert rank_gain(forgotten) <= rank_gain(levels) + 1e-8


# --- unknown_policy: estimate -------------------------------------------------------------


def _estimating(rubric: Rubric) -> Rubric:
    return rubric.model_copy(update={"unknown_policy": "estimate"})


@SETTINGS
@given(cases(rows=4))
def test_the_likely_range_lies_within_the_bounds_and_holds_the_score(case):
    rubric, levels, na, low = case
    s = run(_estimating(rubric), levels, na, low)
    scored = ~np.isnan(s.overall)
    assert np.all(s.lower[scored] <= s.likely_lower[scored] + 1e-9)
    assert np.all(s.likely_lower[scored] <= s.overall[scored] + 1e-9)
    assert np.all(s.overall[scored] <= s.likely_upper[scored] + 1e-9)
    assert np.all(s.likely_upper[scored] <= s.upper[scored] + 1e-9)


def _engines() -> list[str]:
    """The engines installed: numpy, and numba with ``readiness[fast]``."""
    from readiness.scoring import _accel_kernel

    return ["numpy"] + (["numba"] if _accel_kernel() is not None else [])


_EXACT = {"band", "gate_failed", "gate_unrated", "gates_failed", "gates_unrated"}


@SETTINGS
@given(
    st.one_of(cases(rows=7), cases(rows=7, methods=st.just("arithmetic"))),  # fused too
    st.sampled_from(["none", "not_applicable", "low_confidence", "both"]),
    st.sampled_from(["C", "F"]),
    st.sampled_from([1, 3, 1000]),
)
def test_the_kernel_scores_estimates_as_the_reference_does(case, masks, order, chunk_rows):
    """Every output of the blocked kernel under ``estimate`` (the fused path with nothing
    masked, on worker threads when there are several blocks) is the reference's (the
    unfused kernel on the whole matrix: ``_Kernel._reference`` with the estimate's parts,
    or every estimate written out by :func:`estimate_unknowns` when pillars are not all
    arithmetic or cells are masked), on every engine installed."""
    from readiness.scoring import ALL_OUTPUTS, _Kernel, score_outputs

    rubric, levels, na, low = case
    model = ScoringModel.from_rubric(_estimating(rubric))
    levels = np.asarray(levels, order=order)
    na_mask = na if masks in ("not_applicable", "both") else None
    low_mask = low if masks in ("low_confidence", "both") else None
    reference = _Kernel(model, "estimate", model.min_coverage, fused=False)
    assert not reference.fused
    expected = reference.run(
        levels, na_mask, None if low_mask is None else low_mask.astype(np.float64), ALL_OUTPUTS
    )
    for engine in _engines():
        got = score_outputs(
            levels,
            model,
            not_applicable=na_mask,
            low_confidence=low_mask,
            chunk_rows=chunk_rows,
            engine=engine,  # type: ignore[arg-type]
        )
        assert set(got) == ALL_OUTPUTS
        for key in ALL_OUTPUTS:
            if key in _EXACT:
                np.testing.assert_array_equal(got[key], expected[key], err_msg=f"{engine} {key}")
            else:
                np.testing.assert_allclose(
                    got[key], expected[key], rtol=0, atol=1e-9, err_msg=f"{engine} {key}"
                )


def _bits(a: np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    return str(a.dtype), a.shape, np.ascontiguousarray(a).tobytes()


@SETTINGS
@given(
    cases(rows=3),
    st.sampled_from(["exclude", "worst", "estimate"]),
    st.sampled_from(["none", "not_applicable", "low_confidence", "both"]),
    st.sampled_from(["unknowns", "all known", "a row all not-applicable"]),
    st.booleans(),
)
def test_nothing_to_estimate_skips_the_sums_bit_for_bit(case, policy, masks, fill, blank):
    """A block with every applicable criterion known takes its estimates without the
    estimate's sums (``_nothing_estimated``): every output of the kernel, the estimates
    among them, is the one the sums give, to the last bit, under every policy, method
    and mask; and its estimates are :func:`estimate_unknowns`'s."""
    from unittest import mock

    import readiness.scoring as scoring
    from readiness.scoring import ALL_OUTPUTS, ON_REQUEST, _Kernel, estimate_unknowns

    rubric, levels, na, low = case
    na_mask = na.copy() if masks in ("not_applicable", "both") else None
    low_mask = low if masks in ("low_confidence", "both") else None
    if fill != "unknowns":  # every criterion known (one row without any that applies)
        levels = np.where(np.isnan(levels), 2.0, levels)
        if fill == "a row all not-applicable":
            na_mask = np.zeros(levels.shape, dtype=bool) if na_mask is None else na_mask
            na_mask[0] = True
    if na_mask is not None and blank:
        levels = np.where(na_mask, np.nan, levels)  # as resolve writes them
    model = ScoringModel.from_rubric(rubric.model_copy(update={"unknown_policy": policy}))
    applicable = None if na_mask is None else ~na_mask
    short = scoring._nothing_estimated(levels, applicable)
    expected = estimate_unknowns(levels, applicable, model)
    if fill == "all known" and na_mask is None:
        assert short is not None  # the shortcut is taken
    unknown = np.isnan(levels) if applicable is None else np.isnan(levels) & applicable
    if fill == "a row all not-applicable" or unknown.any():
        assert short is None  # a row with nothing that applies, or something to estimate
    if short is not None:
        for name in ("levels", "estimated", "sd"):
            assert _bits(getattr(short, name)) == _bits(getattr(expected, name)), name
    low_f = None if low_mask is None else low_mask.astype(np.float64)
    outputs = ALL_OUTPUTS | ON_REQUEST
    got = _Kernel(model, policy, model.min_coverage).run(levels, na_mask, low_f, outputs)
    with mock.patch.object(scoring, "_nothing_estimated", return_value=None):
        sums = _Kernel(model, policy, model.min_coverage).run(levels, na_mask, low_f, outputs)
    assert set(got) == set(sums)
    for name in got:
        assert _bits(np.asarray(got[name])) == _bits(np.asarray(sums[name])), name


@SETTINGS
@given(cases(rows=3))
def test_with_nothing_unknown_estimate_scores_as_exclude(case):
    rubric, levels, na, low = case
    known = np.where(np.isnan(levels), 2.0, levels)
    estimate = run(_estimating(rubric), known, na, low)
    exclude = run(rubric.model_copy(update={"unknown_policy": "exclude"}), known, na, low)
    for a, b in zip(all_scores(estimate), all_scores(exclude), strict=True):
        np.testing.assert_allclose(a, b, equal_nan=True)
    scored = ~np.isnan(estimate.overall)
    np.testing.assert_allclose(estimate.likely_lower[scored], estimate.overall[scored])
    np.testing.assert_allclose(estimate.likely_upper[scored], estimate.overall[scored])


@SETTINGS
@given(cases(rows=3))
def test_estimate_map_is_estimate_unknowns_as_an_affine_map(case):
    from readiness.scoring import estimate_map, estimate_unknowns

    rubric, levels, na, _ = case
    model = ScoringModel.from_rubric(_estimating(rubric))
    applicable = ~na
    e = estimate_unknowns(np.where(na, np.nan, levels), applicable, model)
    for i in range(levels.shape[0]):
        rated = ~np.isnan(levels[i]) & applicable[i]
        const, coef = estimate_map(rated, model)
        guess = np.clip(const + coef @ np.where(rated, levels[i], 0.0), 0, 4)
        np.testing.assert_allclose(e.levels[i, e.estimated[i]], guess[e.estimated[i]], atol=1e-9)


@SETTINGS
@given(cases(rows=2), st.floats(0.01, 100), st.integers(0, 3))
def test_estimates_do_not_depend_on_the_weights(case, factor, which):
    from readiness.scoring import estimate_unknowns

    rubric, levels, na, _ = case
    doc = rubric.model_dump(mode="json")
    pillars = doc["pillars"]
    pillars[which % len(pillars)]["weight"] *= factor
    pillars[0]["criteria"][0]["weight"] = (pillars[0]["criteria"][0].get("weight") or 1) * factor
    heavier = make_rubric(doc | {"unknown_policy": "estimate"})
    a = estimate_unknowns(levels, ~na, ScoringModel.from_rubric(_estimating(rubric)))
    b = estimate_unknowns(levels, ~na, ScoringModel.from_rubric(heavier))
    np.testing.assert_allclose(a.levels, b.levels, equal_nan=True)

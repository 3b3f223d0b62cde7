"""Hand-computed scores for small rubrics: every method, gate and policy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from readiness import Partnership, assess, load_rubric
from readiness.errors import InputError
from readiness.scoring import ScoringModel, aggregate, effective_weights, score_matrix
from tests.factories import SMALL, make_rubric, rubric_dict


def small_partnership(**levels: object) -> Partnership:
    ratings = {cid.replace("_", "."): {"level": lv} for cid, lv in levels.items()}
    return Partnership(id="t", name="T", kind="bilateral-alliance", members=("A",), ratings=ratings)


@pytest.fixture(scope="module")
def small():
    return load_rubric(SMALL)


def test_hand_computed_arithmetic(small):
    # A (weight 2) = (1*100 + 3*50) / 4 = 62.5; B (weight 1) = (25 + 75) / 2 = 50
    a = assess(small_partnership(a_one=4, a_two=2, b_one=1, b_two=3), small)
    assert a.pillar("a").score == pytest.approx(62.5)
    assert a.pillar("b").score == pytest.approx(50.0)
    assert a.overall == pytest.approx((2 * 62.5 + 50) / 3)
    assert a.band is not None and a.band.id == "mid"
    assert a.coverage == pytest.approx(1.0)
    assert (a.lower, a.upper) == pytest.approx((a.overall, a.overall))


def test_effective_weights_are_shares_of_the_whole(small):
    w = effective_weights(ScoringModel.from_rubric(small))
    # a.one: 1/4 of pillar A, which is 2/3 of the whole
    assert w == pytest.approx([2 / 3 * 1 / 4, 2 / 3 * 3 / 4, 1 / 6, 1 / 6])


def test_not_applicable_leaves_the_denominator(small):
    a = assess(small_partnership(a_one=4, a_two="not-applicable", b_one=1, b_two=3), small)
    assert a.pillar("a").score == pytest.approx(100.0)
    assert a.overall == pytest.approx((2 * 100 + 50) / 3)
    assert a.criterion("a.two").effective_weight == 0
    assert a.criterion("a.one").effective_weight == pytest.approx(2 / 3)


def test_unknown_below_minimum_coverage_gives_no_score_but_bounds(small):
    a = assess(small_partnership(a_one=4), small)
    assert a.coverage == pytest.approx(2 / 3 * 1 / 4)
    assert a.overall is None and a.band is None
    assert "below the minimum of 50%" in (a.reason or "")
    # lower: unknowns at 0 -> A = 100/4 = 25, B = 0 -> 50/3; the unknown gate fails but
    # 16.7 is already under its cap. upper: unknowns at 4 -> 100.
    assert a.lower == pytest.approx(50 / 3)
    assert a.upper == pytest.approx(100.0)
    assert a.unknown == ("a.two", "b.one", "b.two")


def test_worst_policy_counts_unknown_as_zero(small):
    a = assess(small_partnership(a_one=4), small, unknown_policy="worst")
    assert a.overall == pytest.approx(50 / 3)
    assert a.coverage == pytest.approx(1 / 6)  # coverage still reports what is rated
    assert a.options.unknown_policy == "worst"


def test_min_coverage_override(small):
    a = assess(small_partnership(a_one=4), small, min_coverage=0.1)
    assert a.raw == pytest.approx(100.0)  # only a.one answered; pillar B has no score
    assert a.overall == pytest.approx(100.0)  # the unknown critical b.two is unrated: no cap
    assert a.lower == pytest.approx(50 / 3)  # ... it caps the lower bound (under 40 anyway)
    assert [g.criterion for g in a.unrated_gates] == ["b.two"]


def test_gate_caps_score_and_band(small):
    # raw: A = 100, B = (100 + 25) / 2 = 62.5 -> (200 + 62.5) / 3 = 87.5, band high;
    # b.two = 1 < 2 fails its gate: capped at the top of band "low" (40), band low
    a = assess(small_partnership(a_one=4, a_two=4, b_one=4, b_two=1), small)
    assert a.raw == pytest.approx(87.5)
    assert a.overall == pytest.approx(40.0)
    assert a.band is not None and a.band.id == "low"
    (gate,) = a.failed_gates
    assert gate.criterion == "b.two" and gate.cost == pytest.approx(47.5)
    assert a.gate_loss == pytest.approx(47.5)


def test_unknown_critical_criterion_is_unrated_not_failed(small):
    # raw: A = 100, B = b.one only = 100 -> 100. b.two unknown: unrated, not failed
    a = assess(small_partnership(a_one=4, a_two=4, b_one=4), small)
    assert a.failed_gates == ()
    (gate,) = a.unrated_gates
    assert (gate.criterion, gate.status, gate.state, gate.min_level) == (
        "b.two", "unrated", "unknown", 2,
    )  # fmt: skip
    assert gate.cap == pytest.approx(40.0) and gate.cost == 0.0
    assert gate.at_risk == pytest.approx(60.0)  # rated below 2, the score would drop to 40
    assert a.overall == pytest.approx(100.0) and a.gate_loss == 0.0
    assert a.band is not None and a.band.id == "high"  # no band cap either
    # lower: b.two at 0 -> B = 50 -> (200 + 50) / 3 = 83.3, capped at 40 by the gate
    assert a.lower == pytest.approx(40.0)
    assert a.upper == pytest.approx(100.0)  # known at 4, the gate would pass
    assert "rate b.two (at least 2)" in a.summary()


def test_rating_an_unrated_gate_at_its_minimum_does_not_cap(small):
    before = assess(small_partnership(a_one=4, a_two=4, b_one=4), small)
    after = assess(small_partnership(a_one=4, a_two=4, b_one=4, b_two=2), small)
    # only the raw average moves: B = (100 + 50) / 2 = 75 -> (200 + 75) / 3
    assert after.overall == pytest.approx(after.raw) == pytest.approx(275 / 3)
    assert after.gate_loss == before.gate_loss == 0.0
    assert [g.status for g in after.gates] == ["passed"]
    # rated below the minimum, it fails on evidence and caps the score
    failed = assess(small_partnership(a_one=4, a_two=4, b_one=4, b_two=1), small)
    assert [g.status for g in failed.gates] == ["failed"]
    assert failed.overall == pytest.approx(40.0)


def test_worst_policy_caps_the_point_score_at_an_unrated_gate(small):
    # under ``worst`` an unknown counts as level 0, so the unrated gate caps the score too
    a = assess(small_partnership(a_one=4, a_two=4, b_one=4), small, unknown_policy="worst")
    assert a.raw == pytest.approx(250 / 3)
    assert a.overall == pytest.approx(40.0) and a.gate_loss == pytest.approx(250 / 3 - 40)
    (gate,) = a.gates
    assert gate.status == "unrated" and not gate.failed
    assert gate.cost == gate.at_risk == pytest.approx(250 / 3 - 40)


def test_gate_counts_in_the_frame(small):
    import pandas as pd

    from readiness import assess_frame

    frame = pd.DataFrame(
        {"a.one": [4.0, 4.0, 4.0], "a.two": [4.0] * 3, "b.one": [4.0] * 3, "b.two": [np.nan, 1, 3]}
    )
    out = assess_frame(frame, small)
    assert out["gates_failed"].tolist() == [0, 1, 0]
    assert out["gates_unrated"].tolist() == [1, 0, 0]
    assert out["overall"].tolist() == pytest.approx([100.0, 40.0, 275 / 3 + 25 / 6])
    assert out["lower"].tolist() == pytest.approx([40.0, 40.0, 275 / 3 + 25 / 6])


def test_not_applicable_gate_does_not_apply(small):
    a = assess(small_partnership(a_one=4, a_two=4, b_one=4, b_two="not-applicable"), small)
    assert a.failed_gates == ()
    assert a.overall == pytest.approx(100.0)


def test_low_confidence_widens_bounds_by_one_level(small):
    p = Partnership(
        id="t",
        name="T",
        kind="bilateral-alliance",
        members=("A",),
        ratings={
            "a.one": {"level": 2, "confidence": "low"},
            "a.two": {"level": 2},
            "b.one": {"level": 2},
            "b.two": {"level": 2},
        },
    )
    a = assess(p, small)
    assert a.overall == pytest.approx(50.0)
    # a.one has effective weight 1/6: one level (25 points) moves the overall 25/6
    assert a.lower == pytest.approx(50 - 25 / 6)
    assert a.upper == pytest.approx(50 + 25 / 6)


def _rescaled_geometric(scores: list[float], weights: list[float]) -> float:
    """The weighted geometric mean of scores moved to [1, 100] (1 + 0.99 x), moved back:
    computed independently of numpy, as the JRC/OECD Handbook's positive-values rule asks."""
    total = sum(weights)
    mean = math.prod((1 + 0.99 * x) ** (w / total) for x, w in zip(scores, weights, strict=True))
    return (mean - 1) / 0.99


def test_geometric_mean_matches_a_hand_computed_figure():
    # scores 25, 50, 100 with weights 1, 1, 2: (25.75 * 50.5 * 100**2) ** (1/4) = 60.05,
    # moved back: (60.06... - 1) / 0.99
    expected = _rescaled_geometric([25, 50, 100], [1, 1, 2])
    assert expected == pytest.approx((25.75 * 50.5 * 100**2) ** 0.25 / 0.99 - 1 / 0.99)
    assert expected == pytest.approx(59.6470, abs=1e-4)
    doc = rubric_dict(
        [("p", 1, "geometric", [("p.a", 1), ("p.b", 1), ("p.c", 2)])],
        aggregation="arithmetic",
    )
    rubric = make_rubric(doc)
    s = score_matrix(np.array([[1.0, 2.0, 4.0]]), ScoringModel.from_rubric(rubric))
    assert s.pillar[0, 0] == pytest.approx(expected)
    assert s.overall[0] == pytest.approx(expected)


def test_a_zero_lowers_a_geometric_mean_without_zeroing_it():
    # the geometric mean needs positive values: a zero does not make the others irrelevant
    doc = rubric_dict([("p", 1, "geometric", [("p.a", 1), ("p.b", 1)])])
    model = ScoringModel.from_rubric(make_rubric(doc))
    s = score_matrix(np.array([[0.0, 4.0], [0.0, 0.0], [4.0, 4.0], [0.0, 1.0]]), model)
    assert s.pillar[0, 0] == pytest.approx(_rescaled_geometric([0, 100], [1, 1]))  # 9.09
    assert s.pillar[1:3, 0].tolist() == pytest.approx([0.0, 100.0])
    assert 0 < s.pillar[3, 0] < s.pillar[0, 0] < 50  # below the arithmetic mean


def test_geometric_overall_drags_on_the_weak_pillar():
    doc = rubric_dict(
        [("p", 1, "arithmetic", [("p.a", 1)]), ("q", 1, "arithmetic", [("q.a", 1)])],
        aggregation="geometric",
    )
    s = score_matrix(np.array([[1.0, 4.0]]), ScoringModel.from_rubric(make_rubric(doc)))
    assert s.overall[0] == pytest.approx(_rescaled_geometric([25, 100], [1, 1]))
    assert s.overall[0] < 62.5  # 50.1, against 62.5 arithmetic


def test_minimum_is_the_weakest_link():
    doc = rubric_dict(
        [("p", 1, "minimum", [("p.a", 5), ("p.b", 1)]), ("q", 3, "arithmetic", [("q.a", 1)])],
        aggregation="minimum",
    )
    model = ScoringModel.from_rubric(make_rubric(doc))
    s = score_matrix(np.array([[4.0, 1.0, 3.0], [np.nan, 2.0, 4.0]]), model)
    assert s.pillar[:, 0] == pytest.approx([25.0, 50.0])
    assert s.overall == pytest.approx([25.0, 50.0])


def test_aggregate_doc_example():
    out = aggregate(np.array([[50.0, 100.0]]), None, np.array([[1.0], [3.0]]), "arithmetic")
    assert out[0, 0] == pytest.approx(87.5)


def test_bad_levels_are_reported_with_row_and_column(small):
    model = ScoringModel.from_rubric(small)
    from readiness import InputError

    with pytest.raises(InputError) as err:
        score_matrix(np.array([[4.0, 7.0, 1.5, np.nan]]), model)
    paths = [p.path for p in err.value.problems]
    assert paths == ["row 0, criterion column 1", "row 0, criterion column 2"]
    assert "level 7 is not an integer from 0 to 4" in str(err.value)


def test_chunking_gives_the_same_result(small):
    rng = np.random.default_rng(3)
    levels = rng.integers(0, 5, size=(1000, 4)).astype(float)
    levels[rng.random(levels.shape) < 0.2] = np.nan
    model = ScoringModel.from_rubric(small)
    whole = score_matrix(levels, model)
    chunked = score_matrix(levels, model, chunk_rows=7)
    # equal up to the last bits BLAS may round differently for other block shapes
    np.testing.assert_allclose(whole.overall, chunked.overall, rtol=1e-12)
    np.testing.assert_allclose(whole.lower, chunked.lower, rtol=1e-12)
    np.testing.assert_array_equal(whole.band, chunked.band)


def test_empty_matrix(small):
    s = score_matrix(np.empty((0, 4)), ScoringModel.from_rubric(small))
    assert s.overall.shape == (0,)


def test_coverage_exactly_at_the_minimum_gives_a_score():
    # pillar weights 0.7, 1.1, 1.1, 0.1: rating the first and third covers 1.8 / 3.0 = 0.6
    pillars = [
        (f"p{i}", w, "arithmetic", [(f"p{i}.c", 1.0)]) for i, w in enumerate((0.7, 1.1, 1.1, 0.1))
    ]
    model = ScoringModel.from_rubric(make_rubric(rubric_dict(pillars, min_coverage=0.6)))
    s = score_matrix(np.array([[2, np.nan, 2, np.nan]], dtype=float), model)
    assert s.coverage[0] == pytest.approx(0.6)
    assert s.overall[0] == pytest.approx(50.0)


def test_mask_shapes_must_match(small):
    from readiness import InputError

    model = ScoringModel.from_rubric(small)
    with pytest.raises(InputError, match="not_applicable has shape"):
        score_matrix(np.zeros((2, 4)), model, not_applicable=np.zeros((3, 4), dtype=bool))
    with pytest.raises(InputError, match="one column per criterion"):
        score_matrix(np.zeros((2, 5)), model)


def test_the_fused_kernel_is_taken_and_reads_f_ordered_levels_in_place(monkeypatch) -> None:
    """The default rubric is arithmetic throughout: under ``exclude`` its unmasked blocks
    take the fused kernel, and an F-ordered float matrix (what pandas hands over) is not
    copied."""
    import readiness.scoring as scoring

    model = ScoringModel.from_rubric(load_rubric())
    rng = np.random.default_rng(3)
    levels = rng.integers(0, 5, size=(50, model.n_criteria)).astype(float)
    levels[rng.random(levels.shape) < 0.2] = np.nan
    levels = np.asfortranarray(levels)
    seen: list[bool] = []
    fused = scoring._Kernel._fused

    def spy(self, block, outputs, offset):  # type: ignore[no-untyped-def]
        seen.append(np.shares_memory(block, levels))
        return fused(self, block, outputs, offset)

    monkeypatch.setattr(scoring._Kernel, "_fused", spy)
    s = score_matrix(levels, model, chunk_rows=16, unknown_policy="exclude")
    assert seen == [True] * 4
    reference = score_matrix(np.ascontiguousarray(levels), model, low_confidence=np.zeros(
        levels.shape, dtype=bool), unknown_policy="exclude")  # fmt: skip
    np.testing.assert_allclose(s.overall, reference.overall, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(s.band, reference.band)


def test_score_outputs_computes_only_what_is_asked_and_rejects_unknown_names() -> None:
    from readiness.scoring import score_outputs

    model = ScoringModel.from_rubric(load_rubric())
    levels = np.full((3, model.n_criteria), 2.0)
    levels[0, model.gate_criterion] = [np.nan, 0.0, 4.0]
    out = score_outputs(
        levels, model, outputs=frozenset({"overall", "gates_failed", "gates_unrated"})
    )
    assert set(out) == {"overall", "gates_failed", "gates_unrated"}
    full = score_matrix(levels, model)
    np.testing.assert_array_equal(out["overall"], full.overall)
    np.testing.assert_array_equal(out["gates_failed"], full.gate_failed.sum(axis=1))
    np.testing.assert_array_equal(out["gates_unrated"], full.gate_unrated.sum(axis=1))
    with pytest.raises(InputError, match="unknown outputs"):
        score_outputs(levels, model, outputs=frozenset({"nonsense"}))


@pytest.mark.parametrize("policy", ["estimate", "exclude", "worst"])
@pytest.mark.parametrize("masks", ["none", "not_applicable", "low_confidence"])
def test_the_estimate_output_is_estimate_unknowns_on_every_path(policy, masks) -> None:
    # asked for, ``estimate`` comes from the scoring call itself (fused or reference
    # path), equal to estimate_unknowns of the same levels, beside unchanged scores
    from readiness.scoring import ON_REQUEST, estimate_unknowns, score_outputs

    model = ScoringModel.from_rubric(load_rubric())
    rng = np.random.default_rng(7)
    levels = rng.integers(0, 5, (6, model.n_criteria)).astype(float)
    levels[rng.random(levels.shape) < 0.3] = np.nan
    levels[0] = np.nan  # nothing known
    na = rng.random(levels.shape) < 0.1 if masks == "not_applicable" else None
    if na is not None:
        levels[na] = np.nan
    low = rng.random(levels.shape) < 0.2 if masks == "low_confidence" else None
    out = score_outputs(
        levels,
        model,
        not_applicable=na,
        low_confidence=low,
        unknown_policy=policy,
        outputs=frozenset({"overall", "likely_lower"}) | ON_REQUEST,
    )
    assert set(out) == {"overall", "likely_lower", "estimate"}
    expected = estimate_unknowns(levels, None if na is None else ~na, model).levels
    np.testing.assert_array_equal(out["estimate"], expected)
    alone = score_outputs(
        levels, model, not_applicable=na, low_confidence=low, unknown_policy=policy
    )
    np.testing.assert_array_equal(out["overall"], alone["overall"])
    np.testing.assert_array_equal(out["likely_lower"], alone["likely_lower"])
    assert "estimate" not in alone  # on request only


def test_a_bad_level_is_named_on_the_fused_path() -> None:
    model = ScoringModel.from_rubric(load_rubric())
    for bad in (2.5, -1.0, 5.0):
        levels = np.asfortranarray(np.full((4, model.n_criteria), 2.0))
        levels[2, 7] = bad
        with pytest.raises(InputError, match="row 2, criterion column 7"):
            score_matrix(levels, model)


def test_compiled_models_do_not_keep_rubrics_alive():
    import gc
    import weakref

    from readiness import load_rubric
    from readiness.scoring import _MODELS, ScoringModel

    base = load_rubric()
    before = len(_MODELS)
    refs = []
    for k in range(200):
        variant = base.with_weights({base.pillars[0].id: 2.0 + k / 100})
        assert variant is not base
        ScoringModel.from_rubric(variant)
        refs.append(weakref.ref(variant))
    del variant
    gc.collect()
    assert all(r() is None for r in refs)  # 200 variants, none kept by the cache
    assert len(_MODELS) <= before + 1


def test_hand_computed_estimate(small):
    # defaults of readiness.rubric.Estimate: prior 2, spreads 0.65 / 0.55 / 0.7, no offsets
    rubric = small.model_copy(update={"unknown_policy": "estimate"})
    a = assess(small_partnership(a_one=4, a_two=2, b_one=1), rubric)
    tau2, p2, s2 = 0.65**2, 0.55**2, 0.7**2
    prec_a, prec_b = 1 / (p2 + s2 / 2), 1 / (p2 + s2 / 1)  # pillar means 3 and 1
    mu = (2 / tau2 + 3 * prec_a + 1 * prec_b) / (1 / tau2 + prec_a + prec_b)
    b_two = mu + p2 / (p2 + s2) * (1 - mu)  # pillar B's departure, shrunk
    assert a.criterion("b.two").estimate == pytest.approx(b_two)
    b = (25 + 25 * b_two) / 2
    assert a.overall == pytest.approx((2 * 62.5 + b) / 3)
    # the gate is unrated, not failed, though the estimate (1.68) is below its minimum 2
    assert [g.status for g in a.gates] == ["unrated"]
    assert a.lower is not None and a.likely_lower is not None and a.likely_upper is not None
    assert a.lower < a.likely_lower < a.overall < a.likely_upper < a.upper


def test_estimate_gives_no_score_when_nothing_is_known(small):
    rubric = small.model_copy(update={"unknown_policy": "estimate", "min_coverage": 0.0})
    a = assess(small_partnership(), rubric)
    assert a.overall is None and a.band is None
    assert (a.lower, a.upper) == pytest.approx((0.0, 100.0))


def test_estimate_reads_the_rubric_settings(small):
    # a larger pillar spread lets a pillar's own known criteria weigh more
    loose = small.model_copy(update={"unknown_policy": "estimate"})
    tight = loose.model_copy(
        update={"estimate": loose.estimate.model_copy(update={"pillar_spread": 0.0})}
    )
    p = small_partnership(a_one=4, a_two=4, b_one=0)
    assert (
        assess(p, loose).criterion("b.two").estimate < assess(p, tight).criterion("b.two").estimate
    )


def test_a_kept_kernel_gives_what_a_fresh_one_gives(small, monkeypatch):
    """Each thread keeps its kernels per model and options (one ``assess`` does not
    rebuild one): calls under other policies and minimum coverages in between, with
    other row counts (the kernel's scratch buffers resized), change no figure."""
    from readiness import scoring

    monkeypatch.setattr(scoring, "_KERNELS_KEPT", 4)  # fewer than the nine option sets
    rng = np.random.default_rng(5)
    levels = rng.integers(0, 5, size=(50, 4)).astype(float)
    levels[rng.random(levels.shape) < 0.3] = np.nan
    model = ScoringModel.from_rubric(small)
    model.kernels.clear()  # the module's other tests kept some
    options = [(p, c) for p in ("exclude", "worst", "estimate") for c in (0.0, 0.5, 0.9)]
    first = {
        o: score_matrix(levels, model, unknown_policy=o[0], min_coverage=o[1]) for o in options
    }
    for o in reversed(options):
        score_matrix(levels[:3], model, unknown_policy=o[0], min_coverage=o[1])
        again = score_matrix(levels, model, unknown_policy=o[0], min_coverage=o[1])
        for field in ("overall", "lower", "upper", "coverage", "pillar", "band", "gate_failed"):
            np.testing.assert_array_equal(getattr(again, field), getattr(first[o], field))
    assert len(model.kernels) == 4  # nine option sets: the oldest dropped


def test_kept_kernels_do_not_keep_models_alive(small):
    """A kernel refers to its model; kept on the model, both go when the rubric goes
    (kept in a cache keyed weakly by the model, they never did)."""
    import gc
    import weakref

    refs = []
    for k in range(5):
        variant = small.model_copy(update={"version": f"9.9.{k}"})
        model = ScoringModel.from_rubric(variant)
        score_matrix(np.full((2, model.n_criteria), 2.0), model)
        assert model.kernels  # a kernel was kept
        refs.append(weakref.ref(model))
    del variant, model
    gc.collect()
    assert all(r() is None for r in refs)


@pytest.mark.parametrize("rows", [0, 1, 5])
@pytest.mark.parametrize("policy", ["exclude", "worst", "estimate"])
def test_frame_from_blocks_is_the_frame_built_column_by_column(small, rows, policy, monkeypatch):
    """The result table handed to pandas as blocks (recent pandas) is the table an older pandas
    gets by inserting columns: the same values, dtypes, labels and index."""
    import pandas as pd

    from readiness import assess_frame, assessment

    if assessment._blocks_builder() is None:
        pytest.skip("pandas without create_dataframe_from_blocks: one way only")
    rng = np.random.default_rng(rows)
    levels = rng.integers(0, 5, size=(rows, 4)).astype(float)
    levels[rng.random(levels.shape) < 0.3] = np.nan
    index = pd.Index([f"p{i}" for i in range(rows)], name="id")
    frame = pd.DataFrame(levels, columns=["a.one", "a.two", "b.one", "b.two"], index=index)
    blocks = assess_frame(frame, small, unknown_policy=policy)
    monkeypatch.setattr(assessment, "_blocks_builder", lambda: None)
    inserted = assess_frame(frame, small, unknown_policy=policy)
    pd.testing.assert_frame_equal(blocks, inserted, check_exact=True)
    assert [type(c) for c in blocks.columns] == [type(c) for c in inserted.columns]
    assert blocks.columns.dtype == inserted.columns.dtype
    assert blocks["band"].dtype == inserted["band"].dtype
    assert blocks.columns.tolist()[3:] == [
        "band", "coverage", "lower", "upper", "likely_lower", "likely_upper", "gates_failed",
        "gate_loss", "gates_unrated",
    ]  # fmt: skip


def test_frame_columns_in_any_order_and_label_type_score_alike(small):
    """The column mapping's shortcut (labels already in rubric order) and its general
    path (any order, labels held as Python objects) give the same table."""
    import pandas as pd

    from readiness import assess_frame

    ids = ["a.one", "a.two", "b.one", "b.two"]
    levels = np.array([[4.0, np.nan, 2.0, 1.0], [0.0, 3.0, np.nan, 4.0]])
    ordered = assess_frame(pd.DataFrame(levels, columns=ids), small)
    shuffled = pd.DataFrame(levels[:, ::-1], columns=pd.Index(ids[::-1], dtype=object))
    pd.testing.assert_frame_equal(assess_frame(shuffled, small), ordered, check_exact=True)
    as_objects = pd.DataFrame(levels, columns=pd.Index(ids, dtype=object))
    pd.testing.assert_frame_equal(assess_frame(as_objects, small), ordered, check_exact=True)
    with pytest.raises(InputError, match="appears more than once"):
        assess_frame(pd.DataFrame(levels, columns=["a.one", "a.one", "b.one", "b.two"]), small)


def _plain_estimate_parts(r_sums, k_sums, sq_sums, app_sums, model):
    """``_EstimateParts.from_sums``'s centre and sd, and ``pillar_sums``, as the formulas
    read, one expression each (the kernel computes them in place)."""
    from readiness.scoring import POINTS_PER_LEVEL, PRIOR_DF

    est, k = model.estimate, model.n_pillars
    n = r_sums[:, :k]
    total_adj = k_sums[:, :k] - r_sums[:, k : 2 * k]
    total_sq = sq_sums + (r_sums[:, 2 * k : 3 * k] - 2.0 * k_sums[:, k : 2 * k])
    count = n.astype(np.intp)
    precision, gamma, keep = (table[count] for table in model.estimate_by_count)
    mean = total_adj / np.maximum(n, 1.0)
    v_mu = 1.0 / (1.0 / est.tau2 + precision.sum(axis=1))
    mu = v_mu * (est.prior / est.tau2 + (mean * precision).sum(axis=1))
    centre = gamma * (mean - mu[:, None]) + mu[:, None]
    app_w = app_sums[..., :k]
    share = np.where(app_w > 0, model.pillar_weight, 0.0)
    share = share / share.sum(axis=-1, keepdims=True)
    scale = np.where(app_w > 0, share / app_w, 0.0) * POINTS_PER_LEVEL
    est_w = app_sums[..., :k] - r_sums[:, 3 * k : 4 * k]
    nothing = est_w <= 1e-9 * app_w
    est_w = np.where(nothing, 0.0, est_w)
    est_w2 = np.where(nothing, 0.0, app_sums[..., k : 2 * k] - r_sums[:, 4 * k : 5 * k])
    a_p = scale * est_w
    a_sq = (scale * scale * est_w2).sum(axis=1)
    a_mu = (a_p * keep).sum(axis=1)
    var = v_mu * a_mu**2 + (a_p**2 * est.pillar2 * keep).sum(axis=1)
    var += est.noise2 * a_sq
    scatter = np.maximum(total_sq - n * mean * mean, 0.0).sum(axis=1)
    df = n.sum(axis=1) - np.count_nonzero(count, axis=1)
    own = (PRIOR_DF * est.noise2 + scatter) / (PRIOR_DF + df)
    var *= own / est.noise2
    sd = np.sqrt(np.maximum(var, 0.0))
    raw_w = app_sums[..., :k] - r_sums[:, 3 * k : 4 * k]
    est_w_off = app_sums[..., 2 * k : 3 * k] - r_sums[:, 5 * k : 6 * k]
    sums = k_sums[:, 2 * k :] + centre * raw_w + est_w_off
    low, high = model.estimate_offset_range
    clipped = (raw_w > 0) & ((centre + low < 0) | (centre + high > 4))
    return centre, sd, sums, clipped


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("rows", [1, 9, 500, 1500])
def test_estimate_parts_in_place_are_the_formulas_to_the_last_bit(order, rows):
    """The estimate's posterior and pillar sums, computed in place (in the kernel's
    buffers from _SCRATCH_ROWS rows), are the formulas written plainly, bit for bit:
    nothing known, nothing estimated, estimates clipped at 0 and at 4 among the rows."""
    from readiness.scoring import _SCRATCH_ROWS, _EstimateParts, _Kernel

    model = ScoringModel.from_rubric(load_rubric())
    rng = np.random.default_rng(rows)
    levels = rng.integers(0, 5, size=(rows, model.n_criteria)).astype(float)
    levels[rng.random(levels.shape) < rng.uniform(0.05, 0.6, size=(rows, 1))] = np.nan
    levels[0, ::2] = np.nan
    if rows > 4:
        levels[1] = np.nan  # nothing known
        levels[2], levels[3] = 4.0, 0.0
        levels[2:4, ::5] = np.nan  # estimates pushed over 4, and under 0
        levels[4] = 3.0  # nothing estimated
    levels = np.asarray(levels, order=order)
    kernel = _Kernel(model, "estimate", model.min_coverage)
    scratch = kernel._scratch(levels) if rows >= _SCRATCH_ROWS else None
    parts = kernel._estimate_sums(levels, 0, scratch)
    k = model.n_pillars
    r_sums = np.array(parts.rated_sums)
    k_sums = kernel._buffer("k_sums", (rows, 3 * k), levels).copy(order="K")
    sq_sums = kernel._buffer("sq_sums", (rows, k), levels).copy(order="K")
    centre, sd, sums, clipped = _plain_estimate_parts(
        r_sums, k_sums, sq_sums, model.estimate_app_sums, model
    )
    again = _EstimateParts.from_sums(
        r_sums, k_sums, sq_sums, model.estimate_app_sums, model, scratch=scratch
    )
    assert again.centre.tobytes() == centre.tobytes()
    assert again.sd.tobytes() == sd.tobytes()
    rows_clipped = np.flatnonzero(clipped.any(axis=1))  # summed criterion by criterion
    guess = np.clip(centre[rows_clipped][:, model.criterion_pillar] + model.estimate.offsets, 0, 4)
    some = levels[rows_clipped]
    sums[rows_clipped] = (
        np.where(some == some, some, guess) @ model.estimate_matrices[1][:, 2 * k : 3 * k]
    )
    assert again.pillar_sums(model, levels, scratch).tobytes() == sums.tobytes()
    if rows > 4:
        assert clipped.any(axis=1)[2:4].all()  # the clipped rows were there


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("extra", [0, 2])
def test_settle_is_numpys_round_bit_for_bit(seed, order, extra):
    """settle calls the array's own round (np.round's dispatch left out): the same bits,
    on views, either memory order, NaN, infinities and signed zeros."""
    from readiness.scoring import SETTLE_DECIMALS, settle

    rng = np.random.default_rng(seed)
    values = np.asarray(rng.normal(size=(5, 4)) * 10.0 ** rng.integers(-3, 6), order=order)
    values.flat[rng.integers(0, 20, size=4)] = [np.nan, -0.0, np.inf, -np.inf]
    for given_ in (values, values[1:3], values[:, 1], values.T):
        got = settle(given_, extra)
        expected = np.round(given_, SETTLE_DECIMALS + extra)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes() == expected.tobytes()
    assert settle(0.1234567891234, extra) == np.round(0.1234567891234, SETTLE_DECIMALS + extra)


@pytest.mark.parametrize("order", ["C", "F"])
def test_estimate_parts_in_reused_buffers_score_as_fresh_arrays(order):
    # a block of at least _SCRATCH_ROWS rows keeps its estimate parts in the kernel's
    # buffers, reused by the next block and the next call; smaller blocks make fresh
    # arrays. Every settled figure is the same either way, and a call after another
    # with other levels reads nothing the earlier one left
    from readiness.scoring import _SCRATCH_ROWS

    model = ScoringModel.from_rubric(load_rubric())
    rng = np.random.default_rng(11)

    def matrix(rows: int, unknown: float) -> np.ndarray:
        levels = rng.integers(0, 5, size=(rows, model.n_criteria)).astype(float)
        levels[rng.random(levels.shape) < unknown] = np.nan
        return np.asarray(levels, order=order)

    rows = 2 * _SCRATCH_ROWS + 37
    levels = matrix(rows, 0.3)
    small_blocks = score_matrix(levels, model, chunk_rows=_SCRATCH_ROWS // 2)
    first = score_matrix(levels, model, chunk_rows=_SCRATCH_ROWS + 5)  # a big, then a small
    score_matrix(matrix(rows, 0.7), model)  # other levels through the same buffers
    again = score_matrix(levels, model)  # one block of buffers
    for result in (first, again):
        for name in ("overall", "lower", "upper", "likely_lower", "likely_upper", "pillar"):
            np.testing.assert_array_equal(getattr(result, name), getattr(small_blocks, name))
        np.testing.assert_array_equal(result.band, small_blocks.band)


def test_blas_runs_on_one_thread_while_scoring_and_as_before_after():
    from threadpoolctl import threadpool_info, threadpool_limits

    from readiness.scoring import _blas_pinned

    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        with _blas_pinned():
            assert set(blas_threads()) <= {1}
        assert blas_threads() == before
        # on a library already on one thread, nothing is set or restored
        with threadpool_limits(limits=1, user_api="blas"), _blas_pinned():
            assert set(blas_threads()) <= {1}
        assert blas_threads() == before


def test_a_blas_loaded_after_the_first_score_is_pinned_too():
    # scipy brings an OpenBLAS of its own: imported after a first score (a fresh
    # process, so that nothing has loaded it yet), it is found and pinned as well
    import subprocess
    import sys

    script = """
from threadpoolctl import threadpool_info, threadpool_limits
import numpy as np
from readiness import load_rubric
from readiness.scoring import ScoringModel, _blas_pinned, score_matrix

def blas():
    return {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

model = ScoringModel.from_rubric(load_rubric())
score_matrix(np.full((1, model.n_criteria), 2.0), model)
import scipy.linalg
with threadpool_limits(limits=2, user_api="blas"):
    assert len(blas()) == 2, blas()  # numpy's and scipy's
    with _blas_pinned():
        assert set(blas().values()) == {1}, blas()
    assert set(blas().values()) == {2}, blas()
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


@pytest.mark.parametrize("rows", [1, 5000])
@pytest.mark.parametrize("policy", ["estimate", "exclude"])
def test_a_fraction_within_0_to_4_is_refused_after_good_blocks(rows, policy):
    # the integer check compares into a mask the kernel keeps: a good matrix first fills
    # it, and a fraction within the range (which the range reductions let through) is
    # still found, by row and column
    model = ScoringModel.from_rubric(load_rubric())
    good = np.full((rows, model.n_criteria), 2.0)
    score_matrix(good, model, unknown_policy=policy)
    bad = good.copy()
    bad[-1, 3] = 2.5
    with pytest.raises(InputError, match=rf"row {rows - 1}, criterion column 3: level 2.5"):
        score_matrix(bad, model, unknown_policy=policy)


@pytest.mark.parametrize("policy", ["estimate", "exclude", "worst"])
def test_a_partnership_scores_to_the_bit_alone_in_a_batch_and_with_any_mask(policy):
    # one answer: a row's scores are the same floats, bit for bit, whether it is scored
    # alone or among 20,000 rows (other BLAS shapes, several blocks), with no mask or an
    # all-False one (the fused kernel or the general path), beside rows with criteria
    # that do not apply
    model = ScoringModel.from_rubric(load_rubric())
    rng = np.random.default_rng(11)
    levels = rng.integers(0, 5, (20_000, model.n_criteria)).astype(float)
    levels[rng.random(levels.shape) < 0.25] = np.nan
    na = rng.random(levels.shape) < 0.05
    na[::2] = False  # half the rows: every criterion applies
    levels[::3] = rng.integers(0, 5, (len(levels[::3]), model.n_criteria))  # all known
    low = rng.random(levels.shape) < 0.1
    low[::5] = False
    big = score_matrix(levels, model, unknown_policy=policy, not_applicable=na, low_confidence=low)
    names = ["pillar", "pillar_lower", "pillar_upper", "pillar_coverage", "overall", "raw"]
    names += ["lower", "upper", "coverage", "likely_lower", "likely_upper", "gate_loss"]
    for i in [*range(0, 20_000, 499), *range(0, 300, 5)]:
        row = slice(i, i + 1)
        ways = [
            score_matrix(
                levels[row], model, unknown_policy=policy, not_applicable=na[row],
                low_confidence=low[row],
            )
        ]  # fmt: skip
        if not na[i].any():
            ways.append(
                score_matrix(levels[row], model, unknown_policy=policy, low_confidence=low[row])
            )
            if not low[i].any():  # no mask at all: the fused kernel
                ways.append(score_matrix(levels[row], model, unknown_policy=policy))
        for one in ways:
            for name in names:
                np.testing.assert_array_equal(
                    getattr(one, name)[0], getattr(big, name)[i], err_msg=f"{name}, row {i}"
                )


@pytest.mark.parametrize("masked", [False, True])
def test_with_nothing_to_estimate_the_known_sums_are_the_estimate_sums_to_the_bit(masked):
    # a block with nothing to estimate skips the estimate's posterior (_KnownOnly): its
    # pillar sums and scale are the full formula's, bit for bit, before any settling
    from readiness.scoring import _EstimateParts, _KnownOnly

    model = ScoringModel.from_rubric(load_rubric())
    rng = np.random.default_rng(5)
    levels = rng.integers(0, 5, (3000, model.n_criteria)).astype(float)
    applicable = None
    if masked:
        applicable = rng.random(levels.shape) > 0.05
        applicable[::2] = True
        levels[~applicable] = np.nan
    full = _EstimateParts.of(levels, applicable, model)
    known = _KnownOnly.of(levels, applicable, model)
    np.testing.assert_array_equal(
        known.known_weighted, full.pillar_sums(model, levels, applicable=applicable)
    )
    np.testing.assert_array_equal(known.app_sums, full.app_sums)
    assert not full.nothing_known().any()  # every row scored, as _KnownOnly takes it
    np.testing.assert_array_equal(known.sd, full.sd)

"""The compiled kernel (``readiness[fast]``, numba) against the numpy reference path.

Both engines make the pillar sums (BLAS products on one, a compiled loop on the other)
and share everything after them. On the shipped rubric they give identical results, bit
for bit; on any rubric the same scores to float rounding (the two may add a pillar's
terms in a different order, and scores are settled to 1e-9 points), the same bands,
gates and counts, and the same errors for bad levels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import readiness
from readiness.errors import InputError
from readiness.scoring import (
    ACCEL_MIN_ROWS,
    ALL_OUTPUTS,
    ScoringModel,
    _engine,
    _Kernel,
    check_engine,
    score_outputs,
)
from tests.test_properties import SETTINGS, cases

numba = pytest.importorskip("numba")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "partnerships"

INTEGERS = {"band", "gate_failed", "gate_unrated", "gates_failed", "gates_unrated"}


def assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert set(a) == set(b)
    for key in a:
        if key in INTEGERS:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:
            np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-9, err_msg=key)


def layouts(levels: np.ndarray) -> list[np.ndarray]:
    """C- and F-ordered, and a block of rows of a taller F-ordered matrix (numpy flags
    such a block neither C- nor F-contiguous; its columns are still contiguous)."""
    tall = np.asfortranarray(np.vstack([levels, levels, levels]))
    return [
        np.ascontiguousarray(levels),
        np.asfortranarray(levels),
        tall[len(levels) : 2 * len(levels)],
    ]


@SETTINGS
@given(
    cases(rows=9, methods=st.just("arithmetic")),
    st.sampled_from(["exclude", "worst"]),
    st.sampled_from([1, 4, 1000]),
)
def test_the_compiled_kernel_gives_the_numpy_scores(case, policy, chunk_rows):
    """Every output, for random arithmetic rubrics, both policies, three memory layouts
    and blocks of several sizes (one row, several blocks on threads, one block)."""
    rubric, levels, _, _ = case
    model = ScoringModel.from_rubric(rubric)
    for block in layouts(levels):
        options = {"unknown_policy": policy, "chunk_rows": chunk_rows}
        compiled = score_outputs(block, model, engine="numba", **options)
        reference = score_outputs(block, model, engine="numpy", **options)
        assert_same(compiled, reference)


@SETTINGS
@given(cases(rows=5, methods=st.just("arithmetic")))
def test_the_compiled_kernel_is_used_where_it_can_be(case):
    """Arithmetic pillars and overall, nothing masked: the fused path, compiled (but
    under ``estimate`` the fused path's sums are numpy products on both engines)."""
    from readiness._accel import block_sums

    rubric, _, _, _ = case
    model = ScoringModel.from_rubric(rubric)
    for policy in ("exclude", "worst", "estimate"):
        kernel = _Kernel(model, policy, model.min_coverage, accel=block_sums)
        assert (kernel.accel is block_sums) == (kernel.fused and policy != "estimate")
        assert kernel.fused == _Kernel(model, "exclude", model.min_coverage).fused


@pytest.mark.parametrize("bad", [2.5, -1.0, 5.0, np.inf, -np.inf, 4.000000000000001])
@pytest.mark.parametrize("order", ["C", "F"])
def test_bad_levels_give_the_same_error_on_both_engines(bad, order):
    model = ScoringModel.from_rubric(readiness.load_rubric())
    rng = np.random.default_rng(3)
    levels = rng.integers(0, 5, size=(40, model.n_criteria)).astype(float)
    levels[rng.random(levels.shape) < 0.2] = np.nan
    levels[33, 7] = bad
    levels = np.asarray(levels, order=order)
    messages = []
    for engine in ("numba", "numpy"):
        with pytest.raises(InputError) as caught:
            score_outputs(levels, model, engine=engine, chunk_rows=16)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "row 33, criterion column 7" in messages[0]


def test_assess_frame_gives_the_same_frame_on_both_engines():
    """The examples' levels, tiled past the size at which ``auto`` compiles."""
    rubric = readiness.load_rubric()
    rows = []
    for path in sorted(EXAMPLES.glob("*.json")):
        assessed = readiness.assess(readiness.load_partnership(path, rubric), rubric)
        levels = assessed.to_frame().set_index("criterion")["level"]
        rows.append(levels.astype("float64").to_dict())
    frame = pd.DataFrame(rows, columns=list(rubric.criterion_ids))
    assert len(frame) == 8 and frame.notna().any(axis=None)
    big = pd.concat([frame] * (ACCEL_MIN_ROWS // len(frame) + 1), ignore_index=True)
    compiled = readiness.assess_frame(big, rubric, engine="numba")
    auto = readiness.assess_frame(big, rubric, engine="auto")
    reference = readiness.assess_frame(big, rubric, engine="numpy")
    pd.testing.assert_frame_equal(compiled, auto, check_exact=True)
    pd.testing.assert_frame_equal(compiled, reference, check_exact=True)


@pytest.mark.parametrize("policy", ["exclude", "worst"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_the_shipped_rubric_scores_identically_on_both_engines(policy, order):
    """Every output, bit for bit, on random levels with many unknowns."""
    model = ScoringModel.from_rubric(readiness.load_rubric())
    rng = np.random.default_rng(11)
    levels = rng.integers(0, 5, size=(20_000, model.n_criteria)).astype(float)
    levels[rng.random(levels.shape) < rng.random((len(levels), 1))] = np.nan
    levels = np.asarray(levels, order=order)
    compiled = score_outputs(levels, model, engine="numba", unknown_policy=policy)
    reference = score_outputs(levels, model, engine="numpy", unknown_policy=policy)
    for key in ALL_OUTPUTS:
        assert np.array_equal(compiled[key], reference[key], equal_nan=True), key


def test_a_score_on_a_band_edge_lands_in_the_same_band():
    """Exactly 50 (the functional band's minimum) stays 50 whatever the engine."""
    rubric = readiness.load_rubric()
    ids = list(rubric.criterion_ids)
    row = {c: 3 if c.startswith("technology.") else 2 for c in ids}
    row |= {c: 1 for c in ids if c.startswith("dialogue.")}
    frame = pd.DataFrame([row] * 3000)
    for engine in ("numba", "numpy"):
        out = readiness.assess_frame(frame, rubric, engine=engine)
        assert set(out["overall"]) == {50.0}
        assert set(out["band"]) == {"functional"}


def test_auto_compiles_for_large_calls_only(monkeypatch):
    from readiness._accel import block_sums

    monkeypatch.delenv("READINESS_ENGINE", raising=False)
    assert _engine("auto", ACCEL_MIN_ROWS - 1) is None
    assert _engine("auto", ACCEL_MIN_ROWS) is block_sums
    assert _engine("numba", 1) is block_sums
    assert _engine("numpy", 10 * ACCEL_MIN_ROWS) is None
    monkeypatch.setenv("READINESS_ENGINE", "numpy")
    assert _engine("auto", 10 * ACCEL_MIN_ROWS) is None
    assert _engine("numba", 1) is block_sums  # an explicit engine wins
    monkeypatch.setenv("READINESS_ENGINE", "numba")
    assert _engine("auto", 1) is block_sums


def test_unknown_engines_and_missing_numba_are_clear_errors(monkeypatch):
    import readiness.scoring as scoring

    model = ScoringModel.from_rubric(readiness.load_rubric())
    levels = np.full((2, model.n_criteria), 2.0)
    expected = r"options: engine: must be one of \['auto', 'numpy', 'numba'\]"
    with pytest.raises(InputError, match=expected):
        score_outputs(levels, model, engine="fortran")  # type: ignore[arg-type]
    monkeypatch.setenv("READINESS_ENGINE", "gpu")
    with pytest.raises(InputError, match="environment: READINESS_ENGINE: must be one of"):
        score_outputs(levels, model)
    monkeypatch.delenv("READINESS_ENGINE")
    monkeypatch.setattr(scoring, "_ACCEL", [None])  # as if numba were not installed
    with pytest.raises(InputError, match=r"pip install 'readiness\[fast\]'"):
        score_outputs(levels, model, engine="numba")
    # ``auto`` falls back to numpy, whatever the size
    assert _engine("auto", 10 * ACCEL_MIN_ROWS) is None
    assert set(score_outputs(levels, model)) == ALL_OUTPUTS


def test_frames_with_columns_in_another_order_or_missing_score_alike():
    """Columns out of rubric order, or absent (unknown for every row), are copied to
    rubric order block by block: both engines read the copy."""
    rubric = readiness.load_rubric()
    rng = np.random.default_rng(5)
    ids = list(rubric.criterion_ids)
    levels = rng.integers(0, 5, size=(2000, len(ids))).astype(float)
    levels[rng.random(levels.shape) < 0.3] = np.nan
    frame = pd.DataFrame(levels, columns=ids)
    shuffled = frame[list(rng.permutation(ids))[5:]]  # five criteria left out
    options = {"min_coverage": 0}
    compiled = readiness.assess_frame(shuffled, rubric, engine="numba", **options)
    reference = readiness.assess_frame(shuffled, rubric, engine="numpy", **options)
    pd.testing.assert_frame_equal(compiled, reference, check_exact=True)
    unknown = frame.copy()
    unknown[[c for c in ids if c not in shuffled.columns]] = np.nan
    pd.testing.assert_frame_equal(
        compiled,
        readiness.assess_frame(unknown, rubric, engine="numba", **options),
        check_exact=True,
    )


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_bad_levels_in_every_block_are_named(engine):
    """Not only the first bad block's: all of them, by row label and criterion."""
    rubric = readiness.load_rubric()
    ids = list(rubric.criterion_ids)
    levels = np.full((3 * 16_384, len(ids)), 2.0)
    levels[10, 3], levels[20_000, 5], levels[-1, 0] = 7, 2.5, -1
    frame = pd.DataFrame(levels, columns=ids)
    with pytest.raises(InputError) as caught:
        readiness.assess_frame(frame, rubric, engine=engine)
    problems = caught.value.problems
    assert [p.row for p in problems] == ["10", "20000", str(len(levels) - 1)]  # row labels
    assert [p.criterion for p in problems] == [ids[3], ids[5], ids[0]]


def test_very_many_bad_levels_are_named_up_to_a_limit_and_counted():
    from readiness.scoring import _LISTED

    model = ScoringModel.from_rubric(readiness.load_rubric())
    levels = np.full((40_000, model.n_criteria), 2.5)
    with pytest.raises(InputError) as caught:
        score_outputs(levels, model, engine="numba", chunk_rows=1_000)
    problems = caught.value.problems
    assert len(problems) == _LISTED + 1
    assert problems[-1].message == f"... and {levels.size - _LISTED} more bad levels"
    assert "1001 problems" in str(caught.value) and "and 981 more" in str(caught.value)


def test_engine_problems_name_the_option_not_the_levels(monkeypatch):
    frame = pd.DataFrame({"trust.commitment-record": [2.0]})
    with pytest.raises(InputError, match=r"^options: engine: must be one of"):
        readiness.assess_frame(frame, engine="gpu")  # type: ignore[arg-type]
    monkeypatch.setenv("READINESS_ENGINE", "gpu")
    with pytest.raises(InputError, match=r"^environment: READINESS_ENGINE: must be one of"):
        readiness.assess_frame(frame)
    monkeypatch.setenv("READINESS_ENGINE", " NumPy ")  # any case, spaces ignored
    assert check_engine("auto") == "numpy"
    monkeypatch.setenv("READINESS_ENGINE", "")
    assert check_engine("auto") == "auto"

"""Benchmark the scoring core and print the figures as JSON.

Run with ``make bench`` (or ``python benchmarks/bench_scoring.py --rows 1000000``).

What is timed, in one process, on one matrix of N partnerships x the default rubric's
criteria (levels 0-4, about 10% unknown):

- ``floor``: the least any scorer of this matrix must do, done the way the core does it:
  in blocks of ``CHUNK_ROWS`` rows on the core's worker threads with BLAS pinned to one
  thread (the core's own ``_blas_pinned``: the libraries found once), per block the NaN
  handling coverage needs (rated = not NaN; levels with NaN as 0) and the two products
  by the (criteria x pillars) weight matrix. Unpinned, OpenBLAS's own threads on a busy
  2-core machine made a plain ``levels @ W`` swing 0.13-0.40 s, and every ratio with it.
  This is the floor of the ``exclude`` (and ``worst``) policy.
- ``floor_estimate``: the floor of the ``estimate`` policy (the default rubric's), done
  the same way (the same blocks, threads, pinned BLAS and scratch buffers): per block the
  same NaN handling (``rated``, ``filled``), the squares of the known levels (one more
  pass), and the products every estimate needs per pillar, with the weight products
  among them: the rated mask by [count | offset | offset^2 | weight | weight^2 | weight
  x offset] (6 columns per pillar), the known levels by [1 | offset | weight] (3 per
  pillar) and their squares by the membership (1 per pillar): the sums from which the
  partnership's and each pillar's level, the shrinkage and the likely range follow.
  Like the floor, it leaves out everything after the sums (the posterior per pillar,
  scores, gates, bands) and the check that levels are integers 0-4.
- ``floor_frame`` and ``floor_estimate_frame``: the floors of a DataFrame -> DataFrame
  scorer such as ``assess_frame`` (``floor`` and ``floor_estimate`` take the bare matrix
  and return nothing). Each does exactly three things: the input frame to one float
  matrix (one ``to_numpy(dtype=float64, na_value=nan)``; the frame's columns are in
  rubric order), the work of ``floor`` (``floor_frame``) or ``floor_estimate``
  (``floor_estimate_frame``) on that matrix (its blocks in the matrix's memory order:
  a frame hands over a column-major matrix, and the scratch buffers and products follow
  it, as the core's do), and one result DataFrame of ``assess_frame``'s shape, dtypes,
  index and column labels, made the cheapest way pandas allows: fresh arrays (one float
  block of pillars and figures, the band as a categorical from int8 codes taken without
  validation, two int64 count blocks) handed over with
  ``pandas.api.internals.create_dataframe_from_blocks`` under labels made once. The
  result's values are never computed or written (a floor allocates the table, never
  fills it); its shape, dtypes and labels are checked against ``assess_frame``'s before
  timing. They are the floors the size sweep's and the main run's goal lines use.
- ``assess_frame``: readiness on a DataFrame: pillar scores, overall, band, coverage,
  lower and upper bounds, failed gates, under the rubric's default unknown policy
  (``estimate``: it also estimates every unknown criterion); its ratio to its own floor
  (``floor_estimate``) and to the frame floor (``floor_estimate_frame``) are the
  like-with-like ones, and to ``floor`` is printed too.
- ``assess_frame_exclude``: the same with ``unknown_policy="exclude"``, the like-with-like
  comparison with ``floor`` and ``floor_frame``.
- ``score_matrix``: the same core on the bare numpy matrix (no DataFrame in or out).

The three are timed in interleaved rounds (floor, score_matrix, assess_frame, then
again), so that a burst of load hits all three alike; the figures are medians over
rounds and each round's ratio to that round's floor is printed too.
- ``skcriteria`` / ``pymcdm``: their weighted sum on the same matrix (NaN filled with 0,
  since neither handles missing values), when installed (``make bench`` installs them).
- ``assess_one`` / ``gap_report_one``: one partnership after loading (median of repeats).
- ``derive_frame`` on 100,000 facts rows (the examples' facts, tiled, perturbed and
  shuffled per column, ~10% missing): rules -> levels in one vectorised pass.

- ``one_assess``: one ``assess`` of ``nato.json`` against ``Partnership.model_validate``
  of the same document (issue 23's reference for one assessment), taking turns in
  ``--rounds`` rounds of 100 calls each; the median ratio, and where the time goes
  (``stages``: features, derive, resolve, score, result, as fractions); beside it one
  ``assess`` whose criterion results are then read (``assess`` builds them on first
  read), against the same reference.
- ``sizes`` (leave out with ``--no-sizes``; choose them with ``--sizes 1,10,100``, run
  only them with ``--sizes-only``): ``assess_frame`` on the numpy engine (the default
  install's), default policy against ``floor_estimate`` and ``floor_estimate_frame``,
  ``exclude`` against ``floor`` and ``floor_frame``, at 1, 10, ..., 100,000 rows,
  interleaved, each round about 20,000 rows of work (a small call repeated, at most 500
  times); with numba installed also
  ``score_matrix`` on each engine under each policy (``ratio_numba_to_numpy_<policy>``:
  where ``engine="auto"`` should switch).

``goals`` puts issue 23's goals beside their ratios: ``assess_frame`` under each policy
at or under its own frame floor (``floor_estimate_frame``, ``floor_frame``; the ratios to
the bare floors are given beside them) at every size, one ``assess`` within 3x validating the
document. The load average before and after, and the engine, are printed.

Other timings are the best of ``--repeat`` runs. Peak memory of ``assess_frame`` is
measured with tracemalloc (numpy reports its buffers to it) and given as a multiple of
the input matrix's size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

import readiness
from readiness.facts import FEATURES
from readiness.scoring import (
    _WORKERS,
    CHUNK_ROWS,
    ScoringModel,
    _accel_kernel,
    _blas_pinned,
    score_matrix,
)

ROOT = Path(__file__).resolve().parent.parent


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_floor(
    levels: np.ndarray,
    weights: np.ndarray,
    estimate: ScoringModel | None = None,
    frame: tuple[pd.DataFrame, ScoringModel] | None = None,
) -> Callable[[], Any]:
    """The fair floor (see the module docstring), as a function to time; with
    ``estimate``, the floor of the ``estimate`` policy for that model; with ``frame``
    (the same levels as a DataFrame in rubric column order, and the model whose result
    table to make), the floor of a DataFrame -> DataFrame scorer: the frame to one float
    matrix, the same blocks on it, and one result frame of ``assess_frame``'s shape,
    dtypes, index and labels (the function then returns that frame)."""
    from concurrent.futures import ThreadPoolExecutor

    starts = range(0, len(levels), CHUNK_ROWS)
    rows = min(CHUNK_ROWS, len(levels))
    # scratch in the matrix's memory order (a frame hands over a column-major one), so
    # that element-wise passes run along contiguous memory, as the core's do
    order: Literal["C", "F"] = "C"
    if frame is not None:
        matrix = frame[0].to_numpy(dtype=np.float64, na_value=np.nan)
        order = "F" if matrix.strides[0] < matrix.strides[1] else "C"
    scratch = [np.empty((rows, levels.shape[1]), order=order) for _ in range(2 * _WORKERS)]
    if estimate is not None:
        by_rated, by_known, _ = (np.ascontiguousarray(a) for a in estimate.estimate_matrices)
        member = np.ascontiguousarray(by_known[:, : estimate.n_pillars])

    def product(a: np.ndarray, w: np.ndarray) -> np.ndarray:
        # a column-major block times ``w`` as ``(w.T @ a.T).T``: BLAS reads it in order
        return (w.T @ a.T).T if order == "F" else a @ w

    def block(matrix: np.ndarray, i: int, start: int) -> None:
        part = matrix[start : start + CHUNK_ROWS]
        slot = 2 * (i % _WORKERS)
        rated = scratch[slot][: len(part)]
        filled = scratch[slot + 1][: len(part)]
        np.equal(part, part, out=rated, casting="unsafe")
        np.fmax(part, 0.0, out=filled)
        if estimate is None:
            _ = product(filled, weights), product(rated, weights)
            return
        # the estimate's sums per pillar (its weight products among them): the rated
        # mask by [count | offset | offset^2 | weight | weight^2 | weight x offset], the
        # known levels by [1 | offset | weight] and their squares by the membership
        _ = product(rated, by_rated), product(filled, by_known)
        np.multiply(filled, filled, out=rated)
        _ = product(rated, member)

    def blocks(matrix: np.ndarray) -> None:
        if len(starts) < 2:  # one block: no pool (as the core)
            with _blas_pinned():
                block(matrix, 0, 0)
            return
        with _blas_pinned(), ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            for f in [pool.submit(block, matrix, i, s) for i, s in enumerate(starts)]:
                f.result()

    if frame is None:
        return lambda: blocks(levels)
    table, model = frame
    result = _result_frame_maker(model, table.index)

    def run() -> pd.DataFrame:
        blocks(table.to_numpy(dtype=np.float64, na_value=np.nan))
        return result()

    return run


def _result_frame_maker(model: ScoringModel, index: pd.Index) -> Callable[[], pd.DataFrame]:
    """The cheapest way pandas allows to make ``assess_frame``'s result table (one
    float block of pillars and figures, the band as a categorical, two int64 counts)
    for ``index``: fresh arrays handed over as blocks, the labels made once. Its values
    are whatever the fresh memory holds: a floor allocates the table, never fills it."""
    from pandas.api.internals import create_dataframe_from_blocks

    figures = [*model.pillar_ids, "overall", "coverage", "lower", "upper"]
    figures += ["likely_lower", "likely_upper", "gate_loss"]
    k = model.n_pillars
    at = {"band": k + 1, "gates_failed": k + 7, "gates_unrated": k + 9}
    final = [*figures]
    for name, where in at.items():
        final.insert(where, name)
    labels = pd.Index(final)
    band_dtype = pd.CategoricalDtype(pd.Index(list(model.band_ids)))
    figures_at = np.array([i for i in range(len(final)) if i not in at.values()], dtype=np.intp)
    n = len(index)

    def make() -> pd.DataFrame:
        table = np.empty((len(figures), n))  # (columns, rows): the block's own layout
        band = pd.Categorical.from_codes(
            np.full(n, -1, dtype=np.int8), dtype=band_dtype, validate=False
        )
        return create_dataframe_from_blocks(
            [
                (table, figures_at),
                (band, np.array([at["band"]])),
                (np.empty((1, n), dtype=np.int64), np.array([at["gates_failed"]])),
                (np.empty((1, n), dtype=np.int64), np.array([at["gates_unrated"]])),
            ],
            index,
            labels,
        )

    return make


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Seconds per round of each function, the functions taking turns within a round."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def make_levels(rows: int, cols: int, unknown: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    levels = rng.integers(0, 5, size=(rows, cols)).astype(np.float64)
    levels[rng.random((rows, cols)) < unknown] = np.nan
    return levels


def peak_memory(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def bench_competitors(levels: np.ndarray, weights: np.ndarray, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    filled = np.nan_to_num(levels, nan=0.0)
    try:
        import skcriteria
        from skcriteria.agg.simple import WeightedSumModel

        dm = skcriteria.mkdm(filled, objectives=[max] * filled.shape[1], weights=weights)
        model = WeightedSumModel()
        out["skcriteria_seconds"] = best_of(lambda: model.evaluate(dm), repeat)
    except ImportError:
        out["skcriteria_seconds"] = None
    try:
        from pymcdm.methods import WSM

        types = np.ones(filled.shape[1])
        # levels are already on one 0-4 scale: the identity normalisation keeps the
        # comparison to the weighted sum itself (pymcdm's default needs positive values)
        wsm = WSM(normalization_function=lambda x, cost: x)
        out["pymcdm_seconds"] = best_of(lambda: wsm(filled, weights / weights.sum(), types), repeat)
    except ImportError:
        out["pymcdm_seconds"] = None
    return out


def facts_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` partnerships' facts: the shipped examples, tiled and perturbed, ~10% missing."""
    rubric = readiness.load_rubric()
    paths = sorted((ROOT / "examples" / "partnerships").glob("*.json"))
    base = readiness.facts_frame([readiness.load_partnership(p, rubric) for p in paths])
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base), size=rows)
    frame = base.iloc[picks].reset_index(drop=True)
    columns = {}
    for name in frame.columns:
        col = frame[name]
        feature = FEATURES.get(str(name))
        if feature is not None and feature.type == "number":
            col = col * rng.uniform(0.5, 1.5, size=rows)
        # shuffle each column independently so rows are not copies of the examples
        col = col.sample(frac=1.0, random_state=int(rng.integers(1 << 31))).reset_index(drop=True)
        columns[name] = col.mask(rng.random(rows) < 0.1)
    return pd.DataFrame(columns)


def bench_derive(repeat: int) -> dict[str, Any]:
    rubric = readiness.load_rubric()
    facts = facts_table(100_000)
    seconds = best_of(lambda: readiness.derive_frame(facts, rubric), repeat)
    derived = readiness.derive_frame(facts, rubric)
    return {
        "derive_frame_100k_seconds": round(seconds, 4),
        "derive_frame_rules": int(derived.shape[1]),
        "derive_frame_levels_known_share": round(float(derived.notna().to_numpy().mean()), 3),
    }


def _looped(fn: Callable[[], Any], calls: int) -> Callable[[], None]:
    """``fn`` called ``calls`` times (a small call is timed over many)."""

    def run() -> None:
        for _ in range(calls):
            fn()

    return run


_ESTIMATING = {"score_matrix", "assess_frame", "assess_frame_numpy"}
"""The main run's contenders under the rubric's default policy (``estimate``)."""


def _ratios(rounds: dict[str, list[float]], name: str, floor: str) -> list[float]:
    return [c / f for c, f in zip(rounds[name], rounds[floor], strict=True)]


SIZES = (1, 10, 100, 1_000, 10_000, 100_000)
"""Rows of the size sweep (the 1,000,000-row figures are the main run's)."""


def bench_sizes(
    rubric: Any, model: ScoringModel, unknown: float, rounds: int, sizes: tuple[int, ...] = SIZES
) -> dict[str, Any]:
    """``assess_frame`` against the floor at every size of :data:`SIZES` (interleaved;
    median ratios), and ``score_matrix`` on each engine when numba is installed: the
    figures that say where ``engine="auto"`` should switch."""
    out: dict[str, Any] = {}
    weights = model.membership()
    numba = _accel_kernel() is not None
    for rows in sizes:
        levels = make_levels(rows, model.n_criteria, unknown, seed=rows)
        frame = pd.DataFrame(levels, columns=list(rubric.criterion_ids))
        calls = max(1, min(500, 20_000 // rows))  # ~ the same work per round, at most 500 calls
        fns: dict[str, Callable[[], Any]] = {
            "floor": make_floor(levels, weights),
            "floor_estimate": make_floor(levels, weights, model),
            "floor_frame": make_floor(levels, weights, frame=(frame, model)),
            "floor_estimate_frame": make_floor(levels, weights, model, frame=(frame, model)),
            "assess_frame_exclude": lambda f=frame: readiness.assess_frame(
                f, rubric, unknown_policy="exclude", engine="numpy"
            ),
            "assess_frame": lambda f=frame: readiness.assess_frame(f, rubric, engine="numpy"),
        }
        if numba:
            for engine in ("numpy", "numba"):
                for policy in ("exclude", "estimate"):
                    fns[f"score_matrix_{policy}_{engine}"] = lambda lv=levels, e=engine, p=policy: (
                        score_matrix(lv, model, unknown_policy=p, engine=e)
                    )
        _same_table(fns["floor_frame"](), fns["assess_frame"]())
        looped = {name: _looped(fn, calls) for name, fn in fns.items()}
        for fn in looped.values():
            fn()  # warm-up
        times = interleaved(looped, rounds)
        row: dict[str, Any] = {
            "floor_us_per_call": round(statistics.median(times["floor"]) / calls * 1e6, 1)
        }
        for floor in ("floor_estimate", "floor_frame", "floor_estimate_frame"):
            row[f"{floor}_us_per_call"] = round(statistics.median(times[floor]) / calls * 1e6, 1)
        # each policy against its own floor: the bare kernel's and the frame function's
        for name, floor in (
            ("assess_frame_exclude", "floor"),
            ("assess_frame", "floor_estimate"),
            ("assess_frame_exclude", "floor_frame"),
            ("assess_frame", "floor_estimate_frame"),
        ):
            row[f"ratio_{name}_to_{floor}"] = round(
                statistics.median(_ratios(times, name, floor)), 2
            )
        row["ratio_assess_frame_to_floor"] = round(
            statistics.median(_ratios(times, "assess_frame", "floor")), 2
        )
        if numba:
            for policy in ("exclude", "estimate"):
                row[f"ratio_numba_to_numpy_{policy}"] = round(
                    statistics.median(
                        _ratios(
                            times, f"score_matrix_{policy}_numba", f"score_matrix_{policy}_numpy"
                        )
                    ),
                    2,
                )
        out[str(rows)] = row
    return out


def bench_one(rubric: Any, rounds: int, calls: int = 100) -> dict[str, Any]:
    """One ``assess`` of nato.json against ``Partnership.model_validate`` of the same
    document (issue 23's reference), taking turns; median per call and median ratio.

    ``stages`` splits the ``assess`` into its steps, each timed alone in the same rounds
    on the inputs the step before made: ``features`` (the facts as of the assessment
    date, encoded), ``derive`` (the rules on them), ``resolve`` (the ratings laid over
    the derived levels, override checks), ``score`` (``score_matrix``) and ``result``
    (the :class:`readiness.Assessment` built from the scores: criterion, pillar and gate
    results, which ``assess`` builds on first read: the stage reads them). Fractions of
    their sum; ``stages_over_assess`` says how much of a whole ``assess`` they cover
    (the rest is argument checks and calls between them; above 1 as the results are
    built only when read). ``assess_and_read`` is one ``assess`` whose criterion results
    are then read (what a report or a batch row does), also against validating.
    """
    from readiness.assessment import Options, _assess, _resolved_scores
    from readiness.derive import derive_levels, encode_row
    from readiness.partnership import Partnership
    from readiness.resolve import resolve

    path = ROOT / "examples" / "partnerships" / "nato.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    example = readiness.load_partnership(path, rubric)
    model = ScoringModel.from_rubric(rubric)
    options = Options.of(rubric, None, None)
    table = encode_row(example.features())
    derived = derive_levels(table, rubric)
    resolved = resolve([example], rubric, derived=derived, table=table)

    def score() -> Any:
        return _resolved_scores(resolved, model, options)[0]

    fns = {
        "validate": _looped(lambda: Partnership.model_validate(doc), calls),
        "assess": _looped(lambda: readiness.assess(example, rubric), calls),
        "features": _looped(lambda: encode_row(example.features()), calls),
        "derive": _looped(lambda: derive_levels(table, rubric), calls),
        "resolve": _looped(lambda: resolve([example], rubric, derived=derived, table=table), calls),
        "score": _looped(score, calls),
        # the results are built on first read: read them, so that the stage builds them
        "score_and_result": _looped(
            lambda: _assess(example, rubric, options, resolved).criteria, calls
        ),
        # one assess whose results are then read (a report's, the batch's rows')
        "assess_and_read": _looped(lambda: readiness.assess(example, rubric).criteria, calls),
    }
    for fn in fns.values():
        fn()
    times = interleaved(fns, rounds)
    med = {name: statistics.median(t) / calls for name, t in times.items()}
    stages = {
        "features": med["features"],
        "derive": med["derive"],
        "resolve": med["resolve"],
        "score": med["score"],
        "result": max(med["score_and_result"] - med["score"], 0.0),
    }
    total = sum(stages.values())
    return {
        "assess_nato_ms": round(med["assess"] * 1e3, 3),
        "validate_nato_ms": round(med["validate"] * 1e3, 3),
        "ratio_assess_to_validate": round(
            statistics.median(_ratios(times, "assess", "validate")), 2
        ),
        "assess_and_read_nato_ms": round(med["assess_and_read"] * 1e3, 3),
        "ratio_assess_and_read_to_validate": round(
            statistics.median(_ratios(times, "assess_and_read", "validate")), 2
        ),
        "stages_ms": {k: round(v * 1e3, 3) for k, v in stages.items()},
        "stages": {k: round(v / total, 3) for k, v in stages.items()},
        "stages_over_assess": round(total / med["assess"], 2),
    }


def _same_table(floor: pd.DataFrame, real: pd.DataFrame) -> None:
    """The frame floor's result table has ``assess_frame``'s shape, dtypes and labels."""
    assert floor.shape == real.shape and floor.index.equals(real.index)
    assert floor.columns.equals(real.columns) and floor.columns.dtype == real.columns.dtype
    assert floor.dtypes.tolist() == real.dtypes.tolist()


def _size_goals(sizes: dict[str, Any]) -> dict[str, Any]:
    """Each size's goal line, against the like-with-like floors: the frame floors
    (``floor_estimate_frame``, ``floor_frame``: DataFrame in, DataFrame out)."""
    goals = {}
    for rows, row in sizes.items():
        own = row["ratio_assess_frame_to_floor_estimate_frame"]
        exclude = row["ratio_assess_frame_exclude_to_floor_frame"]
        goals[f"assess_frame_{rows}"] = {
            "ratio_to_own_floor": own,
            "ratio_exclude_to_floor": exclude,
            "floors": "floor_estimate_frame (default policy), floor_frame (exclude)",
            "ratio_to_bare_floor": row["ratio_assess_frame_to_floor_estimate"],
            "ratio_exclude_to_bare_floor": row["ratio_assess_frame_exclude_to_floor"],
            "engine": "numpy",
            "goal": "each policy at or under its own frame floor (ratio <= 1), numpy engine",
            "met": max(own, exclude) <= 1,
        }
    return goals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--unknown", type=float, default=0.10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-competitors", action="store_true")
    parser.add_argument("--no-sizes", action="store_true", help="skip the size sweep")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="rows of the size sweep, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--sizes-only", action="store_true", help="only the size sweep (and its goals)"
    )
    args = parser.parse_args()
    sizes_rows = tuple(int(x) for x in args.sizes.split(","))
    if args.sizes_only:
        rubric = readiness.load_rubric()
        model = ScoringModel.from_rubric(rubric)
        load_before = [round(x, 2) for x in os.getloadavg()]
        sizes = bench_sizes(rubric, model, args.unknown, args.rounds, sizes_rows)
        print(
            json.dumps(
                {
                    "load_before": load_before,
                    "sizes": sizes,
                    "goals": _size_goals(sizes),
                    "load_after": [round(x, 2) for x in os.getloadavg()],
                },
                indent=2,
            )
        )
        return 0

    load_before = [round(x, 2) for x in os.getloadavg()]
    rubric = readiness.load_rubric()
    model = ScoringModel.from_rubric(rubric)
    levels = make_levels(args.rows, model.n_criteria, args.unknown)
    frame = pd.DataFrame(levels, columns=list(rubric.criterion_ids))
    weights = model.membership()

    floor = make_floor(levels, weights)
    floor()  # warm-up: threads, pages
    floor_estimate = make_floor(levels, weights, model)
    floor_estimate()
    floor_frame = make_floor(levels, weights, frame=(frame, model))
    floor_estimate_frame = make_floor(levels, weights, model, frame=(frame, model))
    floor_estimate_frame()
    engine = "numba" if _accel_kernel() is not None else "numpy"
    start = time.perf_counter()
    readiness.assess_frame(frame, rubric)  # warm-up; with numba: compile or load its cache
    first_call = time.perf_counter() - start
    score_matrix(levels, model)
    contenders: dict[str, Callable[[], Any]] = {
        "floor": floor,
        "floor_estimate": floor_estimate,
        "floor_frame": floor_frame,
        "floor_estimate_frame": floor_estimate_frame,
        "score_matrix": lambda: score_matrix(levels, model),
        "assess_frame": lambda: readiness.assess_frame(frame, rubric),
        # the floor counts what is known; like with like is the exclude policy, and the
        # rubric's default (estimate) adds the estimates of the unknown criteria
        "assess_frame_exclude": lambda: readiness.assess_frame(
            frame, rubric, unknown_policy="exclude"
        ),
    }
    if engine == "numba":  # the numpy path too, in the same rounds
        contenders["assess_frame_numpy"] = lambda: readiness.assess_frame(
            frame, rubric, engine="numpy"
        )
        readiness.assess_frame(frame, rubric, engine="numpy")
    rounds = interleaved(contenders, args.rounds)
    med = {name: statistics.median(ts) for name, ts in rounds.items()}
    peak = peak_memory(lambda: readiness.assess_frame(frame, rubric))

    example = readiness.load_partnership(ROOT / "examples" / "partnerships" / "aukus.json", rubric)
    readiness.assess(example, rubric)  # warm the compiled-rubric cache
    one = median_of(lambda: readiness.assess(example, rubric), 200)
    assessed = readiness.assess(example, rubric)
    gaps_one = median_of(lambda: assessed.gaps(), 50)
    roadmap_one = median_of(lambda: assessed.gaps().roadmap(), 20)

    result: dict[str, Any] = {
        "machine": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "platform": platform.platform(),
        },
        "rows": args.rows,
        "criteria": model.n_criteria,
        "pillars": model.n_pillars,
        "unknown_share": args.unknown,
        "input_mb": round(levels.nbytes / 2**20, 1),
        "rounds": args.rounds,
        "engine": engine,
        "load_before": load_before,
        "first_assess_frame_seconds": round(first_call, 3),
        "floor_seconds_median": round(med["floor"], 4),
    }
    for name in contenders:
        if name == "floor":
            continue
        result[f"{name}_seconds_median"] = round(med[name], 4)
        # every contender against the floor; the default policy (estimate) against its own
        floors = ["floor"] + (["floor_estimate"] if name in _ESTIMATING else [])
        floors += {
            "assess_frame": ["floor_estimate_frame"],
            "assess_frame_numpy": ["floor_estimate_frame"],
            "assess_frame_exclude": ["floor_frame"],
        }.get(name, [])
        for floor_name in floors:
            ratios = _ratios(rounds, name, floor_name)
            result[f"ratio_{name}_to_{floor_name}_per_round"] = [round(r, 2) for r in ratios]
            result[f"ratio_{name}_to_{floor_name}_median"] = round(statistics.median(ratios), 2)
    result |= {
        "assess_frame_peak_memory_x_input": round(peak / levels.nbytes, 2),
        "assess_one_ms": round(one * 1000, 3),
        "gap_report_one_ms": round(gaps_one * 1000, 3),
        "roadmap_one_ms": round(roadmap_one * 1000, 3),
    }
    if not args.no_competitors:
        comp = bench_competitors(levels, model.criterion_weight, args.repeat)
        result.update({k: (None if v is None else round(v, 4)) for k, v in comp.items()})
    result.update(bench_derive(args.repeat))
    one = bench_one(rubric, args.rounds)
    result["one_assess"] = one
    sizes = (
        {} if args.no_sizes else bench_sizes(rubric, model, args.unknown, args.rounds, sizes_rows)
    )
    if sizes:
        result["sizes"] = sizes
    goals: dict[str, Any] = {
        f"assess_frame_{args.rows}_main_run": {
            "ratio_to_own_floor": result["ratio_assess_frame_to_floor_estimate_frame_median"],
            "ratio_exclude_to_floor": result["ratio_assess_frame_exclude_to_floor_frame_median"],
            "floors": "floor_estimate_frame (default policy), floor_frame (exclude)",
            "ratio_to_bare_floor": result["ratio_assess_frame_to_floor_estimate_median"],
            "ratio_exclude_to_bare_floor": result["ratio_assess_frame_exclude_to_floor_median"],
            "ratio_to_exclude_floor": result["ratio_assess_frame_to_floor_median"],
            "engine": engine,
            "goal": "each policy at or under its own frame floor (ratio <= 1)",
            "met": max(
                result["ratio_assess_frame_to_floor_estimate_frame_median"],
                result["ratio_assess_frame_exclude_to_floor_frame_median"],
            )
            <= 1,
        },
        "one_assess": {
            "ratio_to_validate": one["ratio_assess_to_validate"],
            "goal": "within 3x Partnership.model_validate of the same document",
            "met": one["ratio_assess_to_validate"] <= 3,
        },
        # the results are built on first read: the same goal with them read, as a
        # report or a batch row reads them
        "one_assess_read": {
            "ratio_to_validate": one["ratio_assess_and_read_to_validate"],
            "goal": "within 3x Partnership.model_validate, the results read",
            "met": one["ratio_assess_and_read_to_validate"] <= 3,
        },
    }
    goals |= _size_goals(sizes)
    result["goals"] = goals
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

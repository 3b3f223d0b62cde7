"""Benchmark the scoring core and print the figures as JSON.

Run with ``make bench`` (or ``python benchmarks/bench_scoring.py --rows 1000000``).

What is timed, in one process, on one matrix of N partnerships x the default rubric's
criteria (levels 0-4, about 10% unknown):

- ``lower_bound``: a plain numpy product of the levels by the (criteria x pillars) weight
  matrix: the hardware's floor for anything that reads the matrix and weights it.
- ``assess_frame``: readiness on a DataFrame: pillar scores, overall, band, coverage,
  lower and upper bounds, failed gates.
- ``score_matrix``: the same core on the bare numpy matrix (no DataFrame in or out).
- ``skcriteria`` / ``pymcdm``: their weighted sum on the same matrix (NaN filled with 0,
  since neither handles missing values), when installed (``make bench`` installs them).
- ``assess_one`` / ``gap_report_one``: one partnership after loading (median of repeats).
- ``derive_frame`` on 100,000 facts rows (the examples' facts, tiled, perturbed and
  shuffled per column, ~10% missing): rules -> levels in one vectorised pass.

Every timing is the best of ``--repeat`` runs. Peak memory of ``assess_frame`` is
measured with tracemalloc (numpy reports its buffers to it) and given as a multiple of
the input matrix's size.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import readiness
from readiness.facts import FEATURES
from readiness.scoring import ScoringModel, score_matrix

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--unknown", type=float, default=0.10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-competitors", action="store_true")
    args = parser.parse_args()

    rubric = readiness.load_rubric()
    model = ScoringModel.from_rubric(rubric)
    levels = make_levels(args.rows, model.n_criteria, args.unknown)
    frame = pd.DataFrame(levels, columns=list(rubric.criterion_ids))
    weights = model.membership()

    lower_bound = best_of(lambda: levels @ weights, args.repeat)
    frame_seconds = best_of(lambda: readiness.assess_frame(frame, rubric), args.repeat)
    core_seconds = best_of(lambda: score_matrix(levels, model), args.repeat)
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
        "lower_bound_matmul_seconds": round(lower_bound, 4),
        "assess_frame_seconds": round(frame_seconds, 4),
        "score_matrix_seconds": round(core_seconds, 4),
        "ratio_assess_frame_to_lower_bound": round(frame_seconds / lower_bound, 2),
        "ratio_score_matrix_to_lower_bound": round(core_seconds / lower_bound, 2),
        "assess_frame_peak_memory_x_input": round(peak / levels.nbytes, 2),
        "assess_one_ms": round(one * 1000, 3),
        "gap_report_one_ms": round(gaps_one * 1000, 3),
        "roadmap_one_ms": round(roadmap_one * 1000, 3),
    }
    if not args.no_competitors:
        comp = bench_competitors(levels, model.criterion_weight, args.repeat)
        result.update({k: (None if v is None else round(v, 4)) for k, v in comp.items()})
    result.update(bench_derive(args.repeat))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

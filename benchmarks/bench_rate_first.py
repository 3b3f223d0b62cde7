"""Benchmark what to rate first on the shipped examples; print the figures as JSON.

Run with ``make bench`` (or ``python benchmarks/bench_rate_first.py``).

For every shipped example with an uncertain criterion: ``Assessment.rate_first()``
(default options) against its floor, the scoring kernel alone on as many rows (one
``score_outputs`` call on the completion rows, one on the rated rows: the work
``rate_first`` cannot avoid; the floor skips building the rows and reading the
bands). Contenders are interleaved, each figure is the median of ``--repeat`` runs
after a warm-up, and the load average and the engine are printed. The goal the issue
sets: rate-first for one partnership under 100 ms; the script exits 1 when the slowest
example misses it (``--no-check`` to only report).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import readiness
from readiness.rate_first import completions, uncertain_levels
from readiness.scoring import ScoringModel, score_outputs

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 100.0


def floor_call(a: readiness.Assessment) -> None:
    """The kernel on the rows rate_first scores, built the same size."""
    model = ScoringModel.from_rubric(a.rubric)
    _, _, probs = uncertain_levels(a)
    comp = completions(probs)
    pairs = int(sum(np.count_nonzero(p) for p in probs))
    # the completions, then each again with one criterion at one other level
    again = sum(
        int(np.count_nonzero(comp.levels[:, i] != lv))
        for i, p in enumerate(probs)
        for lv in np.flatnonzero(p)
    )
    n = len(comp.weights) + again
    rows = np.repeat(np.nan_to_num(a.levels, nan=2.0), n, axis=0)
    na = np.repeat(a.not_applicable, n, axis=0)
    score_outputs(rows, model, not_applicable=na, unknown_policy="exclude",
                  outputs=frozenset({"band"}))  # fmt: skip
    rated = np.repeat(a.levels, pairs, axis=0)
    score_outputs(
        rated,
        model,
        not_applicable=np.repeat(a.not_applicable, pairs, axis=0),
        outputs=frozenset({"overall", "lower", "upper", "likely_lower", "likely_upper"}),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-check", action="store_true", help="report without the goal")
    args = parser.parse_args()
    rows = []
    for path in sorted((ROOT / "examples" / "partnerships").glob("*.json")):
        a = readiness.assess(readiness.load_partnership(path))
        if not len(uncertain_levels(a)[0]):
            continue
        a.rate_first()  # warm-up: scipy, the model cache
        floor_call(a)
        ours: list[float] = []
        floor: list[float] = []
        for _ in range(args.repeat):  # interleaved
            t = time.perf_counter()
            r = a.rate_first()
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            floor_call(a)
            floor.append(time.perf_counter() - t)
        ms, floor_ms = statistics.median(ours) * 1000, statistics.median(floor) * 1000
        rows.append(
            {
                "example": path.stem,
                "uncertain": len(r.candidates),
                "method": r.method,
                "completions": r.completions,
                "rate_first_ms": round(ms, 1),
                "floor_kernel_ms": round(floor_ms, 1),
                "ratio": round(ms / floor_ms, 2),
            }
        )
    worst = max(r["rate_first_ms"] for r in rows)
    out = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "engine": os.environ.get("READINESS_ENGINE", "auto (numpy below 65,536 rows)"),
        "goal_ms": GOAL_MS,
        "slowest_ms": worst,
        "goals": {
            "rate_first": {
                "slowest_ms": worst,
                "ratio_to_kernel_floor": max(r["ratio"] for r in rows),
                "goal": f"under {GOAL_MS:g} ms",
                "met": worst <= GOAL_MS,
            }
        },
        "examples": rows,
    }
    print(json.dumps(out, indent=2))
    if not args.no_check and worst > GOAL_MS:
        print(f"rate-first {worst:.1f} ms, goal {GOAL_MS:.0f} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark plans and frontiers on the shipped examples and print the figures as JSON.

Run with ``make bench`` (or ``python benchmarks/bench_plan.py``).

For every shipped example, with the default rubric, in both ways of treating unrated
criteria (``lower`` and ``rate-first``):

- ``plan_ms``: one ``Assessment.plan("advanced")`` (median of ``--repeat`` runs,
  after one warm-up that loads scipy), including the explained steps;
- ``frontier_ms``: the full effort-score frontier (median of ``--repeat`` runs) and its
  number of points.

The targets the issue sets: one plan under 100 ms, the full frontier under 1 s. The
script exits 1 when the slowest plan or frontier misses them (``--no-check`` to only
report).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import readiness

ROOT = Path(__file__).resolve().parent.parent
PLAN_LIMIT_MS = 100.0
FRONTIER_LIMIT_MS = 1000.0


def median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-check", action="store_true", help="report without limits")
    args = parser.parse_args()
    files = sorted((ROOT / "examples" / "partnerships").glob("*.json"))
    rows = []
    warm = readiness.assess(readiness.load_partnership(files[0]))
    warm.plan("advanced")  # loads scipy once, outside the timings
    for path in files:
        a = readiness.assess(readiness.load_partnership(path))
        for unknown in ("lower", "rate-first"):
            plan_ms, plan = median_ms(
                lambda a=a, u=unknown: a.plan("advanced", unknown=u), args.repeat
            )
            frontier_ms, frontier = median_ms(plan.frontier, args.repeat)
            rows.append(
                {
                    "example": path.stem,
                    "unknown": unknown,
                    "status": plan.status,
                    "effort": plan.effort,
                    "steps": len(plan.steps),
                    "plan_ms": round(plan_ms, 1),
                    "frontier_ms": round(frontier_ms, 1),
                    "frontier_points": len(frontier),
                    "frontier_proven": frontier.proven,
                }
            )
    worst_plan = max(r["plan_ms"] for r in rows)
    worst_frontier = max(r["frontier_ms"] for r in rows)
    out = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rubric": readiness.load_rubric().label,
        "plan_ms_max": worst_plan,
        "frontier_ms_max": worst_frontier,
        "limits_ms": {"plan": PLAN_LIMIT_MS, "frontier": FRONTIER_LIMIT_MS},
        "runs": rows,
    }
    print(json.dumps(out, indent=2))
    if args.no_check:
        return 0
    return int(worst_plan > PLAN_LIMIT_MS or worst_frontier > FRONTIER_LIMIT_MS)


if __name__ == "__main__":
    sys.exit(main())

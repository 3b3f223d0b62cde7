"""Benchmark plans and frontiers on the shipped examples and print the figures as JSON.

Run with ``make bench`` (or ``python benchmarks/bench_plan.py``).

For every shipped example, with the default rubric, in both ways of treating unrated
criteria (``lower`` and ``rate-first``):

- ``plan_ms``: one ``Assessment.plan("advanced")`` (median of ``--repeat`` runs,
  after one warm-up that loads scipy), including the explained steps;
- ``frontier_ms``: the full effort-score frontier (median of ``--repeat`` runs) and its
  number of points;
- ``solved_by``: which engine planned: ``exact merge`` (separable rubrics, the frontier
  too) or ``solver (HiGHS)``;
- with ``--against-solver``, ``solver``: the same frontier walked by the solver, point
  by point, and whether every effort and score agrees (``make bench`` does not run it).

A case whose first run takes more than ``--slow`` seconds (default 2) is not repeated:
its one time is printed with ``"runs": 1`` (a frontier the solver walks point by point
can take tens of seconds; before the exact merge took in estimates, the rate-first
frontier of ADMM-Plus took 49 s).

The goals the issue sets: one plan under 100 ms, the full frontier under 1 s; ``goals``
prints the slowest of each beside its goal. ``--check`` makes the script exit 1 when one
is missed (``make bench`` reports and goes on).
"""

from __future__ import annotations

import argparse
import json
import os
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


def median_ms(fn: Callable[[], Any], repeat: int, slow: float) -> tuple[float, int, Any]:
    """The median milliseconds of ``repeat`` runs (one when the first takes more than
    ``slow`` seconds), the number of runs and the last result."""
    times: list[float] = []
    result = None
    while len(times) < repeat and not (times and times[0] > slow):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, len(times), result


def against_solver(a: Any, unknown: str, profile: str, frontier: Any) -> dict[str, Any]:
    """The frontier walked by the solver (two HiGHS solves a point, as before the exact
    merge took in estimates) beside the one the command gives: whether every point's
    effort and score agree (to 1e-9) and the walk's seconds."""
    from readiness.gaps import resolve_profile
    from readiness.plan import _Problem, _walk

    problem = _Problem(a, unknown, resolve_profile(a, profile)[0], 10.0)
    start = time.perf_counter()
    walked = _walk(problem)
    seconds = time.perf_counter() - start
    ours = [(p.effort, p.score) for p in frontier.points]
    theirs = [(p.effort, p.score) for p in walked.points]
    agree = len(ours) == len(theirs) and all(
        e1 == e2 and abs(s1 - s2) <= 1e-9 for (e1, s1), (e2, s2) in zip(ours, theirs, strict=True)
    )
    return {"agrees": agree, "walk_s": round(seconds, 2), "walk_points": len(theirs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slow", type=float, default=2.0, help="seconds: run once if slower")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument(
        "--against-solver",
        action="store_true",
        help="also walk each frontier with the solver and say whether the points agree "
        "(slow: up to a minute an example)",
    )
    args = parser.parse_args()
    files = sorted((ROOT / "examples" / "partnerships").glob("*.json"))
    rows = []
    warm = readiness.assess(readiness.load_partnership(files[0]))
    warm.plan("advanced")  # compiles the model and warms the caches, outside the timings
    for path in files:
        a = readiness.assess(readiness.load_partnership(path))
        for unknown in ("lower", "rate-first"):
            plan_ms, plan_runs, plan = median_ms(
                lambda a=a, u=unknown: a.plan("advanced", unknown=u), args.repeat, args.slow
            )
            frontier_ms, frontier_runs, frontier = median_ms(plan.frontier, args.repeat, args.slow)
            rows.append(
                {
                    "example": path.stem,
                    "unknown": unknown,
                    "status": plan.status,
                    "effort": plan.effort,
                    "steps": len(plan.steps),
                    "plan_ms": round(plan_ms, 1),
                    "plan_runs": plan_runs,
                    # the exact merge of Pareto sets takes no solver round
                    "solved_by": "exact merge" if plan.solve_rounds == 0 else "solver (HiGHS)",
                    "frontier_ms": round(frontier_ms, 1),
                    "frontier_runs": frontier_runs,
                    "frontier_points": len(frontier),
                    "frontier_proven": frontier.proven,
                }
            )
            if args.against_solver:
                rows[-1]["solver"] = against_solver(a, unknown, plan.profile, frontier)
    worst_plan = max(r["plan_ms"] for r in rows)
    worst_frontier = max(r["frontier_ms"] for r in rows)
    out = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "rubric": readiness.load_rubric().label,
        "goals": {
            "plan": {
                "slowest_ms": worst_plan,
                "goal": f"under {PLAN_LIMIT_MS:g} ms",
                "met": worst_plan < PLAN_LIMIT_MS,
            },
            "frontier": {
                "slowest_ms": worst_frontier,
                "goal": f"under {FRONTIER_LIMIT_MS:g} ms",
                "met": worst_frontier < FRONTIER_LIMIT_MS,
            },
        },
        "runs": rows,
    }
    print(json.dumps(out, indent=2))
    if not args.check:
        return 0
    return int(worst_plan >= PLAN_LIMIT_MS or worst_frontier >= FRONTIER_LIMIT_MS)


if __name__ == "__main__":
    sys.exit(main())

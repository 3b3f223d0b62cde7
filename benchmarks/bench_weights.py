"""Benchmark weight elicitation: the shipped 12-pillar rubric, 10 assessors, AHP.

Run with ``make bench`` (or ``python benchmarks/bench_weights.py``); prints JSON.

Each of 10 assessors compares every pair of the 12 pillars and every pair of criteria
inside each pillar (66 + 54 pairs: 13 matrices), with judgements drawn around a
weight vector of their own and rounded to Saaty's scale (1-9 and reciprocals). Timed:

- ``elicit_ms``: ``readiness.weights.elicit`` of the 10 assessors: every assessor's
  matrices (eigenvector, CR, inconsistency), the group's by the geometric mean of the
  judgements, the spread and the Dirichlet concentrations;
- ``floor_ms``: the least any eigenvector AHP of the same judgements must do, done the
  way the core does it: one ``numpy.linalg.eig`` per matrix of each assessor (130), the
  element-wise geometric mean of each group of matrices and one ``eig`` per group
  matrix (13), on matrices already built;
- ``incomplete_ms``: the same with 30% of each assessor's pairs left blank (a spanning
  path kept), completed by the optimal completion (no goal; reported).

The three are timed in interleaved rounds (median of ``--repeat``). The goal the issue
sets: ``elicit_ms`` under 50 ms; the script exits 1 when it misses (``--no-check`` to
only report).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from readiness import load_rubric  # noqa: E402
from readiness.rubric import Rubric  # noqa: E402
from readiness.weights import PILLARS, Judgements, elicit  # noqa: E402

GOAL_MS = 50.0
ASSESSORS = 10
SCALE = np.array(
    [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]
)


def _nearest(x: float) -> float:
    return float(SCALE[np.argmin(np.abs(np.log(SCALE) - np.log(x)))])


def _group(items: list[str], rng: np.random.Generator, blank: float) -> dict:
    w = rng.uniform(1, 4, len(items))
    path = {(items[k], items[k + 1]) for k in range(len(items) - 1)}
    out = {}
    for (i, a), (j, b) in itertools.combinations(enumerate(items), 2):
        if (a, b) not in path and rng.random() < blank:
            continue
        out[(a, b)] = _nearest(w[i] / w[j] * float(np.exp(rng.normal(0, 0.3))))
    return out


def judgements(rubric: Rubric, seed: int, blank: float = 0.0) -> list[Judgements]:
    rng = np.random.default_rng(seed)
    people = []
    for k in range(ASSESSORS):
        groups = {PILLARS: _group([p.id for p in rubric.pillars], rng, blank)}
        for p in rubric.pillars:
            if len(p.criteria) > 1:
                groups[p.id] = _group([c.id for c in p.criteria], rng, blank)
        people.append(Judgements(f"assessor {k + 1}", comparisons=groups))
    return people


def make_floor(rubric: Rubric, people: list[Judgements]) -> Callable[[], None]:
    """Eigenvectors of the same matrices and the geometric mean, matrices prebuilt."""
    groups = list(people[0].comparisons)
    items = {PILLARS: [p.id for p in rubric.pillars]} | {
        p.id: [c.id for c in p.criteria] for p in rubric.pillars
    }
    mats: dict[str, list[np.ndarray]] = {}
    for g in groups:
        index = {x: i for i, x in enumerate(items[g])}
        n = len(index)
        for j in people:
            m = np.ones((n, n))
            for (a, b), v in j.comparisons[g].items():
                m[index[a], index[b]], m[index[b], index[a]] = v, 1 / v
            mats.setdefault(g, []).append(m)
    stacks = {g: np.stack(ms) for g, ms in mats.items()}

    def floor() -> None:
        for stack in stacks.values():
            for m in stack:
                np.linalg.eig(m)
            np.linalg.eig(np.exp(np.log(stack).mean(axis=0)))

    return floor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    rubric = load_rubric()
    complete = judgements(rubric, seed=1)
    incomplete = judgements(rubric, seed=2, blank=0.3)
    floor = make_floor(rubric, complete)
    work: dict[str, Callable[[], object]] = {
        "floor": floor,
        "elicit": lambda: elicit(rubric, complete),
        "incomplete": lambda: elicit(rubric, incomplete),
    }
    for f in work.values():  # warm-up: imports (scipy for the completion), caches
        f()
    rounds: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(args.repeat):
        for name, f in work.items():
            t = time.perf_counter()
            f()
            rounds[name].append(time.perf_counter() - t)
    med = {name: statistics.median(times) * 1000 for name, times in rounds.items()}
    e = elicit(rubric, complete)
    result = {
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "numpy": np.__version__,
        "pillars": len(rubric.pillars),
        "criteria": len(rubric.criteria),
        "assessors": ASSESSORS,
        "matrices_per_assessor": 1 + sum(len(p.criteria) > 1 for p in rubric.pillars),
        "elicit_ms": round(med["elicit"], 2),
        "floor_ms": round(med["floor"], 2),
        "ratio_to_floor": round(med["elicit"] / med["floor"], 2),
        "incomplete_ms": round(med["incomplete"], 2),
        "goal_ms": GOAL_MS,
        "goals": {
            "elicit": {
                "elicit_ms": round(med["elicit"], 2),
                "ratio_to_floor": round(med["elicit"] / med["floor"], 2),
                "goal": f"under {GOAL_MS:g} ms",
                "met": med["elicit"] <= GOAL_MS,
            }
        },
        "group_largest_cr": round(e.group.worst_cr() or 0.0, 3),
        "concentration": round(e.concentration or 0.0, 1),
    }
    print(json.dumps(result, indent=2))
    if not args.no_check and med["elicit"] > GOAL_MS:
        print(f"elicit {med['elicit']:.1f} ms misses the goal of {GOAL_MS:g} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

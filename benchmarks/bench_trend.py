"""Benchmark the trend of every ATOP alliance over every year and print the figures as JSON.

Run with ``make bench`` (or ``python benchmarks/bench_trend.py --data DIR``). Needs the
files of ``../shared/data/atop`` (or ``--data``); it says so and exits 0 without them.

- ``atop_trend_seconds``: :func:`readiness.io.atop_trend.atop_trend` on the real 5.1
  member-level and institutionalisation files: all 789 alliances, every year 1815-2018
  read, checked, derived and scored (pillars, overall, band, range), members joining
  and leaving found, and the summary by decade built (goal: under 5 s).
- ``floor_seconds``: the least any such trend must do, printed beside it: reading the
  two CSV files with ``pandas.read_csv`` (no checking, no scoring).
- ``one_alliance_document_seconds``: one alliance's document (NATO, atopid 3180) laid
  out as Markdown from the trends already built.

Every timing is the best of ``--repeat`` runs, after one warm-up (rubric loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from readiness import load_rubric
from readiness.io.atop_trend import atop_trend

ROOT = Path(__file__).resolve().parents[1]
PLACES = [ROOT.parent / "shared/data/atop", ROOT.parent.parent / "shared/data/atop"]
GOAL = 5.0


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=next((p for p in PLACES if p.is_dir()), None))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data: Path | None = args.data
    if data is None or not (data / "atop5_1m.csv").is_file():
        print(json.dumps({"skipped": "ATOP 5.1 files not found (use --data DIR)"}))
        return 0
    members, inst = data / "atop5_1m.csv", data / "atopinst5_1.csv"
    rubric = load_rubric()
    trends = atop_trend(members, rubric, inst=inst)  # warm-up
    seconds = best(lambda: atop_trend(members, rubric, inst=inst), args.repeat)
    floor = best(lambda: (pd.read_csv(members), pd.read_csv(inst)), args.repeat)
    nato = trends.of(3180)
    out = {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "alliances": int(trends.years.index.get_level_values("partnership").nunique()),
        "alliance_years": len(trends.years),
        "membership_changes": len(trends.changes),
        "deepened": int(trends.decades["deepened"].sum()),
        "hollowed_out": int(trends.decades["hollowed_out"].sum()),
        "atop_trend_seconds": round(seconds, 3),
        "floor_seconds": round(floor, 3),
        "times_floor": round(seconds / floor, 1),
        "goal_seconds": GOAL,
        "within_goal": seconds < GOAL,
        "goals": {
            "atop_trend": {
                "seconds": round(seconds, 3),
                "times_floor": round(seconds / floor, 1),
                "goal": f"under {GOAL:g} s",
                "met": seconds < GOAL,
            }
        },
        "one_alliance_document_seconds": round(best(nato.to_markdown, args.repeat), 3),
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark a panel of partnership-dates scored through Dask, beside one process.

Run with ``make bench`` (or ``python benchmarks/bench_dask.py --rows 1000000``). Needs
``readiness[dask]``; without Dask it says so and exits 0.

The panel: ``--rows`` partnership-dates (keys ``partnership`` and ``date``, then one
column per criterion of the default rubric, levels 0-4, about 15% unknown), written
once to ``--partitions`` Parquet files in a temporary folder, as a cluster would find
it. Each contender does the same work, reading the files and scoring every row with
the rubric's default policy (``estimate``), and keeps the scores in memory:

- ``one_process`` (the floor): ``pandas.read_parquet`` of the folder, then one
  :func:`readiness.batch.assess_partition` call on the whole (the core's own worker
  threads included, as a user gets them).
- ``dask_threads``: ``dask.dataframe.read_parquet`` and
  :func:`readiness.batch.assess_dask`, computed on Dask's thread scheduler with
  ``--workers`` workers.
- ``dask_processes``: the same on Dask's process scheduler with ``--workers`` worker
  processes, started once before the timings (their start-up is not counted; shipping
  the scores back to this process is).

Every contender runs the same scoring kernel (``--engine``, numpy by default: ``auto``
would pick the compiled kernel for the one-process call and numpy for the partitions).
The three take turns within each of ``--rounds`` rounds, so that a burst of load hits
them alike; the figures are medians over rounds, with the load average before and after
and each contender's ratio to the floor (below 1: faster than one process). The scores
of each contender are checked once to be those of the floor, value for value.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from readiness import load_rubric
from readiness.batch import assess_dask, assess_partition

KEYS = ["partnership", "date"]


def write_panel(folder: Path, rows: int, partitions: int, seed: int = 0) -> None:
    """``rows`` partnership-dates in ``partitions`` Parquet files."""
    rubric = load_rubric()
    rng = np.random.default_rng(seed)
    bounds = np.linspace(0, rows, partitions + 1).astype(int)
    for i, (start, stop) in enumerate(itertools.pairwise(bounds)):
        n = int(stop - start)
        position = np.arange(start, stop)
        levels = rng.integers(0, 5, size=(n, len(rubric.criterion_ids))).astype(np.float64)
        levels[rng.random(levels.shape) < 0.15] = np.nan
        part = pd.DataFrame(levels, columns=list(rubric.criterion_ids))
        part.insert(0, "partnership", [f"p{k % 20_000}" for k in position])
        part.insert(
            1, "date", pd.Timestamp("1990-01-01") + pd.to_timedelta(position // 20_000, "D")
        )
        part.to_parquet(folder / f"part-{i:04d}.parquet", index=False)


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engine", choices=["numpy", "numba", "auto"], default="numpy")
    args = parser.parse_args()
    try:
        import dask
        import dask.dataframe as dd
    except ImportError:
        print(json.dumps({"skipped": "Dask is not installed (pip install 'readiness[dask]')"}))
        return 0
    rubric = load_rubric()
    engine = args.engine

    with (
        tempfile.TemporaryDirectory() as tmp,
        dask.config.set(
            {"dataframe.convert-string": False}  # the same key types as pandas reads
        ),
    ):
        folder = Path(tmp)
        write_panel(folder, args.rows, args.partitions)

        def one_process() -> pd.DataFrame:
            panel = pd.read_parquet(folder)
            return assess_partition(panel, rubric, keys=KEYS, engine=engine)

        def through_dask(**compute: Any) -> pd.DataFrame:
            panel = dd.read_parquet(folder)
            return assess_dask(panel, rubric, keys=KEYS, engine=engine).compute(**compute)

        spawn = multiprocessing.get_context("spawn")  # as Dask's own process pool starts
        with ProcessPoolExecutor(args.workers, mp_context=spawn) as pool:
            contenders: dict[str, Callable[[], pd.DataFrame]] = {
                "one_process": one_process,
                "dask_threads": lambda: through_dask(scheduler="threads", num_workers=args.workers),
                "dask_processes": lambda: through_dask(scheduler="processes", pool=pool),
            }
            floor = one_process()
            same = {}
            for name, fn in contenders.items():  # a warm-up each (imports, workers), checked
                got = fn().reset_index(drop=True)
                same[name] = bool(got.equals(floor.reset_index(drop=True)))
            load_before = os.getloadavg()
            times = interleaved(contenders, args.rounds)
            load_after = os.getloadavg()

    medians = {name: statistics.median(t) for name, t in times.items()}
    out = {
        "rows": args.rows,
        "partitions": args.partitions,
        "workers": args.workers,
        "engine": engine,
        "cpus": os.cpu_count(),
        "rounds": args.rounds,
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "same_scores_as_one_process": same,
        "seconds_median": {k: round(v, 3) for k, v in medians.items()},
        "seconds_each_round": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "ratio_to_one_process": {
            k: round(v / medians["one_process"], 2) for k, v in medians.items()
        },
        "rows_per_second": {k: round(args.rows / v) for k, v in medians.items()},
    }
    print(json.dumps(out, indent=2))
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

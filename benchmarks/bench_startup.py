"""Benchmark how fast the command line starts; print JSON.

Run with ``make bench`` or on its own::

    python benchmarks/bench_startup.py              # median of 11 runs per command
    python benchmarks/bench_startup.py --runs 21

Each command (``--version``, ``--help``, ``validate examples/partnerships/nato.json``,
``validate rubrics/defense-partnership.yaml``) is run ``--runs`` times as
``python -m readiness ...`` in a fresh process, from the top of the checkout, and the
median wall-clock time and the median CPU time of the process (user + system: a busy
machine can be told from a slow program) are printed in seconds, with the load
average before and after.

Two cases:

- ``bytecode``: the modules' compiled bytecode is there, as after ``pip install``
  (a fresh ``PYTHONPYCACHEPREFIX`` directory, filled by one warm-up run). This is
  what users see.
- ``as_is``: the environment as given. With ``PYTHONDONTWRITEBYTECODE=1`` and a
  checkout that has no ``__pycache__``, every module of ``readiness`` is compiled from
  source on every run, which adds about 0.05-0.1 s.

No timing is asserted here or in the tests; ``tests/test_architecture.py`` checks what
``validate`` imports instead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "version": ["--version"],
    "help": ["--help"],
    "validate": ["validate", "examples/partnerships/nato.json"],
    "validate_rubric": ["validate", "rubrics/defense-partnership.yaml"],
}


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m readiness ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "readiness", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Median wall and CPU seconds per command; the commands take turns."""
    for args in COMMANDS.values():  # warm-up: file cache, and bytecode when allowed
        _run(args, env)
    wall: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpu: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, args in COMMANDS.items():
            w, c = _run(args, env)
            wall[name].append(w)
            cpu[name].append(c)
    return {
        name: {
            "wall_s": round(statistics.median(wall[name]), 3),
            "cpu_s": round(statistics.median(cpu[name]), 3),
        }
        for name in COMMANDS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per command (default 11)")
    args = parser.parse_args()
    base = dict(os.environ)
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH")]))
    out: dict[str, Any] = {
        "python": sys.version.split()[0],
        "runs": args.runs,
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory(prefix="readiness-pyc-") as cache:
        env = base | {"PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        out["bytecode"] = measure(args.runs, env)
    out["as_is"] = measure(args.runs, base)
    out["as_is"]["PYTHONDONTWRITEBYTECODE"] = base.get("PYTHONDONTWRITEBYTECODE")
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps({"startup": out}, indent=2))


if __name__ == "__main__":
    main()

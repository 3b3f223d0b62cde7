"""Benchmark how fast the command line starts, against Python's own floors; print JSON.

Run with ``make bench`` or on its own::

    python benchmarks/bench_startup.py              # median of 11 runs per command
    python benchmarks/bench_startup.py --runs 21 --as-is

Every contender runs ``--runs`` times in a fresh process from the top of the checkout,
the contenders taking turns (run 1 of each, then run 2 of each, ...), so that a change
in the machine's load touches them all alike. Printed per contender: the median
wall-clock seconds and the median CPU seconds of the process (user + system: a busy
machine can be told from a slow program), with the load average before and after.

The contenders:

- ``python_pass``: ``python -c pass``, the interpreter alone;
- ``import_floor``: ``python -c "import numpy, pydantic, yaml"``, the libraries every
  command that reads a partnership needs: the floor of ``validate`` and ``assess``;
- ``model_floor``: the same, with one pydantic model built and used (:data:`MODEL_FLOOR`):
  for context, not a goal's measure;
- ``version``, ``help``: ``readiness --version`` and ``--help``;
- ``validate``: ``readiness validate examples/partnerships/nato.json``;
- ``validate_rubric``: ``readiness validate rubrics/defense-partnership.yaml``;
- ``assess``: ``readiness assess examples/partnerships/nato.json`` (the terminal
  report), the slowest cold command.

``goals`` puts each of issue 23's goals beside the measure: ``--version`` and
``--help`` under 0.1 s; ``validate FILE`` within 1.5x the import floor; ``assess FILE``
within 2x (the ratio of wall-clock medians, and of CPU medians beside it; the ratios to
the model floor follow, for context). ``floors``
gives ``python -c pass`` and the import floor side by side. A summary of one line per
goal, with the load average, goes to standard error. The modules' compiled bytecode
is there, as after ``pip install`` (a fresh ``PYTHONPYCACHEPREFIX`` directory, filled
by warm-up runs). ``--as-is`` adds the same figures in the environment as given (with
``PYTHONDONTWRITEBYTECODE=1`` and a checkout without ``__pycache__``, every module of
``readiness`` is compiled on every run: about 0.05-0.1 s more).

No timing is asserted here or in the tests; ``tests/test_architecture.py`` checks what
the fast commands import instead.
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
NATO = "examples/partnerships/nato.json"

MODEL_FLOOR = """\
import numpy, yaml
from pydantic import BaseModel
class M(BaseModel):
    x: int
M(x=1)
"""
"""The import floor and one pydantic model built and used: ``import pydantic`` loads
pydantic's parts lazily, and the first model built loads the rest (BaseModel's
machinery, and ``importlib.metadata`` with a scan of every installed package's entry
points for pydantic plugins), which any command that reads a file pays."""

CONTENDERS: dict[str, list[str]] = {
    "python_pass": ["-c", "pass"],
    "import_floor": ["-c", "import numpy, pydantic, yaml"],
    "model_floor": ["-c", MODEL_FLOOR],
    "version": ["-m", "readiness", "--version"],
    "help": ["-m", "readiness", "--help"],
    "validate": ["-m", "readiness", "validate", NATO],
    "validate_rubric": ["-m", "readiness", "validate", "rubrics/defense-partnership.yaml"],
    "assess": ["-m", "readiness", "assess", NATO],
}

GOALS: dict[str, tuple[str, float, str]] = {
    # contender: (what it is compared with, the most allowed, how the goal reads)
    "version": ("seconds", 0.1, "under 0.1 s"),
    "help": ("seconds", 0.1, "under 0.1 s"),
    "validate": ("import_floor", 1.5, "within 1.5x the import floor"),
    "assess": ("import_floor", 2.0, "within 2x the import floor"),
}


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Median wall and CPU seconds per contender; the contenders take turns."""
    for args in CONTENDERS.values():  # warm-up: file cache, and bytecode when allowed
        _run(args, env)
    wall: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    cpu: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for _ in range(runs):
        for name, args in CONTENDERS.items():
            w, c = _run(args, env)
            wall[name].append(w)
            cpu[name].append(c)
    return {
        name: {
            "wall_s": round(statistics.median(wall[name]), 3),
            "cpu_s": round(statistics.median(cpu[name]), 3),
        }
        for name in CONTENDERS
    }


def goals(figures: dict[str, Any]) -> dict[str, Any]:
    """Each goal beside its measure: the seconds, or the ratio to the import floor both
    wall-clock (what the goal is stated in; ``met``) and CPU (``met_on_cpu``: what a
    busy machine changes least)."""
    out = {}
    for name, (floor, most, text) in GOALS.items():
        wall = figures[name]["wall_s"]
        if floor == "seconds":
            out[name] = {"seconds": wall, "goal": text, "met": wall < most}
            continue
        ratio = wall / figures[floor]["wall_s"]
        cpu_ratio = figures[name]["cpu_s"] / figures[floor]["cpu_s"]
        out[name] = {
            "seconds": wall,
            f"ratio_to_{floor}": round(ratio, 2),
            f"cpu_ratio_to_{floor}": round(cpu_ratio, 2),
            "ratio_to_model_floor": round(wall / figures["model_floor"]["wall_s"], 2),
            "cpu_ratio_to_model_floor": round(
                figures[name]["cpu_s"] / figures["model_floor"]["cpu_s"], 2
            ),
            "goal": text,
            "met": ratio <= most,
            "met_on_cpu": cpu_ratio <= most,
        }
    return out


def floors(figures: dict[str, Any]) -> dict[str, Any]:
    """The two floors side by side: the interpreter alone, and with the libraries."""
    interpreter, floor = figures["python_pass"], figures["import_floor"]
    return {
        "python_pass_s": interpreter["wall_s"],
        "import_floor_s": floor["wall_s"],
        "import_floor_over_python_pass": round(floor["wall_s"] / interpreter["wall_s"], 2),
        "model_floor_s": figures["model_floor"]["wall_s"],
        "model_floor_over_import_floor": round(
            figures["model_floor"]["wall_s"] / floor["wall_s"], 2
        ),
        "validate_rubric_ratio_to_import_floor": round(
            figures["validate_rubric"]["wall_s"] / floor["wall_s"], 2
        ),
    }


def summary(out: dict[str, Any]) -> str:
    """One line per goal, for a reader of the terminal (the JSON follows on stdout)."""
    fl = out["floors"]
    lines = [
        f"load {out['load_before']} -> {out['load_after']}; python -c pass "
        f"{fl['python_pass_s']:.3f} s; import floor {fl['import_floor_s']:.3f} s; "
        f"with one pydantic model {fl['model_floor_s']:.3f} s"
    ]
    for name, goal in out["goals"].items():
        if "seconds" in goal and "ratio_to_import_floor" not in goal:
            shown = f"{goal['seconds']:.3f} s"
        else:
            shown = (
                f"{goal['seconds']:.3f} s = {goal['ratio_to_import_floor']:.2f}x the floor "
                f"(CPU {goal['cpu_ratio_to_import_floor']:.2f}x; the model floor's "
                f"{goal['ratio_to_model_floor']:.2f}x, CPU {goal['cpu_ratio_to_model_floor']:.2f}x)"
            )
        met = "met" if goal["met"] else "NOT met"
        lines.append(f"{name:8} {shown}; goal {goal['goal']}: {met}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per command (default 11)")
    parser.add_argument(
        "--as-is", action="store_true", help="also measure the environment as given"
    )
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
    out["goals"] = goals(out["bytecode"])
    out["floors"] = floors(out["bytecode"])
    if args.as_is:
        out["as_is"] = measure(args.runs, base)
        out["as_is"]["PYTHONDONTWRITEBYTECODE"] = base.get("PYTHONDONTWRITEBYTECODE")
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(summary(out), file=sys.stderr)
    print(json.dumps({"startup": out}, indent=2))


if __name__ == "__main__":
    main()

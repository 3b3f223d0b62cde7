"""Benchmark the batch command against the parse floor, and report rendering; print JSON.

Run with ``make bench`` (after ``bench_scoring.py``) or on its own::

    python benchmarks/bench_batch.py                          # 10,000 files, 3 rounds
    python benchmarks/bench_batch.py --memory-lines 100000    # also memory at 100,000 lines
    python benchmarks/bench_batch.py --code ../other          # another checkout's code

The contenders, each in a fresh process, taking turns (``--rounds`` rounds of all of
them; medians printed), on N generated partnerships (``benchmarks/make_partnerships.py``:
the examples with new ids, re-drawn ratings and scaled facts; 10-23 KB each, generated
once into ``$TMPDIR/readiness-bench/`` and reused), as N files and as one JSON Lines
file:

- ``files_floor`` / ``jsonl_floor`` / ``stdin_floor``: the floor the issue sets: read
  each file (line), parse it with orjson and validate it with a minimal pydantic model
  of the format's shape (:data:`FLOOR_MODEL`, plain types, none of our checks), nothing
  written;
- ``files_default`` / ``files_jobs1``: ``readiness assess DIR --out scores.csv`` with
  the default ``--jobs`` (one worker per CPU, at most 4) and with ``--jobs 1``;
- ``jsonl_default`` / ``jsonl_jobs1``: the same on the JSON Lines file;
- ``stdin_default`` / ``stdin_jobs1``: the JSON Lines on standard input (``assess - --out``)
  through a pipe (``cat FILE |``), and ``stdin_floor`` reads the same pipe. (A regular
  file redirected, ``< FILE``, is read by the workers as byte ranges of that file, as a
  JSON Lines file given by name: the jsonl figures are its figures.)

For each: wall seconds (start-up included), files per second, CPU seconds of the whole
process tree (a busy machine can be told from a slow program) and the peak memory of
the tree (sampled from /proc, Linux only): ``peak_memory_mb`` sums resident set sizes
(shared pages count once per process), ``peak_pss_mb`` proportional set sizes (a shared
page counts once; sampled every 250 ms). Beside them, ``goals`` puts issue 23's goals
next to the ratios: each command within 3x its floor's time (wall clock; the
ratio of CPU seconds beside it); the default jobs (two
workers on a 2-core machine) at least 1.7x faster than ``--jobs 1``, for files, JSON
Lines and standard input. The load average before and after, and the scoring engine,
are printed too: goals hold "on an idle machine", and on a loaded one the ratios, not
the rates, are the figures to read.

- ``jsonl_N_memory`` (``--memory-lines N``, or ``READINESS_BENCH_100K=1`` for 100,000):
  the peak memory of the tree scoring N lines with the default jobs, against the goal of
  300 MB (proportional set sizes: the pages the workers share with the command count
  once).
- ``report_html_*``: one HTML report of the largest example, with and without charts
  (median of repeats, after a warm-up run that loads matplotlib).

Compiled bytecode is kept in ``$TMPDIR/readiness-bench/pyc`` (as after ``pip install``),
whatever ``PYTHONDONTWRITEBYTECODE`` says.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_partnerships import partnerships  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "readiness-bench"


def files_dir(count: int) -> Path:
    """A directory of ``count`` generated partnership files (made once, then reused)."""
    folder = CACHE / f"files-{count}"
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for i, doc in enumerate(partnerships(count)):
            (folder / f"p{i:06d}.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
        done.touch()
    return folder


def jsonl_file(count: int) -> Path:
    path = CACHE / f"panel-{count}.jsonl"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as stream:
            for doc in partnerships(count):
                stream.write(json.dumps(doc) + "\n")
        tmp.replace(path)
    return path


def _pss(pid: int) -> int:
    """Proportional set size of a process in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree(root: int) -> list[int]:
    """``root`` and all its descendants (fork-server workers are grandchildren): a scan
    of every process's /proc/PID/stat, so the sampler does it only every ``SCAN`` s."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry))
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, []))
    return pids


def _usage(pids: list[int], cpu: dict[int, float], pss: bool) -> tuple[int, int]:
    """Resident and (when ``pss``) proportional bytes of the processes ``pids``; records
    the CPU seconds of each in ``cpu``."""
    page = os.sysconf("SC_PAGE_SIZE")
    tick = os.sysconf("SC_CLK_TCK")
    resident = proportional = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            statm = Path(f"/proc/{pid}/statm").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu[pid] = max(cpu.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / tick)
        resident += int(statm.split()[1]) * page
        proportional += _pss(pid) if pss else 0
    return resident, proportional


SAMPLE = 0.025
"""Seconds between memory samples of the process tree."""

SCAN = 0.1
"""Seconds between scans for new processes in the tree (a scan reads every process's
/proc entry: about 1.2 ms of CPU)."""

PSS_EVERY = 0.25
"""Seconds between proportional-set-size samples (the kernel walks every mapping: about
5 ms of CPU for the command and two workers; every 25 ms that was a fifth of a core
taken from the command being measured on this 2-core machine)."""


CODE = ROOT
"""The checkout whose ``readiness`` the runs import (``--code``)."""


def run_cli(args: list[str], *, module: bool = True, stdin: Path | None = None) -> dict[str, Any]:
    """Run the command (``module=False``: ``python ARGS``), its standard input the
    content of ``stdin`` through a pipe; wall seconds, CPU seconds of the tree and its
    peak memory."""
    # compiled bytecode kept (as after pip install), whatever PYTHONDONTWRITEBYTECODE says
    env = dict(os.environ, PYTHONPATH=str(CODE), PYTHONPYCACHEPREFIX=str(CACHE / "pyc"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    # standard input is a pipe, as in ``cat FILE | readiness assess -``: a regular file
    # redirected (``< FILE``) is read by the workers as a JSON Lines file's byte ranges,
    # which the jsonl figures already measure
    feeder = (
        None if stdin is None else subprocess.Popen(["cat", str(stdin)], stdout=subprocess.PIPE)
    )
    try:
        proc = subprocess.Popen(
            [sys.executable, *(["-m", "readiness"] if module else []), *args],
            cwd=CODE,  # ``-m`` imports from the working directory first: this checkout's code
            env=env,
            stdin=subprocess.DEVNULL if feeder is None else feeder.stdout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        if feeder is not None and feeder.stdout is not None:
            feeder.stdout.close()  # the command holds the pipe's read end now
    peak = peak_pss = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        pids: list[int] = []
        scanned = weighed = -PSS_EVERY
        while not done.is_set():
            if sys.platform == "linux":
                now = time.perf_counter()
                if now - scanned >= SCAN:
                    pids, scanned = _tree(proc.pid), now
                pss = now - weighed >= PSS_EVERY
                weighed = now if pss else weighed
                resident, proportional = _usage(pids, cpu, pss)
                peak, peak_pss = max(peak, resident), max(peak_pss, proportional)
            time.sleep(SAMPLE)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if feeder is not None:
        feeder.wait()
    if proc.returncode != 0:
        raise SystemExit(f"readiness {' '.join(args)} failed:\n{err}")
    # the last SAMPLE seconds of each process are not sampled: a slight undercount
    return {
        "wall": wall,
        "cpu": sum(cpu.values()),
        "peak": peak,
        "peak_pss": peak_pss,
        "stderr": err.strip(),
    }


def _mb(size: int) -> int | None:
    return round(size / 2**20) if size else None


FLOOR_MODEL = """
import datetime, pathlib, sys, orjson, pydantic
from typing import Any

class Evidence(pydantic.BaseModel):
    text: str
    source: str | None = None

class Rating(pydantic.BaseModel):
    level: int | str
    confidence: str | None = None
    evidence: list[Evidence] = []
    note: str | None = None

class Partnership(pydantic.BaseModel):
    format_version: int | None = None
    id: str
    name: str | None = None
    kind: str | None = None
    members: list[str] = []
    established: datetime.date | None = None
    description: str | None = None
    assessor: str | None = None
    assessed_on: datetime.date | None = None
    facts: dict[str, Any] | None = None
    ratings: dict[str, Rating] = {}
"""
"""The floor's model: the partnership format's shape with plain pydantic types (no
validators of ours), as the issue defines the floor."""

FLOOR_FILES = (
    FLOOR_MODEL
    + """
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    Partnership.model_validate(orjson.loads(path.read_bytes()))
"""
)

FLOOR_LINES = (
    FLOOR_MODEL
    + """
with open(sys.argv[1], "rb") as stream:
    for line in stream:
        Partnership.model_validate(orjson.loads(line))
"""
)

FLOOR_STDIN = (
    FLOOR_MODEL
    + """
for line in sys.stdin.buffer:
    Partnership.model_validate(orjson.loads(line))
"""
)


def run_floor(script: str, source: Path, stdin: Path | None = None) -> dict[str, Any]:
    """The floor: a fresh process that reads every file (or line), parses it with
    orjson and validates it with the minimal model; nothing is written."""
    return run_cli(["-c", script, str(source)], module=False, stdin=stdin)


CASES = ("files", "jsonl", "stdin")


def contenders(count: int) -> dict[str, tuple[Callable[[], dict[str, Any]], str]]:
    """Name -> (a run, the case it belongs to); the floors first."""
    folder, panel = files_dir(count), jsonl_file(count)
    out = CACHE / f"scores-{count}.csv"
    return {
        "files_floor": (partial(run_floor, FLOOR_FILES, folder), "files"),
        "files_default": (partial(run_cli, ["assess", str(folder), "--out", str(out)]), "files"),
        "files_jobs1": (
            partial(run_cli, ["assess", str(folder), "--out", str(out), "--jobs", "1"]),
            "files",
        ),
        "jsonl_floor": (partial(run_floor, FLOOR_LINES, panel), "jsonl"),
        "jsonl_default": (partial(run_cli, ["assess", str(panel), "--out", str(out)]), "jsonl"),
        "jsonl_jobs1": (
            partial(run_cli, ["assess", str(panel), "--out", str(out), "--jobs", "1"]),
            "jsonl",
        ),
        "stdin_floor": (partial(run_floor, FLOOR_STDIN, panel, stdin=panel), "stdin"),
        "stdin_default": (
            partial(run_cli, ["assess", "-", "--out", str(out)], stdin=panel),
            "stdin",
        ),
        "stdin_jobs1": (
            partial(run_cli, ["assess", "-", "--out", str(out), "--jobs", "1"], stdin=panel),
            "stdin",
        ),
    }


def bench_batch(count: int, rounds: int) -> dict[str, Any]:
    """Every contender ``rounds`` times, taking turns; medians, and each goal beside
    its ratio."""
    runs = contenders(count)
    seen: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (run, _case) in runs.items():
            seen[name].append(run())
    figures: dict[str, Any] = {}
    for name, results in seen.items():
        wall = statistics.median(r["wall"] for r in results)
        figures[name] = {
            "seconds": round(wall, 2),
            "per_second": round(count / wall),
            "cpu_seconds": round(statistics.median(r["cpu"] for r in results), 2),
            "peak_memory_mb": _mb(max(r["peak"] for r in results)),
            "peak_pss_mb": _mb(max(r["peak_pss"] for r in results)),
        }
    goals: dict[str, Any] = {}
    for name, (_run, case) in runs.items():
        if name.endswith("_floor"):
            continue
        floor = figures[f"{case}_floor"]
        ratio = figures[name]["seconds"] / floor["seconds"]
        goals[name] = {
            # three decimals: a ratio just past its goal never prints as the goal itself
            "ratio_to_floor": round(ratio, 3),
            "cpu_ratio_to_floor": round(figures[name]["cpu_seconds"] / floor["cpu_seconds"], 2),
            "goal": "within 3x",
            "met": ratio <= 3,
        }
    for case in CASES:
        gain = figures[f"{case}_jobs1"]["seconds"] / figures[f"{case}_default"]["seconds"]
        goals[f"{case}_workers_gain"] = {
            "default_over_jobs1": round(gain, 3),
            "goal": "at least 1.7x with two workers on an idle machine",
            "met": gain >= 1.7,
        }
    return {f"batch_{count}": figures, f"batch_{count}_goals": goals}


def bench_memory(count: int) -> dict[str, Any]:
    """The peak memory of the process tree scoring ``count`` JSON Lines (default jobs):
    proportional set sizes summed (a page shared by the command and its forked workers
    counts once), beside resident set sizes summed (it counts once per process)."""
    panel = jsonl_file(count)
    r = run_cli(["assess", str(panel), "--out", str(CACHE / f"scores-{count}-jsonl.csv")])
    peak = _mb(r["peak_pss"] or r["peak"])
    return {
        f"jsonl_{count}_memory": {
            "lines_per_second": round(count / r["wall"]),
            "peak_memory_mb": _mb(r["peak"]),
            "peak_pss_mb": _mb(r["peak_pss"]),
            "goal": "under 300 MB for the process tree",
            "met": peak is not None and peak < 300,
        }
    }


def bench_report(repeat: int) -> dict[str, Any]:
    import readiness
    from readiness.report import build_report, render_html
    from readiness.report.charts import available

    rubric = readiness.load_rubric()
    example = ROOT / "examples" / "partnerships" / "nato.json"
    report = build_report(readiness.assess(readiness.load_partnership(example, rubric), rubric))
    out: dict[str, Any] = {}
    for charts in (False, True):
        if charts and not available():
            out["report_html_charts_ms"] = None
            continue
        render_html(report, charts=charts)  # warm-up: templates, matplotlib
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            render_html(report, charts=charts)
            times.append(time.perf_counter() - start)
        key = "report_html_charts_ms" if charts else "report_html_no_charts_ms"
        out[key] = round(statistics.median(times) * 1000, 1)
    return out


def engine() -> str:
    """The scoring engine the runs use (``READINESS_ENGINE``, else auto)."""
    chosen = os.environ.get("READINESS_ENGINE", "").strip().lower() or "auto"
    if chosen == "auto":
        return "auto (numpy: chunks of 1,000 rows are under the 65,536 rows of numba)"
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each contender")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each report")
    parser.add_argument(
        "--memory-lines",
        type=int,
        default=100_000 if os.environ.get("READINESS_BENCH_100K") else 0,
        help="also the peak memory of the tree scoring this many JSON Lines (0: not run)",
    )
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="the checkout whose readiness is run"
    )
    args = parser.parse_args()
    global CODE
    CODE = args.code.resolve()
    files_dir(args.files)  # generate outside the timings
    jsonl_file(args.files)
    result: dict[str, Any] = {
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "engine": engine(),
        "code": str(CODE),
    }
    result.update(bench_batch(args.files, args.rounds))
    if args.memory_lines:
        result.update(bench_memory(args.memory_lines))
    result.update(bench_report(args.repeat))
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

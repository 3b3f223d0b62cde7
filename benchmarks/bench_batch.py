"""Benchmark the batch command, JSON Lines ingest and report rendering; print JSON.

Run with ``make bench`` (after ``bench_scoring.py``) or on its own::

    python benchmarks/bench_batch.py                      # 10,000 files
    READINESS_BENCH_100K=1 python benchmarks/bench_batch.py   # also 100,000 files

What is measured:

- ``batch_files_*``: ``readiness assess DIR --out scores.csv`` on N generated partnership
  files (``benchmarks/make_partnerships.py``: the examples with new ids, re-drawn
  ratings and scaled facts; 10-23 KB each), in a fresh process: files per second (wall
  clock, start-up included), CPU seconds of the whole process tree (so that a busy
  machine can be told from a slow program), and the peak memory of the tree (the
  command and its worker processes, sampled from /proc, Linux only) twice:
  ``peak_memory_mb`` sums resident set sizes, so pages the processes share (the
  libraries, and the heap forked workers inherit) count once per process;
  ``peak_pss_mb`` sums proportional set sizes, which count a shared page once (sampled
  every 250 ms: reading them costs the kernel a walk of every mapping). Once
  with the default ``--jobs`` (one worker process per CPU, at most 4) and once with
  ``--jobs 1``. The files are generated once into ``$TMPDIR/readiness-bench/`` and
  reused.
- ``batch_jsonl_*``: the same partnerships as one JSON Lines file.
- ``report_html_*``: one HTML report of the largest example, with and without charts
  (median of repeats, after a warm-up run that loads matplotlib).

The 100,000-file case is behind ``READINESS_BENCH_100K=1`` so that ``make bench`` stays
within a few minutes (generating 1.8 GB of files alone takes about two minutes).
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


def run_cli(args: list[str]) -> dict[str, Any]:
    """Run the command; wall seconds, CPU seconds of the tree and its peak memory."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "readiness", *args],
        cwd=ROOT,  # ``-m`` imports from the working directory first: this checkout's code
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
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


def bench_batch(count: int, jobs: int | None) -> dict[str, Any]:
    folder = files_dir(count)
    out = CACHE / f"scores-{count}.csv"
    extra = [] if jobs is None else ["--jobs", str(jobs)]
    r = run_cli(["assess", str(folder), "--out", str(out), *extra])
    tag = f"batch_files_{count}" + ("" if jobs is None else f"_jobs{jobs}")
    return {
        f"{tag}_seconds": round(r["wall"], 2),
        f"{tag}_files_per_second": round(count / r["wall"]),
        f"{tag}_cpu_seconds": round(r["cpu"], 2),
        f"{tag}_peak_memory_mb": _mb(r["peak"]),
        f"{tag}_peak_pss_mb": _mb(r["peak_pss"]),
    }


def bench_jsonl(count: int) -> dict[str, Any]:
    panel = jsonl_file(count)
    r = run_cli(["assess", str(panel), "--out", str(CACHE / f"scores-{count}-jsonl.csv")])
    return {
        f"batch_jsonl_{count}_seconds": round(r["wall"], 2),
        f"batch_jsonl_{count}_lines_per_second": round(count / r["wall"]),
        f"batch_jsonl_{count}_cpu_seconds": round(r["cpu"], 2),
        f"batch_jsonl_{count}_peak_memory_mb": _mb(r["peak"]),
        f"batch_jsonl_{count}_peak_pss_mb": _mb(r["peak_pss"]),
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    counts = [args.files]
    if os.environ.get("READINESS_BENCH_100K"):
        counts.append(100_000)
    result: dict[str, Any] = {
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    for count in counts:
        files_dir(count)  # generate outside the timing
        result.update(bench_batch(count, jobs=None))
        result.update(bench_batch(count, jobs=1))
    result.update(bench_jsonl(args.files))
    result.update(bench_report(args.repeat))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

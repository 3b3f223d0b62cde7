"""Run every benchmark and print each goal beside its measure: ``make bench``.

``python -m benchmarks`` runs the scripts of this folder one after another (never two at
once: they would time each other), each in its own process, shows what each prints, and
keeps each one's JSON in ``.bench/NAME.json``. At the end it gathers every goal the
scripts report and prints one table, also written to ``.bench/goals.md``:

    | benchmark (load) | measure | value | ratio | against | goal | met |

A goal is any JSON object, at any depth, with a ``"goal"`` text and a ``"met"``
boolean. Its value is its first number in a unit (a key ending ``_ms``, ``_mb``,
``seconds`` or ``per_second``) and its ratio the first key starting ``ratio``,
``default_over`` or ``times_floor``; ``against`` says what the ratio divides by (the
floor: what the fastest honest program doing the same work takes). The load
average each script saw is printed beside it: the goals hold on an idle machine.

``--only scoring,batch`` runs a subset; ``--check`` exits 1 when a goal is missed
(plain runs report and exit 0: a benchmark is a measurement, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".bench"

# name: the arguments its script gets under ``make bench``
BENCHES: dict[str, list[str]] = {
    "scoring": [],
    "atop": [],
    "trend": [],
    "robustness": [],
    "plan": [],
    "rate_first": ["--no-check"],
    "batch": [],
    "dask": [],
    "startup": [],
    "estimate": ["--json"],
    "weights": ["--no-check"],
}


@dataclass(frozen=True)
class Goal:
    """One goal a benchmark reports, with the figures that meet or miss it."""

    bench: str
    measure: str
    value: str  # in the measure's own unit (ms, s, MB, files/s), "-" when none
    ratio: str  # to the floor (or to what ``against`` names), "-" when none
    against: str
    goal: str
    met: bool


def goals_in(bench: str, document: Any, path: tuple[str, ...] = ()) -> Iterator[Goal]:
    """Every goal object in one benchmark's JSON, depth first, in document order."""
    if isinstance(document, dict):
        if isinstance(document.get("goal"), str) and isinstance(document.get("met"), bool):
            numbers = {
                k: v
                for k, v in document.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            }
            ratio_key = next((k for k in numbers if k.startswith(_RATIOS)), None)
            value_key = next((k for k in numbers if k.endswith(_UNITS)), None)
            yield Goal(
                bench=bench,
                measure=".".join(p for p in path if not p.endswith("goals")) or bench,
                value=_number(numbers.get(value_key or "")) + _unit(value_key),
                ratio=_number(numbers.get(ratio_key or "")) + ("x" if ratio_key else ""),
                against=_against(ratio_key),
                goal=document["goal"],
                met=document["met"],
            )
            return
        for key, value in document.items():
            yield from goals_in(bench, value, (*path, str(key)))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from goals_in(bench, value, (*path, str(i)))


_RATIOS = ("ratio", "default_over", "times_floor")
_UNITS = ("_ms", "_mb", "seconds", "per_second")


def _unit(key: str | None) -> str:
    if key is None:
        return ""
    for suffix, unit in (("_ms", " ms"), ("_mb", " MB"), ("seconds", " s"), ("per_second", "/s")):
        if key.endswith(suffix):
            return unit
    return ""


def _against(key: str | None) -> str:
    if key is None:
        return "-"
    if key.startswith("ratio_to_"):
        return key.removeprefix("ratio_to_").replace("_", " ")
    if key.startswith("default_over_"):
        return key.removeprefix("default_over_").replace("_", " ")
    return "floor"


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,}"


def table(goals: list[Goal], loads: dict[str, str]) -> str:
    """The goals as one Markdown table, with the load average each script saw."""
    lines = [
        "| benchmark (load) | measure | value | ratio | against | goal | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for g in goals:
        bench = f"{g.bench} ({loads[g.bench]})" if loads.get(g.bench) else g.bench
        mark = "yes" if g.met else "**no**"
        lines.append(
            f"| {bench} | {g.measure} | {g.value} | {g.ratio} | {g.against} | {g.goal} | {mark} |"
        )
    met = sum(g.met for g in goals)
    lines.append("")
    lines.append(f"{met} of {len(goals)} goals met.")
    return "\n".join(lines)


def _load(document: Any) -> str:
    if not isinstance(document, dict):
        return ""
    for key in ("load_average", "load_before", "load"):
        value = document.get(key)
        if isinstance(value, list) and value:
            return "/".join(f"{x:.1f}" for x in value[:3] if isinstance(x, int | float))
    for value in document.values():
        found = _load(value)
        if found:
            return found
    return ""


def run(name: str, args: list[str]) -> Any:
    """One benchmark script in its own process; its JSON (None when it printed none)."""
    script = ROOT / "benchmarks" / f"bench_{name}.py"
    print(f"\n== bench_{name} {' '.join(args)}", flush=True)
    done = subprocess.run(
        [sys.executable, str(script), *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    print(done.stdout, end="", flush=True)
    if done.returncode:
        print(f"bench_{name} exited {done.returncode}", file=sys.stderr)
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        return None
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(done.stdout, encoding="utf-8")
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated names, e.g. scoring,batch")
    parser.add_argument(
        "--summary", action="store_true", help="only print the goals of the last run's JSON"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    options = parser.parse_args(argv)
    names = list(BENCHES) if not options.only else options.only.split(",")
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; known: {', '.join(BENCHES)}")
    documents: dict[str, Any] = {}
    for name in names:
        if options.summary:
            path = OUT / f"{name}.json"
            documents[name] = json.loads(path.read_text("utf-8")) if path.exists() else None
        else:
            documents[name] = run(name, BENCHES[name])
    goals = [g for name, doc in documents.items() for g in goals_in(name, doc)]
    loads = {name: _load(doc) for name, doc in documents.items()}
    text = table(goals, loads)
    print(f"\n== goals (load average: 1/5/15 min, as each script saw it; {os.cpu_count()} CPUs)")
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "goals.md").write_text(text + "\n", encoding="utf-8")
    return 1 if options.check and not all(g.met for g in goals) else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark the ATOP reader on the real 5.1 files and print the figures as JSON.

Run with ``make bench`` (or ``python benchmarks/bench_atop.py --data DIR``). Needs the
files of ``../shared/data/atop`` (or ``--data``); it says so and exits 0 without them.

- ``score_atop``: all 789 alliances read (alliance and inst files), checked, derived and
  scored, every pillar ATOP informs with coverage and the partnership-level ``overall``
  (its distinct values and deciles printed; target: under 1 s).
- ``atop_panel``: the alliance-year panel from the member-level file (target: under 5 s).
- Agreement with ATOP's own measures of Leeds and Anac (2005), military
  institutionalisation (``milinst``) and formality (``formal``), highest over an
  alliance's phases: Spearman correlation of ``overall`` and of the legal pillar with
  each, over the alliances that have both (a check of validity, not a target: the rules
  follow the codebook, not these measures).

Every timing is the best of ``--repeat`` runs, after one warm-up (rubric loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd
from scipy.stats import spearmanr

from readiness import load_rubric
from readiness.io.atop import atop_panel, score_atop

DECILES = [i / 10 for i in range(1, 10)]

ROOT = Path(__file__).resolve().parents[1]
PLACES = [ROOT.parent / "shared/data/atop", ROOT.parent.parent / "shared/data/atop"]


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _agreement(scores: pd.DataFrame, inst: Path) -> dict[str, dict[str, float]]:
    """Spearman of ``overall`` and ``legal`` with milinst and formal (alliances with both)."""
    measures = pd.read_csv(inst).groupby("atopid")[["milinst", "formal"]].max()
    known = measures.reindex([int(i.removeprefix("atop-")) for i in scores.index])
    known.index = scores.index
    out: dict[str, dict[str, float]] = {}
    for column in ("overall", "legal"):
        out[column] = {}
        for measure in ("milinst", "formal"):
            both = scores[column].notna() & known[measure].notna()
            rho = spearmanr(scores.loc[both, column], known.loc[both, measure]).statistic
            out[column][measure] = round(float(rho), 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=next((p for p in PLACES if p.is_dir()), None))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data: Path | None = args.data
    if data is None or not (data / "atop5_1a.csv").is_file():
        print(json.dumps({"skipped": "ATOP 5.1 files not found (use --data DIR)"}))
        return 0
    alliances, members, inst = (
        data / "atop5_1a.csv",
        data / "atop5_1m.csv",
        data / "atopinst5_1.csv",
    )
    rubric = load_rubric()
    scores = score_atop(alliances, rubric, inst=inst)
    panel = atop_panel(members, rubric, inst=inst)
    out = {
        "alliances": len(scores),
        "distinct_legal_values": int(scores["legal"].nunique()),
        "distinct_overall_values": int(scores["overall"].nunique()),
        "overall_deciles": [round(float(x), 1) for x in scores["overall"].quantile(DECILES)],
        "score_atop_seconds": round(
            best(lambda: score_atop(alliances, rubric, inst=inst), args.repeat), 3
        ),
        "spearman_with_leeds_anac": _agreement(scores, inst),
        "alliance_years": len(panel),
        "atop_panel_seconds": round(
            best(lambda: atop_panel(members, rubric, inst=inst), args.repeat), 3
        ),
    }
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

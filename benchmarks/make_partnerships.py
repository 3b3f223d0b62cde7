"""Generate many partnership files for the batch benchmarks.

Each generated partnership is one of the shipped examples with a new id and name, its
ratings re-drawn at random (each with a ``justification``, so an override of a derived
level stays valid), about 10% of them turned ``unknown``, and its numeric facts scaled
by a random factor. The files are as large as the examples (10-23 KB).

    python benchmarks/make_partnerships.py /tmp/parts 10000          # one file each
    python benchmarks/make_partnerships.py /tmp/panel.jsonl 100000   # one JSON Lines file
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "partnerships").glob("*.json"))
_SCALED = ("exercises_per_year", "ministerial_meetings_per_year", "cyber_exercises_per_year")


def partnerships(count: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``count`` partnership documents (plain dicts), reproducible from ``seed``."""
    rng = random.Random(seed)
    bases = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]
    for i in range(count):
        doc = copy.deepcopy(bases[i % len(bases)])
        doc["id"] = f"{doc['id']}-{i}"
        doc["name"] = f"{doc['name']} #{i}"
        for rating in doc.get("ratings", {}).values():
            draw = rng.random()
            if draw < 0.1:
                rating["level"] = "unknown"
            elif draw < 0.6:
                rating["level"] = rng.randint(0, 4)
            rating["justification"] = "generated for the benchmark"
        facts = doc.get("facts") or {}
        for name in _SCALED:
            if isinstance(facts.get(name), int | float):
                facts[name] = round(facts[name] * rng.uniform(0.5, 1.5), 1)
        yield doc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="a directory (one file each) or a .jsonl file")
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    if out.suffix == ".jsonl":
        with out.open("w", encoding="utf-8") as stream:
            for doc in partnerships(args.count, args.seed):
                stream.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        out.mkdir(parents=True, exist_ok=True)
        for i, doc in enumerate(partnerships(args.count, args.seed)):
            (out / f"p{i:06d}.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build or refresh the compatibility corpus (see README.md here).

``python -m tests.compat.build VERSION DOCS.jsonl THEN.jsonl`` keeps the documents of
``DOCS.jsonl`` that the release ``VERSION`` scored against its shipped rubric (their
scores under that release in ``THEN.jsonl``, one line each, from ``score_lines``),
scores them with this checkout and writes ``partnerships-VERSION.jsonl.gz`` and
``expected-VERSION.json``. ``python -m tests.compat.build --refresh`` re-scores every
stored corpus with this checkout. Reasons (``why``) of scores that stay as they were
are kept; a new difference gets ``why: "TODO"``, which fails the tests until it
names the CHANGELOG.md section that explains it.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def score(doc: Any, rubric: Any = None) -> dict[str, Any]:
    """The scores this checkout gives a document (or its error), against ``rubric``
    (default: the shipped rubric)."""
    from readiness import assess, load_rubric
    from readiness.errors import InputError
    from readiness.partnership import partnership_from_dict

    rubric = load_rubric() if rubric is None else rubric
    try:
        p = partnership_from_dict(doc)
        p.check_against(rubric)
        a = assess(p, rubric)
    except InputError as exc:
        return {"error": [f"{pr.path}: {pr.message}" for pr in exc.problems][:5]}

    def number(x: float | None) -> float | None:
        return None if x is None or math.isnan(x) else round(float(x), 4)

    return {
        "overall": number(a.overall),
        "band": a.band.id if a.band else None,
        "lower": number(a.lower),
        "upper": number(a.upper),
        "coverage": number(a.coverage),
    }


def score_lines(path: str) -> None:
    """Print the scores of each document of a JSON Lines file (run under any release)."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        print(json.dumps(score(json.loads(line)), sort_keys=True))


def load(version: str) -> tuple[list[Any], list[dict[str, Any]]]:
    with gzip.open(HERE / f"partnerships-{version}.jsonl.gz", "rt", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    expected = json.loads((HERE / f"expected-{version}.json").read_text(encoding="utf-8"))
    return docs, expected


def write(version: str, docs: list[Any], expected: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(d, sort_keys=True) + "\n" for d in docs)
    with gzip.GzipFile(HERE / f"partnerships-{version}.jsonl.gz", "wb", mtime=0) as f:
        f.write(text.encode("utf-8"))
    (HERE / f"expected-{version}.json").write_text(
        json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def entry(doc: Any, then: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    now = score(doc)
    why = None if now == then else "TODO"
    if old is not None and old.get("now") == now:
        why = old.get("why", why)
    return {"id": doc.get("id"), "then": then, "now": now, "why": why}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--refresh"]:
        for path in sorted(HERE.glob("expected-*.json")):
            version = path.stem.removeprefix("expected-")
            docs, expected = load(version)
            write(
                version, docs, [entry(d, e["then"], e) for d, e in zip(docs, expected, strict=True)]
            )
        return
    version, docs_path, then_path = argv
    docs = [json.loads(x) for x in Path(docs_path).read_text(encoding="utf-8").splitlines()]
    then = [json.loads(x) for x in Path(then_path).read_text(encoding="utf-8").splitlines()]
    kept = [(d, t) for d, t in zip(docs, then, strict=True) if "error" not in t]
    write(version, [d for d, _ in kept], [entry(d, t, None) for d, t in kept])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--score"]:
        score_lines(sys.argv[2])
    else:
        main(sys.argv[1:])

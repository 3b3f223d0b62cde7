"""Every result type in every format it offers, compared byte for byte with a snapshot.

The main report has its own snapshots (``test_snapshots.py``); these hold the other
results (gaps, roadmaps, comparisons, plans, frontiers, robustness, audits, panels,
explanations) to their rendered bytes, so a change to the document vocabulary or a
renderer shows as a reviewed diff. Regenerate with ``make snapshots``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import readiness as rd
from tests.report.test_snapshots import stable_charts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "partnerships"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "results"


@cache
def _a(name: str) -> rd.Assessment:
    return rd.assess(rd.load_partnership(EXAMPLES / f"{name}.json"))


@cache
def _panel() -> Any:
    from readiness.panel import assess_panel, panel_from_partnerships

    base = rd.load_partnership(EXAMPLES / "aukus.json")
    # vary only the criteria no fact decides (a rating far from a derived level needs a
    # justification)
    free = {c.id for c in _a("aukus").criteria if c.origin == "rated"}
    people = []
    for i, shift in enumerate((0, 1, -1)):
        ratings = {
            k: r.model_copy(update={"level": max(0, min(4, r.level + shift))})
            if isinstance(r.level, int) and k in free
            else r
            for k, r in base.ratings.items()
        }
        people.append(base.model_copy(update={"assessor": f"Assessor {i + 1}", "ratings": ratings}))
    return assess_panel(panel_from_partnerships(people), _a("aukus").rubric)


def _results() -> dict[str, Callable[[], Any]]:
    from readiness.audit import audit
    from readiness.robustness import robustness

    names = ("aukus", "fpda", "nato", "quad")
    return {
        "gaps-aukus": lambda: _a("aukus").gaps(),
        "gaps-nato": lambda: _a("nato").gaps(),
        "roadmap-fpda": lambda: _a("fpda").roadmap(),
        "comparison": lambda: rd.compare([_a(n) for n in names]),
        "plan-fpda": lambda: _a("fpda").plan("advanced"),
        "frontier-quad": lambda: _a("quad").plan("advanced").frontier(),
        "robustness": lambda: robustness([_a(n) for n in names], samples=400, n=64),
        "uncertainty": lambda: robustness([_a(n) for n in names], samples=400, n=64).uncertainty,
        "sensitivity": lambda: robustness([_a(n) for n in names], samples=400, n=64).sensitivity,
        "audit": lambda: audit([_a(n) for n in (*names, "anzus", "admm-plus", "us-japan")]),
        "panel": _panel,
        "explanation-aukus": lambda: _a("aukus").explain(),
    }


FORMATS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "markdown": ("md", lambda r: r.to_markdown()),
    "text": ("txt", lambda r: r.to_text()),
    "html": ("html", lambda r: stable_charts(r._repr_html_())),
    "json": ("json", lambda r: json.dumps(r.to_dict(), sort_keys=True, indent=2) + "\n"),
}


def _cases() -> list[tuple[str, str]]:
    return [(name, fmt) for name in _results() for fmt in FORMATS]


@pytest.mark.parametrize(("name", "fmt"), _cases(), ids=lambda x: x)
def test_result_snapshot(name: str, fmt: str, request: pytest.FixtureRequest) -> None:
    pytest.importorskip("matplotlib", reason="HTML snapshots are drawn with charts")
    result = _results()[name]()
    ext, render = FORMATS[fmt]
    text = render(result)  # every result renders in every format, from its document
    path = SNAPSHOTS / f"{name}.{ext}"
    if request.config.getoption("--snapshot-update"):
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path.name}: regenerate with `make snapshots`"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs: `make snapshots`"

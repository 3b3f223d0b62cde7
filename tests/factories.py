"""Builders for rubrics and partnerships used across the tests (no fixtures magic)."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from readiness.rubric import Rubric, rubric_from_dict

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples" / "partnerships"
SMALL = FIXTURES / "small.yaml"

SCALE = [{"level": i, "name": f"L{i}", "meaning": f"level {i}"} for i in range(5)]
BANDS = [
    {"id": "low", "name": "Low", "min": 0},
    {"id": "mid", "name": "Mid", "min": 40},
    {"id": "high", "name": "High", "min": 70},
]


def criterion(cid: str, weight: float = 1.0, **extra: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "title": cid,
        "question": f"{cid}?",
        "weight": weight,
        "levels": {i: f"{cid} at {i}" for i in range(5)},
        "remediation": {i: f"raise {cid} to {i}" for i in range(1, 5)},
        "effort": "low",
        **extra,
    }


def rubric_dict(
    pillars: list[tuple[str, float, str, list[tuple[str, float]]]],
    *,
    aggregation: str = "arithmetic",
    min_coverage: float = 0.0,
    unknown_policy: str = "exclude",
    gates: dict[str, tuple[int, str]] | None = None,
) -> dict[str, Any]:
    """A rubric document. pillars: (id, weight, method, [(criterion id, weight), ...])."""
    gates = gates or {}
    out_pillars = []
    for pid, weight, method, crits in pillars:
        cs = []
        for cid, w in crits:
            extra = {}
            if cid in gates:
                lvl, band = gates[cid]
                extra["critical"] = {"min_level": lvl, "cap_band": band, "reason": "test gate"}
            cs.append(criterion(cid, w, **extra))
        out_pillars.append(
            {
                "id": pid,
                "title": pid,
                "weight": weight,
                "rationale": "test",
                "aggregation": method,
                "criteria": cs,
            }
        )
    return {
        "id": "generated",
        "version": "1.0.0",
        "title": "Generated",
        "scale": SCALE,
        "bands": BANDS,
        "aggregation": aggregation,
        "unknown_policy": unknown_policy,
        "min_coverage": min_coverage,
        "effort_scale": {"low": 1},
        "default_profile": "all",
        "pillars": out_pillars,
        "profiles": [{"id": "all", "title": "All at 4", "default_level": 4}],
    }


def make_rubric(doc: dict[str, Any]) -> Rubric:
    return rubric_from_dict(copy.deepcopy(doc))


METHODS = st.sampled_from(["arithmetic", "geometric", "minimum"])
WEIGHTS = st.floats(min_value=0.1, max_value=10, allow_nan=False)


@st.composite
def rubrics(
    draw: st.DrawFn, *, gates: bool = True, methods: st.SearchStrategy[str] = METHODS
) -> Rubric:
    """Random rubrics: 1-4 pillars of 1-4 criteria, random weights and methods."""
    n_pillars = draw(st.integers(1, 4))
    pillars = []
    for i in range(n_pillars):
        n_crit = draw(st.integers(1, 4))
        crits = [(f"p{i}.c{j}", draw(WEIGHTS)) for j in range(n_crit)]
        pillars.append((f"p{i}", draw(WEIGHTS), draw(methods), crits))
    gate_map = {}
    if gates:
        for _, _, _, crits in pillars:
            for cid, _ in crits:
                if draw(st.booleans()) and draw(st.booleans()):
                    gate_map[cid] = (draw(st.integers(1, 4)), draw(st.sampled_from(["low", "mid"])))
    doc = rubric_dict(
        pillars,
        aggregation=draw(METHODS),
        min_coverage=draw(st.sampled_from([0.0, 0.3, 0.6])),
        unknown_policy=draw(st.sampled_from(["exclude", "worst", "estimate"])),
        gates=gate_map,
    )
    return make_rubric(doc)


def level_matrix(draw: st.DrawFn, rows: int, cols: int, unknown: bool = True) -> np.ndarray:
    choices = [0.0, 1.0, 2.0, 3.0, 4.0] + ([np.nan] if unknown else [])
    values = draw(st.lists(st.sampled_from(choices), min_size=rows * cols, max_size=rows * cols))
    return np.array(values, dtype=np.float64).reshape(rows, cols)


def imported_modules(code: str | ast.AST) -> set[str]:
    """Every module ``code`` (source text or a parsed tree) imports, at any depth:
    ``import x`` gives ``x``, ``from x import y`` gives ``x``."""
    tree = ast.parse(code) if isinstance(code, str) else code
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found

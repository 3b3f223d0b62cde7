"""The house stays as ARCHITECTURE.md draws it: layers (import-linter) and no import cycle."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every module that can reach itself, with one loop through it (iterative DFS)."""
    found = []
    for start in sorted(graph.modules):
        for nxt in graph.find_modules_directly_imported_by(start):
            chain = graph.find_shortest_chain(importer=nxt, imported=start)
            if chain:
                found.append([start, *chain])
                break
    return found


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph("readiness", exclude_type_checking_imports=True)
    # a package importing its own submodules (readiness.report -> readiness.report.html)
    # is how packages re-export; a cycle is anything else that comes back
    cycles = [
        c
        for c in _cycles(graph)
        if not any(b.startswith(a + ".") for a, b in itertools.pairwise(c))
    ]
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_layers_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (it is in the dev group)")
    out = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-3000:]


def test_the_layering_test_can_fail(tmp_path):
    # the same contract on a copy of the package with one upward import added must break
    pkg = tmp_path / "readiness"
    shutil.copytree(ROOT / "readiness", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    rules = pkg / "rules.py"
    rules.write_text(rules.read_text() + "\nfrom readiness.report import model as _m  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (it is in the dev group)")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([lint], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert out.returncode != 0
    assert "readiness.rules is not allowed to import readiness.report" in out.stdout

"""The Python shown in README.md runs as written (blocks in order, one namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import ROOT


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


def test_readme_python_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocks = python_blocks((ROOT / "README.md").read_text())
    assert len(blocks) >= 4
    # run where the README's relative paths resolve, but write files into tmp_path
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"README python block {i + 1} fails: {exc!r}\n{block}")
    assert (tmp_path / "nato.html").stat().st_size > 10_000
    scores = namespace["scores"]
    assert len(scores) == len(list((ROOT / "examples" / "partnerships").glob("*.json")))  # type: ignore[arg-type]

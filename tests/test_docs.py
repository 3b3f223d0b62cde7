"""What README.md and the documentation pages show runs as written.

- The Python of README.md and of each page below runs (blocks in order, one namespace a
  page), where the relative paths resolve, writing into a temporary folder.
- Every ``readiness`` line of README.md's shell blocks runs in a temporary folder with
  exit 0, in order (the questionnaire round trip writes what the next lines read).
- Every relative link of README.md names a file that exists.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ROOT

README = ROOT / "README.md"

PAGES = ["README.md", "docs/getting-started.md", "docs/tour.md", "docs/plans.md", "docs/reports.md"]
PAGES += ["docs/partnerships.md", "docs/robustness.md", "docs/trend.md", "docs/rubrics.md"]
PAGES += ["docs/rate-first.md"]
"""Pages whose Python runs on the shipped examples. docs/assessors.md and docs/atop.md
read files a user makes (filled questionnaires, the ATOP data), which examples/analyst.ipynb
and their own tests cover."""


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


def shell_lines(markdown: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", markdown, flags=re.DOTALL)
    return [
        line for block in blocks for line in block.splitlines() if line.startswith("readiness ")
    ]


def run_page(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    blocks = python_blocks((ROOT / page).read_text(encoding="utf-8"))
    assert blocks, f"{page} has Python to run"
    # run where the relative paths resolve, but write files into tmp_path
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{page} python block {i + 1}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{page} python block {i + 1} fails: {exc!r}\n{block}")
    return namespace


@pytest.mark.parametrize("page", PAGES)
def test_the_python_of_a_page_runs(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    run_page(page, tmp_path, monkeypatch)
    if page == "docs/reports.md":
        assert (tmp_path / "nato.html").stat().st_size > 10_000


def test_the_readme_what_if_moves_the_score(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    namespace = run_page("README.md", tmp_path, monkeypatch)
    a, scenario = namespace["a"], namespace["scenario"]
    assert scenario.overall > a.overall + 0.5  # type: ignore[attr-defined]
    shown = re.search(r"# (\d+\.\d) -> (\d+\.\d)\n", README.read_text(encoding="utf-8"))
    assert shown is not None
    assert shown.groups() == (f"{a.overall:.1f}", f"{scenario.overall:.1f}")  # type: ignore[attr-defined]
    assert namespace["plan"].status == "optimal"  # type: ignore[attr-defined]


def test_the_readme_commands_run_as_written(tmp_path: Path):
    lines = shell_lines(README.read_text(encoding="utf-8"))
    assert len(lines) >= 10
    assert not [line for line in lines if "FILE" in line or "..." in line]  # no placeholders
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    # this checkout's package, whatever the venv's editable install points at
    env = os.environ | {"PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    command = f"{shlex.quote(sys.executable)} -m readiness"
    for line in lines:
        r = subprocess.run(
            command + line.removeprefix("readiness"),
            shell=True,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert r.returncode == 0, f"{line}\n{r.stderr[-3000:]}"
    assert (tmp_path / "nato.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "scores.csv").read_text(encoding="utf-8").count("\n") > 5
    assert (tmp_path / "aukus-ann.json").exists()  # the questionnaire came back


def test_the_readme_says_to_activate_the_venv_before_readiness_lines():
    text = README.read_text(encoding="utf-8")
    assert "source .venv/bin/activate" in text
    assert text.index("source .venv/bin/activate") < text.index("\nreadiness ")


def test_the_readme_links_name_files_that_exist():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text)
    assert len(links) >= 10
    for link in links:
        assert (ROOT / link).exists(), link

"""The documentation site builds with ``mkdocs build --strict`` (no broken link, no
unknown API name, no docstring the reference cannot read), and what it generates from
the code is complete: every public name, every command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import readiness
from tests.factories import ROOT

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    # this checkout's package, whatever the venv's editable install points at
    env = os.environ | {"PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-5000:]
    return out


def test_the_api_reference_has_every_public_name(site: Path):
    html = (site / "api.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'id="([^"]+)"', html))
    for name in readiness.__all__:
        if name != "__version__":
            assert f"{readiness._EXPORTS[name]}.{name}" in anchors, name


def test_the_command_reference_has_every_command(site: Path):
    from readiness.cli import _parser

    html = (site / "cli-reference.html").read_text(encoding="utf-8")
    parser = _parser()
    commands = next(a for a in parser._actions if hasattr(a, "choices") and a.choices).choices
    assert len(commands) > 10
    for name in commands:
        assert f"usage: readiness {name}" in html, name


def test_the_changelog_page_is_the_changelog(site: Path):
    html = (site / "changelog.html").read_text(encoding="utf-8")
    first = re.search(r"^### (.+)$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert first is not None
    assert first.group(1) in html  # the newest entry
    assert "0.2.0 (2026-12-03)" in html


def test_nothing_is_fetched_from_another_site(site: Path):
    # no web fonts, scripts or style sheets from elsewhere: the pages work offline
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        external = re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="(https?://[^"]+)"', text)
        assert external == [], (page.name, external)

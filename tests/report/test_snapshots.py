"""Every example in every report format, compared byte for byte with a stored snapshot.

After a deliberate change to a renderer, the rubric or an example, regenerate with
``make snapshots`` (``pytest -q tests/report --snapshot-update``) and review the diff.
HTML snapshots are rendered with charts, so they also change with matplotlib's version.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from readiness.report import Report, render_html, render_json, render_markdown, render_text
from tests.report.helpers import EXAMPLE_FILES, example_report

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"

FORMATS: dict[str, tuple[str, Callable[[Report], str]]] = {
    "markdown": ("md", render_markdown),
    "json": ("json", render_json),
    "html": ("html", lambda r: render_html(r, charts=True)),
    "text": ("txt", render_text),
}
HINT = "regenerate with `make snapshots` (pytest -q tests/report --snapshot-update)"


@pytest.fixture
def update(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--snapshot-update"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_snapshot(path: Path, fmt: str, update: bool) -> None:
    ext, render = FORMATS[fmt]
    if fmt == "html":
        pytest.importorskip("matplotlib", reason="HTML snapshots are drawn with charts")
    text = render(example_report(path))
    snapshot = SNAPSHOTS / f"{path.stem}.{ext}"
    if update:
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_bytes(text.encode("utf-8"))
        return
    assert snapshot.exists(), f"no snapshot {snapshot.name}: {HINT}"
    expected = snapshot.read_bytes().decode("utf-8")
    assert text == expected, f"{snapshot.name} differs from the rendered report: {HINT}"


def test_no_stale_snapshots(update: bool) -> None:
    """A snapshot whose example is gone is removed on update, and fails otherwise."""
    stems = {p.stem for p in EXAMPLE_FILES}
    exts = {ext for ext, _ in FORMATS.values()}
    stale = sorted(
        f
        for f in SNAPSHOTS.glob("*")
        if f.is_file() and (f.stem not in stems or f.suffix[1:] not in exts)
    )
    if update:
        for f in stale:
            f.unlink()
        return
    assert not stale, f"snapshots without an example: {[f.name for f in stale]}; {HINT}"

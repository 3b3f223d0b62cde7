"""The robustness set report as text (``readiness robustness --format table``): the same
document as the Markdown one, the coherence audit included, compared with a snapshot.

Regenerate after a deliberate change with ``pytest -q tests/report --snapshot-update``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from readiness.audit import Audit, audit
from readiness.document import Document, render_markdown, render_section_text, render_text
from readiness.robustness import Robustness, robustness
from tests.report.helpers import EXAMPLE_FILES, example_assessment

SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "robustness" / "examples.txt"
HINT = "regenerate with `make snapshots` (pytest -q tests/report --snapshot-update)"


@functools.cache
def _examples() -> tuple[Robustness, Audit]:
    results = [example_assessment(p) for p in EXAMPLE_FILES]
    return robustness(results, samples=1000, seed=0, n=64), audit(results)


def _report(r: Robustness, checked: Audit | None) -> Document:
    """The set report as the CLI builds it: the analysis, then the audit."""
    doc = r.to_document()
    return doc if checked is None else doc.with_sections(checked.to_document().as_section())


def test_text_report_matches_its_snapshot(request: pytest.FixtureRequest) -> None:
    r, checked = _examples()
    text = render_text(_report(r, checked))
    if request.config.getoption("--snapshot-update"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_bytes(text.encode("utf-8"))
        return
    assert SNAPSHOT.exists(), f"no snapshot {SNAPSHOT.name}: {HINT}"
    assert text == SNAPSHOT.read_bytes().decode("utf-8"), f"{SNAPSHOT.name} differs: {HINT}"


def test_text_report_has_every_section_of_the_markdown_one() -> None:
    r, checked = _examples()
    doc = _report(r, checked)
    text, md = render_text(doc), render_markdown(doc)
    for title in (
        "Probability that the row ranks above the column",
        "Sobol total indices of the overall score",
        "Tightest pillar-weight margin per partnership",
        f"Coherence audit ({r.panel.n} partnerships)",
    ):
        assert f"\n{title}" in text
        assert f"\n## {title}" in md
    assert text.endswith(render_section_text(checked.to_document().as_section()))
    assert "Coherence audit" not in r.to_text()


def test_audit_text_and_markdown_say_the_same() -> None:
    _, checked = _examples()
    text, md = checked.to_text(), checked.to_markdown()
    for pid, row in checked.pillars.iterrows():
        line = next(x for x in text.splitlines() if x.split()[:1] == [pid])
        cells = line.split()
        # counts are whole numbers, as in the Markdown table
        assert cells[1:3] == [str(int(row["criteria"])), str(int(row["complete"]))]
        assert f"| {pid} | {' | '.join(cells[1:])} |" in md
    for c in checked.never_vary:
        assert c in text and f"`{c}`" in md


def test_cli_table_format_shows_the_audit() -> None:
    from tests.cli_harness import run_cli

    files = [str(p) for p in EXAMPLE_FILES[:3]]
    args = ["robustness", *files, "--samples", "200", "--sobol", "64"]
    r = run_cli(*args, "--format", "table", cwd=None)
    assert r.returncode == 0
    out = r.stdout
    assert "Coherence audit (3 partnerships)" in out and "Ordinal alpha" in out
    r = run_cli(*args[:3], "--samples", "200", "--sobol", "64", "--format", "table", cwd=None)
    assert r.returncode == 0
    assert "Coherence audit" not in r.stdout  # two files: no audit


def test_cli_markdown_and_json_are_the_document() -> None:
    """``--format markdown`` is the document's Markdown; ``--format json`` its data,
    with ``audit`` null for fewer than three files."""
    import json

    from tests.cli_harness import run_cli

    files = [str(p) for p in EXAMPLE_FILES[:3]]
    args = ["robustness", *files, "--samples", "200", "--sobol", "64", "--format"]
    results = [example_assessment(Path(p)) for p in files]
    r = robustness(results, samples=200, seed=0, n=64)
    md = run_cli(*args, "markdown", cwd=None)
    assert md.returncode == 0
    assert md.stdout == render_markdown(_report(r, audit(results)))
    data = json.loads(run_cli(*args[:3], *args[4:], "json", cwd=None).stdout)
    assert data["audit"] is None and set(data["dominance"]) == {r.labels[0], r.labels[1]}

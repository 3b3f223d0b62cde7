"""Three assessors from two sides: questionnaires -> one command -> consensus report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from readiness import load_partnership
from readiness.derive import derive_partnership
from readiness.report.charts import available as charts_available
from readiness.rubric import load_rubric
from tests.cli_harness import assert_clean_error, cli, run_cli
from tests.factories import EXAMPLES

openpyxl = pytest.importorskip("openpyxl")

AUKUS = str(EXAMPLES / "aukus.json")
# (assessor, side, shift of every level of the example): Cy sees far less than Bob
PEOPLE = (("Ann", "AUS", 0), ("Bob", "USA", 1), ("Cy", "USA", -2))
# the questionnaires carry aukus.json's facts: a level they derive is not contradicted
# without a justification, so the assessors move the other criteria only
DERIVED = {
    cid
    for cid, d in derive_partnership(load_partnership(AUKUS), load_rubric()).items()
    if d.level is not None
}


def filled(tmp_path: Path) -> list[str]:
    """Each assessor writes a template, fills it in a spreadsheet and saves it."""
    paths = []
    for who, side, shift in PEOPLE:
        path = tmp_path / f"{who}.xlsx"
        r = run_cli("template", "--partnership", AUKUS, "-o", str(path), cwd=None)
        assert r.returncode == 0, r.stderr
        wb = openpyxl.load_workbook(path)
        cover = wb["Cover"]
        for r in range(2, cover.max_row + 1):
            key = cover.cell(r, 1).value
            value = {"assessor": who, "side": side, "organisation": f"MoD {side}"}.get(key)
            if value:
                cover.cell(r, 2).value = value
        sheet = wb["Criteria"]
        for r in range(2, sheet.max_row + 1):
            level = sheet.cell(r, 5).value
            if isinstance(level, int) and sheet.cell(r, 2).value not in DERIVED:
                sheet.cell(r, 5).value = max(0, min(4, level + shift))
        wb.save(path)
        paths.append(str(path))
    return paths


def test_one_command_gives_consensus_agreement_adjudication_and_perception_in_html(tmp_path):
    out = tmp_path / "panel-report.html"
    r = cli("agreement", *filled(tmp_path), "-o", str(out))
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    assert "Readiness of AUKUS" in page  # the consensus assessment's full report
    for section in ('id="panel"', 'id="adjudication"', 'id="perception"'):
        assert section in page
    assert "Krippendorff" in page and "MoD AUS" in page
    assert "trust.information-openness" in page.split('id="adjudication"')[1]
    # a section added to the report (report.extra), before its evidence appendix
    assert page.index('id="panel"') < page.index('id="evidence"')
    if charts_available():
        assert 'aria-label="Perception gap: each side' in page


def test_the_perception_chart_is_deterministic_svg():
    pytest.importorskip("matplotlib")
    from readiness.document import Chart
    from readiness.panel import assess_panel, panel_from_dict

    rate = {"trust.commitment-record": {"level": 1}}
    doc = {
        "partnership": {
            "id": "p",
            "name": "P",
            "kind": "bilateral-alliance",
            "members": ["A", "B"],
        },
        "assessments": [
            {"assessor": "x", "side": "A", "ratings": rate},
            {"assessor": "y", "side": "B", "ratings": {"trust.commitment-record": {"level": 4}}},
        ],
    }
    result = assess_panel(panel_from_dict(doc))
    (perception,) = [s for s in result.to_document().sections() if s.id == "perception"]
    (chart,) = [b for b in perception.blocks if isinstance(b, Chart)]
    svg = chart.draw()
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert f'aria-label="{chart.alt}"'.replace("'", "&#x27;") in svg
    assert svg == chart.draw()
    assert svg.strip() in result.to_html(charts=True)


def test_import_then_assess_and_report_in_every_format(tmp_path):
    panel = tmp_path / "panel.json"
    assert cli("import", *filled(tmp_path), "-o", str(panel)).returncode == 0
    doc = json.loads(panel.read_text())
    assert [a["side"] for a in doc["assessments"]] == ["AUS", "USA", "USA"]
    r = cli("assess", str(panel))
    assert r.returncode == 0
    text = r.stdout
    assert "To adjudicate" in text and "Perception gap: how AUS and USA see" in text
    r = cli("assess", str(panel), "--format", "markdown")
    assert r.returncode == 0
    assert "\n### Perception gap: how AUS and USA see" in r.stdout
    r = cli("assess", str(panel), "--format", "json")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["panel"]["rule"] == "median"
    assert data["panel"]["perception"]["sides"] == ["AUS", "USA"]
    assert "trust.commitment-record" in data["panel"]["agreement"]["adjudication"]
    widened = data["panel"]["interval"]["widened"]
    assert widened == [data["lower"], data["upper"]]
    assert widened[0] < data["panel"]["interval"]["consensus"][0]
    r = cli("report", str(panel), "--format", "html", "-o", str(tmp_path / "r.html"))
    assert r.returncode == 0
    assert '<section id="perception">' in (tmp_path / "r.html").read_text()
    r = cli("report", str(panel), "--consensus", "max", "--format", "json")
    assert r.returncode == 0
    assert json.loads(r.stdout)["panel"]["rule"] == "max"


def test_agreement_text_and_the_partnership_files_path(tmp_path):
    base = json.loads(Path(AUKUS).read_text())
    files = []
    for who, side, shift in PEOPLE:
        doc = dict(base, assessor=who)
        doc["ratings"] = {
            k: dict(v, perspective=side)
            | ({"level": max(0, min(4, v["level"] + shift))} if isinstance(v["level"], int) else {})
            for k, v in base["ratings"].items()
        }
        doc.pop("facts")
        path = tmp_path / f"{who}.json"
        path.write_text(json.dumps(doc))
        files.append(str(path))
    r = cli("agreement", *files)
    assert r.returncode == 0
    out = r.stdout
    assert out.startswith("AUKUS")
    assert re.search(r"Krippendorff's alpha -?\d\.\d\d \(ordinal\)", out)
    assert "Perception gap: how AUS and USA see the partnership\n-----" in out


def test_import_errors_name_the_cell_and_write_nothing(tmp_path):
    path = tmp_path / "q.xlsx"
    assert cli("template", "-o", str(path)).returncode == 0
    wb = openpyxl.load_workbook(path)
    wb["Cover"]["B2"], wb["Cover"]["B3"], wb["Cover"]["B4"] = "x", "X", "bilateral-alliance"
    wb["Cover"]["B5"], wb["Cover"]["B9"] = "FRA, DEU", "Ann"
    wb["Criteria"]["E14"] = "high"
    wb.save(path)
    out = tmp_path / "p.json"
    out.write_text("keep me")
    r = cli("import", str(path), "-o", str(out))
    assert_clean_error(r, f"{path}: Criteria!E14: level must be 0-4, not-applicable or unknown")
    assert out.read_text() == "keep me"


def test_template_formats_and_help(tmp_path):
    for fmt in ("csv", "json"):
        r = cli("template", "--format", fmt, "-o", str(tmp_path / f"t.{fmt}"))
        assert r.returncode == 0, r.stderr
    assert_clean_error(cli("template", "-o", str(tmp_path / "t.ods")), "xlsx, csv, json")
    r = cli("agreement", "--help")
    assert r.returncode == 0 and "adjudicate" in r.stdout


def test_a_bad_rating_in_one_of_several_files_names_that_file(tmp_path: Path) -> None:
    """A problem the panel finds in the i-th of several partnership files (a rating far
    from the derived level, no justification) is reported against that file and its
    JSON path, exit 2, no traceback (it once ended in a NameError)."""
    doc = json.loads(Path(AUKUS).read_text(encoding="utf-8"))
    rubric = load_rubric()
    derived = derive_partnership(load_partnership(AUKUS, rubric), rubric)
    cid = next(c for c, d in derived.items() if d.level is not None and d.level <= 2)
    files = []
    for i in range(3):
        person = dict(doc, assessor=f"Assessor {i}")
        if i == 1:
            person["ratings"] = dict(doc.get("ratings", {}), **{cid: {"level": 4}})
        path = tmp_path / f"a{i}.json"
        path.write_text(json.dumps(person), encoding="utf-8")
        files.append(str(path))
    r = cli("agreement", *files)
    assert_clean_error(r, files[1], f"$.ratings['{cid}']", "add a justification")

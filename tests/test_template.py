"""Questionnaire templates and their import: round trip, and errors named by cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readiness.assessment import assess
from readiness.errors import InputError, ReportError
from readiness.io.questionnaire import panel_from_questionnaires, read_questionnaire
from readiness.io.template import CRITERIA_COLUMNS, write_template
from readiness.partnership import partnership_from_dict
from readiness.report import build_report
from readiness.rubric import load_rubric
from tests.factories import EXAMPLES

openpyxl = pytest.importorskip("openpyxl")

RUBRIC = load_rubric()


def example(name: str = "aukus") -> dict[str, Any]:
    """An example partnership without facts: what an assessor fills in by hand."""
    doc = json.loads((EXAMPLES / f"{name}.json").read_text())
    doc.pop("facts", None)
    return doc


def cover_of(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "name": doc["name"],
        "kind": doc["kind"],
        "members": ", ".join(m if isinstance(m, str) else m["code"] for m in doc["members"]),
        "established": doc.get("established"),
        "description": doc.get("description"),
        "assessor": doc.get("assessor"),
        "assessed_on": doc.get("assessed_on"),
    }


def rows_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The fill-in cells: a row per rated criterion, a further row per extra evidence."""
    rows = []
    for cid, r in doc["ratings"].items():
        ev = r.get("evidence") or [{}]
        first = {"id": cid, "level": r["level"], "confidence": r.get("confidence")}
        first |= {"note": r.get("note"), "justification": r.get("justification")}
        for n, e in enumerate(ev):
            row = first if n == 0 else {"id": cid}
            row = row | {
                "evidence": e.get("text"),
                "source": e.get("source"),
                "date": e.get("date"),
                "url": e.get("url"),
            }
            rows.append(row)
    return rows


def fill_xlsx(path: Path, cover: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Cover"]
    for r in range(2, ws.max_row + 1):
        key = ws.cell(r, 1).value
        if cover.get(key) is not None:
            value = cover[key]
            if key in ("assessed_on", "established"):
                value = dt.date.fromisoformat(value)  # a real date cell, as Excel makes
            ws.cell(r, 2).value = value
    sheet = wb["Criteria"]
    header = [c.value for c in sheet[1]]
    where = {sheet.cell(r, 2).value: r for r in range(2, sheet.max_row + 1)}
    extra = sheet.max_row + 1
    seen = set()
    for row in rows:
        if row["id"] in seen:  # a further piece of evidence: a new row below the table
            r, extra = extra, extra + 1
            sheet.cell(r, header.index("id") + 1).value = row["id"]
        else:
            r = where[row["id"]]
            seen.add(row["id"])
        for key, value in row.items():
            if value is not None and key != "id":
                sheet.cell(r, header.index(key) + 1).value = value
    wb.save(path)


def fill_csv(path: Path, cover: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    start = next(i for i, line in enumerate(lines) if line[:2] == ["pillar", "id"])
    for line in lines[1:start]:
        if line and cover.get(line[0]) is not None:
            line[1] = cover[line[0]]
    header = lines[start]
    where = {line[1]: line for line in lines[start + 1 :]}
    seen = set()
    for row in rows:
        if row["id"] in seen:
            target = [""] * len(header)
            target[1] = row["id"]
            lines.append(target)
        else:
            target = where[row["id"]]
            seen.add(row["id"])
        for key, value in row.items():
            if value is not None:
                target[header.index(key)] = str(value)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def fill_json(path: Path, cover: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    doc = json.loads(path.read_text())
    doc["cover"] |= {k: v for k, v in cover.items() if v is not None}
    by_id = {c["id"]: c for c in doc["criteria"]}
    for row in rows:
        item = by_id[row["id"]]
        if not item["evidence"] and row.get("level") is not None:
            item |= {k: row.get(k) for k in ("level", "confidence", "note", "justification")}
        if row.get("evidence"):
            piece = {"text": row["evidence"], "source": row["source"]}
            item["evidence"].append(piece | {k: row[k] for k in ("date", "url") if row.get(k)})
    path.write_text(json.dumps(doc))


FILL = {"xlsx": fill_xlsx, "csv": fill_csv, "json": fill_json}


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
@pytest.mark.parametrize("name", ["aukus", "nato"])
def test_template_fill_import_assess_equals_the_json_path(tmp_path, fmt, name):
    doc = example(name)
    path = tmp_path / f"q.{fmt}"
    assert write_template(path, RUBRIC) == fmt
    FILL[fmt](path, cover_of(doc), rows_of(doc))
    imported = read_questionnaire(path, RUBRIC).partnership()
    direct = partnership_from_dict(doc)
    assert imported == direct
    assert (
        build_report(assess(imported, RUBRIC)).to_dict()
        == build_report(assess(direct, RUBRIC)).to_dict()
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_template_filled_from_a_partnership_reads_back_the_same(tmp_path, fmt):
    p = partnership_from_dict(example("us-japan"))
    path = tmp_path / f"q.{fmt}"
    write_template(path, RUBRIC, partnership=p)
    assert read_questionnaire(path, RUBRIC).partnership() == p


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_text_that_starts_a_formula_never_runs_and_reads_back_as_written(tmp_path, fmt):
    """A name or a note starting with ``=`` (or ``+ - @``) is text in the questionnaire:
    a string cell in xlsx (openpyxl would store a formula), a quoted cell in CSV."""
    doc = example("us-japan")
    doc["name"] = '=HYPERLINK("http://example.org","click")'
    first = next(iter(doc["ratings"]))
    doc["ratings"][first]["note"] = "-1+2"
    doc["ratings"][first]["justification"] = "@SUM(A1)"
    p = partnership_from_dict(doc)
    path = tmp_path / f"q.{fmt}"
    write_template(path, RUBRIC, partnership=p)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        kinds = {cell.data_type for sheet in book for row in sheet.iter_rows() for cell in row}
        assert "f" not in kinds
    else:
        cells = [cell for row in csv.reader(io.StringIO(path.read_text("utf-8"))) for cell in row]
        assert "'-1+2" in cells and "'@SUM(A1)" in cells
        assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]
    assert read_questionnaire(path, RUBRIC).partnership() == p


def test_xlsx_has_drop_down_lists_and_every_criterion(tmp_path):
    path = tmp_path / "q.xlsx"
    write_template(path, RUBRIC)
    wb = openpyxl.load_workbook(path)
    sheet = wb["Criteria"]
    assert [c.value for c in sheet[1]][: len(CRITERIA_COLUMNS)] == list(CRITERIA_COLUMNS)
    assert [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)] == list(
        RUBRIC.criterion_ids
    )
    lists = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation
    }
    assert lists["E2"] == '"0,1,2,3,4,not-applicable,unknown"'
    assert lists["F2"] == '"low,medium,high"'
    assert sheet.cell(2, 13).value == RUBRIC.criteria[0].levels[0]  # level 0 descriptor
    assert "Scale" in wb.sheetnames


def _blank_filled(tmp_path: Path, fmt: str, rows: list[dict[str, Any]]) -> Path:
    doc = example()
    path = tmp_path / f"q.{fmt}"
    write_template(path, RUBRIC)
    FILL[fmt](path, cover_of(doc), rows)
    return path


def test_xlsx_errors_name_sheet_and_cell(tmp_path):
    ids = RUBRIC.criterion_ids
    rows = [
        {"id": ids[0], "level": 7},
        {"id": ids[2], "level": 2, "confidence": "sure"},
        {"id": ids[3], "level": 3, "evidence": "seen", "date": "2020-13-01", "source": "x"},
        {"id": ids[5], "level": "2.5"},
    ]
    path = _blank_filled(tmp_path, "xlsx", rows)
    with pytest.raises(InputError) as err:
        read_questionnaire(path, RUBRIC)
    found = {p.path: p.message for p in err.value.problems}
    assert found["Criteria!E2"].startswith("level must be 0-4, not-applicable or unknown")
    assert "(got 7)" in found["Criteria!E2"]
    assert "(got '2.5')" in found["Criteria!E7"]
    assert str(err.value).startswith(f"{path}: ")
    # the fields the partnership model checks, in the same run, at their cells
    assert "Criteria!F4" in found and "low" in found["Criteria!F4"]
    assert "Criteria!I5" in found and "YYYY-MM-DD" in found["Criteria!I5"]
    assert len(found) == 4


def test_csv_errors_name_line_and_column(tmp_path):
    path = _blank_filled(tmp_path, "csv", [{"id": RUBRIC.criterion_ids[1], "level": "high"}])
    with pytest.raises(InputError, match=r"line 16, column E \(level\): level must be 0-4"):
        read_questionnaire(path, RUBRIC)


def test_json_questionnaire_errors_name_the_json_path(tmp_path):
    path = _blank_filled(tmp_path, "json", [{"id": RUBRIC.criterion_ids[1], "level": 9}])
    with pytest.raises(InputError, match=r"\$\.criteria\[1\]\.level: level must be"):
        read_questionnaire(path, RUBRIC)


def test_cover_and_row_problems(tmp_path):
    path = tmp_path / "q.xlsx"
    write_template(path, RUBRIC)
    wb = openpyxl.load_workbook(path)
    wb["Cover"]["B4"] = "alliance"  # kind
    wb["Cover"]["B2"] = "demo"
    wb["Cover"]["B3"] = "Demo"
    wb["Cover"]["B5"] = "FRA, DEU"
    wb["Cover"]["B9"] = "Ann"
    sheet = wb["Criteria"]
    sheet["B2"] = "trust.information-opennes"  # typo
    sheet["B3"], sheet["E3"] = "trust.commitment-record", 2
    sheet["B60"], sheet["E60"] = "trust.commitment-record", 3  # twice with a level
    sheet["B4"], sheet["G4"] = "trust.confidence-building", "evidence without a level"
    wb.save(path)
    with pytest.raises(InputError) as err:
        read_questionnaire(path, RUBRIC)
    found = {p.path: p.message for p in err.value.problems}
    assert "did you mean 'trust.information-openness'" in found["Criteria!B2"]
    assert "already on B3" in found["Criteria!E60"]
    assert "no level" in found["Criteria!E4"]
    assert "unknown value" in found["Cover!B4"] and "bilateral-alliance" in found["Cover!B4"]
    assert len(found) == 4


def test_evidence_rows_and_spellings_of_levels(tmp_path):
    cid = RUBRIC.criterion_ids[0]
    rows = [
        {"id": cid, "level": "N/A", "evidence": "one", "source": "s1"},
        {"id": cid, "evidence": "two", "source": "s2", "date": "2024-01-02"},
        {"id": RUBRIC.criterion_ids[1], "level": "3.0"},
    ]
    p = read_questionnaire(_blank_filled(tmp_path, "csv", rows), RUBRIC).partnership()
    assert p.ratings[cid].level == "not-applicable"
    assert [e.text for e in p.ratings[cid].evidence] == ["one", "two"]
    assert p.ratings[RUBRIC.criterion_ids[1]].level == 3


def test_side_becomes_the_perspective_and_several_make_a_panel(tmp_path):
    filled = []
    for who, side, level in (("Ann", "AUS", 1), ("Bob", "USA", 3), ("Cy", "USA", 4)):
        doc = example()
        cover = cover_of(doc) | {"assessor": who, "organisation": "MoD", "side": side}
        path = tmp_path / f"{who}.xlsx"
        write_template(path, RUBRIC)
        fill_xlsx(path, cover, [{"id": "trust.commitment-record", "level": level}])
        filled.append(read_questionnaire(path, RUBRIC))
    one = filled[0].partnership()
    assert one.assessor == "Ann (MoD)"
    assert one.ratings["trust.commitment-record"].perspective == "AUS"
    panel = panel_from_questionnaires(filled)
    assert panel.sides == ("AUS", "USA")
    assert [a.organisation for a in panel.assessments] == ["MoD"] * 3


def test_two_questionnaires_of_one_assessor_name_both_files(tmp_path):
    filled = []
    for name in ("first", "second"):
        cover = cover_of(example()) | {"assessor": "Ann"}
        path = tmp_path / f"{name}.json"
        write_template(path, RUBRIC)
        fill_json(path, cover, [{"id": "trust.commitment-record", "level": 2}])
        filled.append(read_questionnaire(path, RUBRIC))
    with pytest.raises(InputError) as err:
        panel_from_questionnaires(filled)
    [problem] = err.value.problems
    assert problem.file == str(tmp_path / "second.json")
    assert str(tmp_path / "first.json") in problem.message
    assert "assessor 'Ann' appears twice (also in" in problem.message


def test_xlsx_needs_openpyxl(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ReportError, match=r"readiness\[xlsx\]"):
        write_template(tmp_path / "q.xlsx", RUBRIC)
    assert not (tmp_path / "q.xlsx").exists()


def test_unknown_template_format(tmp_path):
    with pytest.raises(ReportError, match="xlsx, csv, json"):
        write_template(tmp_path / "q.ods", RUBRIC)


def test_import_keeps_the_facts_of_the_partnership_it_is_given(tmp_path):
    import json

    from tests.cli_harness import run_cli

    doc = json.loads((Path("examples/partnerships") / "aukus.json").read_text())
    base = tmp_path / "aukus.json"
    base.write_text(json.dumps(doc))
    run = ["import"]
    # a blank template carries no facts: import says so, --partnership adds them
    blank = tmp_path / "blank.csv"
    write_template(blank, RUBRIC)
    fill_csv(blank, cover_of(doc), rows_of(doc))
    bare = run_cli(*run, str(blank), "-o", str(tmp_path / "bare.json"), cwd=None)
    assert bare.returncode == 0 and "--partnership FILE" in bare.stderr  # says what is lost
    assert "facts" not in json.loads((tmp_path / "bare.json").read_text())
    # a template written from the partnership carries them; --partnership gives the same
    carried = tmp_path / "q.csv"
    write_template(carried, RUBRIC, partnership=partnership_from_dict(doc))
    for source, options in ((carried, []), (blank, ["--partnership", str(base)]),
                            (carried, ["--partnership", str(base)])):  # fmt: skip
        out = tmp_path / "kept.json"
        kept = run_cli(*run, str(source), "-o", str(out), *options, cwd=None)
        assert kept.returncode == 0, kept.stderr
        assert "note" not in kept.stderr
        back = partnership_from_dict(json.loads(out.read_text()))
        assert back == partnership_from_dict(doc)
        assert assess(back, RUBRIC).overall == assess(partnership_from_dict(doc), RUBRIC).overall


def carrying() -> dict[str, Any]:
    """The AUKUS example with what only a partnership file holds: a status history,
    members with dates, a fact with a character a cell may not hold raw (U+0085) and a
    fact long enough to cut the facts' JSON text over several cells."""
    doc = json.loads((EXAMPLES / "aukus.json").read_text())
    doc["status"] = [{"state": "active", "since": "2021-09-15"}]
    doc["members"] = ["AUS", {"code": "GBR", "joined": "2021-09-15"}, "USA"]
    doc["facts"]["agreements"][0]["source"] += " \x85" + "long source " * 3_000
    return doc


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_questionnaire_carries_the_facts_status_and_members_of_its_partnership(tmp_path, fmt):
    from readiness.io.template import FACTS_PIECE_CHARS, carried_fields, facts_text

    p = partnership_from_dict(carrying())
    assert len(facts_text(carried_fields(p))) > 2 * FACTS_PIECE_CHARS  # 3 cells
    path = tmp_path / f"q.{fmt}"
    write_template(path, RUBRIC, partnership=p)
    q = read_questionnaire(path, RUBRIC)
    assert q.partnership() == p  # facts, status, members with dates: as in the file
    assert q.carried is not None and q.carried["id"] == "aukus"
    assert "facts carried" in repr(q)
    assert assess(q.partnership(), RUBRIC).overall == assess(p, RUBRIC).overall
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path)["Facts"]
        assert sheet["B2"].value.startswith("Not to be edited.")
        assert sheet.protection.sheet
        assert [sheet.cell(r, 1).value for r in range(3, 8)] == ["format", "sha256", *["json"] * 3]
        assert all(len(sheet.cell(r, 2).value) <= FACTS_PIECE_CHARS for r in range(5, 8))


def test_a_blank_template_carries_no_facts(tmp_path):
    for fmt in ("xlsx", "csv", "json"):
        path = tmp_path / f"q.{fmt}"
        write_template(path, RUBRIC)
        doc = example()
        FILL[fmt](path, cover_of(doc), rows_of(doc))
        q = read_questionnaire(path, RUBRIC)
        assert q.carried is None and q.partnership().facts is None


def test_with_partnership_is_the_facts_of_the_file(tmp_path):
    doc = carrying()
    path = tmp_path / "q.csv"
    write_template(path, RUBRIC)
    FILL["csv"](path, cover_of(doc), rows_of(doc))
    p = partnership_from_dict(doc)
    q = read_questionnaire(path, RUBRIC).with_partnership(p, source="aukus.json", rubric=RUBRIC)
    assert q.partnership() == p
    # a date of the file's facts after the assessment date is named by the file's path
    early = tmp_path / "early.csv"
    write_template(early, RUBRIC)
    rated = [{"id": "trust.commitment-record", "level": 3}]
    FILL["csv"](early, cover_of(doc) | {"assessed_on": "2021-09-20"}, rated)
    with pytest.raises(InputError) as err:
        read_questionnaire(early, RUBRIC).with_partnership(p, source="aukus.json")
    assert err.value.source == str(early)
    assert any(pr.path.startswith("aukus.json $.facts.") for pr in err.value.problems), err.value


@given(st.text())
def test_formula_quoting_reads_back_every_text_and_never_starts_a_formula(text):
    from readiness._text import FORMULA_STARTS, formula_as_text, text_from_formula_quote

    quoted = formula_as_text(text)
    assert not quoted.startswith(FORMULA_STARTS)
    assert text_from_formula_quote(quoted) == text


# --- reproducible, and a full disk (issue 27) -------------------------------------------


def test_an_xlsx_template_is_the_same_file_byte_for_byte(tmp_path, monkeypatch):
    """The workbook's created/modified times and each zip entry's time were the clock's."""
    import time
    import zipfile

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    write_template(tmp_path / "a.xlsx", RUBRIC)
    later = time.time() + 86_400 * 400
    monkeypatch.setattr(time, "time", lambda: later)  # zip entries take their time from it
    write_template(tmp_path / "b.xlsx", RUBRIC)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"1980-01-01T00:00:00Z" in z.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # as reproducible builds set it
    write_template(tmp_path / "c.xlsx", RUBRIC)
    with zipfile.ZipFile(tmp_path / "c.xlsx") as z:
        assert {info.date_time for info in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert b"2023-11-14T22:13:20Z" in z.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ReportError, match="SOURCE_DATE_EPOCH: must be a whole number"):
        write_template(tmp_path / "d.xlsx", RUBRIC)
    assert not (tmp_path / "d.xlsx").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE, as on Linux")
def test_a_template_on_a_full_disk_is_one_clean_error(tmp_path):
    """A file size limit makes every write fail as a full disk does: exit 2 with one
    line, no "Exception ignored in ZipFile.__del__" traceback, nothing left behind."""
    import os
    import resource
    import signal
    import subprocess

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (4_000, 4_000))

    out = tmp_path / "q.xlsx"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    r = subprocess.run(  # a new process: its file size limit (RLIMIT_FSIZE) is the full disk
        [sys.executable, "-m", "readiness", "template", "-o", str(out)],
        preexec_fn=full_disk,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stderr == f"readiness: error: {out}: cannot write: File too large\n", r.stderr
    assert list(tmp_path.iterdir()) == []

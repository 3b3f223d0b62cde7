"""Several assessors, one answer (issue 20, defect 4).

Three assessors fill in questionnaires of AUKUS (an xlsx, a csv and a json one). Every
path from their questionnaires to a consensus must give the same overall score, band,
interval and coverage:

- ``agreement`` (text and ``--format json``), with and without ``--partnership``;
- ``import`` to a panel file, then ``assess`` and ``report`` of that file (and
  ``assess --out`` of it);
- ``assess`` and ``report`` of the questionnaires themselves;
- the Python API (``read_questionnaire``, ``panel_from_questionnaires``, ``assess_panel``).

Questionnaires written by ``template --partnership aukus.json`` carry its facts; those
written from a blank template carry none and get them from ``--partnership``. Both
give the answer of the facts. Before, ``agreement`` scored questionnaires without any
facts, and ``import --partnership`` then ``assess`` with them: two answers.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from readiness.io.questionnaire import panel_from_questionnaires, read_questionnaire
from readiness.panel import assess_panel
from readiness.rubric import load_rubric
from tests.cli_harness import run_cli
from tests.factories import EXAMPLES
from tests.test_template import FILL, cover_of, rows_of

openpyxl = pytest.importorskip("openpyxl")

AUKUS = EXAMPLES / "aukus.json"
RUBRIC = load_rubric()
DERIVED = {c.id for c in RUBRIC.criteria if c.derive is not None}
# (assessor, side, shift of the example's levels, format); the facts' levels are left
# alone: contradicting them by more than one level needs a justification
PEOPLE = (("Ann", "AUS", 0, "xlsx"), ("Bob", "USA", 1, "csv"), ("Cy", "GBR", 2, "json"))
FIGURES = ("overall", "band", "lower", "upper", "coverage")


def run(*argv: str) -> tuple[str, str]:
    """The CLI in process: standard output and error; it must succeed."""
    r = run_cli(*[str(a) for a in argv], cwd=None)
    assert r.returncode == 0, r.stderr
    return r.stdout, r.stderr


def assessor_doc(who: str, side: str, shift: int) -> dict[str, Any]:
    """The example as one assessor sees it: its levels moved by ``shift``."""
    doc = json.loads(AUKUS.read_text())
    doc["assessor"] = who
    for cid, rating in doc["ratings"].items():
        if isinstance(rating["level"], int) and cid not in DERIVED:
            rating["level"] = max(0, min(4, rating["level"] + shift))
    return doc


def fill_carried(path: Path, who: str, side: str, levels: dict[str, Any]) -> None:
    """An assessor fills in a questionnaire written from aukus.json: name, side,
    organisation and levels (the rest is the template's)."""
    cover = {"assessor": who, "side": side, "organisation": f"MoD {side}"}
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        front = wb["Cover"]
        for r in range(2, front.max_row + 1):
            if front.cell(r, 1).value in cover:
                front.cell(r, 2).value = cover[front.cell(r, 1).value]
        sheet = wb["Criteria"]
        for r in range(2, sheet.max_row + 1):
            if sheet.cell(r, 2).value in levels and sheet.cell(r, 5).value not in (None, ""):
                sheet.cell(r, 5).value = levels[sheet.cell(r, 2).value]
        wb.save(path)
    elif path.suffix == ".csv":
        lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        start = next(i for i, line in enumerate(lines) if line[:2] == ["pillar", "id"])
        for line in lines[:start]:
            if line and line[0] in cover:
                line[1] = cover[line[0]]
        for line in lines[start + 1 :]:
            if line[1] in levels and line[4]:
                line[4] = str(levels[line[1]])
        buffer = io.StringIO()
        csv.writer(buffer).writerows(lines)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        doc = json.loads(path.read_text())
        doc["cover"] |= cover
        for item in doc["criteria"]:
            if item["id"] in levels:
                item["level"] = levels[item["id"]]
        path.write_text(json.dumps(doc))


def questionnaires(folder: Path, *, blank: bool) -> list[str]:
    """The three assessors' filled questionnaires: written from aukus.json (carrying its
    facts), or from a blank template (carrying none)."""
    folder.mkdir()
    paths = []
    for who, side, shift, fmt in PEOPLE:
        doc = assessor_doc(who, side, shift)
        path = folder / f"{who.lower()}.{fmt}"
        if blank:
            run("template", "-o", path)
            cover = cover_of(doc) | {"side": side, "organisation": f"MoD {side}"}
            FILL[fmt](path, cover, rows_of(doc))
        else:
            run("template", "--partnership", AUKUS, "-o", path)
            levels = {cid: r["level"] for cid, r in doc["ratings"].items()}
            fill_carried(path, who, side, levels)
        paths.append(str(path))
    return paths


def figures(doc: dict[str, Any]) -> dict[str, Any]:
    """The consensus figures of a report's JSON document."""
    return {k: (doc[k]["id"] if k == "band" and doc[k] else doc[k]) for k in FIGURES}


def json_of(*argv: Any) -> dict[str, Any]:
    out, _ = run(*argv)
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.fixture(scope="module")
def carried(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return questionnaires(tmp_path_factory.mktemp("one-answer") / "carried", blank=False)


@pytest.fixture(scope="module")
def reference(carried: list[str]) -> dict[str, Any]:
    """The consensus from the Python API: the questionnaires, their panel, its score."""
    panel = panel_from_questionnaires([read_questionnaire(p, RUBRIC) for p in carried])
    a = assess_panel(panel, RUBRIC).assessment
    got = {"overall": a.overall, "band": a.band.id if a.band else None}
    return got | {"lower": a.lower, "upper": a.upper, "coverage": a.coverage}


def same(got: dict[str, Any], expected: dict[str, Any], path: str) -> None:
    assert got["band"] == expected["band"], path
    for k in ("overall", "lower", "upper", "coverage"):
        assert got[k] == pytest.approx(expected[k], abs=1e-9), f"{path}: {k}"


def test_the_reference_is_a_score_of_the_facts(reference: dict[str, Any]):
    # without the facts the same ratings had no overall score (coverage 54%)
    assert reference["overall"] is not None and reference["band"] is not None
    assert reference["coverage"] > 0.9


def test_every_path_from_questionnaires_carrying_facts_gives_one_answer(
    carried: list[str], reference: dict[str, Any], tmp_path: Path
):
    paths: dict[str, dict[str, Any]] = {
        "agreement --format json": figures(json_of("agreement", *carried, "--format", "json")),
        "agreement --partnership": figures(
            json_of("agreement", *carried, "--partnership", AUKUS, "--format", "json")
        ),
        "assess questionnaires": figures(json_of("assess", *carried, "--format", "json")),
        "report questionnaires": figures(json_of("report", *carried, "--format", "json")),
        "report --partnership": figures(
            json_of("report", *carried, "--partnership", AUKUS, "--format", "json")
        ),
    }
    panel = tmp_path / "panel.json"
    _, note = run("import", *carried, "-o", panel)
    assert "note" not in note  # nothing is lost: the questionnaires carry the facts
    assert "facts" in json.loads(panel.read_text())["partnership"]
    paths["import, assess panel.json"] = figures(json_of("assess", panel, "--format", "json"))
    paths["import, report panel.json"] = figures(json_of("report", panel, "--format", "json"))
    for path, got in paths.items():
        same(got, reference, path)

    # the human formats say the same, rounded
    shown = f"{reference['overall']:.1f} / 100"
    interval = f"{reference['lower']:.1f}-{reference['upper']:.1f}"
    coverage = f"coverage {reference['coverage']:.0%}"
    text, _ = run("agreement", *carried)
    head = text.splitlines()[0]
    assert f"{shown}, " in head and f"range {interval}" in head and coverage in head, head
    text, _ = run("assess", *carried)
    assert f"Overall: {shown}" in text and f"Range: {interval}" in text, text[:400]

    # the table of scores of the panel file
    scores = tmp_path / "scores.csv"
    run("assess", panel, "--out", scores)
    row = next(csv.DictReader(io.StringIO(scores.read_text())))
    assert float(row["overall"]) == pytest.approx(reference["overall"], abs=1e-4)
    assert float(row["coverage"]) == pytest.approx(reference["coverage"], abs=1e-4)


def test_blank_questionnaires_with_partnership_give_the_same_answer(
    tmp_path: Path, reference: dict[str, Any]
):
    """The path that worked before: questionnaires without facts, ``--partnership``."""
    blank = questionnaires(tmp_path / "blank", blank=True)
    given = ("--partnership", AUKUS)
    paths = {
        "agreement": figures(json_of("agreement", *blank, *given, "--format", "json")),
        "assess": figures(json_of("assess", *blank, *given, "--format", "json")),
        "report": figures(json_of("report", *blank, *given, "--format", "json")),
    }
    panel = tmp_path / "panel.json"
    run("import", *blank, "-o", panel, *given)
    paths["import, assess"] = figures(json_of("assess", panel, "--format", "json"))
    for path, got in paths.items():
        same(got, reference, path)

    # without facts: another answer, and every verb says why
    for verb in ("agreement", "assess", "report"):
        out, err = run(verb, *blank, "--format", "json")
        assert "carry no facts" in err and "--partnership FILE" in err, (verb, err)
        assert json.loads(out)["coverage"] < reference["coverage"]
    _, err = run("import", *blank, "-o", tmp_path / "bare.json")
    assert "carry no facts" in err


def test_one_questionnaire_scores_as_its_import(carried: list[str], tmp_path: Path):
    """``assess`` and ``report`` of one questionnaire: that assessor's partnership, as
    ``import`` then ``assess`` gives it (with the facts it carries)."""
    for path in carried:
        out = tmp_path / (Path(path).stem + ".json")
        run("import", path, "-o", out)
        expected = figures(json_of("assess", out, "--format", "json"))
        same(figures(json_of("assess", path, "--format", "json")), expected, path)
        same(figures(json_of("report", path, "--format", "json")), expected, path)


def test_questionnaires_without_facts_take_those_of_the_others(
    carried: list[str], tmp_path: Path, reference: dict[str, Any]
):
    """One assessor got a blank template: the facts the others carry are the panel's."""
    blank = questionnaires(tmp_path / "blank", blank=True)
    mixed = [carried[0], blank[1], carried[2]]
    same(figures(json_of("agreement", *mixed, "--format", "json")), reference, "mixed")
    panel = tmp_path / "panel.json"
    _, err = run("import", *mixed, "-o", panel)
    assert "note" not in err
    assert (
        json.loads(panel.read_text())["partnership"]["facts"]
        == json.loads(AUKUS.read_text())["facts"]
    )


def test_the_partnership_file_given_wins_with_a_note(carried: list[str], tmp_path: Path):
    doc = json.loads(AUKUS.read_text())
    doc["facts"]["agreements"] = doc["facts"]["agreements"][:1]  # fewer facts: less derived
    other = tmp_path / "aukus-other.json"
    other.write_text(json.dumps(doc))
    out, err = run("agreement", *carried, "--partnership", other, "--format", "json")
    assert f"the facts of {other} are used; they differ from those" in err
    got = figures(json.loads(out))
    blank = questionnaires(tmp_path / "blank", blank=True)
    expected = figures(json_of("agreement", *blank, "--partnership", other, "--format", "json"))
    same(got, expected, "the file given")


def test_a_partnership_file_of_another_partnership_is_refused(carried: list[str]):
    nato = EXAMPLES / "nato.json"
    for verb in ("agreement", "assess", "report", "import"):
        argv = [verb, *carried, "--partnership", str(nato)]
        argv += ["-o", "/dev/null"] if verb == "import" else []
        r = run_cli(*argv, cwd=None)
        assert r.returncode == 2
        said = (
            f"the questionnaire is of partnership 'aukus', but {nato} describes partnership 'nato'"
        )
        for path, place in zip(
            carried, ("Cover!B2", "line 2, column B (id)", "$.cover.id"), strict=True
        ):
            assert f"{path}: {place}: {said}" in r.stderr, r.stderr


def test_partnership_needs_questionnaires():
    r = run_cli("assess", str(AUKUS), "--partnership", str(AUKUS), cwd=None)
    assert r.returncode == 2 and "gives its facts to questionnaires" in r.stderr


def test_facts_carried_from_a_format_1_file_read_as_that_format(tmp_path: Path):
    # A format-1 file's agreement list is complete: a kind it does not list is absent.
    # Its questionnaire must say so too (before, the carried facts were read as format 3,
    # where an unlisted kind is unknown, and a status-of-forces gap turned into silence).
    doc = {
        "id": "old",
        "name": "Old bilateral",
        "kind": "bilateral-alliance",
        "members": ["FRA", "DEU"],
        "facts": {"agreements": [{"kind": "mutual-defense-treaty", "ratified": True}]},
    }
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    q = tmp_path / "q.json"
    run("template", "--partnership", old, "-o", q)
    fill_carried(q, "Ann", "FRA", {})
    carried = json.loads(q.read_text())["facts"]["partnership"]
    assert "format_version" not in doc and carried["format_version"] == 1
    file_doc, questionnaire_doc = (json_of("report", path, "--format", "json") for path in (old, q))
    sofa = "legal.status-of-forces"
    levels = [
        next(c for c in d["criteria"] if c["id"] == sofa)["level"]
        for d in (file_doc, questionnaire_doc)
    ]
    assert levels == [0, 0]
    same(figures(questionnaire_doc), figures(file_doc), "questionnaire of a format-1 file")

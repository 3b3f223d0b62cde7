"""Weight sheets: template --weights -> filled by assessors -> weights -> assess, and the
errors a filled sheet can hold (each at its cell)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from readiness import assess, load_partnership, load_rubric
from readiness.errors import InputError
from readiness.io.template import write_template
from readiness.io.weight_sheets import WEIGHTS_SHEET, read_judgements
from readiness.weights import PILLARS, Judgements, elicit
from tests.cli_harness import assert_clean_error, cli
from tests.factories import ROOT

RUBRIC = load_rubric()
PILLAR_IDS = [p.id for p in RUBRIC.pillars]
AUKUS = ROOT / "examples" / "partnerships" / "aukus.json"
FIRST = RUBRIC.pillars[0]


def true_weights(seed: int) -> dict[str, float]:
    """An assessor's weights: every ratio within Saaty's scale (1 to 3 before noise)."""
    rng = np.random.default_rng(seed)
    return {
        p: float(x) for p, x in zip(PILLAR_IDS, rng.uniform(1, 3, len(PILLAR_IDS)), strict=True)
    }


def answer(weights: dict[str, float], criteria: dict[str, float]) -> Callable[..., str | None]:
    """The value an assessor writes for a row: the ratio of their weights, as text."""

    def value(group: str, a: str, b: str) -> str | None:
        if group == PILLARS:
            return f"{weights[a] / weights[b]:.6f}"
        if group == FIRST.id:
            return f"{criteria[a] / criteria[b]:.6f}"
        return None  # criteria of the other pillars: left blank

    return value


def fill(path: Path, value: Callable[..., str | None], assessor: str) -> None:
    """Fill a questionnaire's weight sheet (and the cover's assessor) as a person would."""
    if path.suffix == ".json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["cover"]["assessor"] = assessor
        for row in doc["weights"]["rows"]:
            row["value"] = value(row["group"], row["a"], row["b"])
        path.write_text(json.dumps(doc), encoding="utf-8")
    elif path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        start = next(i for i, r in enumerate(rows) if r and r[0] == "weights")
        for r in rows[:start]:
            if r and r[0] == "assessor":
                r[1] = assessor
        for r in rows[start + 2 :]:
            r[3] = value(r[0], r[1], r[2]) or ""
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    else:
        openpyxl = pytest.importorskip("openpyxl")
        wb = openpyxl.load_workbook(path)
        cover = wb["Cover"]
        for row in cover.iter_rows(min_row=2):
            if row[0].value == "assessor":
                row[1].value = assessor
        for row in wb[WEIGHTS_SHEET].iter_rows(min_row=2):
            v = value(row[0].value, row[1].value, row[2].value)
            row[3].value = None if v is None else float(v)
        wb.save(path)


def test_round_trip_template_fill_weights_assess(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    partnership = load_partnership(AUKUS, RUBRIC)
    crits = {c.id: 1.0 + 0.5 * k for k, c in enumerate(FIRST.criteria)}
    files, people = [], []
    for k, suffix in enumerate((".xlsx", ".csv", ".json")):
        path = tmp_path / f"assessor{k}{suffix}"
        write_template(path, RUBRIC, partnership=partnership, weights="ahp")
        w = true_weights(k)
        fill(path, answer(w, crits), f"Assessor {k}")
        files.append(str(path))
        people.append(w)
        # the questionnaire itself still reads (the weight sheet is not a criterion)
        out = tmp_path / f"imported{k}.json"
        r = cli("import", path, "-o", out)
        assert r.returncode == 0, r.stderr
    rubric_out = tmp_path / "elicited.yaml"
    r = cli("weights", *files, "-o", rubric_out, "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [a["assessor"] for a in data["assessors"]] == ["Assessor 0", "Assessor 1", "Assessor 2"]
    # consistent judgements: each assessor's weights are theirs, CR 0
    for a, w in zip(data["assessors"], people, strict=True):
        total = sum(w.values())
        assert a["pillars"]["weights"] == pytest.approx(
            {p: x / total for p, x in w.items()}, abs=1e-4
        )
        assert a["pillars"]["cr"] == pytest.approx(0.0, abs=1e-4)
    # the group: geometric mean of the judgements = normalised geometric mean of weights
    gm = {p: float(np.prod([w[p] for w in people]) ** (1 / 3)) for p in PILLAR_IDS}
    total = sum(gm.values())
    assert data["group"]["pillars"]["weights"] == pytest.approx(
        {p: x / total for p, x in gm.items()}, abs=1e-4
    )
    assert data["concentration"]["pillars"] > 0
    # the rubric variant: loadable, labelled, and it scores the partnership differently
    variant = load_rubric(str(rubric_out))
    assert variant.version == RUBRIC.version + "+custom"
    crit_total = sum(crits.values())
    assert variant.criterion(FIRST.criteria[0].id).weight == pytest.approx(
        round(crits[FIRST.criteria[0].id] / crit_total * len(crits), 4)
    )
    r = cli("assess", AUKUS, "--rubric", rubric_out, "--format", "json")
    assert r.returncode == 0, r.stderr
    scored = json.loads(r.stdout)
    expected = assess(load_partnership(AUKUS, variant), variant)
    assert scored["overall"] == pytest.approx(expected.overall)
    assert expected.overall != assess(partnership, RUBRIC).overall
    assert expected.rubric.label.endswith("+custom")


def test_swing_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "swing.xlsx"
    r = cli("template", "--weights", "swing", "-o", path)
    assert r.returncode == 0 and "swing weight sheet" in r.stderr
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(path)
    ratings = {}
    for k, row in enumerate(wb[WEIGHTS_SHEET].iter_rows(min_row=2)):
        row[2].value = k + 1
        row[3].value = 100 - 5 * k
        ratings[row[0].value] = 100 - 5 * k
    wb.save(path)
    j = read_judgements(path, RUBRIC)
    assert j.method == "swing" and j.ranking == tuple(PILLAR_IDS)
    e = elicit(RUBRIC, [j])
    total = sum(ratings.values())
    assert e.group.pillars.as_dict() == pytest.approx({p: v / total for p, v in ratings.items()})
    page = cli("weights", path, "--format", "html")  # a whole page, as every command's html
    assert page.returncode == 0, page.stderr
    assert (
        page.stdout.startswith("<!DOCTYPE html>") and '<main class="page document">' in page.stdout
    )


def _blank_json(tmp_path: Path, method: str = "ahp") -> tuple[Path, dict]:
    path = tmp_path / "w.json"
    write_template(path, RUBRIC, weights=method)  # type: ignore[arg-type]
    return path, json.loads(path.read_text(encoding="utf-8"))


def _pillar_rows(doc: dict) -> list[dict]:
    return [r for r in doc["weights"]["rows"] if r["group"] == PILLARS]


def _save(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_errors_name_the_json_path(tmp_path: Path) -> None:
    path, doc = _blank_json(tmp_path)
    for row in _pillar_rows(doc):
        row["value"] = 1
    rows = doc["weights"]["rows"]
    rows[0]["value"] = 12  # off the scale
    rows[1]["value"] = "much more"  # not a number
    rows[2]["a"] = "nowhere"  # unknown pillar
    k = next(i for i, r in enumerate(rows) if r["group"] == FIRST.id)
    rows[k]["b"] = "legal.nowhere"  # unknown criterion
    with pytest.raises(InputError) as caught:
        read_judgements(_save(path, doc), RUBRIC)
    text = str(caught.value)
    assert str(path) in text
    assert "$.weights.rows[0].value: off Saaty's scale: 12" in text
    assert "$.weights.rows[1].value: not a number on Saaty's scale" in text
    assert "$.weights.rows[2].a: 'nowhere' is not a pillar" in text
    assert f"$.weights.rows[{k}].b: 'legal.nowhere' is not a criterion of pillar" in text


def test_a_pair_twice_and_not_reciprocal(tmp_path: Path) -> None:
    path, doc = _blank_json(tmp_path)
    for row in _pillar_rows(doc):
        row["value"] = 2
    first = _pillar_rows(doc)[0]
    doc["weights"]["rows"].append({**first, "a": first["b"], "b": first["a"], "value": 2})
    with pytest.raises(InputError, match=r"compared twice .* not reciprocal"):
        read_judgements(_save(path, doc), RUBRIC)


def test_disconnected_judgements(tmp_path: Path) -> None:
    path, doc = _blank_json(tmp_path)
    # only pillar 0 vs 1 and pillar 2 vs 3: the rest are not tied to them
    for row in _pillar_rows(doc):
        if {row["a"], row["b"]} in ({PILLAR_IDS[0], PILLAR_IDS[1]}, {PILLAR_IDS[2], PILLAR_IDS[3]}):
            row["value"] = 3
    with pytest.raises(InputError, match=r"group \(pillars\): the judged pairs do not connect"):
        read_judgements(_save(path, doc), RUBRIC)


def test_incomplete_but_connected_is_completed(tmp_path: Path) -> None:
    path, doc = _blank_json(tmp_path)
    for row in _pillar_rows(doc):
        if PILLAR_IDS[0] in (row["a"], row["b"]):  # a star: everything against pillar 0
            row["value"] = "1/3" if row["a"] == PILLAR_IDS[0] else 3
    j = read_judgements(_save(path, doc), RUBRIC)
    e = elicit(RUBRIC, [j])
    pillars = e.assessors[0].pillars
    assert len(pillars.missing) == 55 and pillars.completion == "optimal"
    others = [pillars.weight(p) for p in PILLAR_IDS[1:]]
    assert pillars.weight(PILLAR_IDS[0]) * 3 == pytest.approx(others[0])
    assert others == pytest.approx([others[0]] * 11)
    assert "55 completed" in e.to_text()


def test_csv_errors_name_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    write_template(path, RUBRIC, weights="ahp")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    start = next(i for i, r in enumerate(rows) if r and r[0] == "weights")
    for r in rows[start + 2 :]:
        if r[0] == PILLARS:
            r[3] = "1"
    rows[start + 2][3] = "0"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    r = cli("weights", path)
    assert_clean_error(r, str(path), f"line {start + 3}, column D (value)", "not a number on")


def test_swing_errors_name_the_cells(tmp_path: Path) -> None:
    path, doc = _blank_json(tmp_path, "swing")
    for k, row in enumerate(doc["weights"]["rows"]):
        row["rank"], row["rating"] = k + 1, 100 - k
    doc["weights"]["rows"][1]["rank"] = 1
    doc["weights"]["rows"][2]["rating"] = 150
    with pytest.raises(InputError) as caught:
        read_judgements(_save(path, doc), RUBRIC)
    text = str(caught.value)
    assert "$.weights.rows[1].rank: rank 1 is given to" in text
    assert "$.weights.rows[2].rating: a rating is a number from 0 to 100" in text


def test_weights_cli_refuses_a_file_without_a_sheet(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    write_template(path, RUBRIC)
    assert_clean_error(cli("weights", path), str(path), "no weight sheet")


def test_robustness_takes_the_concentration_from_the_sheets(tmp_path: Path) -> None:
    files = []
    for k in range(3):
        _, doc = _blank_json(tmp_path)
        w = true_weights(10 + k)
        for row in _pillar_rows(doc):
            row["value"] = w[row["a"]] / w[row["b"]]
        files.append(_save(tmp_path / f"s{k}.json", doc))
    e = elicit(RUBRIC, [read_judgements(f, RUBRIC) for f in files])
    r = cli(
        "robustness", AUKUS, "--weights", *files, "--samples", "200", "--sobol", "64",
        "--format", "json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    document = json.loads(r.stdout)
    from jsonschema import Draft202012Validator

    from readiness.cli.info import output_json_schema

    assert not list(Draft202012Validator(output_json_schema("robustness")).iter_errors(document))
    choices = document["uncertainty"]["choices"]
    assert choices["concentration"] == pytest.approx(e.concentration)
    assert choices["criterion_concentration"] == 100.0
    assert choices["elicited"] == {
        "assessors": 3,
        "method": "ahp",
        "files": [str(f) for f in files],
        "criteria": False,
    }
    text = cli("robustness", AUKUS, "--weights", *files, "--samples", "200", "--sobol", "64")
    assert f"concentration {e.concentration:.1f}, set by the spread between 3" in text.stdout
    both = cli("robustness", AUKUS, "--weights", *files, "--concentration", "50")
    assert_clean_error(both, "--concentration and --weights")
    one = cli("robustness", AUKUS, "--weights", files[0])
    assert_clean_error(one, "one assessor")


def test_judgements_from_api_and_sheet_agree(tmp_path: Path) -> None:
    path, doc = _blank_json(tmp_path)
    w = true_weights(3)
    for row in _pillar_rows(doc):
        row["value"] = w[row["a"]] / w[row["b"]]
    sheet = read_judgements(_save(path, doc), RUBRIC)
    direct = Judgements(
        "x",
        comparisons={
            PILLARS: {(a, b): w[a] / w[b] for a in PILLAR_IDS for b in PILLAR_IDS if a < b}
        },
    )
    assert elicit(RUBRIC, [sheet]).group.pillars.weights == pytest.approx(
        elicit(RUBRIC, [direct]).group.pillars.weights
    )

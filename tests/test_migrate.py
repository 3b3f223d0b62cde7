"""``readiness migrate``: old files into the current format, nothing else touched."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from readiness import InputError, RubricError, assess, load_partnership, load_rubric
from readiness.gaps import resolve_profile
from readiness.migrate import migrate_document, migrate_file
from readiness.partnership import FORMAT_VERSION, partnership_from_dict
from tests.cli_harness import run_cli
from tests.compat.build import load
from tests.factories import ROOT

EXAMPLES = sorted((ROOT / "examples" / "partnerships").glob("*.json"))
RUBRIC = ROOT / "rubrics" / "defense-partnership.yaml"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_shipped_examples_are_in_the_current_format(path: Path):
    assert migrate_file(path).changes == ()
    assert load_partnership(path).format_version == FORMAT_VERSION


OLD_EXAMPLES = [
    (doc, e["id"])
    for doc, e in zip(*load("0.1.0"), strict=True)
    if "facts" in doc and e["id"] in {p.stem for p in EXAMPLES}
]


@pytest.mark.parametrize(("doc", "name"), OLD_EXAMPLES, ids=[n for _, n in OLD_EXAMPLES])
def test_every_0_1_example_migrates_to_the_current_format_and_scores_the_same(
    doc: dict, name: str, tmp_path: Path
):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2))
    result = migrate_file(path)
    facts = doc["facts"]
    stated = ["$.facts.agreements_complete"] if "agreements" in facts else []
    stated += ["$.facts.invocations_complete"] if "invocations" in facts else []
    assert [c.where for c in result.changes] == [*sorted(stated), "$.format_version"]
    assert all(c.added and c.new is True for c in result.changes[:-1])
    out = tmp_path / "new.json"
    out.write_text(result.text)
    new = load_partnership(out)
    assert new.format_version == FORMAT_VERSION
    old = load_partnership(path)
    written = json.loads(result.text)
    for where in stated:  # each statement right after the list it speaks of
        name = where.rsplit(".", 1)[1]
        keys = list(written["facts"])
        assert keys[keys.index(name.removesuffix("_complete")) + 1] == name
        del written["facts"][name]
    assert written == {"format_version": FORMAT_VERSION, **doc}
    a, b = assess(old), assess(new)
    assert (a.overall, a.lower, a.upper) == (b.overall, b.lower, b.upper)
    assert [c.level for c in a.criteria] == [c.level for c in b.criteria]


def format_1(path: Path) -> dict:
    """A shipped example as a format-1 file (no ``format_version``)."""
    doc = json.loads(path.read_text())
    doc.pop("format_version")
    return doc


def test_date_times_become_dates(tmp_path: Path):
    doc = format_1(EXAMPLES[0])
    doc["assessed_on"] = "2026-11-20T00:00:00"
    doc["facts"]["agreements"][0]["signed"] = "2007-05-25 00:00:00Z"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError):  # refused today
        load_partnership(path)
    result = migrate_file(path)
    assert {c.where: c.new for c in result.changes} == {
        "$.assessed_on": "2026-11-20",
        "$.facts.agreements[0].signed": "2007-05-25",
        "$.format_version": FORMAT_VERSION,
    }
    assert partnership_from_dict(json.loads(result.text)).assessed_on.isoformat() == "2026-11-20"


def test_rubric_numbers_written_as_text_become_numbers_and_yaml_keeps_its_comments(tmp_path: Path):
    text = RUBRIC.read_text()
    old = (
        text.replace("min_coverage: 0.6", 'min_coverage: "0.6"  # keep me', 1)
        .replace("    weight: 1.3\n", '    weight: "1.3"\n', 1)
        .replace("thresholds: [0.2, 1, 3, 12]", 'thresholds: ["0.2", "1", "3", "12"]', 1)
        .replace("if_true: 2, if_false: 0}", "if_true: '2', if_false: 0}", 1)
    )
    assert old != text
    path = tmp_path / "r.yaml"
    path.write_text(old)
    with pytest.raises(RubricError):
        load_rubric(path)
    result = migrate_file(path)
    assert result.kind == "rubric" and len(result.changes) == 7
    assert result.text == text.replace("min_coverage: 0.6", "min_coverage: 0.6  # keep me", 1)
    path.write_text(result.text)
    assert load_rubric(path).criteria == load_rubric().criteria
    again = migrate_file(path)
    assert not again.changed and again.text == result.text


def test_migrate_document_leaves_its_input_alone():
    doc = {"id": "p", "name": "P", "kind": "bilateral-alliance", "members": ["A"],
           "established": "2001-01-01T00:00:00"}  # fmt: skip
    kind, new, changes = migrate_document(doc)
    assert kind == "partnership" and doc["established"] == "2001-01-01T00:00:00"
    assert next(iter(new)) == "format_version" and new["established"] == "2001-01-01"
    assert len(changes) == 2


def test_cli_in_place_out_and_stdout(tmp_path: Path):
    src = tmp_path / "nato.json"
    src.write_text(json.dumps(format_1(EXAMPLES[4]), indent=2))
    out = run("migrate", str(src), "-o", str(tmp_path / "new.json"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "format_version" in out.stderr and "wrote" in out.stderr and out.stdout == ""
    assert json.loads((tmp_path / "new.json").read_text())["format_version"] == FORMAT_VERSION
    printed = run("migrate", str(src), cwd=tmp_path)
    assert json.loads(printed.stdout)["format_version"] == FORMAT_VERSION
    assert "format_version" not in json.loads(src.read_text())  # untouched without --in-place
    assert run("migrate", str(src), "--in-place", cwd=tmp_path).returncode == 0
    assert json.loads(src.read_text())["format_version"] == FORMAT_VERSION
    again = run("migrate", str(src), "--in-place", cwd=tmp_path)
    assert again.returncode == 0 and "already current" in again.stderr
    same = run("migrate", str(src), "-o", str(src), cwd=tmp_path)  # -o naming the input
    assert same.returncode == 2 and "names the input file" in same.stderr


def test_cli_refuses_a_file_still_invalid_and_writes_nothing(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "p", "name": "P", "kind": "alliance", "members": ["A"]}))
    before = bad.read_text()
    out = run("migrate", str(bad), "--in-place", cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "$.kind" in out.stderr and bad.read_text() == before
    usage = run("migrate", str(bad), str(bad), cwd=tmp_path)
    assert usage.returncode == 2 and "--in-place" in usage.stderr


# --- target profiles for kinds and states (issue 10, items 4 and 5) ------------------------


def _p(kind: str, **more: object):
    return partnership_from_dict(
        {"id": "p", "name": "P", "kind": kind, "members": ["A", "B"], **more}
    )


@pytest.mark.parametrize(
    ("kind", "profile"),
    [
        ("defense-cooperation", "defense-cooperation"),
        ("capacity-building-partnership", "capacity-building"),
        ("strategic-partnership", "strategic-partnership"),
        ("framework-nation-coalition", "framework-nation-coalition"),
    ],
)
def test_each_kind_selects_its_own_profile(kind: str, profile: str):
    chosen, why = resolve_profile(assess(_p(kind), min_coverage=0), None)
    assert chosen.id == profile and kind in why


def test_capacity_building_is_for_capacity_building_partnerships_only():
    rubric = load_rubric()
    assert rubric.profile("capacity-building").kinds == ("capacity-building-partnership",)
    # peers do not build each other's capacity: the profile does not ask for it (no gap)
    assert rubric.profile("strategic-partnership").target("training.capacity-building") == 0
    assert rubric.profile("framework-nation-coalition").target("training.capacity-building") == 1
    # nor do partnerships without a collective spending target ask for contributions
    for kind in ("strategic-partnership", "framework-nation-coalition", "regional-forum"):
        assert rubric.profile(kind).target("burden.equitable-contributions") == 0


def test_a_dissolving_partnership_gets_a_wind_down_not_a_nato_path():
    history = [{"state": "active", "since": "1955-02-19"},
               {"state": "dissolving", "since": "1975-09-24"}]  # fmt: skip
    p = _p("collective-defense-alliance", status=history, assessed_on="1976-06-30")
    chosen, why = resolve_profile(assess(p, min_coverage=0), None)
    assert chosen.id == "wind-down" and "dissolving on 1976-06-30" in why
    assert sum(1 for c in load_rubric().criteria if chosen.target(c.id) > 0) == 4
    earlier = _p("collective-defense-alliance", status=history[:1], assessed_on="1970-01-01")
    assert resolve_profile(assess(earlier, min_coverage=0), None)[0].id == "collective-defense"
    dormant = _p("bilateral-alliance", status="dormant")
    assert resolve_profile(assess(dormant, min_coverage=0), None)[0].id == "bilateral-alliance"
    # a target named in the call or the file still wins
    assert resolve_profile(assess(p, min_coverage=0), "collective-defense")[0].id == (
        "collective-defense"
    )


def test_profiles_cite_seed_sections():
    for profile in load_rubric().profiles:
        if profile.id in ("defense-cooperation", "strategic-partnership",
                          "framework-nation-coalition", "wind-down"):  # fmt: skip
            assert len(profile.sources) >= 3, profile.id


# --- what migrate writes is checked (issue 20, defect 3; issue 27) ----------------------


def _file(tmp_path: Path, name: str = "p.json", **changes: object) -> Path:
    doc = json.loads((ROOT / "examples" / "partnerships" / "nato.json").read_text())
    doc.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(
    ("version", "words"),
    [
        (99, "format 99 was written by a newer readiness"),
        (4, "format 4 was written by a newer readiness"),
        (-1, "must be 1 to 3 (got -1)"),
        (True, "must be a whole number, 3 today (got True)"),
    ],
    ids=["99", "4", "-1", "true"],
)
def test_migrate_leaves_a_version_it_does_not_know_and_refuses_it(tmp_path, version, words):
    path = _file(tmp_path, format_version=version)
    before = path.read_text()
    out = run("migrate", str(path), "--in-place", cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{path}: $.format_version: {words}" in out.stderr
    assert path.read_text() == before  # was rewritten to 2, exit 0
    valid = run("validate", str(path), cwd=tmp_path)
    assert valid.returncode == 2 and words in valid.stderr  # true passed validate


def test_migrate_rewrites_date_fields_only(tmp_path: Path):
    doc = format_1(ROOT / "examples" / "partnerships" / "nato.json")
    first = next(iter(doc["ratings"]))
    doc["name"] = "2024-03-01 14:00"
    doc["description"] = "2024-03-01T14:00:00"
    doc["ratings"][first]["note"] = "2024-03-01 14:00"
    doc["assessed_on"] = "2026-11-20T00:00:00"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    result = migrate_file(path)
    assert {c.where for c in result.changes} == {"$.assessed_on", "$.format_version"}
    new = json.loads(result.text)
    assert new["name"] == "2024-03-01 14:00" and new["description"] == "2024-03-01T14:00:00"
    assert new["ratings"][first]["note"] == "2024-03-01 14:00" and new["assessed_on"] == (
        "2026-11-20"
    )


def test_migrate_checks_against_the_rubric_writes_nothing_and_lists_every_problem(
    tmp_path: Path,
):
    """It wrote format_version 2 into files that validate refused, and exited 0."""
    doc = json.loads((ROOT / "examples" / "partnerships" / "nato.json").read_text())
    ratings = {**doc["ratings"], "trust.nope": {"level": 2}}
    path = _file(tmp_path, ratings=ratings, target="nowhere")
    before = path.read_text()
    for argv in (["--in-place"], ["-o", str(tmp_path / "new.json")], []):
        out = run("migrate", str(path), *argv, cwd=tmp_path)
        assert out.returncode == 2, out.stderr
        assert f"{path}: 2 problems:" in out.stderr
        assert "$.ratings['trust.nope']: unknown criterion 'trust.nope'" in out.stderr
        assert "$.target: unknown target profile 'nowhere'" in out.stderr
        assert out.stdout == ""
    assert path.read_text() == before and not (tmp_path / "new.json").exists()
    assert run("validate", str(path), cwd=tmp_path).returncode == 2
    # the format's problems and the rubric's, in one run
    bad = _file(tmp_path, "bad.json", ratings=ratings, kind="alliance")
    out = run("migrate", str(bad), "--in-place", cwd=tmp_path)
    assert out.returncode == 2 and "$.kind" in out.stderr and "'trust.nope'" in out.stderr


def test_migrate_checks_overrides_of_derived_levels_as_validate_does(tmp_path: Path):
    doc = json.loads((ROOT / "examples" / "partnerships" / "nato.json").read_text())
    ratings = {**doc["ratings"], "legal.status-of-forces": {"level": 0}}  # facts give 3
    path = _file(tmp_path, ratings=ratings)
    before = path.read_text()
    valid = run("validate", str(path), cwd=tmp_path)
    assert valid.returncode == 2 and "legal.status-of-forces" in valid.stderr
    out = run("migrate", str(path), "--in-place", cwd=tmp_path)
    assert out.returncode == 2 and "legal.status-of-forces" in out.stderr
    assert path.read_text() == before


def test_members_written_as_names_get_their_codes_everywhere_they_are_named(tmp_path: Path):
    doc = {
        "id": "pair",
        "name": "Pair",
        "kind": "strategic-partnership",
        "members": ["India", "france", {"code": "UK", "joined": "2020-01-01"}],
        "facts": {
            "defense_spending_gdp": {"India": 2.4},
            "agreements": [{"kind": "defense-cooperation", "parties": ["India", "France"]}],
        },
        "ratings": {"trust.commitment-record": {"level": 3, "perspective": "India"}},
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    new = json.loads(migrate_file(path).text)
    assert new["members"] == ["IND", "FRA", {"code": "GBR", "joined": "2020-01-01"}]
    assert new["facts"]["defense_spending_gdp"] == {"IND": 2.4}
    assert new["facts"]["agreements"][0]["parties"] == ["IND", "FRA"]
    assert new["ratings"]["trust.commitment-record"]["perspective"] == "IND"
    assert partnership_from_dict(new).format_version == FORMAT_VERSION


def test_a_member_that_names_no_country_is_refused_and_nothing_is_written(tmp_path: Path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"id": "p", "name": "P", "kind": "bilateral-alliance",
                                "members": ["Ruritania", "USA"]}))  # fmt: skip
    before = path.read_text()
    out = run("migrate", str(path), "--in-place", cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "$.members[0]: 'RURITANIA' is not an ISO 3166-1 alpha-3 code" in out.stderr
    assert path.read_text() == before


def test_lists_of_an_older_file_are_stated_complete_where_they_stand_in_yaml(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text(
        """# kept
id: p
name: P
kind: bilateral-alliance
members: [USA, JPN]
assessed_on: 2025-01-01
facts:
  agreements:
    - kind: security-of-information
      provisions: [clearance-recognition]   # as read
      source: GSOMIA
    - {kind: cyber, provisions: []}
    - kind: access
      provisions:
        - reciprocal-inspections
  # the record
  invocations: []
"""
    )
    result = migrate_file(path)
    assert [str(c) for c in result.changes[:2]] == [
        "$.facts.agreements[0].provisions_complete: added true (formats 1 and 2 read a given"
        " list as complete; format 3 says so)",
        "$.facts.agreements[1].provisions_complete: added true (formats 1 and 2 read a given"
        " list as complete; format 3 says so)",
    ]
    assert (
        result.text
        == """# kept
format_version: 3
id: p
name: P
kind: bilateral-alliance
members: [USA, JPN]
assessed_on: 2025-01-01
facts:
  agreements:
    - kind: security-of-information
      provisions: [clearance-recognition]   # as read
      provisions_complete: true
      source: GSOMIA
    - {kind: cyber, provisions: [], provisions_complete: true}
    - kind: access
      provisions:
        - reciprocal-inspections
      provisions_complete: true
  # the record
  agreements_complete: true
  invocations: []
  invocations_complete: true
"""
    )
    old, new = load_partnership(path), partnership_from_dict(yaml.safe_load(result.text))
    assert old.features() == new.features()  # the same meaning
    assert new.facts is not None and new.facts.agreements_complete is True


def test_a_statement_the_file_makes_is_kept(tmp_path: Path):
    doc = {"id": "p", "name": "P", "kind": "bilateral-alliance", "members": ["USA", "JPN"],
           "facts": {"agreements": [{"kind": "access"}], "agreements_complete": False}}  # fmt: skip
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    result = migrate_file(path)
    assert [c.where for c in result.changes] == ["$.format_version"]
    assert load_partnership(path).features()["agreement.cyber"] is None  # said: not complete

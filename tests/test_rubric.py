"""Rubric loading: the default rubric, shipped lookup, and one test per error message."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from readiness import RubricError, available_rubrics, load_rubric
from readiness.rubric import rubric_from_dict
from tests.factories import SMALL

BASE: dict[str, Any] = yaml.safe_load(SMALL.read_text())


def broken(change) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    change(doc)
    return doc


def problems_of(doc: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(RubricError) as err:
        rubric_from_dict(doc, source="r.yaml")
    assert str(err.value).startswith("r.yaml: ")
    return [(p.path, p.message) for p in err.value.problems]


def one_problem(doc: dict[str, Any]) -> tuple[str, str]:
    found = problems_of(doc)
    assert len(found) == 1, found
    return found[0]


def test_default_rubric_loads():
    r = load_rubric()
    assert r.id == "defense-partnership"
    assert len(r.pillars) == 12
    assert len(r.criteria) == 43
    assert "defense-partnership" in available_rubrics()
    assert load_rubric("defense-partnership") is r  # shipped rubrics are cached


def test_default_rubric_covers_every_key_component():
    titles = " ".join(p.title.lower() for p in load_rubric().pillars)
    for word in ["trust", "objectives", "legal", "interoperability", "training",
                 "intelligence", "political", "burden", "cultural", "technology",
                 "cyber", "dialogue"]:  # fmt: skip
        assert word in titles, word
    ids = load_rubric().criterion_ids
    for cid in ["interop.communications", "interop.data-exchange", "interop.command-and-control",
                "interop.logistics", "legal.dispute-resolution",
                "political.leadership-change-resilience", "political.sovereignty-safeguards",
                "dialogue.periodic-review"]:  # fmt: skip
        assert cid in ids


def test_default_rubric_has_the_required_profiles():
    r = load_rubric()
    kinds = {k for p in r.profiles for k in p.kinds}
    assert {"collective-defense-alliance", "bilateral-alliance", "technology-partnership",
            "regional-security-forum", "capacity-building-partnership"} <= kinds  # fmt: skip
    for p in r.pillars:
        assert p.rationale


def test_load_from_path_and_json(tmp_path: Path):
    assert load_rubric(SMALL).id == "small"
    assert load_rubric(str(SMALL)).id == "small"
    f = tmp_path / "small.json"
    f.write_text(json.dumps(BASE))
    assert load_rubric(f).id == "small"


def test_unknown_shipped_name():
    with pytest.raises(RubricError, match="no shipped rubric named 'nope'"):
        load_rubric("nope")


def test_missing_file(tmp_path: Path):
    with pytest.raises(RubricError, match="file not found"):
        load_rubric(tmp_path / "absent.yaml")


def test_invalid_yaml_names_line(tmp_path: Path):
    f = tmp_path / "bad.yaml"
    f.write_text("id: x\npillars: [\n")
    with pytest.raises(RubricError) as err:
        load_rubric(f)
    assert "line 3" in str(err.value) and "invalid YAML" in str(err.value)


def test_not_a_mapping():
    with pytest.raises(RubricError, match="must be a mapping"):
        rubric_from_dict([1, 2])


def test_unknown_field_is_an_error():
    path, msg = one_problem(broken(lambda d: d["pillars"][0]["criteria"][0].update(wieght=2)))
    assert path == "$.pillars[0].criteria[0].wieght"
    assert "unknown field" in msg


def test_missing_required_field():
    path, msg = one_problem(broken(lambda d: d["pillars"][0]["criteria"][0].pop("question")))
    assert path == "$.pillars[0].criteria[0].question"
    assert "required field is missing" in msg


def test_weight_must_be_positive():
    path, msg = one_problem(broken(lambda d: d["pillars"][1].update(weight=0)))
    assert path == "$.pillars[1].weight"
    assert "weight must be greater than 0 (got 0" in msg


def test_criterion_weight_must_be_positive():
    path, msg = one_problem(broken(lambda d: d["pillars"][0]["criteria"][1].update(weight=-1)))
    assert path == "$.pillars[0].criteria[1].weight"
    assert "greater than 0" in msg


def test_missing_level_descriptor():
    path, msg = one_problem(broken(lambda d: d["pillars"][0]["criteria"][0]["levels"].pop(3)))
    assert path == "$.pillars[0].criteria[0].levels"
    assert "missing level descriptors for levels [3]" in msg


def test_level_outside_scale():
    _, msg = one_problem(
        broken(lambda d: d["pillars"][0]["criteria"][0]["levels"].update({5: "x"}))
    )
    assert "levels [5] are outside the 0-4 scale" in msg


def test_missing_remediation_step():
    path, msg = one_problem(broken(lambda d: d["pillars"][0]["criteria"][0]["remediation"].pop(2)))
    assert path == "$.pillars[0].criteria[0].remediation"
    assert "missing remediation for the steps up to levels [2]" in msg


def test_duplicate_criterion_id():
    path, msg = one_problem(broken(lambda d: d["pillars"][1]["criteria"][0].update(id="a.one")))
    assert (path, msg) == ("$.pillars[1].criteria[0].id", "duplicate criterion id 'a.one'")


def test_duplicate_pillar_id():
    path, msg = one_problem(broken(lambda d: d["pillars"][1].update(id="a")))
    assert (path, msg) == ("$.pillars[1].id", "duplicate pillar id 'a'")


def test_unknown_prerequisite():
    doc = broken(lambda d: d["pillars"][0]["criteria"][1].update(prerequisites=["a.zero"]))
    assert one_problem(doc) == (
        "$.pillars[0].criteria[1].prerequisites[0]",
        "unknown criterion id 'a.zero'",
    )


def test_self_prerequisite():
    doc = broken(lambda d: d["pillars"][0]["criteria"][0].update(prerequisites=["a.one"]))
    found = problems_of(doc)
    assert (
        "$.pillars[0].criteria[0].prerequisites[0]",
        "a criterion cannot require itself",
    ) in found


def test_prerequisite_cycle():
    def change(d):
        d["pillars"][0]["criteria"][0]["prerequisites"] = ["b.one"]
        d["pillars"][1]["criteria"][0]["prerequisites"] = ["a.two"]

    _, msg = one_problem(broken(change))
    assert msg.startswith("prerequisite cycle: ")
    assert set(msg.removeprefix("prerequisite cycle: ").split(" -> ")) == {
        "a.one",
        "a.two",
        "b.one",
    }


def test_unknown_target_criterion():
    doc = broken(lambda d: d["profiles"][1]["levels"].update({"c.one": 2}))
    assert one_problem(doc) == ("$.profiles[1].levels['c.one']", "unknown criterion id 'c.one'")


def test_target_level_outside_scale():
    path, msg = one_problem(broken(lambda d: d["profiles"][1]["levels"].update({"a.one": 9})))
    assert path == "$.profiles[1].levels" and "target levels must be 0-4" in msg


def test_unknown_default_profile():
    assert one_problem(broken(lambda d: d.update(default_profile="none"))) == (
        "$.default_profile",
        "unknown profile 'none'",
    )


def test_kind_selecting_two_profiles():
    doc = broken(lambda d: d["profiles"][0].update(kinds=["defense-cooperation"]))
    path, msg = one_problem(doc)
    assert path == "$.profiles[1].kinds[0]" and "already selects profile 'full'" in msg


def test_unknown_source_document():
    doc = broken(
        lambda d: d["pillars"][0]["criteria"][0].update(
            sources=[{"document": "999_nope", "section": "x"}]
        )
    )
    assert one_problem(doc) == (
        "$.pillars[0].criteria[0].sources[0].document",
        "unknown source document '999_nope' (no card in seeds/)",
    )


def test_unknown_source_section():
    doc = broken(
        lambda d: d["pillars"][0]["criteria"][0].update(
            sources=[{"document": "000_375e20a599b9b292", "section": "no-such-section"}]
        )
    )
    path, msg = one_problem(doc)
    assert path == "$.pillars[0].criteria[0].sources[0].section"
    assert "has no section 'no-such-section'" in msg


def test_unknown_effort():
    path, msg = one_problem(broken(lambda d: d["pillars"][0]["criteria"][0].update(effort="huge")))
    assert path == "$.pillars[0].criteria[0].effort"
    assert "unknown effort 'huge'" in msg


def test_unknown_cap_band():
    doc = broken(lambda d: d["pillars"][1]["criteria"][1]["critical"].update(cap_band="top"))
    assert one_problem(doc) == ("$.pillars[1].criteria[1].critical.cap_band", "unknown band 'top'")


def test_bands_must_increase_and_start_at_zero():
    def change(d):
        d["bands"][0]["min"] = 5
        d["bands"][2]["min"] = 30

    found = problems_of(broken(change))
    assert ("$.bands[0].min", "the first band must start at 0 (got 5.0)") in found
    assert ("$.bands[2].min", "band minimums must increase strictly") in found


def test_scale_must_be_zero_to_four():
    doc = broken(lambda d: d["scale"].pop())
    assert one_problem(doc) == ("$.scale", "the scale must list levels 0, 1, 2, 3, 4 in order")


def test_version_must_be_semver():
    path, msg = one_problem(broken(lambda d: d.update(version="v1")))
    assert path == "$.version" and "semantic version" in msg


def test_every_problem_reported_at_once():
    def change(d):
        d["pillars"][0]["weight"] = -2
        d["pillars"][0]["criteria"][0]["levels"].pop(0)
        d["pillars"][1]["criteria"][0]["colour"] = "red"

    found = problems_of(broken(change))
    assert len(found) == 3
    assert {p for p, _ in found} == {
        "$.pillars[0].weight",
        "$.pillars[0].criteria[0].levels",
        "$.pillars[1].criteria[0].colour",
    }


def test_every_cross_reference_problem_reported_at_once():
    def change(d):
        d["pillars"][1]["criteria"][0]["id"] = "a.one"
        d["pillars"][0]["criteria"][1]["prerequisites"] = ["zzz"]
        d["profiles"][0]["levels"] = {"q.q": 1}

    assert len(problems_of(broken(change))) == 3


def test_rubric_is_frozen():
    r = load_rubric(SMALL)
    with pytest.raises(Exception, match="frozen"):
        r.id = "other"  # type: ignore[misc]


def test_profile_targets():
    r = load_rubric(SMALL)
    assert r.profile("modest").target("a.two") == 3
    assert r.profile("modest").target("a.one") == 2
    assert r.profile_for_kind("defense-cooperation").id == "modest"
    assert r.profile_for_kind("bilateral-alliance").id == "full"


def test_empty_pillar():
    path, msg = one_problem(broken(lambda d: d["pillars"][1].update(criteria=[])))
    assert (path, msg) == ("$.pillars[1].criteria", "a pillar needs at least one criterion")

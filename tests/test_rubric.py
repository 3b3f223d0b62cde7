"""Rubric loading: the default rubric, shipped lookup, and one test per error message."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from readiness import RubricError, available_rubrics, load_rubric
from readiness.errors import json_path
from readiness.rubric import rubric_from_dict
from tests.factories import SMALL, make_rubric, rubric_dict

ROOT = Path(__file__).resolve().parent.parent
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


def test_a_profile_may_give_its_own_advice_for_the_steps_it_asks():
    doc = broken(lambda d: d["profiles"][1].update(remediation={"a.two": {1: "Wind down."}}))
    rubric = rubric_from_dict(doc)
    profile, criterion = rubric.profile("modest"), rubric.criterion("a.two")
    assert profile.remediation_for(criterion, 1) == "Wind down."
    assert profile.remediation_for(criterion, 2) == criterion.remediation[2]  # its own
    assert rubric.profile("full").remediation_for(criterion, 1) == criterion.remediation[1]


@pytest.mark.parametrize(
    ("advice", "path", "message"),
    [
        (
            {"a.nope": {1: "x"}},
            "$.profiles[1].remediation['a.nope']",
            "unknown criterion id 'a.nope'",
        ),
        (
            {"a.two": {4: "x"}},
            "$.profiles[1].remediation['a.two'][4]",
            "advice for step 4, but the profile targets a.two at 3: it would never be shown",
        ),
        (
            {"a.two": {5: "x"}},
            "$.profiles[1].remediation",
            "remediation of 'a.two': keys [5] are not steps 1-4",
        ),
        ({"a.two": {1: " "}}, "$.profiles[1].remediation['a.two'][1]", None),
    ],
    ids=["unknown-criterion", "beyond-target", "not-a-step", "blank"],
)
def test_profile_advice_is_checked(advice, path, message):
    found_path, found = one_problem(broken(lambda d: d["profiles"][1].update(remediation=advice)))
    assert found_path.startswith(path)
    assert message is None or found == message


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


# --- numbers are numbers --------------------------------------------------------------


def _set(path: tuple[str | int, ...], value: Any):
    def change(d: dict[str, Any]) -> None:
        target: Any = d
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("pillars", 0, "weight"), "1", "weight must be a number, not str (got '1')"),
        (("pillars", 0, "weight"), True, "weight must be a number, not true/false (got True)"),
        (("pillars", 0, "weight"), float("inf"), "weight must be a finite number (got inf)"),
        (("pillars", 0, "weight"), float("nan"), "weight must be a finite number (got nan)"),
        (("pillars", 0, "weight"), 1e-320, "weight must be between 0.001 and 1000 (got 1e-320)"),
        (("pillars", 0, "weight"), 1e308, "weight must be between 0.001 and 1000 (got 1e+308)"),
        (
            ("pillars", 0, "criteria", 1, "weight"),
            "0.5",
            "weight must be a number, not str (got '0.5')",
        ),
        (("pillars", 0, "criteria", 1, "weight"), 10**400, "weight must be between 0.001 and 1000"),
        (("min_coverage",), "0.6", "min_coverage must be a number, not str (got '0.6')"),
        (("min_coverage",), False, "min_coverage must be a number, not true/false (got False)"),
        (("effort_scale", "low"), "1", "effort units must be a number, not str (got '1')"),
        (("effort_scale", "high"), 0, "effort units must be greater than 0 (got 0)"),
        (("effort_scale", "high"), 1e6, "effort units must be between 0.001 and 1000"),
        (("bands", 1, "min"), "40", "min must be a number, not str (got '40')"),
        (("scale", 0, "level"), "0", "must be a whole number, not str (got '0')"),
        (("profiles", 0, "default_level"), "4", "must be a whole number, not str (got '4')"),
        (("profiles", 0, "default_level"), True, "must be a whole number, not true/false"),
        (("profiles", 1, "levels", "a.two"), "3", "must be a whole number, not str (got '3')"),
    ],
)
def test_numbers_must_be_written_as_numbers(path, value, message):
    found_path, found = one_problem(broken(_set(path, value)))
    assert found_path == json_path(path)
    assert found.startswith(message), found


def test_gate_level_must_be_a_whole_number():
    doc = broken(_set(("pillars", 1, "criteria", 1, "critical", "min_level"), "2"))
    assert one_problem(doc) == (
        "$.pillars[1].criteria[1].critical.min_level",
        "must be a whole number, not str (got '2')",
    )


def test_level_keys_may_be_numbers_or_their_digits_but_not_true():
    keys_as_text = broken(
        _set(("pillars", 0, "criteria", 0, "levels"), {str(i): f"l{i}" for i in range(5)})
    )
    assert rubric_from_dict(keys_as_text).criteria[0].levels[4] == "l4"
    levels = {True: "x", 0: "a", 2: "b", 3: "c", 4: "d"}
    doc = broken(_set(("pillars", 0, "criteria", 0, "levels"), levels))
    path, msg = problems_of(doc)[0]
    assert path.startswith("$.pillars[0].criteria[0].levels")
    assert "a level key must be a whole number (got True)" in msg


def test_whole_numbers_stay_valid_where_numbers_are_asked():
    doc = broken(_set(("pillars", 0, "weight"), 3))
    doc["min_coverage"] = 1
    doc["effort_scale"] = {"low": 1, "high": 1000}
    doc["pillars"][1]["weight"] = 0.001
    r = rubric_from_dict(doc)
    assert (r.pillars[0].weight, r.min_coverage, r.effort_scale["high"]) == (3, 1, 1000)


def test_json_infinity_weight_names_file_and_path(tmp_path: Path):
    f = tmp_path / "r.json"
    f.write_text(
        json.dumps(broken(_set(("pillars", 1, "criteria", 0, "weight"), 7.25))).replace(
            "7.25", "Infinity"
        )
    )
    with pytest.raises(RubricError) as err:
        load_rubric(f)
    assert str(err.value) == (
        f"{f}: $.pillars[1].criteria[0].weight: weight must be a finite number (got inf)"
    )


def test_extreme_weights_in_range_keep_scores_finite():
    import numpy as np

    from readiness.scoring import ScoringModel, effective_weights, score_matrix

    pillars = [
        (
            f"p{i}",
            1000.0 if i % 2 else 0.001,
            "geometric",
            [(f"p{i}.c{j}", 1000.0) for j in range(3)],
        )
        for i in range(4)
    ]
    model = ScoringModel.from_rubric(make_rubric(rubric_dict(pillars)))
    s = score_matrix(np.full((1, 12), 3.0), model)
    assert np.isfinite(s.overall).all() and s.overall[0] == pytest.approx(75.0)
    assert effective_weights(model).sum() == pytest.approx(1.0)


def test_a_build_label_is_a_semantic_version():
    assert rubric_from_dict(broken(_set(("version",), "1.0.0+build.5"))).version == "1.0.0+build.5"


# --- duplicate keys in rubric files ---------------------------------------------------


def test_duplicate_yaml_key_in_a_rubric_names_file_line_and_column(tmp_path: Path):
    text = SMALL.read_text().replace(
        "    weight: 2\n    rationale: counts double\n",
        "    weight: 2\n    rationale: counts double\n    weight: 20\n",
    )
    f = tmp_path / "dup.yaml"
    f.write_text(text)
    line = text.splitlines().index("    weight: 20") + 1
    with pytest.raises(RubricError) as err:
        load_rubric(f)
    assert str(err.value) == (
        f"{f}: line {line} column 5: duplicate key 'weight' (first at line {line - 2} column 5)"
    )


# --- prerequisite cycles --------------------------------------------------------------


def _chain_rubric(n: int, prerequisites) -> dict[str, Any]:
    ids = [f"p.c{i}" for i in range(n)]
    doc = rubric_dict([("p", 1.0, "arithmetic", [(cid, 1.0) for cid in ids])])
    for i, c in enumerate(doc["pillars"][0]["criteria"]):
        c["prerequisites"] = prerequisites(i, ids)
    return doc


def test_a_complete_prerequisite_graph_gets_one_short_message():
    doc = _chain_rubric(60, lambda i, ids: [c for c in ids if c != ids[i]])
    with pytest.raises(RubricError) as err:
        rubric_from_dict(doc, source="r.yaml")
    assert len(err.value.problems) == 1
    assert str(err.value) == (
        "r.yaml: $.pillars[0].criteria[0].prerequisites: prerequisite cycle: "
        "p.c0 -> p.c1 -> p.c0 (one of the cycles among 60 criteria that all require each "
        "other, directly or through others)"
    )


def test_one_problem_per_group_of_criteria_in_cycles():
    def prerequisites(i: int, ids: list[str]) -> list[str]:
        return {0: ["p.c1"], 1: ["p.c0"], 3: ["p.c4"], 4: ["p.c5"], 5: ["p.c3"]}.get(i, [])

    found = problems_of(_chain_rubric(6, prerequisites))
    assert found == [
        ("$.pillars[0].criteria[0].prerequisites", "prerequisite cycle: p.c0 -> p.c1 -> p.c0"),
        (
            "$.pillars[0].criteria[3].prerequisites",
            "prerequisite cycle: p.c3 -> p.c4 -> p.c5 -> p.c3",
        ),
    ]


def test_a_long_prerequisite_chain_needs_no_recursion():
    n = 3000  # deeper than Python's recursion limit
    doc = _chain_rubric(n, lambda i, ids: [ids[(i + 1) % n]])
    ((path, msg),) = problems_of(doc)
    assert path == "$.pillars[0].criteria[0].prerequisites"
    assert msg.startswith("prerequisite cycle: p.c0 -> p.c1 -> ")
    assert len(msg) < 600 and "more characters" in msg  # a message is never 30 KB long
    doc = _chain_rubric(n, lambda i, ids: [ids[i + 1]] if i + 1 < n else [])
    assert len(rubric_from_dict(doc).criteria) == n


# --- varying a rubric -----------------------------------------------------------------


def test_with_weights_gives_a_checked_variant():
    r = load_rubric(SMALL)
    v = r.with_weights({"a": 5, "b.one": 0.5})
    assert v.version == "0.1.0+custom" and v.label == "small@0.1.0+custom"
    assert v.pillars[0].weight == 5 and v.criterion("b.one").weight == 0.5
    assert v.pillars[1].weight == r.pillars[1].weight
    assert v.with_weights({"b": 3}).version == "0.1.0+custom"
    assert r.with_weights({"a": r.pillars[0].weight}) is r
    assert r.version == "0.1.0" and r.pillars[0].weight == 2  # the original is untouched


def test_with_weights_changes_the_scores_and_results_show_the_variant():
    from readiness import assess, load_partnership
    from tests.factories import EXAMPLES

    rubric = load_rubric()
    nato = load_partnership(EXAMPLES / "nato.json", rubric)
    heavy = rubric.with_weights({p.id: 1.0 for p in rubric.pillars} | {"legal": 50.0})
    before, after = assess(nato, rubric), assess(nato, heavy)
    assert after.to_dict()["rubric"]["version"] == f"{rubric.version}+custom"
    assert after.overall != before.overall


def test_with_weights_lists_every_bad_id_and_value():
    r = load_rubric(SMALL)
    with pytest.raises(RubricError) as err:
        r.with_weights({"nope": 1.0, "a": "2", "b": float("inf"), "a.one": 0, "b.two": 5000})
    assert err.value.source == "small@0.1.0 with_weights"
    assert [(p.path, p.message) for p in err.value.problems] == [
        ("$.nope", "unknown pillar or criterion id 'nope'"),
        ("$.a", "weight must be a number, not str (got '2')"),
        ("$.b", "weight must be a finite number (got inf)"),
        ("$['a.one']", "weight must be greater than 0 (got 0)"),
        ("$['b.two']", "weight must be between 0.001 and 1000 (got 5000)"),
    ]


def test_model_copy_with_update_is_validated_and_marked():
    r = load_rubric(SMALL)
    with pytest.raises(RubricError, match=r"\$\.weight: unknown rubric field"):
        r.model_copy(update={"weight": -5.0})
    bad_pillar = r.pillars[0].model_copy(update={"weight": -5.0})
    with pytest.raises(RubricError, match=r"\$\.pillars\[0\]\.weight: weight must be greater"):
        r.model_copy(update={"pillars": (bad_pillar, *r.pillars[1:])})
    with pytest.raises(RubricError, match="min_coverage must be a number"):
        r.model_copy(update={"min_coverage": "0.9"})
    v = r.model_copy(update={"min_coverage": 0.9})
    assert (v.min_coverage, v.label) == (0.9, "small@0.1.0+custom")
    assert r.model_copy(update={"version": "0.2.0", "min_coverage": 0.9}).label == "small@0.2.0"
    assert r.model_copy() == r


@pytest.mark.parametrize(
    "unchecked",
    [
        pytest.param(lambda r: type(r).model_construct(**dict(r)), id="model_construct"),
        pytest.param(
            lambda r: BaseModel.model_copy(r, update={"min_coverage": 5.0}), id="plain-copy"
        ),
        pytest.param(
            lambda r: (r.effort_scale.__setitem__("low", -1.0), r)[1], id="changed-in-place"
        ),
    ],
)
def test_an_unchecked_rubric_is_never_scored(unchecked):
    from readiness.scoring import ScoringModel

    rubric = unchecked(rubric_from_dict(copy.deepcopy(BASE)))
    with pytest.raises(RubricError) as err:
        ScoringModel.from_rubric(rubric)
    assert "without validation" in str(err.value) and "with_weights" in str(err.value)
    assert err.value.source == "small@0.1.0"


def test_scoring_checks_a_rubric_once():
    from readiness.scoring import ScoringModel

    r = rubric_from_dict(copy.deepcopy(BASE))
    calls = []
    original = type(r)._content_digest

    def counting(self):
        calls.append(1)
        return original(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(type(r), "_content_digest", counting)
        for _ in range(5):
            ScoringModel.from_rubric(r)
    assert len(calls) == 1


# --- the shipped rubrics, validated once (readiness/_validated.marshal) ------------------


def test_the_validated_shipped_rubrics_are_current():
    # each shipped rubric is in the table under the key of what its validation reads (with
    # the versions of Python and pydantic the table was written with); where those are the
    # versions here, the rubric it holds is the one validated in full now. `make parsed`
    import pickle

    import readiness.rubric as rm

    rm._validated_file.cache_clear()
    versions, table = rm._validated_file()
    assert versions, "readiness/_validated.marshal is missing: run `make parsed`"
    keys = set()
    for name, entry in rm._shipped().items():
        key = rm._validation_key(entry, versions)
        assert key is not None
        keys.add(key)
        assert key in table, (
            f"{name}, a seed card or the validating code changed: run `make parsed`"
        )
        if versions != rm._versions():  # the table is not used here; its keys still hold
            continue
        pickled, tree = table[key]
        held, fresh = pickle.loads(pickled), rm._load_file(entry, shipped=True)
        assert type(held) is rm.Rubric and held == fresh and held._digest == fresh._digest
        assert held.model_dump_json() == fresh.model_dump_json()
        assert tree == rm._fingerprint(fresh) == rm._fingerprint(held)
    assert set(table) == keys, "readiness/_validated.marshal holds rubrics no longer shipped"


@pytest.fixture
def validated(tmp_path, monkeypatch):
    """A table of the shipped rubrics validated here (the shipped one may have been
    written with other versions of pydantic), in place of readiness/_validated.marshal."""
    import readiness.rubric as rm

    out = tmp_path / "validated.marshal"
    rm.write_validated(out)
    monkeypatch.setattr(rm, "VALIDATED", out)
    rm._validated_file.cache_clear()
    yield out
    rm._validated_file.cache_clear()  # before monkeypatch puts the shipped file back


def test_the_validated_table_is_used_only_with_its_versions(validated, monkeypatch):
    import readiness.rubric as rm

    entry = rm._shipped()["defense-partnership"]
    assert rm._validated(entry) is not None
    monkeypatch.setattr(rm, "_versions", lambda: "cpython 3.11, pydantic 2.0.0, another")
    assert rm._validated(entry) is None


def test_the_validation_key_covers_the_code_that_validates():
    # every module of the package that reading and validating a rubric file loads (YAML
    # included) is in the key: an edit to any of them leaves the table unused
    import readiness.rubric as rm

    code = (
        "import sys, readiness.rubric as r; "
        "r._load_file(r._shipped()['defense-partnership']); "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'readiness')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(out.stdout.split()) - {"readiness", "readiness._version"}  # not validating
    covered = {f"readiness.{m}" for m in rm._VALIDATION_CODE}
    assert "readiness._yaml" in loaded and loaded <= covered, sorted(loaded - covered)


def test_an_edited_rubric_seed_or_code_is_validated_in_full(validated, tmp_path, monkeypatch):
    import readiness.rubric as rm

    entry = rm._shipped()["defense-partnership"]
    same = tmp_path / "defense-partnership.yaml"
    same.write_bytes(entry.read_bytes())
    held = rm._validated(same)
    assert held is not None and held == load_rubric() and held is not load_rubric()
    edited = tmp_path / "edited.yaml"
    edited.write_bytes(entry.read_bytes().replace(b"title:", b"title: ", 1))
    assert rm._validated(edited) is None  # the same data, another text: validated in full
    with monkeypatch.context() as mp:
        mp.setattr(rm, "_VALIDATION_CODE", rm._VALIDATION_CODE[:-1])
        assert rm._validated(same) is None  # the validating code is another
    with monkeypatch.context() as mp:
        mp.setattr(rm, "data_dir", lambda kind: tmp_path / "no-seeds")
        assert rm._validated(same) is None  # the seed cards cannot be read
    monkeypatch.setattr(rm, "VALIDATED", tmp_path / "absent.marshal")
    rm._validated_file.cache_clear()
    assert rm._validated(same) is None  # no table: validated in full
    assert rm._load_shipped.__wrapped__("defense-partnership") == held


def test_the_fingerprint_tells_only_what_it_tells_exactly():
    import readiness.rubric as rm

    rubric = rubric_from_dict(copy.deepcopy(BASE))
    assert rm._fingerprint(rubric) is not None
    rubric.__dict__["effort_scale"] = {"low": frozenset({1.0})}  # not a type it knows
    assert rm._fingerprint(rubric) is None  # then the JSON digest decides


def test_the_fingerprint_tells_values_apart_by_type_and_not_by_identity():
    import readiness.rubric as rm

    rubric = rubric_from_dict(copy.deepcopy(BASE))
    seen = set()
    next_up = float.fromhex("0x1.999999999999bp-4")  # the float after 0.1
    for value in (1, 1.0, True, 0.0, -0.0, 0.1, next_up, "1", None, [1.0], (1.0,)):
        rubric.__dict__["effort_scale"] = {"low": value}
        seen.add(rm._fingerprint(rubric))
    assert len(seen) == 11 and None not in seen
    # equal content is one fingerprint, whether its texts are interned or shared or not
    word = "".join(["lo", "w"])
    assert word is not "low"  # noqa: F632 - a text equal to the key, another object
    rubric.__dict__["effort_scale"] = {"low": 1.0, "high": 2.0}
    shared = rm._fingerprint(rubric)
    rubric.__dict__["effort_scale"] = {word: float("1.0"), sys.intern("high"): 2.0}
    assert rm._fingerprint(rubric) == shared


def test_a_rubric_file_is_validated_in_full(monkeypatch):
    # the table serves the shipped rubric by name only; a path is read and validated
    import readiness.rubric as rm

    def refuse(entry: object) -> None:
        raise AssertionError("served from the table")

    shipped = load_rubric()
    monkeypatch.setattr(rm, "_validated", refuse)
    assert load_rubric(Path("rubrics/defense-partnership.yaml")) == shipped
    rm._load_shipped.cache_clear()
    try:
        with pytest.raises(AssertionError, match="served from the table"):
            load_rubric()
    finally:
        monkeypatch.undo()
        rm._load_shipped.cache_clear()


def test_a_rubric_from_the_table_is_scored_only_unchanged(validated, monkeypatch):
    # before its validators are built, the same fingerprint of the content is enough; a
    # change in place is still refused (by the JSON digest), as it is once they are built
    import readiness.rubric as rm
    from readiness.scoring import ScoringModel

    rubric_from_dict(copy.deepcopy(BASE))  # built here; "not built" is simulated below
    entry = rm._shipped()["defense-partnership"]
    calls: list[int] = []
    original = rm.Rubric._content_digest

    def counting(self: rm.Rubric) -> str:
        calls.append(1)
        return original(self)

    with monkeypatch.context() as mp:
        mp.setattr(rm.Rubric, "__pydantic_complete__", False)
        mp.setattr(rm.Rubric, "_content_digest", counting)
        held = rm._validated(entry)
        assert held is not None
        ScoringModel.from_rubric(held)
        assert calls == []  # the validators were not needed
        for change in (
            lambda r: r.effort_scale.__setitem__("low", -1.0),
            lambda r: r.pillars[0].__dict__.__setitem__("weight", 999.0),
            lambda r: r.pillars[0].criteria[0].levels.__setitem__(0, "other"),
        ):
            changed = rm._validated(entry)
            assert changed is not None
            change(changed)
            with pytest.raises(RubricError, match="without validation"):
                changed.ensure_validated()
    assert rm.Rubric.__pydantic_complete__  # the validators built: the JSON digest is used
    changed = rm._validated(entry)
    assert changed is not None
    changed.ensure_validated()
    changed.effort_scale["low"] = -1.0
    with pytest.raises(RubricError, match="without validation"):  # the JSON digest agrees
        changed.ensure_validated()


# --- the rubric as a table ------------------------------------------------------------


def test_to_frame_has_one_row_per_criterion():
    from readiness.scoring import ScoringModel, effective_weights

    r = load_rubric()
    frame = r.to_frame()
    assert list(frame.columns) == [
        "pillar", "id", "title", "question", "weight", "effective_weight", "critical", "derive",
    ]  # fmt: skip
    assert list(frame["id"]) == list(r.criterion_ids)
    assert list(frame["pillar"]) == [r.pillar_of[c].id for c in r.criterion_ids]
    expected = effective_weights(ScoringModel.from_rubric(r))
    assert frame["effective_weight"].to_numpy() == pytest.approx(expected, abs=1e-15)
    assert frame["effective_weight"].sum() == pytest.approx(1.0)
    assert frame["critical"].dtype == bool
    assert list(frame["critical"]) == [c.critical is not None for c in r.criteria]
    rules = {c.id: c.derive for c in r.criteria}
    for cid, text in zip(frame["id"], frame["derive"], strict=True):
        assert (text is None) == (rules[cid] is None)
    row = frame.set_index("id").loc["training.joint-exercises"]
    assert (
        row["derive"]
        == "bands on exercises_per_year: 1 at >= 0.2, 2 at >= 1, 3 at >= 3, 4 at >= 12"
    )
    assert row["question"] == r.criterion("training.joint-exercises").question
    long = frame.set_index("id").loc["legal.founding-agreement", "derive"]
    assert long.startswith("max on agreement.") and long.endswith("more facts")


def test_to_frame_effective_weights_by_hand():
    frame = load_rubric(SMALL).to_frame().set_index("id")
    # pillar a (weight 2 of 3) holds a.one (1) and a.two (3); pillar b (1 of 3) two of weight 1
    assert frame.loc["a.one", "effective_weight"] == pytest.approx(2 / 3 * 1 / 4)
    assert frame.loc["a.two", "effective_weight"] == pytest.approx(2 / 3 * 3 / 4)
    assert frame.loc["b.two", "effective_weight"] == pytest.approx(1 / 3 * 1 / 2)
    assert frame.loc["b.two", "critical"] and not frame.loc["a.one", "critical"]


def test_criterion_index_and_rule_positions_follow_the_criteria():
    rubric = load_rubric()
    assert list(rubric.criterion_index) == list(rubric.criterion_ids)
    assert all(rubric.criteria[j].id == cid for cid, j in rubric.criterion_index.items())
    with_rules = [j for j, c in enumerate(rubric.criteria) if c.derive is not None]
    assert list(rubric.rule_positions) == with_rules and with_rules

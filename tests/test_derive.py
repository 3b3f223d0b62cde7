"""Derive rules: every rule type, rubric checks, overrides, the table path and agreement."""

from __future__ import annotations

import copy
import json
import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from readiness import (
    InputError,
    Partnership,
    RubricError,
    assess,
    assess_frame,
    derive_frame,
    facts_frame,
    load_partnership,
    load_rubric,
)
from readiness.derive import (
    Bands,
    Count,
    Map,
    Max,
    Min,
    Present,
    Table,
    derive_levels,
    derive_partnership,
    encode_row,
    encode_rows,
    evaluate,
    explain,
    requirements,
)
from readiness.facts import AGREEMENT_KINDS, FEATURES, facts_features
from readiness.partnership import partnership_from_dict
from readiness.rubric import rubric_from_dict
from tests.cli_harness import run_cli
from tests.factories import make_rubric, rubric_dict

AS_OF = date(2025, 6, 30)


def table(columns: dict[str, list[float]] | None = None, **more: list[float]) -> Table:
    """Encoded columns; keyword names use ``__`` for ``.`` (``atop__defense``)."""
    data = {**(columns or {}), **{k.replace("__", "."): v for k, v in more.items()}}
    n = len(next(iter(data.values())))
    return Table(n=n, columns={k: np.array(v, dtype=float) for k, v in data.items()})


def levels(rule, columns: dict[str, list[float]] | None = None, **more: list[float]) -> list:
    out = evaluate(rule, table(columns, **more))
    return [None if math.isnan(v) else float(v) for v in out]


SOFA = "agreement.status-of-forces"


# --- every rule type --------------------------------------------------------------------


def test_bands_counts_the_thresholds_reached():
    rule = Bands(rule="bands", feature="exercises_per_year", thresholds=(1, 3, 6, 12))
    assert levels(rule, exercises_per_year=[0, 1, 2.9, 3, 6, 11, 12, 40, math.nan]) == [
        0, 1, 1, 2, 3, 3, 4, 4, None,
    ]  # fmt: skip
    assert (
        rule.describe()
        == "bands on exercises_per_year: 1 at >= 1, 2 at >= 3, 3 at >= 6, 4 at >= 12"
    )
    t = table(exercises_per_year=[3])
    assert explain(rule, t) == "bands on exercises_per_year = 3 -> level 2"
    assert requirements(rule, 3, t) == ("exercises_per_year >= 6 (now 3)",)
    assert requirements(rule, 2, t) == ()
    missing = table(exercises_per_year=[math.nan])
    assert explain(rule, missing) == "bands on exercises_per_year = missing -> unknown"
    assert requirements(rule, 1, missing) == ("exercises_per_year >= 1 (now missing)",)


def test_bands_descending_and_unreachable_levels():
    rule = Bands(
        rule="bands",
        feature="security_incidents_5y",
        descending=True,
        thresholds=(10, 2, 0, -math.inf),
    )
    assert levels(rule, security_incidents_5y=[0, 1, 2, 3, 10, 11]) == [3, 2, 2, 1, 1, 0]
    assert rule.top() == 3
    assert rule.describe() == "bands on security_incidents_5y: 1 at <= 10, 2 at <= 2, 3 at <= 0"
    t = table(security_incidents_5y=[5])
    assert requirements(rule, 3, t) == ("security_incidents_5y <= 0 (now 5)",)
    assert requirements(rule, 4, t) is None
    capped = Bands(rule="bands", feature="liaison_officers", thresholds=(1, 1, 5, math.inf))
    assert capped.describe() == "bands on liaison_officers: 2 at >= 1, 3 at >= 5"
    assert levels(capped, liaison_officers=[10**9]) == [3]


def test_map_gives_every_value_a_level():
    rule = Map.model_validate(
        {
            "rule": "map",
            "feature": "intelligence_sharing",
            "levels": {"none": 0, "ad-hoc": 1, "formal-bilateral": 2, "integrated": 4},
        }
    )
    assert levels(rule, intelligence_sharing=[0, 1, 2, 3, math.nan]) == [0, 1, 2, 4, None]
    t = encode_row({"intelligence_sharing": "ad-hoc"})
    assert explain(rule, t) == "map on intelligence_sharing = ad-hoc -> level 1"
    assert requirements(rule, 2, t) == (
        "intelligence_sharing one of formal-bilateral, integrated (now ad-hoc)",
    )
    assert requirements(rule, 4, t) == ("intelligence_sharing = integrated (now ad-hoc)",)
    flags = Map.model_validate(
        {"rule": "map", "feature": "secure_channels", "levels": {True: 3, False: 1}}
    )
    assert flags.levels == {"true": 3, "false": 1}
    assert levels(flags, secure_channels=[1, 0, math.nan]) == [3, 1, None]


def test_count_tolerates_unknowns_that_cannot_change_the_level():
    rule = Count(
        rule="count",
        features=("atop.defense", "atop.offense", "atop.consultation"),
        thresholds=(1, 2, 2, 3),
    )
    got = levels(
        rule,
        atop__defense=[1, 1, 1, 0, math.nan, 1],
        atop__offense=[1, 0, math.nan, 0, math.nan, 1],
        atop__consultation=[1, 0, 0, 0, math.nan, math.nan],
    )
    # 3 true -> 4; 1 true -> 1; 1 true + 1 unknown could be 1 or 3 -> unknown; 0 -> 0;
    # all unknown -> unknown; 2 true + 1 unknown could be 3 or 4 -> unknown
    assert got == [4, 1, None, 0, None, None]
    same = Count(rule="count", features=("atop.defense", "atop.offense"), thresholds=(1, 1, 1, 1))
    assert levels(same, atop__defense=[1], atop__offense=[math.nan]) == [4]  # already there
    t = table(atop__defense=[1], atop__offense=[0], atop__consultation=[0])
    assert explain(rule, t) == (
        "count true of [atop.defense, atop.offense, atop.consultation] = 1 true: atop.defense"
        " -> level 1"
    )
    assert requirements(rule, 3, t) == (
        "at least 2 of atop.defense, atop.offense, atop.consultation true "
        "(now 1 true: atop.defense)",
    )


def test_present_with_and_without_a_level_for_false():
    rule = Present(rule="present", feature="agreement.status-of-forces", if_true=2, if_false=0)
    assert levels(rule, {SOFA: [1, 0, math.nan]}) == [2, 0, None]
    silent = Present(rule="present", feature=SOFA, if_true=2)
    assert levels(silent, {SOFA: [1, 0]}) == [2, None]
    assert silent.describe() == "present agreement.status-of-forces: true -> 2, false -> unknown"
    t = table({SOFA: [0]})
    assert requirements(rule, 2, t) == ("agreement.status-of-forces true (now false)",)
    assert requirements(rule, 3, t) is None


def sofa_table(values: list[float], exercises: list[float]) -> Table:
    return Table(
        n=len(values),
        columns={
            "agreement.status-of-forces": np.array(values, dtype=float),
            "exercises_per_year": np.array(exercises, dtype=float),
        },
    )


def test_min_is_unknown_when_any_input_is_and_max_ignores_unknowns():
    sofa = Present(rule="present", feature="agreement.status-of-forces", if_true=3, if_false=0)
    drills = Bands(rule="bands", feature="exercises_per_year", thresholds=(1, 2, 3, 4))
    low = Min(rule="min", of=(sofa, drills))
    high = Max(rule="max", of=(sofa, drills))
    t = sofa_table([1, 1, 0, math.nan, math.nan], [4, 1, math.nan, 2, math.nan])
    assert [None if math.isnan(v) else v for v in evaluate(low, t)] == [3, 1, None, None, None]
    assert [None if math.isnan(v) else v for v in evaluate(high, t)] == [4, 3, 0, 2, None]
    one = sofa_table([1], [1])
    assert explain(low, one) == "lowest of 2 rules: bands on exercises_per_year = 1 -> level 1"
    assert explain(high, one) == (
        "highest of 2 rules: present agreement.status-of-forces = true -> level 3"
    )
    gap = sofa_table([math.nan], [2])
    assert explain(low, gap) == "lowest of 2 rules: unknown (missing agreement.status-of-forces)"
    assert requirements(low, 3, gap) == (
        "agreement.status-of-forces true (now missing)",
        "exercises_per_year >= 3 (now 2)",
    )
    assert requirements(high, 4, one) == ("exercises_per_year >= 4 (now 1)",)
    assert requirements(high, 3, sofa_table([0], [1])) == (
        "one of: (agreement.status-of-forces true (now false)) or "
        "(exercises_per_year >= 3 (now 1))",
    )
    assert low.top() == 3 and high.top() == 4
    assert low.describe().startswith("lowest of (present agreement.status-of-forces: true -> 3")


# --- rules in the rubric ---------------------------------------------------------------------


def rubric_with(rule: dict[str, Any] | None, **more: dict[str, Any]) -> dict[str, Any]:
    doc = rubric_dict(
        [
            ("p", 1.0, "arithmetic", [("p.a", 1.0), ("p.b", 1.0)]),
            ("q", 1.0, "arithmetic", [("q.c", 1.0)]),
        ]
    )
    rules = {"p.a": rule, **{k.replace("_", "."): v for k, v in more.items()}}
    for pillar in doc["pillars"]:
        for c in pillar["criteria"]:
            if rules.get(c["id"]) is not None:
                c["derive"] = rules[c["id"]]
    return doc


def rule_problems(rule: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(RubricError) as err:
        rubric_from_dict(rubric_with(rule), source="r.yaml")
    assert str(err.value).startswith("r.yaml: ")
    return [(p.path, p.message) for p in err.value.problems]


AT = "$.pillars[0].criteria[0].derive"


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        (
            {"rule": "bands", "feature": "exercises_per_yr", "thresholds": [1, 2, 3, 4]},
            f"{AT}.feature",
            "unknown feature 'exercises_per_yr'; did you mean 'exercises_per_year'?",
        ),
        (
            {"rule": "bands", "feature": "secure_channels", "thresholds": [1, 2, 3, 4]},
            f"{AT}.feature",
            "feature 'secure_channels' is a flag; rule 'bands' needs a number or level feature",
        ),
        (
            {"rule": "bands", "feature": "exercises_per_year", "thresholds": [1, 2, 3]},
            f"{AT}.thresholds",
            "thresholds must be 4 numbers, one per level 1-4 (got 3)",
        ),
        (
            {"rule": "bands", "feature": "exercises_per_year", "thresholds": [1, 6, 3, 12]},
            f"{AT}.thresholds",
            "thresholds must be non-decreasing (got [1, 6, 3, 12])",
        ),
        (
            {
                "rule": "bands",
                "feature": "disputes_5y",
                "descending": True,
                "thresholds": [0, 1, 2, 3],
            },
            f"{AT}.thresholds",
            "descending thresholds must be non-increasing (got [0, 1, 2, 3])",
        ),
        (
            {"rule": "map", "feature": "exercises_per_year", "levels": {"1": 1}},
            f"{AT}.feature",
            "feature 'exercises_per_year' is a number; rule 'map' needs a category or flag feature",
        ),
        (
            {
                "rule": "map",
                "feature": "common_doctrine",
                "levels": {"none": 0, "partial": 2, "common": 5},
            },
            f"{AT}.levels.common",
            "level must be 0-4 (got 5)",
        ),
        (
            {
                "rule": "map",
                "feature": "common_doctrine",
                "levels": {"none": 0, "partial": 2, "common": 3, "full": 4},
            },
            f"{AT}.levels.full",
            "'full' is not a value of common_doctrine (values: none, partial, common)",
        ),
        (
            {"rule": "map", "feature": "common_doctrine", "levels": {"none": 0, "common": 3}},
            f"{AT}.levels",
            "no level for partial: every value of common_doctrine needs one",
        ),
        (
            {
                "rule": "count",
                "features": ["atop.defense", "exercises_per_year"],
                "thresholds": [1, 1, 2, 2],
            },
            f"{AT}.features[1]",
            "feature 'exercises_per_year' is a number; rule 'count' needs a flag feature",
        ),
        (
            {"rule": "present", "feature": "co_production", "if_true": 7},
            f"{AT}.if_true",
            "level must be 0-4 (got 7)",
        ),
        (
            {"rule": "max", "of": [{"rule": "present", "feature": "co_production", "if_true": 2}]},
            f"{AT}.of",
            "max needs at least two rules (got 1)",
        ),
        (
            {
                "rule": "min",
                "of": [
                    {"rule": "present", "feature": "co_production", "if_true": 2},
                    {"rule": "bands", "feature": "nope", "thresholds": [1, 2, 3, 4]},
                ],
            },
            f"{AT}.of[1].feature",
            "unknown feature 'nope'",
        ),
        (
            {"rule": "between", "feature": "x"},
            AT,
            "a rule needs `rule:` set to one of bands, map, count, present, min, max "
            "(got {'rule': 'between', 'feature': 'x'})",
        ),
        (
            {"rule": "bands", "feature": "exercises_per_year", "thresholds": [1, 2, 3, 4], "x": 1},
            f"{AT}.x",
            "unknown field 'x' (fields here: note, rule, feature, thresholds, descending)",
        ),
        (
            {
                "rule": "max",
                "of": [
                    {"rule": "present", "feature": "co_production", "if_true": 2},
                    {"rule": "bands", "feature": "exercises_per_year", "thresholds": "x"},
                ],
            },
            f"{AT}.of[1].thresholds",
            "must be a list (a JSON array [...]) (got 'x')",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("$") else None,
)
def test_rule_problems_name_their_path(rule, path, message):
    assert rule_problems(rule) == [(path, message)]


def test_shipped_rubric_rules():
    rubric = load_rubric()
    assert rubric.version == "1.3.0"
    derived = [c for c in rubric.criteria if c.derive is not None]
    assert len(derived) == len(rubric.criteria)  # every criterion from checkable facts
    for c in derived:
        assert set(c.derive.inputs()) <= set(FEATURES), c.id
        assert c.derive.describe()
        assert 1 <= c.derive.top() <= 4
    ids = {c.id for c in derived}
    assert {
        "legal.founding-agreement",
        "legal.status-of-forces",
        "training.joint-exercises",
        "intel.sharing-arrangement",
        "political.leadership-change-resilience",
        "burden.equitable-contributions",
    } <= ids
    # issue 10 item 2: every critical criterion can be derived from public facts
    assert {c.id for c in rubric.criteria if c.critical} <= ids


# --- overrides ---------------------------------------------------------------------------------

DRILLS = {"rule": "bands", "feature": "exercises_per_year", "thresholds": [1, 2, 3, 4]}


@pytest.fixture(scope="module")
def small():
    return make_rubric(rubric_with(DRILLS))


def partnership(ratings: dict[str, Any] | None = None, **facts: Any) -> Partnership:
    return Partnership(
        id="t",
        name="T",
        kind="defense-cooperation",
        members=("A", "B"),
        assessed_on=AS_OF,
        ratings=ratings or {},
        facts=facts or None,
    )


def test_no_override_the_facts_give_the_level(small):
    a = assess(partnership(exercises_per_year=2), small)
    c = a.criterion("p.a")
    assert (c.state, c.origin, c.level) == ("rated", "derived", 2)
    assert c.derivation == "bands on exercises_per_year = 2 -> level 2"
    assert c.confidence is None
    other = a.criterion("p.b")
    assert (other.state, other.origin, other.derivation) == ("unknown", "unknown", None)


@pytest.mark.parametrize("level", [1, 3])
def test_override_within_one_level_needs_no_justification(small, level):
    c = assess(partnership({"p.a": {"level": level}}, exercises_per_year=2), small).criterion("p.a")
    assert (c.state, c.origin, c.level) == ("rated", "overridden", level)
    assert c.derivation == "bands on exercises_per_year = 2 -> level 2"


def test_a_rating_equal_to_the_derived_level_is_rated(small):
    c = assess(partnership({"p.a": {"level": 2}}, exercises_per_year=2), small).criterion("p.a")
    assert (c.origin, c.level) == ("rated", 2)


@pytest.mark.parametrize(("rated", "derived"), [(4, 2), (0, 2), (4, 0)])
def test_override_by_more_than_one_level_needs_a_justification(small, rated, derived):
    drills = {0: 0, 2: 2}[derived]
    p = partnership({"p.a": {"level": rated}}, exercises_per_year=drills)
    with pytest.raises(InputError) as err:
        assess(p, small)
    assert [(x.path, x.message) for x in err.value.problems] == [
        (
            "$.ratings['p.a'].justification",
            f"the rating {rated} differs from the level {derived} derived from facts by more "
            "than one level; add a justification",
        )
    ]
    justified = partnership(
        {"p.a": {"level": rated, "justification": "the exercises were large"}},
        exercises_per_year=drills,
    )
    c = assess(justified, small).criterion("p.a")
    assert (c.origin, c.level) == ("overridden", rated)


def test_not_applicable_over_a_derived_level_needs_a_justification(small):
    with pytest.raises(InputError) as err:
        assess(partnership({"p.a": {"level": "not-applicable"}}, exercises_per_year=2), small)
    assert [(x.path, x.message) for x in err.value.problems] == [
        (
            "$.ratings['p.a'].justification",
            "the rating 'not-applicable' replaces the level 2 derived from facts; "
            "add a justification",
        )
    ]
    p = partnership(
        {"p.a": {"level": "not-applicable", "justification": "why"}}, exercises_per_year=2
    )
    c = assess(p, small).criterion("p.a")
    assert (c.state, c.origin, c.level) == ("not-applicable", "overridden", None)


@pytest.mark.parametrize("justification", [None, "the assessor had no access"])
def test_unknown_over_a_derived_level_is_no_override_the_facts_give_the_level(small, justification):
    # "unknown" says the assessor did not know; the facts do, so their level counts,
    # with or without a justification, and the assessor's evidence stays on record
    rating = {
        "level": "unknown",
        "note": "not assessed",
        "evidence": [{"text": "no access to the exercise plan", "source": "assessor"}],
    }
    if justification:
        rating["justification"] = justification
    a = assess(partnership({"p.a": rating}, exercises_per_year=2), small)
    c = a.criterion("p.a")
    assert (c.state, c.origin, c.level, c.confidence) == ("rated", "derived", 2, None)
    assert c.note == "not assessed"
    assert [e.text for e in c.evidence] == ["no access to the exercise plan"]
    assert a.overall == assess(partnership({}, exercises_per_year=2), small).overall


def test_unknown_with_no_facts_behind_it_stays_unknown(small):
    c = assess(partnership({"p.a": {"level": "unknown"}}, liaison_officers=3), small).criterion(
        "p.a"
    )
    assert (c.state, c.origin, c.level) == ("unknown", "unknown", None)


def test_rating_over_missing_facts_is_just_rated(small):
    a = assess(partnership({"p.a": {"level": 4}}, liaison_officers=3), small)
    c = a.criterion("p.a")
    assert (c.origin, c.level) == ("rated", 4)
    assert c.derivation == "bands on exercises_per_year = missing -> unknown"
    assert a.criterion("p.b").origin == "unknown"


def test_assessing_catches_unjustified_overrides_loading_does_not_derive(small, tmp_path):
    data = partnership({"p.a": {"level": 4}}, exercises_per_year=0).model_dump(mode="json")
    f = tmp_path / "p.json"
    f.write_text(json.dumps(data))
    p = load_partnership(f, small)  # a description check: no derivation here
    with pytest.raises(InputError, match=r"\$\.ratings\['p\.a'\]\.justification") as info:
        assess(p, small)
    assert info.value.problems[0].criterion == "p.a"


def test_what_if_may_move_a_derived_level_freely(small):
    a = assess(partnership(exercises_per_year=0), small)
    assert a.what_if({"p.a": 4}).criterion("p.a").level == 4


def test_origin_and_derivation_reach_frames_and_dicts(small):
    a = assess(partnership({"p.b": {"level": 1}}, exercises_per_year=3), small)
    frame = a.to_frame().set_index("criterion")
    assert frame.loc["p.a", "origin"] == "derived"
    assert frame.loc["p.b", "origin"] == "rated"
    assert frame.loc["p.a", "derivation"] == "bands on exercises_per_year = 3 -> level 3"
    items = {c["id"]: c for c in a.to_dict()["criteria"]}
    assert items["p.a"]["origin"] == "derived"
    assert items["p.a"]["derivation"] == "bands on exercises_per_year = 3 -> level 3"
    assert items["q.c"]["origin"] == "unknown"


def test_partnerships_without_facts_are_unchanged(small):
    a = assess(partnership({"p.a": {"level": 3}, "p.b": {"level": "not-applicable"}}), small)
    assert [c.origin for c in a.criteria] == ["rated", "not-applicable", "unknown"]
    assert all(c.derivation is None for c in a.criteria)


# --- gaps ------------------------------------------------------------------------------------


def test_gaps_say_which_facts_would_close_them(small):
    a = assess(partnership({"p.b": {"level": 1}}, exercises_per_year=1), small)
    report = a.gaps()
    by_id = {g.criterion: g for g in (*report.gaps, *report.evidence_gaps)}
    assert by_id["p.a"].facts_to_change == ("exercises_per_year >= 4 (now 1)",)
    assert by_id["p.b"].facts_to_change == ()  # rated, no rule
    assert report.to_dict()["gaps"][0]["facts_to_change"] is not None
    text = report.to_markdown()
    assert "### Facts that would close these gaps" in text
    assert "- p.a (`p.a`), 1 → 4: exercises\\_per\\_year \\>= 4 (now 1)" in text


def test_overridden_gaps_have_no_facts_to_change(small):
    a = assess(partnership({"p.a": {"level": 2}}, exercises_per_year=1), small)
    (gap,) = [g for g in a.gaps().gaps if g.criterion == "p.a"]
    assert gap.facts_to_change == ()
    assert "Facts that would close" not in a.gaps().to_markdown()


def test_facts_beyond_the_rule_say_so():
    rubric = load_rubric()
    p = partnership(interoperability={"communications": 1}, secure_channels=True)
    report = assess(p, rubric, min_coverage=0).gaps("collective-defense")
    (gap,) = [g for g in report.gaps if g.criterion == "intel.secure-channels"]
    assert gap.current == 2
    assert gap.facts_to_change == (f"interop.communications >= {gap.target} (now 1)",)


# --- the table path ----------------------------------------------------------------------------


def test_derive_frame_columns_and_values():
    rubric = load_rubric()
    frame = pd.DataFrame(
        {
            "exercises_per_year": [0.0, 4.0, None],
            "intelligence_sharing": ["ad-hoc", None, "integrated"],
            "secure_channels": pd.array([True, None, False], dtype="boolean"),
        },
        index=["a", "b", "c"],
    )
    out = derive_frame(frame, rubric)
    assert list(out.columns) == [c.id for c in rubric.criteria if c.derive is not None]
    assert list(out.index) == ["a", "b", "c"]
    assert out["training.joint-exercises"].tolist()[:2] == [0.0, 3.0]
    assert out["intel.sharing-arrangement"].tolist()[0] == 1.0
    assert out["intel.sharing-arrangement"].tolist()[2] == 4.0
    assert out["intel.secure-channels"].tolist()[0] == 2.0
    assert out["intel.secure-channels"].tolist()[2] == 0.0
    assert out.loc["b"].isna().sum() == len(out.columns) - 1
    scores = assess_frame(out, rubric, min_coverage=0)
    assert list(scores.index) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("column", "values", "path", "message"),
    [
        (
            "exercise",
            [1.0],
            "column 'exercise'",
            "not a feature; did you mean 'exercises_per_year'?",
        ),
        (
            "exercises_per_year",
            ["many"],
            "row 'a', column 'exercises_per_year'",
            "must be a number >= 0 (got 'many')",
        ),
        (
            "exercises_per_year",
            [-1.0],
            "row 'a', column 'exercises_per_year'",
            "must be a number >= 0 (got -1.0)",
        ),
        (
            "exercises_per_year",
            [True],
            "row 'a', column 'exercises_per_year'",
            "must be a number, not true/false (got True)",
        ),
        ("interop.data", [5.0], "row 'a', column 'interop.data'", "must be a level 0-4 (got 5.0)"),
        (
            "secure_channels",
            [2],
            "row 'a', column 'secure_channels'",
            "must be true or false (got 2)",
        ),
        (
            "common_doctrine",
            ["full"],
            "row 'a', column 'common_doctrine'",
            "must be one of none, partial, common (got 'full')",
        ),
    ],
)
def test_derive_frame_rejects_bad_tables(column, values, path, message):
    with pytest.raises(InputError) as err:
        derive_frame(pd.DataFrame({column: values}, index=["a"]))
    assert [(p.path, p.message) for p in err.value.problems] == [(path, message)]
    assert str(err.value).startswith("facts: ")


# --- assess and the table path agree -------------------------------------------------------------

DAY = st.dates(min_value=date(1945, 1, 1), max_value=AS_OF)  # no date after assessed_on


@st.composite
def agreements(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.none() | DAY)
    out: dict[str, Any] = {"kind": draw(st.sampled_from(AGREEMENT_KINDS))}
    if start is not None:
        out[draw(st.sampled_from(["signed", "in_force"]))] = start.isoformat()
        if draw(st.booleans()):
            end = draw(st.dates(min_value=start, max_value=AS_OF))
            out["ended"] = end.isoformat()
    out["ratified"] = draw(st.none() | st.booleans())
    return out


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


COUNTS = st.integers(0, 40)
RATES = st.sampled_from([0, 0.1, 0.2, 0.5, 1, 2, 2.5, 3, 4, 6, 12, 30, 300])
LEVEL = st.integers(0, 4)


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "agreements": maybe(st.lists(agreements(), max_size=5)),
        "atop": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "defense": st.booleans(),
                    "consultation": st.booleans(),
                    "integrated_command": st.booleans(),
                    "organisation": st.integers(0, 3),
                    "basing": st.integers(0, 2),
                },
            )
        ),
        "exercises_per_year": maybe(RATES),
        "personnel_exchanges_per_year": maybe(RATES),
        "liaison_officers": maybe(COUNTS),
        "standards_adopted": maybe(st.sampled_from([0, 1, 99, 100, 1000])),
        "interoperability": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "communications": LEVEL,
                    "data": LEVEL,
                    "command_and_control": LEVEL,
                    "logistics": LEVEL,
                },
            )
        ),
        "intelligence_sharing": maybe(st.sampled_from(FEATURES["intelligence_sharing"].values)),
        "secure_channels": maybe(st.booleans()),
        "security_incidents_5y": maybe(COUNTS),
        "ministerial_meetings_per_year": maybe(RATES),
        "staff_talks_per_year": maybe(RATES),
        "defense_spending_gdp": maybe(
            st.dictionaries(
                st.sampled_from(["USA", "GBR", "JPN", "AUS"]),
                st.floats(0, 100, allow_nan=False),  # percent of GDP
                min_size=1,
            )
        ),
        "joint_programmes": maybe(COUNTS),
        "co_production": maybe(st.booleans()),
        "technology_transfer": maybe(st.sampled_from(FEATURES["technology_transfer"].values)),
        "cyber_agreements": maybe(st.integers(0, 3)),
        "cyber_exercises_per_year": maybe(RATES),
        "common_language": maybe(st.booleans()),
        "common_doctrine": maybe(st.sampled_from(FEATURES["common_doctrine"].values)),
        "disputes_5y": maybe(st.integers(0, 5)),
        "leadership_changes_5y": maybe(st.integers(0, 8)),
    }
    drawn = {k: draw(v) for k, v in fields.items()}
    return {k: v for k, v in drawn.items() if v is not None}


def facts_partnership(i: int, data: dict[str, Any]) -> Partnership:
    return Partnership(
        id=f"p{i}",
        name=f"P{i}",
        kind="defense-cooperation",
        members=("A", "B", *(data.get("defense_spending_gdp") or {})),  # spenders are members
        assessed_on=AS_OF,
        facts=data,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(facts(), min_size=1, max_size=6))
def test_derive_frame_equals_deriving_each_partnership_alone(many):
    rubric = load_rubric()
    ps = [facts_partnership(i, f) for i, f in enumerate(many)]
    frame = derive_frame(facts_frame(ps), rubric)
    for p in ps:
        alone = derive_partnership(p, rubric)
        assert list(alone) == list(frame.columns)
        for cid, d in alone.items():
            got = frame.loc[p.id, cid]
            assert (d.level is None and math.isnan(got)) or d.level == got, (p.id, cid)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(facts(), min_size=1, max_size=4))
def test_assess_of_facts_only_equals_the_table_path(many):
    rubric = load_rubric()
    ps = [facts_partnership(i, f) for i, f in enumerate(many)]
    table_scores = assess_frame(derive_frame(facts_frame(ps), rubric), rubric, min_coverage=0)
    for p in ps:
        a = assess(p, rubric, min_coverage=0)
        row = table_scores.loc[p.id]
        for pillar in a.pillars:
            assert _same(pillar.score, row[pillar.id]), pillar.id
        assert _same(a.overall, row["overall"])
        assert a.lower == pytest.approx(row["lower"])
        assert a.upper == pytest.approx(row["upper"])


def _feature_value(name: str) -> st.SearchStrategy[float]:
    """An encoded value of one feature: unknown, or one of its type's values (numbers
    near the shipped thresholds and beyond them)."""
    feature = FEATURES[name]
    if feature.type in ("flag", "category"):
        known = st.sampled_from([float(i) for i in range(len(feature.values))])
    elif feature.type == "level":
        known = st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0])
    else:
        known = st.one_of(
            st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 12.0, 24.0, math.inf]),
            st.floats(0, 1e6, allow_nan=False),
        )
    return st.one_of(st.just(math.nan), known)


@st.composite
def encoded_rows(draw: st.DrawFn) -> dict[str, float]:
    names = draw(st.lists(st.sampled_from(sorted(FEATURES)), unique=True))
    return {name: draw(_feature_value(name)) for name in names}


@settings(max_examples=300, deadline=None)
@given(encoded_rows())
def test_one_row_derivation_equals_the_array_engine(row):
    """``derive_levels`` of one row (``assess``) takes a path of Python floats; every
    rule of the shipped rubric (and min/max of several, settled either way) gives the
    levels the array engine gives."""
    rubric = load_rubric()
    table = Table(n=1, columns={k: np.array([v]) for k, v in row.items()})
    expected = [
        [math.nan if c.derive is None else float(evaluate(c.derive, table)[0])
         for c in rubric.criteria]
    ]  # fmt: skip
    np.testing.assert_array_equal(derive_levels(table, rubric), np.array(expected))
    # the row encode_row keeps gives the same as the columns
    kept = Table(n=1, columns=table.columns, row=row)
    np.testing.assert_array_equal(derive_levels(kept, rubric), np.array(expected))
    two = Table(n=2, columns={k: np.array([v, v]) for k, v in row.items()})
    np.testing.assert_array_equal(derive_levels(two, rubric), np.array(expected * 2))


_NUMBERS = [n for n, f in sorted(FEATURES.items()) if f.type in ("number", "level")][:4]
_FLAGS = [n for n, f in sorted(FEATURES.items()) if f.type == "flag"][:4]
_CATEGORY = next(n for n, f in sorted(FEATURES.items()) if f.type == "category")
_THRESHOLD = st.sampled_from([-math.inf, 0.0, 0.5, 1.0, 2.0, 3.0, 12.0, math.inf, math.nan])


@st.composite
def _any_rule(draw: st.DrawFn, depth: int = 0) -> Any:
    """A rule of any kind on a few features; thresholds in order or not, with
    infinities and NaN among them (nothing is checked at construction)."""
    kinds = ["bands", "count", "present", "map"] + (["min", "max"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "bands":
        thresholds = tuple(draw(st.lists(_THRESHOLD, min_size=4, max_size=4)))
        if draw(st.booleans()):  # mostly in order, as a valid rubric has them
            thresholds = tuple(sorted(thresholds, key=lambda t: (math.isnan(t), t)))
        descending = draw(st.booleans())
        if descending and draw(st.booleans()):
            thresholds = thresholds[::-1]
        return Bands(rule="bands", feature=draw(st.sampled_from(_NUMBERS)),
                     thresholds=thresholds, descending=descending)  # fmt: skip
    if kind == "count":
        features = tuple(draw(st.lists(st.sampled_from(_FLAGS), max_size=4)))
        thresholds = tuple(draw(st.lists(_THRESHOLD, min_size=4, max_size=4)))
        return Count(rule="count", features=features, thresholds=thresholds)
    if kind == "present":
        return Present(rule="present", feature=draw(st.sampled_from(_FLAGS)),
                       if_true=draw(st.integers(0, 4)),
                       if_false=draw(st.one_of(st.none(), st.integers(0, 4))))  # fmt: skip
    if kind == "map":
        values = FEATURES[_CATEGORY].values
        chosen = draw(st.lists(st.sampled_from(values), unique=True))
        levels = {v: draw(st.integers(0, 4)) for v in chosen}
        return Map(rule="map", feature=_CATEGORY, levels=levels)
    of = tuple(draw(st.lists(_any_rule(depth + 1), min_size=1, max_size=4)))
    if kind == "max":
        return Max(rule="max", of=of)
    return Min(rule="min", of=of, settle=draw(st.sampled_from(["all", "lowest"])))


def _encoded(name: str) -> st.SearchStrategy[float]:
    if name in _FLAGS:
        return st.sampled_from([math.nan, 0.0, 1.0])
    if name == _CATEGORY:
        return st.sampled_from([math.nan, *map(float, range(len(FEATURES[name].values)))])
    return st.one_of(_THRESHOLD, st.floats(-1, 20, allow_nan=False))


@settings(max_examples=400, deadline=None)
@given(_any_rule(), st.data())
def test_one_row_rules_equal_the_array_engine_on_any_rule(rule, data):
    """Any rule (bands in order, the bisection, or not; nested min and max; counts
    with unknown flags) compiled for one row gives what the array engine gives."""
    from readiness.derive import _one_row

    names = sorted(set(_NUMBERS) | set(_FLAGS) | {_CATEGORY})
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True))
    row = {n: data.draw(_encoded(n)) for n in chosen}
    table = Table(n=1, columns={k: np.array([v]) for k, v in row.items()})
    expected = float(evaluate(rule, table)[0])
    got = _one_row(rule)(row)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected, (got, expected)


def _same(a: float | None, b: float) -> bool:
    return (a is None and math.isnan(b)) or (a is not None and a == pytest.approx(b))


def test_examples_with_facts_agree_with_the_table_path():
    """Example files rate some criteria too; the derived part alone must agree."""
    rubric = load_rubric()
    from tests.factories import EXAMPLES

    ps = [load_partnership(f, rubric) for f in sorted(EXAMPLES.glob("*.json"))]
    ps = [p for p in ps if p.facts is not None]
    frame = derive_frame(facts_frame(ps), rubric)
    for p in ps:
        for cid, d in derive_partnership(p, rubric).items():
            got = frame.loc[p.id, cid]
            assert (d.level is None and math.isnan(got)) or d.level == got


def test_features_of_one_partnership_round_trip_through_the_frame():
    data = {"agreements": [{"kind": "cyber"}], "intelligence_sharing": "ad-hoc"}
    p = facts_partnership(0, data)
    values = facts_features(p.facts, AS_OF, p.roster_on(AS_OF), complete_lists=p.lists_complete)
    row = facts_frame([p]).loc["p0"]
    for name, value in values.items():
        if value is None:
            assert pd.isna(row[name]), name
        else:
            assert row[name] == value, name


# --- command line ---------------------------------------------------------------------------------


def test_cli_derive_prints_levels_rules_and_facts(tmp_path):
    data = facts_partnership(0, {"exercises_per_year": 2, "secure_channels": True})
    doc = data.model_dump(mode="json", exclude_none=True)
    doc["ratings"] = {"training.joint-exercises": {"level": 3}}
    f = tmp_path / "p.json"
    f.write_text(json.dumps(doc))
    r = run_cli("derive", str(f), cwd=None)
    assert r.returncode == 0
    out = r.stdout
    assert "p0: levels derived from facts as of 2025-06-30, rubric defense-partnership@1.3.0" in out
    assert (
        "training.joint-exercises                  2  bands on exercises_per_year = 2 -> level 2"
        "  (file rates 3)"
    ) in out
    assert "rule: bands on exercises_per_year: 1 at >= 0.2, 2 at >= 1, 3 at >= 3, 4 at >= 12" in out
    assert "1 overridden by a rating" in out


def test_cli_derive_without_facts_and_with_a_bad_file(tmp_path):
    f = tmp_path / "p.json"
    doc = facts_partnership(0, {}).model_dump(mode="json", exclude_none=True)
    del doc["facts"]
    f.write_text(json.dumps(doc))
    r = run_cli("derive", str(f), cwd=None)
    assert r.returncode == 0
    assert "no facts" in r.stdout
    bad = copy.deepcopy(json.loads(f.read_text()))
    bad["facts"] = {"exercises_per_year": -2}
    f.write_text(json.dumps(bad))
    r = run_cli("derive", str(f), cwd=None)
    assert r.returncode == 2
    err = r.stderr
    assert "$.facts.exercises_per_year: must not be negative (got -2)" in err


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"rule": "bands", "feature": "exercises_per_year", "thresholds": ["1", 2, 3, 4]},
         "thresholds[0]"),
        ({"rule": "present", "feature": "agreement.status-of-forces", "if_true": True},
         "if_true"),
        ({"rule": "map", "feature": "intelligence_sharing",
          "levels": {"none": "0", "ad-hoc": 1, "formal-bilateral": 2, "integrated": 4}},
         "levels.none"),
    ],
)  # fmt: skip
def test_numbers_in_rules_are_numbers_not_text(rule, path):
    problems = rule_problems(rule)
    assert [p for p, m in problems if p == f"{AT}.{path}" and "must be a number" in m], problems


# --- rubric 1.2.0: issue 10 (critical criteria from facts, rule flaws, time) -------------------


def derived_level(cid: str, facts: dict[str, Any], **more: Any) -> int | None:
    """The level the shipped rubric derives for ``cid`` from ``facts``."""
    data = {"id": "p", "name": "P", "kind": "defense-cooperation", "members": ["A", "B"],
            "assessed_on": AS_OF.isoformat(), "facts": facts, **more}  # fmt: skip
    p = Partnership.model_validate(data)
    return derive_partnership(p, load_rubric())[cid].level


GSOMIA = {"kind": "security-of-information", "signed": "2016-11-23", "ratified": True}


def test_a_format_3_list_that_leaves_out_a_kind_says_nothing_about_it():
    cid, states = "legal.status-of-forces", {"members": ["USA", "JPN"]}
    facts = {"agreements": [{"kind": "mutual-defense-treaty", "ratified": True}]}
    assert derived_level(cid, facts) == 0  # format 1: the list was complete
    assert derived_level(cid, facts, format_version=3, **states) is None  # silence pays nothing
    stated = {**facts, "agreements_absent": ["status-of-forces"]}
    assert derived_level(cid, stated, format_version=3, **states) == 0  # an honest zero
    whole = {**facts, "agreements_complete": True}
    assert derived_level(cid, whole, format_version=3, **states) == 0


def test_zero_incidents_with_nothing_shared_is_not_a_clean_record():
    cid = "intel.incident-record"
    assert derived_level(cid, {"security_incidents_5y": 0, "intelligence_sharing": "none"}) == 1
    assert derived_level(cid, {"security_incidents_5y": 0, "intelligence_sharing": "ad-hoc"}) == 2
    shared = {"security_incidents_5y": 0, "intelligence_sharing": "formal-bilateral"}
    assert derived_level(cid, shared) == 3
    assert derived_level(cid, {"security_incidents_5y": 0}) is None  # exposure unknown


def test_intelligence_sharing_can_derive_level_3():
    cid = "intel.sharing-arrangement"
    formal = {"intelligence_sharing": "formal-bilateral"}
    assert derived_level(cid, formal) == 2
    assert derived_level(cid, {**formal, "joint_intelligence_products": True}) == 3
    assert derived_level(cid, {**formal, "joint_intelligence_products": False}) == 2
    assert derived_level(cid, {"intelligence_sharing": "integrated"}) == 4
    # joint products without a formal arrangement prove no more than the category
    assert (
        derived_level(cid, {"intelligence_sharing": "ad-hoc", "joint_intelligence_products": True})
        == 1
    )


def test_contributions_are_read_against_the_partnerships_own_target():
    cid = "burden.equitable-contributions"
    spending = {"defense_spending_gdp": {"A": 2.5, "B": 1.5}}
    assert derived_level(cid, {**spending, "spending_target_gdp": "none"}) == 0  # as the note says
    assert derived_level(cid, {**spending, "spending_target_gdp": 2.0}) == 3  # half meet it
    assert derived_level(cid, {**spending, "spending_target_gdp": 1.5}) == 4  # all meet it
    assert derived_level(cid, {**spending, "spending_target_gdp": 3.5}) == 1  # nobody does
    assert derived_level(cid, spending) is None  # whether a target exists is not known
    assert derived_level(cid, {"spending_target_gdp": "none"}) == 0


def test_a_friendship_treaty_is_not_a_defense_cooperation_agreement():
    cid = "legal.founding-agreement"
    friendship = {"kind": "friendship", "signed": "1971-08-09", "ratified": True}
    assert derived_level(cid, {"agreements": [friendship]}) == 1
    assert derived_level(cid, {"agreements": [{"kind": "defense-cooperation"}]}) == 2


def _alliance(invocations: list[dict[str, Any]] | None, *extra: dict[str, Any]) -> dict[str, Any]:
    treaty = {
        "kind": ["mutual-defense-treaty", "charter"],
        "in_force": "1994-04-20",
        "ratified": True,
    }
    facts: dict[str, Any] = {"agreements": [treaty, *extra]}
    if invocations is not None:
        facts["invocations"] = invocations
    return facts


def test_founding_level_4_needs_implementing_agreements_and_a_record_without_refusal():
    cid = "legal.founding-agreement"
    sofa = {"kind": "status-of-forces", "ratified": True}
    cyber = {"kind": "cyber"}
    # the old rule: three agreements and twenty years gave 4 to any such treaty
    assert derived_level(cid, _alliance([], sofa, cyber, {"kind": "access"})) == 3  # no SoI
    nato_like = _alliance([{"date": "2001-09-12", "outcome": "honoured"}], sofa, GSOMIA)
    assert derived_level(cid, nato_like) == 4
    never_invoked = _alliance([], sofa, GSOMIA)
    assert derived_level(cid, never_invoked) == 4  # decades of practice
    csto_like = _alliance(
        [{"date": "2022-01-05", "outcome": "honoured"}, {"date": "2022-09-13", "by": "B",
          "outcome": "declined"}], sofa, GSOMIA)  # fmt: skip
    assert derived_level(cid, csto_like) == 3
    assert derived_level(cid, _alliance(None, sofa, GSOMIA)) == 3  # record unknown: no claim
    # the record as of the date: a refusal after that date does not count yet
    facts = Partnership.model_validate(
        {"id": "p", "name": "P", "kind": "defense-cooperation", "members": ["A", "B"],
         "facts": _alliance([{"date": "2025-06-01", "outcome": "declined"}], sofa, GSOMIA)}
    ).facts  # fmt: skip
    before, after = (
        facts_features(facts, d, complete_lists=True) for d in (date(2025, 5, 31), date(2025, 6, 1))
    )
    assert before["invocations.declined"] == 0
    assert after["invocations.declined"] == 1


def test_policy_alignment_from_un_voting_disputes_and_membership():
    cid = "political.policy-alignment"
    close = {"un_ideal_points": {"A": 1.2, "B": 1.6}, "disputes_5y": 0}
    assert derived_level(cid, close) == 3  # votes never show coordinated action (4)
    assert derived_level(cid, {**close, "disputes_5y": 2}) == 2
    apart = {"un_ideal_points": {"A": 3.0, "B": -0.5}, "disputes_5y": 0}
    assert derived_level(cid, apart) == 1  # votes never show outright opposition (0)
    assert derived_level(cid, {"un_ideal_points": {"A": 1.0, "B": 2.2}, "disputes_5y": 0}) == 2
    assert derived_level(cid, {"un_ideal_points": {"A": 1.0}}) is None  # one member: no distance
    suspended = ["A", {"code": "B", "suspended": [{"since": "2024-02-22"}]}, "C"]
    facts = {"un_ideal_points": {"A": 1.0, "B": 1.1, "C": 1.2}, "disputes_5y": 0}
    assert derived_level(cid, facts, members=["A", "B", "C"]) == 3
    assert derived_level(cid, facts, members=suspended) == 1  # open divergence
    left = ["A", {"code": "B", "left": "2023-01-01"}, "C"]
    assert derived_level(cid, facts, members=left) == 1
    long_gone = ["A", {"code": "B", "left": "2012-01-01"}, "C"]
    assert derived_level(cid, facts, members=long_gone) == 3  # left over five years ago


def test_information_protection_from_agreements_and_their_inspections():
    cid = "intel.protection-protocols"
    assert derived_level(cid, {"intelligence_sharing": "none", "agreements": []}) == 0
    assert derived_level(cid, {"intelligence_sharing": "ad-hoc", "agreements": []}) == 1
    assert derived_level(cid, {"agreements": [GSOMIA]}) == 2
    inspected = {**GSOMIA, "provisions": ["clearance-recognition", "reciprocal-inspections"]}
    assert derived_level(cid, {"agreements": [inspected]}) == 3
    # an agreement of some members only does not bind every pair
    members = ["A", "B", "C"]
    partial = {**inspected, "parties": ["A", "B"]}
    assert derived_level(cid, {"agreements": [partial]}, members=members) == 2
    pairs = [{**inspected, "parties": list(p)} for p in (("A", "B"), ("A", "C"), ("B", "C"))]
    assert derived_level(cid, {"agreements": pairs}, members=members) == 3
    # a member that left no longer needs to be bound
    gone = ["A", "B", {"code": "C", "left": "2024-01-01"}]
    assert derived_level(cid, {"agreements": [partial]}, members=gone) == 3
    assert derived_level(cid, {}) is None


def test_security_of_information_agreement_level_4_needs_its_inspection_regime():
    cid = "legal.information-security-agreement"
    assert derived_level(cid, {"agreements": [GSOMIA]}) == 3
    full = {**GSOMIA, "provisions": ["reciprocal-inspections", "industrial-security"]}
    assert derived_level(cid, {"agreements": [full]}) == 4
    partial = {**full, "parties": ["A", "B"]}
    assert derived_level(cid, {"agreements": [partial]}, members=["A", "B", "C"]) == 2


def test_cost_sharing_and_two_plus_two():
    assert (
        derived_level("burden.cost-sharing", {"agreements": [{"kind": "host-nation-support"}]}) == 2
    )
    assert derived_level("burden.cost-sharing", {"agreements": []}) is None
    assert derived_level("dialogue.ministerial-dialogue", {"two_plus_two_per_year": 1}) == 2
    both = {"two_plus_two_per_year": 1, "ministerial_meetings_per_year": 4}
    assert derived_level("dialogue.ministerial-dialogue", both) == 4


def test_agreements_of_a_subset_of_members_as_of_a_date():
    treaty = {"kind": "mutual-defense-treaty", "in_force": "1992-05-15", "ratified": True,
              "parties": ["A", "B"]}  # fmt: skip
    members = ["A", "B", {"code": "C", "joined": "2020-01-01"}]
    p = Partnership.model_validate(
        {
            "id": "p",
            "name": "P",
            "kind": "collective-defense-alliance",
            "members": members,
            "assessed_on": AS_OF.isoformat(),
            "facts": {"agreements": [treaty]},
        }
    )

    def coverage(day: date) -> float | None:
        features = facts_features(p.facts, day, p.roster_on(day), complete_lists=True)
        return features["agreement.mutual-defense-treaty.coverage"]

    assert coverage(AS_OF) == pytest.approx(1 / 3)
    assert coverage(date(2019, 1, 1)) == 1.0


# --- rubric 1.3.0: issue 21 (rules that follow their descriptors and the ATOP codebook) ------


def atop_level(cid: str, **codes: Any) -> int | None:
    """The level the shipped rubric derives for ``cid`` from ATOP codes alone."""
    return derived_level(cid, {"atop": codes})


def test_a_sharing_arrangement_is_not_protection():
    cid, three = "intel.protection-protocols", {"members": ["A", "B", "C"]}
    formal = {"intelligence_sharing": "formal-bilateral", "agreements": []}  # none in force
    assert derived_level(cid, formal) == 1  # was 2
    assert derived_level(cid, {"agreements": [{"kind": "intelligence-sharing"}]}) == 1  # was 2
    # how much is protected depends on the security agreements: unknown when they are
    assert derived_level(cid, {"intelligence_sharing": "formal-bilateral"}) is None  # was 2
    # a security-of-information agreement between two of three members: not yet every pair
    some = {**GSOMIA, "parties": ["A", "B"]}
    assert derived_level(cid, {"agreements": [some]}, **three) == 1  # was 2
    cleared = {**some, "provisions": ["clearance-recognition"]}
    assert derived_level(cid, {"agreements": [cleared]}, **three) == 2  # its text says so
    assert derived_level(cid, {"agreements": [GSOMIA]}, **three) == 2  # ratified, every pair
    integrated = {"intelligence_sharing": "integrated", "agreements": []}
    assert derived_level(cid, integrated) == 2  # joint centres need recognised clearances
    inspected = {**GSOMIA, "provisions": ["reciprocal-inspections"]}
    assert derived_level(cid, {"agreements": [inspected]}, **three) == 3
    assert derived_level(cid, {"agreements": [{**inspected, "parties": ["A", "B"]}]}, **three) == 1


def test_no_security_agreement_is_a_known_0_only_when_the_file_says_so():
    cid, states = "intel.protection-protocols", {"format_version": 3, "members": ["USA", "JPN"]}
    other = {"agreements": [{"kind": "cyber"}]}
    assert derived_level(cid, other, **states) is None  # was 0: the list did not say
    assert derived_level(cid, {**other, "agreements_complete": True}, **states) == 0
    absent = {"agreements_absent": ["security-of-information"]}
    assert derived_level(cid, absent, **states) == 0
    assert derived_level(cid, {**absent, "intelligence_sharing": "ad-hoc"}, **states) == 1
    shared = {**other, "intelligence_sharing": "formal-bilateral"}
    assert derived_level(cid, shared, **states) is None  # was 2, and 1 would fail the gate


def test_a_treaty_silent_on_disputes_has_no_mechanism_and_a_clause_raises_it():
    cid = "legal.dispute-resolution"
    texts = {"conflict_provisions": 0, "mediation_arbitration": False, "organisation_purpose": 0,
             "second_organisation_purpose": 0, "companion_agreement": 0}  # fmt: skip
    assert atop_level(cid, **texts) == 0  # was unknown, while silence on institutions was 0
    assert atop_level(cid, **{**texts, "conflict_provisions": 1}) == 1
    assert atop_level(cid, **{**texts, "conflict_provisions": 2}) == 0  # a named issue: was 1
    assert atop_level(cid, **{**texts, "conflict_provisions": 3}) == 0  # interpretation: was 1
    assert atop_level(cid, **{**texts, "mediation_arbitration": True}) == 2
    assert atop_level(cid, **{**texts, "companion_agreement": 3}) == 2
    assert atop_level(cid, **{**texts, "mediation_arbitration": None}) is None  # not all read
    assert derived_level(cid, {"agreements": [{"kind": "cyber"}]}) is None  # a list: says nothing


def test_required_meetings_are_not_a_permanent_staffed_body():
    cid = "legal.standing-institutions"
    meetings = {"organisation": 1, "organisation_purpose": 1, "integrated_command": False}
    assert atop_level(cid, **meetings) == 1  # was 3: [0, 0, 0, 3] mapped every organ code to 3
    named = {"organisation": 2, "organisation_purpose": 4, "integrated_command": False}
    assert atop_level(cid, **named) == 2  # was 3
    assert atop_level(cid, **{**meetings, "organisation": 3}) == 4  # a military bureaucracy
    assert atop_level(cid, **{**meetings, "integrated_command": True}) == 3  # the command itself
    assert atop_level(cid, organisation=0, integrated_command=False) == 0


@pytest.mark.parametrize("basing", [0, 1, 2, 3])
def test_atop_basing_is_not_the_legal_status_of_forces(basing):
    # stationing rights are not legal status, and ATOP codes no agreement signed apart
    assert atop_level("legal.status-of-forces", basing=basing) is None  # was 0, 1, 3, 2


def test_leadership_changes_count_only_with_what_followed_them():
    cid = "political.leadership-change-resilience"
    assert derived_level(cid, {"leadership_changes_5y": 6, "disputes_5y": 0}) == 3  # was 4
    assert derived_level(cid, {"leadership_changes_5y": 2, "disputes_5y": 0}) == 2
    assert derived_level(cid, {"leadership_changes_5y": 0, "disputes_5y": 0}) is None  # was 1
    churn = {"leadership_changes_5y": 9, "disputes_5y": 2}  # was 2: more churn, no evidence
    assert derived_level(cid, churn) is None
    coup = {"date": "2023-07-26", "member": "B", "effect": "suspended", "source": "AU communique"}
    assert derived_level(cid, {**churn, "leadership_change_disruptions": [coup]}) == 0
    cut = {**coup, "effect": "reduced"}
    stated = {**churn, "leadership_change_disruptions": [cut],
              "leadership_change_disruptions_complete": True}  # fmt: skip
    assert derived_level(cid, stated) == 2
    none = {**churn, "leadership_change_disruptions": [],
            "leadership_change_disruptions_complete": True}  # fmt: skip
    assert derived_level(cid, none) == 3
    old = {**coup, "date": "2019-01-01"}  # before the five years
    assert derived_level(cid, {**churn, "leadership_change_disruptions": [old]}) is None


def test_a_count_of_standards_is_ratification_not_certification():
    cid = "interop.standards"
    assert derived_level(cid, {"standards_adopted": 1200}) == 2  # was 4
    assert derived_level(cid, {"standards_adopted": 150}) == 2  # was 3
    evaluated = {"standards_adopted": 150, "standards_evaluation": "evaluated"}
    assert derived_level(cid, evaluated) == 3
    certified = {"standards_adopted": 1200, "standards_evaluation": "certified"}
    assert derived_level(cid, certified) == 3  # joint drafting not shown
    assert derived_level(cid, {**certified, "standards_joint_drafting": True}) == 4
    assert derived_level(cid, {**certified, "standards_adopted": 40}) == 2
    assert derived_level(cid, {"standards_adopted": 0, "standards_evaluation": "certified"}) == 0


def test_agreements_bind_their_parties_only():
    cid, three = "legal.founding-agreement", {"members": ["A", "B", "C"]}
    outsiders = {"kind": "mutual-defense-treaty", "ratified": True, "parties": ["A", "B"]}
    assert derived_level(cid, {"agreements": [outsiders]}, **three) == 2  # was 3
    assert derived_level(cid, {"agreements": [outsiders]}) == 3  # both members are bound
    pairs = [outsiders, {**outsiders, "parties": ["A", "C"]}, {**outsiders, "parties": ["B", "C"]}]
    assert derived_level(cid, {"agreements": pairs}, **three) == 3  # every pair bound
    unsure = {**outsiders, "parties": ["B", "C"], "ratified": None}
    assert derived_level(cid, {"agreements": [*pairs[:2], unsure]}, **three) == 2


def test_a_consultation_pledge_is_a_defined_obligation_only_in_a_ratified_treaty():
    cid = "legal.founding-agreement"
    assert atop_level(cid, consultation=True, defense=False, offense=False,
                      ratification_required=False) == 2  # fmt: skip  # was 3
    assert atop_level(cid, consultation=True, defense=False, offense=False,
                      ratification_required=True) == 3  # fmt: skip
    assert atop_level(cid, consultation=False, defense=True, offense=False,
                      ratification_required=False) == 3  # fmt: skip  # mutual assistance


def test_atop_years_in_force_stop_at_the_end_of_the_data():
    atop = {"signed": "1990-01-01", "defense": True, "ratification_required": True,
            "military_institutionalisation": 1}  # fmt: skip
    cid = "legal.founding-agreement"
    assert derived_level(cid, {"atop": atop}) == 4  # 35 years to 2025: the data cannot say
    assert derived_level(cid, {"atop": {**atop, "coded_until": "2008-12-31"}}) == 3  # was 4
    facts = Partnership.model_validate(
        {"id": "p", "name": "P", "kind": "defense-cooperation", "members": ["A", "B"],
         "facts": {"atop": {**atop, "coded_until": "2018-12-31"}}}
    ).facts  # fmt: skip
    years = [facts_features(facts, d)["atop.years_in_force"] for d in (date(2018, 12, 31), AS_OF)]
    assert years[0] == years[1] == pytest.approx(29.0, abs=0.01)  # the run date does not count


def test_un_voting_reads_the_members_own_distance():
    cid = "political.policy-alignment"
    pair = {"format_version": 3, "members": ["USA", "JPN"]}
    dyad = {"un_ideal_points": {"usa": 1.2, "jpn": 1.6}, "disputes_5y": 0}
    assert derived_level(cid, dyad, **pair) == 3  # was unknown: codes compared in upper case
    doc = {"id": "p", "name": "P", "kind": "bilateral-alliance", **pair,
           "facts": {"un_ideal_points": {"USA": 1.2, "CHN": -0.4}}}  # fmt: skip
    with pytest.raises(InputError) as err:
        partnership_from_dict(doc)
    assert [(p.path, p.message) for p in err.value.problems] == [
        (
            "$.facts.un_ideal_points.CHN",
            "'CHN' is not a member of the partnership (members: USA, JPN); the distance read is"
            " between the ideal points of the members",
        )
    ]
    older = Partnership.model_validate(
        {"id": "p", "name": "P", "kind": "bilateral-alliance", "members": ["USA", "JPN"],
         "facts": {"un_ideal_points": {"USA": 1.2, "JPN": 1.6, "CHN": -0.4}}}
    )  # fmt: skip
    assert older.features()["un_voting.mean_distance"] == pytest.approx(0.4)  # the dyad's
    assert [w.path for w in older.warnings(load_rubric())] == ["$.facts.un_ideal_points.CHN"]


# --- settle: lowest, and the criteria read from facts since rubric 1.3.0 --------------------


def test_min_settled_by_the_lowest_known_level():
    sofa = Present(rule="present", feature="agreement.status-of-forces", if_true=3, if_false=2)
    drills = Bands(rule="bands", feature="exercises_per_year", thresholds=(-math.inf, 2, 3, 4))
    assert (sofa.bottom(), drills.bottom()) == (2, 1)
    lowest = Min(rule="min", of=(sofa, drills), settle="lowest")
    every = Min(rule="min", of=(sofa, drills))
    t = sofa_table([0, 1, math.nan, math.nan, 1], [math.nan, math.nan, 0, 4, 4])
    # sofa false (2) could still be undercut by drills (1); a known 1 from drills cannot be
    # undercut by sofa (2 at least); 4 from drills could be; with both known, the lowest
    assert [None if math.isnan(v) else v for v in evaluate(lowest, t)] == [None, None, 1, None, 3]
    assert [None if math.isnan(v) else v for v in evaluate(every, t)] == [None] * 4 + [3]
    assert lowest.describe().startswith("lowest, settled by the known, of (")
    assert explain(lowest, table({"exercises_per_year": [0]})).endswith("-> level 1")
    with pytest.raises(ValidationError):
        Min.model_validate({"rule": "min", "of": [sofa, drills], "settle": "some"})


def test_every_rule_bottom_is_a_level_it_gives():
    rubric = load_rubric()
    for c in rubric.criteria:
        assert 0 <= c.derive.bottom() <= c.derive.top(), c.id


def test_a_reneged_commitment_or_a_declined_invocation_is_the_record():
    cid = "trust.commitment-record"
    reneged = {"date": "2020-03-01", "member": "A", "severity": "reneged", "source": "x"}
    assert derived_level(cid, {"commitment_defaults": [reneged]}) == 0  # the rest unknown
    declined = {"date": "2019-05-01", "by": "A", "outcome": "declined"}
    assert derived_level(cid, {"invocations": [declined]}) == 0
    old = {**reneged, "date": "2010-03-01"}  # more than ten years before 2025-06-30
    clean = {"commitment_defaults": [old], "commitment_defaults_complete": True}
    assert derived_level(cid, clean) == 3  # no default: 3 at least, 4 once tested
    assert derived_level(cid, {**clean, "combined_operations_10y": 0,
                               "invocations": [], "invocations_complete": True}) == 3  # fmt: skip
    assert derived_level(cid, {**clean, "combined_operations_10y": 2}) == 4
    missed = {**reneged, "severity": "missed"}
    one = {"commitment_defaults": [missed], "commitment_defaults_complete": True}
    assert derived_level(cid, {**one, "combined_operations_10y": 2}) == 2
    three = {"commitment_defaults": [missed] * 3, "commitment_defaults_complete": True}
    assert derived_level(cid, three) == 1
    assert derived_level(cid, {"commitment_defaults": [missed]}) is None  # more may be missing


def test_confidence_building_follows_its_descriptors():
    cid = "trust.confidence-building"
    assert derived_level(cid, {"exercise_notification": "none", "observer_visits": "none"}) == 0
    assert derived_level(cid, {"exercise_notification": "informal"}) == 1
    assert derived_level(cid, {"exercise_notification": "written"}) == 1  # observers unknown
    assert (
        derived_level(cid, {"exercise_notification": "written", "observer_visits": "occasional"})
        == 2
    )
    full3 = {"exercise_notification": "systematic", "observer_visits": "reciprocal",
             "military_hotline": True, "verification_visits_per_year": 0.2,
             "force_data_exchange": False}  # fmt: skip
    assert derived_level(cid, full3) == 3
    assert derived_level(cid, {**full3, "military_hotline": False}) == 2
    full4 = {**full3, "verification_visits_per_year": 2, "force_data_exchange": True,
             "incident_prevention": "used"}  # fmt: skip
    assert derived_level(cid, full4) == 4
    assert derived_level(cid, {**full4, "incident_prevention": "agreed"}) == 3


def test_threat_assessment_and_strategy_are_documents_with_dates():
    cid = "objectives.shared-threat-assessment"
    assert derived_level(cid, {"threat_assessment": {"form": "speeches"}}) == 1
    assert derived_level(cid, {"threat_assessment": {"form": "joint-assessment"}}) is None
    fresh = {"form": "joint-assessment", "date": "2023-01-01"}
    assert derived_level(cid, {"threat_assessment": fresh}) == 3
    stale = {"form": "integrated", "date": "2015-01-01"}
    assert derived_level(cid, {"threat_assessment": stale}) == 2
    cid = "objectives.agreed-strategy"
    concept = {"form": "concept", "adopted": "2022-06-29"}
    assert derived_level(cid, {"strategy": concept}) == 3  # revision cycle not known
    assert derived_level(cid, {"strategy": {**concept, "revision_cycle_years": 10}}) == 4
    assert derived_level(cid, {"strategy": {**concept, "revision_cycle_years": "none"}}) == 3
    assert derived_level(cid, {"strategy": {"form": "vision"}}) == 2
    assert derived_level(cid, {"strategy": {"form": "guidelines", "adopted": "1997-09-23"}}) == 2
    treaty = {"agreements": [{"kind": "mutual-defense-treaty", "ratified": True}]}
    assert derived_level(cid, treaty) is None  # a treaty is no strategy


def test_accountability_curricula_and_pooling_stack_as_the_descriptors_do():
    cid = "objectives.accountability"
    assert derived_level(cid, {"objective_indicators": "activities"}) == 1
    assert derived_level(cid, {"objective_indicators": "some"}) == 2
    every = {"objective_indicators": "all", "progress_reports_per_year": 1}
    assert derived_level(cid, every) == 3
    assert derived_level(cid, {**every, "independent_evaluation": True}) == 4
    assert derived_level(cid, {**every, "progress_reports_per_year": 0.5}) == 2
    cid = "training.common-curricula"
    assert derived_level(cid, {"staff_college_students_per_year": 2}) == 1
    assert derived_level(cid, {"common_courses": 1}) == 2
    key = {"common_courses": 4, "qualification_recognition": True,
           "staff_college_students_per_year": 12, "joint_training_centres": 0}  # fmt: skip
    assert derived_level(cid, key) == 3
    assert derived_level(cid, {**key, "joint_training_centres": 1}) == 4
    cid = "burden.pooled-resources"
    assert derived_level(cid, {"joint_procurement": "occasional"}) == 1
    assert derived_level(cid, {"pooled_assets": 1}) == 2
    assert derived_level(cid, {"pooled_assets": 3, "joint_procurement": "common"}) == 3
    assert derived_level(cid, {"pooled_assets": 3, "joint_procurement": "default"}) == 4
    assert derived_level(cid, {"pooled_assets": 0, "joint_procurement": "none"}) == 0


def test_sovereignty_and_disagreements_are_read_from_rules_and_record():
    cid = "political.sovereignty-safeguards"
    assert derived_level(cid, {"consent_rule": False}) == 1
    assert derived_level(cid, {"consent_rule": True, "opt_outs": "none"}) == 2
    used = {"consent_rule": True, "opt_outs": "used", "opt_out_without_blocking": False}
    assert derived_level(cid, used) == 3
    assert derived_level(cid, {**used, "opt_out_without_blocking": True}) == 4
    cid = "political.disagreement-management"
    assert derived_level(cid, {"cooperation_suspended_10y": True}) == 0
    assert derived_level(cid, {"clashes_10y": 1}) is None  # 0 or 1: suspension unknown
    assert derived_level(cid, {"clashes_10y": 1, "cooperation_suspended_10y": False}) == 1
    calm = {"clashes_10y": 0, "cooperation_suspended_10y": False}
    assert [derived_level(cid, {**calm, "disagreements_resolved_10y": n})
            for n in (0, 1, 2, 4)] == [1, 2, 3, 4]  # fmt: skip


def test_culture_cyber_and_review_follow_their_descriptors():
    cid = "culture.cross-cultural-understanding"
    assert derived_level(cid, {"cultural_training": "briefings"}) == 1
    assert derived_level(cid, {"cultural_training": "education"}) == 2  # 3 needs exchanges
    taught = {"cultural_training": "education", "personnel_exchanges_per_year": 20}
    assert derived_level(cid, taught) == 3
    assessed = {**taught, "cultural_training": "assessed", "combined_operations_10y": 1}
    assert derived_level(cid, assessed) == 4
    assert derived_level(cid, {**assessed, "personnel_exchanges_per_year": 2}) == 2
    cid = "cyber.threat-sharing"
    levels = [derived_level(cid, {"cyber_threat_sharing": v})
              for v in ("none", "ad-hoc", "cert-to-cert", "automated", "joint")]  # fmt: skip
    assert levels == [0, 1, 2, 3, 4]
    cid = "dialogue.periodic-review"
    assert derived_level(cid, {"reviews": [], "reviews_complete": True}) == 0
    assert derived_level(cid, {"reviews": []}) is None  # none listed, list not complete
    crisis = {"date": "2020-01-01", "scheduled": False}
    assert derived_level(cid, {"reviews": [crisis]}) == 1
    planned = {"date": "2021-01-01", "scheduled": True, "changes": True}
    assert derived_level(cid, {"reviews": [crisis, crisis]}) == 2
    assert derived_level(cid, {"reviews": [planned, planned]}) == 3
    cycle = {"form": "concept", "adopted": "2022-06-29", "revision_cycle_years": 4}
    assert derived_level(cid, {"reviews": [planned, planned], "strategy": cycle}) == 4


def test_facts_to_reach_read_plainly():
    rubric = load_rubric()
    rule = next(c.derive for c in rubric.criteria if c.id == "culture.cross-cultural-understanding")
    t = table({"cultural_training": [math.nan]})
    # level 2 needs the training only: exchanges and operations cannot hold it below 2
    assert requirements(rule, 2, t) == (
        "cultural_training one of pre-deployment, education, assessed (now missing)",
    )
    assert requirements(rule, 3, t) == (
        "cultural_training one of education, assessed (now missing)",
        "personnel_exchanges_per_year >= 5 (now missing)",
    )
    drills = Bands(rule="bands", feature="exercises_per_year", thresholds=(-math.inf, 2, 3, 4))
    assert requirements(drills, 1, table({"exercises_per_year": [math.nan]})) == (
        "exercises_per_year given (now missing)",
    )
    # of two ways, one asking for all of the other and more is left out
    one = Bands(rule="bands", feature="exercises_per_year", thresholds=(1, 1, 1, 1))
    sofa = Present(rule="present", feature="agreement.status-of-forces", if_true=4)
    both = Min(rule="min", of=(one, sofa))
    either = Max(rule="max", of=(both, one))
    assert requirements(either, 4, table({"exercises_per_year": [0]})) == (
        "exercises_per_year >= 1 (now 0)",
    )


def test_capacity_building_is_visible_without_a_treaty():
    cid = "training.capacity-building"
    assert derived_level(cid, {"arms_transfers_5y": 2}) == 1
    assert derived_level(cid, {"military_aid_years": 1}) == 1
    assert derived_level(cid, {"military_aid_years": 5}) == 2
    assert derived_level(cid, {"resident_trainers": 40}) == 2
    sustained = {"military_aid_years": 5, "capacity_needs_assessment": True,
                 "capacity_institution_building": True}  # fmt: skip
    assert derived_level(cid, sustained) == 3
    assert derived_level(cid, {**sustained, "capacity_measured_outcomes": True}) == 4
    assert derived_level(cid, {**sustained, "capacity_institution_building": False}) == 2
    assert derived_level(cid, {"atop": {"military_aid": 3}}) == 2  # as before
    assert derived_level(cid, {"military_aid_years": 0, "arms_transfers_5y": 0}) == 0


def test_what_the_facts_prove_of_a_lower_step_stands_while_a_higher_one_is_open():
    # one rule per step: knowing more never lowers a derived level
    notice = {"exercise_notification": "systematic", "observer_visits": "reciprocal",
              "military_hotline": True}  # fmt: skip
    cid = "trust.confidence-building"
    assert derived_level(cid, {**notice, "verification_visits_per_year": 0.5}) == 3
    assert derived_level(cid, {**notice, "verification_visits_per_year": 2}) == 3
    assert derived_level(cid, {"exercise_notification": "written"}) == 1  # observers?
    both = {"exercise_notification": "written", "observer_visits": "occasional"}
    assert derived_level(cid, both) == 2
    key = {"common_courses": 3, "qualification_recognition": True,
           "staff_college_students_per_year": 10}  # fmt: skip
    assert derived_level("training.common-curricula", key) == 3  # centres unknown
    cid = "political.sovereignty-safeguards"
    assert derived_level(cid, {"consent_rule": True, "opt_outs": "used"}) == 3
    assert derived_level(cid, {"consent_rule": False, "opt_outs": "provided"}) == 2  # or
    assert derived_level(cid, {"consent_rule": False, "opt_outs": "none"}) == 1
    cid = "culture.cross-cultural-understanding"
    taught = {"cultural_training": "assessed", "personnel_exchanges_per_year": 10}
    assert derived_level(cid, taught) == 3  # operations unknown
    assert derived_level("objectives.accountability", {"objective_indicators": "all"}) == 2
    untested = {"commitment_defaults": [], "commitment_defaults_complete": True,
                "combined_operations_10y": 0}  # fmt: skip
    assert derived_level("trust.commitment-record", untested) == 3  # invocations not listed


def test_a_fixed_cycle_must_be_kept_and_documents_say_what_they_can():
    cid = "objectives.agreed-strategy"
    kept = {"form": "concept", "adopted": "2022-06-29", "revision_cycle_years": 4}
    assert derived_level(cid, {"strategy": kept}) == 4
    overdue = {**kept, "adopted": "2016-01-01", "revision_cycle_years": 4}
    assert derived_level(cid, {"strategy": overdue}) == 3  # nine years on a 4-year cycle
    for bad, message in (
        ({"strategy": {"form": "none", "revision_cycle_years": 4}}, "no adoption date"),
        ({"strategy": {"form": "concept", "revision_cycle_years": 0}}, "above 0"),
        ({"threat_assessment": {"form": "speeches", "date": "2020-01-01"}}, "no edition"),
        ({"opt_outs": "none", "opt_out_without_blocking": True}, "opt_outs is 'none'"),
    ):
        with pytest.raises(ValidationError, match=message):
            derived_level(cid, bad)


def test_ages_are_exact_to_the_day():
    cid = "objectives.shared-threat-assessment"
    on_the_day = {"form": "joint-assessment", "date": "2020-06-30"}  # AS_OF is 2025-06-30
    day_before = {"form": "joint-assessment", "date": "2020-06-28"}
    assert derived_level(cid, {"threat_assessment": on_the_day}) == 3
    assert derived_level(cid, {"threat_assessment": day_before}) == 2


def test_a_one_row_table_makes_its_columns_from_its_floats():
    """``encode_row`` keeps the floats and makes a column only when one is read."""
    sofa, treaty = "agreement.status-of-forces.years", "agreement.mutual-defense-treaty"
    given = {"intelligence_sharing": "ad-hoc", sofa: 12, treaty: None, "not a feature": 1}
    table = encode_row(given)
    assert table.row is not None
    assert set(table.columns) == set(table.row) == {"intelligence_sharing", sofa, treaty}
    assert table.row[sofa] == 12.0 and math.isnan(table.row[treaty])
    for name, value in table.row.items():
        np.testing.assert_array_equal(table.columns[name], np.array([value]))
        np.testing.assert_array_equal(table.get(name), np.array([value]))
    assert table.columns.get("not a feature") is None
    assert np.isnan(table.get("not a feature")).all()


def test_many_rows_are_encoded_as_each_row_on_its_own():
    """``encode_rows`` (the batch's table) holds, bit for bit, what ``encode_row`` gives
    each partnership: every example, and a partnership without facts."""
    from pathlib import Path

    from readiness import load_partnership

    folder = Path(__file__).resolve().parent.parent / "examples" / "partnerships"
    rows = [load_partnership(path).features() for path in sorted(folder.glob("*.json"))]
    rows.append(facts_features(None, date(2025, 1, 1)))
    assert len(rows) > 3
    table = encode_rows(rows)
    assert table.n == len(rows) and list(table.columns) == list(FEATURES)
    for i, values in enumerate(rows):
        one = encode_row(values)
        assert one.row is not None
        for name in FEATURES:
            np.testing.assert_array_equal(table.columns[name][i : i + 1], one.columns[name])
    assert encode_rows([]).n == 0

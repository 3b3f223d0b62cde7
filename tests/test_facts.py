"""Facts: the typed model (one test per error message), the feature catalogue, the table."""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta

import pandas as pd
import pytest

from readiness import Facts, InputError, Partnership, facts_frame
from readiness.facts import (
    AGREEMENT_KINDS,
    FEATURES,
    Agreement,
    facts_features,
)
from readiness.partnership import partnership_from_dict
from tests.factories import ROOT

AS_OF = date(2025, 6, 30)
FUTURE = (date.today() + timedelta(days=30)).isoformat()


def doc_example() -> dict:
    """The ``facts`` example of docs/facts-format.md, parsed as written."""
    text = (ROOT / "docs" / "facts-format.md").read_text()
    block = re.search(r"```json\n(.*?)\n```", text, re.S)
    assert block is not None
    return json.loads("{" + block.group(1) + "}")["facts"]


def problems(facts: object) -> list[tuple[str, str]]:
    data = {"id": "p", "name": "P", "kind": "bilateral-alliance", "members": ["A", "B"]}
    with pytest.raises(InputError) as err:
        partnership_from_dict({**data, "facts": facts}, source="p.json")
    assert str(err.value).startswith("p.json: ")
    return [(p.path, p.message) for p in err.value.problems]


# --- the model ---------------------------------------------------------------------------


def test_the_documented_example_is_accepted_exactly():
    facts = Facts.model_validate(doc_example())
    assert facts.exercises_per_year == 20
    assert facts.agreements is not None
    assert facts.agreements[0].kind == "mutual-defense-treaty"
    assert facts.atop is not None and facts.atop.organisation == 3
    assert facts.interoperability is not None and facts.interoperability.logistics == 3
    assert facts.defense_spending_gdp == {"USA": 3.4, "DEU": 2.1}


def test_every_fact_is_optional_and_missing_is_unknown():
    facts = Facts()
    values = facts_features(facts, AS_OF)
    assert set(values) == set(FEATURES)
    assert all(v is None for v in values.values())
    assert facts_features(None, AS_OF) == values


@pytest.mark.parametrize(
    ("facts", "path", "message"),
    [
        (
            {"exercises_per_year": "many"},
            "$.facts.exercises_per_year",
            "must be a number (got 'many')",
        ),
        ({"exercises_per_year": True}, "$.facts.exercises_per_year", "must be a number (got True)"),
        (
            {"security_incidents_5y": -1},
            "$.facts.security_incidents_5y",
            "must not be negative (got -1)",
        ),
        (
            {"ministerial_meetings_per_year": -0.5},
            "$.facts.ministerial_meetings_per_year",
            "must not be negative (got -0.5)",
        ),
        ({"liaison_officers": 2.5}, "$.facts.liaison_officers", "must be a whole number (got 2.5)"),
        (
            {"agreements": [{"kind": "sofa"}]},
            "$.facts.agreements[0].kind",
            "unknown agreement kind 'sofa' (expected one of: " + ", ".join(AGREEMENT_KINDS) + ")",
        ),
        (
            {"interoperability": {"communications": 5}},
            "$.facts.interoperability.communications",
            "interoperability level must be an integer from 0 to 4 (got 5)",
        ),
        (
            {"interoperability": {"data": -1}},
            "$.facts.interoperability.data",
            "interoperability level must be an integer from 0 to 4 (got -1)",
        ),
        (
            {"intelligence_sharing": "full"},
            "$.facts.intelligence_sharing",
            "unknown value 'full' (expected one of: none, ad-hoc, formal-bilateral, integrated)",
        ),
        (
            {"common_doctrine": "shared"},
            "$.facts.common_doctrine",
            "unknown value 'shared' (expected one of: none, partial, common)",
        ),
        (
            {"technology_transfer": "free"},
            "$.facts.technology_transfer",
            "unknown value 'free' (expected one of: none, case-by-case, preferential, "
            "licence-free)",
        ),
        (
            {"secure_channels": "yes"},
            "$.facts.secure_channels",
            "must be true or false (got 'yes')",
        ),
        ({"atop": {"defense": 2}}, "$.facts.atop.defense", "must be true or false (got 2)"),
        (
            {"atop": {"organisation": -1}},
            "$.facts.atop.organisation",
            "must not be negative (got -1)",
        ),
        (
            {"defense_spending_gdp": {"USA": -3}},
            "$.facts.defense_spending_gdp.USA",
            "must not be negative (got -3)",
        ),
        (
            {"agreements": [{"kind": "access", "signed": FUTURE}]},
            "$.facts.agreements[0].signed",
            f"date {FUTURE} is in the future",
        ),
        (
            {"agreements": [{"kind": "access", "signed": "2000-01-01", "ended": "1999-01-01"}]},
            "$.facts.agreements[0]",
            "ended 1999-01-01 is before it started 2000-01-01",
        ),
        (
            {"agreements_complete": True},
            "$.facts.agreements_complete",
            'says the list of agreements is complete, but there is no list (write "agreements":'
            " [] when there is none)",
        ),
        (
            {"invocations_complete": True},
            "$.facts.invocations_complete",
            'says the list of invocations is complete, but there is no list (write "invocations":'
            " [] when there is none)",
        ),
        (
            {"agreements_absent": ["sofa"]},
            "$.facts.agreements_absent[0]",
            "unknown agreement kind 'sofa' (expected one of: " + ", ".join(AGREEMENT_KINDS) + ")",
        ),
        (
            {"agreements_absent": ["access", "cyber", "access"]},
            "$.facts.agreements_absent",
            "names the agreement kind 'access' twice",
        ),
        (
            {
                "agreements": [
                    {"kind": "access", "ended": "2001-01-01"},
                    {"kind": ["cyber", "access"]},
                ],
                "agreements_absent": ["access"],
            },
            "$.facts.agreements_absent",
            "names 'access' as absent, but $.facts.agreements[1] is an agreement of that kind"
            " that has not ended",
        ),
        (
            {"agreements": [{"kind": "security-of-information", "provisions_complete": True}]},
            "$.facts.agreements[0]",
            "provisions_complete says the list of provisions is complete, but there is no list"
            ' (write "provisions": [] when the text provides none)',
        ),
        (
            {"exercises": 3},
            "$.facts.exercises",
            "unknown field 'exercises'; did you mean 'exercises_per_year'?",
        ),
        (
            {"sources": {"exercises_per_yr": "x"}},
            "$.facts.sources",
            "sources names an unknown fact 'exercises_per_yr' (did you mean "
            "'exercises_per_year'? the facts are listed in docs/facts-format.md)",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("$") else None,
)
def test_bad_facts_name_their_path(facts, path, message):
    assert problems(facts) == [(path, message)]


def test_all_bad_facts_are_reported_at_once():
    found = problems({"exercises_per_year": -1, "intelligence_sharing": "x", "atop": {"x": 1}})
    assert [p for p, _ in found] == [
        "$.facts.atop.x",
        "$.facts.exercises_per_year",
        "$.facts.intelligence_sharing",
    ]


def test_sources_may_name_a_part_of_a_fact():
    facts = Facts.model_validate({"sources": {"interoperability.data": "x", "atop": "ATOP 5.1"}})
    assert facts.sources == {"interoperability.data": "x", "atop": "ATOP 5.1"}


def test_atop_flags_accept_zero_and_one():
    facts = Facts.model_validate({"atop": {"defense": 1, "offense": 0}})
    assert facts.atop is not None
    assert (facts.atop.defense, facts.atop.offense) == (True, False)


# --- agreements in force ------------------------------------------------------------------


def agreement(**fields) -> Agreement:
    return Agreement.model_validate({"kind": "status-of-forces", **fields})


@pytest.mark.parametrize(
    ("fields", "in_force"),
    [
        ({}, True),  # undated: listed, so taken as in force
        ({"signed": "2000-01-01"}, True),
        ({"signed": "2000-01-01", "in_force": "2025-12-01"}, False),  # not yet on AS_OF
        ({"signed": "2025-07-01"}, False),
        ({"signed": "2000-01-01", "ended": "2010-01-01"}, False),
        ({"signed": "2000-01-01", "ended": "2025-07-01"}, True),  # ends after AS_OF
        ({"in_force": "2025-06-30"}, True),  # on the day
    ],
)
def test_agreement_in_force_on_the_assessment_date(fields, in_force):
    assert agreement(**fields).in_force_on(AS_OF) is in_force


def test_agreement_features():
    facts = Facts(
        agreements=(
            agreement(signed="1960-01-19", ratified=True),
            agreement(signed="2000-01-01", ratified=None),
            Agreement(kind="mutual-defense-treaty", signed=date(2015, 6, 30), ratified=None),
            Agreement(kind="access", signed=date(1990, 1, 1), ended=date(2000, 1, 1)),
            Agreement(kind="cyber"),
        ),
        agreements_complete=True,
    )
    v = facts_features(facts, AS_OF)
    assert v["agreements.count"] == 4.0  # the access agreement ended
    assert v["agreement.status-of-forces"] is True
    assert v["agreement.status-of-forces.ratified"] is True  # one ratified is enough
    assert v["agreement.status-of-forces.years"] == pytest.approx(65.45, abs=0.01)
    assert v["agreement.mutual-defense-treaty.ratified"] is None  # not said
    assert v["agreement.mutual-defense-treaty.years"] == pytest.approx(10.0, abs=0.01)
    assert v["agreement.access"] is False
    assert v["agreement.access.ratified"] is False
    assert v["agreement.access.years"] == 0.0
    assert v["agreement.cyber"] is True
    assert v["agreement.cyber.years"] is None  # undated
    assert v["agreement.dispute-resolution"] is False  # the list is complete


def test_a_kind_not_listed_is_unknown_unless_the_file_says_it_is_absent():
    listed = (agreement(signed="1960-01-19", ratified=False),)  # a status-of-forces agreement
    v = facts_features(Facts(agreements=listed), AS_OF)
    assert v["agreement.status-of-forces"] is True  # listed: known
    assert v["agreement.status-of-forces.ratified"] is None  # another may be ratified
    assert v["agreement.access"] is None  # silence is not absence
    assert v["agreement.access.ratified"] is None
    assert v["agreement.access.years"] is None
    assert v["agreement.access.coverage"] is None
    assert v["agreements.count"] is None
    complete = facts_features(Facts(agreements=listed, agreements_complete=True), AS_OF)
    assert complete["agreement.access"] is False
    assert complete["agreement.access.years"] == complete["agreement.access.coverage"] == 0.0
    assert complete["agreement.status-of-forces.ratified"] is False
    assert complete["agreements.count"] == 1.0
    named = facts_features(Facts(agreements_absent=("access",)), AS_OF)
    assert named["agreement.access"] is False and named["agreement.access.coverage"] == 0.0
    assert named["agreement.cyber"] is None  # no list: only what is named is known
    # formats 1 and 2 wrote complete lists, and are read so
    assert facts_features(Facts(agreements=listed), AS_OF, complete_lists=True) == complete


def test_security_provisions_are_known_only_from_texts_read_and_a_complete_list():
    def provision(**facts) -> object:
        v = facts_features(Facts.model_validate(facts), AS_OF)
        return v["security_of_information.reciprocal-inspections"]

    read = {"kind": "security-of-information", "provisions": ["clearance-recognition"]}
    assert provision(agreements=[read]) is None  # the text may say more
    assert provision(agreements=[{**read, "provisions_complete": True}]) is None  # another may
    whole = {"agreements": [{**read, "provisions_complete": True}], "agreements_complete": True}
    assert provision(**whole) is False
    shown = {**read, "provisions": ["reciprocal-inspections"]}
    assert provision(agreements=[shown]) is True  # shown is shown, listed or not
    assert provision(agreements=[], agreements_complete=True) is False  # none at all
    assert provision(agreements_absent=["security-of-information"]) is False
    assert provision(agreements=[{"kind": "cyber"}]) is None


def test_invocation_counts_need_the_complete_record():
    declined = [{"date": "2022-09-13", "outcome": "declined"}]
    v = facts_features(Facts.model_validate({"invocations": declined}), AS_OF)
    assert v["invocations.declined"] is None and v["invocations.honoured"] is None
    assert v["invocations.any_declined"] is True  # what is listed is known
    assert v["invocations.any_honoured"] is None
    whole = Facts.model_validate({"invocations": declined, "invocations_complete": True})
    v = facts_features(whole, AS_OF)
    assert (v["invocations.declined"], v["invocations.honoured"]) == (1.0, 0.0)
    assert v["invocations.any_honoured"] is False
    never = Facts.model_validate({"invocations": [], "invocations_complete": True})
    assert facts_features(never, AS_OF)["invocations.declined"] == 0.0
    assert facts_features(Facts(invocations=()), AS_OF)["invocations.declined"] is None


@pytest.mark.parametrize("version", [None, 1, 2, 3])
def test_what_a_list_leaves_out_is_read_as_the_files_format_says(version):
    doc = {
        "id": "p", "name": "P", "kind": "bilateral-alliance", "members": ["USA", "JPN"],
        "assessed_on": AS_OF.isoformat(),
        "facts": {"agreements": [{"kind": "status-of-forces"}], "invocations": []},
    }  # fmt: skip
    if version is not None:
        doc["format_version"] = version
    p = partnership_from_dict(doc)
    v = p.features()
    old = version in (None, 1, 2)  # their lists were documented as complete
    assert p.lists_complete is old
    assert v["agreement.access"] is (False if old else None)
    assert v["invocations.declined"] == (0.0 if old else None)
    doc["facts"] |= {"agreements_complete": True, "invocations_complete": True}
    v = partnership_from_dict(doc).features()
    assert v["agreement.access"] is False and v["invocations.declined"] == 0.0


def test_plain_layered_and_spending_features():
    v = facts_features(Facts.model_validate(doc_example()), date(2026, 1, 1))
    assert v["exercises_per_year"] == 20.0
    assert v["interop.command_and_control"] == 4.0
    assert v["atop.defense"] is True
    assert v["atop.organisation"] == 3.0
    assert v["intelligence_sharing"] == "integrated"
    assert v["secure_channels"] is True
    assert v["technology_transfer"] == "preferential"
    assert v["defense_spending_gdp.min"] == 2.1
    assert v["defense_spending_gdp.mean"] == pytest.approx(2.75)
    assert v["defense_spending_gdp.share_at_2pct"] == 1.0
    spending = Facts(defense_spending_gdp={"A": 1.0, "B": 2.0, "C": 3.0, "D": 1.99})
    assert facts_features(spending, AS_OF)["defense_spending_gdp.share_at_2pct"] == 0.5


# --- the catalogue -------------------------------------------------------------------------


def test_the_catalogue_is_typed_and_covers_every_fact():
    assert len(FEATURES) > 50
    for name, f in FEATURES.items():
        assert f.name == name
        assert f.type in ("number", "flag", "category", "level")
        assert f.unit and f.description
        if f.type == "flag":
            assert f.values == ("false", "true")
        elif f.type == "category":
            assert len(f.values) >= 2
        else:
            assert f.values == ()
    roots = {name.split(".")[0] for name in FEATURES}
    for fact in Facts.model_fields:
        if fact != "sources":
            assert (
                fact in roots
                or fact.rstrip("s") in roots
                or fact in ("interoperability", "un_ideal_points", "spending_target_gdp")
                or fact == "leadership_change_disruptions"  # leadership_change.effect
                or fact == "commitment_defaults"  # commitments.*
                or fact.endswith(("_complete", "_absent"))  # statements about a list
            ), fact
    assert FEATURES["intelligence_sharing"].values == (
        "none",
        "ad-hoc",
        "formal-bilateral",
        "integrated",
    )
    assert FEATURES["interop.communications"].type == "level"
    assert FEATURES["agreement.status-of-forces"].type == "flag"


def test_schema_documents_every_fact():
    schema = Partnership.model_json_schema()
    props = schema["$defs"]["Facts"]["properties"]
    for name in Facts.model_fields:
        assert props[name].get("description"), name
    assert "count per year" in props["exercises_per_year"]["description"].lower()
    one, several = schema["$defs"]["Agreement"]["properties"]["kind"]["anyOf"]
    assert one["enum"] == several["items"]["enum"] == list(AGREEMENT_KINDS)


# --- the table ------------------------------------------------------------------------------


def make(pid: str, facts: dict | None, assessed_on: date = AS_OF) -> Partnership:
    return Partnership(
        id=pid,
        name=pid,
        kind="defense-cooperation",
        members=("A", "B"),
        assessed_on=assessed_on,
        facts=facts,
    )


def test_facts_frame_has_one_row_per_partnership_and_typed_columns():
    frame = facts_frame(
        [
            make("a", {"exercises_per_year": 3, "secure_channels": True}),
            make("b", {"intelligence_sharing": "ad-hoc", "agreements": []}),
            make("c", None),
        ]
    )
    assert list(frame.index) == ["a", "b", "c"]
    assert list(frame.columns) == list(FEATURES)
    assert frame["exercises_per_year"].dtype == "float64"
    assert frame["secure_channels"].dtype == "boolean"
    assert isinstance(frame["intelligence_sharing"].dtype, pd.CategoricalDtype)
    assert list(frame["intelligence_sharing"].cat.categories) == list(
        FEATURES["intelligence_sharing"].values
    )
    assert frame.loc["a", "exercises_per_year"] == 3.0
    assert math.isnan(frame.loc["b", "exercises_per_year"])
    assert frame.loc["a", "secure_channels"]
    assert frame["secure_channels"].isna().tolist() == [False, True, True]
    assert frame.loc["b", "intelligence_sharing"] == "ad-hoc"
    assert frame.loc["b", "agreements.count"] == 0.0  # an empty list is known: none
    assert (
        frame.loc["b", "agreement.access"] is not pd.NA and not frame.loc["b", "agreement.access"]
    )
    members = [n for n in FEATURES if n.startswith("members.")]
    assert frame.loc["c"].drop(members).isna().all()  # no facts: every fact unknown
    assert frame.loc["c", "members.count"] == 2.0  # but the file says who the members are


def test_facts_frame_reads_each_partnership_as_of_its_own_date():
    treaty = {"agreements": [{"kind": "access", "signed": "2010-01-01"}]}
    frame = facts_frame([make("old", treaty, date(2019, 1, 1)), make("new", treaty)])
    assert frame["agreement.access.years"].tolist() == pytest.approx([9.0, 15.49], abs=0.01)

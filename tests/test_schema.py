"""``readiness schema partnership`` is as strict as ``readiness validate``.

Every shipped example passes both; every bad document below is refused by both. The few
checks JSON Schema cannot state (comparisons with today or between two fields, overrides
of derived levels) are listed in ``VALIDATOR_ONLY`` and in docs/facts-format.md.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from readiness import load_rubric
from readiness.assessment import assess
from readiness.errors import ReadinessError
from readiness.partnership import KINDS, partnership_from_dict
from tests.cli_harness import run_cli
from tests.factories import EXAMPLES, SMALL

RUBRIC = load_rubric()

GOOD: dict[str, Any] = {
    "id": "pact",
    "name": "Pact",
    "kind": "bilateral-alliance",
    "members": ["FRA", "DEU"],
    "established": "1990-05-01",
    "assessor": "tests",
    "assessed_on": "2025-06-30",
    "target": "bilateral-alliance",
    "ratings": {
        "trust.commitment-record": {
            "level": 3,
            "confidence": "high",
            "evidence": [
                {"text": "t", "source": "s", "date": "2024-01-01", "url": "https://example.org"}
            ],
        },
        "burden.cost-sharing": {"level": "not-applicable", "note": "n"},
        "culture.cross-cultural-understanding": {"level": "unknown"},
    },
    "facts": {
        "agreements": [
            {
                "kind": "status-of-forces",
                "name": "SOFA",
                "signed": "1995-01-01",
                "in_force": "1996-01-01",
                "ratified": True,
                "source": "s",
            },
            {"kind": "access", "signed": "1991-01-01", "ended": "2001-01-01"},
        ],
        "atop": {"defense": 1, "consultation": True, "basing": 2},
        "exercises_per_year": 4.5,
        "liaison_officers": 3,
        "interoperability": {"communications": 2, "data": 0},
        "intelligence_sharing": "formal-bilateral",
        "defense_spending_gdp": {"FRA": 2.5, "DEU": 1.1},
        "sources": {"exercises_per_year": "s", "interoperability.data": "s"},
    },
}


def emitted_schema(*args: str) -> dict[str, Any]:
    r = run_cli("schema", "partnership", *args, cwd=None)
    assert r.returncode == 0
    schema: dict[str, Any] = json.loads(r.stdout)
    return schema


@pytest.fixture(scope="module")
def schema() -> Draft202012Validator:
    document = emitted_schema()
    Draft202012Validator.check_schema(document)
    # format "date" is only an annotation unless a format checker is asked for
    return Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(validator: Draft202012Validator, doc: object) -> list[str]:
    return [e.json_path for e in validator.iter_errors(doc)]


def validate_cli(tmp_path: Path, doc: object) -> tuple[int, str]:
    """``readiness validate FILE``, in process: exit code and standard error."""
    f = tmp_path / "p.json"
    f.write_text(json.dumps(doc))
    r = run_cli("validate", str(f), cwd=None)
    return r.returncode, r.stderr


def validator_accepts(doc: object) -> bool:
    """What ``readiness validate`` decides, without the file: parse, rubric, assess."""
    try:
        p = partnership_from_dict(doc)
        p.check_against(RUBRIC)
        assess(p, RUBRIC)
    except ReadinessError:
        return False
    return True


def changed(edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    doc = copy.deepcopy(GOOD)
    edit(doc)
    return doc


def rating(doc: dict[str, Any]) -> dict[str, Any]:
    r: dict[str, Any] = doc["ratings"]["trust.commitment-record"]
    return r


def facts(doc: dict[str, Any]) -> dict[str, Any]:
    f: dict[str, Any] = doc["facts"]
    return f


# name -> (the bad document, the JSON path the validator names)
BAD: dict[str, tuple[dict[str, Any], str]] = {
    "level 7": (
        changed(lambda d: rating(d).update(level=7)),
        "$.ratings['trust.commitment-record'].level",
    ),
    "level -1": (
        changed(lambda d: rating(d).update(level=-1)),
        "$.ratings['trust.commitment-record'].level",
    ),
    "level true": (
        changed(lambda d: rating(d).update(level=True)),
        "$.ratings['trust.commitment-record'].level",
    ),
    "level 'high'": (
        changed(lambda d: rating(d).update(level="high")),
        "$.ratings['trust.commitment-record'].level",
    ),
    "level missing": (
        changed(lambda d: rating(d).pop("level")),
        "$.ratings['trust.commitment-record'].level",
    ),
    "unknown criterion key": (
        changed(lambda d: d["ratings"].update({"trust.commitment-recrod": {"level": 2}})),
        "$.ratings['trust.commitment-recrod']",
    ),
    "confidence out of its enum": (
        changed(lambda d: rating(d).update(confidence="sure")),
        "$.ratings['trust.commitment-record'].confidence",
    ),
    "unknown field": (changed(lambda d: d.update(memberz=["X"])), "$.memberz"),
    "unknown field in a rating": (
        changed(lambda d: rating(d).update(levle=3)),
        "$.ratings['trust.commitment-record'].levle",
    ),
    "unknown field in evidence": (
        changed(lambda d: rating(d)["evidence"][0].update(page=3)),
        "$.ratings['trust.commitment-record'].evidence[0].page",
    ),
    "evidence without source": (
        changed(lambda d: rating(d)["evidence"][0].pop("source")),
        "$.ratings['trust.commitment-record'].evidence[0].source",
    ),
    "blank evidence text": (
        changed(lambda d: rating(d)["evidence"][0].update(text="   ")),
        "$.ratings['trust.commitment-record'].evidence[0].text",
    ),
    "bad evidence date": (
        changed(lambda d: rating(d)["evidence"][0].update(date="2023-02-30")),
        "$.ratings['trust.commitment-record'].evidence[0].date",
    ),
    "bad date string": (changed(lambda d: d.update(established="April 1949")), "$.established"),
    "impossible month": (changed(lambda d: d.update(assessed_on="2024-13-01")), "$.assessed_on"),
    "date with a time": (
        changed(lambda d: d.update(established="1990-05-01T00:00:00")),
        "$.established",
    ),
    "date as a number": (changed(lambda d: d.update(established=0)), "$.established"),
    "unknown kind": (changed(lambda d: d.update(kind="friendship")), "$.kind"),
    "id not lowercase": (changed(lambda d: d.update(id="Pact")), "$.id"),
    "blank name": (changed(lambda d: d.update(name="  ")), "$.name"),
    "name missing": (changed(lambda d: d.pop("name")), "$.name"),
    "no members": (changed(lambda d: d.update(members=[])), "$.members"),
    "duplicate member": (changed(lambda d: d.update(members=["FRA", "FRA"])), "$.members[1]"),
    "unknown target profile": (changed(lambda d: d.update(target="everything")), "$.target"),
    "ratings not an object": (changed(lambda d: d.update(ratings=[])), "$.ratings"),
    "exercises_per_year -3": (
        changed(lambda d: facts(d).update(exercises_per_year=-3)),
        "$.facts.exercises_per_year",
    ),
    "exercises_per_year as text": (
        changed(lambda d: facts(d).update(exercises_per_year="many")),
        "$.facts.exercises_per_year",
    ),
    "liaison_officers not whole": (
        changed(lambda d: facts(d).update(liaison_officers=2.5)),
        "$.facts.liaison_officers",
    ),
    "liaison_officers negative": (
        changed(lambda d: facts(d).update(liaison_officers=-1)),
        "$.facts.liaison_officers",
    ),
    "interoperability level 5": (
        changed(lambda d: facts(d)["interoperability"].update(communications=5)),
        "$.facts.interoperability.communications",
    ),
    "interoperability level -1": (
        changed(lambda d: facts(d)["interoperability"].update(data=-1)),
        "$.facts.interoperability.data",
    ),
    "unknown interoperability layer": (
        changed(lambda d: facts(d)["interoperability"].update(voice=2)),
        "$.facts.interoperability.voice",
    ),
    "atop code negative": (
        changed(lambda d: facts(d)["atop"].update(basing=-1)),
        "$.facts.atop.basing",
    ),
    "atop flag 2": (
        changed(lambda d: facts(d)["atop"].update(defense=2)),
        "$.facts.atop.defense",
    ),
    "unknown fact": (changed(lambda d: facts(d).update(exercises=3)), "$.facts.exercises"),
    "intelligence_sharing out of its enum": (
        changed(lambda d: facts(d).update(intelligence_sharing="full")),
        "$.facts.intelligence_sharing",
    ),
    "technology_transfer out of its enum": (
        changed(lambda d: facts(d).update(technology_transfer="open")),
        "$.facts.technology_transfer",
    ),
    "common_doctrine out of its enum": (
        changed(lambda d: facts(d).update(common_doctrine="shared")),
        "$.facts.common_doctrine",
    ),
    "agreement kind unknown": (
        changed(lambda d: facts(d)["agreements"][0].update(kind="sofa")),
        "$.facts.agreements[0].kind",
    ),
    "agreement without kind": (
        changed(lambda d: facts(d)["agreements"][0].pop("kind")),
        "$.facts.agreements[0].kind",
    ),
    "unknown field in an agreement": (
        changed(lambda d: facts(d)["agreements"][0].update(parties=2)),
        "$.facts.agreements[0].parties",
    ),
    "negative spending": (
        changed(lambda d: facts(d)["defense_spending_gdp"].update(FRA=-1)),
        "$.facts.defense_spending_gdp.FRA",
    ),
    "source of an unknown fact": (
        changed(lambda d: facts(d)["sources"].update(exercise="s")),
        "$.facts.sources",
    ),
    "facts not an object": (changed(lambda d: d.update(facts=[1])), "$.facts"),
}


def test_the_good_document_passes_both(schema: Draft202012Validator, tmp_path: Path):
    assert schema_errors(schema, GOOD) == []
    code, err = validate_cli(tmp_path, GOOD)
    assert (code, err) == (0, "")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_shipped_example_matches_the_schema(schema: Draft202012Validator, path: Path):
    assert schema_errors(schema, json.loads(path.read_text())) == []


@pytest.mark.parametrize(("doc", "where"), BAD.values(), ids=list(BAD))
def test_bad_documents_are_refused_by_schema_and_validate(
    schema: Draft202012Validator, tmp_path: Path, doc: dict[str, Any], where: str
):
    assert schema_errors(schema, doc), "the schema accepts it"
    code, err = validate_cli(tmp_path, doc)
    assert code == 2
    assert f"{where}: " in err and "Traceback" not in err


# What JSON Schema cannot state: `readiness validate` refuses these, the schema lets them
# pass. docs/facts-format.md lists the same; change both if one becomes expressible.
VALIDATOR_ONLY: dict[str, tuple[dict[str, Any], str]] = {
    "assessed_on in the future": (
        changed(lambda d: d.update(assessed_on="2999-01-01")),
        "$.assessed_on",
    ),
    "evidence after assessed_on": (
        changed(lambda d: rating(d)["evidence"][0].update(date="2025-07-01")),
        "$.ratings['trust.commitment-record'].evidence[0].date",
    ),
    "agreement ended before it started": (
        changed(lambda d: facts(d)["agreements"][1].update(ended="1990-01-01")),
        "$.facts.agreements[1]",
    ),
    "override of a derived level without justification": (
        changed(lambda d: d["ratings"].update({"legal.status-of-forces": {"level": 0}})),
        "$.ratings['legal.status-of-forces'].justification",
    ),
}


@pytest.mark.parametrize(("doc", "where"), VALIDATOR_ONLY.values(), ids=list(VALIDATOR_ONLY))
def test_what_only_the_validator_can_check(
    schema: Draft202012Validator, tmp_path: Path, doc: dict[str, Any], where: str
):
    assert schema_errors(schema, doc) == []
    code, err = validate_cli(tmp_path, doc)
    assert code == 2 and f"{where}: " in err


def test_rating_keys_and_target_come_from_the_rubric_given():
    small = load_rubric(SMALL)
    document = emitted_schema("--rubric", str(SMALL))
    ratings = document["properties"]["ratings"]
    assert list(ratings["properties"]) == list(small.criterion_ids)
    assert ratings["additionalProperties"] is False
    assert document["$id"].startswith("urn:readiness:partnership:")
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    v = Draft202012Validator(document)
    base = {"id": "p", "name": "P", "kind": "bilateral-alliance", "members": ["A"]}
    first = small.criterion_ids[0]
    assert not list(v.iter_errors({**base, "ratings": {first: {"level": 2}}, "target": "full"}))
    assert list(v.iter_errors({**base, "ratings": {"trust.commitment-record": {"level": 2}}}))
    assert list(v.iter_errors({**base, "target": "bilateral-alliance"}))


def test_schema_rubric_option_reports_a_bad_rubric(tmp_path: Path):
    r = run_cli("schema", "partnership", "--rubric", str(tmp_path / "none.yaml"), cwd=None)
    assert r.returncode == 2 and "none.yaml" in r.stderr and "file not found" in r.stderr


def test_rubric_option_is_for_partnership_schemas_only():
    r = run_cli("schema", "rubric", "--rubric", str(SMALL), cwd=None)
    assert r.returncode == 2 and "--rubric" in r.stderr


# --- the schema and the validator agree ------------------------------------------------------

TEXT = st.sampled_from(["", "  ", "x", "many", "unknown", "none"])
JUNK = st.none() | st.booleans() | TEXT


def number(low: int, high: int) -> st.SearchStrategy[Any]:
    whole = st.integers(low, high)
    return whole | st.floats(low, high, allow_nan=False, allow_infinity=False) | JUNK


# Integral floats such as 3.0 are integers to JSON Schema; the validator takes them as
# counts but not as levels or flags, so levels and flags are drawn as integers only.
LEVELS = st.integers(-2, 7) | JUNK | st.sampled_from(["not-applicable", "Unknown", "high"])
DAYS = st.dates(max_value=dt.date(2025, 6, 30)).map(dt.date.isoformat)
DATES = DAYS | st.sampled_from(["2023-02-30", "2024-13-01", "1 May 1990", "19900501"]) | JUNK

FIELDS: dict[str, tuple[tuple[str | int, ...], st.SearchStrategy[Any]]] = {
    "kind": (("kind",), st.sampled_from([*KINDS, "friendship"])),
    "id": (("id",), st.sampled_from(["pact", "Pact", "pact-2", "-pact", "pact.one", "pact..x"])),
    "members": (("members",), st.lists(st.sampled_from(["FRA", "DEU", "", " "]), max_size=3)),
    "target": (("target",), st.none() | st.sampled_from(["bilateral-alliance", "everything"])),
    "established": (("established",), DATES),
    "level": (("ratings", "trust.commitment-record", "level"), LEVELS),
    "confidence": (
        ("ratings", "trust.commitment-record", "confidence"),
        st.sampled_from(["low", "medium", "high", "sure", "HIGH"]) | JUNK,
    ),
    "evidence date": (("ratings", "trust.commitment-record", "evidence", 0, "date"), DATES),
    "exercises": (("facts", "exercises_per_year"), number(-5, 60)),
    "liaison": (("facts", "liaison_officers"), number(-5, 60)),
    "basing": (("facts", "atop", "basing"), number(-3, 5)),
    "defense": (("facts", "atop", "defense"), st.integers(-1, 2) | JUNK),
    "interop": (("facts", "interoperability", "data"), st.integers(-2, 6) | JUNK),
    "sharing": (
        ("facts", "intelligence_sharing"),
        st.sampled_from(["none", "ad-hoc", "integrated", "full", "None"]) | JUNK,
    ),
    "spending": (("facts", "defense_spending_gdp", "FRA"), number(-3, 10)),
    "agreement kind": (
        ("facts", "agreements", 0, "kind"),
        st.sampled_from(["status-of-forces", "cyber", "sofa"]) | JUNK,
    ),
    "source name": (
        ("facts", "sources"),
        st.dictionaries(
            st.sampled_from(["atop", "atop.basing", "atopx", "exercise", "interoperability.x", ""]),
            st.sampled_from(["s", ""]),
            max_size=2,
        ),
    ),
    "rated criterion": (
        ("ratings",),
        st.dictionaries(
            st.sampled_from(["trust.commitment-record", "trust.commitment-recrod", "x"]),
            st.builds(lambda: {"level": 2, "justification": "j"}),
            max_size=2,
        ),
    ),
}


def spends_for_non_members(doc: dict[str, Any]) -> bool:
    """Spending given for a state the (well-formed) member list does not hold."""
    members, facts = doc.get("members"), doc.get("facts")
    spending = facts.get("defense_spending_gdp") if isinstance(facts, dict) else None
    if not isinstance(members, list) or not isinstance(spending, dict):
        return False
    codes = {m.strip().upper() for m in members if isinstance(m, str)}
    return any(k.strip().upper() not in codes for k in spending)


def put(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    *parents, last = path
    node: Any = doc
    for key in parents:
        node = node[key]
    node[last] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_schema_and_validator_agree(schema: Draft202012Validator, data: st.DataObject):
    doc = copy.deepcopy(GOOD)
    chosen = data.draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=3, unique=True))
    for name in sorted(chosen, key=lambda n: len(FIELDS[n][0])):  # "ratings" before its parts
        path, values = FIELDS[name]
        with contextlib.suppress(KeyError, IndexError, TypeError):
            put(doc, path, data.draw(values, label=name))
    assume(not spends_for_non_members(doc))  # a rule the schema cannot state (docs)
    by_schema = not schema_errors(schema, doc)
    event("accepted" if by_schema else "refused")
    assert by_schema == validator_accepts(doc), schema_errors(schema, doc)

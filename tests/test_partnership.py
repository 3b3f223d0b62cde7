"""Partnership descriptions: one test per error message."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from readiness import InputError, load_partnership, load_rubric
from readiness.errors import json_path
from readiness.partnership import FORMAT_VERSION, Partnership, partnership_from_dict

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "partnerships"

GOOD = {
    "id": "pact",
    "name": "Pact",
    "kind": "bilateral-alliance",
    "members": ["AAA", "BBB"],
    "ratings": {"trust.commitment-record": {"level": 3, "confidence": "high"}},
}


def problems(data: object) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as err:
        partnership_from_dict(data, source="p.json")
    assert str(err.value).startswith("p.json: ")
    return [(p.path, p.message) for p in err.value.problems]


def with_(**changes) -> dict:
    return {**GOOD, **changes}


def test_good_partnership():
    p = partnership_from_dict(GOOD)
    assert p.level_of("trust.commitment-record") == 3
    assert p.level_of("legal.status-of-forces") == "unknown"  # missing means unknown, not zero


def test_level_out_of_range():
    [(path, msg)] = problems(with_(ratings={"legal.status-of-forces": {"level": 7}}))
    assert path == "$.ratings['legal.status-of-forces'].level"
    assert msg == "level must be an integer from 0 to 4, 'not-applicable' or 'unknown' (got 7)"


def test_level_as_bool_or_text_is_rejected():
    [(_, msg)] = problems(with_(ratings={"trust.commitment-record": {"level": True}}))
    assert "(got True)" in msg
    [(_, msg)] = problems(with_(ratings={"trust.commitment-record": {"level": "high"}}))
    assert "(got 'high')" in msg


def test_not_applicable_and_unknown_are_levels():
    p = partnership_from_dict(
        with_(ratings={"a.b": {"level": "not-applicable"}, "c.d": {"level": "unknown"}})
    )
    assert p.level_of("a.b") == "not-applicable"
    assert not p.ratings["c.d"].is_rated


def test_unknown_field_is_an_error():
    [(path, msg)] = problems(with_(memberz=["X"]))
    assert path == "$.memberz" and "unknown field" in msg


def test_unknown_field_in_rating():
    [(path, _)] = problems(with_(ratings={"trust.commitment-record": {"level": 2, "levle": 3}}))
    assert path == "$.ratings['trust.commitment-record'].levle"


def test_unknown_kind():
    [(path, msg)] = problems(with_(kind="friendship"))
    assert path == "$.kind" and "collective-defense-alliance" in msg


def test_missing_name():
    data = dict(GOOD)
    del data["name"]
    assert problems(data) == [("$.name", "required field is missing")]


def test_bad_confidence():
    [(path, msg)] = problems(
        with_(ratings={"trust.commitment-record": {"level": 2, "confidence": "sure"}})
    )
    assert path == "$.ratings['trust.commitment-record'].confidence"
    assert msg == "unknown value 'sure' (expected one of: low, medium, high)"


def test_future_dates_are_rejected():
    future = (date.today() + timedelta(days=3)).isoformat()
    [(path, msg)] = problems(with_(assessed_on=future))
    assert path == "$.assessed_on" and msg == f"date {future} is in the future"
    evidence = [{"text": "t", "source": "s", "date": future}]
    [(path, _)] = problems(
        with_(ratings={"trust.commitment-record": {"level": 1, "evidence": evidence}})
    )
    assert path == "$.ratings['trust.commitment-record'].evidence[0].date"


def test_bad_date_format():
    assert problems(with_(established="April 1949")) == [
        ("$.established", "must be a date written YYYY-MM-DD (got 'April 1949')")
    ]
    [(_, msg)] = problems(with_(assessed_on="2024-13-01"))
    assert msg == "must be a real date written YYYY-MM-DD (got '2024-13-01')"


@pytest.mark.parametrize(
    "value", [0, 1700000000, "2024-01-01T00:00:00", "2024-01-01 ", "2024-1-1", True]
)
def test_a_date_is_only_yyyy_mm_dd_text(value):
    assert problems(with_(established=value)) == [
        ("$.established", f"must be a date written YYYY-MM-DD (got {value!r})")
    ]


DATED = {
    **GOOD,
    "established": "1990-05-01",
    "assessed_on": "2025-06-30",
    "ratings": {
        "trust.commitment-record": {
            "level": 3,
            "evidence": [
                {"text": "t", "source": "s", "date": "2024-01-01"},
                {"text": "t", "source": "s", "date": "2025-06-30"},  # the day itself is fine
            ],
        }
    },
    "facts": {
        "agreements": [
            {"kind": "access", "signed": "1991-01-01", "in_force": "1992-01-01"},
            {"kind": "cyber", "signed": "2000-01-01", "ended": "2025-06-30"},
        ]
    },
}


def dated(edit) -> dict:
    data = json.loads(json.dumps(DATED))
    edit(data)
    return data


def test_dates_on_or_before_assessed_on_are_accepted():
    p = partnership_from_dict(DATED)
    assert p.assessed_on == date(2025, 6, 30)


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda d: d.update(established="2025-07-01"), "$.established"),
        (
            lambda d: d["ratings"]["trust.commitment-record"]["evidence"][1].update(
                date="2025-07-01"
            ),
            "$.ratings['trust.commitment-record'].evidence[1].date",
        ),
        (
            lambda d: d["facts"]["agreements"][0].update(signed="2025-07-01"),
            "$.facts.agreements[0].signed",
        ),
        (
            lambda d: d["facts"]["agreements"][0].update(in_force="2025-07-01"),
            "$.facts.agreements[0].in_force",
        ),
        (
            lambda d: d["facts"]["agreements"][1].update(ended="2025-07-01"),
            "$.facts.agreements[1].ended",
        ),
    ],
    ids=["established", "evidence", "signed", "in_force", "ended"],
)
def test_a_date_after_assessed_on_is_refused(edit, path):
    assert problems(dated(edit)) == [(path, "date 2025-07-01 is after assessed_on 2025-06-30")]


def test_every_late_date_and_duplicate_member_is_reported_at_once():
    def edit(d):
        d["members"] = ["AAA", "AAA"]
        d["established"] = "2026-01-01"
        d["ratings"]["trust.commitment-record"]["evidence"][0]["date"] = "2025-12-01"

    assert [p for p, _ in problems(dated(edit))] == [
        "$.members[1]",
        "$.established",
        "$.ratings['trust.commitment-record'].evidence[0].date",
    ]


def test_without_assessed_on_the_assessment_date_is_today():
    today = date.today().isoformat()
    future = (date.today() + timedelta(days=1)).isoformat()
    ok = dated(lambda d: d.pop("assessed_on"))
    ok["established"] = today
    assert partnership_from_dict(ok).established == date.today()
    assert problems({**ok, "established": future}) == [
        ("$.established", f"date {future} is in the future")
    ]
    late = dated(lambda d: d.pop("assessed_on"))
    late["facts"]["agreements"][1]["ended"] = future
    assert problems(late) == [("$.facts.agreements[1].ended", f"date {future} is in the future")]


def test_a_late_date_is_refused_by_validate(tmp_path: Path):
    from tests.cli_harness import run_cli

    f = tmp_path / "p.json"
    f.write_text(json.dumps(dated(lambda d: d.update(established="2025-07-01"))))
    r = run_cli("validate", str(f), cwd=None)
    assert r.returncode == 2
    assert r.stderr == (
        f"readiness: error: {f}: $.established: date 2025-07-01 is after assessed_on 2025-06-30\n"
    )


def test_empty_evidence_text():
    ev = [{"text": "  ", "source": "s"}]
    [(path, _)] = problems(with_(ratings={"trust.commitment-record": {"level": 1, "evidence": ev}}))
    assert path == "$.ratings['trust.commitment-record'].evidence[0].text"


def test_duplicate_member():
    assert problems(with_(members=["AAA", "AAA"])) == [
        (
            "$.members[1]",
            "duplicate member 'AAA' (also $.members[0]; codes are compared in upper case)",
        )
    ]


def test_no_members():
    assert problems(with_(members=[])) == [("$.members", "must not be empty (got [])")]


def test_not_an_object():
    assert problems([1]) == [("$", "a partnership must be a JSON object (got array)")]


def test_every_problem_at_once():
    found = problems(with_(kind="x", members=[], ratings={"a.b": {"level": 9}}))
    assert {p for p, _ in found} == {"$.kind", "$.members", "$.ratings['a.b'].level"}


def test_unknown_criterion_against_rubric_suggests(tmp_path: Path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(with_(ratings={"trust.commitment-recrod": {"level": 2}})))
    with pytest.raises(InputError) as err:
        load_partnership(f, load_rubric())
    (problem,) = err.value.problems
    assert problem.path == "$.ratings['trust.commitment-recrod']"
    assert "did you mean 'trust.commitment-record'?" in problem.message
    assert err.value.source == str(f)


def test_unknown_target_profile(tmp_path: Path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(with_(target="everything")))
    with pytest.raises(InputError, match=r"\$\.target: unknown target profile 'everything'"):
        load_partnership(f, load_rubric())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("   \n", "the file is empty"),
        ('{"id": "x",}', "line 1 column 12: invalid JSON"),
        ("[1, 2", "invalid JSON"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: str, message: str):
    f = tmp_path / "p.json"
    f.write_text(content)
    with pytest.raises(InputError, match=message):
        load_partnership(f)


def test_missing_file(tmp_path: Path):
    with pytest.raises(InputError, match="file not found"):
        load_partnership(tmp_path / "nope.json")


def test_not_utf8(tmp_path: Path):
    f = tmp_path / "p.json"
    f.write_bytes(b"\xff\xfe{}")
    with pytest.raises(InputError, match="not UTF-8"):
        load_partnership(f)


# --- format 2: status, members over time, format_version (issue 10) ----------------------


def test_members_may_be_codes_or_objects_with_dates():
    members = ["AAA", {"code": "BBB", "joined": "2000-01-01"},
               {"code": "CCC", "left": "2020-06-30"},
               {"code": "DDD", "suspended": [{"since": "2024-02-22"}]}]  # fmt: skip
    p = partnership_from_dict(with_(members=members, assessed_on="2025-01-01"))
    assert p.member_codes == ("AAA", "BBB", "CCC", "DDD")
    assert p.members_on(date(1999, 1, 1)) == ("AAA", "CCC", "DDD")
    roster = p.roster_on()
    assert roster.active == ("AAA", "BBB")
    assert roster.suspended == ("DDD",)
    assert roster.left_5y == ("CCC",)


def test_status_is_a_word_or_a_dated_history():
    assert partnership_from_dict(with_(status="dormant")).status_on() == "dormant"
    history = [{"state": "active", "since": "1955-02-19"},
               {"state": "dissolving", "since": "1975-09-24"}]  # fmt: skip
    p = partnership_from_dict(with_(status=history, assessed_on="1976-06-30"))
    assert p.status_on(date(1970, 1, 1)) == "active"
    assert p.status_on() == "dissolving"
    assert p.status_on(date(1950, 1, 1)) is None
    assert partnership_from_dict(GOOD).status_on() is None


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        (
            {"status": "gone"},
            "$.status",
            "unknown status 'gone' (expected one of: active, dormant, dissolving, dissolved, or a "
            "list of {state, since})",
        ),
        (
            {"status": [{"state": "active", "since": "2000-01-01"}, {"state": "dormant"}]},
            "$.status[1].since",
            "every state after the first needs a date",
        ),
        (
            {
                "status": [
                    {"state": "dormant", "since": "2000-01-01"},
                    {"state": "active", "since": "1990-01-01"},
                ]
            },
            "$.status[1].since",
            "date 1990-01-01 is before the previous state's 2000-01-01 (list states in date order)",
        ),
        (
            {"members": ["AAA", {"code": "AAA"}]},
            "$.members[1]",
            "duplicate member 'AAA' (also $.members[0]; codes are compared in upper case)",
        ),
        (
            {"members": ["AAA", 3]},
            "$.members[1]",
            "a member is a code or an object {code, joined, left, suspended} (got 3)",
        ),
        (
            {"members": ["BBB", {"code": "AAA", "joined": "2000-01-01", "left": "1999-01-01"}]},
            "$.members[1]",
            "left 1999-01-01 is before joined 2000-01-01",
        ),
        (
            {
                "members": ["AAA", "BBB"],
                "facts": {"agreements": [{"kind": "cyber", "parties": ["AAA", "ZZZ"]}]},
            },
            "$.facts.agreements[0].parties[1]",
            "'ZZZ' is not a member (members: AAA, BBB)",
        ),
        (
            {
                "members": ["AAA", "BBB"],
                "facts": {
                    "commitment_defaults": [
                        {"date": "2020-01-01", "member": "ZZZ", "severity": "missed"}
                    ]
                },
            },
            "$.facts.commitment_defaults[0].member",
            "'ZZZ' is not a member (members: AAA, BBB)",
        ),
        (
            {
                "assessed_on": "2020-01-01",
                "facts": {"reviews": [{"date": "2021-01-01", "scheduled": True}]},
            },
            "$.facts.reviews[0].date",
            "date 2021-01-01 is after assessed_on 2020-01-01",
        ),
        (
            {
                "assessed_on": "2020-01-01",
                "facts": {"strategy": {"form": "concept", "adopted": "2021-01-01"}},
            },
            "$.facts.strategy.adopted",
            "date 2021-01-01 is after assessed_on 2020-01-01",
        ),
        (
            {"assessed_on": "2020-01-01", "members": [{"code": "AAA", "joined": "2021-01-01"}]},
            "$.members[0].joined",
            "date 2021-01-01 is after assessed_on 2020-01-01",
        ),
        (
            {
                "assessed_on": "2020-01-01",
                "status": [{"state": "dissolved", "since": "2021-01-01"}],
            },
            "$.status[0].since",
            "date 2021-01-01 is after assessed_on 2020-01-01",
        ),
        (
            {"format_version": 4},
            "$.format_version",
            "format 4 was written by a newer readiness (this one reads formats 1 to 3); "
            "upgrade readiness to read it",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("$") else None,
)
def test_format_2_problems_name_their_path(changes, path, message):
    assert problems(with_(**changes)) == [(path, message)]


def test_format_version_is_optional_and_both_versions_read_alike():
    old = partnership_from_dict(GOOD)
    new = partnership_from_dict(with_(format_version=2))
    assert old.format_version is None and new.format_version == 2
    assert old.model_dump(exclude={"format_version"}) == new.model_dump(exclude={"format_version"})


def test_every_example_is_valid_and_in_the_current_format():
    # the examples as they were in 0.1.0 and 0.2.0 (format 1) are in tests/compat
    for path in sorted(Path("examples/partnerships").glob("*.json")):
        data = json.loads(path.read_text())
        assert data["format_version"] == FORMAT_VERSION, path
        load_partnership(path, load_rubric())


# --- members are states (format 3) -------------------------------------------------


def test_format_3_members_are_iso_codes_with_a_suggestion_from_names():
    doc = with_(format_version=3, members=["India", "France", "US", "Jpan"])
    assert problems(doc) == [
        ("$.members[0]", "'INDIA' is not an ISO 3166-1 alpha-3 code; did you mean 'IND'?"),
        ("$.members[1]", "'FRANCE' is not an ISO 3166-1 alpha-3 code; did you mean 'FRA'?"),
        ("$.members[2]", "'US' is not an ISO 3166-1 alpha-3 code; did you mean 'USA'?"),
        ("$.members[3]", "'JPAN' is not an ISO 3166-1 alpha-3 code; did you mean 'JPN'?"),
    ]


def test_format_3_keeps_former_states_cow_numbers_and_user_assigned_codes():
    members = ["SUN", "YUG", "COW-245", "XKX", {"code": "DDR", "left": "1990-10-03"}, "POL"]
    p = partnership_from_dict(with_(format_version=3, members=members))
    assert p.member_codes == ("SUN", "YUG", "COW-245", "XKX", "DDR", "POL")


def test_format_3_needs_two_members():
    assert problems(with_(format_version=3, members=["USA"])) == [
        ("$.members", "a partnership has at least two members (got one)")
    ]
    member = {"code": "India"}
    assert problems(with_(format_version=3, members=["USA", member])) == [
        ("$.members[1].code", "'INDIA' is not an ISO 3166-1 alpha-3 code; did you mean 'IND'?")
    ]


def test_older_files_read_as_before_and_validate_warns():
    p = partnership_from_dict(with_(members=["India", "France"]))
    assert p.member_codes == ("INDIA", "FRANCE")  # format 1: read as it always was
    warnings = [(w.path, w.message) for w in p.warnings(load_rubric())]
    assert warnings == [
        (
            "$.members[0]",
            "'INDIA' is not an ISO 3166-1 alpha-3 code; did you mean 'IND'? "
            "(refused from format 3)",
        ),
        (
            "$.members[1]",
            "'FRANCE' is not an ISO 3166-1 alpha-3 code; did you mean 'FRA'? "
            "(refused from format 3)",
        ),
    ]
    lone = partnership_from_dict(with_(format_version=2, members=["USA"]))
    assert [w.path for w in lone.warnings(load_rubric())] == ["$.members"]


# --- every problem of a file in one run, in plain words ---------------------------------


def test_every_problem_of_a_file_is_reported_in_one_run(tmp_path):
    doc = {
        "format_version": 3,
        "id": "x",
        "name": "X",
        "kind": "defence-cooperation",
        "members": ["USA", "USA", "India"],
        "assessed_on": "2020-06-30",
        "facts": {
            "agreements": [
                {"kind": "sofa", "signed": "2021-01-01"},
                {"kind": "access", "parties": ["GBR"], "signed": "2019-01-01"},
            ],
            "exercises_per_year": -1,
        },
        "ratings": {
            "trust.commitment-recrd": {"level": 3},
            "trust.information-openness": {"level": 2, "confidance": "high"},
        },
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        load_partnership(path, load_rubric())
    found = {(p.path, p.message) for p in err.value.problems}
    assert found == {
        (
            "$.kind",
            "unknown value 'defence-cooperation'; did you mean 'defense-cooperation'? (expected "
            "one of: collective-defense-alliance, bilateral-alliance, technology-partnership, "
            "regional-security-forum, capacity-building-partnership, defense-cooperation, "
            "strategic-partnership, framework-nation-coalition)",
        ),
        ("$.facts.agreements[0].kind", next(iter(_kind_message("sofa")))),
        ("$.facts.exercises_per_year", "must not be negative (got -1)"),
        (
            "$.ratings['trust.information-openness'].confidance",
            "unknown field 'confidance'; did you mean 'confidence'?",
        ),
        # the checks across fields, which pydantic runs only on valid fields
        ("$.members[2]", "'INDIA' is not an ISO 3166-1 alpha-3 code; did you mean 'IND'?"),
        (
            "$.members[1]",
            "duplicate member 'USA' (also $.members[0]; codes are compared in upper case)",
        ),
        ("$.facts.agreements[0].signed", "date 2021-01-01 is after assessed_on 2020-06-30"),
        (
            "$.facts.agreements[1].parties[0]",
            "'GBR' is not a member (members: USA, USA, INDIA)",
        ),
        # and the rubric's criterion ids
        (
            "$.ratings['trust.commitment-recrd']",
            "unknown criterion 'trust.commitment-recrd' (not in rubric "
            "defense-partnership@1.3.0); did you mean 'trust.commitment-record'?",
        ),
    }


def _kind_message(kind: str) -> set[str]:
    from readiness.facts import AGREEMENT_KINDS

    return {f"unknown agreement kind {kind!r} (expected one of: {', '.join(AGREEMENT_KINDS)})"}


def test_a_panel_file_is_told_where_panel_files_go(tmp_path):
    panel = {"partnership": {"id": "p"}, "assessments": []}
    path = tmp_path / "panel.json"
    path.write_text(json.dumps(panel))
    with pytest.raises(InputError, match=r"this is a panel file .* readiness assess, report"):
        load_partnership(path)


def test_a_missing_file_says_so_without_a_json_path(tmp_path):
    with pytest.raises(InputError) as err:
        load_partnership(tmp_path / "natoo.json")
    assert str(err.value) == f"file not found: {tmp_path / 'natoo.json'}"


def test_a_member_named_in_a_fact_is_compared_as_members_are():
    # codes are compared in upper case everywhere: parties, who invoked, who defaulted
    data = {
        "id": "p", "name": "P", "kind": "defense-cooperation", "members": ["MYS", "SGP"],
        "assessed_on": "2025-01-01",
        "facts": {
            "agreements": [{"kind": "status-of-forces", "parties": ["mys", " sgp "]}],
            "commitment_defaults": [{"date": "2020-01-01", "member": "mys", "severity": "missed"}],
            "invocations": [{"date": "2019-01-01", "by": "sgp", "outcome": "honoured"}],
        },
    }  # fmt: skip
    p = Partnership.model_validate(data)
    assert p.facts.agreements[0].parties == ("MYS", "SGP")
    assert p.facts.commitment_defaults[0].member == "MYS"
    assert p.facts.invocations[0].by == "SGP"
    assert p.features()["agreement.status-of-forces.coverage"] == 1.0


EVERY_DATE = {
    "format_version": 3,
    "id": "pact",
    "name": "Pact",
    "kind": "bilateral-alliance",
    "members": [
        "USA",
        {"code": "GBR", "joined": "2001-01-01", "left": "2010-01-01"},
        {"code": "FRA", "suspended": [{"since": "2003-01-01", "until": "2004-01-01"}]},
    ],
    "status": [{"state": "active"}, {"state": "dormant", "since": "2012-05-05"}],
    "established": "2000-02-02",
    "assessed_on": "2025-06-30",
    "ratings": {
        "trust.commitment-record": {
            "level": 3,
            "evidence": [
                {"text": "a", "source": "b", "date": "2020-01-01"},
                {"text": "c", "source": "d"},
            ],
        },
        "trust.information-openness": {"level": 1},
    },
    "facts": {
        "agreements": [
            {"kind": "mutual-defense-treaty", "signed": "2000-01-01", "in_force": "2000-03-03"},
            {"kind": "status-of-forces", "signed": "2005-01-01", "ended": "2015-01-01"},
        ],
        "invocations": [{"date": "2011-09-12", "outcome": "honoured"}],
        "leadership_change_disruptions": [{"date": "2016-01-01", "effect": "reduced"}],
        "commitment_defaults": [{"date": "2017-01-01", "severity": "missed"}],
        "reviews": [{"date": "2018-01-01", "scheduled": True}],
        "threat_assessment": {"form": "joint-statement", "date": "2019-01-01"},
        "strategy": {"form": "vision", "adopted": "2021-01-01"},
    },
}


@pytest.mark.parametrize(
    "data",
    [EVERY_DATE, *(json.loads(f.read_text()) for f in sorted(EXAMPLES.glob("*.json")))],
)
def test_every_date_after_assessed_on_is_named_at_its_place(data):
    """The check against assessed_on reads every date the file gives, each at its place."""
    p = partnership_from_dict(data)
    places = [json_path(loc) for loc, day in p.dates() if day is not None]
    assert places  # every document here gives dates
    early = {**data, "assessed_on": "1800-01-01"}
    with pytest.raises(InputError) as err:
        partnership_from_dict(early)
    after = [q.path for q in err.value.problems if "is after assessed_on 1800-01-01" in q.message]
    assert sorted(after) == sorted(places)
    # ... and those are every date written in the file, but assessed_on itself
    days = [v for v in _texts(data) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)]
    assert len(after) == len(days) - ("assessed_on" in data)


def _texts(value: object) -> list[str]:
    """Every text value in a parsed JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []

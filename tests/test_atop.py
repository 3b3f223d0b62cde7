"""ATOP alliance-level CSV: partnerships, the feature table, one-call scoring, bad files.

tests/fixtures/atop-alliances.csv has eight alliances in the ATOP alliance-level layout.
Its ids and codes are illustrative (shaped like ATOP 5.1 rows, e.g. 3180 for a NATO-like
alliance), not a copy of the data set.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from readiness import InputError, RubricError, assess, load_rubric
from readiness.errors import SHOWN_PROBLEMS
from readiness.facts import FEATURES
from readiness.io.atop import COLUMNS, atop_facts_frame, read_atop, score_legal
from tests.factories import FIXTURES

CSV = FIXTURES / "atop-alliances.csv"
HEADER = CSV.read_text().splitlines()[0].split(",")
IDS = [f"atop-{i}" for i in (3180, 3205, 3240, 3285, 3300, 3335, 4025, 4310)]


def test_feature_table_has_one_row_per_alliance():
    frame = atop_facts_frame(CSV)
    assert list(frame.index) == IDS
    assert frame.index.name == "partnership"
    assert set(frame.columns) <= set(FEATURES)
    read = {f"atop.{field}" for col, (field, _) in COLUMNS.items() if col in HEADER}
    assert read <= set(frame.columns)  # every provision column of the file becomes a feature
    assert frame["atop.basing_kind"].dtype == "category"
    assert frame.loc["atop-3180", "atop.basing_kind"] == "joint-neutral-territory"
    assert frame["atop.defense"].dtype == "boolean"
    assert frame["atop.organisation"].dtype == "float64"
    assert frame.loc["atop-3180", "atop.defense"]
    assert frame.loc["atop-3180", "atop.organisation"] == 3.0
    assert not frame.loc["atop-3300", "atop.defense"]
    assert frame.loc["atop-3300", "atop.neutrality"]


def test_partnerships_from_the_file():
    ps = read_atop(CSV)
    assert [p.id for p in ps] == IDS
    nato = ps[0]
    assert nato.kind == "collective-defense-alliance"
    assert nato.members == ("ATOP-3180",)  # the fixture lists no members
    assert nato.established == date(1949, 4, 4)
    assert nato.ratings == {}
    assert nato.facts is not None and nato.facts.atop is not None
    assert nato.facts.atop.integrated_command is True
    assert nato.facts.agreements is None  # ATOP says nothing about other agreements
    assert ps[4].kind == "defense-cooperation"  # no defense pledge
    assert "ended 1960-01-19" in (ps[2].description or "")


def test_score_legal_in_one_call():
    scores = score_legal(CSV)
    assert list(scores.index) == IDS
    assert list(scores.columns) == [
        "legal.founding-agreement",
        "legal.status-of-forces",
        "legal.information-security-agreement",
        "legal.dispute-resolution",
        "legal.standing-institutions",
        "legal",
    ]
    nato = scores.loc["atop-3180"]
    assert nato["legal.founding-agreement"] == 3.0  # a defense pledge
    assert nato["legal.standing-institutions"] == 4.0  # organ1 3 and an integrated command
    assert math.isnan(nato["legal.status-of-forces"])  # base 1 is stationing, not legal status
    assert math.isnan(nato["legal.dispute-resolution"])  # no conwtin/medarb column
    assert nato["legal"] == pytest.approx((3 + 4) / 2 * 25)
    neutrality_pact = scores.loc["atop-3300"]
    assert neutrality_pact["legal.founding-agreement"] == 2.0  # consul only, form not coded
    assert neutrality_pact["legal.standing-institutions"] == 0.0
    assert neutrality_pact["legal"] == pytest.approx(2 / 2 * 25)
    assert scores.loc["atop-3335", "legal.founding-agreement"] == 2.0  # non-aggression only


def test_both_paths_agree():
    rubric = load_rubric()
    scores = score_legal(CSV, rubric)
    for p in read_atop(CSV):
        # ATOP scores count what ATOP codes: assess with unknowns left out agrees
        legal = assess(p, rubric, min_coverage=0, unknown_policy="exclude").pillar("legal")
        assert legal.score == pytest.approx(scores.loc[p.id, "legal"])


def test_other_pillars_and_unknown_pillars():
    interop = score_legal(CSV, pillar="interop")
    assert interop.loc["atop-3180", "interop.command-and-control"] == 4.0
    assert interop.loc["atop-3205", "interop.command-and-control"] == 2.0  # milcon 2
    assert math.isnan(interop.loc["atop-3300", "interop.command-and-control"])
    with pytest.raises(RubricError, match="has no pillar 'nope'"):
        score_legal(CSV, pillar="nope")


def test_blank_cells_are_unknown_and_extra_columns_ignored(tmp_path: Path):
    f = tmp_path / "a.csv"
    f.write_text("ATOPID,BEGYR,ENDYR,DEFENSE,ORGAN1,NOTES\n10,1990,0,,2,anything\n11,1991,.,1,.,\n")
    frame = atop_facts_frame(f)
    assert list(frame.columns) == ["atop.defense", "atop.organisation", "atop.years_in_force"]
    assert pd.isna(frame.loc["atop-10", "atop.defense"])
    assert math.isnan(frame.loc["atop-11", "atop.organisation"])
    ps = read_atop(f)
    assert ps[0].kind == "defense-cooperation"  # unknown pledge
    assert ps[0].facts is not None and ps[0].facts.atop is not None
    assert ps[0].facts.atop.defense is None


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "atop.csv"
    f.write_text(text)
    return f


HEAD = "atopid,begyr,endyr,defense,milcon,organ1\n"


@pytest.mark.parametrize(
    ("rows", "path", "message"),
    [
        ("3180,1949,,2,3,3\n", "line 2, column 'defense'", "must be 0 or 1 (got '2')"),
        ("3180,1949,,1,-1,3\n", "line 2, column 'milcon'", "must be a whole number 0-3 (got '-1')"),
        ("3180,1949,,1,4,3\n", "line 2, column 'milcon'", "must be a whole number 0-3 (got '4')"),
        ("3180,1949,,1,x,3\n", "line 2, column 'milcon'", "must be a whole number 0-3 (got 'x')"),
        (
            "3180,1949,,1,3,1.5\n",
            "line 2, column 'organ1'",
            "must be a whole number 0-3 (got '1.5')",
        ),
        (
            "3180,1949,,1,3,3\n,1950,,1,0,0\n",
            "line 3, column 'atopid'",
            "must be a positive whole number (the alliance id) (got '')",
        ),
        (
            "3180,1949,,1,3,3\n3180,1950,,1,0,0\n",
            "line 3, column 'atopid'",
            "duplicate atopid 3180 (first on line 2)",
        ),
        (
            "3180,1949,1940,1,3,3\n",
            "line 2, column 'endyr'",
            "ends (1940-01-01) before it begins (1949-01-01)",
        ),
        (
            f"3180,{date.today().year + 1},,1,3,3\n",
            "line 2, column 'begyr'",
            f"must be a year up to {date.today().year} (got '{date.today().year + 1}')",
        ),
    ],
)
def test_bad_cells_name_file_line_and_column(tmp_path, rows, path, message):
    f = write(tmp_path, HEAD + rows)
    with pytest.raises(InputError) as err:
        atop_facts_frame(f)
    assert err.value.source == str(f)
    assert [(p.path, p.message) for p in err.value.problems] == [(path, message)]
    with pytest.raises(InputError):
        read_atop(f)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("id,defense\n1,1\n", "line 1: missing column 'atopid' (the ATOP alliance id)"),
        ("atopid,begyr\n1,1990\n", "line 1: no ATOP provision columns (expected some of: "),
    ],
)
def test_bad_files(tmp_path, text, message):
    f = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        score_legal(f)
    assert str(err.value).startswith(f"{f}: {message}")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"file not found: .*nope\.csv"):
        read_atop(tmp_path / "nope.csv")


def test_the_problem_count_is_the_number_of_problems_reported(tmp_path):
    """21 rows with 3 bad cells each: 63 problems, counted and listed alike."""
    rows = "".join(f"{i},2,3,4\n" for i in range(1, 22))
    f = write(tmp_path, "atopid,defense,offense,neutral\n" + rows)
    with pytest.raises(InputError) as err:
        read_atop(f)
    assert len(err.value.problems) == 63
    lines = str(err.value).splitlines()
    assert lines[0] == f"{f}: 63 problems:"
    listed = [line for line in lines[1:] if line.startswith("  - line ")]
    assert len(listed) == SHOWN_PROBLEMS  # the message lists the first ones, then counts
    assert lines[-1].startswith(f"  ... and {63 - SHOWN_PROBLEMS} more")
    last = err.value.problems[-1]
    assert str(last) == "line 22, column 'neutral': must be 0 or 1 (got '4')"


def test_a_4x_alliance_file_reads_the_same_way(tmp_path: Path):
    """ATOP 4.01 alliance-level layout: a subset of the 5.1 columns, new4/rev4, members."""
    f = write(
        tmp_path,
        "atopid,begyr,begmo,begday,endyr,endmo,endday,pubsecr,secrart,defense,consul,"
        "organ1,orgpurp1,base,mem1,mem2,mem3,new4,rev4,version\n"
        "1335,1879,10,7,1918,11,3,2,8,1,0,0,0,0,255,300,,0,0,4.01\n"
        "3180,1949,4,4,0,0,0,0,0,1,1,3,1,3,2,20,200,0,1,4.01\n",
    )
    ps = read_atop(f)
    assert ps[0].members == ("DEU", "COW-300")
    assert ps[0].facts is not None and ps[0].facts.atop is not None
    assert ps[0].facts.atop.secret_content == 8 and ps[0].facts.atop.secret_provisions
    assert ps[0].facts.atop.ended == date(1918, 11, 3)
    assert ps[1].members == ("USA", "CAN", "GBR")
    scores = score_legal(f)
    assert scores.loc["atop-3180", "legal.standing-institutions"] == 4.0
    assert math.isnan(scores.loc["atop-3180", "legal.status-of-forces"])  # ATOP codes no SOFA


@pytest.mark.parametrize(("pubsecr", "secrart"), [("0", "3"), ("2", "5"), ("1", "8")])
def test_secrart_must_fit_pubsecr(tmp_path: Path, pubsecr: str, secrart: str):
    f = write(tmp_path, f"atopid,pubsecr,secrart,defense\n1,{pubsecr},{secrart},1\n")
    with pytest.raises(InputError) as err:
        read_atop(f)
    [problem] = err.value.problems
    assert problem.path == "line 2, column 'secrart'"
    assert "codebook Q7" in problem.message


def test_secrart_is_a_code_0_to_8(tmp_path: Path):
    f = write(tmp_path, "atopid,pubsecr,secrart,defense\n1,1,7,1\n2,1,9,1\n")
    with pytest.raises(InputError) as err:
        read_atop(f)
    assert [str(p) for p in err.value.problems] == [
        "line 3, column 'secrart': must be a whole number 0-8 (got '9')"
    ]


def test_bad_member_and_inst_cells_are_named(tmp_path: Path):
    from readiness.io.atop import atop_panel, read_atop_members

    members = tmp_path / "m.csv"
    members.write_text(
        "atopid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase,defense\n"
        "1,2,1990,2,30,0,0,0,0,1\n1,x,1990,1,1,1980,1,1,0,1\n"
    )
    with pytest.raises(InputError) as err:
        read_atop_members(members)
    assert [str(p) for p in err.value.problems] == [
        "line 3, column 'member': must be a positive whole number (a COW state code) (got 'x')",
        "line 2, column 'dayent': is not a calendar date",
        "line 3, column 'yrexit': exits (1980-01-01) before it enters (1990-01-01)",
    ]
    good = tmp_path / "m2.csv"
    good.write_text(
        "atopid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase,defense,organ1\n"
        "1,2,1990,1,1,0,0,0,1,1,1\n1,20,1990,1,1,1994,6,1,1,1,1\n1,2,1995,1,1,0,0,0,2,1,3\n"
    )
    inst = tmp_path / "i.csv"
    inst.write_text("atopid,atopidphase,milinst,formal\n1,1.1,0,1\n1,1.2,3,1\n")
    with pytest.raises(InputError, match=r"line 3, column 'milinst': must be a whole number 0-2"):
        atop_panel(good, inst=inst, last_year=1996)
    inst.write_text("atopid,atopidphase,milinst,formal\n1,1.1,0,1\n1,1.2,2,1\n")
    panel = atop_panel(good, inst=inst, last_year=1996)
    assert list(panel.index.get_level_values("year")) == [1990, 1991, 1992, 1993, 1994, 1995, 1996]
    assert list(panel["members"]) == [2, 2, 2, 2, 2, 1, 1]
    assert list(panel["phase"]) == [1, 1, 1, 1, 1, 2, 2]
    assert list(panel["legal.standing-institutions"]) == [1, 1, 1, 1, 1, 3, 3]

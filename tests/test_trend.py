"""A partnership over time (issue 25, parts 1 and 3): ``trend``, ``as_of`` and
``readiness trend``.

The fixture ``tests/fixtures/history`` holds one file whose members, status, agreements,
events and evidence carry dates (``full.json``, assessed 2024-06-30) and three files
written by hand as an analyst would have written them on 2010-01-01, 2016-01-01 and
2022-06-30. Reading ``full.json`` as of those dates must give the same partnerships,
hence the same history.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

import readiness as rd
from readiness.errors import InputError
from tests.cli_harness import assert_clean_error, cli
from tests.factories import EXAMPLES, FIXTURES

HISTORY = FIXTURES / "history"
FULL = HISTORY / "full.json"
DAYS = ("2010-01-01", "2016-01-01", "2022-06-30")
DATED = [HISTORY / f"{d}.json" for d in DAYS]


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _dated() -> list[rd.Assessment]:
    return [rd.assess(rd.load_partnership(f)) for f in [*DATED, FULL]]


def _from_one_file() -> list[rd.Assessment]:
    full = rd.load_partnership(FULL)
    return [rd.assess(rd.as_of(full, _day(d))) for d in DAYS] + [rd.assess(full)]


# --- trend -------------------------------------------------------------------------


def test_a_trend_lines_dated_assessments_up_by_date():
    found = _dated()
    t = rd.trend(reversed(found))  # order given does not matter
    assert [p.date.isoformat() for p in t.points] == [*DAYS, "2024-06-30"]
    assert t.partnerships == ("tri-pact",)
    for point, a in zip(t.points, found, strict=True):
        assert point.overall == a.overall
        assert point.band == (a.band.name if a.band else None)
        assert (point.lower, point.upper, point.coverage) == (a.lower, a.upper, a.coverage)
        assert point.pillars == tuple(p.score for p in a.pillars)


def test_the_frame_has_a_row_per_date_and_a_column_per_pillar():
    found = _dated()
    frame = rd.trend(found).to_frame()
    pillars = [p.id for p in found[0].rubric.pillars]
    assert list(frame.columns) == ["overall", "band", "lower", "upper", "coverage", *pillars]
    assert list(frame.index) == [("tri-pact", _day(d)) for d in [*DAYS, "2024-06-30"]]
    assert math.isnan(frame.loc[("tri-pact", _day("2010-01-01")), "overall"])  # too little known
    last = frame.loc[("tri-pact", _day("2024-06-30"))]
    assert last["overall"] == found[-1].overall
    assert last["legal"] == found[-1].pillar("legal").score


def test_a_band_change_names_the_criteria_whose_level_or_origin_changed():
    found = _dated()
    t = rd.trend(found)
    assert [(b.start, b.end, b.old, b.new) for b in t.band_changes] == [
        (_day("2016-01-01"), _day("2022-06-30"), None, "Functional")
    ]
    old, new = found[1], found[2]

    def state(a: rd.Assessment, cid: str) -> tuple[object, object]:
        c = a.criterion(cid)
        return (c.level, c.origin) if c.level is not None else (c.state, None)

    changed = {c.id for c in new.criteria if state(old, c.id) != state(new, c.id)}
    causes = {c.criterion: c for c in t.band_changes[0].causes}
    assert set(causes) == changed and changed
    threat = causes["objectives.shared-threat-assessment"]  # the 2018 joint assessment
    assert (threat.old, threat.new, threat.old_origin, threat.new_origin) == (
        "unknown",
        3,
        None,
        "derived",
    )
    liaison = causes["culture.language-and-liaison"]  # rated on 2022-01-15 evidence
    assert (liaison.new, liaison.new_origin) == (4, "overridden")
    assert liaison.old_origin == "derived"


def test_a_steady_partnership_has_no_band_change():
    nato = rd.load_partnership(EXAMPLES / "nato.json")
    t = rd.trend(rd.assess(rd.as_of(nato, _day(d))) for d in ("2010-01-01", "2024-01-01"))
    assert t.band_changes == ()
    assert "The band held over all 2 dates." in t.to_text()


def test_several_partnerships_are_grouped_first_seen_first():
    nato = rd.load_partnership(EXAMPLES / "nato.json")
    items = [rd.assess(rd.as_of(nato, _day("2000-01-01"))), *_dated(), rd.assess(nato)]
    t = rd.trend(items)
    assert t.partnerships == ("nato", "tri-pact")
    assert [p.partnership for p in t.points] == ["nato", "nato"] + ["tri-pact"] * 4
    doc = t.to_document()
    assert doc.title == "Trends of 2 partnerships"


def test_the_document_shows_the_table_the_changes_and_a_chart():
    t = rd.trend(_dated())
    md = t.to_markdown()
    assert "| 2022-06-30 |" in md and "Functional" in md
    assert "## Band changes" in md or "Band changes" in md
    assert "`objectives.shared-threat-assessment`" in md
    html = t.to_html()
    assert "<svg" in html or "<img" in html  # the chart
    data = json.loads(t.to_json())
    assert data == json.loads(json.dumps(t.to_dict()))
    assert [p["date"] for p in data["points"]] == [*DAYS, "2024-06-30"]
    assert data["band_changes"][0]["new"] == "Functional"


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        ([], "nothing to follow"),
        (["not an assessment"], "not an Assessment"),
    ],
)
def test_a_trend_refuses_what_it_cannot_follow(items, fragment):
    with pytest.raises(InputError, match=fragment):
        rd.trend(items)


def test_a_trend_needs_dates_one_per_day_and_one_rubric():
    a = rd.assess(rd.load_partnership(DATED[0]))
    undated = rd.assess(a.partnership.model_copy(update={"assessed_on": None}))
    with pytest.raises(InputError, match=r"\[0\]: tri-pact has no assessed_on date"):
        rd.trend([undated])
    with pytest.raises(InputError, match=r"\[1\]: tri-pact on 2010-01-01 is given twice"):
        rd.trend([a, a])
    other = rd.load_rubric("defense-partnership")
    moved = other.model_copy(update={"version": "0.0.1"})
    with pytest.raises(InputError, match=r"rubric defense-partnership@0\.0\.1"):
        rd.trend([a, rd.assess(rd.load_partnership(FULL), moved)])


# --- as_of ---------------------------------------------------------------------------


def test_as_of_leaves_out_what_was_dated_later():
    p = rd.as_of(rd.load_partnership(FULL), _day("2016-01-01"))
    assert p.assessed_on == _day("2016-01-01")
    assert p.member_codes == ("USA", "GBR", "NZL", "CAN", "AUS")  # all joined by then
    nzl, can = p.members[2], p.members[3]
    assert nzl.left is None  # left in 2019
    assert [(s.since, s.until) for s in can.suspended] == [(_day("2015-01-01"), None)]
    assert [s.state for s in p.status] == ["active", "dormant", "active"]
    f = p.facts
    assert [a.kind for a in f.agreements] == ["mutual-defense-treaty", "access", "status-of-forces"]
    assert f.agreements[1].ended is None  # ended 2016-12-31
    assert f.invocations == () and [r.date for r in f.reviews] == [_day("2011-05-01")]
    assert f.threat_assessment is None and f.strategy is None
    assert f.exercises_per_year == 6  # undated counts are kept
    record = p.ratings["trust.commitment-record"]
    assert [e.date for e in record.evidence] == [_day("2008-06-01")]
    assert "culture.language-and-liaison" not in p.ratings  # all its evidence is later
    assert p.ratings["technology.joint-programmes"].level == 2  # undated judgement kept


def test_as_of_drops_members_not_yet_joined_and_their_facts():
    p = rd.as_of(rd.load_partnership(FULL), _day("2010-01-01"))
    assert p.member_codes == ("USA", "GBR", "NZL", "CAN")
    assert set(p.facts.defense_spending_gdp) == {"USA", "GBR", "NZL", "CAN"}
    assert [s.state for s in p.status] == ["active", "dormant"]
    assert p.members_on() == ("USA", "GBR", "NZL", "CAN")


def test_as_of_its_own_date_changes_nothing():
    full = rd.load_partnership(FULL)
    assert rd.as_of(full, full.assessed_on) == full


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        ("2000-01-01", "$.established: 2005-03-01 is after 2000-01-01"),
        ("2025-01-01", "$.assessed_on: assessed on 2024-06-30; cannot be read as of 2025-01-01"),
    ],
)
def test_as_of_refuses_a_day_outside_the_file(day, fragment):
    with pytest.raises(InputError) as caught:
        rd.as_of(rd.load_partnership(FULL), _day(day))
    assert fragment in str(caught.value)
    assert caught.value.source == f"tri-pact as of {day}"


def test_as_of_a_day_with_one_member_is_a_clear_error():
    data = json.loads(FULL.read_text())
    data["members"] = ["USA", {"code": "GBR", "joined": "2010-01-01"}]
    data["facts"]["defense_spending_gdp"] = {"USA": 3.4}
    data["facts"]["invocations"] = []
    p = rd.Partnership.model_validate(data)
    with pytest.raises(InputError, match="at least two members") as caught:
        rd.as_of(p, _day("2009-01-01"))
    assert caught.value.source == "tri-pact as of 2009-01-01"


# --- one file as of dates equals the dated files -------------------------------------


def test_one_file_as_of_the_dates_equals_the_dated_files():
    full = rd.load_partnership(FULL)
    for d, path in zip(DAYS, DATED, strict=True):
        assert rd.as_of(full, _day(d)) == rd.load_partnership(path), d
    by_files, by_dates = rd.trend(_dated()), rd.trend(_from_one_file())
    assert by_files.to_dict() == by_dates.to_dict()
    assert by_files.to_frame().equals(by_dates.to_frame())
    assert by_files.to_markdown() == by_dates.to_markdown()


def test_the_command_gives_the_same_history_either_way():
    files = cli("trend", *DATED, FULL, "--format", "json")
    dates = cli("trend", FULL, *(x for d in DAYS for x in ("--as-of", d)), "--format", "json")
    assert files.returncode == dates.returncode == 0, files.stderr + dates.stderr
    assert files.stdout == dates.stdout
    assert json.loads(files.stdout)["band_changes"]


# --- the command ---------------------------------------------------------------------


def test_the_command_prints_a_table_by_default():
    r = cli("trend", HISTORY)  # a directory: every *.json inside
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Trend of Trilateral Pact (test fixture)")
    for d in [*DAYS, "2024-06-30"]:
        assert d in r.stdout
    assert "Band changes" in r.stdout and "no band → Functional" in r.stdout


def test_the_command_writes_markdown_and_json():
    md = cli("trend", *DATED, "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Trend of Trilateral Pact") and "| date |" in md.stdout
    js = cli("trend", *DATED, "--format", "json")
    assert js.returncode == 0, js.stderr
    assert [p["date"] for p in json.loads(js.stdout)["points"]] == list(DAYS)


def test_the_command_writes_a_page_and_other_formats_to_a_file(tmp_path: Path):
    page = tmp_path / "trend.html"
    r = cli("trend", HISTORY, "-o", page)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"wrote {page}\n"
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<title>Trend of Trilateral Pact" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    out = tmp_path / "trend.json"
    assert cli("trend", HISTORY, "-o", out).returncode == 0  # format from the extension
    assert json.loads(out.read_text())["pillars"][0] == "trust"
    md = tmp_path / "trend.txt"
    assert cli("trend", HISTORY, "--format", "markdown", "-o", md).returncode == 0
    assert md.read_text().startswith("# Trend of")


def test_a_page_needs_a_file():
    r = cli("trend", HISTORY, "--format", "html")
    assert_clean_error(r, "--format html writes a page: give -o FILE")
    assert r.stdout == ""


def test_json_lines_hold_one_dated_partnership_a_line(tmp_path: Path):
    lines = tmp_path / "history.jsonl"
    docs = [json.dumps(json.loads(f.read_text())) for f in DATED]
    lines.write_text("\n".join([docs[0], "", docs[1], docs[2]]) + "\n")
    r = cli("trend", lines, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == json.loads(cli("trend", *DATED, "--format", "json").stdout)


def test_a_bad_line_is_named_and_left_out(tmp_path: Path):
    lines = tmp_path / "history.jsonl"
    docs = [json.dumps(json.loads(f.read_text())) for f in DATED[:2]]
    lines.write_text("\n".join([docs[0], '{"id": "tri-pact"', docs[1]]) + "\n")
    r = cli("trend", lines, "--format", "json")
    assert_clean_error(r, f"{lines}:2")
    assert [p["date"] for p in json.loads(r.stdout)["points"]] == list(DAYS[:2])


def test_a_bad_file_is_named_and_the_others_shown(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "tri-pact", "members": 3}')
    r = cli("trend", *DATED, bad)
    assert_clean_error(r, str(bad), "$.members")
    assert "2016-01-01" in r.stdout


def test_a_missing_file_alone_is_an_error_and_nothing_is_shown(tmp_path: Path):
    r = cli("trend", tmp_path / "nope.json")
    assert_clean_error(r, "nope.json", "file not found")
    assert r.stdout == ""


def test_a_trend_follows_one_partnership():
    r = cli("trend", *DATED, EXAMPLES / "nato.json")
    assert_clean_error(r, "nato.json", "partnership 'nato', not 'tri-pact'")
    assert "North Atlantic" not in r.stdout and "2022-06-30" in r.stdout


def test_one_date_twice_is_named():
    r = cli("trend", DATED[0], DATED[0], DATED[1])
    assert_clean_error(r, "tri-pact on 2010-01-01 is given twice")
    assert r.stdout.count("2010-01-01") == 1


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        ("2000-01-01", "full.json as of 2000-01-01: $.established"),
        ("2030-01-01", "full.json as of 2030-01-01: $.assessed_on"),
    ],
)
def test_a_date_outside_the_file_is_named(day, fragment):
    assert_clean_error(cli("trend", FULL, "--as-of", day), fragment)


def test_a_malformed_date_is_a_usage_error():
    r = cli("trend", FULL, "--as-of", "2010-13-01")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "not a date YYYY-MM-DD: '2010-13-01'" in r.stderr


def test_the_help_shows_the_options():
    r = cli("trend", "--help")
    assert r.returncode == 0
    for option in ("--as-of", "--format", "-o", "JSON Lines", "--atop", "--alliance"):
        assert option in r.stdout

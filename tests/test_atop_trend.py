"""ATOP alliances over time (issue 25, part 2) on the real ATOP 5.1 files.

The counts by decade, members joining and leaving, and the alliances that deepened or
hollowed out are recomputed here the slow way, alliance by alliance from the files, and
must match. Skipped without the files, except in CI (see tests/test_atop_real.py).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from readiness.errors import InputError
from readiness.io.atop import read_atop_members, score_atop
from readiness.io.atop_trend import AtopTrend, atop_trend
from tests.cli_harness import assert_clean_error, cli
from tests.test_atop_real import ALLIANCES, DATA, INST, MEMBERS
from tests.test_atop_real import _files_present as _files_present

LAST = 2018


@pytest.fixture(scope="module")
def trends() -> AtopTrend:
    return atop_trend(MEMBERS, inst=INST)


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    return read_atop_members(MEMBERS)


def _years(rows: pd.DataFrame) -> dict[int, dict[int, set[int]]]:
    """cow -> year -> phases in effect, for one alliance's member rows."""
    out: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for r in rows.itertuples():
        stop = LAST if pd.isna(r.exited) else min(r.exited.year, LAST)
        for y in range(r.entered.year, stop + 1):
            out[r.cow][y].add(r.phase)
    return out


Moves = set[tuple[str, int, str, str]]


def _level(measure: dict, atopid: int, phases: set[int], k: int) -> float:
    """milinst (k=0) or formal (k=1) of a year: the highest known over its phases."""
    known = [measure[(atopid, p)][k] for p in phases if (atopid, p) in measure]
    known = [v for v in known if not math.isnan(v)]
    return max(known) if known else math.nan


def _reference(members: pd.DataFrame) -> tuple[dict[int, dict[str, int]], Moves]:
    """The decades and the membership changes, alliance by alliance (slow and plain)."""
    inst = pd.read_csv(INST)
    inst["phase"] = ((inst["atopidphase"] - inst["atopid"]) * 10).round().astype(int)
    measure = {(int(r.atopid), int(r.phase)): (r.milinst, r.formal) for r in inst.itertuples()}
    decades: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    moves: Moves = set()
    codes = dict(zip(members["cow"], members["member"], strict=False))
    for atopid, rows in members.groupby("atopid"):
        by_member = _years(rows)
        phases: dict[int, set[int]] = defaultdict(set)
        for years in by_member.values():
            for y, ps in years.items():
                phases[y] |= ps
        alive = sorted(phases)
        pid = f"atop-{atopid}"
        for cow, years in by_member.items():
            for y in years:
                if y - 1 not in years and y - 1 in phases:
                    moves.add((pid, y, codes[cow], "joined"))
                if y + 1 not in years and y + 1 in phases:
                    moves.add((pid, y, codes[cow], "left"))

        decades[alive[0] // 10 * 10]["formed"] += 1
        if alive[-1] < LAST:
            decades[alive[-1] // 10 * 10]["ended"] += 1
        for d in sorted({y // 10 * 10 for y in alive}):
            inside = [y for y in alive if d <= y < d + 10]
            start = inside[0] - 1 if inside[0] - 1 in phases else inside[0]
            end = inside[-1]
            changes = [
                (_level(measure, atopid, phases[start], k), _level(measure, atopid, phases[end], k))
                for k in (0, 1)
            ]
            decades[d]["alliances"] += 1
            if any(math.isnan(a) or math.isnan(b) for a, b in changes):
                continue
            up = any(b > a for a, b in changes)
            down = any(b < a for a, b in changes)
            decades[d]["deepened"] += up and not down
            decades[d]["hollowed_out"] += down and not up
    for _, year, _, change in moves:
        decades[year // 10 * 10][change] += 1
    return decades, moves


def test_decades_and_membership_changes_match_a_plain_recount(trends, members):
    decades, moves = _reference(members)
    got = {int(d): {k: int(v) for k, v in row.items() if v} for d, row in trends.decades.iterrows()}
    assert got == {d: {k: v for k, v in row.items() if v} for d, row in decades.items()}
    found = set(
        zip(trends.changes["partnership"], trends.changes["year"], trends.changes["member"],
            trends.changes["change"], strict=True)
    )  # fmt: skip
    assert found == moves
    assert len(trends.changes) == len(moves)  # one row each


def test_every_alliance_is_followed_and_formed_once(trends, members):
    ids = set(members["atopid"])
    assert trends.decades["formed"].sum() == len(ids) == 789
    assert trends.to_dict()["alliances"] == 789
    assert trends.decades["deepened"].sum() > 0 and trends.decades["hollowed_out"].sum() > 0


def test_the_last_year_scores_as_the_alliance_level_file(trends):
    # an alliance of one phase in effect at the end of the data scores in 2018 as
    # score_atop scores it from the alliance-level file
    scores = score_atop(ALLIANCES, inst=INST)
    last = trends.years.xs(LAST, level="year")
    phases = trends.years.groupby(level="partnership")["phase"].max().reindex(last.index)
    one = last[phases == 0]
    assert len(one) > 300
    pd.testing.assert_series_equal(one["overall"], scores.loc[one.index, "overall"])
    pd.testing.assert_series_equal(one["legal"], scores.loc[one.index, "legal"])


def test_nato_joins_and_leaves(trends):
    nato = trends.of(3180)
    frame = nato.to_frame()
    years = frame.index.get_level_values("year")
    assert years.min() == 1949 and years.max() == LAST
    assert frame.loc[("atop-3180", 1949), "members"] == 12
    data = nato.to_dict()
    joined = {y["year"]: y["joined"] for y in data["years"] if y["joined"]}
    assert set(joined[2003]) == {"BGR", "EST", "LVA", "LTU", "ROU", "SVK", "SVN"}
    assert set(joined[1997]) == {"CZE", "HUN", "POL"}
    assert joined[2016] == ["MNE"]
    assert data["alliance"] == "atop-3180"
    assert trends.of("atop-3180").alliance == trends.of("3180").alliance == "atop-3180"


def test_one_alliance_has_a_table_of_its_changes_and_a_chart(trends):
    nato = trends.of(3180)
    md = nato.to_markdown()
    assert md.startswith("# ATOP alliance 3180 over time")
    assert "| 2016 |" in md and "MNE" in md
    assert "| 1960 |" not in md  # nothing changed that year
    assert "<svg" in nato.to_html()


def test_the_summary_defines_its_words(trends):
    text = trends.to_text()
    assert text.startswith("ATOP alliances over time, 1815-2018")
    assert "milinst" in text and "section 2.34" in text
    assert "1990s" in text


def test_an_unknown_alliance_is_a_clear_error(trends):
    with pytest.raises(InputError, match="no ATOP alliance '99999'"):
        trends.of("99999")


def test_without_the_institutionalisation_file_nothing_deepens():
    t = atop_trend(MEMBERS)
    assert t.decades["deepened"].sum() == t.decades["hollowed_out"].sum() == 0
    assert t.years["milinst"].isna().all()


# --- the command ---------------------------------------------------------------------


def test_the_command_summarises_every_alliance():
    r = cli("trend", "--atop", DATA)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ATOP alliances over time, 1815-2018")
    assert "hollowed out" in r.stdout


def test_the_command_shows_one_alliance_in_json_and_as_a_page(tmp_path: Path):
    r = cli("trend", "--atop", DATA, "--alliance", "3180", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["alliance"] == "atop-3180" and data["years"][0]["year"] == 1949
    page = tmp_path / "nato.html"
    w = cli("trend", "--atop", DATA, "--alliance", "atop-3180", "-o", page)
    assert w.returncode == 0, w.stderr
    assert w.stdout == f"wrote {page}\n"
    assert "<svg" in page.read_text()


def test_the_command_names_what_is_wrong(tmp_path: Path):
    assert_clean_error(cli("trend", "--atop", tmp_path), str(tmp_path), "atop5_1m.csv")
    assert_clean_error(cli("trend", "--atop", DATA, "--alliance", "12"), "no ATOP alliance '12'")
    assert_clean_error(
        cli("trend", "--atop", DATA, "x.json"), "--atop reads the ATOP files: give no FILE"
    )
    assert_clean_error(cli("trend", "--alliance", "3180"), "--alliance goes with --atop DIR")
    assert_clean_error(cli("trend"), "give partnership FILEs (or --atop DIR)")

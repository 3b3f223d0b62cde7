"""diff_rubrics(): what changed between two rubrics, and how it moved each score.

The decomposition must add up to the score's change exactly (in the core's unit,
1e-9 point), for any mix of changes; its two ends must be the two rubrics' own scores;
and each share must be the Shapley value (checked against the average over every
order, computed independently).
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import readiness
from readiness import InputError, Partnership, assess, diff_rubrics, load_rubric
from readiness.diff import SCORED, RubricDiff, hybrid, shapley
from tests.cli_harness import assert_clean_error, cli
from tests.factories import EXAMPLES, ROOT, rubric_dict

CURRENT = load_rubric()
OLD = load_rubric(version="1.1.0")


def _examples() -> list[Partnership]:
    return [readiness.load_partnership(f) for f in sorted(EXAMPLES.glob("*.json"))]


@pytest.fixture(scope="module")
def real() -> RubricDiff:
    return diff_rubrics(OLD, CURRENT, _examples())


def nano(x: float) -> int:
    return round(x * 10**9)


# --- the decomposition adds up ------------------------------------------------------------

PILLARS = [("p0", ["p0.c0", "p0.c1", "p0.c2"]), ("p1", ["p1.c0", "p1.c1"])]
CRITERIA = [c for _, cs in PILLARS for c in cs]
LEVELS = st.sampled_from([None, 0, 1, 2, 3, 4])


@st.composite
def rubric_pair(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A small rubric and a changed one: weights, gates, bands and settings moved at random."""

    def doc() -> dict[str, Any]:
        pillars = [
            (pid, draw(st.sampled_from([1.0, 2.0, 3.5])), "arithmetic",
             [(c, draw(st.sampled_from([0.5, 1.0, 2.0, 4.0]))) for c in cs])
            for pid, cs in PILLARS
        ]  # fmt: skip
        gates = {
            c: (draw(st.integers(1, 4)), draw(st.sampled_from(["low", "mid"])))
            for c in CRITERIA
            if draw(st.integers(0, 3)) == 0
        }
        d = rubric_dict(
            pillars,
            aggregation=draw(st.sampled_from(["arithmetic", "geometric", "minimum"])),
            unknown_policy=draw(st.sampled_from(["exclude", "worst"])),
            gates=gates,
        )
        d["bands"] = copy.deepcopy(d["bands"])
        d["bands"][1]["min"] = draw(st.sampled_from([30, 40, 45]))
        return d

    a = doc()
    b = copy.deepcopy(a)
    fresh = doc()  # b takes some of each kind of change from another random rubric
    for i, p in enumerate(b["pillars"]):
        if draw(st.booleans()):
            p["weight"] = fresh["pillars"][i]["weight"]
        for j, c in enumerate(p["criteria"]):
            other = fresh["pillars"][i]["criteria"][j]
            if draw(st.booleans()):
                c["weight"] = other["weight"]
            if draw(st.booleans()):
                c.pop("critical", None)
                if "critical" in other:
                    c["critical"] = other["critical"]
    for key in ("bands", "aggregation", "unknown_policy"):
        if draw(st.booleans()):
            b[key] = fresh[key]
    b["version"] = "2.0.0"
    return a, b


def _partnership(levels: dict[str, int | None]) -> Partnership:
    return Partnership(
        id="p",
        name="P",
        kind="bilateral-alliance",
        members=("AAA", "BBB"),
        ratings={c: {"level": "unknown" if v is None else v}
                 for c, v in levels.items()},
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(pair=rubric_pair(), levels=st.fixed_dictionaries(dict.fromkeys(CRITERIA, LEVELS)))
def test_the_shares_add_up_to_the_change_exactly(pair, levels):
    da, db = pair
    a, b = readiness.rubric.rubric_from_dict(da), readiness.rubric.rubric_from_dict(db)
    p = _partnership(levels)
    d = diff_rubrics(a, b, [p])
    (move,) = d.moves
    old, new = assess(p, a).overall, assess(p, b).overall
    assert (move.old, move.new) == (old, new)
    if move.reason is not None:
        assert move.reason == "no-score-between" or old is None or new is None
        return
    assert sum(c.nanopoints for c in move.contributions) == move.nanopoints
    assert move.nanopoints == nano(new) - nano(old)  # type: ignore[operator]
    changed = {c.group for c in d.changes}
    assert {c.group for c in move.contributions} == changed & set(SCORED)
    if len(move.contributions) == 1:  # one kind of change: it moved the whole score
        assert move.contributions[0].nanopoints == move.nanopoints


@settings(max_examples=40, deadline=None)
@given(pair=rubric_pair(), levels=st.fixed_dictionaries(dict.fromkeys(CRITERIA, LEVELS)))
def test_the_hybrids_of_no_change_and_every_change_are_the_two_rubrics(pair, levels):
    da, db = pair
    a, b = readiness.rubric.rubric_from_dict(da), readiness.rubric.rubric_from_dict(db)
    p = _partnership(levels)
    none = hybrid(a.model_dump(), b.model_dump(), frozenset())
    every = hybrid(a.model_dump(), b.model_dump(), frozenset(SCORED))
    for mixed, end in ((none, a), (every, b)):
        got, want = assess(p, mixed), assess(p, end)
        assert (got.overall, got.band, got.lower, got.upper) == (
            want.overall,
            want.band,
            want.lower,
            want.upper,
        )


GAMES = st.integers(1, 5).flatmap(
    lambda k: st.lists(st.integers(-(10**12), 10**12), min_size=2**k, max_size=2**k).map(
        lambda vs: (k, vs)
    )
)


@given(game=GAMES)
def test_shapley_is_the_average_over_every_order_rounded_to_whole_units(game):
    k, vs = game
    players = SCORED[:k]
    subsets = [frozenset(s) for n in range(k + 1) for s in itertools.combinations(players, n)]
    values = dict(zip(subsets, vs, strict=False))
    shares = shapley(players, values)
    exact = {g: Fraction(0) for g in players}
    orders = list(itertools.permutations(players))
    for order in orders:  # the definition: marginal effect in each order, averaged
        seen: frozenset[Any] = frozenset()
        for g in order:
            exact[g] += Fraction(values[seen | {g}] - values[seen], len(orders))
            seen = seen | {g}
    assert sum(shares.values()) == values[frozenset(players)] - values[frozenset()]
    for g in players:
        assert abs(shares[g] - exact[g]) < 1


# --- the real versions ----------------------------------------------------------------------


def test_real_moves_are_the_two_versions_scores_and_add_up(real):
    assert [m.id for m in real.moves] == [p.id for p in _examples()]
    for p, m in zip(_examples(), real.moves, strict=True):
        assert m.old == assess(p, OLD).overall and m.new == assess(p, CURRENT).overall
        assert m.reason is None
        assert sum(c.nanopoints for c in m.contributions) == m.nanopoints
        assert math.isclose(sum(c.points for c in m.contributions), m.delta, abs_tol=1e-8)


def test_real_changes_from_1_1_0_are_rules_and_the_estimate(real):
    groups = {c.group for c in real.changes}
    assert {"derive", "scoring", "profiles"} <= groups
    assert not {"criteria", "weights"} & groups  # 1.1.0 and 1.3.0 weigh the same criteria
    policy = next(c for c in real.changes if c.id == "unknown_policy")
    assert (policy.old, policy.new) == ("exclude", "estimate")
    added = {c.id for c in real.changes if c.what == "profile-added"}
    assert "wind-down" in added
    fpda = next(m for m in real.moves if m.id == "fpda")
    assert fpda.delta is not None and fpda.delta < 0
    assert ("burden.equitable-contributions", 3, 0) in {(x.id, x.old, x.new) for x in fpda.levels}
    share = {c.group: c.points for c in fpda.contributions}
    assert share["derive"] < 0  # the new rules lower it; the estimate settings do the rest


def test_the_same_rubric_changes_nothing():
    d = diff_rubrics(CURRENT, CURRENT, _examples()[:2])
    assert d.changes == ()
    assert all(m.delta == 0 and m.contributions == () and m.nanopoints == 0 for m in d.moves)
    assert "nothing that a score" in d.to_text()


def test_frames_and_the_dict(real):
    frame = real.to_frame()
    assert list(frame.index) == [m.id for m in real.moves]
    assert frame.loc["fpda", "delta"] == pytest.approx(frame.loc["fpda", list(SCORED)].sum())
    assert list(real.changes_frame().columns) == ["group", "what", "id", "old", "new"]
    data = json.loads(json.dumps(real.to_dict()))
    assert data["a"] == {"id": "defense-partnership", "version": "1.1.0"}
    assert data["method"] == "shapley"
    for m in data["moves"]:
        assert sum(c["nanopoints"] for c in m["contributions"]) == m["nanopoints"]


def test_the_document_in_every_format(real):
    md = real.to_markdown()
    assert md.startswith("# Rubric defense-partnership 1.1.0 → 1.3.0")
    assert "## How the scores moved" in md and "Shapley" in md
    assert "`fpda`" in md
    text = real.to_text()
    assert "Derive rules (facts to levels)" in text and "|" not in text.splitlines()[0]
    html = real.to_html()
    assert "readiness-rubric-diff" in html and "<table" in html
    assert json.loads(real.to_json())["b"]["version"] == CURRENT.version


def test_wrong_arguments_are_named():
    with pytest.raises(InputError, match="a must be a Rubric"):
        diff_rubrics("1.1.0", CURRENT)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"partnerships\[0\]: not a Partnership"):
        diff_rubrics(OLD, CURRENT, ["nato.json"])  # type: ignore[list-item]


# --- the command ----------------------------------------------------------------------------


def test_cli_lists_changes_without_files():
    r = cli("diff", "1.1.0", "1.3.0")
    assert r.returncode == 0, r.stderr
    assert "Rubric defense-partnership 1.1.0 → 1.3.0" in r.stdout
    assert "unknown_policy: exclude → estimate" in r.stdout
    assert "How the scores moved" not in r.stdout


def test_cli_formats():
    files = [EXAMPLES / "fpda.json", EXAMPLES / "nato.json"]
    table = cli("diff", "1.1.0", "defense-partnership", *files)
    assert table.returncode == 0, table.stderr
    assert "fpda" in table.stdout and "derive" in table.stdout
    md = cli("diff", "defense-partnership@1.1.0", "1.3.0", *files, "--format", "markdown")
    assert md.returncode == 0 and md.stdout.startswith("# Rubric")
    js = cli("diff", "1.1.0", "1.3.0", *files, "--format", "json")
    data = json.loads(js.stdout)
    assert [m["id"] for m in data["moves"]] == ["fpda", "nato"]
    html = cli("diff", "1.1.0", "1.3.0", *files, "--format", "html")
    assert html.stdout.startswith("<!DOCTYPE html>") and "</html>" in html.stdout


def test_cli_writes_a_file_in_the_format_of_its_extension(tmp_path):
    out = tmp_path / "diff.json"
    r = cli("diff", "1.2.0", "1.3.0", EXAMPLES / "quad.json", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote {out}"
    assert json.loads(out.read_text())["a"]["version"] == "1.2.0"


def test_cli_errors_are_clean(tmp_path):
    assert_clean_error(cli("diff", "0.9.0", "1.3.0"), "no version '0.9.0'", "1.1.0, 1.2.0")
    assert_clean_error(cli("diff", "1.1.0", str(tmp_path / "missing.yaml")), "missing.yaml")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    r = cli("diff", "1.1.0", "1.3.0", bad, EXAMPLES / "nato.json")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "bad.json" in r.stderr and "nato" in r.stdout  # the good file is still shown
    only_bad = cli("diff", "1.1.0", "1.3.0", bad)
    assert only_bad.returncode == 2 and only_bad.stdout == ""


def test_the_docs_show_the_command_s_real_output():
    readme = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8")
    intro = "`readiness diff 1.1.0 1.3.0 examples/partnerships/` ends with"
    shown = readme.split(intro, 1)[1].split("```", 2)[1].strip("\n")
    r = cli("diff", "1.1.0", "1.3.0", "examples/partnerships/")
    assert r.returncode == 0, r.stderr
    assert shown in r.stdout


def test_criteria_added_removed_and_moved_are_one_group_and_still_add_up():
    a_doc = rubric_dict(
        [("p0", 1.0, "arithmetic", [("p0.a", 1.0), ("p0.b", 2.0)]),
         ("p1", 2.0, "arithmetic", [("p1.c", 1.0), ("p1.gone", 1.0)])],
        gates={"p0.a": (2, "low")},
    )  # fmt: skip
    b_doc = rubric_dict(
        [("p0", 1.0, "arithmetic", [("p0.a", 3.0), ("p1.c", 1.0)]),
         ("p1", 2.0, "arithmetic", [("p0.b", 2.0)]),
         ("p2", 1.0, "arithmetic", [("p2.new", 1.0)])],
        gates={"p0.a": (3, "mid")},
        unknown_policy="worst",
    )  # fmt: skip
    b_doc["version"] = "2.0.0"
    a, b = readiness.rubric.rubric_from_dict(a_doc), readiness.rubric.rubric_from_dict(b_doc)
    p = _partnership({"p0.a": 2, "p0.b": 4, "p1.c": 1, "p1.gone": 3, "p2.new": 0})
    d = diff_rubrics(a, b, [p])
    said = {(c.what, c.id) for c in d.changes}
    assert {("criterion-removed", "p1.gone"), ("criterion-added", "p2.new"),
            ("criterion-moved", "p0.b"), ("criterion-moved", "p1.c"),
            ("pillar-added", "p2"), ("weight", "p0.a"), ("gate", "p0.a"),
            ("setting", "unknown_policy")} <= said  # fmt: skip
    (m,) = d.moves
    assert m.reason is None
    assert [c.group for c in m.contributions] == ["criteria", "weights", "gates", "scoring"]
    assert sum(c.nanopoints for c in m.contributions) == m.nanopoints != 0
    assert m.set_aside == ("p1.gone", "p2.new")  # each rated, each missing from one rubric
    assert {(x.id, x.old, x.new) for x in m.levels} >= {("p1.gone", 3, "absent"),
                                                        ("p2.new", "absent", 0)}  # fmt: skip
    assert "p1.gone" in d.to_markdown() and "ratings left out" in d.to_text()


def test_a_variant_made_in_code_is_diffed_too():
    variant = CURRENT.with_weights({"legal": 2.0}).model_copy(update={"unknown_policy": "worst"})
    assert "+" in variant.version  # a build label: the mixes must not add a second one
    fpda = readiness.load_partnership(EXAMPLES / "fpda.json")
    (m,) = diff_rubrics(variant, CURRENT, [fpda]).moves
    assert m.reason is None
    assert [c.group for c in m.contributions] == ["weights", "scoring"]
    assert sum(c.nanopoints for c in m.contributions) == m.nanopoints

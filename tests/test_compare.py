"""compare(): scores side by side, what changed between dates, renderings, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

import readiness
from readiness import Comparison, InputError, Partnership, assess, compare, load_rubric
from tests.cli_harness import cli
from tests.factories import EXAMPLES, ROOT, SMALL, imported_modules


@pytest.fixture(scope="module")
def small():
    return load_rubric(SMALL)


def partnership(
    pid: str = "t", on: str | None = None, name: str = "T", **levels: int | str
) -> Partnership:
    ratings = {k.replace("_", "."): {"level": v} for k, v in levels.items()}
    return Partnership(
        id=pid,
        name=name,
        kind="bilateral-alliance",
        members=("A",),
        assessed_on=dt.date.fromisoformat(on) if on else None,
        ratings=ratings,
    )


@pytest.fixture(scope="module")
def history(small):
    """The same partnership on two dates, given newest first."""
    old = assess(partnership(on="2025-01-01", a_one=4, a_two=2, b_one=1, b_two=3), small)
    new = assess(partnership(on="2026-01-01", a_one=4, a_two=4, b_one="unknown", b_two=3), small)
    return compare([new, old])


def test_compare_is_public():
    assert "compare" in readiness.__all__ and "Comparison" in readiness.__all__
    assert readiness.__all__ == sorted(readiness.__all__)


def test_frame_is_numeric_with_one_row_per_pillar_plus_overall_range_coverage(
    history: Comparison,
):
    frame = history.to_frame()
    assert list(frame.index) == ["a", "b", "overall", "lower", "upper", "coverage"]
    assert list(frame.columns) == ["t@2026-01-01", "t@2025-01-01"]
    assert (frame.dtypes == "float64").all()
    assert frame.to_numpy().dtype == np.float64
    old = frame["t@2025-01-01"]
    # by hand: A = (100 + 3 x 50) / 4 = 62.5; B = (25 + 75) / 2 = 50; overall (2A + B) / 3
    assert old["a"] == pytest.approx(62.5)
    assert old["b"] == pytest.approx(50.0)
    assert frame.loc["overall", "t@2025-01-01"] == pytest.approx(175 / 3)
    assert old["lower"] == old["upper"] == pytest.approx(175 / 3)  # nothing unknown
    assert old["coverage"] == pytest.approx(1.0)
    new = frame["t@2026-01-01"]
    assert new["overall"] == pytest.approx(275 / 3)
    # b.one unknown: B is 75 (b.two alone) but could be anything from 37.5 to 87.5
    assert new["lower"] == pytest.approx((200 + 37.5) / 3)
    assert new["upper"] == pytest.approx((200 + 87.5) / 3)
    assert new["coverage"] < 1
    assert frame.diff(axis=1).loc["overall"].iloc[1] == pytest.approx(-100 / 3)  # arithmetic


def test_bands_are_a_series_by_label(history: Comparison, small):
    bands = history.bands()
    assert bands.to_dict() == {"t@2026-01-01": "high", "t@2025-01-01": "mid"}
    assert bands.name == "band"
    empty = assess(partnership(pid="u"), small)  # nothing rated: no overall score, no band
    assert empty.overall is None
    c = compare([empty, *history.assessments])
    assert c.bands().tolist() == [None, "high", "mid"]
    assert math.isnan(c.to_frame().loc["overall", "u"])
    assert c.to_frame().loc["lower", "u"] == 0 and c.to_frame().loc["upper", "u"] == 100


def test_changes_lists_what_moved_in_date_order(history: Comparison):
    changes = history.changes()
    assert list(changes.columns) == [
        "partnership", "from", "to", "what", "id", "title", "old", "new", "delta",
    ]  # fmt: skip
    assert set(changes["from"]) == {"2025-01-01"} and set(changes["to"]) == {"2026-01-01"}
    rows = {(r["what"], r["id"]): r for r in changes.to_dict("records")}
    assert list(rows) == [
        ("overall", "overall"),
        ("band", "band"),
        ("pillar", "a"),
        ("pillar", "b"),
        ("criterion", "a.two"),
        ("criterion", "b.one"),
    ]
    assert rows["overall", "overall"]["delta"] == pytest.approx(100 / 3)
    assert (rows["band", "band"]["old"], rows["band", "band"]["new"]) == ("mid", "high")
    assert rows["pillar", "a"]["delta"] == pytest.approx(37.5)
    assert rows["pillar", "b"]["delta"] == pytest.approx(25.0)  # b.one unknown: B = b.two = 75
    a_two = rows["criterion", "a.two"]
    assert (a_two["old"], a_two["new"], a_two["delta"]) == (2, 4, 2)
    b_one = rows["criterion", "b.one"]
    assert (b_one["old"], b_one["new"]) == (1, "unknown") and math.isnan(b_one["delta"])


def test_three_dates_give_two_steps_and_other_partnerships_none(small):
    a1 = assess(partnership(on="2024-01-01", a_one=1), small, min_coverage=0)
    a2 = assess(partnership(on="2025-01-01", a_one=2), small, min_coverage=0)
    a3 = assess(partnership(on="2026-01-01", a_one=2, b_two=4), small, min_coverage=0)
    other = assess(partnership(pid="u", on="2025-01-01", a_one=3), small, min_coverage=0)
    c = compare([a3, other, a1, a2])
    assert c.labels == ("t@2026-01-01", "u", "t@2024-01-01", "t@2025-01-01")
    steps = c.changes()[["from", "to"]].drop_duplicates().values.tolist()
    assert steps == [["2024-01-01", "2025-01-01"], ["2025-01-01", "2026-01-01"]]
    assert set(c.changes()["partnership"]) == {"t"}
    last = c.changes().query("to == '2026-01-01' and what == 'criterion'")
    assert last["id"].tolist() == ["b.two"] and last["old"].tolist() == ["unknown"]


def test_no_dates_no_changes_and_unambiguous_labels(small):
    a = assess(partnership(a_one=1), small, min_coverage=0)
    b = assess(partnership(a_one=2), small, min_coverage=0)
    c = compare([a, b, a])
    assert c.labels == ("t@undated", "t@undated#2", "t@undated#3")
    assert c.changes().empty
    assert list(c.changes().columns)[:3] == ["partnership", "from", "to"]
    same_day = compare([assess(partnership(on="2025-01-01", a_one=v), small) for v in (1, 2)])
    assert same_day.labels == ("t@2025-01-01", "t@2025-01-01#2")
    assert same_day.changes().empty
    assert "What changed" not in same_day.to_markdown()


def test_different_partnerships_are_labelled_by_id(small):
    c = compare([assess(partnership(pid=p, a_one=2), small) for p in ("x", "y")])
    assert c.labels == ("x", "y")
    assert c.changes().empty
    assert repr(c) == "<Comparison of 2 assessments: x, y>"


def test_nothing_to_compare_and_mixed_rubrics_are_input_errors(small):
    with pytest.raises(InputError, match="nothing to compare"):
        compare([])
    shipped = load_rubric()
    p = Partnership(id="p", name="P", kind="bilateral-alliance", members=("A",))
    with pytest.raises(InputError, match="rubric"):
        compare([assess(partnership(a_one=1), small), assess(p, shipped)])


def test_markdown_and_text_show_the_table_and_what_changed(history: Comparison):
    md = history.to_markdown()
    assert md.startswith("# Comparison of 2 assessments")
    assert "| | t@2026-01-01 | t@2025-01-01 |" in md
    assert "| **Overall** | **91.7** | **58.3** |" in md
    assert "## What changed" in md and "2025-01-01 → 2026-01-01" in md
    assert "| criterion | A two (`a.two`) | 2 | 4 | +2 |" in md
    assert "| pillar | Pillar A (`a`) | 62.5 | 100.0 | +37.5 |" in md
    text = history.to_text()
    assert "Overall: 58.3 → 91.7 (+33.3)" in text and "Band: mid → high" in text
    assert re.search(r"^criterion +B one \(b\.one\) +1 +unknown +-$", text, re.M)


def test_input_text_is_escaped_in_markdown_and_html(small):
    name = "<script>alert(1)</script> | *x*"
    c = compare(
        [
            assess(partnership(on="2025-01-01", name=name, a_one=1), small, min_coverage=0),
            assess(partnership(on="2026-01-01", name=name, a_one=3), small, min_coverage=0),
        ]
    )
    html = c._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.startswith('<div class="readiness-comparison">') and html.endswith("</div>")
    assert "What changed" in html
    md = c.to_markdown()
    assert "<script>" not in md and "&lt;script\\>" in md and "\\| \\*x\\*" in md


def test_to_dict_is_json_ready_and_rounded(history: Comparison):
    d = json.loads(json.dumps(history.to_dict()))
    assert d["rubric"]["id"] == "small"
    assert [x["label"] for x in d["assessments"]] == ["t@2026-01-01", "t@2025-01-01"]
    assert d["assessments"][1]["overall"] == 58.33
    assert d["assessments"][1]["pillars"] == {"a": 62.5, "b": 50.0}
    overall = d["changes"][0]
    assert overall["what"] == "overall" and overall["delta"] == 33.33
    b_one = next(x for x in d["changes"] if x["id"] == "b.one")
    assert b_one["old"] == 1 and b_one["new"] == "unknown" and b_one["delta"] is None


def test_all_examples_compare():
    rubric = load_rubric()
    items = [
        assess(readiness.load_partnership(f, rubric), rubric)
        for f in sorted(EXAMPLES.glob("*.json"))
    ]
    c = compare(items)
    assert c.labels == tuple(a.partnership.id for a in items)
    assert c.to_frame().shape == (len(rubric.pillars) + 4, len(items))
    assert c.bands().index.tolist() == list(c.labels)


# --- the command ------------------------------------------------------------------


def dated_copies(tmp_path: Path) -> tuple[Path, Path]:
    """One partnership on two dates (shipped rubric): every criterion at 3 but the founding
    agreement at 1; then every criterion at 4 but the commitment record still at 3."""
    rubric = load_rubric()
    base = {"id": "pact", "name": "Pact", "kind": "bilateral-alliance", "members": ["A", "B"]}
    old = {cid: {"level": 3} for cid in rubric.criterion_ids}
    old["legal.founding-agreement"] = {"level": 1}
    new = {cid: {"level": 4} for cid in rubric.criterion_ids}
    new["trust.commitment-record"] = {"level": 3}
    paths = tmp_path / "pact-2025.json", tmp_path / "pact-2026.json"
    paths[0].write_text(json.dumps({**base, "assessed_on": "2025-03-01", "ratings": old}))
    paths[1].write_text(json.dumps({**base, "assessed_on": "2026-03-01", "ratings": new}))
    return paths


def test_cli_compare_two_dates_lists_changes(tmp_path: Path):
    old, new = dated_copies(tmp_path)
    aukus = json.loads((EXAMPLES / "aukus.json").read_text())["id"]
    r = cli("compare", str(new), str(old), str(EXAMPLES / "aukus.json"))
    assert r.returncode == 0, r.stderr
    title, rule, blank, head = r.stdout.splitlines()[:4]
    assert title == "Comparison of 3 assessments" and set(rule) == {"="} and not blank
    assert head.split() == ["pact@2026-03-01", "pact@2025-03-01", aukus]
    assert "Pact (pact): 2025-03-01 → 2026-03-01\n-----" in r.stdout
    assert "- Overall: 7" in r.stdout and "- Band: advanced → integrated" in r.stdout
    assert re.search(
        r"^criterion +Founding .*\(legal\.founding-agreement\) +1 +4 +\+3$", r.stdout, re.M
    )
    assert re.search(r"\(trust\.information-openness\) +3 +4 +\+1$", r.stdout, re.M)
    assert "trust.commitment-record" not in r.stdout  # unchanged


def test_cli_compare_json_and_markdown(tmp_path: Path):
    old, new = dated_copies(tmp_path)
    r = cli("compare", str(old), str(new), "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert [a["label"] for a in d["assessments"]] == ["pact@2025-03-01", "pact@2026-03-01"]
    assert d["changes"][0]["what"] == "overall" and d["changes"][0]["delta"] > 0
    assert any(c["what"] == "criterion" and c["old"] == 1 and c["new"] == 4 for c in d["changes"])
    r = cli("compare", str(old), str(new), "--format", "markdown")
    assert r.returncode == 0 and "## What changed" in r.stdout


def test_cli_compare_a_directory_and_a_bad_file(tmp_path: Path):
    r = cli("compare", str(EXAMPLES))
    assert r.returncode == 0, r.stderr
    for f in EXAMPLES.glob("*.json"):
        assert json.loads(f.read_text())["id"] in r.stdout.splitlines()[3]
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": ')
    r = cli("compare", str(EXAMPLES / "nato.json"), str(bad))
    assert r.returncode == 2 and "nato" in r.stdout  # the good file is still compared
    assert str(bad) in r.stderr and "invalid JSON" in r.stderr and "Traceback" not in r.stderr


def test_html_embeds_the_pillar_chart_when_matplotlib_is_there(history: Comparison, monkeypatch):
    pytest.importorskip("matplotlib")
    html = history._repr_html_()
    assert html.count("<svg") == 1 and "Pillar scores side by side" in html
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    root = ElementTree.fromstring(svg)  # well-formed XML, as a saved .svg must be
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    legend = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert set(history.labels) <= legend  # one bar colour per column label
    from readiness.document import charts

    monkeypatch.setattr(charts, "available", lambda: False)
    assert "<svg" not in history._repr_html_()  # tables only


def test_compare_lays_itself_out_with_the_vocabulary_and_renders_nothing():
    """The comparison builds a document (blocks and data); formats and words live in
    readiness.document, and nothing from the render floor is imported."""
    source = (ROOT / "readiness" / "compare.py").read_text()
    imported = imported_modules(source)
    assert not {m for m in imported if m.startswith("readiness.report")}
    assert "html" not in imported
    for mark in ("<div", "<table", "|---", "**", "markdown_escape", ":.1f}"):
        assert mark not in source, mark


def test_every_format_comes_from_the_document(history: Comparison):
    from readiness.document import render_html, render_markdown, render_text

    doc = history.to_document()
    assert history.to_markdown() == render_markdown(doc)
    assert history.to_text() == render_text(doc)
    assert history._repr_html_() == render_html(doc)
    assert json.loads(history.to_json()) == json.loads(json.dumps(history.to_dict()))

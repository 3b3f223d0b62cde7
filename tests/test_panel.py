"""Several assessors of one partnership: panel files, consensus, widening, perception gap."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.assessment import assess
from readiness.errors import InputError
from readiness.panel import (
    assess_panel,
    is_panel_document,
    load_panel,
    panel_from_dict,
    panel_from_partnerships,
)
from readiness.partnership import load_partnership, partnership_from_dict
from readiness.rubric import load_rubric
from tests.factories import EXAMPLES, ROOT, imported_modules, make_rubric, rubric_dict, rubrics

HEADER = {
    "id": "demo",
    "name": "Demo pact",
    "kind": "bilateral-alliance",
    "members": ["AAA", "BBB"],
}


def panel_doc(*assessors: tuple[str, str | None, dict[str, object]], **extra: object) -> dict:
    return {
        "partnership": HEADER,
        "assessments": [
            {"assessor": who, **({"side": side} if side else {}), "ratings": ratings}
            for who, side, ratings in assessors
        ],
        **extra,
    }


def levels(**by_criterion: int | str) -> dict[str, object]:
    return {cid.replace("_", "."): {"level": lvl} for cid, lvl in by_criterion.items()}


SMALL = make_rubric(rubric_dict([("a", 1, "arithmetic", [("a.x", 1), ("a.y", 1)])]))
THREE = make_rubric(
    rubric_dict(
        [
            ("a", 1, "arithmetic", [("a.x", 1), ("a.y", 1)]),
            ("b", 0.5, "arithmetic", [("b.z", 1)]),
        ]
    )
)


@pytest.mark.parametrize(
    ("rule", "given_levels", "expected"),
    [
        ("median", [1, 3, 4], 3),
        ("median", [2, 3], 2),  # even: a middle level (a tie at the middle score: lower)
        ("median", [1, 4, 4], 4),
        ("median-low", [2, 3], 2),  # even: the lower middle level, never rounded up
        ("median-high", [2, 3], 3),
        ("mean", [1, 2], 1),  # 1.5: halves go down
        ("mean", [1, 3, 4], 3),  # 2.67
        ("min", [1, 3, 4], 1),
        ("max", [1, 3, 4], 4),
    ],
)
def test_consensus_rules(rule, given_levels, expected):
    doc = panel_doc(
        *[(f"r{i}", None, levels(a_x=lvl)) for i, lvl in enumerate(given_levels)],
        consensus={"rule": rule},
    )
    result = assess_panel(panel_from_dict(doc), SMALL)
    assert result.assessment.criterion("a.x").level == expected
    assert result.rule == rule
    note = result.assessment.criterion("a.x").note or ""
    assert f"spread {max(given_levels) - min(given_levels)}" in note


def test_unknown_does_not_vote_and_a_majority_makes_not_applicable():
    doc = panel_doc(
        ("A", None, levels(a_x="not-applicable", a_y=2)),
        ("B", None, levels(a_x="not-applicable", a_y="unknown")),
        ("C", None, levels(a_x=3, a_y=4)),
    )
    a = assess_panel(panel_from_dict(doc), SMALL).assessment
    assert a.criterion("a.x").state == "not-applicable"
    assert a.criterion("a.y").level in (2, 3, 4)  # median of 2 and 4 (unknown does not vote)


def test_consensus_confidence_and_evidence():
    ev = {"text": "seen", "source": "report"}
    doc = panel_doc(
        ("A", None, {"a.x": {"level": 2, "confidence": "low", "evidence": [ev]}}),
        ("B", None, {"a.x": {"level": 2, "confidence": "high", "evidence": [ev]}}),
        ("C", None, {"a.x": {"level": 2, "confidence": "high"}}),
    )
    c = assess_panel(panel_from_dict(doc), SMALL).assessment.criterion("a.x")
    assert c.confidence == "high"
    assert len(c.evidence) == 1  # the same evidence is kept once


def test_disagreement_widens_the_interval():
    agree = panel_doc(("A", None, levels(a_x=2, a_y=2)), ("B", None, levels(a_x=2, a_y=2)))
    split = panel_doc(("A", None, levels(a_x=0, a_y=2)), ("B", None, levels(a_x=4, a_y=2)))
    same = assess_panel(panel_from_dict(agree), SMALL)
    wide = assess_panel(panel_from_dict(split), SMALL)
    assert (same.assessment.lower, same.assessment.upper) == same.consensus_interval == (50, 50)
    # consensus a.x = 2 (any level from 0 to 4 is a median of 0 and 4; 2 puts the overall
    # at the middle of the assessors' 25 and 75); panel range: a.x from 0 to 4
    assert wide.assessment.overall == 50
    assert wide.consensus_interval == (50, 50)
    assert wide.reached is not None and wide.reached.split == (0,)
    assert (wide.assessment.lower, wide.assessment.upper) == (25, 75)
    low = assess_panel(panel_from_dict(split), SMALL, rule="median-low")
    assert low.assessment.overall == 25  # the conservative rule, asked for by name
    assert (wide.assessment.pillars[0].lower, wide.assessment.pillars[0].upper) == (25, 75)


@settings(max_examples=60, deadline=None)
@given(rubrics(), st.data())
def test_every_assessors_full_score_lies_in_the_widened_interval(rubric, data):
    ids = rubric.criterion_ids
    n = data.draw(st.integers(2, 4))
    people = [
        (f"r{i}", None, {cid: {"level": data.draw(st.integers(0, 4))} for cid in ids})
        for i in range(n)
    ]
    result = assess_panel(panel_from_dict(panel_doc(*people)), rubric)
    a = result.assessment
    for i in range(n):
        own = assess(result.panel.of(i), rubric)
        if own.overall is not None:
            assert a.lower - 1e-6 <= own.overall <= a.upper + 1e-6
    assert a.lower <= result.consensus_interval[0] and a.upper >= result.consensus_interval[1]


def test_perception_gap_per_criterion_and_pillar():
    doc = panel_doc(
        ("A1", "AAA", levels(a_x=4, a_y=3)),
        ("A2", "AAA", levels(a_x=4, a_y=1)),
        ("B1", "BBB", levels(a_x=1, a_y=2)),
    )
    result = assess_panel(panel_from_dict(doc), SMALL)
    gap = result.perception
    assert gap is not None and gap.sides == ("AAA", "BBB")
    by_id = {r.id: r for r in gap.criteria}
    assert by_id["a.x"].values == (4, 1) and by_id["a.x"].gap == 3
    # AAA: a median of 3 and 1, chosen at 2 (the middle of its assessors' 87.5 and 62.5)
    assert by_id["a.y"].values == (2, 2) and by_id["a.y"].gap == 0
    # pillar scores: each side's consensus scored on its own
    assert gap.pillars[0].values == (75.0, 37.5) and gap.pillars[0].gap == 37.5
    assert gap.overall == (75.0, 37.5)
    assert [r.id for r in gap.largest()] == ["a.x"]
    assert list(gap.to_frame().columns) == ["pillar", "criterion", "AAA", "BBB", "gap"]
    assert result.agreement.adjudication[0].id == "a.x"


def test_one_side_has_no_perception_gap():
    doc = panel_doc(("A", "AAA", levels(a_x=1)), ("B", "AAA", levels(a_x=2)))
    assert assess_panel(panel_from_dict(doc), SMALL).perception is None


def test_panel_problems_have_paths():
    doc = panel_doc(("A", "AAB", levels(a_x=1)), ("A", None, {"a.x": {"level": 2}}))
    with pytest.raises(InputError) as err:
        panel_from_dict(doc, source="panel.json")
    paths = {p.path: p.message for p in err.value.problems}
    assert "did you mean 'AAA'" in paths["$.assessments[0].side"]
    assert "appears twice" in paths["$.assessments[1].assessor"]
    assert str(err.value).startswith("panel.json: 2 problems")
    doc = panel_doc(("A", None, levels(a_x=1)), ("B", None, {"a.x": {"level": 7}}))
    with pytest.raises(InputError, match=r"\$\.assessments\[1\]\.ratings\['a\.x'\]\.level: level"):
        panel_from_dict(doc)


def test_unknown_criterion_is_named_under_its_assessment():
    doc = panel_doc(("A", None, levels(a_x=1)), ("B", None, levels(a_z=1)))
    with pytest.raises(InputError) as err:
        assess_panel(panel_from_dict(doc), SMALL)
    assert err.value.problems[0].path == "$.assessments[1].ratings['a.z']"


def test_ratings_in_the_header_are_refused():
    doc = panel_doc(("A", None, {}))
    doc["partnership"] = HEADER | {"ratings": levels(a_x=1)}
    with pytest.raises(InputError, match=r"\$\.partnership\.ratings: belongs in each"):
        panel_from_dict(doc)


def test_combining_partnership_files(tmp_path):
    base = json.loads((EXAMPLES / "aukus.json").read_text())
    files = []
    for who, side, shift in (("A", "USA", 0), ("B", "USA", 1), ("C", "AUS", 0)):
        doc = dict(base, assessor=who)
        doc["ratings"] = {
            k: dict(r, perspective=side)
            | ({"level": min(4, max(0, r["level"] + shift))} if isinstance(r["level"], int) else {})
            for k, r in base["ratings"].items()
        }
        doc.pop("facts")
        path = tmp_path / f"{who}.json"
        path.write_text(json.dumps(doc))
        files.append(load_partnership(path))
    panel = panel_from_partnerships(files)
    assert panel.assessors == ("A", "B", "C") and panel.sides == ("AUS", "USA")
    result = assess_panel(panel)
    assert result.perception is not None
    assert result.agreement.overall.within_one == 1.0  # never more than one level apart
    assert result.agreement.adjudication == ()
    other = partnership_from_dict(dict(base, id="other", assessor="D"))
    with pytest.raises(InputError, match=r"b\.json: \$\.id: 'other' differs"):
        panel_from_partnerships([files[0], other], sources=["a.json", "b.json"])


def test_load_panel_and_recognise_it(tmp_path):
    doc = panel_doc(("A", None, levels(a_x=1)))
    path = tmp_path / "panel.json"
    path.write_text(json.dumps(doc))
    assert is_panel_document(doc) and not is_panel_document(HEADER)
    assert load_panel(path, SMALL).assessors == ("A",)
    path.write_text(json.dumps(panel_doc(("A", None, levels(a_z=1)))))
    with pytest.raises(InputError, match=r"panel\.json: \$\.assessments\[0\]\.ratings\['a\.z'\]"):
        load_panel(path, SMALL)


def test_single_assessor_panel_equals_the_partnership():
    rubric = load_rubric()
    p = load_partnership(EXAMPLES / "nato.json", rubric)
    data = p.model_dump(mode="json", exclude_none=True)
    ratings, assessor, on = data.pop("ratings"), data.pop("assessor"), data.pop("assessed_on")
    doc = {
        "partnership": data,
        "assessments": [{"assessor": assessor, "assessed_on": on, "ratings": ratings}],
    }
    result = assess_panel(panel_from_dict(doc), rubric)
    direct = assess(p, rubric)
    assert result.assessment.overall == direct.overall
    assert (result.assessment.lower, result.assessment.upper) == (direct.lower, direct.upper)
    assert math.isnan(result.agreement.overall.alpha_ordinal)  # one assessor: no pairs


# --- a consensus never falls outside the panel ------------------------------------------


VOTES = st.sampled_from([0, 1, 2, 3, 4, 0, 4, "unknown", "not-applicable"])


@st.composite
def panels(draw: st.DrawFn) -> tuple:
    """A random rubric and two to five assessors who rate any subset of it, some
    criteria not applicable, some unknown."""
    rubric = draw(rubrics())
    ids = rubric.criterion_ids
    people = []
    for i in range(draw(st.integers(2, 5))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1))
        ratings = {cid: {"level": draw(VOTES)} for cid in chosen}
        people.append((f"r{i}", None, ratings))
    return rubric, panel_from_dict(panel_doc(*people))


@settings(max_examples=150, deadline=None)
@given(panels(), st.sampled_from(["median", "mean"]))
def test_the_consensus_lies_between_the_lowest_and_highest_assessor(case, rule):
    rubric, panel = case
    result = assess_panel(panel, rubric, rule=rule, min_coverage=0)
    overall = result.assessment.overall
    scores = [s.overall for s in result.assessors if s.overall is not None]
    if overall is None or not scores:
        return
    assert min(scores) - 1e-6 <= overall <= max(scores) + 1e-6
    assert result.reached is not None and result.reached.overall == pytest.approx(overall)


def test_three_assessors_whose_medians_fall_below_all_of_them_are_kept_in_range():
    # each rates a different criterion 4 and the others 0: the median is 0 everywhere, which
    # would score 0 while every assessor scores 33.3; the fewest criteria move up to keep
    # the consensus inside the panel, and the result says which
    doc = panel_doc(
        ("A", None, levels(a_x=4, a_y=0, b_z=0)),
        ("B", None, levels(a_x=0, a_y=4, b_z=0)),
        ("C", None, levels(a_x=0, a_y=0, b_z=4)),
    )
    result = assess_panel(panel_from_dict(doc), THREE)
    scores = {s.overall for s in result.assessors}
    assert len(scores) == 1
    assert result.assessment.overall == pytest.approx(scores.pop())
    assert result.reached is not None and len(result.reached.moved) >= 1
    low = assess_panel(panel_from_dict(doc), THREE, rule="median-low")
    assert low.assessment.overall == 0  # asked for by name: it may fall below all


def test_an_assessors_score_counts_the_panels_criteria_and_alone_their_own():
    doc = panel_doc(("A", None, levels(a_x=0, b_z=4)), ("B", None, levels(a_y=0, b_z=4)))
    result = assess_panel(panel_from_dict(doc), THREE)
    a, b = result.assessors
    assert a.alone is not None and b.alone is not None
    # on the panel's criteria A's a.y is the consensus level, and B's a.x likewise
    overall = result.assessment.overall
    assert overall is not None and min(a.overall, b.overall) <= overall <= max(a.overall, b.overall)


# --- the panel laid out (readiness.document) ---------------------------------------------


@pytest.fixture(scope="module")
def sided():
    """Three assessors from two sides who disagree on a.x (a perception gap)."""
    doc = panel_doc(
        ("A1 <b>", "AAA", {"a.x": {"level": 4, "note": "seen *there*"}, "a.y": {"level": 3}}),
        ("A2", "AAA", levels(a_x=4, a_y=1)),
        ("B1", "BBB", levels(a_x=1, a_y=2)),
    )
    return assess_panel(panel_from_dict(doc), SMALL)


def test_the_panel_lays_itself_out_as_one_document(sided):
    from readiness.document import Chart, Table

    doc = sided.to_document()
    assert doc.kind == "panel" and doc.title == "Assessors and agreement"
    assert [s.title for s in doc.sections()] == [
        "Agreement per pillar",
        "To adjudicate: assessors two levels or more apart",
        "Perception gap: how AAA and BBB see the partnership",
    ]
    assert [s.id for s in doc.sections()][1:] == ["adjudication", "perception"]
    (assessors,) = [b for b in doc.blocks if isinstance(b, Table)]
    kinds = [(c.name, c.kind) for c in assessors.columns]
    assert kinds[3:] == [("overall", "score"), ("range", "text"), ("rated", "count")]
    perception = doc.sections()[2]
    charts = [b for b in perception.blocks if isinstance(b, Chart)]
    assert [c.alt for c in charts] == ["Perception gap: each side's pillar scores"]
    # the numbers stay numbers until a renderer writes them
    pillars = next(b for b in perception.blocks if isinstance(b, Table))
    assert pillars.rows[-1].cells == ("Overall", 75.0, 37.5, 37.5)


def test_markdown_and_text_say_the_consensus_agreement_and_perception(sided):
    md = sided.to_markdown()
    assert md.startswith("# Assessors and agreement\n\n- Consensus: the median of 3 assessors'")
    assert "| A1 &lt;b\\> | - | AAA | 87.5 | 88-88 | 2 |" in md  # input text escaped
    assert "| a.x | 4 | 4 | 1 | 4 | 3 |" in md  # to adjudicate: levels, median, spread
    assert "| Overall | 75.0 | 37.5 | 37.5 |" in md
    assert "Criteria the sides rate one level or more apart, largest first:" in md
    assert "| a.x | 4 | 1 | 3 |" in md
    text = sided.to_text()
    assert "Agreement per pillar\n--------------------" in text  # text shows it too now
    assert re.search(r"^a\.x +4 +1 +3$", text, re.M)
    html = sided.to_html(charts=False)
    assert "A1 &lt;b&gt;" in html and "<b>" not in html and "<svg" not in html


def test_nothing_to_adjudicate_and_no_gap_are_said():
    doc = panel_doc(("A", "AAA", levels(a_x=2, a_y=2)), ("B", "BBB", levels(a_x=2, a_y=2)))
    md = assess_panel(panel_from_dict(doc), SMALL).to_markdown()
    assert "\n\nNo criterion: every pair of assessors is within one level.\n" in md
    assert md.endswith("largest first:\n\nNone.\n")


def test_every_format_comes_from_the_document(sided):
    from readiness.document import render_html, render_json, render_markdown, render_text

    doc = sided.to_document()
    assert sided.to_markdown() == render_markdown(doc)
    assert sided.to_text() == render_text(doc)
    assert sided._repr_html_() == render_html(doc)
    assert sided.to_json() == render_json(doc)
    assert json.loads(sided.to_json()) == json.loads(json.dumps(sided.to_dict()))


def test_the_json_says_the_consensus_rule_in_words(sided):
    data = sided.to_dict()
    assert data["consensus"]["words"].startswith("the median of 3 assessors' levels")
    assert "Consensus: " + data["consensus"]["words"] + "." in sided.to_text().replace("\n  ", " ")


def test_the_report_section_is_the_document_as_a_section(sided):
    """The panel's part of a full report (``readiness agreement -o``, ``assess``/``report``
    of a panel file) is its document one level down, under the key ``panel``."""
    from readiness.cli.agreement import panel_section
    from readiness.document import (
        render_section_html,
        render_section_markdown,
        render_section_text,
    )

    section = panel_section(sided)
    assert section == sided.to_document().as_section("panel")
    assert section.key == "panel" and section.data == sided.to_dict()
    md = render_section_markdown(section)
    assert md.startswith("## Assessors and agreement\n")
    assert "\n### Perception gap: how AAA and BBB see the partnership\n" in md
    assert render_section_html(section).startswith("<h2>Assessors and agreement</h2>\n")
    assert render_section_text(section).startswith("Assessors and agreement\n-----")


def test_consensus_notes_keep_every_assessors_level_and_note(sided):
    c = sided.assessment.criterion("a.x")
    assert c.note == "consensus (median) of A1 <b> 4, A2 4, B1 1; spread 3. A1 <b>: seen *there*"


def test_panel_module_lays_itself_out_with_the_vocabulary_and_renders_nothing():
    """The panel builds a document (blocks and data); formats and words live in
    readiness.document, and nothing from the render floor is imported."""
    assert_renders_nothing(ROOT / "readiness" / "panel.py")


def assert_renders_nothing(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = imported_modules(tree)
    assert not {m for m in imported if m.startswith("readiness.report")}
    assert "html" not in imported
    # the text a reader could see: string constants and number formats, leaving out
    # docstrings and __repr__ (a repr is for programmers); errors may count (``:,``)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "__repr__":
            skip.update(id(n) for n in ast.walk(node))
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))
    said = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
    ]
    specs = [
        ast.unparse(n.format_spec)
        for n in ast.walk(tree)
        if isinstance(n, ast.FormattedValue) and n.format_spec and id(n) not in skip
    ]
    for mark in ("<div", "<table", "<p>", "|---", "**"):
        assert not [x for x in said if mark in x], mark
    assert not [x for x in specs if re.search(r"\.\d+[f%]|%", x)], specs  # numbers: by kind
    assert "markdown_escape" not in ast.unparse(tree)

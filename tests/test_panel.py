"""Several assessors of one partnership: panel files, consensus, widening, perception gap."""

from __future__ import annotations

import json
import math

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
from tests.factories import EXAMPLES, make_rubric, rubric_dict, rubrics

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


@pytest.mark.parametrize(
    ("rule", "given_levels", "expected"),
    [
        ("median", [1, 3, 4], 3),
        ("median", [2, 3], 2),  # even: the lower middle level, never rounded up
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
    assert a.criterion("a.y").level == 2  # median of 2 and 4 (the unknown does not vote)


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
    # consensus a.x = 0 (lower median): point 25; panel range: a.x from 0 to 4
    assert wide.assessment.overall == 25
    assert wide.consensus_interval == (25, 25)
    assert (wide.assessment.lower, wide.assessment.upper) == (25, 75)
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
    assert by_id["a.y"].values == (1, 2) and by_id["a.y"].gap == 1  # AAA: median(3, 1) = 1
    # pillar scores: each side's consensus scored on its own
    assert gap.pillars[0].values == (62.5, 37.5) and gap.pillars[0].gap == 25
    assert gap.overall == (62.5, 37.5)
    assert [r.id for r in gap.largest()] == ["a.x", "a.y"]
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

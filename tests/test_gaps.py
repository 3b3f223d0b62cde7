"""Gaps: exact impact by re-scoring, ranking, evidence gaps, roadmap, what-if, targets."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from readiness import InputError, Partnership, assess, load_partnership, load_rubric
from readiness.document import words
from readiness.gaps import GapRow, HeldBy, ProfileChoice, Reason
from tests.factories import EXAMPLES, SMALL, imported_modules, make_rubric, rubric_dict

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small():
    return load_rubric(SMALL)


def partnership(
    kind: str = "bilateral-alliance", target: str | None = None, **levels
) -> Partnership:
    ratings = {k.replace("_", "."): {"level": v} for k, v in levels.items()}
    return Partnership(id="t", name="T", kind=kind, members=("A",), target=target, ratings=ratings)


def test_impact_is_the_exact_gain_from_rescoring(small):
    a = assess(partnership(a_one=4, a_two=2, b_one=1, b_two=3), small)
    report = a.gaps()
    assert report.profile.id == "full"
    assert report.basis == "overall"
    by_id = {g.criterion: g for g in report.gaps}
    assert set(by_id) == {"a.two", "b.one", "b.two"}
    for g in report.gaps:
        # cross-check against an independent what-if
        assert g.impact == pytest.approx(a.what_if({g.criterion: g.target}).overall - a.overall)
    # by hand: a.two 2 -> 4 lifts pillar A from 62.5 to 100; overall +2/3 * 37.5 = +25
    assert by_id["a.two"].impact == pytest.approx(25.0)
    assert by_id["b.one"].impact == pytest.approx(12.5)  # B: 50 -> 87.5, x 1/3
    assert [g.criterion for g in report.gaps] == ["a.two", "b.one", "b.two"]
    assert by_id["a.two"].remediation == ((3, "to a3"), (4, "to a4"))
    assert by_id["a.two"].effort_units == 8  # high = 4 units x 2 steps


def test_gate_impact_includes_lifting_the_cap(small):
    a = assess(partnership(a_one=4, a_two=4, b_one=4, b_two=1), small)
    assert a.overall == pytest.approx(40.0)
    (gap,) = a.gaps().gaps
    assert gap.criterion == "b.two"
    assert gap.impact == pytest.approx(60.0)  # uncapped and raised to 4 -> 100


def test_kind_selects_the_profile_and_the_call_can_override(small):
    a = assess(partnership(kind="defense-cooperation", a_one=2, a_two=2, b_one=2, b_two=2), small)
    report = a.gaps()
    assert report.profile.id == "modest"
    assert report.profile_reason == "selected by the partnership kind defense-cooperation"
    assert report.profile_choice == ProfileChoice("kind", kind="defense-cooperation")
    assert [g.criterion for g in report.gaps] == ["a.two"]  # only a.two has target 3
    assert a.gaps("full").profile_reason == "named in the call"
    assert a.gaps("full").profile_choice == ProfileChoice("named")
    named = assess(partnership(target="full", a_one=2), small).gaps()
    assert named.profile_reason == "named in the partnership file"
    assert named.profile_choice.how == "file"
    with pytest.raises(InputError, match="unknown target profile 'nope'"):
        a.gaps("nope")


def test_unknown_criteria_are_evidence_gaps_on_the_lower_bound(small):
    a = assess(partnership(a_one=4, a_two=4, b_one=4), small)
    report = a.gaps()
    assert report.gaps == ()
    (e,) = report.evidence_gaps
    assert e.criterion == "b.two" and e.status == "unknown" and e.current is None
    # lower bound: b.two at 0 -> B = 50, capped at 40 by the gate; at 4 -> 100
    assert a.lower == pytest.approx(40.0)
    assert e.impact == pytest.approx(60.0)


def test_low_coverage_measures_impact_on_the_lower_bound(small):
    a = assess(partnership(a_one=1), small)
    assert a.overall is None
    report = a.gaps()
    assert report.basis == "lower"
    (g,) = report.gaps
    assert g.impact == pytest.approx(a.what_if({"a.one": 4}).lower - a.lower)


def test_roadmap_puts_prerequisites_first_and_accumulates(small):
    # a.two requires a.one; both below target
    a = assess(partnership(a_one=2, a_two=1, b_one=4, b_two=4), small)
    road = a.roadmap()
    order = [s.criterion for s in road.steps]
    assert order.index("a.one") < order.index("a.two")
    assert road.steps[-1].score_after == pytest.approx(100.0)
    assert road.steps[order.index("a.two")].waited_for == ("a.one",)
    assert road.to_frame()["waited_for"].tolist()[order.index("a.two")] == "a.one"
    total = road.start + sum(s.impact for s in road.steps)
    assert total == pytest.approx(road.steps[-1].score_after)
    scores = [road.start] + [s.score_after for s in road.steps]
    assert scores == sorted(scores)


def test_roadmap_prefers_gain_per_effort(small):
    # b.one (low effort) and a.two (high effort) both open, no prerequisite between them
    a = assess(partnership(a_one=4, a_two=3, b_one=3, b_two=4), small)
    road = a.roadmap()
    # a.two: +1/4*... gain 12.5, effort 4 -> 3.1/unit; b.one: gain 4.17, effort 1 -> 4.2/unit
    assert [s.criterion for s in road.steps] == ["b.one", "a.two"]


def test_what_if_rescores_and_validates(small):
    a = assess(partnership(a_one=4, a_two=2, b_one=1, b_two=3), small)
    b = a.what_if({"a.two": 4, "b.one": "not-applicable"})
    assert b.criterion("b.one").state == "not-applicable"
    assert b.overall == pytest.approx((2 * 100 + 75) / 3)
    assert a.overall == pytest.approx((2 * 62.5 + 50) / 3)  # the original is unchanged
    with pytest.raises(InputError, match="unknown criterion 'zz'"):
        a.what_if({"zz": 1})
    with pytest.raises(InputError, match="level must be an integer from 0 to 4"):
        a.what_if({"a.one": 9})


def test_gap_report_renderings(small):
    report = assess(partnership(a_one=4, a_two=2, b_one=1), small).gaps()
    frame = report.to_frame()
    assert list(frame["criterion"]) == ["a.two", "b.one", "b.two"]
    assert list(frame["status"]) == ["below-target", "below-target", "unknown"]
    d = report.to_dict()
    assert d["target"]["profile"] == "full"
    assert d["gaps"][0]["remediation"][0] == {"to_level": 3, "action": "to a3"}
    md = report.to_markdown()
    assert md.startswith("# Gaps of T\n\n## Gaps against ")
    assert "| 1 | A two (`a.two`)" in md and "### Evidence gaps" in md
    text = report.to_text()
    assert "Evidence gaps (unrated criteria)\n---" in text and "(a.two)" in text
    road = report.roadmap()
    assert list(road.to_frame().index) == list(range(1, len(road.steps) + 1))
    assert road.to_frame()["why"].tolist() == [s.why for s in road.steps]
    assert "reason" not in road.to_frame().columns
    assert "| step |" in road.to_markdown() and "step  criterion" in road.to_text()


def test_every_format_comes_from_the_document(small):
    from readiness.document import render_html, render_markdown, render_text

    report = assess(partnership(a_one=4, a_two=2, b_one=1), small).gaps()
    for result in (report, report.roadmap()):
        doc = result.to_document()
        assert result.to_markdown() == render_markdown(doc)
        assert result.to_text() == render_text(doc)
        assert result._repr_html_() == render_html(doc)
        assert json.loads(result.to_json()) == json.loads(json.dumps(result.to_dict()))
    assert report.to_document().kind == "gaps"
    assert report.roadmap().to_document().kind == "roadmap"


def test_the_gap_section_is_what_a_report_shows(small):
    """The document holds one section (what a longer document would include): its
    Markdown is the gap report's under a level-2 heading, nested sections one deeper."""
    from readiness.document import render_section_markdown

    report = assess(partnership(a_one=4, a_two=2, b_one=1), small).gaps()
    (section,) = report.to_document().sections()
    md = render_section_markdown(section)
    assert md.startswith("## Gaps against ") and "\n### Evidence gaps (unrated criteria)\n" in md
    assert report.to_markdown().endswith(md)


def test_gaps_lay_themselves_out_with_the_vocabulary_and_render_nothing():
    """Gap reports and roadmaps build documents (blocks and data); formats and words live
    in readiness.document, and nothing from the render floor is imported."""
    source = (ROOT / "readiness" / "gaps.py").read_text()
    imported = imported_modules(source)
    assert not {m for m in imported if m.startswith("readiness.report")}
    assert "html" not in imported
    texts = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)]
    for mark in ("<div", "<table", "<td", "|---", "**", "](", "&lt;"):
        assert not [t for t in texts if isinstance(t, str) and mark in t], mark
    tree = ast.parse(source)
    reprs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__repr__"]
    segments = [ast.get_source_segment(source, n) or "" for n in reprs]
    for segment in segments:  # the console's one line may round its figures
        source = source.replace(segment, "")
    for mark in ("markdown_escape", "html.escape", ":.1f}", ":+.1f}", ":g}"):
        assert mark not in source, mark
    for writer in ("_blocked_text", "_gain_text", "_TODAY"):
        assert writer not in source, writer


def test_results_carry_reasons_and_words_say_them():
    """A gap's ``why`` is its reason said by readiness.document.words.gaps, and the JSON
    (``GapRow``) keeps the ``why`` text users have."""
    a = assess(load_partnership(EXAMPLES / "aukus.json"), load_rubric())
    report = a.gaps()
    assert "why" not in {f.name for f in dataclasses.fields(report.gaps[0])}
    codes = set()
    for g in (*report.gaps, *report.evidence_gaps):
        assert isinstance(g.reason, Reason)
        codes.add(g.reason.code)
        assert g.why == g.reason.text
        assert GapRow.of(1, g).why == g.why
    assert {"root-cause", "gain", "unrated"} <= codes
    root = report.gaps[0]
    assert root.reason == Reason("root-cause", unblocks=root.unblocks, waiting=root.reason.waiting)
    assert root.why == words.gaps.root_cause(root.unblocks, root.reason.waiting)
    d = report.to_dict()
    assert [g["why"] for g in d["gaps"]] == [g.why for g in report.gaps]
    road = report.roadmap()
    assert all(s.reason is not None and s.why == s.reason.text for s in road.steps)
    assert [s["why"] for s in road.to_dict()["steps"]] == [s.why for s in road.steps]


def test_words_say_each_reason():
    assert words.gaps.failed_gate("Low", 0.04) == "failed gate: caps the score at Low"
    assert words.gaps.failed_gate("Low", 1.25) == (
        "failed gate: caps the score at Low; closing it unblocks +1.2 points of other gaps"
    )
    assert words.gaps.root_cause(2.0, ("a", "b", "c", "d", "e")) == (
        "root cause: closing it unblocks +2.0 points of gain in a, b, c and 2 more"
    )
    assert words.gaps.gain(1.0, 1.0, 1.0, 1.0, "exclude") == "gain +1.0 points"
    assert words.gaps.gain(1.0, 1.0, 0.4, 2.0, "worst") == (
        "gain +1.0 points (+0.4 to +2.0 over the unknowns)"
    )
    assert words.gaps.held([("g", "unrated", "Low")], 0.0) == (
        "; +0.0 now: blocked by the unrated gate g: rate it first"
    )
    held = Reason(
        "gain-per-effort",
        gain=0.6,
        effort_units=4,
        held_by=(HeldBy("g", "failed", "Low"),),
        held_gain=0.3,
    )
    assert (
        held.text
        == "gain +0.6 points for 4 effort units; held at Low by the failed gate g: close it first"
    )


def test_default_rubric_examples_have_ranked_gaps():
    rubric = load_rubric()

    for path in sorted(EXAMPLES.glob("*.json")):
        a = assess(load_partnership(path, rubric), rubric)
        gaps = a.gaps().gaps
        assert [g.priority for g in gaps] == sorted(g.priority for g in gaps), path.name
        plain = [round(g.rank_gain, 9) for g in gaps if g.priority == 2]  # float noise
        assert plain == sorted(plain, reverse=True), path.name
        assert all(g.why for g in gaps), path.name
        assert not np.isnan(a.lower)


def test_what_if_on_facts():
    """'Sign a status-of-forces agreement and hold more exercises' as a fact scenario."""
    rubric = load_rubric()
    a = assess(load_partnership(EXAMPLES / "fpda.json", rubric), rubric)
    sofa = {"kind": "status-of-forces", "name": "Scenario SOFA", "signed": "2026-01-01"}
    b = a.what_if(facts={"agreements": [sofa], "exercises_per_year": 24})
    assert a.criterion("legal.status-of-forces").origin == "derived"
    assert b.criterion("legal.status-of-forces").level > a.criterion("legal.status-of-forces").level
    assert b.criterion("training.joint-exercises").level == 4
    assert b.overall > a.overall
    kinds = [x.kind for x in b.partnership.facts.agreements]
    assert (
        kinds.count("status-of-forces") == 1
        and len(kinds) == len(a.partnership.facts.agreements) + 1
    )
    # a mapping fact updates only the keys it names
    c = a.what_if(facts={"interoperability": {"logistics": 4}})
    assert c.partnership.facts.interoperability.logistics == 4
    assert c.partnership.facts.interoperability.communications == (
        a.partnership.facts.interoperability.communications
    )
    with pytest.raises(InputError, match=r"\$\.facts\.exercises_per_year"):
        a.what_if(facts={"exercises_per_year": -3})


def test_what_if_drops_a_rating_the_new_facts_supersede():
    rubric = load_rubric()
    p = load_partnership(EXAMPLES / "aukus.json", rubric)
    a = assess(p, rubric)
    overridden = [c.id for c in a.criteria if c.origin == "overridden"]
    assert overridden
    cid = "legal.information-security-agreement"
    assert cid in overridden
    info = {"kind": "security-of-information", "name": "Scenario GSOMIA", "signed": "2026-01-01"}
    b = a.what_if(facts={"agreements": [info]})
    assert b.criterion(cid).origin == "derived"  # the analyst judged the old facts
    kept = a.what_if({cid: 2}, facts={"agreements": [info]})
    assert kept.criterion(cid).level == 2  # unless the call sets it too


def test_roadmap_ties_break_by_id_like_the_gap_list():
    from tests.factories import make_rubric, rubric_dict

    rubric = make_rubric(
        rubric_dict([("p", 1.0, "arithmetic", [("p.x", 1.0), ("p.xy", 1.0), ("p.z", 1.0)])])
    )
    ratings = {"p.x": {"level": 2}, "p.xy": {"level": 2}, "p.z": {"level": 4}}
    p = Partnership(id="t", name="T", kind="defense-cooperation", members=("A",), ratings=ratings)
    report = assess(p, rubric).gaps()
    assert [g.criterion for g in report.gaps] == ["p.x", "p.xy"]
    assert [s.criterion for s in report.roadmap().steps] == ["p.x", "p.xy"]


def test_score_after_gaps_treats_targets_as_firm_ratings():
    from tests.factories import make_rubric, rubric_dict

    doc = rubric_dict([("p", 1.0, "arithmetic", [("p.a", 1.0), ("p.b", 1.0), ("p.c", 1.0)])],
                      min_coverage=0.9)  # fmt: skip
    rubric = make_rubric(doc)
    ratings = {"p.a": {"level": 1, "confidence": "low"}, "p.c": {"level": 4}}
    p = Partnership(id="t", name="T", kind="defense-cooperation", members=("A",), ratings=ratings)
    report = assess(p, rubric).gaps()
    assert report.basis == "lower"
    assert report.score_after_gaps == pytest.approx(100.0)
    with pytest.warns(DeprecationWarning, match="score_after_gaps"):
        assert report.target_score == report.score_after_gaps


def test_score_at_the_profile_and_after_closing_gaps_are_told_apart():
    from readiness import load_partnership
    from readiness.report import build_report, render_markdown, render_text

    a = assess(load_partnership("examples/partnerships/aukus.json"))
    gaps = a.gaps()
    # AUKUS is above its profile on some criteria: closing every gap beats the profile
    assert gaps.score_after_gaps > gaps.profile_score
    r = build_report(a)
    assert (r.profile_score, r.score_after_gaps) == (gaps.profile_score, gaps.score_after_gaps)
    for text in (" ".join(render_markdown(r).split()), " ".join(render_text(r).split())):
        assert f"score at the target profile {gaps.profile_score:.1f}" in text
        assert f"after closing every gap {gaps.score_after_gaps:.1f}" in text


def test_every_format_shows_raw_score_gate_loss_and_unrated_gates():
    # the facts snippet of docs/partnerships.md alone: the founding agreement is derived
    # at level 0 and fails its gate (17.1 points); policy alignment, which these facts do
    # not give, is unrated: no cap on the score, and every format says what to rate
    # (rubric 1.2.0 derives information protection from the integrated sharing arrangement)
    from readiness import Partnership
    from readiness.report import build_report, render_html, render_markdown, render_text

    facts = {
        "agreements": [{"kind": "status-of-forces", "signed": "1951-06-19", "ratified": True}],
        "exercises_per_year": 20,
        "interoperability": {"communications": 4, "data": 4},
        "intelligence_sharing": "integrated",
    }
    p = Partnership(id="f", name="F", kind="bilateral-alliance", members=("USA", "JPN"),
                    facts=facts)  # fmt: skip
    a = assess(p, min_coverage=0)
    assert (round(a.raw, 1), a.overall, round(a.gate_loss, 1)) == (67.1, 50.0, 17.1)
    r = build_report(a)
    assert [g.criterion for g in r.gates] == ["legal.founding-agreement"]
    assert r.gates[0].cost == pytest.approx(a.gate_loss)
    unrated = {g.criterion: g for g in r.unrated_gates}
    assert set(unrated) == {"political.policy-alignment"}
    assert "rate it at level 1 or above" in unrated["political.policy-alignment"].effect
    assert r.rate_first == ("political.policy-alignment",)
    for text in (render_text(r), render_markdown(r), render_html(r)):
        assert "no points lost yet" not in text and "costing nothing yet" not in text
        assert "67.1" in text and "17.1" in text
        assert "political.policy-alignment" in text and "rate it at level 1 or above" in text
    d = a.to_dict()
    assert (d["raw"], d["overall"], d["gate_loss"]) == pytest.approx((67.1, 50.0, 17.1), abs=0.05)
    assert d["unrated_gates"][0]["status"] == "unrated"
    assert "costs 17.1 points on its own" in r.gates[0].effect
    # no overall score at all: no claim about points
    none = build_report(assess(p))
    assert none.overall is None
    assert all("no overall score yet" in g.effect for g in none.gates)
    assert all("the lower bound already is" in g.effect for g in none.unrated_gates)


def test_roadmap_flags_unrated_prerequisites(small):
    # a.two requires a.one; a.one is unknown
    a = assess(partnership(a_two=1, b_one=4, b_two=4), small)
    (step,) = [s for s in a.roadmap().steps if s.criterion == "a.two"]
    assert step.unrated_prerequisites == ("a.one",)
    assert "rate first: a.one" in a.roadmap().to_markdown()


# --- ranking that does not reward ignorance; root causes first -----------------------

CSTO_LIKE = rubric_dict(
    [
        ("intel", 1.0, "arithmetic",
         [("intel.sharing", 1.0), ("intel.b", 1.0), ("intel.c", 1.0), ("intel.d", 1.0)]),
        ("political", 1.0, "arithmetic", [("political.alignment", 1.0)]),
        ("cyber", 1.0, "arithmetic", [("cyber.memo", 1.0), ("cyber.drills", 1.0)]),
    ],
    gates={"political.alignment": (1, "low")},
)  # fmt: skip


def _csto(rubric, **levels):
    ratings = {k.replace("__", "."): {"level": v} for k, v in levels.items()}
    return Partnership(id="c", name="C", kind="bilateral-alliance", members=("A",),
                       ratings=ratings)  # fmt: skip


def test_one_rated_sibling_does_not_inflate_the_ranking():
    """The CSTO case: intelligence sharing is the only rated criterion of its pillar."""
    rubric = make_rubric(CSTO_LIKE)
    alone = assess(_csto(rubric, intel__sharing=2, political__alignment=3, cyber__memo=3,
                         cyber__drills=3), rubric)  # fmt: skip
    rated = assess(_csto(rubric, intel__sharing=2, intel__b=1, intel__c=1, intel__d=1,
                         political__alignment=3, cyber__memo=3, cyber__drills=3),
                   rubric)  # fmt: skip
    g_alone = next(g for g in alone.gaps() if g.criterion == "intel.sharing")
    g_rated = next(g for g in rated.gaps() if g.criterion == "intel.sharing")
    # today's score (exclude policy) lets one criterion stand for its pillar: 2 -> 4 is
    # the whole pillar from 50 to 100, a third of the overall: +16.7 ...
    assert g_alone.impact == pytest.approx(50 / 3)
    # ... but with its siblings rated it is a quarter of that pillar: +4.2
    assert g_rated.impact == pytest.approx(50 / 3 / 4)
    # the ranking figure is the same either way, and says both in words
    assert g_alone.rank_gain == pytest.approx(g_rated.rank_gain) == pytest.approx(50 / 12)
    assert g_alone.impact_lower == pytest.approx(50 / 12)
    assert g_alone.why == "gain +4.2 points; +16.7 on today's score, which leaves the unknowns out"
    assert g_alone.reason is not None and g_alone.reason.code == "gain"
    assert g_alone.reason.today == pytest.approx(50 / 3) and g_alone.reason.policy == "exclude"
    # ranked by it, the cyber memo (same gain per pillar share, cheaper) is not buried
    order = [g.criterion for g in alone.gaps()]
    assert order.index("cyber.memo") < order.index("intel.sharing")


def test_a_failed_gate_ranks_and_steps_first_and_says_why():
    rubric = make_rubric(CSTO_LIKE)
    a = assess(_csto(rubric, intel__sharing=2, political__alignment=0, cyber__memo=3,
                     cyber__drills=3), rubric)  # fmt: skip
    report = a.gaps()
    first = report.gaps[0]
    assert first.criterion == "political.alignment" and first.priority == 0
    assert first.why == "failed gate: caps the score at Low"
    assert first.reason is not None
    assert (first.reason.code, first.reason.band) == ("failed-gate", "Low")
    road = report.roadmap()
    assert road.steps[0].criterion == "political.alignment"  # not the cheap memo
    assert road.steps[0].why == "failed gate: caps the score at Low"
    # before: every other gap is held down by the cap, and says so
    others = [g for g in report.gaps if g.criterion != "political.alignment"]
    assert all("held at Low by the failed gate political.alignment" in g.why for g in others)
    held = HeldBy("political.alignment", "failed", "Low")
    assert all(g.reason is not None and g.reason.held_by == (held,) for g in others)
    assert all(g.impact == pytest.approx(0.0) for g in others)


def test_unrated_gate_explains_zero_gain_steps_and_comes_first_to_rate():
    rubric = make_rubric(CSTO_LIKE | {"min_coverage": 0.9})  # no point score: lower basis
    a = assess(_csto(rubric, intel__sharing=4, intel__b=4, intel__c=4, intel__d=2,
                     cyber__memo=4, cyber__drills=2), rubric)  # fmt: skip
    assert a.overall is None and a.failed_gates == ()
    assert [g.criterion for g in a.unrated_gates] == ["political.alignment"]
    report = a.gaps()
    assert report.basis == "lower"
    assert report.evidence_gaps[0].criterion == "political.alignment"
    assert report.evidence_gaps[0].why.startswith("unrated gate: below level 1")
    gate = report.evidence_gaps[0].reason
    assert gate is not None and (gate.code, gate.min_level) == ("unrated-gate", 1)
    road = report.roadmap()
    assert road.rate_first == ("political.alignment",)
    # the lower bound is at the cap (40): closing a gap gains nothing there, and says why
    assert a.lower == pytest.approx(40.0)
    for step in road.steps:
        assert step.impact == pytest.approx(0.0) and step.rank_gain > 0
        assert step.blocked_by == ("political.alignment",)
        assert "blocked by the unrated gate political.alignment: rate it first" in step.why
    assert "Rate first" in road.to_markdown()


def test_prerequisite_of_many_gaps_ranks_above_a_larger_gain():
    doc = rubric_dict(
        [("p", 1.0, "arithmetic", [("p.base", 1.0), ("p.x", 1.0), ("p.y", 1.0)]),
         ("q", 1.0, "arithmetic", [("q.big", 1.0)])],
    )  # fmt: skip
    for pillar in doc["pillars"]:
        for c in pillar["criteria"]:
            if c["id"] in ("p.x", "p.y"):
                c["prerequisites"] = ["p.base"]
    rubric = make_rubric(doc)
    a = assess(_csto(rubric, p__base=3, p__x=3, p__y=3, q__big=0), rubric)
    report = a.gaps()
    assert [g.criterion for g in report.gaps][:2] == ["p.base", "q.big"]
    base = report.gaps[0]
    assert (base.priority, base.blocks) == (1, ("p.x", "p.y"))
    waiting = [g for g in report.gaps if g.criterion in ("p.x", "p.y")]
    assert base.unblocks == pytest.approx(sum(g.rank_gain for g in waiting))
    assert base.why == (
        f"root cause: closing it unblocks {base.unblocks:+.1f} points of gain in p.x, p.y"
    )
    assert base.reason == Reason("root-cause", unblocks=base.unblocks, waiting=("p.x", "p.y"))
    assert report.gaps[1].rank_gain > base.rank_gain  # a larger gain, ranked below


def test_a_prerequisite_whose_waiting_gaps_gain_nothing_is_no_root_cause():
    # "prerequisite of 2 gaps" is not a root cause by itself: it must unblock gain
    doc = rubric_dict(
        [("p", 1.0, "arithmetic", [("p.base", 1.0), ("p.x", 1.0), ("p.y", 1.0)]),
         ("q", 1.0, "arithmetic", [("q.big", 1.0)])],
    )  # fmt: skip
    for pillar in doc["pillars"]:
        for c in pillar["criteria"]:
            if c["id"] in ("p.x", "p.y"):
                c["prerequisites"] = ["p.base"]
    doc["profiles"][0]["levels"] = {"p.x": 3, "p.y": 3}  # the profile asks no more of them
    rubric = make_rubric(doc)
    a = assess(_csto(rubric, p__base=3, p__x=3, p__y=3, q__big=0), rubric)
    base = next(g for g in a.gaps().gaps if g.criterion == "p.base")
    assert (base.priority, base.blocks, base.unblocks) == (2, (), 0.0)
    assert not base.why.startswith("root cause")


def test_the_frame_shows_the_order_it_is_sorted_by():
    a = assess(load_partnership(EXAMPLES / "aukus.json"), load_rubric())
    frame = a.gaps().to_frame()
    rated = frame[frame["status"] == "below-target"]
    assert {"priority", "rank_gain", "unblocks", "why"} <= set(frame.columns)
    assert list(rated["priority"]) == sorted(rated["priority"])
    rest = rated[rated["priority"] == 2]["rank_gain"].round(9).tolist()
    assert rest == sorted(rest, reverse=True) and len(rest) >= 3


def test_a_partnership_winding_down_is_advised_on_an_orderly_end():
    p = Partnership.model_validate(
        {
            "id": "seato", "name": "SEATO", "kind": "collective-defense-alliance",
            "members": ["AUS", "NZL", "PHL", "THA", "GBR", "USA"],
            "status": [{"state": "active", "since": "1955-02-19"},
                       {"state": "dissolving", "since": "1975-09-24"}],
            "assessed_on": "1976-06-30",
            "ratings": {"legal.dispute-resolution": {"level": 0},
                        "trust.commitment-record": {"level": 1}},
        }
    )  # fmt: skip
    report = assess(p, min_coverage=0).gaps()
    assert report.profile.id == "wind-down"
    advice = {g.criterion: dict(g.remediation) for g in report.gaps}
    rubric = load_rubric()
    wind_down = rubric.profile("wind-down").remediation
    assert advice["legal.dispute-resolution"] == wind_down["legal.dispute-resolution"]
    assert advice["trust.commitment-record"] == {2: wind_down["trust.commitment-record"][2]}
    build_up = rubric.criterion("legal.dispute-resolution").remediation[1]
    assert build_up == "Insert a consultation clause into the partnership's agreements."
    assert build_up not in advice["legal.dispute-resolution"].values()  # was its advice
    assert "residual obligations" in advice["legal.dispute-resolution"][2]


def test_a_gap_has_one_json_shape_everywhere():
    import json

    from readiness import assess, load_partnership
    from tests.factories import EXAMPLES

    for name in ("fpda", "aukus"):
        a = assess(load_partnership(EXAMPLES / f"{name}.json"))
        from_gaps = json.loads(json.dumps(a.gaps().to_dict()))
        from_report = json.loads(json.dumps(a.to_dict()))
        assert from_gaps["gaps"] == from_report["gaps"]
        assert from_gaps["evidence_gaps"] == from_report["evidence_gaps"]
        first = from_report["gaps"][0]
        assert first["rank"] == 1 and {"gap", "effort_units", "impact_lower"} <= set(first)
        assert all(set(step) == {"to_level", "action"} for step in first["remediation"])


def test_a_roadmap_step_has_one_json_shape_everywhere():
    import json

    from readiness import assess, load_partnership
    from tests.factories import EXAMPLES

    a = assess(load_partnership(EXAMPLES / "fpda.json"))
    from_roadmap = json.loads(json.dumps(a.gaps().roadmap().to_dict()))
    from_report = json.loads(json.dumps(a.to_dict()))
    assert from_roadmap["steps"] == from_report["roadmap"]
    assert from_roadmap["steps"][0]["band_after"] in {b.name for b in a.rubric.bands}

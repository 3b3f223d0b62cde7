"""A plan under uncertainty: reaches its target in at least p of the completions
(checked through what_if), and is the cheapest (checked by enumerating every plan)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from readiness import assess, load_partnership
from readiness.errors import InputError
from readiness.partnership import Partnership
from readiness.plan import chance_plan
from readiness.scoring import ScoringModel, score_matrix
from tests.cli_harness import cli
from tests.factories import EXAMPLES, make_rubric, rubric_dict

SMALL = make_rubric(
    rubric_dict(
        [
            ("a", 2.0, "arithmetic", [("a.x", 1.0), ("a.y", 2.0)]),
            ("b", 1.0, "arithmetic", [("b.x", 1.0), ("b.y", 1.0)]),
        ],
        unknown_policy="estimate",
        gates={"b.x": (2, "mid")},
    )
)


def _small(ratings: dict[str, object]):
    p = Partnership(id="s", name="S", kind="defense-cooperation", members=("A",), ratings=ratings)
    return assess(p, SMALL)


def _reached_by_what_if(p) -> float:
    """The weighted share of the plan's completions where the assessment, with the
    completion's levels and the plan's floors set through what_if, reaches the target."""
    a = p.assessment
    total = 0.0
    for levels, w in zip(p.completions.tolist(), p.weights.tolist(), strict=True):
        changes = {cid: int(v) for cid, v in zip(p.columns, levels, strict=True)}
        for cid, floor in p.levels.items():
            now = changes.get(cid, a.criterion(cid).level)
            changes[cid] = max(floor, 0 if now is None else now)
        b = a.what_if(changes)
        ok = b.overall is not None and b.overall >= p.target.score
        if p.target.band is not None:
            order = [x.id for x in a.rubric.bands]
            ok = ok and b.band is not None and order.index(b.band.id) >= order.index(p.target.band)
        total += w * ok
    return total


@pytest.mark.parametrize("confidence", [0.3, 0.6, 0.9, 1.0])
def test_exact_plan_is_feasible_and_cheapest(confidence):
    a = _small({"a.x": {"level": 2}, "a.y": {"level": 1, "confidence": "low"}})
    p = chance_plan(a, "high", confidence)
    assert p.method == "exact" and p.status == "optimal"
    assert set(p.columns) == {"a.y", "b.x", "b.y"}
    assert p.probability >= confidence - 1e-12
    assert _reached_by_what_if(p) >= confidence - 1e-12
    assert p.effort <= p.on_lower.effort
    # every plan (a floor per criterion, costs from the level now or 0), by brute force
    model = ScoringModel.from_rubric(SMALL)
    start = np.array([2, 1, 0, 0])
    scen = np.array(
        [[2, y, bx, by] for y, bx, by in p.completions.astype(int).tolist()], dtype=float
    )
    cols = [SMALL.criterion_ids.index(c) for c in p.columns]
    assert cols == [1, 2, 3]
    best = np.inf
    for plan in itertools.product(*(range(s, 5) for s in start)):
        floor = np.array(plan, dtype=float)
        raised = floor > start
        rows = np.where(raised, np.fmax(scen, floor), scen)
        s = score_matrix(rows, model, unknown_policy="exclude", min_coverage=0.0)
        reached = (s.overall >= 70) & (s.band >= 2)
        if reached.astype(float) @ p.weights >= confidence - 1e-12:
            best = min(best, float(((floor - start) * raised).sum()))
    assert p.effort == best


def test_sampled_plan_is_feasible_through_what_if():
    a = assess(load_partnership(EXAMPLES / "us-philippines.json"))
    p = a.chance_plan("functional", 0.9, samples=60, seed=1)
    assert p.method == "sampled" and p.status in ("optimal", "not-proven")
    assert len(p.weights) <= 60 and p.weights.sum() == pytest.approx(1.0)
    assert _reached_by_what_if(p) >= 0.9 - 1e-12
    assert p.effort <= p.on_lower.effort


def test_an_unknown_gate_is_raised_when_the_chance_needs_it():
    # b.x unknown: a completion with it below 2 fails its gate (capped at mid)
    a = _small({"a.x": {"level": 4}, "a.y": {"level": 4}, "b.y": {"level": 4}})
    assert a.rate_first().criterion("b.x").distribution[0][0] < 2
    p = chance_plan(a, "high", 1.0)
    assert p.status == "optimal" and p.probability == 1.0
    assert p.levels["b.x"] >= 2


def test_no_plan_reaches_what_is_out_of_reach():
    # a low-confidence 4 may be a 3, and no plan raises it above 4: 100 is never certain
    a = _small({"a.x": {"level": 4, "confidence": "low"}})
    p = chance_plan(a, 100, 1.0)
    assert p.status == "infeasible" and not p.reached and p.levels == {}
    assert "level 4" in (p.reason or "")


def test_bad_inputs_are_named():
    a = assess(load_partnership(EXAMPLES / "anzus.json"))
    with pytest.raises(InputError, match="confidence"):
        chance_plan(a, "advanced", 1.5)
    with pytest.raises(InputError, match="samples"):
        chance_plan(a, "advanced", 0.9, samples=0)
    geo = make_rubric(rubric_dict([("a", 1.0, "geometric", [("a.x", 1.0), ("a.y", 1.0)])]))
    p = Partnership(id="g", name="G", kind="defense-cooperation", members=("A",), ratings={})
    with pytest.raises(InputError, match="arithmetic"):
        chance_plan(assess(p, geo), "high", 0.9)


def test_every_format_shows_both_plans():
    a = assess(load_partnership(EXAMPLES / "us-philippines.json"))
    p = a.chance_plan("functional", 0.9, samples=40)
    for text in (p.to_text(), p.to_markdown(), p.to_html()):
        assert "lower bound" in text and "90%" in text
    data = json.loads(p.to_json())
    assert data["on_lower_bound"]["effort"] >= data["effort"]


def test_cli_plan_with_confidence():
    path = str(EXAMPLES / "us-philippines.json")
    r = cli("plan", path, "--to", "functional", "--confidence", "0.9", "--samples", "40")
    assert r.returncode == 0, r.stderr
    assert "with 90% chance" in r.stdout and "on the lower bound" in r.stdout
    j = cli("plan", path, "--to", "functional", "--confidence", "0.9", "--format", "json")
    assert j.returncode == 0, j.stderr
    data = json.loads(j.stdout)
    assert data["probability"] >= 0.9 and data["method"] == "sampled"
    bad = cli("plan", path, "--to", "functional", "--confidence", "2")
    assert bad.returncode == 2 and "probability" in bad.stderr and "Traceback" not in bad.stderr
    both = cli("plan", path, "--budget", "5", "--confidence", "0.9")
    assert both.returncode == 2 and "--confidence" in both.stderr

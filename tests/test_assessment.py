"""assess / assess_frame: input checks, gate costs, edge cases (band edges, nothing applies)."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from readiness import InputError, Partnership, assess, assess_frame, load_partnership, load_rubric
from tests.factories import EXAMPLES

RUBRIC = load_rubric()
IDS = list(RUBRIC.criterion_ids)


def test_a_score_on_a_band_edge_lands_in_one_band_whatever_the_batch():
    # every pillar at 50 except technology (75) and dialogue (25), both weight 1.0: exactly 50
    lv = {
        c: 3 if c.startswith("technology.") else 1 if c.startswith("dialogue.") else 2 for c in IDS
    }
    for rows in (1, 2, 8, 64):
        out = assess_frame(pd.DataFrame([lv] * rows))
        assert out["overall"].tolist() == [50.0] * rows
        assert out["band"].tolist() == ["functional"] * rows


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unknown_policy": "Worst"}, "must be one of ['exclude', 'worst', 'estimate']"),
        ({"min_coverage": 2}, "must be between 0 and 1"),
        ({"min_coverage": float("nan")}, "must be between 0 and 1"),
    ],
)
def test_bad_options_are_rejected(options, message):
    frame = pd.DataFrame([dict.fromkeys(IDS, 3.0)])
    with pytest.raises(InputError, match=re.escape(f"options: {next(iter(options))}: {message}")):
        assess_frame(frame, **options)
    p = Partnership(id="p", name="P", kind="defense-cooperation", members=("A",))
    with pytest.raises(InputError, match=re.escape(message)):
        assess(p, **options)


@pytest.mark.parametrize(
    "mask",
    [pd.DataFrame({c: [np.nan] for c in IDS}), pd.DataFrame({c: ["False"] for c in IDS})],
    ids=["nan", "text"],
)
def test_masks_must_be_booleans(mask):
    frame = pd.DataFrame([dict.fromkeys(IDS, 3.0)])
    with pytest.raises(InputError, match="must hold booleans"):
        assess_frame(frame, not_applicable=mask)


def test_a_missing_mask_value_counts_as_false():
    frame = pd.DataFrame([dict.fromkeys(IDS, 3.0)])
    mask = pd.DataFrame({c: pd.array([pd.NA], dtype="boolean") for c in IDS})
    out = assess_frame(frame, not_applicable=mask, low_confidence=mask)
    assert out["overall"].tolist() == [75.0]
    assert out["lower"].tolist() == [75.0]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({IDS[0]: ["2", "x"]}), "levels must be numbers 0-4 or NaN"),
        (pd.DataFrame({IDS[0]: [True, False]}), "levels must be numbers 0-4 or NaN"),
        (pd.DataFrame([[1.0, 4.0]], columns=[IDS[0], IDS[0]]), "appears more than once"),
    ],
    ids=["text", "bool", "duplicate"],
)
def test_bad_level_columns(frame, message):
    with pytest.raises(InputError, match=message):
        assess_frame(frame)


def test_levels_must_be_a_frame():
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        assess_frame(np.zeros((2, len(IDS))))  # type: ignore[arg-type]


def test_gate_costs_are_marginal():
    ratings = {c: {"level": 4} for c in IDS}
    ratings["legal.founding-agreement"] = {"level": 0}  # caps at emerging: 50
    ratings["intel.protection-protocols"] = {"level": 1}  # caps at functional: 70
    a = assess(Partnership(id="p", name="P", kind="defense-cooperation", members=("A",),
                           ratings=ratings))  # fmt: skip
    assert a.overall == pytest.approx(50.0)
    costs = {g.criterion: g.cost for g in a.failed_gates}
    assert costs["legal.founding-agreement"] == pytest.approx(20.0)  # lifted alone: cap 70
    assert costs["intel.protection-protocols"] == pytest.approx(0.0)  # still capped at 50
    assert a.gate_loss == pytest.approx(a.raw - 50.0)
    assert "failed gates take off, together" in a.explain().to_text()


def test_when_nothing_applies():
    ratings = {c: {"level": "not-applicable"} for c in IDS}
    a = assess(Partnership(id="p", name="P", kind="defense-cooperation", members=("A",),
                           ratings=ratings))  # fmt: skip
    assert a.overall is None
    assert a.reason == "no criterion applies"
    assert math.isnan(a.coverage)
    d = a.to_dict()
    assert d["coverage"] is None and d["lower"] is None
    json.dumps(d, allow_nan=False)  # valid JSON: no NaN
    assert "no criterion applies" in a.summary()


def test_facts_are_derived_once_per_call_and_travel_with_the_result(monkeypatch):
    from readiness import load_partnership, resolve
    from readiness.report import build_report

    calls = []
    real = resolve.encode_row
    monkeypatch.setattr(resolve, "encode_row", lambda values: calls.append(1) or real(values))
    p = load_partnership("examples/partnerships/aukus.json", RUBRIC)
    assert calls == []  # loading checks the description; it runs no rule
    a = assess(p, RUBRIC)
    assert len(calls) == 1
    assert (
        a.derivations["training.joint-exercises"].level
        == a.criterion("training.joint-exercises").derived.level
    )
    build_report(a)
    a.gaps().roadmap()
    a.what_if({"trust.commitment-record": 4})
    assert len(calls) == 1  # report, gaps, roadmap and a ratings scenario reuse it
    a.what_if(facts={"exercises_per_year": 20})
    assert len(calls) == 2  # a facts scenario derives its new facts, once


def test_what_if_names_an_unknown_criterion_and_the_one_it_meant():
    from readiness import load_partnership

    a = assess(load_partnership("examples/partnerships/nato.json"), RUBRIC)
    with pytest.raises(InputError) as err:
        a.what_if({"legal.dispute-resolutoin": 3})
    assert [(p.path, p.message) for p in err.value.problems] == [
        (
            "$['legal.dispute-resolutoin']",
            "unknown criterion 'legal.dispute-resolutoin' (not in rubric "
            "defense-partnership@1.3.0); did you mean 'legal.dispute-resolution'?",
        )
    ]


@pytest.mark.parametrize("name", ["nato.json", "aukus.json", "admm-plus.json"])
def test_results_built_without_init_are_whole_and_equal_to_the_dataclass(name):
    # assess builds its criterion, pillar, gate and derivation results without the
    # dataclass __init__ (readiness._models.built): every field must be there, with what
    # __init__ would give
    import dataclasses

    a = assess(load_partnership(EXAMPLES / name))
    assert a.derivations and a.gates
    for result in (*a.criteria, *a.pillars, *a.gates, *a.derivations.values()):
        names = {f.name for f in dataclasses.fields(result)}
        assert set(vars(result)) == names
        again = type(result)(**{n: getattr(result, n) for n in names})
        assert again == result and repr(again) == repr(result)
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.id = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("name", ["nato.json", "aukus.json", "admm-plus.json"])
@pytest.mark.parametrize("first", ["criteria", "pillars", "gates", "derivations", "pickle"])
def test_results_are_built_on_first_read_as_the_dataclass_holds_them(name, first):
    """assess leaves the criterion, pillar and gate results and the derivations to be
    built on first read: whichever is read first (or a pickle), all four are then
    there, the same as an Assessment made by its own __init__ from them, and the
    assessment is whole (every field in it, nothing pending), frozen, copied and
    pickled whole."""
    import copy
    import dataclasses
    import pickle

    from readiness.assessment import Assessment

    p = load_partnership(EXAMPLES / name)
    a = assess(p)
    names = [f.name for f in dataclasses.fields(a)]
    assert "_pending" in vars(a) and not {"criteria", "pillars", "gates"} & set(vars(a))
    if first == "pickle":
        a = pickle.loads(pickle.dumps(a))
    else:
        getattr(a, first)
    assert set(vars(a)) == set(names)  # whole: nothing pending
    again = Assessment(**{n: getattr(a, n) for n in names})
    for n in names:
        assert getattr(again, n) is getattr(a, n), n
    fresh = assess(p)  # read in another order: the same results
    assert fresh.gates == a.gates and fresh.pillars == a.pillars
    assert fresh.criteria == a.criteria and repr(fresh) == repr(a)
    assert {k: (d.level, d.text) for k, d in fresh.derivations.items()} == {
        k: (d.level, d.text) for k, d in a.derivations.items()
    }
    assert copy.copy(assess(p)).criteria == a.criteria
    assert dataclasses.replace(assess(p), overall=1.0).gates == a.gates
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.criteria = ()  # type: ignore[misc]
    with pytest.raises(AttributeError, match="has no attribute 'criterion_results'"):
        assess(p).criterion_results  # type: ignore[attr-defined]  # noqa: B018


def test_results_read_first_from_many_threads_are_built_once():
    from concurrent.futures import ThreadPoolExecutor

    a = assess(load_partnership(EXAMPLES / "nato.json"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(lambda _: (a.criteria, a.gates), range(32)))
    assert all(c is seen[0][0] and g is seen[0][1] for c, g in seen)

"""Input integrity: no input silently changes a score, and the API raises its own errors.

Near-duplicate keys, member codes in two cases, spending outside 0-100% of GDP or for a
state that is not a member, a file written for another rubric; and wrong types handed
to the Python API (a hypothesis fuzz test of ``assess_frame`` stays in the suite).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import readiness
from readiness import InputError, Partnership, assess, assess_frame, compare, load_rubric
from readiness.errors import ReadinessError
from readiness.partnership import partnership_from_dict

RUBRIC = load_rubric()
CIDS = list(RUBRIC.criterion_ids)
BASE: dict[str, Any] = {
    "id": "p",
    "name": "P",
    "kind": "bilateral-alliance",
    "members": ["USA", "GBR"],
    "ratings": {"trust.commitment-record": {"level": 3}},
}


def problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    def check() -> None:
        partnership_from_dict(doc).check_against(RUBRIC)

    with pytest.raises(InputError) as err:
        check()
    return [(p.path, p.message) for p in err.value.problems]


def test_a_criterion_id_with_a_trailing_space_is_a_duplicate_naming_both():
    ratings = {"trust.commitment-record": {"level": 4}, "trust.commitment-record ": {"level": 0}}
    [(path, message)] = problems({**BASE, "ratings": ratings})
    assert "'trust.commitment-record'" in message and "'trust.commitment-record '" in message
    assert path == "$.ratings['trust.commitment-record ']"


def test_a_criterion_id_in_another_case_is_a_duplicate():
    ratings = {"trust.commitment-record": {"level": 4}, "TRUST.commitment-record": {"level": 0}}
    assert "same criterion" in problems({**BASE, "ratings": ratings})[0][1]


def test_a_lone_criterion_id_with_blanks_is_the_criterion():
    p = partnership_from_dict({**BASE, "ratings": {" trust.commitment-record ": {"level": 2}}})
    assert p.level_of("trust.commitment-record") == 2


def test_the_score_of_nato_cannot_be_moved_by_a_near_duplicate():
    import json

    from tests.factories import EXAMPLES

    data = json.loads((EXAMPLES / "nato.json").read_text())
    cid = next(iter(data["ratings"]))
    data["ratings"][cid + " "] = {"level": 0}
    with pytest.raises(InputError, match="same criterion"):
        partnership_from_dict(data)


def test_member_codes_are_compared_and_kept_in_upper_case():
    assert partnership_from_dict({**BASE, "members": ["usa", " gbr"]}).members == ("USA", "GBR")
    [(path, message)] = problems({**BASE, "members": ["USA", "usa"]})
    assert path == "$.members[1]" and "duplicate member 'USA'" in message


@pytest.mark.parametrize("value", [150, 100.01, 1e300, -1, float("inf")])
def test_spending_outside_0_to_100_percent_is_refused(value: float):
    doc = {**BASE, "facts": {"defense_spending_gdp": {"USA": value}}}
    [(path, _)] = problems(doc)
    assert path == "$.facts.defense_spending_gdp.USA"


def test_spending_of_0_and_100_percent_is_accepted():
    doc = {**BASE, "facts": {"defense_spending_gdp": {"USA": 0, "GBR": 100}}}
    assert partnership_from_dict(doc).facts is not None


def test_spending_for_a_non_member_is_refused():
    doc = {**BASE, "facts": {"defense_spending_gdp": {"USA": 3, "FRA": 2}}}
    [(path, message)] = problems(doc)
    assert path == "$.facts.defense_spending_gdp.FRA" and "not a member" in message


def test_spending_keys_are_upper_cased_and_a_collision_names_both():
    doc = {**BASE, "facts": {"defense_spending_gdp": {"usa": 3}}}
    facts = partnership_from_dict(doc).facts
    assert facts is not None and facts.defense_spending_gdp == {"USA": 3.0}
    doc = {**BASE, "facts": {"defense_spending_gdp": {"USA": 3, "usa": 1}}}
    [(_, message)] = problems(doc)
    assert "'USA' and 'usa'" in message


def test_the_rubric_field_is_checked():
    assert problems({**BASE, "rubric": "other-rubric"})[0][0] == "$.rubric"
    p = partnership_from_dict({**BASE, "rubric": RUBRIC.id})
    p.check_against(RUBRIC)
    assert p.warnings(RUBRIC) == []
    old = partnership_from_dict({**BASE, "rubric": f"{RUBRIC.id}@0.0.1"})
    old.check_against(RUBRIC)  # another version: a warning, not an error
    [warning] = old.warnings(RUBRIC)
    assert warning.path == "$.rubric" and "0.0.1" in warning.message


# --- the Python API raises InputError for wrong types -----------------------------------

P = Partnership(**BASE)
A = assess(P, RUBRIC)
GOOD = pd.DataFrame([[3.0] * len(CIDS)], columns=CIDS, index=["x"])


@pytest.mark.parametrize(
    "call",
    [
        lambda: compare([None]),
        lambda: compare(["x"]),
        lambda: compare(5),
        lambda: compare([]),
        lambda: assess(None, RUBRIC),
        lambda: assess(P, "name"),
        lambda: assess(P, RUBRIC, min_coverage=True),
        lambda: assess(P, RUBRIC, min_coverage="0.5"),
        lambda: assess(P, RUBRIC, min_coverage=1j),
        lambda: assess_frame(GOOD, "name"),
        lambda: assess_frame(None, RUBRIC),
        lambda: assess_frame(GOOD, RUBRIC, min_coverage=True),
        lambda: assess_frame(GOOD, RUBRIC, min_coverage=float("nan")),
        lambda: A.what_if(facts={"agreements": None}),
        lambda: A.what_if(facts=[1]),
        lambda: A.what_if([("x", 1)]),
        lambda: A.what_if({CIDS[0]: 1j}),
        lambda: A.what_if({CIDS[0]: True}),
    ],
)
def test_wrong_types_raise_input_error(call: Any):
    with pytest.raises(InputError):
        call()


def test_numpy_scalars_are_numbers():
    a = assess(P, RUBRIC, min_coverage=np.float32(0.5))
    assert a.options.min_coverage == 0.5
    out = assess_frame(GOOD, RUBRIC, min_coverage=np.float64(0))
    frame = GOOD.astype(object)
    frame.iat[0, 0] = np.int64(2)
    frame.iat[0, 1] = None
    assert assess_frame(frame, RUBRIC, min_coverage=0)["overall"].notna().all()
    assert out["overall"].notna().all()


@pytest.mark.parametrize(
    "value", [1 + 3j, [1], "3", b"3", {}, True, np.bool_(True), object()], ids=repr
)
def test_an_object_cell_that_is_not_a_real_number_is_named(value: object):
    frame = GOOD.astype(object)
    frame.iat[0, 2] = value
    with pytest.raises(InputError) as err:
        assess_frame(frame, RUBRIC)
    [problem] = err.value.problems
    assert problem.row == "x" and problem.criterion == CIDS[2]


def test_a_complex_column_is_refused():
    frame = GOOD.astype(complex)
    with pytest.raises(InputError, match="complex"):
        assess_frame(frame, RUBRIC)


def test_complex_facts_are_refused_by_derive_frame():
    facts = readiness.facts_frame([P]).astype(object)
    facts.iat[0, 0] = 1 + 3j
    with pytest.raises(InputError):
        readiness.derive_frame(facts, RUBRIC)


CELL = st.one_of(
    st.integers(-3, 7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.complex_numbers(max_magnitude=10),
    st.text(max_size=3),
    st.lists(st.integers(0, 4), max_size=2),
    st.none(),
    st.sampled_from([np.int64(2), np.float32(1.0), np.bool_(False), pd.NA, np.nan]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=3),
    columns=st.lists(st.sampled_from([*CIDS[:4], "nope"]), min_size=3, max_size=3),
    dtype=st.sampled_from([None, object]),
)
def test_assess_frame_fuzz_raises_only_input_error(
    cells: list[list[object]], columns: list[str], dtype: Any
):
    """Any frame: a result of finite numbers in range, or an InputError; nothing else."""
    try:
        frame = pd.DataFrame(cells, columns=columns, dtype=dtype)
    except (TypeError, ValueError):
        return  # pandas itself refuses to build it
    try:
        out = assess_frame(frame, RUBRIC, min_coverage=0)
    except ReadinessError as exc:
        error: ReadinessError | None = exc
    else:
        error = None
    if error is not None:
        assert isinstance(error, InputError) and error.problems
        return
    # accepted: every cell was a level 0-4 or missing, every column a known criterion
    assert len(set(columns)) == len(columns) and "nope" not in columns
    for row in cells:
        for v in row:
            assert (
                v is None
                or v is pd.NA
                or (
                    not isinstance(v, bool | np.bool_ | complex | str | list)
                    and (math.isnan(float(v)) or float(v) in (0, 1, 2, 3, 4))  # type: ignore[arg-type]
                )
            )
    scores = out["overall"].dropna()
    assert ((scores >= 0) & (scores <= 100)).all()

"""Errors: structured locations, and messages that stay readable however much is wrong."""

from __future__ import annotations

import json

import pytest

from readiness import InputError, Partnership, Problem, load_rubric
from readiness.errors import SHOWN_PROBLEMS


def test_problems_carry_their_location_as_fields():
    p = Problem("$.ratings['x'].level", "bad", criterion="x", line=3, column=7)
    assert (p.criterion, p.line, p.column, p.file, p.row) == ("x", 3, 7, None, None)
    assert str(p) == "$.ratings['x'].level: bad"
    assert p.to_dict() == {
        "path": "$.ratings['x'].level",
        "message": "bad",
        "line": 3,
        "column": 7,
        "criterion": "x",
    }
    assert InputError([p], source="f.json").to_dict()["problems"] == [p.to_dict()]


def test_ten_thousand_unknown_criteria_make_a_short_message():
    ratings = {f"nope.c{i}": {"level": 1} for i in range(10_000)}
    p = Partnership(id="p", name="P", kind="defense-cooperation", members=("A",), ratings=ratings)
    with pytest.raises(InputError) as err:
        p.check_against(load_rubric(), source="p.json")
    assert len(err.value.problems) == 10_000  # all kept for programs
    assert err.value.problems[0].criterion == "nope.c0"
    text = str(err.value)
    assert len(text) < 5_000
    assert text.splitlines()[0] == "p.json: 10000 problems:"
    assert f"... and {10_000 - SHOWN_PROBLEMS} more" in text
    assert len(json.loads(err.value.to_json())["problems"]) == 10_000


def test_a_huge_value_is_not_echoed_back_whole():
    err = InputError([Problem("$.name", "x" * 10_000_000)], source="big.json")
    assert len(str(err)) < 200
    assert str(err).endswith("x" * 79 + "…")  # cut to 80 characters with an ellipsis
    assert len(err.problems[0].message) == 80  # the problem itself is cut too


def test_an_echoed_value_is_cut_and_the_message_goes_on():
    value = repr("y" * 5_000_000)
    err = InputError([Problem("$.kind", f"unknown kind {value} (expected one of: a, b)")])
    text = str(err)
    assert text.endswith("y…' (expected one of: a, b)") and len(text) < 200


def test_a_long_text_message_is_cut_and_counted():
    err = InputError([Problem("$", "word " * 1_000_000)])
    assert len(str(err)) < 700 and "more characters" in str(err)


def test_no_message_is_over_ten_kilobytes():
    wide = "\U0001f600 " * 400  # 4-byte characters, with blanks so no value is cut
    err = InputError([Problem(f"$.r{i}", wide) for i in range(10_000)], source="f.json")
    assert len(str(err).encode()) <= 10_000
    assert "more (all of them" in str(err)
    assert len(err.problems) == 10_000

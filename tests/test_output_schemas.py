"""Every JSON document readiness writes has a schema (``readiness schema KIND``) built
from the type the document is built as, and real documents validate against it."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import readiness as rd
from readiness.cli.info import OUTPUTS, output_json_schema
from tests.cli_harness import cli
from tests.report.test_result_snapshots import EXAMPLES, _a, _results

NAMES = ("aukus", "fpda", "nato", "quad")


def _dated_pair() -> Any:
    p = rd.load_partnership(EXAMPLES / "aukus.json")
    old = p.model_copy(update={"assessed_on": __import__("datetime").date(2024, 1, 1)})
    return rd.compare([rd.assess(old), _a("aukus")])


def _sided_panel() -> Any:
    """A panel of three assessors from two sides (it has a perception gap), built from
    the shipped AUKUS example as tests/test_panel.py builds one."""
    from readiness.panel import assess_panel, panel_from_partnerships
    from readiness.partnership import partnership_from_dict

    base = json.loads((EXAMPLES / "aukus.json").read_text())
    people = []
    for who, side, shift in (("A", "USA", 0), ("B", "USA", 1), ("C", "AUS", 0)):
        doc = dict(base, assessor=who)
        doc["ratings"] = {
            k: dict(r, perspective=side)
            | ({"level": min(4, max(0, r["level"] + shift))} if isinstance(r["level"], int) else {})
            for k, r in base["ratings"].items()
        }
        doc.pop("facts")
        people.append(partnership_from_dict(doc))
    result = assess_panel(panel_from_partnerships(people))
    assert result.perception is not None
    return result


@cache
def _robust() -> Any:
    from readiness.robustness import robustness

    return robustness([_a(n) for n in NAMES], samples=200, n=64)


def _robustness_command(*names: str) -> Any:
    """What ``readiness robustness --format json`` prints (with ``dominance`` and
    ``audit``: ``None`` under three files)."""
    files = [str(EXAMPLES / f"{n}.json") for n in names]
    r = cli("robustness", *files, "--format", "json", "--samples", "200", "--sobol", "64")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


#: kind -> documents of that kind, from real results (every kind in OUTPUTS)
DOCUMENTS: dict[str, Callable[[], list[Any]]] = {
    "report": lambda: [_a(n).to_dict() for n in NAMES],
    "comparison": lambda: [rd.compare([_a(n) for n in NAMES]).to_dict(), _dated_pair().to_dict()],
    # aukus has evidence gaps, nato a failed gate
    "gaps": lambda: [_a(n).gaps().to_dict() for n in NAMES],
    "roadmap": lambda: [_a(n).roadmap().to_dict() for n in NAMES],
    "robustness": lambda: [
        _robust().to_dict(),
        _robustness_command(*NAMES),
        _robustness_command("aukus"),
    ],
    "uncertainty": lambda: [_robust().uncertainty.to_dict()],
    "sensitivity": lambda: [_robust().sensitivity.to_dict()],
    "audit": lambda: [_results()["audit"]().to_dict()],
    "panel": lambda: [_results()["panel"]().to_dict(), _sided_panel().to_dict()],
    "explanation": lambda: [_a(n).explain().to_dict() for n in NAMES],
}


def test_every_output_kind_has_documents_to_check():
    assert set(DOCUMENTS) == set(OUTPUTS)


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_real_documents_validate_against_their_schema(kind: str):
    schema = output_json_schema(kind)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for doc in DOCUMENTS[kind]():
        data = json.loads(json.dumps(doc))  # as a reader gets it
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_the_command_prints_the_schema(kind: str):
    r = cli("schema", kind)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["$id"].startswith(f"urn:readiness:{kind}:")


#: kind -> (JSON path to a value, a value of the wrong type there); the same path with
#: its key removed must be rejected too (every key listed here is required)
WRONG: dict[str, tuple[tuple[str | int, ...], Any]] = {
    "report": (("overall",), "high"),
    "comparison": (("assessments", 0, "coverage"), "all"),
    "gaps": (("gaps", 0, "remediation", 0, "to_level"), "four"),
    "roadmap": (("steps", 0, "score_after"), "60"),
    "robustness": (("summary", 0, "margin"), "tight"),
    "uncertainty": (("partnerships", 0, "score", "p05"), "low"),
    "sensitivity": (("partnerships", 0, "rank", "total"), [0.5]),
    "audit": (("items", 0, "never_varies"), "no"),
    "panel": (("agreement", "criteria", 0, "levels"), 3),
    "explanation": (("rows", 0, "state"), "counted"),
}


def test_every_output_kind_has_a_wrong_document():
    assert set(WRONG) == set(OUTPUTS)


def _at(doc: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@pytest.mark.parametrize("change", ["wrong type", "missing key"])
@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_a_schema_rejects_a_wrong_document(kind: str, change: str):
    """The schema is strict enough to fail: a real document with one value of the wrong
    type, or with one required key removed, no longer validates."""
    validator = Draft202012Validator(output_json_schema(kind))
    doc = json.loads(json.dumps(DOCUMENTS[kind]()[0]))
    assert not list(validator.iter_errors(doc))
    path, wrong = WRONG[kind]
    parent = _at(doc, path[:-1])
    if change == "wrong type":
        parent[path[-1]] = wrong
    else:
        del parent[path[-1]]
    assert list(validator.iter_errors(doc)), f"{kind}: {change} at {list(path)} validates"


def test_a_schema_catches_a_wrong_document():
    validator = Draft202012Validator(output_json_schema("comparison"))
    doc = json.loads(json.dumps(rd.compare([_a("nato")]).to_dict()))
    doc["assessments"][0]["coverage"] = "all"
    assert list(validator.iter_errors(doc))


def test_the_row_shapes_hold_every_field_of_their_rows():
    """A gap and a roadmap step have one JSON shape: the typed dicts the gap report and
    roadmap write name exactly the fields of the rows the report document writes."""
    from dataclasses import fields

    from readiness.gaps import GapRow, GapRowData, StepRow, StepRowData

    assert list(GapRowData.__annotations__) == [f.name for f in fields(GapRow)]
    assert set(StepRowData.__annotations__) == {f.name for f in fields(StepRow)}


def test_path_is_refused_for_a_schema_that_ships_no_file():
    r = cli("schema", "gaps", "--path")
    assert r.returncode == 2
    assert "no file ships for 'gaps'" in r.stderr and "Traceback" not in r.stderr


def test_the_help_lists_every_output_kind():
    r = cli("schema", "--help")
    assert r.returncode == 0
    described = " ".join(r.stdout.split())
    for kind, out in OUTPUTS.items():
        assert f"{kind} ({out.source})" in described

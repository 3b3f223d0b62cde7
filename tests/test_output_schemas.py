"""Every JSON document readiness writes has a schema (``readiness schema KIND``) built
from the type the document is built as, and real documents validate against it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import readiness as rd
from readiness.cli.info import OUTPUTS, output_json_schema
from tests.cli_harness import cli
from tests.report.test_result_snapshots import EXAMPLES, _a

NAMES = ("aukus", "fpda", "nato", "quad")


def _dated_pair() -> Any:
    p = rd.load_partnership(EXAMPLES / "aukus.json")
    old = p.model_copy(update={"assessed_on": __import__("datetime").date(2024, 1, 1)})
    return rd.compare([rd.assess(old), _a("aukus")])


#: kind -> documents of that kind, from real results (every kind in OUTPUTS)
DOCUMENTS: dict[str, Callable[[], list[Any]]] = {
    "report": lambda: [_a(n).to_dict() for n in NAMES],
    "comparison": lambda: [rd.compare([_a(n) for n in NAMES]).to_dict(), _dated_pair().to_dict()],
    "rate-first": lambda: [_a(n).rate_first(samples=20).to_dict() for n in NAMES],
    "chance-plan": lambda: [_a("nato").chance_plan("advanced", 0.9, samples=20).to_dict()],
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


def test_a_schema_catches_a_wrong_document():
    validator = Draft202012Validator(output_json_schema("comparison"))
    doc = json.loads(json.dumps(rd.compare([_a("nato")]).to_dict()))
    doc["assessments"][0]["coverage"] = "all"
    assert list(validator.iter_errors(doc))

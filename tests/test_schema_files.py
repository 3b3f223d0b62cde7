"""The JSON Schemas ship in the package (``readiness/schemas/``), equal to what
``readiness schema KIND`` prints, and a partnership file may name its schema in
``"$schema"`` (ignored when scoring, kept when written back or migrated)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from readiness import assess, load_partnership, load_rubric
from readiness._resources import SCHEMAS, schema_file
from readiness.migrate import migrate_file
from readiness.partnership import Partnership, partnership_from_dict
from tests.cli_harness import run_cli
from tests.factories import EXAMPLES, ROOT

SCHEMA_DIR = ROOT / "readiness" / "schemas"


def test_the_shipped_schemas_are_those_the_command_prints():
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(
        f"{k}.schema.json" for k in SCHEMAS
    )
    for kind in SCHEMAS:
        printed = run_cli("schema", kind, cwd=None)
        assert printed.returncode == 0
        assert schema_file(kind).read_text(encoding="utf-8") == printed.stdout, (
            f"readiness/schemas/{kind}.schema.json is stale: run `make schemas`"
        )
        Draft202012Validator.check_schema(json.loads(printed.stdout))


def test_schema_path_names_the_shipped_file():
    r = run_cli("schema", "partnership", "--path", cwd=None)
    assert r.returncode == 0
    assert Path(r.stdout.strip()) == SCHEMA_DIR / "partnership.schema.json"
    refused = run_cli("schema", "partnership", "--path", "--rubric", "defense-partnership")
    assert refused.returncode == 2 and "--path" in refused.stderr
    for kind in ("comparison", "rate-first", "chance-plan"):  # printed, not shipped as files
        none = run_cli("schema", kind, "--path", cwd=None)
        assert none.returncode == 2 and "no file ships" in none.stderr, none.stderr


def with_schema(path: Path, value: Any = "../readiness/schemas/partnership.schema.json") -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"$schema": value, **data}


def test_a_partnership_may_name_its_schema_and_scores_the_same(tmp_path: Path):
    rubric = load_rubric()
    source = EXAMPLES / "aukus.json"
    doc = with_schema(source)
    f = tmp_path / "aukus.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    p = load_partnership(f, rubric)
    assert p.schema_uri == doc["$schema"]
    assert assess(p, rubric).to_dict() == assess(load_partnership(source, rubric), rubric).to_dict()
    assert run_cli("validate", f, cwd=None).returncode == 0
    # the shipped schema accepts it too
    schema = json.loads(schema_file("partnership").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(doc)) == []
    # written back, it keeps the key (and reads back equal)
    dumped = p.model_dump(mode="json", exclude_none=True)
    assert dumped["$schema"] == doc["$schema"] and "schema_uri" not in dumped
    assert Partnership.model_validate(dumped) == p


def test_schema_must_be_text():
    doc = with_schema(EXAMPLES / "nato.json", value=3)
    with pytest.raises(ValueError, match=r"\$\['\$schema'\]: must be text"):
        partnership_from_dict(doc)
    schema = json.loads(schema_file("partnership").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(doc))


def test_migrate_keeps_the_schema_key(tmp_path: Path):
    doc = with_schema(EXAMPLES / "us-japan.json")
    doc.pop("format_version")
    doc["members"] = ["United States", "JP"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc), encoding="utf-8")
    m = migrate_file(old)
    assert m.changes and json.loads(m.text)["$schema"] == doc["$schema"]
    y = tmp_path / "old.yaml"
    y.write_text(
        "# yaml-language-server: $schema=../readiness/schemas/partnership.schema.json\n"
        "$schema: s.json  # kept\nid: x\nname: X\nkind: bilateral-alliance\nmembers: [FRA, DE]\n",
        encoding="utf-8",
    )
    migrated = migrate_file(y)
    assert "$schema: s.json  # kept" in migrated.text
    assert yaml.safe_load(migrated.text)["members"] == ["FRA", "DEU"]

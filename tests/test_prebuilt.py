"""The partnership's validator compiled from its pre-built core schema (readiness/_prebuilt.py)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import readiness._prebuilt as pb
from readiness.errors import ReadinessError
from readiness.partnership import Partnership, partnership_from_dict
from tests.factories import EXAMPLES
from tests.generate import corpus

ROOT = Path(__file__).resolve().parent.parent
NAME = "readiness.partnership.Partnership"


def test_the_shipped_schemas_are_current():
    # the table holds each model under the key of the code that defines it (with the
    # versions of Python and pydantic it was written with). `make parsed`
    pb._table.cache_clear()
    written_with, table = pb._table()
    assert written_with, "readiness/_schemas.marshal is missing: run `make parsed`"
    assert set(table) == set(pb.MODELS)
    for name in pb.MODELS:
        key, _ = table[name]
        assert key == pb._key(written_with), f"{name}'s code changed: run `make parsed`"


def test_the_schema_key_covers_the_code_that_defines_a_partnership():
    # every module of the package that `import readiness.partnership` loads is in the key:
    # an edit to any of them leaves the pre-built schema unused
    code = (
        "import sys, readiness.partnership; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'readiness')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(out.stdout.split()) - {"readiness", "readiness._version"}
    covered = {f"readiness.{m}" for m in pb.SCHEMA_CODE}
    assert "readiness.partnership" in loaded and loaded <= covered, sorted(loaded - covered)


@pytest.fixture
def prebuilt(tmp_path, monkeypatch):
    """A table written here (the shipped one may hold other versions of pydantic), in
    place of readiness/_schemas.marshal; the validators compiled from it are dropped after."""
    out = tmp_path / "schemas.marshal"
    pb.write_prebuilt(out)
    monkeypatch.setattr(pb, "PREBUILT", out)
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as the command line sets it
    pb._table.cache_clear()
    pb._VALIDATORS.clear()
    yield out
    pb._table.cache_clear()
    pb._VALIDATORS.clear()


def _mutations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Invalid versions of ``doc``, one mistake each, of the kinds the validators word."""
    out = []

    def changed(edit: Any) -> None:
        new = copy.deepcopy(doc)
        edit(new)
        out.append(new)

    criterion = next(iter(doc.get("ratings") or {"trust.commitment-record": {}}))
    changed(lambda d: d.update(unknown_field=1))
    changed(lambda d: d.update(kind="no-such-kind"))
    changed(lambda d: d.update(assessed_on="2024-02-30"))
    changed(lambda d: d.update(assessed_on="2999-01-01"))
    changed(lambda d: d.update(assessed_on="7 June 2024"))
    changed(lambda d: d.update(members=["", {"code": 3}]))
    changed(lambda d: d.update(members="USA"))
    changed(lambda d: d.setdefault("ratings", {}).update({criterion: {"level": 7}}))
    changed(lambda d: d.setdefault("ratings", {}).update({criterion: {"level": True}}))
    changed(lambda d: d.setdefault("ratings", {}).update({criterion: {"level": "high"}}))
    changed(lambda d: d.setdefault("ratings", {}).update({criterion: 3}))
    changed(lambda d: d.update(facts={"exercises_per_year": -1, "no_such_fact": 2}))
    changed(lambda d: d.update(facts={"planning_exchange": "sometimes"}))
    changed(lambda d: d.update(facts=[]))
    changed(lambda d: d.pop("id", None))
    return out


def _outcome(doc: dict[str, Any]) -> tuple[str, Any]:
    """What validating ``doc`` as a partnership gives: its dump, or the problems."""
    try:
        p = partnership_from_dict(doc)
    except ReadinessError as exc:
        return "error", [(q.path, q.message) for q in exc.problems]
    return "valid", (p, p.model_dump(mode="json"))


def test_the_prebuilt_validator_validates_as_the_model_does(prebuilt, monkeypatch):
    docs = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(EXAMPLES.glob("*.json"))]
    docs += corpus(40, seed=7)
    docs += [m for d in docs[:3] for m in _mutations(d)]
    assert pb.validator(Partnership) is not None
    with_prebuilt = [_outcome(d) for d in docs]
    monkeypatch.setattr(pb, "validator", lambda model: None)  # the model's own validator
    with_model = [_outcome(d) for d in docs]
    assert with_prebuilt == with_model
    kinds = [kind for kind, _ in with_model]
    assert kinds.count("valid") >= 10 and kinds.count("error") >= 20


def test_the_prebuilt_schema_is_used_only_with_its_code_and_versions(prebuilt, monkeypatch):
    assert pb.validator(Partnership) is not None
    with monkeypatch.context() as mp:
        mp.setattr(pb, "_VALIDATORS", {})
        mp.setattr(pb, "SCHEMA_CODE", pb.SCHEMA_CODE[:-1])
        assert pb.validator(Partnership) is None  # the code defining it is another
    with monkeypatch.context() as mp:
        mp.setattr(pb, "_VALIDATORS", {})
        mp.setattr(pb, "versions", lambda: "cpython 3.11, pydantic 2.0.0, another")
        assert pb.validator(Partnership) is None
    with monkeypatch.context() as mp:
        mp.setattr(pb, "_VALIDATORS", {})
        mp.setattr(pb, "PREBUILT", prebuilt.with_name("absent.marshal"))
        pb._table.cache_clear()
        assert pb.validator(Partnership) is None  # no table: the model's own validator
    with monkeypatch.context() as mp:  # pydantic's plugins may wrap the model's validator
        for plugins in (None, "0", "logfire"):
            if plugins is None:
                mp.delenv("PYDANTIC_DISABLE_PLUGINS")
            else:
                mp.setenv("PYDANTIC_DISABLE_PLUGINS", plugins)
            assert pb.validator(Partnership) is None
    assert pb.validator(Partnership) is not None  # once they are off again
    pb._table.cache_clear()
    prebuilt.write_bytes(b"not marshal")
    pb._VALIDATORS.clear()
    assert pb.validator(Partnership) is None


def test_a_command_reading_a_partnership_builds_no_schema(tmp_path):
    # in a fresh process: the partnership is validated by the pre-built validator, and
    # pydantic builds no model's schema (nor the partnership's, nor a nested one's)
    table = str(tmp_path / "schemas.marshal")
    write = f"import pathlib, readiness._prebuilt as p; p.write_prebuilt(pathlib.Path({table!r}))"
    subprocess.run([sys.executable, "-c", write], cwd=ROOT, check=True)
    check = (
        "import pathlib, readiness._prebuilt as p\n"
        f"p.PREBUILT = pathlib.Path({table!r})\n"
        "from pydantic import BaseModel\n"
        "from readiness.cli import main\n"
        "assert main(['validate', 'examples/partnerships/nato.json']) == 0\n"
        "def models(c):\n"
        "    for s in c.__subclasses__():\n"
        "        yield s\n"
        "        yield from models(s)\n"
        "built = [c.__name__ for c in models(BaseModel)\n"
        "         if c.__module__.startswith('readiness') and c.__pydantic_complete__]\n"
        "print(sorted(p._VALIDATORS), built)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == f"['{NAME}'] []"

"""The generator of partnership documents covers the whole file format and every fact."""

from __future__ import annotations

import math

import pytest

from readiness import facts, partnership
from readiness.errors import InputError
from readiness.facts import FEATURES
from readiness.partnership import partnership_from_dict
from readiness.resolve import resolve
from tests.generate import MODEL_TABLES, RUBRIC, corpus

MODELS = {
    "Partnership": partnership.Partnership,
    "Facts": facts.Facts,
    "Agreement": facts.Agreement,
    "Invocation": facts.Invocation,
    "Disruption": facts.Disruption,
    "Atop": facts.Atop,
    "Interoperability": facts.Interoperability,
    "Member": partnership.Member,
    "Suspension": partnership.Suspension,
    "StatusChange": partnership.StatusChange,
    "Rating": partnership.Rating,
    "Evidence": partnership.Evidence,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_field_of_every_model_is_drawn(name):
    # a new fact (or any new field) must be added to tests/generate.py too
    # the names a document uses: a field's alias where it has one ("$schema")
    fields = {field.alias or key for key, field in MODELS[name].model_fields.items()}
    assert set(MODEL_TABLES[name]) == fields, name


def test_every_model_with_fields_has_a_table():
    # a new nested model of the file format: give it a table in tests/generate.py
    from pydantic import BaseModel

    nested = set()
    todo = [partnership.Partnership]
    while todo:
        model = todo.pop()
        nested.add(model.__name__)
        for field in model.model_fields.values():
            for kind in _models_in(field.annotation):
                if kind.__name__ not in nested and issubclass(kind, BaseModel):
                    todo.append(kind)
    assert nested <= set(MODEL_TABLES), sorted(nested - set(MODEL_TABLES))


def _models_in(annotation: object) -> list[type]:
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


@pytest.fixture(scope="module")
def valid():
    docs = corpus(400, seed=20)
    out = []
    for doc in docs:
        try:
            p = partnership_from_dict(doc)
            p.check_against(RUBRIC)
        except InputError:
            continue
        out.append(p)
    assert len(out) >= 0.8 * len(docs)  # mostly valid: the equality tests need scores
    return out


def test_every_feature_takes_every_kind_of_value(valid):
    table = resolve(valid, RUBRIC).table
    for name, feature in FEATURES.items():
        column = table.get(name)
        seen = {float(v) for v in column if not math.isnan(v)}
        assert seen, f"no generated partnership gives {name} a value"
        if feature.type in ("flag", "category"):
            assert seen == set(map(float, range(len(feature.values)))), (name, seen)
        else:
            assert len(seen) >= 2, (name, seen)


def test_every_rule_gives_levels(valid):
    r = resolve(valid, RUBRIC)
    spread = 0
    for j in r.rules:
        levels = {float(v) for v in r.derived[:, j] if not math.isnan(v)}
        assert levels, f"no generated partnership gets a level from {RUBRIC.criteria[j].id}"
        spread += len(levels) >= 3
    assert spread >= 0.75 * len(r.rules)  # most rules are seen at three levels or more

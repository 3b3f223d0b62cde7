"""Names that meant two things (issue 22): the old name of the renamed one still works,
with a DeprecationWarning, and is the very same object."""

from __future__ import annotations

import importlib

import pytest

RENAMED = [
    # module, old name, new name
    ("readiness.robustness", "Panel", "PartnershipArrays"),
    ("readiness.robustness._panel", "Panel", "PartnershipArrays"),
    ("readiness.agreement", "Agreement", "AssessorAgreement"),
    ("readiness.migrate", "Change", "Rewrite"),
]


@pytest.mark.parametrize(("module", "old", "new"), RENAMED)
def test_the_old_name_warns_and_is_the_new_object(module, old, new):
    m = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{old} is deprecated; use .*{new}"):
        value = getattr(m, old)
    assert value is getattr(m, new)
    assert old not in m.__all__ and new in m.__all__


@pytest.mark.parametrize(("module", "old", "new"), RENAMED)
def test_from_import_of_the_old_name_warns_at_the_importer(module, old, new):
    with pytest.warns(DeprecationWarning, match=f"use {module}.{new}") as caught:
        exec(f"from {module} import {old} as value", namespace := {})
    assert namespace["value"] is getattr(importlib.import_module(module), new)
    assert caught[0].filename == "<string>"  # points at the line that used the old name


def test_the_kept_meanings():
    # the public meanings stay: assessors of one partnership, a treaty, a comparison row
    from readiness.compare import Change
    from readiness.facts import Agreement
    from readiness.panel import Panel

    assert Panel.__module__ == "readiness.panel"
    assert Agreement.__module__ == "readiness.facts"
    assert Change.__module__ == "readiness.compare"


def test_other_missing_names_are_plain_attribute_errors():
    import readiness.agreement

    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        readiness.agreement.nope  # noqa: B018


def test_old_and_new_names_work_alike():
    import numpy as np

    from readiness import load_rubric
    from readiness.migrate import migrate_document
    from readiness.robustness import PartnershipArrays, uncertainty

    rubric = load_rubric()
    levels = np.full((2, len(rubric.criterion_ids)), 2.0)
    with pytest.warns(DeprecationWarning, match="PartnershipArrays"):
        from readiness.robustness import Panel
    old = uncertainty(Panel.from_arrays(levels, rubric), samples=16)
    new = uncertainty(PartnershipArrays.from_arrays(levels, rubric), samples=16)
    assert old.to_dict() == new.to_dict()
    with pytest.warns(DeprecationWarning, match="Rewrite"):
        from readiness.migrate import Change
    _, _, changes = migrate_document({"id": "x", "name": "x", "members": ["US", "GB"]})
    assert changes and all(isinstance(c, Change) for c in changes)

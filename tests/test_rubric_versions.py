"""Released versions of the shipped rubric load by version and score as their release did.

``tests/compat`` holds every partnership that releases 0.1.0 and 0.2.0 scored against
their shipped rubric (1.1.0 and 1.2.0) with the scores they gave (``then``). Scored
today against ``load_rubric(version=...)``, each gives those scores again.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from readiness import load_rubric, rubric_versions
from readiness.errors import RubricError
from tests.compat.build import load, score
from tests.factories import ROOT

RELEASES = {"0.1.0": "1.1.0", "0.2.0": "1.2.0"}
"""Release of readiness -> version of the rubric it shipped."""
COMMITS = {"1.1.0": "ea9de70", "1.2.0": "9b52d11"}
"""Rubric version -> the release commit it is taken from (rubrics/versions/README.md)."""


def test_the_released_versions_and_the_current_one_are_listed_oldest_first():
    assert rubric_versions() == ["1.1.0", "1.2.0", load_rubric().version]
    assert rubric_versions("defense-partnership") == rubric_versions()


@pytest.mark.parametrize("version", ["1.1.0", "1.2.0"])
def test_a_released_version_loads_as_itself(version: str):
    rubric = load_rubric(version=version)
    assert rubric.version == version and rubric.id == "defense-partnership"
    assert load_rubric("defense-partnership", version=version) is rubric  # loaded once
    assert rubric != load_rubric()


def test_the_current_version_by_number_is_the_shipped_rubric():
    current = load_rubric()
    assert load_rubric(version=current.version) is current


@pytest.mark.parametrize(("release", "version"), sorted(RELEASES.items()))
def test_a_release_scores_reproduce_with_its_rubric_version(release: str, version: str):
    docs, expected = load(release)
    rubric = load_rubric(version=version)
    moved_since = 0
    for doc, e in zip(docs, expected, strict=True):
        assert score(doc, rubric) == e["then"], e["id"]
        moved_since += e["now"] != e["then"]
    assert moved_since > 0  # the current rubric does not give these scores: the version matters


@pytest.mark.parametrize("version", sorted(COMMITS))
def test_a_released_file_is_the_release_s_file_byte_for_byte(version: str):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git history of a source checkout")
    shown = subprocess.run(
        ["git", "show", f"{COMMITS[version]}:rubrics/defense-partnership.yaml"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip("the release commit is not in this clone's history")
    shipped = ROOT / "rubrics" / "versions" / f"defense-partnership-{version}.yaml"
    assert shipped.read_bytes() == shown.stdout


def test_an_unknown_version_names_the_versions_there_are():
    with pytest.raises(RubricError, match=r"no version '0\.9\.0' \(versions: 1\.1\.0, 1\.2\.0"):
        load_rubric(version="0.9.0")


def test_a_version_of_a_file_or_unknown_rubric_is_refused():
    with pytest.raises(RubricError, match="picks a release of a shipped rubric"):
        load_rubric(str(ROOT / "rubrics" / "defense-partnership.yaml"), version="1.1.0")
    with pytest.raises(RubricError, match="picks a release of a shipped rubric"):
        load_rubric("nope", version="1.1.0")
    with pytest.raises(RubricError, match="no shipped rubric named 'nope'"):
        rubric_versions("nope")

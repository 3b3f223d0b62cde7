"""Files valid in a released version stay valid, and score as CHANGELOG.md says.

The corpus (``tests/compat``, see its README) holds every shipped example and every
test partnership of releases 0.1.0 and 0.2.0 as they were then, the scores those
releases gave and the scores expected now; a score that moved names the CHANGELOG.md
section that says why.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.compat.build import load, score

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ["0.1.0", "0.2.0"]
SECTIONS = set(re.findall(r"^### (.+)$", (ROOT / "CHANGELOG.md").read_text(), re.M))
EXAMPLES = {
    json.loads(f.read_text(encoding="utf-8"))["id"]
    for f in (ROOT / "examples" / "partnerships").glob("*.json")
}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_file_of_a_release_loads_and_scores_as_expected(version):
    docs, expected = load(version)
    assert len(docs) == len(expected) >= 50
    assert {e["id"] for e in expected} >= EXAMPLES  # the shipped examples as they were
    for doc, e in zip(docs, expected, strict=True):
        now = score(doc)
        assert "error" not in now, (e["id"], now)  # valid then, valid now
        assert now == e["now"], (e["id"], e["now"], now)
        if now != e["then"]:
            assert e["why"] in SECTIONS, (e["id"], e["why"])
        else:
            assert e["why"] is None, e["id"]

"""The shipped examples: every partnership validates and scores; the quickstart runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from readiness import assess, load_partnership, load_rubric
from tests.factories import EXAMPLES, ROOT

FILES = sorted(EXAMPLES.glob("*.json"))


def test_the_case_studies_are_shipped():
    assert {"nato", "us-japan", "aukus", "admm-plus"} <= {f.stem for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_scores(path):
    rubric = load_rubric()
    p = load_partnership(path, rubric)
    assert p.id == path.stem
    a = assess(p, rubric)
    assert a.overall is not None, a.reason
    assert a.coverage >= rubric.min_coverage
    assert a.gaps().profile.id  # every example gets a target and a gap report


def test_case_study_order_matches_the_documents():
    """NATO is the documents' benchmark alliance; ADMM-Plus a consultative forum."""
    rubric = load_rubric()
    score = {
        f.stem: assess(load_partnership(f, rubric), rubric).overall
        for f in FILES
        if f.stem in {"nato", "us-japan", "aukus", "admm-plus"}
    }
    assert score["nato"] > score["us-japan"] > score["admm-plus"]
    assert score["nato"] > score["aukus"] > score["admm-plus"]


def test_quickstart_runs():
    r = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "what-if" in r.stdout

"""Reports for the report tests: the shipped examples, a fixed synthetic partnership
(so unit tests do not move when the examples are edited) and a hostile one."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from readiness import Partnership, assess, load_partnership, load_rubric
from readiness.assessment import Assessment
from readiness.report import Report, build_report
from tests.factories import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))

SCRIPT_NAME = "<script>alert(1)</script>"
BOLD_EVIDENCE = "Signed <b>in secret</b> & ratified"
IMG_EVIDENCE = "<img src=x onerror=\"document.title='PWNED'\">"
SOURCE = 'Minutes "of" the <i>council</i>'
URL = "https://example.org/a?b=1&c=<2>"

LEVELS = (4, 3, 4, 3, 2)
GATE = "intel.protection-protocols"  # rated 1: below its minimum of 2
UNKNOWN = "cyber.joint-exercises"
NOT_APPLICABLE = "burden.pooled-resources"


@functools.cache
def example_assessment(path: Path) -> Assessment:
    rubric = load_rubric()
    return assess(load_partnership(path, rubric), rubric)


def example_report(path: Path) -> Report:
    return build_report(example_assessment(path))


def synthetic_data(name: str = "Synthetic partnership") -> dict[str, Any]:
    """Every criterion of the shipped rubric rated (one failed gate, one unknown, one n/a)."""
    rubric = load_rubric()
    ratings: dict[str, Any] = {}
    for i, cid in enumerate(rubric.criterion_ids):
        if cid == UNKNOWN:
            ratings[cid] = {"level": "unknown", "note": "no public source"}
        elif cid == NOT_APPLICABLE:
            ratings[cid] = {"level": "not-applicable"}
        else:
            ratings[cid] = {
                "level": 1 if cid == GATE else LEVELS[i % len(LEVELS)],
                "confidence": "low" if i % 7 == 0 else "high",
                "evidence": [{"text": f"Evidence for {cid}.", "source": "Synthetic source"}],
            }
    return {
        "id": "synthetic",
        "name": name,
        "kind": "technology-partnership",
        "members": ["AAA", "BBB"],
        "established": "2020-01-01",
        "description": "A made-up partnership for the report tests.",
        "assessor": "tests",
        "assessed_on": "2026-01-01",
        "ratings": ratings,
    }


def hostile_data(name: str = SCRIPT_NAME) -> dict[str, Any]:
    """The synthetic partnership with markup in every kind of free text a file can hold."""
    data = synthetic_data(name)
    data["description"] = f"A description with {SCRIPT_NAME} and <b>bold</b>."
    data["assessor"] = "<em>Assessor</em>"
    data["members"] = ["AUS", "<i>GBR</i>", "USA"]
    first = next(iter(data["ratings"]))
    data["ratings"][first]["note"] = "Note with <u>markup</u> & an ampersand"
    data["ratings"][first]["evidence"] = [
        {"text": BOLD_EVIDENCE, "source": SOURCE, "date": "2024-01-02", "url": URL},
        {"text": IMG_EVIDENCE, "source": "javascript:alert(1)", "url": "javascript:alert(1)"},
    ]
    return data


def assessment_of(data: dict[str, Any]) -> Assessment:
    return assess(Partnership.model_validate(data), load_rubric())


@functools.cache
def synthetic_assessment() -> Assessment:
    return assessment_of(synthetic_data())


def synthetic_report() -> Report:
    return build_report(synthetic_assessment())


def hostile_report(name: str = SCRIPT_NAME) -> Report:
    return build_report(assessment_of(hostile_data(name)))

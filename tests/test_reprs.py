"""Every object a user holds prints as one short line with its key figures.

A notebook shows results as HTML (``_repr_html_``); ``repr`` is for the console,
logs and debuggers, where a 100 KB dump of a rubric or an array bundle helps nobody.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness import assess, compare, load_partnership, load_rubric
from readiness.audit import audit
from readiness.io.questionnaire import read_questionnaire
from readiness.io.template import write_template
from readiness.panel import assess_panel, panel_from_dict
from readiness.robustness import robustness
from tests.factories import EXAMPLES

RUBRIC = load_rubric()
FILES = sorted(EXAMPLES.glob("*.json"))
PARTNERSHIPS = [load_partnership(f) for f in FILES]
ASSESSMENTS = [assess(p, RUBRIC) for p in PARTNERSHIPS]


def _objects(tmp: Path) -> dict[str, object]:
    nato = ASSESSMENTS[FILES.index(EXAMPLES / "nato.json")]
    r = robustness(ASSESSMENTS[:3], samples=64, n=64)
    doc = json.loads((EXAMPLES / "aukus.json").read_text())
    header = {k: v for k, v in doc.items() if k not in ("ratings", "assessor", "assessed_on")}
    people = [
        {"assessor": name, "side": side, "ratings": {"trust.commitment-record": {"level": lv}}}
        for name, side, lv in (("Ann", "AUS", 2), ("Bob", "USA", 4))
    ]
    panel = panel_from_dict({"partnership": header, "assessments": people})
    result = assess_panel(panel, RUBRIC)
    q = tmp / "q.json"
    write_template(q, RUBRIC, partnership=nato.partnership)
    return {
        "Rubric": RUBRIC,
        "Partnership": PARTNERSHIPS[0],
        "Assessment": nato,
        "GapReport": nato.gaps(),
        "Roadmap": nato.roadmap(),
        "Explanation": nato.explain(),
        "Plan": nato.plan("advanced"),
        "Frontier": nato.plan(budget=0).frontier(),
        "Comparison": compare(ASSESSMENTS[:2]),
        "Robustness": r,
        "Uncertainty": r.uncertainty,
        "Sensitivity": r.sensitivity,
        "Margins": r.margins,
        "Audit": audit(ASSESSMENTS),
        "Panel": panel,
        "PanelResult": result,
        "Agreement": result.agreement,
        "PerceptionGap": result.perception,
        "FilledQuestionnaire": read_questionnaire(q, RUBRIC),
    }


@pytest.fixture(scope="module")
def objects(tmp_path_factory) -> dict[str, object]:
    return _objects(tmp_path_factory.mktemp("reprs"))


NAMES = [
    "Rubric", "Partnership", "Assessment", "GapReport", "Roadmap", "Explanation", "Plan",
    "Frontier", "Comparison", "Robustness", "Uncertainty", "Sensitivity", "Margins", "Audit",
    "Panel", "PanelResult", "Agreement", "PerceptionGap", "FilledQuestionnaire",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_one_short_line_naming_the_type(objects, name):
    text = repr(objects[name])
    assert "\n" not in text and len(text) <= 200, (name, len(text), text[:300])
    assert text.startswith(f"<{name}"), text


@pytest.mark.parametrize("name", ["Assessment", "GapReport", "Comparison", "Robustness"])
def test_the_notebook_display_stays(objects, name):
    html = objects[name]._repr_html_()
    assert html.lstrip().startswith("<") and len(html) > 200

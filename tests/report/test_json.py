"""The JSON report: the report model as sorted, rounded, UTF-8 JSON."""

from __future__ import annotations

import json

from readiness.report import RENDERERS, render_json
from tests.report.helpers import hostile_report, synthetic_report


def test_json_is_the_report_model():
    r = synthetic_report()
    text = render_json(r)
    assert text.endswith("}\n") and text == render_json(synthetic_report())
    data = json.loads(text)
    assert data == json.loads(json.dumps(r.to_dict()))
    assert list(data) == sorted(data)
    assert data["overall"] == round(r.overall, 2)
    assert [b["id"] for b in data["bands"]] == [b.id for b in r.bands]
    assert data["roadmap"][-1]["effort_after"] == sum(s.effort_units for s in r.roadmap)


def test_json_keeps_text_as_is():
    text = render_json(hostile_report("Zürich <script>"))
    assert '"name": "Zürich <script>"' in text  # not ASCII-escaped; JSON needs no HTML escaping


def test_every_renderer_ends_with_a_newline():
    r = synthetic_report()
    for name, render in RENDERERS.items():
        assert render(r).endswith("\n"), name

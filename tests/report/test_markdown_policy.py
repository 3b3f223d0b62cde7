"""The Markdown report names the unknown policy in words."""

from readiness import assess, load_partnership, load_rubric
from readiness.report import build_report, render_markdown
from tests.factories import EXAMPLES


def test_policy_wording():
    rubric = load_rubric()
    p = load_partnership(EXAMPLES / "nato.json", rubric)
    worst = render_markdown(build_report(assess(p, rubric, unknown_policy="worst")))
    assert "unknowns counted as level 0" in worst and "worstd" not in worst
    assert "unknowns excluded" in render_markdown(build_report(assess(p, rubric)))

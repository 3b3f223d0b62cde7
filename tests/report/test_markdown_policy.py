"""The Markdown report names the unknown policy in words."""

from readiness import assess, load_partnership, load_rubric
from readiness.report import build_report, render_markdown
from tests.factories import EXAMPLES


def test_policy_wording():
    rubric = load_rubric()
    p = load_partnership(EXAMPLES / "nato.json", rubric)
    worst = render_markdown(build_report(assess(p, rubric, unknown_policy="worst")))
    assert "unknowns counted as level 0" in worst and "worstd" not in worst
    excluded = assess(p, rubric, unknown_policy="exclude")
    assert "unknowns excluded" in render_markdown(build_report(excluded))
    estimated = render_markdown(build_report(assess(p, rubric)))  # the rubric's policy
    assert "unknowns estimated from the known criteria" in estimated


def test_nothing_applies_renders_without_nan():
    from readiness import Partnership
    from readiness.report import render_html, render_json, render_text

    rubric = load_rubric()
    ratings = {c: {"level": "not-applicable"} for c in rubric.criterion_ids}
    p = Partnership(id="na", name="NA", kind="defense-cooperation", members=("A",), ratings=ratings)
    report = build_report(assess(p, rubric))
    for render in (render_markdown, render_text, render_json, render_html):
        out = render(report)
        assert "nan" not in out.lower().replace("nana", ""), render.__name__
        assert "no criterion applies" in out, render.__name__

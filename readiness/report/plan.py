"""Plan and frontier sections: Markdown, plain text, HTML fragments and the JSON document.

These lay out a :class:`readiness.plan.Plan` or :class:`readiness.plan.Frontier` and
compute nothing; the numbers come from the plan. Text from the rubric and the
partnership file is escaped for Markdown and HTML.
"""

from __future__ import annotations

from html import escape
from typing import Any

from readiness._numbers import shown
from readiness.plan import Frontier, Plan
from readiness.report.escape import markdown_escape as _md

__all__ = [
    "frontier_html",
    "frontier_markdown",
    "plan_html",
    "plan_json",
    "plan_markdown",
    "plan_text",
]

_STATUS = {
    "optimal": "proven cheapest",
    "not-proven": "not proven cheapest",
    "infeasible": "no plan reaches the target",
}


def _band(plan: Plan, band_id: str | None) -> str:
    return "-" if band_id is None else plan.assessment.rubric.band(band_id).name


def _goal(plan: Plan) -> str:
    parts = []
    if plan.target is not None:
        t = plan.target
        parts.append(
            f"to {_band(plan, t.band)} (score {t.score:g})" if t.band else f"to {t.score:g}"
        )
    if plan.budget is not None:
        parts.append(f"within a budget of {plan.budget:g} effort units")
    return " ".join(parts)


def _basis(plan: Plan) -> str:
    if plan.unknown == "lower":
        return (
            "Planned on the lower bound: unrated criteria count as level 0 and "
            "low-confidence ratings one level down until raised, so what the plan reaches "
            "holds whatever the unrated criteria turn out to be."
        )
    return (
        "Planned on the point score: unrated criteria stay unrated (rate them first; "
        "their ratings can move the score either way)."
    )


def _summary(plan: Plan) -> list[str]:
    """The plan's headline facts, one sentence each."""
    if plan.status == "optimal" and plan.budget is not None and not plan.reached:
        status = "the best score within the budget (proven); the target is not reached"
    elif plan.status == "optimal" and plan.budget is not None and plan.target is None:
        status = "the best score within the budget (proven)"
    else:
        status = _STATUS[plan.status]
    lines = [f"Status: {status}."]
    if plan.reason:
        lines.append(f"Why: {plan.reason}.")
    if plan.status != "infeasible":
        lines.append(
            f"Effort {plan.effort:g} units over {len(plan.steps)} criteria: score "
            f"{shown(plan.start)} -> {shown(plan.score)} ({_band(plan, plan.band)})."
        )
    lines.append(_basis(plan))
    if plan.unrated:
        lines.append(f"Unrated criteria: {', '.join(plan.unrated)}.")
    lines.append(
        f"Prerequisites refer to profile {plan.profile}: a criterion may rise to a level "
        "only when each prerequisite stands at that level or at the profile's level for "
        "it, whichever is lower."
    )
    return lines


def plan_markdown(plan: Plan) -> str:
    """The plan as a Markdown section (heading level 2); input text is escaped."""
    a = plan.assessment
    out = [f"## Cheapest plan {_goal(plan)}", ""]
    out += [" ".join(_md(line) for line in _summary(plan)), ""]
    if not plan.steps:
        if plan.status != "infeasible" and plan.reached:
            out.append("The target is already reached: nothing to do.")
        return "\n".join(out) + "\n"
    basis = "lower bound" if plan.unknown == "lower" else "score"
    out += [
        f"| step | criterion | levels | effort | points | {basis} after | band after |",
        "|---:|---|---|---:|---:|---:|---|",
    ]
    for s in plan.steps:
        frm = "unrated" if s.from_level is None else str(s.from_level)
        out.append(
            f"| {s.step} | {_md(s.title)} (`{s.criterion}`) | {frm} → {s.to_level} | "
            f"{s.effort_units:g} | {s.points:+.1f} | {s.score_after:.1f} | "
            f"{_band(plan, s.band_after)} |"
        )
    out.append("")
    out.append("### Steps in the rubric's words")
    out.append("")
    for s in plan.steps:
        out.append(f"{s.step}. **{_md(s.title)}** (`{s.criterion}`), {s.effort} effort")
        out.append(f"   - Now: {_md(s.level_now)}")
        out.append(f"   - After: {_md(s.level_after)}")
        for lv, text in s.actions:
            out.append(f"   - To level {lv}: {_md(text)}")
        if s.opens_gate:
            out.append(f"   - Gate: {_md(s.opens_gate)}")
        if s.after:
            out.append(f"   - After its prerequisites: {', '.join(s.after)}")
        if s.unrated_prerequisites:
            out.append(
                f"   - Unrated prerequisites (rate them first): "
                f"{', '.join(s.unrated_prerequisites)}"
            )
    out.append("")
    out.append(f"Rubric {a.rubric.label}.")
    return "\n".join(out) + "\n"


def plan_text(plan: Plan) -> str:
    """The plan as plain text for a terminal."""
    title = f"Cheapest plan for {plan.assessment.partnership.name} {_goal(plan)}"
    out = [title, "=" * len(title), *_summary(plan), ""]
    if not plan.steps:
        if plan.status != "infeasible" and plan.reached:
            out.append("The target is already reached: nothing to do.")
        return "\n".join(out) + "\n"
    for s in plan.steps:
        frm = "unrated" if s.from_level is None else str(s.from_level)
        out.append(
            f"{s.step:>2}. {s.criterion}: {frm} -> {s.to_level}  effort {s.effort_units:g}  "
            f"{s.points:+.1f} -> {s.score_after:.1f} ({_band(plan, s.band_after)})"
        )
        out.append(f"    now:   {s.level_now}")
        out.append(f"    after: {s.level_after}")
        for lv, text in s.actions:
            out.append(f"    to {lv}:  {text}")
        if s.opens_gate:
            out.append(f"    gate:  {s.opens_gate}")
        if s.unrated_prerequisites:
            out.append(f"    rate first: {', '.join(s.unrated_prerequisites)}")
    return "\n".join(out) + "\n"


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan's JSON document (:meth:`Plan.to_dict`)."""
    return plan.to_dict()


def plan_html(plan: Plan, *, chart: bool = True) -> str:
    """The plan as an HTML section (escaped), with the frontier chart when available."""
    rows = []
    for s in plan.steps:
        frm = "unrated" if s.from_level is None else str(s.from_level)
        actions = "".join(f"<li>to {lv}: {escape(text)}</li>" for lv, text in s.actions)
        gate = f"<p><strong>Gate:</strong> {escape(s.opens_gate)}</p>" if s.opens_gate else ""
        rows.append(
            "<tr>"
            f"<td>{s.step}</td>"
            f"<td>{escape(s.title)}<br><code>{escape(s.criterion)}</code></td>"
            f"<td>{frm} → {s.to_level}</td>"
            f"<td>{s.effort_units:g}</td>"
            f"<td>{s.points:+.1f}</td>"
            f"<td>{s.score_after:.1f}</td>"
            f"<td>{escape(_band(plan, s.band_after))}</td>"
            f"<td><p>Now: {escape(s.level_now)}</p><p>After: {escape(s.level_after)}</p>"
            f"<ul>{actions}</ul>{gate}</td>"
            "</tr>"
        )
    summary = "".join(f"<p>{escape(line)}</p>" for line in _summary(plan))
    table = (
        "<table class='plan'><thead><tr><th>step</th><th>criterion</th><th>levels</th>"
        "<th>effort</th><th>points</th><th>after</th><th>band</th><th>in the rubric's words"
        "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        if rows
        else ""
    )
    figure = ""
    if chart:
        from readiness.report import charts

        if charts.available() and plan.status != "infeasible":
            figure = charts.frontier_chart(plan.frontier(), plan)
    return (
        f"<section class='plan'><h2>{escape('Cheapest plan ' + _goal(plan))}</h2>"
        f"{summary}{table}{figure}</section>"
    )


def frontier_markdown(frontier: Frontier) -> str:
    """The frontier as a Markdown table (heading level 2)."""
    basis = "lower bound" if frontier.basis == "lower" else "score"
    out = [
        "## Effort and score: the frontier",
        "",
        f"Every plan that no other beats on both effort and {basis}"
        + ("" if frontier.proven else f" (not all proven: {_md(frontier.reason or '')})")
        + ".",
        "",
        f"| effort | {basis} | band | criteria raised |",
        "|---:|---:|---|---:|",
    ]
    rubric = frontier.assessment.rubric
    for p in frontier.points:
        band = rubric.band(p.band).name if p.band else "-"
        out.append(f"| {p.effort:g} | {p.score:.1f} | {band} | {len(p.levels)} |")
    return "\n".join(out) + "\n"


def frontier_html(frontier: Frontier) -> str:
    """The frontier chart (or its table when matplotlib is missing), as HTML."""
    from readiness.report import charts

    if charts.available() and frontier.points:
        return charts.frontier_chart(frontier)
    rows = "".join(
        f"<tr><td>{p.effort:g}</td><td>{p.score:.1f}</td><td>{escape(p.band or '-')}</td></tr>"
        for p in frontier.points
    )
    return (
        "<table class='frontier'><thead><tr><th>effort</th><th>score</th><th>band</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )

"""Render a :class:`~readiness.compare.Comparison` as Markdown, text or notebook HTML.

Each renderer shows the score table (pillars, overall, band, coverage; one column per
assessment), then what changed between dated assessments of the same partnership.
The HTML fragment also holds the pillar chart when matplotlib is installed.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from readiness._numbers import shown
from readiness.compare import Change, Comparison
from readiness.errors import ReportError
from readiness.report import charts
from readiness.report.escape import markdown_escape, neutralise

__all__ = ["comparison_html", "comparison_markdown", "comparison_text"]


def comparison_markdown(c: Comparison) -> str:
    """The comparison as Markdown: the score table, then what changed.

    Returns:
        A Markdown document; text from input files is escaped.
    """
    md = markdown_escape
    head = "| | " + " | ".join(md(label) for label in c.labels) + " |"
    rule = "|---|" + "---:|" * len(c.labels)
    out = [f"# Comparison of {len(c.assessments)} assessments", "", head, rule]
    for title, cells in _score_rows(c):
        bold = title == "Overall"
        name = f"**{md(title)}**" if bold else md(title)
        values = [f"**{md(x)}**" if bold else md(x) for x in cells]
        out.append(f"| {name} | " + " | ".join(values) + " |")
    groups = _change_groups(c)
    if groups:
        out += ["", "## What changed"]
    for heading, changes in groups:
        out += ["", f"### {md(heading)}", ""]
        out += [f"- {md(line)}" for line in _summary_lines(changes)]
        table = [x for x in changes if x.what in ("pillar", "criterion")]
        if table:
            out += ["", "| | item | before | after | change |", "|---|---|---:|---:|---:|"]
            out += [
                f"| {x.what} | {md(x.title)} (`{x.id}`) | {md(_show(x.old))} | "
                f"{md(_show(x.new))} | {_signed(x.delta, x.what)} |"
                for x in table
            ]
    return neutralise("\n".join(out) + "\n")


def comparison_text(c: Comparison) -> str:
    """The comparison as fixed-width text for terminals (``--format table``).

    Returns:
        The score table, then what changed.
    """
    rows = _score_rows(c)
    name_w = max(len(t) for t, _ in rows)
    widths = [
        max(len(label), *(len(cells[i]) for _, cells in rows)) for i, label in enumerate(c.labels)
    ]
    lines = [
        " " * name_w + "".join(f"  {label:>{w}}" for label, w in zip(c.labels, widths, strict=True))
    ]
    for title, cells in rows:
        lines.append(
            f"{title:<{name_w}}"
            + "".join(f"  {x:>{w}}" for x, w in zip(cells, widths, strict=True))
        )
    for heading, changes in _change_groups(c):
        lines += ["", f"What changed, {heading}"]
        lines += [f"  {line}" for line in _summary_lines(changes)]
        for x in changes:
            if x.what in ("pillar", "criterion"):
                delta = "" if x.delta is None else f" ({_signed(x.delta, x.what)})"
                lines.append(f"  {x.what} {x.id}: {_show(x.old)} → {_show(x.new)}{delta}")
    return neutralise("\n".join(lines) + "\n")


def comparison_html(c: Comparison) -> str:
    """HTML for notebooks: the score table, a chart when available, what changed.

    Returns:
        One ``<div class="readiness-comparison">`` element; text is escaped.
    """
    e = html.escape
    head = "".join(f"<th>{e(label)}</th>" for label in c.labels)
    body = []
    for title, cells in _score_rows(c):
        tds = "".join(f'<td style="text-align:right">{e(x)}</td>' for x in cells)
        body.append(f"<tr><th style='text-align:left'>{e(title)}</th>{tds}</tr>")
    parts = [
        '<div class="readiness-comparison">',
        f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
        _chart_html(c),
    ]
    for heading, changes in _change_groups(c):
        parts.append(f"<h4>What changed, {e(heading)}</h4>")
        parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in _summary_lines(changes)))
        parts.append("</ul>")
        rows = "".join(
            f"<tr><td>{e(x.what)}</td><td>{e(x.title)} (<code>{e(x.id)}</code>)</td>"
            f'<td style="text-align:right">{e(_show(x.old))}</td>'
            f'<td style="text-align:right">{e(_show(x.new))}</td>'
            f'<td style="text-align:right">{e(_signed(x.delta, x.what))}</td></tr>'
            for x in changes
            if x.what in ("pillar", "criterion")
        )
        if rows:
            parts.append(
                "<table><thead><tr><th></th><th>item</th><th>before</th><th>after</th>"
                f"<th>change</th></tr></thead><tbody>{rows}</tbody></table>"
            )
    parts.append("</div>")
    return neutralise("".join(parts))


# --- helpers ------------------------------------------------------------------------


def _score_rows(c: Comparison) -> list[tuple[str, list[str]]]:
    """(row title, one cell per assessment) for the side-by-side table."""
    rubric = c.assessments[0].rubric
    rows = [
        (p.title, [shown(a.pillars[i].score) for a in c.assessments])
        for i, p in enumerate(rubric.pillars)
    ]
    rows.append(("Overall", [shown(a.overall) for a in c.assessments]))
    rows.append(("Band", [a.band.name if a.band else "-" for a in c.assessments]))
    rows.append(("Coverage", [f"{a.coverage:.0%}" for a in c.assessments]))
    return rows


def _change_groups(c: Comparison) -> list[tuple[str, list[Change]]]:
    """(heading, changes) for each compared pair, in order."""
    names = {a.partnership.id: a.partnership.name for a in c.assessments}
    groups: dict[tuple[str, dt.date, dt.date], list[Change]] = {}
    for x in c.change_records():
        groups.setdefault((x.partnership, x.start, x.end), []).append(x)
    return [
        (f"{names[pid]} ({pid}): {start.isoformat()} → {end.isoformat()}", changes)
        for (pid, start, end), changes in groups.items()
    ]


def _summary_lines(changes: Sequence[Change]) -> list[str]:
    lines = []
    for x in changes:
        if x.what == "overall":
            delta = "" if x.delta is None else f" ({_signed(x.delta)})"
            lines.append(f"Overall: {_show(x.old)} → {_show(x.new)}{delta}")
        elif x.what == "band":
            lines.append(f"Band: {_show(x.old)} → {_show(x.new)}")
    pillars = sum(1 for x in changes if x.what == "pillar")
    criteria = sum(1 for x in changes if x.what == "criterion")
    lines.append(f"{pillars} pillar score(s) and {criteria} criterion rating(s) changed")
    return lines


def _chart_html(c: Comparison) -> str:
    """Pillar scores as grouped bars (inline SVG); empty without matplotlib."""
    if not charts.available():
        return ""
    try:
        svg = charts.comparison_chart(c)
    except ReportError:
        return ""
    return f'<div style="max-width:640px">{svg}</div>' if svg else ""


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _signed(value: float | None, what: str = "") -> str:
    """A signed change: whole levels for criteria, one decimal for scores."""
    if value is None:
        return ""
    return f"{round(value):+d}" if what == "criterion" else f"{value:+.1f}"

"""The panel section of a report: assessors, agreement, adjudication, perception gap.

A panel's report is the consensus assessment's report (built and rendered as any
other) with this section added: :func:`panel_section` renders it alone in one format
and :func:`add_panel_section` puts it into a rendered report (before the colophon of
an HTML page, at the end of Markdown or text, under the key ``panel`` of the JSON
document). Nothing here computes a score; the numbers come from
:class:`readiness.panel.PanelResult`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from markupsafe import escape

from readiness.panel import PanelResult
from readiness.report import charts as _charts
from readiness.report.escape import markdown_escape as _md
from readiness.report.model import json_ready

__all__ = ["add_panel_section", "panel_section"]

#: Criteria of the perception gap shown (the largest gaps, one level or more).
TOP_GAPS = 15


def _f(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.0%}"


def _lvl(value: float | int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:g}"


_RULE_WORDS = {
    "median": "the median of {n} assessors' levels per criterion",
    "mean": "the mean of {n} assessors' levels per criterion, rounded",
    "median-low": (
        "the median of {n} assessors' levels per criterion, the lower of the two middle "
        "levels where they differ (a conservative rule: it may fall below every assessor)"
    ),
    "median-high": (
        "the median of {n} assessors' levels per criterion, the higher of the two middle "
        "levels where they differ (it may rise above every assessor)"
    ),
    "min": "the lowest level any of {n} assessors gave (it may fall below every assessor)",
    "max": "the highest level any of {n} assessors gave (it may rise above every assessor)",
}


def consensus_words(r: PanelResult) -> str:
    """The consensus rule and what it did, in words (every format says it)."""
    n = len(r.assessors)
    text = _RULE_WORDS.get(r.rule, r.rule + " of {n} assessors").format(n=n)
    reached = r.reached
    if reached is None:
        return text
    ids = r.assessment.rubric.criterion_ids
    if reached.split and r.rule in ("median", "mean"):
        count = f"{len(reached.split)} {'criterion' if len(reached.split) == 1 else 'criteria'}"
        where = (
            f"where the two middle levels differ ({count}), the level between them"
            if r.rule == "median"
            else f"where the mean lies between two levels ({count}), the rounding"
        )
        text += f"; {where} that keeps the overall nearest the middle of the assessors' scores"
    if reached.moved:
        text += (
            f"; {', '.join(ids[j] for j in reached.moved)} moved toward the assessors' levels "
            "so that the overall stays between the lowest and the highest assessor"
        )
    if reached.central is not None:
        who = r.panel.assessments[reached.central].assessor
        text += f"; {who}'s levels taken, the middle assessor, to stay within the panel"
    if reached.bounded:
        text += (
            ". Each assessor's overall counts the panel's criteria: their own levels, and "
            "the consensus where they gave none"
        )
    return text


def _facts(r: PanelResult) -> list[str]:
    """The summary sentences, shared by every format (plain text)."""
    g = r.agreement.overall
    a = r.assessment
    lo, hi = r.consensus_interval
    out = [
        f"Consensus: {consensus_words(r)}.",
        f"Range: {_f(lo, 1)}-{_f(hi, 1)} from the consensus alone; {_f(a.lower, 1)}-"
        f"{_f(a.upper, 1)} with every criterion at the lowest and the highest level an "
        "assessor gave it.",
        f"Agreement: Krippendorff's alpha {_f(g.alpha_ordinal)} (ordinal), "
        f"{_f(g.alpha_interval)} (interval), {_f(g.alpha_nominal)} (nominal); "
        f"{_pct(g.within_one)} of {g.pairs} pairs of ratings within one level.",
    ]
    if r.agreement.straight_liners:
        out.append(
            "Straight-lining: "
            + ", ".join(r.agreement.straight_liners)
            + " gave every criterion the same level; check those ratings."
        )
    return out


def _header(r: PanelResult) -> tuple[list[str], list[list[str]]]:
    cols = ["assessor", "organisation", "side", "overall", "range", "rated"]
    rows = [
        [
            s.assessor,
            s.organisation or "-",
            s.side or "-",
            _f(s.overall, 1),
            f"{_f(s.lower, 0)}-{_f(s.upper, 0)}",
            str(s.rated),
        ]
        for s in r.assessors
    ]
    return cols, rows


def _pillars(r: PanelResult) -> tuple[list[str], list[list[str]]]:
    cols = ["pillar", "alpha (ordinal)", "within one level", "pairs"]
    rows = [
        [p.title, _f(p.alpha_ordinal), _pct(p.within_one), str(p.pairs)]
        for p in r.agreement.pillars
    ]
    return cols, rows


def _adjudication(r: PanelResult) -> tuple[list[str], list[list[str]]]:
    cols = ["criterion", *r.agreement.assessors, "median", "spread"]
    rows = [
        [c.id, *[_lvl(v) for v in c.levels], _lvl(c.median), str(c.spread)]
        for c in r.agreement.adjudication
    ]
    return cols, rows


def _perception(r: PanelResult) -> tuple[list[str], list[list[str]], list[str], list[list[str]]]:
    gap = r.perception
    assert gap is not None
    pcols = ["pillar", *gap.sides, "gap (points)"]
    prows = [
        [p.title, *[_f(v, 1) for v in p.values], _f(p.gap, 1)]
        for p in sorted(gap.pillars, key=lambda p: -(p.gap or 0.0))
    ]
    prows.append(["Overall", *[_f(v, 1) for v in gap.overall], _spread(gap.overall)])
    ccols = ["criterion", *gap.sides, "gap (levels)"]
    crows = [[c.id, *[_lvl(v) for v in c.values], _lvl(c.gap)] for c in gap.largest(TOP_GAPS)]
    return pcols, prows, ccols, crows


def _spread(values: Sequence[float | None]) -> str:
    known = [v for v in values if v is not None]
    return _f(max(known) - min(known), 1) if len(known) >= 2 else "-"


# --- formats ---------------------------------------------------------------------------


def _md_table(cols: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_md(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
    return out


def _markdown(r: PanelResult) -> str:
    out = ["## Assessors and agreement", ""]
    out += [f"- {_md(x)}" for x in _facts(r)]
    out += ["", *_md_table(*_header(r)), "", "### Agreement per pillar", ""]
    out += _md_table(*_pillars(r))
    out += ["", "### To adjudicate: assessors two levels or more apart", ""]
    cols, rows = _adjudication(r)
    out += (
        _md_table(cols, rows)
        if rows
        else ["No criterion: every pair of assessors is within one level."]
    )
    if r.perception is not None:
        pcols, prows, ccols, crows = _perception(r)
        sides = " and ".join(r.perception.sides)
        out += ["", f"### Perception gap: how {_md(sides)} see the partnership", ""]
        out += ["Each side's view is the consensus of its own assessors, scored alone.", ""]
        out += _md_table(pcols, prows)
        out += ["", "Criteria the sides rate one level or more apart, largest first:", ""]
        out += _md_table(ccols, crows) if crows else ["None."]
    return "\n".join(out) + "\n"


def _text_table(cols: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(c), *(len(row[i]) for row in rows)) if rows else len(c) for i, c in enumerate(cols)
    ]
    widths = [min(w, 42) for w in widths]
    line = "  ".join(c[: widths[i]].ljust(widths[i]) for i, c in enumerate(cols))
    out = [line.rstrip()]
    out += [
        "  ".join(v[: widths[i]].ljust(widths[i]) for i, v in enumerate(row)).rstrip()
        for row in rows
    ]
    return out


def _text(r: PanelResult) -> str:
    out = ["Assessors and agreement", "-" * 23, *_facts(r), ""]
    out += _text_table(*_header(r))
    out += ["", "To adjudicate (assessors two levels or more apart):"]
    cols, rows = _adjudication(r)
    out += (
        _text_table(cols, rows) if rows else ["  none: every pair of assessors is within one level"]
    )
    if r.perception is not None:
        pcols, prows, ccols, crows = _perception(r)
        out += ["", f"Perception gap ({' vs '.join(r.perception.sides)}), pillar scores:"]
        out += _text_table(pcols, prows)
        out += ["", "Criteria rated one level or more apart:"]
        out += _text_table(ccols, crows) if crows else ["  none"]
    return "\n".join(out) + "\n"


def _html_table(cols: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if i >= numeric_from else ""

    head = "".join(f"<th{cls(i)}>{escape(c)}</th>" for i, c in enumerate(cols))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{escape(v)}</td>" for i, v in enumerate(row)) + "</tr>\n"
        for row in rows
    )
    return (
        '<div class="table-wrap"><table class="data">'
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table></div>\n"
    )


def _html(r: PanelResult, charts: bool | None = None) -> str:
    out = ['<section class="block" id="panel" aria-labelledby="panel-heading">']
    out.append('<h2 id="panel-heading">Assessors and agreement</h2>')
    out += [f'<p class="section-lede">{escape(x)}</p>' for x in _facts(r)]
    out.append(_html_table(*_header(r), numeric_from=3))
    out.append("<h3>Agreement per pillar</h3>")
    out.append(_html_table(*_pillars(r)))
    out.append('<h3 id="adjudication">To adjudicate: assessors two levels or more apart</h3>')
    cols, rows = _adjudication(r)
    out.append(
        _html_table(cols, rows)
        if rows
        else '<p class="note">No criterion: every pair of assessors is within one level.</p>'
    )
    out.append("</section>")
    if r.perception is not None:
        pcols, prows, ccols, crows = _perception(r)
        sides = " and ".join(r.perception.sides)
        out.append('<section class="block" id="perception" aria-labelledby="perception-heading">')
        out.append(f'<h2 id="perception-heading">Perception gap: how {escape(sides)} see it</h2>')
        out.append(
            '<p class="section-lede">Each side\'s view is the consensus of its own assessors, '
            "scored alone. Where the partners see their partnership differently is often the "
            "most useful finding of an assessment.</p>"
        )
        draw = _charts.available() if charts is None else charts
        if draw:
            from readiness.report.agreement_charts import perception_chart

            out.append(
                f'<figure class="chart-figure">{perception_chart(r.perception)}'
                "<figcaption>One dot per side at its pillar score; the line spans the gap."
                "</figcaption></figure>"
            )
        out.append(_html_table(pcols, prows))
        out.append("<h3>Criteria the sides rate one level or more apart</h3>")
        out.append(_html_table(ccols, crows) if crows else '<p class="note">None.</p>')
        out.append("</section>")
    return "\n".join(out) + "\n"


def panel_section(result: PanelResult, fmt: str, *, charts: bool | None = None) -> str:
    """The panel section alone: ``markdown``, ``text``, ``html`` (a ``<section>``
    fragment styled by the report's CSS) or ``json``.

    Args:
        result: The panel's result (:func:`readiness.panel.assess_panel`).
        fmt: The format.
        charts: For HTML: draw the perception chart (``None``: if matplotlib is there).
    """
    if fmt == "markdown":
        return _markdown(result)
    if fmt == "html":
        return _html(result, charts)
    if fmt == "json":
        data = panel_json(result)
        return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return _text(result)


def panel_json(result: PanelResult) -> dict[str, Any]:
    """The panel part of a JSON document: its data at full precision, and the consensus
    rule in words."""
    data: dict[str, Any] = json_ready(result.to_dict())
    if data.get("consensus") is not None:
        data["consensus"]["words"] = consensus_words(result)
    return data


def add_panel_section(rendered: str, result: PanelResult | None, fmt: str) -> str:
    """A rendered report of the consensus assessment with the panel section added.

    ``None`` returns ``rendered`` unchanged (a single assessor's file).
    """
    if result is None:
        return rendered
    if fmt == "json":
        doc = json.loads(rendered)
        doc["panel"] = panel_json(result)
        return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    section = panel_section(result, fmt)
    if fmt == "html":
        mark = '<footer class="colophon">'
        at = rendered.find(mark)
        at = at if at >= 0 else rendered.rfind("</main>")
        return rendered[:at] + section + "\n" + rendered[at:]
    return rendered.rstrip("\n") + "\n\n" + section

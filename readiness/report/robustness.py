"""Render robustness results: a section for one partnership's report, and a set report.

For one partnership, :func:`robustness_section` is the JSON section (band
probabilities, score distribution, rank interval, the factors the score is most
sensitive to and the margins of each pillar weight), and
:func:`robustness_section_markdown` / :func:`robustness_section_html` lay it out; the
lead report (``readiness.report``) can embed them. For a set, :func:`robustness_markdown`,
:func:`robustness_text`, :func:`robustness_html` and :func:`robustness_json` show the
summary sentences, the score and rank table, the pairwise dominance table, the Sobol
indices, the tightest margins and, when given, the coherence audit. Text from input
files is escaped (Markdown by :func:`markdown_escape`, HTML by ``html.escape``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from readiness.assessment import Assessment
from readiness.audit import Audit
from readiness.document import words
from readiness.errors import InputError, Problem
from readiness.report import charts
from readiness.report.escape import markdown_escape
from readiness.report.extra import Section
from readiness.robustness import Robustness

__all__ = [
    "audit_markdown",
    "audit_text",
    "robustness_html",
    "robustness_json",
    "robustness_markdown",
    "robustness_section",
    "robustness_section_html",
    "robustness_section_markdown",
    "robustness_text",
]

DOMINANCE_MAX = 30
"""Partnerships beyond which the dominance table is left out (n x n cells)."""


def _f(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float) and math.isinf(x):
        return "any"
    return f"{x:.{digits}f}"


def _pct(x: Any) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def _index(r: Robustness, a: Assessment) -> int:
    label = a.partnership.id
    if label not in r.labels:
        raise InputError([Problem("assessment", f"{label!r} is not in this robustness result")])
    return r.labels.index(label)


def robustness_section(a: Assessment, r: Robustness) -> dict[str, Any]:
    """The robustness section of one partnership, as JSON-ready data.

    Raises:
        InputError: The assessment's partnership is not in ``r``.
    """
    i = _index(r, a)
    rec = r.records()[i]
    u = r.uncertainty
    probs = u.band_probabilities()[i]
    section: dict[str, Any] = {
        "samples": u.samples,
        "seed": u.seed,
        "choices": u.choices.to_dict(),
        "summary": r.summary()[i],
        "band_probabilities": {
            name: float(p) for name, p in zip([*u.band_ids, "none"], probs, strict=True)
        },
        "score": {k: rec[f"score_{k}"] for k in ("p05", "median", "p95")},
        "rank": {
            "point": rec["rank"],
            "p05": rec["rank_p05"],
            "median": rec["rank_median"],
            "p95": rec["rank_p95"],
            "of": r.panel.n,
        },
        "sensitivity": None,
        "margins": None,
    }
    if r.sensitivity is not None:
        sens = r.sensitivity.to_dict()["partnerships"][i]
        section["sensitivity"] = {"factors": list(r.sensitivity.factors), **sens}
    if r.margins is not None:
        rows = r.margins.for_partnership(a.partnership.id)
        section["margins"] = [
            {
                "pillar": row["pillar"],
                "weight": row["weight"],
                "down": row["down"],
                "down_band": _none(row["down_band"]),
                "up": None if math.isinf(row["up"]) else row["up"],
                "up_band": _none(row["up_band"]),
            }
            for row in rows.to_dict("records")
        ]
    return section


def _none(x: Any) -> Any:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def robustness_section_markdown(a: Assessment, r: Robustness) -> str:
    """The robustness section of one partnership as Markdown."""
    md = markdown_escape
    s = robustness_section(a, r)
    names = {b.id: b.name for b in a.rubric.bands} | {"none": "No score"}
    out = ["## Robustness", "", md(s["summary"]), ""]
    out += [
        f"Under {s['samples']:,} sampled sets of choices (seed {s['seed']}), the overall "
        f"score has median {_f(s['score']['median'])} and 90% interval "
        f"{_f(s['score']['p05'])}-{_f(s['score']['p95'])}.",
        "",
        "| Band | Probability |",
        "|---|---:|",
    ]
    out += [f"| {md(names[k])} | {_pct(v)} |" for k, v in s["band_probabilities"].items() if v]
    if s["margins"]:
        out += ["", "| Pillar weight | Keeps the band from | to |", "|---|---:|---:|"]
        tight = sorted(s["margins"], key=lambda m: (m["up"] is None, m["up"] or 0))[:5]
        out += [
            f"| {md(m['pillar'])} ({m['weight']:g}) | {_f(m['down'], 3)} | "
            f"{'any' if m['up'] is None else _f(m['up'], 3)} |"
            for m in tight
        ]
    return "\n".join(out) + "\n"


def robustness_section_html(a: Assessment, r: Robustness) -> str:
    """The robustness section of one partnership as an HTML fragment (chart if possible)."""
    e = html.escape
    s = robustness_section(a, r)
    names = {b.id: b.name for b in a.rubric.bands} | {"none": "No score"}
    parts = [
        '<section class="robustness">',
        "<h2>Robustness</h2>",
        f"<p>{e(s['summary'])}</p>",
        f"<p>Overall score under {s['samples']:,} sampled sets of choices: median "
        f"{_f(s['score']['median'])}, 90% interval {_f(s['score']['p05'])}&#8211;"
        f"{_f(s['score']['p95'])}.</p>",
    ]
    if charts.available():
        from readiness.report.robustness_charts import band_probability_chart

        parts.append(band_probability_chart(r.uncertainty, a.partnership.id))
    parts.append("<table><thead><tr><th>Band</th><th>Probability</th></tr></thead><tbody>")
    parts += [
        f"<tr><td>{e(names[k])}</td><td>{_pct(v)}</td></tr>"
        for k, v in s["band_probabilities"].items()
        if v
    ]
    parts.append("</tbody></table></section>")
    return "\n".join(parts) + "\n"


# --- a set of partnerships ------------------------------------------------------------


def robustness_json(r: Robustness, audit: Audit | None = None) -> dict[str, Any]:
    """The set report as JSON-ready data."""
    data = r.to_dict()
    if r.panel.n <= DOMINANCE_MAX:
        dom = r.uncertainty.dominance()
        data["dominance"] = {
            str(a): {str(b): float(v) for b, v in row.items()} for a, row in dom.iterrows()
        }
    data["audit"] = None if audit is None else audit.to_dict()
    return data


def _table_rows(r: Robustness) -> list[list[str]]:
    rows = []
    for rec in r.records():
        rows.append(
            [
                rec["partnership"],
                _f(rec["overall"]),
                rec["band"] or "-",
                _pct(rec["p_band"]),
                f"{_f(rec['score_p05'])}-{_f(rec['score_p95'])}",
                _f(rec["rank"], 0),
                f"{_f(rec['rank_p05'], 0)}-{_f(rec['rank_p95'], 0)}",
                rec["most_sensitive_to"] or "-",
            ]
        )
    return rows


_HEAD = [
    "Partnership",
    "Overall",
    "Band",
    "P(band)",
    "Score 5-95%",
    "Rank",
    "Rank 5-95%",
    "Most sensitive to",
]


def _columns(head: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """A fixed-width table: the first ``left`` columns flush left, the others (numbers)
    flush right."""
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        padded = (
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "  ".join(padded).rstrip()

    return [line(head), *(line(row) for row in rows)]


def varied(r: Robustness) -> str:
    """What the analysis varies, and what it does not, in one sentence."""
    c = r.uncertainty.choices
    cc = c.concentration if c.criterion_concentration is None else c.criterion_concentration
    weights = (
        "pillar weights fixed"
        if math.isinf(c.concentration)
        else f"pillar weights from a Dirichlet around the rubric's (concentration "
        f"{c.concentration:g})"
    )
    weights += (
        "; criterion weights fixed"
        if math.isinf(cc)
        else f"; criterion weights likewise (concentration {cc:g})"
    )
    methods = ", ".join(
        "geometric (on scores moved to 1-100, as the geometric mean needs positive values)"
        if m == "geometric"
        else m
        for m in c.methods
    )
    return (
        f"{weights}; overall aggregation {methods}; unknown policy {', '.join(c.policies)}; "
        f"low-confidence ratings {'moved within one level' if c.ratings else 'fixed'}. "
        "Not varied: the levels of unknown criteria (the range of assess covers them)"
    ) + (
        ""
        if c.elicited is None
        else ". "
        + words.weights.robustness_concentration(
            c.concentration, c.elicited.assessors, len(c.elicited.files), c.elicited.criteria
        ).rstrip(".")
    )


def robustness_text(r: Robustness, audit: Audit | None = None) -> str:
    """The set report as fixed-width text (``--format table``): the same sections as
    :func:`robustness_markdown`."""
    u = r.uncertainty
    lines = [
        f"Robustness of {r.panel.n} partnership(s): {u.samples:,} samples, seed {u.seed}, "
        f"concentration {u.choices.concentration:g}",
        f"Varied: {varied(r)}",
        "",
        *_columns(_HEAD, _table_rows(r), left=len(_HEAD)),  # every column flush left
        "",
        *r.summary(),
    ]
    if (dominance := _dominance(r)) is not None:
        lines += ["", "Probability that the row ranks above the column", ""]
        lines += _columns(*dominance)
    if (sobol := _sobol(r)) is not None:
        title, head, cells = sobol
        lines += ["", title, "", *_columns(head, cells)]
    if (margins := _margins(r)) is not None:
        lines += ["", "Tightest pillar-weight margin per partnership", ""]
        lines += _columns(*margins, left=2)
    if audit is not None:
        lines += ["", audit_text(audit).rstrip("\n")]
    return "\n".join(lines) + "\n"


def _dominance(r: Robustness) -> tuple[list[str], list[list[str]]] | None:
    """The pairwise dominance table (head, rows), or ``None`` for one or too many."""
    if not 1 < r.panel.n <= DOMINANCE_MAX:
        return None
    dom = r.uncertainty.dominance()
    head = ["", *(str(c) for c in dom.columns)]
    rows = [
        [str(a), *("" if a == b else _pct(v) for b, v in row.items())] for a, row in dom.iterrows()
    ]
    return head, rows


def _sobol(r: Robustness) -> tuple[str, list[str], list[list[str]]] | None:
    """The Sobol total indices (title, head, rows), or ``None`` when not computed."""
    s = r.sensitivity
    if s is None:
        return None
    rows = [[label, *(_f(x, 2) for x in s.total[i])] for i, label in enumerate(s.labels)]
    return f"Sobol total indices of the overall score (n = {s.n})", ["", *s.factors], rows


def _margins(r: Robustness) -> tuple[list[str], list[list[str]]] | None:
    """The tightest pillar-weight margin of each partnership (head, rows), or ``None``."""
    if r.margins is None or not len(r.margins.bands):
        return None
    tight = r.margins.bands.sort_values("room").groupby("partnership", sort=False).head(1)
    head = ["Partnership", "Pillar", "Weight", "Band kept from", "to"]
    rows = [
        [
            str(rec["partnership"]),
            str(rec["pillar"]),
            f"{rec['weight']:g}",
            _f(rec["down"], 3),
            _f(rec["up"], 3),
        ]
        for rec in tight.to_dict("records")
    ]
    return head, rows


_AUDIT_HEAD = ["Pillar", "Criteria", "Complete rows", "Alpha", "Ordinal alpha", "Mean item-rest"]


def _audit_rows(a: Audit) -> list[list[str]]:
    return [
        [
            str(pid),
            _f(row["criteria"], 0),
            _f(row["complete"], 0),
            _f(row["alpha"], 2),
            _f(row["ordinal_alpha"], 2),
            _f(row["mean_item_rest"], 2),
        ]
        for pid, row in a.pillars.iterrows()
    ]


def _audit_notes(
    a: Audit, pillar: Callable[[str], str], criterion: Callable[[str], str]
) -> list[str]:
    """The sentences under the audit table; ``pillar`` and ``criterion`` lay out ids."""
    out = []
    if a.redundant:
        out.append(
            f"Pillars correlated at |r| >= {a.threshold:g} (possibly redundant): "
            + "; ".join(f"{pillar(x)} and {pillar(y)} (r = {r:.2f})" for x, y, r in a.redundant)
            + "."
        )
    if a.never_vary:
        out.append(
            "Criteria that never vary: " + ", ".join(criterion(c) for c in a.never_vary) + "."
        )
    flagged = a.items[a.items["floor_effect"] | a.items["ceiling_effect"]]
    if len(flagged):
        out.append(
            f"Floor or ceiling effects (at least {a.extreme:.0%} of ratings at one end): "
            + ", ".join(criterion(str(c)) for c in flagged.index)
            + "."
        )
    return out


def audit_text(a: Audit) -> str:
    """The coherence audit as fixed-width text."""
    out = [f"Coherence audit ({a.panel.n} partnerships)", ""]
    out += _columns(_AUDIT_HEAD, _audit_rows(a))
    for note in _audit_notes(a, str, str):
        out += ["", note]
    return "\n".join(out) + "\n"


def robustness_markdown(r: Robustness, audit: Audit | None = None) -> str:
    """The set report as Markdown: summary, table, dominance, Sobol, margins, audit."""
    md = markdown_escape
    u = r.uncertainty
    out = [
        f"# Robustness of {r.panel.n} partnership(s)",
        "",
        f"{u.samples:,} samples (seed {u.seed}). Varied: {varied(r)}.",
        "",
    ]
    out += [f"- {md(line)}" for line in r.summary()]
    out += ["", "| " + " | ".join(_HEAD) + " |", "|---|" + "---:|" * 7]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in _table_rows(r)]
    if (dominance := _dominance(r)) is not None:
        out += ["", "## Probability that the row ranks above the column", ""]
        out += _md_table(*dominance)
    if (sobol := _sobol(r)) is not None:
        title, head, cells = sobol
        out += ["", f"## {title}", "", *_md_table(head, cells)]
    if (margins := _margins(r)) is not None:
        out += ["", "## Tightest pillar-weight margin per partnership", ""]
        out += _md_table(*margins, left=2)
    if audit is not None:
        out += ["", audit_markdown(audit)]
    return "\n".join(out).rstrip() + "\n"


def _md_table(head: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """A Markdown table: cells escaped, the first ``left`` columns flush left, the
    others right."""
    md = markdown_escape
    return [
        "|" + "".join(f" {md(h)} |" if h else " |" for h in head),
        "|" + "---|" * left + "---:|" * (len(head) - left),
        *("| " + " | ".join(md(c) for c in row) + " |" for row in rows),
    ]


def audit_markdown(a: Audit) -> str:
    """The coherence audit as Markdown."""
    out = [f"## Coherence audit ({a.panel.n} partnerships)", ""]
    out += _md_table(_AUDIT_HEAD, _audit_rows(a))
    for note in _audit_notes(a, markdown_escape, lambda c: f"`{c}`"):
        out += ["", note]
    return "\n".join(out) + "\n"


_CSS = """body{font-family:system-ui,sans-serif;color:#1f2937;max-width:60rem;margin:2rem auto;
padding:0 1rem}table{border-collapse:collapse;margin:1rem 0}td,th{padding:.25rem .6rem;
border-bottom:1px solid #e5e7eb;text-align:right}td:first-child,th:first-child{text-align:left}
svg.chart{width:100%;height:auto}"""


def robustness_html(r: Robustness, audit: Audit | None = None) -> str:
    """The set report as one self-contained HTML page (charts when matplotlib is there)."""
    e = html.escape
    u = r.uncertainty
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Robustness of {r.panel.n} partnership(s)</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Robustness of {r.panel.n} partnership(s)</h1>",
        f"<p>{u.samples:,} samples, seed {u.seed}, concentration {u.choices.concentration:g}.</p>",
        "<ul>",
        *[f"<li>{e(line)}</li>" for line in r.summary()],
        "</ul>",
        "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in _HEAD) + "</tr></thead><tbody>",
        *["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in _table_rows(r)],
        "</tbody></table>",
    ]
    if charts.available():
        from readiness.report.robustness_charts import (
            band_probability_chart,
            rank_interval_chart,
            tornado_chart,
        )

        parts += ["<h2>Rank intervals</h2>", rank_interval_chart(u)]
        parts += ["<h2>Band probabilities</h2>", band_probability_chart(u)]
        if r.sensitivity is not None:
            for i, label in enumerate(r.labels):
                if not np.isnan(r.sensitivity.total[i]).all():
                    parts += [
                        f"<h2>Sensitivity of {e(label)}</h2>",
                        tornado_chart(r.sensitivity, label),
                    ]
    else:
        parts.append(f"<p>{e(charts.PLOTS_HINT)}</p>")
    if 1 < r.panel.n <= DOMINANCE_MAX:
        dom = u.dominance()
        parts += [
            "<h2>Probability that the row ranks above the column</h2>",
            "<table><thead><tr><th></th>"
            + "".join(f"<th>{e(str(c))}</th>" for c in dom.columns)
            + "</tr></thead><tbody>",
        ]
        for a, row in dom.iterrows():
            cells = "".join(f"<td>{'' if a == b else _pct(v)}</td>" for b, v in row.items())
            parts.append(f"<tr><th>{e(str(a))}</th>{cells}</tr>")
        parts.append("</tbody></table>")
    if audit is not None:
        parts += [
            "<h2>Coherence audit</h2>",
            "<table><thead><tr><th>Pillar</th><th>Alpha</th>"
            "<th>Ordinal alpha</th><th>Mean item-rest</th></tr></thead><tbody>",
        ]
        for pid, row in audit.pillars.iterrows():
            parts.append(
                f"<tr><td>{e(str(pid))}</td><td>{_f(row['alpha'], 2)}</td>"
                f"<td>{_f(row['ordinal_alpha'], 2)}</td>"
                f"<td>{_f(row['mean_item_rest'], 2)}</td></tr>"
            )
        parts.append("</tbody></table>")
        if audit.redundant:
            parts.append(
                "<p>Possibly redundant pillars: "
                + "; ".join(f"{e(x)} and {e(y)} (r = {v:.2f})" for x, y, v in audit.redundant)
                + ".</p>"
            )
        if audit.never_vary:
            parts.append(
                "<p>Criteria that never vary: "
                + ", ".join(e(c) for c in audit.never_vary)
                + ".</p>"
            )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def robustness_report_section(a: Assessment, r: Robustness) -> Section:
    """The robustness section of one partnership, ready for ``report.extra.add_section``."""
    return Section(
        key="robustness",
        data=robustness_section(a, r),
        markdown=robustness_section_markdown(a, r),
        html=robustness_section_html(a, r),
    )

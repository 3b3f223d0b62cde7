"""Markdown sections for gap reports and roadmaps (used in notebooks and by ``to_markdown``).

These are compact sections, not whole documents: the full report is
:func:`readiness.report.render_markdown`.
"""

from __future__ import annotations

from readiness.gaps import ORDER, GapReport, Roadmap
from readiness.report.escape import markdown_escape as _md
from readiness.report.escape import neutralise

__all__ = ["gaps_markdown", "roadmap_markdown"]


def gaps_markdown(report: GapReport) -> str:
    """The ranked gaps as a Markdown section (heading level 2); input text is escaped."""
    a = report.assessment
    basis = "overall score" if report.basis == "overall" else "lower bound of the score"
    out = [
        f"## Gaps against {report.profile.title}",
        "",
        f"Target profile `{report.profile.id}` ({report.profile_reason}). "
        f"Impact is the exact gain in the {basis} if that criterion alone reached its "
        f"target, re-scored with rubric {a.rubric.label}. Order: {ORDER}.",
        "",
    ]
    if not report.gaps:
        out.append("No rated criterion is below its target.")
    else:
        out += [
            "| # | criterion | pillar | now → target | impact | effort | why here | next step |",
            "|---:|---|---|---|---:|---|---|---|",
        ]
        for i, g in enumerate(report.gaps, 1):
            nxt = g.remediation[0][1] if g.remediation else ""
            out.append(
                f"| {i} | {_md(g.title)} (`{g.criterion}`) | {g.pillar} | "
                f"{g.current} → {g.target} | {g.impact:+.1f} | {g.effort} | {_md(g.why)} | "
                f"{_md(nxt)} |"
            )
    if report.evidence_gaps:
        out += [
            "",
            "### Evidence gaps (unrated criteria)",
            "",
            "Rating these at target would raise the lower bound by:",
            "",
            "| criterion | target | lower-bound gain | why here |",
            "|---|---:|---:|---|",
        ]
        out += [
            f"| {_md(g.title)} (`{g.criterion}`) | {g.target} | {g.impact:+.1f} | {_md(g.why)} |"
            for g in report.evidence_gaps
        ]
    from_facts = [g for g in (*report.gaps, *report.evidence_gaps) if g.facts_to_change]
    if from_facts:
        out += [
            "",
            "### Facts that would close these gaps",
            "",
            "These criteria are derived (or could be derived) from the partnership's "
            "facts by the rubric's rules; to reach the target the facts would have to be:",
            "",
        ]
        out += [
            f"- {_md(g.title)} (`{g.criterion}`), "
            f"{'unknown' if g.current is None else g.current} → {g.target}: "
            f"{_md('; '.join(g.facts_to_change))}"
            for g in from_facts
        ]
    return neutralise("\n".join(out) + "\n")


def roadmap_markdown(roadmap: Roadmap) -> str:
    """The roadmap's steps as a Markdown table; input text is escaped."""
    basis = "overall score" if roadmap.report.basis == "overall" else "lower bound"
    lines = []
    if roadmap.rate_first:
        lines += [
            "Rate first (unrated gates): " + ", ".join(f"`{c}`" for c in roadmap.rate_first),
            "",
        ]
    lines += [
        f"| step | criterion | levels | gain | effort | {basis} after | band after | why |",
        "|---:|---|---|---:|---:|---:|---|---|",
    ]
    for s in roadmap.steps:
        after = "" if s.waited_for == () else f" (after {', '.join(s.waited_for)})"
        if s.unrated_prerequisites:
            after += f" (rate first: {', '.join(s.unrated_prerequisites)})"
        lines.append(
            f"| {s.step} | {_md(s.title)}{after} | {s.from_level} → {s.to_level} | "
            f"{s.impact:+.1f} | {s.effort_units:g} | {s.score_after:.1f} | "
            f"{s.band_after or '-'} | {_md(s.why)} |"
        )
    return neutralise("\n".join(lines))

"""Render a :class:`~readiness.report.model.Report` as Markdown."""

from __future__ import annotations

import math

from readiness._numbers import shown, shown_share
from readiness.gaps import ORDER, ROADMAP_ORDER
from readiness.report.escape import markdown_escape as _md
from readiness.report.escape import neutralise
from readiness.report.model import Report

__all__ = ["render_markdown"]


_POLICY = {
    "exclude": "unknowns excluded",
    "worst": "unknowns counted as level 0",
    "estimate": "unknowns estimated from the known criteria",
}


def render_markdown(r: Report) -> str:
    """The whole report as one Markdown document (deterministic for the same input)."""
    basis = "overall score" if r.basis == "overall" else "lower bound"
    out = [
        *_head(r),
        *_failed_gates(r),
        *_unrated_gates(r),
        *_pillars(r),
        *_gaps(r, basis),
        *_roadmap(r, basis),
        *_evidence(r),
    ]
    return neutralise("\n".join(out) + "\n")


def _head(r: Report) -> list[str]:
    """The title, the overall score and band, and the facts of the assessment."""
    p = r.partnership
    out = [f"# {_md(r.title)}", ""]
    if r.overall is None:
        out.append(f"**No overall score**: {_md(r.reason)}.")
    else:
        band = r.band["name"] if r.band else "-"
        out.append(f"**Overall {r.overall:.1f} / 100 — {band}.**")
        if r.band and r.band.get("meaning"):
            out.append(_md(r.band["meaning"]))
    out += [
        "",
        "- Range once every unknown is known: "
        + ("none" if math.isnan(r.lower) else f"{r.lower:.1f} – {r.upper:.1f}")
        + (
            f"; likely {r.likely['lower']:.1f} – {r.likely['upper']:.1f} "
            f"({r.likely['probability']:.0%}, the unknown criteria estimated from the known ones)"
            if r.likely is not None and r.coverage < 1 and not math.isnan(r.likely["lower"])
            else ""
        ),
        f"- Coverage: {shown_share(r.coverage)} of the rubric's effective weight is rated",
        f"- Target: {_md(r.options['target_title'])} (`{r.options['target']}`, "
        f"{_md(r.options['target_reason'])}); score at the target profile "
        f"{shown(r.profile_score)}, after closing every gap {shown(r.score_after_gaps)}; "
        "gaps are the criteria below the profile",
        f"- Partnership: `{_md(p['id'])}`, {_md(p['kind'])}, {len(p['members'])} members"
        + (f", established {p['established']}" if p["established"] else ""),
        f"- Rubric: `{r.rubric['id']}` {r.rubric['version']}; "
        f"{_POLICY[r.options['unknown_policy']]}, minimum coverage "
        f"{r.options['min_coverage']:.0%}",
    ]
    if p.get("assessor") or p.get("assessed_on"):
        out.append(
            f"- Assessed by {_md(p.get('assessor') or 'unknown')}"
            + (f" on {p['assessed_on']}" if p.get("assessed_on") else "")
        )
    return out


def _failed_gates(r: Report) -> list[str]:
    """## Failed gates (none when every gate passes)."""
    if not r.gates:
        return []
    out = ["", "## Failed gates", ""]
    if r.overall is not None:
        out += [
            f"Raw score {shown(r.raw)}; the failed gates together take off "
            f"{r.gate_loss:.1f} points.",
            "",
        ]
    for gate in r.gates:
        lvl = "unknown" if gate.level is None else f"level {gate.level}"
        out.append(
            f"- **{_md(gate.title)}** (`{gate.criterion}`) is {lvl}, below "
            f"{gate.min_level}: capped at {_md(gate.cap_band)}; {gate.effect}. " + _md(gate.reason)
        )
    return out


def _unrated_gates(r: Report) -> list[str]:
    """## Unrated gates (none when every gate is rated)."""
    if not r.unrated_gates:
        return []
    return [
        "",
        "## Unrated gates",
        "",
        "Critical criteria nobody has rated. A gate fails on evidence only: these do "
        "not cap the score, but each caps the lower bound until it is rated.",
        "",
        *(
            f"- **{_md(gate.title)}** (`{gate.criterion}`): {gate.effect}. {_md(gate.reason)}"
            for gate in r.unrated_gates
        ),
    ]


def _pillars(r: Report) -> list[str]:
    """## Pillars: one table row each."""
    out = [
        "",
        "## Pillars",
        "",
        "| pillar | score | range | target | weight | coverage |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for x in r.pillars:
        cov = "-" if x.coverage is None else f"{x.coverage:.0%}"
        rng = "-" if math.isnan(x.lower) else f"{x.lower:.0f}–{x.upper:.0f}"
        out.append(
            f"| {_md(x.title)} | {shown(x.score)} | {rng} | "
            f"{shown(x.target)} | {x.effective_weight:.1%} | {cov} |"
        )
    return out


def _gaps(r: Report, basis: str) -> list[str]:
    """## Gaps, with the facts that would close them and the unrated criteria."""
    out = ["", "## Gaps, root causes first", ""]
    if not r.gaps:
        out.append("No rated criterion is below its target.")
    else:
        out += [
            f"Impact: the exact gain in the {basis} if that criterion alone reached target. "
            f"Order: {ORDER}.",
            "",
            "| # | criterion | now → target | impact | effort | why here | next step |",
            "|---:|---|---|---:|---|---|---|",
        ]
        for g in r.gaps:
            nxt = g.remediation[0].action if g.remediation else ""
            out.append(
                f"| {g.rank} | {_md(g.title)} (`{g.criterion}`) | {g.current} → {g.target} | "
                f"{g.impact:+.1f} | {g.effort} | {_md(g.why)} | {_md(nxt)} |"
            )
    with_facts = [g for g in r.gaps if g.facts_to_change]
    if with_facts:
        out += ["", "### Facts that would close these gaps", ""]
        out += [
            f"- {_md(g.title)} (`{g.criterion}`): {_md('; '.join(g.facts_to_change))}"
            for g in with_facts
        ]
    if r.evidence_gaps:
        out += [
            "",
            "### Unrated criteria",
            "",
            "| criterion | target | lower-bound gain if rated at target | why here |",
            "|---|---:|---:|---|",
        ]
        out += [
            f"| {_md(g.title)} (`{g.criterion}`) | {g.target} | {g.impact:+.1f} | {_md(g.why)} |"
            for g in r.evidence_gaps
        ]
    return out


def _roadmap(r: Report, basis: str) -> list[str]:
    """## Roadmap (none when there is no step)."""
    if not r.roadmap:
        return []
    out = [
        "",
        "## Roadmap",
        "",
        f"Order: {ROADMAP_ORDER}.",
        "",
    ]
    if r.rate_first:
        out += [
            "Rate first: "
            + ", ".join(f"`{c}`" for c in r.rate_first)
            + " (unrated gates: each caps the lower bound until it is rated).",
            "",
        ]
    out += [
        f"| step | action | levels | gain | effort | {basis} after | band after | why |",
        "|---:|---|---|---:|---:|---:|---|---|",
    ]
    for s in r.roadmap:
        after = f" (after {', '.join(s.waited_for)})" if s.waited_for else ""
        if s.unrated_prerequisites:
            after += f" (rate first: {', '.join(s.unrated_prerequisites)})"
        out.append(
            f"| {s.step} | {_md(s.title)}{after} | {s.from_level} → {s.to_level} | "
            f"{s.impact:+.1f} | {s.effort_units:g} | {s.score_after:.1f} | "
            f"{s.band_after or '-'} | {_md(s.why)} |"
        )
    return out


def _evidence(r: Report) -> list[str]:
    """## Evidence: each criterion's level, where it comes from, its note and sources."""
    out = ["", "## Evidence", ""]
    for c in r.criteria:
        if c.state != "rated":
            head = c.state
        elif c.origin == "derived":
            head = f"level {c.level} ({c.level_name}), derived from facts"
        else:
            head = f"level {c.level} ({c.level_name}), confidence {c.confidence}"
            if c.origin == "overridden":
                head += ", overrides the facts"
        out.append(f"- **{_md(c.title)}** (`{c.id}`): {head}; target {c.target}")
        if c.derivation:
            out.append(f"  - From facts: {_md(c.derivation)}")
        if c.note:
            out.append(f"  - Note: {_md(c.note)}")
        for e in c.evidence:
            date = f", {e.date}" if e.date else ""
            out.append(f"  - {_md(e.text)} ({_md(e.source)}{date})")
    return out

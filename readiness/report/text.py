"""Render a :class:`~readiness.report.model.Report` as a fixed-width terminal table."""

from __future__ import annotations

import math
import textwrap

from readiness._numbers import shown, shown_share
from readiness.gaps import ORDER
from readiness.report.escape import neutralise
from readiness.report.model import Report

__all__ = ["render_text"]


def _range(lower: float, upper: float) -> str:
    return "none" if math.isnan(lower) else f"{lower:.1f}-{upper:.1f}"


def render_text(r: Report, *, top: int = 10) -> str:
    """Summary, pillar table and the top gaps, for a terminal (80 columns)."""
    lines = [r.title, "=" * min(len(r.title), 78)]
    if r.overall is None:
        lines.append(f"Overall: none ({r.reason})")
    else:
        band = r.band["name"] if r.band else "-"
        lines.append(f"Overall: {r.overall:.1f} / 100  [{band}]")
    lines.append(
        f"Range: {_range(r.lower, r.upper)}   Coverage: {shown_share(r.coverage)}   "
        f"Rubric: {r.rubric['id']} {r.rubric['version']}"
    )
    if r.likely is not None and r.coverage < 1:
        lines.append(
            f"Likely: {_range(r.likely['lower'], r.likely['upper'])} "
            f"({r.likely['probability']:.0%}; unknown criteria estimated from the known ones)"
        )
    lines.append(f"Target: {r.options['target']} ({r.options['target_reason']})")
    lines.append(
        f"  score at the target profile {shown(r.profile_score)}; "
        f"after closing every gap {shown(r.score_after_gaps)}"
    )
    if r.gates and r.overall is not None:
        lines.append(
            f"Gates: raw {shown(r.raw)}, failed gates take off {r.gate_loss:.1f} points together"
        )
    for gate in r.gates:
        lvl = "unknown" if gate.level is None else f"level {gate.level}"
        lines.append(
            f"Gate failed: {gate.criterion} is {lvl} (< {gate.min_level}); "
            f"capped at {gate.cap_band}; {gate.effect}"
        )
    for gate in r.unrated_gates:
        lines.append(f"Gate unrated: {gate.criterion}: {gate.effect}")
    lines += ["", f"{'pillar':<44}{'score':>7}{'range':>11}{'target':>8}{'cov':>6}"]
    for x in r.pillars:
        cov = "-" if x.coverage is None else f"{x.coverage:.0%}"
        rng = "-" if math.isnan(x.lower) else f"{x.lower:.0f}-{x.upper:.0f}"
        lines.append(f"{x.title[:43]:<44}{shown(x.score):>7}{rng:>11}{shown(x.target):>8}{cov:>6}")
    basis = "overall" if r.basis == "overall" else "lower bound"
    lines += [
        "",
        f"Top gaps (impact = gain in {basis} if closed alone). Order: {ORDER}.",
    ]
    if not r.gaps:
        lines.append("  none: every rated criterion meets its target")
    for g in r.gaps[:top]:
        lines.append(
            f"{g.rank:>3}. {g.criterion:<40} {g.current}->{g.target}  {g.impact:+5.1f}  "
            f"effort {g.effort}"
        )
        if g.why:
            lines += _clipped("why: " + g.why)
        if g.remediation:
            lines += _clipped(g.remediation[0].action)
        if g.facts_to_change:
            lines += _clipped("facts: " + "; ".join(g.facts_to_change))
    if len(r.gaps) > top:
        lines.append(f"  ... and {len(r.gaps) - top} more (use --format markdown for all)")
    if r.evidence_gaps:
        ids = ", ".join(g.criterion for g in r.evidence_gaps)
        lines += ["", f"Unrated ({len(r.evidence_gaps)}): {ids}"]
    return neutralise("\n".join(lines) + "\n")


def _clipped(text: str, most: int = 2) -> list[str]:
    """``text`` wrapped and indented under a gap, at most ``most`` lines; a cut says so."""
    wrapped = textwrap.wrap(text, width=72)
    if len(wrapped) > most:
        wrapped = [*wrapped[: most - 1], wrapped[most - 1] + " ... (--format markdown: all)"]
    return [f"       {w}" for w in wrapped]

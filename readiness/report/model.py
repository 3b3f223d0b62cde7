"""The report model: everything a reader sees, built once from an assessment.

Renderers (Markdown, text, JSON, HTML) only lay this out; none of them computes a score.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

from readiness._numbers import optional
from readiness.assessment import Assessment, GateResult
from readiness.gaps import ORDER, ROADMAP_ORDER, GapReport, GapRow, StepRow

__all__ = [
    "SCHEMA_VERSION",
    "BandRow",
    "CriterionRow",
    "EvidenceRow",
    "GapRow",
    "GateRow",
    "PillarRow",
    "Report",
    "StepRow",
    "build_report",
    "report_from_gaps",
]


@dataclass(frozen=True)
class BandRow:
    """One band of the rubric's score scale: ``min`` <= score < ``max``."""

    id: str
    name: str
    min: float
    max: float
    meaning: str


@dataclass(frozen=True)
class EvidenceRow:
    text: str
    source: str
    date: str | None
    url: str | None


@dataclass(frozen=True)
class CriterionRow:
    id: str
    pillar: str
    title: str
    state: str
    level: int | None
    level_name: str | None
    descriptor: str | None
    score: float | None
    target: int
    effective_weight: float
    confidence: str | None
    note: str | None
    evidence: tuple[EvidenceRow, ...]
    origin: str = "rated"
    derivation: str | None = None


@dataclass(frozen=True)
class PillarRow:
    id: str
    title: str
    score: float | None
    lower: float
    upper: float
    target: float | None
    weight: float
    effective_weight: float
    coverage: float | None
    method: str = "arithmetic"


@dataclass(frozen=True)
class GateRow:
    """A failed or unrated gate. ``cost`` is marginal (this gate alone); ``effect`` says
    it in words. An ``unrated`` gate (``status``) is a critical criterion nobody has
    rated: rate it at ``min_level`` or above; ``at_risk`` is what today's score would
    lose if it were rated below that (its cap applies to the lower bound only)."""

    criterion: str
    title: str
    min_level: int
    level: int | None
    cap_band: str
    cost: float
    reason: str
    effect: str = ""
    status: str = "failed"
    cap: float = 100.0
    at_risk: float = 0.0


SCHEMA_VERSION = "1.3"
"""Version of the JSON document (``Report.to_dict``); ``readiness schema report`` gives it."""


@dataclass(frozen=True)
class Report:
    """A complete, render-ready report of one assessment against one target.

    This is the one JSON document of an assessment (``Report.to_dict``), the same from
    ``Assessment.to_dict()``, ``readiness assess --format json`` and ``readiness report
    --format json``. Two scores against the target are kept apart on purpose:

    - ``profile_score``: the score of a partnership exactly at the target profile
      (every criterion at the profile's level);
    - ``score_after_gaps``: this partnership's score once every gap is closed
      (criteria already above target keep their level, so it can be higher).

    ``raw`` is the overall score before gates and the coverage rule; ``gate_loss`` the
    points the failed gates take off together (``raw - overall`` when there is one).
    ``gates`` are the failed gates (rated below their minimum); ``unrated_gates`` the
    critical criteria nobody has rated, which cap the lower bound, not the score, and
    which ``rate_first`` names before the roadmap. Gaps are ordered root causes first;
    each gap and step says ``why`` it sits where it does.
    """

    title: str
    partnership: dict[str, Any]
    rubric: dict[str, str]
    options: dict[str, Any]
    overall: float | None
    band: dict[str, str] | None
    reason: str | None
    coverage: float
    lower: float
    upper: float
    profile_score: float | None
    score_after_gaps: float
    raw: float | None
    gate_loss: float
    unknown: tuple[str, ...]
    pillars: tuple[PillarRow, ...]
    gates: tuple[GateRow, ...]
    gaps: tuple[GapRow, ...]
    evidence_gaps: tuple[GapRow, ...]
    basis: str
    roadmap: tuple[StepRow, ...]
    criteria: tuple[CriterionRow, ...] = field(repr=False)
    bands: tuple[BandRow, ...] = ()
    schema_version: str = SCHEMA_VERSION
    unrated_gates: tuple[GateRow, ...] = ()
    rate_first: tuple[str, ...] = ()
    order: dict[str, str] = field(default_factory=lambda: {"gaps": ORDER, "roadmap": ROADMAP_ORDER})
    """How gaps and roadmap steps are ordered, in words."""
    likely: dict[str, float] | None = None
    """Under ``unknown_policy: estimate``: ``{"lower", "upper", "probability"}``, the range
    the estimates of the unknown criteria give the score (``None`` otherwise)."""

    @property
    def target_overall(self) -> float | None:
        """Deprecated name of :attr:`profile_score`."""
        warnings.warn(
            "Report.target_overall is now Report.profile_score", DeprecationWarning, stacklevel=2
        )
        return self.profile_score

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, numbers at full precision (only the human formats round)."""
        return json_ready(asdict(self))  # type: ignore[no-any-return]


def json_ready(value: Any) -> Any:
    """``value`` as JSON data: NaN as ``None``, tuples as lists, numbers unrounded (a JSON
    document is read by programs; the human formats round for reading)."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def build_report(assessment: Assessment, target: str | None = None) -> Report:
    """Build the report of an assessment against a target profile (see ``Assessment.gaps``)."""
    return report_from_gaps(assessment.gaps(target))


def report_from_gaps(gaps: GapReport) -> Report:
    """Build the report of the assessment behind a gap report, against its profile."""
    a = gaps.assessment
    rubric = a.rubric
    roadmap = gaps.roadmap()
    profile = gaps.profile
    goal_scores = gaps.profile_scores
    scale = {s.level: s.name for s in rubric.scale}
    p = a.partnership
    return Report(
        title=f"Readiness of {p.name}",
        partnership={
            "id": p.id,
            "name": p.name,
            "kind": p.kind,
            "members": list(p.members_on()),
            "established": p.established.isoformat() if p.established else None,
            "description": p.description,
            "assessor": p.assessor,
            "assessed_on": p.assessed_on.isoformat() if p.assessed_on else None,
        },
        rubric={"id": rubric.id, "version": rubric.version, "title": rubric.title},
        options={
            "unknown_policy": a.options.unknown_policy,
            "min_coverage": a.options.min_coverage,
            "target": profile.id,
            "target_title": profile.title,
            "target_reason": gaps.profile_reason,
            "overall_method": rubric.aggregation,
        },
        overall=a.overall,
        band={"id": a.band.id, "name": a.band.name, "meaning": a.band.meaning} if a.band else None,
        reason=a.reason,
        coverage=a.coverage,
        lower=a.lower,
        upper=a.upper,
        likely=(
            {
                "lower": a.likely_lower,
                "upper": a.likely_upper,
                "probability": a.rubric.estimate.interval,
            }
            if a.options.unknown_policy == "estimate"
            else None
        ),
        profile_score=gaps.profile_score,
        score_after_gaps=gaps.score_after_gaps,
        raw=a.raw,
        gate_loss=a.gate_loss,
        unknown=a.unknown,
        pillars=tuple(
            PillarRow(
                id=x.id,
                title=x.title,
                score=x.score,
                lower=x.lower,
                upper=x.upper,
                target=optional(goal_scores.pillar[0, i]),
                weight=x.weight,
                effective_weight=x.effective_weight,
                coverage=x.coverage,
                method=x.method,
            )
            for i, x in enumerate(a.pillars)
        ),
        gates=tuple(_gate_row(a, g, _gate_effect(a, g.cost)) for g in a.failed_gates),
        unrated_gates=tuple(_gate_row(a, g, _unrated_effect(a, g)) for g in a.unrated_gates),
        rate_first=roadmap.rate_first,
        gaps=tuple(GapRow.of(i, g) for i, g in enumerate(gaps.gaps, 1)),
        evidence_gaps=tuple(GapRow.of(i, g) for i, g in enumerate(gaps.evidence_gaps, 1)),
        basis=gaps.basis,
        roadmap=tuple(StepRow.of(s, rubric) for s in roadmap.steps),
        criteria=tuple(
            CriterionRow(
                id=c.id,
                pillar=c.pillar,
                title=c.title,
                state=c.state,
                level=c.level,
                level_name=scale.get(c.level) if c.level is not None else None,
                descriptor=rubric.criterion(c.id).levels[c.level] if c.level is not None else None,
                score=c.score,
                target=profile.target(c.id),
                effective_weight=c.effective_weight,
                confidence=c.confidence,
                note=c.note,
                evidence=tuple(
                    EvidenceRow(
                        text=e.text,
                        source=e.source,
                        date=e.date.isoformat() if e.date else None,
                        url=e.url,
                    )
                    for e in c.evidence
                ),
                origin=c.origin,
                derivation=c.derivation,
            )
            for c in a.criteria
        ),
        bands=tuple(
            BandRow(
                id=b.id,
                name=b.name,
                min=b.min,
                max=rubric.bands[i + 1].min if i + 1 < len(rubric.bands) else 100.0,
                meaning=b.meaning,
            )
            for i, b in enumerate(rubric.bands)
        ),
    )


def _gate_row(a: Assessment, g: GateResult, effect: str) -> GateRow:
    return GateRow(
        criterion=g.criterion,
        title=a.rubric.criterion(g.criterion).title,
        min_level=g.min_level,
        level=g.level,
        cap_band=a.rubric.band(g.cap_band).name,
        cost=g.cost,
        reason=g.reason,
        effect=effect,
        status=g.status,
        cap=min(g.cap, 100.0),
        at_risk=g.at_risk,
    )


def _unrated_effect(a: Assessment, g: GateResult) -> str:
    """What an unrated gate means, in words: what to rate, and what is at stake."""
    band = a.rubric.band(g.cap_band).name
    head = f"rate it at level {g.min_level} or above; below that the score is capped at {band}"
    if a.overall is None:
        return head + " (the lower bound already is)"
    if g.cost >= 0.05:  # the ``worst`` policy: it caps the point score as well
        return head + f"; counted as level 0, it costs {g.cost:.1f} points today"
    if g.at_risk >= 0.05:
        return head + f"; today's score would lose {g.at_risk:.1f} points"
    return head + "; today's score is under that cap already"


def _gate_effect(a: Assessment, cost: float) -> str:
    """What one failed gate does to today's score, in words (never a misleading zero)."""
    if a.overall is None:
        return "no overall score yet; the cap applies once there is one"
    if cost >= 0.05:
        return f"costs {cost:.1f} points on its own"
    if a.gate_loss >= 0.05:
        return (
            f"costs nothing on its own while another gate caps lower; failed gates "
            f"together cost {a.gate_loss:.1f} points"
        )
    return "costs nothing at today's score (the score is below the cap)"


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of the report document (``Report.to_dict``), draft 2020-12.

    Built from the dataclasses themselves, so it cannot drift from the document. A
    number that is not defined (NaN, e.g. the range when no criterion applies) is
    written as ``null``, so every number may be null.
    """
    from pydantic import TypeAdapter

    schema: dict[str, Any] = _nullable_numbers(
        TypeAdapter(Report).json_schema(mode="serialization")
    )
    schema["properties"]["schema_version"]["const"] = SCHEMA_VERSION
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:readiness:report:{SCHEMA_VERSION}",
    } | schema


def _nullable_numbers(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("type") == "number":
            return {k: v for k, v in node.items() if k != "type"} | {"type": ["number", "null"]}
        return {k: _nullable_numbers(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_nullable_numbers(v) for v in node]
    return node

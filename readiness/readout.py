"""The readout of one assessment: everything a reader sees, built once.

:class:`Report` is the one JSON document of an assessment and the source of its
documents (:meth:`Report.to_document`); renderers only lay it out, none of them
computes a score. It sits below :class:`~readiness.Assessment` (which it knows only as
a type), so ``Assessment.to_document()`` builds it without reaching up a floor.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from readiness._models import output_schema
from readiness._numbers import optional, shown, shown_share
from readiness.document import (
    Block,
    BulletList,
    Column,
    DeferredData,
    Document,
    Facts,
    Inline,
    Item,
    Line,
    Paragraph,
    Row,
    Section,
    Table,
    code,
    line,
    strong,
)
from readiness.document.words import report as words
from readiness.gaps import ORDER, ROADMAP_ORDER, GapReport, GapRow, StepRow

if TYPE_CHECKING:
    from readiness.assessment import Assessment, GateResult
    from readiness.rubric import Rubric

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

    def to_document(self, *, brief: bool = False) -> Document:
        """The report laid out (``brief``: the terminal's summary); see
        :func:`report_document`."""
        return report_document(self, brief=brief)

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
    roadmap = gaps.roadmap()
    return Report(
        title=f"Readiness of {a.partnership.name}",
        partnership=_partnership_data(a),
        rubric={"id": a.rubric.id, "version": a.rubric.version, "title": a.rubric.title},
        options={
            "unknown_policy": a.options.unknown_policy,
            "min_coverage": a.options.min_coverage,
            "target": gaps.profile.id,
            "target_title": gaps.profile.title,
            "target_reason": gaps.profile_reason,
            "overall_method": a.rubric.aggregation,
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
        pillars=_pillar_rows(gaps),
        gates=tuple(
            _gate_row(a, g, words.gate_effect(a.overall, g.cost, a.gate_loss))
            for g in a.failed_gates
        ),
        unrated_gates=tuple(
            _gate_row(
                a,
                g,
                words.unrated_effect(
                    a.overall, g.min_level, a.rubric.band(g.cap_band).name, g.cost, g.at_risk
                ),
            )
            for g in a.unrated_gates
        ),
        rate_first=roadmap.rate_first,
        gaps=tuple(GapRow.of(i, g) for i, g in enumerate(gaps.gaps, 1)),
        evidence_gaps=tuple(GapRow.of(i, g) for i, g in enumerate(gaps.evidence_gaps, 1)),
        basis=gaps.basis,
        roadmap=tuple(StepRow.of(s, a.rubric) for s in roadmap.steps),
        criteria=_criterion_rows(gaps),
        bands=_band_rows(a.rubric),
    )


def _partnership_data(a: Assessment) -> dict[str, Any]:
    p = a.partnership
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "members": list(p.members_on()),
        "established": p.established.isoformat() if p.established else None,
        "description": p.description,
        "assessor": p.assessor,
        "assessed_on": p.assessed_on.isoformat() if p.assessed_on else None,
    }


def _pillar_rows(gaps: GapReport) -> tuple[PillarRow, ...]:
    goal = gaps.profile_scores
    return tuple(
        PillarRow(
            id=x.id,
            title=x.title,
            score=x.score,
            lower=x.lower,
            upper=x.upper,
            target=optional(goal.pillar[0, i]),
            weight=x.weight,
            effective_weight=x.effective_weight,
            coverage=x.coverage,
            method=x.method,
        )
        for i, x in enumerate(gaps.assessment.pillars)
    )


def _criterion_rows(gaps: GapReport) -> tuple[CriterionRow, ...]:
    a, profile = gaps.assessment, gaps.profile
    scale = {s.level: s.name for s in a.rubric.scale}
    return tuple(
        CriterionRow(
            id=c.id,
            pillar=c.pillar,
            title=c.title,
            state=c.state,
            level=c.level,
            level_name=scale.get(c.level) if c.level is not None else None,
            descriptor=a.rubric.criterion(c.id).levels[c.level] if c.level is not None else None,
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
    )


def _band_rows(rubric: Rubric) -> tuple[BandRow, ...]:
    bands = rubric.bands
    return tuple(
        BandRow(
            id=b.id,
            name=b.name,
            min=b.min,
            max=bands[i + 1].min if i + 1 < len(bands) else 100.0,
            meaning=b.meaning,
        )
        for i, b in enumerate(bands)
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


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of the report document (``Report.to_dict``), draft 2020-12.

    Built from the dataclasses themselves, so it cannot drift from the document. A
    number that is not defined (NaN, e.g. the range when no criterion applies) is
    written as ``null``, so every number may be null.
    """
    schema = output_schema(Report, "report", SCHEMA_VERSION)
    schema["properties"]["schema_version"]["const"] = SCHEMA_VERSION
    return schema


# --- the report as a document -----------------------------------------------------------


def report_document(r: Report, *, brief: bool = False) -> Document:
    """The report laid out: the head, gates, pillars, gaps, roadmap and evidence.

    ``brief`` is the terminal's summary: the head as facts, the pillar table, the
    first :data:`BRIEF_GAPS` gaps with their reasons, the unrated criteria by id.
    """
    basis = "overall score" if r.basis == "overall" else "lower bound"
    if brief:
        return Document(r.title, _brief(r), "assessment", DeferredData(r.to_dict))
    blocks: list[Block] = [
        *_head(r),
        *_failed_gates(r),
        *_unrated_gates(r),
        _pillars(r),
        _gaps(r, basis),
        *_roadmap(r, basis),
        _evidence(r),
    ]
    return Document(r.title, tuple(blocks), "assessment", DeferredData(r.to_dict))


BRIEF_GAPS = 10
"""How many gaps the brief (terminal) report lists."""


def _overall(r: Report) -> Paragraph:
    if r.overall is None:
        return Paragraph.of(strong("No overall score"), f": {r.reason}.")
    band = r.band["name"] if r.band else "-"
    lines: list[Line] = [(strong(f"Overall {r.overall:.1f} / 100 — {band}."),)]
    if r.band and r.band.get("meaning"):
        lines.append((r.band["meaning"],))
    return Paragraph(tuple(lines))


def _likely(r: Report, dash: str = " – ") -> str | None:
    if r.likely is None or r.coverage >= 1 or math.isnan(r.likely["lower"]):
        return None
    return words.likely(r.likely["lower"], r.likely["upper"], r.likely["probability"], dash=dash)


def _head(r: Report) -> list[Block]:
    p, o = r.partnership, r.options
    likely = _likely(r)
    items = [
        line(
            "Range once every unknown is known: "
            + words.range_known(r.lower, r.upper)
            + (f"; {likely}" if likely else "")
        ),
        line(f"Coverage: {shown_share(r.coverage)} of the rubric's effective weight is rated"),
        line(
            f"Target: {o['target_title']} (",
            code(o["target"]),
            f", {o['target_reason']}); score at the target profile {shown(r.profile_score)}, "
            f"after closing every gap {shown(r.score_after_gaps)}; gaps are the criteria "
            "below the profile",
        ),
        line(
            "Partnership: ",
            code(p["id"]),
            f", {p['kind']}, {len(p['members'])} members"
            + (f", established {p['established']}" if p["established"] else ""),
        ),
        line(
            "Rubric: ",
            code(r.rubric["id"]),
            f" {r.rubric['version']}; {words.POLICY[o['unknown_policy']]}, minimum coverage "
            f"{o['min_coverage']:.0%}",
        ),
    ]
    if p.get("assessor") or p.get("assessed_on"):
        items.append(line(words.assessed_by(p.get("assessor"), p.get("assessed_on"))))
    return [_overall(r), BulletList.of(*items)]


def _failed_gates(r: Report) -> list[Block]:
    if not r.gates:
        return []
    blocks: list[Block] = []
    if r.overall is not None:
        blocks.append(
            Paragraph.of(
                f"Raw score {shown(r.raw)}; the failed gates together take off "
                f"{r.gate_loss:.1f} points."
            )
        )
    items = []
    for g in r.gates:
        lvl = "unknown" if g.level is None else f"level {g.level}"
        items.append(
            line(
                strong(g.title),
                " (",
                code(g.criterion),
                f") is {lvl}, below {g.min_level}: capped at {g.cap_band}; {g.effect}. {g.reason}",
            )
        )
    blocks.append(BulletList.of(*items))
    return [Section("Failed gates", tuple(blocks), id="gates")]


def _unrated_gates(r: Report) -> list[Block]:
    if not r.unrated_gates:
        return []
    intro = Paragraph.of(
        "Critical criteria nobody has rated. A gate fails on evidence only: these do "
        "not cap the score, but each caps the lower bound until it is rated."
    )
    items = [
        line(strong(g.title), " (", code(g.criterion), f"): {g.effect}. {g.reason}")
        for g in r.unrated_gates
    ]
    return [Section("Unrated gates", (intro, BulletList.of(*items)), id="unrated-gates")]


def _pillars(r: Report) -> Section:
    columns = (
        Column("pillar"),
        Column("score", "score"),
        Column("range"),
        Column("target", "score"),
        Column("weight", "share", 1),
        Column("coverage", "share"),
    )
    rows = tuple(
        Row(
            (
                x.title,
                x.score,
                "-" if math.isnan(x.lower) else f"{x.lower:.0f}–{x.upper:.0f}",
                x.target,
                x.effective_weight,
                x.coverage,
            )
        )
        for x in r.pillars
    )
    return Section("Pillars", (Table(columns, rows),), id="pillars")


def _criterion(title: str, cid: str) -> Line:
    return line(title, " (", code(cid), ")")


def _gaps(r: Report, basis: str) -> Section:
    blocks: list[Block] = []
    if not r.gaps:
        blocks.append(Paragraph.of("No rated criterion is below its target."))
    else:
        blocks.append(
            Paragraph.of(
                f"Impact: the exact gain in the {basis} if that criterion alone reached "
                f"target. Order: {ORDER}."
            )
        )
        columns: tuple[Column, ...] = (
            Column("#", "count"),
            Column("criterion"),
            Column("now → target", "levels"),
            Column("impact", "delta"),
            Column("effort"),
            Column("why here"),
            Column("next step"),
        )
        rows = tuple(
            Row(
                (
                    g.rank,
                    _criterion(g.title, g.criterion),
                    f"{g.current} → {g.target}",
                    g.impact,
                    g.effort,
                    g.why,
                    g.remediation[0].action if g.remediation else "",
                )
            )
            for g in r.gaps
        )
        blocks.append(Table(columns, rows))
    with_facts = [g for g in r.gaps if g.facts_to_change]
    if with_facts:
        facts = BulletList.of(
            *(
                (*_criterion(g.title, g.criterion), ": " + "; ".join(g.facts_to_change))
                for g in with_facts
            )
        )
        blocks.append(Section("Facts that would close these gaps", (facts,)))
    if r.evidence_gaps:
        columns = (
            Column("criterion"),
            Column("target", "count"),
            Column("lower-bound gain if rated at target", "delta"),
            Column("why here"),
        )
        rows = tuple(
            Row((_criterion(g.title, g.criterion), g.target, g.impact, g.why))
            for g in r.evidence_gaps
        )
        blocks.append(Section("Unrated criteria", (Table(columns, rows),)))
    return Section("Gaps, root causes first", tuple(blocks), id="gaps")


def _roadmap(r: Report, basis: str) -> list[Block]:
    if not r.roadmap:
        return []
    blocks: list[Block] = [Paragraph.of(f"Order: {ROADMAP_ORDER}.")]
    if r.rate_first:
        pieces: list[Inline] = ["Rate first: "]
        for i, c in enumerate(r.rate_first):
            pieces += [", "] if i else []
            pieces.append(code(c))
        pieces.append(" (unrated gates: each caps the lower bound until it is rated).")
        blocks.append(Paragraph((tuple(pieces),)))
    columns = (
        Column("step", "count"),
        Column("action"),
        Column("levels", "levels"),
        Column("gain", "delta"),
        Column("effort", "number"),
        Column(f"{basis} after", "score"),
        Column("band after"),
        Column("why"),
    )
    rows = []
    for s in r.roadmap:
        after = f" (after {', '.join(s.waited_for)})" if s.waited_for else ""
        if s.unrated_prerequisites:
            after += f" (rate first: {', '.join(s.unrated_prerequisites)})"
        rows.append(
            Row(
                (
                    s.step,
                    s.title + after,
                    f"{s.from_level} → {s.to_level}",
                    s.impact,
                    s.effort_units,
                    s.score_after,
                    s.band_after or "-",
                    s.why,
                )
            )
        )
    blocks.append(Table(columns, tuple(rows)))
    return [Section("Roadmap", tuple(blocks), id="roadmap")]


def _evidence(r: Report) -> Section:
    items = []
    for c in r.criteria:
        state = words.evidence_state(c.state, c.origin, c.level, c.level_name, c.confidence)
        children = []
        if c.derivation:
            children.append(Item(("From facts: " + c.derivation,)))
        if c.note:
            children.append(Item(("Note: " + c.note,)))
        for e in c.evidence:
            date = f", {e.date}" if e.date else ""
            children.append(Item((f"{e.text} ({e.source}{date})",)))
        head = line(strong(c.title), " (", code(c.id), f"): {state}; target {c.target}")
        items.append(Item(head, tuple(children)))
    return Section("Evidence", (BulletList(tuple(items)),), id="evidence")


def _brief(r: Report) -> tuple[Block, ...]:
    """The terminal summary: facts, pillars, the top gaps, unrated criteria by id."""
    likely = _likely(r, dash="-")
    o = r.options
    if r.overall is None:
        overall = f"none ({r.reason})"
    else:
        overall = f"{r.overall:.1f} / 100 [{r.band['name'] if r.band else '-'}]"
    facts: list[tuple[str, Line | Inline]] = [
        ("Overall", overall),
        (
            "Range",
            words.range_known(r.lower, r.upper, dash="-") + (f"; {likely}" if likely else ""),
        ),
        ("Coverage", shown_share(r.coverage)),
        ("Rubric", f"{r.rubric['id']} {r.rubric['version']}"),
        (
            "Target",
            f"{o['target']} ({o['target_reason']}); score at the target profile "
            f"{shown(r.profile_score)}, after closing every gap {shown(r.score_after_gaps)}",
        ),
    ]
    if r.gates and r.overall is not None:
        facts.append(
            ("Gates", f"raw {shown(r.raw)}; failed gates take off {r.gate_loss:.1f} points")
        )
    for gate in r.gates:
        lvl = "unknown" if gate.level is None else f"level {gate.level}"
        said = f"{gate.criterion} is {lvl} (< {gate.min_level}); capped at {gate.cap_band}"
        facts.append(("Gate failed", f"{said}; {gate.effect}"))
    facts += [("Gate unrated", f"{x.criterion}: {x.effect}") for x in r.unrated_gates]
    table = _pillars(r).blocks[0]
    assert isinstance(table, Table)
    pillars = Table(
        tuple(c for i, c in enumerate(table.columns) if i != 4),
        tuple(Row(tuple(x for i, x in enumerate(row.cells) if i != 4)) for row in table.rows),
    )
    basis = "overall" if r.basis == "overall" else "lower bound"
    top: list[Block] = [Paragraph.of(f"Impact = gain in {basis} if closed alone. Order: {ORDER}.")]
    if not r.gaps:
        top.append(Paragraph.of("None: every rated criterion meets its target."))
    else:
        items = []
        for g in r.gaps[:BRIEF_GAPS]:
            children = [Item((f"why: {g.why}",))] if g.why else []
            if g.remediation:
                children.append(Item((g.remediation[0].action,)))
            if g.facts_to_change:
                children.append(Item(("facts: " + "; ".join(g.facts_to_change),)))
            head = f"{g.criterion}: {g.current} → {g.target}, impact {g.impact:+.1f}"
            head += f", effort {g.effort}"
            items.append(Item((head,), tuple(children)))
        top.append(BulletList(tuple(items), ordered=True))
        if len(r.gaps) > BRIEF_GAPS:
            more = len(r.gaps) - BRIEF_GAPS
            top.append(Paragraph.of(f"... and {more} more (--format markdown lists all)."))
    blocks: list[Block] = [
        Facts.of(facts),
        Section("Pillars", (pillars,)),
        Section("Top gaps", tuple(top)),
    ]
    if r.evidence_gaps:
        ids = ", ".join(g.criterion for g in r.evidence_gaps)
        blocks.append(Section(f"Unrated ({len(r.evidence_gaps)})", (Paragraph.of(ids),)))
    return tuple(blocks)

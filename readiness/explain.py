"""Explain an overall score: how each pillar and criterion contributed, in points."""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from readiness.document import (
    BulletList,
    Column,
    Document,
    Paragraph,
    Rendered,
    Row,
    Table,
    code,
    line,
    words,
)

if TYPE_CHECKING:
    from readiness.assessment import Assessment

__all__ = ["Explanation"]


@dataclass(frozen=True)
class Explanation(Rendered):
    """Contributions to the overall score.

    For arithmetic means the contributions are exact: a criterion's points are its
    score times its share of the answered weight. For geometric or minimum nodes the
    node's score is shared out in proportion to the same weighted scores, so the
    points always add up to the raw overall score; failed gates then take off
    ``gate_loss`` points.
    """

    assessment: Assessment
    frame: pd.DataFrame
    gate_loss: float

    def __repr__(self) -> str:
        return (
            f"<Explanation of {self.assessment.partnership.id}: {len(self.frame)} rows, "
            f"gate loss {self.gate_loss:.1f}>"
        )

    @classmethod
    def of(cls, a: Assessment) -> Explanation:
        raw = a.raw or 0.0
        rows = []
        answered_pillars = [p for p in a.pillars if p.score is not None]
        pw_total = sum(p.weight for p in answered_pillars)
        pillar_mass = {p.id: p.weight / pw_total * (p.score or 0.0) for p in answered_pillars}
        mass_total = sum(pillar_mass.values())
        for p in a.pillars:
            members = [c for c in a.criteria if c.pillar == p.id]
            counted = [c for c in members if c.score is not None]
            cw_total = sum(c.weight for c in counted)
            crit_mass = {c.id: c.weight / cw_total * (c.score or 0.0) for c in counted}
            crit_total = sum(crit_mass.values())
            p_points = (
                raw * pillar_mass[p.id] / mass_total if p.id in pillar_mass and mass_total else 0.0
            )
            rows.append(
                {
                    "pillar": p.id,
                    "criterion": None,
                    "level": None,
                    "score": p.score,
                    "weight": p.weight,
                    "effective_weight": p.effective_weight,
                    "used_weight": p.weight / pw_total if p.id in pillar_mass else 0.0,
                    "state": "scored" if p.id in pillar_mass else "no score",
                    "points": p_points,
                }
            )
            for c in members:
                share = crit_mass.get(c.id, 0.0) / crit_total if crit_total else 0.0
                used = (
                    p.weight / pw_total * c.weight / cw_total
                    if p.id in pillar_mass and c.score is not None
                    else 0.0
                )
                rows.append(
                    {
                        "pillar": p.id,
                        "criterion": c.id,
                        "level": c.level,
                        "score": c.score,
                        "weight": c.weight,
                        "effective_weight": c.effective_weight,
                        "used_weight": used,
                        "state": c.state,
                        "points": p_points * share,
                    }
                )
        frame = pd.DataFrame(rows).astype({"level": "Int64", "score": "Float64"})
        return cls(assessment=a, frame=frame, gate_loss=a.gate_loss)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: ``rows`` (the records of :meth:`to_frame`, as ``readiness
        assess --explain --format json`` gives them under ``explain``), ``raw``,
        ``gate_loss`` and ``overall`` (``None`` without an overall score), and the
        partnership id, rubric and aggregation they are of."""
        a = self.assessment
        return {
            "partnership": a.partnership.id,
            "rubric": a.rubric.label,
            "aggregation": a.rubric.aggregation,
            "rows": json.loads(self.frame.to_json(orient="records")),
            "raw": a.raw,
            "gate_loss": self.gate_loss,
            "overall": a.overall,
        }

    def to_document(self) -> Document:
        """The explanation laid out: points per pillar (bold) and criterion in one table
        of typed columns, what the columns mean, the totals and the failed gates."""
        a = self.assessment
        columns = (
            Column("pillar / criterion"),
            Column("level", "level"),
            Column("score", "score"),
            Column("weight", "number"),
            Column("eff.w", "share", digits=1),
            Column("used", "share", digits=1),
            Column("points", "score", digits=2),
        )
        rows = [_row(r) for r in self.frame.to_dict("records")]
        totals = [Row((words.explain.raw(), a.raw))]
        if a.failed_gates:
            totals.append(Row((words.explain.gate_loss(), -a.gate_loss or 0.0)))  # never -0
        if a.overall is not None:
            totals.append(Row((words.explain.overall(), a.overall), strong=True))
        blocks: list[Any] = [
            Paragraph.of(words.explain.method(a.rubric.label, a.rubric.aggregation)),
            Table(columns, tuple(rows)),
            Paragraph.of(words.explain.legend()),
            Table((Column(""), Column("points", "score", digits=2)), tuple(totals)),
        ]
        if a.failed_gates:
            blocks.append(
                BulletList.of(
                    *(
                        words.explain.gate_failed(g.criterion, g.min_level, g.cap_band, g.cost)
                        for g in a.failed_gates
                    )
                )
            )
        if a.overall is None:
            blocks.append(Paragraph.of(words.explain.no_overall(a.reason or "")))
        return Document(
            words.explain.title(a.partnership.name), tuple(blocks), "explanation", self.to_dict()
        )

    def __str__(self) -> str:
        return self.to_text()


def _row(record: Mapping[Hashable, Any]) -> Row:
    """One row of the points table: a pillar (bold) or one of its criteria."""
    pillar = _missing(record["criterion"])
    if pillar:
        level: Any = ""
    elif _missing(record["level"]):
        level = words.explain.state(record["state"])
    else:
        level = int(record["level"])
    return Row(
        (
            record["pillar"] if pillar else line(code(record["criterion"])),
            level,
            None if _missing(record["score"]) else float(record["score"]),
            record["weight"],
            record["effective_weight"],
            record["used_weight"],
            record["points"],
        ),
        strong=pillar,
    )


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))

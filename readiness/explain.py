"""Explain an overall score: how each pillar and criterion contributed, in points."""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from typing_extensions import TypedDict

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
from readiness.rubric import Method
from readiness.scoring import ScoringModel, counted_criteria, effective_weights, shares

if TYPE_CHECKING:
    from readiness.assessment import Assessment

__all__ = ["ExplainedRow", "Explanation", "ExplanationData"]


class ExplainedRow(TypedDict):
    """One row of an explanation in JSON: a pillar (``criterion`` null, ``state``
    ``scored`` or ``no score``) or one of its criteria (``state`` the criterion's)."""

    pillar: str
    criterion: str | None
    level: int | None
    score: float | None
    weight: float
    effective_weight: float
    used_weight: float
    state: Literal["scored", "no score", "rated", "unknown", "not-applicable"]
    points: float


class ExplanationData(TypedDict):
    """The JSON document of an explanation (``Explanation.to_dict()``; ``readiness
    schema explanation``)."""

    partnership: str
    rubric: str
    aggregation: Method
    rows: list[ExplainedRow]
    raw: float | None
    gate_loss: float
    overall: float | None


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
        """The contributions in ``a``: the criteria and pillars the point score counts
        and their shares, by the scoring core's rules (:mod:`readiness.scoring`)."""
        model = ScoringModel.from_rubric(a.rubric)
        applicable = ~a.not_applicable[0]
        rated = applicable & ~np.isnan(a.levels[0])
        counted = counted_criteria(rated, applicable, a.options.unknown_policy)
        # a criterion's share of the raw score among what counts (exact for arithmetic)
        used = effective_weights(model, counted).tolist()
        scored = np.array([p.score is not None for p in a.pillars])
        none = [0.0] * model.n_pillars
        pillar_used = shares(model.pillar_weight, scored).tolist() if scored.any() else none
        pillar_mass = [u * (p.score or 0.0) for u, p in zip(pillar_used, a.pillars, strict=True)]
        mass_total = sum(pillar_mass)
        raw = a.raw or 0.0
        rows: list[ExplainedRow] = []
        for i, p in enumerate(a.pillars):
            members = np.flatnonzero(model.criterion_pillar == i)
            crit_mass = [0.0] * len(members)
            if counted[members].any():
                within = shares(model.criterion_weight[members], counted[members]).tolist()
                crit_mass = [
                    f * (a.criteria[j].score or 0.0) if counted[j] else 0.0
                    for f, j in zip(within, members.tolist(), strict=True)
                ]
            crit_total = sum(crit_mass)
            p_points = raw * pillar_mass[i] / mass_total if scored[i] and mass_total else 0.0
            rows.append(
                {
                    "pillar": p.id,
                    "criterion": None,
                    "level": None,
                    "score": p.score,
                    "weight": p.weight,
                    "effective_weight": p.effective_weight,
                    "used_weight": pillar_used[i] if scored[i] else 0.0,
                    "state": "scored" if scored[i] else "no score",
                    "points": p_points,
                }
            )
            for mass, j in zip(crit_mass, members.tolist(), strict=True):
                c = a.criteria[j]
                rows.append(
                    {
                        "pillar": p.id,
                        "criterion": c.id,
                        "level": c.level,
                        "score": c.score,
                        "weight": c.weight,
                        "effective_weight": c.effective_weight,
                        "used_weight": used[j] if scored[i] else 0.0,
                        "state": c.state,
                        "points": p_points * (mass / crit_total) if crit_total else 0.0,
                    }
                )
        frame = pd.DataFrame(rows).astype({"level": "Int64", "score": "Float64"})
        return cls(assessment=a, frame=frame, gate_loss=a.gate_loss)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_dict(self) -> ExplanationData:
        """JSON-ready data: ``rows`` (the records of :meth:`to_frame`, as ``readiness
        assess --explain --format json`` gives them under ``explain``), ``raw``,
        ``gate_loss`` and ``overall`` (``None`` without an overall score), and the
        partnership id, rubric and aggregation they are of."""
        a = self.assessment
        # the frame's records as pandas writes them (floats to 10 decimals): the rows
        # the frame was built from in :meth:`of`, each an ExplainedRow
        rows: list[ExplainedRow] = json.loads(self.frame.to_json(orient="records"))
        return {
            "partnership": a.partnership.id,
            "rubric": a.rubric.label,
            "aggregation": a.rubric.aggregation,
            "rows": rows,
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

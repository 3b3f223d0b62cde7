"""Explain an overall score: how each pillar and criterion contributed, in points."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from readiness.scoring import ScoringModel, counted_criteria, effective_weights, shares

if TYPE_CHECKING:
    from readiness.assessment import Assessment

__all__ = ["Explanation"]


@dataclass(frozen=True)
class Explanation:
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
        rows = []
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

    def to_text(self) -> str:
        """A fixed-width table for terminals."""
        a = self.assessment
        lines = [
            f"How the overall score of {a.partnership.name} is made "
            f"(rubric {a.rubric.label}, pillars by {a.rubric.aggregation} mean)",
            "",
            f"{'pillar / criterion':<46} {'level':>5} {'score':>6} {'weight':>6} "
            f"{'eff.w':>6} {'used':>6} {'points':>7}",
        ]
        for row in self.frame.to_dict("records"):
            name = row["pillar"] if _missing(row["criterion"]) else f"  {row['criterion']}"
            level = (
                str(row["level"])
                if not _missing(row["level"])
                else {"unknown": "?", "not-applicable": "n/a"}.get(row["state"], "")
            )
            score = "  -" if _missing(row["score"]) else f"{row['score']:.1f}"
            lines.append(
                f"{name:<46} {level:>5} {score:>6} {row['weight']:>6.2f} "
                f"{row['effective_weight']:>6.1%} {row['used_weight']:>6.1%} {row['points']:>7.2f}"
            )
        raw = a.raw
        lines.append("")
        lines.append(
            "eff.w: the criterion's share of the whole when everything is rated; used: its "
            "share among what is rated (points = score x used for arithmetic means); "
            "?: unknown, n/a: not applicable"
        )
        lines.append(
            f"{'sum of contributions (raw overall)':<46} {'':>34}"
            f"{(raw if raw is not None else float('nan')):>7.2f}"
        )
        for g in a.failed_gates:
            lines.append(
                f"gate failed: {g.criterion} below level {g.min_level} caps the band at "
                f"{g.cap_band} (lifting it alone would add {g.cost:.2f} points)"
            )
        if a.failed_gates:
            loss = -a.gate_loss or 0.0  # never a negative zero
            lines.append(f"{'failed gates take off, together':<46} {'':>34}{loss:>7.2f}")
        if a.overall is None:
            lines.append(f"overall: none ({a.reason})")
        else:
            lines.append(f"{'overall':<46} {'':>34}{a.overall:>7.2f}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))

"""How far a score, a band and a ranking can be trusted.

Three analyses over the choices an analyst could defend (pillar and criterion weights,
the overall aggregation method, the unknown policy, low-confidence ratings), in the
practice of the EU Joint Research Centre for composite indicators:

- :func:`uncertainty`: scores under many sampled choices: per partnership the
  median and 5-95% of the overall score and the probability of each band; for a set,
  rank intervals and the probability that one ranks above another.
- :func:`sensitivity`: Sobol first-order and total indices of the overall score and
  the rank to each pillar weight and choice (scipy's estimator).
- :func:`margins`: exact stability margins of each pillar weight, before a band
  changes or two partnerships swap (arithmetic aggregation).

:func:`robustness` runs all three; :func:`readiness.audit.audit` checks the rubric's
coherence over many partnerships. Everything is seeded and reproducible.

>>> from readiness import assess, load_partnership
>>> a = assess(load_partnership("examples/partnerships/aukus.json"))
>>> r = robustness(a, samples=2_000, n=128)
>>> line = r.summary()[0]
>>> line.startswith("aukus: Functional with probability")
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from readiness._display import Rendered
from readiness.errors import renamed
from readiness.robustness._panel import PartnershipArrays, panel_of
from readiness.robustness.margins import Margins, margins
from readiness.robustness.sensitivity import Sensitivity, sensitivity
from readiness.robustness.uncertainty import Choices, Elicited, Uncertainty, uncertainty
from readiness.rubric import Rubric

__all__ = [
    "Choices",
    "Elicited",
    "Margins",
    "PartnershipArrays",
    "Robustness",
    "Sensitivity",
    "Uncertainty",
    "margins",
    "robustness",
    "sensitivity",
    "uncertainty",
]


@dataclass(frozen=True, eq=False)
class Robustness(Rendered):
    """Uncertainty, sensitivity and margins of the same partnerships.

    ``sensitivity`` is ``None`` when nothing varies; ``margins`` is ``None`` when the
    rubric's overall aggregation is not arithmetic (exact margins need it).
    """

    uncertainty: Uncertainty
    sensitivity: Sensitivity | None
    margins: Margins | None

    def __repr__(self) -> str:
        parts = [f"{self.uncertainty.samples:,} samples"]
        if self.sensitivity is not None:
            parts.append(f"Sobol n={self.sensitivity.n:,}")
        if self.margins is not None:
            parts.append("margins")
        return f"<Robustness of {self.panel.n} partnerships: {', '.join(parts)}>"

    @property
    def panel(self) -> PartnershipArrays:
        return self.uncertainty.panel

    @property
    def labels(self) -> tuple[str, ...]:
        return self.panel.labels

    def records(self) -> list[dict[str, Any]]:
        """Per partnership: the facts of its summary line, as data."""
        u = self.uncertainty
        frame = u.to_frame()
        rubric = self.panel.rubric
        names = {b.id: b.name for b in rubric.bands}
        sens = self.sensitivity
        top = sens.top() if sens else [None] * self.panel.n
        weight_top = _top_weight(sens, self.panel.model.pillar_ids) or [None] * self.panel.n
        out = []
        for i, label in enumerate(self.labels):
            row = frame.iloc[i]
            band = row["band"]
            rec: dict[str, Any] = {
                "partnership": label,
                "overall": _num(row["overall"]),
                "band": band,
                "band_name": names.get(band) if band else None,
                "p_band": _num(row[f"p_{band}"]) if band else _num(row["p_none"]),
                "likely_band": row["likely_band"],
                "score_p05": _num(row["p05"]),
                "score_median": _num(row["median"]),
                "score_p95": _num(row["p95"]),
                "rank": _num(row["rank"]),
                "rank_p05": _num(row["rank_p05"]),
                "rank_median": _num(row["rank_median"]),
                "rank_p95": _num(row["rank_p95"]),
                "most_sensitive_to": top[i],
                "most_sensitive_weight": weight_top[i],
                "margin": None,
                "lower": _num(self.panel.point.lower[i]),
                "upper": _num(self.panel.point.upper[i]),
            }
            if self.margins is not None:
                m = self.margins.for_partnership(label)
                if len(m):
                    hit = m.iloc[0]  # the tightest: the same row as the margin table's
                    rec["margin"] = {
                        "pillar": str(hit["pillar"]),
                        "weight": float(hit["weight"]),
                        "down": float(hit["down"]),
                        "up": _num(hit["up"]),
                    }
            out.append(rec)
        return out

    def summary(self) -> list[str]:
        """One sentence per partnership: band and its probability under the choices varied,
        rank and interval, the choice it is most sensitive to (largest Sobol total index),
        the tightest weight margin (as in the margin table), and the range the unknown
        criteria leave open (they are not varied here; ``assess`` shows the same range)."""
        lines = []
        n = self.panel.n
        for r in self.records():
            if r["band"] is None:
                head = f"{r['partnership']}: no score (no score in {r['p_band']:.0%} of samples)"
            else:
                head = (
                    f"{r['partnership']}: {r['band_name']} with probability {r['p_band']:.2f} "
                    f"under the choices varied (score 5-95%: {_score(r['score_p05'])}-"
                    f"{_score(r['score_p95'])})"
                )
            if n > 1 and r["rank"] is not None:
                head += (
                    f"; rank {r['rank']:.0f} of {n} (90% interval "
                    f"{_rank(r['rank_p05'])}-{_rank(r['rank_p95'])})"
                )
            factor = r["most_sensitive_to"]
            if factor:
                head += f"; most sensitive to {factor} (largest Sobol total index)"
            elif self.sensitivity is not None:
                i = self.labels.index(r["partnership"])
                if np.isnan(self.sensitivity.total[i]).all():
                    head += "; sensitivity undefined (no score in some samples)"
                else:
                    head += "; no choice moves its score"
            m = r["margin"]
            if m:
                head += (
                    f"; tightest weight: {m['pillar']}, whose weight {m['weight']:g} can move "
                    f"{_range(m)} before the band changes"
                )
            if r["lower"] is not None and r["upper"] is not None:
                head += (
                    f"; unknown criteria are not varied: once rated, the score lies in "
                    f"{r['lower']:.1f}-{r['upper']:.1f} (the range of assess)"
                )
            lines.append(head)
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.records(),
            "uncertainty": self.uncertainty.to_dict(),
            "sensitivity": None if self.sensitivity is None else self.sensitivity.to_dict(),
            "margins": None if self.margins is None else self.margins.to_dict(),
        }


def __getattr__(name: str) -> object:
    """``Panel``: the deprecated name of :class:`PartnershipArrays` (before 0.3.0)."""
    return renamed(__name__, name, {"Panel": ("PartnershipArrays", PartnershipArrays)})


def _top_weight(sens: Sensitivity | None, pillars: tuple[str, ...]) -> list[str | None]:
    """Per partnership, the pillar weight with the largest total index."""
    if sens is None:
        return []
    cols = [j for j, f in enumerate(sens.factors) if f in pillars]
    out: list[str | None] = []
    for row in sens.total:
        sub = row[cols] if cols else np.array([])
        if len(sub) == 0 or np.isnan(sub).all() or not np.nanmax(sub) > 1e-9:
            out.append(None)
        else:
            out.append(sens.factors[cols[int(np.nanargmax(sub))]])
    return out


def _num(x: Any) -> float | None:
    if x is None:
        return None
    value = float(x)
    return None if math.isnan(value) else value


def _score(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _rank(x: float | None) -> str:
    return "-" if x is None else f"{x:.0f}"


def _range(m: dict[str, Any]) -> str:
    up = "any higher value" if m["up"] is None or math.isinf(m["up"]) else f"{m['up']:.3g}"
    down = "0" if m["down"] <= 0 else f"{m['down']:.3g}"
    return f"between {down} and {up}"


def robustness(
    subject: object,
    rubric: Rubric | None = None,
    *,
    samples: int = 10_000,
    seed: int = 0,
    n: int = 512,
    choices: Choices | None = None,
) -> Robustness:
    """Uncertainty (``samples`` draws), Sobol sensitivity (base size ``n``) and margins.

    Args:
        subject: An :class:`~readiness.Assessment`, a list of them, or a levels frame.
        rubric: The rubric of a levels frame.
        samples: Draws of the uncertainty analysis.
        seed: Seed of both the draws and the Sobol sequence.
        n: Base sample size of the Sobol estimate (power of 2).
        choices: What varies (default :class:`Choices`).

    Raises:
        InputError: Bad options or inputs.
    """
    from readiness.errors import InputError

    panel = panel_of(subject, rubric)
    u = uncertainty(panel, samples=samples, seed=seed, choices=choices)
    try:
        s: Sensitivity | None = sensitivity(panel, n=n, seed=seed, choices=choices)
    except InputError as exc:
        if not any(p.path == "choices" for p in exc.problems):
            raise
        s = None
    m = margins(panel) if panel.model.overall_method == "arithmetic" else None
    return Robustness(uncertainty=u, sensitivity=s, margins=m)

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
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, NotRequired

import numpy as np
from typing_extensions import TypedDict

from readiness.document import (
    BulletList,
    Chart,
    Column,
    Document,
    Paragraph,
    Rendered,
    Row,
    Section,
    Table,
)
from readiness.document.words import robustness as said
from readiness.document.words.robustness import Sensitive
from readiness.errors import InputError, Problem, renamed
from readiness.robustness._panel import PartnershipArrays, panel_of
from readiness.robustness.margins import Margins, MarginsData, margins
from readiness.robustness.sensitivity import (
    Sensitivity,
    SensitivityData,
    _tornado_chart,
    sensitivity,
)
from readiness.robustness.uncertainty import (
    Choices,
    Uncertainty,
    UncertaintyData,
    _band_chart,
    _rank_interval_chart,
    uncertainty,
    varied,
)
from readiness.rubric import Rubric

if TYPE_CHECKING:
    from readiness.assessment import Assessment

__all__ = [
    "DOMINANCE_MAX",
    "Choices",
    "Finding",
    "Margins",
    "PartnershipArrays",
    "Robustness",
    "RobustnessData",
    "Sensitivity",
    "Uncertainty",
    "margins",
    "robustness",
    "sensitivity",
    "uncertainty",
]


DOMINANCE_MAX = 30
"""Partnerships beyond which the dominance table is left out (n x n cells)."""


class MarginData(TypedDict):
    """The tightest band margin of a partnership: the pillar weight and how far it can
    move down or up (``None`` up: no limit) before the band changes."""

    pillar: str
    weight: float
    down: float
    up: float | None


class SummaryData(TypedDict):
    """One partnership's summary line, as data (``summary`` of ``readiness schema
    robustness``): its band and the probability of keeping it, its score and rank
    intervals, what it is most sensitive to, its tightest margin and the interval
    unknown criteria leave open."""

    partnership: str
    overall: float | None
    band: str | None
    band_name: str | None
    p_band: float | None
    likely_band: str
    score_p05: float | None
    score_median: float | None
    score_p95: float | None
    rank: float | None
    rank_p05: float | None
    rank_median: float | None
    rank_p95: float | None
    most_sensitive_to: str | None
    most_sensitive_weight: str | None
    margin: MarginData | None
    lower: float | None
    upper: float | None


class RobustnessData(TypedDict):
    """The JSON document of a robustness analysis (``Robustness.to_dict()``; with
    ``dominance``, P(row ranks above column), in its document up to
    :data:`DOMINANCE_MAX` partnerships)."""

    summary: list[SummaryData]
    uncertainty: UncertaintyData
    sensitivity: SensitivityData | None
    margins: MarginsData | None
    dominance: NotRequired[dict[str, dict[str, float]]]


@dataclass(frozen=True)
class Finding:
    """One partnership's robustness as figures and reasons (its summary sentence says it).

    Attributes:
        partnership: Its label.
        band: The name of its band under the rubric's own choices (``None``: no score).
        p_band: The probability of that band (of no score, when ``band`` is ``None``).
        score_p05, score_p95: The overall score's 5-95% interval.
        rank, rank_p05, rank_p95: Its rank under the rubric's choices, and 5-95%.
        of: How many partnerships are ranked.
        sensitive: What the Sobol indices say of its score: ``factor`` (the largest
            total index is ``factor``'s), ``undefined`` (no score in some samples),
            ``unmoved`` (no choice moves it) or ``not-run`` (nothing varied).
        factor: The factor with the largest total index, for ``factor``.
        margin: The tightest pillar weight, as in the margin table: (pillar, weight,
            lowest and highest weight keeping the band; ``None``: no upper limit).
        lower, upper: The range of the score once the unknown criteria are rated.
    """

    partnership: str
    band: str | None
    p_band: float | None
    score_p05: float | None
    score_p95: float | None
    rank: float | None
    rank_p05: float | None
    rank_p95: float | None
    of: int
    sensitive: Sensitive
    factor: str | None
    margin: tuple[str, float, float, float | None] | None
    lower: float | None
    upper: float | None


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

    def records(self) -> list[SummaryData]:
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
            rec: SummaryData = {
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

    def findings(self) -> tuple[Finding, ...]:
        """Per partnership: the figures and reasons its summary sentence says."""
        out = []
        for i, r in enumerate(self.records()):
            sensitive: Sensitive = "not-run"
            if r["most_sensitive_to"]:
                sensitive = "factor"
            elif self.sensitivity is not None:
                undefined = np.isnan(self.sensitivity.total[i]).all()
                sensitive = "undefined" if undefined else "unmoved"
            m = r["margin"]
            out.append(
                Finding(
                    partnership=r["partnership"],
                    band=r["band_name"] if r["band"] is not None else None,
                    p_band=r["p_band"],
                    score_p05=r["score_p05"],
                    score_p95=r["score_p95"],
                    rank=r["rank"],
                    rank_p05=r["rank_p05"],
                    rank_p95=r["rank_p95"],
                    of=self.panel.n,
                    sensitive=sensitive,
                    factor=r["most_sensitive_to"],
                    margin=None if not m else (m["pillar"], m["weight"], m["down"], m["up"]),
                    lower=r["lower"],
                    upper=r["upper"],
                )
            )
        return tuple(out)

    def plot(
        self,
        kind: Literal["bands", "ranks", "sensitivity"] = "bands",
        partnership: str | None = None,
    ) -> Any:
        """A chart of the analysis as a matplotlib figure, the picture its HTML shows:
        ``bands`` (each partnership's probability of each band), ``ranks`` (rank
        intervals) or ``sensitivity`` (the Sobol indices of ``partnership``, a label of
        :attr:`Uncertainty.labels`; the first by default). Needs the ``plots`` extra.

        Raises:
            ReportError: matplotlib is not installed.
            InputError: ``sensitivity`` without Sobol indices, or an unknown ``kind``.
        """
        from readiness.document.charts import figure_of

        u = self.uncertainty
        if kind == "bands":
            return figure_of(partial(_band_chart, u, None))
        if kind == "ranks":
            return figure_of(partial(_rank_interval_chart, u))
        if kind == "sensitivity":
            if self.sensitivity is None:
                raise InputError("this analysis has no Sobol indices (sensitivity was not run)")
            label = u.labels[0] if partnership is None else partnership
            if label not in u.labels:
                raise InputError(f"no partnership {label!r} here (labels: {list(u.labels)})")
            return figure_of(partial(_tornado_chart, self.sensitivity, label))
        raise InputError(f"unknown kind {kind!r}: use bands, ranks or sensitivity")

    def summary(self) -> list[str]:
        """One sentence per partnership: band and its probability under the choices varied,
        rank and interval, the choice it is most sensitive to (largest Sobol total index),
        the tightest weight margin (as in the margin table), and the range the unknown
        criteria leave open (they are not varied here; ``assess`` shows the same range).
        The sentences say :meth:`findings`."""
        return [
            said.summary(
                f.partnership,
                band=f.band,
                p_band=f.p_band,
                score_p05=f.score_p05,
                score_p95=f.score_p95,
                rank=f.rank,
                of=f.of,
                rank_p05=f.rank_p05,
                rank_p95=f.rank_p95,
                sensitive=f.sensitive,
                factor=f.factor,
                margin=f.margin,
                lower=f.lower,
                upper=f.upper,
            )
            for f in self.findings()
        ]

    def to_dict(self) -> RobustnessData:
        """JSON-ready: the summary per partnership, and the uncertainty, sensitivity
        and margins analyses (``None`` when not run). ``robustness --format json`` adds
        ``dominance`` and ``audit``."""
        return {
            "summary": self.records(),
            "uncertainty": self.uncertainty.to_dict(),
            "sensitivity": None if self.sensitivity is None else self.sensitivity.to_dict(),
            "margins": None if self.margins is None else self.margins.to_dict(),
        }

    def dominance_dict(self) -> dict[str, dict[str, float]] | None:
        """P(row ranks above column) as JSON-ready data (``None`` for more than
        :data:`DOMINANCE_MAX` partnerships)."""
        if self.panel.n > DOMINANCE_MAX:
            return None
        dom = self.uncertainty.dominance()
        return {str(a): {str(b): float(v) for b, v in row.items()} for a, row in dom.iterrows()}

    # --- the set laid out ---------------------------------------------------------

    def to_document(self) -> Document:
        """The analysis of the set laid out: what was varied, one summary per
        partnership, the score and rank table with its charts, the pairwise dominance
        (up to :data:`DOMINANCE_MAX` partnerships), the Sobol total indices and the
        tightest weight margins. Its data is :meth:`to_dict`, with ``dominance``."""
        u = self.uncertainty
        blocks: list[Any] = [
            Paragraph.of(said.sampled(u.samples, u.seed, varied(u.choices))),
            BulletList.of(*self.summary()),
            self._table(),
            Chart("Rank intervals under sampled choices", partial(_rank_interval_chart, u)),
            Chart("Probability of each band", partial(_band_chart, u, None)),
        ]
        if (dominance := self._dominance()) is not None:
            blocks.append(dominance)
        if self.sensitivity is not None:
            blocks.append(self._sobol(self.sensitivity))
        if self.margins is not None and len(self.margins.bands):
            blocks.append(self._margins(self.margins))
        return Document(said.title(self.panel.n), tuple(blocks), "robustness", self.to_dict())

    def _table(self) -> Table:
        columns = (
            Column("Partnership"),
            Column("Overall", "score"),
            Column("Band"),
            Column("P(band)", "share"),
            Column("Score 5-95%", "score"),
            Column("Rank", "count"),
            Column("Rank 5-95%", "count"),
            Column("Most sensitive to"),
        )
        rows = [
            Row(
                (
                    r["partnership"],
                    r["overall"],
                    r["band"],
                    r["p_band"],
                    said.interval(r["score_p05"], r["score_p95"]),
                    r["rank"],
                    said.interval(r["rank_p05"], r["rank_p95"], 0),
                    r["most_sensitive_to"],
                )
            )
            for r in self.records()
        ]
        return Table(columns, tuple(rows))

    def _dominance(self) -> Section | None:
        """P(row ranks above column) as a table; for one partnership its data only."""
        data = self.dominance_dict()
        if data is None:
            return None
        title = "Probability that the row ranks above the column"
        if self.panel.n < 2:
            return Section(None, (), key="dominance", data=data)
        columns = (Column(""), *(Column(b, "share") for b in data))
        rows = tuple(
            Row((a, *("" if a == b else v for b, v in row.items()))) for a, row in data.items()
        )
        return Section(title, (Table(columns, rows),), key="dominance", data=data)

    def _sobol(self, s: Sensitivity) -> Section:
        """The total indices of each partnership's overall score, and their charts."""
        table = Table(
            (Column(""), *(Column(f, "score", 2) for f in s.factors)),
            tuple(
                Row((label, *(None if math.isnan(x) else float(x) for x in s.total[i])))
                for i, label in enumerate(s.labels)
            ),
        )
        drawn = [
            Chart(said.tornado_alt(label), partial(_tornado_chart, s, label))
            for i, label in enumerate(s.labels)
            if not np.isnan(s.total[i]).all()
        ]
        return Section(said.sobol_title(s.n), (table, *drawn))

    def _margins(self, m: Margins) -> Section:
        """The tightest pillar-weight margin of each partnership."""
        tight = m.bands.sort_values("room").groupby("partnership", sort=False).head(1)
        columns = (
            Column("Partnership"),
            Column("Pillar"),
            Column("Weight", "number"),
            Column("Band kept from", "score", 3),
            Column("to", "score", 3),
        )
        rows = tuple(
            Row(
                (
                    str(rec["partnership"]),
                    str(rec["pillar"]),
                    float(rec["weight"]),
                    float(rec["down"]),
                    said.no_limit() if math.isinf(rec["up"]) else float(rec["up"]),
                )
            )
            for rec in tight.to_dict("records")
        )
        return Section("Tightest pillar-weight margin per partnership", (Table(columns, rows),))

    # --- one partnership, as a section of its report ----------------------------------

    def section_dict(self, a: Assessment) -> dict[str, Any]:
        """The robustness of ``a``'s partnership as JSON-ready data: band probabilities,
        score distribution, rank interval, Sobol indices and pillar-weight margins (the
        ``robustness`` key of ``readiness report --robustness --format json``).

        Raises:
            InputError: The assessment's partnership is not in this result.
        """
        i = self._index(a)
        rec = self.records()[i]
        u = self.uncertainty
        probs = u.band_probabilities()[i]
        section: dict[str, Any] = {
            "samples": u.samples,
            "seed": u.seed,
            "choices": u.choices.to_dict(),
            "summary": self.summary()[i],
            "band_probabilities": {
                name: float(p) for name, p in zip([*u.band_ids, "none"], probs, strict=True)
            },
            "score": {
                "p05": rec["score_p05"],
                "median": rec["score_median"],
                "p95": rec["score_p95"],
            },
            "rank": {
                "point": rec["rank"],
                "p05": rec["rank_p05"],
                "median": rec["rank_median"],
                "p95": rec["rank_p95"],
                "of": self.panel.n,
            },
            "sensitivity": None,
            "margins": None,
        }
        if self.sensitivity is not None:
            sens = self.sensitivity.to_dict()["partnerships"][i]
            section["sensitivity"] = {"factors": list(self.sensitivity.factors), **sens}
        if self.margins is not None:
            rows = self.margins.for_partnership(a.partnership.id)
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

    def section_for(self, a: Assessment) -> Section:
        """The robustness of ``a``'s partnership as a section of its report (key
        ``robustness``, data :meth:`section_dict`): its summary, the score's median
        and interval, the chance of each band (with a chart) and its five tightest
        pillar-weight margins.

        Raises:
            InputError: The assessment's partnership is not in this result.
        """
        s = self.section_dict(a)
        names = {b.id: b.name for b in a.rubric.bands} | {"none": "No score"}
        score = s["score"]
        blocks: list[Any] = [
            Paragraph.of(s["summary"]),
            Paragraph.of(
                said.distribution(
                    s["samples"], s["seed"], score["median"], score["p05"], score["p95"]
                )
            ),
            Chart(
                "Probability of each band",
                partial(_band_chart, self.uncertainty, a.partnership.id),
            ),
            Table(
                (Column("Band"), Column("Probability", "share")),
                tuple(Row((names[k], v)) for k, v in s["band_probabilities"].items() if v),
            ),
        ]
        if s["margins"]:
            tight = sorted(s["margins"], key=lambda m: (m["up"] is None, m["up"] or 0))[:5]
            blocks.append(
                Table(
                    (
                        Column("Pillar weight"),
                        Column("Keeps the band from", "score", 3),
                        Column("to", "score", 3),
                    ),
                    tuple(
                        Row(
                            (
                                said.weight_label(m["pillar"], m["weight"]),
                                m["down"],
                                said.no_limit() if m["up"] is None else m["up"],
                            )
                        )
                        for m in tight
                    ),
                )
            )
        return Section("Robustness", tuple(blocks), key="robustness", data=s)

    def _index(self, a: Assessment) -> int:
        label = a.partnership.id
        if label not in self.labels:
            raise InputError([Problem("assessment", f"{label!r} is not in this robustness result")])
        return self.labels.index(label)


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


def _none(x: Any) -> Any:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _num(x: Any) -> float | None:
    if x is None:
        return None
    value = float(x)
    return None if math.isnan(value) else value


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

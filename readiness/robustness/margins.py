"""Exact stability margins of pillar weights (arithmetic overall aggregation).

Move one pillar's weight from ``w`` to ``w + t`` (the overall score renormalises over
the pillars, so the others' shares shrink or grow in proportion). With ``A`` the sum of
weight x score over the scored pillars and ``B`` their weight, the raw overall score is
``(A + t P) / (B + t)``: it crosses a band edge ``e`` at ``t = (e B - A) / (P - e)``.
Coverage moves the same way, ``(C + t c) / (D + t)``, and crosses the minimum coverage
at a solution of a linear equation too; two partnerships' scores meet at a root of a
quadratic. Gate caps (``min(raw, cap)``) only add the edges ``raw = cap``. Between
consecutive solutions nothing changes, so the first solution after which the band (or
the order of two partnerships) differs is the exact margin; no search is involved.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray
from typing_extensions import TypedDict

from readiness.errors import InputError, Problem
from readiness.robustness._panel import PartnershipArrays, panel_of
from readiness.rubric import Rubric
from readiness.scoring import SETTLE_DECIMALS, band_of, cap_band, has_score, unknown_at_zero

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BandMarginData", "Margins", "MarginsData", "SwapData", "margins"]

Bound = float | Literal["inf", "-inf"]
"""A weight or room in JSON: a number, or ``"inf"``/``"-inf"`` where no move changes
the result (JSON has no infinity)."""


class BandMarginData(TypedDict):
    """How far one pillar's weight can move before a partnership's band changes."""

    partnership: str
    pillar: str
    weight: float
    band: str | None
    down: Bound | None
    down_band: str | None
    up: Bound | None
    up_band: str | None
    down_share: Bound | None
    up_share: Bound | None
    share: float
    room: Bound | None


class SwapData(TypedDict):
    """How far one pillar's weight can move before two partnerships swap places."""

    above: str
    below: str
    pillar: str
    weight: float
    down: Bound | None
    up: Bound | None


class MarginsData(TypedDict):
    """The weight margins in JSON (``Margins.to_dict()``, the ``margins`` of
    ``readiness schema robustness``)."""

    bands: list[BandMarginData]
    swaps: list[SwapData]


def _bound(x: Any) -> Bound | None:
    """A figure as JSON: NaN as null, infinity as text, else settled."""
    x = float(x)
    if not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return round(x, SETTLE_DECIMALS)


def _settle(x: Any) -> float:
    return round(float(x), SETTLE_DECIMALS)


def _name(x: Any) -> str | None:
    return x if isinstance(x, str) else None


Floats = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class _Linear:
    """Each row's overall score and coverage as functions of one pillar's weight."""

    panel: PartnershipArrays
    A: Floats  # (n,) sum of weight x score over scored pillars
    B: Floats  # (n,) weight of the scored pillars
    P: Floats  # (n, k) pillar scores (NaN: no score)
    C: Floats  # (n,) sum of weight x coverage over applicable pillars
    D: Floats  # (n,) weight of the applicable pillars
    c: Floats  # (n, k) pillar coverage (NaN: nothing applies)
    cap: Floats  # (n,) score cap of failed gates
    band_cap: NDArray[np.intp]

    @classmethod
    def of(cls, panel: PartnershipArrays) -> _Linear:
        model = panel.model
        s = panel.point
        w = model.pillar_weight
        present = ~np.isnan(s.pillar)
        applies = ~np.isnan(s.pillar_coverage)
        band_cap = _band_caps(panel)
        return cls(
            panel=panel,
            A=np.where(present, s.pillar, 0.0) @ w,
            B=present @ w,
            P=s.pillar,
            C=np.where(applies, s.pillar_coverage, 0.0) @ w,
            D=applies @ w,
            c=s.pillar_coverage,
            cap=model.band_tops()[band_cap],
            band_cap=band_cap,
        )

    def raw(self, rows: NDArray[np.intp], p: int, t: Floats) -> Floats:
        """Raw overall score of ``rows`` with pillar ``p``'s weight moved by ``t``."""
        pp = self.P[rows, p]
        scored = ~np.isnan(pp)
        with np.errstate(invalid="ignore", divide="ignore"):
            moved = (self.A[rows] + t * np.where(scored, pp, 0.0)) / (self.B[rows] + t * scored)
        return np.where(self.B[rows] + t * scored > 0, moved, np.nan)

    def score(self, rows: NDArray[np.intp], p: int, t: Floats) -> Floats:
        """Overall score (gates and the coverage rule applied): NaN where none."""
        raw = np.minimum(self.raw(rows, p, t), self.cap[rows])
        cp = self.c[rows, p]
        applies = ~np.isnan(cp)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (self.C[rows] + t * np.where(applies, cp, 0.0)) / (self.D[rows] + t * applies)
        enough = has_score(cov, self.panel.min_coverage, self.panel.unknown_policy)
        return np.where(enough, raw, np.nan)

    def band(self, rows: NDArray[np.intp], p: int, t: Floats) -> NDArray[np.intp]:
        return band_of(self.score(rows, p, t), self.panel.model.band_mins, self.band_cap[rows])

    def edges(self, rows: NDArray[np.intp], p: int) -> Floats:
        """(rows, edges) weight moves where a row's band or score regime can change."""
        model = self.panel.model
        pp = self.P[rows, p][:, None]
        edges = np.broadcast_to(model.band_mins[1:], (len(rows), len(model.band_mins) - 1))
        values = np.concatenate([edges, self.cap[rows][:, None]], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            # (A + t P) / (B + t) = e  ->  t = (e B - A) / (P - e)
            score_t = (values * self.B[rows][:, None] - self.A[rows][:, None]) / (pp - values)
            cp = self.c[rows, p]
            thr = self.panel.min_coverage
            cov_t = (thr * self.D[rows] - self.C[rows]) / (cp - thr)
        return np.concatenate([score_t, cov_t[:, None]], axis=1)


def _band_caps(panel: PartnershipArrays) -> NDArray[np.intp]:
    model = panel.model
    failed = panel.point.gate_failed  # on evidence; under 'worst' unrated gates cap too
    if unknown_at_zero(model.unknown_policy):
        failed = failed | panel.point.gate_unrated
    return cap_band(failed, model.gate_band, len(model.band_mins) - 1)


def _first_change(
    candidates: Floats,
    lower: Floats,
    differs: Any,
    direction: int,
) -> Floats:
    """For each row, the first candidate move (in ``direction``) after which ``differs``.

    ``candidates`` (rows, c) may hold NaN; moves are limited to ``t > lower`` (the
    weight stays positive). ``differs(cols_t)`` tells, for (rows,) moves, whether the
    outcome differs from the start. Returns (rows,) moves: inf (or ``lower``) when
    nothing changes in that direction.
    """
    n = candidates.shape[0]
    t = np.where(np.isfinite(candidates), candidates * direction, np.nan)
    t = np.where(t >= 0, t, np.nan)  # only this direction (0: on an edge already)
    # how far the weight can go this way: without bound up, to zero down
    limit = np.full(n, np.inf) if direction > 0 else np.asarray(lower, dtype=np.float64)
    t = np.where(t < limit[:, None], t, np.nan)
    t = np.sort(t, axis=1)  # NaN last
    t = np.concatenate([np.zeros((n, 1)), t], axis=1)
    result = np.full(n, np.inf * direction)
    done = np.zeros(n, dtype=bool)
    for j in range(t.shape[1]):
        start = t[:, j]
        nxt = t[:, j + 1] if j + 1 < t.shape[1] else np.full(n, np.nan)
        # past the last solution: anywhere further on (halfway to a zero weight down)
        far = np.where(np.isinf(limit), start * 2 + 1, limit)
        nxt = np.where(np.isnan(nxt), far, nxt)
        ok = ~done & ~np.isnan(start) & (nxt > start)
        if not ok.any():
            continue
        mid = (start + nxt) / 2
        changed = ok & differs(np.where(ok, mid * direction, 0.0))
        result = np.where(changed, start * direction, result)
        done |= changed
    return result


@dataclass(frozen=True, eq=False)
class Margins:
    """How far each pillar weight can move before a band changes, or two partnerships
    swap. Build with :func:`margins`.

    ``bands`` has one row per (partnership, pillar): ``weight`` (the rubric's),
    ``band``, ``down``/``up`` (the lowest and highest weight that keep the band: 0 and
    inf when no weight changes it), ``down_band``/``up_band`` (the band just past the
    margin, ``None``: no score) and ``down_share``/``up_share`` (the pillar's share of
    the overall weight there). ``swaps`` has one row per (pair, pillar) with the
    weights at which the pair's order changes (``None``-free: inf/0 when never).
    """

    panel: PartnershipArrays
    bands: pd.DataFrame = field(repr=False)
    swaps: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"<Margins of {self.panel.n} partnerships: {len(self.bands)} band margins, "
            f"{len(self.swaps)} swaps>"
        )

    def for_partnership(self, label: str) -> pd.DataFrame:
        """The band margins of one partnership, tightest first."""
        rows = self.bands[self.bands["partnership"] == label]
        if rows.empty:
            raise InputError([Problem(f"partnership {label!r}", "not in this analysis")])
        return rows.sort_values("room").reset_index(drop=True)

    def to_dict(self) -> MarginsData:
        """JSON-ready: the band margins and the swaps (figures settled to the kernel's
        decimals; an unbounded move as ``"inf"``)."""
        bands: list[BandMarginData] = [
            {
                "partnership": str(r["partnership"]),
                "pillar": str(r["pillar"]),
                "weight": _settle(r["weight"]),
                "band": _name(r["band"]),
                "down": _bound(r["down"]),
                "down_band": _name(r["down_band"]),
                "up": _bound(r["up"]),
                "up_band": _name(r["up_band"]),
                "down_share": _bound(r["down_share"]),
                "up_share": _bound(r["up_share"]),
                "share": _settle(r["share"]),
                "room": _bound(r["room"]),
            }
            for r in self.bands.to_dict("records")
        ]
        swaps: list[SwapData] = [
            {
                "above": str(r["above"]),
                "below": str(r["below"]),
                "pillar": str(r["pillar"]),
                "weight": _settle(r["weight"]),
                "down": _bound(r["down"]),
                "up": _bound(r["up"]),
            }
            for r in self.swaps.to_dict("records")
        ]
        return {"bands": bands, "swaps": swaps}


def margins(
    subject: object,
    rubric: Rubric | None = None,
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
) -> Margins:
    """Exact weight margins of every pillar, for bands and for rank swaps.

    Args:
        subject: An assessment, a list of them, or a levels DataFrame.
        rubric: The rubric of a levels DataFrame.
        pairs: Pairs of labels whose swap margins to compute (default: each
            partnership and the next one down in the point ranking).

    Raises:
        InputError: The rubric's overall aggregation is not arithmetic (margins are
            then not solutions of linear equations), or an unknown label.
    """
    import pandas as pd

    panel = panel_of(subject, rubric)
    model = panel.model
    if model.overall_method != "arithmetic":
        raise InputError(
            [
                Problem(
                    "aggregation",
                    f"exact margins need arithmetic overall aggregation (rubric: "
                    f"{model.overall_method})",
                )
            ]
        )
    lin = _Linear.of(panel)
    rows = np.arange(panel.n)
    w = model.pillar_weight
    total = w.sum()
    point_band = panel.point.band
    records = []
    names = [*model.band_ids]
    for p, pid in enumerate(model.pillar_ids):
        cand = lin.edges(rows, p)

        def differs(t: Floats, p: int = p) -> NDArray[np.bool_]:
            return np.asarray(lin.band(rows, p, t) != point_band, dtype=bool)

        up = _first_change(cand, np.full(panel.n, w[p]), differs, +1)
        down = _first_change(cand, np.full(panel.n, w[p]), differs, -1)
        up_band = lin.band(rows, p, np.where(np.isfinite(up), up + _nudge(up), 0.0))
        down_band = lin.band(rows, p, np.where(np.isfinite(down), down - _nudge(down), 0.0))
        for i in range(panel.n):
            u, d = float(up[i]), float(down[i])
            lo = 0.0 if math.isinf(d) else w[p] + d
            hi = math.inf if math.isinf(u) else w[p] + u
            records.append(
                {
                    "partnership": panel.labels[i],
                    "pillar": pid,
                    "weight": float(w[p]),
                    "band": names[point_band[i]] if point_band[i] >= 0 else None,
                    "down": lo,
                    "down_band": None
                    if math.isinf(d)
                    else (names[down_band[i]] if down_band[i] >= 0 else None),
                    "up": hi,
                    "up_band": None
                    if math.isinf(u)
                    else (names[up_band[i]] if up_band[i] >= 0 else None),
                    "down_share": lo / (total - w[p] + lo),
                    "up_share": 1.0 if math.isinf(hi) else hi / (total - w[p] + hi),
                    "share": float(w[p] / total),
                    "room": min(u, -d) / w[p],
                }
            )
    bands = pd.DataFrame.from_records(records)
    swaps = _swaps(panel, lin, pairs)
    return Margins(panel=panel, bands=bands, swaps=swaps)


def _nudge(t: Floats) -> Floats:
    """A move just past ``t`` (to read the band on the far side of an edge)."""
    return np.maximum(np.abs(t), 1.0) * 1e-7


def _swaps(
    panel: PartnershipArrays, lin: _Linear, pairs: Sequence[tuple[str, str]] | None
) -> pd.DataFrame:
    import pandas as pd

    index = {label: i for i, label in enumerate(panel.labels)}
    if pairs is None:
        order = np.argsort(-np.nan_to_num(panel.point.overall, nan=-np.inf), kind="stable")
        pairs = [(panel.labels[a], panel.labels[b]) for a, b in itertools.pairwise(order)]
    bad = [x for pair in pairs for x in pair if x not in index]
    if bad:
        raise InputError(
            [Problem(f"pairs[{x!r}]", "not a partnership of this analysis") for x in bad]
        )
    if not pairs:
        return pd.DataFrame(columns=["above", "below", "pillar", "weight", "down", "up"])
    a = np.array([index[x] for x, _ in pairs], dtype=np.intp)
    b = np.array([index[y] for _, y in pairs], dtype=np.intp)
    model = panel.model
    w = model.pillar_weight
    records = []
    for p, pid in enumerate(model.pillar_ids):
        start = _order(lin, a, b, p, np.zeros(len(a)))
        cand = np.concatenate([lin.edges(a, p), lin.edges(b, p), _meets(lin, a, b, p)], axis=1)

        def differs(t: Floats, p: int = p, start: NDArray[np.int8] = start) -> NDArray[np.bool_]:
            return np.asarray(_order(lin, a, b, p, t) != start, dtype=bool)

        up = _first_change(cand, np.full(len(a), w[p]), differs, +1)
        down = _first_change(cand, np.full(len(a), w[p]), differs, -1)
        for i in range(len(a)):
            records.append(
                {
                    "above": panel.labels[a[i]],
                    "below": panel.labels[b[i]],
                    "pillar": pid,
                    "weight": float(w[p]),
                    "down": 0.0 if math.isinf(down[i]) else float(w[p] + down[i]),
                    "up": math.inf if math.isinf(up[i]) else float(w[p] + up[i]),
                }
            )
    return pd.DataFrame.from_records(records)


def _order(
    lin: _Linear, a: NDArray[np.intp], b: NDArray[np.intp], p: int, t: Floats
) -> NDArray[np.int8]:
    """+1 where ``a`` scores above ``b``, -1 below, 0 tied (no score is lowest)."""
    sa = np.nan_to_num(lin.score(a, p, t), nan=-1.0)
    sb = np.nan_to_num(lin.score(b, p, t), nan=-1.0)
    return np.sign(sa - sb).astype(np.int8)


def _meets(lin: _Linear, a: NDArray[np.intp], b: NDArray[np.intp], p: int) -> Floats:
    """Moves where the raw scores of ``a`` and ``b`` are equal (roots of a quadratic)."""
    pa = np.nan_to_num(lin.P[a, p])
    pb = np.nan_to_num(lin.P[b, p])
    sa, sb = ~np.isnan(lin.P[a, p]), ~np.isnan(lin.P[b, p])
    a1, b1, a2, b2 = lin.A[a], lin.B[a], lin.A[b], lin.B[b]
    # (a1 + t pa)(b2 + t sb) = (a2 + t pb)(b1 + t sa)
    qa = pa * sb - pb * sa
    qb = a1 * sb + pa * b2 - a2 * sa - pb * b1
    qc = a1 * b2 - a2 * b1
    with np.errstate(invalid="ignore", divide="ignore"):
        disc = qb * qb - 4 * qa * qc
        root = np.sqrt(np.where(disc >= 0, disc, np.nan))
        linear = -qc / qb
        r1 = np.where(qa != 0, (-qb + root) / (2 * qa), linear)
        r2 = np.where(qa != 0, (-qb - root) / (2 * qa), np.nan)
    return np.stack([r1, r2], axis=1)

"""Score n partnerships under S sampled modelling choices at once.

The scoring rules are those of :mod:`readiness.scoring` (the kernel), applied with a
different pillar weight vector, criterion weight vector, overall method and unknown
policy per sample. Gate caps and the coverage rule come from the compiled rubric
(``ScoringModel.gate_caps``/``band_tops``) and scores are settled to the kernel's
decimals, so a sample at the rubric's own choices reproduces ``score_matrix``
(``tests/test_robustness.py`` checks it).

Layout: a block of ``s`` samples puts each sample's criterion weights in a
block-diagonal (criteria x (s * pillars)) matrix, so that the pillar numerators and
denominators of every row under every sample of the block are one matrix product each,
giving (n, s, pillars) arrays. Rows whose pillars all have a score (the usual case)
then combine them with one ``einsum``; rows with a pillar without score, and rows with
low-confidence ratings (whose levels change from sample to sample), take a general,
masked path. Results are sample-major: (S, n).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from readiness.robustness._panel import Panel
from readiness.scoring import LEVEL_MAX, ScoringModel

__all__ = ["METHODS", "POLICIES", "Draws", "evaluate", "rubric_draws"]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.intp]

METHODS = ("arithmetic", "geometric", "minimum")
"""Index of a sample's overall method in :attr:`Draws.method`."""
POLICIES = ("exclude", "worst")
"""Index of a sample's unknown policy in :attr:`Draws.policy`."""

_SETTLE = 9  # the kernel's decimals (readiness.scoring._SETTLE)
_CELLS = 1_000_000  # rows x samples x pillars per block (8 MB per array)
_WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True, eq=False)
class Draws:
    """S sets of modelling choices, one per output row.

    Attributes:
        pillar_weight: (S, pillars) positive weights (any scale: scores normalise).
        criterion_weight: (S, criteria) positive weights, or ``None`` for the rubric's.
        method: (S,) index into :data:`METHODS` of the overall aggregation.
        policy: (S,) index into :data:`POLICIES` of the unknown policy.
        shift: (S, E) level shift (-1, 0, +1) of each low-confidence rating, in the
            order of ``np.nonzero(panel.low_confidence & rated)``; ``None``: no shift.
    """

    pillar_weight: Floats
    criterion_weight: Floats | None
    method: NDArray[np.int8]
    policy: NDArray[np.int8]
    shift: NDArray[np.int8] | None = None

    @property
    def size(self) -> int:
        return len(self.method)


class _Prepared:
    """Everything about the panel that no sample changes."""

    def __init__(self, panel: Panel) -> None:
        model = panel.model
        self.model = model
        self.k = model.n_pillars
        self.threshold = panel.min_coverage
        levels = panel.levels
        self.levels = levels
        known = ~np.isnan(levels)
        self.app = ~panel.not_applicable
        self.rated = known & self.app
        self.values = np.where(known, levels * (100.0 / LEVEL_MAX), 0.0)
        self.groups = [np.flatnonzero(model.criterion_pillar == p) for p in range(self.k)]
        self.stack = np.vstack(
            [np.where(self.rated, self.values, 0.0), self.rated, self.app]
        ).astype(np.float64)
        self.positive = self.values > 0
        logs = np.log(np.where(self.positive, self.values, 1.0))
        self.geometric = [p for p in range(self.k) if model.pillar_method[p] == "geometric"]
        self.minimum = [p for p in range(self.k) if model.pillar_method[p] == "minimum"]
        self.logs = {
            policy: np.where(self._answered(policy), logs, 0.0) for policy in POLICIES
        }
        self.zeros = {
            policy: self._any(self._answered(policy) & ~self.positive) for policy in POLICIES
        }
        self.mins = {
            policy: self._min(np.where(self._answered(policy), self.values, np.inf))
            for policy in POLICIES
        }
        # rows where some pillar has no score: the masked path
        self.holes = {
            "exclude": ~self._any(self.rated).all(axis=1),
            "worst": ~self._any(self.app).all(axis=1),
        }
        self.full = self.app.all(axis=1)  # every criterion applies: fixed denominators
        self.scorable = self.app.any(axis=1)
        self.band_tops = model.band_tops()
        self.band_cap = self._caps(levels, self.app)
        rows, cols = np.nonzero(panel.low_confidence & self.rated)
        self.low_cols = cols
        self.noisy = np.unique(rows)
        self.noisy_pos = np.searchsorted(self.noisy, rows)

    def _answered(self, policy: str) -> Bools:
        return self.app if policy == "worst" else self.rated

    def _any(self, mask: Bools) -> Bools:
        return np.stack([mask[:, cols].any(axis=1) for cols in self.groups], axis=1)

    def _min(self, values: Floats) -> Floats:
        low = np.stack([values[:, cols].min(axis=1) for cols in self.groups], axis=1)
        return np.where(np.isinf(low), np.nan, low)

    def _caps(self, levels: Floats, app: Bools) -> Ints:
        """The band each row is capped at by its failed gates (the top band: none)."""
        model = self.model
        gl = levels[..., model.gate_criterion]
        failed = app[..., model.gate_criterion] & ~(gl >= model.gate_min)
        cap = np.full(gl.shape[:-1], len(model.band_mins) - 1, dtype=np.intp)
        for g, b in enumerate(model.gate_band):
            cap = np.where(failed[..., g], np.minimum(cap, b), cap)
        return cap


def evaluate(panel: Panel, draws: Draws) -> tuple[Floats, NDArray[np.int8]]:
    """Overall scores and bands of every partnership under every sample.

    Returns:
        ``(overall, band)``: (S, n) scores (NaN where there is no score) and band
        indices (-1 where there is no score).
    """
    prep = _Prepared(panel)
    n, s = panel.n, draws.size
    overall = np.empty((s, n))
    band = np.empty((s, n), dtype=np.int8)
    step = max(1, min(s, _CELLS // max(1, n * prep.k)))
    starts = range(0, s, step)

    def block(start: int) -> None:
        sl = slice(start, min(start + step, s))
        overall[sl], band[sl] = _block(prep, draws, sl)

    if len(starts) < 2 or n * s < 100_000:
        for start in starts:
            block(start)
    else:  # numpy releases the GIL in ufuncs and matmul: blocks run in parallel
        with (
            threadpool_limits(limits=1, user_api="blas"),
            ThreadPoolExecutor(max_workers=min(_WORKERS, len(starts))) as pool,
        ):
            for future in [pool.submit(block, start) for start in starts]:
                future.result()
    return overall, band


def _block(prep: _Prepared, draws: Draws, sl: slice) -> tuple[Floats, NDArray[np.int8]]:
    model, k = prep.model, prep.k
    n = prep.levels.shape[0]
    v = draws.pillar_weight[sl]
    s = v.shape[0]
    cw = draws.criterion_weight
    c = np.broadcast_to(model.criterion_weight, (s, model.n_criteria)) if cw is None else cw[sl]
    # block-diagonal weights: column t * k + p holds sample t's weights of pillar p
    bd = np.zeros((model.n_criteria, s, k))
    bd[np.arange(model.n_criteria), :, model.criterion_pillar] = c.T
    bd2 = bd.reshape(model.n_criteria, s * k)
    products = (prep.stack @ bd2).reshape(3, n, s, k)
    num, rated_w, app_w = products[0], products[1], products[2]
    degenerate = bool((c <= 0).any() or (v <= 0).any())  # a zero weight: all rows masked
    methods, policies = draws.method[sl], draws.policy[sl]
    shift = None if draws.shift is None else draws.shift[sl]

    noisy_levels = None
    band_cap = np.broadcast_to(prep.band_cap, (s, n)).copy()
    if shift is not None and len(prep.noisy):
        noisy_levels = np.broadcast_to(
            prep.levels[prep.noisy][:, None, :], (len(prep.noisy), s, model.n_criteria)
        ).copy()
        noisy_levels[prep.noisy_pos, :, prep.low_cols] += shift.T
        band_cap[:, prep.noisy] = prep._caps(noisy_levels, prep.app[prep.noisy][:, None, :]).T

    raw = np.full((s, n), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for q, policy in enumerate(POLICIES):
            idx = np.flatnonzero(policies == q)
            if len(idx) == 0:
                continue
            den = (app_w if policy == "worst" else rated_w)[:, idx]
            pillars = num[:, idx] / den  # 0/0: a pillar with nothing answered is NaN
            for p in prep.geometric:
                logs = prep.logs[policy][:, prep.groups[p]] @ c[idx][:, prep.groups[p]].T
                geo = np.exp(logs / den[:, :, p])
                pillars[:, :, p] = np.where(prep.zeros[policy][:, p, None], 0.0, geo)
            for p in prep.minimum:
                pillars[:, :, p] = prep.mins[policy][:, p, None]
            masked = prep.holes[policy].copy()
            if degenerate:
                masked[:] = True
            if noisy_levels is not None:
                pillars[prep.noisy] = _pillars_dense(prep, noisy_levels[:, idx], c[idx], policy)
                masked[prep.noisy] = True
            for mi, method in enumerate(METHODS):
                sub = np.flatnonzero(methods[idx] == mi)
                if len(sub):
                    raw[idx[sub]] = _overall(pillars[:, sub], v[idx[sub]], method, masked)
            if policy == "exclude":
                cov = _coverage(prep, rated_w[:, idx], app_w[:, idx], c[idx], v[idx])
                raw[idx] = np.where(cov >= prep.threshold, raw[idx], np.nan)
            else:
                raw[idx] = np.where(prep.scorable, raw[idx], np.nan)
    raw = np.round(raw, _SETTLE)
    overall = np.minimum(raw, prep.band_tops[band_cap])
    band = np.searchsorted(model.band_mins, overall, side="right") - 1
    band = np.where(np.isnan(overall), -1, np.minimum(band, band_cap))
    return overall, band.astype(np.int8)


def _coverage(prep: _Prepared, rated_w: Floats, app_w: Floats, c: Floats, v: Floats) -> Floats:
    """(s, n) share of effective weight that is rated (the kernel's formula, settled)."""
    s = v.shape[0]
    out = np.empty((s, rated_w.shape[0]))
    full = prep.full
    if full.any():  # every criterion applies: each pillar's denominator is its weight sum
        total = np.stack([c[:, cols].sum(axis=1) for cols in prep.groups], axis=1)
        scale = v / total / v.sum(axis=1, keepdims=True)
        out[:, full] = np.einsum("nsk,sk->sn", rated_w[full], scale)
    rest = ~full
    if rest.any():
        applies = app_w[rest] > 0
        share = np.where(applies, rated_w[rest] / np.where(applies, app_w[rest], 1.0), 0.0)
        out[:, rest] = (
            np.einsum("nsk,sk->sn", share, v) / np.einsum("nsk,sk->sn", applies * 1.0, v)
        )
    return np.round(out, _SETTLE + 2)


def _pillars_dense(prep: _Prepared, levels: Floats, c: Floats, policy: str) -> Floats:
    """(a, s, pillars) pillar scores of rows whose levels change per sample."""
    model = prep.model
    rows = prep.noisy
    app, rated = prep.app[rows][:, None, :], prep.rated[rows][:, None, :]
    answered = app if policy == "worst" else rated
    values = np.where(np.isnan(levels), 0.0, levels * (100.0 / LEVEL_MAX))
    out = np.empty((len(rows), c.shape[0], prep.k))
    for p, cols in enumerate(prep.groups):
        method = model.pillar_method[p]
        mask = answered[:, :, cols]
        w = c[None, :, cols]
        den = (mask * w).sum(axis=2)
        vals = values[:, :, cols]
        if method == "arithmetic":
            out[:, :, p] = (np.where(rated[:, :, cols], vals, 0.0) * w).sum(axis=2) / den
        elif method == "geometric":
            positive = vals > 0
            logs = np.log(np.where(positive, vals, 1.0))
            num = (np.where(mask, logs, 0.0) * w).sum(axis=2)
            zeros = (mask & ~positive).any(axis=2)
            out[:, :, p] = np.where(den > 0, np.where(zeros, 0.0, np.exp(num / den)), np.nan)
        else:
            low = np.where(mask, vals, np.inf).min(axis=2)
            out[:, :, p] = np.where(np.isinf(low), np.nan, low)
    return out


def _overall(pillars: Floats, v: Floats, method: str, masked: Bools) -> Floats:
    """Combine (n, s, pillars) pillar scores with (s, pillars) weights: (s, n).

    Rows not ``masked`` have every pillar scored and positive weights: one einsum.
    """
    out = np.empty((v.shape[0], pillars.shape[0]))
    clean = ~masked
    share = v / v.sum(axis=1, keepdims=True)
    if method == "minimum":
        return np.fmin.reduce(pillars, axis=2).T
    if clean.any():
        p = pillars[clean]
        if method == "arithmetic":
            out[:, clean] = np.einsum("nsk,sk->sn", p, share)
        else:  # log 0 = -inf, exp(-inf) = 0: a zero pillar gives 0 as in the kernel
            out[:, clean] = np.exp(np.einsum("nsk,sk->sn", np.log(p), share))
    if masked.any():
        p = pillars[masked]
        present = p >= 0  # NaN >= 0 is False
        den = np.einsum("nsk,sk->sn", present * 1.0, v)
        if method == "arithmetic":
            num = np.einsum("nsk,sk->sn", np.where(present, p, 0.0), v)
            out[:, masked] = np.where(den > 0, num / den, np.nan)
        else:
            positive = p > 0
            num = np.einsum("nsk,sk->sn", np.log(np.where(positive, p, 1.0)), v)
            zero = np.einsum("nsk,sk->sn", (present & ~positive) * 1.0, (v > 0) * 1.0) > 0
            out[:, masked] = np.where(den > 0, np.where(zero, 0.0, np.exp(num / den)), np.nan)
    return out


def rubric_draws(
    model: ScoringModel, size: int = 1, method: str | None = None, policy: str | None = None
) -> Draws:
    """``size`` copies of the rubric's own choices (for checks and point estimates)."""
    return Draws(
        pillar_weight=np.broadcast_to(model.pillar_weight, (size, model.n_pillars)).copy(),
        criterion_weight=None,
        method=np.full(size, METHODS.index(method or model.overall_method), dtype=np.int8),
        policy=np.full(size, POLICIES.index(policy or model.unknown_policy), dtype=np.int8),
    )

"""Score n partnerships under S sampled modelling choices at once.

The scoring rules are those of :mod:`readiness.scoring` (the kernel), applied with a
different pillar weight vector, criterion weight vector, overall method and unknown
policy per sample. Gate caps and the coverage rule come from the compiled rubric
(``ScoringModel.gate_caps``/``band_tops``) and scores are settled to the kernel's
decimals, so a sample at the rubric's own choices reproduces ``score_matrix``
(``tests/test_robustness.py`` checks it).

How it stays fast: a pillar's score is ``sum(value * weight) / sum(weight over the
answered criteria)``, and the denominator depends on a row only through *which* of the
pillar's criteria are answered (its pattern: at most 2^criteria of them, and few in
practice). Each criterion's column is therefore split by pattern once per panel
(:class:`_Expansion`); a sample then turns into one weight per split column
(``weight / denominator of the pattern x the pillar's share``), and the arithmetic
overall score of every row under every sample of a block is one matrix product.
Geometric and minimum overall scores go through per-pillar products of the same
columns. Low-confidence ratings that move in a sample add ``25 x shift x weight`` of
their column (arithmetic pillars; other pillars are re-scored densely for those rows).
Results are sample-major: (S, n).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from readiness.robustness._panel import PartnershipArrays
from readiness.scoring import (
    POINTS_PER_LEVEL,
    ScoringModel,
    band_of,
    cap_band,
    counted_criteria,
    coverage_counts,
    estimate_unknowns,
    failed_gates,
    geo_in,
    geo_out,
    has_score,
    level_to_score,
    settle,
    shares,
    unknown_at_zero,
)

if TYPE_CHECKING:
    from readiness.rubric import UnknownPolicy

__all__ = ["METHODS", "POLICIES", "Draws", "evaluate", "rubric_draws"]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.intp]

METHODS = ("arithmetic", "geometric", "minimum")
"""Index of a sample's overall method in :attr:`Draws.method`."""
POLICIES: tuple[UnknownPolicy, ...] = ("exclude", "worst", "estimate")
"""Index of a sample's unknown policy in :attr:`Draws.policy`. Under ``estimate`` the
unknown criteria take the estimates the rubric's own weights give
(:func:`readiness.scoring.estimate_unknowns`), whatever weights a sample draws."""

_CELLS = 2_000_000  # rows x samples per block (16 MB per array)
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


class _Expansion:
    """Criterion columns split by the answered pattern of their pillar.

    For a mask ``M`` (which criteria count in a pillar's denominator) each pillar's
    rows are grouped by their pattern of answered criteria; column ``(pattern, j)``
    holds ``V[:, j]`` for the rows of that pattern and 0 elsewhere. ``V`` must be 0
    wherever ``M`` is False.
    """

    def __init__(self, mask: Bools, groups: list[Ints], m: int) -> None:
        self.mask = mask
        crit: list[int] = []
        pillar: list[int] = []
        pattern: list[int] = []
        patmask: list[Bools] = []
        self.ranges: list[tuple[int, int]] = []
        self.codeidx: list[Ints] = []  # per pillar: each row's global pattern id
        self.empty: list[Bools] = []  # per pillar: rows with nothing answered
        self.rowsel: list[tuple[Ints, int]] = []  # per column: (rows, criterion)
        self.colmap: list[NDArray[np.intp]] = []  # per pillar: (patterns, criteria) -> column
        n = mask.shape[0]
        for p, cols in enumerate(groups):
            sub = mask[:, cols]
            code = sub.astype(np.int64) @ (1 << np.arange(len(cols), dtype=np.int64))
            uniq, inv = np.unique(code, return_inverse=True)
            inv = inv.reshape(n)
            bits = ((uniq[:, None] >> np.arange(len(cols))) & 1).astype(bool)
            offset = len(patmask)
            for q in range(len(uniq)):
                row_mask = np.zeros(m, dtype=bool)
                row_mask[cols[bits[q]]] = True
                patmask.append(row_mask)
            self.codeidx.append(offset + inv)
            self.empty.append(np.asarray(~sub.any(axis=1), dtype=bool))
            start = len(crit)
            cmap = np.full(bits.shape, -1, dtype=np.intp)
            for q in range(len(uniq)):
                members = np.flatnonzero(inv == q)
                for t in np.flatnonzero(bits[q]):
                    cmap[q, t] = len(crit)
                    crit.append(int(cols[t]))
                    pillar.append(p)
                    pattern.append(offset + q)
                    self.rowsel.append((members, int(cols[t])))
            self.colmap.append(cmap)
            self.ranges.append((start, len(crit)))
        self.col_crit = np.array(crit, dtype=np.intp)
        self.col_pillar = np.array(pillar, dtype=np.intp)
        self.col_pattern = np.array(pattern, dtype=np.intp)
        self.patmask = np.array(patmask, dtype=np.float64).reshape(len(patmask), m)

    def expand(self, values: Floats) -> Floats:
        """(n, columns): each column's values on the rows of its pattern."""
        out = np.zeros((values.shape[0], len(self.col_crit)))
        for col, (rows, j) in enumerate(self.rowsel):
            out[rows, col] = values[rows, j]
        return out

    def weights(self, c: Floats) -> Floats:
        """(s, columns): criterion weight over its pattern's weight sum (0 if that is 0)."""
        den = c @ self.patmask.T
        inv = np.divide(1.0, den, out=np.zeros_like(den), where=den > 0)
        result: Floats = c[:, self.col_crit] * inv[:, self.col_pattern]
        return result


class _Prepared:
    """Everything about the partnerships that no sample changes."""

    def __init__(self, panel: PartnershipArrays) -> None:
        model = panel.model
        self.model = model
        self.k = model.n_pillars
        self.threshold = panel.min_coverage
        levels = panel.levels
        self.levels = levels
        known = ~np.isnan(levels)
        self.app = ~panel.not_applicable
        self.rated = known & self.app
        self.values = np.where(known, level_to_score(levels), 0.0)
        self.groups = [np.flatnonzero(model.criterion_pillar == p) for p in range(self.k)]
        self.arithmetic = all(m == "arithmetic" for m in model.pillar_method)
        # the estimates as computed, as the kernel scores them (they are settled to show)
        estimated = estimate_unknowns(levels, self.app, model, settled=False)
        self.point_levels = {  # the levels each policy scores (unknown: 0 or its estimate)
            "exclude": levels,
            "worst": levels,
            "estimate": estimated.levels,
        }
        self.answered = {  # the criteria each policy's point score counts (the kernel's rule)
            policy: counted_criteria(self.rated, self.app, policy) for policy in POLICIES
        }
        self.exp: dict[str, _Expansion] = {}
        self.xt: dict[str, Floats] = {}
        self.xt_log: dict[str, Floats] = {}
        self.mins: dict[str, Floats] = {}
        for policy in POLICIES:
            answered = self.answered[policy]
            point = self.point_levels[policy]
            values = np.where(answered & ~np.isnan(point), level_to_score(point), 0.0)
            ex = _Expansion(answered, self.groups, model.n_criteria)
            self.exp[policy] = ex
            # stored transposed, (columns, n): products are (s, columns) @ (columns, n)
            self.xt[policy] = np.ascontiguousarray(ex.expand(values).T)
            if not self.arithmetic:
                logs = geo_in(values)  # the kernel's geometric mean: on [1, 100]
                self.xt_log[policy] = np.ascontiguousarray(
                    ex.expand(np.where(answered, logs, 0.0)).T
                )
                self.mins[policy] = self._min(np.where(answered, values, np.inf))
        self.cov = _Expansion(self.app, self.groups, model.n_criteria)
        self.xt_cov = np.ascontiguousarray(self.cov.expand(self.rated.astype(np.float64)).T)
        self.applies = self._any(self.app).astype(np.float64)  # (n, pillars)
        self.scorable = self.app.any(axis=1)
        self.band_tops = model.band_tops()
        gate_levels, gate_app = levels[:, model.gate_criterion], self.app[:, model.gate_criterion]
        # a gate fails on evidence only; where an unknown counts as level 0 (``worst``),
        # an unrated gate caps the point score too (as in the kernel): keyed by that
        self.band_cap = {
            worst: self._caps(gate_levels, gate_app, worst=worst) for worst in (False, True)
        }
        rows, cols = np.nonzero(panel.low_confidence & self.rated)
        self.low_rows, self.low_cols = rows, cols
        self.low_pillar = model.criterion_pillar[cols]
        self.low_col = {policy: self._entry_columns(self.exp[policy]) for policy in POLICIES}
        self.noisy, self.noisy_starts = np.unique(rows, return_index=True)
        gate_pos = {int(j): g for g, j in enumerate(model.gate_criterion)}
        self.gate_entries = np.array(
            [e for e, j in enumerate(cols) if int(j) in gate_pos], dtype=np.intp
        )
        self.gate_entry_gate = np.array(
            [gate_pos[int(cols[e])] for e in self.gate_entries], dtype=np.intp
        )

    def _entry_columns(self, ex: _Expansion) -> Ints:
        out = np.empty(len(self.low_rows), dtype=np.intp)
        for e, (i, j) in enumerate(zip(self.low_rows, self.low_cols, strict=True)):
            p = int(self.model.criterion_pillar[j])
            lo = ex.codeidx[p].min()
            q = int(ex.codeidx[p][i] - lo)
            t = int(np.searchsorted(self.groups[p], j))
            out[e] = ex.colmap[p][q, t]
        return out

    def _any(self, mask: Bools) -> Bools:
        return np.stack([mask[:, cols].any(axis=1) for cols in self.groups], axis=1)

    def _min(self, values: Floats) -> Floats:
        low = np.stack([values[:, cols].min(axis=1) for cols in self.groups], axis=1)
        return np.where(np.isinf(low), np.nan, low)

    def _caps(self, gate_levels: Floats, gate_app: Bools, *, worst: bool) -> Ints:
        """The band failed gates cap each row at (the top band when none fails).

        A gate fails when it applies and its level is known and below the minimum; with
        ``worst`` an unknown (unrated) gate counts as failed too.
        """
        model = self.model
        failed = failed_gates(gate_levels, model.gate_min, gate_app, unrated=worst)
        return cap_band(failed, model.gate_band, len(model.band_mins) - 1)


def evaluate(panel: PartnershipArrays, draws: Draws) -> tuple[Floats, NDArray[np.int8]]:
    """Overall scores and bands of every partnership under every sample.

    Returns:
        ``(overall, band)``: (S, n) scores (NaN where there is no score) and band
        indices (-1 where there is no score).
    """
    prep = _Prepared(panel)
    n, s = panel.n, draws.size
    overall = np.empty((s, n))
    band = np.empty((s, n), dtype=np.int8)
    step = max(1, min(s, _CELLS // max(1, n)))
    starts = range(0, s, step)

    def block(start: int) -> None:
        sl = slice(start, min(start + step, s))
        overall[sl], band[sl] = _block(prep, draws, sl)

    if len(starts) < 2:
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
    model = prep.model
    n = prep.levels.shape[0]
    v = draws.pillar_weight[sl]
    s = v.shape[0]
    cw = draws.criterion_weight
    c = np.broadcast_to(model.criterion_weight, (s, model.n_criteria)) if cw is None else cw[sl]
    methods, policies = draws.method[sl], draws.policy[sl]
    shift = None if draws.shift is None else draws.shift[sl].astype(np.float64)
    if shift is not None and not shift.any():
        shift = None
    degenerate = bool((c <= 0).any() or (v <= 0).any())  # a zero weight can empty a pillar

    worst = np.array([unknown_at_zero(POLICIES[q]) for q in policies.tolist()])[:, None]
    band_cap = np.where(worst, prep.band_cap[True][None], prep.band_cap[False][None])
    if shift is not None and len(prep.gate_entries):
        rows = np.unique(prep.low_rows[prep.gate_entries])
        gl = np.broadcast_to(
            prep.levels[rows][:, model.gate_criterion], (s, len(rows), len(model.gate_criterion))
        ).copy()
        where = np.searchsorted(rows, prep.low_rows[prep.gate_entries])
        gl[:, where, prep.gate_entry_gate] += shift[:, prep.gate_entries]
        app = prep.app[rows][:, model.gate_criterion][None]
        band_cap[:, rows] = np.where(
            worst, prep._caps(gl, app, worst=True), prep._caps(gl, app, worst=False)
        )

    raw = np.full((s, n), np.nan)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for q, policy in enumerate(POLICIES):
            idx = np.flatnonzero(policies == q)
            if len(idx):
                raw[idx] = _policy_block(
                    prep,
                    policy,
                    c[idx],
                    v[idx],
                    methods[idx],
                    None if shift is None else shift[idx],
                    degenerate,
                )
    raw = settle(raw)
    overall = np.minimum(raw, prep.band_tops[band_cap])
    return overall, band_of(overall, model.band_mins, band_cap).astype(np.int8)


def _policy_block(
    prep: _Prepared,
    policy: UnknownPolicy,
    c: Floats,
    v: Floats,
    methods: NDArray[np.int8],
    shift: Floats | None,
    degenerate: bool,
) -> Floats:
    """(s, n) raw overall scores of samples that share an unknown policy."""
    ex, xt = prep.exp[policy], prep.xt[policy]
    n = xt.shape[1]
    s = v.shape[0]
    out = np.full((s, n), np.nan)
    share = shares(v)
    base = ex.weights(c)  # (s, columns)
    holes = np.zeros(n, dtype=bool)
    for empty in ex.empty:
        holes |= empty
    fused_rows = ~holes if not degenerate else np.zeros(n, dtype=bool)
    arith = methods == METHODS.index("arithmetic")
    if prep.arithmetic and arith.any() and fused_rows.any():
        g = base[arith] * share[arith][:, ex.col_pillar]
        rows = np.flatnonzero(fused_rows)
        part = g @ (xt if len(rows) == n else xt[:, rows])
        if shift is not None and len(prep.low_rows):
            _add_shifts(prep.low_rows, part, rows, g, shift[arith], prep.low_col[policy])
        out[np.ix_(np.flatnonzero(arith), rows)] = part
    rest = ~arith if prep.arithmetic else np.ones(s, dtype=bool)
    # rows with a pillar without score (or zero weights) under arithmetic samples
    masked_rows = np.flatnonzero(~fused_rows)
    for samples, rows in (
        (np.flatnonzero(rest), np.arange(n)),
        (np.flatnonzero(~rest), masked_rows),
    ):
        if len(samples) == 0 or len(rows) == 0:
            continue
        pillars = _pillar_scores(
            prep,
            policy,
            base[samples],
            c[samples],
            rows,
            None if shift is None else shift[samples],
            degenerate,
        )
        clean = ~holes[rows] if not degenerate else np.zeros(len(rows), dtype=bool)
        for mi, method in enumerate(METHODS):
            sub = np.flatnonzero(methods[samples] == mi)
            if len(sub):
                out[np.ix_(samples[sub], rows)] = _overall(
                    pillars[:, sub], v[samples[sub]], method, clean
                )
    if coverage_counts(policy):  # the coverage rule, as in the kernel
        out = np.where(has_score(_coverage(prep, c, v), prep.threshold, policy), out, np.nan)
    else:  # only "nothing applies" leaves no score
        out = np.where(prep.scorable, out, np.nan)
    return out


def _add_shifts(
    low_rows: Ints, part: Floats, rows: Ints, g: Floats, shift: Floats, cols: Ints
) -> None:
    """Add what moved low-confidence ratings change to ``part`` (whose columns are
    ``rows``): ``25 x shift x column weight`` per rating at ``low_rows`` (sorted)."""
    keep = np.isin(low_rows, rows)
    if not keep.any():
        return
    contrib = POINTS_PER_LEVEL * shift[:, keep] * g[:, cols[keep]]
    entry_rows = low_rows[keep]
    starts = np.flatnonzero(np.r_[True, entry_rows[1:] != entry_rows[:-1]])
    sums = np.add.reduceat(contrib, starts, axis=1)
    part[:, np.searchsorted(rows, entry_rows[starts])] += sums


def _pillar_scores(
    prep: _Prepared,
    policy: UnknownPolicy,
    base: Floats,
    c: Floats,
    rows: Ints,
    shift: Floats | None,
    degenerate: bool,
) -> Floats:
    """(pillars, s, len(rows)) pillar scores, NaN where a pillar has no score."""
    ex = prep.exp[policy]
    model = prep.model
    every = len(rows) == prep.levels.shape[0]
    xt = prep.xt[policy] if every else prep.xt[policy][:, rows]
    xt_log = prep.xt_log.get(policy)
    if xt_log is not None and not every:
        xt_log = xt_log[:, rows]
    out = np.empty((prep.k, base.shape[0], len(rows)))
    for p in range(prep.k):
        a, b = ex.ranges[p]
        method = model.pillar_method[p]
        if method == "arithmetic":
            np.matmul(base[:, a:b], xt[a:b], out=out[p])
            if shift is not None:
                mine = prep.low_pillar == p
                if mine.any():
                    _add_shifts(
                        prep.low_rows[mine],
                        out[p],
                        rows,
                        base,
                        shift[:, mine],
                        prep.low_col[policy][mine],
                    )
        elif method == "geometric":
            assert xt_log is not None
            out[p] = geo_out(base[:, a:b] @ xt_log[a:b])
        else:
            out[p] = prep.mins[policy][rows, p]
        empty = np.flatnonzero(ex.empty[p][rows])
        if len(empty):
            out[p][:, empty] = np.nan
        if degenerate:  # a zero weight can leave a pillar with nothing to divide by
            den = (c @ ex.patmask.T)[:, ex.codeidx[p][rows]]
            out[p] = np.where(den > 0, out[p], np.nan)
    if shift is not None and not prep.arithmetic:
        _dense_fix(prep, policy, out, c, rows, shift)
    return out


def _dense_fix(
    prep: _Prepared, policy: UnknownPolicy, out: Floats, c: Floats, rows: Ints, shift: Floats
) -> None:
    """Re-score non-arithmetic pillars of rows whose low-confidence ratings move."""
    model = prep.model
    answered = prep.answered[policy]
    for p in range(prep.k):
        method = model.pillar_method[p]
        if method == "arithmetic":
            continue
        mine = np.flatnonzero((prep.low_pillar == p) & np.isin(prep.low_rows, rows))
        if len(mine) == 0:
            continue
        cols = prep.groups[p]
        hit = np.unique(prep.low_rows[mine])
        point = prep.point_levels[policy]
        lv = np.broadcast_to(point[hit][:, cols], (c.shape[0], len(hit), len(cols))).copy()
        lv[
            :, np.searchsorted(hit, prep.low_rows[mine]), np.searchsorted(cols, prep.low_cols[mine])
        ] += shift[:, mine]
        vals = np.where(np.isnan(lv), 0.0, level_to_score(lv))
        mask = answered[hit][:, cols][None]
        w = c[:, None, cols]
        den = (mask * w).sum(axis=2)
        if method == "geometric":
            num = (np.where(mask, geo_in(vals), 0.0) * w).sum(axis=2)
            with np.errstate(invalid="ignore", divide="ignore"):
                score = np.where(den > 0, geo_out(num / den), np.nan)
        else:
            low = np.where(mask, vals, np.inf).min(axis=2)
            score = np.where(np.isinf(low), np.nan, low)
        out[p][:, np.searchsorted(rows, hit)] = score


def _coverage(prep: _Prepared, c: Floats, v: Floats) -> Floats:
    """(s, n) share of effective weight that is rated (the kernel's formula, settled)."""
    ex = prep.cov
    num = (ex.weights(c) * v[:, ex.col_pillar]) @ prep.xt_cov
    den = v @ prep.applies.T
    return settle(num / den, 2)


def _overall(pillars: Floats, v: Floats, method: str, clean: Bools) -> Floats:
    """Combine (pillars, s, rows) pillar scores with (s, pillars) weights: (s, rows).

    ``clean`` rows have every pillar scored (and weights are positive).
    """
    if method == "minimum":
        result: Floats = np.fmin.reduce(pillars, axis=0)
        return result
    k = pillars.shape[0]
    out = np.empty(pillars.shape[1:])
    share = shares(v)
    if clean.any():
        p = pillars if clean.all() else pillars[:, :, clean]
        if method != "arithmetic":
            p = geo_in(p)
        # sum over pillars of share x score, one (s, rows) plane at a time
        acc = p[0] * share[:, 0, None]
        for i in range(1, k):
            acc += p[i] * share[:, i, None]
        out[:, clean] = acc if method == "arithmetic" else geo_out(acc)
    if not clean.all():
        p = pillars[:, :, ~clean]
        num = np.zeros(p.shape[1:])
        den = np.zeros(p.shape[1:])
        for i in range(k):
            present = p[i] >= 0  # NaN >= 0 is False
            den += present * v[:, i, None]
            value = p[i] if method == "arithmetic" else geo_in(np.where(present, p[i], 0.0))
            num += np.where(present, value, 0.0) * v[:, i, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = num / den
        if method == "arithmetic":
            out[:, ~clean] = np.where(den > 0, mean, np.nan)
        else:
            out[:, ~clean] = np.where(den > 0, geo_out(mean), np.nan)
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

"""Pure array functions: levels -> criterion, pillar and overall scores.

Everything here works on a matrix with one row per partnership and one column per
criterion (in rubric order). One partnership is a matrix with one row: there is one
code path for one partnership and for a million.

The rules, in order:

1. A level 0-4 maps to a score through the scale (``level * 25``).
2. A pillar combines its *answered* criteria with its method (weighted arithmetic
   mean, weighted geometric mean of the scores moved to [1, 100] (see :data:`GEO_SCALE`)
   or minimum). Not-applicable criteria leave the
   denominator. Under the ``exclude`` policy unknown criteria leave it too; under
   ``worst`` they count as level 0.
3. The overall score combines the pillars that have a score, with the rubric's method.
4. Coverage is the share of *effective weight* (a criterion's share of the overall
   score among applicable criteria) that is rated. Below the minimum coverage the
   overall score is absent (NaN), never a misleading number.
5. Gates. A critical criterion rated below its minimum level *fails* its gate: the
   overall score is capped at the top of the gate's band, and so is the band. A gate
   fails on evidence only: an unknown critical criterion is *unrated*, not failed, and
   does not cap the point score (under the ``worst`` policy, which scores every unknown
   as level 0, it does: the point score is then the pessimistic one).
6. Bounds: the lower score puts unknown criteria at 0 and low-confidence ratings one
   level down; the upper score puts unknown criteria at 4 and low-confidence ratings
   one level up. Both are complete (every applicable criterion answered), so they
   exist even when coverage is too low for a point score. Gates apply to each bound at
   its own levels: an unrated gate caps the lower bound (unknown at its worst) and
   passes in the upper bound (unknown at its best), so ``lower <= overall <= upper``.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from readiness.errors import InputError, Problem

if TYPE_CHECKING:
    from readiness.rubric import Method, Rubric, UnknownPolicy

__all__ = [
    "ACCEL_CHUNK_ROWS",
    "ACCEL_MIN_ROWS",
    "ALL_OUTPUTS",
    "GEO_SCALE",
    "ON_REQUEST",
    "Engine",
    "Scores",
    "ScoringModel",
    "check_engine",
    "effective_weights",
    "estimate_map",
    "estimate_spread",
    "estimate_unknowns",
    "geo_in",
    "geo_out",
    "level_to_score",
    "score_matrix",
    "score_outputs",
]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.intp]

LEVEL_MAX = 4
"""The highest level; levels are the integers 0 to ``LEVEL_MAX``."""
POINTS_PER_LEVEL = 100.0 / LEVEL_MAX
"""Rule 1: what one level is worth in points (level ``LEVEL_MAX`` scores 100)."""
_METHODS: tuple[Method, ...] = ("arithmetic", "geometric", "minimum")
CHUNK_ROWS = 16_384
"""Rows per block on the numpy engine (its temporaries, five passes' worth, stay small)."""
ACCEL_CHUNK_ROWS = 32_768
"""Rows per block on the compiled engine: it keeps no temporary of the levels' size, and
fewer blocks mean fewer of the per-block numpy steps that hold the GIL."""
_WORKERS = max(1, min(4, os.cpu_count() or 1))
SETTLE_DECIMALS = 9
"""Decimals kept in overall scores: far below any meaningful difference, far above float
noise, so that sums taken in another order compare equal. Every path that computes or
compares scores (the kernels, the robustness engine, the plan, the consensus) settles
them with :func:`settle`."""


@overload
def settle(values: float, extra: int = 0) -> float: ...
@overload
def settle(values: NDArray[np.float64], extra: int = 0) -> NDArray[np.float64]: ...
def settle(values: Any, extra: int = 0) -> Any:
    """``values`` rounded to :data:`SETTLE_DECIMALS` (plus ``extra`` for shares)."""
    if type(values) is np.ndarray:  # what np.round calls, without its dispatch
        return values.round(SETTLE_DECIMALS + extra)
    return np.round(values, SETTLE_DECIMALS + extra)


# --- the rules, each stated once ------------------------------------------------------
# The kernels below, the robustness engine (samples x partnerships), the plan's
# mixed-integer model and the explanation call these on arrays of their own shapes;
# ``tests/test_one_answer.py::test_every_scorer_states_the_same_rules`` holds them to
# the same numbers.


def unknown_counts(policy: UnknownPolicy) -> bool:
    """Rule 2: whether an applicable unknown criterion counts in its pillar's point score
    (``worst``: at level 0; ``estimate``: at its estimate) or leaves it (``exclude``)."""
    return policy != "exclude"


def unknown_at_zero(policy: UnknownPolicy) -> bool:
    """Rules 2 and 5 under ``worst``: an applicable unknown criterion counts as level 0,
    in its pillar's point score and at its gate (an unrated gate then caps the point
    score, as a failed one does)."""
    return policy == "worst"


def counted_criteria(rated: Bools, applicable: Bools | None, policy: UnknownPolicy) -> Bools:
    """Rule 2: the criteria a pillar's point score counts, ``(..., m)``.

    ``exclude``: the rated ones; ``worst``: every applicable one; ``estimate``: every
    applicable one of a partnership with at least one rated criterion (with nothing
    known there is nothing to estimate from, and no score). ``applicable`` None: every
    criterion applies.
    """
    if not unknown_counts(policy):
        return rated
    every = np.ones(rated.shape, dtype=bool) if applicable is None else applicable
    if unknown_at_zero(policy):
        return every
    result: Bools = every & rated.any(axis=-1, keepdims=True)
    return result


@overload
def shares(weights: Floats, present: Bools | None = None) -> Floats: ...
@overload
def shares(weights: Sequence[float], present: Bools | None = None) -> Floats: ...
def shares(weights: Any, present: Bools | None = None) -> Floats:
    """Rules 2 and 3: weights as shares of their total along the last axis (a weighted
    mean's factors), over the ``present`` ones only (0 elsewhere) when given."""
    w = np.asarray(weights, dtype=np.float64)
    if present is not None:
        w = np.where(present, w, 0.0)
    result: Floats = w / w.sum(axis=-1, keepdims=True)
    return result


def coverage_counts(policy: UnknownPolicy) -> bool:
    """Rule 4: whether the minimum coverage applies. Under ``worst`` every applicable
    criterion is scored (unknown at 0), so only "nothing applies" leaves no score."""
    return policy != "worst"


def has_score(coverage: Floats, threshold: float, policy: UnknownPolicy) -> Bools:
    """Rule 4: where the overall score exists, from the coverage (NaN: nothing applies)."""
    result: Bools = coverage >= threshold if coverage_counts(policy) else coverage == coverage
    return result


def failed_gates(
    levels: Floats, minimum: Floats, applicable: Bools | None = None, *, unrated: bool = False
) -> Bools:
    """Rule 5: which gates fail, ``(..., gates)`` from the levels of their criteria.

    A gate fails when its criterion applies and is rated below its minimum; an unknown
    (NaN) one fails too only with ``unrated`` (at its worst: the lower bound, and the
    point score under ``worst``).
    """
    failed: Bools = levels < minimum  # NaN < x is False
    if unrated:
        failed |= levels != levels
    if applicable is not None:
        failed &= applicable
    return failed


def cap_band(failed: Bools, gate_band: Ints, top: int) -> Ints:
    """Rule 5: the band failed gates cap at, ``(...)`` from ``(..., gates)``: the lowest
    cap band among them, ``top`` (the highest band) when none fails."""
    cap = np.full(failed.shape[:-1], top, dtype=np.intp)
    for g, band in enumerate(gate_band.tolist()):
        np.minimum(cap, np.where(failed[..., g], band, top), out=cap)
    return cap


def band_of(score: Floats, band_mins: Floats, cap: Ints) -> Ints:
    """Rule 5: the band of each score: how many band minimums it reaches, less one, at
    most ``cap``; -1 where there is no score (NaN reaches none)."""
    band = np.full(score.shape, -1, dtype=np.intp)
    for band_min in band_mins.tolist():
        band += score >= band_min
    result: Ints = np.minimum(band, cap, out=band)
    return result


_POLICIES = ("exclude", "worst", "estimate")

ALL_OUTPUTS = frozenset(
    {
        "pillar", "pillar_lower", "pillar_upper", "pillar_coverage", "raw", "overall",
        "lower", "upper", "coverage", "band", "gate_failed", "gate_loss", "gate_unrated",
        "raw_lower", "gates_failed", "gates_unrated", "likely_lower", "likely_upper",
    }
)  # fmt: skip
"""What :func:`score_outputs` can compute: the fields of :class:`Scores`, plus
``gates_failed`` and ``gates_unrated`` (per row, how many gates failed / are unrated)."""
ON_REQUEST = frozenset({"estimate"})
"""What :func:`score_outputs` computes only when named (never by default): ``estimate``,
the (n, m) levels of :func:`estimate_unknowns` (known levels, each applicable unknown
criterion at its estimate, NaN where a criterion does not apply), from the same call
the ``estimate`` policy's scores make, so a caller that shows both reads them once."""
_PILLAR_WIDE = frozenset({"pillar", "pillar_lower", "pillar_upper", "pillar_coverage"})
_GATE_WIDE = frozenset({"gate_failed", "gate_unrated"})
_COUNTS = frozenset({"gates_failed", "gates_unrated"})
_CONTROLLER: dict[int, list[Any]] = {}
"""The BLAS libraries' threadpoolctl controllers, keyed by how many modules were loaded
when they were found: found again once more modules are loaded (scipy, say, brings its
own BLAS)."""
Engine = Literal["auto", "numpy", "numba"]
_ENGINES: tuple[Engine, ...] = ("auto", "numpy", "numba")
ACCEL_MIN_ROWS = 65_536
"""From this many rows, ``engine="auto"`` takes the compiled kernel when numba is
installed; below it, importing numba and loading its compiled kernel would cost more than
they save.

Measured (``benchmarks/bench_scoring.py``, ``ratio_numba_to_numpy``: ``score_matrix``
under ``exclude``, numba's time over numpy's, interleaved medians; 2026-12-07, load
average 0.3-7): 1.01 at 1 row, 0.93 at 10, 0.76 at 100, 0.96 at 1,000, 0.71 at 10,000,
0.60 at 100,000. Per call numba is as fast as numpy from one row, but the first call of
a process pays about 1.7 s to import numba and load the kernel from its cache, and a
call saves back about a third of its numpy time (some 20 ms at 65,536 rows): a lower
threshold would make every small call (one ``assess``, the CLI) pay the import for
nothing. Under ``estimate`` (the shipped rubric's policy) both engines take the same
numpy path, so the threshold matters for ``exclude`` and ``worst`` only."""
_ACCEL: list[Any] = []


def _accel_kernel() -> Any:
    """:func:`readiness._accel.block_sums`, or None when numba is not installed."""
    if not _ACCEL:
        try:
            from readiness._accel import block_sums
        except ImportError:
            _ACCEL.append(None)
        else:
            _ACCEL.append(block_sums)
    return _ACCEL[0]


def check_engine(engine: str) -> Engine:
    """The engine a call asks for, checked: ``engine`` itself, or for ``"auto"`` the
    ``READINESS_ENGINE`` environment variable (``numpy``, ``numba`` or ``auto``, any
    case; unset or empty means ``auto``).

    Raises:
        InputError: An unknown engine, or ``numba`` asked for and not installed (the
            problem names the argument ``engine`` or the environment variable).
    """
    where = ("engine", "options")
    if engine == "auto":
        engine = os.environ.get("READINESS_ENGINE", "").strip().lower() or "auto"
        where = ("READINESS_ENGINE", "environment")
    if engine not in _ENGINES:
        problem = Problem(where[0], f"must be one of {list(_ENGINES)} (got {engine!r})")
        raise InputError([problem], source=where[1])
    if engine == "numba" and _accel_kernel() is None:
        problem = Problem(where[0], "the numba engine needs numba: pip install 'readiness[fast]'")
        raise InputError([problem], source=where[1])
    return engine


def _engine(engine: str, rows: int) -> Any:
    """The compiled kernel to use for ``rows`` rows, or None for the numpy path.

    Raises:
        InputError: As :func:`check_engine`.
    """
    chosen = check_engine(engine)
    if chosen == "numpy" or (chosen == "auto" and rows < ACCEL_MIN_ROWS):
        return None
    return _accel_kernel()


def _blas_pinned() -> _OneBlasThread:
    """A context pinning BLAS to one thread, on the BLAS libraries loaded.

    ``threadpool_limits`` inspects the loaded libraries on every use (0.7-2.7 ms), and
    even a reused ``ThreadpoolController.limit`` reads every library's settings twice
    (about 6 us); this finds the libraries again only when more modules were imported
    since it last looked (a module may load a BLAS of its own), and asks each its
    thread count, setting it only when it is not 1 already (about 1-2 us), so that a
    one-row score can afford it.
    """
    loaded = len(sys.modules)
    libraries = _CONTROLLER.get(loaded)
    if libraries is None:
        from threadpoolctl import ThreadpoolController  # on first use: not needed to start

        libraries = ThreadpoolController().select(user_api="blas").lib_controllers
        _CONTROLLER.clear()
        _CONTROLLER[loaded] = libraries
    return _OneBlasThread(libraries)


class _OneBlasThread:
    """BLAS on one thread inside the ``with`` block; each library's own count after."""

    __slots__ = ("_changed", "_libraries")

    def __init__(self, libraries: list[Any]) -> None:
        self._libraries = libraries
        self._changed: list[tuple[Any, int]] = []

    def __enter__(self) -> None:
        for library in self._libraries:
            threads = library.get_num_threads()
            if isinstance(threads, int) and threads != 1:  # a count it can give back
                library.set_num_threads(1)
                self._changed.append((library, threads))

    def __exit__(self, *exc: object) -> None:
        for library, threads in self._changed:
            library.set_num_threads(threads)


def check_options(unknown_policy: str, min_coverage: float) -> None:
    """Reject an unknown policy or a minimum coverage outside 0-1.

    Raises:
        InputError: Names the option and the allowed values.
    """
    problems = []
    if unknown_policy not in _POLICIES:
        problems.append(
            Problem("unknown_policy", f"must be one of {list(_POLICIES)} (got {unknown_policy!r})")
        )
    if not (isinstance(min_coverage, int | float) and 0 <= min_coverage <= 1):
        problems.append(Problem("min_coverage", f"must be between 0 and 1 (got {min_coverage!r})"))
    if problems:
        raise InputError(problems, source="options")


@dataclass(frozen=True, eq=False)
class EstimateModel:
    """The rubric's ``estimate`` settings as arrays (see :class:`readiness.rubric.Estimate`)."""

    prior: float
    tau2: float
    pillar2: float
    noise2: float
    offsets: Floats
    z: float

    @classmethod
    def from_rubric(cls, rubric: Rubric) -> EstimateModel:
        from statistics import NormalDist

        e = rubric.estimate
        offsets = np.array([e.offsets.get(cid, 0.0) for cid in rubric.criterion_ids])
        return cls(
            prior=e.prior_level,
            tau2=e.partnership_spread**2,
            pillar2=e.pillar_spread**2,
            noise2=e.spread**2,
            offsets=offsets,
            z=NormalDist().inv_cdf((1 + e.interval) / 2),
        )


PRIOR_DF = 10.0
"""How many criteria's scatter the rubric's ``estimate.spread`` is worth when a
partnership's own scatter updates it (for the likely range only)."""


@dataclass(frozen=True, eq=False)
class Estimated:
    """Unknown criteria estimated (:func:`estimate_unknowns`) for ``n`` partnerships.

    Attributes:
        levels: (n, m) the known levels where known, the estimate where a criterion is
            applicable and unknown (a fraction of a level), NaN where not applicable.
        estimated: (n, m) True where ``levels`` holds an estimate.
        sd: (n,) the standard deviation, in points, of the overall score's error from
            the estimates (arithmetic aggregation; a first-order figure otherwise).
    """

    levels: Floats
    estimated: Bools
    sd: Floats


def estimate_unknowns(
    levels: Floats, applicable: Bools | None, model: ScoringModel, *, settled: bool = True
) -> Estimated:
    """Estimate every applicable unknown criterion from the partnership's known ones.

    Per row, the known levels minus each criterion's typical offset give pillar means;
    the partnership's level is their precision-weighted mean, shrunk toward the prior
    level by how much is known (each pillar mean counts ``1 / (pillar_spread**2 +
    spread**2 / n)``, the prior ``1 / partnership_spread**2``); a pillar's departure from
    it is shrunk by ``pillar_spread**2 / (pillar_spread**2 + spread**2 / n)`` (0 with
    nothing known in the pillar). The estimate is their sum plus the criterion's offset,
    within 0-4. The spread of the overall score's error adds the uncertainty of the
    partnership's level (shared by every estimate), of each pillar's departure (shared
    within the pillar) and the criterion's own noise.

    The estimates are settled (:func:`settle`) unless ``settled`` is False: a shown
    estimate is then the same whatever order its sums were taken in. Scores are made
    from the estimates as computed (``settled=False``) and settled themselves.

    >>> from readiness import load_rubric
    >>> m = ScoringModel.from_rubric(load_rubric())
    >>> e = estimate_unknowns(np.full((1, m.n_criteria), np.nan), None, m)
    >>> guess = np.clip(m.estimate.prior + m.estimate.offsets, 0, 4)  # nothing known
    >>> bool(np.allclose(e.levels, guess))
    True
    """
    parts = _EstimateParts.of(levels, applicable, model)
    return parts.estimates(levels, applicable, model, settled=settled)


@dataclass(frozen=True, eq=False)
class _EstimateParts:
    """What :func:`estimate_unknowns` computes per partnership and pillar, before it
    writes the estimates out criterion by criterion.

    Every per-criterion sum is a product of a (rows x criteria) array by a small
    (criteria x pillars) matrix, so each level is read a few times only.

    Attributes:
        rated: (r, m) known and applicable (None when the scoring kernel made the sums).
        known: (r, m) the known levels, 0 elsewhere (None likewise).
        centre: (r, k) the partnership's level plus the pillar's departure: an unknown
            criterion's estimate is its pillar's centre plus its offset, within 0-4.
        sd: (r,) the spread of the overall score's error, in points.
        rated_sums: (r, 6k) products of the rated mask by ``model.estimate_matrices``.
        app_sums: (r, 3k) or (3k,) the same for the applicable mask (weights only).
        known_weighted: (r, k) weighted sums of the known levels per pillar.
        v_mu: (r,) the posterior variance of the partnership's level.
        gamma: (r, k) each pillar's weight on its own known criteria (its shrinkage).
        own: (r,) the criterion spread squared, updated by the partnership's scatter.
    """

    rated: Bools | None
    known: Floats | None
    centre: Floats
    sd: Floats
    rated_sums: Floats
    app_sums: Floats
    known_weighted: Floats
    v_mu: Floats
    gamma: Floats
    own: Floats

    @classmethod
    def of(cls, levels: Floats, applicable: Bools | None, model: ScoringModel) -> _EstimateParts:
        k = model.n_pillars
        by_rated, by_known, _ = model.estimate_matrices
        rated = ~np.isnan(levels)
        if applicable is not None:
            rated &= applicable
        known = np.where(rated, levels, 0.0)
        r_sums = rated.astype(np.float64) @ by_rated  # [n | off | off^2 | w | w^2 | w.off]
        k_sums = known @ by_known  # [L | L.off | w.L]
        sq_sums = (known * known) @ by_known[:, :k]
        app_sums = _app_sums(applicable, model)
        return cls.from_sums(r_sums, k_sums, sq_sums, app_sums, model, rated=rated, known=known)

    @classmethod
    def from_sums(
        cls,
        r_sums: Floats,
        k_sums: Floats,
        sq_sums: Floats,
        app_sums: Floats,
        model: ScoringModel,
        *,
        rated: Bools | None = None,
        known: Floats | None = None,
        scratch: Scratch | None = None,
    ) -> _EstimateParts:
        """The parts from the per-pillar sums: ``r_sums`` the rated mask by
        ``model.estimate_matrices[0]``, ``k_sums`` the known levels (0 elsewhere) by
        ``[1]``, ``sq_sums`` their squares by the membership mask, ``app_sums`` the
        applicable mask by ``[2]`` ((3k,) when every criterion applies). The scoring
        kernel makes these sums in its own blocked products and calls this directly,
        with its ``scratch``: the (rows x pillars) parts are then its reused buffers
        (read them before the kernel's next block), not fresh arrays."""
        # (each step below is the arithmetic of the formula in its comment, operand for
        # operand, done into arrays made once per call, or the kernel's buffers: the same
        # bits, fewer passes and no fresh pages per block)
        est = model.estimate
        k = model.n_pillars
        new = _allocate if scratch is None else scratch
        shape = (r_sums.shape[0], k)
        tmp = new("est_tmp", shape, np.float64)
        n = r_sums[:, :k]
        # sums over the known criteria of (level - offset) and of its square, per pillar
        total_adj = np.subtract(k_sums[:, :k], r_sums[:, k : 2 * k], out=new("est_adj", shape))
        # total_sq = sq_sums + (r_sums[:, 2k:3k] - 2.0 * k_sums[:, k:2k])
        total_sq = np.multiply(k_sums[:, k : 2 * k], 2.0, out=new("est_sq", shape))
        np.subtract(r_sums[:, 2 * k : 3 * k], total_sq, out=total_sq)
        np.add(sq_sums, total_sq, out=total_sq)
        # a pillar's precision and shrinkage depend on its count of known criteria only:
        # looked up in tables made once (the same arithmetic, done once per count)
        count = new("est_count", shape, np.intp)
        if count is None:
            count = n.astype(np.intp)  # sums of ones: exact
        else:
            np.copyto(count, n, casting="unsafe")
        by_count = model.estimate_by_count
        precision = _look_up(by_count[0], count, new("est_precision", shape))
        gamma = _look_up(by_count[1], count, new("est_gamma", shape))
        keep = _look_up(by_count[2], count, new("est_keep", shape))  # 1 - gamma
        # with nothing known in a pillar its sums are 0, so its mean is 0 too
        mean = np.divide(total_adj, np.maximum(n, 1.0, out=tmp), out=total_adj)
        with np.errstate(invalid="ignore", divide="ignore"):
            v_mu = 1.0 / (1.0 / est.tau2 + precision.sum(axis=1))
            mu = v_mu * (est.prior / est.tau2 + np.multiply(mean, precision, out=tmp).sum(axis=1))
            # centre = gamma * (mean - mu) + mu
            centre = np.subtract(mean, mu[:, None], out=new("est_centre", shape))
            np.multiply(gamma, centre, out=centre)
            np.add(centre, mu[:, None], out=centre)
        # the overall's error: effective weights (points per level) of the estimated
        # criteria, a_j = w_j / (applicable weight of j's pillar) x (j's pillar's share)
        # x 100 / 4, summed per pillar (a_p) and squared (a_sq)
        app_w = app_sums[..., :k]  # (k,) when everything applies: one scale for all rows
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(app_w > 0, model.pillar_weight, 0.0)
            share = share / share.sum(axis=-1, keepdims=True)
            scale = np.where(app_w > 0, share / app_w, 0.0) * POINTS_PER_LEVEL
        # the estimated weights are differences of sums (applicable minus rated): where
        # nothing is estimated they miss 0 by float noise, and the noise's square root
        # (~1e-7 points) would widen a fully known range. No criterion weighs 1e-9 of
        # its pillar, so a difference that small is nothing estimated: exactly 0
        # (0 where ``est_w <= 1e-9 app_w``, as a product by the opposite mask: the sums are
        # finite, so ``x * 0 + 0.0`` is +0.0 and ``x * 1 + 0.0`` is x, bit for bit, with
        # no branch per element on a mask that follows the data)
        est_w = np.subtract(app_sums[..., :k], r_sums[:, 3 * k : 4 * k], out=new("est_w", shape))
        something = np.greater(est_w, 1e-9 * app_w, out=new("est_something", shape, np.bool_))
        np.multiply(est_w, something, out=est_w)
        est_w += 0.0
        est_w2 = np.subtract(
            app_sums[..., k : 2 * k], r_sums[:, 4 * k : 5 * k], out=new("est_w2", shape)
        )
        np.multiply(est_w2, something, out=est_w2)
        est_w2 += 0.0
        a_p = np.multiply(scale, est_w, out=est_w)  # est_w is read no more: reuse it
        a_sq = np.multiply(scale * scale, est_w2, out=est_w2).sum(axis=1)
        a_mu = np.multiply(a_p, keep, out=tmp).sum(axis=1)
        # var = v_mu * a_mu**2 + (a_p**2 * pillar2 * keep) summed per row
        spread_p = np.multiply(a_p, a_p, out=tmp)
        np.multiply(spread_p, est.pillar2, out=spread_p)
        np.multiply(spread_p, keep, out=spread_p)
        var = v_mu * a_mu**2 + spread_p.sum(axis=1)
        var += est.noise2 * a_sq
        # a partnership whose known criteria scatter more than the rubric's spread says
        # gets a wider range: the spread, updated by its own scatter within pillars (a
        # conjugate update worth PRIOR_DF criteria), scales every part of the error
        # scatter = max(total_sq - n * mean * mean, 0) summed per row
        spread = np.multiply(n, mean, out=tmp)
        np.multiply(spread, mean, out=spread)
        np.subtract(total_sq, spread, out=spread)
        scatter = np.maximum(spread, 0.0, out=spread).sum(axis=1)
        # sum of max(n - 1, 0): counts less the pillars with any (small integers: exact)
        df = n.sum(axis=1) - np.minimum(n, 1.0, out=tmp).sum(axis=1)
        own = (PRIOR_DF * est.noise2 + scatter) / (PRIOR_DF + df)
        var *= own / est.noise2
        sd = np.sqrt(np.maximum(var, 0.0))  # >= 0 to the last bit
        return cls(
            rated=rated,
            known=known,
            centre=centre,
            sd=sd,
            rated_sums=r_sums,
            app_sums=np.asarray(app_sums),
            known_weighted=k_sums[:, 2 * k :],
            v_mu=v_mu,
            gamma=gamma,
            own=own,
        )

    def estimates(
        self,
        levels: Floats,
        applicable: Bools | None,
        model: ScoringModel,
        *,
        settled: bool = True,
    ) -> Estimated:
        """The estimates (:func:`estimate_unknowns`, settled unless ``settled`` is False)
        of the ``levels`` these parts were made from (by :meth:`of`, which keeps the
        rated mask)."""
        assert self.rated is not None
        estimated = ~self.rated if applicable is None else applicable & ~self.rated
        guess = self.centre[:, model.criterion_pillar]
        guess += model.estimate.offsets
        np.clip(guess, 0.0, float(LEVEL_MAX), out=guess)
        # settled like scores: the same estimate whatever order its sums were taken in
        filled = np.where(self.rated, levels, settle(guess) if settled else guess)
        if applicable is not None:
            filled[~applicable] = np.nan
        return Estimated(levels=filled, estimated=estimated, sd=self.sd)

    def pillar_sums(
        self,
        model: ScoringModel,
        levels: Floats,
        scratch: Scratch | None = None,
        applicable: Bools | None = None,
    ) -> Floats:
        """(r, k) weighted sums of levels per pillar over the applicable criteria (all
        without ``applicable``), known levels as they are and unknown ones at their
        estimate: what the arithmetic point score divides by the pillar's applicable
        weight. The estimates' sum is one product unless an estimate leaves 0-4; those
        rows (of ``levels`` and ``applicable``, what these parts were made from) are
        summed criterion by criterion. With the kernel's ``scratch`` the sums are one of
        its buffers (as :meth:`from_sums`), else a fresh array."""
        k = model.n_pillars
        by_known = model.estimate_matrices[1]
        new = _allocate if scratch is None else scratch
        shape = (self.rated_sums.shape[0], k)
        est_w = np.subtract(
            self.app_sums[..., :k], self.rated_sums[:, 3 * k : 4 * k], out=new("est_w", shape)
        )
        est_w_off = np.subtract(
            self.app_sums[..., 2 * k : 3 * k],
            self.rated_sums[:, 5 * k : 6 * k],
            out=new("est_w2", shape),
        )
        # a pillar with nothing estimated adds exactly 0: its weights' differences miss 0
        # by float noise (as in from_sums), so its sums are its known ones to the bit
        # (what _KnownOnly holds, without the estimate's parts)
        estimated = np.greater(
            est_w, 1e-9 * self.app_sums[..., :k], out=new("est_estimated", shape, np.bool_)
        )
        for part in (est_w, est_w_off):
            np.multiply(part, estimated, out=part)
            part += 0.0
        # sums = known_weighted + centre * est_w + est_w_off, into one array
        sums = np.multiply(self.centre, est_w, out=new("est_pillar_sums", shape))
        np.add(self.known_weighted, sums, out=sums)
        np.add(sums, est_w_off, out=sums)
        low, high = model.estimate_offset_range
        # clipped = (est_w > 0) & ((centre + low < 0) | (centre + high > LEVEL_MAX))
        with np.errstate(invalid="ignore"):
            edge = np.add(self.centre, low, out=est_w_off)  # est_w_off is summed: reuse it
            clipped = np.less(edge, 0, out=new("est_clipped", shape, np.bool_))
            np.add(self.centre, high, out=edge)
            over = np.greater(edge, LEVEL_MAX, out=new("est_something", shape, np.bool_))
            clipped |= over
            clipped &= np.greater(est_w, 0, out=over)
        rows = np.flatnonzero(clipped.any(axis=1))
        if len(rows):
            guess = self.centre[rows][:, model.criterion_pillar] + model.estimate.offsets
            np.clip(guess, 0.0, float(LEVEL_MAX), out=guess)
            some = levels[rows]
            filled = np.where(some == some, some, guess)
            if applicable is not None:
                filled[~applicable[rows]] = 0.0  # a criterion that does not apply: no part
            sums[rows] = filled @ by_known[:, 2 * k : 3 * k]
        return sums

    def nothing_known(self) -> Bools:
        """(r,) True where no applicable criterion is known: no point score."""
        nothing: Bools = self.rated_sums[:, : self.centre.shape[1]].sum(axis=1) == 0
        return nothing


@dataclass(frozen=True, eq=False)
class _KnownOnly:
    """What the point score of arithmetic pillars under ``estimate`` reads when nothing
    is estimated (every applicable criterion known, something applicable in every row,
    so every row has a score): the known levels' weighted sums per pillar, made by the
    same product as in :meth:`_EstimateParts.of`, and so the sums
    :meth:`_EstimateParts.pillar_sums` gives to the bit, without the estimate's posterior.

    Attributes:
        known_weighted: (r, k) the weighted sums of the known levels per pillar.
        app_sums: (3k,) or (r, 3k) as :attr:`_EstimateParts.app_sums`.
        sd: (r,) zeros: nothing estimated adds no error.
    """

    known_weighted: Floats
    app_sums: Floats
    sd: Floats

    @classmethod
    def of(cls, levels: Floats, applicable: Bools | None, model: ScoringModel) -> _KnownOnly:
        rated = ~np.isnan(levels)
        if applicable is not None:
            rated &= applicable
        k_sums = np.where(rated, levels, 0.0) @ model.estimate_matrices[1]  # as in of()
        return cls(
            known_weighted=k_sums[:, 2 * model.n_pillars :],
            app_sums=_app_sums(applicable, model),
            sd=np.zeros(levels.shape[0]),
        )


def _app_sums(applicable: Bools | None, model: ScoringModel) -> Floats:
    """The applicable mask by ``model.estimate_matrices[2]``: per pillar [weight |
    weight^2 | weight x offset], (3k,) without a mask. A row where every criterion
    applies takes those of no mask, so that it scores to the bit as without one (a
    product's last bits vary with its shape)."""
    if applicable is None:
        return model.estimate_app_sums
    app_sums: Floats = applicable.astype(np.float64) @ model.estimate_matrices[2]
    app_sums[applicable.all(axis=1)] = model.estimate_app_sums
    return app_sums


Scratch = Callable[..., NDArray[Any] | None]
"""Where :class:`_EstimateParts` puts its (rows x pillars) arrays: ``scratch(name, shape,
dtype=float64)`` gives an array of that shape and dtype to write over (the kernel's
reused buffers), or None for a new array made by the arithmetic itself (:func:`_allocate`)."""


def _allocate(name: str, shape: tuple[int, ...], dtype: Any = np.float64) -> None:
    """The :data:`Scratch` of new arrays: None, so that each step makes its own result
    (``out=None``), as plain arithmetic does; cheaper than buffers for a few rows."""


def _look_up(table: Floats, index: Ints, out: Floats | None) -> Floats:
    """``table[index]``, into ``out`` when given (both of one memory order): an F-ordered
    pair as its C-ordered transpose, which ``np.take`` reads ten times faster. Indexes
    are counts of criteria, always within ``table`` ("clip" skips the bounds check)."""
    if out is None:
        looked_up: Floats = table[index]
        return looked_up
    if _order(out) == "F":
        np.take(table, index.T, out=out.T, mode="clip")
    else:
        np.take(table, index, out=out, mode="clip")
    return out


def _nothing_estimated(levels: Floats, applicable: Bools | None) -> Estimated | None:
    """:func:`estimate_unknowns` of a block where every applicable criterion is known
    (and every row has one that applies), without the sums: the known levels (NaN where
    a criterion does not apply), nothing estimated, a spread of 0 (no estimated weight
    adds to the error). ``None`` when the block has something to estimate.
    ``tests/test_scoring.py`` holds it bit for bit to :func:`estimate_unknowns`."""
    unknown = np.isnan(levels)
    if applicable is None:
        if unknown.any():
            return None
        filled = levels.copy()
    else:
        unknown &= applicable
        if unknown.any() or not applicable.any(axis=1).all():
            return None
        filled = np.where(applicable, levels, np.nan)
    return Estimated(levels=filled, estimated=unknown, sd=np.zeros(levels.shape[0]))


def estimate_spread(levels: Floats, applicable: Bools | None, model: ScoringModel) -> Floats:
    """The spread (standard deviation, in levels) of each unknown criterion's level
    around its estimate (:func:`estimate_unknowns`), under the rubric's ``estimate``.

    One criterion's part of what the overall score's error adds up: the uncertainty of
    the partnership's level as it reaches the criterion's pillar (``v_mu (1 - g)**2``,
    ``g`` the pillar's shrinkage), the pillar's own departure (``pillar_spread**2 (1 -
    g)``) and the criterion's noise (``spread**2``), all scaled as the likely range is by
    the partnership's own scatter. NaN where a criterion is known or does not apply.

    >>> from readiness import load_rubric
    >>> m = ScoringModel.from_rubric(load_rubric())
    >>> e = load_rubric().estimate  # nothing known: prior, pillar and criterion spreads
    >>> sd = estimate_spread(np.full((1, m.n_criteria), np.nan), None, m)
    >>> bool(np.allclose(sd, (e.partnership_spread**2 + e.pillar_spread**2 + e.spread**2) ** 0.5))
    True
    """
    est = model.estimate
    parts = _EstimateParts.of(levels, applicable, model)  # the likely range's posterior
    gamma = parts.gamma
    var = parts.v_mu[:, None] * (1.0 - gamma) ** 2 + est.pillar2 * (1.0 - gamma) + est.noise2
    var *= (parts.own / est.noise2)[:, None]
    sd: Floats = np.sqrt(var)[:, model.criterion_pillar]
    rated = parts.rated
    assert rated is not None
    unknown = ~rated if applicable is None else applicable & ~rated
    return np.where(unknown, sd, np.nan)


def estimate_map(rated: Bools, model: ScoringModel) -> tuple[Floats, Floats]:
    """The estimates of one partnership as an affine map of its known levels.

    :func:`estimate_unknowns` gives, before it keeps them within 0-4, ``const +
    coef @ levels`` (the levels of the known criteria; unknown ones are not read): the
    pillar means and the partnership's level are weighted means of the known levels.
    A plan uses the map to raise estimates with the levels it plans.

    Args:
        rated: (m,) which criteria are known (and apply).
        model: The compiled rubric.

    Returns:
        ``const`` (m,) and ``coef`` (m, m), row ``j`` the estimate of criterion ``j``.
    """
    est = model.estimate
    pillar = model.criterion_pillar
    n = np.bincount(pillar[rated], minlength=model.n_pillars).astype(np.float64)
    some = n > 0
    safe = np.where(some, n, 1.0)
    precision = np.where(some, 1.0 / (est.pillar2 + est.noise2 / safe), 0.0)
    v_mu = 1.0 / (1.0 / est.tau2 + precision.sum())
    gamma = np.where(some, est.pillar2 / (est.pillar2 + est.noise2 / safe), 0.0)
    # pillar means: mean_q = sum over known k of q (level_k - offset_k) / n_q
    mean_coef = np.where(rated, 1.0 / safe[pillar], 0.0)  # (m,) weight of level k in its mean
    offset_sum = np.bincount(pillar[rated], weights=est.offsets[rated], minlength=len(n))
    mean_const = np.where(some, -offset_sum / safe, 0.0)
    # mu = v_mu (prior / tau2 + sum_q precision_q mean_q)
    mu_coef = v_mu * precision[pillar] * mean_coef
    mu_const = v_mu * (est.prior / est.tau2 + (precision * mean_const).sum())
    g = gamma[pillar]  # (m,) of the estimated criterion's pillar
    same = pillar[:, None] == pillar[None, :]
    coef = (1.0 - g)[:, None] * mu_coef[None, :] + np.where(same, g[:, None] * mean_coef, 0.0)
    const = (1.0 - g) * mu_const + g * mean_const[pillar] + est.offsets
    return const, coef


@dataclass(frozen=True, eq=False)
class ScoringModel:
    """A rubric compiled into arrays. Build with :meth:`from_rubric`."""

    criterion_ids: tuple[str, ...]
    pillar_ids: tuple[str, ...]
    criterion_pillar: Ints
    criterion_weight: Floats
    pillar_weight: Floats
    pillar_method: tuple[Method, ...]
    overall_method: Method
    band_ids: tuple[str, ...]
    band_mins: Floats
    gate_criterion: Ints
    gate_min: Floats
    gate_band: Ints
    unknown_policy: UnknownPolicy
    min_coverage: float
    estimate: EstimateModel

    @classmethod
    def from_rubric(cls, rubric: Rubric) -> ScoringModel:
        """Compile a rubric (cached per rubric object).

        Raises:
            RubricError: The rubric's content is not what its validation checked
                (see :meth:`Rubric.ensure_validated`); checked once per rubric object.
        """
        cached = _MODELS.get(id(rubric))
        if cached is not None and cached[0]() is rubric:
            return cached[1]
        rubric.ensure_validated()
        ids = rubric.criterion_ids
        pillar_index = {p.id: i for i, p in enumerate(rubric.pillars)}
        band_index = {b.id: i for i, b in enumerate(rubric.bands)}
        gated = [(i, c.critical) for i, c in enumerate(rubric.criteria) if c.critical]
        model = cls(
            criterion_ids=ids,
            pillar_ids=tuple(p.id for p in rubric.pillars),
            criterion_pillar=np.array(
                [pillar_index[rubric.pillar_of[c].id] for c in ids], dtype=np.intp
            ),
            criterion_weight=np.array([c.weight for c in rubric.criteria], dtype=np.float64),
            pillar_weight=np.array([p.weight for p in rubric.pillars], dtype=np.float64),
            pillar_method=tuple(p.aggregation for p in rubric.pillars),
            overall_method=rubric.aggregation,
            band_ids=tuple(b.id for b in rubric.bands),
            band_mins=np.array([b.min for b in rubric.bands], dtype=np.float64),
            gate_criterion=np.array([i for i, _ in gated], dtype=np.intp),
            gate_min=np.array([g.min_level for _, g in gated], dtype=np.float64),
            gate_band=np.array([band_index[g.cap_band] for _, g in gated], dtype=np.intp),
            unknown_policy=rubric.unknown_policy,
            min_coverage=rubric.min_coverage,
            estimate=EstimateModel.from_rubric(rubric),
        )
        _MODELS[id(rubric)] = (weakref.ref(rubric), model)
        weakref.finalize(rubric, _MODELS.pop, id(rubric), None)  # the entry dies with it
        return model

    @property
    def n_criteria(self) -> int:
        return len(self.criterion_ids)

    @property
    def n_pillars(self) -> int:
        return len(self.pillar_ids)

    @cached_property
    def kernels(self) -> dict[tuple[Any, ...], _Kernel]:
        """The scoring kernels built for this model, by (thread, unknown policy,
        minimum coverage, engine); filled by :func:`score_outputs` (see ``_kernel_for``)."""
        return {}

    @cached_property
    def estimate_matrices(self) -> tuple[Floats, Floats, Floats]:
        """The (criteria x pillars) matrices the estimate's per-pillar sums multiply by:
        for the rated mask [membership | offset | offset^2 | weight | weight^2 |
        weight x offset], for the known levels [membership | offset | weight], for the
        applicable mask [weight | weight^2 | weight x offset] (see ``_EstimateParts``)."""
        member = np.zeros((self.n_criteria, self.n_pillars))
        member[np.arange(self.n_criteria), self.criterion_pillar] = 1.0
        off = self.estimate.offsets[:, None]
        w = self.criterion_weight[:, None]
        by_app = np.hstack([member * w, member * w * w, member * w * off])
        by_rated = np.hstack([member, member * off, member * off * off, by_app])
        by_known = np.hstack([member, member * off, member * w])
        return by_rated, by_known, by_app

    @cached_property
    def estimate_by_count(self) -> tuple[Floats, Floats, Floats]:
        """By a pillar's count of known criteria (0 to all of them): the precision of its
        mean, its shrinkage ``gamma`` and ``1 - gamma`` (0, 0 and 1 with nothing known);
        see :func:`estimate_unknowns`."""
        est = self.estimate
        n = np.arange(self.n_criteria + 1, dtype=np.float64)
        some = n > 0
        per = np.where(some, n, 1.0)
        precision = np.where(some, 1.0 / (est.pillar2 + est.noise2 / per), 0.0)
        gamma = np.where(some, est.pillar2 / (est.pillar2 + est.noise2 / per), 0.0)
        return precision, gamma, 1.0 - gamma

    @cached_property
    def estimate_app_sums(self) -> Floats:
        """(3k,) the applicable mask's sums of :attr:`estimate_matrices` when every
        criterion applies: per pillar [weight | weight^2 | weight x offset]."""
        sums: Floats = self.estimate_matrices[2].sum(axis=0)
        return sums

    @cached_property
    def estimate_offset_range(self) -> tuple[Floats, Floats]:
        """(k,) the lowest and highest criterion offset in each pillar."""
        off = self.estimate.offsets
        low = np.full(self.n_pillars, np.inf)
        high = np.full(self.n_pillars, -np.inf)
        np.minimum.at(low, self.criterion_pillar, off)
        np.maximum.at(high, self.criterion_pillar, off)
        return low, high

    def membership(self) -> Floats:
        """(criteria x pillars) matrix holding each criterion's weight in its pillar column."""
        m = np.zeros((self.n_criteria, self.n_pillars))
        m[np.arange(self.n_criteria), self.criterion_pillar] = self.criterion_weight
        return m

    def pillar_starts(self) -> Ints:
        """Index of each pillar's first criterion (criteria are grouped by pillar)."""
        return np.searchsorted(self.criterion_pillar, np.arange(self.n_pillars)).astype(np.intp)

    def band_tops(self) -> Floats:
        """The score ceiling of each band: the next band's minimum (inf for the top band)."""
        return np.append(self.band_mins[1:], np.inf)

    def gate_caps(self) -> Floats:
        """The score ceiling of each gate: the top of its cap band."""
        return self.band_tops()[self.gate_band]


_MODELS: dict[int, tuple[weakref.ref[Rubric], ScoringModel]] = {}
"""Compiled models by rubric object; an entry goes when its rubric is collected (so 200
``with_weights`` variants do not stay alive)."""


@dataclass(frozen=True, eq=False)
class Scores:
    """Scores of ``n`` partnerships. Arrays have one row per partnership.

    Attributes:
        pillar: (n, pillars) pillar scores; NaN where no criterion of the pillar is answered.
        pillar_lower, pillar_upper: (n, pillars) pillar bounds.
        pillar_coverage: (n, pillars) share of the pillar's applicable weight that is rated.
        raw: (n,) overall score before gates and the coverage rule.
        overall: (n,) the overall score; NaN when coverage is below the minimum.
        lower, upper: (n,) bounds of the overall score (gates applied).
        coverage: (n,) share of effective weight that is rated.
        band: (n,) index into ``ScoringModel.band_ids``; -1 where ``overall`` is NaN.
        gate_failed: (n, gates) which gates failed: applicable, rated and below the minimum.
        gate_loss: (n,) points the gates took off the score (``raw - capped``).
        gate_unrated: (n, gates) which gates are unrated: applicable and unknown. They
            cap ``lower`` (and, under the ``worst`` policy, the point score), never
            count as failed.
        raw_lower: (n,) the lower bound before gates (every unknown at level 0).
        likely_lower, likely_upper: (n,) the likely range of the overall score: under
            ``unknown_policy: estimate``, the interval the estimates' spread gives (its
            probability: the rubric's ``estimate.interval``), within ``lower``-``upper``;
            under the other policies the same as ``lower`` and ``upper``.
    """

    pillar: Floats
    pillar_lower: Floats
    pillar_upper: Floats
    pillar_coverage: Floats
    raw: Floats
    overall: Floats
    lower: Floats
    upper: Floats
    coverage: Floats
    band: Ints
    gate_failed: Bools
    gate_loss: Floats
    gate_unrated: Bools
    raw_lower: Floats
    likely_lower: Floats
    likely_upper: Floats


def level_to_score(levels: Floats) -> Floats:
    """Map levels 0-4 to scores 0-100 (NaN stays NaN).

    >>> level_to_score(np.array([0.0, 2.0, 4.0]))
    array([  0.,  50., 100.])
    """
    return levels * POINTS_PER_LEVEL


def score_matrix(
    levels: NDArray[np.floating] | NDArray[np.integer],
    model: ScoringModel,
    *,
    not_applicable: Bools | None = None,
    low_confidence: Bools | None = None,
    columns: Ints | None = None,
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
    chunk_rows: int | None = None,
    engine: Engine = "auto",
) -> Scores:
    """Score a matrix of levels.

    Args:
        levels: (n, m) levels 0-4, NaN for unknown. C- or F-ordered: a float64 matrix
            in rubric column order is read in place, never copied.
        model: The compiled rubric.
        not_applicable: (n, m) True where a criterion does not apply.
        low_confidence: (n, m) True where a rating has low confidence (widens the bounds).
        columns: Optional (criteria,) index: rubric criterion ``j`` is column
            ``columns[j]`` of ``levels`` and of the masks (a column index of -1 means
            the criterion is absent: unknown). Saves reordering a large matrix.
        unknown_policy: Override the rubric's policy for unknown criteria.
        min_coverage: Override the rubric's minimum coverage.
        chunk_rows: Rows scored at once; bounds temporary memory. Default
            :data:`CHUNK_ROWS` (numpy engine) or :data:`ACCEL_CHUNK_ROWS` (numba).
        engine: ``"numpy"``, ``"numba"`` (the compiled kernel of ``readiness[fast]``:
            one read of each level instead of five passes) or ``"auto"`` (numba when
            installed and at least :data:`ACCEL_MIN_ROWS` rows are scored; the
            ``READINESS_ENGINE`` environment variable can force either). Both give
            the same scores (to float rounding, 1e-9 points at most). Under the
            ``estimate`` policy both take the numpy path (its sums are not compiled).

    Returns:
        The scores of every row.

    Raises:
        InputError: A level is not NaN or an integer 0-4 (names row and column).
    """
    out = score_outputs(
        levels,
        model,
        not_applicable=not_applicable,
        low_confidence=low_confidence,
        columns=columns,
        unknown_policy=unknown_policy,
        min_coverage=min_coverage,
        chunk_rows=chunk_rows,
        outputs=ALL_OUTPUTS - _COUNTS,
        engine=engine,
    )
    return Scores(**{name: out[name] for name in ALL_OUTPUTS - _COUNTS})  # type: ignore[arg-type]


def score_outputs(
    levels: NDArray[np.floating] | NDArray[np.integer],
    model: ScoringModel,
    *,
    not_applicable: Bools | None = None,
    low_confidence: Bools | None = None,
    columns: Ints | None = None,
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
    chunk_rows: int | None = None,
    outputs: frozenset[str] = ALL_OUTPUTS,
    table: tuple[str, ...] = (),
    engine: Engine = "auto",
) -> dict[str, NDArray[np.generic]]:
    """:func:`score_matrix`, computing only the ``outputs`` named (see :data:`ALL_OUTPUTS`
    and :data:`ON_REQUEST`).

    The same kernel as :func:`score_matrix`; what is not asked for is not computed
    (per-pillar bounds and coverage are skipped when only overall figures are wanted).
    ``table`` (``"pillar"`` then per-row float outputs) lays those outputs out as the
    columns of one F-ordered matrix, returned too under ``"table"``.

    Raises:
        InputError: As :func:`score_matrix`; or an output name that is not known.
    """
    unknown = sorted(set(outputs) - ALL_OUTPUTS - ON_REQUEST)
    if unknown:
        raise InputError(
            f"unknown outputs {unknown}; known: {sorted(ALL_OUTPUTS | ON_REQUEST)}",
            source="outputs",
        )
    if table and (
        table[0] != "pillar"
        or not set(table) <= outputs
        or len(set(table)) < len(table)
        or set(table) & (_PILLAR_WIDE | _GATE_WIDE | _COUNTS | {"band"}) != {"pillar"}
    ):
        raise InputError(
            f"table must be 'pillar' then per-row float outputs (got {list(table)})",
            source="table",
        )
    policy = unknown_policy or model.unknown_policy
    threshold = model.min_coverage if min_coverage is None else min_coverage
    check_options(policy, threshold)
    n = levels.shape[0]
    width = model.n_criteria if columns is None else None
    for name, mask in (("not_applicable", not_applicable), ("low_confidence", low_confidence)):
        if mask is not None and mask.shape != levels.shape:
            raise InputError(f"{name} has shape {mask.shape}, levels {levels.shape}", source=name)
    if levels.ndim != 2 or (width is not None and levels.shape[1] != width):
        raise InputError(
            f"levels must have one column per criterion ({model.n_criteria}); got shape "
            f"{levels.shape}",
            source="levels",
        )
    accel = _engine(engine, n)
    if policy == "estimate":  # the estimate's sums are numpy products on both engines:
        accel = None  # the numpy engine's blocks, as for ``engine="numpy"``
    if chunk_rows is None:
        chunk_rows = CHUNK_ROWS if accel is None else ACCEL_CHUNK_ROWS
    k, g = model.n_pillars, len(model.gate_criterion)
    out: dict[str, NDArray[np.generic]] = {}
    if table:
        # "pillar" and the named per-row figures side by side, column-major: a pandas
        # frame takes the whole matrix as one block, without a copy
        whole = out["table"] = np.empty((n, k + len(table) - 1), order="F")
        out["pillar"] = whole[:, :k]
        for i, name in enumerate(table[1:]):
            out[name] = whole[:, k + i]
    order = _order(levels)
    # each output's shape, dtype and memory order (pillar-wide ones in the input's: the
    # kernel's own)
    layout: dict[str, tuple[tuple[int, ...], type, Literal["C", "F"]]] = {}
    for name in outputs - set(table):
        if name in _PILLAR_WIDE:
            layout[name] = ((n, k), np.float64, order)
        elif name in _GATE_WIDE:
            layout[name] = ((n, g), np.bool_, "C")
        elif name == "band":
            layout[name] = ((n,), np.intp, "C")
        elif name in _COUNTS:
            layout[name] = ((n,), np.int64, "C")
        elif name == "estimate":
            layout[name] = ((n, model.n_criteria), np.float64, "C")
        else:
            layout[name] = ((n,), np.float64, "C")
    starts = range(0, n, chunk_rows)
    # one block (one assess): its figures are copied out as they are, not written into
    # arrays made beforehand (the same values, shapes, dtypes and memory order)
    one_block = len(starts) == 1 and not table
    if not one_block:
        for name, (shape, dtype, memory) in layout.items():
            out[name] = np.empty(shape, dtype=dtype, order=memory)

    def score_block(start: int) -> None:
        kernel = _kernel_for(model, policy, threshold, accel)
        stop = min(start + chunk_rows, n)
        block = _take(levels, start, stop, columns, np.nan)
        na = None if not_applicable is None else _take(not_applicable, start, stop, columns, 0)
        lc = None if low_confidence is None else _take(low_confidence, start, stop, columns, 0)
        res = kernel.run(block, None if na is None else na.astype(bool), lc, outputs, start)
        if one_block:
            for name, (shape, dtype, memory) in layout.items():
                value = res.get(name)
                if isinstance(value, np.ndarray) and value.shape == shape and value.dtype == dtype:
                    out[name] = np.array(value, order=memory)  # a copy: never a buffer's view
                else:  # made and written as for several blocks
                    out[name] = np.empty(shape, dtype=dtype, order=memory)
                    if value is not None:
                        out[name][start:stop] = value
            return
        for name, value in res.items():
            out[name][start:stop] = value

    # BLAS's own threads would fight ours (and cost more than they give on small
    # products): pinned to one thread at every size, through one reused controller
    try:
        with _blas_pinned():
            if len(starts) < 2:  # one block: no pool
                for start in starts:
                    score_block(start)
            else:
                # numpy releases the GIL in ufuncs and matmul: blocks score in parallel,
                # each writing its own rows
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(max_workers=min(_WORKERS, len(starts))) as pool:
                    for future in [pool.submit(score_block, start) for start in starts]:
                        future.result()
    except InputError:
        # a block found bad levels: name them in every block, not only that one's
        raise _every_bad_level(levels, columns, starts, chunk_rows) from None
    return out


def _every_bad_level(
    levels: NDArray[np.generic], columns: Ints | None, starts: range, chunk_rows: int
) -> InputError:
    """The error for the bad levels of the whole matrix: the first :data:`_LISTED` named,
    the others counted."""
    problems: list[Problem] = []
    total = 0
    for start in starts:
        stop = min(start + chunk_rows, levels.shape[0])
        block = _take(levels, start, stop, columns, np.nan)
        found, count = _bad_levels(block, start, _LISTED - len(problems))
        problems += found
        total += count
    if total > len(problems):
        problems.append(Problem("$", f"... and {total - len(problems)} more bad levels"))
    return InputError(problems)


def _take(
    matrix: NDArray[np.generic], start: int, stop: int, columns: Ints | None, fill: float
) -> Floats:
    """Rows ``start:stop`` in rubric column order, as float64.

    A float64 matrix already in rubric order comes back as a view (C- or F-ordered as
    it is: pandas hands over F-ordered matrices, and transposing them cost more than
    scoring); otherwise one copy per block.
    """
    block = np.asarray(matrix[start:stop])
    if columns is None or (len(columns) == block.shape[1] and (columns == _arange(columns)).all()):
        return np.asarray(block, dtype=np.float64)
    present = columns >= 0
    if present.all():
        return np.ascontiguousarray(block[:, columns], dtype=np.float64)
    out = np.full((stop - start, len(columns)), fill, dtype=np.float64)
    out[:, present] = block[:, columns[present]]
    return out


def _arange(columns: Ints) -> Ints:
    return np.arange(len(columns), dtype=columns.dtype)


def _validate(block: Floats, offset: int, scratch: Floats | None = None) -> None:
    if block.size == 0:
        return
    # fast path: NaN-ignoring reductions (fmin/fmax skip NaN; all-NaN gives NaN)
    low = np.fmin.reduce(block, axis=None)
    high = np.fmax.reduce(block, axis=None)
    if not (low < 0 or high > LEVEL_MAX):
        fraction = np.floor(block, out=scratch)
        np.subtract(block, fraction, out=fraction)
        if not np.fmax.reduce(fraction, axis=None) > 0:
            return
    problems, _ = _bad_levels(block, offset, _LISTED)
    if problems:
        raise InputError(problems)


_LISTED = 1000
"""Bad levels named one by one in an error (``Problem`` each); further ones are counted."""


def _bad_levels(block: Floats, offset: int, limit: int) -> tuple[list[Problem], int]:
    """The known levels of ``block`` that are not integers 0-4: at most ``limit`` as
    problems (row ``offset + r``, criterion column), and how many there are in all."""
    known = ~np.isnan(block)
    bad = known & ((block < 0) | (block > LEVEL_MAX) | (block != np.floor(block)))
    rows, cols = np.nonzero(bad)
    problems = [
        Problem(
            f"row {offset + r}, criterion column {c}",
            f"level {block[r, c]:g} is not an integer from 0 to {LEVEL_MAX}",
            row=int(offset + r),
            column=int(c),
        )
        for r, c in zip(rows[:limit], cols[:limit], strict=True)
    ]
    return problems, len(rows)


def _kernel_for(
    model: ScoringModel, policy: UnknownPolicy, threshold: float, accel: Any
) -> _Kernel:
    """This thread's kernel for ``model`` under these options, built on first use.

    A kernel holds what depends only on the rubric and the options (membership, bands,
    gate caps, ...) and its scratch buffers, so it is kept and reused by every later
    call from the same thread: one ``assess`` no longer rebuilds it. Results never
    share a kernel's buffers (every call copies its block's figures out), so reuse
    changes no number. The kernels live on the model (:attr:`ScoringModel.kernels`), so
    they die with it, and a handful are kept per model.
    """
    kernels = model.kernels
    key = (threading.get_ident(), policy, float(threshold), accel)
    kernel = kernels.get(key)
    if kernel is None:
        if len(kernels) >= _KERNELS_KEPT:  # options drawn by a sweep: drop the oldest
            kernels.pop(next(iter(tuple(kernels))), None)
        kernel = kernels[key] = _Kernel(model, policy, threshold, accel=accel)
    return kernel


_KERNELS_KEPT = 16
"""Kernels kept per model (one per thread, unknown policy and minimum coverage)."""


class _Kernel:
    """The per-block computation, with everything that depends only on the rubric prepared."""

    def __init__(
        self,
        model: ScoringModel,
        policy: UnknownPolicy,
        threshold: float,
        *,
        linear: bool | None = None,
        fused: bool | None = None,
        accel: Any = None,
    ) -> None:
        self.model = model
        self.policy = policy
        self.threshold = threshold
        self.membership = model.membership()
        self.pillar_total = self.membership.sum(axis=0)
        # Arithmetic pillars are linear in the levels, so scores, bounds and coverage
        # all follow from a few matrix products; other methods take the general path.
        all_arithmetic = all(m == "arithmetic" for m in model.pillar_method)
        self.linear = all_arithmetic if linear is None else linear and all_arithmetic
        self.starts = model.pillar_starts()
        self.pillar_matrix = model.pillar_weight[:, None]
        self.methods: dict[Method, Ints] = {
            m: np.array([i for i, pm in enumerate(model.pillar_method) if pm == m], dtype=np.intp)
            for m in _METHODS
        }
        self.band_tops = model.band_tops()
        self.pillar_share = shares(model.pillar_weight)
        with np.errstate(divide="ignore"):
            self.inv_total = 1.0 / self.pillar_total
        self.scale_by_total = POINTS_PER_LEVEL * self.inv_total
        self.scale_by_total_est = self.inv_total * POINTS_PER_LEVEL  # the reference's order
        self._buffers: dict[tuple[str, str], NDArray[Any]] = {}
        # The fused path (arithmetic pillars and overall, nothing masked): the pillar
        # sums of levels and of rated weight (two products of ``filled``, NaN as 0, and
        # ``rated``, 1 unless NaN; or the compiled kernel), then from them, by two small
        # products, the overall lower bound, the rated part of the upper bound and the
        # coverage.
        can_fuse = (
            self.linear
            and model.overall_method == "arithmetic"
            and bool((self.pillar_total > 0).all())
        )
        self.fused = can_fuse if fused is None else fused and can_fuse
        # under ``estimate`` the fused path makes the estimate's per-pillar sums too, in
        # three products (the rated mask, the known levels and their squares by
        # ``model.estimate_matrices``), and takes the pillar sums from them
        self.estimating = policy == "estimate"
        if self.fused and self.estimating:
            by_rated, by_known, _ = model.estimate_matrices
            self.by_rated = np.ascontiguousarray(by_rated)
            self.by_known = np.ascontiguousarray(by_known)
            self.by_member = np.ascontiguousarray(by_known[:, : model.n_pillars])
        # the compiled kernel (fused path only) makes the same pillar sums
        self.bounds = np.append(self.starts, model.n_criteria).astype(np.intp)
        grouped = bool((np.diff(model.criterion_pillar) >= 0).all())
        self.accel = accel if self.fused and grouped and not self.estimating else None
        # per pillar, the factor of its level sum (and rated weight) in the overall
        # lower bound, and of its rated weight in the coverage
        self.lower_p = self.scale_by_total * self.pillar_share
        self.rated_p = np.column_stack([self.lower_p, self.inv_total * self.pillar_share])
        self.share_total = float(self.pillar_share.sum())
        # gate caps by failed set: entry ``code`` is the lowest cap band among the gates
        # whose bits are set in ``code`` (the top band when none)
        g, top = len(model.gate_band), len(model.band_mins) - 1
        self.cap_table: Ints | None = None
        if g <= _PACKED_GATES:
            bits = (np.arange(1 << g)[:, None] >> np.arange(g)) & 1 == 1
            self.cap_table = cap_band(bits, model.gate_band, top)  # every failed set
            self.cap_top_table = self.band_tops[self.cap_table]

    def run(
        self,
        levels: Floats,
        na: Bools | None,
        low: Floats | None,
        outputs: frozenset[str] = ALL_OUTPUTS,
        offset: int = 0,
    ) -> dict[str, NDArray[np.generic]]:
        """Score one block (validated here; ``offset`` is its first row, for errors).

        Some results are views of the kernel's scratch buffers: copy them out before
        the next run."""
        wants_estimate = "estimate" in outputs
        # an all-False mask says nothing: the same scores without it (to the bit, as
        # tests/test_scoring.py holds; the per-pillar bounds settled), by the shorter path
        if na is not None and not na.any():
            na = None
        if low is not None and not low.any():
            low = None
        if self.fused and na is None and low is None:
            res = self._fused(levels, outputs - ON_REQUEST, offset)
            if wants_estimate:  # nothing unknown: the levels, without the posterior
                known = _nothing_estimated(levels, None)
                res["estimate"] = (
                    estimate_unknowns(levels, None, self.model) if known is None else known
                ).levels
            return res
        _validate(levels, offset, self._buffer("scratch", levels.shape, levels))
        estimated: Estimated | _EstimateParts | _KnownOnly | None = None
        full: Estimated | None = None  # the estimates themselves
        applicable = None if na is None else ~na
        # arithmetic pillars under ``estimate`` read the estimates' parts themselves (the
        # point score from the sums, with or without a mask: one formula, as the fused
        # kernel's); elsewhere only the estimates are read, and with nothing to estimate
        # they are the levels (see _nothing_estimated)
        parts_read = self.policy == "estimate" and self.linear
        if self.policy == "estimate" or wants_estimate:
            full = _nothing_estimated(levels, applicable)
            scored = full  # what the point score reads criterion by criterion
            sums: _EstimateParts | _KnownOnly | None = None
            if full is None:
                sums = parts = _EstimateParts.of(levels, applicable, self.model)
                if wants_estimate:
                    full = parts.estimates(levels, applicable, self.model)
                if self.policy == "estimate" and not parts_read:  # scored as computed
                    scored = parts.estimates(levels, applicable, self.model, settled=False)
            elif parts_read:  # nothing to estimate: the known sums, to the same bits
                sums = _KnownOnly.of(levels, applicable, self.model)
            if self.policy == "estimate":
                # arithmetic pillars: the point score from the sums; otherwise criterion
                # by criterion from the estimates
                estimated = sums if parts_read else scored
        res = self._reference(levels, na, low, estimated)
        if full is not None:
            res["estimate"] = full.levels
        return {name: res[name] for name in outputs}

    def _fused(
        self, levels: Floats, outputs: frozenset[str], offset: int
    ) -> dict[str, NDArray[np.generic]]:
        """Arithmetic pillars and overall, every criterion applicable, no confidence."""
        k = self.model.n_pillars
        r = levels.shape[0]
        # sums and pillar scores land in reused buffers (fresh pages per block cost more
        # than the arithmetic); the caller copies them out before the next run
        parts: _EstimateParts | None = None
        # the estimate's parts go in the kernel's buffers too, but for a few rows
        scratch = self._scratch(levels) if r >= _SCRATCH_ROWS else None
        if self.estimating:  # the estimate's sums, the pillar sums among them
            parts = self._estimate_sums(levels, offset, scratch)
            lm = parts.known_weighted  # per pillar: weighted sum of levels
            rw = parts.rated_sums[:, 3 * k : 4 * k]  # per pillar: weight of rated criteria
        elif self.accel is not None:  # in one read of each level
            lm = self._buffer("lm", (r, k), levels)
            rw = self._buffer("rw", (r, k), levels)
            if self.accel(levels, self.bounds, self.model.criterion_weight, lm, rw):
                _validate(levels, offset)
        else:
            lm = self._buffer("lm", (r, k), levels)
            rw = self._buffer("rw", (r, k), levels)
            rated = self._buffer("rated", levels.shape, levels)
            np.equal(levels, levels, out=rated, casting="unsafe")  # 1.0 unless NaN
            filled = self._buffer("filled", levels.shape, levels)
            np.fmax(levels, 0.0, out=filled)  # fmax(NaN, 0) is 0
            self._check(levels, filled, offset)
            _product(filled, self.membership, lm)
            _product(rated, self.membership, rw)
        # the same small products on both engines: the overall lower bound's sum, and the
        # rated part of the upper bound with the coverage
        low: Floats = np.matmul(lm, self.lower_p, out=self._buffer("low", (r,), levels))
        sums: Floats = np.matmul(rw, self.rated_p, out=self._buffer("sums", (r, 2), levels))
        if parts is not None:  # the point score: every criterion, known or estimated
            # a buffer, scaled in place (the caller copies it out)
            pillar = parts.pillar_sums(self.model, levels, scratch)
            pillar *= self.scale_by_total_est
            pillar[parts.nothing_known()] = np.nan  # nothing to estimate from: no score
        else:
            pillar = self._buffer("pillar", (r, k), levels)
            with np.errstate(invalid="ignore", divide="ignore"):  # 0/0: nothing rated
                np.divide(lm, self.pillar_total if unknown_at_zero(self.policy) else rw, out=pillar)
            pillar *= POINTS_PER_LEVEL
        raw = settle(self._overall(pillar))
        if parts is not None:  # the estimate's pillar scores, settled once the overall is made
            np.round(pillar, SETTLE_DECIMALS, out=pillar)  # settle()
        raw_lo = settle(low)
        raw_hi = low - LEVEL_MAX * sums[:, 0]
        raw_hi += 100.0 * self.share_total
        raw_hi = settle(raw_hi)
        gate_levels = levels[:, self.model.gate_criterion]
        unrated = gate_levels != gate_levels
        failed = failed_gates(gate_levels, self.model.gate_min)
        res = self._finish(
            raw, raw_lo, raw_hi, sums[:, 1], failed, unrated, failed | unrated, failed,
            outputs, point_is_lo=True, sd=None if parts is None else parts.sd,
        )  # fmt: skip
        if "pillar" in outputs:
            res["pillar"] = pillar
        # the per-pillar bounds and coverage settled, as the reference path's (their last
        # bits differ between the two paths' formulas)
        if "pillar_lower" in outputs:
            res["pillar_lower"] = settle(lm * self.scale_by_total)
        if "pillar_upper" in outputs:
            upper = (lm - LEVEL_MAX * rw) * self.scale_by_total
            upper += 100.0
            res["pillar_upper"] = settle(upper)
        if "pillar_coverage" in outputs:
            res["pillar_coverage"] = settle(rw * self.inv_total, 2)
        return res

    def _estimate_sums(
        self, levels: Floats, offset: int, scratch: Scratch | None = None
    ) -> _EstimateParts:
        """The estimate's parts of one block (every criterion applicable): two passes
        (``rated``, 1 unless NaN; ``filled``, NaN as 0), the check, the squares, and
        three products into reused buffers."""
        k = self.model.n_pillars
        r = levels.shape[0]
        rated = self._buffer("rated", levels.shape, levels)
        np.equal(levels, levels, out=rated, casting="unsafe")  # 1.0 unless NaN
        filled = self._buffer("filled", levels.shape, levels)
        np.fmax(levels, 0.0, out=filled)  # fmax(NaN, 0) is 0
        self._check(levels, filled, offset)
        r_sums = _product(rated, self.by_rated, self._buffer("r_sums", (r, 6 * k), levels))
        k_sums = _product(filled, self.by_known, self._buffer("k_sums", (r, 3 * k), levels))
        square = np.multiply(filled, filled, out=rated)  # ``rated`` is summed: reuse it
        sq_sums = _product(square, self.by_member, self._buffer("sq_sums", (r, k), levels))
        return _EstimateParts.from_sums(
            r_sums,
            k_sums,
            sq_sums,
            self.model.estimate_app_sums,
            self.model,
            scratch=scratch,
        )

    def _check(self, levels: Floats, filled: Floats, offset: int) -> None:
        """Levels are NaN or integers 0-4: two reductions and one comparison when they are;
        :func:`_validate` names the bad cells when they are not."""
        low = np.fmin.reduce(levels, axis=None)  # NaN only when every level is
        high = np.fmax.reduce(filled, axis=None)
        if not (low < 0 or high > LEVEL_MAX):
            whole = self._buffer("scratch", levels.shape, levels)
            np.floor(filled, out=whole)
            # compared into a reused mask (np.array_equal makes a fresh one per block)
            same = self._buffer("same", levels.shape, levels, np.bool_)
            if np.equal(whole, filled, out=same).all():
                return
        _validate(levels, offset)

    def _finish(
        self,
        raw: Floats,
        raw_lo: Floats,
        raw_hi: Floats,
        coverage: Floats,
        failed: Bools,
        unrated: Bools,
        failed_lo: Bools,
        failed_hi: Bools,
        outputs: frozenset[str],
        point_is_lo: bool = False,
        sd: Floats | None = None,
    ) -> dict[str, NDArray[np.generic]]:
        """Gates, the coverage rule and the band, shared by every path.

        ``point_is_lo`` says that ``failed_lo`` is ``failed | unrated`` (no confidence
        widening), so under ``worst`` the point score's cap is the lower bound's."""
        # the point score: under ``worst`` an unknown counts as level 0, so it caps too
        point = failed
        if unknown_at_zero(self.policy):
            point = failed_lo if point_is_lo else failed | unrated
        caps: dict[int, tuple[Floats, Ints]] = {}  # one cap per distinct mask object

        def cap(mask: Bools) -> tuple[Floats, Ints]:
            if id(mask) not in caps:
                caps[id(mask)] = self._band_cap(mask)
            return caps[id(mask)]

        ceiling, band_cap = cap(point)
        capped = np.minimum(raw, ceiling)
        res: dict[str, NDArray[np.generic]] = {"raw": raw, "raw_lower": raw_lo}
        wants = outputs & {"lower", "upper", "likely_lower", "likely_upper"}
        if wants:
            lower = np.minimum(raw_lo, cap(failed_lo)[0])
            upper = np.minimum(raw_hi, cap(failed_hi)[0])
            res["lower"], res["upper"] = lower, upper
            if sd is None:
                res["likely_lower"], res["likely_upper"] = lower, upper
            else:  # the estimates' spread, within the bounds
                spread = self.model.estimate.z * sd
                centre = np.where(np.isnan(capped), (lower + upper) / 2, capped)
                res["likely_lower"] = np.clip(settle(centre - spread), lower, upper)
                res["likely_upper"] = np.clip(settle(centre + spread), lower, upper)
        coverage = settle(coverage, 2)  # a share, so two more decimals
        overall = np.where(has_score(coverage, self.threshold, self.policy), capped, np.nan)
        band = band_of(overall, self.model.band_mins, band_cap)
        res |= {
            "overall": overall,
            "coverage": coverage,
            "band": band,
            "gate_failed": failed,
            "gate_unrated": unrated,
        }
        if "gate_loss" in outputs:
            res["gate_loss"] = np.where(np.isnan(raw), np.nan, raw - capped)
        if "gates_failed" in outputs:
            res["gates_failed"] = _count(failed)
        if "gates_unrated" in outputs:
            res["gates_unrated"] = _count(unrated)
        return {name: value for name, value in res.items() if name in outputs}

    def _reference(
        self,
        levels: Floats,
        na: Bools | None,
        low: Floats | None,
        estimated: Estimated | _EstimateParts | _KnownOnly | None = None,
    ) -> dict[str, NDArray[np.generic]]:
        """Every output, by the linear shortcut or the general path (the reference).

        With ``estimated`` (``unknown_policy: estimate``) the point score counts every
        applicable criterion, unknown ones at their estimate; bounds, coverage and gates
        read the levels as given."""
        model = self.model
        applicable = None if na is None else ~na
        if self.linear:
            pillar, pillar_lo, pillar_hi, rated_w, app_w = self._linear(levels, applicable, low)
        else:
            known = levels == levels  # one pass: NaN is the only value unequal to itself
            rated = known if applicable is None else known & applicable
            pillar, pillar_lo, pillar_hi, rated_w, app_w = self._general(
                levels, known, rated, applicable, low
            )
        # the point score: every applicable criterion counts, known or estimated, so each
        # arithmetic pillar is its weighted sum over its applicable weight
        if isinstance(estimated, _KnownOnly):  # nothing estimated, every row scored
            pillar = estimated.known_weighted * self._estimate_scale(estimated, applicable)
        elif isinstance(estimated, _EstimateParts):
            sums = estimated.pillar_sums(model, levels, applicable=applicable)
            pillar = sums * self._estimate_scale(estimated, applicable)
            pillar[estimated.nothing_known()] = np.nan  # nothing to estimate from: no score
        elif estimated is not None:  # the point score: every applicable criterion counts
            # NaN (not applicable) as 0; levels and estimates are finite (validated, clipped)
            filled = estimated.levels
            scores = level_to_score(np.where(filled == filled, filled, 0.0))
            pillar = self._pillars(scores, applicable)
            # nothing known, nothing to estimate from: no score (as under exclude)
            pillar[
                ~(levels == levels).any(axis=1)
                if applicable is None
                else ~((levels == levels) & applicable).any(axis=1)
            ] = np.nan
        # settle float noise (1e-9 points) so that a score exactly on a band edge lands
        # in the same band whatever the batch size and BLAS path
        raw = settle(self._overall(pillar))
        raw_lo = settle(self._overall(pillar_lo))
        raw_hi = settle(self._overall(pillar_hi))
        if estimated is not None:
            # the estimate's pillar scores, settled once the overall is made from them as
            # computed: their last bits depend on how many rows BLAS is given, and a
            # partnership scores the same alone, in a batch or in any partition of one
            pillar = settle(pillar)

        # coverage: share of effective weight that is rated
        if applicable is None:  # everything applies: fixed denominators
            pillar_cov = rated_w * self.inv_total
            coverage = pillar_cov @ self.pillar_share
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                pillar_cov = rated_w / np.where(app_w > 0, app_w, np.nan)
                applies = (app_w > 0).astype(np.float64) @ model.pillar_weight
                coverage = np.fmax(pillar_cov, 0.0) @ model.pillar_weight / applies

        gate_cols = model.gate_criterion
        gate_levels = levels[:, gate_cols]
        gate_app = (
            np.ones(gate_levels.shape, dtype=bool)
            if applicable is None
            else applicable[:, gate_cols]
        )
        gate_low = 0.0 if low is None else low[:, gate_cols]
        # a gate fails on evidence only: rated below its minimum. An unknown critical
        # criterion is unrated: at its worst (the lower bound) it caps, at its best (the
        # upper bound) it passes. NaN >= x is False, so ``failed_lo`` holds the unrated.
        unrated = gate_app & (gate_levels != gate_levels)
        failed = failed_gates(gate_levels, model.gate_min, gate_app)
        failed_lo = failed_gates(gate_levels - gate_low, model.gate_min, gate_app, unrated=True)
        failed_hi = failed_gates(gate_levels + gate_low, model.gate_min, gate_app)
        res = self._finish(
            raw, raw_lo, raw_hi, coverage, failed, unrated, failed_lo, failed_hi, ALL_OUTPUTS,
            sd=None if estimated is None else estimated.sd,
        )  # fmt: skip
        return res | {
            "pillar": pillar,
            # settled: the fused kernel's formulas for these differ in their last bits
            "pillar_lower": settle(pillar_lo),
            "pillar_upper": settle(pillar_hi),
            "pillar_coverage": settle(pillar_cov, 2),
        }

    def _estimate_scale(
        self, parts: _EstimateParts | _KnownOnly, applicable: Bools | None
    ) -> Floats:
        """What the estimate's pillar sums (:meth:`_EstimateParts.pillar_sums`) are
        multiplied by to give points: 25 over each pillar's applicable weight. A row
        where every criterion applies takes the fused kernel's constant
        (``scale_by_total_est``), so that it scores to the bit as with no mask; a pillar
        where nothing applies gets NaN (no score, as 0/0)."""
        if applicable is None:
            constant: Floats = self.scale_by_total_est
            return constant
        with np.errstate(divide="ignore"):
            scale: Floats = POINTS_PER_LEVEL / parts.app_sums[:, : self.model.n_pillars]
        scale[np.isinf(scale)] = np.nan
        scale[applicable.all(axis=1)] = self.scale_by_total_est
        return scale

    def _linear(
        self, levels: Floats, applicable: Bools | None, low: Floats | None
    ) -> tuple[Floats, Floats, Floats, Floats, Floats]:
        """Arithmetic pillars: every score is a ratio of matrix products.

        With ``LM = levels @ W`` (unknown and not-applicable entries at 0),
        ``RM = rated @ W`` and ``AM`` the applicable weight of each pillar, the pillar
        score is ``25 LM / RM`` (``exclude``) or ``25 LM / AM`` (``worst``); the lower
        bound is ``25 LM / AM`` (unknowns at level 0) and the upper bound
        ``25 (LM + 4 (AM - RM)) / AM`` (unknowns at 4). Low-confidence ratings move one
        level down or up, clipped to 0-4. A group with nothing in it gives 0/0 = NaN.
        """
        w = self.membership
        down: Floats | float = 0.0
        up: Floats | float = 0.0
        if applicable is None and low is None:
            # the common case, in reused buffers: two passes and two products
            rated_f = self._buffer("rated", levels.shape, levels)
            np.equal(levels, levels, out=rated_f, casting="unsafe")  # 1.0 unless NaN
            filled = self._buffer("filled", levels.shape, levels)
            np.fmax(levels, 0.0, out=filled)  # fmax(NaN, 0) is 0
            lm = filled @ w
            rm = rated_f @ w
            scale = self.scale_by_total  # 25 / AM, AM fixed when everything applies
            with np.errstate(invalid="ignore", divide="ignore"):  # 0/0: nothing rated
                pillar = lm / (self.pillar_total if unknown_at_zero(self.policy) else rm)
            pillar *= POINTS_PER_LEVEL
            lower = lm * scale
            upper = (lm - LEVEL_MAX * rm) * scale
            upper += 100.0  # 25 * 4 * AM / AM
            return pillar, lower, upper, rm, np.broadcast_to(self.pillar_total, lm.shape)
        known = levels == levels
        rated = known if applicable is None else known & applicable
        filled = np.where(rated, levels, 0.0)
        lm = filled @ w
        rm = rated.astype(np.float64) @ w
        if applicable is None:
            am = np.broadcast_to(self.pillar_total, lm.shape)
        else:
            am = applicable.astype(np.float64) @ w
        if low is not None:
            low_rated = (low > 0) & rated
            down = (low_rated & (filled > 0)).astype(np.float64) @ w
            up = (low_rated & (filled < LEVEL_MAX)).astype(np.float64) @ w
        scale = POINTS_PER_LEVEL
        with np.errstate(invalid="ignore", divide="ignore"):
            pillar = lm / (am if unknown_at_zero(self.policy) else rm)
            pillar *= scale
            lower = (lm - down) / am
            lower *= scale
            upper = (lm - LEVEL_MAX * rm + up) / am
            upper *= scale
            upper += 100.0  # 25 * 4 * AM / AM
        return pillar, lower, upper, rm, np.asarray(am)

    def _buffer(
        self, name: str, shape: tuple[int, ...], like: Floats, dtype: Any = np.float64
    ) -> NDArray[Any]:
        """A scratch array reused across blocks (no fresh pages per block), in the memory
        order of ``like`` so that element-wise passes run along contiguous memory."""
        order = _order(like)
        buf = self._buffers.get((name, order))
        if (
            buf is None
            or buf.shape[0] < shape[0]
            or buf.shape[1:] != shape[1:]
            or buf.dtype != dtype
        ):
            buf = self._buffers[(name, order)] = np.empty(shape, dtype=dtype, order=order)
        return buf[: shape[0]]

    def _scratch(self, like: Floats) -> Scratch:
        """The kernel's buffers as a :data:`Scratch` for :class:`_EstimateParts`, in the
        memory order of ``like``."""

        def new(name: str, shape: tuple[int, ...], dtype: Any = np.float64) -> NDArray[Any]:
            return self._buffer(name, shape, like, dtype)

        return new

    def _general(
        self,
        levels: Floats,
        known: Bools,
        rated: Bools,
        applicable: Bools | None,
        low: Floats | None,
    ) -> tuple[Floats, Floats, Floats, Floats, Floats]:
        """Any mix of methods: score the levels, then each bound, node by node."""
        answered = counted_criteria(rated, applicable, self.policy)
        filled = np.where(known, levels, 0.0)
        pillar = self._pillars(level_to_score(filled), answered)
        if low is None:
            lo_levels = filled
            hi_levels = np.where(known, levels, float(LEVEL_MAX))
        else:
            lo_levels = np.where(known, np.maximum(levels - low, 0.0), 0.0)
            hi_levels = np.where(known, np.minimum(levels + low, LEVEL_MAX), float(LEVEL_MAX))
        pillar_lo = self._pillars(level_to_score(lo_levels), applicable)
        pillar_hi = self._pillars(level_to_score(hi_levels), applicable)
        if applicable is None:
            app_w = np.broadcast_to(self.pillar_total, pillar.shape)
        else:
            app_w = applicable.astype(np.float64) @ self.membership
        rated_w = rated.astype(np.float64) @ self.membership
        return pillar, pillar_lo, pillar_hi, rated_w, app_w

    def _band_cap(self, failed: Bools) -> tuple[Floats, Ints]:
        """Failed gates: the lowest cap band among them, and its top (the score ceiling).

        With a few gates, each row's failed set is packed into a small code and the cap
        looked up in a table made once; with many, gate by gate."""
        if self.cap_table is not None:
            code = _pack(failed)
            return self.cap_top_table[code], self.cap_table[code]
        band_cap = cap_band(failed, self.model.gate_band, len(self.model.band_mins) - 1)
        return self.band_tops[band_cap], band_cap

    def _pillars(self, scores: Floats, answered: Bools | None) -> Floats:
        out = np.empty((scores.shape[0], self.model.n_pillars))
        for method, idx in self.methods.items():
            if len(idx) == 0:
                continue
            if method == "minimum":
                out[:, idx] = _minimum(scores, answered, self.starts)[:, idx]
            else:
                out[:, idx] = aggregate(scores, answered, self.membership[:, idx], method)
        return out

    def _overall(self, pillar: Floats) -> Floats:
        method = self.model.overall_method
        if method == "arithmetic":
            weights = self.model.pillar_weight
            # every pillar scored: fixed denominator (a NaN pillar makes the sum NaN);
            # the rows with an unscored pillar are then done again, alone
            result: Floats = pillar @ self.pillar_share
            rows = np.flatnonzero(np.isnan(result))
            if len(rows) == 0:
                return result
            part = pillar[rows]
            with np.errstate(invalid="ignore", divide="ignore"):
                den = (part >= 0).astype(np.float64) @ weights  # NaN >= 0 is False
                result[rows] = np.where(den > 0, np.fmax(part, 0.0) @ weights / den, np.nan)
            return result
        answered = ~np.isnan(pillar)
        values = np.where(answered, pillar, 0.0)
        if method == "minimum":
            starts = np.zeros(1, dtype=np.intp)
            return _minimum(values, answered, starts)[:, 0]
        return aggregate(values, answered, self.pillar_matrix, method)[:, 0]


def _order(a: NDArray[np.generic]) -> Literal["C", "F"]:
    """The memory order element-wise passes over ``a`` should follow: "F" when its
    columns are contiguous runs (an F-ordered matrix, or a block of its rows, which
    numpy flags as neither C- nor F-contiguous), "C" otherwise."""
    if a.ndim == 2 and a.shape[0] > 1 and a.shape[1] > 1 and a.strides[0] < a.strides[1]:
        return "F"
    return "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"


def _product(a: Floats, w: Floats, out: Floats) -> Floats:
    """``a @ w`` into ``out`` (same memory order as ``a``); an F-ordered ``a`` as
    ``(w.T @ a.T).T``, so that BLAS reads it in order."""
    if _order(a) == "F":
        np.matmul(w.T, a.T, out=out.T)
    else:
        np.matmul(a, w, out=out)
    return out


_SCRATCH_ROWS = 1024
"""From this many rows a block's estimate parts go into the kernel's reused buffers
(a fresh (rows x pillars) array that size costs more in new pages than the arithmetic);
below it, the arithmetic makes its own arrays (fewer calls)."""

_PACKED_GATES = 10
"""Up to this many gates, a row's failed set is packed into one small integer."""


_FEW_ROWS = 256
"""Below this many rows the per-column loops of :func:`_pack` and :func:`_count` cost
more in numpy calls than they save in memory traffic: one product does the rows."""


def _pack(flags: Bools) -> NDArray[np.uint16]:
    """Per row, the True columns as the bits of one integer (column ``j`` is bit ``j``)."""
    if flags.shape[0] < _FEW_ROWS:  # the same integers in one call
        return flags @ _bits(flags.shape[1])
    code = np.zeros(flags.shape[0], dtype=np.uint16)
    for j in range(flags.shape[1]):
        code |= flags[:, j].astype(np.uint16) << np.uint16(j)
    return code


@functools.cache
def _bits(g: int) -> NDArray[np.uint16]:
    """The value of each of ``g`` bits, ``1 << j`` (made once per ``g``; never written)."""
    bits = np.uint16(1) << np.arange(g, dtype=np.uint16)
    bits.flags.writeable = False
    return bits


def _count(flags: Bools) -> NDArray[np.int64]:
    """Per row, how many of the (few) columns are True: one add per column."""
    if flags.shape[0] < _FEW_ROWS:
        return np.asarray(np.count_nonzero(flags, axis=1), dtype=np.int64)
    count = np.zeros(flags.shape[0], dtype=np.int64)
    for j in range(flags.shape[1]):
        count += flags[:, j]
    return count


def aggregate(values: Floats, answered: Bools | None, weights: Floats, method: Method) -> Floats:
    """Weighted mean of the answered values in each group.

    Args:
        values: (n, c) values 0-100 (anything where not answered).
        answered: (n, c) which values count; ``None`` means all.
        weights: (c, groups) the weight of each value in each group (0 outside it).
        method: ``arithmetic`` or ``geometric``.

    Returns:
        (n, groups); NaN where a group has no answered value.

    >>> aggregate(np.array([[50.0, 100.0]]), None, np.array([[1.0], [3.0]]), "arithmetic")
    array([[87.5]])
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        if answered is None:
            den = np.broadcast_to(weights.sum(axis=0), (values.shape[0], weights.shape[1]))
            mask = None
        else:
            mask = answered.astype(np.float64)
            den = mask @ weights
        if method == "arithmetic":
            num = (values if mask is None else values * mask) @ weights
            return np.where(den > 0, num / den, np.nan)
        logs = geo_in(values)
        num = (logs if mask is None else np.where(mask > 0, logs, 0.0)) @ weights
        return np.where(den > 0, geo_out(num / den), np.nan)


GEO_SCALE = 0.99
"""A geometric mean is taken on scores moved to [1, 100] (``1 + 0.99 x``) and the result
moved back to [0, 100]. The geometric mean needs strictly positive values (JRC/OECD,
*Handbook on Constructing Composite Indicators*, 2008, step 6 "Weighting and aggregation":
a zero makes every other value irrelevant), so a pillar or criterion at 0 lowers the
mean as any low value does instead of zeroing it; 0 and 100 everywhere still give 0 and 100."""


def geo_in(values: Floats) -> Floats:
    """Scores 0-100 in the space where a geometric mean is an arithmetic mean of logs."""
    out: Floats = np.log1p(GEO_SCALE * values)
    return out


def geo_out(mean_log: Floats) -> Floats:
    """A weighted mean of :func:`geo_in` values back as a score 0-100."""
    out: Floats = np.expm1(mean_log) / GEO_SCALE
    return out


def _minimum(values: Floats, answered: Bools | None, starts: Ints) -> Floats:
    masked = values if answered is None else np.where(answered, values, np.inf)
    low = np.minimum.reduceat(masked, starts, axis=1)
    return np.where(np.isinf(low), np.nan, low)


def effective_weights(
    model: ScoringModel, applicable: Sequence[bool] | Bools | None = None
) -> Floats:
    """Each criterion's share of the overall score (sums to 1 over applicable criteria).

    A criterion's effective weight is its weight's share of its pillar's applicable
    weight, times its pillar's share of the applicable pillars' weight.

    >>> from readiness.rubric import load_rubric
    >>> w = effective_weights(ScoringModel.from_rubric(load_rubric()))
    >>> round(float(w.sum()), 6)
    1.0
    """
    app = (
        np.ones(model.n_criteria, dtype=bool)
        if applicable is None
        else np.asarray(applicable, dtype=bool)
    )
    w = np.where(app, model.criterion_weight, 0.0)
    pillar_total = np.bincount(model.criterion_pillar, weights=w, minlength=model.n_pillars)
    pillar_w = np.where(pillar_total > 0, model.pillar_weight, 0.0)
    total = pillar_w.sum()
    if total == 0:
        return np.zeros(model.n_criteria)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(app, w / pillar_total[model.criterion_pillar], 0.0)
    result: Floats = share * (pillar_w / total)[model.criterion_pillar]
    return result

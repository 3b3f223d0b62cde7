"""The optional compiled kernel of :mod:`readiness.scoring` (numba; ``readiness[fast]``).

One function, :func:`block_sums`, does in a single read of each level what the numpy
path does in five passes (``rated``, ``filled``, the range-and-integer check, and two
matrix products): per row, each pillar's weighted sum of levels (unknown as 0) and its
rated weight. Everything after these sums (the overall sums, pillar scores, the overall
score, gates, bands) is the numpy code of :class:`readiness.scoring._Kernel`, shared by
both paths.

The scoring core takes this path only when numba is installed and a call scores at
least :data:`readiness.scoring.ACCEL_MIN_ROWS` rows (compiling costs about a second
the first time on a machine, after which numba's on-disk cache is used); the numpy
path stays the reference, and the two are tested to agree (``tests/test_accel.py``).

Importing this module imports numba: import it only where numba is wanted.
"""

from __future__ import annotations

import warnings
from typing import Any

import numba
import numpy as np

__all__ = ["block_sums"]


def _jit(fn: Any) -> Any:
    """Compile without the GIL (blocks score on several threads), cached on disk when
    some cache directory is writable, in memory otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaWarning)
            return numba.njit(nogil=True, cache=True, boundscheck=False, error_model="numpy")(fn)
    except RuntimeError:  # no writable cache location: compile per process
        return numba.njit(nogil=True, cache=False, boundscheck=False, error_model="numpy")(fn)


@_jit
def _rows(levels, bounds, weight, fm, rm):  # type: ignore[no-untyped-def]
    """Row by row (C-ordered input): each row's levels are contiguous."""
    r = levels.shape[0]
    k = bounds.shape[0] - 1
    bad = 0.0
    for i in range(r):
        for p in range(k):
            total = 0.0
            rated = 0.0
            for j in range(bounds[p], bounds[p + 1]):
                x = levels[i, j]
                known = x == x  # NaN is the only value unequal to itself
                f = x if known else 0.0
                bad += _misfit(f)
                total += f * weight[j]
                rated += weight[j] if known else 0.0
            fm[i, p] = total
            rm[i, p] = rated
    return bad


@_jit
def _columns(levels, bounds, weight, fm, rm):  # type: ignore[no-untyped-def]
    """Criterion by criterion (F-ordered input, as pandas hands it over): each column
    of levels and of the sums is contiguous, and the inner loop vectorises."""
    r = levels.shape[0]
    k = bounds.shape[0] - 1
    bad = 0.0
    for p in range(k):
        # column views: the compiler then sees plain strided loops and vectorises
        sums, rated = fm[:, p], rm[:, p]
        for i in range(r):
            sums[i] = 0.0
            rated[i] = 0.0
        for j in range(bounds[p], bounds[p + 1]):
            w = weight[j]
            column = levels[:, j]
            for i in range(r):
                x = column[i]
                known = x == x
                f = x if known else 0.0
                bad += _misfit(f)
                sums[i] += f * w
                rated[i] += w if known else 0.0
    return bad


@_jit
def _misfit(f):  # type: ignore[no-untyped-def]
    """0 for an integer level 0-4, more than 0 (or NaN, for an infinity) otherwise.

    Summed over a block, the total is 0 exactly when every level is valid (a sum of
    non-negative numbers is 0 only if each is), and the sum vectorises where a count
    of failed comparisons does not."""
    return (f - np.floor(f)) + max(f - 4.0, 0.0) + max(-f, 0.0)


def block_sums(
    levels: np.ndarray[Any, Any],
    bounds: np.ndarray[Any, Any],
    weight: np.ndarray[Any, Any],
    fm: np.ndarray[Any, Any],
    rm: np.ndarray[Any, Any],
) -> bool:
    """The pillar sums of the numpy path's two products, in one read of ``levels``.

    Args:
        levels: (r, m) float64 levels, NaN for unknown, C- or F-ordered.
        bounds: (k + 1,) pillar ``p``'s criteria are columns ``bounds[p]`` to
            ``bounds[p + 1]`` (criteria are grouped by pillar).
        weight: (m,) each criterion's weight in its pillar.
        fm: (r, k) out: per pillar, the weighted sum of levels (unknown as 0).
        rm: (r, k) out: per pillar, the weight of its rated criteria.

    Returns:
        Whether some known level is not an integer from 0 to 4 (the caller then names
        the bad cells).
    """
    if levels.ndim == 2 and levels.strides[0] < levels.strides[1]:  # columns contiguous
        bad = _columns(levels, bounds, weight, fm, rm)
    else:
        bad = _rows(levels, bounds, weight, fm, rm)
    return bool(bad != 0.0)  # NaN (an infinite level) is != 0 too

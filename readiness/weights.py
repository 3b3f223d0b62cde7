"""Weights from the people who own them: AHP and swing weighting, for one or a group.

**AHP** (:func:`ahp`): pairwise comparisons on Saaty's 1-9 scale (``a_ij`` says how
many times more important ``i`` is than ``j``; ``a_ji = 1 / a_ij``). The weights are the
principal (Perron) eigenvector of the comparison matrix, summing to 1; ``λmax`` is its
eigenvalue, the consistency index ``CI = (λmax - n) / (n - 1)`` and the consistency
ratio ``CR = CI / RI(n)``, ``RI`` being the mean CI of random matrices of size ``n``
(:data:`RANDOM_INDEX`). Saaty's rule of thumb accepts CR up to 0.10. The comparisons
that contribute most to an inconsistency are those whose ``ε_ij = a_ij · w_j / w_i``
(1 for a perfectly consistent judgement) is furthest from 1, on a log scale
(Saaty, *The Analytic Hierarchy Process*, 1980, ch. 7).

An **incomplete** set (some pairs not judged) is completed in one of two ways, and the
result says which and which pairs were missing. ``optimal`` (the default) gives each
missing pair the value that makes the completed matrix as consistent as it can be, the
smallest ``λmax`` (S. Bozóki, J. Fülöp and L. Rónyai, "On optimal completion of
incomplete pairwise comparison matrices", *Mathematical and Computer Modelling*
52(1-2), 2010, 318-333; ``λmax`` is convex in the logarithms of the missing values, so
the minimum is unique and found by a quasi-Newton search from Harker's completion).
``harker`` is P. T. Harker's method ("Incomplete pairwise comparisons in the analytic
hierarchy process", *Mathematical Modelling* 9(11), 1987, 837-848): the eigenvector of
the matrix with 0 for each missing entry and the diagonal raised by the number of
missing entries in its row, each missing ``a_ij`` then set to ``w_i / w_j``; one
eigenproblem, but a larger ``λmax`` than the optimal completion in general. Either way
the judged pairs must connect every item (otherwise nothing ties the parts together).

Judgements are on Saaty's scale: from 1/9 to 9 (a value in between, e.g. 2.5 or the
geometric mean of several judgements, is accepted; a value outside is an error).

**Groups** (:func:`aggregate`): the aggregation of individual judgements (AIJ), the
element-wise geometric mean of the assessors' comparisons, is again a reciprocal matrix
(Aczél & Saaty 1983; Forman & Peniwati 1998); a pair some assessors left blank is the
mean of those who judged it.

**Swing weighting** (:func:`swing`), simpler for busy officials: rank the swings from
the worst to the best level of each item, most important first; give the first 100 and
each other a rating from 0 to 100 against it; the weights are the ratings normalised.

**A rubric's hierarchy** (:func:`elicit`): comparisons of the pillars and of the
criteria inside each pillar, from one or several assessors, give pillar weights and
criterion weights (:meth:`Elicitation.rubric_weights`, for
:meth:`~readiness.rubric.Rubric.with_weights`), each assessor's consistency, the group's
weights and the spread between assessors, and the Dirichlet concentration that spread
implies for :mod:`readiness.robustness` (:attr:`Elicitation.concentration`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from typing_extensions import TypedDict

from readiness.document import (
    BulletList,
    Column,
    Document,
    Facts,
    Paragraph,
    Rendered,
    Row,
    Section,
    Table,
    code,
    line,
    words,
)
from readiness.errors import InputError, Problem
from readiness.rubric import Rubric

__all__ = [
    "CONSISTENT",
    "PILLARS",
    "RANDOM_INDEX",
    "SCALE",
    "AssessorWeights",
    "Completion",
    "Elicitation",
    "ElicitationData",
    "Inconsistency",
    "Judgements",
    "Pairwise",
    "RandomIndex",
    "Spread",
    "Swing",
    "aggregate",
    "ahp",
    "concentration_of",
    "elicit",
    "swing",
]

Floats = NDArray[np.float64]
RandomIndex = Literal["saaty", "donegan-dodd"]
Completion = Literal["optimal", "harker"]
Method = Literal["ahp", "swing"]

#: Random indices (the mean consistency index of random reciprocal matrices) by size.
#: ``saaty``: T. L. Saaty, *Theory and Applications of the Analytic Network Process*,
#: RWS Publications, 2005, p. 31 (sizes 3-15; his 1980 book's older table differs,
#: e.g. 0.58 for 3 and 0.90 for 4). ``donegan-dodd``: H. A. Donegan and F. J. Dodd,
#: "A note on Saaty's random indexes", *Mathematical and Computer Modelling* 15(10),
#: 1991, 135-137 (sizes 3-20 used here). Sizes 1 and 2 are always consistent (RI 0).
RANDOM_INDEX: dict[RandomIndex, dict[int, float]] = {
    "saaty": {
        3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45,
        10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59,
    },
    "donegan-dodd": {
        3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519, 8: 1.3171, 9: 1.3733,
        10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643, 14: 1.4822, 15: 1.4969,
        16: 1.5078, 17: 1.5153, 18: 1.5262, 19: 1.5313, 20: 1.5371,
    },
}  # fmt: skip

#: Saaty's scale: the smallest and the largest judgement accepted.
SCALE = (1 / 9, 9.0)

#: Saaty's threshold: a consistency ratio up to this is acceptable.
CONSISTENT = 0.10

#: The group key of the comparisons between pillars (not a pillar id: ids have no
#: parentheses).
PILLARS = "(pillars)"

Pair = tuple[str, str]


# --- one comparison matrix -----------------------------------------------------------


@dataclass(frozen=True)
class Inconsistency:
    """How far one judged comparison is from what the weights imply.

    Attributes:
        a: The first item.
        b: The second item.
        given: The judgement ``a_ab`` (how many times more important ``a`` is than ``b``).
        implied: ``w_a / w_b``, what the weights say.
        ratio: Saaty's ``ε_ab = a_ab · w_b / w_a`` (1: in line with the weights; 2: the
            judgement is twice what the weights imply).
    """

    a: str
    b: str
    given: float
    implied: float
    ratio: float


@dataclass(frozen=True)
class Pairwise:
    """The weights of one set of pairwise comparisons (:func:`ahp`).

    Attributes:
        items: The items compared, in order.
        matrix: The reciprocal comparison matrix, missing pairs completed (see
            :attr:`completion`).
        weights: The principal eigenvector, summing to 1, one per item.
        lambda_max: Its eigenvalue (``n`` for a perfectly consistent matrix).
        ci: The consistency index ``(λmax - n) / (n - 1)``.
        cr: The consistency ratio ``CI / RI(n)``; 0 for one or two items; ``None`` when
            the table has no random index for ``n``.
        random_index: The table of random indices used (:data:`RANDOM_INDEX`).
        missing: The pairs that were not judged (completed, see :attr:`completion`).
        completion: How they were completed (``optimal`` or ``harker``); ``None`` when
            every pair was judged.
    """

    items: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float | None
    random_index: RandomIndex
    missing: tuple[Pair, ...] = ()
    completion: Completion | None = None

    @property
    def completed(self) -> bool:
        """Whether pairs were missing (and were completed)."""
        return bool(self.missing)

    @property
    def consistent(self) -> bool:
        """Whether CR is at most :data:`CONSISTENT` (a size without RI counts as not)."""
        return self.cr is not None and self.cr <= CONSISTENT + 1e-12

    def weight(self, item: str) -> float:
        """The weight of ``item``."""
        return self.weights[self.items.index(item)]

    def as_dict(self) -> dict[str, float]:
        """Item -> weight."""
        return dict(zip(self.items, self.weights, strict=True))

    def inconsistency(self) -> tuple[Inconsistency, ...]:
        """The judged comparisons, the most inconsistent first (``|log ε|`` largest)."""
        missing = {frozenset(p) for p in self.missing}
        w = self.weights
        out = []
        for i, a in enumerate(self.items):
            for j in range(i + 1, len(self.items)):
                b = self.items[j]
                if frozenset((a, b)) in missing:
                    continue
                given = self.matrix[i][j]
                out.append(Inconsistency(a, b, given, w[i] / w[j], given * w[j] / w[i]))
        return tuple(sorted(out, key=lambda x: -abs(math.log(x.ratio))))


def ahp(
    comparisons: Mapping[Pair, float] | Sequence[Sequence[float]] | Floats,
    items: Sequence[str] | None = None,
    *,
    random_index: RandomIndex = "saaty",
    completion: Completion = "optimal",
) -> Pairwise:
    """Weights from pairwise comparisons by the principal eigenvector.

    Args:
        comparisons: Either ``{(a, b): value}`` (``value``: how many times more important
            ``a`` is than ``b``; each unordered pair at most once, or twice with
            reciprocal values), or a square reciprocal matrix (``0`` or NaN for a pair
            not judged).
        items: The items in order. For a mapping, default: in order of first
            appearance; items listed here and in no pair are an error. For a matrix,
            default ``"1"``, ``"2"`` ...
        random_index: Which table of :data:`RANDOM_INDEX` the CR uses.
        completion: How missing pairs are completed: ``optimal`` (smallest ``λmax``,
            Bozóki et al. 2010) or ``harker`` (Harker 1987).

    Returns:
        The :class:`Pairwise` weights; missing pairs are completed and listed in
        :attr:`Pairwise.missing`.

    Raises:
        InputError: A value is not a number on Saaty's scale (:data:`SCALE`), a matrix
            is not square or not reciprocal, a pair is given twice with values that
            disagree, or the judged pairs do not connect every item.

    >>> w = ahp({("a", "b"): 3, ("a", "c"): 6, ("b", "c"): 2})
    >>> [round(x, 3) for x in w.weights], round(w.cr, 3)
    ([0.667, 0.222, 0.111], 0.0)
    """
    names, given = _judgements(comparisons, items)
    return _pairwise(names, given, random_index, completion)


def _judgements(
    comparisons: Mapping[Pair, float] | Sequence[Sequence[float]] | Floats,
    items: Sequence[str] | None,
) -> tuple[tuple[str, ...], Floats]:
    """Item names and the matrix of judgements (NaN: not judged; diagonal 1)."""
    if isinstance(comparisons, Mapping):
        return _from_pairs(comparisons, items)
    return _from_matrix(comparisons, items)


def _from_pairs(
    comparisons: Mapping[Pair, float], items: Sequence[str] | None
) -> tuple[tuple[str, ...], Floats]:
    """:func:`_judgements` of ``{(a, b): value}``: the items in order of first mention
    unless named; every problem named by its pair."""
    problems: list[Problem] = []
    names = list(items) if items is not None else []
    for a, b in comparisons:
        for x in (a, b):
            if items is None and x not in names:
                names.append(x)
    index = {x: i for i, x in enumerate(names)}
    fast = _fast_matrix(comparisons, index)
    if fast is not None:
        return tuple(names), fast
    m = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(m, 1.0)
    for (a, b), value in comparisons.items():
        at = f"[{a!r}, {b!r}]"
        if a not in index or b not in index:
            unknown = a if a not in index else b
            problems.append(Problem(at, f"{unknown!r} is not one of the items"))
            continue
        if a == b:
            problems.append(Problem(at, "an item compared with itself"))
            continue
        v = _on_scale(value, at, problems)
        if v is None:
            continue
        i, j = index[a], index[b]
        if not math.isnan(m[i, j]) and not math.isclose(m[i, j], v, rel_tol=1e-9):
            problems.append(Problem(at, f"given twice: {1 / m[j, i]:g} and {v:g}"))
            continue
        m[i, j], m[j, i] = v, 1.0 / v
    if problems:
        raise InputError(problems, source="comparisons")
    return tuple(names), m


def _from_matrix(
    comparisons: Sequence[Sequence[float]] | Floats, items: Sequence[str] | None
) -> tuple[tuple[str, ...], Floats]:
    """:func:`_judgements` of a square matrix (0 or NaN: not judged); every problem
    named by its cell."""
    problems: list[Problem] = []
    m = np.array(comparisons, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] == 0:
        raise InputError(f"a comparison matrix must be square (got shape {m.shape})")
    n = m.shape[0]
    names = [str(i + 1) for i in range(n)] if items is None else list(items)
    if len(names) != n:
        raise InputError(f"{len(names)} item names for a {n} x {n} matrix")
    m = np.where(m == 0, np.nan, m)
    for i in range(n):
        for j in range(n):
            v = m[i, j]
            at = f"[{i}][{j}]"
            if i == j:
                if not math.isclose(v, 1.0):
                    problems.append(Problem(at, f"the diagonal must be 1 (got {v:g})"))
                continue
            if math.isnan(v) or j < i:
                continue
            if _on_scale(v, at, problems) is None:
                continue
            if not math.isclose(m[j, i] * v, 1.0, rel_tol=1e-3):
                problems.append(Problem(at, f"not reciprocal: {v:g} and {m[j, i]:g}"))
            m[j, i] = 1.0 / v
        for j in range(i):
            if math.isnan(m[i, j]) != math.isnan(m[j, i]):
                problems.append(Problem(f"[{i}][{j}]", "given one way only"))
    if problems:
        raise InputError(problems, source="comparisons")
    return tuple(names), m


def _fast_matrix(comparisons: Mapping[Pair, float], index: Mapping[str, int]) -> Floats | None:
    """The matrix of judgements when nothing is wrong with them (each pair once, known
    items, plain numbers on the scale); ``None`` sends them to the slow path, which
    names every problem."""
    n = len(index)
    low, high = SCALE[0] * (1 - 1e-9), SCALE[1] * (1 + 1e-9)
    ia: list[int] = []
    ib: list[int] = []
    values: list[float] = []
    seen: set[tuple[int, int]] = set()
    for (a, b), v in comparisons.items():
        i, j = index.get(a), index.get(b)
        if i is None or j is None or i == j or type(v) not in (int, float):
            return None
        if not low <= v <= high:
            return None
        pair = (i, j) if i < j else (j, i)
        if pair in seen:
            return None  # given twice (perhaps both ways): the slow path checks them
        seen.add(pair)
        ia.append(i)
        ib.append(j)
        values.append(v)
    m = np.full((n, n), np.nan)
    m[range(n), range(n)] = 1.0
    if values:
        given = np.array(values, dtype=float)
        m[ia, ib] = given
        m[ib, ia] = 1.0 / given
    return m


def _positive(value: Any, at: str, problems: list[Problem]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        problems.append(Problem(at, f"must be a number (got {value!r})"))
        return None
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        problems.append(Problem(at, f"must be a positive number (got {v:g})"))
        return None
    return v


def _on_scale(value: Any, at: str, problems: list[Problem]) -> float | None:
    v = _positive(value, at, problems)
    if v is not None and not SCALE[0] * (1 - 1e-9) <= v <= SCALE[1] * (1 + 1e-9):
        problems.append(
            Problem(at, f"off Saaty's scale: {v:g} is not from 1/9 to 9 (1: equal; 9: extreme)")
        )
        return None
    return v


def _pairwise(
    names: tuple[str, ...],
    m: Floats,
    random_index: RandomIndex,
    completion: Completion = "optimal",
) -> Pairwise:
    n = len(names)
    if n == 0:
        raise InputError("no items to compare")
    missing_mask = np.isnan(m)
    missing: tuple[Pair, ...] = ()
    if missing_mask.any():
        rows, cols = np.nonzero(np.triu(missing_mask, 1))
        missing = tuple(
            (names[i], names[j]) for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
        )
    if missing:
        _check_connected(names, ~missing_mask)
        harker = np.where(missing_mask, 0.0, m)
        harker[np.diag_indices(n)] = 1.0 + missing_mask.sum(axis=1)
        w, _ = _perron(harker)
        m = np.where(missing_mask, w[:, None] / w[None, :], m)
        if completion == "optimal":
            m = _optimal_completion(m, missing_mask)
    w, lam = _perron(m)
    return _result(names, m, w, lam, random_index, missing, completion if missing else None)


def _result(
    names: tuple[str, ...],
    m: Floats,
    w: Floats,
    lam: float,
    random_index: RandomIndex,
    missing: tuple[Pair, ...] = (),
    completion: Completion | None = None,
) -> Pairwise:
    """The :class:`Pairwise` of a complete matrix, its Perron vector and eigenvalue."""
    n = len(names)
    cr: float | None
    if n <= 2:
        lam, ci, cr = float(n), 0.0, 0.0
    else:
        ci = max(0.0, (lam - n) / (n - 1))
        ri = RANDOM_INDEX[random_index].get(n)
        cr = None if ri is None else ci / ri
    return Pairwise(
        items=names,
        matrix=tuple(map(tuple, m.tolist())),
        weights=tuple(w.tolist()),
        lambda_max=float(lam),
        ci=float(ci),
        cr=None if cr is None else float(cr),
        random_index=random_index,
        missing=missing,
        completion=completion,
    )


def _optimal_completion(m: Floats, missing_mask: NDArray[np.bool_]) -> Floats:
    """``m`` with its missing entries set to minimise ``λmax`` (Bozóki et al. 2010).

    ``λmax`` is a convex function of ``y_k = log a_ij`` over the missing pairs ``i < j``
    (their reciprocals follow); its gradient is ``(u_i w_j a_ij - u_j w_i a_ji) / u·w``
    with ``u`` and ``w`` the left and right Perron vectors. BFGS from ``m`` (Harker's
    completion) converges in a few dozen steps.
    """
    from scipy.optimize import minimize

    rows, cols = np.nonzero(np.triu(missing_mask, 1))

    def build(y: Floats) -> Floats:
        out = m.copy()
        out[rows, cols] = np.exp(y)
        out[cols, rows] = np.exp(-y)
        return out

    def value_and_gradient(y: Floats) -> tuple[float, Floats]:
        a = build(y)
        w, lam = _perron(a)
        u, _ = _perron(a.T)
        grad = (u[rows] * w[cols] * a[rows, cols] - u[cols] * w[rows] * a[cols, rows]) / (u @ w)
        return lam, grad

    start = np.log(m[rows, cols])
    found = minimize(value_and_gradient, start, jac=True, method="BFGS", options={"gtol": 1e-9})
    return build(np.asarray(found.x, dtype=float))


def _perron(m: Floats) -> tuple[Floats, float]:
    """The Perron vector (positive, summing to 1) and eigenvalue of a positive matrix."""
    values, vectors = np.linalg.eig(m)
    k = int(np.argmax(values.real))
    v = np.abs(vectors[:, k].real)
    return v / v.sum(), float(values[k].real)


def _check_connected(names: tuple[str, ...], judged: NDArray[np.bool_]) -> None:
    seen, todo = {0}, [0]
    while todo:
        i = todo.pop()
        for j in np.flatnonzero(judged[i]):
            if int(j) not in seen:
                seen.add(int(j))
                todo.append(int(j))
    if len(seen) < len(names):
        apart = [names[i] for i in range(len(names)) if i not in seen]
        raise InputError(
            f"the judged pairs do not connect {', '.join(map(repr, apart))} with "
            f"{names[0]!r}: compare at least one of them with the others",
            source="comparisons",
        )


def aggregate(
    judgements: Sequence[Mapping[Pair, float]],
    items: Sequence[str] | None = None,
    *,
    random_index: RandomIndex = "saaty",
    completion: Completion = "optimal",
) -> Pairwise:
    """The group's weights by the geometric mean of individual judgements (AIJ).

    Args:
        judgements: One ``{(a, b): value}`` per assessor (as for :func:`ahp`).
        items: The items, in order (default: in order of first appearance).
        random_index: As for :func:`ahp`.
        completion: As for :func:`ahp`.

    Returns:
        :func:`ahp` of the element-wise geometric mean; a pair nobody judged is
        completed.
    """
    if not judgements:
        raise InputError("no judgements to aggregate")
    mats = [_judgements(j, items) for j in judgements]
    names = mats[0][0]
    if items is None:
        for other, _ in mats[1:]:
            names += tuple(x for x in other if x not in names)
        mats = [_judgements(j, names) for j in judgements]
    return _pairwise(names, _geometric_mean([m for _, m in mats]), random_index, completion)


def _geometric_mean(mats: Sequence[Floats]) -> Floats:
    """Element-wise geometric mean over the judged entries; NaN where nobody judged."""
    logs = np.log(np.stack(mats))
    judged = ~np.isnan(logs)
    count = judged.sum(axis=0)
    total = np.where(judged, logs, 0.0).sum(axis=0)
    return np.where(count > 0, np.exp(total / np.maximum(count, 1)), np.nan)


# --- swing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Swing:
    """Swing weights (:func:`swing`).

    Attributes:
        items: The items, in the order of the ranking (most important swing first).
        ratings: Each item's rating against the first (100), in the same order.
        weights: The ratings normalised to sum to 1.
    """

    items: tuple[str, ...]
    ratings: tuple[float, ...]
    weights: tuple[float, ...]

    def weight(self, item: str) -> float:
        """The weight of ``item``."""
        return self.weights[self.items.index(item)]

    def as_dict(self) -> dict[str, float]:
        """Item -> weight."""
        return dict(zip(self.items, self.weights, strict=True))


def swing(ranking: Sequence[str], ratings: Mapping[str, float]) -> Swing:
    """Swing weights: a ranking of the swings and a rating of each against the first.

    Args:
        ranking: The items, the one whose swing from worst to best matters most first.
        ratings: Each item's swing rated against the first one's, from 0 to 100; the
            first is 100 (it may be left out), and a rating is never above the rating of
            an item ranked before it.

    Returns:
        The :class:`Swing` weights (ratings normalised to sum to 1).

    Raises:
        InputError: An item is ranked twice or is rated without being ranked, a rating
            is missing, outside 0-100 or above an earlier one, the first is not 100, or
            every rating is 0.

    >>> swing(["legal", "trust", "industry"], {"trust": 80, "industry": 20}).weights
    (0.5, 0.4, 0.1)
    """
    problems: list[Problem] = []
    items = tuple(ranking)
    if not items:
        raise InputError("no items ranked", source="swing")
    if len(set(items)) != len(items):
        twice = sorted({x for x in items if items.count(x) > 1})
        problems.append(Problem("ranking", f"ranked more than once: {', '.join(twice)}"))
    for x in ratings:
        if x not in items:
            problems.append(Problem(f"ratings[{x!r}]", "rated but not ranked"))
    values: list[float] = []
    for k, x in enumerate(items):
        raw = ratings.get(x, 100.0 if k == 0 else None)
        at = f"ratings[{x!r}]"
        if raw is None:
            problems.append(Problem(at, "no rating"))
            values.append(math.nan)
            continue
        v = _positive(raw, at, problems) if raw != 0 else 0.0
        if v is None:
            values.append(math.nan)
            continue
        if k == 0 and v != 100:
            problems.append(Problem(at, f"the most important swing is rated 100 (got {v:g})"))
        elif v > 100:
            problems.append(Problem(at, f"must be from 0 to 100 (got {v:g})"))
        elif values and not math.isnan(values[-1]) and v > values[-1]:
            problems.append(
                Problem(
                    at,
                    f"rated {v:g}, above {items[k - 1]!r} ({values[-1]:g}) ranked before it: "
                    "swap their ranks or their ratings",
                )
            )
        values.append(v)
    if problems:
        raise InputError(problems, source="swing")
    total = sum(values)
    return Swing(items, tuple(values), tuple(v / total for v in values))


# --- a rubric's hierarchy ------------------------------------------------------------------


@dataclass(frozen=True)
class Judgements:
    """One assessor's judgements about a rubric's weights.

    Attributes:
        assessor: Who judged (a name, or the file it came from).
        method: ``ahp`` or ``swing``.
        comparisons: AHP: group -> ``{(a, b): value}``; the group :data:`PILLARS` compares
            pillars, a pillar id compares the criteria inside it. A pillar left out keeps
            the rubric's criterion weights.
        ranking: Swing: pillar ids, the most important swing first.
        ratings: Swing: pillar id -> rating 0-100 against the first.
        source: Where the judgements came from (a file), for messages.
    """

    assessor: str
    method: Method = "ahp"
    comparisons: Mapping[str, Mapping[Pair, float]] = field(default_factory=dict)
    ranking: tuple[str, ...] = ()
    ratings: Mapping[str, float] = field(default_factory=dict)
    source: str | None = None


@dataclass(frozen=True)
class AssessorWeights:
    """One assessor's (or the group's) weights over a rubric.

    Attributes:
        assessor: Who (``group`` for the aggregate).
        pillars: The pillar weights (:class:`Pairwise` or :class:`Swing`).
        criteria: Pillar id -> the weights of its criteria (AHP), for the pillars judged.
    """

    assessor: str
    pillars: Pairwise | Swing
    criteria: Mapping[str, Pairwise] = field(default_factory=dict)

    def consistent(self) -> bool:
        """Whether every AHP matrix has CR at most :data:`CONSISTENT` (swing: True)."""
        mats = [self.pillars, *self.criteria.values()]
        return all(m.consistent for m in mats if isinstance(m, Pairwise))

    def worst_cr(self) -> float | None:
        """The largest consistency ratio over its matrices (``None``: swing, or no RI)."""
        crs = [m.cr for m in (self.pillars, *self.criteria.values()) if isinstance(m, Pairwise)]
        known = [c for c in crs if c is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class Spread:
    """How far the assessors' weights for one pillar lie apart.

    Attributes:
        id: The pillar id.
        group: The group's weight (share of 1).
        mean: The mean of the assessors' weights.
        sd: Their standard deviation (n - 1 in the denominator; 0 for one assessor).
        low: The smallest assessor weight.
        high: The largest.
    """

    id: str
    group: float
    mean: float
    sd: float
    low: float
    high: float


class InconsistencyData(TypedDict):
    a: str
    b: str
    given: float
    implied: float
    ratio: float


class MatrixData(TypedDict):
    """One set of judgements in the JSON document."""

    method: Method
    weights: dict[str, float]
    lambda_max: float | None
    ci: float | None
    cr: float | None
    random_index: str | None
    missing: list[list[str]]
    inconsistency: list[InconsistencyData]


class AssessorData(TypedDict):
    assessor: str
    consistent: bool
    pillars: MatrixData
    criteria: dict[str, MatrixData]


class SpreadData(TypedDict):
    id: str
    group: float
    mean: float
    sd: float
    low: float
    high: float


class ConcentrationData(TypedDict):
    pillars: float | None
    criteria: float | None
    how: str


class RubricVariant(TypedDict):
    id: str
    version: str
    based_on: str


class ElicitationData(TypedDict):
    """The JSON document of an elicitation (``readiness weights --format json``;
    ``readiness schema weights``)."""

    method: Method
    rubric: RubricVariant
    assessors: list[AssessorData]
    group: AssessorData
    spread: list[SpreadData]
    concentration: ConcentrationData
    weights: dict[str, float]


@dataclass(frozen=True, eq=False)
class Elicitation(Rendered):
    """Weights of a rubric elicited from one or several assessors (:func:`elicit`).

    Attributes:
        rubric: The rubric judged.
        method: ``ahp`` or ``swing``.
        assessors: Each assessor's weights, in the order given.
        group: The group's weights: AHP by the geometric mean of the judgements (AIJ);
            swing by the mean of the assessors' weights.
        spread: Per pillar, how far the assessors' weights lie apart.
        concentration: The Dirichlet concentration of pillar weights the spread implies
            (:func:`concentration_of`); ``None`` for a single assessor; ``inf`` when
            they agree exactly.
        criterion_concentration: The same for criterion weights inside pillars (AHP
            with two or more criteria judged by two or more assessors); ``None`` otherwise.
    """

    rubric: Rubric
    method: Method
    assessors: tuple[AssessorWeights, ...]
    group: AssessorWeights
    spread: tuple[Spread, ...]
    concentration: float | None
    criterion_concentration: float | None

    def rubric_weights(self) -> dict[str, float]:
        """The group's weights as rubric weights: pillar id and criterion id -> weight.

        Pillar weights are the group's shares times the number of pillars (so they
        average 1, as a rubric's do), criterion weights their share inside the pillar
        times the pillar's number of criteria; rounded to 4 decimals (at least 0.001).
        Pillars whose criteria nobody judged are left out (their weights stay).
        """
        out: dict[str, float] = {}
        shares = self.group.pillars.as_dict()
        for p in self.rubric.pillars:
            out[p.id] = _rubric_weight(shares[p.id] * len(self.rubric.pillars))
        for m in self.group.criteria.values():
            for cid, w in m.as_dict().items():
                out[cid] = _rubric_weight(w * len(m.items))
        return out

    def weighted_rubric(self) -> Rubric:
        """The rubric with the group's weights (:meth:`Rubric.with_weights`: a variant,
        its version marked ``+custom``)."""
        return self.rubric.with_weights(self.rubric_weights())

    def concentration_source(self) -> str:
        """Where :attr:`concentration` comes from, in words."""
        return words.weights.concentration_from(
            len(self.assessors), self.concentration, self.method
        )

    def to_dict(self) -> ElicitationData:
        """A JSON-ready dict (what ``readiness weights --format json`` prints)."""
        variant = self.weighted_rubric()
        return {
            "method": self.method,
            "rubric": {
                "id": variant.id,
                "version": variant.version,
                "based_on": self.rubric.label,
            },
            "assessors": [_assessor_data(a) for a in self.assessors],
            "group": _assessor_data(self.group),
            "spread": [
                {
                    "id": s.id,
                    "group": _r(s.group),
                    "mean": _r(s.mean),
                    "sd": _r(s.sd),
                    "low": _r(s.low),
                    "high": _r(s.high),
                }
                for s in self.spread
            ],
            "concentration": {
                "pillars": _finite(self.concentration),
                "criteria": _finite(self.criterion_concentration),
                "how": self.concentration_source(),
            },
            "weights": self.rubric_weights(),
        }

    def to_document(self) -> Document:
        """The elicitation laid out: weights, each assessor's consistency, the spread."""
        titles = {p.id: p.title for p in self.rubric.pillars}
        variant = self.weighted_rubric()
        facts = Facts.of(
            [
                ("Method", words.weights.method_name(self.method)),
                ("Assessors", str(len(self.assessors))),
                ("Rubric", line(code(variant.label), f" (from {self.rubric.label})")),
                ("Concentration", self.concentration_source()),
            ]
        )
        rows = [
            Row(
                (
                    titles[s.id],
                    s.group,
                    s.mean,
                    s.sd,
                    s.low,
                    s.high,
                )
            )
            for s in self.spread
        ]
        weights = Section(
            "Pillar weights",
            (
                Table(
                    (
                        Column("pillar"),
                        Column("group", "share", 1),
                        Column("mean", "share", 1),
                        Column("sd", "share", 1),
                        Column("lowest", "share", 1),
                        Column("highest", "share", 1),
                    ),
                    tuple(rows),
                ),
            ),
        )
        assessor_rows = [
            Row(
                (
                    a.assessor,
                    words.weights.consistency(
                        a.worst_cr(), isinstance(a.pillars, Swing), a.consistent()
                    ),
                    words.weights.completed(_missing(a), _completion(a)),
                )
            )
            for a in (*self.assessors, self.group)
        ]
        consistency = Section(
            "Consistency",
            (
                Table.of(("assessor", "consistency", "missing pairs"), assessor_rows),
                *_worst_blocks(self),
            ),
        )
        return Document(
            f"Weights of {self.rubric.title}",
            (facts, weights, consistency),
            "weights",
            self.to_dict(),
        )

    def __repr__(self) -> str:
        return (
            f"<Elicitation {self.method} of {len(self.assessors)} assessor(s), "
            f"rubric {self.rubric.label}>"
        )


def _r(x: float) -> float:
    return round(float(x), 4)


def _finite(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) else round(float(x), 2)


def _rubric_weight(x: float) -> float:
    return max(0.001, round(x, 4))


def _completion(a: AssessorWeights) -> str | None:
    mats = [a.pillars, *a.criteria.values()]
    return next((m.completion for m in mats if isinstance(m, Pairwise) and m.completion), None)


def _missing(a: AssessorWeights) -> list[str]:
    out = []
    for group, m in (("pillars", a.pillars), *a.criteria.items()):
        if isinstance(m, Pairwise):
            out += [f"{group}: {x} / {y}" for x, y in m.missing]
    return out


def _worst_blocks(e: Elicitation) -> tuple[Paragraph | BulletList, ...]:
    """The judgements that contribute most to each inconsistent assessor's CR."""
    items = []
    for a in e.assessors:
        if a.consistent():
            continue
        for group, m in (("pillars", a.pillars), *a.criteria.items()):
            if not isinstance(m, Pairwise) or m.consistent or m.cr is None:
                continue
            worst = m.inconsistency()[:3]
            items.append(
                line(
                    f"{a.assessor}, {group} (CR {m.cr:.2f}): ",
                    "; ".join(words.weights.judgement(x.a, x.b, x.given, x.implied) for x in worst),
                )
            )
    if not items:
        return ()
    return (
        Paragraph.of(words.weights.WORST_HEADING),
        BulletList.of(*items),
    )


def _matrix_data(m: Pairwise | Swing) -> MatrixData:
    if isinstance(m, Swing):
        return {
            "method": "swing",
            "weights": {k: _r(v) for k, v in m.as_dict().items()},
            "lambda_max": None,
            "ci": None,
            "cr": None,
            "random_index": None,
            "missing": [],
            "inconsistency": [],
        }
    return {
        "method": "ahp",
        "weights": {k: _r(v) for k, v in m.as_dict().items()},
        "lambda_max": _r(m.lambda_max),
        "ci": _r(m.ci),
        "cr": None if m.cr is None else _r(m.cr),
        "random_index": m.random_index,
        "missing": [list(p) for p in m.missing],
        "inconsistency": [
            {
                "a": x.a,
                "b": x.b,
                "given": _r(x.given),
                "implied": _r(x.implied),
                "ratio": _r(x.ratio),
            }
            for x in m.inconsistency()[:3]
        ],
    }


def _assessor_data(a: AssessorWeights) -> AssessorData:
    return {
        "assessor": a.assessor,
        "consistent": a.consistent(),
        "pillars": _matrix_data(a.pillars),
        "criteria": {k: _matrix_data(v) for k, v in a.criteria.items()},
    }


def elicit(
    rubric: Rubric,
    judgements: Sequence[Judgements],
    *,
    random_index: RandomIndex = "saaty",
) -> Elicitation:
    """A rubric's weights from one or several assessors' judgements.

    Args:
        rubric: The rubric whose pillars (and criteria) were judged.
        judgements: One :class:`Judgements` per assessor, all with the same method.
        random_index: As for :func:`ahp`.

    Returns:
        The :class:`Elicitation`: each assessor's weights and consistency, the group's
        (AHP: geometric mean of the judgements; swing: mean of the weights), the spread
        per pillar and the Dirichlet concentration it implies.

    Raises:
        InputError: No judgements, mixed methods, an id not in the rubric, a pillar not
            compared with any other, or any problem of :func:`ahp` or :func:`swing`;
            every problem names the assessor's source.
    """
    if not judgements:
        raise InputError("no judgements")
    methods = {j.method for j in judgements}
    if len(methods) > 1:
        raise InputError("the judgements mix AHP and swing; give one method for the group")
    method: Method = judgements[0].method
    pillar_ids = tuple(p.id for p in rubric.pillars)
    criteria_of = {p.id: tuple(c.id for c in p.criteria) for p in rubric.pillars}
    read: list[AssessorWeights | dict[str, Floats]] = []
    problems: list[Problem] = []
    for j in judgements:
        try:
            read.append(_one(j, pillar_ids, criteria_of))
        except InputError as exc:
            where = j.source or j.assessor
            problems += [Problem(p.path, p.message, file=where) for p in exc.problems]
    if problems:
        raise InputError(problems, source=judgements[0].source if len(judgements) == 1 else None)
    people: list[AssessorWeights]
    if method == "ahp":
        mats = [r for r in read if isinstance(r, dict)]
        weighed: list[dict[str, Pairwise]] = [{} for _ in mats]
        group_of: dict[str, Pairwise] = {}
        for g in (PILLARS, *pillar_ids):
            names = pillar_ids if g == PILLARS else criteria_of[g]
            who = [k for k, m in enumerate(mats) if g in m]
            if not who:
                continue
            given = [mats[k][g] for k in who]
            for k, p in zip(who, _weigh_all(names, given, random_index), strict=True):
                weighed[k][g] = p
            # AIJ: the geometric mean of the judgements as given (completed pairs left out)
            group_of[g] = _pairwise(names, _geometric_mean(given), random_index)
        people = [
            AssessorWeights(j.assessor, w.pop(PILLARS), w)
            for j, w in zip(judgements, weighed, strict=True)
        ]
        group = AssessorWeights("group", group_of.pop(PILLARS), group_of)
    else:
        people = [r for r in read if isinstance(r, AssessorWeights)]
        mean = np.mean([[a.pillars.weight(p) for p in pillar_ids] for a in people], axis=0)
        order = sorted(range(len(pillar_ids)), key=lambda i: -mean[i])
        top = mean[order[0]]
        group = AssessorWeights(
            "group",
            Swing(
                tuple(pillar_ids[i] for i in order),
                tuple(float(100 * mean[i] / top) for i in order),
                tuple(float(mean[i]) for i in order),
            ),
        )
    individual = np.array([[a.pillars.weight(p) for p in pillar_ids] for a in people])
    spread = tuple(
        Spread(
            id=p,
            group=group.pillars.weight(p),
            mean=float(individual[:, i].mean()),
            sd=float(individual[:, i].std(ddof=1)) if len(people) > 1 else 0.0,
            low=float(individual[:, i].min()),
            high=float(individual[:, i].max()),
        )
        for i, p in enumerate(pillar_ids)
    )
    concentration = concentration_of(individual) if len(people) > 1 else None
    criterion_concentration = None
    if method == "ahp" and len(people) > 1:
        blocks = []
        for pid in pillar_ids:
            rows = [a.criteria[pid].weights for a in people if pid in a.criteria]
            if len(rows) > 1 and len(criteria_of[pid]) > 1:
                blocks.append(np.array(rows))
        if blocks:
            criterion_concentration = concentration_of(*blocks)
    return Elicitation(
        rubric=rubric,
        method=method,
        assessors=tuple(people),
        group=group,
        spread=spread,
        concentration=concentration,
        criterion_concentration=criterion_concentration,
    )


def _one(
    j: Judgements,
    pillar_ids: tuple[str, ...],
    criteria_of: Mapping[str, tuple[str, ...]],
) -> AssessorWeights | dict[str, Floats]:
    """Swing: the assessor's weights; AHP: the checked matrix of each group judged (the
    eigenvectors are taken for all assessors at once, :func:`_weigh_all`)."""
    if j.method == "swing":
        return _swing_one(j, pillar_ids)
    problems = _unknown_names(j, pillar_ids, criteria_of)
    if problems:
        raise InputError(problems)
    mats: dict[str, Floats] = {}
    groups = [PILLARS, *(p for p in pillar_ids if j.comparisons.get(p) and len(criteria_of[p]) > 1)]
    for group in groups:
        items = pillar_ids if group == PILLARS else criteria_of[group]
        try:
            names, m = _judgements(j.comparisons[group], items)
            if np.isnan(m).any():
                _check_connected(names, ~np.isnan(m))
            mats[group] = m
        except InputError as exc:  # named by group: "(pillars) ['a', 'b']", "legal"
            problems += [
                Problem(group if p.path == "$" else f"{group} {p.path}", p.message)
                for p in exc.problems
            ]
    if problems:
        raise InputError(problems)
    return mats


def _swing_one(j: Judgements, pillar_ids: tuple[str, ...]) -> AssessorWeights:
    """One assessor's swing weights, once every pillar is known and ranked."""
    unknown = [x for x in (*j.ranking, *j.ratings) if x not in pillar_ids]
    if unknown:
        raise InputError(f"not pillars of the rubric: {', '.join(sorted(set(unknown)))}")
    unranked = [p for p in pillar_ids if p not in j.ranking]
    if unranked:
        raise InputError(f"pillars not ranked: {', '.join(unranked)}", source="swing")
    return AssessorWeights(j.assessor, swing(j.ranking, j.ratings))


def _unknown_names(
    j: Judgements, pillar_ids: tuple[str, ...], criteria_of: Mapping[str, tuple[str, ...]]
) -> list[Problem]:
    """The groups and compared names an AHP assessor gives that the rubric does not
    have, and a missing comparison of pillars."""
    problems: list[Problem] = []
    for group, pairs in j.comparisons.items():
        known = pillar_ids if group == PILLARS else criteria_of.get(group)
        if known is None:
            problems.append(Problem(group, "not a pillar of the rubric"))
            continue
        if not {x for pair in pairs for x in pair} - set(known):
            continue  # every name known (the usual case: no loop over the pairs)
        for a, b in pairs:
            for x in (a, b):
                if x not in known:
                    what = "pillar" if group == PILLARS else f"criterion of {group!r}"
                    problems.append(Problem(f"{group} [{a!r}, {b!r}]", f"{x!r} is not a {what}"))
    if not j.comparisons.get(PILLARS):
        problems.append(Problem("pillars", "no comparison of pillars"))
    return problems


def _weigh_all(
    names: tuple[str, ...], mats: Sequence[Floats], random_index: RandomIndex
) -> list[Pairwise]:
    """:func:`_pairwise` of each matrix; the complete ones in one batched ``eig``."""
    out: list[Pairwise | None] = [None] * len(mats)
    complete = [k for k, m in enumerate(mats) if not np.isnan(m).any()]
    if len(complete) > 1:
        values, vectors = np.linalg.eig(np.stack([mats[k] for k in complete]))
        for row, k in enumerate(complete):
            top = int(np.argmax(values[row].real))
            v = np.abs(vectors[row][:, top].real)
            out[k] = _result(
                names, mats[k], v / v.sum(), float(values[row, top].real), random_index
            )
    for k, m in enumerate(mats):
        if out[k] is None:
            out[k] = _pairwise(names, m, random_index)
    return [p for p in out if p is not None]


def concentration_of(*weights: Floats) -> float:
    """The Dirichlet concentration whose variance matches the assessors' (moments).

    A Dirichlet with mean shares ``m_i`` and concentration ``c`` gives share ``i`` the
    variance ``m_i (1 - m_i) / (c + 1)``. Given each assessor's weights (rows of an
    assessors x items array whose rows sum to 1; several arrays pool several groups,
    e.g. the criteria of each pillar), the method of moments sets

        c + 1 = Σ m_i (1 - m_i) / Σ s_i²

    with ``m_i`` the mean and ``s_i²`` the sample variance (n - 1) of item ``i`` over
    the assessors, the sums running over every item of every array. Assessors who agree
    exactly give ``inf`` (the weights held fixed); the result is at least 0.01.

    >>> round(concentration_of(np.array([[0.5, 0.5], [0.4, 0.6], [0.6, 0.4]])), 2)
    24.0
    """
    num = den = 0.0
    for w in weights:
        w = np.asarray(w, dtype=float)
        if w.ndim != 2 or w.shape[0] < 2:
            raise InputError("a concentration needs the weights of two or more assessors")
        m = w.mean(axis=0)
        num += float((m * (1 - m)).sum())
        den += float(w.var(axis=0, ddof=1).sum())
    if den <= 1e-15 * max(num, 1.0):
        return math.inf
    return max(0.01, num / den - 1.0)

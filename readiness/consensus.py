"""Several assessors' levels of each criterion made one: the consensus rules.

Per criterion, the levels the assessors gave are combined by a rule (an assessor's
``unknown`` does not vote; a criterion is not applicable when more assessors say so
than give it a level):

- ``median`` (the default): the middle level. Where the panel splits evenly and the two
  middle levels differ, any level between them is the median; the one chosen keeps the
  overall score nearest the middle of the assessors' own scores.
- ``mean``: the mean level, rounded up or down; again the rounding that keeps the
  overall nearest the middle of the assessors' scores.
- ``median-low`` and ``median-high``: the lower or the higher middle level, ``min`` and
  ``max``: the lowest or the highest level given. These are asked for by name: a
  conservative (or optimistic) reading that may put the consensus below (or above)
  every assessor.

**The consensus never falls outside the panel.** Under ``median`` and ``mean`` the
consensus overall lies between the lowest and the highest assessor's score. Each
assessor's score is counted on the panel's criteria: their own levels, and where they
left a criterion unrated, the consensus level (so that all are scored on one set of
criteria; with different sets no consensus could promise anything). A criterion-by-
criterion rule alone cannot promise it (three assessors who each rate a different
criterion 4 and the others 0 have a median of 0 everywhere), so when the rule's levels
would put the overall outside that range, the fewest criteria are moved, one level at a
time and never beyond the levels the assessors gave, until it is inside. Should no such
move exist, the levels of the assessor whose score is the middle one are taken, and
the result says so (:attr:`Reached.central`).

This module holds the arithmetic (levels in, levels out, on arrays); :mod:`readiness.panel`
builds the consensus partnership from it, with confidences, evidence and notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from readiness.scoring import ScoringModel, score_matrix, settle

__all__ = ["BOUNDED", "CONSENSUS_RULES", "ConsensusRule", "Reached", "reach"]

ConsensusRule = Literal["median", "mean", "median-low", "median-high", "min", "max"]
CONSENSUS_RULES: tuple[str, ...] = ConsensusRule.__args__  # type: ignore[attr-defined]

BOUNDED: tuple[str, ...] = ("median", "mean")
"""The rules whose consensus always lies between the lowest and highest assessor's score."""

NA = -1
"""The code of a not-applicable consensus in :attr:`Reached.levels`."""

_TOL = 1e-9


@dataclass(frozen=True)
class Reached:
    """How a panel's levels became one.

    Attributes:
        rule: The rule applied.
        assessors: How many assessors voted.
        levels: ``(m,)`` the consensus level of each criterion: 0-4, :data:`NA` for not
            applicable, NaN where no assessor gave a view.
        split: Criteria where the rule allowed several levels (the two middle levels
            differed, or the mean lay between two levels) and one was chosen.
        moved: Criteria set off the rule's levels (within the levels given) so that the
            overall stays between the assessors' scores.
        central: The assessor whose levels were taken because no move kept the overall
            in range (``None`` almost always).
        scores: ``(assessors,)`` each assessor's overall on the panel's criteria (NaN when
            too little is rated), the range the consensus respects.
        overall: The consensus overall (NaN when too little is rated).
    """

    rule: str
    assessors: int
    levels: NDArray[np.float64]
    split: tuple[int, ...]
    moved: tuple[int, ...]
    central: int | None
    scores: NDArray[np.float64]
    overall: float

    @property
    def bounded(self) -> bool:
        """Whether the rule promises a consensus between the assessors' scores."""
        return self.rule in BOUNDED


def _interval(given: list[int], rule: str) -> tuple[int, int]:
    """The levels the rule allows for one criterion: (lowest, highest)."""
    xs = sorted(given)
    n = len(xs)
    if rule == "median":
        return xs[(n - 1) // 2], xs[n // 2]
    if rule == "median-low":
        return xs[(n - 1) // 2], xs[(n - 1) // 2]
    if rule == "median-high":
        return xs[n // 2], xs[n // 2]
    if rule == "mean":
        mean = sum(xs) / n
        return math.floor(mean + _TOL), math.ceil(mean - _TOL)
    return (xs[0], xs[0]) if rule == "min" else (xs[-1], xs[-1])


def reach(
    own: NDArray[np.float64],
    own_na: NDArray[np.bool_],
    derived: NDArray[np.float64],
    rule: str,
    model: ScoringModel,
    *,
    unknown_policy: str,
    min_coverage: float,
) -> Reached:
    """The consensus of ``k`` assessors over ``m`` criteria.

    Args:
        own: ``(k, m)`` the levels each assessor gave (NaN: none).
        own_na: ``(k, m)`` True where an assessor said the criterion does not apply.
        derived: ``(m,)`` the levels the partnership's facts give (NaN: none); they count
            where nobody gave a view, for the assessors and the consensus alike.
        rule: One of :data:`CONSENSUS_RULES`.
        model: The compiled rubric.
        unknown_policy: As for scoring.
        min_coverage: As for scoring.
    """
    m = own.shape[1]
    levels = np.full(m, np.nan)
    lo = np.full(m, np.nan)
    hi = np.full(m, np.nan)
    wide_lo = np.full(m, np.nan)
    wide_hi = np.full(m, np.nan)
    for j in range(m):
        given = [int(x) for x in own[:, j] if not math.isnan(x)]
        na_votes = int(own_na[:, j].sum())
        if na_votes > len(given):
            levels[j] = NA
        elif given:
            lo[j], hi[j] = _interval(given, rule)
            wide_lo[j], wide_hi[j] = min(given), max(given)
            levels[j] = lo[j]
    split = tuple(int(j) for j in np.flatnonzero(hi > lo))
    search = _Search(own, own_na, derived, model, unknown_policy, min_coverage)
    if rule not in BOUNDED:
        return search.result(rule, levels, (), (), None)
    levels = search.improve(levels, lo, hi, split, away_from=None)
    if search.outside(levels) > _TOL:
        rated = tuple(int(j) for j in np.flatnonzero(wide_hi > wide_lo))
        moved_from = levels.copy()
        levels = search.improve(levels, wide_lo, wide_hi, rated, away_from=(lo, hi))
        moved = tuple(int(j) for j in np.flatnonzero(levels != moved_from) if j in rated)
        moved = tuple(j for j in moved if not lo[j] <= levels[j] <= hi[j])
        if search.outside(levels) > _TOL:
            central = search.central(levels)
            return search.result(rule, search.take(levels, central), split, (), central)
        return search.result(rule, levels, split, moved, None)
    return search.result(rule, levels, split, (), None)


class _Search:
    """Scores candidate consensus levels and the assessors' scores that go with them."""

    def __init__(
        self,
        own: NDArray[np.float64],
        own_na: NDArray[np.bool_],
        derived: NDArray[np.float64],
        model: ScoringModel,
        unknown_policy: str,
        min_coverage: float,
    ) -> None:
        self.own, self.own_na, self.derived = own, own_na, derived
        self.model = model
        self.options = {"unknown_policy": unknown_policy, "min_coverage": min_coverage}
        self.has_view = ~np.isnan(own) | own_na  # (k, m) the assessor said something

    def rows(self, candidates: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        """For ``(c, m)`` candidate consensus levels: the consensus overall ``(c,)`` and each
        assessor's overall on the panel's criteria ``(c, k)``."""
        c, m = candidates.shape
        k = self.own.shape[0]
        na_c = candidates == NA
        known_c = ~np.isnan(candidates) & ~na_c
        base = np.where(known_c, candidates, self.derived[None, :])
        base = np.where(na_c, np.nan, base)
        # assessors: their own view, else the candidate's
        people = np.where(self.has_view[None], self.own[None], base[:, None, :])
        people_na = np.where(self.has_view[None], self.own_na[None], na_c[:, None, :])
        levels = np.concatenate([base, people.reshape(c * k, m)])
        na = np.concatenate([na_c, people_na.reshape(c * k, m)])
        s = score_matrix(levels, self.model, not_applicable=na, **self.options)  # type: ignore[arg-type]
        return s.overall[:c], s.overall[c:].reshape(c, k)

    def _cost(
        self, candidates: NDArray[np.float64], away: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        overall, people = self.rows(candidates)
        scored = ~np.isnan(people)
        low = np.where(scored, people, np.inf).min(axis=1)
        high = np.where(scored, people, -np.inf).max(axis=1)
        middle = np.full(len(people), np.nan)
        some = scored.any(axis=1)
        if some.any():
            middle[some] = np.nanmedian(people[some], axis=1)
        none = np.isnan(overall) | ~some
        outside = np.where(none, 0.0, np.maximum(low - overall, 0) + np.maximum(overall - high, 0))
        near = np.where(none, 0.0, np.abs(overall - middle))
        return np.stack([settle(outside), away, settle(near)], axis=1)

    def outside(self, levels: NDArray[np.float64]) -> float:
        return float(self._cost(levels[None], np.zeros(1))[0, 0])

    def improve(
        self,
        levels: NDArray[np.float64],
        lo: NDArray[np.float64],
        hi: NDArray[np.float64],
        free: tuple[int, ...],
        away_from: tuple[NDArray[np.float64], NDArray[np.float64]] | None,
    ) -> NDArray[np.float64]:
        """Move one free criterion one level at a time while the cost falls: first out
        of range, then (``away_from``: the rule's own levels) levels off the rule, then
        distance from the middle assessor."""

        def away(c: NDArray[np.float64]) -> NDArray[np.float64]:
            if away_from is None:
                return np.zeros(len(c))
            a, b = away_from
            off = np.maximum(a[None] - c, 0) + np.maximum(c - b[None], 0)
            total: NDArray[np.float64] = np.nansum(off, axis=1)
            return total

        current: NDArray[np.float64] = levels.copy()
        best = self._cost(current[None], away(current[None]))[0]
        while free:
            moves = []
            for j in free:
                for step in (-1, 1):
                    x = current[j] + step
                    if lo[j] <= x <= hi[j]:
                        c = current.copy()
                        c[j] = x
                        moves.append(c)
            if not moves:
                break
            candidates = np.stack(moves)
            costs = self._cost(candidates, away(candidates))
            order = np.lexsort(costs.T[::-1])
            pick = int(order[0])
            if tuple(costs[pick]) >= tuple(best):
                break
            current, best = candidates[pick], costs[pick]
        return current

    def central(self, levels: NDArray[np.float64]) -> int:
        """The assessor whose score (with ``levels`` for what they left) is the middle one."""
        _, people = self.rows(levels[None])
        scores = people[0]
        order = np.argsort(np.where(np.isnan(scores), np.inf, scores), kind="stable")
        known = int((~np.isnan(scores)).sum())
        return int(order[(max(known, 1) - 1) // 2])

    def take(self, levels: NDArray[np.float64], who: int) -> NDArray[np.float64]:
        """``levels`` with assessor ``who``'s own view wherever they gave one."""
        out = levels.copy()
        view = self.has_view[who] & ~np.isnan(levels)
        out[view] = np.where(self.own_na[who][view], NA, self.own[who][view])
        return out

    def result(
        self,
        rule: str,
        levels: NDArray[np.float64],
        split: tuple[int, ...],
        moved: tuple[int, ...],
        central: int | None,
    ) -> Reached:
        overall, people = self.rows(levels[None])
        return Reached(
            rule=rule,
            assessors=int(self.own.shape[0]),
            levels=levels,
            split=split,
            moved=moved,
            central=central,
            scores=people[0],
            overall=float(overall[0]),
        )

"""Turn partnerships into the arrays scoring reads: one resolver for one and for many.

:func:`resolve` reads the facts of every partnership as of its assessment date (with
the members then in force), derives their levels in one vector call of the rules, and
lays the analysts' ratings over them. :func:`readiness.assess`, the batch
(:func:`readiness.assess_many`, ``assess --out``), panels and what-if scenarios all go
through it, so that one partnership gets one answer whichever path scores it.

How a rating meets a derived level:

- a level (0-4) replaces the derived level; when it differs from it by more than one
  level it must carry a ``justification`` (the facts say otherwise);
- ``not-applicable`` replaces the derived level likewise, and always needs a
  ``justification`` when the facts give a level;
- ``unknown`` never replaces anything: the assessor did not know, the facts do. The
  derived level is used (origin ``derived``), and the rating's evidence and note stay
  in the evidence trail. Without a derived level the criterion is unknown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from readiness._models import built
from readiness.derive import Derivation, Table, derive_levels, encode_row, encode_rows
from readiness.errors import Problem
from readiness.partnership import Partnership
from readiness.rubric import Rubric

__all__ = [
    "ORIGINS",
    "Origin",
    "Resolved",
    "feature_table",
    "resolve",
]

Origin = Literal["rated", "derived", "overridden", "unknown", "not-applicable"]
"""Where a criterion's answer comes from: a rating, facts (``derived``), a rating that
replaced a different derived level (``overridden``), or nowhere (``unknown``)."""

ORIGINS: tuple[Origin, ...] = ("rated", "derived", "overridden", "unknown", "not-applicable")
"""The origins, in the order of their codes in :attr:`Resolved.origin`."""

_RATED, _DERIVED, _OVERRIDDEN, _UNKNOWN, _NA = range(5)


def feature_table(partnerships: Sequence[Partnership]) -> Table:
    """The encoded features of many partnerships, one row each (no pandas involved)."""
    if len(partnerships) == 1:
        return encode_row(partnerships[0].features())
    return encode_rows([p.features() for p in partnerships])


def _row(table: Table, i: int) -> Table:
    if table.n == 1:
        return table
    return Table(n=1, columns={k: v[i : i + 1] for k, v in table.columns.items()})


@dataclass(frozen=True, eq=False)
class Resolved:
    """The answers of ``n`` partnerships to the ``m`` criteria of a rubric.

    Attributes:
        levels: ``(n, m)`` levels 0-4, NaN unknown or not applicable.
        not_applicable: ``(n, m)`` True where a rating says the criterion does not apply.
        low_confidence: ``(n, m)`` True where a rating's confidence is low.
        derived: ``(n, m)`` the levels the facts give (NaN: no rule, or facts missing).
        origin: ``(n, m)`` codes into :data:`ORIGINS`.
        table: The encoded features (``n`` rows), for explanations.
        rules: The column of every criterion that has a derive rule.
        problems: Per partnership, the ratings that override a derived level without
            the justification they need (see the module docstring).
        with_facts: ``(n,)`` True where the partnership has a ``facts`` section.
    """

    levels: NDArray[np.float64]
    not_applicable: NDArray[np.bool_]
    low_confidence: NDArray[np.bool_]
    derived: NDArray[np.float64]
    origin: NDArray[np.int8]
    table: Table
    rules: tuple[int, ...]
    problems: tuple[tuple[Problem, ...], ...]
    with_facts: NDArray[np.bool_]

    @property
    def n(self) -> int:
        return int(self.levels.shape[0])

    def origins(self, i: int = 0) -> tuple[Origin, ...]:
        """The origin of every criterion of partnership ``i``, in rubric order."""
        return tuple(ORIGINS[k] for k in self.origin[i].tolist())

    def derivations(self, rubric: Rubric, i: int = 0) -> dict[str, Derivation]:
        """Partnership ``i``'s derivations: criterion id -> level, rule and features.

        A partnership without ``facts`` has derivations only where its roster alone
        gives a level (an explanation of "every fact missing" would say nothing).
        """
        table = _row(self.table, i)
        derived, with_facts = self.derived[i].tolist(), bool(self.with_facts[i])
        criteria = rubric.criteria
        out = {}
        for j in self.rules:
            c = criteria[j]
            rule = c.derive
            assert rule is not None
            level = derived[j]
            known = level == level  # NaN: the facts it needs are missing
            if not known and not with_facts:
                continue
            # built without the frozen dataclass's per-field __setattr__ (about 30 per
            # assessment): the same object, as tests/test_assessment.py holds
            out[c.id] = built(
                Derivation,
                {
                    "criterion": c.id,
                    "level": int(level) if known else None,
                    "rule": rule,
                    "table": table,
                },
            )
        return out

    def take(self, keep: NDArray[np.bool_]) -> Resolved:
        """Only the partnerships where ``keep`` is True (same order)."""
        index = np.flatnonzero(keep)
        return Resolved(
            levels=self.levels[index],
            not_applicable=self.not_applicable[index],
            low_confidence=self.low_confidence[index],
            derived=self.derived[index],
            origin=self.origin[index],
            table=Table(n=len(index), columns={k: v[index] for k, v in self.table.columns.items()}),
            rules=self.rules,
            problems=tuple(self.problems[i] for i in index.tolist()),
            with_facts=self.with_facts[index],
        )


def resolve(
    partnerships: Sequence[Partnership],
    rubric: Rubric,
    *,
    derived: NDArray[np.float64] | None = None,
    table: Table | None = None,
) -> Resolved:
    """Resolve the ratings and facts of ``partnerships`` against ``rubric``.

    Args:
        partnerships: The partnerships (their criterion ids already checked against
            ``rubric``: see :meth:`readiness.Partnership.check_against`).
        rubric: The rubric whose rules and criteria apply.
        derived: Levels already derived from the same facts, ``(n, m)`` (NaN where none),
            with ``table`` their features: the facts are then not read again. One row
            (``(1, m)`` and a one-row table) stands for every partnership, e.g. the
            assessors of one partnership, who share its facts.
        table: See ``derived``.

    Returns:
        The :class:`Resolved` arrays; override problems are returned, not raised.
    """
    n, m = len(partnerships), len(rubric.criteria)
    rules = rubric.rule_positions
    if derived is None or table is None:
        table = feature_table(partnerships)
        derived = derive_levels(table, rubric)
    if derived.shape == (n, m):  # a read-only view, as broadcast_to gives (cheaper)
        derived = derived.view()
        derived.flags.writeable = False
    else:  # one row for every partnership
        derived = np.broadcast_to(derived, (n, m))
    levels = derived.copy()
    na = np.zeros((n, m), dtype=bool)
    low = np.zeros((n, m), dtype=bool)
    origin = np.where(np.isnan(derived), _UNKNOWN, _DERIVED).astype(np.int8)
    index = rubric.criterion_index
    problems: list[tuple[Problem, ...]] = []
    for i, p in enumerate(partnerships):
        given: dict[str, int | None] = {}  # derived levels the ratings meet
        facts_row = derived[i].tolist() if p.ratings else []  # Python floats: cheap to read
        for cid, rating in p.ratings.items():
            j = index[cid]
            level = rating.level
            if level == "unknown":  # the assessor did not know: the facts still speak
                continue
            from_facts = facts_row[j]
            known = not math.isnan(from_facts)
            if level == "not-applicable":
                na[i, j] = True
                levels[i, j] = math.nan
                origin[i, j] = _OVERRIDDEN if known else _NA
            else:
                assert isinstance(level, int)
                levels[i, j] = level
                low[i, j] = rating.confidence == "low"
                origin[i, j] = _OVERRIDDEN if known and level != from_facts else _RATED
            if known:
                given[cid] = int(from_facts)
        problems.append(tuple(p.override_problems(given)) if given else ())
    return Resolved(
        levels=levels,
        not_applicable=na,
        low_confidence=low,
        derived=derived,
        origin=origin,
        table=table,
        rules=rules,
        problems=tuple(problems),
        with_facts=np.array([p.facts is not None for p in partnerships], dtype=bool),
    )

"""Two versions of a rubric side by side: what changed, and how it moved each score.

:func:`diff_rubrics` lists what changed from rubric ``a`` to rubric ``b`` (criteria and
pillars added, removed or moved, weights, gates, derive rules, bands, scoring settings,
profiles, wording) and, for the partnerships given, how each overall score moved and
which changes moved it.

The attribution is the **Shapley value** over groups of changes: ``criteria`` (what
is scored: criteria and pillars added, removed or moved), ``weights``, ``gates``,
``derive`` (the rules that turn facts into levels), ``bands`` (their thresholds, which
a failed gate caps at) and ``scoring`` (aggregation, unknown policy and its estimate,
minimum coverage). Every subset of the groups is a hybrid rubric (``a`` with the
changes of those groups taken from ``b``), and a group's share is its marginal effect
averaged over every order in which the changes could have been made. It is used
rather than one path of changes (``a`` → +weights → +gates ...) because a path's
shares depend on the order chosen when changes interact (a new weight on a criterion
whose derive rule also changed), while Shapley's do not and are exact: they add up
to the difference by construction. With at most six groups that is at most 64 hybrid
rubrics per partnership, computed exactly.

Exactly means in the scoring core's unit: scores are settled to 9 decimals
(:data:`SETTLE`), so the decomposition is done in whole nanopoints (1e-9 point). Each
share is its Shapley value rounded to a whole nanopoint (largest remainders, so the
rounding never loses one); the shares' nanopoints add up to the difference's exactly
(:attr:`ScoreMove.nanopoints`). Profiles and wording never move an overall score and
are listed, not attributed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, cast

import pandas as pd
from typing_extensions import TypedDict

from readiness._numbers import rounded
from readiness.assessment import Assessment, assess
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
from readiness.errors import InputError, Problem, RubricError
from readiness.partnership import Partnership
from readiness.rubric import Criterion, Pillar, Rubric, rubric_from_dict

__all__ = [
    "GROUPS",
    "SCORED",
    "SETTLE",
    "Contribution",
    "Group",
    "LevelMove",
    "RubricChange",
    "RubricDiff",
    "RubricDiffData",
    "ScoreMove",
    "diff_rubrics",
]

Group = Literal["criteria", "weights", "gates", "derive", "bands", "scoring", "profiles", "text"]
"""What kind of change a change is (see the module's docstring)."""

GROUPS: tuple[Group, ...] = cast(Any, Group).__args__
"""Every group, in the order changes are listed."""

SCORED: tuple[Group, ...] = ("criteria", "weights", "gates", "derive", "bands", "scoring")
"""The groups that can move an overall score: the players of the decomposition."""

SETTLE = 9
"""Decimals the scoring core settles scores to: the decomposition's unit is 1e-9 point."""

_UNIT = 1_000_000_000  # 10 ** SETTLE

Reason = Literal["no-score", "no-score-between", "rubric-between"]
"""Why a score move has no decomposition: ``no-score`` (a rubric gives no overall
score), ``no-score-between`` (a hybrid rubric gives none), ``rubric-between`` (a hybrid
of the two rubrics is not a valid rubric)."""


@dataclass(frozen=True)
class RubricChange:
    """One difference between the two rubrics.

    Attributes:
        group: Its :data:`Group`.
        what: What changed, as a code: ``criterion-added``, ``criterion-removed``,
            ``criterion-moved``, ``pillar-added``, ``pillar-removed``, ``weight``
            (a criterion's), ``pillar-weight``, ``gate``, ``rule``, ``band``,
            ``setting``, ``profile``, ``text``.
        id: The criterion, pillar, band, profile or setting it is about.
        old: The value in ``a`` (a weight, a band's minimum, a setting, a gate or rule
            in words...; ``None`` when absent or not shown).
        new: The value in ``b``, of the same kind.
    """

    group: Group
    what: str
    id: str
    old: float | str | None
    new: float | str | None


@dataclass(frozen=True)
class Contribution:
    """The share of one group of changes in a score's move.

    Attributes:
        group: The group (one of :data:`SCORED`).
        nanopoints: Its share in whole 1e-9 points (the exact unit).
    """

    group: Group
    nanopoints: int

    @property
    def points(self) -> float:
        """The share in points."""
        return self.nanopoints / _UNIT


@dataclass(frozen=True)
class LevelMove:
    """A criterion whose level or state differs under the two rubrics."""

    id: str
    old: int | str
    new: int | str


@dataclass(frozen=True)
class ScoreMove:
    """How one partnership's overall score moved from rubric ``a`` to ``b``.

    Attributes:
        id: The partnership id.
        name: Its name.
        old: The overall score under ``a`` (``None``: no score).
        new: The overall score under ``b``.
        old_band: The band id under ``a`` (``None`` without a score).
        new_band: The band id under ``b``.
        contributions: The share of each group that has changes able to move a score
            (:data:`SCORED` order); empty when there is no decomposition.
        levels: Criteria whose level or state differs (derive rules, criteria added
            or removed).
        set_aside: Criteria the partnership rates that a rubric lacks: their ratings
            are left out under that rubric (and every hybrid without them).
        reason: Why there is no decomposition (:data:`Reason`), else ``None``.
    """

    id: str
    name: str
    old: float | None
    new: float | None
    old_band: str | None
    new_band: str | None
    contributions: tuple[Contribution, ...]
    levels: tuple[LevelMove, ...]
    set_aside: tuple[str, ...]
    reason: Reason | None

    @property
    def delta(self) -> float | None:
        """``new - old`` in points (``None`` when either is missing)."""
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def nanopoints(self) -> int | None:
        """The move in whole nanopoints: exactly the sum of the contributions'."""
        if self.old is None or self.new is None:
            return None
        return _nano(self.new) - _nano(self.old)


class ChangeData(TypedDict):
    group: str
    what: str
    id: str
    old: float | str | None
    new: float | str | None


class ContributionData(TypedDict):
    group: str
    points: float
    nanopoints: int


class LevelData(TypedDict):
    id: str
    old: int | str
    new: int | str


class MoveData(TypedDict):
    id: str
    name: str
    old: float | None
    new: float | None
    delta: float | None
    nanopoints: int | None
    old_band: str | None
    new_band: str | None
    contributions: list[ContributionData]
    levels: list[LevelData]
    set_aside: list[str]
    reason: str | None


class RubricVersion(TypedDict):
    id: str
    version: str


class RubricDiffData(TypedDict):
    """The JSON document of a rubric diff (``readiness diff --format json``;
    ``readiness schema rubric-diff``). Scores are rounded to 2 decimals, shares to 9."""

    a: RubricVersion
    b: RubricVersion
    method: str
    changes: list[ChangeData]
    moves: list[MoveData]


@dataclass(frozen=True, eq=False)
class RubricDiff(Rendered):
    """What changed from rubric ``a`` to ``b``. Build it with :func:`diff_rubrics`.

    Attributes:
        a: The old rubric.
        b: The new rubric.
        changes: Every difference, grouped (:data:`GROUPS` order).
        moves: One per partnership given, in order.
    """

    a: Rubric
    b: Rubric
    changes: tuple[RubricChange, ...]
    moves: tuple[ScoreMove, ...]

    def changes_frame(self) -> pd.DataFrame:
        """The changes: columns ``group``, ``what``, ``id``, ``old``, ``new``."""
        rows = [(c.group, c.what, c.id, c.old, c.new) for c in self.changes]
        return pd.DataFrame(rows, columns=["group", "what", "id", "old", "new"], dtype=object)

    def to_frame(self) -> pd.DataFrame:
        """The score moves: one row per partnership (index: its id).

        Returns:
            Columns ``old``, ``new``, ``delta`` (points), ``old_band``, ``new_band``,
            then one column per group of :data:`SCORED` with its share in points (NaN
            without a decomposition, 0 for a group without changes).
        """
        rows: list[dict[str, Any]] = []
        for m in self.moves:
            share = {c.group: c.points for c in m.contributions}
            rows.append(
                {
                    "old": _nan(m.old),
                    "new": _nan(m.new),
                    "delta": _nan(m.delta),
                    "old_band": m.old_band,
                    "new_band": m.new_band,
                    **{g: (share.get(g, 0.0) if m.reason is None else math.nan) for g in SCORED},
                }
            )
        columns = ["old", "new", "delta", "old_band", "new_band", *SCORED]
        index = pd.Index([m.id for m in self.moves], name="id")
        return pd.DataFrame(rows, index=index, columns=columns)

    def to_dict(self) -> RubricDiffData:
        """A JSON-ready dict (what ``readiness diff --format json`` prints)."""
        return {
            "a": {"id": self.a.id, "version": self.a.version},
            "b": {"id": self.b.id, "version": self.b.version},
            "method": "shapley",
            "changes": [
                {"group": c.group, "what": c.what, "id": c.id, "old": c.old, "new": c.new}
                for c in self.changes
            ],
            "moves": [
                {
                    "id": m.id,
                    "name": m.name,
                    "old": rounded(m.old),
                    "new": rounded(m.new),
                    "delta": rounded(m.delta),
                    "nanopoints": m.nanopoints,
                    "old_band": m.old_band,
                    "new_band": m.new_band,
                    "contributions": [
                        {
                            "group": c.group,
                            "points": round(c.points, SETTLE),
                            "nanopoints": c.nanopoints,
                        }
                        for c in m.contributions
                    ],
                    "levels": [{"id": x.id, "old": x.old, "new": x.new} for x in m.levels],
                    "set_aside": list(m.set_aside),
                    "reason": m.reason,
                }
                for m in self.moves
            ],
        }

    def to_document(self) -> Document:
        """The diff laid out: a summary, the changes by group, then the score moves."""
        a, b = self.a, self.b
        blocks: list[Any] = [
            Facts.of(
                [
                    ("from", line(code(a.id), " ", a.version)),
                    ("to", line(code(b.id), " ", b.version)),
                    ("changes", words.diff.counted(_counts(self.changes))),
                ]
            )
        ]
        if not self.changes:
            blocks.append(Paragraph.of(words.diff.NO_CHANGE))
        for group in GROUPS:
            mine = [c for c in self.changes if c.group == group]
            if mine:
                blocks.append(
                    Section(words.diff.group_title(group), (BulletList.of(*_said(mine)),))
                )
        if self.moves:
            blocks.append(self._moves_section())
        return Document(
            words.diff.title(a.id, a.version, b.id, b.version),
            tuple(blocks),
            "rubric-diff",
            self.to_dict(),
        )

    def _moves_section(self) -> Section:
        groups = [g for g in SCORED if any(c.group == g for c in self.changes)]
        columns = (
            Column("partnership"),
            Column(self.a.version, "score"),
            Column(self.b.version, "score"),
            Column("change", "delta"),
            *(Column(g, "delta") for g in groups),
        )
        rows = []
        for m in self.moves:
            share = {c.group: c.points for c in m.contributions}
            cells: list[Any] = [
                line(code(m.id)),
                m.old,
                m.new,
                m.delta,
                *((share.get(g, 0.0) if m.reason is None else None) for g in groups),
            ]
            rows.append(Row(tuple(cells)))
        blocks: list[Any] = [Table(columns, tuple(rows)), Paragraph.of(words.diff.METHOD)]
        details = [x for m in self.moves for x in _move_lines(m)]
        if details:
            blocks.append(BulletList.of(*details))
        return Section(words.diff.MOVES_TITLE, tuple(blocks), id="moves")

    def __repr__(self) -> str:
        return (
            f"<RubricDiff {self.a.label} -> {self.b.label}: {len(self.changes)} changes, "
            f"{len(self.moves)} partnerships>"
        )


def diff_rubrics(a: Rubric, b: Rubric, partnerships: Iterable[Partnership] = ()) -> RubricDiff:
    """What changed from rubric ``a`` to ``b``, and how it moved each partnership's score.

    Args:
        a: The old rubric (e.g. ``load_rubric(version="1.1.0")``).
        b: The new rubric.
        partnerships: Partnerships to score under both; each score's move is split
            among the groups of changes (Shapley values; see the module docstring).

    Returns:
        A :class:`RubricDiff`: :attr:`~RubricDiff.changes`, :attr:`~RubricDiff.moves`,
        frames, and every format through its document.

    Raises:
        InputError: Something other than a rubric or a partnership was given.

    >>> import readiness
    >>> d = readiness.diff_rubrics(readiness.load_rubric(version="1.1.0"), readiness.load_rubric())
    >>> " ".join(sorted({c.group for c in d.changes}))
    'derive profiles scoring text'
    """
    for name, r in (("a", a), ("b", b)):
        if not isinstance(r, Rubric):
            raise InputError(
                f"{name} must be a Rubric (got {type(r).__name__}); load one with load_rubric()",
                source="diff_rubrics",
            )
    items = list(partnerships)
    wrong = [
        Problem(f"partnerships[{i}]", f"not a Partnership (got {type(p).__name__})")
        for i, p in enumerate(items)
        if not isinstance(p, Partnership)
    ]
    if wrong:
        raise InputError(wrong, source="diff_rubrics")
    changes = tuple(_changes(a, b))
    players = tuple(g for g in SCORED if any(c.group == g for c in changes))
    hybrids = _Hybrids(a, b, players)
    return RubricDiff(a, b, changes, tuple(_move(p, a, b, players, hybrids) for p in items))


# --- what changed ----------------------------------------------------------------------


def _changes(a: Rubric, b: Rubric) -> Iterable[RubricChange]:
    yield from _structure(a, b)
    yield from _criterion_changes(a, b)
    yield from _pillar_weights(a, b)
    yield from _bands(a, b)
    yield from _settings(a, b)
    yield from _profiles(a, b)


def _structure(a: Rubric, b: Rubric) -> Iterable[RubricChange]:
    pa, pb = {p.id: p for p in a.pillars}, {p.id: p for p in b.pillars}
    for pid in pa.keys() - pb.keys():
        yield RubricChange("criteria", "pillar-removed", pid, pa[pid].title, None)
    for pid in pb.keys() - pa.keys():
        yield RubricChange("criteria", "pillar-added", pid, None, pb[pid].title)
    ca, cb = a.pillar_of, b.pillar_of
    for cid in a.criterion_ids:
        if cid not in cb:
            yield RubricChange("criteria", "criterion-removed", cid, a.criterion(cid).title, None)
        elif ca[cid].id != cb[cid].id:
            yield RubricChange("criteria", "criterion-moved", cid, ca[cid].id, cb[cid].id)
    for cid in b.criterion_ids:
        if cid not in ca:
            yield RubricChange("criteria", "criterion-added", cid, None, b.criterion(cid).title)


def _criterion_changes(a: Rubric, b: Rubric) -> Iterable[RubricChange]:
    from readiness.rubric import _rule_text  # the rule in the words rubric tables use

    ids = [cid for cid in a.criterion_ids if cid in b.pillar_of]
    for cid in ids:
        x, y = a.criterion(cid), b.criterion(cid)
        if x.weight != y.weight:
            yield RubricChange("weights", "weight", cid, x.weight, y.weight)
    for cid in ids:
        x, y = a.criterion(cid), b.criterion(cid)
        if x.critical != y.critical:
            yield RubricChange("gates", "gate", cid, _gate(x), _gate(y))
    for cid in ids:
        x, y = a.criterion(cid), b.criterion(cid)
        if x.derive != y.derive:
            old = None if x.derive is None else _rule_text(x.derive)
            new = None if y.derive is None else _rule_text(y.derive)
            yield RubricChange("derive", "rule", cid, _cut(old), _cut(new))
    for cid in ids:
        if _text_of(a.criterion(cid)) != _text_of(b.criterion(cid)):
            yield RubricChange("text", "text", cid, None, None)


def _pillar_weights(a: Rubric, b: Rubric) -> Iterable[RubricChange]:
    pb = {p.id: p for p in b.pillars}
    for p in a.pillars:
        q = pb.get(p.id)
        if q is not None and p.weight != q.weight:
            yield RubricChange("weights", "pillar-weight", p.id, p.weight, q.weight)
        if q is not None and p.aggregation != q.aggregation:
            yield RubricChange("scoring", "setting", f"{p.id}.aggregation", p.aggregation,
                               q.aggregation)  # fmt: skip
        if q is not None and _pillar_text(p) != _pillar_text(q):
            yield RubricChange("text", "text", p.id, None, None)


def _bands(a: Rubric, b: Rubric) -> Iterable[RubricChange]:
    ba, bb = {x.id: x for x in a.bands}, {x.id: x for x in b.bands}
    for bid in [*ba, *(x for x in bb if x not in ba)]:
        x, y = ba.get(bid), bb.get(bid)
        if x is None or y is None or x.min != y.min:
            old, new = (None if z is None else z.min for z in (x, y))
            yield RubricChange("bands", "band", bid, old, new)
        elif (x.name, x.meaning) != (y.name, y.meaning):
            yield RubricChange("text", "text", bid, None, None)


def _settings(a: Rubric, b: Rubric) -> Iterable[RubricChange]:
    for name in ("aggregation", "unknown_policy", "min_coverage"):
        old, new = getattr(a, name), getattr(b, name)
        if old != new:
            yield RubricChange("scoring", "setting", name, old, new)
    for name in ("prior_level", "partnership_spread", "pillar_spread", "spread", "interval"):
        old, new = getattr(a.estimate, name), getattr(b.estimate, name)
        if old != new:
            yield RubricChange("scoring", "setting", f"estimate.{name}", old, new)
    if a.estimate.offsets != b.estimate.offsets:
        moved = {k for k in a.estimate.offsets.keys() | b.estimate.offsets.keys()
                 if a.estimate.offsets.get(k) != b.estimate.offsets.get(k)}  # fmt: skip
        yield RubricChange(
            "scoring", "setting", "estimate.offsets", len(a.estimate.offsets), len(moved)
        )


def _profiles(a: Rubric, b: Rubric) -> Iterable[RubricChange]:
    pa, pb = {p.id: p for p in a.profiles}, {p.id: p for p in b.profiles}
    for pid in [*pa, *(x for x in pb if x not in pa)]:
        x, y = pa.get(pid), pb.get(pid)
        if x is None:
            yield RubricChange(
                "profiles", "profile-added", pid, None, None if y is None else y.title
            )
        elif y is None:
            yield RubricChange("profiles", "profile-removed", pid, x.title, None)
        elif x != y:
            moved = sum(x.target(c) != y.target(c) for c in b.criterion_ids if c in a.pillar_of)
            yield RubricChange("profiles", "profile", pid, None, moved)
    if a.default_profile != b.default_profile:
        yield RubricChange("profiles", "profile", "default", a.default_profile, b.default_profile)


def _gate(c: Criterion) -> str | None:
    g = c.critical
    return None if g is None else words.diff.gate(g.min_level, g.cap_band)


def _cut(text: str | None, width: int = 120) -> str | None:
    return text if text is None or len(text) <= width else text[: width - 1] + "…"


def _text_of(c: Criterion) -> dict[str, Any]:
    return c.model_dump(exclude={"weight", "critical", "derive"})


def _pillar_text(p: Pillar) -> dict[str, Any]:
    return p.model_dump(exclude={"weight", "aggregation", "criteria"})


def _counts(changes: Sequence[RubricChange]) -> dict[str, int]:
    counts = {g: sum(c.group == g for c in changes) for g in GROUPS}
    return {g: n for g, n in counts.items() if n}


# --- hybrids of the two rubrics -----------------------------------------------------------


class _Hybrids:
    """The rubric ``a`` with the changes of some groups taken from ``b``, built once per
    subset of groups and shared by every partnership."""

    def __init__(self, a: Rubric, b: Rubric, players: tuple[Group, ...]) -> None:
        self.a, self.b, self.players = a, b, players
        self._built: dict[frozenset[Group], Rubric | RubricError] = {}
        self._da = a.model_dump()
        self._db = b.model_dump()

    def get(self, groups: frozenset[Group]) -> Rubric:
        """The hybrid of ``groups``; ``a`` and ``b`` themselves at the two ends.

        Raises:
            RubricError: The hybrid is not a valid rubric.
        """
        if not groups:
            return self.a
        if groups == frozenset(self.players):
            return self.b
        if groups not in self._built:
            try:
                self._built[groups] = hybrid(self._da, self._db, groups)
            except RubricError as exc:
                self._built[groups] = exc
        built = self._built[groups]
        if isinstance(built, RubricError):
            raise built
        return built


def hybrid(da: Mapping[str, Any], db: Mapping[str, Any], groups: frozenset[Group]) -> Rubric:
    """Rubric ``a`` (dumped as ``da``) with the changes of ``groups`` taken from ``b``.

    The structure (pillars, their criteria, profiles, wording) is ``b``'s with
    ``criteria``, else ``a``'s; each attribute of a group applied (weights, gates,
    derive rules, bands, scoring settings) is ``b``'s wherever ``b`` has the item. An
    item only one side has keeps all of that side's attributes.

    Raises:
        RubricError: The mix is not a valid rubric (e.g. a gate caps at a band the
            other rubric lacks).
    """
    base = db if "criteria" in groups else da
    out = dict(base)
    top = ("aggregation", "unknown_policy", "estimate", "min_coverage")
    for key in top:
        out[key] = (db if "scoring" in groups else da)[key]
    out["bands"] = (db if "bands" in groups else da)["bands"]
    out["version"] = f"{str(da['version']).split('+', 1)[0]}+hybrid"
    b_pillars = {p["id"]: p for p in db["pillars"]}
    a_pillars = {p["id"]: p for p in da["pillars"]}
    b_criteria = {c["id"]: c for p in db["pillars"] for c in p["criteria"]}
    a_criteria = {c["id"]: c for p in da["pillars"] for c in p["criteria"]}
    pillars = []
    for p in base["pillars"]:
        q = dict(p)
        src = {"weight": "weights", "aggregation": "scoring"}
        for key, group in src.items():
            side = b_pillars if group in groups else a_pillars
            if p["id"] in side:
                q[key] = side[p["id"]][key]
        criteria = []
        for c in p["criteria"]:
            d = dict(c)
            for key, group in (("weight", "weights"), ("critical", "gates"), ("derive", "derive")):
                side = b_criteria if group in groups else a_criteria
                if c["id"] in side:
                    d[key] = side[c["id"]][key]
            criteria.append(d)
        q["criteria"] = criteria
        pillars.append(q)
    out["pillars"] = pillars
    return rubric_from_dict(out, source="hybrid rubric")


# --- score moves --------------------------------------------------------------------------


def _move(
    p: Partnership, a: Rubric, b: Rubric, players: tuple[Group, ...], hybrids: _Hybrids
) -> ScoreMove:
    old, new = _score(p, a), _score(p, b)
    aside = tuple(sorted(set(p.ratings) - (set(a.pillar_of) & set(b.pillar_of))))
    levels = tuple(_levels(old, new))
    common: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "old": old.overall,
        "new": new.overall,
        "old_band": old.band.id if old.band else None,
        "new_band": new.band.id if new.band else None,
        "levels": levels,
        "set_aside": aside,
    }
    if old.overall is None or new.overall is None:
        return ScoreMove(**common, contributions=(), reason="no-score")
    values: dict[frozenset[Group], int] = {
        frozenset(): _nano(old.overall),
        frozenset(players): _nano(new.overall),
    }
    for size in range(1, len(players)):
        for subset in itertools.combinations(players, size):
            key = frozenset(subset)
            try:
                score = _score(p, hybrids.get(key)).overall
            except RubricError:
                return ScoreMove(**common, contributions=(), reason="rubric-between")
            if score is None:
                return ScoreMove(**common, contributions=(), reason="no-score-between")
            values[key] = _nano(score)
    shares = shapley(players, values)
    return ScoreMove(
        **common,
        contributions=tuple(Contribution(g, shares[g]) for g in players),
        reason=None,
    )


def _score(p: Partnership, rubric: Rubric) -> Assessment:
    """``p`` scored under ``rubric``, ratings of criteria it lacks left out."""
    extra = set(p.ratings) - set(rubric.pillar_of)
    if extra:
        kept = {k: v for k, v in p.ratings.items() if k not in extra}
        p = p.model_copy(update={"ratings": kept})
    return assess(p, rubric)


def _levels(old: Assessment, new: Assessment) -> Iterable[LevelMove]:
    before = {c.id: c for c in old.criteria}
    for c in new.criteria:
        o = before.get(c.id)
        was: int | str = "absent" if o is None else (o.level if o.level is not None else o.state)
        now: int | str = c.level if c.level is not None else c.state
        if was != now:
            yield LevelMove(c.id, was, now)
    for c in old.criteria:
        if c.id not in new.rubric.pillar_of:
            yield LevelMove(c.id, c.level if c.level is not None else c.state, "absent")


def shapley(players: Sequence[Group], values: Mapping[frozenset[Group], int]) -> dict[Group, int]:
    """Shapley values of a game on whole numbers, each rounded to a whole number so that
    they still add up exactly to ``v(all) - v(none)`` (largest remainders).

    Args:
        players: The groups.
        values: ``v(S)`` for every subset ``S`` of ``players``.
    """
    k = len(players)
    exact: dict[Group, Fraction] = {}
    for g in players:
        others = [x for x in players if x != g]
        total = Fraction(0)
        for size in range(k):
            weight = Fraction(
                math.factorial(size) * math.factorial(k - size - 1), math.factorial(k)
            )
            for subset in itertools.combinations(others, size):
                s = frozenset(subset)
                total += weight * (values[s | {g}] - values[s])
        exact[g] = total
    whole = {g: math.floor(v) for g, v in exact.items()}
    missing = values[frozenset(players)] - values[frozenset()] - sum(whole.values())
    # 0 <= missing < k: one more nanopoint to the largest remainders (ties: first group)
    for g in sorted(players, key=lambda g: exact[g] - whole[g], reverse=True)[:missing]:
        whole[g] += 1
    return whole


def _nano(score: float) -> int:
    return round(score * _UNIT)


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


# --- the document's parts ------------------------------------------------------------------


def _said(changes: Sequence[RubricChange]) -> list[Any]:
    return [line(code(c.id), ": ", words.diff.change(c.what, c.old, c.new)) for c in changes]


def _move_lines(m: ScoreMove) -> list[Any]:
    out: list[Any] = []
    if m.reason is not None:
        out.append(line(code(m.id), ": ", words.diff.no_decomposition(m.reason)))
    if m.levels:
        moved = [(x.id, x.old, x.new) for x in m.levels]
        out.append(line(code(m.id), ": ", words.diff.levels_moved(moved)))
    if m.set_aside:
        out.append(line(code(m.id), ": ", words.diff.set_aside(m.set_aside)))
    return out

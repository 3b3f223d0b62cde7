"""Compare assessments side by side, and show what changed between dated ones.

:func:`compare` lines up the pillar and overall scores of several assessments (one
column each). When the same partnership appears more than once with different
``assessed_on`` dates, :meth:`Comparison.changes` lists what changed from each
assessment to the next, in date order: the overall score, the band, the pillars
whose score moved and the criteria whose level or state changed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import TypedDict

from readiness._numbers import rounded
from readiness.assessment import Assessment, CriterionResult
from readiness.document import (
    BulletList,
    Chart,
    Column,
    Document,
    Num,
    Rendered,
    Row,
    Section,
    Table,
    code,
    line,
    words,
)
from readiness.document.charts import grouped_bar_chart
from readiness.errors import InputError, Problem

if TYPE_CHECKING:  # pandas is imported where a table is made, not by the command line
    import pandas as pd

__all__ = [
    "CHANGE_COLUMNS",
    "Change",
    "ChangeData",
    "ComparedAssessment",
    "Comparison",
    "ComparisonData",
    "compare",
]

What = Literal["overall", "band", "pillar", "criterion"]

#: The columns of :meth:`Comparison.changes`.
CHANGE_COLUMNS = ("partnership", "from", "to", "what", "id", "title", "old", "new", "delta")


class RubricRef(TypedDict):
    id: str
    version: str


class ComparedAssessment(TypedDict):
    """One column of a comparison in its JSON document."""

    label: str
    id: str
    name: str
    kind: str
    assessed_on: str | None
    overall: float | None
    band: str | None
    coverage: float
    lower: float | None
    upper: float | None
    pillars: dict[str, float | None]


ChangeData = TypedDict(
    "ChangeData",
    {
        "partnership": str,
        "from": str,
        "to": str,
        "what": What,
        "id": str,
        "title": str,
        "old": "float | int | str | None",
        "new": "float | int | str | None",
        "delta": "float | None",
    },
)
"""One row of :meth:`Comparison.changes` in the JSON document (``from``/``to`` are ISO
dates; ``old``/``new`` a score, a band id, a level or a level state)."""


class ComparisonData(TypedDict):
    """The JSON document of a comparison (``readiness compare --format json``;
    ``readiness schema comparison``)."""

    rubric: RubricRef
    assessments: list[ComparedAssessment]
    changes: list[ChangeData]


@dataclass(frozen=True)
class Change:
    """One row of :meth:`Comparison.changes`, with its values as they are.

    Attributes:
        partnership: The partnership id.
        start: The date of the older assessment.
        end: The date of the newer assessment.
        what: ``overall``, ``band``, ``pillar`` or ``criterion``.
        id: The item's id (``overall`` and ``band`` for those rows).
        title: The item's title.
        old: The value before: a score (float or ``None``), a band id (or ``None``),
            or a level 0-4 (or ``'unknown'``/``'not-applicable'``).
        new: The value after, of the same kind.
        delta: ``new`` minus ``old`` (whole levels for criteria); ``None`` when either
            is missing or not a number, and for bands.
    """

    partnership: str
    start: dt.date
    end: dt.date
    what: What
    id: str
    title: str
    old: Any
    new: Any
    delta: float | None


@dataclass(frozen=True, eq=False)
class Comparison(Rendered):
    """Several assessments side by side. Build it with :func:`compare`.

    Attributes:
        assessments: The assessments, in the order given.
        labels: One column label per assessment: the partnership id, or ``id@date``
            when the same id appears more than once (``#2``, ``#3`` are appended if
            that is still ambiguous).
    """

    assessments: tuple[Assessment, ...]
    labels: tuple[str, ...]

    def plot(self) -> Any:
        """The comparison's chart (pillar scores side by side) as a matplotlib figure,
        the picture its HTML shows. Needs the ``plots`` extra.

        Raises:
            ReportError: matplotlib is not installed.
        """
        from readiness.document.charts import figure_of

        return figure_of(partial(_pillar_chart, self))

    # --- tables -----------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Scores side by side, as numbers.

        Returns:
            A float64 frame with one row per pillar (by pillar id), then ``overall``,
            ``lower`` and ``upper`` (the bounds of the overall score once every unknown
            is known) and ``coverage`` (0-1); one column per assessment, named by :attr:`labels`.
            Missing scores are NaN. ``frame.loc["overall", label]`` is one overall
            score. The bands are text, so they are in :meth:`bands` instead.
        """
        import pandas as pd

        rubric = self.assessments[0].rubric
        index = [p.id for p in rubric.pillars] + ["overall", "lower", "upper", "coverage"]
        data: dict[str, list[float]] = {}
        for label, a in zip(self.labels, self.assessments, strict=True):
            data[label] = [
                *(_nan(p.score) for p in a.pillars),
                _nan(a.overall),
                float(a.lower),
                float(a.upper),
                float(a.coverage),
            ]
        frame = pd.DataFrame(data, index=pd.Index(index, name="id"), dtype="float64")
        frame.columns.name = None
        return frame

    def bands(self) -> pd.Series:
        """The band of each assessment.

        Returns:
            An object Series of band ids (``None`` for an assessment without an overall
            score), indexed by :attr:`labels`, named ``band``.
        """
        import pandas as pd

        return pd.Series(
            [a.band.id if a.band else None for a in self.assessments],
            index=pd.Index(self.labels),
            dtype=object,
            name="band",
        )

    def changes(self) -> pd.DataFrame:
        """What changed between assessments of the same partnership on different dates.

        For each partnership id that appears with two or more distinct ``assessed_on``
        dates, consecutive assessments (in date order) are compared: one ``overall``
        row (always), a ``band`` row when the band changed, one ``pillar`` row per
        pillar whose score changed and one ``criterion`` row per criterion whose level
        or state changed. Assessments without a date take no part.

        Returns:
            A frame with the columns :data:`CHANGE_COLUMNS`: ``partnership`` id,
            ``from`` and ``to`` dates (ISO text), ``what`` (overall, band, pillar,
            criterion), ``id`` and ``title`` of the item, ``old`` and ``new`` values
            (scores; band ids; levels 0-4 or ``'unknown'``/``'not-applicable'``) and
            ``delta`` (new minus old, NaN when either is missing or not a number).
            Rows are grouped by partnership (first appearance) and ordered by date.
        """
        import pandas as pd

        changes = self.change_records()
        columns: dict[str, pd.Series] = {
            "partnership": pd.Series([c.partnership for c in changes], dtype=object),
            "from": pd.Series([c.start.isoformat() for c in changes], dtype=object),
            "to": pd.Series([c.end.isoformat() for c in changes], dtype=object),
            "what": pd.Series([c.what for c in changes], dtype=object),
            "id": pd.Series([c.id for c in changes], dtype=object),
            "title": pd.Series([c.title for c in changes], dtype=object),
            "old": pd.Series([c.old for c in changes], dtype=object),
            "new": pd.Series([c.new for c in changes], dtype=object),
            "delta": pd.Series([_nan(c.delta) for c in changes], dtype="float64"),
        }
        return pd.DataFrame(columns)

    def _pairs(self) -> list[tuple[Assessment, Assessment]]:
        """Consecutive (older, newer) assessments of each partnership, by date."""
        groups: dict[str, list[Assessment]] = {}
        for a in self.assessments:
            if a.partnership.assessed_on is not None:
                groups.setdefault(a.partnership.id, []).append(a)
        pairs = []
        for group in groups.values():
            ordered = sorted(group, key=_date)  # stable: same date keeps input order
            for old, new in itertools.pairwise(ordered):
                if _date(old) != _date(new):
                    pairs.append((old, new))
        return pairs

    def change_records(self) -> tuple[Change, ...]:
        """The rows of :meth:`changes` as :class:`Change` objects, values unconverted."""
        return tuple(c for old, new in self._pairs() for c in _pair_changes(old, new))

    # --- output -----------------------------------------------------------------

    def to_dict(self) -> ComparisonData:
        """A JSON-ready dict (what ``readiness compare --format json`` prints).

        Returns:
            ``rubric`` (id, version), ``assessments`` (one entry per column: label,
            partnership id, name, kind, assessed_on, overall, band, coverage, lower,
            upper and pillar scores by id) and ``changes`` (the rows of
            :meth:`changes`). Scores are rounded to 2 decimals; missing ones are null.
        """
        rubric = self.assessments[0].rubric
        return {
            "rubric": {"id": rubric.id, "version": rubric.version},
            "assessments": [
                {
                    "label": label,
                    "id": a.partnership.id,
                    "name": a.partnership.name,
                    "kind": a.partnership.kind,
                    "assessed_on": _iso(a.partnership.assessed_on),
                    "overall": rounded(a.overall),
                    "band": a.band.id if a.band else None,
                    "coverage": a.coverage,
                    "lower": rounded(a.lower),
                    "upper": rounded(a.upper),
                    "pillars": {p.id: rounded(p.score) for p in a.pillars},
                }
                for label, a in zip(self.labels, self.assessments, strict=True)
            ],
            "changes": [
                {
                    "partnership": c.partnership,
                    "from": c.start.isoformat(),
                    "to": c.end.isoformat(),
                    "what": c.what,
                    "id": c.id,
                    "title": c.title,
                    "old": rounded(c.old) if isinstance(c.old, float) else c.old,
                    "new": rounded(c.new) if isinstance(c.new, float) else c.new,
                    "delta": rounded(c.delta),
                }
                for c in self.change_records()
            ],
        }

    def to_document(self) -> Document:
        """The comparison laid out: the score table, a chart, then what changed."""
        blocks: list[Any] = [
            Table(
                (Column(""), *(Column(label, "score") for label in self.labels)),
                tuple(self._table_rows()),
            ),
            Chart("Pillar scores side by side", partial(_pillar_chart, self)),
        ]
        groups = self._change_groups()
        if groups:
            blocks.append(
                Section("What changed", tuple(_changes_section(h, cs) for h, cs in groups))
            )
        return Document(
            f"Comparison of {len(self.assessments)} assessments",
            tuple(blocks),
            "comparison",
            self.to_dict(),
        )

    def _table_rows(self) -> list[Row]:
        rubric = self.assessments[0].rubric
        items = self.assessments
        rows = [
            Row((p.title, *(a.pillars[i].score for a in items)))
            for i, p in enumerate(rubric.pillars)
        ]
        rows.append(Row(("Overall", *(a.overall for a in items)), strong=True))
        rows.append(Row(("Band", *(a.band.name if a.band else "-" for a in items))))
        rows.append(Row(("Coverage", *(Num(a.coverage, "share") for a in items))))
        return rows

    def _change_groups(self) -> list[tuple[str, list[Change]]]:
        """(heading, changes) for each compared pair, in order."""
        names = {a.partnership.id: a.partnership.name for a in self.assessments}
        groups: dict[tuple[str, dt.date, dt.date], list[Change]] = {}
        for x in self.change_records():
            groups.setdefault((x.partnership, x.start, x.end), []).append(x)
        return [
            (f"{names[pid]} ({pid}): {start.isoformat()} → {end.isoformat()}", changes)
            for (pid, start, end), changes in groups.items()
        ]

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.labels)} assessments: {', '.join(self.labels)}>"


def compare(assessments: Sequence[Assessment]) -> Comparison:
    """Put assessments side by side, and find what changed between dated ones.

    Args:
        assessments: Assessments against the same rubric (id and version), e.g. of
            several partnerships, or of one partnership on different dates.

    Returns:
        A :class:`Comparison`: :meth:`~Comparison.to_frame` for the scores side by
        side, :meth:`~Comparison.changes` for what changed, and Markdown, dict and
        HTML renderings.

    Raises:
        InputError: No assessments, or assessments against different rubrics.

    >>> import readiness
    >>> rubric = readiness.load_rubric()
    >>> p = readiness.Partnership(id="demo", name="Demo", kind="bilateral-alliance",
    ...                           members=("AAA", "BBB"))
    >>> compare([readiness.assess(p, rubric, min_coverage=0)]).labels
    ('demo',)
    """
    if isinstance(assessments, str | bytes) or not isinstance(assessments, Iterable):
        raise InputError(
            f"give a list of assessments (got {type(assessments).__name__})", source="compare"
        )
    items = tuple(assessments)
    wrong = [
        Problem(f"[{i}]", f"not an Assessment (got {type(a).__name__}); score it with assess()")
        for i, a in enumerate(items)
        if not isinstance(a, Assessment)
    ]
    if wrong:
        raise InputError(wrong, source="compare")
    if not items:
        raise InputError("nothing to compare: give at least one assessment", source="compare")
    labels = {a.rubric.label for a in items}
    if len(labels) > 1:
        raise InputError(
            [
                Problem(
                    f"[{i}]",
                    f"assessed against rubric {a.rubric.label}, not {items[0].rubric.label}",
                )
                for i, a in enumerate(items)
                if a.rubric.label != items[0].rubric.label
            ],
            source="compare",
        )
    return Comparison(assessments=items, labels=_labels(items))


# --- helpers ------------------------------------------------------------------------


def _labels(items: Sequence[Assessment]) -> tuple[str, ...]:
    ids = [a.partnership.id for a in items]
    labels = [
        f"{pid}@{_iso(a.partnership.assessed_on) or 'undated'}" if ids.count(pid) > 1 else pid
        for pid, a in zip(ids, items, strict=True)
    ]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return tuple(out)


def _pair_changes(old: Assessment, new: Assessment) -> list[Change]:
    """What changed from ``old`` to ``new`` (two assessments of one partnership)."""
    pid, start, end = new.partnership.id, _date(old), _date(new)
    out = [
        Change(
            pid,
            start,
            end,
            "overall",
            "overall",
            "Overall",
            old.overall,
            new.overall,
            _delta(old.overall, new.overall),
        )
    ]
    old_band = old.band.id if old.band else None
    new_band = new.band.id if new.band else None
    if old_band != new_band:
        out.append(Change(pid, start, end, "band", "band", "Band", old_band, new_band, None))
    for po, pn in zip(old.pillars, new.pillars, strict=True):
        if not _same(po.score, pn.score):
            out.append(
                Change(
                    pid,
                    start,
                    end,
                    "pillar",
                    pn.id,
                    pn.title,
                    po.score,
                    pn.score,
                    _delta(po.score, pn.score),
                )
            )
    for co, cn in zip(old.criteria, new.criteria, strict=True):
        if (co.state, co.level) != (cn.state, cn.level):
            d = None if co.level is None or cn.level is None else float(cn.level - co.level)
            out.append(
                Change(pid, start, end, "criterion", cn.id, cn.title, _level(co), _level(cn), d)
            )
    return out


def _date(a: Assessment) -> dt.date:
    assert a.partnership.assessed_on is not None
    return a.partnership.assessed_on


def _delta(old: float | None, new: float | None) -> float | None:
    return None if old is None or new is None else new - old


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def _level(c: CriterionResult) -> int | str:
    return c.level if c.level is not None else c.state


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# --- the document's parts ---------------------------------------------------------------


def _pillar_chart(c: Comparison) -> str:
    rubric = c.assessments[0].rubric
    return grouped_bar_chart(
        [p.title for p in rubric.pillars],
        pillar_series(c.assessments, c.labels),
        label="Pillar scores side by side",
    )


def pillar_series(
    assessments: Sequence[Assessment], names: Sequence[str]
) -> dict[str, list[float | None]]:
    """Name -> pillar scores, one entry per assessment (a repeated name gets a space, so
    two partnerships with one name still get two bars)."""
    series: dict[str, list[float | None]] = {}
    for name, a in zip(names, assessments, strict=True):
        key = name
        while key in series:
            key += " "
        series[key] = [p.score for p in a.pillars]
    return series


def _changes_section(heading: str, changes: Sequence[Change]) -> Section:
    """One compared pair: overall and band in words, then the pillars and criteria."""
    said: list[Any] = []
    for x in changes:
        if x.what == "overall":
            said.append(words.compare.score_change("Overall", x.old, x.new, x.delta))
        elif x.what == "band":
            said.append(words.compare.band_change(x.old, x.new))
    pillars = sum(1 for x in changes if x.what == "pillar")
    criteria = sum(1 for x in changes if x.what == "criterion")
    said.append(words.compare.changed_counts(pillars, criteria))
    blocks: list[Any] = [BulletList.of(*said)]
    moved = [x for x in changes if x.what in ("pillar", "criterion")]
    if moved:
        columns = (
            Column(""),
            Column("item"),
            Column("before", "score"),
            Column("after", "score"),
            Column("change", "delta"),
        )
        blocks.append(Table(columns, tuple(_change_row(x) for x in moved)))
    return Section(heading, tuple(blocks))


def _change_row(x: Change) -> Row:
    level = x.what == "criterion"

    def value(v: Any) -> Any:
        return Num(v, "level") if level and isinstance(v, int) else v

    delta = Num(x.delta, "level", signed=True) if level else x.delta
    return Row((x.what, line(x.title, " (", code(x.id), ")"), value(x.old), value(x.new), delta))

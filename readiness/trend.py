"""A partnership over time: dated assessments of one partnership, in date order.

:func:`trend` takes assessments of one or more partnerships (each with an
``assessed_on`` date; several files of the same id, or one file read as of several
dates with :func:`readiness.as_of`) and lines them up by date: the
overall score with its interval, the band, the coverage and every pillar per date
(:meth:`Trend.to_frame`), and each change of band with its causes, the criteria whose
level or origin changed between the two dates (:attr:`Trend.band_changes`). Its
document shows the table, the band changes and a chart (the overall score with its
interval, the pillars as small multiples).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from typing_extensions import TypedDict

from readiness._numbers import rounded
from readiness.assessment import Assessment
from readiness.document import (
    BulletList,
    Chart,
    Column,
    Document,
    Item,
    Paragraph,
    Rendered,
    Row,
    Section,
    Table,
    code,
    line,
)
from readiness.document.words import trend as said
from readiness.errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BandChange",
    "Cause",
    "Trend",
    "TrendData",
    "TrendPoint",
    "trend",
]


@dataclass(frozen=True)
class TrendPoint:
    """One dated assessment of a partnership, as a trend shows it."""

    partnership: str
    date: dt.date
    overall: float | None
    band: str | None
    lower: float
    upper: float
    coverage: float
    pillars: tuple[float | None, ...]


@dataclass(frozen=True)
class Cause:
    """A criterion whose level or origin changed between two dates.

    ``old``/``new`` are levels 0-4 or a state (``unknown``, ``not-applicable``);
    ``old_origin``/``new_origin`` say where each came from (``rated``, ``derived``,
    ``overridden``, or ``None`` when the criterion was not rated).
    """

    criterion: str
    title: str
    old: int | str
    new: int | str
    old_origin: str | None
    new_origin: str | None


@dataclass(frozen=True)
class BandChange:
    """A change of band between two consecutive dates, and the criteria behind it."""

    partnership: str
    start: dt.date
    end: dt.date
    old: str | None
    new: str | None
    overall_old: float | None
    overall_new: float | None
    causes: tuple[Cause, ...]


class PointData(TypedDict):
    """One date of a trend in its JSON document."""

    partnership: str
    date: str
    overall: float | None
    band: str | None
    lower: float | None
    upper: float | None
    coverage: float | None
    pillars: dict[str, float | None]


class CauseData(TypedDict):
    """A criterion behind a band change, in the JSON document."""

    criterion: str
    old: int | str
    new: int | str
    old_origin: str | None
    new_origin: str | None


class BandChangeData(TypedDict):
    """A change of band between two dates, in the JSON document."""

    partnership: str
    start: str
    end: str
    old: str | None
    new: str | None
    causes: list[CauseData]


class TrendData(TypedDict):
    """The JSON document of a trend (``readiness trend --format json``;
    ``readiness schema trend``)."""

    rubric: dict[str, str]
    pillars: list[str]
    points: list[PointData]
    band_changes: list[BandChangeData]


@dataclass(frozen=True, eq=False)
class Trend(Rendered):
    """Dated assessments of one or more partnerships, in date order. Build it with
    :func:`trend`.

    Attributes:
        assessments: The assessments, grouped by partnership (first seen first), each
            group in date order.
        points: One :class:`TrendPoint` per assessment, in the same order.
        band_changes: Each change of band between consecutive dates, with its causes.
    """

    assessments: tuple[Assessment, ...]
    points: tuple[TrendPoint, ...]
    band_changes: tuple[BandChange, ...]

    @property
    def partnerships(self) -> tuple[str, ...]:
        """The partnership ids, first seen first."""
        return tuple(dict.fromkeys(p.partnership for p in self.points))

    def to_frame(self) -> pd.DataFrame:
        """One row per (partnership, date): overall, band, lower, upper, coverage and one
        column per pillar id (NaN where there is no score)."""
        import pandas as pd

        pillar_ids = [p.id for p in self.assessments[0].rubric.pillars]
        rows = [
            {
                "partnership": p.partnership,
                "date": p.date,
                "overall": math.nan if p.overall is None else p.overall,
                "band": p.band,
                "lower": p.lower,
                "upper": p.upper,
                "coverage": p.coverage,
                **{
                    pid: math.nan if s is None else s
                    for pid, s in zip(pillar_ids, p.pillars, strict=True)
                },
            }
            for p in self.points
        ]
        return pd.DataFrame(rows).set_index(["partnership", "date"])

    def to_dict(self) -> TrendData:
        """The JSON document: the rubric, the pillar ids, one entry per date and the
        band changes with their causes (scores rounded to 2 decimals)."""
        rubric = self.assessments[0].rubric
        ids = [p.id for p in rubric.pillars]
        return {
            "rubric": {"id": rubric.id, "version": rubric.version},
            "pillars": ids,
            "points": [
                {
                    "partnership": p.partnership,
                    "date": p.date.isoformat(),
                    "overall": rounded(p.overall),
                    "band": p.band,
                    "lower": rounded(p.lower),
                    "upper": rounded(p.upper),
                    "coverage": rounded(p.coverage),
                    "pillars": {i: rounded(s) for i, s in zip(ids, p.pillars, strict=True)},
                }
                for p in self.points
            ],
            "band_changes": [
                {
                    "partnership": b.partnership,
                    "start": b.start.isoformat(),
                    "end": b.end.isoformat(),
                    "old": b.old,
                    "new": b.new,
                    "causes": [
                        {
                            "criterion": c.criterion,
                            "old": c.old,
                            "new": c.new,
                            "old_origin": c.old_origin,
                            "new_origin": c.new_origin,
                        }
                        for c in b.causes
                    ],
                }
                for b in self.band_changes
            ],
        }

    def to_document(self) -> Document:
        """The trend laid out: per partnership, the table by date, the band changes with
        their causes, and the chart."""
        names = {a.partnership.id: a.partnership.name for a in self.assessments}
        sections = tuple(self._section(pid, names[pid]) for pid in self.partnerships)
        title = (
            f"Trend of {names[self.partnerships[0]]}"
            if len(sections) == 1
            else f"Trends of {len(sections)} partnerships"
        )
        blocks = sections[0].blocks if len(sections) == 1 else sections
        return Document(title, tuple(blocks), "trend", self.to_dict())

    def _section(self, pid: str, name: str) -> Section:
        rubric = self.assessments[0].rubric
        points = [p for p in self.points if p.partnership == pid]
        columns = (
            Column("date"),
            Column("overall", "score"),
            Column("band"),
            Column("range"),
            Column("coverage", "share"),
            *(Column(p.id, "score") for p in rubric.pillars),
        )
        rows = tuple(
            Row(
                (
                    p.date.isoformat(),
                    p.overall,
                    p.band or "-",
                    said.interval(p.lower, p.upper),
                    p.coverage,
                    *p.pillars,
                )
            )
            for p in points
        )
        changes = [b for b in self.band_changes if b.partnership == pid]
        blocks: list[Any] = [Table(columns, rows)]
        if changes:
            blocks.append(Section("Band changes", (_band_changes(changes),)))
        elif len(points) > 1:
            blocks.append(Paragraph.of(said.no_band_change(len(points))))
        blocks.append(Chart(said.chart_alt(name, len(points)), partial(_chart, self, pid, name)))
        return Section(f"{name} ({pid})", tuple(blocks), id=f"trend-{pid}")


def trend(assessments: Iterable[Assessment]) -> Trend:
    """Line dated assessments up by date, per partnership.

    Args:
        assessments: Assessments against one rubric (id and version), each with an
            ``assessed_on`` date; one partnership may appear on several dates, never
            twice on one date.

    Raises:
        InputError: No assessments, one without a date, the same partnership twice on
            one date, or assessments against different rubrics (named by position).
    """
    items = tuple(assessments)
    if not items:
        raise InputError("nothing to follow: give at least one dated assessment", source="trend")
    problems = []
    seen: dict[tuple[str, dt.date], int] = {}
    for i, a in enumerate(items):
        if not isinstance(a, Assessment):
            problems.append(Problem(f"[{i}]", f"not an Assessment (got {type(a).__name__})"))
            continue
        day = a.partnership.assessed_on
        if day is None:
            problems.append(
                Problem(f"[{i}]", f"{a.partnership.id} has no assessed_on date; a trend needs one")
            )
        elif (a.partnership.id, day) in seen:
            first = seen[(a.partnership.id, day)]
            problems.append(
                Problem(f"[{i}]", f"{a.partnership.id} on {day} is given twice (also [{first}])")
            )
        else:
            seen[(a.partnership.id, day)] = i
        if a.rubric.label != items[0].rubric.label:
            problems.append(
                Problem(f"[{i}]", f"rubric {a.rubric.label}, not {items[0].rubric.label}")
            )
    if problems:
        raise InputError(problems, source="trend")
    groups: dict[str, list[Assessment]] = {}
    for a in items:
        groups.setdefault(a.partnership.id, []).append(a)
    ordered = tuple(
        a for g in groups.values() for a in sorted(g, key=lambda x: x.partnership.as_of)
    )
    points = tuple(_point(a) for a in ordered)
    changes = tuple(
        _band_change(old, new)
        for g in groups.values()
        for old, new in itertools.pairwise(sorted(g, key=lambda x: x.partnership.as_of))
        if (old.band.id if old.band else None) != (new.band.id if new.band else None)
    )
    return Trend(assessments=ordered, points=points, band_changes=changes)


# --- helpers ------------------------------------------------------------------------


def _point(a: Assessment) -> TrendPoint:
    return TrendPoint(
        partnership=a.partnership.id,
        date=a.partnership.as_of,
        overall=a.overall,
        band=a.band.name if a.band else None,
        lower=a.lower,
        upper=a.upper,
        coverage=a.coverage,
        pillars=tuple(p.score for p in a.pillars),
    )


def _state(a: Assessment, cid: str) -> tuple[int | str, str | None]:
    c = a.criterion(cid)
    if c.level is not None:
        return c.level, c.origin
    return c.state, None


def _band_change(old: Assessment, new: Assessment) -> BandChange:
    causes = []
    for c in new.criteria:
        (lo, oo), (ln, on) = _state(old, c.id), _state(new, c.id)
        if lo != ln or oo != on:
            causes.append(Cause(c.id, c.title, lo, ln, oo, on))
    return BandChange(
        partnership=new.partnership.id,
        start=old.partnership.as_of,
        end=new.partnership.as_of,
        old=old.band.name if old.band else None,
        new=new.band.name if new.band else None,
        overall_old=old.overall,
        overall_new=new.overall,
        causes=tuple(causes),
    )


def _band_changes(changes: Sequence[BandChange]) -> BulletList:
    items = []
    for b in changes:
        head = line(said.band_change(b.start, b.end, b.old, b.new, b.overall_old, b.overall_new))
        kids = tuple(
            Item(
                line(
                    c.title,
                    " (",
                    code(c.criterion),
                    "): " + said.cause(c.old, c.new, c.old_origin, c.new_origin),
                )
            )
            for c in b.causes
        )
        items.append(Item(head, kids))
    return BulletList(tuple(items))


def _chart(t: Trend, pid: str, name: str) -> str:
    """The overall score with its interval over time, and each pillar as a small
    multiple (matplotlib)."""
    from readiness.document.charts import GRID, RANGE, SCORE, draw, short_label, style_axis

    rubric = t.assessments[0].rubric
    points = [p for p in t.points if p.partnership == pid]
    days = [p.date for p in points]
    n = len(rubric.pillars)
    cols = 4
    rows = -(-n // cols)

    def nan(x: float | None) -> float:
        return math.nan if x is None else x

    def paint(fig: Any) -> None:
        grid = fig.add_gridspec(rows + 2, cols)
        ax = fig.add_subplot(grid[:2, :])
        ax.fill_between(
            days,
            [p.lower for p in points],
            [p.upper for p in points],
            color=RANGE,
            alpha=0.35,
            linewidth=0,
            label="Range once unknowns are known",
        )
        ax.plot(days, [nan(p.overall) for p in points], "o-", color=SCORE, label="Overall")
        ax.set_ylim(0, 100)
        ax.set_ylabel("Score")
        ax.grid(color=GRID, linewidth=0.6)
        ax.legend(loc="lower left", fontsize=7)
        for k, pillar in enumerate(rubric.pillars):
            sub = fig.add_subplot(grid[2 + k // cols, k % cols])
            sub.plot(days, [nan(p.pillars[k]) for p in points], "-", color=SCORE, linewidth=1)
            sub.set_ylim(0, 100)
            sub.set_title(short_label(pillar.title, 28), fontsize=7)
            sub.tick_params(labelsize=6)
            sub.set_xticks([])
            style_axis(sub)

    label = said.chart_alt(name, len(points))
    return draw(f"trend-{_salt(pid)}", label, 2.2 + 1.3 * rows, paint)


def _salt(pid: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in pid.lower()).strip("-") or "p"

"""Compare assessments side by side, and show what changed between dated ones.

:func:`compare` lines up the pillar and overall scores of several assessments (one
column each). When the same partnership appears more than once with different
``assessed_on`` dates, :meth:`Comparison.changes` lists what changed from each
assessment to the next, in date order: the overall score, the band, the pillars
whose score moved and the criteria whose level or state changed.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from readiness._numbers import rounded, shown
from readiness.assessment import Assessment, CriterionResult
from readiness.errors import InputError, Problem

__all__ = ["CHANGE_COLUMNS", "Comparison", "compare"]

What = Literal["overall", "band", "pillar", "criterion"]

#: The columns of :meth:`Comparison.changes`.
CHANGE_COLUMNS = ("partnership", "from", "to", "what", "id", "title", "old", "new", "delta")


@dataclass(frozen=True)
class _Change:
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
class Comparison:
    """Several assessments side by side. Build it with :func:`compare`.

    Attributes:
        assessments: The assessments, in the order given.
        labels: One column label per assessment: the partnership id, or ``id@date``
            when the same id appears more than once (``#2``, ``#3`` are appended if
            that is still ambiguous).
    """

    assessments: tuple[Assessment, ...]
    labels: tuple[str, ...]

    # --- tables -----------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Scores side by side.

        Returns:
            One row per pillar (by pillar id), then ``overall``, ``band`` (band id,
            ``None`` without an overall score) and ``coverage`` (0-1); one column per
            assessment, named by :attr:`labels`. Missing scores are NaN.
        """
        rubric = self.assessments[0].rubric
        index = [p.id for p in rubric.pillars] + ["overall", "band", "coverage"]
        data: dict[str, list[Any]] = {}
        for label, a in zip(self.labels, self.assessments, strict=True):
            data[label] = [
                *(_nan(p.score) for p in a.pillars),
                _nan(a.overall),
                a.band.id if a.band else None,
                a.coverage,
            ]
        frame = pd.DataFrame(data, index=pd.Index(index, name="id"), dtype=object)
        frame.columns.name = None
        return frame

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
        changes = self._changes()
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

    def _changes(self) -> list[_Change]:
        return [c for old, new in self._pairs() for c in _pair_changes(old, new)]

    # --- output -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
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
                    "coverage": round(a.coverage, 4),
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
                for c in self._changes()
            ],
        }

    def _score_rows(self) -> list[tuple[str, list[str]]]:
        """(row title, one cell per assessment) for the side-by-side table."""
        rubric = self.assessments[0].rubric
        rows = [
            (p.title, [shown(a.pillars[i].score) for a in self.assessments])
            for i, p in enumerate(rubric.pillars)
        ]
        rows.append(("Overall", [shown(a.overall) for a in self.assessments]))
        rows.append(("Band", [a.band.name if a.band else "-" for a in self.assessments]))
        rows.append(("Coverage", [f"{a.coverage:.0%}" for a in self.assessments]))
        return rows

    def _change_groups(self) -> list[tuple[str, list[_Change]]]:
        """(heading, changes) for each compared pair, in order."""
        names = {a.partnership.id: a.partnership.name for a in self.assessments}
        groups: dict[tuple[str, dt.date, dt.date], list[_Change]] = {}
        for c in self._changes():
            groups.setdefault((c.partnership, c.start, c.end), []).append(c)
        return [
            (f"{names[pid]} ({pid}): {start.isoformat()} → {end.isoformat()}", changes)
            for (pid, start, end), changes in groups.items()
        ]

    def to_markdown(self) -> str:
        """The comparison as Markdown: the score table, then what changed.

        Returns:
            A Markdown document; text from input files is escaped.
        """
        head = "| | " + " | ".join(_md(label) for label in self.labels) + " |"
        rule = "|---|" + "---:|" * len(self.labels)
        out = [f"# Comparison of {len(self.assessments)} assessments", "", head, rule]
        for title, cells in self._score_rows():
            bold = title == "Overall"
            name = f"**{_md(title)}**" if bold else _md(title)
            shown = [f"**{_md(c)}**" if bold else _md(c) for c in cells]
            out.append(f"| {name} | " + " | ".join(shown) + " |")
        groups = self._change_groups()
        if groups:
            out += ["", "## What changed"]
        for heading, changes in groups:
            out += ["", f"### {_md(heading)}", ""]
            out += [f"- {_md(line)}" for line in _summary_lines(changes)]
            table = [c for c in changes if c.what in ("pillar", "criterion")]
            if table:
                out += ["", "| | item | before | after | change |", "|---|---|---:|---:|---:|"]
                out += [
                    f"| {c.what} | {_md(c.title)} (`{c.id}`) | {_md(_show(c.old))} | "
                    f"{_md(_show(c.new))} | {_signed(c.delta, c.what)} |"
                    for c in table
                ]
        return "\n".join(out) + "\n"

    def to_text(self) -> str:
        """The comparison as fixed-width text for terminals (``--format table``).

        Returns:
            The score table, then what changed.
        """
        rows = self._score_rows()
        name_w = max(len(t) for t, _ in rows)
        widths = [
            max(len(label), *(len(cells[i]) for _, cells in rows))
            for i, label in enumerate(self.labels)
        ]
        lines = [
            " " * name_w
            + "".join(f"  {label:>{w}}" for label, w in zip(self.labels, widths, strict=True))
        ]
        for title, cells in rows:
            lines.append(
                f"{title:<{name_w}}"
                + "".join(f"  {c:>{w}}" for c, w in zip(cells, widths, strict=True))
            )
        for heading, changes in self._change_groups():
            lines += ["", f"What changed, {heading}"]
            lines += [f"  {line}" for line in _summary_lines(changes)]
            for c in changes:
                if c.what in ("pillar", "criterion"):
                    delta = "" if c.delta is None else f" ({_signed(c.delta, c.what)})"
                    lines.append(f"  {c.what} {c.id}: {_show(c.old)} → {_show(c.new)}{delta}")
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        """HTML for notebooks: the score table, a chart when available, what changed."""
        e = html.escape
        head = "".join(f"<th>{e(label)}</th>" for label in self.labels)
        body = []
        for title, cells in self._score_rows():
            tds = "".join(f'<td style="text-align:right">{e(c)}</td>' for c in cells)
            body.append(f"<tr><th style='text-align:left'>{e(title)}</th>{tds}</tr>")
        parts = [
            '<div class="readiness-comparison">',
            f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
            _chart_html(self),
        ]
        for heading, changes in self._change_groups():
            parts.append(f"<h4>What changed, {e(heading)}</h4>")
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in _summary_lines(changes)))
            parts.append("</ul>")
            rows = "".join(
                f"<tr><td>{e(c.what)}</td><td>{e(c.title)} (<code>{e(c.id)}</code>)</td>"
                f'<td style="text-align:right">{e(_show(c.old))}</td>'
                f'<td style="text-align:right">{e(_show(c.new))}</td>'
                f'<td style="text-align:right">{e(_signed(c.delta, c.what))}</td></tr>'
                for c in changes
                if c.what in ("pillar", "criterion")
            )
            if rows:
                parts.append(
                    "<table><thead><tr><th></th><th>item</th><th>before</th><th>after</th>"
                    f"<th>change</th></tr></thead><tbody>{rows}</tbody></table>"
                )
        parts.append("</div>")
        return "".join(parts)

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
    items = tuple(assessments)
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


def _chart_html(c: Comparison) -> str:
    """Pillar scores as grouped bars (inline SVG); empty without matplotlib."""
    from readiness.errors import ReportError
    from readiness.report import charts

    if not charts.available():
        return ""
    pillars = c.assessments[0].rubric.pillars
    series = {
        label: [p.score for p in a.pillars]
        for label, a in zip(c.labels, c.assessments, strict=True)
    }
    try:
        svg = charts.grouped_bar_chart(
            [p.title for p in pillars], series, label="Pillar scores side by side", salt="compare"
        )
    except ReportError:
        return ""
    return f'<div style="max-width:640px">{svg}</div>' if svg else ""


def _pair_changes(old: Assessment, new: Assessment) -> list[_Change]:
    """What changed from ``old`` to ``new`` (two assessments of one partnership)."""
    pid, start, end = new.partnership.id, _date(old), _date(new)
    out = [
        _Change(
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
        out.append(_Change(pid, start, end, "band", "band", "Band", old_band, new_band, None))
    for po, pn in zip(old.pillars, new.pillars, strict=True):
        if not _same(po.score, pn.score):
            out.append(
                _Change(
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
                _Change(pid, start, end, "criterion", cn.id, cn.title, _level(co), _level(cn), d)
            )
    return out


def _summary_lines(changes: Sequence[_Change]) -> list[str]:
    lines = []
    for c in changes:
        if c.what == "overall":
            delta = "" if c.delta is None else f" ({_signed(c.delta)})"
            lines.append(f"Overall: {_show(c.old)} → {_show(c.new)}{delta}")
        elif c.what == "band":
            lines.append(f"Band: {_show(c.old)} → {_show(c.new)}")
    pillars = sum(1 for c in changes if c.what == "pillar")
    criteria = sum(1 for c in changes if c.what == "criterion")
    lines.append(f"{pillars} pillar score(s) and {criteria} criterion rating(s) changed")
    return lines


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


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _signed(value: float | None, what: str = "") -> str:
    """A signed change: whole levels for criteria, one decimal for scores."""
    if value is None:
        return ""
    return f"{round(value):+d}" if what == "criterion" else f"{value:+.1f}"


def _md(text: object) -> str:
    """Escape text from input files for a Markdown table cell or line."""
    s = str(text)
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")

"""Alliances over time from ATOP: every alliance's trend by year, members joining and
leaving, and how many alliances deepened or hollowed out per decade.

:func:`atop_trend` reads the member-level file (``atop5_1m.csv``) and, optionally, the
institutionalisation file (``atopinst5_1.csv``) of ATOP 5.1 and gives, per alliance and
year (:func:`readiness.io.atop.atop_panel`): the members, those who joined and those who
left, the alliance's score over the pillars ATOP informs with its band and range (as
:func:`readiness.io.atop.score_atop` scores one alliance), each of those pillars, and
the institutionalisation measures of Leeds and Anac (2005). :meth:`AtopTrend.of` picks
one alliance (its table of the years something changed, and a chart); without one, the
document summarises every alliance by decade.

Deepened and hollowed out are read from the institutionalisation measures ATOP
publishes with its data (codebook v5.1, section 2.34; Leeds and Anac 2005): ``milinst``,
the peacetime military institutionalisation (0 none, 1 moderate, 2 high) and
``formal``, the formality of the alliance (0-2), both coded per alliance phase; a
renegotiation that changes an alliance's obligations or institutions starts a new phase
(codebook, section 1.53). For each decade, an alliance in effect in it is compared at
its last year in the decade with the year before its first year in the decade (or, for
one formed in the decade, its first year):

- it **deepened** when ``milinst`` or ``formal`` rose and neither fell;
- it **hollowed out** when ``milinst`` or ``formal`` fell and neither rose;
- a measure unknown at either end leaves the alliance in neither count.

A member **joined** in a year when it is in the alliance that year, was not the year
before, and the alliance was in effect the year before (founders do not count as
joining); it **left** in the last year it was in, when the alliance was still in effect
the year after (an alliance that ends is not its members leaving).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from typing_extensions import TypedDict

from readiness._numbers import rounded
from readiness.document import (
    Chart,
    Column,
    Document,
    Facts,
    Paragraph,
    Rendered,
    Row,
    Section,
    Table,
)
from readiness.document.words import atop_trend as said
from readiness.errors import InputError, Problem
from readiness.io.atop import (
    LAST_YEAR,
    _member_years,
    _overall,
    _read_inst,
    _read_member_codes,
    atop_panel,
    atop_pillars,
)
from readiness.io.cow import member_code
from readiness.rubric import Rubric, load_rubric

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["AtopTrend", "AtopTrendData", "atop_trend"]

_MEASURES = ("milinst", "formal")


class DecadeData(TypedDict):
    """One decade of the summary over all alliances."""

    decade: int
    alliances: int
    formed: int
    ended: int
    deepened: int
    hollowed_out: int
    joined: int
    left: int


class YearData(TypedDict):
    """One year of one alliance."""

    year: int
    phase: int
    members: int
    joined: list[str]
    left: list[str]
    overall: float | None
    band: str | None
    lower: float | None
    upper: float | None
    coverage: float | None
    milinst: int | None
    formal: int | None
    pillars: dict[str, float | None]


class AtopTrendData(TypedDict):
    """The JSON document of ``readiness trend --atop`` (``readiness schema atop-trend``):
    the decades over all alliances, and the years of the alliance chosen (else empty)."""

    rubric: dict[str, str]
    pillars: list[str]
    first_year: int
    last_year: int
    alliances: int
    decades: list[DecadeData]
    alliance: str | None
    years: list[YearData]


@dataclass(frozen=True, eq=False)
class AtopTrend(Rendered):
    """Every ATOP alliance by year. Build it with :func:`atop_trend`.

    Attributes:
        years: One row per alliance-year (index ``partnership``, ``year``): ``atopid``,
            ``phase``, ``members``, ``joined`` and ``left`` (how many), ``milinst`` and
            ``formal`` (NA when unknown or not read), ``overall`` with
            ``overall.coverage``, ``band``, ``lower``, ``upper``, then each pillar ATOP
            informs with ``<pillar>.coverage``.
        changes: One row per member joining or leaving: ``partnership``, ``year``,
            ``member`` (ISO 3166-1 alpha-3 or ``COW-<code>``), ``change``
            (``joined``/``left``).
        decades: One row per decade (index ``decade``, e.g. 1940): ``alliances`` in
            effect, ``formed``, ``ended``, ``deepened``, ``hollowed_out``, ``joined``
            and ``left`` (members).
        rubric: The rubric scored against.
        alliance: The alliance chosen with :meth:`of` (``atop-<atopid>``), else ``None``.
    """

    years: pd.DataFrame
    changes: pd.DataFrame
    decades: pd.DataFrame
    rubric: Rubric
    alliance: str | None = None

    @property
    def pillars(self) -> tuple[str, ...]:
        """The pillars ATOP informs, in rubric order."""
        return tuple(p for p in atop_pillars(self.rubric) if p in self.years.columns)

    def of(self, alliance: str | int) -> AtopTrend:
        """The same trends, showing one alliance (``3180``, ``"3180"`` or ``"atop-3180"``).

        Raises:
            InputError: No alliance of that id in the data.
        """
        key = str(alliance).strip().lower()
        key = key if key.startswith("atop-") else f"atop-{key}"
        if key not in self.years.index.get_level_values("partnership"):
            raise InputError(
                [Problem("--alliance", f"no ATOP alliance {alliance!r} in the member-level file")],
                source="atop",
            )
        return AtopTrend(self.years, self.changes, self.decades, self.rubric, key)

    def to_frame(self) -> pd.DataFrame:
        """The alliance-years (:attr:`years`), only the chosen alliance's when one is."""
        if self.alliance is None:
            return self.years
        ids = self.years.index.get_level_values("partnership")
        return self.years[ids == self.alliance]

    def to_dict(self) -> AtopTrendData:
        """The JSON document (scores rounded to 2 decimals)."""
        yrs = self.years.index.get_level_values("year")
        return {
            "rubric": {"id": self.rubric.id, "version": self.rubric.version},
            "pillars": list(self.pillars),
            "first_year": int(yrs.min()),
            "last_year": int(yrs.max()),
            "alliances": int(self.years.index.get_level_values("partnership").nunique()),
            "decades": [
                {"decade": int(d), **{k: int(v) for k, v in row.items()}}  # type: ignore[typeddict-item]
                for d, row in self.decades.iterrows()
            ],
            "alliance": self.alliance,
            "years": self._years_data(),
        }

    def _years_data(self) -> list[YearData]:
        if self.alliance is None:
            return []
        frame = self.to_frame()
        moved = self._moves()
        out: list[YearData] = []
        for year, (_, row) in zip(
            frame.index.get_level_values("year"), frame.iterrows(), strict=True
        ):
            joined, left = moved.get(int(year), ([], []))
            out.append(
                {
                    "year": int(year),
                    "phase": int(row["phase"]),
                    "members": int(row["members"]),
                    "joined": joined,
                    "left": left,
                    "overall": rounded(_num(row["overall"])),
                    "band": row["band"] if isinstance(row["band"], str) else None,
                    "lower": rounded(_num(row["lower"])),
                    "upper": rounded(_num(row["upper"])),
                    "coverage": rounded(_num(row["overall.coverage"])),
                    "milinst": _int(row["milinst"]),
                    "formal": _int(row["formal"]),
                    "pillars": {p: rounded(_num(row[p])) for p in self.pillars},
                }
            )
        return out

    def _moves(self) -> dict[int, tuple[list[str], list[str]]]:
        """Year -> (members joined, members left) of the chosen alliance."""
        c = self.changes[self.changes["partnership"] == self.alliance]
        out: dict[int, tuple[list[str], list[str]]] = {}
        for year, member, change in zip(c["year"], c["member"], c["change"], strict=True):
            joined, left = out.setdefault(int(year), ([], []))
            (joined if change == "joined" else left).append(member)
        return out

    def to_document(self) -> Document:
        """One alliance (its facts, the years something changed, the chart), or the
        summary by decade over every alliance."""
        data = self.to_dict()
        if self.alliance is None:
            return Document(
                said.summary_title(data["first_year"], data["last_year"]),
                self._summary_blocks(data),
                "atop-trend",
                data,
            )
        return Document(
            said.alliance_title(self.alliance), self._alliance_blocks(data), "atop-trend", data
        )

    def _summary_blocks(self, data: AtopTrendData) -> tuple[Any, ...]:
        columns = (
            Column("decade"),
            Column("alliances", "count"),
            Column("formed", "count"),
            Column("ended", "count"),
            Column("deepened", "count"),
            Column("hollowed out", "count"),
            Column("members joined", "count"),
            Column("members left", "count"),
        )
        rows = tuple(
            Row(
                (
                    said.decade(d["decade"]),
                    d["alliances"],
                    d["formed"],
                    d["ended"],
                    d["deepened"],
                    d["hollowed_out"],
                    d["joined"],
                    d["left"],
                )
            )
            for d in data["decades"]
        )
        deepened = sum(d["deepened"] for d in data["decades"])
        hollowed = sum(d["hollowed_out"] for d in data["decades"])
        return (
            Paragraph.of(said.summary_lede(data["alliances"], deepened, hollowed)),
            Table(columns, rows),
            Section("How deepened and hollowed out are read", (Paragraph.of(said.DEFINITIONS),)),
        )

    def _alliance_blocks(self, data: AtopTrendData) -> tuple[Any, ...]:
        years = data["years"]
        first, last = years[0], years[-1]
        facts = Facts.of(
            [
                ("in effect", said.span(first["year"], last["year"], data["last_year"])),
                ("members", said.members(first["members"], last["members"])),
                ("phases", str(len({y["phase"] for y in years}))),
                ("joined", str(sum(len(y["joined"]) for y in years))),
                ("left", str(sum(len(y["left"]) for y in years))),
            ]
        )
        # pillars ATOP says nothing about for this alliance stay out of its table and chart
        pillars = [p for p in data["pillars"] if any(y["pillars"][p] is not None for y in years)]
        columns = (
            Column("year"),
            Column("members", "count"),
            Column("joined"),
            Column("left"),
            Column("overall", "score"),
            Column("band"),
            Column("range"),
            Column("milinst", "count"),
            Column("formal", "count"),
            *(Column(p, "score") for p in pillars),
        )
        shown = _changed(years)
        rows = tuple(
            Row(
                (
                    str(y["year"]),
                    y["members"],
                    ", ".join(y["joined"]),
                    ", ".join(y["left"]),
                    y["overall"],
                    y["band"] or "-",
                    said.interval(y["lower"], y["upper"]),
                    y["milinst"],
                    y["formal"],
                    *(y["pillars"][p] for p in pillars),
                )
            )
            for y in shown
        )
        label = said.chart_alt(self.alliance or "", first["year"], last["year"])
        return (
            facts,
            Paragraph.of(said.years_shown(len(shown), len(years))),
            Table(columns, rows),
            Chart(label, lambda: _chart(years, pillars, self.rubric, label)),
        )


def atop_trend(
    members: Path | str,
    rubric: Rubric | None = None,
    *,
    inst: Path | str | None = None,
    last_year: int = LAST_YEAR,
) -> AtopTrend:
    """Every ATOP alliance by year, members joining and leaving, and the decades.

    Args:
        members: The member-level CSV file (``atop5_1m.csv``).
        rubric: The rubric; default :func:`readiness.load_rubric`.
        inst: The institutionalisation file (``atopinst5_1.csv``); without it
            ``milinst``/``formal`` are unknown and no alliance deepens or hollows out.
        last_year: The last year of alliances still in effect (ATOP 5.1: 2018).

    Returns:
        An :class:`AtopTrend` (see the module docstring for the definitions).

    Raises:
        InputError: A file is missing or bad, every bad cell named by line and column.
    """
    rubric = rubric or load_rubric()
    panel = atop_panel(members, rubric, inst=inst, last_year=last_year)
    table, _ = _read_member_codes(members)
    rows, years = _member_years(table, last_year)
    spells = pd.DataFrame(
        {"atopid": table["atopid"].to_numpy()[rows], "cow": table["cow"].to_numpy()[rows],
         "year": years}
    ).drop_duplicates()  # fmt: skip
    changes, counts = _membership_changes(spells)
    measures = _measures(table, rows, years, inst, panel.index)
    overall = _overall(panel, rubric)
    pillars = [c for c in panel.columns if c in {p.id for p in rubric.pillars} or
               c.endswith(".coverage")]  # fmt: skip
    out = pd.concat(
        [panel[["atopid", "phase", "members"]], counts.reindex(panel.index, fill_value=0),
         measures, overall, panel[pillars]],
        axis=1,
    )  # fmt: skip
    return AtopTrend(out, changes, _decades(out, last_year), rubric)


# --- helpers -----------------------------------------------------------------------------


def _membership_changes(spells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members joining and leaving, one row each, and their counts per alliance-year."""
    alive = pd.MultiIndex.from_frame(spells[["atopid", "year"]].drop_duplicates())
    there = pd.MultiIndex.from_frame(spells[["atopid", "cow", "year"]])
    a, c, y = (spells[k].to_numpy() for k in ("atopid", "cow", "year"))
    before = pd.MultiIndex.from_arrays([a, c, y - 1]).isin(there)
    after = pd.MultiIndex.from_arrays([a, c, y + 1]).isin(there)
    alive_before = pd.MultiIndex.from_arrays([a, y - 1]).isin(alive)
    alive_after = pd.MultiIndex.from_arrays([a, y + 1]).isin(alive)
    joined = ~before & alive_before
    left = ~after & alive_after
    moves = pd.concat(
        [
            spells[joined].assign(change="joined"),
            spells[left].assign(change="left"),
        ]
    ).sort_values(["atopid", "year", "change", "cow"], kind="stable")
    changes = pd.DataFrame(
        {
            "partnership": [f"atop-{i}" for i in moves["atopid"]],
            "year": moves["year"].to_numpy(),
            "member": [member_code(int(code)) for code in moves["cow"]],
            "change": moves["change"].to_numpy(),
        }
    )
    index = pd.MultiIndex.from_arrays([[f"atop-{i}" for i in a], y], names=["partnership", "year"])
    counts = pd.DataFrame({"joined": joined.astype(np.int64), "left": left.astype(np.int64)},
                          index=index).groupby(level=[0, 1]).sum()  # fmt: skip
    return changes.reset_index(drop=True), counts


def _measures(
    table: pd.DataFrame,
    rows: np.ndarray,
    years: np.ndarray,
    inst: Path | str | None,
    index: pd.Index,
) -> pd.DataFrame:
    """``milinst``/``formal`` per alliance-year: the highest over the phases in effect."""
    if inst is None:
        return pd.DataFrame({m: pd.array([pd.NA] * len(index), dtype="Int64")
                             for m in _MEASURES}, index=index)  # fmt: skip
    levels = _read_inst(inst)
    key = pd.MultiIndex.from_arrays(
        [table["atopid"].to_numpy()[rows], table["phase"].to_numpy()[rows]]
    )
    joined = levels.reindex(key)
    long = pd.DataFrame(
        {"partnership": [f"atop-{i}" for i in key.get_level_values(0)], "year": years,
         **{m: joined[m].to_numpy() for m in _MEASURES}}
    )  # fmt: skip
    out = long.groupby(["partnership", "year"])[list(_MEASURES)].max()
    return out.reindex(index).astype("Int64")


def _decades(years: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """The summary by decade (see the module docstring); an alliance in effect in
    ``last_year`` has not ended."""
    ids = years.index.get_level_values("partnership").to_numpy()
    yrs = years.index.get_level_values("year").to_numpy().astype(np.int64)
    decade = yrs // 10 * 10
    frame = pd.DataFrame(
        {"id": ids, "year": yrs, "decade": decade,
         **{m: years[m].to_numpy(dtype=np.float64, na_value=np.nan) for m in _MEASURES},
         "joined": years["joined"].to_numpy(), "left": years["left"].to_numpy()}
    )  # fmt: skip
    same = np.r_[False, ids[1:] == ids[:-1]]
    contiguous = same & np.r_[False, yrs[1:] == yrs[:-1] + 1]
    first_in_decade = ~(same & np.r_[False, decade[1:] == decade[:-1]])
    last_in_decade = np.r_[first_in_decade[1:], True]  # rows are sorted by id, year
    up = np.zeros(int(first_in_decade.sum()), dtype=bool)
    down = np.zeros_like(up)
    known = np.ones_like(up)
    for m in _MEASURES:
        values = frame[m].to_numpy()
        previous = np.r_[np.nan, values[:-1]]
        begin = np.where(contiguous, previous, values)[first_in_decade]
        end = values[last_in_decade]
        known &= ~np.isnan(end) & ~np.isnan(begin)
        up |= end > begin
        down |= end < begin
    per = pd.DataFrame(
        {"deepened": known & up & ~down, "hollowed_out": known & down & ~up},
        index=pd.Index(decade[first_in_decade], name="decade"),
    )
    born = frame.groupby("id")["year"].min()
    died = frame.groupby("id")["year"].max()
    summary = pd.DataFrame(
        {
            "alliances": frame.groupby("decade")["id"].nunique(),
            "formed": (born // 10 * 10).value_counts(),
            "ended": (died[died < last_year] // 10 * 10).value_counts(),
            "deepened": per.groupby(level="decade")["deepened"].sum(),
            "hollowed_out": per.groupby(level="decade")["hollowed_out"].sum(),
            "joined": frame.groupby("decade")["joined"].sum(),
            "left": frame.groupby("decade")["left"].sum(),
        }
    )
    summary = summary.fillna(0).astype(np.int64).sort_index()
    summary.index.name = "decade"
    return summary


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _changed(years: Sequence[YearData]) -> list[YearData]:
    """The first and last year, and every year whose members, band, phase, measures or
    rounded scores differ from the year before."""

    def key(y: YearData) -> tuple[Any, ...]:
        return (y["phase"], y["members"], y["band"], y["overall"], y["milinst"], y["formal"],
                tuple(y["pillars"].values()))  # fmt: skip

    out = []
    for i, y in enumerate(years):
        if i in (0, len(years) - 1) or y["joined"] or y["left"] or key(y) != key(years[i - 1]):
            out.append(y)
    return out


def _chart(years: Sequence[YearData], pillars: Sequence[str], rubric: Rubric, label: str) -> str:
    """The alliance's score with its range and its member count by year, and each pillar
    as a small multiple (matplotlib)."""
    from readiness.document.charts import GRID, MUTED, RANGE, SCORE, draw, short_label, style_axis

    x = [y["year"] for y in years]
    titles = {p.id: p.title for p in rubric.pillars}
    cols = 4
    rows = max(1, -(-len(pillars) // cols))

    def nan(v: float | None) -> float:
        return math.nan if v is None else v

    def paint(fig: Any) -> None:
        grid = fig.add_gridspec(rows + 2, cols)
        ax = fig.add_subplot(grid[:2, :])
        ax.fill_between(x, [nan(y["lower"]) for y in years], [nan(y["upper"]) for y in years],
                        color=RANGE, alpha=0.35, linewidth=0, step="mid",
                        label="Range once unknowns are known")  # fmt: skip
        ax.step(x, [nan(y["overall"]) for y in years], where="mid", color=SCORE, label="Overall")
        ax.set_ylim(0, 100)
        ax.set_ylabel("Score")
        ax.grid(color=GRID, linewidth=0.6)
        twin = ax.twinx()
        twin.step(x, [y["members"] for y in years], where="mid", color=MUTED, linewidth=1,
                  linestyle="--", label="Members")  # fmt: skip
        twin.set_ylim(0, max(y["members"] for y in years) * 1.15 + 1)
        twin.set_ylabel("Members")
        lines = ax.get_legend_handles_labels()
        more = twin.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], loc="lower left", fontsize=7)
        for k, pid in enumerate(pillars):
            sub = fig.add_subplot(grid[2 + k // cols, k % cols])
            sub.step(x, [nan(y["pillars"][pid]) for y in years], where="mid", color=SCORE,
                     linewidth=1)  # fmt: skip
            sub.set_ylim(0, 100)
            sub.set_xlim(x[0] - 0.5, x[-1] + 0.5)
            sub.set_title(short_label(titles.get(pid, pid), 28), fontsize=7)
            sub.tick_params(labelsize=6)
            style_axis(sub)

    salt = "atop-trend-" + "".join(ch for ch in label.lower() if ch.isalnum())[:24]
    return draw(salt, label, 2.4 + 1.4 * rows, paint)

"""Read the ATOP alliance data into partnerships, feature tables, scores and panels.

The Alliance Treaty Obligations and Provisions project (ATOP; Leeds, Ritter, Mitchell
and Long, 2002; codebook v5.1) codes every formal military alliance since 1815.
**Where to get the files:** https://www.atopdata.org (Data), release 5.1: the
alliance-level file (``atop5_1a.csv``, one row per alliance, members in ``mem1`` ..
``mem59``), the member-level file (``atop5_1m.csv``, one row per member and phase, with
entry and exit dates) and the institutionalisation file (``atopinst5_1.csv``, ``milinst``
and ``formal`` per alliance phase). The 4.x alliance-level file (``atop4_01a.csv``) has a
subset of the 5.1 columns and reads the same way. ``readiness`` ships no copy and
downloads nothing; cite Leeds et al. (2002) as the project asks.

Every variable is coded as the codebook defines it (``docs/atop.md`` lists each one,
its codesheet question and the criteria it informs): flags must be 0/1, codes within
the codebook's range (``secrart`` 0-8, ``pubsecr`` 0-2, ``milcon`` 0-3, ...), and
``secrart`` must agree with ``pubsecr`` (Q7: 0 for public treaties, 8 for secret ones).
Blank cells (and Stata's ``.``) are unknown. Members are COW state codes, written as ISO
3166-1 alpha-3 where the state is a current ISO country (:mod:`readiness.io.cow`), else
``COW-<code>``. Every bad cell is reported, named by file, line and column, in one
:class:`~readiness.errors.InputError`.

- :func:`read_atop`: one :class:`~readiness.Partnership` per alliance, with its members.
- :func:`read_atop_members`: the member-level file as a tidy table (entry, exit, phase).
- :func:`atop_facts_frame`: the feature table, column by column, for
  :func:`readiness.derive_frame`.
- :func:`score_atop`: every pillar ATOP informs, with its coverage, for every alliance.
- :func:`atop_panel`: the same per alliance-year, from the member-level file (phases and
  membership changes over time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from readiness.errors import InputError, Problem, RubricError
from readiness.facts import ATOP_CATEGORIES, Atop, Facts
from readiness.io.cow import member_code
from readiness.partnership import Partnership
from readiness.rubric import Rubric, load_rubric

__all__ = [
    "COLUMNS",
    "DATA_END",
    "INST_COLUMNS",
    "LAST_YEAR",
    "atop_facts_frame",
    "atop_panel",
    "atop_pillars",
    "read_atop",
    "read_atop_members",
    "score_atop",
    "score_legal",
]

COLUMNS: dict[str, tuple[str, int]] = {
    "defense": ("defense", 1),
    "offense": ("offense", 1),
    "neutral": ("neutrality", 1),
    "nonagg": ("nonaggression", 1),
    "consul": ("consultation", 1),
    "intcom": ("integrated_command", 1),
    "milcon": ("military_coordination", 3),
    "milaid": ("military_aid", 4),
    "base": ("basing", 3),
    "organ1": ("organisation", 3),
    "orgpurp1": ("organisation_purpose", 5),
    "organ2": ("second_organisation", 3),
    "orgpurp2": ("second_organisation_purpose", 5),
    "subord": ("subordination", 2),
    "contrib": ("specific_contributions", 1),
    "pubsecr": ("secrecy", 2),
    "secrart": ("secret_content", 8),
    "estmode": ("ratification_required", 1),
    "conwtin": ("conflict_provisions", 3),
    "medarb": ("mediation_arbitration", 1),
    "compag": ("companion_agreement", 6),
}
"""ATOP provision column -> (field of :class:`readiness.facts.Atop`, highest code)."""

INST_COLUMNS: dict[str, tuple[str, int]] = {
    "milinst": ("military_institutionalisation", 2),
    "formal": ("formality", 2),
}
"""Columns of the institutionalisation file (Leeds and Anac 2005) read as facts."""

LAST_YEAR = 2018
"""The last year ATOP 5.1 covers (codebook: alliances in effect on 31 December 2018)."""

DATA_END = dt.date(LAST_YEAR, 12, 31)
"""The last day ATOP 5.1 observes (INEFFECT, Q14): scores are as of this day by default,
and years in force are never counted past it."""

_MEMBERS = tuple(f"mem{i}" for i in range(1, 60))
_MISSING = ("", ".", "NA", "na", "NaN", "nan")
_DATES = {
    "begyr": "year",
    "begmo": "month",
    "begday": "day",
    "endyr": "year or 0",
    "endmo": "month or 0",
    "endday": "day or 0",
    "yrent": "year",
    "moent": "month",
    "dayent": "day",
    "yrexit": "year or 0",
    "moexit": "month or 0",
    "dayexit": "day or 0",
}
_FLAG_FIELDS = {col for col, (_, top) in COLUMNS.items() if top == 1}


# --- reading and checking one file ------------------------------------------------------------


def _load(path: Path | str) -> pd.DataFrame:
    name = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise InputError("file not found", source=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=name) from None
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", source=name) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV file ({exc})", source=name) from None
    raw.columns = pd.Index([str(c).strip().lower() for c in raw.columns])
    return raw


def _where(line: int, col: str) -> str:
    return f"line {line}, column {col!r}"


def _numbers(
    raw: pd.DataFrame, cols: Iterable[str], problems: list[Problem]
) -> dict[str, pd.Series]:
    """Each column as nullable integers, checked against the codebook's range.

    All cells are parsed in one pass (one ``to_numeric`` over the block), then each
    column is checked with array operations; only bad cells cost Python time.
    """
    this_year = dt.date.today().year
    cols = [c for c in cols if c in raw.columns]
    lines = np.arange(len(raw)) + 2  # line 1 is the header
    block = np.char.strip(raw[cols].to_numpy(dtype=str))
    blanks = np.isin(block, _MISSING)
    flat = pd.to_numeric(pd.Series(block.ravel(order="F")), errors="coerce")
    numbers = flat.to_numpy(dtype=np.float64).reshape(block.shape, order="F")
    out: dict[str, pd.Series] = {}
    for j, col in enumerate(cols):
        blank, number = blanks[:, j], numbers[:, j]
        number = np.where(blank, np.nan, number)
        whole = ~np.isnan(number) & (number == np.round(number))
        if col in ("atopid", "member") or col in _MEMBERS:
            ok = whole & (number > 0)
            message = "must be a positive whole number" + (
                " (the alliance id)" if col == "atopid" else " (a COW state code)"
            )
            bad = ~ok & (~blank | (col in ("atopid", "member")))
        elif col == "atopidphase":
            ok = ~np.isnan(number) & (number > 0)
            bad, message = ~blank & ~ok, "must be a positive number (atopid + phase/10)"
        elif col == "phase":
            bad, message = ~blank & ~(whole & (number >= 0)), "must be a whole number >= 0"
        elif col in _DATES:
            what = _DATES[col]
            low, high = {"y": (1000, this_year), "m": (1, 12), "d": (1, 31)}[what[0]]
            ok = whole & (number >= low) & (number <= high)
            if what.endswith("or 0"):
                ok |= number == 0
            suffix = f" up to {this_year}" if what.startswith("year") else ""
            bad, message = (
                ~blank & ~ok,
                f"must be a {what.replace(' or 0', '')}{suffix}"
                + (" (or 0)" if what.endswith("or 0") else ""),
            )
        else:
            top = (COLUMNS.get(col) or INST_COLUMNS[col])[1]
            ok = whole & (number >= 0) & (number <= top)
            bad = ~blank & ~ok
            message = "must be 0 or 1" if top == 1 else f"must be a whole number 0-{top}"
        for i in np.flatnonzero(bad):
            problems.append(Problem(_where(lines[i], col), f"{message} (got {raw[col].iloc[i]!r})"))
        missing = bad | np.isnan(number)
        if col == "atopidphase":
            array: Any = pd.arrays.FloatingArray(np.where(missing, 0.0, number), missing)
        else:
            ints = np.where(missing, 0, number).astype(np.int64)
            array = pd.arrays.IntegerArray(ints, missing)
        out[col] = pd.Series(array, index=raw.index)
    return out


def _required(raw: pd.DataFrame, cols: tuple[str, ...], what: str, name: str) -> None:
    missing = [c for c in cols if c not in raw.columns]
    if missing:
        listed = ", ".join(repr(c) for c in missing)
        raise InputError(
            [Problem("line 1", f"missing column{'s' * (len(missing) > 1)} {listed} ({what})")],
            source=name,
        )


def _check_secrecy(codes: dict[str, pd.Series], lines: np.ndarray, problems: list[Problem]) -> None:
    """Q7: ``secrart`` is 0 for public treaties and 8 exactly for secret ones."""
    if "pubsecr" not in codes or "secrart" not in codes:
        return
    pub, art = codes["pubsecr"], codes["secrart"]
    known = (pub.notna() & art.notna()).to_numpy()
    p, a = pub.fillna(-1).to_numpy(), art.fillna(-1).to_numpy()
    wrong = known & (((p == 0) & (a != 0)) | ((p == 2) & (a != 8)) | ((p == 1) & (a == 8)))
    for i in np.flatnonzero(wrong):
        problems.append(
            Problem(
                _where(lines[i], "secrart"),
                f"secrart {a[i]} does not fit pubsecr {p[i]} (codebook Q7: 0 when public,"
                " 8 when the whole treaty is secret, 1-7 for secret articles)",
            )
        )


def _date(year: pd.Series, month: pd.Series, day: pd.Series) -> np.ndarray:
    """Dates as ``datetime64[D]`` (NaT where the year is 0 or unknown); a missing day is the 1st."""
    y = year.fillna(0).to_numpy(dtype=np.int64)
    m = month.fillna(1).to_numpy(dtype=np.int64)
    d = day.fillna(1).to_numpy(dtype=np.int64)
    m, d = np.where(m == 0, 1, m), np.where(d == 0, 1, d)
    out = np.full(len(y), np.datetime64("NaT"), dtype="datetime64[D]")
    ok = y > 0
    if ok.any():
        frame = pd.DataFrame({"year": y[ok], "month": m[ok], "day": d[ok]})
        out[ok] = pd.to_datetime(frame, errors="coerce").to_numpy(dtype="datetime64[D]")
    return out


def _bad_dates(
    dates: np.ndarray, year: pd.Series, lines: np.ndarray, col: str, problems: list[Problem]
) -> None:
    impossible = (year.fillna(0).to_numpy() > 0) & np.isnat(dates)
    for i in np.flatnonzero(impossible):
        problems.append(Problem(_where(lines[i], col), "is not a calendar date"))


@dataclass(frozen=True)
class _Alliances:
    """The checked alliance-level file: codes per alliance, dates and members."""

    codes: pd.DataFrame  # index atopid; provision columns as Int64
    begin: np.ndarray  # datetime64[D]
    end: np.ndarray  # datetime64[D], NaT while in effect
    members: list[tuple[int, ...]]  # COW codes, file order

    @property
    def index(self) -> pd.Index:
        return pd.Index([f"atop-{i}" for i in self.codes.index], name="partnership")


def _read_alliances(path: Path | str, inst: Path | str | None = None) -> _Alliances:
    name = str(path)
    raw = _load(path)
    _required(raw, ("atopid",), "the ATOP alliance id", name)
    provisions = [c for c in COLUMNS if c in raw.columns]
    if not provisions:
        expected = ", ".join(COLUMNS)
        raise InputError(
            [Problem("line 1", f"no ATOP provision columns (expected some of: {expected})")],
            source=name,
        )
    problems: list[Problem] = []
    dates = [c for c in ("begyr", "begmo", "begday", "endyr", "endmo", "endday") if c in raw]
    members = [c for c in _MEMBERS if c in raw.columns]
    codes = _numbers(raw, ["atopid", *dates, *provisions, *members], problems)
    lines = np.arange(len(raw)) + 2
    _check_secrecy(codes, lines, problems)
    ids = codes["atopid"]
    _duplicates(ids, lines, problems)
    none = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    begin = _date(codes.get("begyr", none), codes.get("begmo", none), codes.get("begday", none))
    end = _date(codes.get("endyr", none), codes.get("endmo", none), codes.get("endday", none))
    _bad_dates(begin, codes.get("begyr", none), lines, "begday", problems)
    _bad_dates(end, codes.get("endyr", none), lines, "endday", problems)
    backwards = ~np.isnat(begin) & ~np.isnat(end) & (end < begin)
    for i in np.flatnonzero(backwards):
        problems.append(
            Problem(_where(lines[i], "endyr"), f"ends ({end[i]}) before it begins ({begin[i]})")
        )
    if problems:  # every one: a cut list would make the error's count disagree with it
        raise InputError(problems, source=name)
    table = pd.DataFrame({c: codes[c] for c in provisions})
    table.index = pd.Index(ids.to_numpy(dtype=np.int64), name="atopid")
    mem = (
        np.column_stack([codes[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in members])
        if members
        else np.empty((len(raw), 0))
    )
    member_lists = [tuple(int(v) for v in row[~np.isnan(row)]) for row in mem]
    if inst is not None:
        levels = _read_inst(inst).groupby(level="atopid").max()  # any phase, as the a-file
        table = table.join(levels, how="left")
        unknown = sorted(set(levels.index) - set(table.index))
        if unknown:
            shown = ", ".join(str(i) for i in unknown[:10])
            raise InputError([Problem("$", f"alliances not in {name}: {shown}")], source=str(inst))
    return _Alliances(table, begin, end, member_lists)


def _duplicates(ids: pd.Series, lines: np.ndarray, problems: list[Problem]) -> None:
    repeated = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
    for i in np.flatnonzero(repeated):
        first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
        problems.append(
            Problem(
                _where(lines[i], "atopid"),
                f"duplicate atopid {ids.iloc[i]} (first on line {lines[first]})",
            )
        )


def _read_inst(path: Path | str) -> pd.DataFrame:
    """The institutionalisation file: ``milinst``/``formal`` per (atopid, phase)."""
    name = str(path)
    raw = _load(path)
    _required(raw, ("atopid", "milinst", "formal"), "the ATOP institutionalisation file", name)
    problems: list[Problem] = []
    cols = ["atopid", "milinst", "formal"] + (["atopidphase"] if "atopidphase" in raw else [])
    codes = _numbers(raw, cols, problems)
    lines = np.arange(len(raw)) + 2
    ids = codes["atopid"]
    if "atopidphase" in codes:
        tenth = (codes["atopidphase"] - ids.astype("Float64")) * 10
        phase = tenth.round().astype("Int64")
        off = (tenth.notna() & ((tenth - phase).abs() > 0.05)) | (phase < 0) | (phase > 9)
        for i in np.flatnonzero(off.fillna(False).to_numpy()):
            problems.append(
                Problem(
                    _where(lines[i], "atopidphase"),
                    f"must be atopid + phase/10 (got {raw['atopidphase'].iloc[i]!r}"
                    f" for atopid {ids.iloc[i]})",
                )
            )
    else:
        phase = pd.Series(0, index=raw.index, dtype="Int64")
    if problems:
        raise InputError(problems, source=name)
    frame = pd.DataFrame(
        {"atopid": ids, "phase": phase.fillna(0), "milinst": codes["milinst"],
         "formal": codes["formal"]}
    )  # fmt: skip
    return frame.set_index(["atopid", "phase"])


# --- features -----------------------------------------------------------------------------


def _features(
    codes: pd.DataFrame,
    begin: np.ndarray,
    end: np.ndarray,
    as_of: np.ndarray,
    data_end: dt.date = DATA_END,
) -> dict[str, Any]:
    """Feature columns from code columns (the same values as :func:`facts_features`;
    years in force are counted no further than ``data_end``, the facts' ``coded_until``)."""
    data: dict[str, Any] = {}
    fields = {**COLUMNS, **INST_COLUMNS}
    for col, (field, top) in fields.items():
        if col not in codes.columns:
            continue
        values = codes[col]
        if field in ATOP_CATEGORIES:
            continue
        if top == 1:
            data[f"atop.{field}"] = values.astype("boolean").array
        else:
            data[f"atop.{field}"] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if "pubsecr" in codes.columns:
        data["atop.secret_provisions"] = (codes["pubsecr"] >= 1).astype("boolean").array
    derived = {
        "peacetime_military_contact": ("milcon", 2),
        "common_defense_policy": ("milcon", 3),
        "wartime_subordination": ("subord", 1),
        "training_or_technology_aid": ("milaid", 3),
    }
    for name, (col, at_least) in derived.items():
        if col in codes.columns:
            data[f"atop.{name}"] = (codes[col] >= at_least).astype("boolean").array
    if "conwtin" in codes.columns:  # 1 only: 2 and 3 are no settlement clause (Q29)
        data["atop.peaceful_settlement_clause"] = (codes["conwtin"] == 1).astype("boolean").array
    if {"orgpurp1", "orgpurp2", "compag"} <= set(codes.columns):
        body = (codes["orgpurp1"] == 5) | (codes["orgpurp2"] == 5) | (codes["compag"] == 3)
        data["atop.dispute_settlement_body"] = body.astype("boolean").array
    sources = {
        "secret_content": "secrart",
        "organisation_purpose": "orgpurp1",
        "second_organisation_purpose": "orgpurp2",
        "basing_kind": "base",
        "conflict_provisions": "conwtin",
        "companion_agreement": "compag",
    }
    for name, col in sources.items():
        if col in codes.columns:
            index = codes[col].fillna(-1).to_numpy(dtype=np.int64)
            data[f"atop.{name}"] = pd.Categorical.from_codes(index, pd.Index(ATOP_CATEGORIES[name]))
    if len(begin):
        stop = np.where(np.isnat(end) | (end > as_of), as_of, end)
        stop = np.minimum(stop, np.datetime64(data_end, "D"))
        days = (stop - begin).astype("timedelta64[D]").astype(np.float64)
        years = np.round(days / 365.25, 2)
        years[np.isnat(begin) | (begin > as_of)] = np.nan
        data["atop.years_in_force"] = years
    return data


def atop_facts_frame(
    path: Path | str,
    *,
    inst: Path | str | None = None,
    as_of: dt.date | None = None,
    data_end: dt.date = DATA_END,
) -> pd.DataFrame:
    """The ATOP provisions of every alliance in the file, as a feature table.

    Built column by column (no per-row Python), for :func:`readiness.derive_frame`; the
    values equal those :func:`readiness.facts_frame` gives for :func:`read_atop`.

    Args:
        path: The ATOP alliance-level CSV file (5.1 or 4.x layout).
        inst: The institutionalisation file (``atopinst5_1.csv``), for
            ``atop.military_institutionalisation`` and ``atop.formality`` (the highest
            over the alliance's phases, as the alliance-level file records any provision
            that ever existed).
        as_of: The assessment date for ``atop.years_in_force`` (default ``data_end``).
        data_end: The last day the data observe (ATOP 5.1: 2018-12-31): years in force
            are counted no further, since whether an alliance stayed in force later is
            not in the data. A run gives the same numbers whatever day it runs.

    Returns:
        One row per alliance (index ``atop-<atopid>``), one column per ``atop.*``
        feature the files give: flags nullable ``boolean``, codes ``float64``, named
        codes ``category``; unknown is NA/NaN.

    Raises:
        InputError: A file is missing or not a CSV, or cells are bad; the message names
            the file and every bad cell's line and column.
    """
    alliances = _read_alliances(path, inst)
    when = np.full(len(alliances.codes), np.datetime64(as_of or data_end, "D"))
    data = _features(alliances.codes, alliances.begin, alliances.end, when, data_end)
    return pd.DataFrame(data, index=alliances.index)


_LARGEST = 10**9
"""Largest code or count read from an ATOP file (ids and years have 4 digits)."""


def _int(value: object) -> int | None:
    """A nullable integer code as ``int`` or ``None``."""
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def _day(value: np.datetime64) -> dt.date | None:
    return None if np.isnat(value) else value.astype("datetime64[D]").item()


def read_atop(
    path: Path | str,
    *,
    inst: Path | str | None = None,
    assessed_on: dt.date | None = None,
    data_end: dt.date = DATA_END,
) -> list[Partnership]:
    """Read every alliance of the ATOP alliance-level file as a partnership.

    Each partnership has id ``atop-<atopid>``; its members are every state that ever
    belonged (``mem1``..``mem59``, codebook 2.46) as ISO 3166-1 alpha-3 codes, or
    ``COW-<code>`` for historical states (:func:`readiness.io.cow.member_code`; two COW
    codes of one ISO country, such as 255 and 260 for Germany, give one member); kind
    ``collective-defense-alliance`` with a defense pledge, else ``defense-cooperation``;
    ``established`` its signature date; facts holding its ATOP provisions (and, with
    ``inst``, ``milinst``/``formal``). Members' own entry and exit dates are in
    :func:`read_atop_members`.

    Args:
        path: The ATOP alliance-level CSV file (5.1 or 4.x layout).
        inst: Optional institutionalisation file (``atopinst5_1.csv``).
        assessed_on: The partnerships' assessment date (default: none, so today).
        data_end: The last day the data observe, written as the facts' ``coded_until``
            (ATOP 5.1: 2018-12-31): years in force are counted no further, so a
            partnership assessed today scores as :func:`score_atop` gives it.

    Returns:
        The partnerships, in file order.

    Raises:
        InputError: A file is missing or not a CSV, or cells are bad; the message names
            the file and every bad cell's line and column.
    """
    alliances = _read_alliances(path, inst)
    fields = {**COLUMNS, **INST_COLUMNS}
    cols = [c for c in fields if c in alliances.codes.columns]
    records = alliances.codes[cols].to_dict("records")
    out = []
    for k, (atopid, row) in enumerate(zip(alliances.codes.index, records, strict=True)):
        provisions: dict[str, Any] = {fields[c][0]: _int(row[c]) for c in cols}
        if provisions.get("secrecy") is not None:
            provisions["secret_provisions"] = provisions["secrecy"] >= 1
        begin, end = _day(alliances.begin[k]), _day(alliances.end[k])
        provisions["signed"], provisions["ended"] = begin, end
        provisions["coded_until"] = data_end
        members = tuple(dict.fromkeys(member_code(c) for c in alliances.members[k]))
        ended = f", ended {end.isoformat()}" if end else ", in effect at the end of the data"
        out.append(
            Partnership(
                id=f"atop-{atopid}",
                name=f"ATOP alliance {atopid}",
                kind="collective-defense-alliance"
                if provisions.get("defense") == 1
                else "defense-cooperation",
                members=members or (f"ATOP-{atopid}",),
                established=begin,
                assessed_on=assessed_on,
                description=f"ATOP alliance {atopid}: {len(members)} members{ended}",
                assessor="ATOP 5.1 (Leeds et al. 2002), read by readiness.io.atop",
                facts=Facts(atop=Atop.model_validate(provisions)),
            )
        )
    return out


# --- the member-level file ------------------------------------------------------------------


def _read_member_codes(path: Path | str) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    name = str(path)
    raw = _load(path)
    _required(raw, ("atopid", "member", "yrent", "yrexit"), "the ATOP member-level file", name)
    problems: list[Problem] = []
    dates = [c for c in ("yrent", "moent", "dayent", "yrexit", "moexit", "dayexit") if c in raw]
    provisions = [c for c in COLUMNS if c in raw.columns]
    extra = ["phase"] if "phase" in raw.columns else []
    codes = _numbers(raw, ["atopid", "member", *extra, *dates, *provisions], problems)
    lines = np.arange(len(raw)) + 2
    _check_secrecy(codes, lines, problems)
    none = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    entered = _date(codes["yrent"], codes.get("moent", none), codes.get("dayent", none))
    exited = _date(codes["yrexit"], codes.get("moexit", none), codes.get("dayexit", none))
    _bad_dates(entered, codes["yrent"], lines, "dayent", problems)
    _bad_dates(exited, codes["yrexit"], lines, "dayexit", problems)
    for i in np.flatnonzero(~np.isnat(entered) & ~np.isnat(exited) & (exited < entered)):
        problems.append(
            Problem(
                _where(lines[i], "yrexit"), f"exits ({exited[i]}) before it enters ({entered[i]})"
            )
        )
    if problems:
        raise InputError(problems, source=name)
    table = pd.DataFrame(
        {
            "atopid": codes["atopid"].astype(np.int64),
            "phase": codes["phase"].fillna(0).astype(np.int64) if extra else 0,
            "cow": codes["member"].astype(np.int64),
            "entered": entered,
            "exited": exited,
        }
    )
    return table, {c: codes[c] for c in provisions}


def read_atop_members(path: Path | str) -> pd.DataFrame:
    """The ATOP member-level file as a tidy table: who belonged to which alliance, when.

    Args:
        path: The member-level CSV file (``atop5_1m.csv``).

    Returns:
        One row per member and phase, in file order: ``atopid``, ``phase`` (0 for an
        alliance with one phase, codebook 2.32), ``cow`` (the COW state code),
        ``member`` (ISO 3166-1 alpha-3 or ``COW-<code>``), ``entered`` and ``exited``
        (signature and exit dates, Q3/Q14; a missing day is the 1st; ``exited`` NaT
        while in effect).

    Raises:
        InputError: The file is missing or bad, every bad cell named by line and column.
    """
    table, _ = _read_member_codes(path)
    table.insert(3, "member", [member_code(c) for c in table["cow"]])
    table["entered"] = pd.to_datetime(table["entered"])
    table["exited"] = pd.to_datetime(table["exited"])
    return table


# --- scoring --------------------------------------------------------------------------------


def _pillar_scores(levels: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Every pillar the derived levels inform, with its coverage (share of weight known)."""
    from readiness.assessment import assess_frame

    known = levels.notna()
    # what ATOP codes, and nothing else: the criteria it does not code are left out,
    # not estimated (the rubric's estimate is fitted on partnerships, not on alliances)
    scores = assess_frame(levels, rubric, min_coverage=0, unknown_policy="exclude")
    out: dict[str, Any] = {}
    for pillar in rubric.pillars:
        ids = [c.id for c in pillar.criteria if c.id in levels.columns]
        informed = [c for c in ids if known[c].any()]
        if not informed:
            continue
        weights = {c.id: c.weight for c in pillar.criteria}
        total = sum(weights.values())
        share = sum(known[c].to_numpy(dtype=np.float64) * weights[c] for c in informed)
        out[pillar.id] = scores[pillar.id].to_numpy()
        out[f"{pillar.id}.coverage"] = np.round(share / total, 4)
    return pd.DataFrame(out, index=levels.index)


def atop_pillars(rubric: Rubric) -> tuple[str, ...]:
    """The pillars ATOP informs: those with a criterion whose derive rule reads an ATOP
    feature (``atop.*``), in rubric order. Read from the rubric, not the data, so every
    alliance is scored over the same pillars (see ``docs/atop.md``).

    >>> atop_pillars(load_rubric())[0]
    'legal'
    """
    return tuple(
        p.id
        for p in rubric.pillars
        if any(
            c.derive is not None and any(f.startswith("atop.") for f in c.derive.inputs())
            for c in p.criteria
        )
    )


def _informed_rubric(rubric: Rubric, pillars: tuple[str, ...]) -> Rubric:
    """The rubric cut to ``pillars``: the same criteria, weights, gates and policy, the
    pillar weights renormalised by leaving the others out (weights are relative).
    Prerequisites, profile targets and profile advice that name a criterion left out are
    dropped."""
    kept = [p for p in rubric.pillars if p.id in pillars]
    ids = {c.id for p in kept for c in p.criteria}
    cut = tuple(
        p.model_copy(
            update={
                "criteria": tuple(
                    c.model_copy(
                        update={"prerequisites": tuple(x for x in c.prerequisites if x in ids)}
                    )
                    for c in p.criteria
                )
            }
        )
        for p in kept
    )
    profiles = tuple(
        pr.model_copy(
            update={
                "levels": {k: v for k, v in pr.levels.items() if k in ids},
                "remediation": {k: v for k, v in pr.remediation.items() if k in ids},
            }
        )
        for pr in rubric.profiles
    )
    return rubric.model_copy(
        update={
            "pillars": cut,
            "profiles": profiles,
            "estimate": rubric.estimate.model_copy(
                update={"offsets": {k: v for k, v in rubric.estimate.offsets.items() if k in ids}}
            ),
            "version": f"{rubric.version.split('+', 1)[0]}+atop",
        }
    )


def _overall(derived: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """The partnership-level score over the pillars ATOP informs (see :func:`score_atop`)."""
    from readiness.assessment import assess_frame

    pillars = atop_pillars(rubric)
    if not pillars:
        return pd.DataFrame(index=derived.index)
    informed = _informed_rubric(rubric, pillars)
    columns = [c for c in informed.criterion_ids if c in derived.columns]
    # not estimated: what ATOP does not code is structural, not a partnership's silence,
    # and the rubric's estimate is fitted on partnerships, not on alliances
    scores = assess_frame(derived[columns], informed, min_coverage=0, unknown_policy="exclude")
    band = scores["band"].astype(object)
    band[scores["coverage"] < rubric.min_coverage] = None
    return pd.DataFrame(
        {
            "overall": scores["overall"],
            "overall.coverage": scores["coverage"].round(4),
            "band": band,
            "lower": scores["lower"],
            "upper": scores["upper"],
        },
        index=derived.index,
    )


def score_atop(
    path: Path | str,
    rubric: Rubric | None = None,
    *,
    inst: Path | str | None = None,
    as_of: dt.date | None = None,
    levels: bool = False,
) -> pd.DataFrame:
    """Every alliance as a partnership: its score over the pillars ATOP informs, and each
    of those pillars, with their coverage, in one call.

    :func:`atop_facts_frame`, then :func:`readiness.derive_frame`, then
    :func:`readiness.assess_frame` (``min_coverage=0``: ATOP speaks to few criteria),
    as of the data's end (31 December 2018 for ATOP 5.1), so the numbers do not depend
    on the day they are computed.

    Args:
        path: The ATOP alliance-level CSV file.
        rubric: The rubric; default :func:`readiness.load_rubric`.
        inst: Optional institutionalisation file (``atopinst5_1.csv``).
        as_of: The assessment date (default :data:`DATA_END`); years in force are never
            counted past :data:`DATA_END`.
        levels: Also return the derived level of every criterion ATOP informs.

    Returns:
        One row per alliance (index ``atop-<atopid>``):

        - ``overall``: the score 0-100 of the alliance as a partnership, by the rubric's
          scoring core (its weights, unknown policy and gates) over only the pillars ATOP
          informs (:func:`atop_pillars`; their weights renormalised), with
          ``overall.coverage`` (the share of those pillars' weight that is known),
          ``band`` (only where that coverage reaches the rubric's ``min_coverage``,
          else empty), ``lower`` and ``upper`` (every unknown criterion of those pillars
          at its worst and best level);
        - for each pillar with a criterion ATOP informs for some alliance in the file,
          its score (``legal``, ``interop``, ...; NaN when nothing is known) and
          ``<pillar>.coverage``, the share of the pillar's criterion weight that is known.

        With ``levels``, the criterion levels follow.

    Raises:
        InputError: A file is missing or bad (see :func:`atop_facts_frame`).
    """
    from readiness.derive import derive_frame

    rubric = rubric or load_rubric()
    derived = derive_frame(atop_facts_frame(path, inst=inst, as_of=as_of), rubric)
    out = _overall(derived, rubric).join(_pillar_scores(derived, rubric))
    if levels:
        informed = [c for c in derived.columns if derived[c].notna().any()]
        out = out.join(derived[informed])
    return out


def score_legal(
    path: Path | str, rubric: Rubric | None = None, *, pillar: str = "legal"
) -> pd.DataFrame:
    """One pillar (default: legal and institutional) of every alliance in the file.

    Args:
        path: The ATOP alliance-level CSV file.
        rubric: The rubric; default :func:`readiness.load_rubric`.
        pillar: The pillar to report.

    Returns:
        One row per alliance: the derived level of each of the pillar's criteria that
        has a rule (NaN where ATOP says nothing), then the pillar score 0-100.

    Raises:
        InputError: The file is missing or bad (see :func:`atop_facts_frame`).
        RubricError: The rubric has no such pillar.
    """
    from readiness.assessment import assess_frame
    from readiness.derive import derive_frame

    rubric = rubric or load_rubric()
    chosen = next((p for p in rubric.pillars if p.id == pillar), None)
    if chosen is None:
        raise RubricError(f"rubric {rubric.label} has no pillar {pillar!r}")
    levels = derive_frame(atop_facts_frame(path), rubric)
    scores = assess_frame(levels, rubric, min_coverage=0, unknown_policy="exclude")
    columns = [c.id for c in chosen.criteria if c.id in levels.columns]
    out = levels[columns].copy()
    out[pillar] = scores[pillar]
    return out


# --- the alliance-year panel ------------------------------------------------------------------


def atop_panel(
    members: Path | str,
    rubric: Rubric | None = None,
    *,
    inst: Path | str | None = None,
    last_year: int = LAST_YEAR,
) -> pd.DataFrame:
    """Every pillar ATOP informs, per alliance and year, from the member-level file.

    A year belongs to an alliance when at least one member is in it that year (entered
    on or before 31 December, not exited before 1 January). The provisions of a year
    are those of the phases in effect that year (the highest code when two phases
    overlap, as at a renegotiation or the Czech/Slovak succession), so a new phase shows
    as a change; ``milinst``/``formal`` come from ``inst`` by phase.
    ``atop.years_in_force`` is counted to 31 December of the year.

    Args:
        members: The member-level CSV file (``atop5_1m.csv``).
        rubric: The rubric; default :func:`readiness.load_rubric`.
        inst: Optional institutionalisation file (``atopinst5_1.csv``).
        last_year: The last year of alliances still in effect (ATOP 5.1: 2018).

    Returns:
        A tidy frame, one row per alliance-year (index ``partnership``, ``year``):
        ``atopid``, ``phase`` (highest in effect), ``members`` (how many), the derived
        level of every criterion ATOP informs (ready for :func:`readiness.assess_frame`),
        then every pillar it informs and ``<pillar>.coverage``.

    Raises:
        InputError: A file is missing or bad, every bad cell named by line and column.
    """
    from readiness.derive import derive_frame

    rubric = rubric or load_rubric()
    table, provisions = _read_member_codes(members)
    codes = pd.DataFrame(provisions)
    rows, years = _member_years(table, last_year)
    long = codes.iloc[rows].reset_index(drop=True)
    long["atopid"] = table["atopid"].to_numpy()[rows]
    long["phase"] = table["phase"].to_numpy()[rows]
    long["cow"] = table["cow"].to_numpy()[rows]
    long["year"] = years
    if inst is not None:
        levels = _read_inst(inst)
        key = pd.MultiIndex.from_arrays([long["atopid"], long["phase"]])
        joined = levels.reindex(key)
        long["milinst"] = joined["milinst"].to_numpy()
        long["formal"] = joined["formal"].to_numpy()
    group = long.groupby(["atopid", "year"], sort=True)
    value_cols = [c for c in long.columns if c in COLUMNS or c in INST_COLUMNS]
    agg = group[value_cols].max()
    agg["phase"] = group["phase"].max()
    agg["members"] = group["cow"].nunique()
    first = pd.Series(table["entered"].to_numpy()).groupby(table["atopid"].to_numpy()).min()
    ids = agg.index.get_level_values("atopid").to_numpy()
    yrs = agg.index.get_level_values("year").to_numpy()
    begin = first.reindex(ids).to_numpy(dtype="datetime64[D]")
    year_end = _december_31(yrs)
    no_end = np.full(len(agg), np.datetime64("NaT"), dtype="datetime64[D]")
    feats = pd.DataFrame(
        _features(
            agg[value_cols].astype("Int64"), begin, no_end, year_end, dt.date(last_year, 12, 31)
        ),
        index=agg.index,
    )
    index = pd.MultiIndex.from_arrays(
        [[f"atop-{i}" for i in ids], yrs], names=["partnership", "year"]
    )
    feats.index = index
    derived = derive_frame(feats, rubric)
    informed = [c for c in derived.columns if derived[c].notna().any()]
    scores = _pillar_scores(derived, rubric)
    out = pd.DataFrame(
        {"atopid": ids, "phase": agg["phase"].to_numpy(), "members": agg["members"].to_numpy()},
        index=index,
    )
    return pd.concat([out, derived[informed], scores], axis=1)


def _member_years(table: pd.DataFrame, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Each member row once per year it is in the alliance (entered on or before 31
    December, not exited before 1 January, no later than ``last_year``): the row
    numbers of the member table, and the years."""
    start = table["entered"].to_numpy().astype("datetime64[Y]").astype(np.int64) + 1970
    stop = np.where(
        np.isnat(table["exited"].to_numpy()),
        last_year,
        table["exited"].to_numpy().astype("datetime64[Y]").astype(np.int64) + 1970,
    )
    stop = np.minimum(stop, last_year)
    span = np.maximum(stop - start + 1, 0)
    rows = np.repeat(np.arange(len(table)), span)
    years = start[rows] + (np.arange(len(rows)) - np.repeat(np.cumsum(span) - span, span))
    return rows, years


def _december_31(years: np.ndarray) -> np.ndarray:
    """31 December of each year, as ``datetime64[D]``."""
    first = (years.astype(np.int64) - 1970 + 1).astype("datetime64[Y]").astype("datetime64[D]")
    return first - np.timedelta64(1, "D")

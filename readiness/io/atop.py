"""Read the ATOP alliance-level data into partnerships and feature tables.

The Alliance Treaty Obligations and Provisions project (ATOP; Leeds, Ritter, Mitchell
and Long, 2002; codebook v5.1) codes the provisions of every formal military alliance
since 1815. **Where to get the file:** the ATOP project site, https://www.atopdata.org
(Data), "ATOP 5.1" alliance-level data, CSV (one row per alliance, e.g.
``atop5_1a.csv``). ``readiness`` ships no copy and downloads nothing; cite the data as
the project asks.

Columns read (lower or upper case; every other column is ignored):

=========  ==========================  ============================================
column     feature                     reading
=========  ==========================  ============================================
atopid     (partnership id)            ``atop-<atopid>``; required, a positive integer
begyr      (``established``)           year the alliance began
endyr      (description only)          year it ended; blank or 0 while in effect
defense    ``atop.defense``            0/1
offense    ``atop.offense``            0/1
neutral    ``atop.neutrality``         0/1
nonagg     ``atop.nonaggression``      0/1
consul     ``atop.consultation``       0/1
intcom     ``atop.integrated_command`` 0/1
milcon     ``atop.military_coordination``  ordinal code >= 0
milaid     ``atop.military_aid``       ordinal code >= 0
base       ``atop.basing``             ordinal code >= 0
organ1     ``atop.organisation``       ordinal code >= 0
contrib    ``atop.specific_contributions``  0/1
secrart    ``atop.secret_provisions``  0/1
=========  ==========================  ============================================

Blank cells (and Stata's ``.``) are unknown. The ordinal codes (``milcon``, ``milaid``,
``base``, ``organ1``) are kept as ATOP's integers and the rubric's rules only use their
order (0 = no such provision, higher = deeper), following the codebook's ordinal order;
the meaning of each individual code was not re-checked against the codebook here, so
read the codebook before relying on a particular threshold.

The alliance-level file does not list members (they are in ATOP's member-level file),
so a partnership read from it has the placeholder member ``ATOP-<atopid>``; its kind is
``collective-defense-alliance`` when ``defense`` is 1, else ``defense-cooperation``.

Two paths: :func:`read_atop` builds :class:`~readiness.Partnership` objects (one per
alliance, facts only), and :func:`atop_facts_frame` builds the feature table directly,
column by column, for :func:`readiness.derive_frame` and :func:`readiness.assess_frame`
(:func:`score_legal` does both in one call).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from readiness.errors import InputError, Problem, RubricError
from readiness.facts import Atop, Facts
from readiness.partnership import Partnership
from readiness.rubric import Rubric, load_rubric

__all__ = ["COLUMNS", "atop_facts_frame", "read_atop", "score_legal"]

COLUMNS: dict[str, str] = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "nonaggression",
    "consul": "consultation",
    "intcom": "integrated_command",
    "milcon": "military_coordination",
    "milaid": "military_aid",
    "base": "basing",
    "organ1": "organisation",
    "contrib": "specific_contributions",
    "secrart": "secret_provisions",
}
"""ATOP column -> field of :class:`readiness.facts.Atop` (feature ``atop.<field>``)."""

_FLAGS = frozenset(c for c in COLUMNS if c not in ("milcon", "milaid", "base", "organ1"))
_MISSING = ("", ".", "NA", "na", "NaN", "nan")


def _read(path: Path | str) -> pd.DataFrame:
    """The validated codes: one row per alliance (index ``atopid``), nullable integers.

    Raises:
        InputError: Naming the file, and the line and column of every bad cell.
    """
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
    if "atopid" not in raw.columns:
        raise InputError(
            [Problem("line 1", "missing column 'atopid' (the ATOP alliance id)")], source=name
        )
    provisions = [c for c in COLUMNS if c in raw.columns]
    if not provisions:
        expected = ", ".join(COLUMNS)
        raise InputError(
            [Problem("line 1", f"no ATOP provision columns (expected some of: {expected})")],
            source=name,
        )
    problems: list[Problem] = []
    out: dict[str, pd.Series] = {}
    lines = np.arange(len(raw)) + 2  # line 1 is the header
    this_year = dt.date.today().year
    for col in ["atopid", "begyr", "endyr", *provisions]:
        if col not in raw.columns:
            continue
        text = raw[col].str.strip()
        blank = text.isin(_MISSING)
        number = pd.to_numeric(text.where(~blank), errors="coerce").astype("float64")
        # inf, 1e400 and values past int64 are not codes: refused, never cast
        huge = ~(number.abs() <= _LARGEST)
        bad = ~blank & (number.isna() | huge | (number != number.round()))
        message = "must be a whole number"
        if col == "atopid":
            bad |= blank | (number <= 0)
            message = "must be a positive whole number (the alliance id)"
        elif col in _FLAGS:
            bad |= ~blank & ~number.isin([0, 1])
            message = "must be 0 or 1"
        elif col in ("begyr", "endyr"):
            allowed = number.between(1000, this_year) | ((number == 0) & (col == "endyr"))
            bad |= ~blank & ~allowed
            message = f"must be a year up to {this_year}" + (" (or 0)" if col == "endyr" else "")
        else:
            bad |= ~blank & (number < 0)
            message = "must be a whole number >= 0"
        for i in np.flatnonzero(bad.to_numpy()):
            got = raw[col].iloc[i]
            problems.append(Problem(f"line {lines[i]}, column {col!r}", f"{message} (got {got!r})"))
        if not bad.any():
            out[col] = number.astype("Int64")
    ids = out.get("atopid", pd.Series(dtype="Int64"))
    repeated = ids.duplicated(keep="first") & ids.notna()
    for i in np.flatnonzero(repeated.to_numpy()):
        first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
        problems.append(
            Problem(
                f"line {lines[i]}, column 'atopid'",
                f"duplicate atopid {ids.iloc[i]} (first on line {lines[first]})",
            )
        )
    if "begyr" in out and "endyr" in out:
        begin, end = out["begyr"], out["endyr"]
        backwards = (end > 0) & (end < begin)
        for i in np.flatnonzero(backwards.fillna(False).to_numpy()):
            problems.append(
                Problem(
                    f"line {lines[i]}, column 'endyr'",
                    f"ends ({end.iloc[i]}) before it begins ({begin.iloc[i]})",
                )
            )
    if problems:  # every one: a cut list would make the error's count disagree with it
        raise InputError(problems, source=name)
    frame = pd.DataFrame(out)
    return frame.set_index("atopid")


_LARGEST = 10**9
"""Largest code or count read from an ATOP file (ids and years have 4 digits)."""


def _int(value: object) -> int | None:
    """A nullable integer code as ``int`` or ``None``."""
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def _index(codes: pd.DataFrame) -> pd.Index:
    return pd.Index([f"atop-{i}" for i in codes.index], name="partnership")


def atop_facts_frame(path: Path | str) -> pd.DataFrame:
    """The ATOP provisions of every alliance in the file, as a feature table.

    Built column by column (no per-row Python), for :func:`readiness.derive_frame`.

    Args:
        path: The ATOP alliance-level CSV file.

    Returns:
        One row per alliance (index ``atop-<atopid>``), one column per ATOP feature the
        file has (``atop.defense``, ``atop.organisation``, ...): flags as nullable
        ``boolean``, ordinal codes as ``float64``; unknown is NA/NaN.

    Raises:
        InputError: The file is missing or not a CSV, or a cell is bad; the message
            names the file, the line and the column.
    """
    codes = _read(path)
    data: dict[str, object] = {}
    for col, field in COLUMNS.items():
        if col not in codes.columns:
            continue
        if col in _FLAGS:
            data[f"atop.{field}"] = codes[col].astype("boolean").array
        else:
            data[f"atop.{field}"] = codes[col].to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.DataFrame(data, index=_index(codes))


def read_atop(path: Path | str) -> list[Partnership]:
    """Read every alliance of the ATOP alliance-level file as a partnership.

    Each partnership has id ``atop-<atopid>``, the placeholder member ``ATOP-<atopid>``
    (the alliance-level file lists no members), kind ``collective-defense-alliance``
    when the treaty has a defense pledge (else ``defense-cooperation``), ``established``
    on 1 January of ``begyr``, and facts holding only its ATOP provisions.

    Args:
        path: The ATOP alliance-level CSV file.

    Returns:
        The partnerships, in file order.

    Raises:
        InputError: The file is missing or not a CSV, or a cell is bad; the message
            names the file, the line and the column.
    """
    codes = _read(path)
    out = []
    for atopid, row in zip(codes.index, codes.to_dict("records"), strict=True):
        provisions = {field: _int(row[col]) for col, field in COLUMNS.items() if col in row}
        begin, end = _int(row.get("begyr")), _int(row.get("endyr"))
        ended = f"; ended {end}" if end else ""
        defense = provisions.get("defense") == 1
        out.append(
            Partnership(
                id=f"atop-{atopid}",
                name=f"ATOP alliance {atopid}",
                kind="collective-defense-alliance" if defense else "defense-cooperation",
                members=(f"ATOP-{atopid}",),
                established=None if begin is None else dt.date(begin, 1, 1),
                description=f"ATOP alliance {atopid} (alliance-level data; no members){ended}",
                assessor="ATOP alliance-level data (Leeds et al.), read by readiness.io.atop",
                facts=Facts(atop=Atop.model_validate(provisions)),
            )
        )
    return out


def score_legal(
    path: Path | str, rubric: Rubric | None = None, *, pillar: str = "legal"
) -> pd.DataFrame:
    """Score one pillar (default: legal and institutional) of every alliance in the file.

    One call through the table path: :func:`atop_facts_frame`, then
    :func:`readiness.derive_frame`, then :func:`readiness.assess_frame` (with
    ``min_coverage=0``, since ATOP speaks to few criteria).

    Args:
        path: The ATOP alliance-level CSV file.
        rubric: The rubric; default :func:`readiness.load_rubric`.
        pillar: The pillar to report.

    Returns:
        One row per alliance (index ``atop-<atopid>``): the derived level of each of the
        pillar's criteria that has a rule (NaN where ATOP says nothing), then the pillar
        score 0-100 (column named after the pillar; NaN when no criterion is known).

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
    scores = assess_frame(levels, rubric, min_coverage=0)
    columns = [c.id for c in chosen.criteria if c.id in levels.columns]
    out = levels[columns].copy()
    out[pillar] = scores[pillar]
    return out

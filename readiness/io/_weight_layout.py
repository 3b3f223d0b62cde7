"""The layout of a weight sheet (see :mod:`readiness.io.weight_sheets`), for the
template that writes it and the reader."""

from __future__ import annotations

from typing import Literal

from readiness.rubric import Rubric
from readiness.weights import PILLARS

__all__ = [
    "AHP_COLUMNS",
    "AHP_HELP",
    "SWING_COLUMNS",
    "SWING_HELP",
    "WEIGHTS_SHEET",
    "WeightMethod",
    "columns_of",
    "help_of",
    "weight_rows",
]

WeightMethod = Literal["ahp", "swing"]

#: The sheet of a workbook (and the first cell of the csv section, the json key).
WEIGHTS_SHEET = "Weights"
#: The columns of an AHP sheet; ``value`` is filled in, the titles are there to read.
AHP_COLUMNS: tuple[str, ...] = ("group", "a", "b", "value", "a title", "b title")
#: The columns of a swing sheet; ``rank`` and ``rating`` are filled in.
SWING_COLUMNS: tuple[str, ...] = ("pillar", "title", "rank", "rating")
AHP_HELP = (
    "value: how many times more important a is than b (1 equal, 3 moderately, 5 strongly, "
    "7 very strongly, 9 extremely; 2, 4, 6, 8 in between); b more important: 1/3, 1/5 ... "
    "1/9; blank: not judged. Group (pillars) compares pillars, a pillar id its criteria."
)
SWING_HELP = (
    "rank: 1 for the pillar whose swing from worst to best level matters most, then 2, "
    "3 ...; rating: that swing from 0 to 100 against the first (rank 1 is 100)."
)


def weight_rows(rubric: Rubric, method: WeightMethod) -> list[list[str]]:
    """The rows of a blank weight sheet (without its header) for ``rubric``."""
    if method == "swing":
        return [[p.id, p.title, "", ""] for p in rubric.pillars]
    rows: list[list[str]] = []
    pillars = rubric.pillars
    for i, a in enumerate(pillars):
        for b in pillars[i + 1 :]:
            rows.append([PILLARS, a.id, b.id, "", a.title, b.title])
    for p in pillars:
        for i, ca in enumerate(p.criteria):
            for cb in p.criteria[i + 1 :]:
                rows.append([p.id, ca.id, cb.id, "", ca.title, cb.title])
    return rows


def columns_of(method: WeightMethod) -> tuple[str, ...]:
    """The header of a weight sheet."""
    return AHP_COLUMNS if method == "ahp" else SWING_COLUMNS


def help_of(method: WeightMethod) -> str:
    """What to write in a weight sheet."""
    return AHP_HELP if method == "ahp" else SWING_HELP

"""Member codes: ISO 3166-1 alpha-3 (pycountry), and what a code that is not one meant.

A member of a partnership is a state, named by its ISO 3166-1 alpha-3 code (``USA``,
``JPN``). Also accepted:

- codes of former states that ISO 3166-3 keeps (``SUN`` for the Soviet Union, ``YUG``,
  ``DDR``, ``CSK``): old alliances had them as members;
- ``COW-<n>``, the Correlates of War number of a state with no ISO code (a historical
  state such as Bavaria, ``COW-245``), as the ATOP reader writes them;
- ISO's user-assigned ranges (``AAA``-``AAZ``, ``QMA``-``QZZ``, ``XAA``-``XZZ``,
  ``ZZA``-``ZZZ``), for members ISO does not code (``XKX`` is the common code for
  Kosovo) or a hypothetical state in an exercise.

:func:`member_problem` says what is wrong with a code, with a suggestion: a country's
name (``India`` -> ``IND``), an alpha-2 code (``US`` -> ``USA``) or a near miss.
"""

from __future__ import annotations

import difflib
import re
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path

__all__ = ["code_for_name", "is_member_code", "member_problem", "suggest_code"]

_COW = re.compile(r"^COW-[1-9][0-9]{0,3}$")
_USER_ASSIGNED = re.compile(r"^(?:AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z])$")

_COMMON_NAMES = {
    # names people write that ISO spells otherwise
    "america": "USA", "united states of america": "USA", "us": "USA", "usa": "USA",
    "uk": "GBR", "britain": "GBR", "great britain": "GBR", "england": "GBR",
    "russia": "RUS", "south korea": "KOR", "korea": "KOR", "north korea": "PRK",
    "iran": "IRN", "syria": "SYR", "vietnam": "VNM", "laos": "LAO", "taiwan": "TWN",
    "turkey": "TUR", "moldova": "MDA", "bolivia": "BOL", "venezuela": "VEN",
    "tanzania": "TZA", "czech republic": "CZE", "brunei": "BRN", "holland": "NLD",
    "soviet union": "SUN", "ussr": "SUN", "yugoslavia": "YUG", "east germany": "DDR",
    "west germany": "DEU", "czechoslovakia": "CSK", "burma": "MMR", "kosovo": "XKX",
}  # fmt: skip


@cache
def _tables() -> tuple[frozenset[str], dict[str, str]]:
    """Every accepted ISO code, and lower-case names and alpha-2 codes -> alpha-3."""
    import pycountry

    codes = {c.alpha_3 for c in pycountry.countries}
    codes |= {c.alpha_3 for c in pycountry.historic_countries if getattr(c, "alpha_3", None)}
    names = dict(_COMMON_NAMES)
    for c in pycountry.countries:
        names[c.alpha_2.lower()] = c.alpha_3
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                names.setdefault(value.lower(), c.alpha_3)
    for c in pycountry.historic_countries:
        if getattr(c, "alpha_3", None):
            names.setdefault(c.name.lower(), c.alpha_3)
    return frozenset(codes), names


@cache
def _codes() -> frozenset[str]:
    """Every accepted ISO code, as :func:`_tables` has them: read from pycountry's own
    data files (``databases/iso3166-1.json`` and ``iso3166-3.json``, what
    ``pycountry.countries`` and ``historic_countries`` are made of) without importing
    pycountry and building its objects; from pycountry itself if the files are not there
    or not as expected. ``tests/test_countries.py`` holds the two equal."""
    import orjson

    try:
        spec = find_spec("pycountry")
        folder = Path(next(iter(spec.submodule_search_locations or ()))) / "databases"  # type: ignore[union-attr]
        current = orjson.loads((folder / "iso3166-1.json").read_bytes())["3166-1"]
        former = orjson.loads((folder / "iso3166-3.json").read_bytes())["3166-3"]
        codes = {c["alpha_3"] for c in current} | {c["alpha_3"] for c in former if "alpha_3" in c}
    except (AttributeError, StopIteration, OSError, ValueError, KeyError, TypeError):
        return _tables()[0]
    return frozenset(codes)


def is_member_code(code: str) -> bool:
    """Whether ``code`` (upper case, stripped) names a member as this module describes."""
    if _COW.match(code) or _USER_ASSIGNED.match(code):
        return True
    return code in _codes()


def code_for_name(text: str) -> str | None:
    """The alpha-3 code of a country's name or alpha-2 code, written exactly (any case):
    ``India`` -> ``IND``, ``us`` -> ``USA``; ``None`` for anything else (no guessing)."""
    key = " ".join(text.strip().lower().split())
    return _tables()[1].get(key)


def suggest_code(text: str) -> str | None:
    """The alpha-3 code ``text`` most likely means: a name, an alpha-2 code, a near miss."""
    codes, names = _tables()
    key = " ".join(text.strip().lower().split())
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8)
    if close:
        return names[close[0]]
    if len(key) == 3:
        near = difflib.get_close_matches(key.upper(), sorted(codes), n=1, cutoff=0.67)
        if near:
            return near[0]
    return None


@lru_cache(maxsize=4096)  # every member of every file asks: the same few hundred codes
def member_problem(code: str) -> str | None:
    """What is wrong with a member code (``None`` when nothing is).

    >>> member_problem("IND") is None
    True
    >>> member_problem("INDIA")
    "'INDIA' is not an ISO 3166-1 alpha-3 code; did you mean 'IND'?"
    """
    if is_member_code(code):
        return None
    hint = suggest_code(code)
    more = f"; did you mean {hint!r}?" if hint else " (nor COW-<n> for a state with no ISO code)"
    return f"{code!r} is not an ISO 3166-1 alpha-3 code{more}"

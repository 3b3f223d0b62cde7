"""A partnership as it was known on a past date, from one file whose facts carry dates.

:func:`as_of` rewrites a partnership to what its file would have said on ``day``: the
assessment date becomes ``day``, and everything dated after it is left out, since
nobody knew it then. Assessed on several days, one file gives a history
(:func:`readiness.trend`), equal to the one dated files would give.

What changes, by field (dates after ``day`` only):

- ``members``: a member that joined later is not yet a member; one that left later is
  still a member (``left`` empty); a suspension that began later did not happen, one
  that ends later has not ended (``until`` empty).
- ``status``: changes since a later date did not happen.
- ``facts.agreements``: one signed later (or, unsigned, in force later) did not exist;
  an agreement that entered into force or ended later has not (``in_force``/``ended``
  empty). ``facts.invocations``, ``leadership_change_disruptions``,
  ``commitment_defaults`` and ``reviews``: later events did not happen. A
  ``threat_assessment`` dated later and a ``strategy`` adopted later did not exist.
- ``ratings``: evidence dated later is left out; a rating all of whose evidence is
  later is left out too (nothing supported it then). A rating without dated evidence
  is kept: an analyst's judgement carries no date of its own.
- Facts keyed by member (``defense_spending_gdp``, ``un_ideal_points``) lose the
  entries of states that were not yet members.
- Counts and flags without dates (exercises per year, standards adopted...) are kept as
  given: a file that wants them to change over time gives dated files instead.

Raises :class:`~readiness.errors.InputError` when ``day`` is before ``established`` or
after ``assessed_on``, or when what is left is not a valid partnership (fewer than two
members on ``day``, an agreement naming a state that had not joined yet); the error names
the partnership, the date, the JSON path and the problem.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from readiness.errors import InputError, Problem
from readiness.partnership import Partnership, partnership_from_dict

__all__ = ["as_of"]


def as_of(partnership: Partnership, day: dt.date) -> Partnership:
    """``partnership`` as it was known on ``day`` (see the module's rules).

    Raises:
        InputError: ``day`` is before the partnership was established, or after its
            assessment date (a file cannot say what it did not know), or what is left
            is not a valid partnership (named ``"<id> as of <day>"``).
    """
    p = partnership
    if p.established is not None and day < p.established:
        raise InputError(
            [
                Problem(
                    "$.established",
                    f"{p.established} is after {day}: the partnership did not exist yet",
                )
            ],
            source=f"{p.id} as of {day.isoformat()}",
        )
    if p.assessed_on is not None and day > p.assessed_on:
        raise InputError(
            [Problem("$.assessed_on", f"assessed on {p.assessed_on}; cannot be read as of {day}")],
            source=f"{p.id} as of {day.isoformat()}",
        )
    data = p.model_dump(mode="json", exclude_unset=True, by_alias=True)
    iso = day.isoformat()
    data["assessed_on"] = iso
    data["members"] = _members(data.get("members", []), iso)
    codes = {m if isinstance(m, str) else m.get("code") for m in data["members"]}
    if "status" in data and data["status"] is not None:
        data["status"] = [c for c in data["status"] if not _after(c.get("since"), iso)]
    if isinstance(data.get("facts"), dict):
        data["facts"] = _facts(data["facts"], iso, codes)
    data["ratings"] = _ratings(data.get("ratings", {}), iso)
    return partnership_from_dict(data, source=f"{p.id} as of {iso}")


def _after(value: Any, iso: str) -> bool:
    """Whether an ISO date (text) is after ``iso``; ``None`` is never after."""
    return isinstance(value, str) and value > iso


def _members(members: list[Any], iso: str) -> list[Any]:
    out = []
    for m in members:
        if not isinstance(m, dict):
            out.append(m)
            continue
        if _after(m.get("joined"), iso):
            continue
        m = dict(m)
        if _after(m.get("left"), iso):
            m.pop("left")
        spells = []
        for s in m.get("suspended", ()):
            if _after(s.get("since"), iso):
                continue
            spells.append({k: v for k, v in s.items() if not (k == "until" and _after(v, iso))})
        if "suspended" in m:
            m["suspended"] = spells
        out.append(m)
    return out


_EVENTS = ("invocations", "leadership_change_disruptions", "commitment_defaults", "reviews")


_BY_MEMBER = ("defense_spending_gdp", "un_ideal_points")


def _facts(facts: dict[str, Any], iso: str, members: set[Any]) -> dict[str, Any]:
    f = dict(facts)
    for name in _BY_MEMBER:
        if isinstance(f.get(name), dict):
            f[name] = {code: v for code, v in f[name].items() if code in members}
    agreements = []
    for a in f.get("agreements") or ():
        started = a.get("signed") or a.get("in_force")
        if _after(started, iso):
            continue
        agreements.append(
            {k: v for k, v in a.items() if not (k in ("in_force", "ended") and _after(v, iso))}
        )
    if "agreements" in f and f["agreements"] is not None:
        f["agreements"] = agreements
    for name in _EVENTS:
        if f.get(name) is not None:
            f[name] = [e for e in f[name] if not _after(e.get("date"), iso)]
    threat = f.get("threat_assessment")
    if isinstance(threat, dict) and _after(threat.get("date"), iso):
        f["threat_assessment"] = None
    strategy = f.get("strategy")
    if isinstance(strategy, dict) and _after(strategy.get("adopted"), iso):
        f["strategy"] = None
    return f


def _ratings(ratings: dict[str, Any], iso: str) -> dict[str, Any]:
    out = {}
    for cid, r in ratings.items():
        if not isinstance(r, dict) or not r.get("evidence"):
            out[cid] = r
            continue
        kept = [e for e in r["evidence"] if not _after(e.get("date"), iso)]
        if kept:
            out[cid] = {**r, "evidence": kept}
    return out

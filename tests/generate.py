"""Partnership documents drawn from every field of the file format and every fact.

``document(rng)`` builds one valid partnership document (JSON-ready dict) from a
``random.Random``: members as codes and as objects (joined, left, suspended), status
histories, every fact of :class:`readiness.facts.Facts` and every field of its nested
models, ratings of every kind. Each model's fields are drawn from a table below, one
entry per field; ``tests/test_generate.py`` fails when a model gains a field that its
table does not draw, or when a feature of the catalogue is never given a value, so a
new fact cannot slip past the tests that hold every path to one answer.

``documents()`` is the hypothesis strategy over it (``st.randoms``, so it shrinks).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from readiness import load_rubric
from readiness.facts import (
    AGREEMENT_KINDS,
    COMMON_DOCTRINE,
    CULTURAL_TRAINING,
    CYBER_THREAT_SHARING,
    EFFECTS,
    EXERCISE_NOTIFICATION,
    INCIDENT_PREVENTION,
    INTELLIGENCE_SHARING,
    JOINT_PROCUREMENT,
    OBJECTIVE_INDICATORS,
    OBSERVER_VISITS,
    OPT_OUTS,
    OUTCOMES,
    PLANNING_EXCHANGE,
    SECURITY_PROVISIONS,
    SEVERITIES,
    STANDARDS_EVALUATION,
    STATUSES,
    STRATEGY_FORMS,
    TECHNOLOGY_TRANSFER,
    THREAT_ASSESSMENT,
)
from readiness.partnership import KINDS

RUBRIC = load_rubric()
CODES = ("USA", "JPN", "GBR", "FRA", "DEU", "AUS", "NZL", "PHL", "IND", "KOR", "CAN", "ITA")
DAYS = (dt.date(2024, 1, 31), dt.date(2025, 6, 30), dt.date(2026, 6, 30))

Draw = Callable[[random.Random, "Context"], Any]


class Context:
    """What a field's value may depend on: the members and the assessment date."""

    def __init__(self, rng: random.Random) -> None:
        self.as_of: dt.date = rng.choice(DAYS)
        self.codes: list[str] = rng.sample(CODES, rng.randint(1, 6) if rng.random() < 0.9 else 2)
        if len(self.codes) < 2:
            self.codes.append(next(c for c in CODES if c not in self.codes))
        # mostly justified: a rating that contradicts the facts without one is refused
        self.justified = rng.random() < 0.85

    def day(self, rng: random.Random, start: dt.date = dt.date(1949, 1, 1)) -> str:
        """A date from ``start`` to the assessment date."""
        span = (self.as_of - start).days
        return (start + dt.timedelta(days=rng.randint(0, max(span, 0)))).isoformat()


def _maybe(p: float, draw: Draw) -> Draw:
    """``draw`` with probability ``p``, else the field is left out (``None``)."""
    return lambda rng, ctx: draw(rng, ctx) if rng.random() < p else None


def _rate(high: float) -> Draw:
    return lambda rng, ctx: rng.choice([0, 0.5, 1, 2, 3, round(rng.uniform(0, high), 1), high])


def _count(high: int) -> Draw:
    return lambda rng, ctx: rng.choice([0, 1, 2, 3, rng.randint(0, high), high])


def _flag(rng: random.Random, ctx: Context) -> bool:
    return rng.random() < 0.5


def _one(values: tuple[Any, ...]) -> Draw:
    return lambda rng, ctx: rng.choice(values)


def _text(what: str) -> Draw:
    return lambda rng, ctx: f"{what} {rng.randint(1, 999)}"


def _code(high: int) -> Draw:
    return lambda rng, ctx: rng.randint(0, high)


def _fields(table: dict[str, Draw], p: float = 0.6) -> Draw:
    """An object with each field of ``table`` drawn with probability ``p``."""

    def draw(rng: random.Random, ctx: Context) -> dict[str, Any]:
        out = {}
        for name, field in table.items():
            if rng.random() < p:
                value = field(rng, ctx)
                if value is not None:
                    out[name] = value
        return out

    return draw


# --- agreements and invocations ----------------------------------------------------------


def _kind(rng: random.Random, ctx: Context) -> Any:
    if rng.random() < 0.15:
        return rng.sample(AGREEMENT_KINDS, 2)
    return rng.choice(AGREEMENT_KINDS)


def _parties(rng: random.Random, ctx: Context) -> list[str]:
    return rng.sample(ctx.codes, rng.randint(1, len(ctx.codes)))


AGREEMENT_FIELDS: dict[str, Draw] = {
    "kind": _kind,
    "name": _text("Agreement"),
    "parties": _parties,
    "signed": lambda rng, ctx: ctx.day(rng),
    "in_force": lambda rng, ctx: ctx.day(rng),
    "ratified": _flag,
    "ended": lambda rng, ctx: ctx.day(rng),
    "provisions": lambda rng, ctx: rng.sample(
        SECURITY_PROVISIONS, rng.randint(0, len(SECURITY_PROVISIONS))
    ),
    "provisions_complete": _flag,
    "source": _text("Treaty series"),
}


def _agreement(rng: random.Random, ctx: Context) -> dict[str, Any]:
    out = _fields({k: v for k, v in AGREEMENT_FIELDS.items() if k != "kind"}, 0.5)(rng, ctx)
    out["kind"] = _kind(rng, ctx)
    if "provisions" not in out:
        out.pop("provisions_complete", None)  # a statement about a list needs the list
    start = out.get("in_force") or out.get("signed")
    if "in_force" in out and "signed" in out and out["signed"] > out["in_force"]:
        out["signed"], out["in_force"] = out["in_force"], out["signed"]
        start = out["in_force"]
    if "ended" in out and (start is None or out["ended"] < start or rng.random() < 0.7):
        if start is not None and out["ended"] < start:
            out["ended"] = start
        if rng.random() < 0.7:
            del out["ended"]
    return out


def _required(table: dict[str, Draw], *names: str) -> Draw:
    """Half the optional fields of ``table``, and always ``names``."""

    def draw(rng: random.Random, ctx: Context) -> dict[str, Any]:
        out = _fields(table, 0.5)(rng, ctx)
        for name in names:
            out[name] = table[name](rng, ctx)
        return out

    return draw


INVOCATION_FIELDS: dict[str, Draw] = {
    "date": lambda rng, ctx: ctx.day(rng),
    "by": lambda rng, ctx: rng.choice(ctx.codes),
    "outcome": _one(OUTCOMES),
    "note": _text("Invoked after"),
    "source": _text("Communique"),
}


def _invocation(rng: random.Random, ctx: Context) -> dict[str, Any]:
    return _required(INVOCATION_FIELDS, "date", "outcome")(rng, ctx)


DISRUPTION_FIELDS: dict[str, Draw] = {
    "date": lambda rng, ctx: ctx.day(rng, dt.date(2015, 1, 1)),
    "member": lambda rng, ctx: rng.choice(ctx.codes),
    "effect": _one(EFFECTS),
    "note": _text("After the election of"),
    "source": _text("Statement"),
}


def _disruption(rng: random.Random, ctx: Context) -> dict[str, Any]:
    return _required(DISRUPTION_FIELDS, "date", "effect")(rng, ctx)


DEFAULT_FIELDS: dict[str, Draw] = {
    "date": lambda rng, ctx: ctx.day(rng, dt.date(2012, 1, 1)),
    "member": lambda rng, ctx: rng.choice(ctx.codes),
    "severity": _one(SEVERITIES),
    "note": _text("Pledge of"),
    "source": _text("Report"),
}

REVIEW_FIELDS: dict[str, Draw] = {
    "date": lambda rng, ctx: ctx.day(rng, dt.date(2010, 1, 1)),
    "scheduled": _flag,
    "changes": _flag,
    "source": _text("Review"),
}

THREAT_FIELDS: dict[str, Draw] = {
    "form": _one(THREAT_ASSESSMENT),
    "date": lambda rng, ctx: ctx.day(rng, dt.date(2012, 1, 1)),
    "source": _text("Assessment"),
}

STRATEGY_FIELDS: dict[str, Draw] = {
    "form": _one(STRATEGY_FORMS),
    "adopted": lambda rng, ctx: ctx.day(rng, dt.date(2005, 1, 1)),
    "revision_cycle_years": lambda rng, ctx: rng.choice(["none", 1, 4, 5.5]),
    "source": _text("Strategic concept"),
}


# --- ATOP, interoperability ----------------------------------------------------------------

ATOP_FIELDS: dict[str, Draw] = {
    "defense": _flag,
    "offense": _flag,
    "neutrality": _flag,
    "nonaggression": _flag,
    "consultation": _flag,
    "integrated_command": _flag,
    "military_coordination": _code(3),
    "military_aid": _code(4),
    "basing": _code(3),
    "organisation": _code(3),
    "organisation_purpose": _code(5),
    "second_organisation": _code(3),
    "second_organisation_purpose": _code(5),
    "subordination": _code(2),
    "specific_contributions": _flag,
    "secret_provisions": _flag,
    "secrecy": _code(2),
    "secret_content": _code(8),
    "ratification_required": _flag,
    "conflict_provisions": _code(3),
    "mediation_arbitration": _flag,
    "companion_agreement": _code(6),
    "military_institutionalisation": _code(2),
    "formality": _code(2),
    "signed": lambda rng, ctx: ctx.day(rng),
    "ended": lambda rng, ctx: ctx.day(rng) if rng.random() < 0.2 else None,
    "coded_until": lambda rng, ctx: rng.choice(["2018-12-31", ctx.day(rng)]),
}

INTEROPERABILITY_FIELDS: dict[str, Draw] = {
    name: _code(4) for name in ("communications", "data", "command_and_control", "logistics")
}


def _atop(rng: random.Random, ctx: Context) -> dict[str, Any]:
    out = _fields(ATOP_FIELDS, 0.7)(rng, ctx)
    if "ended" in out and "signed" in out and out["ended"] < out["signed"]:
        out["ended"] = out["signed"]
    last = out.get("ended") or out.get("signed")
    if "coded_until" in out and last is not None and out["coded_until"] < last:
        out["coded_until"] = last  # the data observe the alliance at least that long
    return out


# --- facts -----------------------------------------------------------------------------------


def _spending(rng: random.Random, ctx: Context) -> dict[str, float]:
    chosen = rng.sample(ctx.codes, rng.randint(1, len(ctx.codes)))
    return {c: rng.choice([0.5, 1.0, 1.5, 2.0, 2.5, round(rng.uniform(0, 5), 2)]) for c in chosen}


def _ideal_points(rng: random.Random, ctx: Context) -> dict[str, float]:
    chosen = rng.sample(ctx.codes, rng.randint(1, len(ctx.codes)))
    return {c: round(rng.uniform(-2.5, 3.0), 3) for c in chosen}


def _sources(rng: random.Random, ctx: Context) -> dict[str, str]:
    names = [n for n in FACT_FIELDS if n != "sources"]
    return {n: f"source of {n}" for n in rng.sample(names, rng.randint(1, 4))}


FACT_FIELDS: dict[str, Draw] = {
    "agreements": lambda rng, ctx: [_agreement(rng, ctx) for _ in range(rng.randint(0, 5))],
    "agreements_complete": _flag,
    "agreements_absent": lambda rng, ctx: rng.sample(AGREEMENT_KINDS, rng.randint(1, 4)),
    "atop": _atop,
    "exercises_per_year": _rate(40),
    "personnel_exchanges_per_year": _rate(600),
    "liaison_officers": _count(40),
    "standards_adopted": _count(1500),
    "standards_evaluation": _one(STANDARDS_EVALUATION),
    "standards_joint_drafting": _flag,
    "interoperability": _fields(INTEROPERABILITY_FIELDS, 0.7),
    "intelligence_sharing": _one(INTELLIGENCE_SHARING),
    "secure_channels": _flag,
    "security_incidents_5y": _count(15),
    "ministerial_meetings_per_year": _rate(8),
    "staff_talks_per_year": _rate(30),
    "defense_spending_gdp": _spending,
    "joint_programmes": _count(15),
    "co_production": _flag,
    "technology_transfer": _one(TECHNOLOGY_TRANSFER),
    "cyber_agreements": _count(4),
    "cyber_exercises_per_year": _rate(4),
    "common_language": _flag,
    "common_doctrine": _one(COMMON_DOCTRINE),
    "disputes_5y": _count(6),
    "leadership_changes_5y": _count(9),
    "leadership_change_disruptions": lambda rng, ctx: [
        _disruption(rng, ctx) for _ in range(rng.randint(0, 2))
    ],
    "leadership_change_disruptions_complete": _flag,
    "joint_intelligence_products": _flag,
    "un_ideal_points": _ideal_points,
    "spending_target_gdp": lambda rng, ctx: rng.choice(["none", 2.0, 1.5]),
    "invocations": lambda rng, ctx: [_invocation(rng, ctx) for _ in range(rng.randint(0, 3))],
    "invocations_complete": _flag,
    "two_plus_two_per_year": _rate(3),
    "planning_exchange": _one(PLANNING_EXCHANGE),
    "commitment_defaults": lambda rng, ctx: [
        _required(DEFAULT_FIELDS, "date", "severity")(rng, ctx) for _ in range(rng.randint(0, 2))
    ],
    "commitment_defaults_complete": _flag,
    "combined_operations_10y": _count(4),
    "military_aid_years": _count(12),
    "resident_trainers": _count(200),
    "arms_transfers_5y": _count(6),
    "capacity_needs_assessment": _flag,
    "capacity_institution_building": _flag,
    "capacity_measured_outcomes": _flag,
    "exercise_notification": _one(EXERCISE_NOTIFICATION),
    "observer_visits": _one(OBSERVER_VISITS),
    "military_hotline": _flag,
    "verification_visits_per_year": lambda rng, ctx: rng.choice([0, 0.2, 1, 3]),
    "force_data_exchange": _flag,
    "incident_prevention": _one(INCIDENT_PREVENTION),
    "threat_assessment": _required(THREAT_FIELDS, "form"),
    "strategy": _required(STRATEGY_FIELDS, "form"),
    "objective_indicators": _one(OBJECTIVE_INDICATORS),
    "progress_reports_per_year": lambda rng, ctx: rng.choice([0, 0.5, 1, 2]),
    "independent_evaluation": _flag,
    "staff_college_students_per_year": _rate(30),
    "common_courses": _count(6),
    "qualification_recognition": _flag,
    "joint_training_centres": _count(3),
    "consent_rule": _flag,
    "opt_outs": _one(OPT_OUTS),
    "opt_out_without_blocking": _flag,
    "clashes_10y": _count(2),
    "cooperation_suspended_10y": _flag,
    "disagreements_resolved_10y": _count(6),
    "pooled_assets": _count(5),
    "joint_procurement": _one(JOINT_PROCUREMENT),
    "cultural_training": _one(CULTURAL_TRAINING),
    "cyber_threat_sharing": _one(CYBER_THREAT_SHARING),
    "reviews": lambda rng, ctx: [
        _required(REVIEW_FIELDS, "date", "scheduled")(rng, ctx) for _ in range(rng.randint(0, 3))
    ],
    "reviews_complete": _flag,
    "sources": _sources,
}


def _facts(rng: random.Random, ctx: Context) -> dict[str, Any]:
    """Facts with every field drawn independently, then made consistent: a statement that
    a list is complete needs the list, and a kind known to be absent is not in force."""
    out = _fields(FACT_FIELDS, rng.choice([0.3, 0.6, 0.9]))(rng, ctx)
    for name in (
        "agreements",
        "invocations",
        "leadership_change_disruptions",
        "commitment_defaults",
        "reviews",
    ):
        if f"{name}_complete" in out and name not in out:
            out[name] = []
    listed = {
        kind
        for a in out.get("agreements", [])
        if "ended" not in a
        for kind in (a["kind"] if isinstance(a["kind"], list) else [a["kind"]])
    }
    if out.get("opt_out_without_blocking") and out.get("opt_outs", "used") != "used":
        out["opt_out_without_blocking"] = False  # only an opt-out used can let others go on
    strategy = out.get("strategy")
    if strategy and strategy["form"] == "none":  # no document: nothing to date
        strategy.pop("adopted", None)
        strategy.pop("revision_cycle_years", None)
    threat = out.get("threat_assessment")
    if threat and threat["form"] in ("none", "speeches"):
        threat.pop("date", None)
    absent = [k for k in out.get("agreements_absent", []) if k not in listed]
    if absent:
        out["agreements_absent"] = absent
    else:
        out.pop("agreements_absent", None)
    return out


# --- members, status, ratings ----------------------------------------------------------------

SUSPENSION_FIELDS: dict[str, Draw] = {
    "since": lambda rng, ctx: ctx.day(rng, dt.date(2010, 1, 1)),
    "until": lambda rng, ctx: ctx.day(rng, dt.date(2010, 1, 1)),
    "note": _text("Suspended"),
}

MEMBER_FIELDS: dict[str, Draw] = {
    "code": lambda rng, ctx: None,  # set by _members
    "joined": lambda rng, ctx: ctx.day(rng, dt.date(1990, 1, 1)),
    "left": lambda rng, ctx: ctx.day(rng, dt.date(2015, 1, 1)),
    "suspended": lambda rng, ctx: [_suspension(rng, ctx)],
    "note": _text("Member"),
    "source": _text("Accession protocol"),
}


def _suspension(rng: random.Random, ctx: Context) -> dict[str, Any]:
    out = _fields(SUSPENSION_FIELDS, 0.5)(rng, ctx)
    out["since"] = SUSPENSION_FIELDS["since"](rng, ctx)
    if "until" in out and out["until"] < out["since"]:
        out["since"], out["until"] = out["until"], out["since"]
    return out


def _members(rng: random.Random, ctx: Context) -> list[Any]:
    out: list[Any] = []
    for code in ctx.codes:
        if rng.random() < 0.7:
            out.append(code)
            continue
        member = _fields({k: v for k, v in MEMBER_FIELDS.items() if k != "code"}, 0.4)(rng, ctx)
        if "joined" in member and "left" in member and member["left"] < member["joined"]:
            member["joined"], member["left"] = member["left"], member["joined"]
        out.append({"code": code, **member})
    return out


STATUS_FIELDS: dict[str, Draw] = {
    "state": _one(STATUSES),
    "since": lambda rng, ctx: ctx.day(rng, dt.date(1990, 1, 1)),
    "note": _text("Status"),
    "source": _text("Declaration"),
}


def _status(rng: random.Random, ctx: Context) -> Any:
    if rng.random() < 0.5:
        return rng.choice(STATUSES)
    changes = [
        _fields(STATUS_FIELDS, 0.6)(rng, ctx) | {"state": rng.choice(STATUSES)}
        for _ in range(rng.randint(1, 3))
    ]
    changes[0].pop("since", None) if rng.random() < 0.5 else None
    for c in changes[1:]:
        c.setdefault("since", ctx.day(rng, dt.date(1990, 1, 1)))
    return sorted(changes, key=lambda c: c.get("since", ""))


EVIDENCE_FIELDS: dict[str, Draw] = {
    "text": _text("Seen in"),
    "source": _text("Report"),
    "date": lambda rng, ctx: ctx.day(rng, dt.date(2000, 1, 1)),
    "url": lambda rng, ctx: f"https://example.org/{rng.randint(1, 999)}",
}

RATING_FIELDS: dict[str, Draw] = {
    "level": lambda rng, ctx: rng.choice(
        [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, "unknown", "not-applicable"]
    ),
    "confidence": _one(("low", "medium", "high")),
    "evidence": lambda rng, ctx: [
        _fields(EVIDENCE_FIELDS, 0.7)(rng, ctx) | {"text": "evidence", "source": "report"}
        for _ in range(rng.randint(0, 2))
    ],
    "note": _text("Note"),
    "justification": _text("Checked by hand"),
    "perspective": lambda rng, ctx: rng.choice(ctx.codes),
}


def _ratings(rng: random.Random, ctx: Context) -> dict[str, Any]:
    chosen = rng.sample(RUBRIC.criterion_ids, rng.randint(0, len(RUBRIC.criterion_ids)))
    out = {}
    for cid in chosen:
        rating = _fields(RATING_FIELDS, 0.4)(rng, ctx)
        rating["level"] = RATING_FIELDS["level"](rng, ctx)
        if ctx.justified and "justification" not in rating:
            rating["justification"] = RATING_FIELDS["justification"](rng, ctx)
        out[cid] = rating
    return out


PARTNERSHIP_FIELDS: dict[str, Draw] = {
    "format_version": _one((1, 2, 3)),
    "id": lambda rng, ctx: f"p{rng.randint(0, 10**6)}",
    "name": _text("Partnership"),
    "kind": _one(KINDS),
    "status": _status,
    "members": _members,
    "established": lambda rng, ctx: ctx.day(rng),
    "description": _text("About"),
    "target": lambda rng, ctx: rng.choice([p.id for p in RUBRIC.profiles]),
    "rubric": lambda rng, ctx: rng.choice([RUBRIC.id, f"{RUBRIC.id}@{RUBRIC.version}"]),
    "assessor": _text("Analyst"),
    "assessed_on": lambda rng, ctx: ctx.as_of.isoformat(),
    "ratings": _ratings,
    "facts": _facts,
    # last, so that the draws of every field above stay as they were before it came
    "$schema": lambda rng, ctx: rng.choice(
        ["partnership.schema.json", "https://example.org/partnership.schema.json"]
    ),
}
REQUIRED = ("id", "name", "kind", "members", "assessed_on")


def document(rng: random.Random) -> dict[str, Any]:
    """One valid partnership document that may use any field and fact."""
    ctx = Context(rng)
    out = {}
    for name, field in PARTNERSHIP_FIELDS.items():
        if name in REQUIRED or rng.random() < 0.6:
            value = field(rng, ctx)
            if value is not None:
                out[name] = value
    return out


def documents() -> st.SearchStrategy[dict[str, Any]]:
    """Hypothesis strategy: :func:`document` of a drawn ``random.Random``."""
    return st.randoms(use_true_random=False).map(document)


def corpus(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` documents from one seed (the same list on every run)."""
    rng = random.Random(seed)
    return [document(random.Random(rng.getrandbits(64))) for _ in range(n)]


MODEL_TABLES = {
    "Partnership": PARTNERSHIP_FIELDS,
    "Facts": FACT_FIELDS,
    "Agreement": AGREEMENT_FIELDS,
    "Invocation": INVOCATION_FIELDS,
    "Disruption": DISRUPTION_FIELDS,
    "CommitmentDefault": DEFAULT_FIELDS,
    "Review": REVIEW_FIELDS,
    "ThreatAssessment": THREAT_FIELDS,
    "Strategy": STRATEGY_FIELDS,
    "Atop": ATOP_FIELDS,
    "Interoperability": INTEROPERABILITY_FIELDS,
    "Member": MEMBER_FIELDS,
    "Suspension": SUSPENSION_FIELDS,
    "StatusChange": STATUS_FIELDS,
    "Rating": RATING_FIELDS,
    "Evidence": EVIDENCE_FIELDS,
}
"""Each model of the file format and the table that draws its fields."""

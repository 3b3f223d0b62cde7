"""Facts: public, checkable things about a partnership, and the features rules read.

A partnership file may carry a typed ``facts`` object (see ``docs/facts-format.md``)::

    "facts": {
      "agreements": [{"kind": "status-of-forces", "signed": "1951-06-19", "ratified": true}],
      "exercises_per_year": 20,
      "interoperability": {"communications": 4, "data": 4},
      "intelligence_sharing": "integrated"
    }

Every fact is optional: a missing fact is *unknown*, never zero. Unknown fields,
wrong types, negative counts, unknown categories and dates in the future are errors
with their JSON path (``$.facts.exercises_per_year``); in a partnership, so are
agreement dates after its ``assessed_on`` (:class:`readiness.partnership.Partnership`).

Rules in the rubric (``derive:``, see :mod:`readiness.derive`) never read the nested
facts directly. They read a flat **feature catalogue**, :data:`FEATURES`: one named,
typed value per partnership (``exercises_per_year``, ``agreement.status-of-forces``,
``interop.communications``, ``defense_spending_gdp.share_at_2pct``, ...).
:func:`facts_features` computes them for one partnership and :func:`facts_frame`
for many, as a table with one row per partnership and one column per feature.

What a list leaves out is the file's statement: a kind of agreement not listed is
*unknown*, unless ``agreements_complete`` says the list is complete or
``agreements_absent`` names the kind (then it is *false*); likewise invocations
(``invocations_complete``) and an agreement's provisions (``provisions_complete``).
Partnership files of formats 1 and 2 wrote complete lists, and are read so
(:func:`facts_features`, ``complete_lists``). An agreement is in force on the
assessment date when it started (``in_force``, else ``signed``) on or before that date
and has not ``ended`` by then; an agreement with no dates at all is taken to be in
force unless it has ended.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema

from readiness._models import _ISO_DAY, _ISO_DAY_TEXT, Day, Frozen, NonEmpty, _iso_day

if TYPE_CHECKING:
    import pandas as pd

    from readiness.partnership import Partnership

__all__ = [
    "AGREEMENT_KINDS",
    "ATOP_CATEGORIES",
    "COMMON_DOCTRINE",
    "EFFECTS",
    "FEATURES",
    "INTELLIGENCE_SHARING",
    "OUTCOMES",
    "SECURITY_PROVISIONS",
    "STANDARDS_EVALUATION",
    "STATUSES",
    "TECHNOLOGY_TRANSFER",
    "Agreement",
    "Atop",
    "Disruption",
    "Facts",
    "Feature",
    "FeatureType",
    "FeatureValue",
    "Interoperability",
    "Invocation",
    "Roster",
    "facts_features",
    "facts_frame",
]

AgreementKind = Literal[
    "mutual-defense-treaty",
    "status-of-forces",
    "security-of-information",
    "acquisition-cross-servicing",
    "defense-cooperation",
    "memorandum-of-understanding",
    "access",
    "intelligence-sharing",
    "technology-transfer",
    "cyber",
    "dispute-resolution",
    "host-nation-support",
    "cost-sharing",
    "nuclear-consultation",
    "charter",
    "friendship",
]
AGREEMENT_KINDS: tuple[str, ...] = AgreementKind.__args__  # type: ignore[attr-defined]

IntelligenceSharing = Literal["none", "ad-hoc", "formal-bilateral", "integrated"]
INTELLIGENCE_SHARING: tuple[str, ...] = IntelligenceSharing.__args__  # type: ignore[attr-defined]

TechnologyTransfer = Literal["none", "case-by-case", "preferential", "licence-free"]
TECHNOLOGY_TRANSFER: tuple[str, ...] = TechnologyTransfer.__args__  # type: ignore[attr-defined]

CommonDoctrine = Literal["none", "partial", "common"]
COMMON_DOCTRINE: tuple[str, ...] = CommonDoctrine.__args__  # type: ignore[attr-defined]

SecurityProvision = Literal[
    "clearance-recognition",
    "reciprocal-inspections",
    "industrial-security",
    "incident-notification",
]
SECURITY_PROVISIONS: tuple[str, ...] = SecurityProvision.__args__  # type: ignore[attr-defined]
"""Provisions of a security-of-information agreement that its public text shows."""

Outcome = Literal["honoured", "partial", "declined"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]

Effect = Literal["reduced", "suspended"]
EFFECTS: tuple[str, ...] = Effect.__args__  # type: ignore[attr-defined]
"""What a change of government did to a partnership that it disrupted."""

StandardsEvaluation = Literal["none", "evaluated", "certified"]
STANDARDS_EVALUATION: tuple[str, ...] = StandardsEvaluation.__args__  # type: ignore[attr-defined]

PlanningExchange = Literal["none", "briefings", "scheduled", "planning-cycle", "joint-planning"]
PLANNING_EXCHANGE: tuple[str, ...] = PlanningExchange.__args__  # type: ignore[attr-defined]
"""How the partners share defense plans and capability data with one another."""

Severity = Literal["reneged", "missed"]
SEVERITIES: tuple[str, ...] = Severity.__args__  # type: ignore[attr-defined]
"""How badly a member failed a commitment (see :class:`CommitmentDefault`)."""

ExerciseNotification = Literal["none", "informal", "written", "systematic"]
EXERCISE_NOTIFICATION: tuple[str, ...] = ExerciseNotification.__args__  # type: ignore[attr-defined]

ObserverVisits = Literal["none", "occasional", "reciprocal"]
OBSERVER_VISITS: tuple[str, ...] = ObserverVisits.__args__  # type: ignore[attr-defined]

IncidentPrevention = Literal["none", "agreed", "used"]
INCIDENT_PREVENTION: tuple[str, ...] = IncidentPrevention.__args__  # type: ignore[attr-defined]

ThreatForm = Literal["none", "speeches", "joint-statement", "joint-assessment", "integrated"]
THREAT_ASSESSMENT: tuple[str, ...] = ThreatForm.__args__  # type: ignore[attr-defined]

StrategyForm = Literal["none", "communique", "vision", "guidelines", "concept"]
STRATEGY_FORMS: tuple[str, ...] = StrategyForm.__args__  # type: ignore[attr-defined]

ObjectiveIndicators = Literal["none", "activities", "some", "all"]
OBJECTIVE_INDICATORS: tuple[str, ...] = ObjectiveIndicators.__args__  # type: ignore[attr-defined]

OptOuts = Literal["none", "provided", "used"]
OPT_OUTS: tuple[str, ...] = OptOuts.__args__  # type: ignore[attr-defined]

JointProcurement = Literal["none", "occasional", "common", "default"]
JOINT_PROCUREMENT: tuple[str, ...] = JointProcurement.__args__  # type: ignore[attr-defined]

CulturalTraining = Literal["none", "briefings", "pre-deployment", "education", "assessed"]
CULTURAL_TRAINING: tuple[str, ...] = CulturalTraining.__args__  # type: ignore[attr-defined]

CyberThreatSharing = Literal["none", "ad-hoc", "cert-to-cert", "automated", "joint"]
CYBER_THREAT_SHARING: tuple[str, ...] = CyberThreatSharing.__args__  # type: ignore[attr-defined]

STATUSES: tuple[str, ...] = ("active", "dormant", "dissolving", "dissolved")
"""States of a partnership (see :class:`readiness.partnership.StatusChange`)."""

SPENDING_BENCHMARK = 2.0
"""Percent of GDP used by ``defense_spending_gdp.share_at_2pct`` (NATO's 2014 pledge)."""


# --- value checks (each raises ValueError with the message users see) -----------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rate(value: Any) -> Any:
    """A number >= 0 (averages may have fractions)."""
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"must be a number (got {value!r})")
    if value < 0:
        raise ValueError(f"must not be negative (got {value!r})")
    return value


def _percent(value: Any) -> Any:
    """A share of GDP in percent: a number from 0 to 100."""
    _rate(value)
    if value > 100:
        raise ValueError(f"must be a percentage of GDP from 0 to 100 (got {value!r})")
    return value


def normal_code(code: str) -> str:
    """A member code as it is compared and kept: blanks stripped, upper case (``usa`` is
    ``USA``)."""
    return code.strip().upper()


def _distinct_codes(value: Any) -> Any:
    """Codes normalised with :func:`normal_code`; two keys that become one are refused."""
    if not isinstance(value, dict):
        return value
    out: dict[Any, Any] = {}
    first: dict[str, Any] = {}
    for key, item in value.items():
        code = normal_code(key) if isinstance(key, str) else key
        if code in first:
            raise ValueError(
                f"{first[code]!r} and {key!r} are the same member ({code}); give it once"
            )
        first[code] = key
        out[code] = item
    return out


def _count(value: Any) -> Any:
    """A whole number >= 0."""
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"must be a whole number (got {value!r})")
    if value != int(value):
        raise ValueError(f"must be a whole number (got {value!r})")
    if value < 0:
        raise ValueError(f"must not be negative (got {value!r})")
    return int(value)


def _flag(value: Any) -> Any:
    """true/false (ATOP-style 0/1 also accepted)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"must be true or false (got {value!r})")


def _interop_level(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise ValueError(f"interoperability level must be an integer from 0 to 4 (got {value!r})")
    return value


def _ideal_point(value: Any) -> Any:
    """A UN General Assembly ideal point: any finite number (negative is fine)."""
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"must be a number (got {value!r})")
    return value


def _target(value: Any) -> Any:
    """A spending target in percent of GDP, or ``"none"`` when the partnership has none."""
    if value == "none":
        return value
    if not _is_number(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"must be a percent of GDP above 0, or 'none' (got {value!r})")
    return value


def _one_of(choices: tuple[str, ...], what: str = "value") -> BeforeValidator:
    return BeforeValidator(_OneOf(choices, what))


@dataclass(frozen=True)
class _OneOf:
    """The check of :func:`_one_of`: a value among ``choices``. A class, not a closure,
    so that the partnership's core schema can be pickled (see :mod:`readiness._prebuilt`)."""

    choices: tuple[str, ...]
    what: str

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            raise ValueError(
                f"unknown {self.what} {value!r} (expected one of: {', '.join(self.choices)})"
            )
        return value


_TODAY: tuple[dt.date, str, float] = (dt.date.min, dt.date.min.isoformat(), 0.0)
"""Today's date, written ``YYYY-MM-DD``, and the time (``time.time()``) at which it ends."""


def _today_now() -> tuple[dt.date, str]:
    """``date.today()`` and its text, asked of the clock once a day: every date of every
    file checks them."""
    global _TODAY
    day, text, ends = _TODAY
    now = time.time()
    if now >= ends or now < ends - 90_000:  # a new day, or the clock went back
        day = dt.date.today()
        tomorrow = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        text = day.isoformat()
        _TODAY = day, text, tomorrow.timestamp()
    return day, text


def _past_day(value: Any) -> Any:
    """A date (``YYYY-MM-DD`` text, or a ``date``) not after today, in one call.

    It checks what :data:`readiness._models.Day` checks (the form; pydantic then refuses
    an impossible day such as 2024-02-30) and that the day is not in the future. Text
    in that form compares as its day does, so a day up to today's text passes on without
    being read here; only one after it is read, to tell a future day from an impossible
    one (which is left to pydantic, and worded as before).
    """
    if isinstance(value, str) and _ISO_DAY_TEXT.fullmatch(value):
        _, text, ends = _TODAY
        if value <= text and ends - 90_000 <= time.time() < ends:  # _today_now(), inline
            return value
        if value <= _today_now()[1]:  # a new day, or the clock went back
            return value
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value  # an impossible day: pydantic's error
        raise ValueError(f"date {day.isoformat()} is in the future")
    day = _iso_day(value)  # anything but a date is refused as Day refuses it
    if day > _today_now()[0]:
        raise ValueError(f"date {day.isoformat()} is in the future")
    return day


# Each type states its rule as a constraint, which the JSON Schema shows, and keeps a
# friendly check (the BeforeValidator, which runs first and words the error). The
# constraint must come first in Annotated: after a validator pydantic cannot fold it
# into the schema.
MemberCode = Annotated[NonEmpty, AfterValidator(normal_code)]
"""A member's code where a fact names one: compared as :func:`normal_code` gives it."""
Rate = Annotated[float, Field(ge=0), BeforeValidator(_rate)]
Percent = Annotated[float, Field(ge=0, le=100), BeforeValidator(_percent)]
Count = Annotated[int, Field(ge=0), BeforeValidator(_count)]
Flag = Annotated[
    bool,
    BeforeValidator(_flag),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]}),
]
Code = Annotated[int, Field(ge=0), BeforeValidator(_count)]
InteropLevel = Annotated[int, Field(ge=0, le=4), BeforeValidator(_interop_level)]
PastDate = Annotated[
    dt.date,
    BeforeValidator(_past_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _ISO_DAY}),
]
"""A ``YYYY-MM-DD`` date not after today."""
SharingCategory = Annotated[IntelligenceSharing, _one_of(INTELLIGENCE_SHARING)]
TransferCategory = Annotated[TechnologyTransfer, _one_of(TECHNOLOGY_TRANSFER)]
DoctrineCategory = Annotated[CommonDoctrine, _one_of(COMMON_DOCTRINE)]
EvaluationCategory = Annotated[StandardsEvaluation, _one_of(STANDARDS_EVALUATION)]
IdealPoint = Annotated[float, BeforeValidator(_ideal_point)]
SpendingTarget = Annotated[
    float | Literal["none"],
    BeforeValidator(_target),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"const": "none"}]}),
]


def _about(description: str) -> Any:
    """An optional field (default ``None``) with its unit and meaning."""
    return Field(default=None, description=description)


# --- the model -------------------------------------------------------------------------


def _kinds(value: Any) -> Any:
    """One kind, or a non-empty list of different kinds (an agreement of several kinds)."""
    if isinstance(value, list | tuple):
        if not value:
            raise ValueError("must name at least one agreement kind")
        seen: set[object] = set()
        for item in value:
            _kinds(item if isinstance(item, str) else repr(item))
            if item in seen:
                raise ValueError(f"agreement kind {item!r} is listed twice")
            seen.add(item)
        return tuple(value)
    if value not in AGREEMENT_KINDS:
        raise ValueError(
            f"unknown agreement kind {value!r} (expected one of: {', '.join(AGREEMENT_KINDS)})"
        )
    return value


class Agreement(Frozen):
    """One agreement between the partners (or some of them: ``parties``)."""

    kind: Annotated[
        AgreementKind | tuple[AgreementKind, ...],
        BeforeValidator(_kinds),
        WithJsonSchema(
            {
                "anyOf": [
                    {"enum": list(AGREEMENT_KINDS)},
                    {
                        "type": "array",
                        "items": {"enum": list(AGREEMENT_KINDS)},
                        "minItems": 1,
                        "uniqueItems": True,
                    },
                ]
            }
        ),
    ] = Field(
        description="Kind of agreement, or a list of kinds for an agreement that is several at"
        " once (a treaty that is also a charter): " + ", ".join(AGREEMENT_KINDS) + "."
    )
    name: NonEmpty | None = Field(default=None, description="Official or common name.")
    parties: tuple[MemberCode, ...] | None = Field(
        default=None,
        min_length=1,
        description="The members bound by it (codes from `members`); empty means every member.",
        json_schema_extra={"uniqueItems": True},
    )
    signed: PastDate | None = Field(default=None, description="Date signed (ISO 8601).")
    in_force: PastDate | None = Field(
        default=None, description="Date it entered into force (ISO 8601)."
    )
    ratified: Flag | None = Field(
        default=None, description="true when ratified (or otherwise binding) for every party."
    )
    ended: PastDate | None = Field(
        default=None, description="Date it lapsed or was terminated; empty while in force."
    )
    provisions: (
        tuple[Annotated[SecurityProvision, _one_of(SECURITY_PROVISIONS, "provision")], ...] | None
    ) = Field(
        default=None,
        description="Provisions its public text contains (security-of-information agreements): "
        + ", ".join(SECURITY_PROVISIONS)
        + ". Leave it out when the text was not checked; a provision not listed is unknown"
        " unless provisions_complete says the list is complete.",
    )
    provisions_complete: Flag | None = Field(
        default=None,
        description="true: `provisions` is the complete list of what the public text provides"
        " (a provision not listed is absent). Absent or false: not stated, so a provision not"
        " listed is unknown (formats 1 and 2 read a given list as complete).",
    )
    source: NonEmpty | None = Field(default=None, description="Public source of the text.")

    @model_validator(mode="after")
    def _ends_after_start(self) -> Agreement:
        start = self.start
        if self.ended is not None and start is not None and self.ended < start:
            raise ValueError(
                f"ended {self.ended.isoformat()} is before it started {start.isoformat()}"
            )
        if self.parties is not None and len(set(self.parties)) != len(self.parties):
            raise ValueError("parties lists a member twice")
        if self.provisions_complete and self.provisions is None:
            raise ValueError(
                "provisions_complete says the list of provisions is complete, but there is no"
                ' list (write "provisions": [] when the text provides none)'
            )
        return self

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind the agreement is (one for most agreements)."""
        return self.kind if isinstance(self.kind, tuple) else (self.kind,)

    @property
    def start(self) -> dt.date | None:
        """When it took effect: ``in_force``, else ``signed``."""
        return self.in_force or self.signed

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the agreement is in force on ``day``."""
        start = self.start
        return (start is None or start <= day) and (self.ended is None or self.ended > day)

    def binds(self, a: str, b: str) -> bool:
        """Whether members ``a`` and ``b`` are both parties (no ``parties``: every member)."""
        return self.parties is None or (a in self.parties and b in self.parties)


class Invocation(Frozen):
    """One invocation of the partnership's mutual-defense or security clause."""

    date: PastDate = Field(description="Date the clause was invoked (ISO 8601).")
    by: MemberCode | None = Field(default=None, description="The member that invoked it.")
    outcome: Annotated[Outcome, _one_of(OUTCOMES, "outcome")] = Field(
        description="honoured (the partners acted as the clause requires), partial, or declined"
        " (the partners refused or failed to act)."
    )
    note: str | None = None
    source: NonEmpty | None = Field(default=None, description="Public source.")


class Disruption(Frozen):
    """A disruption of the partnership that followed a change of government in a member."""

    date: PastDate = Field(
        description="Date of the disruption (the suspension, the notice, the cut) (ISO 8601)."
    )
    member: MemberCode | None = Field(
        default=None, description="The member whose change of head of government it followed."
    )
    effect: Annotated[Effect, _one_of(EFFECTS, "effect")] = Field(
        description="suspended (the partnership, or the member's part in it, was suspended or"
        " reversed) or reduced (cooperation was disrupted or cut back, and went on)."
    )
    note: str | None = None
    source: NonEmpty | None = Field(default=None, description="Public source.")


class CommitmentDefault(Frozen):
    """A commitment a member failed to honour (a pledge, a deployment, an agreement)."""

    date: PastDate = Field(description="Date of the default (the withdrawal, the deadline).")
    member: MemberCode | None = Field(default=None, description="The member that defaulted.")
    severity: Annotated[Severity, _one_of(SEVERITIES, "severity")] = Field(
        description="reneged (a major commitment broken or an agreement walked out of) or"
        " missed (a significant pledge missed or delivered long late)."
    )
    note: str | None = None
    source: NonEmpty | None = Field(default=None, description="Public source.")


class Review(Frozen):
    """A formal review of the partnership (its aims, structures or agreements)."""

    date: PastDate = Field(description="Date the review concluded (ISO 8601).")
    scheduled: Flag = Field(
        description="true: held on a fixed schedule; false: prompted by a crisis, a change of"
        " government or another event."
    )
    changes: Flag | None = Field(
        default=None,
        description="true: it led to documented changes (a revised agreement, strategy or"
        " structure); false: it changed nothing on record.",
    )
    source: NonEmpty | None = Field(default=None, description="Public source.")


def _cycle(value: Any) -> Any:
    """Years between revisions: a number above 0, or ``"none"``."""
    if value == "none":
        return value
    _rate(value)
    if value <= 0:
        raise ValueError(f"must be a number of years above 0, or 'none' (got {value!r})")
    return value


RevisionCycle = Annotated[
    float | Literal["none"],
    BeforeValidator(_cycle),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"const": "none"}]}),
]


class ThreatAssessment(Frozen):
    """The partners' common threat picture, in its most developed public form."""

    form: Annotated[ThreatForm, _one_of(THREAT_ASSESSMENT, "form")] = Field(
        description="none (partners name different or conflicting primary threats), speeches"
        " (common concerns named by leaders, nothing jointly written), joint-statement (a joint"
        " statement names shared threats in general terms), joint-assessment (a jointly drafted"
        " assessment with agreed priorities), integrated (joint analysis staff keep it updated"
        " and it drives planning)."
    )
    date: PastDate | None = Field(
        default=None, description="Date of its latest edition (ISO 8601)."
    )
    source: NonEmpty | None = Field(default=None, description="Public source.")

    @model_validator(mode="after")
    def _an_edition_to_date(self) -> ThreatAssessment:
        if self.form in ("none", "speeches") and self.date is not None:
            raise ValueError(f"form {self.form!r} has no joint document, so no edition date")
        return self


class Strategy(Frozen):
    """The partnership's agreed statement of purpose, in its most developed form."""

    form: Annotated[StrategyForm, _one_of(STRATEGY_FORMS, "form")] = Field(
        description="none (no agreed statement), communique (broad aims in communiques or a"
        " treaty preamble only), vision (a joint vision or framework listing objectives),"
        " guidelines (an agreed strategy or defense guidelines setting roles, missions and"
        " priorities), concept (a strategic concept driving operational plans and capability"
        " targets)."
    )
    adopted: PastDate | None = Field(
        default=None, description="Date the current edition was adopted (ISO 8601)."
    )
    revision_cycle_years: RevisionCycle | None = Field(
        default=None,
        description="Years between scheduled revisions the document or the partners set, or"
        " 'none' when no fixed cycle is set.",
    )
    source: NonEmpty | None = Field(default=None, description="Public source.")

    @model_validator(mode="after")
    def _a_document_to_date(self) -> Strategy:
        if self.form == "none" and (self.adopted or self.revision_cycle_years is not None):
            raise ValueError(
                "form 'none' says there is no agreed strategy, so it has no adoption date"
                " or revision cycle"
            )
        return self


Code2 = Annotated[int, Field(ge=0, le=2), BeforeValidator(_count)]
Code3 = Annotated[int, Field(ge=0, le=3), BeforeValidator(_count)]
Code4 = Annotated[int, Field(ge=0, le=4), BeforeValidator(_count)]
Code5 = Annotated[int, Field(ge=0, le=5), BeforeValidator(_count)]
Code6 = Annotated[int, Field(ge=0, le=6), BeforeValidator(_count)]
Code8 = Annotated[int, Field(ge=0, le=8), BeforeValidator(_count)]
"""ATOP integer codes 0..n, the codebook's range for the variable."""


ATOP_CATEGORIES: dict[str, tuple[str, ...]] = {
    "secret_content": (
        "none", "division-of-spoils", "target-states", "obligations", "targets-and-obligations",
        "contributions", "military-operations", "accessions", "secret-treaty",
    ),
    "organisation_purpose": (
        "none", "military", "economic", "political", "multipurpose", "dispute-settlement",
    ),
    "second_organisation_purpose": (
        "none", "military", "economic", "political", "multipurpose", "dispute-settlement",
    ),
    "basing_kind": ("none", "joint-neutral-territory", "reciprocal", "one-way"),
    "conflict_provisions": ("none", "general", "specific-issue", "interpretation"),
    "companion_agreement": (
        "none", "military", "economic", "dispute-settlement", "peace-treaty", "other", "several",
    ),
}  # fmt: skip
"""ATOP nominal codes as categories: the codebook's code ``i`` is the ``i``-th name."""


class Atop(Frozen):
    """Provisions of an alliance treaty as coded by ATOP (Leeds et al., codebook v5.1).

    Every field is the codebook's variable, coded as the codebook defines it (question
    number on the ATOP codesheet in brackets; ``docs/atop.md`` maps each to the rubric).
    Codes are kept as ATOP's integers, within the codebook's range. ``signed`` and
    ``ended`` are the alliance's dates (BEGYR/ENDYR, Q3/Q14).
    """

    defense: Flag | None = _about(
        "ATOP defense [Q16]: a pledge of active military support if a member is attacked."
    )
    offense: Flag | None = _about(
        "ATOP offense [Q16]: a pledge of active military support not precipitated by an attack."
    )
    neutrality: Flag | None = _about(
        "ATOP neutral [Q16]: a pledge of neutrality if a member is at war."
    )
    nonaggression: Flag | None = _about(
        "ATOP nonagg [Q16]: a pledge not to use force on one another."
    )
    consultation: Flag | None = _about(
        "ATOP consul [Q16]: a pledge to consult in crises that may turn into military conflict."
    )
    integrated_command: Flag | None = _about(
        "ATOP intcom [Q33]: an integrated military command in peacetime and war."
    )
    military_coordination: Code3 | None = _about(
        "ATOP milcon [Q31]: 0 none, 1 military contact only in war, 2 also in peacetime, 3 a"
        " common defense policy (doctrine, training, procurement, joint planning)."
    )
    military_aid: Code4 | None = _about(
        "ATOP milaid [Q32]: 0 none, 1 general, 2 grants or loans, 3 training and/or technology,"
        " 4 both grants/loans and training/technology."
    )
    basing: Code3 | None = _about(
        "ATOP base [Q36]: 0 none, 1 joint placements on neutral territory, 2 every member may"
        " station troops or use facilities on the others' territory, 3 one-way stationing."
    )
    organisation: Code3 | None = _about(
        "ATOP organ1 [Q35]: 0 none, 1 required regular meetings of officials, 2 a named"
        " organisation with regular meetings, 3 an organisation with a permanent bureaucracy."
    )
    organisation_purpose: Code5 | None = _about(
        "ATOP orgpurp1 [Q35]: 0 none, 1 military, 2 economic, 3 political consultation,"
        " 4 military, economic and political, 5 settling disputes among members."
    )
    second_organisation: Code3 | None = _about(
        "ATOP organ2 [Q35]: a second organisation, coded as organ1."
    )
    second_organisation_purpose: Code5 | None = _about(
        "ATOP orgpurp2 [Q35]: the second organisation's purpose, coded as orgpurp1."
    )
    subordination: Code2 | None = _about(
        "ATOP subord [Q34]: 0 none, 1 forces subordinated in war to a named state, 2 to a state"
        " chosen by stated conditions."
    )
    specific_contributions: Flag | None = _about(
        "ATOP contrib [Q37]: the treaty sets contributions of troops, supplies or funds, or how"
        " costs are divided."
    )
    secret_provisions: Flag | None = _about(
        "The treaty requires some or all of its content to stay secret (ATOP pubsecr >= 1, Q7)."
    )
    secrecy: Code2 | None = _about(
        "ATOP pubsecr [Q7]: 0 public, 1 public with secret articles, 2 entirely secret."
    )
    secret_content: Code8 | None = _about(
        "ATOP secrart [Q7]: content of the secret part, 0 none .. 7 accessions, 8 a secret treaty."
    )
    ratification_required: Flag | None = _about(
        "ATOP estmode [Q6]: a formal treaty requiring domestic ratification (else an agreement"
        " that does not)."
    )
    conflict_provisions: Code3 | None = _about(
        "ATOP conwtin [Q29]: conflict among members mentioned: 0 no, 1 generally, 2 a specific"
        " issue, 3 only disputes over interpreting the treaty."
    )
    mediation_arbitration: Flag | None = _about(
        "ATOP medarb [Q30]: members commit to mediation, arbitration or another formal means of"
        " settling their conflicts."
    )
    companion_agreement: Code6 | None = _about(
        "ATOP compag [Q49]: 0 none, 1 military, 2 economic, 3 dispute settlement, 4 peace"
        " treaty, 5 other, 6 several companion agreements."
    )
    military_institutionalisation: Code2 | None = _about(
        "ATOP milinst (inst file; Leeds and Anac 2005): peacetime military institutionalisation,"
        " 0 low, 1 moderate, 2 high."
    )
    formality: Code2 | None = _about(
        "ATOP formal (inst file; Leeds and Anac 2005): formality of the alliance, 0 low .. 2 high."
    )
    signed: Day | None = _about("Date the alliance began (ATOP begyr/begmo/begday, Q3).")
    ended: Day | None = _about(
        "Date the alliance ended (ATOP endyr/endmo/endday, Q14); empty while in effect."
    )
    coded_until: Day | None = _about(
        "The last day the ATOP data observe the alliance (ATOP 5.1: 2018-12-31, the codebook's"
        " INEFFECT date, Q14). Years in force are counted to the assessment date but no"
        " further: whether the alliance stayed in force later is not in the data."
    )

    @model_validator(mode="after")
    def _coded_until_last(self) -> Atop:
        last = self.ended or self.signed
        if self.coded_until and last and self.coded_until < last:
            raise ValueError(
                f"coded_until {self.coded_until.isoformat()} is before the alliance's"
                f" {'end' if self.ended else 'start'} {last.isoformat()}"
            )
        return self


class Interoperability(Frozen):
    """Interoperability per layer, levels 0-4 (LISI-like: isolated .. enterprise)."""

    communications: InteropLevel | None = _about(
        "Level 0-4 of secure voice and data communications between the partners' forces."
    )
    data: InteropLevel | None = _about("Level 0-4 of common data formats and message standards.")
    command_and_control: InteropLevel | None = _about(
        "Level 0-4 of compatible or integrated command and control."
    )
    logistics: InteropLevel | None = _about("Level 0-4 of logistic mutual support.")


_NAMES = (
    "agreements", "agreements_complete", "agreements_absent", "atop", "exercises_per_year",
    "personnel_exchanges_per_year", "liaison_officers", "standards_adopted",
    "standards_evaluation", "standards_joint_drafting", "interoperability",
    "intelligence_sharing",
    "secure_channels", "security_incidents_5y", "ministerial_meetings_per_year",
    "staff_talks_per_year", "defense_spending_gdp", "joint_programmes", "co_production",
    "technology_transfer", "cyber_agreements", "cyber_exercises_per_year", "common_language",
    "common_doctrine", "disputes_5y", "leadership_changes_5y", "leadership_change_disruptions",
    "leadership_change_disruptions_complete", "joint_intelligence_products",
    "un_ideal_points", "spending_target_gdp", "invocations", "invocations_complete",
    "two_plus_two_per_year", "planning_exchange", "commitment_defaults",
    "commitment_defaults_complete", "combined_operations_10y", "military_aid_years",
    "resident_trainers", "arms_transfers_5y", "capacity_needs_assessment",
    "capacity_institution_building", "capacity_measured_outcomes", "exercise_notification",
    "observer_visits", "military_hotline", "verification_visits_per_year", "force_data_exchange",
    "incident_prevention", "threat_assessment", "strategy", "objective_indicators",
    "progress_reports_per_year", "independent_evaluation", "staff_college_students_per_year",
    "common_courses", "qualification_recognition", "joint_training_centres", "consent_rule",
    "opt_outs", "opt_out_without_blocking", "clashes_10y", "cooperation_suspended_10y",
    "disagreements_resolved_10y", "pooled_assets", "joint_procurement", "cultural_training",
    "cyber_threat_sharing", "reviews", "reviews_complete",
)  # fmt: skip

_SOURCE_KEY = "^(?:" + "|".join(_NAMES) + ")(?![^.])"
"""A ``sources`` key: a fact name, alone or followed by ``.`` and a part of the fact."""


class Facts(Frozen):
    """Public, checkable facts about a partnership (``docs/facts-format.md``).

    Every field is optional; a missing fact is unknown, never zero.

    >>> f = Facts(exercises_per_year=12, intelligence_sharing="formal-bilateral")
    >>> f.exercises_per_year, f.agreements is None
    (12.0, True)
    """

    agreements: tuple[Agreement, ...] | None = _about(
        "Agreements between the partners. A kind not listed is unknown, unless"
        " agreements_complete says the list is complete or agreements_absent names the kind"
        " (formats 1 and 2 read a given list as complete)."
    )
    agreements_complete: Flag | None = _about(
        "true: `agreements` lists every agreement in force between the members, so a kind not"
        " listed is absent. Absent or false: not stated, so a kind not listed is unknown."
    )
    agreements_absent: (
        tuple[Annotated[AgreementKind, _one_of(AGREEMENT_KINDS, "agreement kind")], ...] | None
    ) = Field(
        default=None,
        description="Kinds of agreement known to be absent: none of the kind is in force between"
        ' any of the members (e.g. ["status-of-forces"]), whether or not the list is complete.',
        json_schema_extra={"uniqueItems": True},
    )
    atop: Atop | None = _about(
        "ATOP alliance-level treaty provisions (Leeds et al., codebook v5.1)."
    )
    exercises_per_year: Rate | None = _about(
        "Count per year: joint or combined military exercises involving the partners, recent "
        "annual average."
    )
    personnel_exchanges_per_year: Rate | None = _about(
        "People per year: officers and staff exchanged or seconded (education, exchange postings)."
    )
    liaison_officers: Count | None = _about(
        "People: liaison officers posted with partner headquarters."
    )
    standards_adopted: Count | None = _about(
        "Count: shared standardisation agreements in force across the partners (e.g. NATO STANAGs)."
    )
    standards_evaluation: EvaluationCategory | None = _about(
        "Category: how forces are checked against the shared standards: none (adopted on"
        " paper), evaluated (units are evaluated against them, e.g. in exercises), certified"
        " (formal certification programmes, e.g. NATO CREVAL/TACEVAL)."
    )
    standards_joint_drafting: Flag | None = _about(
        "true/false: the partners draft new shared standards together (e.g. in the working"
        " groups of the NATO Standardization Office)."
    )
    interoperability: Interoperability | None = _about(
        "Level 0-4 per layer (communications, data, command_and_control, logistics)."
    )
    intelligence_sharing: SharingCategory | None = _about(
        "Category: " + ", ".join(INTELLIGENCE_SHARING) + "."
    )
    secure_channels: Flag | None = _about(
        "true/false: accredited secure communications for classified exchange exist between "
        "the partners."
    )
    security_incidents_5y: Count | None = _about(
        "Count: publicly reported leaks or compromises of shared information in the last five"
        " years."
    )
    ministerial_meetings_per_year: Rate | None = _about(
        "Count per year: defense-minister-level meetings of the partnership."
    )
    staff_talks_per_year: Rate | None = _about(
        "Count per year: standing working-level staff talks and working-group meetings."
    )
    defense_spending_gdp: Annotated[
        dict[NonEmpty, Percent] | None, BeforeValidator(_distinct_codes)
    ] = Field(
        default=None,
        description="Percent of GDP (0-100) per member (ISO alpha-3 code -> latest defense "
        "spending); codes are compared in upper case and must be members of the partnership.",
        json_schema_extra={"propertyNames": {"pattern": r"\S"}},
    )
    joint_programmes: Count | None = _about(
        "Count: joint research, development or acquisition programmes in progress."
    )
    co_production: Flag | None = _about("true/false: the partners co-produce defense equipment.")
    technology_transfer: TransferCategory | None = _about(
        "Category: none, case-by-case, preferential (eased licensing), licence-free (export-"
        "control exemptions)."
    )
    cyber_agreements: Count | None = _about(
        "Count: cyber-defense agreements, pledges or shared centres."
    )
    cyber_exercises_per_year: Rate | None = _about("Count per year: joint cyber exercises.")
    common_language: Flag | None = _about("true/false: the partners work in one common language.")
    common_doctrine: DoctrineCategory | None = _about(
        "Category: " + ", ".join(COMMON_DOCTRINE) + "."
    )
    disputes_5y: Count | None = _about(
        "Count: public political disputes between partners over the partnership in the last "
        "five years."
    )
    leadership_changes_5y: Count | None = _about(
        "Count: changes of head of government across the members in the last five years."
    )
    leadership_change_disruptions: tuple[Disruption, ...] | None = _about(
        "Disruptions of the partnership that followed a change of head of government in a"
        " member: date, member, effect (suspended or reduced), source. A change not listed is"
        " not known to have left it undisrupted unless leadership_change_disruptions_complete"
        " says the list is complete."
    )
    leadership_change_disruptions_complete: Flag | None = _about(
        "true: `leadership_change_disruptions` lists every disruption that followed a change"
        " of government ([]: none did). Absent or false: not stated."
    )
    joint_intelligence_products: Flag | None = _about(
        "true/false: the partners issue standing joint intelligence products (joint assessments"
        " or advisories published under their names on a regular basis)."
    )
    un_ideal_points: Annotated[
        dict[NonEmpty, IdealPoint] | None, BeforeValidator(_distinct_codes)
    ] = Field(
        default=None,
        description="UN General Assembly ideal point per member (code -> the estimate of"
        " Bailey, Strezhnev and Voeten for one session; say which in sources). Alignment reads"
        " the distance between the members' own points (for two members, the dyad's"
        " distance), never a distance to the world or to another state; codes are compared in"
        " upper case and must be members (from format 3).",
        json_schema_extra={"propertyNames": {"pattern": r"\S"}},
    )
    spending_target_gdp: SpendingTarget | None = _about(
        "Percent of GDP: the defense-spending target the members have agreed (NATO 2.0 from"
        " 2014), or 'none' when the partnership sets no spending target."
    )
    invocations: tuple[Invocation, ...] | None = _about(
        "Invocations of the mutual-defense or security clause. Counts are known only when"
        " invocations_complete says the list is complete ([] with it: never invoked; formats 1"
        " and 2 read a given list as complete)."
    )
    invocations_complete: Flag | None = _about(
        "true: `invocations` lists every invocation up to the assessment date ([]: never"
        " invoked). Absent or false: not stated, so an invocation not listed is unknown."
    )
    two_plus_two_per_year: Rate | None = _about(
        "Count per year: combined foreign-and-defense ministerial (2+2) meetings."
    )
    planning_exchange: Annotated[PlanningExchange, _one_of(PLANNING_EXCHANGE)] | None = _about(
        "Category: how the partners share defense plans and capability data with one another:"
        " none (nothing beyond what each publishes), briefings (occasional briefings or"
        " selective disclosures), scheduled (threat assessments and some capability data on a"
        " regular schedule through a named channel), planning-cycle (force data, capability"
        " targets and national plans exchanged on a fixed cycle), joint-planning (shared"
        " planning data and joint capability reviews, with advance notice of changes to"
        " national plans)."
    )
    commitment_defaults: tuple[CommitmentDefault, ...] | None = _about(
        "Commitments a member failed to honour: date, member, severity (reneged or missed),"
        " source. A default not listed is unknown unless commitment_defaults_complete says the"
        " list is complete."
    )
    commitment_defaults_complete: Flag | None = _about(
        "true: `commitment_defaults` lists every default in the ten years before the"
        " assessment date ([]: none). Absent or false: not stated."
    )
    combined_operations_10y: Count | None = _about(
        "Count: combined operations or crisis deployments the members carried out together in"
        " the last ten years."
    )
    military_aid_years: Count | None = _about(
        "Years: consecutive years, up to the assessment date, in which a member gave another"
        " military grant aid, equipment or training (e.g. US Foreign Military Financing and"
        " IMET, Japan's Official Security Assistance, Australia's Defence Cooperation"
        " Program); 0 when none is given in the year of the assessment date, whatever was"
        " given before."
    )
    resident_trainers: Count | None = _about(
        "People: a member's military trainers or advisers stationed with another member's forces."
    )
    arms_transfers_5y: Count | None = _about(
        "Count: deliveries of major arms from one member to another in the last five years"
        " (SIPRI Arms Transfers Database)."
    )
    capacity_needs_assessment: Flag | None = _about(
        "true/false: the support programmes rest on a needs assessment made with the partner."
    )
    capacity_institution_building: Flag | None = _about(
        "true/false: the support covers equipment upkeep and institution building (defense"
        " management, education), not only training and equipment."
    )
    capacity_measured_outcomes: Flag | None = _about(
        "true/false: the programmes are planned jointly with measured outcomes and a path to"
        " the partner's self-sufficiency."
    )
    exercise_notification: (
        Annotated[ExerciseNotification, _one_of(EXERCISE_NOTIFICATION)] | None
    ) = _about(
        "Category: how members notify one another of exercises and deployments: none, informal"
        " (some activities, by informal notice), written (a written arrangement covers major"
        " exercises), systematic (every notifiable activity, in practice)."
    )
    observer_visits: Annotated[ObserverVisits, _one_of(OBSERVER_VISITS)] | None = _about(
        "Category: observers at one another's exercises: none, occasional (invited now and"
        " then), reciprocal (a standing, reciprocal practice)."
    )
    military_hotline: Flag | None = _about(
        "true/false: a military hotline or direct communication link is in regular use."
    )
    verification_visits_per_year: Rate | None = _about(
        "Count per year: verification visits or inspections between the members."
    )
    force_data_exchange: Flag | None = _about(
        "true/false: the members exchange data on their forces every year (as under the OSCE"
        " Vienna Document)."
    )
    incident_prevention: Annotated[IncidentPrevention, _one_of(INCIDENT_PREVENTION)] | None = (
        _about(
            "Category: procedures to prevent or defuse military incidents between the members"
            " (at sea, in the air): none, agreed (in force), used (invoked in an incident)."
        )
    )
    threat_assessment: ThreatAssessment | None = _about(
        "The partners' common threat picture in its most developed public form, with the date"
        " of its latest edition."
    )
    strategy: Strategy | None = _about(
        "The partnership's agreed strategy or concept in its most developed form, with its"
        " adoption date and revision cycle."
    )
    objective_indicators: Annotated[ObjectiveIndicators, _one_of(OBJECTIVE_INDICATORS)] | None = (
        _about(
            "Category: how the partnership measures what it achieves: none, activities (meetings"
            " and visits counted, not tied to objectives), some (some objectives have indicators"
            " and an owner), all (every objective has indicators and an owner)."
        )
    )
    progress_reports_per_year: Rate | None = _about(
        "Count per year: progress reports on the partnership's objectives reviewed by senior"
        " officials."
    )
    independent_evaluation: Flag | None = _about(
        "true/false: joint or independent evaluations of outcomes are made and the corrective"
        " actions they call for are tracked until closed."
    )
    staff_college_students_per_year: Rate | None = _about(
        "People per year: students from the partners at one another's staff or war colleges."
    )
    common_courses: Count | None = _about(
        "Count: courses taught to a common or reference curriculum the partners agreed."
    )
    qualification_recognition: Flag | None = _about(
        "true/false: the partners recognise one another's military qualifications."
    )
    joint_training_centres: Count | None = _about(
        "Count: shared centres of excellence, schools or jointly accredited courses."
    )
    consent_rule: Flag | None = _about(
        "true/false: key decisions need every member's consent (consensus, or national"
        " approval of the use of its forces); false: obligations bind without it."
    )
    opt_outs: Annotated[OptOuts, _one_of(OPT_OUTS)] | None = _about(
        "Category: opt-outs, national caveats or constructive abstention: none, provided (in"
        " the texts), used (a member has used one)."
    )
    opt_out_without_blocking: Flag | None = _about(
        "true/false: a member has opted out of a collective action while the others went"
        " ahead under the partnership."
    )
    clashes_10y: Count | None = _about(
        "Count: armed clashes or militarised crises between members in the last ten years."
    )
    cooperation_suspended_10y: Flag | None = _about(
        "true/false: a disagreement between members suspended or stalled the partnership's"
        " cooperation in the last ten years."
    )
    disagreements_resolved_10y: Count | None = _about(
        "Count: disagreements between members settled through the partnership's consultation"
        " channels in the last ten years."
    )
    pooled_assets: Count | None = _about(
        "Count: capabilities the partners own or operate jointly (aircraft fleets,"
        " headquarters, infrastructure); occasional shared use of a facility is not one."
    )
    joint_procurement: Annotated[JointProcurement, _one_of(JOINT_PROCUREMENT)] | None = _about(
        "Category: how often the partners buy together: none, occasional, common, default"
        " (joint procurement is the rule)."
    )
    cultural_training: Annotated[CulturalTraining, _one_of(CULTURAL_TRAINING)] | None = _about(
        "Category: training on the partners' military cultures: none, briefings (occasional,"
        " before exercises or visits), pre-deployment (for personnel working with partners),"
        " education (structured, in military education), assessed (a required, assessed part"
        " of careers)."
    )
    cyber_threat_sharing: Annotated[CyberThreatSharing, _one_of(CYBER_THREAT_SHARING)] | None = (
        _about(
            "Category: sharing of cyber-threat information: none, ad-hoc (after major incidents),"
            " cert-to-cert (regular sharing of indicators between national CERTs), automated"
            " (near-real-time on a common platform), joint (joint monitoring and analysis with"
            " coordinated warnings)."
        )
    )
    reviews: tuple[Review, ...] | None = _about(
        "Formal reviews of the partnership: date, scheduled (true/false), changes (true when"
        " it led to documented changes), source. Counts are at least those listed; none listed"
        " is known only when reviews_complete says the list is complete."
    )
    reviews_complete: Flag | None = _about(
        "true: `reviews` lists every formal review of the partnership ([]: never reviewed)."
        " Absent or false: not stated."
    )
    sources: dict[NonEmpty, NonEmpty] | None = Field(
        default=None,
        description="Fact name -> its public source (agreements carry their own source).",
        json_schema_extra={"propertyNames": {"pattern": _SOURCE_KEY}},
    )

    @field_validator(
        "agreements_complete",
        "invocations_complete",
        "leadership_change_disruptions_complete",
        "commitment_defaults_complete",
        "reviews_complete",
    )
    @classmethod
    def _a_list_to_complete(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        listed = str(info.field_name).removesuffix("_complete")
        if value and listed not in info.data:
            return value  # the list itself failed its checks, reported there
        if value and info.data.get(listed) is None:
            raise ValueError(
                f"says the list of {listed} is complete, but there is no list (write"
                f' "{listed}": [] when there is none)'
            )
        return value

    @field_validator("opt_out_without_blocking")
    @classmethod
    def _an_opt_out_used(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        opt_outs = info.data.get("opt_outs")
        if value and opt_outs is not None and opt_outs != "used":
            raise ValueError(
                f"says a member opted out while the others went ahead, but opt_outs is"
                f" {opt_outs!r} (an opt-out used is 'used')"
            )
        return value

    @field_validator("agreements_absent")
    @classmethod
    def _absent_kinds_not_listed(
        cls, value: tuple[str, ...] | None, info: ValidationInfo
    ) -> tuple[str, ...] | None:
        if value is None:
            return value
        if len(set(value)) != len(value):
            twice = next(k for k in value if value.count(k) > 1)
            raise ValueError(f"names the agreement kind {twice!r} twice")
        for i, agreement in enumerate(info.data.get("agreements") or ()):
            clash = [k for k in agreement.kinds if k in value]
            if clash and agreement.ended is None:
                raise ValueError(
                    f"names {clash[0]!r} as absent, but $.facts.agreements[{i}] is an"
                    f" agreement of that kind that has not ended"
                )
        return value

    @field_validator("sources")
    @classmethod
    def _sources_name_facts(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for key in value or {}:
            if key.split(".", 1)[0] not in _NAMES:
                hint = difflib.get_close_matches(key.split(".", 1)[0], _NAMES, n=1, cutoff=0.5)
                more = f"did you mean {hint[0]!r}? " if hint else ""
                raise ValueError(
                    f"sources names an unknown fact {key!r} ({more}the facts are listed in "
                    "docs/facts-format.md)"
                )
        return value


# --- the feature catalogue -------------------------------------------------------------

FeatureType = Literal["number", "flag", "category", "level"]
FeatureValue = float | str | None
"""A feature value: a number (flags are ``True``/``False``), a category, or ``None``."""


@dataclass(frozen=True)
class Feature:
    """One named, typed value that rules can read.

    Attributes:
        name: The name rules use, e.g. ``exercises_per_year`` or ``agreement.access``.
        type: ``number`` (>= 0), ``flag`` (true/false), ``category`` (one of ``values``)
            or ``level`` (0-4).
        unit: What one unit is, e.g. ``count per year``.
        description: What the value means.
        values: The allowed categories (``('false', 'true')`` for flags).
    """

    name: str
    type: FeatureType
    unit: str
    description: str
    values: tuple[str, ...] = ()


_ATOP_FLAGS = {
    "defense": "a defense pledge (defense, Q16)",
    "offense": "an offense pledge (offense, Q16)",
    "neutrality": "a neutrality pledge (neutral, Q16)",
    "nonaggression": "a non-aggression pledge (nonagg, Q16)",
    "consultation": "a consultation pledge (consul, Q16)",
    "integrated_command": "an integrated command in peace and war (intcom, Q33)",
    "specific_contributions": "specific contributions or cost division (contrib, Q37)",
    "secret_provisions": "secret content (pubsecr >= 1, Q7)",
    "ratification_required": "the form of a treaty requiring ratification (estmode, Q6)",
    "mediation_arbitration": "a commitment to mediation or arbitration (medarb, Q30)",
}
_ATOP_CODES = {
    "military_coordination": ("milcon", "0 none, 1 in war, 2 in peace, 3 common policy (Q31)"),
    "military_aid": ("milaid", "0 none, 1 general, 2 grants, 3 training/technology, 4 both (Q32)"),
    "basing": ("base", "0 none, 1 neutral territory, 2 reciprocal, 3 one-way (Q36)"),
    "organisation": ("organ1", "0 none, 1 meetings, 2 named body, 3 permanent bureaucracy (Q35)"),
    "second_organisation": ("organ2", "a second organisation, coded as organ1 (Q35)"),
    "subordination": ("subord", "0 none, 1 to a named state, 2 by conditions (Q34)"),
    "secrecy": ("pubsecr", "0 public, 1 secret articles, 2 secret treaty (Q7)"),
    "military_institutionalisation": ("milinst", "0 low, 1 moderate, 2 high (Leeds and Anac 2005)"),
    "formality": ("formal", "0 low .. 2 high (Leeds and Anac 2005)"),
}  # fmt: skip
_ATOP_DERIVED_FLAGS = {
    "peacetime_military_contact": (
        "requires official military contact in peacetime (milcon >= 2, Q31)"
    ),
    "common_defense_policy": "commits to a common defense policy (milcon = 3, Q31)",
    "wartime_subordination": "subordinates forces to one command in war (subord >= 1, Q34)",
    "training_or_technology_aid": "provides military training or technology (milaid >= 3, Q32)",
    "peaceful_settlement_clause": (
        "says disputes among members will be settled peacefully (conwtin = 1, Q29; 2 names a"
        " specific issue of conflict and 3 speaks only of disputes over interpreting the"
        " treaty, neither a settlement clause)"
    ),
    "dispute_settlement_body": "creates a dispute-settlement body (orgpurp 5, Q35; compag 3, Q49)",
}  # fmt: skip
_ATOP_CATEGORY_SOURCE = {
    "secret_content": ("secret_content", "secrart, Q7"),
    "organisation_purpose": ("organisation_purpose", "orgpurp1, Q35"),
    "second_organisation_purpose": ("second_organisation_purpose", "orgpurp2, Q35"),
    "basing_kind": ("basing", "base, Q36"),
    "conflict_provisions": ("conflict_provisions", "conwtin, Q29"),
    "companion_agreement": ("companion_agreement", "compag, Q49"),
}
"""Category feature -> (Atop field holding its code, ATOP variable and question)."""


def _atop_features(add: Any) -> None:
    """The ``atop.*`` features (see ``docs/atop.md``)."""
    for name, text in _ATOP_FLAGS.items():
        add(f"atop.{name}", "flag", "true/false", f"The ATOP-coded treaty has {text}.")
    for name, (code, text) in _ATOP_CODES.items():
        add(f"atop.{name}", "number", f"ATOP {code} code", f"ATOP {code}: {text}.")
    for name, text in _ATOP_DERIVED_FLAGS.items():
        add(f"atop.{name}", "flag", "true/false", f"The ATOP-coded treaty {text}.")
    for name, (_, code) in _ATOP_CATEGORY_SOURCE.items():
        add(
            f"atop.{name}",
            "category",
            "category",
            f"ATOP {code}, the codebook's code named.",
            ATOP_CATEGORIES[name],
        )
    add(
        "atop.years_in_force",
        "number",
        "years",
        "Years from the alliance's signature to its end, or to the assessment date if in"
        " effect, but no later than the last day the data observe (coded_until).",
    )


def _catalogue() -> dict[str, Feature]:
    out: list[Feature] = []

    def add(
        name: str, kind: FeatureType, unit: str, text: str, values: tuple[str, ...] = ()
    ) -> None:
        out.append(Feature(name, kind, unit, text, ("false", "true") if kind == "flag" else values))

    for kind in AGREEMENT_KINDS:
        add(
            f"agreement.{kind}",
            "flag",
            "true/false",
            f"An agreement of kind {kind} is in force on the assessment date.",
        )
        add(
            f"agreement.{kind}.ratified",
            "flag",
            "true/false",
            f"An agreement of kind {kind} is in force and ratified by every party.",
        )
        add(
            f"agreement.{kind}.years",
            "number",
            "years",
            f"Years since the oldest {kind} agreement in force took effect (0 when none is;"
            " with a list not said to be complete, counted from the oldest listed).",
        )
        add(
            f"agreement.{kind}.coverage",
            "number",
            "share 0-1",
            f"Share of pairs of active members bound to each other by a {kind} agreement in"
            " force (1 for an agreement of every member).",
        )
        add(
            f"agreement.{kind}.ratified_coverage",
            "number",
            "share 0-1",
            f"Share of pairs of active members bound to each other by a {kind} agreement in"
            " force and ratified by every party: agreements bind their parties only.",
        )
    add(
        "agreements.count",
        "number",
        "count",
        "Agreements in force on the assessment date (known when the list is complete).",
    )
    for provision in SECURITY_PROVISIONS:
        add(
            f"security_of_information.{provision}",
            "flag",
            "true/false",
            f"A security-of-information agreement in force provides {provision}.",
        )
    add("members.count", "number", "count", "Active members on the assessment date.")
    add("members.suspended", "number", "count", "Members suspended on the assessment date.")
    add(
        "members.left_5y",
        "number",
        "count",
        "Members that left in the five years before the assessment date.",
    )
    add("status", "category", "category", "State of the partnership on the date.", STATUSES)
    _atop_features(add)
    add("exercises_per_year", "number", "count per year", "Joint or combined exercises.")
    add(
        "personnel_exchanges_per_year",
        "number",
        "people per year",
        "Officers and staff exchanged or seconded.",
    )
    add("liaison_officers", "number", "people", "Liaison officers posted with partner HQs.")
    add("standards_adopted", "number", "count", "Shared standardisation agreements in force.")
    add(
        "standards_evaluation",
        "category",
        "category",
        "How forces are checked against the shared standards.",
        STANDARDS_EVALUATION,
    )
    add(
        "standards_joint_drafting",
        "flag",
        "true/false",
        "The partners draft new shared standards together.",
    )
    for layer in ("communications", "data", "command_and_control", "logistics"):
        add(f"interop.{layer}", "level", "level 0-4", f"Interoperability of {layer}.")
    add(
        "intelligence_sharing",
        "category",
        "category",
        "Intelligence-sharing arrangement.",
        INTELLIGENCE_SHARING,
    )
    add("secure_channels", "flag", "true/false", "Accredited secure channels exist.")
    add(
        "security_incidents_5y",
        "number",
        "count",
        "Reported leaks or compromises in the last five years.",
    )
    add("ministerial_meetings_per_year", "number", "count per year", "Ministerial meetings.")
    add("staff_talks_per_year", "number", "count per year", "Working-level staff talks.")
    add(
        "defense_spending_gdp.min",
        "number",
        "percent of GDP",
        "Lowest defense spending among the members listed.",
    )
    add(
        "defense_spending_gdp.mean",
        "number",
        "percent of GDP",
        "Mean defense spending of the members listed (unweighted).",
    )
    add(
        "defense_spending_gdp.share_at_2pct",
        "number",
        "share 0-1",
        "Share of the members listed that spend at least 2% of GDP on defense.",
    )
    add("joint_programmes", "number", "count", "Joint R&D or acquisition programmes.")
    add("co_production", "flag", "true/false", "The partners co-produce defense equipment.")
    add(
        "technology_transfer",
        "category",
        "category",
        "Technology-transfer regime.",
        TECHNOLOGY_TRANSFER,
    )
    add("cyber_agreements", "number", "count", "Cyber-defense agreements, pledges or centres.")
    add("cyber_exercises_per_year", "number", "count per year", "Joint cyber exercises.")
    add("common_language", "flag", "true/false", "The partners work in one common language.")
    add("common_doctrine", "category", "category", "Common doctrine.", COMMON_DOCTRINE)
    add("disputes_5y", "number", "count", "Public political disputes in the last five years.")
    add(
        "leadership_changes_5y",
        "number",
        "count",
        "Changes of head of government across the members in the last five years.",
    )
    add(
        "leadership_change.effect",
        "category",
        "category",
        "What the changes of head of government in the five years before the date did to the"
        " partnership: suspended, reduced (disrupted or cut back) or none. none and reduced"
        " need the list of disruptions stated complete, or no public dispute over the"
        " partnership in those years (disputes_5y = 0), and at least one change counted.",
        ("none", *EFFECTS),
    )
    add(
        "joint_intelligence_products",
        "flag",
        "true/false",
        "The partners issue standing joint intelligence products.",
    )
    add(
        "un_voting.mean_distance",
        "number",
        "ideal-point distance",
        "Mean distance between the UN General Assembly ideal points of pairs of active members"
        " (of two members: the dyad's distance |a - b|; never a distance to the world).",
    )
    add(
        "un_voting.max_distance",
        "number",
        "ideal-point distance",
        "Largest distance between the UN General Assembly ideal points of two active members.",
    )
    add("spending_target", "flag", "true/false", "The members have agreed a spending target.")
    add(
        "spending_target.none",
        "flag",
        "true/false",
        "The members have agreed no spending target (the opposite of spending_target).",
    )
    add(
        "defense_spending_gdp.share_at_target",
        "number",
        "share 0-1",
        "Share of the members listed that spend at least the agreed target.",
    )
    add(
        "invocations.honoured",
        "number",
        "count",
        "Invocations of the defense clause the partners honoured, up to the assessment date"
        " (known when the list is complete).",
    )
    add(
        "invocations.declined",
        "number",
        "count",
        "Invocations of the defense clause the partners declined, up to the assessment date"
        " (known when the list is complete).",
    )
    for outcome, what in (("honoured", "honoured"), ("declined", "declined")):
        add(
            f"invocations.any_{outcome}",
            "flag",
            "true/false",
            f"An invocation of the defense clause up to the assessment date was {what} (true"
            " when one is listed; false only when the list is complete).",
        )
    add("two_plus_two_per_year", "number", "count per year", "2+2 ministerial meetings.")
    _partnership_features(add)
    return {f.name: f for f in out}


_CATEGORY_FACTS: dict[str, tuple[tuple[str, ...], str]] = {
    "planning_exchange": (PLANNING_EXCHANGE, "How plans and capability data are shared."),
    "exercise_notification": (EXERCISE_NOTIFICATION, "How exercises are notified."),
    "observer_visits": (OBSERVER_VISITS, "Observers at one another's exercises."),
    "incident_prevention": (INCIDENT_PREVENTION, "Incident-prevention procedures."),
    "objective_indicators": (OBJECTIVE_INDICATORS, "Indicators for the objectives."),
    "opt_outs": (OPT_OUTS, "Opt-outs and national caveats."),
    "joint_procurement": (JOINT_PROCUREMENT, "How often the partners buy together."),
    "cultural_training": (CULTURAL_TRAINING, "Training on the partners' military cultures."),
    "cyber_threat_sharing": (CYBER_THREAT_SHARING, "Sharing of cyber-threat information."),
}
_NUMBER_FACTS: dict[str, tuple[str, str]] = {
    "combined_operations_10y": ("count", "Combined operations in the last ten years."),
    "military_aid_years": ("years", "Consecutive years of military grant aid or training."),
    "resident_trainers": ("people", "Trainers or advisers stationed with a partner's forces."),
    "arms_transfers_5y": ("count", "Major arms deliveries between members in five years."),
    "verification_visits_per_year": ("count per year", "Verification visits or inspections."),
    "progress_reports_per_year": ("count per year", "Progress reports reviewed by officials."),
    "staff_college_students_per_year": ("people per year", "Partner students at staff colleges."),
    "common_courses": ("count", "Courses taught to a common curriculum."),
    "joint_training_centres": ("count", "Shared centres of excellence or schools."),
    "clashes_10y": ("count", "Armed clashes or crises between members in ten years."),
    "disagreements_resolved_10y": ("count", "Disagreements settled through the partnership."),
    "pooled_assets": ("count", "Capabilities owned or operated jointly."),
}
_FLAG_FACTS: dict[str, str] = {
    "military_hotline": "A military hotline is in regular use.",
    "capacity_needs_assessment": "Support rests on a needs assessment made with the partner.",
    "capacity_institution_building": "Support covers upkeep and institution building.",
    "capacity_measured_outcomes": "Support is planned jointly with measured outcomes.",
    "force_data_exchange": "Force data are exchanged every year.",
    "independent_evaluation": "Outcomes are evaluated and corrective actions tracked.",
    "qualification_recognition": "Military qualifications are mutually recognised.",
    "consent_rule": "Key decisions need every member's consent.",
    "opt_out_without_blocking": "An opt-out has let the others go ahead.",
    "cooperation_suspended_10y": "A disagreement suspended cooperation in ten years.",
}


def _partnership_features(add: Any) -> None:
    """Features of the facts on trust, objectives, education, sovereignty, pooling, culture,
    cyber sharing and review (``docs/facts-format.md``)."""
    for name, (values, text) in _CATEGORY_FACTS.items():
        add(name, "category", "category", text, values)
    for name, (unit, text) in _NUMBER_FACTS.items():
        add(name, "number", unit, text)
    for name, text in _FLAG_FACTS.items():
        add(name, "flag", "true/false", text)
    add(
        "commitments.any_reneged_10y",
        "flag",
        "true/false",
        "A member reneged on a major commitment, or the partners declined an invocation, in the"
        " ten years before the date (false only when the list of defaults is complete).",
    )
    add(
        "commitments.missed_10y",
        "number",
        "count",
        "Significant commitments missed or long late, and invocations only partly honoured, in"
        " the ten years before the date (known when the list of defaults is complete).",
    )
    add(
        "commitments.tested",
        "flag",
        "true/false",
        "The commitment was tested: an invocation the partners honoured, or a combined"
        " operation in the last ten years.",
    )
    for name, values in (("threat_assessment", THREAT_ASSESSMENT), ("strategy", STRATEGY_FORMS)):
        add(
            f"{name}.form", "category", "category", f"Form of the {name.replace('_', ' ')}.", values
        )
        add(
            f"{name}.age_years",
            "number",
            "years",
            f"Years since the {name.replace('_', ' ')}'s latest edition (to the date).",
        )
    add(
        "strategy.fixed_cycle",
        "flag",
        "true/false",
        "The strategy is revised on a fixed cycle it keeps: revision_cycle_years is a number"
        " and the current edition is no older than it (false for 'none' or an overdue"
        " revision).",
    )
    add(
        "reviews.any",
        "flag",
        "true/false",
        "A formal review took place up to the date (false only when the list is complete).",
    )
    add(
        "reviews.count_10y",
        "number",
        "count",
        "Formal reviews in the ten years before the date (at least those listed; none listed"
        " is 0 only when the list is complete).",
    )
    add(
        "reviews.scheduled_with_changes_10y",
        "number",
        "count",
        "Scheduled reviews that led to documented changes, in the ten years before the date"
        " (counted as reviews.count_10y).",
    )


FEATURES: dict[str, Feature] = _catalogue()
"""Every feature rules can read, by name (see :class:`Feature`)."""

_PLAIN = tuple(name for name in _NAMES if name in FEATURES)
"""Facts that are features under their own name."""


@dataclass(frozen=True)
class Roster:
    """Who is in a partnership on one date, and its state (see ``Partnership.roster_on``).

    Attributes:
        active: Codes of the members on the date, less those suspended.
        suspended: Codes of the members suspended on the date.
        left_5y: Codes of the members that left in the five years before the date.
        status: The partnership's state on the date, ``None`` when the file does not say.
    """

    active: tuple[str, ...]
    suspended: tuple[str, ...] = ()
    left_5y: tuple[str, ...] = ()
    status: str | None = None


def facts_features(
    facts: Facts | None,
    as_of: dt.date,
    roster: Roster | None = None,
    *,
    complete_lists: bool = False,
) -> dict[str, FeatureValue]:
    """The feature values of one partnership's facts.

    Args:
        facts: The facts (``None`` gives every feature unknown).
        as_of: The assessment date: decides which agreements are in force and for how long,
            and which invocations count.
        roster: The members and state on ``as_of`` (``Partnership.roster_on``); without it
            the member features are unknown, agreement coverage counts only agreements of
            every member, and UN voting distances use every member listed.
        complete_lists: Read every list given as complete (``agreements``, ``invocations``,
            an agreement's ``provisions``) when the facts do not say: how partnership files
            of formats 1 and 2 were written. By default a list is complete only when the
            facts say so (``agreements_complete``, ``invocations_complete``,
            ``provisions_complete``; ``agreements_absent`` names kinds known to be absent).

    Returns:
        Every feature of :data:`FEATURES`, in catalogue order: numbers and levels as
        ``float``, flags as ``bool``, categories as ``str``, unknown as ``None``.

    >>> values = facts_features(Facts(exercises_per_year=3), dt.date(2025, 1, 1))
    >>> values["exercises_per_year"], values["agreement.access"]
    (3.0, None)
    """
    out: dict[str, FeatureValue] = dict.fromkeys(FEATURES)
    if roster is not None:
        out["members.count"] = float(len(roster.active))
        out["members.suspended"] = float(len(roster.suspended))
        out["members.left_5y"] = float(len(roster.left_5y))
        out["status"] = roster.status
    if facts is None:
        return out
    _agreement_features(out, facts, as_of, roster, complete_lists)
    if facts.atop is not None:
        out.update(_atop_values(facts.atop, as_of))
    if facts.interoperability is not None:
        for layer, value in facts.interoperability:
            out[f"interop.{layer}"] = _plain(value)
    fields = facts.__dict__  # a model's field values, read without getattr per name
    for name in _PLAIN:
        value = fields[name]
        out[name] = value if type(value) in _AS_IS else _plain(value)
    spending = list((facts.defense_spending_gdp or {}).values())
    if spending:
        out["defense_spending_gdp.min"] = float(min(spending))
        out["defense_spending_gdp.mean"] = float(sum(spending) / len(spending))
        reaching = sum(1 for v in spending if v >= SPENDING_BENCHMARK)
        out["defense_spending_gdp.share_at_2pct"] = reaching / len(spending)
    target = facts.spending_target_gdp
    if target is not None:
        out["spending_target"] = target != "none"
        out["spending_target.none"] = target == "none"
        if target != "none" and spending:
            out["defense_spending_gdp.share_at_target"] = sum(
                1 for v in spending if v >= target
            ) / len(spending)
    if facts.un_ideal_points is not None:
        points = facts.un_ideal_points
        if roster is not None:
            points = {k: v for k, v in points.items() if k in roster.active}
        values = list(points.values())
        gaps = [abs(a - b) for i, a in enumerate(values) for b in values[i + 1 :]]
        if gaps:
            out["un_voting.mean_distance"] = round(sum(gaps) / len(gaps), 6)
            out["un_voting.max_distance"] = round(max(gaps), 6)
    out["leadership_change.effect"] = _leadership_change_effect(facts, as_of)
    _record_features(out, facts, as_of, complete_lists)
    if facts.invocations is not None:
        every_one = _stated(facts.invocations_complete, complete_lists)
        past = [i for i in facts.invocations if i.date <= as_of]
        for outcome in ("honoured", "declined"):
            count = sum(i.outcome == outcome for i in past)
            out[f"invocations.{outcome}"] = float(count) if every_one else None
            out[f"invocations.any_{outcome}"] = True if count else False if every_one else None
    return out


def _years_before(as_of: dt.date, years: int) -> dt.date:
    """The day ``years`` years (of 365.25 days) before ``as_of``: windows start after it."""
    return as_of - dt.timedelta(days=round(years * 365.25))


def _age(day: dt.date | None, as_of: dt.date) -> float | None:
    """Years (of 365.25 days) from ``day`` to ``as_of``, unrounded: a window of five
    years is exact to the day."""
    return None if day is None or day > as_of else (as_of - day).days / 365.25


def _record_features(
    out: dict[str, FeatureValue], facts: Facts, as_of: dt.date, complete_lists: bool
) -> None:
    """The features read from commitments, documents and reviews."""
    since = _years_before(as_of, 10)
    invoked = [i for i in facts.invocations or () if i.date <= as_of]
    recent = [i.outcome for i in invoked if i.date > since]
    if facts.commitment_defaults is not None or "declined" in recent:
        every_one = bool(facts.commitment_defaults_complete)
        window = [d.severity for d in facts.commitment_defaults or () if since < d.date <= as_of]
        reneged = "reneged" in window or "declined" in recent
        out["commitments.any_reneged_10y"] = True if reneged else False if every_one else None
        if every_one:
            out["commitments.missed_10y"] = float(window.count("missed") + recent.count("partial"))
    honoured = any(i.outcome == "honoured" for i in invoked)
    operations = facts.combined_operations_10y
    if honoured or (operations is not None and operations > 0):
        out["commitments.tested"] = True
    elif operations == 0 and _stated(
        facts.invocations_complete, complete_lists and facts.invocations is not None
    ):
        out["commitments.tested"] = False
    for name, document, day in (
        ("threat_assessment", facts.threat_assessment, "date"),
        ("strategy", facts.strategy, "adopted"),
    ):
        if document is not None:
            out[f"{name}.form"] = document.form
            out[f"{name}.age_years"] = _age(getattr(document, day), as_of)
    strategy = facts.strategy
    cycle = strategy.revision_cycle_years if strategy is not None else None
    if cycle == "none":
        out["strategy.fixed_cycle"] = False
    elif cycle is not None:  # a cycle kept: the current edition is no older than it
        age = _age(strategy.adopted if strategy is not None else None, as_of)
        out["strategy.fixed_cycle"] = None if age is None else age <= cycle
    if facts.reviews is not None:
        every_one = bool(facts.reviews_complete)
        held = [r for r in facts.reviews if r.date <= as_of]
        out["reviews.any"] = True if held else False if every_one else None
        lately = [r for r in held if r.date > since]
        changed = sum(1 for r in lately if r.scheduled and r.changes)
        out["reviews.count_10y"] = float(len(lately)) if lately or every_one else None
        out["reviews.scheduled_with_changes_10y"] = float(changed) if changed or every_one else None


def _leadership_change_effect(facts: Facts, as_of: dt.date) -> str | None:
    """``leadership_change.effect``: the worst a change of government in the five years
    before ``as_of`` did to the partnership, as far as the facts show it.

    A listed suspension is known either way. That no change did worse than the listed
    disruptions needs the list stated complete, or no public dispute over the
    partnership counted in the five years (a suspension or a cut is one); and there must
    have been a change to come through (none in five years is untested, not resilient).
    """
    since = _years_before(as_of, 5)
    recent = [
        d.effect for d in facts.leadership_change_disruptions or () if since < d.date <= as_of
    ]
    if "suspended" in recent:
        return "suspended"
    every_one = bool(facts.leadership_change_disruptions_complete) or facts.disputes_5y == 0
    if not every_one or facts.leadership_changes_5y == 0:
        return None
    return "reduced" if recent else "none"


def _atop_values(atop: Atop, as_of: dt.date) -> dict[str, FeatureValue]:
    """The ``atop.*`` feature values of one alliance's ATOP facts."""
    fields = atop.__dict__  # a model's field values, read without getattr per name
    out: dict[str, FeatureValue] = {
        feature: value if type(value) in _AS_IS else _plain(value)
        for feature, name in _ATOP_PLAIN
        for value in (fields[name],)
    }
    milcon, milaid, subord = atop.military_coordination, atop.military_aid, atop.subordination
    out["atop.peacetime_military_contact"] = None if milcon is None else milcon >= 2
    out["atop.common_defense_policy"] = None if milcon is None else milcon == 3
    out["atop.wartime_subordination"] = None if subord is None else subord >= 1
    out["atop.training_or_technology_aid"] = None if milaid is None else milaid >= 3
    conwtin = atop.conflict_provisions
    out["atop.peaceful_settlement_clause"] = None if conwtin is None else conwtin == 1
    body = (atop.organisation_purpose, atop.second_organisation_purpose, atop.companion_agreement)
    out["atop.dispute_settlement_body"] = _dispute_body(*body)
    for name, (field, _) in _ATOP_CATEGORY_SOURCE.items():
        code = getattr(atop, field)
        out[f"atop.{name}"] = None if code is None else ATOP_CATEGORIES[name][code]
    if atop.signed is not None and atop.signed <= as_of:
        end = min(d for d in (as_of, atop.ended, atop.coded_until) if d is not None)
        out["atop.years_in_force"] = round((end - atop.signed).days / 365.25, 2)
    return out


def _dispute_body(purpose1: int | None, purpose2: int | None, companion: int | None) -> bool | None:
    """A dispute-settlement organisation (orgpurp 5) or companion agreement (compag 3)."""
    if 5 in (purpose1, purpose2) or companion == 3:
        return True
    return None if None in (purpose1, purpose2, companion) else False


def _agreement_features(
    out: dict[str, FeatureValue],
    facts: Facts,
    as_of: dt.date,
    roster: Roster | None,
    complete_lists: bool,
) -> None:
    """The ``agreement.*``, ``agreements.count`` and ``security_of_information.*`` values.

    What an agreement kind *not* listed means is the file's statement: absent when the
    list is complete (``agreements_complete``, or a given list of a format 1 or 2 file) or
    the kind is named in ``agreements_absent``; otherwise unknown. A kind that is listed
    is known to be in force; what a listed agreement cannot show about unlisted ones (that
    none is ratified, that they bind no other pair) is unknown unless the list is complete.
    """
    listed = facts.agreements or ()
    complete = _stated(facts.agreements_complete, complete_lists and facts.agreements is not None)
    absent = set(facts.agreements_absent or ())
    live = [a for a in listed if a.in_force_on(as_of)]
    out["agreements.count"] = float(len(live)) if complete else None
    # member pairs matter only for agreements of some parties (:func:`_coverage`)
    pairs = (
        [(a, b) for i, a in enumerate(roster.active) for b in roster.active[i + 1 :]]
        if roster is not None and any(a.parties is not None for a in live)
        else None
    )
    of_kind: dict[str, list[Agreement]] = {}
    for agreement in live:
        for kind in agreement.kinds:
            of_kind.setdefault(kind, []).append(agreement)
    for kind, (key, ratified, years, covered, ratified_covered) in _AGREEMENT_KEYS.items():
        these = of_kind.get(kind, [])
        if not these:
            none: FeatureValue = 0.0 if complete or kind in absent else None
            out[key] = None if none is None else False
            out[ratified] = None if none is None else False
            out[years] = none
            out[covered] = none
            out[ratified_covered] = none
            continue
        out[key] = True
        marks = {a.ratified for a in these}
        out[ratified] = True if True in marks else None if None in marks or not complete else False
        starts = [a.start for a in these if a.start is not None]
        if starts and len(starts) == len(these):
            # from the oldest listed: with a list not said to be complete, at least this long
            out[years] = round((as_of - min(starts)).days / 365.25, 2)
        coverage = _coverage(these, pairs)
        out[covered] = None if coverage is not None and coverage < 1 and not complete else coverage
        bound = _coverage([a for a in these if a.ratified], pairs)
        unsure = not complete or any(a.ratified is None for a in these)
        out[ratified_covered] = None if bound is not None and bound < 1 and unsure else bound
    security = of_kind.get("security-of-information", [])
    every_one = complete or "security-of-information" in absent
    texts_read = all(
        a.provisions is not None and _stated(a.provisions_complete, complete_lists)
        for a in security
    )
    for provision in SECURITY_PROVISIONS:
        if any(a.provisions is not None and provision in a.provisions for a in security):
            out[f"security_of_information.{provision}"] = True
        elif every_one and texts_read:
            out[f"security_of_information.{provision}"] = False


_AGREEMENT_KEYS = {
    kind: (
        f"agreement.{kind}",
        f"agreement.{kind}.ratified",
        f"agreement.{kind}.years",
        f"agreement.{kind}.coverage",
        f"agreement.{kind}.ratified_coverage",
    )
    for kind in AGREEMENT_KINDS
}
"""Each agreement kind's feature names (made once, not per partnership): whether one is
in force, ratified, for how many years, and the share of member pairs it binds."""


def _stated(statement: bool | None, default: bool) -> bool:
    """Whether a list is complete: what the file says, else the default of its format."""
    return default if statement is None else statement


def _coverage(agreements: Sequence[Agreement], pairs: list[tuple[str, str]] | None) -> float | None:
    """Share of member pairs bound by one of ``agreements`` (see the feature's text)."""
    if not agreements:
        return 0.0
    if any(a.parties is None for a in agreements):
        return 1.0
    if pairs is None:
        return None  # agreements of some parties, and nobody said who the members are
    if not pairs:
        return 1.0
    bound = sum(1 for x, y in pairs if any(a.binds(x, y) for a in agreements))
    return round(bound / len(pairs), 6)


_AS_IS = frozenset({type(None), bool, str, float})
"""The types of fact values that are feature values as they are (:func:`_plain` gives
them back unchanged): the look-up by exact type saves its call for most values."""

_ATOP_PLAIN = tuple((f"atop.{name}", name) for name in (*_ATOP_FLAGS, *_ATOP_CODES))
"""The ATOP facts that are features as they are (made plain): feature and field names."""


def _plain(value: object) -> FeatureValue:
    """A fact value as a feature value: bools and strings as they are, numbers as float."""
    if value is None or isinstance(value, bool | str):
        return value
    assert isinstance(value, int | float)
    return float(value)


def facts_frame(partnerships: Iterable[Partnership]) -> pd.DataFrame:
    """The features of many partnerships as one table.

    Each partnership is read as of its ``assessed_on`` date (else today), with the
    members and agreements in force on that date.

    Args:
        partnerships: The partnerships; those without facts give a row of unknowns.

    Returns:
        One row per partnership (index: partnership id), one column per feature of
        :data:`FEATURES`: numbers and levels ``float64`` (NaN unknown), flags nullable
        ``boolean``, categories ``category`` with the allowed values.

    >>> from readiness.partnership import Partnership
    >>> p = Partnership(id="x", name="X", kind="defense-cooperation", members=("A", "B"),
    ...                 facts={"exercises_per_year": 2})
    >>> facts_frame([p]).loc["x", "exercises_per_year"]
    np.float64(2.0)
    """
    import pandas as pd

    items = list(partnerships)
    rows = [p.features() for p in items]
    return features_table(rows, pd.Index([p.id for p in items], name="partnership"))


def features_table(rows: Sequence[Mapping[str, FeatureValue]], index: pd.Index) -> pd.DataFrame:
    """Build the typed feature table from feature dicts (see :func:`facts_frame`)."""
    import numpy as np  # here, not at the top: checking a file needs no numpy
    import pandas as pd

    data: dict[str, Any] = {}
    for name, feature in FEATURES.items():
        values: list[Any] = [row.get(name) for row in rows]
        if feature.type == "flag":
            data[name] = pd.array(values, dtype="boolean")
        elif feature.type == "category":
            data[name] = pd.Categorical(values, categories=list(feature.values))
        else:
            data[name] = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    return pd.DataFrame(data, index=index)

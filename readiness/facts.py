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

Agreements: when ``agreements`` is given it is taken as the complete list of the
partnership's agreements, so a kind that is not listed is *false* (not unknown). An
agreement is in force on the assessment date when it started (``in_force``, else
``signed``) on or before that date and has not ``ended`` by then; an agreement with
no dates at all is taken to be in force unless it has ended.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator
from pydantic.json_schema import WithJsonSchema

from readiness._models import Day, Frozen, NonEmpty

if TYPE_CHECKING:
    import pandas as pd

    from readiness.partnership import Partnership

__all__ = [
    "AGREEMENT_KINDS",
    "COMMON_DOCTRINE",
    "FEATURES",
    "INTELLIGENCE_SHARING",
    "TECHNOLOGY_TRANSFER",
    "Agreement",
    "Atop",
    "Facts",
    "Feature",
    "FeatureType",
    "FeatureValue",
    "Interoperability",
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
]
AGREEMENT_KINDS: tuple[str, ...] = AgreementKind.__args__  # type: ignore[attr-defined]

IntelligenceSharing = Literal["none", "ad-hoc", "formal-bilateral", "integrated"]
INTELLIGENCE_SHARING: tuple[str, ...] = IntelligenceSharing.__args__  # type: ignore[attr-defined]

TechnologyTransfer = Literal["none", "case-by-case", "preferential", "licence-free"]
TECHNOLOGY_TRANSFER: tuple[str, ...] = TechnologyTransfer.__args__  # type: ignore[attr-defined]

CommonDoctrine = Literal["none", "partial", "common"]
COMMON_DOCTRINE: tuple[str, ...] = CommonDoctrine.__args__  # type: ignore[attr-defined]

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


def _one_of(choices: tuple[str, ...], what: str = "value") -> BeforeValidator:
    def check(value: Any) -> Any:
        if value not in choices:
            raise ValueError(f"unknown {what} {value!r} (expected one of: {', '.join(choices)})")
        return value

    return BeforeValidator(check)


_TODAY: tuple[dt.date, float] = (dt.date.min, 0.0)
"""Today's date and the time (``time.time()``) at which it ends."""


def _today() -> dt.date:
    """``date.today()``, asked of the clock once a day: every date of every file checks it."""
    global _TODAY
    day, ends = _TODAY
    now = time.time()
    if now >= ends or now < ends - 90_000:  # a new day, or the clock went back
        day = dt.date.today()
        tomorrow = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        _TODAY = day, tomorrow.timestamp()
    return day


def _not_future(value: dt.date) -> dt.date:
    if value > _today():
        raise ValueError(f"date {value.isoformat()} is in the future")
    return value


# Each type states its rule as a constraint, which the JSON Schema shows, and keeps a
# friendly check (the BeforeValidator, which runs first and words the error). The
# constraint must come first in Annotated: after a validator pydantic cannot fold it
# into the schema.
Rate = Annotated[float, Field(ge=0), BeforeValidator(_rate)]
Count = Annotated[int, Field(ge=0), BeforeValidator(_count)]
Flag = Annotated[
    bool,
    BeforeValidator(_flag),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]}),
]
Code = Annotated[int, Field(ge=0), BeforeValidator(_count)]
InteropLevel = Annotated[int, Field(ge=0, le=4), BeforeValidator(_interop_level)]
PastDate = Annotated[Day, AfterValidator(_not_future)]
"""A ``YYYY-MM-DD`` date not after today."""
SharingCategory = Annotated[IntelligenceSharing, _one_of(INTELLIGENCE_SHARING)]
TransferCategory = Annotated[TechnologyTransfer, _one_of(TECHNOLOGY_TRANSFER)]
DoctrineCategory = Annotated[CommonDoctrine, _one_of(COMMON_DOCTRINE)]


def _about(description: str) -> Any:
    """An optional field (default ``None``) with its unit and meaning."""
    return Field(default=None, description=description)


# --- the model -------------------------------------------------------------------------


class Agreement(Frozen):
    """One agreement between the partners."""

    kind: Annotated[AgreementKind, _one_of(AGREEMENT_KINDS, "agreement kind")] = Field(
        description="Kind of agreement: " + ", ".join(AGREEMENT_KINDS) + "."
    )
    name: NonEmpty | None = Field(default=None, description="Official or common name.")
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
    source: NonEmpty | None = Field(default=None, description="Public source of the text.")

    @model_validator(mode="after")
    def _ends_after_start(self) -> Agreement:
        start = self.start
        if self.ended is not None and start is not None and self.ended < start:
            raise ValueError(
                f"ended {self.ended.isoformat()} is before it started {start.isoformat()}"
            )
        return self

    @property
    def start(self) -> dt.date | None:
        """When it took effect: ``in_force``, else ``signed``."""
        return self.in_force or self.signed

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the agreement is in force on ``day``."""
        start = self.start
        return (start is None or start <= day) and (self.ended is None or self.ended > day)


class Atop(Frozen):
    """Provisions of the alliance treaty as coded by ATOP (Leeds et al., codebook v5.1).

    The ordinal codes (``military_coordination`` = ATOP ``milcon``, ``military_aid`` =
    ``milaid``, ``basing`` = ``base``, ``organisation`` = ``organ1``) are kept as the
    integers ATOP uses; rules only rely on their order (0 = none, higher = deeper).
    """

    defense: Flag | None = _about(
        "ATOP defense: a pledge of active military support if a member is attacked."
    )
    offense: Flag | None = _about("ATOP offense: a pledge of support in an offensive war.")
    neutrality: Flag | None = _about("ATOP neutral: a pledge of neutrality if a member is at war.")
    nonaggression: Flag | None = _about("ATOP nonagg: a pledge not to attack one another.")
    consultation: Flag | None = _about("ATOP consul: a pledge to consult in a crisis.")
    integrated_command: Flag | None = _about(
        "ATOP intcom: an integrated military command in peacetime and war."
    )
    military_coordination: Code | None = _about(
        "ATOP milcon: ordinal code of required military coordination (0 = none; higher = deeper)."
    )
    military_aid: Code | None = _about(
        "ATOP milaid: ordinal code of military aid provisions (0 = none; higher = more)."
    )
    basing: Code | None = _about(
        "ATOP base: ordinal code of basing or troop-stationing provisions (0 = none)."
    )
    organisation: Code | None = _about(
        "ATOP organ1: ordinal code of the organisation the treaty creates (0 = none; higher ="
        " more institutionalised)."
    )
    specific_contributions: Flag | None = _about(
        "ATOP contrib: the treaty sets specific contributions of forces or money."
    )
    secret_provisions: Flag | None = _about("ATOP secrart: the treaty has secret articles.")


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
    "agreements", "atop", "exercises_per_year", "personnel_exchanges_per_year",
    "liaison_officers", "standards_adopted", "interoperability", "intelligence_sharing",
    "secure_channels", "security_incidents_5y", "ministerial_meetings_per_year",
    "staff_talks_per_year", "defense_spending_gdp", "joint_programmes", "co_production",
    "technology_transfer", "cyber_agreements", "cyber_exercises_per_year", "common_language",
    "common_doctrine", "disputes_5y", "leadership_changes_5y",
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
        "Agreements between the partners; when given, the complete list (a kind not listed is"
        " taken as absent)."
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
    defense_spending_gdp: dict[NonEmpty, Rate] | None = Field(
        default=None,
        description="Percent of GDP per member (ISO alpha-3 code -> latest defense spending).",
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
    sources: dict[NonEmpty, NonEmpty] | None = Field(
        default=None,
        description="Fact name -> its public source (agreements carry their own source).",
        json_schema_extra={"propertyNames": {"pattern": _SOURCE_KEY}},
    )

    @field_validator("sources")
    @classmethod
    def _sources_name_facts(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for key in value or {}:
            if key.split(".", 1)[0] not in _NAMES:
                raise ValueError(
                    f"sources names an unknown fact {key!r} (facts: {', '.join(_NAMES)})"
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
            f"Years since the oldest {kind} agreement in force took effect (0 when none is).",
        )
    add("agreements.count", "number", "count", "Agreements in force on the assessment date.")
    atop_flags = {
        "defense": "a defense pledge", "offense": "an offense pledge",
        "neutrality": "a neutrality pledge", "nonaggression": "a non-aggression pledge",
        "consultation": "a consultation pledge", "integrated_command": "an integrated command",
        "specific_contributions": "specific contributions",
        "secret_provisions": "secret provisions",
    }  # fmt: skip
    for name, text in atop_flags.items():
        add(f"atop.{name}", "flag", "true/false", f"The ATOP-coded treaty has {text}.")
    for name, code in (("military_coordination", "milcon"), ("military_aid", "milaid"),
                       ("basing", "base"), ("organisation", "organ1")):  # fmt: skip
        add(
            f"atop.{name}",
            "number",
            f"ATOP {code} code",
            f"Ordinal ATOP {code} code (0 = none; higher = deeper).",
        )
    add("exercises_per_year", "number", "count per year", "Joint or combined exercises.")
    add(
        "personnel_exchanges_per_year",
        "number",
        "people per year",
        "Officers and staff exchanged or seconded.",
    )
    add("liaison_officers", "number", "people", "Liaison officers posted with partner HQs.")
    add("standards_adopted", "number", "count", "Shared standardisation agreements in force.")
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
    return {f.name: f for f in out}


FEATURES: dict[str, Feature] = _catalogue()
"""Every feature rules can read, by name (see :class:`Feature`)."""

_PLAIN = tuple(name for name in _NAMES if name in FEATURES)
"""Facts that are features under their own name."""


def facts_features(facts: Facts | None, as_of: dt.date) -> dict[str, FeatureValue]:
    """The feature values of one partnership's facts.

    Args:
        facts: The facts (``None`` gives every feature unknown).
        as_of: The assessment date: decides which agreements are in force and for how long.

    Returns:
        Every feature of :data:`FEATURES`, in catalogue order: numbers and levels as
        ``float``, flags as ``bool``, categories as ``str``, unknown as ``None``.

    >>> values = facts_features(Facts(exercises_per_year=3), dt.date(2025, 1, 1))
    >>> values["exercises_per_year"], values["agreement.access"]
    (3.0, None)
    """
    out: dict[str, FeatureValue] = dict.fromkeys(FEATURES)
    if facts is None:
        return out
    if facts.agreements is not None:
        live = [a for a in facts.agreements if a.in_force_on(as_of)]
        out["agreements.count"] = float(len(live))
        for kind in AGREEMENT_KINDS:
            these = [a for a in live if a.kind == kind]
            out[f"agreement.{kind}"] = bool(these)
            marks = {a.ratified for a in these}
            out[f"agreement.{kind}.ratified"] = (
                True if True in marks else None if None in marks else False
            )
            starts = [a.start for a in these if a.start is not None]
            if not these:
                out[f"agreement.{kind}.years"] = 0.0
            elif starts and len(starts) == len(these):
                out[f"agreement.{kind}.years"] = round((as_of - min(starts)).days / 365.25, 2)
    if facts.atop is not None:
        for name, value in facts.atop:
            out[f"atop.{name}"] = _plain(value)
    if facts.interoperability is not None:
        for layer, value in facts.interoperability:
            out[f"interop.{layer}"] = _plain(value)
    for name in _PLAIN:
        out[name] = _plain(getattr(facts, name))
    spending = list((facts.defense_spending_gdp or {}).values())
    if spending:
        out["defense_spending_gdp.min"] = float(min(spending))
        out["defense_spending_gdp.mean"] = float(sum(spending) / len(spending))
        reaching = sum(1 for v in spending if v >= SPENDING_BENCHMARK)
        out["defense_spending_gdp.share_at_2pct"] = reaching / len(spending)
    return out


def _plain(value: object) -> FeatureValue:
    """A fact value as a feature value: bools and strings as they are, numbers as float."""
    if value is None or isinstance(value, bool | str):
        return value
    assert isinstance(value, int | float)
    return float(value)


def facts_frame(partnerships: Iterable[Partnership]) -> pd.DataFrame:
    """The features of many partnerships as one table.

    Each partnership is read as of its ``assessed_on`` date (else today).

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
    rows = [facts_features(p.facts, p.assessed_on or dt.date.today()) for p in items]
    return features_table(rows, pd.Index([p.id for p in items], name="partnership"))


def features_table(rows: Sequence[Mapping[str, FeatureValue]], index: pd.Index) -> pd.DataFrame:
    """Build the typed feature table from feature dicts (see :func:`facts_frame`)."""
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

"""The partnership description: who is in it, and what an analyst found.

A partnership is described in JSON::

    {
      "id": "aukus",
      "name": "AUKUS",
      "kind": "technology-partnership",
      "members": ["AUS", "GBR", "USA"],
      "established": "2021-09-15",
      "assessor": "...", "assessed_on": "2026-11-20",
      "ratings": {
        "technology.joint-programmes": {
          "level": 3, "confidence": "high",
          "evidence": [{"text": "...", "source": "...", "date": "2023-03-13"}]
        },
        "burden.equitable-contributions": {"level": "unknown"}
      }
    }

A ``"facts"`` object (:class:`readiness.facts.Facts`, ``docs/facts-format.md``) may
describe the partnership by public, checkable facts; rubric rules derive levels from
them, and a rating overrides a derived level (with a ``justification`` when it differs
by more than one level). A criterion with no rating and no derived level is *unknown*,
never zero. ``"level"`` is an integer 0-4, ``"not-applicable"`` (the criterion leaves
the denominator) or ``"unknown"``.
Unknown fields are errors: a typo is never silently ignored.

Dates are written ``YYYY-MM-DD``. No date may lie after the assessment date:
``established``, evidence dates and the dates of agreements in the facts must be on or
before ``assessed_on``. Without ``assessed_on`` the assessment date is today, so these
dates (like ``assessed_on`` itself) must not be in the future.

:func:`partnership_json_schema` gives the JSON Schema of the file format, with the
criterion ids and target profiles of a rubric when one is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from readiness._io import Readable, read_document, source_name
from readiness._models import Frozen, Id, NonEmpty, validate_document
from readiness.errors import InputError, Problem, json_path
from readiness.facts import (
    STATUSES,
    Facts,
    FeatureValue,
    PastDate,
    Roster,
    facts_features,
    normal_code,
)
from readiness.rubric import Rubric

__all__ = [
    "FORMAT_VERSION",
    "KINDS",
    "Confidence",
    "Evidence",
    "Kind",
    "Member",
    "Partnership",
    "Rating",
    "Status",
    "StatusChange",
    "Suspension",
    "is_panel_document",
    "load_partnership",
    "partnership_from_dict",
    "partnership_json_schema",
]

Kind = Literal[
    "collective-defense-alliance",
    "bilateral-alliance",
    "technology-partnership",
    "regional-security-forum",
    "capacity-building-partnership",
    "defense-cooperation",
    "strategic-partnership",
    "framework-nation-coalition",
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

FORMAT_VERSION = 3
"""The partnership file format this version writes (``format_version``; absent = 1)."""

Status = Literal["active", "dormant", "dissolving", "dissolved"]

Confidence = Literal["low", "medium", "high"]
LevelValue = int | Literal["not-applicable", "unknown"]
Level = Annotated[int, Field(ge=0, le=4)]

_LEVEL_HELP = "level must be an integer from 0 to 4, 'not-applicable' or 'unknown'"


class HasLevel(Protocol):
    """Anything with a derived ``level`` (e.g. :class:`readiness.derive.Derivation`)."""

    @property
    def level(self) -> int | None: ...


class Evidence(Frozen):
    """One piece of evidence behind a rating."""

    text: NonEmpty
    source: NonEmpty
    date: PastDate | None = None
    url: str | None = None


class Rating(Frozen):
    """An analyst's rating of one criterion."""

    level: Level | Literal["not-applicable", "unknown"]
    confidence: Confidence = "medium"
    evidence: tuple[Evidence, ...] = ()
    note: str | None = None
    justification: str | None = None
    perspective: str | None = Field(
        default=None, description="The member whose view this rating gives (its side)."
    )

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        if isinstance(value, bool) or not (
            (isinstance(value, int) and 0 <= value <= 4) or value in ("not-applicable", "unknown")
        ):
            raise ValueError(f"{_LEVEL_HELP} (got {value!r})")
        return value

    @property
    def is_rated(self) -> bool:
        return isinstance(self.level, int)


class Suspension(Frozen):
    """A period in which a member's participation was suspended (by it or by the others)."""

    since: PastDate
    until: PastDate | None = Field(default=None, description="Empty while still suspended.")
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Suspension:
        if self.until is not None and self.until < self.since:
            raise ValueError(
                f"until {self.until.isoformat()} is before since {self.since.isoformat()}"
            )
        return self

    def on(self, day: dt.date) -> bool:
        """Whether the suspension holds on ``day``."""
        return self.since <= day and (self.until is None or self.until > day)


class Member(Frozen):
    """A member with the dates it joined, left or was suspended (a plain code needs none)."""

    code: NonEmpty = Field(description="The member's code, e.g. ISO 3166 alpha-3 'ARM'.")
    joined: PastDate | None = Field(default=None, description="Date it joined; empty: founder.")
    left: PastDate | None = Field(default=None, description="Date it left; empty while member.")
    suspended: tuple[Suspension, ...] = Field(
        default=(), description="Periods in which its participation was suspended."
    )
    note: str | None = None
    source: NonEmpty | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _normal(cls, value: Any) -> Any:
        """Upper case, blanks stripped, as codes given as text are (``usa`` is ``USA``)."""
        return normal_code(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ordered(self) -> Member:
        if self.joined is not None and self.left is not None and self.left < self.joined:
            raise ValueError(
                f"left {self.left.isoformat()} is before joined {self.joined.isoformat()}"
            )
        return self

    def member_on(self, day: dt.date) -> bool:
        """Whether it is a member on ``day`` (suspended or not)."""
        return (self.joined is None or self.joined <= day) and (
            self.left is None or self.left > day
        )

    def suspended_on(self, day: dt.date) -> bool:
        """Whether its participation is suspended on ``day``."""
        return any(s.on(day) for s in self.suspended)


class StatusChange(Frozen):
    """The partnership entering a state on a date."""

    state: Status = Field(description="active, dormant, dissolving or dissolved.")
    since: PastDate | None = Field(
        default=None, description="Date it entered the state; empty for the first entry."
    )
    note: str | None = None
    source: NonEmpty | None = None


def _status(value: Any) -> Any:
    """``"active"`` is short for ``[{"state": "active"}]``."""
    if isinstance(value, str):
        if value not in STATUSES:
            raise ValueError(
                f"unknown status {value!r} (expected one of: {', '.join(STATUSES)}, or a list"
                " of {state, since})"
            )
        return ({"state": value},)
    return value


def _format_version(value: Any) -> Any:
    """A whole number, not a boolean; a version above today's is a newer readiness's."""
    if value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, {FORMAT_VERSION} today (got {value!r:.40})")
    if value > FORMAT_VERSION:
        raise ValueError(
            f"format {value} was written by a newer readiness (this one reads formats 1 to "
            f"{FORMAT_VERSION}); upgrade readiness to read it"
        )
    if value < 1:
        raise ValueError(f"must be 1 to {FORMAT_VERSION} (got {value})")
    return value


def _member_form(value: Any) -> Any:
    if not isinstance(value, str | dict | Member):
        raise ValueError(
            f"a member is a code or an object {{code, joined, left, suspended}} (got {value!r:.40})"
        )
    return value


def _member_tag(value: Any) -> str:
    """Which form of member ``value`` is: a code (text) or an object."""
    return "tag:code" if isinstance(value, str) else "tag:member"


MemberEntry = Annotated[
    Annotated[NonEmpty, Tag("tag:code")] | Annotated[Member, Tag("tag:member")],
    Discriminator(_member_tag),
    BeforeValidator(_member_form),
]
"""A member: its code, or a :class:`Member` with dates."""


class Partnership(Frozen):
    """A partnership and the ratings of its criteria.

    >>> p = Partnership(id="demo", name="Demo pact", kind="bilateral-alliance",
    ...                 members=("AAA", "BBB"), ratings={"trust.commitment-record": {"level": 3}})
    >>> p.ratings["trust.commitment-record"].level
    3
    """

    # ``"$schema"`` is no Python name: the field is ``schema_uri``, read and written as
    # ``"$schema"`` (every model_dump, so a partnership written back keeps it)
    model_config = ConfigDict(serialize_by_alias=True)

    schema_uri: str | None = Field(
        default=None,
        alias="$schema",
        description="Where an editor finds the JSON Schema of this file (a path or URL, "
        "e.g. the one `readiness schema partnership` prints); ignored when scoring.",
    )
    format_version: Annotated[
        Annotated[int, Field(ge=1, le=FORMAT_VERSION)] | None, BeforeValidator(_format_version)
    ] = Field(
        default=None,
        description=f"File format version ({FORMAT_VERSION} today; absent means 1, still read;"
        " `readiness migrate` rewrites a file to the current format).",
    )
    id: Id
    name: NonEmpty
    kind: Kind
    status: Annotated[tuple[StatusChange, ...], BeforeValidator(_status)] | None = Field(
        default=None,
        description="State of the partnership: a word (active, dormant, dissolving, dissolved)"
        " or its history, a list of {state, since} in date order. Absent: not stated.",
    )
    members: tuple[MemberEntry, ...] = Field(
        min_length=1,
        description="Member codes, or objects {code, joined, left, suspended} when membership"
        " changed over time; both forms may be mixed.",
        json_schema_extra={"uniqueItems": True},
    )
    established: PastDate | None = None
    description: str | None = None
    target: Id | None = None
    rubric: str | None = Field(
        default=None,
        description="The rubric the file is written for: its id, optionally with @version "
        "(e.g. defense-partnership@1.2.0). Scoring against another rubric is refused; "
        "against another version of it, validate warns.",
    )
    assessor: str | None = None
    assessed_on: PastDate | None = None
    ratings: dict[str, Rating] = Field(default_factory=dict)
    facts: Facts | None = Field(
        default=None,
        description="Public, checkable facts; rubric rules derive levels from them "
        "(see docs/facts-format.md). A rating overrides a derived level.",
    )

    @field_validator("members", mode="before")
    @classmethod
    def _member_codes(cls, value: Any) -> Any:
        """Member codes in upper case, blanks stripped: ``usa`` and ``USA`` are one state."""
        if isinstance(value, list | tuple):
            return [normal_code(m) if isinstance(m, str) else m for m in value]
        return value

    @field_validator("ratings", mode="before")
    @classmethod
    def _distinct_criteria(cls, value: Any) -> Any:
        """Criterion ids that differ only in blanks or case are one criterion: refused."""
        if not isinstance(value, dict):
            return value
        keys = list(value)
        if all(type(key) is str for key in keys):  # JSON's keys: one cheap pass first
            stripped = [key.strip() for key in keys]
            if len({key.casefold() for key in stripped}) == len(keys):  # no two the same
                if stripped == keys:
                    return value
                return dict(zip(stripped, value.values(), strict=True))
        first: dict[str, Any] = {}
        problems = []
        for key in value:
            if not isinstance(key, str):
                continue
            same = key.strip().casefold()
            if same in first:
                problems.append(
                    Problem(
                        json_path(("ratings", key)),
                        f"{first[same]!r} and {key!r} are the same criterion once blanks "
                        f"and case are ignored; rate it once",
                    )
                )
            else:
                first[same] = key
        if problems:
            raise InputError(problems)
        return {k.strip() if isinstance(k, str) else k: v for k, v in value.items()}

    @model_validator(mode="after")
    def _consistent(self) -> Partnership:
        codes = self.member_codes  # read once: every check below needs them
        problems = [
            *(self._member_problems(codes) if self.strict else ()),
            *self._duplicate_members(codes),
            *self._dates_after_assessment(),
            *self._status_order(),
            *self._parties_are_members(codes),
            *self._facts_about_non_members(codes),
        ]
        if problems:
            raise InputError(problems)
        return self

    @property
    def strict(self) -> bool:
        """Whether the file is in format 3 or later, whose members must be states.

        Older files are read as before: what format 3 refuses, ``validate`` warns of.
        """
        return (self.format_version or 1) >= 3

    @property
    def lists_complete(self) -> bool:
        """Whether the lists in the facts are read as complete when the file does not say.

        Formats 1 and 2 documented ``agreements``, ``invocations`` and an agreement's
        ``provisions`` as complete lists, and are read so. From format 3 a list is
        complete only when the file says so (``agreements_complete``,
        ``invocations_complete``, ``provisions_complete``; ``agreements_absent`` names
        kinds known to be absent): what it leaves out is otherwise unknown.
        """
        return (self.format_version or 1) < 3

    def _member_problems(self, codes: tuple[str, ...]) -> list[Problem]:
        """Members that are not states (:mod:`readiness.countries`), and a lone member."""
        from readiness.countries import member_problem

        problems = []
        for i, code in enumerate(codes):
            message = member_problem(code)
            if message is not None:
                where = f"$.members[{i}]" + ("" if isinstance(self.members[i], str) else ".code")
                problems.append(Problem(where, message))
        if len(set(codes)) < 2:
            problems.append(
                Problem("$.members", "a partnership has at least two members (got one)")
            )
        return problems

    def _duplicate_members(self, codes: tuple[str, ...]) -> list[Problem]:
        seen: dict[str, int] = {}
        problems = []
        for i, m in enumerate(codes):
            if m in seen:
                problems.append(
                    Problem(
                        f"$.members[{i}]",
                        f"duplicate member {m!r} (also $.members[{seen[m]}]; codes are "
                        f"compared in upper case)",
                    )
                )
            seen.setdefault(m, i)
        return problems

    def _status_order(self) -> list[Problem]:
        problems = []
        last: dt.date | None = None
        for i, change in enumerate(self.status or ()):
            if i > 0 and change.since is None:
                problems.append(
                    Problem(f"$.status[{i}].since", "every state after the first needs a date")
                )
            elif change.since is not None and last is not None and change.since < last:
                problems.append(
                    Problem(
                        f"$.status[{i}].since",
                        f"date {change.since.isoformat()} is before the previous state's"
                        f" {last.isoformat()} (list states in date order)",
                    )
                )
            last = change.since or last
        return problems

    def _parties_are_members(self, member_codes: tuple[str, ...]) -> list[Problem]:
        codes = set(member_codes)
        problems = []
        facts = self.facts
        named: list[tuple[str, str]] = []
        for i, agreement in enumerate((facts and facts.agreements) or ()):
            for k, party in enumerate(agreement.parties or ()):
                named.append((f"$.facts.agreements[{i}].parties[{k}]", party))
        for i, default in enumerate((facts and facts.commitment_defaults) or ()):
            if default.member is not None:
                named.append((f"$.facts.commitment_defaults[{i}].member", default.member))
        for i, invocation in enumerate((facts and facts.invocations) or ()):
            if invocation.by is not None and self.strict:  # format 3: a member's code
                named.append((f"$.facts.invocations[{i}].by", invocation.by))
        for i, disruption in enumerate((facts and facts.leadership_change_disruptions) or ()):
            if disruption.member is not None:
                named.append(
                    (f"$.facts.leadership_change_disruptions[{i}].member", disruption.member)
                )
        for where, code in named:
            if code not in codes:
                problems.append(
                    Problem(where, f"{code!r} is not a member (members: {', '.join(member_codes)})")
                )
        return problems

    def _facts_about_non_members(self, codes: tuple[str, ...]) -> list[Problem]:
        """Spending given for a state that is not a member of the partnership, and (from
        format 3) a UN ideal point of one."""
        problems = self._ideal_points_of_non_members(codes) if self.strict else []
        members = set(codes)
        shown = ", ".join(codes[:10]) + (", ..." if len(members) > 10 else "")
        for key in ("defense_spending_gdp",):
            table = getattr(self.facts, key, None) or {}
            problems += [
                Problem(
                    json_path(("facts", key, code)),
                    f"{code!r} is not a member of the partnership (members: {shown})",
                )
                for code in table
                if code not in members
            ]
        return problems

    def _ideal_points_of_non_members(self, codes: tuple[str, ...]) -> list[Problem]:
        """UN ideal points of states that are not members: policy alignment reads the
        distance between the members' own points (for two members, the dyad's distance),
        never a member's distance to another state or to the world."""
        points = (self.facts and self.facts.un_ideal_points) or {}
        members = set(codes)
        shown = ", ".join(codes[:10]) + (", ..." if len(members) > 10 else "")
        return [
            Problem(
                json_path(("facts", "un_ideal_points", code)),
                f"{code!r} is not a member of the partnership (members: {shown}); the distance"
                " read is between the ideal points of the members",
            )
            for code in points
            if code not in members
        ]

    def _dates_after_assessment(self) -> list[Problem]:
        """Dates after ``assessed_on``; without it, dates after today were refused already."""
        if self.assessed_on is None:
            return []
        on = self.assessed_on.isoformat()
        return [
            Problem(json_path(loc), f"date {day.isoformat()} is after assessed_on {on}")
            for loc, day in self.dates()
            if day is not None and day > self.assessed_on
        ]

    def dates(self) -> Iterator[tuple[tuple[str | int, ...], dt.date | None]]:
        """Every date the file gives, with its place (a JSON path's parts), in file
        order: ``established``, evidence, facts (agreements, invocations, disruptions,
        defaults, reviews, threat assessment, strategy), status and members."""
        yield ("established",), self.established
        for cid, rating in self.ratings.items():
            for i, evidence in enumerate(rating.evidence):
                yield ("ratings", cid, "evidence", i, "date"), evidence.date
        if self.facts is not None:
            yield from _fact_dates(self.facts)
        for i, change in enumerate(self.status or ()):
            yield ("status", i, "since"), change.since
        for i, m in enumerate(self.members):
            if isinstance(m, Member):
                yield ("members", i, "joined"), m.joined
                yield ("members", i, "left"), m.left
                for k, s in enumerate(m.suspended):
                    yield ("members", i, "suspended", k, "since"), s.since
                    yield ("members", i, "suspended", k, "until"), s.until

    @property
    def member_codes(self) -> tuple[str, ...]:
        """Every member's code, past and present, in file order."""
        return tuple(m if isinstance(m, str) else m.code for m in self.members)

    @property
    def as_of(self) -> dt.date:
        """The assessment date: ``assessed_on``, else today."""
        return self.assessed_on or dt.date.today()

    def members_on(self, day: dt.date | None = None) -> tuple[str, ...]:
        """Codes of the members on ``day`` (default: the assessment date), suspended or not."""
        day = day or self.as_of
        return tuple(
            m if isinstance(m, str) else m.code
            for m in self.members
            if isinstance(m, str) or m.member_on(day)
        )

    def status_on(self, day: dt.date | None = None) -> str | None:
        """The state on ``day`` (default: the assessment date); ``None`` when not stated."""
        day = day or self.as_of
        state = None
        for change in self.status or ():
            if change.since is None or change.since <= day:
                state = change.state
        return state

    def roster_on(self, day: dt.date | None = None) -> Roster:
        """Who is in the partnership on ``day`` and its state (what rules read)."""
        day = day or self.as_of
        five_years_before = day - dt.timedelta(days=round(5 * 365.25))
        active: list[str] = []
        suspended: list[str] = []
        left: list[str] = []
        for m in self.members:
            if isinstance(m, str):
                active.append(m)
            elif m.member_on(day):
                (suspended if m.suspended_on(day) else active).append(m.code)
            elif m.left is not None and five_years_before < m.left <= day:
                left.append(m.code)
        return Roster(tuple(active), tuple(suspended), tuple(left), self.status_on(day))

    def __repr__(self) -> str:
        facts = "facts" if self.facts is not None else "no facts"
        day = f", assessed {self.assessed_on.isoformat()}" if self.assessed_on else ""
        return (
            f"<Partnership {self.id} ({self.kind}): {len(self.members)} members, "
            f"{len(self.ratings)} ratings, {facts}{day}>"
        )

    def features(self) -> dict[str, FeatureValue]:
        """The feature values rules read (:data:`readiness.facts.FEATURES`).

        Facts are read as of :attr:`as_of` (``assessed_on``, else today), with the
        members, suspensions and agreements in force on that date; the member features
        are known from the roster even without ``facts``; lists are read as complete
        only as the file's format says (:attr:`lists_complete`). Every path that derives
        levels (``assess``, the batch, ``facts_frame``) reads them here.
        """
        return facts_features(
            self.facts,
            self.as_of,
            self.roster_on(self.as_of),
            complete_lists=self.lists_complete,
        )

    def level_of(self, criterion_id: str) -> LevelValue:
        """The rated level, ``'not-applicable'`` or ``'unknown'`` (also when not rated)."""
        rating = self.ratings.get(criterion_id)
        return "unknown" if rating is None else rating.level

    def check_against(
        self,
        rubric: Rubric,
        *,
        source: str | None = None,
        derived: Mapping[str, HasLevel] | None = None,
    ) -> None:
        """Check the ratings and target against ``rubric``.

        This checks the description only; it never runs the derive rules (that is the
        engine's job, :func:`readiness.derive.derive_partnership`, which
        :func:`readiness.assess` runs once). Pass ``derived`` (criterion id -> anything
        with a ``level``) to check overrides of derived levels as well.

        Raises:
            InputError: Unknown criterion ids (with close matches) or target profile, or,
                when ``derived`` is given, a rating that overrides a derived level by more
                than one level (or with not-applicable/unknown) without a ``justification``.
        """
        problems = unknown_criteria(self.ratings, rubric)
        if self.rubric is not None and self.rubric.split("@", 1)[0].strip() != rubric.id:
            problems.append(
                Problem(
                    "$.rubric",
                    f"the file is written for rubric {self.rubric!r}, not {rubric.label}; "
                    f"score it with --rubric (or the rubric= argument) naming that rubric",
                )
            )
        if self.target is not None and self.target not in {p.id for p in rubric.profiles}:
            names = ", ".join(p.id for p in rubric.profiles)
            problems.append(
                Problem("$.target", f"unknown target profile {self.target!r} (known: {names})")
            )
        if derived is not None:
            problems.extend(self.override_problems({k: d.level for k, d in derived.items()}))
        if problems:
            raise InputError(problems, source=source)

    def warnings(self, rubric: Rubric) -> list[Problem]:
        """What is odd but not wrong about this file against ``rubric``.

        The ``rubric`` field names this rubric at another version
        (``"defense-partnership@1.0.0"``), so the scores may differ from the ones the
        file was written for; or a file older than format 3 has members that are not
        states (``India`` for ``IND``) or only one member, which format 3 refuses.
        ``readiness validate`` prints warnings; ``validate --strict`` refuses them.
        """
        out = []
        if not self.strict:
            codes = self.member_codes
            refused = (*self._member_problems(codes), *self._ideal_points_of_non_members(codes))
            out += [
                dataclasses.replace(p, message=p.message + " (refused from format 3)")
                for p in refused
            ]
        if self.rubric is None or "@" not in self.rubric:
            return out
        name, version = (part.strip() for part in self.rubric.split("@", 1))
        if name != rubric.id or version == rubric.version:
            return out
        return [
            Problem(
                "$.rubric",
                f"the file is written for version {version} of rubric {name}; it is scored "
                f"against version {rubric.version}",
            ),
            *out,
        ]

    def override_problems(self, derived: Mapping[str, int | None]) -> list[Problem]:
        """Ratings that override a derived level too far without a justification.

        A rating may differ from the derived level by one level freely. A larger
        difference, or a rating of ``not-applicable`` over a derived level, contradicts
        the facts and needs a ``justification``. A rating of ``unknown`` overrides
        nothing (the assessor did not know; the derived level is used), so it never does.

        Args:
            derived: Criterion id -> the level its facts give (``None``: unknown).

        Returns:
            One problem per such rating, at ``$.ratings['<id>'].justification``.
        """
        problems = []
        for cid, level in derived.items():
            rating = self.ratings.get(cid)
            if rating is None or level is None or rating.justification:
                continue
            if rating.level == "unknown":
                continue
            path = json_path(("ratings", cid, "justification"))
            if isinstance(rating.level, int):
                if abs(rating.level - level) <= 1:
                    continue
                message = (
                    f"the rating {rating.level} differs from the level {level} derived "
                    f"from facts by more than one level; add a justification"
                )
            else:
                message = (
                    f"the rating {rating.level!r} replaces the level {level} derived from "
                    f"facts; add a justification"
                )
            problems.append(Problem(path, message, criterion=cid))
        return problems


def unknown_criteria(ids: Iterable[object], rubric: Rubric) -> list[Problem]:
    """Rated criterion ids that ``rubric`` does not have, each with its nearest id."""
    problems = []
    known = set(rubric.criterion_ids)
    for cid in ids:
        if isinstance(cid, str) and cid.strip() not in known:
            cid = cid.strip()
            hint = difflib.get_close_matches(cid, known, n=1)
            more = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.append(
                Problem(
                    json_path(("ratings", cid)),
                    f"unknown criterion {cid!r} (not in rubric {rubric.label}){more}",
                    criterion=cid,
                )
            )
    return problems


def partnership_from_dict(data: object, *, source: str | None = None) -> Partnership:
    """Validate an already parsed partnership document.

    Raises:
        InputError: Every problem found, with its JSON path.
    """
    what = "a partnership must be a JSON object"
    return validate_document(
        Partnership, data, what=what, error=InputError, source=source, second_look=True
    )


def is_panel_document(data: object) -> bool:
    """Whether parsed JSON is a panel file (an object with ``assessments``): several
    assessors' partnerships (``readiness.panel``), not one partnership. Here, so that
    telling the two apart does not load the panel's machinery."""
    return isinstance(data, dict) and "assessments" in data


def load_partnership(path: Readable, rubric: Rubric | None = None) -> Partnership:
    """Read and validate a partnership JSON file.

    Args:
        path: The JSON file.
        rubric: When given, also check criterion ids and the target against it
            (:meth:`Partnership.check_against`; overrides of derived levels are checked
            by :func:`readiness.assess`, which runs the derive rules).

    Raises:
        InputError: The file is missing, empty, not JSON, or invalid; the message names
            the file, the JSON path and the problem.
    """
    name = source_name(path)
    data = read_document(path, InputError)
    if isinstance(data, dict) and "assessments" in data and "partnership" in data:
        raise InputError(
            "this is a panel file (several assessors' ratings of one partnership), not a "
            "partnership file: readiness assess, report and agreement read panel files "
            "(in Python: readiness.panel.load_panel)",
            source=name,
        )
    try:
        partnership = partnership_from_dict(data, source=name)
    except InputError as exc:
        ratings = data.get("ratings") if isinstance(data, dict) else None
        if rubric is None or not isinstance(ratings, dict):
            raise
        more = unknown_criteria(ratings, rubric)  # all problems at once, ids included
        raise InputError([*exc.problems, *more], source=name) from None
    if rubric is not None:
        partnership.check_against(rubric, source=name)
    return partnership


def partnership_json_schema(rubric: Rubric | None = None) -> dict[str, Any]:
    """The JSON Schema of a partnership file.

    It states every rule of the validator that JSON Schema can express: types, enums,
    number ranges, required and unknown fields, identifier and date patterns, date
    formats. With a rubric, the rating keys are its criterion ids (no other key is
    allowed) and ``target`` is one of its profiles. What the schema cannot state is
    listed in ``docs/facts-format.md``: dates after today or after ``assessed_on``, an
    agreement that ends before it starts, and overrides of derived levels that need a
    ``justification``.

    Args:
        rubric: The rubric whose criterion ids and profiles the file must use; without
            one, any text is a rating key and ``target`` any identifier.

    Returns:
        The schema as a dict, without ``$schema`` and ``$id`` (the CLI adds them).

    >>> from readiness.rubric import load_rubric
    >>> schema = partnership_json_schema(load_rubric())
    >>> schema["properties"]["ratings"]["additionalProperties"]
    False
    >>> schema["$defs"]["Rating"]["properties"]["level"]["anyOf"][0]
    {'maximum': 4, 'minimum': 0, 'type': 'integer'}
    """
    schema = Partnership.model_json_schema()
    if rubric is None:
        return schema
    props = schema["properties"]
    props["ratings"]["properties"] = {
        c.id: {"$ref": "#/$defs/Rating", "description": c.title} for c in rubric.criteria
    }
    props["ratings"]["additionalProperties"] = False
    props["ratings"]["description"] = f"Criterion id (rubric {rubric.label}) -> rating."
    props["target"]["anyOf"] = [{"enum": [p.id for p in rubric.profiles]}, {"type": "null"}]
    return schema


_FACT_DATE_LISTS = (
    ("agreements", ("signed", "in_force", "ended")),
    ("invocations", ("date",)),
    ("leadership_change_disruptions", ("date",)),
    ("commitment_defaults", ("date",)),
    ("reviews", ("date",)),
)
"""The lists of facts whose items give dates, and the names of the dates, in file order."""

_FACT_DATE_ONES = (("threat_assessment", "date"), ("strategy", "adopted"))
"""The facts (one object each) that give a date, after the lists."""


def _fact_dates(facts: Facts) -> Iterator[tuple[tuple[str | int, ...], dt.date | None]]:
    """The dates among ``facts``, with their place under ``facts``."""
    for key, names in _FACT_DATE_LISTS:
        for i, item in enumerate(getattr(facts, key) or ()):
            for name in names:
                yield ("facts", key, i, name), getattr(item, name)
    for key, name in _FACT_DATE_ONES:
        one = getattr(facts, key)
        if one is not None:
            yield ("facts", key, name), getattr(one, name)

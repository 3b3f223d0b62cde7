"""Rubrics: the weighted, evidence-anchored description of what readiness means.

A rubric is data (a YAML or JSON file in ``rubrics/``). It holds a 0-4 level scale,
readiness bands on the 0-100 overall score, pillars with weights, criteria with one
anchored descriptor per level, remediation for each step up, an effort estimate,
prerequisites, sources, optional critical gates, optional ``derive:`` rules that give
the level from a partnership's facts (:mod:`readiness.rules`), and named target profiles.

Loading checks everything and reports every problem at once, each with its JSON path:
numbers written as text or true/false, weights outside 0.001-1000, duplicate ids,
missing level descriptors, unknown ids in targets or prerequisites, prerequisite
cycles, unknown sources, and more.

A validated rubric is frozen. :meth:`Rubric.with_weights` and
:meth:`Rubric.model_copy` with ``update`` give checked variants whose version says so
(``1.1.0+custom``); scoring refuses a rubric whose content was not validated.
"""

from __future__ import annotations

import difflib
import hashlib
import marshal
import math
import re
import sys
from collections.abc import Iterator, Mapping
from functools import cache, cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from readiness._io import Readable, read_document, source_name
from readiness._models import Frozen, Id, NonEmpty, validate_document
from readiness._resources import data_dir
from readiness.errors import Problem, RubricError, json_path
from readiness.rules import Rule, check_rule
from readiness.sources import SeedCard, load_seed_cards

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import pandas as pd


__all__ = [
    "LEVELS",
    "Band",
    "Criterion",
    "Estimate",
    "Gate",
    "Method",
    "Pillar",
    "Profile",
    "Rubric",
    "ScaleLevel",
    "SourceRef",
    "UnknownPolicy",
    "available_rubrics",
    "load_rubric",
    "rubric_versions",
]

LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
"""The level scale every rubric uses."""

Method = Literal["arithmetic", "geometric", "minimum"]
"""How a node combines its children: weighted arithmetic mean (compensatory), weighted
geometric mean (a weak child drags the node down), or the minimum (weakest link)."""

UnknownPolicy = Literal["exclude", "worst", "estimate"]
"""``exclude``: unknown criteria leave the denominator and lower coverage; ``worst``:
unknown criteria count as level 0; ``estimate``: unknown criteria count at the level the
partnership's own known criteria estimate for them (see :class:`Estimate`), and coverage
still says how much is known."""

DEFAULT_RUBRIC = "defense-partnership"
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
VARIANT = "custom"
"""Build label appended to the version of a rubric changed in code (``1.1.0+custom``)."""


MIN_WEIGHT = 0.001
"""Smallest weight (and effort size) a rubric may give; see docs/rubric-format.md."""
MAX_WEIGHT = 1000.0
"""Largest weight (and effort size) a rubric may give; see docs/rubric-format.md."""


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: object, what: str) -> float | int:
    """``value`` if it is a finite number written as a number (not text, not true/false)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "true/false" if isinstance(value, bool) else type(value).__name__
        raise ValueError(f"{what} must be a number, not {kind} (got {_shown(value)})")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number (got {value})")
    return value


def _between(value: object, what: str, low: float, high: float) -> float | int:
    number = _number(value, what)
    if not low <= number <= high:
        raise ValueError(f"{what} must be between {low:g} and {high:g} (got {_shown(number)})")
    return number


def _weight(value: object, what: str = "weight") -> float | int:
    """A weight or an effort size: a number from MIN_WEIGHT to MAX_WEIGHT."""
    number = _number(value, what)
    if not number > 0:
        raise ValueError(f"{what} must be greater than 0 (got {_shown(number)})")
    if not MIN_WEIGHT <= number <= MAX_WEIGHT:
        raise ValueError(
            f"{what} must be between {MIN_WEIGHT:g} and {MAX_WEIGHT:g} (got {_shown(number)})"
        )
    return number


def _whole(value: object) -> object:
    """Refuse text and true/false where a whole number belongs (pydantic checks the rest)."""
    if isinstance(value, bool | str):
        kind = "true/false" if isinstance(value, bool) else "str"
        raise ValueError(f"must be a whole number, not {kind} (got {_shown(value)})")
    return value


def _level_key(value: object) -> object:
    """A level written as a mapping key: a whole number, or its digits (JSON keys are text)."""
    if isinstance(value, bool) or (isinstance(value, str) and not value.strip().isdigit()):
        raise ValueError(f"a level key must be a whole number (got {_shown(value)})")
    return value


Weight = Annotated[
    float,
    BeforeValidator(_weight),
    Field(ge=MIN_WEIGHT, le=MAX_WEIGHT),
]
"""A pillar or criterion weight: a number (not text) from 0.001 to 1000."""
EffortUnits = Annotated[
    float,
    BeforeValidator(partial(_weight, what="effort units")),
    Field(ge=MIN_WEIGHT, le=MAX_WEIGHT),
]
Whole = Annotated[int, BeforeValidator(_whole)]
LevelKey = Annotated[int, BeforeValidator(_level_key)]


class ScaleLevel(Frozen):
    """One level of the 0-4 scale, with its generic meaning."""

    level: Whole
    name: NonEmpty
    meaning: NonEmpty


class Band(Frozen):
    """A named readiness band: overall scores from ``min`` up to the next band's ``min``."""

    id: Id
    name: NonEmpty
    min: Annotated[
        float, BeforeValidator(partial(_between, what="min", low=0, high=100)), Field(ge=0, le=100)
    ]
    meaning: str = ""


class SourceRef(Frozen):
    """A citation of a section of a source document (see ``seeds/``)."""

    document: NonEmpty
    section: Id


class Gate(Frozen):
    """A critical criterion: below ``min_level`` the partnership is capped at ``cap_band``."""

    min_level: Whole = Field(ge=1, le=4)
    cap_band: Id
    reason: NonEmpty


class Criterion(Frozen):
    """One question of the rubric, with an anchored descriptor for every level."""

    id: Id
    title: NonEmpty
    question: NonEmpty
    weight: Weight = 1.0
    rationale: str | None = None
    levels: dict[LevelKey, NonEmpty]
    remediation: dict[LevelKey, NonEmpty]
    effort: NonEmpty
    prerequisites: tuple[Id, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    references: tuple[NonEmpty, ...] = ()
    critical: Gate | None = None
    derive: Rule | None = Field(
        default=None,
        description="A rule deriving the level from facts (see readiness.rules); "
        "a rating in the partnership file overrides it.",
    )

    @field_validator("levels")
    @classmethod
    def _every_level(cls, value: dict[int, str]) -> dict[int, str]:
        missing = [lv for lv in LEVELS if lv not in value]
        extra = sorted(set(value) - set(LEVELS))
        if missing:
            raise ValueError(f"missing level descriptors for levels {missing}")
        if extra:
            raise ValueError(f"levels {extra} are outside the 0-4 scale")
        return dict(sorted(value.items()))

    @field_validator("remediation")
    @classmethod
    def _every_step(cls, value: dict[int, str]) -> dict[int, str]:
        missing = [lv for lv in LEVELS[1:] if lv not in value]
        extra = sorted(set(value) - set(LEVELS[1:]))
        if missing:
            raise ValueError(f"missing remediation for the steps up to levels {missing}")
        if extra:
            raise ValueError(f"remediation keys {extra} are not steps 1-4")
        return dict(sorted(value.items()))


class Pillar(Frozen):
    """A group of criteria with a weight and an aggregation method."""

    id: Id
    title: NonEmpty
    weight: Weight
    rationale: NonEmpty
    description: str = ""
    aggregation: Method = "arithmetic"
    criteria: tuple[Criterion, ...]


class Estimate(Frozen):
    """How ``unknown_policy: estimate`` estimates an unknown criterion (data, not code).

    A criterion's level is read as the partnership's general level, plus its pillar's
    departure from it, plus the criterion's typical offset, plus noise: ``level =
    mu + pillar + offset + noise``, with spreads (standard deviations, in levels)
    ``partnership_spread`` (of ``mu`` around ``prior_level`` across partnerships),
    ``pillar_spread`` and ``spread``. An unknown criterion is estimated from what is
    known of the same partnership, as composite-indicator practice imputes from the
    unit's own data: its pillar's known criteria where there are some, weighed against
    the partnership's other pillars by how many there are (empirical Bayes shrinkage),
    and the partnership's level against ``prior_level`` by how much is known at all. The
    score's likely range (``interval``, e.g. 0.9) carries the estimates' spread.
    """

    prior_level: float = Field(default=2.0, ge=0, le=4)
    partnership_spread: float = Field(default=0.65, gt=0)
    pillar_spread: float = Field(default=0.55, ge=0)
    spread: float = Field(default=0.7, gt=0)
    offsets: dict[str, float] = Field(default_factory=dict)
    """Criterion id -> its typical departure from the partnership's level (levels)."""
    interval: float = Field(default=0.9, gt=0, lt=1)
    """The probability the likely range is meant to hold the score once all is known."""


class Profile(Frozen):
    """A named target: the level each criterion should reach for one kind of partnership."""

    id: Id
    title: NonEmpty
    description: str = ""
    kinds: tuple[Id, ...] = ()
    default_level: Whole = Field(ge=0, le=4)
    sources: tuple[SourceRef, ...] = ()
    levels: dict[str, Whole] = Field(default_factory=dict)
    remediation: dict[str, dict[LevelKey, NonEmpty]] = Field(
        default_factory=dict,
        description="Advice for this profile's own gaps: criterion id -> {step: text}, in place"
        " of the criterion's remediation for those steps (a partnership winding down needs"
        " other advice than one building up). Only for steps up to the profile's target.",
    )

    @field_validator("levels")
    @classmethod
    def _levels_on_scale(cls, value: dict[str, int]) -> dict[str, int]:
        bad = {k: v for k, v in value.items() if v not in LEVELS}
        if bad:
            raise ValueError(f"target levels must be 0-4 (got {bad})")
        return value

    @field_validator("remediation")
    @classmethod
    def _steps_on_scale(cls, value: dict[str, dict[int, str]]) -> dict[str, dict[int, str]]:
        for cid, steps in value.items():
            extra = sorted(set(steps) - set(LEVELS[1:]))
            if extra:
                raise ValueError(f"remediation of {cid!r}: keys {extra} are not steps 1-4")
        return {cid: dict(sorted(steps.items())) for cid, steps in value.items()}

    def target(self, criterion_id: str) -> int:
        """The target level for one criterion."""
        return self.levels.get(criterion_id, self.default_level)

    def remediation_for(self, criterion: Criterion, step: int) -> str:
        """The advice for reaching ``step`` on ``criterion`` under this profile: the
        profile's own text where it gives one, else the criterion's."""
        return self.remediation.get(criterion.id, {}).get(step) or criterion.remediation[step]


class Rubric(Frozen):
    """A complete rubric. Build it with :func:`load_rubric`.

    >>> rubric = load_rubric()
    >>> rubric.id, len(rubric.pillars) > 0
    ('defense-partnership', True)
    """

    id: Id
    version: str
    title: NonEmpty
    description: str = ""
    scale: tuple[ScaleLevel, ...]
    bands: tuple[Band, ...]
    aggregation: Method = "arithmetic"
    unknown_policy: UnknownPolicy = "exclude"
    estimate: Estimate = Field(default_factory=Estimate)
    min_coverage: Annotated[
        float, BeforeValidator(partial(_between, what="min_coverage", low=0, high=1))
    ] = Field(default=0.6, ge=0, le=1)
    effort_scale: dict[str, EffortUnits] = Field(
        default_factory=lambda: {"low": 1.0, "medium": 2.0, "high": 4.0, "very-high": 8.0}
    )
    default_profile: Id
    pillars: tuple[Pillar, ...]
    profiles: tuple[Profile, ...]

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if not _SEMVER.match(value):
            raise ValueError(f"version must be a semantic version like 1.2.0 (got {value!r})")
        return value

    _digest: str | None = PrivateAttr(default=None)
    """Fingerprint of the content validation checked; None when built without validation."""

    @model_validator(mode="after")
    def _cross_checks(self) -> Rubric:
        problems = list(_check(self, load_seed_cards()))
        if problems:
            raise RubricError(problems)
        self._digest = self._content_digest()
        return self

    # --- checked changes ---------------------------------------------------------

    def _content_digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()

    def _content_unchanged(self) -> bool:
        """Whether the content is the one whose digest validation kept.

        A shipped rubric read from :data:`VALIDATED` comes with the fingerprint of its
        content walked field by field (:func:`_fingerprint`); while the rubric validators
        and serializer are not built (a command that only scores), the same fingerprint
        is enough, and spares building them to write the JSON. Any other answer is the
        JSON digest's."""
        tree = _FINGERPRINTS.get(self._digest or "")
        if tree is not None and not type(self).__pydantic_complete__ and _fingerprint(self) == tree:
            return True
        return self._digest == self._content_digest()

    def ensure_validated(self) -> None:
        """Check that this rubric holds exactly the content its validation checked.

        Scoring calls this once per rubric object (:class:`readiness.scoring.ScoringModel`),
        so a rubric built with ``model_construct``, copied with pydantic's own copy, or
        changed in place (``rubric.effort_scale["low"] = -1``) is never scored.

        Raises:
            RubricError: The content was not validated; use :meth:`with_weights` or
                :meth:`model_copy` with ``update``, which check their result.
        """
        if self._digest is None or not self._content_unchanged():
            raise RubricError(
                "this rubric was built or changed without validation, so it cannot be "
                "scored; vary weights with rubric.with_weights({...}) and other fields "
                "with rubric.model_copy(update={...}), which check the result",
                source=self.label,
            )

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a new rubric validated like a loaded one.

        The changed rubric's version is marked as a variant (``1.1.0`` becomes
        ``1.1.0+custom``) unless ``update`` sets the version itself. Nested models in
        ``update`` (e.g. a pillar from ``pillar.model_copy(update={"weight": 2.0})``)
        are checked too. With ``update`` the copy is always complete (``deep`` has no
        further effect).

        Raises:
            RubricError: ``update`` names a field a rubric does not have, or the
                changed rubric is invalid; every problem with its JSON path.
        """
        if not update:
            return super().model_copy(deep=deep)
        source = f"{self.label} model_copy(update=...)"
        unknown = [key for key in update if key not in type(self).model_fields]
        if unknown:
            raise RubricError(
                [Problem(json_path((key,)), "unknown rubric field") for key in unknown],
                source=source,
            )
        data = super().model_copy(update=update).model_dump(warnings=False)
        if "version" not in update:
            data["version"] = _variant_version(self.version)
        return cast(Self, rubric_from_dict(data, source=source))

    def with_weights(self, weights: Mapping[str, float]) -> Rubric:
        """This rubric with some pillar and criterion weights changed, checked again.

        Args:
            weights: New weights by pillar id (``"legal"``) or criterion id
                (``"legal.status-of-forces"``); each a number from 0.001 to 1000, as
                in a rubric file.

        Returns:
            A validated rubric whose version is marked as a variant (``1.1.0+custom``,
            so :attr:`label` and every result show it), or this rubric when no weight
            changes.

        Raises:
            RubricError: An id is neither a pillar nor a criterion, or a weight is not
                a number in range; every problem is listed.

        >>> rubric = load_rubric()
        >>> rubric.with_weights({"legal": 2.0}).version.endswith("+custom")
        True
        """
        pillars = {p.id: i for i, p in enumerate(self.pillars)}
        criteria = {
            c.id: (i, j) for i, p in enumerate(self.pillars) for j, c in enumerate(p.criteria)
        }
        data = self.model_dump()
        problems: list[Problem] = []
        changed = False
        for key, value in weights.items():
            at = json_path((str(key),))
            if key in pillars and key in criteria:
                problems.append(Problem(at, f"{key!r} is both a pillar and a criterion id"))
                continue
            if key in pillars:
                target = data["pillars"][pillars[key]]
            elif key in criteria:
                i, j = criteria[key]
                target = data["pillars"][i]["criteria"][j]
            else:
                problems.append(Problem(at, f"unknown pillar or criterion id {key!r}"))
                continue
            try:
                weight = _weight(value)
            except ValueError as exc:
                problems.append(Problem(at, str(exc)))
                continue
            changed = changed or weight != target["weight"]
            target["weight"] = weight
        if problems:
            raise RubricError(problems, source=f"{self.label} with_weights")
        if not changed:
            return self
        data["version"] = _variant_version(self.version)
        return rubric_from_dict(data, source=f"{self.label} with_weights")

    # --- navigation -------------------------------------------------------------

    @cached_property
    def criteria(self) -> tuple[Criterion, ...]:
        """Every criterion, in pillar order."""
        return tuple(c for p in self.pillars for c in p.criteria)

    @cached_property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

    @cached_property
    def criterion_index(self) -> dict[str, int]:
        """Each criterion id's position in :attr:`criteria` (shared: read, never change)."""
        return {cid: j for j, cid in enumerate(self.criterion_ids)}

    @cached_property
    def rule_positions(self) -> tuple[int, ...]:
        """The positions in :attr:`criteria` of the criteria with a rule (``derive``)."""
        return tuple(j for j, c in enumerate(self.criteria) if c.derive is not None)

    @cached_property
    def pillar_of(self) -> dict[str, Pillar]:
        """The pillar each criterion id belongs to."""
        return {c.id: p for p in self.pillars for c in p.criteria}

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id.

        Raises:
            KeyError: No such criterion.
        """
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def profile(self, profile_id: str | None = None) -> Profile:
        """A target profile by id (default: the rubric's ``default_profile``).

        Raises:
            KeyError: No such profile.
        """
        wanted = profile_id or self.default_profile
        for p in self.profiles:
            if p.id == wanted:
                return p
        raise KeyError(wanted)

    def profile_for_kind(self, kind: str | None) -> Profile:
        """The profile a partnership of this kind is judged against by default."""
        for p in self.profiles:
            if kind in p.kinds:
                return p
        return self.profile()

    def band(self, band_id: str) -> Band:
        for b in self.bands:
            if b.id == band_id:
                return b
        raise KeyError(band_id)

    def effort_units(self, criterion_id: str) -> float:
        """Relative effort of one level step on this criterion."""
        return self.effort_scale[self.criterion(criterion_id).effort]

    @property
    def label(self) -> str:
        """``id@version``, as recorded in every result (``1.1.0+custom`` for a variant)."""
        return f"{self.id}@{self.version}"

    def __repr__(self) -> str:
        return (
            f"<Rubric {self.label}: {len(self.pillars)} pillars, {len(self.criteria)} "
            f"criteria, {len(self.profiles)} profiles>"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion, in rubric order.

        Columns: ``pillar``, ``id``, ``title``, ``question``, ``weight`` (as written),
        ``effective_weight`` (the criterion's share of the overall weight: its weight's
        share of its pillar times its pillar's share of all pillars; the column sums to 1,
        and is the share of coverage the criterion carries), ``critical`` (whether it is
        a gate) and ``derive`` (its derive rule in one line, or None; a rule longer than
        80 characters is shortened to its type and the facts it reads).

        >>> frame = load_rubric().to_frame()
        >>> round(float(frame["effective_weight"].sum()), 6)
        1.0
        """
        import pandas as pd

        total = math.fsum(p.weight for p in self.pillars)
        rows = []
        for p in self.pillars:
            inside = math.fsum(c.weight for c in p.criteria)
            for c in p.criteria:
                rows.append(
                    {
                        "pillar": p.id,
                        "id": c.id,
                        "title": c.title,
                        "question": c.question,
                        "weight": float(c.weight),
                        "effective_weight": (c.weight / inside) * (p.weight / total),
                        "critical": c.critical is not None,
                        "derive": None if c.derive is None else _rule_text(c.derive),
                    }
                )
        frame = pd.DataFrame(rows, columns=_FRAME_COLUMNS).astype(
            {"weight": "float64", "effective_weight": "float64", "critical": "bool"}
        )
        # object dtype so that a criterion without a rule shows None, not NaN
        frame["derive"] = pd.Series([row["derive"] for row in rows], dtype=object)
        return frame


_FRAME_COLUMNS = (
    "pillar",
    "id",
    "title",
    "question",
    "weight",
    "effective_weight",
    "critical",
    "derive",
)


def _rule_text(rule: Rule) -> str:
    """A derive rule in at most about 80 characters: in full, or its type and its facts."""
    full = rule.describe()
    if len(full) <= _RULE_TEXT:
        return full
    facts = list(dict.fromkeys(rule.inputs()))
    extra = len(facts) - 1
    more = f" and {extra} more fact{'s' if extra > 1 else ''}" if extra else ""
    return f"{rule.rule} on {facts[0]}{more}"


_RULE_TEXT = 80


def _variant_version(version: str) -> str:
    """``1.1.0`` -> ``1.1.0+custom``; a version already marked as a variant stays as it is."""
    if "+" not in version:
        return f"{version}+{VARIANT}"
    if VARIANT in version.split("+", 1)[1].split("."):
        return version
    return f"{version}.{VARIANT}"


def _check(rubric: Rubric, cards: Mapping[str, SeedCard]) -> Iterator[Problem]:
    """Every cross-reference problem of a structurally valid rubric, part by part (in
    document order: scale, entries, bands, effort, estimate, criteria, profiles)."""
    yield from _check_entries(rubric)
    if not rubric.bands or not rubric.pillars or not rubric.profiles:
        return
    band_ids = [b.id for b in rubric.bands]
    yield from _check_bands(rubric, band_ids)
    if not rubric.effort_scale:
        yield Problem("$.effort_scale", "at least one effort size is needed")
    yield from _check_estimate(rubric)
    yield from _duplicates([p.id for p in rubric.pillars], "$.pillars[{}].id", "pillar id")
    paths: dict[str, str] = {}
    for i, pillar in enumerate(rubric.pillars):
        for j, c in enumerate(pillar.criteria):
            paths.setdefault(c.id, f"$.pillars[{i}].criteria[{j}]")
    yield from _check_criteria(rubric, paths, band_ids, cards)
    yield from _cycles(rubric, paths)
    yield from _check_profiles(rubric, paths, cards)


def _check_entries(rubric: Rubric) -> Iterator[Problem]:
    """The scale lists levels 0-4; bands, pillars, profiles and each pillar's criteria
    are not empty."""
    if tuple(s.level for s in rubric.scale) != LEVELS:
        yield Problem("$.scale", "the scale must list levels 0, 1, 2, 3, 4 in order")

    for name in ("bands", "pillars", "profiles"):
        if not getattr(rubric, name):
            yield Problem(f"$.{name}", f"at least one entry is needed in {name}")
    for i, pillar in enumerate(rubric.pillars):
        if not pillar.criteria:
            yield Problem(f"$.pillars[{i}].criteria", "a pillar needs at least one criterion")


def _check_bands(rubric: Rubric, band_ids: list[str]) -> Iterator[Problem]:
    """Band ids are unique; minimums start at 0 and increase strictly."""
    yield from _duplicates(band_ids, "$.bands[{}].id", "band id")
    mins = [b.min for b in rubric.bands]
    if mins[0] != 0:
        yield Problem("$.bands[0].min", f"the first band must start at 0 (got {mins[0]})")
    for i in range(1, len(mins)):
        if mins[i] <= mins[i - 1]:
            yield Problem(f"$.bands[{i}].min", "band minimums must increase strictly")


def _check_estimate(rubric: Rubric) -> Iterator[Problem]:
    """The estimate's offsets name criteria of the rubric and stay within -4 to 4."""
    ids = {c.id for p in rubric.pillars for c in p.criteria}
    for cid, offset in rubric.estimate.offsets.items():
        if cid not in ids:
            hint = difflib.get_close_matches(cid, ids, n=1)
            more = f"; did you mean {hint[0]!r}?" if hint else ""
            yield Problem(f"$.estimate.offsets[{cid!r}]", f"unknown criterion {cid!r}{more}")
        elif not -4 <= offset <= 4:
            yield Problem(f"$.estimate.offsets[{cid!r}]", f"must be -4 to 4 levels (got {offset})")


def _check_criteria(
    rubric: Rubric, paths: Mapping[str, str], band_ids: list[str], cards: Mapping[str, SeedCard]
) -> Iterator[Problem]:
    """Each criterion: a unique id, then its own references (:func:`_check_criterion`)."""
    seen: set[str] = set()
    for i, pillar in enumerate(rubric.pillars):
        for j, c in enumerate(pillar.criteria):
            at = f"$.pillars[{i}].criteria[{j}]"
            if c.id in seen:
                yield Problem(f"{at}.id", f"duplicate criterion id {c.id!r}")
            seen.add(c.id)
            yield from _check_criterion(rubric, c, at, paths, band_ids, cards)


def _check_criterion(
    rubric: Rubric,
    c: Criterion,
    at: str,
    paths: Mapping[str, str],
    band_ids: list[str],
    cards: Mapping[str, SeedCard],
) -> Iterator[Problem]:
    """A known effort, known prerequisites other than itself, known sources, a known cap
    band for a gate, and a valid derive rule."""
    if c.effort not in rubric.effort_scale:
        yield Problem(
            f"{at}.effort",
            f"unknown effort {c.effort!r}; expected one of {sorted(rubric.effort_scale)}",
        )
    for k, pre in enumerate(c.prerequisites):
        if pre not in paths:
            yield Problem(f"{at}.prerequisites[{k}]", f"unknown criterion id {pre!r}")
        elif pre == c.id:
            yield Problem(f"{at}.prerequisites[{k}]", "a criterion cannot require itself")
    yield from _source_problems(c.sources, at, cards)
    if c.critical and c.critical.cap_band not in band_ids:
        yield Problem(f"{at}.critical.cap_band", f"unknown band {c.critical.cap_band!r}")
    if c.derive is not None:
        yield from check_rule(c.derive, f"{at}.derive")


def _check_profiles(
    rubric: Rubric, paths: Mapping[str, str], cards: Mapping[str, SeedCard]
) -> Iterator[Problem]:
    """Unique profile ids, a known default, each profile's references, and no kind
    selecting two profiles."""
    profile_ids = [p.id for p in rubric.profiles]
    yield from _duplicates(profile_ids, "$.profiles[{}].id", "profile id")
    if rubric.default_profile not in profile_ids:
        yield Problem("$.default_profile", f"unknown profile {rubric.default_profile!r}")
    kinds_seen: dict[str, str] = {}
    for i, profile in enumerate(rubric.profiles):
        yield from _check_profile(profile, f"$.profiles[{i}]", paths, cards)
        for k, kind in enumerate(profile.kinds):
            if kind in kinds_seen:
                yield Problem(
                    f"$.profiles[{i}].kinds[{k}]",
                    f"kind {kind!r} already selects profile {kinds_seen[kind]!r}",
                )
            kinds_seen[kind] = profile.id


def _check_profile(
    profile: Profile, at: str, paths: Mapping[str, str], cards: Mapping[str, SeedCard]
) -> Iterator[Problem]:
    """Known sources; levels and advice for known criteria; no advice above the target."""
    yield from _source_problems(profile.sources, at, cards)
    for cid in profile.levels:
        if cid not in paths:
            yield Problem(f"{at}.levels[{cid!r}]", f"unknown criterion id {cid!r}")
    for cid, steps in profile.remediation.items():
        where = f"{at}.remediation[{cid!r}]"
        if cid not in paths:
            yield Problem(where, f"unknown criterion id {cid!r}")
            continue
        target = profile.target(cid)
        for step in steps:
            if step > target:
                yield Problem(
                    f"{where}[{step}]",
                    f"advice for step {step}, but the profile targets {cid} at {target}: "
                    "it would never be shown",
                )


def _source_problems(
    sources: tuple[SourceRef, ...], at: str, cards: Mapping[str, SeedCard]
) -> Iterator[Problem]:
    """Sources that name no seed card, or no section of it."""
    for k, src in enumerate(sources):
        card = cards.get(src.document)
        if card is None:
            yield Problem(
                f"{at}.sources[{k}].document",
                f"unknown source document {src.document!r} (no card in seeds/)",
            )
        elif card.section(src.section) is None:
            yield Problem(
                f"{at}.sources[{k}].section",
                f"document {src.document!r} has no section {src.section!r}",
            )


def _duplicates(ids: list[str], path: str, what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            yield Problem(path.format(i), f"duplicate {what} {value!r}")
        seen.add(value)


def _cycles(rubric: Rubric, paths: Mapping[str, str]) -> Iterator[Problem]:
    """One problem per group of criteria that require each other (directly or not).

    Each problem names one shortest cycle through the group's first criterion and, when
    the group is larger than that cycle, how many criteria it holds, so that even a
    rubric where every criterion requires every other gets a short message. No
    recursion: a prerequisite chain may be as long as the rubric.
    """
    graph = {
        c.id: [p for p in c.prerequisites if p in paths and p != c.id] for c in rubric.criteria
    }
    position = {cid: k for k, cid in enumerate(graph)}
    for group in sorted(_strong_components(graph), key=lambda g: min(position[c] for c in g)):
        start = min(group, key=position.__getitem__)
        cycle = _shortest_cycle(graph, start, set(group))
        message = "prerequisite cycle: " + " -> ".join(cycle)
        if len(group) > len(cycle) - 1:
            message += (
                f" (one of the cycles among {len(group)} criteria that all require each "
                "other, directly or through others)"
            )
        yield Problem(f"{paths[start]}.prerequisites", message)


def _strong_components(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Groups of two or more nodes that reach each other (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph[root]))]
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)
    return groups


def _shortest_cycle(graph: Mapping[str, list[str]], start: str, group: set[str]) -> list[str]:
    """A shortest cycle from ``start`` back to it inside ``group`` (breadth-first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in graph[node]:
                if nxt not in group:
                    continue
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError("a strongly connected group always has a cycle")  # pragma: no cover


# --- loading -------------------------------------------------------------------------


VERSIONS_DIR = "versions"
"""Folder (inside the rubrics folder) holding the released versions of the shipped
rubrics, one file each, named ``<rubric>-<version>.yaml``."""


def _shipped() -> dict[str, Traversable]:
    root = data_dir("rubrics")
    return {
        e.name.rsplit(".", 1)[0]: e
        for e in sorted(root.iterdir(), key=lambda e: e.name)
        if e.name.endswith((".yaml", ".yml", ".json"))
    }


def _released(name: str) -> dict[str, Traversable]:
    """Version -> file of each earlier release of the shipped rubric ``name``."""
    folder = data_dir("rubrics") / VERSIONS_DIR
    if not folder.is_dir():
        return {}
    prefix = f"{name}-"
    out: dict[str, Traversable] = {}
    for e in folder.iterdir():
        stem, _, ext = e.name.rpartition(".")
        if ext in ("yaml", "yml", "json") and stem.startswith(prefix):
            out[stem[len(prefix) :]] = e
    return dict(sorted(out.items(), key=lambda kv: _version_key(kv[0])))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version.split("+")[0].split("-")[0]))


def available_rubrics() -> list[str]:
    """Names of the rubrics shipped with ``readiness``.

    >>> "defense-partnership" in available_rubrics()
    True
    """
    return list(_shipped())


def rubric_versions(name: str = DEFAULT_RUBRIC) -> list[str]:
    """The versions of a shipped rubric that :func:`load_rubric` loads, oldest first.

    Earlier releases ship unchanged (``rubrics/versions/`` in a source checkout), so a
    partnership scores as that release scored it; the last version is the current one.

    Raises:
        RubricError: No shipped rubric has that name.

    >>> " ".join(rubric_versions()[:2])
    '1.1.0 1.2.0'
    """
    if name not in _shipped():
        known = ", ".join(available_rubrics())
        raise RubricError(f"no shipped rubric named {name!r} (shipped: {known})")
    current = _load_shipped(name).version
    return [*(v for v in _released(name) if v != current), current]


def load_rubric(name_or_path: Readable | None = None, *, version: str | None = None) -> Rubric:
    """Load a rubric: the default one, a shipped one by name, or a file.

    Args:
        name_or_path: ``None`` for the default rubric, the name of a shipped rubric
            (see :func:`available_rubrics`), or the path to a YAML/JSON rubric file.
        version: A released version of the shipped rubric (e.g. ``"1.1.0"``, see
            :func:`rubric_versions`): that release's rubric exactly as it shipped, so
            old results reproduce. ``None``: the current version. Not with a file.

    Returns:
        The validated, frozen rubric.

    Raises:
        RubricError: The rubric or version is not found or is invalid; every problem
            is listed with its JSON path.

    >>> load_rubric().id
    'defense-partnership'
    >>> load_rubric(version="1.1.0").version
    '1.1.0'
    """
    if version is not None:
        return _load_version(DEFAULT_RUBRIC if name_or_path is None else name_or_path, version)
    if name_or_path is None:
        return _load_shipped(DEFAULT_RUBRIC)
    if isinstance(name_or_path, str) and name_or_path in _shipped():
        return _load_shipped(name_or_path)
    if isinstance(name_or_path, str) and not _looks_like_path(name_or_path):
        known = ", ".join(available_rubrics())
        raise RubricError(f"no shipped rubric named {name_or_path!r} (shipped: {known})")
    return _load_file(Path(name_or_path) if isinstance(name_or_path, str) else name_or_path)


def _load_version(name: object, version: str) -> Rubric:
    if not isinstance(name, str) or name not in _shipped():
        raise RubricError(
            f"version={version!r} picks a release of a shipped rubric; "
            f"{_shown(name)} is not one (shipped: {', '.join(available_rubrics())})"
        )
    if version == _load_shipped(name).version:
        return _load_shipped(name)
    if version not in _released(name):
        known = ", ".join(rubric_versions(name))
        raise RubricError(f"rubric {name!r} has no version {version!r} (versions: {known})")
    return _load_released(name, version)


@cache
def _load_released(name: str, version: str) -> Rubric:
    rubric = _load_file(_released(name)[version], shipped=True)
    if rubric.version != version:  # pragma: no cover - a misnamed file in the package
        raise RubricError(f"{name}-{version} holds version {rubric.version}")
    return rubric


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.endswith((".yaml", ".yml", ".json"))


@cache
def _load_shipped(name: str) -> Rubric:
    entry = _shipped()[name]
    return _validated(entry) or _load_file(entry, shipped=True)


VALIDATED = Path(__file__).with_name("_validated.marshal")
"""The shipped rubrics (``rubrics/*.yaml``), each validated once as :func:`load_rubric`
validates it, with the versions of Python and pydantic it was written with
(:func:`_versions`): :func:`_validation_key` -> the pickled :class:`Rubric` and its
:func:`_fingerprint`. ``make parsed`` writes it; ``tests/test_rubric.py`` fails when it
is not current. A rubric whose key is not there (its text, a seed card, the validation's
code, Python or pydantic changed) is validated in full, as is every other file."""

_VALIDATION_CODE = (
    "_io", "_limits", "_models", "_prebuilt", "_resources", "_yaml", "errors", "facts", "rules",
    "rubric", "sources",
)  # fmt: skip
"""The package's modules whose code validates a rubric (read, parse, check): the
modules ``import readiness.rubric`` loads, and the YAML reader, but the package's
``__init__`` (names it exports on first use) and ``_version`` (its version string),
which no validation reads (tests/test_rubric.py checks the list)."""

_FINGERPRINTS: dict[str, str] = {}
"""Digest of a validated content (``Rubric._digest``) -> the :func:`_fingerprint` of
that content, for the rubrics read from :data:`VALIDATED`."""


def _versions() -> str:
    """The versions a validated rubric depends on besides the package's own code."""
    import pydantic
    import pydantic_core

    python = f"{sys.implementation.name} {sys.version_info[0]}.{sys.version_info[1]}"
    return f"{python}, pydantic {pydantic.VERSION}, pydantic-core {pydantic_core.__version__}"


def _validation_key(entry: Readable, versions: str | None = None) -> str | None:
    """SHA-256 of everything validating the shipped rubric ``entry`` reads: its bytes, the
    shipped seed cards, the code of :data:`_VALIDATION_CODE`, and ``versions`` (default:
    :func:`_versions`, those of Python and pydantic); ``None`` when one of them cannot be
    read."""
    parts = [(versions or _versions()).encode()]
    try:
        parts.append(Path(entry).read_bytes() if isinstance(entry, str) else entry.read_bytes())
        seeds = sorted(data_dir("seeds").iterdir(), key=lambda e: e.name)
        parts += [e.name.encode() + b"\0" + e.read_bytes() for e in seeds]
        folder = Path(__file__).parent
        parts += [(folder / f"{module}.py").read_bytes() for module in _VALIDATION_CODE]
    except OSError:
        return None
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


@cache
def _validated_file() -> tuple[str, dict[str, tuple[bytes, str]]]:
    """The versions :data:`VALIDATED` was written with, and its table (empty when the
    file is absent or unreadable)."""
    try:
        versions, table = marshal.loads(VALIDATED.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):  # absent, or another marshal format
        return "", {}
    return (versions, table) if isinstance(table, dict) else ("", {})


def _validated(entry: Traversable) -> Rubric | None:
    """The shipped rubric ``entry`` as :data:`VALIDATED` holds it, when it holds exactly
    this text validated by this code; else ``None`` (then it is validated now)."""
    versions, table = _validated_file()
    key = _validation_key(entry) if versions == _versions() else None
    if key is None or key not in table:
        return None
    import pickle  # here: only a shipped rubric is unpickled

    pickled, tree = table[key]
    try:
        rubric = pickle.loads(pickled)
    except Exception:  # pragma: no cover - written by another version of a class
        return None
    if type(rubric) is not Rubric or rubric._digest is None:  # pragma: no cover
        return None
    _FINGERPRINTS[rubric._digest] = tree
    return rubric


def write_validated(out: Path = VALIDATED) -> None:
    """Validate each shipped rubric in full and write it to ``out`` (see :data:`VALIDATED`)."""
    import pickle

    table = {}
    for entry in _shipped().values():
        key = _validation_key(entry)
        if key is None:  # pragma: no cover - the package's own files
            raise RubricError(f"{entry.name}: cannot read what its validation reads")
        rubric = _load_file(entry, shipped=True)
        tree = _fingerprint(rubric)
        if tree is None:  # pragma: no cover - a value the fingerprint cannot tell exactly
            raise RubricError(f"{entry.name}: holds a value of a type the fingerprint lacks")
        table[key] = (pickle.dumps(rubric, protocol=5), tree)
    out.write_bytes(marshal.dumps((_versions(), dict(sorted(table.items())))))


def _fingerprint(rubric: Rubric) -> str | None:
    """SHA-256 of a rubric's content, every field of every model walked and written with
    :mod:`marshal` format 0 (a type code before each value, so 1, 1.0 and True differ,
    and so do a list and a tuple; a float in 17 digits, exactly; no marks of shared or
    interned objects, so equal content is equal bytes), without pydantic's serializer
    (and in a fraction of the time ``repr`` took); ``None`` when it holds a value that
    may not be told exactly (anything but text, numbers, true/false, null, lists,
    tuples, mappings and models)."""
    try:
        return hashlib.sha256(marshal.dumps(_plain(rubric), 0)).hexdigest()
    except TypeError:
        return None


_LEAVES = (str, int, float, bool, type(None))


def _plain(value: object) -> Any:
    kind = type(value)
    if kind in _LEAVES:
        return value
    if isinstance(value, BaseModel):
        fields, model = value.__dict__, type(value)
        return (model.__qualname__, [_plain(fields[k]) for k in model.__pydantic_fields__])
    if kind is tuple or kind is list:
        return (kind.__name__, [_plain(v) for v in value])  # type: ignore[attr-defined]
    if kind is dict:
        return ("dict", [(_plain(k), _plain(v)) for k, v in value.items()])  # type: ignore[attr-defined]
    raise TypeError(kind.__qualname__)


def rubric_from_dict(data: object, *, source: str | None = None) -> Rubric:
    """Validate an already parsed rubric document.

    Raises:
        RubricError: Every problem found, with its JSON path.
    """
    what = "a rubric must be a mapping at the top level"
    return validate_document(Rubric, data, what=what, error=RubricError, source=source)


def _load_file(path: Readable, *, shipped: bool = False) -> Rubric:
    data = read_document(path, RubricError, shipped=shipped)
    return rubric_from_dict(data, source=source_name(path))

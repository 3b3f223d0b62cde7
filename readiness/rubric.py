"""Rubrics: the weighted, evidence-anchored description of what readiness means.

A rubric is data (a YAML or JSON file in ``rubrics/``). It holds a 0-4 level scale,
readiness bands on the 0-100 overall score, pillars with weights, criteria with one
anchored descriptor per level, remediation for each step up, an effort estimate,
prerequisites, sources, optional critical gates, optional ``derive:`` rules that give
the level from a partnership's facts (:mod:`readiness.derive`), and named target profiles.

Loading checks everything and reports every problem at once, each with its JSON path:
duplicate ids, weights <= 0, missing level descriptors, unknown ids in targets or
prerequisites, prerequisite cycles, unknown sources, and more.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache, cached_property
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from readiness._io import Readable, read_document, source_name
from readiness._models import Frozen, Id, NonEmpty, problems_from
from readiness._resources import data_dir
from readiness.errors import Problem, RubricError
from readiness.rules import Rule, check_rule
from readiness.sources import SeedCard, load_seed_cards

__all__ = [
    "LEVELS",
    "Band",
    "Criterion",
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
]

LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
"""The level scale every rubric uses."""

Method = Literal["arithmetic", "geometric", "minimum"]
"""How a node combines its children: weighted arithmetic mean (compensatory), weighted
geometric mean (a weak child drags the node down), or the minimum (weakest link)."""

UnknownPolicy = Literal["exclude", "worst"]
"""``exclude``: unknown criteria leave the denominator and lower coverage; ``worst``:
unknown criteria count as level 0."""

DEFAULT_RUBRIC = "defense-partnership"
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")


def _positive(value: float) -> float:
    if not value > 0:
        raise ValueError(f"weight must be greater than 0 (got {value})")
    return value


class ScaleLevel(Frozen):
    """One level of the 0-4 scale, with its generic meaning."""

    level: int
    name: NonEmpty
    meaning: NonEmpty


class Band(Frozen):
    """A named readiness band: overall scores from ``min`` up to the next band's ``min``."""

    id: Id
    name: NonEmpty
    min: float = Field(ge=0, le=100)
    meaning: str = ""


class SourceRef(Frozen):
    """A citation of a section of a source document (see ``seeds/``)."""

    document: NonEmpty
    section: Id


class Gate(Frozen):
    """A critical criterion: below ``min_level`` the partnership is capped at ``cap_band``."""

    min_level: int = Field(ge=1, le=4)
    cap_band: Id
    reason: NonEmpty


class Criterion(Frozen):
    """One question of the rubric, with an anchored descriptor for every level."""

    id: Id
    title: NonEmpty
    question: NonEmpty
    weight: float = 1.0
    rationale: str | None = None
    levels: dict[int, NonEmpty]
    remediation: dict[int, NonEmpty]
    effort: NonEmpty
    prerequisites: tuple[Id, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    references: tuple[NonEmpty, ...] = ()
    critical: Gate | None = None
    derive: Rule | None = Field(
        default=None,
        description="A rule deriving the level from facts (see readiness.derive); "
        "a rating in the partnership file overrides it.",
    )

    _weight_positive = field_validator("weight")(_positive)

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
    weight: float
    rationale: NonEmpty
    description: str = ""
    aggregation: Method = "arithmetic"
    criteria: tuple[Criterion, ...]

    _weight_positive = field_validator("weight")(_positive)


class Profile(Frozen):
    """A named target: the level each criterion should reach for one kind of partnership."""

    id: Id
    title: NonEmpty
    description: str = ""
    kinds: tuple[Id, ...] = ()
    default_level: int = Field(ge=0, le=4)
    levels: dict[str, int] = Field(default_factory=dict)

    @field_validator("levels")
    @classmethod
    def _levels_on_scale(cls, value: dict[str, int]) -> dict[str, int]:
        bad = {k: v for k, v in value.items() if v not in LEVELS}
        if bad:
            raise ValueError(f"target levels must be 0-4 (got {bad})")
        return value

    def target(self, criterion_id: str) -> int:
        """The target level for one criterion."""
        return self.levels.get(criterion_id, self.default_level)


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
    min_coverage: float = Field(default=0.6, ge=0, le=1)
    effort_scale: dict[str, float] = Field(
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

    @model_validator(mode="after")
    def _cross_checks(self) -> Rubric:
        problems = list(_check(self, load_seed_cards()))
        if problems:
            raise RubricError(problems)
        return self

    # --- navigation -------------------------------------------------------------

    @cached_property
    def criteria(self) -> tuple[Criterion, ...]:
        """Every criterion, in pillar order."""
        return tuple(c for p in self.pillars for c in p.criteria)

    @cached_property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

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
        """``id@version``, as recorded in every result."""
        return f"{self.id}@{self.version}"


def _check(rubric: Rubric, cards: Mapping[str, SeedCard]) -> Iterator[Problem]:
    """Every cross-reference problem of a structurally valid rubric."""
    if tuple(s.level for s in rubric.scale) != LEVELS:
        yield Problem("$.scale", "the scale must list levels 0, 1, 2, 3, 4 in order")

    for name in ("bands", "pillars", "profiles"):
        if not getattr(rubric, name):
            yield Problem(f"$.{name}", f"at least one entry is needed in {name}")
    for i, pillar in enumerate(rubric.pillars):
        if not pillar.criteria:
            yield Problem(f"$.pillars[{i}].criteria", "a pillar needs at least one criterion")
    if not rubric.bands or not rubric.pillars or not rubric.profiles:
        return
    band_ids = [b.id for b in rubric.bands]
    yield from _duplicates(band_ids, "$.bands[{}].id", "band id")
    mins = [b.min for b in rubric.bands]
    if mins[0] != 0:
        yield Problem("$.bands[0].min", f"the first band must start at 0 (got {mins[0]})")
    for i in range(1, len(mins)):
        if mins[i] <= mins[i - 1]:
            yield Problem(f"$.bands[{i}].min", "band minimums must increase strictly")

    if not rubric.effort_scale:
        yield Problem("$.effort_scale", "at least one effort size is needed")
    for name, units in rubric.effort_scale.items():
        if not units > 0:
            yield Problem(f"$.effort_scale[{name!r}]", f"effort units must be > 0 (got {units})")

    yield from _duplicates([p.id for p in rubric.pillars], "$.pillars[{}].id", "pillar id")
    paths: dict[str, str] = {}
    for i, pillar in enumerate(rubric.pillars):
        for j, c in enumerate(pillar.criteria):
            paths.setdefault(c.id, f"$.pillars[{i}].criteria[{j}]")
    seen: set[str] = set()
    for i, pillar in enumerate(rubric.pillars):
        for j, c in enumerate(pillar.criteria):
            at = f"$.pillars[{i}].criteria[{j}]"
            if c.id in seen:
                yield Problem(f"{at}.id", f"duplicate criterion id {c.id!r}")
            seen.add(c.id)
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
            for k, src in enumerate(c.sources):
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
            if c.critical and c.critical.cap_band not in band_ids:
                yield Problem(f"{at}.critical.cap_band", f"unknown band {c.critical.cap_band!r}")
            if c.derive is not None:
                yield from check_rule(c.derive, f"{at}.derive")

    yield from _cycles(rubric, paths)

    profile_ids = [p.id for p in rubric.profiles]
    yield from _duplicates(profile_ids, "$.profiles[{}].id", "profile id")
    if rubric.default_profile not in profile_ids:
        yield Problem("$.default_profile", f"unknown profile {rubric.default_profile!r}")
    kinds_seen: dict[str, str] = {}
    for i, profile in enumerate(rubric.profiles):
        for cid in profile.levels:
            if cid not in paths:
                yield Problem(f"$.profiles[{i}].levels[{cid!r}]", f"unknown criterion id {cid!r}")
        for k, kind in enumerate(profile.kinds):
            if kind in kinds_seen:
                yield Problem(
                    f"$.profiles[{i}].kinds[{k}]",
                    f"kind {kind!r} already selects profile {kinds_seen[kind]!r}",
                )
            kinds_seen[kind] = profile.id


def _duplicates(ids: list[str], path: str, what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            yield Problem(path.format(i), f"duplicate {what} {value!r}")
        seen.add(value)


def _cycles(rubric: Rubric, paths: Mapping[str, str]) -> Iterator[Problem]:
    """Report each prerequisite cycle once, at its first criterion."""
    graph = {c.id: [p for p in c.prerequisites if p in paths] for c in rubric.criteria}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> Iterator[Problem]:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield Problem(
                        f"{paths[nxt]}.prerequisites",
                        "prerequisite cycle: " + " -> ".join(cycle),
                    )
            elif nxt not in state:
                yield from visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for cid in graph:
        if cid not in state:
            yield from visit(cid, [])


# --- loading -------------------------------------------------------------------------


def _shipped() -> dict[str, Traversable]:
    root = data_dir("rubrics")
    return {
        e.name.rsplit(".", 1)[0]: e
        for e in sorted(root.iterdir(), key=lambda e: e.name)
        if e.name.endswith((".yaml", ".yml", ".json"))
    }


def available_rubrics() -> list[str]:
    """Names of the rubrics shipped with ``readiness``.

    >>> "defense-partnership" in available_rubrics()
    True
    """
    return list(_shipped())


def load_rubric(name_or_path: Readable | None = None) -> Rubric:
    """Load a rubric: the default one, a shipped one by name, or a file.

    Args:
        name_or_path: ``None`` for the default rubric, the name of a shipped rubric
            (see :func:`available_rubrics`), or the path to a YAML/JSON rubric file.

    Returns:
        The validated, frozen rubric.

    Raises:
        RubricError: The rubric is not found or is invalid; every problem is listed
            with its JSON path.

    >>> load_rubric().id
    'defense-partnership'
    """
    if name_or_path is None:
        return _load_shipped(DEFAULT_RUBRIC)
    if isinstance(name_or_path, str) and name_or_path in _shipped():
        return _load_shipped(name_or_path)
    if isinstance(name_or_path, str) and not _looks_like_path(name_or_path):
        known = ", ".join(available_rubrics())
        raise RubricError(f"no shipped rubric named {name_or_path!r} (shipped: {known})")
    return _load_file(Path(name_or_path) if isinstance(name_or_path, str) else name_or_path)


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.endswith((".yaml", ".yml", ".json"))


@cache
def _load_shipped(name: str) -> Rubric:
    return _load_file(_shipped()[name])


def rubric_from_dict(data: object, *, source: str | None = None) -> Rubric:
    """Validate an already parsed rubric document.

    Raises:
        RubricError: Every problem found, with its JSON path.
    """
    if not isinstance(data, dict):
        raise RubricError(
            f"a rubric must be a mapping at the top level (got {type(data).__name__})",
            source=source,
        )
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        raise RubricError(problems_from(exc), source=source) from None


def _load_file(path: Readable) -> Rubric:
    return rubric_from_dict(read_document(path, RubricError), source=source_name(path))

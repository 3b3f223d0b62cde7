"""Several assessors of one partnership: the panel file, consensus, agreement, each side's view.

A panel file holds the partnership once and one assessment per assessor::

    {
      "partnership": {"id": "aukus", "name": "AUKUS", "kind": "technology-partnership",
                      "members": ["AUS", "GBR", "USA"]},
      "consensus": {"rule": "median"},
      "assessments": [
        {"assessor": "J. Smith", "organisation": "MoD", "side": "GBR",
         "assessed_on": "2026-03-01", "ratings": {"trust.commitment-record": {"level": 3}}},
        {"assessor": "A. Lee", "side": "AUS", "ratings": {...}}
      ]
    }

``partnership`` is a partnership document (its ``ratings``, ``assessor`` and
``assessed_on`` stay empty: they belong to the assessments); ``side`` is the member
whose view an assessor gives. Several partnership files of one partnership can be
combined into a panel too (:func:`panel_from_partnerships`).

**Consensus.** Per criterion, the levels the assessors gave (unknown ratings do not
vote) are combined by a rule: ``median`` (default; with an even number of levels, the
lower of the two middle ones, so a split panel never rounds up), ``median-high``,
``mean`` (rounded, halves down), ``min`` or ``max``. A criterion is not applicable
when more assessors say so than give it a level. The consensus rating's confidence
is the (lower) median confidence of the levels given; its evidence is every
assessor's evidence; its note records each assessor's level.

**Disagreement widens the score interval.** The consensus assessment's lower bound
is the lower of (a) its own lower bound and (b) the lower bound of the partnership
with every criterion at the *lowest* level any assessor gave it; the upper bound
likewise with the *highest* levels. So a point score stays the consensus, while the
range says what the panel's views allow; with full agreement nothing changes.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field, ValidationError, model_validator
from typing_extensions import TypedDict

from readiness._io import Readable, read_document, source_name
from readiness._limits import MAX_ASSESSORS
from readiness._models import Frozen, NonEmpty, problems_from, validate_document
from readiness.agreement import AgreementData, AssessorAgreement, agreement
from readiness.assessment import Assessment, Options, PillarResult, assess
from readiness.consensus import CONSENSUS_RULES, NA, ConsensusRule, Reached, reach
from readiness.document import (
    BulletList,
    Chart,
    Column,
    Document,
    Paragraph,
    Rendered,
    Row,
    Section,
    Table,
    words,
)
from readiness.document.charts import GRID, SERIES, draw, short_label, style_axis
from readiness.errors import InputError, Problem
from readiness.facts import PastDate
from readiness.partnership import Evidence, Partnership, Rating, is_panel_document
from readiness.resolve import Resolved, resolve
from readiness.rubric import Rubric, UnknownPolicy, load_rubric
from readiness.scoring import ScoringModel, score_matrix

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONSENSUS_RULES",
    "Consensus",
    "Panel",
    "PanelAssessment",
    "PanelData",
    "PanelResult",
    "PerceptionGap",
    "assess_panel",
    "is_panel_document",
    "load_panel",
    "panel_from_dict",
    "panel_from_partnerships",
]

_CONFIDENCE = ("low", "medium", "high")


class Consensus(Frozen):
    """How the assessors' levels of a criterion become one level."""

    rule: ConsensusRule = "median"


class PanelAssessment(Frozen):
    """One assessor's ratings of the panel's partnership."""

    assessor: NonEmpty
    organisation: str | None = None
    side: str | None = Field(default=None, description="The member whose view this is.")
    assessed_on: PastDate | None = None
    ratings: dict[str, Rating] = Field(default_factory=dict)


class Panel(Frozen):
    """A partnership and several assessors' ratings of it (see the module docstring)."""

    partnership: Partnership
    consensus: Consensus = Field(default_factory=Consensus)
    assessments: tuple[PanelAssessment, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Panel:
        problems: list[Problem] = []
        p = self.partnership
        for name in ("ratings", "assessor", "assessed_on"):
            if getattr(p, name):
                problems.append(
                    Problem(
                        f"$.partnership.{name}", f"belongs in each of the assessments (not {name})"
                    )
                )
        seen: set[str] = set()
        for i, a in enumerate(self.assessments):
            if a.assessor in seen:
                problems.append(
                    Problem(
                        f"$.assessments[{i}].assessor", f"assessor {a.assessor!r} appears twice"
                    )
                )
            seen.add(a.assessor)
            if a.side is not None and a.side not in p.member_codes:
                hint = difflib.get_close_matches(a.side, p.member_codes, n=1)
                more = f"; did you mean {hint[0]!r}?" if hint else ""
                problems.append(
                    Problem(
                        f"$.assessments[{i}].side",
                        f"side {a.side!r} is not a member ({', '.join(p.member_codes)}){more}",
                    )
                )
            try:
                self.of(i)
            except InputError as exc:
                problems += [_under(pr, i) for pr in exc.problems]
        if problems:
            raise InputError(problems)
        return self

    @property
    def assessors(self) -> tuple[str, ...]:
        return tuple(a.assessor for a in self.assessments)

    def __repr__(self) -> str:
        return (
            f"<Panel {self.partnership.id}: {len(self.assessments)} assessors, "
            f"consensus {self.consensus.rule}>"
        )

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides that have an assessor, in the order of the members."""
        given = {a.side for a in self.assessments}
        return tuple(m for m in self.partnership.members if m in given)

    def of(self, index: int) -> Partnership:
        """The partnership as one assessor described it.

        Raises:
            InputError: Its dates are after its ``assessed_on`` (paths as in a partnership).
        """
        a = self.assessments[index]
        data = self.partnership.model_dump(mode="json", exclude_none=True) | {
            "assessor": a.assessor if not a.organisation else f"{a.assessor} ({a.organisation})",
            "ratings": {
                k: r.model_dump(mode="json", exclude_none=True)
                | ({"perspective": a.side} if a.side and not r.perspective else {})
                for k, r in a.ratings.items()
            },
        }
        if a.assessed_on is not None:
            data["assessed_on"] = a.assessed_on.isoformat()
        try:
            return Partnership.model_validate(data)
        except ValidationError as exc:
            raise InputError(problems_from(exc)) from None

    def check_against(self, rubric: Rubric, *, source: str | None = None) -> None:
        """Check every assessment's criterion ids (and overrides of derived levels).

        Raises:
            InputError: Paths under ``$.assessments[i]``.
        """
        problems: list[Problem] = []
        people = [self.of(i) for i in range(len(self.assessments))]
        for i, person in enumerate(people):
            try:
                person.check_against(rubric)
            except InputError as exc:
                problems += [_under(p, i) for p in exc.problems]
        if not problems:
            facts = resolve([self.partnership], rubric)
            resolved = resolve(people, rubric, derived=facts.derived, table=facts.table)
            for i, found in enumerate(resolved.problems):
                problems += [_under(p, i) for p in found]
        if problems:
            raise InputError(problems, source=source)


def _under(problem: Problem, index: int) -> Problem:
    """A problem of one assessor's partnership, located in the panel file."""
    return dataclasses.replace(problem, path=f"$.assessments[{index}]" + problem.path[1:])


def panel_from_dict(data: object, *, source: str | None = None) -> Panel:
    """Validate an already parsed panel document.

    Raises:
        InputError: Every problem found, with its JSON path; more than
            :data:`~readiness._limits.MAX_ASSESSORS` assessors.
    """
    people = data.get("assessments") if isinstance(data, dict) else None
    if isinstance(people, list) and len(people) > MAX_ASSESSORS:
        raise InputError(
            [Problem("$.assessments", f"{len(people):,} assessors; a panel has at most "
                     f"{MAX_ASSESSORS:,}")],
            source=source,
        )  # fmt: skip
    what = "a panel must be a JSON object"
    return validate_document(
        Panel, data, what=what, error=InputError, source=source, second_look=True
    )


def load_panel(path: Readable, rubric: Rubric | None = None) -> Panel:
    """Read and validate a panel JSON file (and check it against ``rubric`` when given).

    Raises:
        InputError: Named by file and JSON path.
    """
    name = source_name(path)
    panel = panel_from_dict(read_document(path, InputError), source=name)
    if rubric is not None:
        panel.check_against(rubric, source=name)
    return panel


def panel_from_partnerships(
    partnerships: Sequence[Partnership],
    *,
    sources: Sequence[str] | None = None,
    rule: ConsensusRule = "median",
) -> Panel:
    """Combine several assessors' partnership files of one partnership into a panel.

    The first file gives the partnership (id, name, kind, members, facts ...); every
    file must have the same id, kind and members and name its ``assessor``. A file's
    side is the ``perspective`` its ratings give (they must agree).

    Raises:
        InputError: Files of different partnerships, a file without ``assessor``, or
            mixed perspectives in one file (named by file).
    """
    if not partnerships:
        raise InputError("no partnership to combine")
    names = (
        list(sources)
        if sources is not None
        else [f"file {i + 1}" for i in range(len(partnerships))]
    )
    first = partnerships[0]
    problems: list[Problem] = []
    assessments = []
    for i, p in enumerate(partnerships):
        where = names[i]
        for field in ("id", "kind", "members"):
            if getattr(p, field) != getattr(first, field):
                problems.append(
                    Problem(
                        f"$.{field}",
                        f"{getattr(p, field)!r} differs from {getattr(first, field)!r} in "
                        f"{names[0]}: every file must describe the same partnership",
                        file=where,
                    )
                )
        if not p.assessor:
            problems.append(Problem("$.assessor", "names no assessor", file=where))
        sides = {r.perspective for r in p.ratings.values() if r.perspective}
        if len(sides) > 1:
            problems.append(
                Problem(
                    "$.ratings", f"ratings give several perspectives {sorted(sides)}", file=where
                )
            )
        assessments.append(
            {
                "assessor": p.assessor or where,
                "side": next(iter(sides)) if len(sides) == 1 else None,
                "assessed_on": p.assessed_on.isoformat() if p.assessed_on else None,
                "ratings": {
                    k: r.model_dump(mode="json", exclude_none=True) for k, r in p.ratings.items()
                },
            }
        )
    if problems:
        raise InputError([dataclasses.replace(p, path=f"{p.file}: {p.path}") for p in problems])
    header = first.model_dump(mode="json", exclude_none=True)
    for name in ("ratings", "assessor", "assessed_on"):
        header.pop(name, None)
    return panel_from_dict(
        {
            "partnership": header,
            "consensus": {"rule": rule},
            "assessments": [{k: v for k, v in a.items() if v is not None} for a in assessments],
        }
    )


# --- consensus ----------------------------------------------------------------------


def _consensus_rating(
    ratings: Sequence[tuple[str, Rating]], rule: str, level: float, moved: bool
) -> dict[str, Any]:
    """One criterion's consensus rating from (assessor, rating) pairs and the level the
    rule reached (:func:`readiness.consensus.reach`; NaN when nobody gave a view)."""
    given = [(who, r) for who, r in ratings if isinstance(r.level, int)]
    evidence: list[Evidence] = []
    for _, r in ratings:
        evidence += [e for e in r.evidence if e not in evidence]
    votes = [(who, r.level) for who, r in ratings]
    notes = [(who, r.note) for who, r in ratings if r.note]
    justifications = [(who, r.justification) for who, r in ratings if r.justification]
    out: dict[str, Any] = {
        "evidence": [e.model_dump(mode="json", exclude_none=True) for e in evidence],
        "justification": words.panel.attributed(justifications) or None,
    }
    spread: int | None = None  # of the levels given; none when no level was reached
    if math.isnan(level):  # every vote was unknown: the facts speak, the trail stays
        out["level"] = "unknown"
    elif level == NA:
        out["level"] = "not-applicable"
    else:
        levels = [int(r.level) for _, r in given]
        ranks = sorted(_CONFIDENCE.index(r.confidence) for _, r in given)
        spread = max(levels) - min(levels)
        out |= {"level": int(level), "confidence": _CONFIDENCE[ranks[(len(ranks) - 1) // 2]]}
    out["note"] = words.panel.consensus_note(rule, votes, spread, moved=moved, notes=notes)
    return {k: v for k, v in out.items() if v is not None}


def _own(people: Sequence[PanelAssessment], rubric: Rubric) -> tuple[np.ndarray, np.ndarray]:
    """The levels each assessor gave ``(k, m)`` (NaN: none) and their not-applicables."""
    own = np.full((len(people), len(rubric.criteria)), np.nan)
    na = np.zeros(own.shape, dtype=bool)
    for j, cid in enumerate(rubric.criterion_ids):
        for i, a in enumerate(people):
            r = a.ratings.get(cid)
            if r is None:
                continue
            if isinstance(r.level, int):
                own[i, j] = r.level
            elif r.level == "not-applicable":
                na[i, j] = True
    return own, na


def _consensus(
    panel: Panel,
    rule: str,
    rubric: Rubric,
    facts: Resolved,
    options: Options,
    members: Sequence[int] | None = None,
    label: str | None = None,
) -> tuple[Partnership, Reached]:
    """The partnership with the consensus of the assessors ``members`` (default: all)."""
    chosen = range(len(panel.assessments)) if members is None else members
    people = [panel.assessments[i] for i in chosen]
    own, own_na = _own(people, rubric)
    reached = reach(
        own,
        own_na,
        facts.derived[0],
        rule,
        ScoringModel.from_rubric(rubric),
        unknown_policy=options.unknown_policy,
        min_coverage=options.min_coverage,
    )
    moved = set(reached.moved)
    ratings: dict[str, Any] = {}
    for j, cid in enumerate(rubric.criterion_ids):
        pairs = [(a.assessor, a.ratings[cid]) for a in people if cid in a.ratings]
        if pairs:
            ratings[cid] = _consensus_rating(pairs, rule, reached.levels[j], j in moved)
    dates = [a.assessed_on for a in people if a.assessed_on is not None]
    data = panel.partnership.model_dump(mode="json", exclude_none=True) | {
        "assessor": label or "consensus of " + ", ".join(_who(a) for a in people),
        "ratings": ratings,
    }
    if dates:
        data["assessed_on"] = max(dates).isoformat()
    return Partnership.model_validate(data), reached


def _who(a: PanelAssessment) -> str:
    return a.assessor if a.side is None else f"{a.assessor} ({a.side})"


# --- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class PerceptionRow:
    """One criterion or pillar as each side sees it; ``gap`` is highest minus lowest."""

    id: str
    title: str
    pillar: str
    values: tuple[float | None, ...]
    gap: float | None


@dataclass(frozen=True)
class PerceptionGap:
    """Where the partners see their partnership differently.

    Each side's view is the consensus of its own assessors (same rule as the panel),
    scored like any partnership. ``criteria`` holds each side's level, ``pillars``
    each side's pillar score (0-100), ``overall`` each side's overall score.
    """

    sides: tuple[str, ...]
    criteria: tuple[PerceptionRow, ...]
    pillars: tuple[PerceptionRow, ...]
    overall: tuple[float | None, ...]

    def __repr__(self) -> str:
        return f"<PerceptionGap of {len(self.sides)} sides: {', '.join(self.sides)}>"

    def largest(self, n: int = 10, *, min_gap: float = 1.0) -> tuple[PerceptionRow, ...]:
        """The criteria the sides rate furthest apart (at least ``min_gap`` levels)."""
        rows = [c for c in self.criteria if c.gap is not None and c.gap >= min_gap]
        return tuple(sorted(rows, key=lambda c: -(c.gap or 0.0))[:n])

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: pillar, criterion, one level column per side, gap."""
        import pandas as pd

        frame = pd.DataFrame(
            [
                {"pillar": c.pillar, "criterion": c.id}
                | dict(zip(self.sides, c.values, strict=True))
                | {"gap": c.gap}
                for c in self.criteria
            ]
        )
        return frame.astype(dict.fromkeys(self.sides, "Float64") | {"gap": "Float64"})

    def pillar_frame(self) -> pd.DataFrame:
        """One row per pillar: one score column per side, gap (points)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {"pillar": c.id} | dict(zip(self.sides, c.values, strict=True)) | {"gap": c.gap}
                for c in self.pillars
            ]
        ).set_index("pillar")

    def to_dict(self) -> PerceptionData:
        return {
            "sides": list(self.sides),
            "overall": list(self.overall),
            "pillars": [_perception_dict(r) for r in self.pillars],
            "criteria": [_perception_dict(r) for r in self.criteria],
        }


def _perception_dict(r: PerceptionRow) -> PerceptionRowData:
    return {"id": r.id, "pillar": r.pillar, "values": list(r.values), "gap": r.gap}


class PerceptionRowData(TypedDict):
    """A pillar or criterion as each side sees it, in JSON (:class:`PerceptionRow`)."""

    id: str
    pillar: str
    values: list[float | None]
    gap: float | None


class PerceptionData(TypedDict):
    """The perception gap in JSON (``PerceptionGap.to_dict()``)."""

    sides: list[str]
    overall: list[float | None]
    pillars: list[PerceptionRowData]
    criteria: list[PerceptionRowData]


class AssessorScoreData(TypedDict):
    """One assessor's overall score in JSON (:class:`AssessorScore`)."""

    assessor: str
    organisation: str | None
    side: str | None
    overall: float | None
    lower: float | None
    upper: float | None
    coverage: float | None
    rated: int
    alone: float | None


class ConsensusData(TypedDict):
    """How the consensus was reached, in JSON (criteria by id, the central assessor by
    name, and the sentence that says it)."""

    rule: str
    bounded: bool
    assessors: int
    split: list[str]
    moved: list[str]
    central: str | None
    words: str


class IntervalData(TypedDict):
    consensus: list[float]
    widened: list[float]


class PanelData(TypedDict):
    """The JSON document of a panel (``PanelResult.to_dict()``, the panel part of a
    report; ``readiness schema panel``)."""

    rule: str
    consensus: ConsensusData | None
    assessors: list[AssessorScoreData]
    interval: IntervalData
    agreement: AgreementData
    perception: PerceptionData | None


@dataclass(frozen=True)
class AssessorScore:
    """One assessor's overall score.

    ``overall`` counts the panel's criteria: the assessor's own levels and, where they
    left a criterion unrated, the consensus level, so that every assessor and the
    consensus are scored on one set of criteria (the consensus lies between the lowest
    and the highest ``overall`` under the ``median`` and ``mean`` rules). ``alone`` is
    the score of the assessor's own levels only (as if they had assessed alone);
    ``lower``, ``upper`` and ``coverage`` are those of that score.
    """

    assessor: str
    organisation: str | None
    side: str | None
    overall: float | None
    lower: float
    upper: float
    coverage: float
    rated: int
    alone: float | None = None


@dataclass(frozen=True, eq=False)
class PanelResult(Rendered):
    """The panel's consensus assessment, the agreement and each side's view.

    ``assessment`` is the consensus, scored as any partnership, with its interval
    widened by the assessors' disagreement (see the module docstring);
    ``consensus_interval`` is the interval before widening.
    """

    panel: Panel
    rule: str
    assessment: Assessment
    consensus_interval: tuple[float, float]
    agreement: AssessorAgreement
    perception: PerceptionGap | None
    assessors: tuple[AssessorScore, ...]
    reached: Reached | None = None
    """How the consensus was reached: criteria split or moved (see :mod:`readiness.consensus`)."""

    def __repr__(self) -> str:
        a = self.assessment
        overall = "no overall score" if a.overall is None else f"{a.overall:.1f}"
        return (
            f"<PanelResult {self.panel.partnership.id}: {len(self.assessors)} assessors, "
            f"consensus ({self.rule}) {overall}, range {a.lower:.1f}-{a.upper:.1f}>"
        )

    def to_dict(self) -> PanelData:
        """The panel part of a report: rule, assessors, agreement, perception gap."""
        return {
            "rule": self.rule,
            "consensus": None if self.reached is None else _reached_dict(self.reached, self),
            "assessors": [_assessor_dict(s) for s in self.assessors],
            "interval": {
                "consensus": list(self.consensus_interval),
                "widened": [self.assessment.lower, self.assessment.upper],
            },
            "agreement": self.agreement.to_dict(),
            "perception": None if self.perception is None else self.perception.to_dict(),
        }

    def to_document(self) -> Document:
        """The panel laid out: the consensus, ranges and agreement in words, each
        assessor's score, agreement per pillar, the criteria to adjudicate and, with
        assessors from two sides or more, the perception gap (with its chart).

        As a section of the consensus assessment's report it is
        ``to_document().as_section("panel")`` (JSON key ``panel``: :meth:`to_dict`)."""
        g = self.agreement.overall
        a = self.assessment
        lower, upper = self.consensus_interval
        said = [
            words.panel.consensus_line(_consensus_words(self)),
            words.panel.range_line(lower, upper, a.lower, a.upper),
            words.panel.agreement(
                g.alpha_ordinal, g.alpha_interval, g.alpha_nominal, g.within_one, g.pairs
            ),
        ]
        if self.agreement.straight_liners:
            said.append(words.panel.straight_lining(self.agreement.straight_liners))
        blocks: list[Any] = [BulletList.of(*said), self._assessor_table()]
        blocks.append(Section("Agreement per pillar", (self._pillar_table(),)))
        adjudicate = self._adjudication_table()
        blocks.append(
            Section(
                "To adjudicate: assessors two levels or more apart",
                (adjudicate or Paragraph.of(words.panel.no_adjudication()),),
                id="adjudication",
            )
        )
        if self.perception is not None:
            blocks.append(_perception_section(self.perception))
        return Document("Assessors and agreement", tuple(blocks), "panel", self.to_dict())

    def _assessor_table(self) -> Table:
        columns = (
            Column("assessor"),
            Column("organisation"),
            Column("side"),
            Column("overall", "score"),
            Column("range"),
            Column("rated", "count"),
        )
        return Table(
            columns,
            tuple(
                Row(
                    (
                        s.assessor,
                        s.organisation,
                        s.side,
                        s.overall,
                        words.panel.score_range(s.lower, s.upper),
                        s.rated,
                    )
                )
                for s in self.assessors
            ),
        )

    def _pillar_table(self) -> Table:
        columns = (
            Column("pillar"),
            Column("alpha (ordinal)", "score", digits=2),
            Column("within one level", "share"),
            Column("pairs", "count"),
        )
        rows = ((p.title, p.alpha_ordinal, p.within_one, p.pairs) for p in self.agreement.pillars)
        return Table.of(columns, rows)

    def _adjudication_table(self) -> Table | None:
        """The criteria assessors rate two levels or more apart (``None``: none)."""
        if not self.agreement.adjudication:
            return None
        columns = (
            Column("criterion"),
            *(Column(name, "number") for name in self.agreement.assessors),
            Column("median", "number"),
            Column("spread", "count"),
        )
        return Table.of(
            columns,
            ((c.id, *c.levels, c.median, c.spread) for c in self.agreement.adjudication),
        )


def _consensus_words(result: PanelResult) -> str:
    """The consensus rule and what it did, said by :mod:`readiness.document.words.panel`."""
    n = len(result.assessors)
    r = result.reached
    if r is None:
        return words.panel.consensus(result.rule, n)
    ids = result.assessment.rubric.criterion_ids
    return words.panel.consensus(
        result.rule,
        n,
        split=len(r.split),
        moved=[ids[j] for j in r.moved],
        central=None if r.central is None else result.panel.assessments[r.central].assessor,
        bounded=r.bounded,
    )


def _nan_none(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else x


def _assessor_dict(s: AssessorScore) -> AssessorScoreData:
    return {
        "assessor": s.assessor,
        "organisation": s.organisation,
        "side": s.side,
        "overall": _nan_none(s.overall),
        "lower": _nan_none(s.lower),
        "upper": _nan_none(s.upper),
        "coverage": _nan_none(s.coverage),
        "rated": s.rated,
        "alone": _nan_none(s.alone),
    }


def _reached_dict(r: Reached, result: PanelResult) -> ConsensusData:
    ids = result.assessment.rubric.criterion_ids
    return {
        "rule": r.rule,
        "bounded": r.bounded,
        "assessors": r.assessors,
        "split": [ids[j] for j in r.split],
        "moved": [ids[j] for j in r.moved],
        "central": None if r.central is None else result.panel.assessments[r.central].assessor,
        "words": _consensus_words(result),
    }


#: Criteria of the perception gap shown (the largest gaps, one level or more).
TOP_GAPS = 15


def _perception_section(gap: PerceptionGap) -> Section:
    """Each side's pillar scores (largest gap first, then the overall), the chart, and
    the criteria the sides rate furthest apart."""
    pillars = Table.of(
        (
            Column("pillar"),
            *(Column(side, "score") for side in gap.sides),
            Column("gap (points)", "score"),
        ),
        [
            *(
                (p.title, *p.values, p.gap)
                for p in sorted(gap.pillars, key=lambda p: -(p.gap or 0.0))
            ),
            ("Overall", *gap.overall, _spread(gap.overall)),
        ],
    )
    largest = gap.largest(TOP_GAPS)
    criteria = (
        Table.of(
            (
                Column("criterion"),
                *(Column(side, "number") for side in gap.sides),
                Column("gap (levels)", "number"),
            ),
            ((c.id, *c.values, c.gap) for c in largest),
        )
        if largest
        else Paragraph.of(words.panel.no_gap())
    )
    return Section(
        words.panel.perception_heading(gap.sides),
        (
            Paragraph.of(words.panel.perception_lede()),
            Chart(_PERCEPTION_LABEL, partial(_perception_chart, gap)),
            pillars,
            Paragraph.of(words.panel.perception_criteria()),
            criteria,
        ),
        id="perception",
    )


def _spread(values: Sequence[float | None]) -> float | None:
    """Highest minus lowest of the known values (``None``: fewer than two)."""
    known = [v for v in values if v is not None]
    return max(known) - min(known) if len(known) >= 2 else None


_PERCEPTION_LABEL = "Perception gap: each side's pillar scores"


def _perception_chart(gap: PerceptionGap) -> str:
    """A dumbbell chart: per pillar, one dot per side at its score and a line between.

    Pillars are drawn in rubric order; a pillar a side could not score has no dot.

    Raises:
        ReportError: matplotlib is not installed.
    """
    rows = gap.pillars
    n = len(rows)

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        for i, row in enumerate(rows):
            values = [v for v in row.values if v is not None]
            if len(values) >= 2:
                ax.plot([min(values), max(values)], [i, i], color=GRID, lw=3, zorder=1)
        for s, side in enumerate(gap.sides):
            points = [(i, r.values[s]) for i, r in enumerate(rows) if r.values[s] is not None]
            ax.scatter(
                [v for _, v in points],
                [i for i, _ in points],
                s=36,
                color=SERIES[s % len(SERIES)],
                label=short_label(side, 30),
                zorder=2,
            )
        ax.set_yticks(range(n), [short_label(r.title) for r in rows])
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(-2, 102)  # a dot at 0 or 100 is drawn whole
        ax.set_xlabel("Pillar score as each side sees it (0-100)")
        style_axis(ax)
        fig.legend(loc="outside lower center", ncols=min(len(gap.sides), 4))

    return draw("perception", _PERCEPTION_LABEL, 0.3 * n + 1.3, paint)


def assess_panel(
    panel: Panel,
    rubric: Rubric | None = None,
    *,
    rule: ConsensusRule | None = None,
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
) -> PanelResult:
    """Consensus, agreement and perception gap of a panel.

    Args:
        panel: The panel (see :func:`load_panel`, :func:`panel_from_partnerships`).
        rubric: The rubric; default :func:`readiness.load_rubric`.
        rule: Consensus rule; default the panel file's (``median``).
        unknown_policy: Override the rubric's policy for unknown criteria.
        min_coverage: Override the rubric's minimum coverage.

    Raises:
        InputError: A rating names a criterion the rubric lacks, or overrides a derived
            level too far without a justification (paths under ``$.assessments[i]``).
    """
    rubric = rubric or load_rubric()
    rule = rule or panel.consensus.rule
    panel.check_against(rubric)
    options = Options.of(rubric, unknown_policy, min_coverage)
    facts = resolve([panel.partnership], rubric)  # every assessor shares them: derived once
    consensus, reached = _consensus(panel, rule, rubric, facts, options)
    a = assess(consensus, rubric, unknown_policy=unknown_policy, min_coverage=min_coverage)
    model = ScoringModel.from_rubric(rubric)

    def resolved(p: Partnership) -> Resolved:
        return resolve([p], rubric, derived=facts.derived, table=facts.table)

    people = [resolved(panel.of(i)) for i in range(len(panel.assessments))]
    levels = np.vstack([r.levels for r in people])  # (assessors, criteria)
    # only levels the assessors gave themselves count for agreement (not derived ones)
    own = np.full(levels.shape, np.nan)
    for i, x in enumerate(panel.assessments):
        for j, cid in enumerate(rubric.criterion_ids):
            r = x.ratings.get(cid)
            if r is not None and isinstance(r.level, int):
                own[i, j] = r.level
    sides = panel.sides if len(panel.sides) >= 2 else ()
    side_rows = [
        resolved(
            _consensus(
                panel,
                rule,
                rubric,
                facts,
                options,
                [i for i, x in enumerate(panel.assessments) if x.side == s],
                s,
            )[0]
        )
        for s in sides
    ]
    # one scoring call: spread rows (lowest and highest levels), assessors, sides
    # fmin/fmax skip NaN: a criterion nobody rated keeps the consensus (derived) level
    low = np.fmin.reduce(np.vstack([own, a.levels]), axis=0)
    high = np.fmax.reduce(np.vstack([own, a.levels]), axis=0)
    rows = [low[None], high[None], levels, *[r.levels for r in side_rows]]
    na = [a.not_applicable, a.not_applicable, *[r.not_applicable for r in people]]
    na += [r.not_applicable for r in side_rows]
    lc = [a.low_confidence, a.low_confidence, *[r.low_confidence for r in people]]
    lc += [r.low_confidence for r in side_rows]
    s = score_matrix(
        np.vstack(rows),
        model,
        not_applicable=np.vstack(na),
        low_confidence=np.vstack(lc),
        unknown_policy=a.options.unknown_policy,
        min_coverage=a.options.min_coverage,
    )
    widened = _widen(a, s.lower[0], s.upper[1], s.pillar_lower[0], s.pillar_upper[1])
    n = len(people)
    scores = tuple(
        AssessorScore(
            assessor=x.assessor,
            organisation=x.organisation,
            side=x.side,
            overall=_opt(reached.scores[i]),
            alone=_opt(s.overall[2 + i]),
            lower=float(s.lower[2 + i]),
            upper=float(s.upper[2 + i]),
            coverage=float(s.coverage[2 + i]),
            rated=int((~np.isnan(own[i])).sum()),
        )
        for i, x in enumerate(panel.assessments)
    )
    perception = None
    if sides:
        base = 2 + n
        side_levels = np.vstack([r.levels for r in side_rows])
        side_na = np.vstack([r.not_applicable for r in side_rows])
        side_levels = np.where(side_na, np.nan, side_levels)
        perception = PerceptionGap(
            sides=sides,
            criteria=tuple(
                _perception_row(cid, rubric.criterion(cid).title, rubric.pillar_of[cid].id, col)
                for cid, col in zip(rubric.criterion_ids, side_levels.T, strict=True)
            ),
            pillars=tuple(
                _perception_row(p.id, p.title, p.id, s.pillar[base : base + len(sides), k])
                for k, p in enumerate(rubric.pillars)
            ),
            overall=tuple(_opt(v) for v in s.overall[base : base + len(sides)]),
        )
    return PanelResult(
        panel=panel,
        rule=rule,
        assessment=widened,
        consensus_interval=(a.lower, a.upper),
        agreement=agreement(own, panel.assessors, rubric),
        perception=perception,
        assessors=scores,
        reached=reached,
    )


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _perception_row(rid: str, title: str, pillar: str, values: np.ndarray) -> PerceptionRow:
    known = values[~np.isnan(values)]
    return PerceptionRow(
        id=rid,
        title=title,
        pillar=pillar,
        values=tuple(_opt(float(v)) for v in values),
        gap=float(known.max() - known.min()) if len(known) >= 2 else None,
    )


def _widen(
    a: Assessment, lower: float, upper: float, pillar_lower: np.ndarray, pillar_upper: np.ndarray
) -> Assessment:
    """``a`` with its overall and pillar intervals widened to the panel's lowest/highest."""
    pillars: list[PillarResult] = [
        dataclasses.replace(
            p,
            lower=float(np.fmin(p.lower, pillar_lower[k])),
            upper=float(np.fmax(p.upper, pillar_upper[k])),
        )
        for k, p in enumerate(a.pillars)
    ]
    return dataclasses.replace(
        a,
        lower=float(np.fmin(a.lower, lower)),
        upper=float(np.fmax(a.upper, upper)),
        pillars=tuple(pillars),
    )

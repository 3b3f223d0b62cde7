"""Assess partnerships: ``assess`` for one description, ``assess_frame`` for a table.

Both go through :func:`readiness.scoring.score_matrix`; ``assess`` is a one-row call.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from readiness._models import built
from readiness._numbers import optional
from readiness.derive import Derivation
from readiness.errors import InputError, Problem
from readiness.partnership import Evidence, Partnership, unknown_criteria
from readiness.resolve import Origin, Resolved, resolve
from readiness.rubric import Band, Method, Rubric, UnknownPolicy, load_rubric
from readiness.scoring import (
    ON_REQUEST,
    POINTS_PER_LEVEL,
    Engine,
    Scores,
    ScoringModel,
    check_engine,
    check_options,
    effective_weights,
    level_to_score,
    score_outputs,
    unknown_at_zero,
)

if TYPE_CHECKING:
    import pandas as pd

    from readiness.document import Document
    from readiness.explain import Explanation
    from readiness.gaps import GapReport, Roadmap
    from readiness.plan import ChancePlan, Plan, Unknowns
    from readiness.rate_first import RateFirst

__all__ = [
    "Assessment",
    "CriterionResult",
    "GateResult",
    "Options",
    "PillarResult",
    "assess",
    "assess_frame",
]

State = Literal["rated", "not-applicable", "unknown"]
GateStatus = Literal["passed", "failed", "unrated", "not-applicable"]
"""A gate's state: ``failed`` on evidence only (rated below its minimum); ``unrated``
when its critical criterion is unknown (it caps the lower bound, not the score)."""


@dataclass(frozen=True)
class Options:
    """The options a result was computed with (recorded so it can be regenerated)."""

    unknown_policy: UnknownPolicy
    min_coverage: float

    @classmethod
    def of(
        cls,
        rubric: Rubric,
        unknown_policy: UnknownPolicy | None = None,
        min_coverage: float | None = None,
    ) -> Options:
        """The options asked for, the rubric's defaults for those not given, checked.

        Raises:
            InputError: An unknown policy or a minimum coverage outside 0-1.
        """
        policy = unknown_policy or rubric.unknown_policy
        threshold = rubric.min_coverage if min_coverage is None else min_coverage
        check_options(policy, threshold)
        return cls(unknown_policy=policy, min_coverage=threshold)


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of one assessment."""

    id: str
    pillar: str
    title: str
    state: State
    level: int | None
    score: float | None
    weight: float
    effective_weight: float
    confidence: str | None = None
    evidence: tuple[Evidence, ...] = ()
    note: str | None = None
    origin: Origin = "rated"
    derived: Derivation | None = field(default=None, repr=False, compare=False)
    """What the facts give under the criterion's rule (``None`` without a rule or facts)."""
    estimate: float | None = None
    """Under ``unknown_policy: estimate``, an unknown criterion's estimated level (a
    fraction of a level; its ``score`` is the estimate's). ``None`` otherwise."""

    @property
    def derivation(self) -> str | None:
        """How the facts give a level, e.g. ``bands on exercises_per_year = 3 -> level 2``."""
        return None if self.derived is None else self.derived.text


@dataclass(frozen=True)
class PillarResult:
    """One pillar of one assessment."""

    id: str
    title: str
    score: float | None
    lower: float
    upper: float
    weight: float
    effective_weight: float
    coverage: float | None
    method: Method


@dataclass(frozen=True)
class GateResult:
    """One critical criterion and whether the partnership passed it.

    ``status`` is ``passed``, ``failed`` (rated below ``min_level``: the score is capped
    at ``cap``, the top of ``cap_band``), ``unrated`` (unknown: rate it at ``min_level``
    or above for the gate to pass; until then it caps the lower bound, not the score)
    or ``not-applicable``. ``state`` is the criterion's own state.

    ``cost`` is marginal: the points lifting this gate alone would give back while the
    other failed gates still hold. Costs of overlapping gates need not add up to
    ``Assessment.gate_loss``, the points all failed gates take off together.
    ``at_risk`` is the same for an unrated gate: the points today's score would lose if
    it were rated below its minimum (0 for any other gate, or without a score).
    """

    criterion: str
    min_level: int
    level: int | None
    state: State
    cap_band: str
    failed: bool
    cost: float
    reason: str
    status: GateStatus = "passed"
    cap: float = math.inf
    at_risk: float = 0.0

    @property
    def unrated(self) -> bool:
        return self.status == "unrated"


@dataclass(frozen=True, eq=False)
class Assessment:
    """The scores of one partnership against one rubric.

    Build it with :func:`assess`. Scores are 0-100; ``overall`` is ``None`` when too
    little of the rubric is answered (``reason`` says why), and ``lower``/``upper``
    always bound what the overall score could be once everything is known.

    From :func:`assess`, ``criteria``, ``pillars``, ``gates`` and ``derivations`` are
    built when one of them is first read (the same values; a pickle or copy holds them
    built): a caller that reads the figures only does not pay for 43 criterion results.
    """

    partnership: Partnership
    rubric: Rubric
    options: Options
    overall: float | None
    raw: float | None
    band: Band | None
    coverage: float
    lower: float
    upper: float
    reason: str | None
    gate_loss: float
    pillars: tuple[PillarResult, ...]
    criteria: tuple[CriterionResult, ...]
    gates: tuple[GateResult, ...]
    levels: np.ndarray = field(repr=False)
    not_applicable: np.ndarray = field(repr=False)
    low_confidence: np.ndarray = field(repr=False)
    derivations: Mapping[str, Derivation] = field(default_factory=dict, repr=False)
    """What the facts give, per criterion with a rule (derived once, by :func:`assess`)."""
    resolved: Resolved | None = field(default=None, repr=False, compare=False)
    """The arrays the scores come from (:func:`readiness.resolve.resolve`)."""
    likely_lower: float = math.nan
    likely_upper: float = math.nan
    """The likely range of the overall score once everything is known: under
    ``unknown_policy: estimate``, the range the estimates' spread gives (its probability:
    the rubric's ``estimate.interval``), within ``lower``-``upper``; otherwise those."""

    # --- results built on first read -------------------------------------------
    # ``assess`` leaves the per-criterion, per-pillar and per-gate results and the
    # derivations to be built when one of them is first read (most scores are read for
    # their figures only): the same objects, from the scores kept until then.

    if not TYPE_CHECKING:  # at run time only: to mypy every field is a plain attribute

        def __getattr__(self, name: str) -> Any:
            if name in _ON_FIRST_READ:
                _build_results(self)
                if name in self.__dict__:
                    return self.__dict__[name]
            message = f"{type(self).__name__!r} object has no attribute {name!r}"
            raise AttributeError(message, name=name, obj=self)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled and copied whole: the results built first."""
        _build_results(self)
        return dict(self.__dict__)

    # --- views ------------------------------------------------------------------

    @property
    def unknown(self) -> tuple[str, ...]:
        """Ids of the criteria with no rating."""
        return tuple(c.id for c in self.criteria if c.state == "unknown")

    @property
    def failed_gates(self) -> tuple[GateResult, ...]:
        """Gates failed on evidence: critical criteria rated below their minimum."""
        return tuple(g for g in self.gates if g.failed)

    @property
    def unrated_gates(self) -> tuple[GateResult, ...]:
        """Gates whose critical criterion is unknown: rate each at ``min_level`` or above.

        They do not cap the overall score (except under the ``worst`` policy); they cap
        ``lower``, which is what the score would be if they turned out below minimum.
        """
        return tuple(g for g in self.gates if g.unrated)

    def criterion(self, criterion_id: str) -> CriterionResult:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def pillar(self, pillar_id: str) -> PillarResult:
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(pillar_id)

    def plot(self, target: str | None = None) -> Any:
        """The pillar chart of the report as a matplotlib figure: each pillar's score,
        its range once unknowns are known and the score ``target`` (a profile id; the
        partnership's default) asks of it, over the band tints. Needs the ``plots``
        extra.

        Raises:
            ReportError: matplotlib is not installed.
            ReadinessError: Unknown target profile.
        """
        from readiness._numbers import optional
        from readiness.document.charts import figure_of, interval_chart

        goal = self.gaps(target).profile_scores.pillar[0]
        bands = self.rubric.bands
        tints = [
            (b.name, b.min, bands[i + 1].min if i + 1 < len(bands) else 100.0)
            for i, b in enumerate(bands)
        ]
        return figure_of(
            lambda: interval_chart(
                [p.title for p in self.pillars],
                [p.score for p in self.pillars],
                [p.lower for p in self.pillars],
                [p.upper for p in self.pillars],
                targets=[optional(v) for v in goal],
                bands=tints,
            )
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: pillar, state, origin, level, score, weights, derivation."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "pillar": c.pillar,
                    "criterion": c.id,
                    "title": c.title,
                    "state": c.state,
                    "origin": c.origin,
                    "level": c.level,
                    "score": c.score,
                    "weight": c.weight,
                    "effective_weight": c.effective_weight,
                    "confidence": c.confidence,
                    "evidence": len(c.evidence),
                    "derivation": c.derivation,
                }
                for c in self.criteria
            ]
        ).astype({"level": "Int64", "score": "Float64"})

    def pillar_frame(self) -> pd.DataFrame:
        """One row per pillar."""
        import pandas as pd

        return pd.DataFrame([vars(p) for p in self.pillars]).set_index("id")

    def to_dict(self) -> dict[str, Any]:
        """The assessment's JSON document, against its default target profile.

        The same document as ``readiness assess --format json`` and ``readiness report
        --format json`` (see :class:`readiness.report.Report`; its JSON Schema is
        ``readiness schema report``): scores, pillars, gates, gaps, roadmap, criteria,
        and ``schema_version``.
        """
        from readiness.readout import build_report

        return build_report(self).to_dict()

    def to_document(self, target: str | None = None, *, brief: bool = False) -> Document:
        """The assessment's report as a document, against ``target`` (default: the
        profile its kind selects); ``brief`` is the summary a terminal and a notebook
        show (facts, pillars, the top gaps). Every format comes from it."""
        from readiness.readout import build_report

        return build_report(self, target).to_document(brief=brief)

    def to_markdown(self) -> str:
        """The whole report as Markdown (what ``readiness assess --format markdown`` prints)."""
        from readiness.document import render_markdown

        return render_markdown(self.to_document())

    def to_text(self) -> str:
        """The report's summary as terminal text (what ``readiness assess`` prints)."""
        from readiness.document import render_text

        return render_text(self.to_document(brief=True))

    def summary(self) -> str:
        """One line: partnership, overall, band, interval and coverage."""
        p = self.partnership
        if math.isnan(self.coverage):  # nothing applies: no score, range or coverage
            return f"{p.name}: no overall score ({self.reason}); rubric {self.rubric.label}"
        if self.overall is None:
            head = f"{p.name}: no overall score ({self.reason})"
        else:
            band = self.band.name if self.band else "?"
            head = f"{p.name}: {self.overall:.1f} / 100, {band}"
        rate = "".join(f"; rate {g.criterion} (at least {g.min_level})" for g in self.unrated_gates)
        likely = ""
        if self.options.unknown_policy == "estimate" and self.coverage < 1:
            chance = self.rubric.estimate.interval
            likely = f" (likely {self.likely_lower:.1f}-{self.likely_upper:.1f}, {chance:.0%})"
        return (
            f"{head}; range {self.lower:.1f}-{self.upper:.1f}{likely}; "
            f"coverage {self.coverage:.0%}{rate}; rubric {self.rubric.label}"
        )

    def __repr__(self) -> str:
        return f"<Assessment {self.summary()}>"

    def _repr_html_(self) -> str:
        """Notebook display: the report's summary (facts, pillars, the top gaps)."""
        from readiness.document import render_html

        return render_html(self.to_document(brief=True))

    # --- further analysis ---------------------------------------------------------

    def gaps(self, target: str | None = None) -> GapReport:
        """The criteria below target, ranked by the exact gain in overall score.

        Args:
            target: A profile id; by default the partnership's own ``target``, else the
                profile its kind selects, else the rubric's default profile.
        """
        from readiness.gaps import gap_report

        return gap_report(self, target)

    def roadmap(self, target: str | None = None) -> Roadmap:
        """The order to close the gaps, with the cumulative score after each step."""
        return self.gaps(target).roadmap()

    def plan(
        self,
        target: str | float | None = None,
        budget: float | None = None,
        *,
        unknown: Unknowns = "lower",
        profile: str | None = None,
    ) -> Plan:
        """The least-effort levels that reach a band or score, or the best score in a budget.

        Solved exactly as a mixed-integer program; see :func:`readiness.plan.plan` for
        the rules (gates, prerequisites, effort, unrated criteria) and
        :meth:`readiness.plan.Plan.frontier` for the effort-score frontier.

        Args:
            target: A band id or name (``"advanced"``) or a score 0-100.
            budget: Effort units available; the plan is then the best score within it.
            unknown: ``"lower"`` (plan on the lower bound: unrated criteria at level 0)
                or ``"rate-first"`` (plan on the point score; unrated criteria stay out).
            profile: The profile whose levels prerequisites refer to (default: as
                :meth:`gaps`).
        """
        from readiness.plan import plan

        return plan(self, target, budget, unknown=unknown, profile=profile)

    def chance_plan(
        self,
        target: str | float,
        confidence: float = 0.9,
        *,
        samples: int = 100,
        seed: int = 0,
        profile: str | None = None,
    ) -> ChancePlan:
        """The least-effort plan that reaches ``target`` with probability at least
        ``confidence`` over the unknown and low-confidence criteria, beside the plan on
        the lower bound; see :func:`readiness.plan.chance_plan`."""
        from readiness.plan import chance_plan

        return chance_plan(self, target, confidence, samples=samples, seed=seed, profile=profile)

    def rate_first(self, *, samples: int = 200, seed: int = 0) -> RateFirst:
        """The unknown and low-confidence criteria, ranked by the value of rating them.

        For each, over the levels it could take (an unknown one around its estimate
        under the rubric's ``estimate`` settings, a low-confidence one within its
        interval): how much rating it narrows the score's range on average, and how far
        it moves the chances of each band. See :mod:`readiness.rate_first`.

        Args:
            samples: Completions of the uncertain criteria drawn when there are too
                many to enumerate (more than :data:`readiness.rate_first.MAX_EXACT`).
            seed: Seed of those draws.
        """
        from readiness.rate_first import rate_first

        return rate_first(self, samples=samples, seed=seed)

    def what_if(
        self,
        changes: Mapping[str, int | str] | None = None,
        *,
        facts: Mapping[str, Any] | None = None,
    ) -> Assessment:
        """Re-score a scenario: some criteria at new levels, some facts changed, or both.

        Args:
            changes: criterion id -> level 0-4, ``'not-applicable'`` or ``'unknown'``
                (as if nobody had rated it: a level the facts give still counts).
            facts: fact name -> new value, in the form of the file's ``facts`` section.
                ``agreements`` listed here are added to the existing ones; a mapping
                (e.g. ``interoperability``) updates only the keys it names. Levels
                derived from the facts follow. An analyst rating of a criterion whose
                derived level the scenario changes is dropped (it judged the old
                facts), unless ``changes`` sets that criterion too.

        Returns:
            A new assessment with the same rubric and options; this one is unchanged.

        Raises:
            InputError: An unknown criterion, a bad level or a bad fact (paths under
                ``what_if``).

        >>> from readiness import load_partnership
        >>> a = assess(load_partnership("examples/partnerships/us-philippines.json"))
        >>> sofa = {"kind": "status-of-forces", "name": "Scenario SOFA", "signed": "2026-01-01"}
        >>> b = a.what_if(facts={"agreements": [sofa], "exercises_per_year": 12})
        >>> cid = "training.joint-exercises"
        >>> b.criterion(cid).level > a.criterion(cid).level
        True
        """
        from pydantic import ValidationError

        from readiness._models import problems_from

        changes = changes or {}
        _check_scenario(changes, facts)
        ratings: dict[str, Any] = dict(self.partnership.ratings)
        problems = [
            dataclasses.replace(p, path=f"$[{p.criterion!r}]")
            for p in unknown_criteria(changes, self.rubric)
        ]
        if problems:
            raise InputError(problems, source="what_if")
        data = self.partnership.model_dump(mode="json", exclude_none=True)
        if facts:
            merged = dict(data.get("facts") or {})
            for key, value in facts.items():
                old = merged.get(key)
                if key == "agreements":
                    merged[key] = [*(old or []), *value]
                elif isinstance(value, Mapping) and isinstance(old, dict):
                    merged[key] = old | dict(value)
                else:
                    merged[key] = value
            data["facts"] = merged
        try:
            scenario = Partnership.model_validate(data | {"ratings": {}})
        except ValidationError as exc:
            raise InputError(problems_from(exc), source="what_if") from None
        base = self.resolved or resolve([self.partnership], self.rubric)
        derived, table = base.derived, base.table
        if facts:
            after = resolve([scenario], self.rubric)
            moved = ~np.isclose(derived[0], after.derived[0], equal_nan=True)
            for j in np.flatnonzero(moved).tolist():
                cid = self.rubric.criterion_ids[j]
                if cid not in changes:
                    ratings.pop(cid, None)
            derived, table = after.derived, after.table
        for cid, level in changes.items():
            old_rating = ratings.get(cid)
            rating: dict[str, Any] = {
                "level": level,
                "note": "what-if scenario",
                "justification": "what-if scenario",
            }
            if old_rating is not None and old_rating.confidence != "low":
                rating["confidence"] = old_rating.confidence
            ratings[cid] = rating
        try:
            scenario = Partnership.model_validate(
                data | {"ratings": {k: _as_data(v) for k, v in ratings.items()}}
            )
        except ValidationError as exc:
            raise InputError(problems_from(exc), source="what_if") from None
        resolved = _checked(scenario, self.rubric, derived=derived, table=table)
        return _assess(scenario, self.rubric, self.options, resolved)

    def explain(self) -> Explanation:
        """How each pillar and criterion contributed to the overall score, in points."""
        from readiness.explain import Explanation

        return Explanation.of(self)


def _check_scenario(changes: object, facts: object) -> None:
    """``what_if`` arguments of the right types (else an ``InputError``, not a crash)."""
    problems = []
    if not isinstance(changes, Mapping):
        problems.append(
            Problem(
                "$",
                f"changes must be a mapping of criterion id -> level (got "
                f"{type(changes).__name__})",
            )
        )
    if facts is not None and not isinstance(facts, Mapping):
        problems.append(
            Problem(
                "facts", f"must be a mapping of fact name -> value (got {type(facts).__name__})"
            )
        )
    elif facts is not None:
        agreements = facts.get("agreements", [])
        if not isinstance(agreements, list | tuple):
            problems.append(
                Problem(
                    "facts.agreements",
                    f"must be a list of agreements to add (got {type(agreements).__name__})",
                )
            )
    if problems:
        raise InputError(problems, source="what_if")


def _check_inputs(rubric: object, **given: object) -> None:
    """The rubric is a :class:`Rubric`; each named value is of the type it must be."""
    problems = []
    if not isinstance(rubric, Rubric):
        problems.append(
            Problem("rubric", f"must be a Rubric, e.g. load_rubric() (got {type(rubric).__name__})")
        )
    for name, value in given.items():
        if name == "partnership" and not isinstance(value, Partnership):
            problems.append(
                Problem(
                    "partnership",
                    f"must be a Partnership, e.g. load_partnership(path) (got "
                    f"{type(value).__name__})",
                )
            )
    if problems:
        raise InputError(problems, source="arguments")


def _coverage(value: object) -> float | None:
    """``min_coverage`` as a float: Python and numpy real numbers; never true/false."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise InputError(
            [Problem("min_coverage", f"must be a number between 0 and 1 (got {value!r})")],
            source="arguments",
        )
    return float(value)


def _as_data(rating: Any) -> Any:
    """A rating as plain data (model instances are dumped, dicts pass through)."""
    return (
        rating.model_dump(mode="json", exclude_none=True)
        if hasattr(rating, "model_dump")
        else rating
    )


# --- entry points -------------------------------------------------------------------


def assess(
    partnership: Partnership,
    rubric: Rubric | None = None,
    *,
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
) -> Assessment:
    """Score one partnership.

    Args:
        partnership: The description (see :func:`readiness.load_partnership`).
        rubric: The rubric; default :func:`readiness.load_rubric`.
        unknown_policy: Override the rubric's policy for unknown criteria.
        min_coverage: Override the rubric's minimum coverage for an overall score.

    Returns:
        A frozen :class:`Assessment`.

    Raises:
        InputError: The partnership rates a criterion the rubric does not have, or a
            rating overrides a level derived from its facts by more than one level (or
            with not-applicable/unknown) without a ``justification``.

    >>> from readiness import load_partnership
    >>> a = assess(load_partnership("examples/partnerships/nato.json"))  # doctest: +SKIP
    """
    rubric = load_rubric() if rubric is None else rubric
    _check_inputs(rubric, partnership=partnership)
    options = Options.of(rubric, unknown_policy, _coverage(min_coverage))
    return _assess(partnership, rubric, options, _checked(partnership, rubric))


def _checked(partnership: Partnership, rubric: Rubric, **given: Any) -> Resolved:
    """The partnership resolved (:func:`readiness.resolve.resolve`), every problem raised.

    Raises:
        InputError: Unknown criterion ids or target, and ratings that contradict the
            facts without a justification, all at once.
    """
    problems: list[Problem] = []
    try:
        partnership.check_against(rubric)
    except InputError as exc:
        problems += exc.problems
    resolved = resolve([partnership], rubric, **given)
    problems += resolved.problems[0]
    if problems:
        raise InputError(problems)
    return resolved


def _resolved_scores(
    resolved: Resolved, model: ScoringModel, options: Options
) -> tuple[Scores, NDArray[np.float64] | None]:
    """The scores of partnerships already resolved, under ``options`` (what ``assess``
    scores; ``benchmarks/bench_scoring.py`` times this stage alone), and under the
    ``estimate`` policy the estimates of their unknown criteria, from the same call."""
    wanted = _SCORES | ON_REQUEST if options.unknown_policy == "estimate" else _SCORES
    out = score_outputs(
        resolved.levels,
        model,
        not_applicable=resolved.not_applicable,
        low_confidence=resolved.low_confidence,
        unknown_policy=options.unknown_policy,
        min_coverage=options.min_coverage,
        outputs=wanted,
    )
    scores = Scores(**{name: out[name] for name in _SCORES})  # type: ignore[arg-type]
    return scores, out.get("estimate")  # type: ignore[return-value]


_SCORES = frozenset(f.name for f in fields(Scores))


def _assess(
    partnership: Partnership, rubric: Rubric, options: Options, resolved: Resolved
) -> Assessment:
    """Score a partnership already resolved (and checked); its criterion, pillar and
    gate results and its derivations are built when first read (:func:`_build_results`)."""
    model = ScoringModel.from_rubric(rubric)
    s, estimate = _resolved_scores(resolved, model, options)
    raw = optional(s.raw[0])
    overall = optional(s.overall[0])
    coverage = float(s.coverage[0])
    # every field but those built on first read, as Assessment.__init__ sets them
    return built(
        Assessment,
        {
            "partnership": partnership,
            "rubric": rubric,
            "options": options,
            "overall": overall,
            "raw": raw,
            "band": None if s.band[0] < 0 else rubric.bands[int(s.band[0])],
            "coverage": coverage,
            "lower": float(s.lower[0]),
            "upper": float(s.upper[0]),
            "reason": no_score_reason(overall, raw, coverage, resolved.not_applicable, options),
            "gate_loss": 0.0 if raw is None else float(s.gate_loss[0]),
            "levels": resolved.levels,
            "not_applicable": resolved.not_applicable,
            "low_confidence": resolved.low_confidence,
            "resolved": resolved,
            "likely_lower": float(s.likely_lower[0]),
            "likely_upper": float(s.likely_upper[0]),
            "_pending": _Pending(model=model, scores=s, estimate=estimate),
        },
    )


@dataclass(frozen=True, eq=False)
class _Pending:
    """What an assessment's results are built from on first read: its compiled rubric,
    its scores (one row) and, under ``estimate``, the estimates of its criteria."""

    model: ScoringModel
    scores: Scores
    estimate: NDArray[np.float64] | None


_ON_FIRST_READ = frozenset({"criteria", "pillars", "gates", "derivations"})
"""The fields of an :class:`Assessment` from :func:`assess` built when first read."""

_BUILDING = threading.Lock()  # one thread builds an assessment's results; others wait


def _build_results(a: Assessment) -> None:
    """Build the results of ``a`` left pending by :func:`_assess` (nothing when there
    are none): the criteria, then the pillars and gates, which read them."""
    fields_ = a.__dict__
    if "_pending" not in fields_:
        return
    with _BUILDING:
        pending = fields_.get("_pending")
        if pending is None:  # another thread built them meanwhile
            return
        rubric, options, resolved = a.rubric, a.options, a.resolved
        assert resolved is not None
        model, s = pending.model, pending.scores
        derivations = resolved.derivations(rubric)
        criteria = _criterion_results(
            a.partnership, rubric, options, model, resolved, derivations, pending.estimate
        )
        all_apply = not resolved.not_applicable.any()
        fields_["pillars"] = _pillar_results(rubric, model, s, criteria, all_apply=all_apply)
        fields_["criteria"] = criteria
        fields_["gates"] = _gate_results(rubric, model, s, criteria, options)
        fields_["derivations"] = derivations
        del fields_["_pending"]


def _criterion_results(
    partnership: Partnership,
    rubric: Rubric,
    options: Options,
    model: ScoringModel,
    resolved: Resolved,
    derivations: Mapping[str, Derivation],
    estimates: NDArray[np.float64] | None,
) -> tuple[CriterionResult, ...]:
    """One result per criterion; ``estimates`` are the scoring call's (under the
    ``estimate`` policy), read for the unknown criteria."""
    levels, na = resolved.levels, resolved.not_applicable
    table = _rubric_table(rubric, model)
    origins = resolved.origins(0)
    # every criterion applies (the common case): the rubric's own effective weights
    eff_row = effective_weights(model, ~na[0]).tolist() if na.any() else table.weights
    # plain Python lists: one conversion instead of 43 numpy scalar look-ups each
    level_row, na_row = levels[0].tolist(), na[0].tolist()
    score_row = level_to_score(levels[0]).tolist()
    worst = unknown_at_zero(options.unknown_policy)
    guess: list[float] | None = None
    known = ~np.isnan(levels)
    # estimates are read for unknown applicable criteria only: none, nothing to estimate
    if (
        options.unknown_policy == "estimate"
        and bool((known & ~na).any())
        and not bool((known | na).all())
    ):
        assert estimates is not None  # the scoring call made them
        guess = estimates[0].tolist()
    ratings = partnership.ratings
    get_rating, get_derived = ratings.get, derivations.get
    criteria = []
    rows = zip(table.fixed, level_row, na_row, score_row, eff_row, origins, strict=True)
    for j, ((cid, fixed), level, not_app, points, eff, origin) in enumerate(rows):
        rating = get_rating(cid)
        rated = not not_app and level == level  # NaN is unknown
        state: State = "rated" if rated else "not-applicable" if not_app else "unknown"
        score = points if rated else 0.0 if worst and state == "unknown" else None
        estimate = None
        if guess is not None and state == "unknown":
            estimate = guess[j]
            score = estimate * POINTS_PER_LEVEL
        criteria.append(
            built(
                CriterionResult,
                {
                    **fixed,
                    "state": state,
                    "level": int(level) if rated else None,
                    "score": score,
                    "effective_weight": eff,
                    "confidence": rating.confidence
                    if rating and rated and origin != "derived"
                    else None,
                    "evidence": rating.evidence if rating else (),
                    "note": rating.note if rating else None,
                    "origin": origin,
                    "derived": get_derived(cid),
                    "estimate": estimate,
                },
            )
        )
    return tuple(criteria)


@dataclass(frozen=True, eq=False)
class _RubricTable:
    """What the results of every assessment against one rubric share, made once.

    Attributes:
        fixed: Per criterion, its id and the result fields the rubric alone fixes (id,
            pillar, title, weight).
        weights: Each criterion's effective weight when every criterion applies
            (:func:`readiness.scoring.effective_weights`), as Python floats.
        pillar_weights: Each pillar's sum of those (as :func:`_pillar_results` sums them).
        gate_caps: Each gate's cap (:meth:`ScoringModel.gate_caps`), as Python floats.
    """

    fixed: tuple[tuple[str, dict[str, Any]], ...]
    weights: list[float]
    pillar_weights: list[float]
    gate_caps: list[float]


def _rubric_table(rubric: Rubric, model: ScoringModel) -> _RubricTable:
    """The :class:`_RubricTable` of ``rubric`` (``model`` is its compiled model), kept
    per rubric object (an entry goes when its rubric is collected). The lists are
    shared by every call: read them, never change them."""
    cached = _TABLES.get(id(rubric))
    if cached is not None and cached[0]() is rubric:
        return cached[1]
    fixed = tuple(
        (
            c.id,
            {"id": c.id, "pillar": rubric.pillar_of[c.id].id, "title": c.title, "weight": c.weight},
        )
        for c in rubric.criteria
    )
    weights = effective_weights(model).tolist()
    table = _RubricTable(
        fixed=fixed,
        weights=weights,
        pillar_weights=_pillar_sums(model, weights),
        gate_caps=model.gate_caps().tolist(),
    )
    _TABLES[id(rubric)] = (weakref.ref(rubric), table)
    weakref.finalize(rubric, _TABLES.pop, id(rubric), None)  # the entry dies with it
    return table


_TABLES: dict[int, tuple[weakref.ref[Rubric], _RubricTable]] = {}


def _pillar_sums(model: ScoringModel, weights: list[float]) -> list[float]:
    """Per pillar, the sum of its criteria's ``weights``."""
    eff = np.array(weights)
    sums: list[float] = np.bincount(
        model.criterion_pillar, weights=eff, minlength=model.n_pillars
    ).tolist()
    return sums


def _pillar_results(
    rubric: Rubric,
    model: ScoringModel,
    s: Scores,
    criteria: tuple[CriterionResult, ...],
    all_apply: bool = False,
) -> tuple[PillarResult, ...]:
    """One result per pillar; ``all_apply``: every criterion applies (the criteria's
    effective weights are the rubric's own, and so are the pillars' sums of them)."""
    effective = (
        _rubric_table(rubric, model).pillar_weights
        if all_apply
        else _pillar_sums(model, [c.effective_weight for c in criteria])
    )
    # plain Python rows: one conversion each instead of a numpy scalar per pillar
    score, coverage = s.pillar[0].tolist(), s.pillar_coverage[0].tolist()
    lower, upper = s.pillar_lower[0].tolist(), s.pillar_upper[0].tolist()
    return tuple(
        built(
            PillarResult,
            {
                "id": p.id,
                "title": p.title,
                "score": optional(score[i]),
                "lower": lower[i],
                "upper": upper[i],
                "weight": p.weight,
                "effective_weight": effective[i],
                "coverage": optional(coverage[i]),
                "method": p.aggregation,
            },
        )
        for i, p in enumerate(rubric.pillars)
    )


def _gate_results(
    rubric: Rubric,
    model: ScoringModel,
    s: Scores,
    criteria: tuple[CriterionResult, ...],
    options: Options,
) -> tuple[GateResult, ...]:
    raw = optional(s.raw[0])
    base = raw or 0.0
    failed_row, unrated_row = s.gate_failed[0].tolist(), s.gate_unrated[0].tolist()
    worst = unknown_at_zero(options.unknown_policy)
    # the gates that cap the point score: failed ones, and unrated ones under ``worst``
    capping = [f or (u and worst) for f, u in zip(failed_row, unrated_row, strict=True)]
    all_caps = _rubric_table(rubric, model).gate_caps
    caps = [cap if on else math.inf for cap, on in zip(all_caps, capping, strict=True)]
    capped = min([base, *caps])
    gates = []
    for g_index, j in enumerate(model.gate_criterion):
        c = rubric.criteria[j]
        assert c.critical is not None
        failed, unrated = failed_row[g_index], unrated_row[g_index]
        status: GateStatus = (
            "failed"
            if failed
            else "unrated"
            if unrated
            else "not-applicable"
            if criteria[j].state == "not-applicable"
            else "passed"
        )
        # marginal: what lifting this gate alone would give back, the others still capping
        others = min([base, *caps[:g_index], *caps[g_index + 1 :]])
        cost = others - capped if capping[g_index] else 0.0
        at_risk = 0.0
        if unrated and raw is not None:
            at_risk = cost if worst else capped - min(capped, all_caps[g_index])
        gates.append(
            built(
                GateResult,
                {
                    "criterion": c.id,
                    "min_level": c.critical.min_level,
                    "level": criteria[j].level,
                    "state": criteria[j].state,
                    "cap_band": c.critical.cap_band,
                    "failed": failed,
                    "cost": cost,
                    "reason": c.critical.reason,
                    "status": status,
                    "cap": float(all_caps[g_index]),
                    "at_risk": at_risk,
                },
            )
        )
    return tuple(gates)


def no_score_reason(
    overall: float | None,
    raw: float | None,
    coverage: float,
    not_applicable: np.ndarray,
    options: Options,
) -> str | None:
    """Why a partnership has no overall score (``None`` when it has one)."""
    if overall is not None:
        return None
    if bool(not_applicable.all()):
        return "no criterion applies"
    if raw is None:
        return "no criterion is rated"
    return (
        f"coverage {coverage:.0%} is below the minimum of {options.min_coverage:.0%}; "
        "rate more criteria"
    )


def assess_frame(
    levels: pd.DataFrame,
    rubric: Rubric | None = None,
    *,
    not_applicable: pd.DataFrame | None = None,
    low_confidence: pd.DataFrame | None = None,
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
    engine: Engine = "auto",
) -> pd.DataFrame:
    """Score many partnerships at once.

    Args:
        levels: One row per partnership, one column per criterion id, levels 0-4 and
            NaN for unknown. Column order does not matter; a criterion with no column
            is unknown for every row.
        rubric: The rubric; default :func:`readiness.load_rubric`.
        not_applicable: Optional boolean frame of the same shape and labels: True where
            a criterion does not apply (its level is then ignored).
        low_confidence: Optional boolean frame: True where a rating has low confidence
            (widens ``lower``/``upper`` by one level).
        unknown_policy: Override the rubric's policy for unknown criteria.
        min_coverage: Override the rubric's minimum coverage.
        engine: The scoring kernel: ``"auto"`` (the compiled kernel of
            ``readiness[fast]`` for large frames when numba is installed),
            ``"numpy"`` or ``"numba"``; see :func:`readiness.scoring.score_matrix`.

    Returns:
        A frame with the same index: one column per pillar id, then ``overall`` (NaN
        below minimum coverage), ``band``, ``coverage``, ``lower``, ``upper``,
        ``gates_failed`` (how many gates failed: rated below their minimum),
        ``gate_loss`` (points taken off by gates) and ``gates_unrated`` (how many
        critical criteria are unknown: they cap ``lower``, not ``overall``).

    Raises:
        InputError: Unknown criterion columns, masks whose labels differ, or levels
            that are not NaN or integers 0-4 (named by row label and column).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"trust.commitment-record": [4.0, 1.0]}, index=["a", "b"])
    >>> out = assess_frame(frame, min_coverage=0)  # the others estimated from the one known
    >>> out["overall"].round(1).tolist(), out["gates_failed"].tolist()  # unknown: not failed
    ([74.0, 33.9], [0, 0])
    >>> out["gates_unrated"].tolist(), out["lower"].round(1).tolist()  # ... it caps the lower
    ([3, 3], [3.1, 0.8])
    >>> assess_frame(frame, min_coverage=0, unknown_policy="exclude")["overall"].tolist()
    [100.0, 25.0]
    """
    import pandas as pd

    rubric = load_rubric() if rubric is None else rubric
    _check_inputs(rubric)
    min_coverage = _coverage(min_coverage)
    model = ScoringModel.from_rubric(rubric)
    Options.of(rubric, unknown_policy, min_coverage)  # checked here, before the levels
    check_engine(engine)  # here, so that its errors name the option, not the levels
    if not isinstance(levels, pd.DataFrame):
        raise InputError(
            f"levels must be a pandas DataFrame (got {type(levels).__name__})", source="levels"
        )
    levels = _check_level_columns(levels)
    columns = _column_index(levels, rubric)
    masks = {}
    for name, mask in (("not_applicable", not_applicable), ("low_confidence", low_confidence)):
        if mask is None:
            continue
        if not isinstance(mask, pd.DataFrame):
            raise InputError(f"must be a pandas DataFrame (got {type(mask).__name__})", source=name)
        if not mask.index.equals(levels.index) or not mask.columns.equals(levels.columns):
            raise InputError(f"{name} must have the same index and columns as levels", source=name)
        masks[name] = _bool_mask(mask, name)
    values = (
        levels.to_numpy(dtype=np.float64, na_value=np.nan)
        if len(levels.columns)
        else (np.full((len(levels), 0), np.nan))
    )
    try:
        # only the frame's columns are computed (no per-pillar bounds or coverage), and
        # pandas' F-ordered matrix is read in place
        out = score_outputs(
            values,
            model,
            not_applicable=masks.get("not_applicable"),
            low_confidence=masks.get("low_confidence"),
            columns=columns,
            unknown_policy=unknown_policy,
            min_coverage=min_coverage,
            outputs=FRAME_OUTPUTS,
            table=_FRAME_TABLE,
            engine=engine,
        )
    except InputError as exc:
        raise _relabel(exc, levels, columns, rubric) from None
    return _outputs_frame(out, model, levels.index)


_FRAME_TABLE = (
    "pillar", "overall", "coverage", "lower", "upper", "likely_lower", "likely_upper", "gate_loss",
)  # fmt: skip


FRAME_OUTPUTS = frozenset(
    {"pillar", "overall", "band", "coverage", "lower", "upper", "likely_lower", "likely_upper",
     "gates_failed", "gate_loss", "gates_unrated"}
)  # fmt: skip
"""What :func:`assess_frame` asks the scoring kernel for."""


def _outputs_frame(
    out: dict[str, NDArray[np.generic]], model: ScoringModel, index: pd.Index
) -> pd.DataFrame:
    """The result table of :func:`assess_frame` from the kernel's outputs."""
    import pandas as pd

    labels = _frame_labels(model.pillar_ids, model.band_ids)
    table = out.get("table")
    if table is None:  # figures apart: one table (a copy)
        table = np.column_stack([out["pillar"], *(out[name] for name in _FRAME_TABLE[1:])])
    # band codes come from ``band_of``: -1 (no score) to the top band, valid by making
    codes = np.asarray(out["band"], dtype=np.intp)
    band = pd.Categorical.from_codes(codes, dtype=labels.band_dtype, validate=False)
    from_blocks = _blocks_builder()
    if from_blocks is not None:
        # the frame's blocks handed over as they are, each at its columns: the figures
        # (one column-major matrix, its transpose the block, no copy), the band and the
        # two counts; building it column by column cost more than scoring a row
        return from_blocks(
            [
                (table.T, labels.figures_at),
                (band, labels.band_at),
                (np.asarray(out["gates_failed"]).reshape(1, -1), labels.failed_at),
                (np.asarray(out["gates_unrated"]).reshape(1, -1), labels.unrated_at),
            ],
            index,
            labels.final,
        )
    # an older pandas: the figures as one block, the other columns inserted in
    # between under labels of Python objects, then given the text labels at once
    # (inserting into an index of text cost a third of a small call)
    frame = pd.DataFrame(table, index=index, columns=labels.figures, copy=False)
    k = len(model.pillar_ids)
    frame.insert(k + 1, "band", pd.Series(band, index=index, copy=False))
    frame.insert(k + 7, "gates_failed", out["gates_failed"])
    frame.insert(k + 9, "gates_unrated", out["gates_unrated"])
    frame.columns = labels.final
    return frame


@lru_cache(maxsize=1)
def _blocks_builder() -> Callable[..., pd.DataFrame] | None:
    """``pandas.api.internals.create_dataframe_from_blocks`` (recent pandas), or None;
    looked up on first use (importing pandas is left to the calls that need it)."""
    import importlib

    try:
        internals = importlib.import_module("pandas.api.internals")
    except ImportError:  # pragma: no cover - an older pandas
        return None
    builder: Callable[..., pd.DataFrame] | None = getattr(
        internals, "create_dataframe_from_blocks", None
    )
    return builder


@dataclass(frozen=True, eq=False)
class _FrameLabels:
    """What the result table of :func:`assess_frame` is labelled with, per rubric shape.

    Attributes:
        figures: the float columns' labels (Python objects), in order.
        final: every column's label in the table's order (text, as pandas makes them).
        band_dtype: the band column's categorical type.
        figures_at, band_at, failed_at, unrated_at: where each block's columns sit.
    """

    figures: Any
    final: Any
    band_dtype: Any
    figures_at: NDArray[np.intp]
    band_at: NDArray[np.intp]
    failed_at: NDArray[np.intp]
    unrated_at: NDArray[np.intp]


@lru_cache(maxsize=64)
def _frame_labels(pillar_ids: tuple[str, ...], band_ids: tuple[str, ...]) -> _FrameLabels:
    """The result table's labels, made once per rubric shape (building them cost more
    than scoring one row)."""
    import pandas as pd

    figures = [*pillar_ids, *_FRAME_TABLE[1:]]
    k = len(pillar_ids)
    final: list[str] = [*figures]
    at = {"band": k + 1, "gates_failed": k + 7, "gates_unrated": k + 9}
    for name, where in at.items():
        final.insert(where, name)
    others = set(at.values())
    return _FrameLabels(
        figures=pd.Index(figures, dtype=object),
        final=pd.Index(final),
        band_dtype=pd.CategoricalDtype(pd.Index(list(band_ids))),
        figures_at=np.array([i for i in range(len(final)) if i not in others], dtype=np.intp),
        band_at=np.array([at["band"]], dtype=np.intp),
        failed_at=np.array([at["gates_failed"]], dtype=np.intp),
        unrated_at=np.array([at["gates_unrated"]], dtype=np.intp),
    )


def _check_level_columns(levels: pd.DataFrame) -> pd.DataFrame:
    """Levels are real numbers: no text, lists, booleans or complex numbers, no repeated
    criterion. Columns of Python objects are accepted when each cell is a real number
    (Python or numpy) or missing; they come back as floats.

    Returns:
        ``levels``, with object columns converted to float.
    """
    import pandas as pd

    # the common case, in one look at each distinct dtype: plain numpy integers or
    # floats, no label repeated (the loop below finds and names every problem)
    columns = levels.columns
    if (
        columns.is_unique
        and (
            # a text index without missing labels holds only text: no label to look at
            (isinstance(columns.dtype, pd.StringDtype) and not columns.hasnans)
            or all(type(name) is str for name in columns.to_numpy(dtype=object).tolist())
        )
        and all(isinstance(t, np.dtype) and t.kind in "iuf" for t in set(levels.dtypes.tolist()))
    ):
        return levels
    problems = []
    seen: set[str] = set()
    converted = {}
    for i, (name, dtype) in enumerate(levels.dtypes.items()):
        if str(name) in seen:
            problems.append(Problem(f"column {name!r}", "appears more than once"))
        seen.add(str(name))
        if pd.api.types.is_object_dtype(dtype):
            cells = levels.iloc[:, i]
            bad = [(row, value) for row, value in cells.items() if not _real_or_missing(value)]
            problems += [
                Problem(
                    f"row {row!r}, column {name!r}",
                    f"levels must be numbers 0-4 or NaN (got {type(value).__name__} "
                    f"{_short(value)})",
                    row=str(row),
                    criterion=str(name),
                )
                for row, value in bad[:20]
            ]
            if not bad:
                converted[i] = pd.to_numeric(cells.astype(object), errors="coerce").astype(float)
        elif (
            pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_complex_dtype(dtype)
            or not pd.api.types.is_numeric_dtype(dtype)
        ):
            problems.append(
                Problem(f"column {name!r}", f"levels must be numbers 0-4 or NaN (dtype {dtype})")
            )
    if problems:
        raise InputError(problems, source="levels")
    if converted:
        levels = levels.copy()
        for i, column in converted.items():
            levels.isetitem(i, column.to_numpy())
    return levels


_REAL = (int, float, np.integer, np.floating)


def _real_or_missing(value: object) -> bool:
    """A real number (Python or numpy; not true/false) or a missing value."""
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, _REAL) and not isinstance(value, bool | np.bool_)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _bool_mask(mask: pd.DataFrame, name: str) -> np.ndarray:
    """A mask of booleans; a missing value (pd.NA) counts as False."""
    import pandas as pd

    wrong = [c for c, t in mask.dtypes.items() if not pd.api.types.is_bool_dtype(t)]
    if wrong:
        raise InputError(
            [Problem(f"column {c!r}", "must hold booleans (True/False)") for c in wrong],
            source=name,
        )
    return mask.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _column_index(levels: pd.DataFrame, rubric: Rubric) -> np.ndarray:
    """Where each rubric criterion is among the frame's columns (-1: no column).

    Raises:
        InputError: A column that is not a criterion of the rubric.
    """
    # the labels as one list of Python objects (iterating a text index goes through
    # pandas label by label, several times slower)
    names = levels.columns.to_numpy(dtype=object).tolist()
    ids = rubric.criterion_ids
    if len(names) == len(ids) and all(
        type(a) is str and a == b for a, b in zip(names, ids, strict=True)
    ):
        return np.arange(len(ids), dtype=np.intp)  # the rubric's own order
    position = {str(c): i for i, c in enumerate(names)}
    known = set(rubric.criterion_ids)
    unknown = [c for c in position if c not in known]
    if unknown:
        raise InputError(
            [
                Problem(f"column {c!r}", f"not a criterion of rubric {rubric.label}")
                for c in unknown
            ],
            source="levels",
        )
    return np.array([position.get(cid, -1) for cid in rubric.criterion_ids], dtype=np.intp)


def _relabel(
    exc: InputError, levels: pd.DataFrame, columns: np.ndarray, rubric: Rubric
) -> InputError:
    """Name the frame's row label and criterion where the kernel gave row and column numbers."""
    out = []
    for p in exc.problems:
        if isinstance(p.row, int) and p.column is not None:
            row = levels.index[p.row]
            cid = rubric.criterion_ids[p.column]
            out.append(
                Problem(f"row {row!r}, column {cid!r}", p.message, row=str(row), criterion=cid)
            )
        else:
            out.append(p)
    return InputError(out, source="levels")

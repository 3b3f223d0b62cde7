"""readiness: how ready is an international defense partnership, and what stands in the way.

>>> import readiness
>>> rubric = readiness.load_rubric()
>>> partnership = readiness.load_partnership("examples/partnerships/nato.json")  # doctest: +SKIP
>>> readiness.assess(partnership, rubric).gaps().to_frame()  # doctest: +SKIP
"""

from readiness._version import __version__
from readiness.assessment import (
    Assessment,
    CriterionResult,
    GateResult,
    Options,
    PillarResult,
    assess,
    assess_frame,
)
from readiness.compare import Comparison, compare
from readiness.derive import derive_frame
from readiness.errors import InputError, Problem, ReadinessError, ReportError, RubricError
from readiness.explain import Explanation
from readiness.facts import Facts, facts_frame
from readiness.gaps import Gap, GapReport, Roadmap, RoadmapStep
from readiness.partnership import Evidence, Partnership, Rating, load_partnership
from readiness.rubric import (
    Band,
    Criterion,
    Gate,
    Pillar,
    Profile,
    Rubric,
    available_rubrics,
    load_rubric,
)
from readiness.scoring import Scores, ScoringModel, effective_weights, score_matrix

__all__ = [
    "Assessment",
    "Band",
    "Comparison",
    "Criterion",
    "CriterionResult",
    "Evidence",
    "Explanation",
    "Facts",
    "Gap",
    "GapReport",
    "Gate",
    "GateResult",
    "InputError",
    "Options",
    "Partnership",
    "Pillar",
    "PillarResult",
    "Problem",
    "Profile",
    "Rating",
    "ReadinessError",
    "ReportError",
    "Roadmap",
    "RoadmapStep",
    "Rubric",
    "RubricError",
    "Scores",
    "ScoringModel",
    "__version__",
    "assess",
    "assess_frame",
    "available_rubrics",
    "compare",
    "derive_frame",
    "effective_weights",
    "facts_frame",
    "load_partnership",
    "load_rubric",
    "score_matrix",
]

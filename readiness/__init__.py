"""readiness: how ready is an international defense partnership, and what stands in the way.

>>> import readiness
>>> rubric = readiness.load_rubric()
>>> partnership = readiness.load_partnership("examples/partnerships/nato.json")  # doctest: +SKIP
>>> readiness.assess(partnership, rubric).gaps().to_frame()  # doctest: +SKIP
"""

import sys as _sys
import types as _types
import typing as _typing
from importlib import import_module as _import_module

from readiness._version import __version__

if _typing.TYPE_CHECKING:
    from readiness.asof import as_of
    from readiness.assessment import (
        Assessment,
        CriterionResult,
        GateResult,
        Options,
        PillarResult,
        assess,
        assess_frame,
    )
    from readiness.batch import assess_chunks, assess_many
    from readiness.compare import Comparison, compare
    from readiness.derive import derive_frame
    from readiness.diff import RubricDiff, diff_rubrics
    from readiness.errors import InputError, Problem, ReadinessError, ReportError, RubricError
    from readiness.explain import Explanation
    from readiness.facts import Facts, facts_frame
    from readiness.gaps import Gap, GapReport, Roadmap, RoadmapStep
    from readiness.io.questionnaire import panel_from_questionnaires, read_questionnaire
    from readiness.io.template import write_template
    from readiness.io.weight_sheets import read_judgements
    from readiness.panel import assess_panel, load_panel
    from readiness.partnership import Evidence, Partnership, Rating, load_partnership
    from readiness.plan import ChancePlan, chance_plan, plan
    from readiness.rate_first import RateFirst, rate_first
    from readiness.report import build_report
    from readiness.robustness import robustness
    from readiness.rubric import (
        Band,
        Criterion,
        Gate,
        Pillar,
        Profile,
        Rubric,
        available_rubrics,
        load_rubric,
        rubric_versions,
    )
    from readiness.scoring import Scores, ScoringModel, effective_weights, score_matrix
    from readiness.trend import Trend, trend
    from readiness.weights import Elicitation, Judgements, Pairwise, Swing, ahp, elicit, swing

_EXPORTS = {
    "Assessment": "readiness.assessment",
    "CriterionResult": "readiness.assessment",
    "GateResult": "readiness.assessment",
    "Options": "readiness.assessment",
    "PillarResult": "readiness.assessment",
    "assess": "readiness.assessment",
    "assess_frame": "readiness.assessment",
    "assess_chunks": "readiness.batch",
    "assess_many": "readiness.batch",
    "Comparison": "readiness.compare",
    "compare": "readiness.compare",
    "derive_frame": "readiness.derive",
    "RubricDiff": "readiness.diff",
    "diff_rubrics": "readiness.diff",
    "InputError": "readiness.errors",
    "Problem": "readiness.errors",
    "ReadinessError": "readiness.errors",
    "ReportError": "readiness.errors",
    "RubricError": "readiness.errors",
    "Explanation": "readiness.explain",
    "Facts": "readiness.facts",
    "facts_frame": "readiness.facts",
    "Gap": "readiness.gaps",
    "GapReport": "readiness.gaps",
    "Roadmap": "readiness.gaps",
    "RoadmapStep": "readiness.gaps",
    "panel_from_questionnaires": "readiness.io.questionnaire",
    "read_questionnaire": "readiness.io.questionnaire",
    "write_template": "readiness.io.template",
    "assess_panel": "readiness.panel",
    "load_panel": "readiness.panel",
    "Evidence": "readiness.partnership",
    "Partnership": "readiness.partnership",
    "Rating": "readiness.partnership",
    "load_partnership": "readiness.partnership",
    "ChancePlan": "readiness.plan",
    "chance_plan": "readiness.plan",
    "plan": "readiness.plan",
    "RateFirst": "readiness.rate_first",
    "rate_first": "readiness.rate_first",
    "build_report": "readiness.report",
    "robustness": "readiness.robustness",
    "Band": "readiness.rubric",
    "Criterion": "readiness.rubric",
    "Gate": "readiness.rubric",
    "Pillar": "readiness.rubric",
    "Profile": "readiness.rubric",
    "Rubric": "readiness.rubric",
    "available_rubrics": "readiness.rubric",
    "load_rubric": "readiness.rubric",
    "rubric_versions": "readiness.rubric",
    "Scores": "readiness.scoring",
    "ScoringModel": "readiness.scoring",
    "effective_weights": "readiness.scoring",
    "score_matrix": "readiness.scoring",
    "Trend": "readiness.trend",
    "trend": "readiness.trend",
    "as_of": "readiness.asof",
    "read_judgements": "readiness.io.weight_sheets",
    "Elicitation": "readiness.weights",
    "Judgements": "readiness.weights",
    "Pairwise": "readiness.weights",
    "Swing": "readiness.weights",
    "ahp": "readiness.weights",
    "elicit": "readiness.weights",
    "swing": "readiness.weights",
}
"""Public name -> the module that defines it. Modules load on first use (PEP 562), so
``import readiness`` and the command line start without pandas or the scoring core."""


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'readiness' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _Package(_types.ModuleType):
    """``readiness.compare`` is the function, also once ``readiness/compare.py`` loads.

    Importing a submodule sets it as an attribute of its package; for an exported name
    that is also a submodule's name, that would replace the function with the module.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, _types.ModuleType) and _EXPORTS.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


__all__ = [
    "Assessment",
    "Band",
    "ChancePlan",
    "Comparison",
    "Criterion",
    "CriterionResult",
    "Elicitation",
    "Evidence",
    "Explanation",
    "Facts",
    "Gap",
    "GapReport",
    "Gate",
    "GateResult",
    "InputError",
    "Judgements",
    "Options",
    "Pairwise",
    "Partnership",
    "Pillar",
    "PillarResult",
    "Problem",
    "Profile",
    "RateFirst",
    "Rating",
    "ReadinessError",
    "ReportError",
    "Roadmap",
    "RoadmapStep",
    "Rubric",
    "RubricDiff",
    "RubricError",
    "Scores",
    "ScoringModel",
    "Swing",
    "Trend",
    "__version__",
    "ahp",
    "as_of",
    "assess",
    "assess_chunks",
    "assess_frame",
    "assess_many",
    "assess_panel",
    "available_rubrics",
    "build_report",
    "chance_plan",
    "compare",
    "derive_frame",
    "diff_rubrics",
    "effective_weights",
    "elicit",
    "facts_frame",
    "load_panel",
    "load_partnership",
    "load_rubric",
    "panel_from_questionnaires",
    "plan",
    "rate_first",
    "read_judgements",
    "read_questionnaire",
    "robustness",
    "rubric_versions",
    "score_matrix",
    "swing",
    "trend",
    "write_template",
]

"""The partnerships a robustness analysis works on, as arrays in rubric column order.

:class:`PartnershipArrays` was called ``Panel`` before 0.3.0; ``Panel`` is the
assessors of one partnership (:class:`readiness.panel.Panel`), and here only a
deprecated alias.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from readiness.assessment import Assessment, Options
from readiness.errors import InputError, Problem, renamed
from readiness.rubric import Rubric, UnknownPolicy, load_rubric
from readiness.scoring import Scores, ScoringModel, score_matrix

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PartnershipArrays", "panel_of"]


@dataclass(frozen=True, eq=False)
class PartnershipArrays:
    """n partnerships against one rubric: levels, masks, labels and their point scores.

    Formerly ``Panel`` (deprecated alias); ``repr`` still reads ``<Panel of ...>``.

    Attributes:
        labels: One label per partnership (its id; made unique with ``#2``, ``#3``).
        levels: (n, criteria) levels 0-4, NaN where unknown, in rubric order.
        not_applicable: (n, criteria) True where a criterion does not apply.
        low_confidence: (n, criteria) True where a rating has low confidence.
        rubric: The rubric.
        unknown_policy: The policy of the point scores.
        min_coverage: The minimum coverage of every score.
        point: The scores under the rubric's own choices (one ``score_matrix`` call).
    """

    labels: tuple[str, ...]
    levels: NDArray[np.float64]
    not_applicable: NDArray[np.bool_]
    low_confidence: NDArray[np.bool_]
    rubric: Rubric
    unknown_policy: UnknownPolicy
    min_coverage: float
    point: Scores

    def __repr__(self) -> str:
        return f"<Panel of {self.n} partnerships x {self.levels.shape[1]} criteria>"

    @property
    def model(self) -> ScoringModel:
        return ScoringModel.from_rubric(self.rubric)

    @property
    def n(self) -> int:
        return len(self.labels)

    @classmethod
    def from_arrays(
        cls,
        levels: NDArray[np.floating] | NDArray[np.integer],
        rubric: Rubric | None = None,
        *,
        labels: Sequence[str] | None = None,
        not_applicable: NDArray[np.bool_] | None = None,
        low_confidence: NDArray[np.bool_] | None = None,
        unknown_policy: UnknownPolicy | None = None,
        min_coverage: float | None = None,
    ) -> PartnershipArrays:
        """The arrays from a levels matrix in rubric column order (validated by ``score_matrix``).

        Raises:
            InputError: Bad levels, masks of another shape, or labels of another length.
        """
        rubric = rubric or load_rubric()
        model = ScoringModel.from_rubric(rubric)
        options = Options.of(rubric, unknown_policy, min_coverage)
        policy, threshold = options.unknown_policy, options.min_coverage
        values = np.asarray(levels, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != model.n_criteria:
            raise InputError(
                f"levels must have one column per criterion ({model.n_criteria}); got shape "
                f"{values.shape}",
                source="levels",
            )
        n = values.shape[0]
        na = np.zeros(values.shape, bool) if not_applicable is None else not_applicable
        low = np.zeros(values.shape, bool) if low_confidence is None else low_confidence
        names = tuple(f"row {i}" for i in range(n)) if labels is None else tuple(labels)
        if len(names) != n:
            raise InputError(f"{len(names)} labels for {n} rows", source="labels")
        point = score_matrix(
            values,
            model,
            not_applicable=np.asarray(na, bool),
            low_confidence=np.asarray(low, bool),
            unknown_policy=policy,
            min_coverage=threshold,
        )
        return cls(
            labels=_unique(names),
            levels=values,
            not_applicable=np.asarray(na, bool),
            low_confidence=np.asarray(low, bool),
            rubric=rubric,
            unknown_policy=policy,
            min_coverage=threshold,
            point=point,
        )


def _unique(names: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return tuple(out)


def panel_of(subject: object, rubric: Rubric | None = None) -> PartnershipArrays:
    """Normalise what a user hands in: one or more assessments, a levels frame, arrays.

    Raises:
        InputError: Nothing to analyse, assessments against different rubrics or
            options, or a frame with columns that are not criteria of the rubric.
    """
    if isinstance(subject, PartnershipArrays):
        return subject
    if isinstance(subject, Assessment):
        subject = [subject]
    if isinstance(subject, Sequence) and all(isinstance(a, Assessment) for a in subject):
        return _from_assessments(list(subject))
    import pandas as pd

    if isinstance(subject, pd.DataFrame):
        return _from_frame(subject, rubric)
    raise InputError(
        "expected an Assessment, a list of Assessments or a levels DataFrame "
        f"(got {type(subject).__name__})",
        source="subject",
    )


def _from_assessments(assessments: list[Assessment]) -> PartnershipArrays:
    if not assessments:
        raise InputError("no assessment to analyse", source="assessments")
    first = assessments[0]
    problems = [
        Problem(f"$[{i}]", f"scored against rubric {a.rubric.label}, not {first.rubric.label}")
        for i, a in enumerate(assessments)
        if a.rubric is not first.rubric and a.rubric.label != first.rubric.label
    ] + [
        Problem(f"$[{i}]", f"scored with options {a.options}, not {first.options}")
        for i, a in enumerate(assessments)
        if a.options != first.options
    ]
    if problems:
        raise InputError(problems, source="assessments")
    return PartnershipArrays.from_arrays(
        np.vstack([a.levels for a in assessments]),
        first.rubric,
        labels=[a.partnership.id for a in assessments],
        not_applicable=np.vstack([a.not_applicable for a in assessments]),
        low_confidence=np.vstack([a.low_confidence for a in assessments]),
        unknown_policy=first.options.unknown_policy,
        min_coverage=first.options.min_coverage,
    )


def _from_frame(frame: pd.DataFrame, rubric: Rubric | None) -> PartnershipArrays:
    rubric = rubric or load_rubric()
    known = set(rubric.criterion_ids)
    bad = [c for c in frame.columns if str(c) not in known]
    if bad:
        raise InputError(
            [Problem(f"column {c!r}", f"not a criterion of rubric {rubric.label}") for c in bad],
            source="levels",
        )
    values = frame.reindex(columns=list(rubric.criterion_ids)).to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return PartnershipArrays.from_arrays(values, rubric, labels=[str(i) for i in frame.index])


def __getattr__(name: str) -> object:
    return renamed(__name__, name, {"Panel": ("PartnershipArrays", PartnershipArrays)})

"""One partnership, one answer: every path that scores a partnership gives the same numbers.

The documents come from ``tests/generate.py``, which draws every field of the file
format and every fact (``tests/test_generate.py`` keeps it complete), plus the shipped
examples. The reference is :func:`readiness.assess`, file by file; against it:

- :func:`readiness.assess_many` (chunks of several sizes);
- ``readiness assess --out`` on a directory of files, on a JSON Lines file and on
  standard input, with one worker and with two;
- ``facts_frame`` -> ``derive_frame`` -> ratings laid over -> ``assess_frame``, the
  path of an analyst working with tables.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from readiness import assess, assess_frame, derive_frame, facts_frame
from readiness._numbers import optional
from readiness.batch import assess_many, assessment_row, rows_frame
from readiness.errors import InputError
from readiness.gaps import resolve_profile
from readiness.partnership import Partnership, partnership_from_dict
from readiness.plan import _geo_tangent, _Problem
from readiness.robustness import PartnershipArrays
from readiness.robustness._engine import evaluate, rubric_draws
from readiness.rubric import Rubric
from readiness.scoring import (
    LEVEL_MAX,
    POINTS_PER_LEVEL,
    SETTLE_DECIMALS,
    ScoringModel,
    score_matrix,
)
from tests.cli_harness import run_cli
from tests.factories import EXAMPLES
from tests.generate import RUBRIC, corpus

ROOT = Path(__file__).resolve().parents[1]
DOCS = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(EXAMPLES.glob("*.json"))]
DOCS += corpus(60, seed=2026)
NUMBERS = ["overall", "raw", "gate_loss", "coverage", "lower", "upper"]
NUMBERS += [p.id for p in RUBRIC.pillars]


def _reference() -> tuple[pd.DataFrame, list[Partnership], list[int]]:
    """Rows of ``assess`` file by file (valid documents only), their partnerships and
    the positions of the invalid documents."""
    rows, valid, bad = [], [], []
    for i, doc in enumerate(DOCS):
        try:
            p = partnership_from_dict(doc)
            p.check_against(RUBRIC)
            a = assess(p, RUBRIC)
        except InputError:
            bad.append(i)
            continue
        rows.append(assessment_row(a, f"<text {i + 1}>"))
        valid.append(p)
    return rows_frame(rows, RUBRIC), valid, bad


REFERENCE, VALID, BAD = _reference()


def test_the_corpus_is_mostly_valid_and_scored():
    assert len(VALID) >= 0.8 * len(DOCS)
    assert REFERENCE["overall"].notna().sum() >= 10
    assert REFERENCE["overall"].isna().sum() >= 1  # also rows without an overall score


def _same(got: pd.DataFrame, expected: pd.DataFrame = REFERENCE) -> None:
    """Same ids, bands, reasons and numbers (to the 4 decimals rows are written with)."""
    assert got["id"].tolist() == expected["id"].tolist()
    assert got["band"].fillna("").tolist() == expected["band"].fillna("").tolist()
    assert got["reason"].fillna("").tolist() == expected["reason"].fillna("").tolist()
    for column in [*NUMBERS, "gates_failed", "gates_unrated"]:
        np.testing.assert_allclose(
            got[column].to_numpy(float), expected[column].to_numpy(float), atol=1e-9, err_msg=column
        )


@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_assess_many_equals_assess(chunk_size):
    errors: list[InputError] = []
    texts = [json.dumps(d) for d in DOCS]
    got = assess_many(texts, RUBRIC, chunk_size=chunk_size, on_error=errors.append)
    _same(got)
    assert [e.source for e in errors] == [f"<text {i + 1}>" for i in BAD]


def _run(args: list[str], stdin: str | None = None, chunk: int = 1000) -> None:
    if "--jobs" in args and args[args.index("--jobs") + 1] != "1":
        # a new process: --jobs starts worker processes, which see CHUNK_SIZE as set here
        script = (
            "import sys\nimport readiness.cli.assess as cli\n"
            f"cli.CHUNK_SIZE = {chunk}\n"
            "from readiness.cli import main\nsys.exit(main(sys.argv[1:]))"
        )
        r = subprocess.run(
            [sys.executable, "-c", script, *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
    else:
        import readiness.cli.assess as cli

        with mock.patch.object(cli, "CHUNK_SIZE", chunk):
            r = run_cli(*args, input=stdin)
    assert r.returncode == (2 if BAD else 0), r.stderr
    assert "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "files"
    folder.mkdir()
    for i, doc in enumerate(DOCS):
        (folder / f"p{i:03d}.json").write_text(json.dumps(doc), encoding="utf-8")
    lines = root / "all.jsonl"
    lines.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    return {"root": root, "folder": folder, "lines": lines}


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("source", ["folder", "lines", "stdin"])
def test_the_command_line_batch_equals_assess(files, source, jobs):
    out = files["root"] / f"{source}-{jobs}.csv"
    stdin = None
    if source == "stdin":
        stdin = files["lines"].read_text(encoding="utf-8")
        args = ["assess", "-", "--out", str(out), "--jobs", jobs]
    else:
        args = ["assess", str(files[source]), "--out", str(out), "--jobs", jobs]
    _run(args, stdin=stdin, chunk=9)  # several chunks, so two jobs start two workers
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    _same(got)


def _overlay(levels: pd.DataFrame, partnerships: list[Partnership]) -> dict[str, Any]:
    """Ratings laid over derived levels, as the docs describe it: a level replaces,
    not-applicable blanks, unknown leaves the derived level, low confidence is flagged."""
    levels = levels.reindex(columns=RUBRIC.criterion_ids)
    na = pd.DataFrame(False, index=levels.index, columns=levels.columns)
    low = na.copy()
    for row, p in zip(levels.index, partnerships, strict=True):
        for cid, rating in p.ratings.items():
            if rating.level == "not-applicable":
                na.loc[row, cid] = True
                levels.loc[row, cid] = math.nan
            elif isinstance(rating.level, int):
                levels.loc[row, cid] = rating.level
                low.loc[row, cid] = rating.confidence == "low"
    return {"levels": levels, "not_applicable": na, "low_confidence": low}


def test_the_frame_path_equals_assess():
    features = facts_frame(VALID).reset_index(drop=True)
    derived = derive_frame(features, RUBRIC)
    frame = assess_frame(rubric=RUBRIC, **_overlay(derived, VALID))
    for column in ["overall", "coverage", "lower", "upper", *(p.id for p in RUBRIC.pillars)]:
        np.testing.assert_allclose(
            frame[column].to_numpy(float),
            REFERENCE[column].to_numpy(float),
            atol=1e-4,  # the reference rows are rounded to 4 decimals
            err_msg=column,
        )
    assert frame["band"].astype(object).fillna("").tolist() == REFERENCE["band"].fillna("").tolist()


def test_assess_and_the_frame_give_the_same_floats():
    """To the last bit, not to a tolerance: ``assess`` file by file, ``assess_frame`` on
    every partnership at once with its masks, and each partnership whose criteria all
    apply and whose ratings are all sure alone without masks (the fused kernel)."""
    assessed = [assess(p, RUBRIC) for p in VALID]
    ids = RUBRIC.criterion_ids

    def frame(rows: list[Any], attribute: str) -> pd.DataFrame:
        return pd.DataFrame(np.vstack([getattr(a, attribute) for a in rows]), columns=ids)

    together = assess_frame(
        frame(assessed, "levels"),
        RUBRIC,
        not_applicable=frame(assessed, "not_applicable"),
        low_confidence=frame(assessed, "low_confidence"),
    )
    alone = 0
    for i, a in enumerate(assessed):
        expected = [a.overall, a.lower, a.upper, *(p.score for p in a.pillars)]
        names = ["overall", "lower", "upper", *(p.id for p in RUBRIC.pillars)]
        got = [optional(together[name].iloc[i]) for name in names]
        assert got == expected, a.partnership.id
        if not (a.not_applicable.any() or a.low_confidence.any()):
            single = assess_frame(frame([a], "levels"), RUBRIC)
            assert [optional(single[name].iloc[0]) for name in names] == expected
            alone += 1
    assert alone >= 10


# --- every scorer states the same rules -----------------------------------------------


def _with_method(method: str) -> Rubric:
    """The corpus's rubric with every pillar and the overall score aggregated by ``method``."""
    data = RUBRIC.model_dump()
    data["aggregation"] = method
    for pillar in data["pillars"]:
        pillar["aggregation"] = method
    return Rubric.model_validate(data)


def _value(e: Any, x: np.ndarray) -> float:
    return e.const + sum(v * x[k] for k, v in e.coef.items())


def _milp_scores(problem: Any) -> tuple[float, float]:
    """The raw and the gate-capped score the plan's mixed-integer model gives with every
    criterion left at its level: its binaries at the starting levels, each hypograph
    variable at the most its rows allow (a geometric mean at the tangent through its true
    value, which is where the plan's cuts put it)."""
    x = np.zeros(problem.n_x + len(problem.extra_lb))
    for (j, level), v in problem.var_of.items():
        x[v] = float(level == problem.start[j])
    if problem.estimate_var:  # y <= max(0, min(100, estimate of the planned levels))
        known = np.where(problem.known & ~problem.na, problem.start, 0.0)
        guess = problem.estimate_const + problem.estimate_coef @ known
        for j, y in problem.estimate_var.items():
            x[y] = POINTS_PER_LEVEL * min(max(float(guess[j]), 0.0), LEVEL_MAX)
    model = problem.model
    geometric = {pi: (members, share) for pi, _, members, share in problem.geo_pillars}
    for pi, e in problem.pillar_value.items():
        if not (len(e.coef) == 1 and min(e.coef) >= problem.n_x):
            continue  # a linear pillar: its expression is its value
        y = next(iter(e.coef))
        members = [
            j
            for j in range(model.n_criteria)
            if model.criterion_pillar[j] == pi and problem.answered[j]
        ]
        values = np.array([_value(problem.crit_score(j), x) for j in members])
        if pi in geometric:
            x[y] = _geo_tangent(values, geometric[pi][1])[0]
        else:
            x[y] = values.min()
    pillars = sorted(problem.pillar_value)
    values = np.array([_value(problem.pillar_value[pi], x) for pi in pillars])
    if problem.geo_overall is not None:
        share = np.array([problem.pillar_share[pi] for pi in pillars])
        raw = _geo_tangent(values, share)[0]
    elif model.overall_method == "minimum":
        raw = float(values.min())
    else:
        raw = _value(problem.raw, x)
    failing = [
        cap
        for _, cap, state in problem.gates
        if (state is False) or (isinstance(state, list) and any(x[v] > 0.5 for v in state))
    ]
    return raw, min([raw, *failing])


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "minimum"])
@pytest.mark.parametrize("policy", ["exclude", "worst", "estimate"])
def test_every_scorer_states_the_same_rules(method, policy):
    """The scoring kernel, the robustness engine at the rubric's own choices, the plan's
    mixed-integer model with nothing raised and the explanation agree on every document,
    for every aggregation method and unknown policy: a scorer that kept its own copy of a
    rule (points per level, what a pillar counts, weights' shares, the geometric mean on
    [1, 100], gates and their caps, coverage, settling) would part from the others."""
    rubric = _with_method(method)
    model = ScoringModel.from_rubric(rubric)
    assessed = [assess(p, rubric, unknown_policy=policy) for p in VALID]
    levels = np.vstack([a.levels for a in assessed])
    na = np.vstack([a.not_applicable for a in assessed])
    s = score_matrix(levels, model, not_applicable=na, unknown_policy=policy)
    assert np.isnan(s.overall).sum() < len(VALID) and s.gate_failed.any()

    # the engine also on each document with its known levels at 4 but those of its gates,
    # where the gates' caps bite more often than on the documents as drawn
    high = np.where(np.isnan(levels), np.nan, float(LEVEL_MAX))
    high[:, model.gate_criterion] = levels[:, model.gate_criterion]
    both = np.vstack([levels, high])
    both_na = np.vstack([na, na])
    kernel = score_matrix(both, model, not_applicable=both_na, unknown_policy=policy)
    # (a minimum at or below a gate's cap leaves the cap nothing to take)
    assert (kernel.gate_loss > 0).any() or method == "minimum"
    panel = PartnershipArrays.from_arrays(
        both, rubric, not_applicable=both_na, unknown_policy=policy
    )
    overall, band = evaluate(panel, rubric_draws(model, 1, policy=policy))
    np.testing.assert_array_equal(overall[0], kernel.overall)
    np.testing.assert_array_equal(band[0], kernel.band)

    # a shown estimate (a level) is settled to SETTLE_DECIMALS, while the kernel scores
    # the estimates as computed, and the plan's affine map of them is exact: a sum of
    # shown scores, or the plan's, may part from the kernel's by that rounding, in points
    tolerance = 1e-9 + (POINTS_PER_LEVEL * 10.0**-SETTLE_DECIMALS if policy == "estimate" else 0)
    for i, a in enumerate(assessed):
        assert (a.overall, a.raw) == (optional(s.overall[i]), optional(s.raw[i]))
        points = a.explain().to_frame()
        criteria = points[points["criterion"].notna()]
        if math.isnan(s.raw[i]):
            assert (criteria["used_weight"] == 0).all()
            continue
        assert criteria["points"].sum() == pytest.approx(s.raw[i], abs=1e-9)
        if method == "arithmetic":  # exact shares: points = score x used weight
            used = criteria["score"].fillna(0).to_numpy(float) @ criteria["used_weight"]
            assert used == pytest.approx(s.raw[i], abs=tolerance)

        problem = _Problem(a, "rate-first", resolve_profile(a, None)[0], 10.0)
        raw, capped = _milp_scores(problem)
        assert raw == pytest.approx(s.raw[i], abs=tolerance), a.partnership.id
        assert capped == pytest.approx(s.raw[i] - s.gate_loss[i], abs=tolerance), a.partnership.id

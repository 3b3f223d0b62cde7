"""What to rate first: checked against brute force (what_if, completion by completion)."""

from __future__ import annotations

import itertools
import json
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from readiness import assess, load_partnership, load_rubric
from readiness.errors import InputError
from readiness.partnership import Partnership
from readiness.rate_first import MAX_EXACT, level_distribution, rate_first, uncertain_levels
from readiness.scoring import ScoringModel, estimate_spread, estimate_unknowns
from tests.cli_harness import cli
from tests.factories import EXAMPLES, level_matrix, rubrics

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def small_cases(draw: st.DrawFn):
    """A small rubric and a partnership with one to three uncertain criteria."""
    rubric = draw(rubrics())
    m = len(rubric.criterion_ids)
    levels = level_matrix(draw, 1, m)[0]
    na = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m))) & (np.arange(m) % 3 == 0)
    low = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    uncertain = (~na & np.isnan(levels)) | (~na & ~np.isnan(levels) & low)
    assume(1 <= uncertain.sum() <= 3)
    ratings: dict[str, object] = {}
    for j, cid in enumerate(rubric.criterion_ids):
        if na[j]:
            ratings[cid] = {"level": "not-applicable"}
        elif not np.isnan(levels[j]):
            ratings[cid] = {"level": int(levels[j]), "confidence": "low" if low[j] else "high"}
    p = Partnership(id="p", name="P", kind="defense-cooperation", members=("A",), ratings=ratings)
    return assess(p, rubric)


def _expected_distribution(a, j: int) -> np.ndarray:
    """The chances of levels 0-4 of criterion j, written out from the definitions."""
    model = ScoringModel.from_rubric(a.rubric)
    level = a.levels[0, j]
    out = np.zeros(5)
    if np.isnan(level):  # unknown: a normal around the estimate, rounded to a level
        mean = estimate_unknowns(a.levels, ~a.not_applicable, model).levels[0, j]
        sd = estimate_spread(a.levels, ~a.not_applicable, model)[0, j]
        dist = NormalDist(mean, sd)
        for lv in range(5):
            lo = -np.inf if lv == 0 else dist.cdf(lv - 0.5)
            hi = np.inf if lv == 4 else dist.cdf(lv + 0.5)
            out[lv] = (1.0 if hi == np.inf else hi) - (0.0 if lo == -np.inf else lo)
    else:  # low confidence: its interval, evenly
        span = range(max(int(level) - 1, 0), min(int(level) + 1, 4) + 1)
        out[list(span)] = 1 / len(span)
    return out


@SETTINGS
@given(small_cases())
def test_rate_first_equals_brute_force(a):
    r = a.rate_first()
    assert r.method == "exact"
    ids = a.rubric.criterion_ids
    cands = {c.criterion: c for c in r.candidates}
    uncertain = [j for j, cid in enumerate(ids) if cid in cands]
    dists = {j: _expected_distribution(a, j) for j in uncertain}
    for j in uncertain:
        got = dict(cands[ids[j]].distribution)
        want = {lv: p for lv, p in enumerate(dists[j]) if p > 0}
        assert got.keys() == want.keys()
        assert all(got[lv] == pytest.approx(want[lv], abs=1e-12) for lv in got)
    # every completion, one what_if each: the band it reaches and its weight
    band_ids = [b.id for b in a.rubric.bands]
    now = np.zeros(len(band_ids))
    given_level = {(j, lv): np.zeros(len(band_ids)) for j in uncertain for lv in range(5)}
    supports = [[lv for lv in range(5) if dists[j][lv] > 0] for j in uncertain]
    for combo in itertools.product(*supports):
        w = float(np.prod([dists[j][lv] for j, lv in zip(uncertain, combo, strict=True)]))
        b = a.what_if({ids[j]: lv for j, lv in zip(uncertain, combo, strict=True)})
        if b.band is None:
            continue
        k = band_ids.index(b.band.id)
        now[k] += w
        for j, lv in zip(uncertain, combo, strict=True):
            given_level[(j, lv)][k] += w / dists[j][lv]
    np.testing.assert_allclose(r.bands, now, atol=1e-8)
    width = a.upper - a.lower
    for j in uncertain:
        c = cands[ids[j]]
        shift = narrowing = 0.0
        for o in c.outcomes:
            b = a.what_if({ids[j]: o.level})
            assert o.lower == pytest.approx(b.lower, abs=1e-8)
            assert o.upper == pytest.approx(b.upper, abs=1e-8)
            assert o.likely_lower == pytest.approx(b.likely_lower, abs=1e-8)
            assert o.likely_upper == pytest.approx(b.likely_upper, abs=1e-8)
            assert (o.overall is None) == (b.overall is None)
            if b.overall is not None:
                assert o.overall == pytest.approx(b.overall, abs=1e-8)
            np.testing.assert_allclose(o.bands, given_level[(j, o.level)], atol=1e-8)
            narrowing += o.probability * (width - (b.upper - b.lower))
            shift += o.probability * 0.5 * np.abs(given_level[(j, o.level)] - now).sum()
        assert c.narrowing == pytest.approx(narrowing, abs=1e-8)
        assert c.band_shift == pytest.approx(shift, abs=1e-8)
        # rating reveals, it does not move the chances on average (total probability)
        mean = sum(o.probability * np.array(o.bands) for o in c.outcomes)
        np.testing.assert_allclose(mean, r.bands, atol=1e-8)
    # ranked by band shift, then narrowing
    keys = [(-round(c.band_shift, 9), -round(c.narrowing, 9)) for c in r.candidates]
    assert keys == sorted(keys)
    assert [c.rank for c in r.candidates] == list(range(1, len(r.candidates) + 1))


def test_level_distribution_sums_to_one_and_centres_on_the_mean():
    for mean, sd in ((0.2, 0.5), (2.0, 0.9), (3.7, 1.4)):
        p = level_distribution(mean, sd)
        assert p.sum() == pytest.approx(1.0) and (p >= 0).all()
        assert int(np.argmax(p)) == round(mean)


def test_estimate_spread_is_one_criterions_part_of_the_likely_range():
    """With one unknown criterion, the overall score's error (estimate_unknowns' sd) is
    that criterion's points per level times its spread."""
    rubric = load_rubric()
    model = ScoringModel.from_rubric(rubric)
    a = assess(load_partnership(EXAMPLES / "nato.json"), rubric)
    levels = np.where(np.isnan(a.levels), 2.0, a.levels)
    j = 5
    levels[0, j] = np.nan
    sd_overall = estimate_unknowns(levels, None, model).sd[0]
    spread = estimate_spread(levels, None, model)[0]
    assert np.isnan(np.delete(spread, j)).all()
    p = model.criterion_pillar[j]
    in_pillar = model.criterion_pillar == p
    points = (
        model.pillar_weight[p] / model.pillar_weight.sum()
        * model.criterion_weight[j] / model.criterion_weight[in_pillar].sum() * 25.0
    )  # fmt: skip
    assert sd_overall == pytest.approx(points * spread[j], rel=1e-12)


def test_many_uncertain_criteria_are_sampled_with_their_seed():
    a = assess(load_partnership(EXAMPLES / "fpda.json"))
    columns, _, probs = uncertain_levels(a)
    assert np.prod([np.count_nonzero(p) for p in probs]) > MAX_EXACT
    r = a.rate_first(samples=64, seed=3)
    assert (r.method, r.completions, r.seed) == ("sampled", 64, 3)
    assert len(r.candidates) == len(columns)
    again = rate_first(a, samples=64, seed=3)
    assert again.to_dict() == r.to_dict()
    assert sum(r.bands) == pytest.approx(1.0)


def test_nothing_uncertain_says_so():
    rubric = load_rubric()
    p = load_partnership(EXAMPLES / "nato.json", rubric)
    full = {cid: {"level": 3, "confidence": "high"} for cid in rubric.criterion_ids}
    a = assess(
        p.model_copy(update={"ratings": {}}).model_validate(
            p.model_dump(mode="json", exclude_none=True) | {"ratings": full}
        ),
        rubric,
    )
    r = a.rate_first()
    assert r.candidates == () and r.method == "exact" and r.completions == 1
    assert "nothing to rate first" in r.to_text()


def test_bad_options_are_named():
    a = assess(load_partnership(EXAMPLES / "aukus.json"))
    with pytest.raises(InputError, match="samples"):
        a.rate_first(samples=0)
    with pytest.raises(InputError, match="seed"):
        a.rate_first(seed=-1)


def test_every_format_and_the_report_section():
    a = assess(load_partnership(EXAMPLES / "us-japan.json"))
    r = a.rate_first()
    first = r.candidates[0].criterion
    for text in (r.to_markdown(), r.to_text(), r.to_html(charts=False)):
        assert "What to rate first" in text and first in text
    data = json.loads(r.to_json())
    assert data["candidates"][0]["criterion"] == first
    assert r.to_frame().loc[1, "criterion"] == first
    from readiness.report import build_report, render_markdown

    md = render_markdown(build_report(a), sections=(r.to_section(),))
    assert "## What to rate first" in md and first in md


def test_cli_assess_rate_first():
    path = str(EXAMPLES / "us-japan.json")
    r = cli("assess", path, "--rate-first")
    assert r.returncode == 0, r.stderr
    assert "What to rate first" in r.stdout and "band shift" in r.stdout
    j = cli("assess", path, "--rate-first", "--format", "json")
    assert j.returncode == 0, j.stderr
    data = json.loads(j.stdout)
    assert data["what_to_rate"]["method"] == "exact"
    assert "what_to_rate" not in json.loads(cli("assess", path, "--format", "json").stdout)

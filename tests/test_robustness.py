"""Robustness: the sampling engine against the kernel, uncertainty, Sobol, margins."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness.errors import InputError
from readiness.robustness._engine import METHODS, POLICIES, Draws, evaluate, rubric_draws
from readiness.robustness._panel import PartnershipArrays
from readiness.rubric import load_rubric
from readiness.scoring import ScoringModel, score_matrix
from tests.factories import imported_modules, level_matrix, rubrics


def random_panel(rng, n=200, unknown=0.1, na=0.03, low=0.05, rubric=None):
    rubric = rubric or load_rubric()
    m = len(rubric.criterion_ids)
    levels = rng.integers(0, 5, (n, m)).astype(float)
    levels[rng.random((n, m)) < unknown] = np.nan
    return PartnershipArrays.from_arrays(
        levels,
        rubric,
        not_applicable=rng.random((n, m)) < na,
        low_confidence=rng.random((n, m)) < low,
    )


def kernel_scores(panel, pillar_w, criterion_w, method, policy, shifted):
    """What score_matrix gives with these weights, method, policy and levels."""
    model = dataclasses.replace(
        panel.model,
        pillar_weight=np.asarray(pillar_w, float),
        criterion_weight=np.asarray(criterion_w, float),
        overall_method=method,
    )
    return score_matrix(
        shifted,
        model,
        not_applicable=panel.not_applicable,
        unknown_policy=policy,
        min_coverage=panel.min_coverage,
    )


def shifted_levels(panel, shift_row):
    rated = ~np.isnan(panel.levels) & ~panel.not_applicable
    levels = panel.levels.copy()
    rows, cols = np.nonzero(panel.low_confidence & rated)
    levels[rows, cols] += shift_row
    return levels


def check_against_kernel(panel, draws):
    overall, band = evaluate(panel, draws)
    model = panel.model
    for t in range(draws.size):
        cw = model.criterion_weight if draws.criterion_weight is None else draws.criterion_weight[t]
        shift = 0 if draws.shift is None else draws.shift[t]
        s = kernel_scores(
            panel,
            draws.pillar_weight[t],
            cw,
            METHODS[draws.method[t]],
            POLICIES[draws.policy[t]],
            shifted_levels(panel, shift),
        )
        np.testing.assert_allclose(overall[t], s.overall, rtol=0, atol=1e-9, equal_nan=True)
        np.testing.assert_array_equal(band[t], s.band)


def random_draws(rng, panel, size, methods=(0, 1, 2)):
    model = panel.model
    rated = ~np.isnan(panel.levels) & ~panel.not_applicable
    level = panel.levels[panel.low_confidence & rated]
    lo = np.maximum(level - 1, 0) - level
    hi = np.minimum(level + 1, 4) - level
    shift = (lo + rng.integers(0, 2, size=(size, len(level))) * (hi - lo)).astype(np.int8)
    return Draws(
        pillar_weight=rng.gamma(2.0, size=(size, model.n_pillars)) + 1e-3,
        criterion_weight=rng.gamma(2.0, size=(size, model.n_criteria)) + 1e-3,
        method=rng.choice(np.array(methods, dtype=np.int8), size=size),
        policy=rng.integers(0, 2, size=size).astype(np.int8),
        shift=shift,
    )


def test_rubric_choices_reproduce_score_matrix_exactly():
    rng = np.random.default_rng(7)
    panel = random_panel(rng, n=500)
    overall, band = evaluate(panel, rubric_draws(panel.model, 2))
    np.testing.assert_array_equal(overall[0], panel.point.overall)
    np.testing.assert_array_equal(band[1], panel.point.band)


def test_sampled_choices_match_the_kernel_on_the_default_rubric():
    rng = np.random.default_rng(11)
    panel = random_panel(rng, n=300)
    check_against_kernel(panel, random_draws(rng, panel, 24))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric=rubrics(), data=st.data())
def test_sampled_choices_match_the_kernel_on_any_rubric(rubric, data):
    m = len(rubric.criterion_ids)
    n = data.draw(st.integers(1, 6))
    levels = level_matrix(data.draw, n, m)
    na = np.array(data.draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))).reshape(n, m)
    low = np.array(data.draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))).reshape(n, m)
    panel = PartnershipArrays.from_arrays(levels, rubric, not_applicable=na, low_confidence=low)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    check_against_kernel(panel, random_draws(rng, panel, 5))


def test_the_point_scores_are_the_kernels():
    rng = np.random.default_rng(3)
    panel = random_panel(rng, n=50)
    s = score_matrix(
        panel.levels, ScoringModel.from_rubric(load_rubric()), not_applicable=panel.not_applicable
    )
    np.testing.assert_array_equal(panel.point.overall, s.overall)


# --- exact margins ------------------------------------------------------------------

from readiness.robustness.margins import margins  # noqa: E402


def kernel_band(panel, i, p, weight):
    w = panel.model.pillar_weight.copy()
    w[p] = weight
    model = dataclasses.replace(panel.model, pillar_weight=w)
    s = score_matrix(
        panel.levels[i : i + 1],
        model,
        not_applicable=panel.not_applicable[i : i + 1],
        unknown_policy=panel.unknown_policy,
        min_coverage=panel.min_coverage,
    )
    return int(s.band[0])


def bisect(f, lo, hi, tol=1e-13):
    """The point in [lo, hi] where f turns True (f(lo) False, f(hi) True)."""
    while hi - lo > tol * max(1.0, abs(hi)):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if f(mid) else (mid, hi)
    return (lo + hi) / 2


def exact_band(lin, i, p, weight):
    """The band from the linear-fractional form, without the kernel's settling."""
    t = np.array([weight - lin.panel.model.pillar_weight[p]])
    return int(lin.band(np.array([i]), p, t)[0])


def test_band_margins_are_exact_to_1e9_and_agree_with_the_kernel():
    from readiness.robustness.margins import _Linear

    rng = np.random.default_rng(5)
    panel = random_panel(rng, n=40, low=0.0)
    lin = _Linear.of(panel)
    m = margins(panel)
    checked = 0
    for r in m.bands.itertuples():
        i = panel.labels.index(r.partnership)
        p = panel.model.pillar_ids.index(r.pillar)
        b0 = panel.point.band[i]
        assert kernel_band(panel, i, p, r.weight) == b0 == exact_band(lin, i, p, r.weight)
        if np.isfinite(r.up):
            x = bisect(
                lambda w, i=i, p=p, b0=b0: exact_band(lin, i, p, w) != b0, r.weight, r.up + 1e-3
            )
            assert abs(x - r.up) < 1e-9 * max(1.0, r.up)
            # the kernel settles scores to 1e-9 points: it agrees just either side
            assert kernel_band(panel, i, p, r.up * (1 - 1e-6)) == b0
            assert kernel_band(panel, i, p, r.up * (1 + 1e-6)) != b0
            checked += 1
        else:  # never changes upwards: not at a huge weight either
            assert kernel_band(panel, i, p, r.weight * 1e6) == b0
        if r.down > 0:
            x = bisect(
                lambda w, i=i, p=p, b0=b0: exact_band(lin, i, p, w) == b0, r.down - 1e-3, r.weight
            )
            assert abs(x - r.down) < 1e-9 * max(1.0, r.down)
            assert kernel_band(panel, i, p, r.down * (1 + 1e-6)) == b0
            assert kernel_band(panel, i, p, r.down * (1 - 1e-6)) != b0
            checked += 1
        else:
            assert kernel_band(panel, i, p, r.weight * 1e-6) == b0
    assert checked > 20


def test_swap_margins_are_exact_to_1e9_and_agree_with_the_kernel():
    from readiness.robustness.margins import _Linear, _order

    rng = np.random.default_rng(9)
    panel = random_panel(rng, n=30, low=0.0)
    lin = _Linear.of(panel)
    m = margins(panel)

    def kernel_order(a, b, p, weight):
        w = panel.model.pillar_weight.copy()
        w[p] = weight
        model = dataclasses.replace(panel.model, pillar_weight=w)
        s = score_matrix(panel.levels[[a, b]], model, not_applicable=panel.not_applicable[[a, b]])
        x = np.nan_to_num(s.overall, nan=-1.0)
        return np.sign(x[0] - x[1])

    def exact_order(a, b, p, weight):
        t = np.array([weight - panel.model.pillar_weight[p]])
        return int(_order(lin, np.array([a]), np.array([b]), p, t)[0])

    checked = 0
    for r in m.swaps.itertuples():
        a, b = panel.labels.index(r.above), panel.labels.index(r.below)
        p = panel.model.pillar_ids.index(r.pillar)
        start = exact_order(a, b, p, r.weight)
        assert start == kernel_order(a, b, p, r.weight)
        if np.isfinite(r.up):
            x = bisect(
                lambda w, a=a, b=b, p=p, start=start: exact_order(a, b, p, w) != start,
                r.weight,
                r.up + 1e-3,
            )
            assert abs(x - r.up) < 1e-9 * max(1.0, r.up)
            assert kernel_order(a, b, p, r.up * (1 - 1e-6)) == start
            assert kernel_order(a, b, p, r.up * (1 + 1e-6)) != start
            checked += 1
        if r.down > 0:
            x = bisect(
                lambda w, a=a, b=b, p=p, start=start: exact_order(a, b, p, w) == start,
                r.down - 1e-3,
                r.weight,
            )
            assert abs(x - r.down) < 1e-9 * max(1.0, r.down)
            checked += 1
    assert checked > 10


def test_margins_refuse_a_geometric_rubric():
    from tests.factories import make_rubric, rubric_dict

    rubric = make_rubric(
        rubric_dict([("a", 1, "arithmetic", [("a.x", 1)])], aggregation="geometric")
    )
    panel = PartnershipArrays.from_arrays(np.array([[2.0]]), rubric)
    with pytest.raises(InputError, match="arithmetic"):
        margins(panel)


# --- Sobol indices: known figures ------------------------------------------------------

from scipy import stats  # noqa: E402

from readiness.robustness import Choices, robustness, sensitivity, uncertainty  # noqa: E402
from readiness.robustness.sensitivity import sobol_table  # noqa: E402
from readiness.robustness.uncertainty import rank_matrix  # noqa: E402


def test_sobol_of_an_additive_model_has_its_closed_form():
    # Y = sum a_i X_i, X_i ~ U(0, 1) independent: S_i = ST_i = a_i^2 / sum a_j^2
    a = np.array([1.0, 2.0, 3.0, 0.5])
    expected = a**2 / (a**2).sum()
    table = sobol_table(lambda x: (a @ x)[None, :], [stats.uniform()] * 4, 2**13, seed=1)
    np.testing.assert_allclose(table.first[0], expected, atol=0.02)
    np.testing.assert_allclose(table.total[0], expected, atol=0.02)


ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
"""Analytical indices of the Ishigami function (a = 7, b = 0.1; Ishigami and Homma
1990), the figures SALib's documentation (Basics, "Testing with Ishigami") quotes
beside its estimate S1 = [0.316, 0.444, 0.012], ST = [0.555, 0.441, 0.244]."""


def ishigami(x):
    return (np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0]))[None, :]


def test_sobol_reproduces_the_ishigami_figures():
    dists = [stats.uniform(loc=-np.pi, scale=2 * np.pi)] * 3
    table = sobol_table(ishigami, dists, 2**14, seed=2)
    np.testing.assert_allclose(table.first[0], ISHIGAMI_S1, atol=0.02)
    np.testing.assert_allclose(table.total[0], ISHIGAMI_ST, atol=0.02)


def test_salib_agrees_on_ishigami_when_installed():
    salib = pytest.importorskip("SALib")
    from SALib.analyze import sobol as salib_sobol
    from SALib.sample import sobol as salib_sample

    del salib
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = salib_sample.sample(problem, 2**12, seed=3)
    res = salib_sobol.analyze(problem, ishigami(x.T)[0], seed=3)
    np.testing.assert_allclose(res["S1"], ISHIGAMI_S1, atol=0.03)
    np.testing.assert_allclose(res["ST"], ISHIGAMI_ST, atol=0.03)


def test_sobol_marks_outputs_that_are_not_finite_as_undefined():
    def f(x):
        y = np.vstack([x[0], x[0] + x[1]])
        y[1, 0] = np.nan
        return y

    table = sobol_table(f, [stats.uniform()] * 2, 256, seed=0)
    assert np.isnan(table.first[1]).all()
    assert table.first[0, 0] == pytest.approx(1.0, abs=0.05)


def test_sensitivity_indices_are_shares_within_estimator_noise():
    rng = np.random.default_rng(4)
    panel = random_panel(rng, n=60)
    s = sensitivity(panel, n=512, seed=1)
    for first, total in ((s.first, s.total), (s.rank_first, s.rank_total)):
        ok = ~np.isnan(total)
        assert ok.any()
        assert (first[ok] >= -0.05).all() and (first[ok] <= 1.05).all()
        assert (total[ok] >= -0.05).all() and (total[ok] <= 1.05).all()
        assert (total[ok] >= first[ok] - 0.05).all()


def test_a_partnership_that_no_weight_can_move_depends_on_no_weight():
    # every pillar at the same score: the overall ignores the weights; only the
    # aggregation method (which cannot change it either) is left: no variance, all 0
    rubric = load_rubric()
    m = len(rubric.criterion_ids)
    levels = np.vstack([np.full(m, 3.0), np.random.default_rng(0).integers(0, 5, m)])
    panel = PartnershipArrays.from_arrays(levels, rubric)
    s = sensitivity(panel, n=256, choices=Choices(policies=("exclude",)))
    assert (s.total[0] == 0).all() and s.top()[0] is None
    assert np.nanmax(s.total[1][: len(rubric.pillars)]) > 0


# --- uncertainty -------------------------------------------------------------------------


def test_uncertainty_is_reproducible_and_band_probabilities_sum_to_one():
    rng = np.random.default_rng(8)
    panel = random_panel(rng, n=80)
    u1 = uncertainty(panel, samples=3000, seed=42)
    u2 = uncertainty(panel, samples=3000, seed=42)
    np.testing.assert_array_equal(u1.scores, u2.scores)
    np.testing.assert_allclose(u1.band_probabilities().sum(axis=1), 1.0, rtol=0, atol=1e-12)
    u3 = uncertainty(panel, samples=3000, seed=43)
    assert not np.array_equal(u1.scores, u3.scores)


def test_fixed_choices_collapse_every_interval_onto_the_point():
    rng = np.random.default_rng(12)
    panel = random_panel(rng, n=50)
    fixed = Choices(
        concentration=np.inf,
        methods=("arithmetic",),
        policies=(panel.model.unknown_policy,),  # the rubric's own: the point's
        ratings=False,
    )
    u = uncertainty(panel, samples=50, choices=fixed)
    f = u.to_frame()
    np.testing.assert_array_equal(f["median"], panel.point.overall)
    np.testing.assert_array_equal(f["rank_p05"], f["rank"])
    np.testing.assert_array_equal(f["rank_p95"], f["rank"])


def test_point_rank_lies_in_its_interval_when_the_weights_are_tight():
    rng = np.random.default_rng(13)
    panel = random_panel(rng, n=40)
    u = uncertainty(
        panel,
        samples=2000,
        choices=Choices(
            concentration=1e6,
            ratings=False,
            methods=("arithmetic",),
            policies=(panel.model.unknown_policy,),
        ),
    )
    f = u.to_frame().dropna(subset=["rank"])
    assert ((f["rank_p05"] <= f["rank"]) & (f["rank"] <= f["rank_p95"])).all()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from([0.0, 10.0, 10.0, 55.5, 70.0, np.nan]), min_size=1, max_size=8))
def test_ranks_are_competition_ranks(values):
    x = np.array(values)[None, :]
    ranks = rank_matrix(x)[0]
    for i, v in enumerate(values):
        if np.isnan(v):
            assert np.isnan(ranks[i])
        else:
            assert ranks[i] == 1 + sum(1 for w in values if not np.isnan(w) and w > v)


def test_dominance_is_a_probability_table():
    rng = np.random.default_rng(14)
    panel = random_panel(rng, n=12)
    u = uncertainty(panel, samples=1000)
    d = u.dominance().to_numpy()
    assert np.allclose(np.diag(d), 0)
    assert ((d + d.T) <= 1 + 1e-12).all()  # ties count for neither


def test_bad_options_name_the_option():
    panel = random_panel(np.random.default_rng(0), n=3)
    with pytest.raises(InputError, match="samples"):
        uncertainty(panel, samples=0)
    with pytest.raises(InputError, match="concentration"):
        uncertainty(panel, choices=Choices(concentration=-1))
    with pytest.raises(InputError, match="methods"):
        uncertainty(panel, choices=Choices(methods=("median",)))
    with pytest.raises(InputError, match="power of 2"):
        sensitivity(panel, n=100)


# --- the whole analysis, reports and CLI ----------------------------------------------

EXAMPLES = sorted(
    str(p)
    for p in (__import__("pathlib").Path(__file__).parent.parent / "examples/partnerships").glob(
        "*.json"
    )
)


@pytest.fixture(scope="module")
def example_result():
    from readiness import assess, load_partnership

    assessments = [assess(load_partnership(f)) for f in EXAMPLES]
    return assessments, robustness(assessments, samples=1000, n=64)


def test_summary_says_band_probability_rank_sensitivity_and_margin(example_result):
    _, r = example_result
    nato = r.summary()[r.labels.index("nato")]
    assert nato.startswith("nato: Advanced with probability")
    assert "rank 1 of 8" in nato and "most sensitive to" in nato and "can move between" in nato


def test_report_section_and_set_report_render(example_result):
    import json

    from readiness.document import render_section_html, render_section_markdown

    assessments, r = example_result
    data = r.section_dict(assessments[0])
    assert sum(data["band_probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    json.dumps(data)
    section = r.section_for(assessments[0])
    assert section.key == "robustness" and section.data == data
    assert render_section_markdown(section).startswith("## Robustness\n")
    assert render_section_html(section).startswith("<h2>Robustness</h2>")
    assert "ranks above the column" in r.to_markdown()
    assert set(json.loads(r.to_json())) >= {"summary", "uncertainty", "dominance"}
    assert r._repr_html_().startswith('<div class="readiness-robustness">')


def test_the_section_of_one_partnership_keeps_its_layout(example_result):
    """Markdown of ``report --robustness``: the summary, the score's distribution, the
    chance of each band, and the five tightest weights (``any``: no upper limit)."""
    from readiness.document import render_section_markdown

    assessments, r = example_result
    a = next(x for x in assessments if x.partnership.id == "nato")
    s = r.section_dict(a)
    md = render_section_markdown(r.section_for(a)).split("\n\n")
    assert md[0] == "## Robustness"
    assert md[1] == s["summary"].replace("_", "\\_")
    median, p05, p95 = (s["score"][k] for k in ("median", "p05", "p95"))
    assert md[2] == (
        f"Under {s['samples']:,} sampled sets of choices (seed {s['seed']}), the overall "
        f"score has median {median:.1f} and 90% interval {p05:.1f}-{p95:.1f}."
    )
    assert md[3].startswith("| Band | Probability |\n|---|---:|\n| Advanced | ")
    tight = md[4].splitlines()
    assert tight[:2] == ["| Pillar weight | Keeps the band from | to |", "|---|---:|---:|"]
    assert len(tight) == 2 + min(5, len(s["margins"]))
    with pytest.raises(InputError, match="not in this robustness result"):
        robustness(assessments[:2], samples=10, n=64).section_for(a)


def test_every_format_comes_from_the_document(example_result):
    import json

    from readiness.document import render_html, render_json, render_markdown, render_text

    assessments, r = example_result
    from readiness.audit import audit

    for result in (r, r.uncertainty, r.sensitivity, audit(assessments)):
        doc = result.to_document()
        assert result.to_markdown() == render_markdown(doc)
        assert result.to_text() == render_text(doc)
        assert result._repr_html_() == render_html(doc)
        assert result.to_json() == render_json(doc)
        data = json.loads(result.to_json())
        assert {k: data[k] for k in result.to_dict()} == json.loads(json.dumps(result.to_dict()))


def test_results_lay_themselves_out_with_the_vocabulary_and_render_nothing():
    """The robustness results and the audit build documents (blocks and data); formats
    and words live in readiness.document, and nothing from the render floor is imported."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "readiness"
    for name in (
        "robustness/__init__.py",
        "robustness/uncertainty.py",
        "robustness/sensitivity.py",
        "audit.py",
    ):
        source = (root / name).read_text()
        imported = imported_modules(source)
        assert not {m for m in imported if m.startswith("readiness.report")}, name
        assert "html" not in imported, name
        for mark in (
            "<div",
            "<table",
            "<p>",
            "|---",
            '"**',
            '"## ',
            "markdown_escape",
            "probability {",
        ):
            assert mark not in source, (name, mark)


def test_summary_says_its_findings(example_result):
    """The summary sentences say the findings (reasons with figures), one each."""
    from readiness.document.words import robustness as said

    _, r = example_result
    findings = r.findings()
    assert [f.partnership for f in findings] == list(r.labels)
    by = {f.partnership: f for f in findings}
    assert by["nato"].sensitive == "factor" and by["nato"].factor == "burden"
    assert by["fpda"].sensitive == "undefined" and by["fpda"].factor is None
    assert by["nato"].margin is not None and by["nato"].margin[0] == "burden"
    line = r.summary()[r.labels.index("fpda")]
    assert "sensitivity undefined (no score in some samples)" in line
    assert said.summary(
        "x", band=None, p_band=0.25, score_p05=None, score_p95=None, rank=None, of=1,
        rank_p05=None, rank_p95=None, sensitive="unmoved", factor=None, margin=None,
        lower=None, upper=None,
    ) == "x: no score (no score in 25% of samples); no choice moves its score"  # fmt: skip


def test_cli_html_is_one_page_with_every_section(tmp_path):
    from tests.cli_harness import run_cli

    out = tmp_path / "r.html"
    done = run_cli("robustness", *EXAMPLES[:3], "--samples", "200", "--sobol", "64",
                   "-o", str(out), cwd=None)  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</body>\n</html>\n")
    assert "<script" not in page and "<title>Robustness of 3 partnership(s)</title>" in page
    for title in (
        "Probability that the row ranks above the column",
        "Sobol total indices of the overall score (n = 64)",
        "Tightest pillar-weight margin per partnership",
        "Coherence audit (3 partnerships)",
    ):
        assert f">{title}</h" in page, title


def test_cli_robustness_writes_json_and_refuses_bad_input(tmp_path):
    import json

    from tests.cli_harness import run_cli

    def main(argv: list[str]) -> int:
        return run_cli(*argv, cwd=None).returncode

    out = tmp_path / "r.json"
    code = main(
        [
            "robustness",
            *EXAMPLES[:3],
            "--samples",
            "500",
            "--sobol",
            "64",
            "--format",
            "json",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert data["uncertainty"]["samples"] == 500 and data["audit"] is not None
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    r = run_cli("robustness", str(bad), cwd=None)
    assert r.returncode == 2
    assert "bad.json" in r.stderr
    # argparse refuses --sobol 100: SystemExit(2)
    assert main(["robustness", EXAMPLES[0], "--sobol", "100"]) == 2


def test_report_command_adds_the_robustness_section(tmp_path):
    import json

    from tests.cli_harness import run_cli

    nato = "examples/partnerships/nato.json"
    out = tmp_path / "r.json"
    run = ["report", nato, "-o", str(out)]
    done = run_cli(*run, "--robustness", "300")
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    section = doc["robustness"]
    assert section["samples"] == 300
    assert abs(sum(section["band_probabilities"].values()) - 1) < 1e-3
    assert section["score"]["p05"] <= section["score"]["median"] <= section["score"]["p95"]
    md = run_cli(*run[:2], "--format", "markdown", "--robustness", "300")
    assert "## Robustness" in md.stdout
    bad = run_cli(*run, "--robustness", "0")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_a_zero_pillar_does_not_zero_the_geometric_draws_and_the_summary_agrees():
    # ADMM-Plus has its technology pillar at 0: the geometric mean (on scores moved to
    # 1-100) lowers its score but does not zero it, and the summary names the margin
    # table's tightest weight and the range the unknowns leave open
    from readiness import assess, load_partnership
    from readiness.robustness import robustness
    from tests.factories import EXAMPLES

    a = assess(load_partnership(EXAMPLES / "admm-plus.json"))
    assert min(p.score for p in a.pillars if p.score is not None) == 0
    r = robustness(a, samples=2_000, n=256)
    scores = r.uncertainty.scores[0]
    assert np.nanmin(scores) > 10  # a plain geometric mean gave 0 in half the samples
    assert r.sensitivity is not None
    aggregation = r.sensitivity.factors.index("aggregation")
    assert r.sensitivity.total[0, aggregation] < 0.95  # was 0.99
    [line] = r.summary()
    tightest = r.margins.for_partnership("admm-plus").iloc[0]["pillar"]
    assert f"tightest weight: {tightest}," in line
    assert f"{a.lower:.1f}-{a.upper:.1f} (the range of assess)" in line
    assert "under the choices varied" in line

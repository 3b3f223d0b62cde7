"""Benchmark the robustness analyses and print the figures as JSON.

Run with ``make bench`` (or ``python benchmarks/bench_robustness.py --rows 1000``).

What is timed, in one process, on N partnerships x the default rubric (levels 0-4,
about 10% unknown, as in bench_scoring.py; ``--low`` adds low-confidence ratings):

- ``uncertainty``: ``readiness.robustness.uncertainty`` with ``--samples`` draws
  (pillar and criterion weights, aggregation, unknown policy): scores, bands and
  ranks of every partnership under every draw (the 5 s target is 10,000 x 1,000).
- ``uncertainty_summary``: its per-partnership table (median, 5-95%, band
  probabilities, rank quantiles).
- ``sobol_readiness``: ``readiness.robustness.sensitivity`` (scipy's Sobol sampling and
  estimator, overall score and rank of all partnerships) with base size ``--sobol``.
- ``sobol_salib``: the equivalent SALib pipeline, when SALib is installed: Saltelli
  (Sobol-sequence) sample of the same factors (pillar weights, aggregation, unknown
  policy; first and total order only), the model evaluated with plain numpy on the
  pillar scores, and ``SALib.analyze.sobol.analyze`` once per partnership, for the
  indices (``num_resamples=1``, the fewest SALib accepts: readiness computes no
  bootstrap intervals, so this is like with like; ``ratio_salib_to_readiness``) and
  with SALib's default 100 bootstrap resamples for confidence intervals
  (``sobol_salib_with_ci_s``). Only the
  overall score: SALib's pipeline has no ranks, so readiness does twice the outputs.

The contenders take turns (``--repeat`` rounds of all of them) and every figure is
the median over rounds; each SALib ratio is the median of the per-round ratios (a
burst of load on this shared machine touches every contender of a round alike). The
load average before and after is printed, and the engine. Both Sobol pipelines do the
same work: first-order and total indices (``calc_second_order=False`` in SALib; scipy's
estimator computes no second order), ``n * (d + 2)`` model evaluations, no bootstrap
in the like-with-like row.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness.robustness import Choices, sensitivity, uncertainty
from readiness.robustness._panel import PartnershipArrays
from readiness.rubric import load_rubric
from readiness.scoring import ScoringModel, score_matrix


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Seconds per round of each function, the functions taking turns within a round
    (a burst of load on a shared machine touches every contender alike)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def make_panel(rows: int, low: float, seed: int = 0) -> PartnershipArrays:
    rubric = load_rubric()
    m = len(rubric.criterion_ids)
    rng = np.random.default_rng(seed)
    levels = rng.integers(0, 5, size=(rows, m)).astype(np.float64)
    levels[rng.random((rows, m)) < 0.1] = np.nan
    return PartnershipArrays.from_arrays(levels, rubric, low_confidence=rng.random((rows, m)) < low)


def salib_pipeline(
    panel: PartnershipArrays, n: int, concentration: float, seed: int, resamples: int = 1
) -> None:
    """Saltelli sample -> numpy model -> SALib analyze, per partnership.

    ``resamples`` is SALib's ``num_resamples``: 1, the fewest it accepts, is the indices
    with a token interval, as readiness computes them (like with like); SALib's default,
    100, adds bootstrap confidence intervals."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    model = ScoringModel.from_rubric(panel.rubric)
    share = model.pillar_weight / model.pillar_weight.sum()
    k = model.n_pillars
    from scipy import stats

    problem = {
        "num_vars": k + 2,
        "names": [*model.pillar_ids, "aggregation", "unknown_policy"],
        "bounds": [[0.0, 1.0]] * (k + 2),
    }
    x = sample.sample(problem, n, calc_second_order=False, seed=seed)
    # SALib has no gamma distribution: map its uniform draws through the gamma ppf, as
    # scipy's sobol_indices does with the same distributions
    x[:, :k] = stats.gamma(a=concentration * share).ppf(np.clip(x[:, :k], 1e-12, 1 - 1e-12))
    pillars = {
        policy: score_matrix(panel.levels, model, unknown_policy=policy).pillar
        for policy in ("exclude", "worst")
    }
    w = x[:, :k] / x[:, :k].sum(axis=1, keepdims=True)
    y = np.empty((panel.n, len(x)))
    for policy, mask in (("exclude", x[:, k + 1] < 0.5), ("worst", x[:, k + 1] >= 0.5)):
        p = np.nan_to_num(pillars[policy])
        arith, geo = mask & (x[:, k] < 0.5), mask & (x[:, k] >= 0.5)
        y[:, arith] = p @ w[arith].T
        with np.errstate(divide="ignore"):
            y[:, geo] = np.exp(np.log(p) @ w[geo].T)
    with warnings.catch_warnings():  # one resample: SALib's intervals are degenerate
        warnings.simplefilter("ignore", RuntimeWarning)
        for i in range(panel.n):
            analyze.analyze(
                problem, y[i], calc_second_order=False, num_resamples=resamples, seed=seed
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--sobol", type=int, default=512)  # the largest the work limit allows here
    parser.add_argument("--low", type=float, default=0.0, help="share of low-confidence ratings")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds")
    parser.add_argument(
        "--no-ci", action="store_true", help="leave out SALib with its 100 bootstrap resamples"
    )
    args = parser.parse_args()
    panel = make_panel(args.rows, args.low)
    choices = Choices()
    uncertainty(make_panel(10, 0.0), samples=64)  # load scipy and pandas before timing
    sensitivity(make_panel(10, 0.0), n=64)
    figures: dict[str, Any] = {
        "rows": args.rows,
        "samples": args.samples,
        "sobol_n": args.sobol,
        "low_confidence_share": args.low,
        "criteria": len(panel.rubric.criterion_ids),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "engine": "numpy (scipy.stats.sobol_indices; the scores by score_matrix)",
    }
    holder: dict[str, Any] = {}

    def run_uncertainty() -> None:
        holder["u"] = uncertainty(panel, samples=args.samples, seed=0, choices=choices)

    run_uncertainty()
    fields = ("panel", "choices", "samples", "seed", "scores", "bands", "ranks")

    def run_summary() -> None:  # a fresh result each time: to_frame is cached on it
        u = holder["u"]
        u.__class__(**{f: getattr(u, f) for f in fields}).to_frame()

    contenders: dict[str, Callable[[], Any]] = {
        "uncertainty": run_uncertainty,
        "uncertainty_summary": run_summary,
        "sobol_readiness": lambda: sensitivity(
            panel, n=args.sobol, seed=0, choices=Choices(ratings=False)
        ),
    }
    try:
        from importlib.metadata import version

        import SALib  # noqa: F401
    except ImportError:
        figures["salib"] = None
    else:
        figures["salib"] = version("SALib")
        contenders["sobol_salib"] = lambda: salib_pipeline(
            panel, args.sobol, choices.concentration, 0, 1
        )
        if not args.no_ci:
            contenders["sobol_salib_with_ci"] = lambda: salib_pipeline(
                panel, args.sobol, choices.concentration, 0, 100
            )
    rounds = interleaved(contenders, args.repeat)
    for name, times in rounds.items():
        figures[f"{name}_s"] = round(statistics.median(times), 3)
    for name in ("sobol_salib", "sobol_salib_with_ci"):
        if name in rounds:
            per_round = [
                a / b for a, b in zip(rounds[name], rounds["sobol_readiness"], strict=True)
            ]
            key = name.replace("sobol_", "ratio_") + "_to_readiness"
            figures[key] = round(statistics.median(per_round), 2)
            figures[key + "_per_round"] = [round(r, 2) for r in per_round]
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

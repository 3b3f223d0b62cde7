"""How should unknown criteria count? Mask known ratings and see which policy recovers the score.

For each partnership, 30% of its known criteria (rated or derived from facts) are hidden
at random, many times; the point score with what is left is compared with the score of
the unmasked partnership under the same policy (the error), and the policy's range is
checked for holding that unmasked score (the coverage):

- ``exclude``: unknown criteria leave the score; its range is ``lower``-``upper``;
- ``worst``: unknown criteria count as level 0; its range is ``lower``-``upper``;
- ``estimate``: unknown criteria count at the level the partnership's known criteria
  estimate (``readiness.scoring.estimate_unknowns``); its range is the likely range
  (nominal 90%);
- ``estimate (no offsets)``: the same without the criteria's typical offsets.

The estimate's settings are fitted on the shipped examples (:func:`fit`, method of
moments); for the examples themselves they are fitted without the partnership being
masked (leave one out), so that no partnership is estimated from itself.

Data: the eight shipped examples; generated partnerships (``tests/generate.py``: every
fact, random ratings); and structured synthetic ones drawn from a partnership level,
pillar departures and noise (the model the estimate assumes). A second masking hides
low levels more often than high ones (``p ~ 5 - level``): silence that hides weakness,
which no policy can see from the data and every policy should be judged under too.

Run ``python benchmarks/bench_estimate.py`` (``--fit`` prints the settings fitted on all
examples, as the rubric ships them). It prints a table and, with ``--json``, the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from readiness import assess, load_partnership, load_rubric  # noqa: E402
from readiness.rubric import Estimate, Rubric  # noqa: E402
from readiness.scoring import ScoringModel, score_matrix  # noqa: E402

SHARE = 0.3
"""The share of known criteria hidden in each trial."""


def examples(rubric: Rubric) -> tuple[list[str], np.ndarray]:
    files = sorted((ROOT / "examples" / "partnerships").glob("*.json"))
    rows = [assess(load_partnership(f), rubric, min_coverage=0).levels[0] for f in files]
    return [f.stem for f in files], np.array(rows)


def generated(rubric: Rubric, n: int) -> np.ndarray:
    from readiness.errors import InputError
    from readiness.partnership import partnership_from_dict
    from tests.generate import corpus

    rows = []
    for doc in corpus(4 * n, seed=11):
        try:
            rows.append(assess(partnership_from_dict(doc), rubric, min_coverage=0).levels[0])
        except InputError:
            continue
        if len(rows) == n:
            break
    return np.array(rows)


def structured(model: ScoringModel, n: int, rng: np.random.Generator) -> np.ndarray:
    """Partnerships from the estimate's own model, with its spreads, 20% left unknown."""
    e = model.estimate
    assert e is not None
    mu = rng.uniform(0.3, 3.7, size=(n, 1))
    pillar = rng.normal(0, np.sqrt(e.pillar2), size=(n, model.n_pillars))
    noise = rng.normal(0, np.sqrt(e.noise2), size=(n, model.n_criteria))
    levels = np.clip(np.rint(mu + pillar[:, model.criterion_pillar] + e.offsets + noise), 0, 4)
    levels[rng.random(levels.shape) < 0.2] = np.nan
    return levels


def fit(levels: np.ndarray, model: ScoringModel) -> Estimate:
    """The estimate's settings from fully or partly known partnerships (moments).

    Offsets are each criterion's mean departure from its partnership's mean, shrunk by
    ``k / (k + 2)`` with ``k`` partnerships knowing it; the spreads follow from the
    variance within pillars, of the pillar means and of the partnership means.
    """
    known = ~np.isnan(levels)
    means = np.nanmean(levels, axis=1)
    dev = np.where(known, levels - means[:, None], np.nan)
    count = known.sum(axis=0)
    summed = np.nansum(dev, axis=0)
    offsets = np.where(count > 0, summed / np.maximum(count, 1), 0.0) * count / (count + 2)
    resid = dev - offsets
    within, pillar_means, pillar_counts, kinds = [], [], [], []
    for i in range(len(levels)):
        for p in range(model.n_pillars):
            cols = (model.criterion_pillar == p) & known[i]
            if cols.sum() >= 1:
                pillar_means.append(resid[i, cols].mean())
                pillar_counts.append(cols.sum())
            if cols.sum() >= 2:
                within.append(resid[i, cols].var(ddof=1))
        kinds.append(known[i].sum())
    noise2 = float(np.mean(within))
    pillar2 = max(0.01, float(np.var(pillar_means) - np.mean(noise2 / np.array(pillar_counts))))
    tau2 = max(0.05, float(np.var(means, ddof=1) - pillar2 / model.n_pillars))
    return Estimate(
        prior_level=round(float(np.mean(means)), 2),
        partnership_spread=round(float(np.sqrt(tau2)), 2),
        pillar_spread=round(float(np.sqrt(pillar2)), 2),
        spread=round(float(np.sqrt(noise2)), 2),
        offsets={
            cid: round(float(o), 2)
            for cid, o in zip(model.criterion_ids, offsets, strict=True)
            if abs(o) >= 0.05
        },
    )


def variant(rubric: Rubric, estimate: Estimate) -> ScoringModel:
    return ScoringModel.from_rubric(rubric.model_copy(update={"estimate": estimate}))


def trials(
    levels: np.ndarray,
    models: dict[str, tuple[ScoringModel, str]],
    reps: int,
    rng: np.random.Generator,
    informative: bool,
) -> dict[str, dict[str, float]]:
    """Errors and coverage of each method over ``reps`` maskings of every row."""
    rows = np.repeat(levels, reps, axis=0)
    known = ~np.isnan(rows)
    if informative:
        weight = np.where(known, 5.0 - np.nan_to_num(rows), 0.0)
    else:
        weight = known.astype(np.float64)
    hide = np.zeros(rows.shape, dtype=bool)
    for r in range(len(rows)):  # exactly 30% of the row's known criteria
        k = round(SHARE * int(known[r].sum()))
        if k:
            p = weight[r] / weight[r].sum()
            hide[r, rng.choice(len(p), size=k, replace=False, p=p)] = True
    masked = np.where(hide, np.nan, rows)
    out: dict[str, dict[str, float]] = {}
    for name, (model, policy) in models.items():
        full = score_matrix(rows, model, unknown_policy=policy, min_coverage=0)
        part = score_matrix(masked, model, unknown_policy=policy, min_coverage=0)
        ok = ~np.isnan(full.overall) & ~np.isnan(part.overall)
        err = part.overall[ok] - full.overall[ok]
        lo, hi = part.likely_lower[ok], part.likely_upper[ok]
        held = (lo - 1e-9 <= full.overall[ok]) & (full.overall[ok] <= hi + 1e-9)
        out[name] = {
            "mae": float(np.mean(np.abs(err))),
            "rmse": float(np.sqrt(np.mean(err**2))),
            "bias": float(np.mean(err)),
            "coverage": float(np.mean(held)),
            "width": float(np.mean(hi - lo)),
        }
    return out


RUBRIC = ROOT / "rubrics" / "defense-partnership.yaml"


def write_estimate(path: Path, estimate: Estimate) -> None:
    """Rewrite the ``estimate:`` block of a rubric file in place, comments elsewhere kept."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("estimate:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    comments = {
        "prior_level": "the level of a partnership nothing is known of",
        "partnership_spread": "of partnerships' levels around it",
        "pillar_spread": "of a pillar's level around its partnership's",
        "spread": "of a criterion around its pillar's",
        "interval": "the likely range's probability",
    }
    block = ["estimate:\n"]
    for key, text in comments.items():
        block.append(f"  {f'{key}: {getattr(estimate, key)!r}':<27}# {text}\n")
    block.append("  offsets:                   # each criterion's typical departure from its")
    block.append(" partnership's level\n")
    block += [f"    {cid}: {value}\n" for cid, value in estimate.offsets.items()]
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text("".join(lines[:start] + block + lines[end:]), encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="maskings per example")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--fit", action="store_true", help="print the settings fitted on all")
    parser.add_argument(
        "--write", action="store_true", help="with --fit: write them into the shipped rubric"
    )
    args = parser.parse_args(argv)
    rubric = load_rubric()
    base = ScoringModel.from_rubric(rubric)
    _, ex = examples(rubric)
    if args.fit:
        fitted = fit(ex, base)
        print(json.dumps(fitted.model_dump(), indent=2))
        if args.write:
            write_estimate(RUBRIC, fitted)
        return 0
    rng = np.random.default_rng(2026)
    started = time.perf_counter()
    results: dict[str, dict[str, dict[str, float]]] = {}
    shipped = rubric.estimate

    def models(estimate: Estimate) -> dict[str, tuple[ScoringModel, str]]:
        m = variant(rubric, estimate)
        bare = variant(rubric, estimate.model_copy(update={"offsets": {}}))
        return {
            "exclude": (m, "exclude"),
            "worst": (m, "worst"),
            "estimate": (m, "estimate"),
            "estimate (no offsets)": (bare, "estimate"),
        }

    for informative in (False, True):
        mask = "low levels hidden more" if informative else "at random"
        # the examples, each estimated with settings fitted on the other seven
        parts = []
        for i in range(len(ex)):
            others = np.delete(ex, i, axis=0)
            parts.append(
                trials(ex[i : i + 1], models(fit(others, base)), args.reps, rng, informative)
            )
        results[f"shipped examples, {mask}"] = {
            name: {key: float(np.mean([p[name][key] for p in parts])) for key in parts[0][name]}
            for name in parts[0]
        }
        gen = generated(rubric, 60)
        results[f"generated, {mask}"] = trials(gen, models(shipped), 10, rng, informative)
        syn = structured(variant(rubric, shipped), 300, rng)
        results[f"structured synthetic, {mask}"] = trials(syn, models(shipped), 4, rng, informative)
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"share_hidden": SHARE, "seconds": seconds, "results": results}))
        return 0
    print(
        f"Unknown criteria: {SHARE:.0%} of the known criteria hidden; error of the point "
        "score against the unmasked score (points), and how often the range holds it "
        f"(estimate: nominal {shipped.interval:.0%}; exclude and worst: lower-upper). "
        f"{seconds:.1f} s"
    )
    head = (
        f"{'data':<44} {'method':<22} {'MAE':>6} {'RMSE':>6} {'bias':>6} {'held':>6} {'width':>6}"
    )
    print(head)
    for data, by_method in results.items():
        for name, m in by_method.items():
            print(
                f"{data:<44} {name:<22} {m['mae']:6.2f} {m['rmse']:6.2f} {m['bias']:+6.2f} "
                f"{m['coverage']:6.0%} {m['width']:6.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

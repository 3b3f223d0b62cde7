"""Charts of a robustness analysis: rank intervals, band probabilities, tornado.

Drawn like every chart of :mod:`readiness.report.charts` (matplotlib, optional; the
same deterministic, inline ``<svg>``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from readiness.document.charts import (
    BAND_TINTS,
    GRID,
    INK,
    MUTED,
    RANGE,
    SCORE,
    draw,
    short_label,
    style_axis,
)
from readiness.robustness import Sensitivity, Uncertainty

__all__ = ["band_probability_chart", "rank_interval_chart", "tornado_chart"]


def rank_interval_chart(u: Uncertainty) -> str:
    """Each partnership's rank: 5-95% interval (line), median (bar tick), point (dot)."""
    frame = u.to_frame().sort_values("rank", na_position="last")
    n = len(frame)

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        ys = list(range(n))
        ax.hlines(
            ys,
            frame["rank_p05"],
            frame["rank_p95"],
            color=RANGE,
            linewidth=4,
            label="5-95% of samples",
            zorder=2,
        )
        ax.scatter(frame["rank_median"], ys, marker="|", s=160, color=INK, label="Median", zorder=3)
        ax.scatter(
            frame["rank"], ys, marker="o", s=26, color=SCORE, label="Rubric's own choices", zorder=4
        )
        ax.set_yticks(ys, [short_label(str(x)) for x in frame.index])
        ax.invert_yaxis()
        ax.set_xlim(0.5, max(1, u.panel.n) + 0.5)
        ax.set_xlabel("Rank (1 = highest score)", color=MUTED)
        style_axis(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)

    return draw("rank-intervals", "Rank intervals under sampled choices", 0.9 + 0.32 * n, paint)


def band_probability_chart(u: Uncertainty, label: str | None = None) -> str:
    """Stacked probability of each band (and of no score), one bar per partnership."""
    probs = u.band_probabilities()
    labels = list(u.labels)
    if label is not None:
        i = labels.index(label)
        probs, labels = probs[i : i + 1], [label]
    names = [b.name for b in u.panel.rubric.bands] + ["No score"]
    colours = [BAND_TINTS[i % len(BAND_TINTS)] for i in range(len(names) - 1)] + [GRID]

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        ys = np.arange(len(labels))
        left = np.zeros(len(labels))
        for j, name in enumerate(names):
            if not probs[:, j].any():
                continue
            ax.barh(
                ys,
                probs[:, j],
                left=left,
                height=0.6,
                color=colours[j],
                edgecolor="white",
                label=name,
            )
            for y, (x0, w) in enumerate(zip(left, probs[:, j], strict=True)):
                if w >= 0.08:
                    ax.text(
                        x0 + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=8, color=INK
                    )
            left += probs[:, j]
        ax.set_yticks(ys, [short_label(x) for x in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("Probability", color=MUTED)
        style_axis(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(6, len(names)))

    return draw("band-probabilities", "Probability of each band", 0.9 + 0.34 * len(labels), paint)


def tornado_chart(s: Sensitivity, label: str, output: str = "overall") -> str:
    """Total (light) and first-order (dark) Sobol indices of one partnership, largest first."""
    i = list(s.labels).index(label)
    first = s.first[i] if output == "overall" else s.rank_first[i]
    total = s.total[i] if output == "overall" else s.rank_total[i]
    order = [j for j in np.argsort(-np.nan_to_num(total, nan=-1.0)) if not math.isnan(total[j])]
    names = [s.factors[j] for j in order]

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        ys = np.arange(len(order))
        ax.barh(
            ys, [max(0.0, total[j]) for j in order], height=0.62, color=RANGE, label="Total index"
        )
        ax.barh(
            ys,
            [max(0.0, first[j]) for j in order],
            height=0.32,
            color=SCORE,
            label="First-order index",
        )
        ax.set_yticks(ys, [short_label(x) for x in names])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"Share of the variance of the {output}", color=MUTED)
        style_axis(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)

    return draw("tornado", f"Sobol indices of {label}", 0.9 + 0.26 * max(1, len(order)), paint)

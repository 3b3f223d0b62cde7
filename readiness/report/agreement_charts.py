"""The perception-gap chart: each side's pillar scores on one line per pillar.

Drawn with the helpers of :mod:`readiness.report.charts` (matplotlib, optional extra
``readiness[plots]``; deterministic inline SVG).
"""

from __future__ import annotations

from typing import Any

from readiness.document.charts import GRID, SERIES, draw, short_label, style_axis
from readiness.panel import PerceptionGap

__all__ = ["perception_chart"]


def perception_chart(gap: PerceptionGap) -> str:
    """A dumbbell chart: per pillar, one dot per side at its score and a line between.

    Pillars are drawn in rubric order; a pillar a side could not score has no dot.

    Raises:
        ReportError: matplotlib is not installed.
    """
    rows = gap.pillars
    n = len(rows)

    def paint(fig: Any) -> None:
        ax = fig.add_subplot()
        for i, row in enumerate(rows):
            values = [v for v in row.values if v is not None]
            if len(values) >= 2:
                ax.plot([min(values), max(values)], [i, i], color=GRID, lw=3, zorder=1)
        for s, side in enumerate(gap.sides):
            points = [(i, r.values[s]) for i, r in enumerate(rows) if r.values[s] is not None]
            ax.scatter(
                [v for _, v in points],
                [i for i, _ in points],
                s=36,
                color=SERIES[s % len(SERIES)],
                label=short_label(side, 30),
                zorder=2,
            )
        ax.set_yticks(range(n), [short_label(r.title) for r in rows])
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(-2, 102)  # a dot at 0 or 100 is drawn whole
        ax.set_xlabel("Pillar score as each side sees it (0-100)")
        style_axis(ax)
        fig.legend(loc="outside lower center", ncols=min(len(gap.sides), 4))

    label = "Perception gap: each side's pillar scores"
    return draw("perception", label, 0.3 * n + 1.3, paint)

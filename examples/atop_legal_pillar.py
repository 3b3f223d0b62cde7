"""All ATOP alliances, legal pillar over time: a chart from the real ATOP 5.1 files.

    python examples/atop_legal_pillar.py DATA_DIR [OUT.svg]

DATA_DIR holds ``atop5_1m.csv`` and ``atopinst5_1.csv`` (ATOP 5.1, from
https://www.atopdata.org; ``readiness`` ships no copy). The panel has one row per
alliance-year (:func:`readiness.io.atop.atop_panel`); the chart shows, per year, the
median legal-and-institutional pillar of the alliances in effect, the band between their
25th and 75th percentiles, and (second axis) how many alliances were in effect. Needs
matplotlib (``pip install readiness[plots]``). Prints the decade medians.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(data: Path, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from readiness.io.atop import atop_panel

    panel = atop_panel(data / "atop5_1m.csv", inst=data / "atopinst5_1.csv")
    by_year = panel.groupby(level="year")["legal"]
    middle, low, high = by_year.median(), by_year.quantile(0.25), by_year.quantile(0.75)
    count = by_year.size()

    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.fill_between(middle.index, low, high, alpha=0.25, label="25th-75th percentile")
    ax.plot(middle.index, middle, label="median legal pillar")
    ax.set_xlabel("year")
    ax.set_ylabel("legal and institutional pillar (0-100)")
    ax.set_ylim(0, 100)
    twin = ax.twinx()
    twin.plot(count.index, count, color="grey", linewidth=0.8, label="alliances in effect")
    twin.set_ylabel("alliances in effect")
    lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(lines, [str(line.get_label()) for line in lines], loc="upper left")
    ax.set_title("All ATOP 5.1 alliances: legal and institutional pillar by year")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    decades = middle.groupby((middle.index // 10) * 10).median()
    print(f"{len(panel)} alliance-years; chart written to {out}")
    for decade, value in decades.items():
        print(f"{decade}s  median legal pillar {value:5.1f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "atop-legal-pillar.svg"))

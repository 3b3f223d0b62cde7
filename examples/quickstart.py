"""A tour of the Python API on the shipped examples. Run: python examples/quickstart.py"""

from pathlib import Path

import readiness

HERE = Path(__file__).resolve().parent


def main() -> None:
    rubric = readiness.load_rubric()
    print(f"Rubric {rubric.label}: {len(rubric.pillars)} pillars, {len(rubric.criteria)} criteria")

    # Score one partnership
    aukus = readiness.load_partnership(HERE / "partnerships" / "aukus.json", rubric)
    a = readiness.assess(aukus, rubric)
    print(a.summary())
    print(a.pillar_frame()[["score", "lower", "upper", "coverage"]].round(1))

    # Its gaps against the profile its kind selects, and the order to close them
    gaps = a.gaps()
    print(f"\n{len(gaps.gaps)} gaps against {gaps.profile.id} ({gaps.profile_reason})")
    print(gaps.to_frame()[["criterion", "current", "target", "impact", "effort"]].head(5))
    print(gaps.roadmap().to_frame()[["criterion", "impact", "score_after"]].head(5))

    # What if the partners agreed a dispute-resolution mechanism?
    scenario = a.what_if({"legal.dispute-resolution": 3})
    print(f"\nwhat-if dispute resolution at 3: {a.overall:.1f} -> {scenario.overall:.1f}")

    # Every example at once, through the table interface
    frames = []
    for path in sorted((HERE / "partnerships").glob("*.json")):
        p = readiness.load_partnership(path, rubric)
        frames.append(readiness.assess(p, rubric).to_dict())
    for d in frames:
        band = (d["band"] or {}).get("name", "-")  # the band is {id, name, meaning}
        score = "-" if d["overall"] is None else f"{d['overall']:.1f}"
        print(f"{d['partnership']['id']:<15} {score:>6} {band}")


if __name__ == "__main__":
    main()

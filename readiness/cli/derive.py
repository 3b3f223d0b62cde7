"""``readiness derive``: the levels a partnership's facts give, rule by rule."""

from __future__ import annotations

import argparse
from typing import Any

from readiness.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    _emit,
    _fail,
    _guarded,
    _load,
    _rubric_option,
)
from readiness.errors import ReadinessError

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``derive`` command."""
    d = sub.add_parser(
        "derive",
        help="show the levels a partnership's facts give, rule by rule",
        description=(
            "Print, for every criterion with a derive rule, the level the partnership's "
            "facts give, how (the rule and the fact values it read), and whether a rating "
            "in the file overrides it."
        ),
    )
    d.add_argument("file", metavar="FILE", help="partnership JSON file")
    _rubric_option(d)
    d.set_defaults(func=_cmd_derive)


def _cmd_derive(args: argparse.Namespace) -> int:
    """Print each derived level with its rule and facts.

    Returns:
        0, or 2 when the file is bad.
    """
    from readiness.derive import derive_partnership
    from readiness.rubric import load_rubric

    rubric = load_rubric(args.rubric)
    try:
        p = _guarded(args.file, lambda: _load(args.file, rubric))
    except ReadinessError as exc:
        _fail(exc)
        return EXIT_INPUT
    if p.facts is None:
        _emit(f"{p.id}: no facts in {args.file}; nothing to derive")
        return EXIT_OK
    derived = derive_partnership(p, rubric)
    as_of = p.assessed_on.isoformat() if p.assessed_on else "today"
    lines = [f"{p.id}: levels derived from facts as of {as_of}, rubric {rubric.label}", ""]
    counts = {"derived": 0, "overridden": 0, "unknown": 0}
    for cid, d in derived.items():
        level = "-" if d.level is None else str(d.level)
        rating = p.ratings.get(cid)
        if d.level is None:
            counts["unknown"] += 1
        elif rating is not None and rating.level != d.level:
            counts["overridden"] += 1
        else:
            counts["derived"] += 1
        rated = "" if rating is None else f"  (file rates {rating.level})"
        lines.append(f"{cid:<40} {level:>2}  {d.text}{rated}")
        lines.append(f"{'':<44}rule: {d.rule.describe()}")
    lines += [
        "",
        f"{len(derived)} rules: {counts['derived']} give a level, {counts['overridden']} "
        f"overridden by a rating, {counts['unknown']} unknown (facts missing)",
    ]
    _emit("\n".join(lines))
    return EXIT_OK

"""What every ``readiness`` verb shares: exit codes, parsing helpers, output."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness._atomic import atomic_path
from readiness.errors import InputError, ReadinessError, ReportError

if TYPE_CHECKING:  # imported where used: --help and --version stay fast
    from readiness.assessment import Assessment
    from readiness.partnership import Partnership
    from readiness.rubric import Rubric

EXIT_OK, EXIT_POLICY, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse with our error format (exit 2, one paragraph, no traceback)."""

    def error(self, message: str) -> Any:  # pragma: no cover - argparse calls exit
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"readiness: error: {message}\n")


def _rubric_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rubric",
        metavar="R",
        help="shipped rubric name or path to a rubric file (default: defense-partnership)",
    )


def _number_in(text: str, low: float, high: float, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"must be {what} between {low:g} and {high:g} (got {value:g})"
        )
    return value


def _score(text: str) -> float:
    """An overall score, 0-100 (``--fail-under``)."""
    return _number_in(text, 0, 100, "a score")


def _fraction(text: str) -> float:
    """A share, 0-1 (``--min-coverage``)."""
    return _number_in(text, 0, 1, "a share")


def _assess_file(path: str, rubric: Rubric, args: argparse.Namespace) -> Assessment:
    """Load and score one file with the scoring options the command was given."""
    from readiness.assessment import assess

    return assess(
        _load(path, rubric),
        rubric,
        unknown_policy=args.unknown_policy,
        min_coverage=args.min_coverage,
    )


def _emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _fail(exc: ReadinessError) -> None:
    sys.stderr.write(f"readiness: error: {exc}\n")


def _load(path: str, rubric: Rubric) -> Partnership:
    from readiness.partnership import load_partnership

    return load_partnership(Path(path), rubric)


def _check_fail_under(args: argparse.Namespace, results: list[Assessment], status: int) -> int:
    """Apply ``--fail-under`` (only when every input was good); returns the exit code."""
    if status == EXIT_OK and args.fail_under is not None:
        for a in results:
            if a.overall is None or a.overall < args.fail_under:
                shown = "none" if a.overall is None else f"{a.overall:.1f}"
                sys.stderr.write(
                    f"readiness: {a.partnership.id}: overall {shown} is below "
                    f"--fail-under {args.fail_under:g}\n"
                )
                status = EXIT_POLICY
    return status


def _usage_error(message: str) -> int:
    """Report a usage problem found after parsing; returns ``EXIT_INPUT``."""
    sys.stderr.write(f"readiness: error: {message}\n")
    return EXIT_INPUT


def _expand_inputs(paths: Sequence[str]) -> tuple[list[str], int]:
    """Replace directory arguments by the ``*.json`` files inside them.

    Args:
        paths: File and directory arguments, in command-line order.

    Returns:
        The files in order (a directory's files sorted by name, hidden files left
        out), and ``EXIT_INPUT`` when a directory held no JSON file (reported on
        standard error), else ``EXIT_OK``.
    """
    files: list[str] = []
    status = EXIT_OK
    for arg in paths:
        folder = Path(arg)
        if not folder.is_dir():
            files.append(arg)
            continue
        found = sorted(
            (f for f in folder.glob("*.json") if f.is_file() and not f.name.startswith(".")),
            key=_natural,
        )
        if not found:
            _fail(InputError("the directory has no *.json file", source=arg))
            status = EXIT_INPUT
        files += [str(f) for f in found]
    return files, status


def _natural(path: Path) -> list[int | str]:
    """Sort key putting ``n2.json`` before ``n10.json``."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", path.name)]


def _scoring_options(p: argparse.ArgumentParser) -> None:
    """``--unknown-policy`` and ``--min-coverage``, shared by the scoring verbs."""
    p.add_argument(
        "--unknown-policy",
        choices=("exclude", "worst"),
        help="how unknown criteria count (default: the rubric's policy)",
    )
    p.add_argument(
        "--min-coverage",
        type=_fraction,
        metavar="FRACTION",
        help="minimum rated share (0-1) for an overall score (default: the rubric's)",
    )


def _write_output(out: str, write: Callable[[Path], object]) -> None:
    """Write an output file atomically.

    Args:
        out: The file to create or replace.
        write: Writes the whole content to the temporary path it is given.

    Raises:
        ReportError: The file cannot be written (the message names it); an existing
            file is left unchanged and no temporary file is left behind.
    """
    try:
        with atomic_path(out) as tmp:
            write(tmp)
    except OSError as exc:
        raise ReportError(f"cannot write: {exc.strerror or exc}", source=out) from None

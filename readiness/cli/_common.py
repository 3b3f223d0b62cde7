"""What every ``readiness`` verb shares: exit codes, parsing helpers, output."""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from readiness._text import STARTS_A_FORMULA, neutralise
from readiness.errors import InputError, Problem, ReadinessError, ReportError

if TYPE_CHECKING:  # imported where used: --help and --version stay fast
    import pandas as pd

    from readiness.assessment import Assessment
    from readiness.partnership import Partnership
    from readiness.rubric import Rubric

EXIT_OK, EXIT_POLICY, EXIT_INPUT = 0, 1, 2

T = TypeVar("T")


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
    """Load and score one file with the scoring options the command was given.

    Raises:
        ReadinessError: The file is bad (any failure, even an unexpected one, names it).
    """
    from readiness.assessment import assess

    def run() -> Assessment:
        return assess(
            _load(path, rubric),
            rubric,
            unknown_policy=args.unknown_policy,
            min_coverage=args.min_coverage,
        )

    return _guarded(path, run)


def _guarded(path: str, work: Callable[[], T]) -> T:
    """Run ``work`` on one input file: every failure becomes a :class:`ReadinessError`
    naming ``path``, so that a multi-file verb reports that file and goes on.

    Errors the library raises keep their problems (and get ``path`` when they name no
    file); anything else (a bug, ``RecursionError``, ``MemoryError``) is reported as an
    internal error of that file. Interrupts (Ctrl-C, SIGTERM) are not caught, nor is an
    ``OSError``: inputs are read by readers that name their problems, so one that gets
    here is the output refused (a full disk, a closed pipe), no fault of the file.
    """
    try:
        return work()
    except ReadinessError as exc:
        raise (exc if exc.source else exc.with_source(path)) from None
    except OSError:
        raise
    except Exception as exc:
        raise InputError(_internal(exc), source=path) from None


def _internal(exc: BaseException) -> str:
    """The message of an unexpected failure: what it was, and that it is a bug."""
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    detail = f": {detail}" if detail else ""
    return (
        f"could not be processed ({type(exc).__name__}{detail}); this is a bug in "
        f"readiness, please report it with the file"
    )


class _Duplicates:
    """Partnerships met twice in one run: the same id and the same ``assessed_on``.

    The rule (docs/cli.md, "Input safety"): both files are scored and kept (rows, reports,
    columns), and the later one is reported as a problem naming the earlier one, so the
    command exits 2. The same id on different dates is a history, not a duplicate.
    """

    def __init__(self) -> None:
        self.first: dict[tuple[str, str], str] = {}

    def check(self, a: Assessment, path: str) -> InputError | None:
        """The problem of ``path`` when its partnership was met before, else ``None``."""
        p = a.partnership
        return self.seen(p.id, p.assessed_on.isoformat() if p.assessed_on else None, path)

    def seen(self, pid: str, day: str | None, path: str) -> InputError | None:
        """The problem of ``path`` when partnership ``pid`` of ``day`` was met before."""
        day = day or "today"
        earlier = self.first.setdefault((pid, day), path)
        if earlier == path:
            return None
        return InputError(
            [
                Problem(
                    "$.id",
                    f"partnership {pid!r} assessed on {day} is also in {earlier}; both "
                    f"are kept (tell them apart by file), but one of them is likely a copy",
                    file=path,
                )
            ],
            source=path,
        )


_SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown", ".json": "json", ".html": "html",
                   ".htm": "html"}  # fmt: skip


def _output_format(fmt: str | None, out: str | None, default: str = "table") -> str:
    """The format asked for, else the one ``out``'s extension names, else ``default``."""
    if fmt is not None:
        return fmt
    if out is not None:
        return _SUFFIX_FORMATS.get(Path(out).suffix.lower(), default)
    return default


def _emit(text: str) -> None:
    """Print ``text`` (a line break added); control, bidi and invisible characters
    from inputs are shown as ``{U+XXXX}`` (JSON output escapes them beforehand)."""
    text = neutralise(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _fail(exc: ReadinessError, all_of_them: str | None = None) -> None:
    """Report ``exc`` on standard error (``all_of_them``: where to see every problem of a
    long list, when not the error's default)."""
    text = str(exc) if all_of_them is None else exc.message(all_of_them)
    sys.stderr.write(f"readiness: error: {neutralise(text)}\n")


def _load(path: str, rubric: Rubric) -> Partnership:
    from readiness.partnership import load_partnership

    return load_partnership(Path(path), rubric)


def _check_outputs(
    args: argparse.Namespace, inputs: Iterable[str], *outputs: tuple[str, str | None]
) -> None:
    """Refuse outputs that name an input: the files (directories expanded) or the rubric.

    Raises:
        ReportError: See :func:`_refuse_inputs_as_outputs`.
    """
    if all(path is None for _, path in outputs):
        return
    files = []
    for arg in inputs:
        if os.path.isdir(arg):
            prefix = _prefix(Path(arg))  # joined as str(Path(arg) / name), without a Path each
            files += [prefix + name for name in os.listdir(arg)]
        else:
            files.append(arg)
    rubric = getattr(args, "rubric", None)
    _refuse_inputs_as_outputs(outputs, [*files, *([rubric] if rubric else [])])


def _refuse_inputs_as_outputs(
    outputs: Iterable[tuple[str, str | None]], inputs: Iterable[str]
) -> None:
    """Refuse an output path that resolves to an input file (or to another output).

    Args:
        outputs: ``(option, path)`` pairs, e.g. ``("-o", "nato.json")``; ``None`` paths
            (option not given) are skipped.
        inputs: The files read: partnerships, the rubric file, templates.

    Raises:
        ReportError: An output is an input (it would be overwritten) or two outputs are
            one file; nothing has been written.
    """
    given = [(option, path) for option, path in outputs if path is not None]
    existing = []
    for option, out in given:
        try:
            info = os.stat(out)
        except (OSError, ValueError):
            continue  # a new file cannot be an input
        if not stat.S_ISCHR(info.st_mode):  # /dev/null and the like cannot be inputs
            existing.append((option, out, (info.st_ino, info.st_dev)))
    if existing:
        _refuse_input(existing, inputs)
    for i, (option, out) in enumerate(given):
        for other_option, other in given[i + 1 :]:
            if os.path.realpath(out) == os.path.realpath(other):
                raise ReportError(
                    f"{option} and {other_option} name the same file (nothing written)",
                    source=out,
                )


def _refuse_input(outputs: list[tuple[str, str, tuple[int, int]]], inputs: Iterable[str]) -> None:
    """Refuse an existing output (option, path, its inode and device) that is an input
    file: the first such output, with the first input it is. Each input is looked up
    once (``os.stat``, which follows links, as ``os.path.samefile`` does); an input that
    cannot be looked up does not exist and is no output."""
    found: dict[int, str] = {}  # output -> the first input it is
    for source in inputs:
        if not source:
            continue
        try:
            info = os.stat(source)
        except (OSError, ValueError):
            continue
        for k, (_, _, same) in enumerate(outputs):
            if (info.st_ino, info.st_dev) == same:
                found.setdefault(k, source)
        if 0 in found:
            break
    if found:
        k = min(found)
        option, out, _ = outputs[k]
        raise ReportError(
            f"{option} names the input file {found[k]}; it would be overwritten "
            f"(nothing written: choose another output)",
            source=out,
        )


def _prefix(folder: Path) -> str:
    """What ``str(folder / name)`` puts before a plain file name (``name`` without a
    separator): the same for every name, so a folder of many files joins them as text."""
    return str(folder / "x")[:-1]


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

    A directory's files are those whose name ends in ``.json`` in any case
    (``NATO.JSON`` too), hidden files (``.name``) left out. Entries with such a name
    that are not regular files (a broken symbolic link, a named pipe, a folder) are
    named on standard error as bad inputs and not read; the other files are.

    Returns:
        The files in order (a directory's files sorted by name), and ``EXIT_INPUT``
        when a directory held no JSON file or an entry could not be read (reported on
        standard error), else ``EXIT_OK``.
    """
    files: list[str] = []
    status = EXIT_OK
    for arg in paths:
        folder = Path(arg)
        if not folder.is_dir():
            files.append(arg)
            continue
        try:
            with os.scandir(arg) as listing:  # the kind of each entry comes with its name
                entries = sorted(
                    (e for e in listing if e.name.lower().endswith(".json")),
                    key=lambda e: _natural(e.name),
                )
        except OSError as exc:
            _fail(InputError(f"cannot list the directory: {exc.strerror or exc}", source=arg))
            status = EXIT_INPUT
            continue
        prefix = _prefix(folder)
        for e in entries:
            if e.name.startswith("."):
                continue
            path = prefix + e.name
            # a regular file (a link to one too); anything else is looked at again
            problem = None if _is_file(e) else _not_a_file(Path(path))
            if problem is None:
                files.append(path)
            else:
                _fail(InputError(f"skipped: {problem}", source=path))
                status = EXIT_INPUT
        if not entries:
            _fail(InputError(f"the directory has no *.json file{_lines_hint(folder)}", source=arg))
            status = EXIT_INPUT
    return files, status


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Whether a directory entry is a regular file or a link to one."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _lines_hint(folder: Path) -> str:
    """A hint when ``folder`` holds JSON Lines files, which are read only when named."""
    try:
        lines = any(f.name.lower().endswith(".jsonl") for f in folder.iterdir())
    except OSError:
        return ""
    return (
        " (JSON Lines files are read when named: readiness assess FILE.jsonl --out ...)"
        if lines
        else ""
    )


def _not_a_file(path: Path) -> str | None:
    """Why a directory entry named ``*.json`` cannot be read as a file, or ``None``."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "a broken symbolic link" if path.is_symlink() else "cannot be read"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file"
    if stat.S_ISDIR(mode):
        return "a directory, not a file"
    return "not a regular file"


_DIGIT_RUNS = re.compile(r"(\d+)")


def _natural(name: str) -> list[int | str]:
    """Sort key of a file name putting ``n2.json`` before ``n10.json``."""
    return [int(p) if p.isdigit() else p.lower() for p in _DIGIT_RUNS.split(name)]


def _scoring_options(p: argparse.ArgumentParser) -> None:
    """``--unknown-policy`` and ``--min-coverage``, shared by the scoring verbs."""
    p.add_argument(
        "--unknown-policy",
        choices=("estimate", "exclude", "worst"),
        help="how unknown criteria count: at the level the known ones estimate, left out, "
        "or at level 0 (default: the rubric's policy)",
    )
    p.add_argument(
        "--min-coverage",
        type=_fraction,
        metavar="FRACTION",
        help="minimum rated share (0-1) for an overall score (default: the rubric's)",
    )


def _page_format_option(p: argparse.ArgumentParser) -> None:
    """``--format`` of the verbs whose result is one document: the terminal table,
    Markdown, JSON or an HTML page (default from ``-o``'s extension: :func:`_output_format`)."""
    p.add_argument(
        "--format",
        choices=("table", "markdown", "json", "html"),
        default=None,
        help="output format (default: from the extension of -o: .md, .json, .html; else table)",
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
        from readiness._atomic import atomic_path  # tempfile: not for every command

        with atomic_path(out) as tmp:
            write(tmp)
    except OSError as exc:
        raise ReportError(f"cannot write: {exc.strerror or exc}", source=out) from None


def formulas_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula quoted,
    as :func:`readiness._text.formula_as_text` quotes one text, column by column.

    Following OWASP's advice on CSV injection, a cell that starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (spreadsheets then
    show it as text); numbers (a negative score) are not text and stay as they are.
    For CSV output only: JSON Lines and Parquet keep the values as they are.
    """
    from pandas.api.types import is_string_dtype

    quoted = None
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or is_string_dtype(values.dtype)):
            continue
        risky = values.str.match(STARTS_A_FORMULA.pattern, na=False).astype(bool)
        if risky.any():
            quoted = frame.copy() if quoted is None else quoted
            quoted[column] = values.where(~risky, "'" + values.where(risky, ""))
    return frame if quoted is None else quoted

"""The ``readiness`` command: one module per verb, assembled here.

Exit codes: 0 success; 1 a policy said no (``--fail-under``); 2 bad input or usage.
Errors are one paragraph on standard error naming the file, the JSON path and the
problem; never a traceback: an unexpected failure is reported as an internal error
(exit 2). SIGTERM stops the command as Ctrl-C does (temporary files removed, exit 143).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType

from readiness._text import neutralise
from readiness._version import __version__
from readiness.cli import (
    agreement,
    assess,
    compare,
    derive,
    diff,
    examples,
    import_,
    info,
    migrate,
    plan,
    report,
    robustness,
    template,
    validate,
)
from readiness.cli._common import EXIT_INPUT, EXIT_OK, _fail, _internal, _Parser
from readiness.errors import ReadinessError

__all__ = ["main"]

DESCRIPTION = """\
Score how ready an international defense partnership is against a weighted,
evidence-anchored rubric, and report the gaps to its target, ranked by impact.
"""

EPILOG = """\
examples:
  readiness examples --all -o examples/partnerships   # the example files, from the package
  readiness assess examples/partnerships/nato.json
  readiness assess examples/partnerships/aukus.json --format markdown \\
      --target technology-partnership
  readiness assess examples/partnerships/us-japan.json --explain
  readiness assess examples/partnerships/ --out scores.csv
  readiness compare examples/partnerships/nato.json examples/partnerships/us-japan.json
  readiness diff 1.1.0 1.3.0 examples/partnerships/   # two rubric versions, scores moved
  readiness report examples/partnerships/nato.json --format html -o nato.html
  readiness validate my-partnership.json
  readiness migrate old-partnership.json --in-place
  readiness schema partnership > partnership.schema.json

environment: READINESS_ENGINE=numpy|numba|auto picks the scoring kernel (numba, the
  compiled one, comes with pip install 'readiness[fast]'; auto uses it for 65,536 rows
  or more)

exit codes: 0 success, 1 below --fail-under, 2 bad input, usage or unwritable output
"""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="readiness",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"readiness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    assess.add_parser(sub)
    validate.add_parser(sub)
    info.add_parsers(sub)
    compare.add_parser(sub)
    report.add_parser(sub)
    derive.add_parser(sub)
    diff.add_parser(sub)
    examples.add_parser(sub)
    template.add_parser(sub)
    import_.add_parser(sub)
    agreement.add_parser(sub)
    migrate.add_parser(sub)
    robustness.add_parser(sub)
    plan.add_parser(sub)
    return parser


class _Terminated(BaseException):
    """SIGTERM, raised where the command is, so that ``with`` blocks clean up."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # One is enough: a second SIGTERM (sent to a process group again and again, as
    # `docker stop`, systemd or a CI runner may) must not cut the clean-up short, nor
    # kill the process once it is clean and about to exit 143.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Terminated


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While the command runs, SIGTERM unwinds it like Ctrl-C (temporary files removed);
    after one, further SIGTERMs are ignored until the process ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    except _Terminated:
        raise  # SIGTERM stays ignored: the process is ending
    except BaseException:
        signal.signal(signal.SIGTERM, previous)
        raise
    else:
        signal.signal(signal.SIGTERM, previous)


def _system_error(exc: OSError) -> str:
    """The message of an operating-system error that no reader or writer turned into
    ours: in practice the output refused (``> /dev/full``, a full disk)."""
    reason = neutralise(exc.strerror or str(exc))
    if exc.filename is not None:
        return f"{neutralise(str(exc.filename))}: {reason}"
    try:
        sys.stdout.flush()
    except OSError:  # what standard output holds cannot be written at exit either
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
    return f"cannot write the output: {reason} (it is incomplete)"


def _tolerant_streams() -> None:
    """Characters the terminal's encoding lacks are escaped, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``readiness`` command; returns the exit code."""
    _tolerant_streams()
    parser = _parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        if os.environ.get("READINESS_ENGINE"):  # a bad value: one error, before any file
            from readiness.scoring import check_engine

            check_engine("auto")
        with _sigterm_unwinds():
            status = func(args)
            sys.stdout.flush()  # a full disk or /dev/full fails here, not at exit
            return status
    except ReadinessError as exc:
        _fail(exc)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `readiness assess ... | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 143
    except OSError as exc:  # the system's refusal (a full disk), not a bug of ours
        sys.stderr.write(f"readiness: error: {_system_error(exc)}\n")
        return EXIT_INPUT
    except Exception as exc:  # never a traceback
        sys.stderr.write(f"readiness: error: {_internal(exc)}\n")
        return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

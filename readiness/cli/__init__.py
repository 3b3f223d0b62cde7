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
import types
from collections.abc import Callable, Iterator, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from readiness._version import __version__

if TYPE_CHECKING:
    from types import FrameType

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse with our error format (exit 2, one paragraph, no traceback)."""

    def error(self, message: str) -> Any:  # pragma: no cover - argparse calls exit
        self.print_usage(sys.stderr)
        self.exit(2, f"readiness: error: {message}\n")  # EXIT_INPUT of cli._common


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
  or more); pydantic's plugins are not loaded while a command runs unless
  PYDANTIC_DISABLE_PLUGINS is set (0 loads them all)

exit codes: 0 success, 1 below --fail-under, 2 bad input, usage or unwritable output
"""


COMMANDS: dict[str, tuple[str, str]] = {
    "assess": ("assess", "score partnership files and report their gaps"),
    "validate": ("validate", "check partnership or rubric files without scoring"),
    "rubrics": ("info", "list the shipped rubrics, or one rubric's criteria"),
    "schema": (
        "info",
        "print the JSON Schema of an input file or of a JSON document readiness writes",
    ),
    "compare": ("compare", "put partnerships side by side, and show what changed between dates"),
    "report": ("report", "write the full report of one partnership as HTML, Markdown or JSON"),
    "derive": ("derive", "show the levels a partnership's facts give, rule by rule"),
    "diff": ("diff", "what changed between two rubrics, and how it moves partnerships' scores"),
    "examples": ("examples", "list the example partnership files, or write them into a folder"),
    "template": ("template", "write a questionnaire (xlsx, csv or json) for assessors to fill in"),
    "import": ("import_", "read filled questionnaires back into a partnership or panel JSON file"),
    "agreement": (
        "agreement",
        "agreement of several assessors, items to adjudicate and each side's view",
    ),
    "migrate": ("migrate", "rewrite old partnership or rubric files into the current format"),
    "robustness": (
        "robustness",
        "band probabilities, rank intervals, Sobol sensitivity and weight margins",
    ),
    "plan": (
        "plan",
        "the least effort that reaches a band or score (or the best score in a budget)",
    ),
    "trend": (
        "trend",
        "follow a partnership over time (or ATOP alliances): scores, bands, causes",
    ),
    "weights": (
        "weights",
        "derive rubric weights from assessors' pairwise comparisons or swings",
    ),
}
"""Every command, in the order ``--help`` lists them: the module of ``readiness.cli``
that defines it (its ``add_parser``, or ``add_parsers`` for several) and its one-line
help. Only the module of the command being run is imported; ``--help`` and
``--version`` import none (tests/test_cli.py holds these lines to the modules' own)."""


def _chosen(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs: its first word not starting with ``-`` (the top level
    has only ``--help`` and ``--version``, which take no value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of ``argv``'s command (with ``argv`` None, of every command).

    When ``argv`` starts with a command's name, that command is the only one the parser
    has: nothing else can be parsed, nor shown (an error shows the command's own usage).
    Otherwise (``--help``, an unknown command, an option first) every other command has
    only its name and help line, which is all ``--help`` and the "invalid choice" error
    show. Each parser argparse makes looks up its translations, about 0.3 ms apiece."""
    parser = _Parser(
        prog="readiness",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"readiness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = None if argv is None else COMMANDS.get(_chosen(argv) or "", ("",))[0]
    alone = chosen if argv and argv[0] in COMMANDS else None
    added: set[str] = set()
    for name, (module_name, help_line) in COMMANDS.items():
        if name in added or (alone is not None and module_name != alone):
            continue
        if argv is not None and module_name != chosen:
            sub.add_parser(name, help=help_line)
            continue
        module: Any = import_module(f"readiness.cli.{module_name}")
        before = set(sub.choices)
        (getattr(module, "add_parsers", None) or module.add_parser)(sub)
        added |= set(sub.choices) - before
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
    from readiness._text import neutralise

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


_PLUGIN_LOADER = "pydantic.plugin._loader"
"""pydantic's plugin loader: imported to build the first model, and with it
``importlib.metadata`` (and ``zipfile``, ``email``, ``csv``, ``importlib.resources``),
even when no plugin is to be loaded."""


@contextlib.contextmanager
def _no_pydantic_plugins() -> Iterator[None]:
    """While the command runs, pydantic looks for no plugins (the first model it builds
    would otherwise scan every installed distribution's entry points). A user who sets
    ``PYDANTIC_DISABLE_PLUGINS`` themselves (``0`` keeps every plugin) is obeyed, and the
    variable is as it was afterwards (``main`` may run inside a test or a notebook).

    With ``__all__`` pydantic's loader finds no plugins, but importing it still loads
    ``importlib.metadata``: unless the loader is loaded already, a stand-in whose
    ``get_plugins`` finds none, as the loader's would, takes its place while the command
    runs, and is removed afterwards (a later model in the process loads the real one)."""
    name = "PYDANTIC_DISABLE_PLUGINS"
    if name in os.environ:
        yield
        return
    os.environ[name] = "__all__"
    stand_in = None
    if _PLUGIN_LOADER not in sys.modules:
        stand_in = types.ModuleType(_PLUGIN_LOADER, "No pydantic plugins (readiness's CLI).")
        stand_in.get_plugins = tuple  # type: ignore[attr-defined]  # () : no plugins
        sys.modules[_PLUGIN_LOADER] = stand_in
    try:
        yield
    finally:
        os.environ.pop(name, None)
        if stand_in is not None and sys.modules.get(_PLUGIN_LOADER) is stand_in:
            del sys.modules[_PLUGIN_LOADER]


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
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(argv).parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    with _no_pydantic_plugins():
        return _run(func, args)


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command; every failure becomes its exit code and one line on stderr."""
    from readiness.cli._common import EXIT_INPUT, EXIT_OK, _fail, _internal
    from readiness.errors import ReadinessError

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

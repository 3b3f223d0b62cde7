"""The ``readiness`` command: one module per verb, assembled here.

Exit codes: 0 success; 1 a policy said no (``--fail-under``); 2 bad input or usage.
Errors are one paragraph on standard error naming the file, the JSON path and the
problem; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from readiness._version import __version__
from readiness.cli import assess, compare, derive, examples, info, plan, report, validate
from readiness.cli._common import EXIT_INPUT, EXIT_OK, _fail, _Parser
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
  readiness report examples/partnerships/nato.json --format html -o nato.html
  readiness validate my-partnership.json
  readiness schema partnership > partnership.schema.json

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
    examples.add_parser(sub)
    plan.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``readiness`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ReadinessError as exc:
        _fail(exc)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `readiness assess ... | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

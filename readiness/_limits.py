"""Every limit on what ``readiness`` reads and computes, in one place.

Files may come from anyone, so each reader holds them to these limits and refuses a
file that breaks one with an error naming the file, the place and the limit; memory
then stays proportional to what a file really holds. docs/cli.md ("Input safety") and
docs/assessors.md ("Limits") list them for users.
"""

from __future__ import annotations

__all__ = [
    "MAX_ASSESSORS",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_DEPTH",
    "MAX_EXPANDED_BYTES",
    "MAX_EXPANDED_VALUES",
    "MAX_INT_DIGITS",
    "MAX_PART_BYTES",
    "MAX_ROWS",
    "MAX_SHARED_STRINGS",
    "MAX_SOBOL_N",
    "MAX_SOBOL_VALUES",
    "int_digits",
    "long_integer",
    "too_deep",
]

# --- every file ------------------------------------------------------------------------

MAX_BYTES = 50_000_000
"""Largest file read (50 MB): JSON, YAML, a CSV or JSON questionnaire, an xlsx workbook.
Far above any rubric, partnership or questionnaire."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings. The formats need fewer than 10 levels."""

MAX_INT_DIGITS = 4300
"""Longest integer literal: Python's default limit for converting text to int."""

MAX_EXPANDED_VALUES = 1_000_000
"""Most values a YAML document may hold once its aliases are expanded."""


def int_digits(literal: str) -> int:
    """The digits of an integer literal (sign and ``_`` separators aside)."""
    return len(literal.lstrip("+-").replace("_", ""))


def long_integer(digits: int) -> str:
    """The problem of an integer literal longer than :data:`MAX_INT_DIGITS`."""
    return f"an integer of {digits} digits; at most {MAX_INT_DIGITS} are allowed"


def too_deep() -> str:
    """The problem of lists and mappings nested deeper than :data:`MAX_DEPTH`."""
    return f"lists and mappings are nested more than {MAX_DEPTH} levels deep"


# --- questionnaires (readiness import, agreement) --------------------------------------

MAX_PART_BYTES = 50_000_000
"""Largest part of an xlsx workbook (a sheet, the shared strings) once expanded: an
xlsx file is a zip archive, and a few MB of it can expand to gigabytes."""

MAX_EXPANDED_BYTES = 200_000_000
"""Most bytes all the parts of an xlsx workbook expand to together."""

MAX_SHARED_STRINGS = 200_000
"""Most texts in an xlsx workbook's shared-strings table (a questionnaire needs about a
thousand)."""

MAX_ROWS = 10_000
"""Most rows of a questionnaire table: rows of a sheet (row numbers up to 10,000), lines
of a CSV file, rows (criteria and further pieces of evidence) of a JSON questionnaire.
A questionnaire has one row per criterion and one per further piece of evidence."""

MAX_COLUMNS = 100
"""Most columns read (A to CV): a cell with content further right is refused. The
questionnaire has 17."""

MAX_CELL_CHARS = 32_767
"""Longest text of one cell (or one JSON questionnaire value): Excel's own limit."""

# --- panels and analyses ---------------------------------------------------------------

MAX_ASSESSORS = 1_000
"""Most assessors in one panel (a panel file, or the questionnaires or partnership files
of ``readiness agreement`` and ``import``)."""

# The uncertainty analysis keeps its own (readiness.robustness.uncertainty): at most
# 1,000,000 samples, and samples x partnerships at most 200 million.

MAX_SOBOL_N = 65_536
"""Largest base sample of a Sobol estimate (``robustness --sobol N``)."""

MAX_SOBOL_VALUES = 25_000_000
"""Most values a Sobol estimate may hold: its ``n x (factors + 2)`` samples times the
factors and the outputs (two per partnership). It needs about 80 bytes a value at its
peak, so this is about 2 GB (``--sobol 65536`` on one partnership of the shipped
rubric: 19 million)."""

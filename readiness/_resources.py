"""Where the shipped data (rubrics, seed cards) lives.

In a wheel the data sits inside the package at ``readiness/_data``; in a source
checkout or an editable install it is read from the top-level ``rubrics/`` and
``seeds/`` folders, so an edit to a rubric shows up without reinstalling.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["data_dir"]

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def data_dir(kind: str) -> Traversable:
    """Return the folder holding shipped data of one kind (``rubrics`` or ``seeds``)."""
    packaged = resources.files("readiness") / "_data" / kind
    if packaged.is_dir():
        return packaged
    return _SOURCE_ROOT / kind

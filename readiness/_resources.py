"""Where the shipped data (rubrics, seed cards, example partnerships) lives.

In a wheel the data sits inside the package at ``readiness/_data/<kind>``; in a source
checkout or an editable install it is read from the top-level folders (``rubrics/``,
``seeds/`` and ``examples/partnerships/``), so an edit to a rubric shows up without
reinstalling.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["SCHEMAS", "data_dir", "schema_file"]

_SOURCE_ROOT = Path(__file__).resolve().parent.parent
_PACKAGE = Path(__file__).parent
"""The package's folder, as :func:`importlib.resources.files` names it when the package
is a folder on disk (the usual case): read directly, without loading
``importlib.resources`` and its zip reader on every command."""

#: The JSON Schemas shipped in ``readiness/schemas/`` (``readiness schema KIND`` prints each).
SCHEMAS = ("partnership", "rubric", "report")

#: Kind of shipped data -> its folder in a source checkout, relative to the top level.
_SOURCE_DIRS = {"rubrics": "rubrics", "seeds": "seeds", "examples": "examples/partnerships"}


def data_dir(kind: str) -> Traversable:
    """Return the folder holding shipped data of one kind.

    Args:
        kind: ``rubrics``, ``seeds`` or ``examples`` (the example partnership files).

    Raises:
        KeyError: Unknown kind.
    """
    source = _SOURCE_DIRS[kind]
    packaged: Traversable = _PACKAGE / "_data" / kind
    if not _PACKAGE.is_dir():  # imported from a zip archive: importlib.resources reads it
        from importlib import resources

        packaged = resources.files("readiness") / "_data" / kind
    if packaged.is_dir():
        return packaged
    return _SOURCE_ROOT / source


def schema_file(kind: str) -> Path:
    """Return the path of a shipped JSON Schema, ``readiness/schemas/KIND.schema.json``.

    The files are what ``readiness schema KIND`` prints (the partnership schema with the
    default rubric's criterion ids), checked in and kept equal by the tests; an editor
    reads them from here (see ``docs/editors.md``).

    Args:
        kind: One of :data:`SCHEMAS`.

    Raises:
        KeyError: Unknown kind.

    >>> schema_file("partnership").name
    'partnership.schema.json'
    """
    if kind not in SCHEMAS:
        raise KeyError(kind)
    return Path(__file__).resolve().parent / "schemas" / f"{kind}.schema.json"

"""The partnership's validator, built from a core schema made once (``make parsed``).

pydantic builds a model's validator on its first use (``defer_build``), and for a
partnership that is about 30 ms: a seventh of a cold ``readiness assess FILE``, paid by
every command and every batch worker that reads one file. Almost all of it is pydantic
generating the core schema (the nested dict ``pydantic_core`` compiles); compiling it is
under a millisecond.

``make parsed`` writes the core schema of each model in :data:`MODELS` (pickled: it holds
the package's own classes and validator functions, by name) into :data:`PREBUILT`, under
the SHA-256 of the code that defines it (:data:`SCHEMA_CODE`, the modules ``import
readiness.partnership`` loads) with the versions of Python and pydantic it was written
with. :func:`validator` compiles it into a ``pydantic_core.SchemaValidator`` when that
key is the current one, and gives ``None`` otherwise (an edited module, another pydantic,
no file): then the model's own validator is built, as before. Both validate the same
way (``tests/test_prebuilt.py`` holds them equal, document by document and error by
error).

The model class is left as it is: what else needs its own schema (serialising, the JSON
Schema, ``model_validate``) still builds it on first use. pydantic wraps a model's
validator in its plugins (none is a dependency): the pre-built one is used only while
``PYDANTIC_DISABLE_PLUGINS`` turns them all off, as the command line does while a
command runs (:func:`readiness.cli._no_pydantic_plugins`); elsewhere (a notebook, a
user who keeps their plugins) the model's own validator is built, plugins and all.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import SchemaValidator

PREBUILT = Path(__file__).with_name("_schemas.marshal")
"""The versions of Python and pydantic it was written with, and per model (by its
qualified name, ``readiness.partnership.Partnership``) the key of the code that defines
it (:func:`_key`) and its pickled core schema and core config."""

MODELS = ("readiness.partnership.Partnership",)
"""The models whose core schema is written to :data:`PREBUILT` (``make parsed``)."""

SCHEMA_CODE = (
    "_io", "_limits", "_models", "_prebuilt", "_resources", "errors", "facts", "partnership",
    "rubric", "rules", "sources",
)  # fmt: skip
"""The package's modules whose code defines the models of :data:`MODELS`: those ``import
readiness.partnership`` loads, but the package's ``__init__`` and ``_version``
(``tests/test_prebuilt.py`` checks the list). An edit to any of them leaves the
pre-built schema unused until ``make parsed`` writes it again."""

_VALIDATORS: dict[str, SchemaValidator | None] = {}
"""Per model, its validator compiled from :data:`PREBUILT` (``None``: none is current)."""
_LOCK = threading.Lock()


def versions() -> str:
    """The versions a core schema depends on besides the package's own code."""
    import pydantic
    import pydantic_core

    python = f"{sys.implementation.name} {sys.version_info[0]}.{sys.version_info[1]}"
    return f"{python}, pydantic {pydantic.VERSION}, pydantic-core {pydantic_core.__version__}"


def _key(written_with: str) -> str | None:
    """SHA-256 of ``written_with`` (:func:`versions`) and the code of :data:`SCHEMA_CODE`;
    ``None`` when a module cannot be read (a package installed without its sources)."""
    digest = hashlib.sha256(written_with.encode())
    folder = Path(__file__).parent
    try:
        for module in SCHEMA_CODE:
            code = (folder / f"{module}.py").read_bytes()
            digest.update(len(code).to_bytes(8, "little"))
            digest.update(code)
    except OSError:
        return None
    return digest.hexdigest()


@cache
def _table() -> tuple[str, dict[str, tuple[str, bytes]]]:
    """:data:`PREBUILT`'s versions and table (empty when absent or unreadable)."""
    try:
        written_with, table = marshal.loads(PREBUILT.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):  # absent, or another marshal format
        return "", {}
    return (written_with, table) if isinstance(table, dict) else ("", {})


_NO_PLUGINS = frozenset({"__all__", "1", "true"})
"""The values of ``PYDANTIC_DISABLE_PLUGINS`` with which pydantic loads no plugin."""


def validator(model: type[BaseModel]) -> SchemaValidator | None:
    """``model``'s validator compiled from its pre-built core schema, made once per
    process; ``None`` when :data:`PREBUILT` holds none for this code and these versions,
    or when a pydantic plugin may be loaded (then validate with the model's own)."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in _NO_PLUGINS:
        return None
    name = f"{model.__module__}.{model.__qualname__}"
    try:
        return _VALIDATORS[name]
    except KeyError:
        pass
    with _LOCK:
        if name not in _VALIDATORS:
            _VALIDATORS[name] = _compiled(model, name)
    return _VALIDATORS[name]


def _compiled(model: type[BaseModel], name: str) -> SchemaValidator | None:
    written_with, table = _table()
    entry = table.get(name)
    if entry is None or written_with != versions():
        return None
    key, pickled = entry
    if key != _key(written_with):
        return None
    import pickle  # here: only the package's own file is unpickled

    from pydantic_core import SchemaValidator

    try:
        schema, config = pickle.loads(pickled)
        compiled = SchemaValidator(schema, config)
    except Exception:  # pragma: no cover - a class or function renamed since (key aside)
        return None
    # the schema validates into this very class (not another of the same name)
    return compiled if _model_class(schema) is model else None


def _model_class(schema: dict[str, Any]) -> object:
    """The class a core schema validates into: its first ``cls``, down its ``schema``
    entries (through definitions and model-wide validators)."""
    node: Any = schema
    while isinstance(node, dict) and "cls" not in node:
        node = node.get("schema")
    return node.get("cls") if isinstance(node, dict) else None


def write_prebuilt(out: Path = PREBUILT) -> None:
    """Build each model of :data:`MODELS` in full and write its core schema to ``out``
    (see :data:`PREBUILT`)."""
    import importlib
    import pickle

    from pydantic._internal._config import ConfigWrapper  # written here only

    written_with = versions()
    key = _key(written_with)
    if key is None:  # pragma: no cover - the package's own files
        raise OSError("cannot read the code the models are defined in")
    table: dict[str, tuple[str, bytes]] = {}
    for name in MODELS:
        module, _, qualname = name.rpartition(".")
        model: Any = getattr(importlib.import_module(module), qualname)
        model.model_rebuild()  # the schema itself, not the placeholder of defer_build
        schema = model.__pydantic_core_schema__
        config = ConfigWrapper(model.model_config, check=False).core_config(title=qualname)
        table[name] = (key, pickle.dumps((schema, config), protocol=5))
    out.write_bytes(marshal.dumps((written_with, table)))
    _table.cache_clear()
    _VALIDATORS.clear()

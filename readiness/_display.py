"""How result objects find their renderers without importing the render layer.

Result types (:class:`~readiness.Assessment`, :class:`~readiness.GapReport`,
:class:`~readiness.Comparison`, ...) live in the *explain* layer and must not import
``readiness.report`` (the *render* layer sits above them). Their convenience methods
(``to_markdown()``, ``_repr_html_()``) call :func:`render` instead, and the render
layer registers one function per (result type, format) with :func:`renderer`.

The registry fills itself on first use by importing :mod:`readiness.report.display`,
the one module that wires result types to renderers. This is dependency inversion,
not a hidden upward import: nothing here names a result type or a renderer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Literal, TypeVar

__all__ = ["Format", "Rendered", "render", "renderer"]

Format = Literal["markdown", "text", "html", "json"]
"""``html`` is the notebook fragment; full documents come from ``readiness.report``."""

_REGISTRY: dict[tuple[type, str], Callable[[Any], Any]] = {}
_WIRING = "readiness.report.display"

F = TypeVar("F", bound=Callable[[Any], Any])


def renderer(kind: type, fmt: Format) -> Callable[[F], F]:
    """Register the decorated function as the ``fmt`` renderer of ``kind``."""

    def register(fn: F) -> F:
        _REGISTRY[(kind, fmt)] = fn
        return fn

    return register


def render(obj: object, fmt: Format) -> Any:
    """Render ``obj`` in ``fmt`` with the function the render layer registered.

    Raises:
        TypeError: No renderer is registered for this type and format.
    """
    if not _REGISTRY:
        importlib.import_module(_WIRING)
    for kind in type(obj).__mro__:
        fn = _REGISTRY.get((kind, fmt))
        if fn is not None:
            return fn(obj)
    raise TypeError(f"no {fmt} renderer for {type(obj).__name__}")


class Rendered:
    """Mixin of result types: Markdown, text and notebook display through the render layer.

    A renderer for each format must be registered (``readiness/report/display.py``); a
    type without a text layout raises ``TypeError`` from :meth:`to_text`.
    """

    __slots__ = ()

    def to_markdown(self) -> str:
        """The result as Markdown (text from input files escaped)."""
        return str(render(self, "markdown"))

    def to_text(self) -> str:
        """The result as plain text for a terminal."""
        return str(render(self, "text"))

    def _repr_html_(self) -> str:
        """Notebook display (escaped HTML)."""
        return str(render(self, "html"))

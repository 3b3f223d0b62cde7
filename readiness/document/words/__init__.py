"""The one place where reasons and figures become words.

Results carry what they found as data: reason codes with their figures (a failed
gate's level and cap, a gap's band and gain, a change's old and new value). Their
documents call the functions here to say it, so every sentence a reader sees is
written once, in one voice, and a change of wording is a change to this package only.
One module per subject (:mod:`~readiness.document.words.compare`,
:mod:`~readiness.document.words.gaps`, ...); every function takes plain values and
returns plain text (renderers escape it).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from readiness.document.words.numbers import score, value

if TYPE_CHECKING:
    from readiness.document.words import compare, diff, explain, gaps, panel, plan, weights

_SUBJECTS = frozenset({"compare", "diff", "explain", "gaps", "panel", "plan", "weights"})
"""The subjects' modules, loaded on first use (PEP 562): a terminal report loads the
words of its gaps, not those of a comparison, a diff, a panel or a plan."""


def __getattr__(name: str) -> Any:
    if name not in _SUBJECTS:
        raise AttributeError(f"module 'readiness.document.words' has no attribute {name!r}")
    return import_module(f"readiness.document.words.{name}")  # sets the attribute


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBJECTS})


__all__ = ["compare", "diff", "explain", "gaps", "panel", "plan", "score", "value", "weights"]

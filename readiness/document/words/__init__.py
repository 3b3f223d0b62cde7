"""The one place where reasons and figures become words.

Results carry what they found as data: reason codes with their figures (a failed
gate's level and cap, a gap's band and gain, a change's old and new value). Their
documents call the functions here to say it, so every sentence a reader sees is
written once, in one voice, and a change of wording is a change to this package only.
One module per subject (:mod:`~readiness.document.words.compare`,
:mod:`~readiness.document.words.gaps`, ...); every function takes plain values and
returns plain text (renderers escape it).
"""

from readiness.document.words import compare, explain, gaps, panel, plan
from readiness.document.words.numbers import score, value

__all__ = ["compare", "explain", "gaps", "panel", "plan", "score", "value"]

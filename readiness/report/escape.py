"""Escaping text from input files (kept here for imports; the code is
:mod:`readiness.document.escape`)."""

from readiness.document.escape import CONTROL, json_neutralise, markdown_escape, neutralise

__all__ = ["CONTROL", "json_neutralise", "markdown_escape", "neutralise"]

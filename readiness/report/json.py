"""Render a :class:`~readiness.report.model.Report` as JSON."""

from __future__ import annotations

import json

from readiness.report.escape import json_neutralise
from readiness.report.model import Report

__all__ = ["render_json"]


def render_json(report: Report) -> str:
    """The whole report as a JSON document: keys sorted, floats rounded to 2 decimals.

    Deterministic for the same input, UTF-8 text (not ASCII-escaped but for control,
    bidi and invisible characters, written ``\\uXXXX``), ending in a newline.
    """
    text = json.dumps(report.to_dict(), sort_keys=True, indent=2, ensure_ascii=False)
    return json_neutralise(text) + "\n"

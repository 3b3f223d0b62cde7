"""Render a :class:`~readiness.readout.Report` as JSON."""

from __future__ import annotations

from readiness.document import Section
from readiness.document import render_json as _render
from readiness.readout import Report

__all__ = ["render_json"]


def render_json(report: Report, *, sections: tuple[Section, ...] = ()) -> str:
    """The whole report as a JSON document, each of ``sections`` under its key: keys
    sorted, numbers unrounded, UTF-8 text (control, bidi and invisible characters
    written ``\\uXXXX``), ending in a newline; deterministic for the same input."""
    return _render(report.to_document(brief=True).with_sections(*sections))

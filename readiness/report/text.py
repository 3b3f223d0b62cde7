"""Render a :class:`~readiness.readout.Report` as text for a terminal (its brief document)."""

from __future__ import annotations

from readiness.document import Section
from readiness.document import render_text as _render
from readiness.readout import Report

__all__ = ["render_text"]


def render_text(r: Report, *, sections: tuple[Section, ...] = ()) -> str:
    """The report's summary (facts, pillars, the top gaps, unrated criteria), with
    ``sections`` at the end; running text fits 78 columns."""
    return _render(r.to_document(brief=True).with_sections(*sections))

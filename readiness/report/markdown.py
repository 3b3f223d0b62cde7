"""Render a :class:`~readiness.readout.Report` as Markdown (its whole document)."""

from __future__ import annotations

from readiness.document import Section
from readiness.document import render_markdown as _render
from readiness.readout import Report

__all__ = ["render_markdown"]


def render_markdown(r: Report, *, sections: tuple[Section, ...] = ()) -> str:
    """The whole report as one Markdown document, with ``sections`` (a plan, robustness,
    a panel) at the end; deterministic for the same input."""
    return _render(r.to_document().with_sections(*sections))

"""Reports: one model built from an assessment, several renderers."""

from readiness.report.markdown import render_markdown
from readiness.report.model import Report, build_report
from readiness.report.text import render_text

__all__ = ["Report", "build_report", "render_markdown", "render_text"]

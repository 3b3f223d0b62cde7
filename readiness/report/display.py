"""The one place where result types are wired to their renderers.

Result types live below the render layer and cannot import it; their convenience
methods (``to_markdown()``, ``to_text()``, ``_repr_html_()``, ``Assessment.to_dict()``)
call :func:`readiness._display.render`, which imports this module the first time a
result object is rendered. Each entry below registers one renderer for one (result
type, format) pair and only hands the object to a function of the render layer; add a
type by adding its entries here.
"""

from __future__ import annotations

from typing import Any

from readiness._display import renderer
from readiness.audit import Audit
from readiness.panel import PanelResult
from readiness.plan import Frontier, Plan
from readiness.report.agreement import panel_section
from readiness.report.plan import (
    frontier_html,
    frontier_markdown,
    plan_html,
    plan_json,
    plan_markdown,
    plan_text,
)
from readiness.report.robustness import (
    audit_markdown,
    robustness_html,
    robustness_markdown,
    robustness_text,
)
from readiness.robustness import Robustness, Sensitivity, Uncertainty

__all__: list[str] = []


# --- several assessors (readiness.panel) ----------------------------------------------


@renderer(PanelResult, "markdown")
def _panel_markdown(r: PanelResult) -> str:
    return panel_section(r, "markdown")


@renderer(PanelResult, "text")
def _panel_text(r: PanelResult) -> str:
    return panel_section(r, "text")


@renderer(PanelResult, "html")
def _panel_html(r: PanelResult) -> str:
    return panel_section(r, "html", charts=False)


# --- robustness (readiness.robustness, readiness.audit) ----------------------------------


@renderer(Robustness, "markdown")
def _robustness_markdown(r: Robustness) -> str:
    return robustness_markdown(r)


@renderer(Robustness, "text")
def _robustness_text(r: Robustness) -> str:
    return robustness_text(r)


@renderer(Robustness, "html")
def _robustness_html(r: Robustness) -> str:
    return robustness_html(r)


@renderer(Uncertainty, "markdown")
def _uncertainty_markdown(u: Uncertainty) -> str:
    return u.to_frame().to_markdown() if _has_tabulate() else u.to_frame().to_string()


@renderer(Uncertainty, "text")
def _uncertainty_text(u: Uncertainty) -> str:
    return u.to_frame().to_string()


@renderer(Uncertainty, "html")
def _uncertainty_html(u: Uncertainty) -> str:
    return u.to_frame().to_html()


@renderer(Sensitivity, "markdown")
def _sensitivity_markdown(s: Sensitivity) -> str:
    return s.to_frame().to_string()


@renderer(Sensitivity, "html")
def _sensitivity_html(s: Sensitivity) -> str:
    return s.to_frame().to_html()


@renderer(Audit, "markdown")
def _audit_markdown(a: Audit) -> str:
    return audit_markdown(a)


@renderer(Audit, "html")
def _audit_html(a: Audit) -> str:
    return a.pillars.to_html()


def _has_tabulate() -> bool:
    from importlib.util import find_spec

    return find_spec("tabulate") is not None


# --- plans (readiness.plan) ------------------------------------------------------------


@renderer(Plan, "markdown")
def _plan_markdown(p: Plan) -> str:
    return plan_markdown(p)


@renderer(Plan, "text")
def _plan_text(p: Plan) -> str:
    return plan_text(p)


@renderer(Plan, "html")
def _plan_html(p: Plan) -> str:
    return plan_html(p)


@renderer(Plan, "json")
def _plan_json(p: Plan) -> dict[str, Any]:
    return plan_json(p)


@renderer(Frontier, "markdown")
def _frontier_markdown(f: Frontier) -> str:
    return frontier_markdown(f)


@renderer(Frontier, "html")
def _frontier_html(f: Frontier) -> str:
    return frontier_html(f)

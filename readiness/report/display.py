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
from readiness.plan import Frontier, Plan
from readiness.report.plan import (
    frontier_html,
    frontier_markdown,
    plan_html,
    plan_json,
    plan_markdown,
    plan_text,
)

__all__: list[str] = []


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

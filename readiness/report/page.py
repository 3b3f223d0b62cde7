"""Any result's document as one self-contained HTML page.

The assessment report has its own designed page (:func:`readiness.report.render_html`);
every other result (a comparison, a trend, a plan...) gets this one: the report's
stylesheet, the document's HTML (:func:`readiness.document.render_html`), no script,
nothing fetched. The same document always gives the same bytes.
"""

from __future__ import annotations

from markupsafe import Markup

from readiness._version import __version__
from readiness.document import Document
from readiness.document import render_html as _fragment
from readiness.document.escape import neutralise
from readiness.report.html import environment

__all__ = ["render_page"]


def render_page(doc: Document, *, charts: bool | None = None) -> str:
    """``doc`` as a whole HTML page (``charts``: as for
    :func:`readiness.document.render_html`)."""
    body = Markup(_fragment(doc, charts=charts))  # escaped by the document renderer
    page = (
        environment()
        .get_template("document.html.j2")
        .render(title=doc.title, body=body, version=__version__)
    )
    return neutralise(page)

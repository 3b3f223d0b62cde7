"""Optional sections added to a rendered report: robustness, a plan, a panel.

The main :class:`~readiness.report.model.Report` holds what every report shows. An
analysis that is run on request (robustness needs thousands of samples, a plan an
optimisation) adds its section to the rendered document instead: as a key of the JSON
document, or as a block of the HTML report before its evidence appendix, or at the end of Markdown
and text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Section", "add_section"]


@dataclass(frozen=True)
class Section:
    """One optional section in every format.

    Attributes:
        key: Its key in the JSON document.
        data: Its JSON-ready data.
        markdown: It as Markdown (also used for text reports).
        html: It as an HTML fragment (escaped, self-contained).
    """

    key: str
    data: Any
    markdown: str
    html: str


def add_section(rendered: str, fmt: str, section: Section) -> str:
    """``rendered`` (a report in ``fmt``: json, html, markdown or text) with ``section``."""
    if fmt == "json":
        doc = json.loads(rendered)
        doc[section.key] = section.data
        return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        # before the evidence appendix (else the colophon), styled like the report's blocks
        at = -1
        for mark in ('<section class="block major" id="evidence"', '<footer class="colophon">'):
            at = rendered.find(mark)
            if at >= 0:
                break
        at = at if at >= 0 else rendered.rfind("</main>")
        block = f'<section class="block" id="{section.key}">\n{section.html}</section>\n'
        return rendered[:at] + block + rendered[at:]
    return rendered.rstrip("\n") + "\n\n" + section.markdown.rstrip("\n") + "\n"

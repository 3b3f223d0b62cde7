"""The JSON form of a :class:`~readiness.document.blocks.Document`.

A document's JSON is its result's data (``Document.data``) with one key per keyed
section (``Section.key`` → ``Section.data``): the blocks are a layout, the data is
the result. Keys are sorted, text is UTF-8 with control, bidi and invisible
characters written ``\\uXXXX``, and the text ends in a newline.
"""

from __future__ import annotations

import json
from typing import Any

from readiness.document.blocks import Document, Section
from readiness.document.escape import json_neutralise

__all__ = ["document_data", "render_json"]


def document_data(doc: Document) -> dict[str, Any]:
    """The document's data with its keyed sections' data (top level and nested)."""
    out = dict(doc.data)

    def walk(blocks: tuple[object, ...]) -> None:
        for b in blocks:
            if isinstance(b, Section):
                if b.key is not None:
                    out[b.key] = b.data
                walk(b.blocks)

    walk(doc.blocks)
    return out


def render_json(doc: Document) -> str:
    """The document's data as JSON text."""
    text = json.dumps(document_data(doc), sort_keys=True, indent=2, ensure_ascii=False)
    return json_neutralise(text) + "\n"

"""Plain text, logs and source code: decode the bytes, keep the text as one section.

The chunker splits on blank lines, which in code fall between functions and
in prose between paragraphs, so no format-specific structure is needed here.
"""

from __future__ import annotations

import mimetypes

from core.normalize.extract.base import Extraction, ExtractLimits, TextBudget, build_sections
from core.normalize.extract.textdecode import decode_text
from core.types import Section


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    decoded = decode_text(data)
    budget = TextBudget(limits.max_chars)
    sections = build_sections([Section(decoded.text)], budget)
    mime = mimetypes.guess_type(name, strict=False)[0] or "text/plain"
    if not mime.startswith("text/") and "json" not in mime and "xml" not in mime:
        mime = "text/plain"
    return Extraction(
        sections=sections,
        mime=mime,
        notes=decoded.notes + budget.notes(),
        meta={"encoding": decoded.encoding},
    )

"""Presentations: PPTX with python-pptx, ODP with odfpy — each slide a section with its text, tables and notes.

The zip container is checked first (``zipguard``).  A slide's title becomes
the section heading; speaker notes follow the slide's text under "Notes:".
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    build_sections,
)
from core.normalize.extract.zipguard import check_zip
from core.types import Section

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODP_MIME = "application/vnd.oasis.opendocument.presentation"
_DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_PRESENTATION_NS = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _shape_texts(shapes: Any) -> list[str]:
    """Text of every shape, descending into groups; tables as `` | `` rows."""
    out: list[str] = []
    stack = list(reversed(list(shapes)))
    while stack:
        shape = stack.pop()
        if getattr(shape, "shape_type", None) == 6 and hasattr(shape, "shapes"):  # MSO_SHAPE_TYPE.GROUP
            stack.extend(reversed(list(shape.shapes)))
            continue
        if getattr(shape, "has_table", False):
            rows = [" | ".join(" ".join(c.text.split()) for c in row.cells if c.text.strip()) for row in shape.table.rows]
            out.append("\n".join(r for r in rows if r))
        elif getattr(shape, "has_text_frame", False) and shape.text_frame.text.strip():
            out.append(shape.text_frame.text)
    return out


def extract_pptx(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    check_zip(data, "PPTX", limits)
    import pptx

    try:
        deck = pptx.Presentation(io.BytesIO(data))
    except Exception as exc:
        raise ExtractionFailed(f"corrupt PPTX: {type(exc).__name__}: {exc}") from exc
    sections: list[Section] = []
    notes: list[str] = []
    for number, slide in enumerate(deck.slides, 1):
        try:
            title_shape = slide.shapes.title
            title = " ".join(title_shape.text.split()) if title_shape is not None else ""
            parts = _shape_texts(slide.shapes)
            if slide.has_notes_slide:
                spoken = slide.notes_slide.notes_text_frame.text if slide.notes_slide.notes_text_frame else ""
                if spoken.strip():
                    parts.append("Notes: " + spoken)
        except Exception as exc:  # one broken slide: keep the others
            notes.append(f"slide {number} unreadable ({type(exc).__name__})")
            continue
        sections.append(Section("\n".join(parts), page=number, heading=title or f"Slide {number}"))
    title = None
    with contextlib.suppress(Exception):  # malformed core properties: the slides matter more
        title = (deck.core_properties.title or "").strip() or None
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections(sections, budget), mime=PPTX_MIME,
                      title=title or next((s.heading for s in sections if s.heading), None),
                      notes=(*notes, *budget.notes()), pages=len(sections))


def extract_odp(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    check_zip(data, "ODP", limits)
    from odf import teletype
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
        pages = [n for n in document.presentation.childNodes if getattr(n, "qname", None) == (_DRAW_NS, "page")]
    except Exception as exc:
        raise ExtractionFailed(f"corrupt ODP: {type(exc).__name__}: {exc}") from exc
    sections: list[Section] = []
    for number, page in enumerate(pages, 1):
        slide: list[str] = []
        spoken: list[str] = []
        stack: list[tuple[Any, bool]] = [(c, False) for c in reversed(page.childNodes)]
        while stack:
            node, in_notes = stack.pop()
            qname = getattr(node, "qname", None)
            if qname == (_TEXT_NS, "p") or qname == (_TEXT_NS, "h"):
                text = teletype.extractText(node)
                if text.strip():
                    (spoken if in_notes else slide).append(text)
            elif qname is not None and hasattr(node, "childNodes"):
                notes_here = in_notes or qname == (_PRESENTATION_NS, "notes")
                stack.extend((c, notes_here) for c in reversed(node.childNodes))
        if spoken:
            slide.append("Notes: " + "\n".join(spoken))
        heading = str(page.getAttrNS(_DRAW_NS, "name") or "") or f"Slide {number}"
        sections.append(Section("\n".join(slide), page=number, heading=heading))
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections(sections, budget), mime=ODP_MIME,
                      title=next((s.text.split("\n", 1)[0] for s in sections if s.text.strip()), None),
                      notes=budget.notes(), pages=len(sections))

"""EPUB with ebooklib: the spine's XHTML documents in reading order, each through the HTML extractor.

The zip container is checked first (``zipguard``).  Chapter headings come from
the chapters' own headings; the book's title from its Dublin Core metadata.
"""

from __future__ import annotations

import io
import warnings

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    build_sections,
)
from core.normalize.extract.htmltext import html_to_sections
from core.normalize.extract.textdecode import decode_text
from core.normalize.extract.zipguard import check_zip
from core.types import Section


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    check_zip(data, "EPUB", limits)
    import ebooklib
    from ebooklib import epub

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ebooklib warns about its own future defaults
            book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
    except Exception as exc:
        raise ExtractionFailed(f"corrupt EPUB: {type(exc).__name__}: {exc}") from exc

    sections: list[Section] = []
    notes: list[str] = []
    budget = TextBudget(limits.max_chars)
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or isinstance(item, epub.EpubNav):
            continue
        try:
            html = decode_text(item.get_content()).text
            chapter_title, chapter = html_to_sections(html)
        except Exception as exc:
            notes.append(f"chapter {item.get_name()!r} skipped ({type(exc).__name__})")
            continue
        for section in chapter:
            sections.append(Section(section.text, heading=section.heading or chapter_title))
        if budget.used + sum(len(s.text) for s in sections) > limits.max_chars * 2:
            break  # enough text already; build_sections cuts precisely below
    title = None
    meta: dict[str, str] = {}
    try:
        titles = book.get_metadata("DC", "title")
        title = titles[0][0].strip() if titles else None
        creators = book.get_metadata("DC", "creator")
        if creators:
            meta["author"] = creators[0][0]
    except Exception:  # malformed metadata: the text matters more
        pass
    return Extraction(
        sections=build_sections(sections, budget),
        mime="application/epub+zip",
        title=title or None,
        notes=(*notes, *budget.notes()),
        meta=meta,
    )

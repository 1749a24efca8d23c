"""DOCX with python-docx: paragraphs and tables in document order, headings as sections,
headers and footers once each.

The zip container is checked first (``zipguard``): a renamed zip bomb is
refused before anything is inflated.
"""

from __future__ import annotations

import io
from typing import Any

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    Unsupported,
    build_sections,
)
from core.normalize.extract.zipguard import check_zip
from core.types import Section


def _heading_level(paragraph: Any) -> int | None:
    try:
        name = (paragraph.style.name or "") if paragraph.style is not None else ""
    except Exception:  # a style id that points nowhere
        return None
    if name == "Title":
        return 0
    if name.startswith("Heading "):
        try:
            return int(name.split()[1])
        except (IndexError, ValueError):
            return None
    return None


def table_text(table: Any) -> str:
    """Rows as lines, cells separated by `` | ``; merged cells appear once.

    A table whose grid is malformed (python-docx cannot lay out its cells) is
    read straight from its XML instead, so its text is kept.
    """
    try:
        return _grid_text(table)
    except Exception:
        return raw_table_text(table._tbl)


def raw_table_text(tbl: Any) -> str:
    """A table's text from its ``w:tr``/``w:tc``/``w:t`` elements, ignoring the grid."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    lines = []
    for row in tbl.iter(w + "tr"):
        cells = [" ".join("".join(t.text or "" for t in tc.iter(w + "t")).split()) for tc in row.iter(w + "tc")]
        cells = [c for c in cells if c]
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _grid_text(table: Any) -> str:
    lines = []
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _story_text(part: Any) -> str:
    """Text of a header or footer: its paragraphs and tables."""
    chunks = [p.text for p in part.paragraphs if p.text.strip()]
    chunks += [table_text(t) for t in part.tables]
    return "\n".join(c for c in chunks if c.strip())


def _body_sections(document: Any) -> tuple[str | None, list[Section]]:
    sections: list[Section] = []
    body: list[str] = []
    path: list[tuple[int, str]] = []
    first_heading: str | None = None

    def flush() -> None:
        if any(line.strip() for line in body):
            sections.append(Section("\n\n".join(body), heading=" › ".join(h for _, h in path) or None))
        body.clear()

    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            text = table_text(block)
            if text:
                body.append(text)
            continue
        text = block.text
        if not text.strip():
            continue
        level = _heading_level(block)
        if level is None:
            body.append(text)
            continue
        heading = " ".join(text.split())
        first_heading = first_heading or heading
        flush()
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, heading))
        body.append(heading)
    flush()
    return first_heading, sections


def _headers_footers(document: Any) -> list[Section]:
    seen: set[str] = set()
    out: list[Section] = []
    for section in document.sections:
        for label, part_names in (("header", ("header", "first_page_header", "even_page_header")),
                                  ("footer", ("footer", "first_page_footer", "even_page_footer"))):
            for attr in part_names:
                try:
                    part = getattr(section, attr)
                    if part.is_linked_to_previous:
                        continue
                    text = _story_text(part)
                except Exception:  # a missing or broken header part: skip it, keep the body
                    continue
                if text and text not in seen:
                    seen.add(text)
                    out.append(Section(text, heading=label))
    return out


# Office Open XML packages that are not Word documents, by the folder their main part lives in.
_OTHER_OFFICE = (("ppt/", "a PowerPoint presentation (PPTX)"), ("xl/", "an Excel workbook (XLSX)"),
                 ("visio/", "a Visio drawing (VSDX)"))


def _refuse_other_office_files(data: bytes) -> None:
    """A .pptx renamed .docx (or opened as one) is named for what it is, not called a corrupt DOCX."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    if any(n.startswith("word/") for n in names):
        return
    for folder, what in _OTHER_OFFICE:
        if any(n.startswith(folder) for n in names):
            raise Unsupported(f"this is {what}, not a Word document: Cairn does not read that format")


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    check_zip(data, "DOCX", limits)
    _refuse_other_office_files(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ExtractionFailed(f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
    try:
        first_heading, sections = _body_sections(document)
    except Exception as exc:
        raise ExtractionFailed(f"corrupt DOCX: cannot read the body ({type(exc).__name__}: {exc})") from exc
    sections += _headers_footers(document)
    meta: dict[str, str] = {}
    title = None
    try:
        props = document.core_properties
        title = (props.title or "").strip() or None
        if props.author:
            meta["author"] = props.author
        if props.created:
            meta["date"] = props.created.isoformat()
    except Exception:  # malformed core properties: the text matters more
        pass
    budget = TextBudget(limits.max_chars)
    return Extraction(
        sections=build_sections(sections, budget),
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        title=title or first_heading,
        notes=budget.notes(),
        meta=meta,
    )

"""ODT with odfpy: headings open sections; paragraphs, lists and tables in order.

The zip container is checked first (``zipguard``).  The document tree is
walked iteratively, so deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
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

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _rows(table: Any) -> Iterator[Any]:
    """The table's rows in document order (through header-rows and row-groups)."""
    stack = [table]
    while stack:
        node = stack.pop()
        qname = getattr(node, "qname", None)
        if qname == (_TABLE_NS, "table-row"):
            yield node
        elif node is table or (qname is not None and qname[0] == _TABLE_NS and qname[1] != "table-cell"):
            stack.extend(reversed(getattr(node, "childNodes", [])))


def _table_text(table: Any, extract_text: Callable[[Any], str]) -> str:
    lines = []
    for row in _rows(table):
        cells = [" ".join(extract_text(cell).split()) for cell in row.childNodes
                 if getattr(cell, "qname", None) == (_TABLE_NS, "table-cell")]
        cells = [c for c in cells if c]
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _walk(body: Any) -> tuple[str | None, list[Section]]:
    from odf import teletype

    sections: list[Section] = []
    lines: list[str] = []
    path: list[tuple[int, str]] = []
    first_heading: str | None = None

    def flush() -> None:
        if any(line.strip() for line in lines):
            sections.append(Section("\n\n".join(lines), heading=" › ".join(h for _, h in path) or None))
        lines.clear()

    stack: list[tuple[Any, str]] = [(child, "") for child in reversed(body.childNodes)]
    while stack:
        node, prefix = stack.pop()
        qname = getattr(node, "qname", None)
        if qname == (_TEXT_NS, "h"):
            text = " ".join(teletype.extractText(node).split())
            if not text:
                continue
            level_attr = node.getAttrNS(_TEXT_NS, "outline-level") if hasattr(node, "getAttrNS") else None
            try:
                level = int(level_attr) if level_attr else 1
            except ValueError:
                level = 1
            first_heading = first_heading or text
            flush()
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, text))
            lines.append(text)
        elif qname == (_TEXT_NS, "p"):
            text = teletype.extractText(node)
            if text.strip():
                lines.append(prefix + text)
        elif qname == (_TABLE_NS, "table"):
            text = _table_text(node, teletype.extractText)
            if text:
                lines.append(text)
        elif qname is not None and hasattr(node, "childNodes"):
            child_prefix = "- " if qname == (_TEXT_NS, "list-item") else prefix
            stack.extend((child, child_prefix) for child in reversed(node.childNodes))
    flush()
    return first_heading, sections


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    check_zip(data, "ODT", limits)
    from odf import dc
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
        first_heading, sections = _walk(document.text)
    except Exception as exc:
        raise ExtractionFailed(f"corrupt ODT: {type(exc).__name__}: {exc}") from exc
    title = None
    meta: dict[str, str] = {}
    try:
        for element in document.meta.getElementsByType(dc.Title):
            title = str(element).strip() or title
        for element in document.meta.getElementsByType(dc.Creator):
            meta["author"] = str(element).strip()
        for element in document.meta.getElementsByType(dc.Date):
            meta["date"] = str(element).strip()
    except Exception:  # malformed metadata: the text matters more
        pass
    budget = TextBudget(limits.max_chars)
    return Extraction(
        sections=build_sections(sections, budget),
        mime="application/vnd.oasis.opendocument.text",
        title=title or first_heading,
        notes=budget.notes(),
        meta=meta,
    )

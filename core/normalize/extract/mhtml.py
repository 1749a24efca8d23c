"""MHTML web archives (``.mht``/``.mhtml``, "Save page as single file"): the decoded HTML and text parts.

An MHTML file is a MIME ``multipart/related`` message: the page's HTML (often
quoted-printable or base64) plus its images and styles.  Each ``text/html``
part is turned into readable text, ``text/plain`` parts are kept as they are,
everything else (images, CSS, scripts) is skipped.  The page's address comes
from ``Snapshot-Content-Location`` or the first part's ``Content-Location``.
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    build_sections,
)
from core.normalize.extract.htmltext import html_to_sections
from core.normalize.extract.textdecode import decode_text
from core.types import Section

MIME = "multipart/related"


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_text(payload, part.get_content_charset()).text


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
    except Exception as exc:
        raise ExtractionFailed(f"corrupt MHTML: {type(exc).__name__}: {exc}") from exc
    if not message.is_multipart() and message.get_content_maintype() != "text":
        raise ExtractionFailed("not an MHTML archive: no MIME parts and no text")
    sections: list[Section] = []
    title: str | None = None
    location = message.get("Snapshot-Content-Location")
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        location = location or part.get("Content-Location")
        if kind == "text/html":
            page_title, parts = html_to_sections(_decoded(part))
            title = title or page_title
            sections += parts
        elif kind == "text/plain":
            sections.append(Section(_decoded(part)))
    if not sections:
        raise ExtractionFailed("MHTML archive without an HTML or text part")
    subject = " ".join(str(message.get("Subject") or "").split()) or None
    meta = {"url": str(location)} if location else {}
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections(sections, budget), mime=MIME, title=title or subject,
                      notes=budget.notes(), meta=meta)

"""E-mail (.eml) with the standard library: headers, the readable body, attachments listed.

The plain-text part is preferred, the HTML part is used (as readable text)
when there is no plain one.  Attachments are named with their type and size,
not opened: an attachment is a file of its own if the user saves it.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    build_sections,
)
from core.normalize.extract.htmltext import html_to_sections
from core.normalize.extract.textdecode import bom_encoding, decode_text, utf16_32_without_bom
from core.types import Section

_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def _part_text(part: Message) -> str:
    """Decoded text of one MIME part, surviving unknown or lying charsets."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_text(payload, part.get_content_charset()).text


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n} bytes"


def _as_8bit(data: bytes) -> bytes:
    """UTF-16/32 e-mails (saved by some Windows tools, with or without a BOM) as UTF-8 bytes."""
    if bom_encoding(data[:4]) is not None or (b"\x00" in data[:4096] and utf16_32_without_bom(data[:4096])):
        return decode_text(data).text.encode("utf-8")
    return data


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    data = _as_8bit(data)
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as exc:
        raise ExtractionFailed(f"corrupt e-mail: {type(exc).__name__}: {exc}") from exc
    if not isinstance(message, EmailMessage) or not any(message.get(h) for h in _HEADERS):
        raise ExtractionFailed("not an e-mail: no From, To, Date or Subject header")

    header_lines = []
    for header in _HEADERS:
        try:
            value = message.get(header)
        except Exception:  # a header the parser cannot decode: keep the raw text
            value = None
        if value:
            header_lines.append(f"{header}: {' '.join(str(value).split())}")
    sections = [Section("\n".join(header_lines), heading="headers")]

    notes: list[str] = []
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body = None
    if body is None and not message.is_multipart():
        body = message
    if body is not None:
        text = _part_text(body)
        if body.get_content_type() == "text/html":
            _, html_sections = html_to_sections(text)
            sections += [Section(s.text, heading="body") for s in html_sections]
        else:
            sections.append(Section(text, heading="body"))
    else:
        notes.append("no readable body")

    attachments = []
    try:
        for part in message.iter_attachments():
            filename = part.get_filename() or "(unnamed)"
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            attachments.append(f"{filename} ({part.get_content_type()}, {_size(size)})")
    except Exception as exc:
        notes.append(f"attachments unreadable ({type(exc).__name__})")
    if attachments:
        sections.append(Section("Attachments:\n" + "\n".join(f"- {a}" for a in attachments), heading="attachments"))

    meta: dict[str, str] = {}
    try:
        if message.get("Date"):
            meta["date"] = parsedate_to_datetime(str(message["Date"])).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    if message.get("From"):
        meta["author"] = " ".join(str(message["From"]).split())
    if attachments:
        meta["attachments"] = str(len(attachments))
    subject = " ".join(str(message.get("Subject") or "").split()) or None
    budget = TextBudget(limits.max_chars)
    return Extraction(
        sections=build_sections(sections, budget),
        mime="message/rfc822",
        title=subject,
        notes=(*notes, *budget.notes()),
        meta=meta,
    )

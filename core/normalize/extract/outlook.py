"""Outlook ``.msg`` e-mails with extract-msg: headers, the body (plain, else HTML as text), attachments named.

Like ``.eml`` (``mail``): attachments are listed with their size, not opened.
The message is parsed from bytes in memory; extract-msg writes nothing unless
asked to save.
"""

from __future__ import annotations

from typing import Any

from core.normalize.extract.base import (
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    TextBudget,
    build_sections,
)
from core.normalize.extract.htmltext import html_to_sections
from core.types import Section

MIME = "application/vnd.ms-outlook"


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value or "")


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    import extract_msg

    try:
        message = extract_msg.openMsg(data, delayAttachments=True)
    except Exception as exc:
        raise ExtractionFailed(f"corrupt or unsupported Outlook message: {type(exc).__name__}: {exc}") from exc
    notes: list[str] = []
    try:
        headers = [f"{label}: {' '.join(_text(value).split())}" for label, value in (
            ("From", getattr(message, "sender", None)), ("To", getattr(message, "to", None)),
            ("Cc", getattr(message, "cc", None)), ("Date", getattr(message, "date", None)),
            ("Subject", getattr(message, "subject", None))) if value]
        sections = [Section("\n".join(headers), heading="headers")]
        body = _text(getattr(message, "body", None))
        if body.strip():
            sections.append(Section(body, heading="body"))
        else:
            try:
                html = _text(getattr(message, "htmlBody", None))
            except Exception:
                html = ""
            if html.strip():
                sections += [Section(s.text, heading="body") for s in html_to_sections(html)[1]]
            else:
                notes.append("no readable body")
        names = []
        for attachment in getattr(message, "attachments", []) or []:
            label = getattr(attachment, "longFilename", None) or getattr(attachment, "name", None) or "(unnamed)"
            names.append(str(label))
        if names:
            sections.append(Section("Attachments:\n" + "\n".join(f"- {n}" for n in names), heading="attachments"))
        subject = " ".join(_text(getattr(message, "subject", None)).split()) or None
        meta = {"author": " ".join(_text(message.sender).split())} if getattr(message, "sender", None) else {}
        if getattr(message, "date", None) is not None and hasattr(message.date, "isoformat"):
            meta["date"] = message.date.isoformat()
    finally:
        message.close()
    budget = TextBudget(limits.max_chars)
    return Extraction(sections=build_sections(sections, budget), mime=MIME, title=subject,
                      notes=(*notes, *budget.notes()), meta=meta)

"""Real-world-like chat exports of every variant Cairn reads, written from the formats' public descriptions.

Each ``Variant`` builds its export under a folder and says what a correct
import gives: the detected format, how many messages (and documents), one
phrase that must be found, and the first message's date.  ``tests/capture/chats``
imports each with a plain auto-detected read; ``python -m bench.chat_formats
--variants`` reports the share imported correctly.  No file here is copied
from another project: the layouts follow WhatsApp's, Telegram Desktop's,
Meta's, OpenAI's, Anthropic's and Apple's exports as users describe them.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Variant:
    name: str
    fmt: str
    build: Callable[[Path], Path]
    messages: int
    phrase: str
    first_day: str  # the first message's date in UTC, YYYY-MM-DD
    documents: int = 0


def _text(dest: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# -- WhatsApp ----------------------------------------------------------------------------
def _wa(lines: list[str], name: str = "WhatsApp Chat with Ana.txt") -> Callable[[Path], Path]:
    return lambda dest: _text(dest, name, lines)


_WA_BODY = ("Are we still on for the harbour walk?", "Yes, meet at the ferry terminal", "Bringing the thermos")


def _whatsapp_variants() -> list[Variant]:
    a, b, c = _WA_BODY
    return [
        Variant("whatsapp: Android US 12-hour", "whatsapp", _wa([
            f"3/14/24, 6:00 PM - Ana: {a}", f"3/14/24, 6:01 PM - Ben: {b}", f"3/14/24, 6:05 PM - Ana: {c}"]),
            3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: iOS bracketed, seconds", "whatsapp", _wa([
            f"[14.03.24, 18:00:03] Ana: {a}", f"[14.03.24, 18:01:10] Ben: {b}", f"[14.03.24, 18:05:00] Ana: {c}"]),
            3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: year first, dot after the time", "whatsapp", _wa([
            f"2024/03/14, 18:00. - Ana: {a}", f"2024/03/14, 18:01. - Ben: {b}", f"2024/03/14, 18:05. - Ana: {c}"]),
            3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: Finnish klo HH.MM.SS", "whatsapp", _wa([
            f"14.3.2024 klo 18.00.03 - Ana: {a}", f"14.3.2024 klo 18.01.10 - Ben: {b}",
            f"14.3.2024 klo 18.05.00 - Ana: {c}"]), 3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: 3:22_PM underscore marker", "whatsapp", _wa([
            f"3/14/24, 6:00_PM - Ana: {a}", f"3/14/24, 6:01_PM - Ben: {b}", f"3/14/24, 6:05_PM - Ana: {c}"]),
            3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: spelled-out months (de)", "whatsapp", _wa([
            f"14. März 2024, 18:00 - Ana: {a}", f"14. März 2024, 18:01 - Ben: {b}", f"14. März 2024, 18:05 - Ana: {c}"],
            "WhatsApp Chat mit Ana.txt"), 3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: spelled-out months (en, month first)", "whatsapp", _wa([
            f"Mar 14, 2024, 6:00 PM - Ana: {a}", f"Mar 14, 2024, 6:01 PM - Ben: {b}", f"Mar 14, 2024, 6:05 PM - Ana: {c}"]),
            3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: mixed header styles", "whatsapp", _wa([
            f"3/14/24, 6:00 PM - Ana: {a}", f"[14.03.24, 18:01:10] Ben: {b}", f"3/14/24, 6:05 PM - Ana: {c}"]),
            3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: ~ prefix of unsaved contacts", "whatsapp", _wa([
            f"14/03/2024, 18:00 - ~\u202fAna: {a}", f"14/03/2024, 18:01 - ~\u202fBen: {b}",
            f"14/03/2024, 18:05 - ~\u202fAna: {c}"]), 3, "ferry terminal", "2024-03-14"),
        Variant("whatsapp: ambiguous dates, German file name", "whatsapp", _wa([
            f"03/04/24, 18:00 - Ana: {a}", f"03/04/24, 18:01 - Ben: {b}", f"03/04/24, 18:05 - Ana: {c}"],
            "WhatsApp Chat mit Ana.txt"), 3, "ferry terminal", "2024-04-03"),
        Variant("whatsapp: ambiguous dates, British 12-hour", "whatsapp", _wa([
            f"03/04/2024, 6:00 pm - Ana: {a}", f"03/04/2024, 6:01 pm - Ben: {b}", f"03/04/2024, 6:05 pm - Ana: {c}"]),
            3, "ferry terminal", "2024-04-03"),
        Variant("whatsapp: ambiguous dates, US 12-hour", "whatsapp", _wa([
            f"03/04/24, 6:00 PM - Ana: {a}", f"03/04/24, 6:01 PM - Ben: {b}", f"03/04/24, 6:05 PM - Ana: {c}"]),
            3, "ferry terminal", "2024-03-04"),
        Variant("whatsapp: ambiguous dates, Spanish file name", "whatsapp", _wa([
            f"03/04/24, 18:00 - Ana: {a}", f"03/04/24, 18:01 - Ben: {b}", f"03/04/24, 18:05 - Ana: {c}"],
            "Chat de WhatsApp con Ana.txt"), 3, "ferry terminal", "2024-04-03"),
        Variant("whatsapp: iOS zip with _chat.txt and a photo", "whatsapp", _wa_zip, 4, "ferry terminal", "2024-03-14"),
    ]


def _wa_zip(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / "WhatsApp Chat - Ana.zip"
    a, b, c = _WA_BODY
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", "\n".join([
            f"[14/03/2024, 18:00:03] Ana: {a}", f"[14/03/2024, 18:01:10] Ben: {b}",
            f"[14/03/2024, 18:05:00] Ana: {c}",
            "[14/03/2024, 18:06:00] Ben: \u200e<attached: 00000012-PHOTO-2024-03-14-18-06-00.jpg>"]) + "\n")
        zf.writestr("00000012-PHOTO-2024-03-14-18-06-00.jpg", b"\xff\xd8\xff\xe0 not a real photo")
    return path


# -- Telegram ----------------------------------------------------------------------------
def _tg_messages(start: int = 1710439200) -> list[dict[str, object]]:
    a, _, c = _WA_BODY
    return [
        {"id": 1, "type": "service", "date": "2024-03-14T18:00:00", "date_unixtime": str(start - 60),
         "actor": "Ana", "action": "create_group", "title": "Walkers", "text": ""},
        {"id": 2, "type": "message", "date": "2024-03-14T18:00:00", "date_unixtime": str(start), "from": "Ana",
         "from_id": "user1", "text": a},
        {"id": 3, "type": "message", "date": "2024-03-14T18:01:00", "date_unixtime": str(start + 60), "from": "Ben",
         "from_id": "user2", "text": [{"type": "bold", "text": "Yes"}, ", meet at the ferry terminal"]},
        {"id": 4, "type": "message", "date": "2024-03-14T18:05:00", "date_unixtime": str(start + 300), "from": "Ana",
         "from_id": "user1", "text": c},
    ]


def _json_file(dest: Path, name: str, data: object, bom: bool = False) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / name
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body)
    return path


def _tg_html_page(title: str, messages: list[tuple[int, str, str, str]], joined_from: int = -1) -> str:
    rows = ['<div class="message service" id="message-1"><div class="body details">14 March 2024</div></div>']
    for number, when, speaker, text in messages:
        joined = " joined" if number == joined_from else ""
        sender = "" if joined else f'<div class="from_name">\n{speaker}\n</div>'
        rows.append(
            f'<div class="message default clearfix{joined}" id="message{number}">'
            '<div class="pull_left userpic_wrap"><div class="userpic"><div class="initials">A</div></div></div>'
            f'<div class="body"><div class="pull_right date details" title="{when}">\n18:00\n</div>{sender}'
            f'<div class="text">\n{text}\n</div></div></div>'
        )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n<title>Exported Data</title>\n</head>\n<body>\n'
        '<div class="page_wrap"><div class="page_header"><div class="content"><div class="text bold">\n'
        f"{title}\n</div></div></div><div class=\"page_body chat_page\"><div class=\"history\">\n"
        + "\n".join(rows) + "\n</div></div></div>\n</body>\n</html>\n"
    )


def _tg_html(dest: Path) -> Path:
    folder = dest / "ChatExport_2024-03-20"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "messages.html").write_text(_tg_html_page("Walkers", [
        (2, "14.03.2024 18:00:00 UTC+00:00", "Ana", "Are we still on for the <strong>harbour</strong> walk?"),
        (3, "14.03.2024 18:01:00 UTC+00:00", "Ben", "Yes, meet at the<br>ferry terminal"),
    ]), encoding="utf-8")
    (folder / "messages2.html").write_text(_tg_html_page("Walkers", [
        (4, "14.03.2024 18:05:00 UTC+00:00", "Ana", "Bringing the thermos"),
        (5, "14.03.2024 18:06:00 UTC+00:00", "Ana", "and the biscuits"),
    ], joined_from=5), encoding="utf-8")
    return folder


def _tg_html_zip(dest: Path) -> Path:
    folder = _tg_html(dest / "src")
    path = dest / "Telegram Walkers.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for page in sorted(folder.iterdir()):
            zf.write(page, f"ChatExport_2024-03-20/{page.name}")
    return path


def _telegram_variants() -> list[Variant]:
    full = {"about": "Here is the data you requested.", "chats": {"about": "This page lists all chats.", "list": [
        {"name": "Walkers", "type": "private_group", "id": 77, "messages": _tg_messages()}]}}
    return [
        Variant("telegram: single chat result.json", "telegram", lambda d: _json_file(
            d / "ChatExport", "result.json", {"name": "Walkers", "type": "private_group", "id": 77,
                                              "messages": _tg_messages()}), 3, "ferry terminal", "2024-03-14"),
        Variant("telegram: single chat without type/name", "telegram", lambda d: _json_file(
            d / "ChatExport", "result.json", {"id": 77, "messages": _tg_messages()}), 3, "ferry terminal",
            "2024-03-14"),
        Variant("telegram: full account without personal_information", "telegram",
                lambda d: _json_file(d / "DataExport", "result.json", full), 3, "ferry terminal", "2024-03-14"),
        Variant("telegram: HTML export folder (messages.html, messages2.html)", "telegram", _tg_html, 4,
                "ferry terminal", "2024-03-14"),
        Variant("telegram: HTML export zip", "telegram", _tg_html_zip, 4, "biscuits", "2024-03-14"),
    ]


# -- Messenger / Instagram -----------------------------------------------------------------
def _messenger(bom: bool) -> Callable[[Path], Path]:
    a, b, c = _WA_BODY
    data = {
        "participants": [{"name": "Ana"}, {"name": "Ben"}],
        "messages": [  # Meta writes newest first, text as UTF-8 bytes in latin-1 code points
            {"sender_name": "Ana", "timestamp_ms": 1710439500000, "content": c + " \u00e2\u0098\u0095"},
            {"sender_name": "Ben", "timestamp_ms": 1710439260000, "content": b},
            {"sender_name": "Ana", "timestamp_ms": 1710439200000, "content": a},
        ],
        "title": "Ana", "is_still_participant": True, "thread_path": "inbox/ana_123", "magic_words": [],
    }
    return lambda dest: _json_file(dest / "inbox" / "ana_123", "message_1.json", data, bom=bom)


# -- ChatGPT ---------------------------------------------------------------------------------
def _chatgpt(stripped: bool) -> Callable[[Path], Path]:
    def node(node_id: str, parent: str | None, children: list[str], role: str | None, text: str,
             stamp: float | None) -> dict[str, object]:
        message = None if role is None else {
            "id": node_id, "author": {"role": role}, "content": {"content_type": "text", "parts": [text]},
            **({} if stamp is None else {"create_time": stamp}),
        }
        return {"id": node_id, "message": message, "parent": parent, "children": children}

    mapping = {
        "root": node("root", None, ["m1"], None, "", None),
        "m1": node("m1", "root", ["m2"], "user", "How long should I proof a sourdough loaf?", 1710439200.0),
        "m2": node("m2", "m1", [], "assistant", "Proof it in the fridge overnight, about 12 hours.", 1710439260.0),
    }
    conv: dict[str, object] = {"title": "Sourdough", "mapping": mapping}
    if not stripped:
        conv.update({"create_time": 1710439200.0, "update_time": 1710439260.0, "current_node": "m2",
                     "id": "conv-1"})
    return lambda dest: _json_file(dest / "chatgpt", "conversations.json", [conv])


# -- Claude.ai ---------------------------------------------------------------------------------
def _claude_conversations() -> list[dict[str, object]]:
    return [{
        "uuid": "c0a1e6f2-0000-4000-8000-000000000001", "name": "Harbour walk planning",
        "created_at": "2024-03-14T18:00:00.000000Z", "updated_at": "2024-03-14T18:05:00.000000Z",
        "account": {"uuid": "acct-1"},
        "chat_messages": [
            {"uuid": "m-0001", "sender": "human", "created_at": "2024-03-14T18:00:00.000000Z",
             "text": "Plan a harbour walk from the ferry terminal",
             "content": [{"type": "text", "text": "Plan a harbour walk from the ferry terminal"}],
             "attachments": [{"file_name": "route.txt", "file_size": 61, "file_type": "txt",
                              "extracted_content": "Route: ferry terminal, lighthouse pier, fish market, old dock."}],
             "files": []},
            {"uuid": "m-0002", "sender": "assistant", "created_at": "2024-03-14T18:00:20.000000Z", "text": "",
             "content": [{"type": "thinking", "thinking": "internal"},
                         {"type": "text", "text": "Start at the lighthouse pier, then follow the quay."}],
             "attachments": [], "files": []},
        ],
    }]


def _claude_projects() -> list[dict[str, object]]:
    return [{
        "uuid": "p-0001", "name": "Walking club", "description": "Routes for the Sunday walking club",
        "is_private": True, "prompt_template": "Always give distances in kilometres.",
        "created_at": "2024-03-10T09:00:00.000000Z", "updated_at": "2024-03-10T09:00:00.000000Z",
        "creator": {"uuid": "u-1", "full_name": "Ana"},
        "docs": [{"uuid": "d-0001", "filename": "members.md", "content": "# Members\nAna, Ben, Chidi",
                  "created_at": "2024-03-10T09:01:00.000000Z"}],
    }]


def _claude_zip(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / "data-2024-03-20-10-00-00.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("conversations.json", json.dumps(_claude_conversations()))
        zf.writestr("projects.json", json.dumps(_claude_projects()))
        zf.writestr("users.json", json.dumps([{"uuid": "u-1", "full_name": "Ana", "email_address": "ana@example.org"}]))
    return path


# -- iMessage -----------------------------------------------------------------------------------
_APPLE_2024_03_14_18 = 732132000  # seconds from 2001-01-01 to 2024-03-14 18:00 UTC


def _imessage(schema: str) -> Callable[[Path], Path]:
    """``schema``: "no-chat-tables" (message + handle only) or "old-seconds" (10.x columns, dates in seconds)."""

    def build(dest: Path) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        path = dest / "chat.db"
        conn = sqlite3.connect(path)
        conn.executescript(
            "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,"
            " service TEXT NOT NULL, uncanonicalized_id TEXT);"
        )
        if schema == "old-seconds":
            conn.executescript(
                "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,"
                " handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, is_from_me INTEGER DEFAULT 0);"
                "CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,"
                " chat_identifier TEXT, display_name TEXT);"
                "CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER);"
            )
        else:
            conn.executescript(
                "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,"
                " handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, is_from_me INTEGER DEFAULT 0,"
                " attributedBody BLOB, item_type INTEGER DEFAULT 0);"
            )
        conn.execute("INSERT INTO handle (id, service) VALUES ('+15551234567', 'iMessage')")
        a, b, c = _WA_BODY
        scale = 1 if schema == "old-seconds" else 10**9
        rows = [(a, 1, 0, 0), (b, 0, 1, 60), (c, 1, 0, 300)]
        for n, (text, handle, from_me, offset) in enumerate(rows, 1):
            conn.execute("INSERT INTO message (guid, text, handle_id, service, date, is_from_me) VALUES (?,?,?,?,?,?)",
                         (f"GUID-{n}", text, handle, "iMessage", (_APPLE_2024_03_14_18 + offset) * scale, from_me))
        if schema == "old-seconds":
            conn.execute("INSERT INTO chat (guid, chat_identifier) VALUES ('iMessage;-;+15551234567', '+15551234567')")
            conn.executemany("INSERT INTO chat_message_join VALUES (1, ?)", [(1,), (2,), (3,)])
        conn.commit()
        conn.close()
        return path

    return build


def variants() -> list[Variant]:
    """Every variant, in a stable order."""
    return [
        *_whatsapp_variants(),
        *_telegram_variants(),
        Variant("messenger: message_1.json", "messenger", _messenger(bom=False), 3, "ferry terminal", "2024-03-14"),
        Variant("messenger: message_1.json with a UTF-8 BOM", "messenger", _messenger(bom=True), 3, "thermos ☕",
                "2024-03-14"),
        Variant("chatgpt: conversations.json", "chatgpt", _chatgpt(stripped=False), 2, "overnight", "2024-03-14"),
        Variant("chatgpt: no current_node, no conversation create_time", "chatgpt", _chatgpt(stripped=True), 2,
                "overnight", "2024-03-14"),
        Variant("claude: conversations.json", "claude",
                lambda d: _json_file(d / "claude", "conversations.json", _claude_conversations()), 2, "quay",
                "2024-03-14", documents=1),
        Variant("claude: projects.json", "claude",
                lambda d: _json_file(d / "claude", "projects.json", _claude_projects()), 0, "kilometres",
                "2024-03-10", documents=2),
        Variant("claude: export zip", "claude", _claude_zip, 2, "lighthouse pier, fish market", "2024-03-10",
                documents=3),
        Variant("imessage: no chat tables (message + handle)", "imessage", _imessage("no-chat-tables"), 3,
                "ferry terminal", "2024-03-14"),
        Variant("imessage: older schema, dates in seconds", "imessage", _imessage("old-seconds"), 3,
                "ferry terminal", "2024-03-14"),
    ]


def judge(variant: Variant, detected: str, results: list[object]) -> str | None:
    """None when the import is correct, else what is wrong (one line)."""
    from datetime import UTC

    from core.types import Record, RecordError

    if detected != variant.fmt:
        return f"detected as {detected}, not {variant.fmt}"
    errors = [r for r in results if isinstance(r, RecordError)]
    if errors:
        return f"{len(errors)} failures, first: {errors[0].where}: {errors[0].reason}"
    records = [r for r in results if isinstance(r, Record)]
    messages = [r for r in records if r.kind == "message"]
    documents = [r for r in records if r.kind != "message"]
    if (len(messages), len(documents)) != (variant.messages, variant.documents):
        return f"{len(messages)} messages and {len(documents)} documents, expected {variant.messages} and {variant.documents}"
    if not any(variant.phrase in r.text for r in records):
        return f"{variant.phrase!r} not in any text"
    first = min(r.timestamp for r in records).astimezone(UTC).date().isoformat()
    if first != variant.first_day:
        return f"first date {first}, expected {variant.first_day}"
    return None


def import_variant(variant: Variant, root: Path) -> str | None:
    """Build the variant under ``root`` and read it as ``cairn import FILE`` does (auto-detected, no options)."""
    from core.capture.chats.formats import detect_format
    from core.capture.chats.reader import ImportOptions
    from core.errors import CairnError

    path = variant.build(root)
    try:
        reader = detect_format(path)
        results = list(reader.read(path, ImportOptions(timezone="UTC")))
    except CairnError as exc:
        return f"refused: {exc}"
    return judge(variant, reader.name, results)

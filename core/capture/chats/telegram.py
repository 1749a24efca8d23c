"""Telegram Desktop exports (``result.json``): one chat, or the whole account; HTML exports are read by ``telegram_html``.

Accepted inputs: the ``result.json`` file, the export folder holding it, or a
zip of that folder.  A single-chat export has ``name``/``type``/``id`` and
``messages`` at the top; a full-account export has ``chats.list[]`` (and
``left_chats.list[]``), each chat with its own ``messages``.  The file is
streamed (``ijson``): memory is bounded by one message, not the export.

**Times**: exports since 2021 carry ``date_unixtime`` (UTC epoch seconds) and
that exact instant is used.  Older exports only have ``date``, the exporting
computer's local wall-clock time without an offset: it is read in
``options.timezone`` or, when unset, in this machine's local zone.

**Ids**: Telegram message ids are unique only within a chat, so
``external_id`` is ``"<chat id>:<message id>"``; ``meta["reply_to"]`` uses the
same form.  **Text** may be a string or a list of strings and entities
(``{"type": "bold", "text": ...}``); links keep their target.  Service
messages (joins, pins, calls, title changes) are ``RecordSkip("system
message")``.  Media become ``meta["attachments"]`` (file paths inside the
export) and ``meta["media_type"]``; media-only messages get a ``[photo: …]``
placeholder text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordSkip

from ._budget import cut_of
from ._common import (
    SKIP_EMPTY,
    SKIP_SYSTEM,
    Localizer,
    from_unix,
    localizer,
    message_record,
)
from ._inputs import ExportTree, find_root_prefix, is_zip, read_head, tree_names
from ._jsonstream import JsonBroken, walk

FORMAT = "telegram"

_CHAT_TYPES = (
    "personal_chat|bot_chat|private_group|private_supergroup|public_supergroup|private_channel|"
    "public_channel|saved_messages|replies|verification_codes"
)
_SINGLE = re.compile(r'"type"\s*:\s*"(?:' + _CHAT_TYPES + r')"')
_MESSAGES = re.compile(r'"messages"\s*:\s*\[')
# A full-account export; its sections are optional (the user ticks them), so any one will do.
_FULL = re.compile(
    r'"personal_information"\s*:|"(?:chats|contacts|frequent_contacts|sessions|web_sessions|other_data)"\s*:\s*'
    r'\{\s*(?:"about"|"list"\s*:)|"left_chats"\s*:|"profile_pictures"\s*:\s*\['
)
# A single chat stripped of name/type: its messages still look like Telegram's.
_MESSAGE_SHAPE = re.compile(r'"type"\s*:\s*"(?:message|service)"\s*,\s*"date(?:_unixtime)?"\s*:')

_CHAT_PREFIXES = frozenset(["chats.list.item", "left_chats.list.item"])
_FULL_ARRAYS = ("chats.list.item.messages", "left_chats.list.item.messages")
_SCALARS = frozenset(
    ["name", "id", "type", *(p + "." + k for p in _CHAT_PREFIXES for k in ("name", "id", "type"))]
)
_NOT_INCLUDED = " (not included in export)"
_MEDIA_KINDS = {
    "sticker": "sticker",
    "voice_message": "voice message",
    "video_message": "video message",
    "animation": "GIF",
    "audio_file": "audio",
    "video_file": "video",
}


def _head_is_telegram(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith("{"):
        return False
    if _FULL.search(text):
        return True
    return bool((_SINGLE.search(text) or _MESSAGE_SHAPE.search(text)) and _MESSAGES.search(text))


def _locate(path: Path) -> str | None:
    """Name of result.json inside a folder or zip ('' when ``path`` is the file)."""
    if path.is_file() and not is_zip(path):
        return ""
    names = tree_names(path)
    if names is None:
        return None
    prefix = find_root_prefix(names, "result.json")
    return None if prefix is None else prefix + "result.json"


class TelegramReader:
    """Telegram Desktop JSON exports (see the module docstring)."""

    name = FORMAT
    description = "Telegram Desktop export (result.json: one chat or the whole account)"

    def sniff(self, path: Path) -> bool:
        from core.capture.chats.telegram_html import TelegramHtmlPages

        entry = _locate(path)
        if entry is None or (entry == "" and path.suffix.lower() in (".html", ".htm")):
            return TelegramHtmlPages.sniff(path)
        if entry == "":
            return path.suffix.lower() == ".json" and _head_is_telegram(read_head(path))
        if path.is_dir():
            return _head_is_telegram(read_head(path / entry))
        try:
            with ExportTree(path) as tree:
                return _head_is_telegram(tree.head(entry))
        except (ImportFailed, OSError, KeyError):
            return False

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        from core.capture.chats.telegram_html import TelegramHtmlPages

        to_aware = localizer(options)
        entry = _locate(path)
        if entry is None or (entry == "" and path.suffix.lower() in (".html", ".htm")):
            if not TelegramHtmlPages.sniff(path):
                raise ImportFailed(f"{path}: not a Telegram export (no result.json or messages.html found)")
            yield from TelegramHtmlPages(path, options).read()
            return
        if entry == "":
            head = read_head(path)
            if not _head_is_telegram(head):
                raise ImportFailed(
                    f"{path}: not a Telegram Desktop export (expected result.json with 'messages' "
                    "or the full-account 'chats' list)"
                )
            with path.open("rb") as fh:
                yield from _read_stream(fh, path.name, to_aware, _arrays(head), lambda: path.open("rb"))
            return
        with ExportTree(path) as tree:
            yield from tree.rejected_errors()
            head = tree.head(entry)
            if not _head_is_telegram(head):
                raise ImportFailed(f"{path}: {entry} is not a Telegram Desktop export")
            with tree.open(entry) as fh:
                yield from _read_stream(fh, entry, to_aware, _arrays(head), lambda: tree.open(entry))


class _Chat:
    __slots__ = ("id", "name", "type")

    def __init__(self, context: dict[str, Any]) -> None:
        array = str(context.get("_array", "messages"))
        base = array[: -len("messages")]  # "" or "chats.list.item." / "left_chats.list.item."
        self.name: Any = context.get(base + "name")
        self.id: Any = context.get(base + "id")
        self.type: Any = context.get(base + "type")

    def title(self) -> str:
        if self.name:
            return str(self.name)
        if self.type == "saved_messages":
            return "Saved Messages"
        return f"Telegram chat {self.id}" if self.id is not None else "Telegram chat"


def _arrays(head: bytes) -> tuple[str, ...]:
    """Where the messages are: one chat's ``messages``, or every chat of a full export."""
    return _FULL_ARRAYS if _FULL.search(head.decode("utf-8", errors="ignore")) else ("messages",)


def _read_stream(
    fh: IO[bytes], display: str, to_aware: Localizer, arrays: tuple[str, ...], reopen: Callable[[], IO[bytes]]
) -> Iterator[ReadResult]:
    chat: _Chat | None = None
    marker: Any = None
    count = 0
    where_chat = ""
    try:
        for context, msg in walk(fh, arrays=arrays, scalars=_SCALARS, markers=_CHAT_PREFIXES, reopen=reopen):
            if chat is None or context["_marker"] != marker:
                chat, marker, count = _Chat(context), context["_marker"], 0
                array = context["_array"]
                if array != "messages":  # "chats[3]." or "left_chats[0]." in error locations
                    where_chat = f"{array.split('.', 1)[0]}[{context['_index']}]."
            where = f"{display}:{where_chat}messages[{count}]"
            count += 1
            yield _message(msg, chat, where, to_aware)
    except JsonBroken as exc:
        title = chat.title() if chat else "the first chat"
        yield RecordError(where=f"{display} after {count} messages of {title!r}", reason=exc.reason)


def _message(msg: Any, chat: _Chat, where: str, to_aware: Localizer) -> ReadResult:
    if not isinstance(msg, dict):
        return RecordError(where=where, reason="message is not a JSON object")
    msg_id = msg.get("id")
    if msg_id is None:
        return RecordError(where=where, reason="message has no id")
    external_id = f"{chat.id}:{msg_id}"
    if msg.get("type", "message") != "message":
        return RecordSkip(where=where, reason=SKIP_SYSTEM)
    when = _time(msg.get("date_unixtime"), msg.get("date"), to_aware)
    if when is None:
        return RecordError(where=where, reason=f"message {msg_id} has no readable date", external_id=external_id)
    text = render_text(msg.get("text", ""))
    attachments, media_label = _media(msg)
    extra = _extra_text(msg)
    if extra:
        text = f"{text}\n{extra}" if text else extra
    if not text.strip():
        if not attachments:
            return RecordSkip(where=where, reason=SKIP_EMPTY)
        shown = [PurePosixPath(a).name for a in attachments if not a.endswith(_NOT_INCLUDED)]
        text = f"[{media_label}: {', '.join(shown)}]" if shown else f"[{media_label}]"
    speaker = msg.get("from")
    if speaker is None:
        speaker = "Deleted Account" if msg.get("from_id") else chat.title()
    reply = msg.get("reply_to_message_id")
    edited = msg.get("edited_unixtime") or msg.get("edited")
    meta: dict[str, Any] = {
        "reply_to": f"{chat.id}:{reply}" if reply is not None and not msg.get("reply_to_peer_id") else None,
        "reply_to_other_chat": f"{msg.get('reply_to_peer_id')}:{reply}" if msg.get("reply_to_peer_id") else None,
        "forwarded_from": msg.get("forwarded_from"),
        "saved_from": msg.get("saved_from"),
        "via_bot": msg.get("via_bot"),
        "edited": bool(edited),
        "attachments": attachments,
        "media_type": msg.get("media_type") or ("photo" if msg.get("photo") else None),
        "reactions": _reactions(msg.get("reactions")),
        "from_id": msg.get("from_id"),
        "chat_type": chat.type,
        "truncated": cut_of(msg),
    }
    return message_record(
        FORMAT,
        external_id,
        when,
        text,
        conversation=chat.title(),
        speaker=str(speaker),
        meta=meta,
    )


def _time(unix: Any, local: Any, to_aware: Localizer) -> datetime | None:
    if unix not in (None, ""):
        try:
            return from_unix(int(unix))
        except (TypeError, ValueError, OverflowError):
            pass
    if isinstance(local, str) and local:
        try:
            return to_aware(datetime.fromisoformat(local))
        except ValueError:
            return None
    return None


def render_text(value: Any) -> str:
    """Telegram text: a string, or a list of strings and ``{"type", "text"}`` entities."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return ""
    parts: list[str] = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict):
            text = str(part.get("text", ""))
            href = part.get("href")
            if href and href != text:
                text = f"{text} ({href})"
            parts.append(text)
    return "".join(parts)


def _media(msg: dict[str, Any]) -> tuple[list[str], str]:
    files: list[str] = []
    label = "attachment"
    if msg.get("photo"):
        files.append(_file_name(msg["photo"], "photo"))
        label = "photo"
    if msg.get("file"):
        files.append(_file_name(msg["file"], msg.get("file_name") or "file"))
        media_type = msg.get("media_type")
        label = _MEDIA_KINDS.get(media_type, "file") if media_type else "file"
        if media_type == "sticker" and msg.get("sticker_emoji"):
            label = f"sticker {msg['sticker_emoji']}"
    return files, label


def _file_name(value: Any, fallback: str) -> str:
    text = str(value)
    if text.startswith("(File not included"):
        return f"{fallback}{_NOT_INCLUDED}"
    return text


def _extra_text(msg: dict[str, Any]) -> str:
    """Text for message kinds whose content is not in ``text`` (polls, places, contacts)."""
    poll = msg.get("poll")
    if isinstance(poll, dict):
        answers = [str(a.get("text", "")) for a in poll.get("answers", []) if isinstance(a, dict)]
        return f"[poll] {poll.get('question', '')}: " + " / ".join(answers)
    contact = msg.get("contact_information")
    if isinstance(contact, dict):
        name = " ".join(str(contact.get(k, "")) for k in ("first_name", "last_name")).strip()
        return f"[contact] {name} {contact.get('phone_number', '')}".strip()
    location = msg.get("location_information")
    if isinstance(location, dict):
        place = msg.get("place_name") or ""
        address = msg.get("address") or ""
        coords = f"{location.get('latitude')}, {location.get('longitude')}"
        return "[location] " + ", ".join(x for x in (place, address, coords) if x)
    return ""


def _reactions(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    out = []
    for r in value:
        if isinstance(r, dict):
            out.append({"emoji": r.get("emoji") or r.get("type"), "count": r.get("count", 1)})
    return out


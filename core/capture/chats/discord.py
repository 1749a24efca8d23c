"""Discord channel exports made with DiscordChatExporter (``--format Json``).

One file per channel (a folder of them is read file by file): ``guild`` and
``channel`` objects, then ``messages``.
Server channels, threads, DMs and group DMs share the layout (DMs have the
guild ``{"id": "0", "name": "Direct Messages"}``).  The file is streamed
(``ijson``); memory is bounded by one message.

**Times**: ``timestamp`` is ISO 8601 with the exporting machine's UTC offset
(``2023-12-31T21:15:03.123+01:00``): that exact instant is used.  A timestamp
without an offset (never written by the tool, but tolerated) is read in
``options.timezone`` or the machine's local zone.

**Ids**: Discord message ids (snowflakes) are globally unique: ``external_id``
is the message id; ``meta["reply_to"]`` is ``reference.messageId``.
Conversation: ``"<server> / #<channel>"`` for server channels, the channel name
for DMs.  Speaker: the member's server nickname, else the user name.
Message types other than ``Default``/``Reply``/``ThreadStarterMessage``
(joins, pins, calls, renames) are ``RecordSkip("system message")``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordSkip

from ._budget import cut_of
from ._common import SKIP_EMPTY, SKIP_SYSTEM, Localizer, localizer, message_record, with_attachments
from ._inputs import read_head
from ._jsonstream import JsonBroken, walk

FORMAT = "discord"

_USER_TYPES = frozenset(["Default", "Reply", "ThreadStarterMessage", "ChatInputCommand", "ContextMenuCommand"])
_DM_CHANNEL_TYPES = frozenset(["DirectTextChat", "DirectGroupTextChat"])
_SCALARS = frozenset(
    ["guild.id", "guild.name", "channel.id", "channel.type", "channel.name", "channel.category"]
)


def _head_is_discord(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    return (
        text.startswith("{")
        and re.search(r'"guild"\s*:\s*\{', text) is not None
        and re.search(r'"channel"\s*:\s*\{', text) is not None
        and re.search(r'"(messages|exportedAt|dateRange)"\s*:', text) is not None
    )


class DiscordReader:
    """DiscordChatExporter JSON files (see the module docstring)."""

    name = FORMAT
    description = "Discord channel or DM exported with DiscordChatExporter (JSON)"

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            return bool(_channel_files(path, first_only=True))
        return path.is_file() and path.suffix.lower() == ".json" and _head_is_discord(read_head(path))

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        to_aware = localizer(options)
        if path.is_dir():
            files = _channel_files(path)
        elif path.is_file() and _head_is_discord(read_head(path)):
            files = [path]
        else:
            files = []
        if not files:
            raise ImportFailed(
                f"{path}: not a DiscordChatExporter JSON export (expected a .json file with "
                "'guild', 'channel' and 'messages', or a folder of them)"
            )
        for file in files:
            with file.open("rb") as fh:
                yield from _read_stream(fh, file.name, to_aware, lambda file=file: file.open("rb"))


def _channel_files(folder: Path, first_only: bool = False) -> list[Path]:
    """The DiscordChatExporter JSON files directly in ``folder`` (one per channel).

    For sniffing (``first_only``) at most 200 files are peeked at.
    """
    found = []
    for n, file in enumerate(sorted(folder.glob("*.json"))):
        if first_only and n >= 200:
            break
        if file.is_file() and _head_is_discord(read_head(file)):
            found.append(file)
            if first_only:
                break
    return found


class _Context:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def conversation(self) -> str:
        channel = str(self.values.get("channel.name") or self.values.get("channel.id") or "channel")
        guild = self.values.get("guild.name")
        if self.values.get("channel.type") in _DM_CHANNEL_TYPES or self.values.get("guild.id") == "0" or not guild:
            return channel
        return f"{guild} / #{channel}"


def _read_stream(
    fh: IO[bytes], display: str, to_aware: Localizer, reopen: Callable[[], IO[bytes]]
) -> Iterator[ReadResult]:
    ctx = _Context()
    count = 0
    try:
        for context, msg in walk(fh, arrays=("messages",), scalars=_SCALARS, reopen=reopen):
            ctx.values = context
            yield _message(msg, ctx, f"{display}:messages[{count}]", to_aware)
            count += 1
    except JsonBroken as exc:
        yield RecordError(where=f"{display}:messages[{count}]", reason=exc.reason)


def _message(msg: Any, ctx: _Context, where: str, to_aware: Localizer) -> ReadResult:
    if not isinstance(msg, dict) or not msg.get("id"):
        return RecordError(where=where, reason="message is not an object with an id")
    external_id = str(msg["id"])
    if msg.get("type", "Default") not in _USER_TYPES:
        return RecordSkip(where=where, reason=SKIP_SYSTEM)
    when = _time(msg.get("timestamp"), to_aware)
    if when is None:
        return RecordError(where=where, reason=f"invalid timestamp {msg.get('timestamp')!r}", external_id=external_id)
    author = msg.get("author") or {}
    speaker = str(author.get("nickname") or author.get("name") or author.get("id") or "unknown")
    attachments = [
        str(a.get("fileName") or a.get("url") or a.get("id"))
        for a in msg.get("attachments") or []
        if isinstance(a, dict)
    ]
    text = str(msg.get("content") or "")
    if not text.strip():
        text = _embeds_text(msg.get("embeds")) or _stickers_text(msg.get("stickers"))
    text = with_attachments(text, attachments)
    if not text.strip():
        return RecordSkip(where=where, reason=SKIP_EMPTY)
    reference = msg.get("reference") or {}
    meta: dict[str, Any] = {
        "reply_to": reference.get("messageId"),
        "edited": bool(msg.get("timestampEdited")),
        "edited_at": msg.get("timestampEdited"),
        "attachments": attachments,
        "reactions": [
            {"emoji": (r.get("emoji") or {}).get("name"), "count": r.get("count", 1)}
            for r in msg.get("reactions") or []
            if isinstance(r, dict)
        ],
        "pinned": bool(msg.get("isPinned")),
        "bot": bool(author.get("isBot")),
        "author_id": author.get("id"),
        "channel_id": ctx.values.get("channel.id"),
        "truncated": cut_of(msg),
    }
    return message_record(
        FORMAT, external_id, when, text, conversation=ctx.conversation(), speaker=speaker, meta=meta
    )


def _time(value: Any, to_aware: Localizer) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else to_aware(parsed)


def _embeds_text(value: Any) -> str:
    parts = []
    for embed in value or []:
        if isinstance(embed, dict):
            parts.extend(str(embed[k]) for k in ("title", "description", "url") if embed.get(k))
    return "\n".join(parts)


def _stickers_text(value: Any) -> str:
    names = [str(s.get("name")) for s in value or [] if isinstance(s, dict) and s.get("name")]
    return f"[sticker: {', '.join(names)}]" if names else ""

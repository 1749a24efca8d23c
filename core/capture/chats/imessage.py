"""Apple Messages (iMessage/SMS) history: the macOS ``chat.db`` SQLite database.

The database is opened **read-only** (``file:…?mode=ro`` URI; if SQLite cannot
open it that way, e.g. its folder is not writable for the WAL index, it retries
with ``immutable=1``, which cannot see writes still in ``chat.db-wal``, and
reports that as an error record when such a WAL file exists).  Rows are
streamed from one query; memory is bounded except for the tapback
(reaction) index, which grows with the number of reactions only.

**Text** comes from ``message.text``; when that is empty (macOS 13+ often
leaves it NULL) it is decoded from the ``attributedBody`` blob, an
NSArchiver *typedstream* holding an NSAttributedString (see
``decode_attributed_body``).  U+FFFC placeholders for inline attachments are
removed; attachment names come from the ``attachment`` table.

**Times**: ``message.date`` counts from the Apple epoch 2001-01-01 00:00 UTC,
in seconds (before macOS 10.13) or nanoseconds (after); both are exact UTC.

**Ids**: ``external_id`` is ``message.guid``; ``meta["reply_to"]`` is
``thread_originator_guid``.  Speaker: ``"me"`` for ``is_from_me`` rows, else
the sender's handle id (phone number or e-mail, as Messages stores it).
Conversation: the chat's display name, else its identifier for one-to-one
chats, else the participants' handle ids.  Tapbacks become
``meta["reactions"]`` on their target and ``RecordSkip("reaction")`` on their
own; group events (``item_type`` ≠ 0) are ``RecordSkip("system message")``;
unsent messages (``date_retracted``) are ``RecordSkip("deleted message")``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordNote, RecordSkip

from ._caps import MESSAGE_CAP, STRING_CAP_BYTES, cut_note
from ._common import (
    APPLE_EPOCH,
    SKIP_DELETED,
    SKIP_EMPTY,
    SKIP_REACTION,
    SKIP_SYSTEM,
    message_record,
    with_attachments,
)
from ._inputs import read_head

FORMAT = "imessage"

_SQLITE_MAGIC = b"SQLite format 3\x00"
# Older and partial databases lack ``chat``/``chat_message_join`` (or columns):
# ``message`` and ``handle`` hold everything a message needs.
_REQUIRED_TABLES = frozenset(["message", "handle"])
_MESSAGE_SIGNS = frozenset(["handle_id", "is_from_me"])
_TAPBACKS = {
    2000: "❤️",
    2001: "👍",
    2002: "👎",
    2003: "😂",
    2004: "‼️",
    2005: "❓",
    2006: "emoji",
    2007: "sticker",
}
_OPTIONAL_COLUMNS = (
    "attributedBody",
    "item_type",
    "associated_message_type",
    "associated_message_guid",
    "thread_originator_guid",
    "date_edited",
    "date_retracted",
    "service",
    "cache_has_attachments",
    "associated_message_emoji",
    "group_title",
    "is_system_message",
    "guid",
    "is_from_me",
)
_NANOSECOND_THRESHOLD = 10**11  # seconds since 2001 stay below this until the year 5170

_PER_MESSAGE_KEPT = 1_000  # attachments and tapbacks of one message kept
_REACTIONS_INDEXED = 250_000  # tapbacks held for the whole database (~250 bytes each)
_Tapback = tuple[str, str, int]  # emoji, actor, type: a tuple, as hundreds of thousands are held
_MANY = f"message has more than {_PER_MESSAGE_KEPT} attachments or reactions: the rest were left out while reading"


def apple_time(value: int | float) -> datetime:
    """A ``message.date`` value (seconds or nanoseconds since 2001-01-01 UTC) as UTC datetime."""
    if abs(value) > _NANOSECOND_THRESHOLD:
        return APPLE_EPOCH + timedelta(microseconds=int(value) // 1000)
    return APPLE_EPOCH + timedelta(seconds=value)


def decode_attributed_body(blob: bytes | None, *, partial: bool = False) -> str | None:
    """The plain text of an ``attributedBody`` typedstream blob, or None.

    Layout (NSArchiver, little-endian "streamtyped"): the NSAttributedString's
    first value is an NSString whose bytes follow its class chain as an
    unshared C string of type ``+``: ``… NSString 01 <superclass ref> 84 01 2B
    <length> <UTF-8 bytes>``.  Typedstream integers are one signed byte, or
    ``0x81`` + int16 LE, or ``0x82`` + int32 LE.  ``partial``: the blob was cut short on purpose; its text
    is read as far as it goes.
    """
    if not blob:
        return None
    data = bytes(blob)
    start = data.find(b"NSString")
    if start < 0:
        return None
    marker = data.find(b"\x84\x01+", start, start + 64)
    if marker < 0:
        return None
    pos = marker + 3
    if pos >= len(data):
        return None
    head = data[pos]
    if head == 0x81:
        length = int.from_bytes(data[pos + 1 : pos + 3], "little", signed=True)
        pos += 3
    elif head == 0x82:
        length = int.from_bytes(data[pos + 1 : pos + 5], "little", signed=True)
        pos += 5
    else:
        length = head
        pos += 1
    if length < 0 or (pos + length > len(data) and not partial):
        return None
    text = data[pos : pos + length]
    if partial and pos + length > len(data):  # a blob cut at the cap: the character it parted goes
        return text.decode("utf-8", errors="ignore")
    return text.decode("utf-8", errors="replace")


def _connect(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection, and whether it had to fall back to ``immutable=1``."""
    uri = path.resolve().as_uri()
    last: Exception | None = None
    for suffix, immutable in (("?mode=ro", False), ("?mode=ro&immutable=1", True)):
        try:
            conn = sqlite3.connect(uri + suffix, uri=True, check_same_thread=False)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn, immutable
        except sqlite3.Error as exc:
            last = exc
    raise ImportFailed(f"{path}: cannot open the Messages database read-only ({last})")


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


class IMessageReader:
    """Apple Messages ``chat.db`` (see the module docstring)."""

    name = FORMAT
    description = "Apple Messages history (chat.db from ~/Library/Messages, opened read-only)"

    def sniff(self, path: Path) -> bool:
        if not path.is_file() or not read_head(path, 16).startswith(_SQLITE_MAGIC):
            return False
        try:
            conn, _ = _connect(path)
        except ImportFailed:
            return False
        try:
            return _tables(conn) >= _REQUIRED_TABLES and bool(_columns(conn, "message") & _MESSAGE_SIGNS)
        except sqlite3.Error:
            return False
        finally:
            conn.close()

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        if not path.is_file() or not read_head(path, 16).startswith(_SQLITE_MAGIC):
            raise ImportFailed(f"{path}: not an Apple Messages database (expected the SQLite file chat.db)")
        conn, immutable = _connect(path)
        try:
            missing = _REQUIRED_TABLES - _tables(conn)
            if missing:
                raise ImportFailed(
                    f"{path}: an SQLite database, but not Apple Messages (missing tables: {', '.join(sorted(missing))})"
                )
            wal = path.with_name(path.name + "-wal")
            if immutable and wal.exists() and wal.stat().st_size > 0:
                yield RecordError(
                    where=path.name,
                    reason="opened as immutable: recent messages still in chat.db-wal are not read; quit Messages "
                    "(or copy chat.db, chat.db-wal and chat.db-shm together) and import again",
                )
            yield from _read(conn, path.name)
        except sqlite3.DatabaseError as exc:
            yield RecordError(where=path.name, reason=f"database error, reading stopped: {exc}")
        finally:
            conn.close()


def _column_sql(column: str) -> str:
    """``attributedBody`` is cut at the cap in SQLite (its length is known without reading it); the rest as they are."""
    if column != "attributedBody":
        return f"m.{column}"
    return (f"substr(m.attributedBody, 1, {STRING_CAP_BYTES}) AS attributedBody, "
            f"length(m.attributedBody) > {STRING_CAP_BYTES} AS body_cut")


def _read(conn: sqlite3.Connection, display: str) -> Iterator[ReadResult]:
    columns = _columns(conn, "message")
    tables = _tables(conn)
    chat_titles = _chat_titles(conn, tables)
    reactions, left_out = _reactions(conn, columns)
    if left_out:
        yield RecordNote(where=display, text=(
            f"more than {_REACTIONS_INDEXED} reactions: the first were attached to their messages, "
            f"{left_out} left out"))
    selected = ", ".join(_column_sql(c) if c in columns else f"NULL AS {c}" for c in _OPTIONAL_COLUMNS)
    attachments_sql = (  # at most one past the kept number, so one message cannot build a huge string
        "(SELECT group_concat(name, char(31)) FROM (SELECT coalesce(a.transfer_name, a.filename) AS name "
        "FROM message_attachment_join maj JOIN attachment a ON a.ROWID = maj.attachment_id "
        f"WHERE maj.message_id = m.ROWID LIMIT {_PER_MESSAGE_KEPT + 1}))"
        if {"attachment", "message_attachment_join"} <= tables
        else "NULL"
    )
    has_join = "chat_message_join" in tables and "chat" in tables
    handle_join = "LEFT JOIN handle h ON h.ROWID = m.handle_id" if "handle_id" in columns else \
        "LEFT JOIN handle h ON 0"
    sql = f"""
        SELECT m.ROWID, substr(m.text, 1, {MESSAGE_CAP}) AS text, length(m.text) > {MESSAGE_CAP} AS text_cut,
               m.date, h.id, {"cmj.chat_id" if has_join else "NULL AS chat_id"},
               {attachments_sql} AS attachment_names, {selected}
        FROM message m
        {"LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID" if has_join else ""}
        {handle_join}
        ORDER BY m.date, m.ROWID
    """
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield _message(dict(zip(names, row, strict=True)), display, chat_titles, reactions, "guid" in columns)


def _chat_titles(conn: sqlite3.Connection, tables: set[str]) -> dict[int, str]:
    members: dict[int, list[str]] = {}
    if "chat_handle_join" in tables:
        for chat_id, handle in conn.execute(
            "SELECT chj.chat_id, h.id FROM chat_handle_join chj JOIN handle h ON h.ROWID = chj.handle_id "
            "ORDER BY chj.chat_id, h.ROWID"
        ):
            members.setdefault(chat_id, []).append(str(handle))
    titles: dict[int, str] = {}
    if "chat" not in tables:
        return titles  # an older or partial database: conversations are named after the handle
    for rowid, display_name, identifier in conn.execute("SELECT ROWID, display_name, chat_identifier FROM chat"):
        if display_name:
            titles[rowid] = str(display_name)
        elif len(members.get(rowid, [])) > 1:
            titles[rowid] = ", ".join(members[rowid])
        else:
            titles[rowid] = str(identifier or (members.get(rowid) or ["Messages"])[0])
    return titles


def _target_guid(associated: str) -> str:
    # "p:0/GUID" (part 0 of a message) or "bp:GUID" (a balloon/link preview).
    return associated.split("/", 1)[1] if "/" in associated else associated.split(":", 1)[-1]


def _reactions(conn: sqlite3.Connection, columns: set[str]) -> tuple[dict[str, list[_Tapback]], int]:
    """Target guid -> its tapbacks ``(emoji, actor, type)`` (at most ``_PER_MESSAGE_KEPT`` + 1, the last saying there were more), and
    how many were left out past ``_REACTIONS_INDEXED`` in all: the index is held while the messages stream."""
    if not {"associated_message_type", "associated_message_guid"} <= columns:
        return {}, 0
    emoji_col = "m.associated_message_emoji" if "associated_message_emoji" in columns else "NULL"
    out: dict[str, list[_Tapback]] = {}
    held = left_out = 0
    rows = conn.execute(
        f"SELECT m.associated_message_guid, m.associated_message_type, m.is_from_me, h.id, {emoji_col} "
        "FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id "
        "WHERE m.associated_message_type BETWEEN 2000 AND 3007 ORDER BY m.date, m.ROWID"
    )
    for associated, kind, from_me, handle, emoji in rows:
        if not associated:
            continue
        target = _target_guid(str(associated))
        actor = "me" if from_me else str(handle or "unknown")
        base = kind - 1000 if kind >= 3000 else kind
        label = emoji or _TAPBACKS.get(base, str(base))
        entries = out.get(target)
        if kind >= 3000:  # a tapback removed later
            if entries:
                before = len(entries)
                entries[:] = [e for e in entries if not (e[1] == actor and e[2] == base)]
                held -= before - len(entries)
        elif held >= _REACTIONS_INDEXED:
            left_out += 1
        elif entries is None:
            out[target] = [(label, actor, base)]
            held += 1
        elif len(entries) <= _PER_MESSAGE_KEPT:  # one past the kept number marks a message with more
            entries.append((label, actor, base))
            held += 1
    return out, left_out


def _message(
    row: dict[str, Any],
    display: str,
    chat_titles: dict[int, str],
    reactions: dict[str, list[_Tapback]],
    has_guid: bool,
) -> ReadResult:
    where = f"{display}:message/{row['ROWID']}"
    guid = row.get("guid")
    if not guid:
        if has_guid:
            return RecordError(where=where, reason="message row has no guid")
        guid = f"rowid:{row['ROWID']}"  # a database without guids: the row id is stable within it
    guid = str(guid)
    assoc_type = row.get("associated_message_type") or 0
    if 2000 <= assoc_type <= 3007:
        return RecordSkip(where=where, reason=SKIP_REACTION)
    if row.get("item_type") or row.get("is_system_message"):
        return RecordSkip(where=where, reason=SKIP_SYSTEM)
    if row.get("date_retracted"):
        return RecordSkip(where=where, reason=SKIP_DELETED)
    text = row.get("text")
    cut = bool(row.get("text_cut"))
    if not text:
        cut = bool(row.get("body_cut"))
        try:
            text = decode_attributed_body(row.get("attributedBody"), partial=cut)
        except (ValueError, IndexError) as exc:
            return RecordError(where=where, reason=f"cannot decode attributedBody: {exc}", external_id=guid)
    text = (text or "").replace("\ufffc", "").strip()
    attachments = [a for a in str(row.get("attachment_names") or "").split("\x1f") if a]
    attachments = [Path(a).name for a in attachments]
    tapbacks = reactions.get(guid, [])
    many = len(attachments) > _PER_MESSAGE_KEPT or len(tapbacks) > _PER_MESSAGE_KEPT
    attachments, tapbacks = attachments[:_PER_MESSAGE_KEPT], tapbacks[:_PER_MESSAGE_KEPT]
    text = with_attachments(text, attachments)
    if not text:
        return RecordSkip(where=where, reason=SKIP_EMPTY)
    try:
        when = apple_time(row["date"] or 0)
    except (TypeError, OverflowError) as exc:
        return RecordError(where=where, reason=f"invalid date {row.get('date')!r}: {exc}", external_id=guid)
    chat_id = row.get("chat_id")
    handle = row.get("id")
    conversation = chat_titles.get(chat_id) if chat_id is not None else None
    speaker = "me" if row.get("is_from_me") else str(handle or "unknown")
    meta: dict[str, Any] = {
        "reply_to": row.get("thread_originator_guid"),
        "edited": bool(row.get("date_edited")),
        "attachments": attachments,
        "reactions": [{"emoji": emoji, "actor": actor} for emoji, actor, _type in tapbacks],
        "service": row.get("service"),
        "handle": handle,
        "truncated": cut_note() if cut else _MANY if many else None,
    }
    return message_record(
        FORMAT,
        guid,
        when,
        text,
        conversation=conversation or str(handle or "Messages"),
        speaker=speaker,
        meta=meta,
    )

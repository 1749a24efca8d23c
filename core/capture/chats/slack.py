"""Slack workspace exports: the ``.zip`` (or its unpacked folder).

Layout: ``channels.json`` (public), ``groups.json`` (private), ``dms.json`` and
``mpims.json`` (direct messages, when the plan exports them), ``users.json``,
and one folder per conversation holding ``YYYY-MM-DD.json`` files, each a JSON
array of messages.  Every file is streamed (``ijson``), the user and channel
lists too: Cairn keeps a name per user and per channel (``NAMES_KEPT`` at most,
with a note: the others are shown by their id) and the conversations that
have day files.

**Times**: Slack ``ts`` values are Unix epoch seconds (UTC) with microseconds;
the exact instant is used, no time-zone guess is involved.

**Ids**: ``ts`` is unique within a channel, so ``external_id`` is
``"<channel id>:<ts>"``.  Thread replies carry ``meta["thread_ts"]`` and
``meta["reply_to"]`` (``"<channel id>:<thread_ts>"``); when the parent was
deleted (a ``tombstone`` in the export) the replies are still imported with
``meta["parent_deleted"]``.

**Text**: ``<@U123>`` mentions become ``@Real Name`` (from ``users.json``, else
the message's ``user_profile``), ``<#C123|name>`` becomes ``#name``, links keep
their target, HTML entities are decoded.  Messages with empty ``text`` are
rendered from their ``rich_text`` blocks or legacy attachments.  Bot messages
are imported with the bot's name as speaker and ``meta["bot"]``.  Joins,
leaves, topic/purpose/name changes, pins are ``RecordSkip("system message")``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordNote, RecordSkip

from ._common import (
    SKIP_DELETED,
    SKIP_EMPTY,
    SKIP_SYSTEM,
    UNIX_EPOCH,
    message_record,
    with_attachments,
)
from ._inputs import ExportTree, find_root_prefix, tree_names
from ._jsonstream import ENTRY_READ_ERRORS, JsonBroken, iter_items

FORMAT = "slack"
NAMES_KEPT = 250_000  # user and channel names kept (a name is ~150 bytes held): real workspaces have fewer
_TITLE_MEMBERS = 20

_DAY_FILE = re.compile(r"^(?P<folder>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
_SYSTEM_SUBTYPES = frozenset(
    ["channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive", "channel_unarchive", "channel_convert_to_private", "channel_convert_to_public", "channel_posting_permissions", "group_join", "group_leave", "group_topic", "group_purpose", "group_name", "group_archive", "group_unarchive", "pinned_item", "unpinned_item", "bot_add", "bot_remove", "bot_enable", "bot_disable", "reminder_add", "reminder_delete", "sh_room_created", "sh_room_shared", "huddle_thread", "message_changed", "message_deleted", "message_replied", "ekm_access_denied", "joiner_notification"]
)
_DELETED_SUBTYPES = frozenset(["tombstone"])
_MARKUP = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


@dataclass(slots=True)
class _Conversation:
    id: str
    folder: str
    title: str
    kind: str  # channel, private, dm, mpim


class SlackReader:
    """Slack workspace export zip or folder (see the module docstring)."""

    name = FORMAT
    description = "Slack workspace export (.zip or its folder: channels.json, users.json, day files)"

    def sniff(self, path: Path) -> bool:
        names = tree_names(path)
        return names is not None and _layout(names) is not None

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        names = tree_names(path, limit=10**9)
        if names is None or _layout(names) is None:
            raise ImportFailed(
                f"{path}: not a Slack workspace export (expected a .zip or folder with channels.json or "
                "users.json and per-day files like general/2023-12-31.json)"
            )
        with ExportTree(path) as tree:
            yield from tree.rejected_errors()
            yield from _read_tree(tree)


def _layout(names: list[str]) -> str | None:
    """The export's root prefix when ``names`` look like a Slack export."""
    for marker in ("channels.json", "users.json"):
        prefix = find_root_prefix(names, marker)
        if prefix is None:
            continue
        for name in names:
            if name.startswith(prefix) and _DAY_FILE.match(name[len(prefix) :]):
                return prefix
    return None


def _each(tree: ExportTree, name: str) -> Iterator[dict[str, Any] | RecordError]:
    """The objects of the list file ``name`` one at a time, then a ``RecordError`` if it is damaged."""
    if name not in tree.names():
        return
    short = PurePosixPath(name).name
    try:
        if not tree.head(name, 256).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
            yield RecordError(where=name, reason="expected a JSON list")
            return
        with tree.open(name) as fh:
            for item in iter_items(fh, "item"):
                if isinstance(item, dict):
                    yield item
    except JsonBroken as exc:
        yield RecordError(where=name, reason=f"cannot read {short}: {exc.reason}")
    except ENTRY_READ_ERRORS as exc:
        yield RecordError(where=name, reason=f"cannot read {short}: {exc}")


class _Names:
    """Names by id, ``NAMES_KEPT`` at most: a hostile list of millions of users must not fill memory."""

    def __init__(self, what: str) -> None:
        self.names: dict[str, str] = {}
        self._what = what
        self.left_out = 0

    def add(self, key: str, name: str) -> None:
        if key in self.names or len(self.names) < NAMES_KEPT:
            self.names[key] = name
        else:
            self.left_out += 1

    def note(self, where: str) -> Iterator[RecordNote]:
        if self.left_out:
            yield RecordNote(where=where, text=(
                f"{where} lists more than {NAMES_KEPT} {self._what}: {self.left_out} are shown by their id"
            ))


def _user_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    for value in (
        profile.get("real_name"),
        user.get("real_name"),
        profile.get("display_name"),
        user.get("name"),
    ):
        if value:
            return str(value)
    return str(user.get("id", "unknown user"))


def _read_tree(tree: ExportTree) -> Iterator[ReadResult]:
    names = tree.names()
    prefix = _layout(names) or ""
    days: dict[str, list[str]] = {}
    for name in names:
        if not name.startswith(prefix):
            continue
        m = _DAY_FILE.match(name[len(prefix) :])
        if m:
            days.setdefault(m.group("folder"), []).append(name)
    users = _Names("people")
    for user in _each(tree, prefix + "users.json"):
        if isinstance(user, RecordError):
            yield user
        elif user.get("id"):
            users.add(str(user["id"]), _user_name(user))
    yield from users.note(prefix + "users.json")
    conversations: list[_Conversation] = []
    channel_names = _Names("channels")
    for file_name, kind in (
        ("channels.json", "channel"),
        ("groups.json", "private"),
        ("dms.json", "dm"),
        ("mpims.json", "mpim"),
    ):
        for item in _each(tree, prefix + file_name):
            if isinstance(item, RecordError):
                yield item
                continue
            cid = str(item.get("id", ""))
            name = str(item.get("name") or cid)
            if kind in ("channel", "private"):
                channel_names.add(cid, name)
            folder = cid if kind == "dm" else name
            if folder not in days:  # nothing to import: only its name is kept, for mentions
                continue
            if kind in ("channel", "private"):
                title = f"#{name}"
            else:
                title = _members_title([users.names.get(str(m), str(m)) for m in item.get("members") or []], name)
            conversations.append(_Conversation(cid, folder, title, kind))
    yield from channel_names.note(prefix + "channels.json")

    known = {c.folder for c in conversations}
    for folder in sorted(days):
        if folder not in known:  # a folder the lists do not mention: keep it, named by its folder
            conversations.append(_Conversation(folder, folder, f"#{folder}", "channel"))
            channel_names.names.setdefault(folder, folder)

    ctx = _TextContext(users.names, channel_names.names)
    for conv in conversations:
        deleted_parents: set[str] = set()
        for day_name in sorted(days.get(conv.folder, [])):
            yield from _read_day(tree, day_name, conv, ctx, deleted_parents)


def _members_title(members: list[str], fallback: str) -> str:
    """A direct conversation's name: its members (the first ``_TITLE_MEMBERS``, then how many more)."""
    if not members:
        return fallback
    shown = ", ".join(members[:_TITLE_MEMBERS])
    return shown if len(members) <= _TITLE_MEMBERS else f"{shown} and {len(members) - _TITLE_MEMBERS} more"


class _TextContext:
    def __init__(self, users: dict[str, str], channels: dict[str, str]) -> None:
        self.users = users
        self.channels = channels

    def user(self, uid: str, profile: dict[str, Any] | None = None) -> str:
        if uid in self.users:
            return self.users[uid]
        if profile:
            name = profile.get("real_name") or profile.get("display_name") or profile.get("name")
            if name:
                self.users[uid] = str(name)
                return str(name)
        return uid


def _read_day(
    tree: ExportTree, name: str, conv: _Conversation, ctx: _TextContext, deleted_parents: set[str]
) -> Iterator[ReadResult]:
    index = -1
    try:
        with tree.open(name) as fh:
            for index, msg in enumerate(iter_items(fh, "item")):
                yield _message(msg, f"{name}:{index}", conv, ctx, deleted_parents)
    except JsonBroken as exc:
        yield RecordError(where=f"{name}:{index + 1}", reason=exc.reason)
    except ENTRY_READ_ERRORS as exc:
        yield RecordError(where=name, reason=f"cannot read: {exc}")


def parse_ts(ts: Any) -> datetime | None:
    """A Slack ``ts`` ("1704053703.000200") as an exact UTC datetime."""
    text = str(ts)
    seconds, _, fraction = text.partition(".")
    try:
        micros = int((fraction + "000000")[:6]) if fraction else 0
        return UNIX_EPOCH + timedelta(seconds=int(seconds), microseconds=micros)
    except (ValueError, OverflowError):
        return None


def _message(
    msg: Any, where: str, conv: _Conversation, ctx: _TextContext, deleted_parents: set[str]
) -> ReadResult:
    if not isinstance(msg, dict):
        return RecordError(where=where, reason="message is not a JSON object")
    ts = msg.get("ts")
    when = parse_ts(ts) if ts else None
    if when is None:
        return RecordError(where=where, reason=f"message has no valid ts ({ts!r})")
    external_id = f"{conv.id}:{ts}"
    subtype = msg.get("subtype")
    thread_ts = msg.get("thread_ts")
    if subtype in _DELETED_SUBTYPES:
        if thread_ts == ts:
            deleted_parents.add(str(ts))
        return RecordSkip(where=where, reason=SKIP_DELETED)
    if subtype in _SYSTEM_SUBTYPES:
        return RecordSkip(where=where, reason=SKIP_SYSTEM)
    text = render_mrkdwn(str(msg.get("text") or ""), ctx)
    if not text.strip():
        text = render_blocks(msg.get("blocks"), ctx) or _legacy_attachments(msg.get("attachments"), ctx)
    files = [str(f.get("name") or f.get("title") or f.get("id")) for f in msg.get("files") or [] if isinstance(f, dict)]
    text = with_attachments(text, files, "file")
    if not text.strip():
        return RecordSkip(where=where, reason=SKIP_EMPTY)
    bot = subtype == "bot_message" or bool(msg.get("bot_id") and not msg.get("user"))
    speaker = _speaker(msg, ctx, bot)
    is_reply = bool(thread_ts) and thread_ts != ts
    meta: dict[str, Any] = {
        "thread_ts": thread_ts,
        "reply_to": f"{conv.id}:{thread_ts}" if is_reply else None,
        "parent_deleted": is_reply and str(thread_ts) in deleted_parents,
        "reply_count": msg.get("reply_count"),
        "edited": bool(msg.get("edited")),
        "attachments": files,
        "reactions": _reactions(msg.get("reactions"), ctx),
        "bot": bot,
        "subtype": subtype,
        "user_id": msg.get("user"),
        "channel_id": conv.id,
    }
    return message_record(FORMAT, external_id, when, text, conversation=conv.title, speaker=speaker, meta=meta)


def _speaker(msg: dict[str, Any], ctx: _TextContext, bot: bool) -> str:
    if bot:
        profile = msg.get("bot_profile") or {}
        return str(msg.get("username") or profile.get("name") or msg.get("bot_id") or "bot")
    uid = msg.get("user")
    if uid:
        return ctx.user(str(uid), msg.get("user_profile"))
    return str(msg.get("username") or "unknown")


def _reactions(value: Any, ctx: _TextContext) -> list[dict[str, Any]]:
    out = []
    for r in value or []:
        if isinstance(r, dict):
            out.append(
                {
                    "emoji": r.get("name"),
                    "count": r.get("count", len(r.get("users") or [])),
                    "users": [ctx.user(str(u)) for u in r.get("users") or []],
                }
            )
    return out


def render_mrkdwn(text: str, ctx: _TextContext) -> str:
    """Slack's escaped markup as plain readable text."""

    def repl(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("@"):
            return "@" + (label or ctx.user(target[1:]))
        if target.startswith("#"):
            return "#" + (label or ctx.channels.get(target[1:], target[1:]))
        if target.startswith("!"):
            if label:
                return label
            word = target[1:].split("^", 1)[0]
            return "@" + word
        url = target
        shown = label or url.removeprefix("mailto:")
        if label and label != url and label != url.removeprefix("mailto:"):
            return f"{label} ({url})"
        return shown

    if "<" in text:
        text = _MARKUP.sub(repl, text)
    return html.unescape(text) if "&" in text else text


def render_blocks(blocks: Any, ctx: _TextContext) -> str:
    """Plain text of Block Kit blocks (rich_text, section, header, context)."""
    lines: list[str] = []
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "rich_text":
            for element in block.get("elements") or []:
                lines.extend(_rich_element(element, ctx))
        elif kind in ("section", "header"):
            text = block.get("text") or {}
            if isinstance(text, dict) and text.get("text"):
                lines.append(render_mrkdwn(str(text["text"]), ctx))
            for field in block.get("fields") or []:
                if isinstance(field, dict) and field.get("text"):
                    lines.append(render_mrkdwn(str(field["text"]), ctx))
        elif kind == "context":
            parts = [
                render_mrkdwn(str(e.get("text")), ctx)
                for e in block.get("elements") or []
                if isinstance(e, dict) and e.get("text")
            ]
            if parts:
                lines.append(" ".join(parts))
    return "\n".join(line for line in lines if line).strip()


def _rich_element(element: Any, ctx: _TextContext) -> list[str]:
    if not isinstance(element, dict):
        return []
    kind = element.get("type")
    if kind == "rich_text_list":
        style = element.get("style")
        out = []
        for i, item in enumerate(element.get("elements") or [], 1):
            bullet = f"{i}." if style == "ordered" else "-"
            out.append(f"{bullet} {''.join(_inline(e, ctx) for e in item.get('elements') or [])}")
        return out
    text = "".join(_inline(e, ctx) for e in element.get("elements") or [])
    if kind == "rich_text_quote":
        return ["> " + line for line in text.splitlines()]
    return [text]


def _inline(element: Any, ctx: _TextContext) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text", ""))
    if kind == "link":
        url = str(element.get("url", ""))
        label = element.get("text")
        return f"{label} ({url})" if label and label != url else url
    if kind == "user":
        return "@" + ctx.user(str(element.get("user_id", "")))
    if kind == "channel":
        cid = str(element.get("channel_id", ""))
        return "#" + ctx.channels.get(cid, cid)
    if kind == "usergroup":
        return "@" + str(element.get("usergroup_id", "group"))
    if kind == "broadcast":
        return "@" + str(element.get("range", "here"))
    if kind == "emoji":
        if element.get("unicode"):
            try:
                return "".join(chr(int(cp, 16)) for cp in str(element["unicode"]).split("-"))
            except ValueError:
                pass
        return f":{element.get('name', '')}:"
    if kind == "date":
        return str(element.get("fallback", ""))
    return str(element.get("text", ""))


def _legacy_attachments(value: Any, ctx: _TextContext) -> str:
    parts = []
    for att in value or []:
        if not isinstance(att, dict):
            continue
        for key in ("pretext", "title", "text"):
            if att.get(key):
                parts.append(render_mrkdwn(str(att[key]), ctx))
        if not parts and att.get("fallback"):
            parts.append(render_mrkdwn(str(att["fallback"]), ctx))
    return "\n".join(parts)

"""Facebook Messenger and Instagram message exports (``message_1.json`` …).

Accepted inputs: one ``message_N.json``, a thread folder, or the whole "Download
your information" export (folder or zip) holding
``…/messages/{inbox,archived_threads,filtered_threads,message_requests,e2ee_cutover}/<thread>/message_N.json``
(Facebook and Instagram share the layout).  Messenger's newer end-to-end
encrypted chat download (``senderName``/``timestamp``/``text`` fields) is read
too.  Files are streamed (``ijson``); the thread title, which Meta writes
*after* the messages, is read from the end of the file first.

**Text repair**: Meta writes UTF-8 bytes as latin-1 code points ("CafÃ©" for
"Café").  Every string is repaired with ``_common.fix_mojibake``, which only
changes text that round-trips and gets shorter, so correct text is untouched.

**Times**: ``timestamp_ms`` (or ``timestamp``) is Unix epoch milliseconds (UTC):
exact.  **Ids**: Meta exports carry no message ids: ``external_id`` hashes the
millisecond timestamp, the sender and the ordinal among that sender's
messages in the same millisecond, so re-exports and overlapping exports
deduplicate and an edited text updates in place.

Unsent messages are ``RecordSkip("deleted message")``; calls, joins and leaves
(``call_duration``, ``Subscribe``/``Unsubscribe``) are ``RecordSkip("system
message")``; Instagram "Liked a message"/"Reacted … to your message" lines are
``RecordSkip("reaction")``.  Reactions, shares (``meta["share_link"]``) and
photos/videos/audio/files (``meta["attachments"]``, file names) are kept.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordSkip

from ._budget import cut_of
from ._common import (
    SKIP_DELETED,
    SKIP_EMPTY,
    SKIP_REACTION,
    SKIP_SYSTEM,
    fix_mojibake,
    from_unix_ms,
    message_record,
    stable_id,
    with_attachments,
)
from ._inputs import ExportTree, is_zip, read_head, tree_names
from ._jsonstream import ENTRY_READ_ERRORS, JsonBroken, walk

FORMAT = "messenger"

_THREAD_FILE = re.compile(
    r"(^|/)messages/(inbox|archived_threads|filtered_threads|message_requests|e2ee_cutover)/"
    r"(?P<thread>[^/]+)/message_(?P<n>\d+)\.json$"
)
_INBOX_HOMES = (
    "messages",
    "your_facebook_activity/messages",
    "your_instagram_activity/messages",
    "your_activity_across_facebook/messages",
)
_LOOSE_FILE = re.compile(r"(^|/)message_(?P<n>\d+)\.json$")
_TITLE = re.compile(r'"(?:title|threadName)"\s*:\s*("(?:[^"\\]|\\.)*")')
_SENT_MEDIA = re.compile(
    r"^.{1,80} sent (an? )?(attachment|photo|photos|video|voice message|audio|GIF|sticker|file)\.?$"
)
_IG_REACTION = re.compile(r"^(Liked a message|Reacted .{1,16} to your message)$")
_MEDIA_KEYS = (("photos", "photo"), ("videos", "video"), ("audio_files", "audio"), ("gifs", "GIF"), ("files", "file"))
_ORDINAL_WINDOW = 1_000  # distinct (time, speaker) keys; exports are in time order
_TAIL_BYTES = 64 * 1024
_HEAD_BYTES = 16 * 1024


def _head_is_messenger(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith("{") or '"participants"' not in text or '"messages"' not in text:
        return False
    return any(k in text for k in ('"sender_name"', '"timestamp_ms"', '"senderName"'))


def _thread_files(names: list[str]) -> dict[str, list[str]]:
    """Thread folder -> its ``message_N.json`` files, message_1 first."""
    threads: dict[str, list[tuple[int, str]]] = {}
    for name in names:
        m = _THREAD_FILE.search(name) or _LOOSE_FILE.search(name)
        if m is None:
            continue
        folder = name.rsplit("/", 1)[0] if "/" in name else ""
        threads.setdefault(folder, []).append((int(m.group("n")), name))
    return {k: [n for _, n in sorted(v)] for k, v in sorted(threads.items())}


class MessengerReader:
    """Facebook Messenger / Instagram JSON exports (see the module docstring)."""

    name = FORMAT
    description = "Facebook Messenger / Instagram export (message_1.json, thread folders, or the export zip)"

    def sniff(self, path: Path) -> bool:
        if path.is_file() and not is_zip(path):
            return path.suffix.lower() == ".json" and _head_is_messenger(read_head(path))
        if path.is_dir():
            if (path / "message_1.json").is_file():  # a single thread folder
                return _head_is_messenger(read_head(path / "message_1.json"))
            # A whole export can hold tens of thousands of files: look where Meta puts the inbox.
            for base in _INBOX_HOMES:
                inbox = path / base / "inbox"
                if inbox.is_dir() and any((t / "message_1.json").is_file() for t in _first_dirs(inbox)):
                    return True
        names = tree_names(path)
        return names is not None and any(_THREAD_FILE.search(n) for n in names)

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        if path.is_file() and not is_zip(path):
            if not _head_is_messenger(read_head(path)):
                raise ImportFailed(_not_messenger(path))
            thread = _Thread(_platform(str(path.resolve())))
            yield from _read_file(lambda: path.open("rb"), path.name, thread, read_head(path), _file_tail(path))
            return
        names = tree_names(path, limit=10**9)
        threads = _thread_files(names or [])
        if not threads:
            raise ImportFailed(_not_messenger(path))
        with ExportTree(path) as tree:
            yield from tree.rejected_errors()
            for folder, files in threads.items():
                thread = _Thread(_platform(f"{path.name}/{folder}"), fallback_title=_folder_title(folder))
                for name in files:
                    if name not in tree.names():
                        continue

                    def opener(entry: str = name) -> IO[bytes]:
                        return tree.open(entry)

                    try:
                        head, tail = _stream_ends(opener)
                    except ENTRY_READ_ERRORS as exc:
                        yield RecordError(where=name, reason=f"cannot read: {exc}")
                        continue
                    yield from _read_file(opener, name, thread, head, tail)


def _first_dirs(folder: Path, limit: int = 50) -> list[Path]:
    out: list[Path] = []
    for child in folder.iterdir():
        if child.is_dir():
            out.append(child)
            if len(out) >= limit:
                break
    return out


def _not_messenger(path: Path) -> str:
    return (
        f"{path}: not a Messenger/Instagram export (expected message_1.json with 'participants' and "
        "'messages', or an export folder/zip with messages/inbox/<thread>/message_1.json)"
    )


def _platform(where: str) -> str:
    return "instagram" if "instagram" in where.lower() else "facebook"


def _folder_title(folder: str) -> str | None:
    base = PurePosixPath(folder).name if folder else ""
    # Thread folders are "<name>_<numeric id>": the name part is a usable fallback title.
    stem = re.sub(r"_\d{6,}$", "", base)
    return stem or None


class _Thread:
    """State shared by the files of one thread (ordinals continue across message_N files)."""

    def __init__(self, platform: str, fallback_title: str | None = None) -> None:
        self.platform = platform
        self.fallback_title = fallback_title
        self.title: str | None = None
        self.ordinals: OrderedDict[tuple[Any, str], int] = OrderedDict()

    def ordinal(self, stamp: Any, sender: str) -> int:
        key = (stamp, sender)
        value = self.ordinals.get(key, 0)
        self.ordinals[key] = value + 1
        self.ordinals.move_to_end(key)
        if len(self.ordinals) > _ORDINAL_WINDOW:
            self.ordinals.popitem(last=False)
        return value


def _file_tail(path: Path) -> bytes:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - _TAIL_BYTES))
        return fh.read()


def _stream_ends(opener: Callable[[], IO[bytes]]) -> tuple[bytes, bytes]:
    """First and last bytes of a stream that cannot seek (a zip entry), in bounded memory."""
    head = tail = b""
    with opener() as fh:
        while chunk := fh.read(256 * 1024):
            if len(head) < _HEAD_BYTES:
                head = (head + chunk)[:_HEAD_BYTES]
            tail = (tail + chunk)[-_TAIL_BYTES:]
    return head, tail


def _title_from(head: bytes, tail: bytes) -> str | None:
    for blob in (tail, head):
        text = blob.decode("utf-8", errors="ignore")
        matches = _TITLE.findall(text)
        if matches:
            try:
                return fix_mojibake(str(json.loads(matches[-1])))
            except ValueError:
                continue
    return None


def _read_file(
    opener: Callable[[], IO[bytes]], display: str, thread: _Thread, head: bytes, tail: bytes
) -> Iterator[ReadResult]:
    index = 0
    try:
        title = _title_from(head, tail) or thread.title or thread.fallback_title or "Messenger chat"
        thread.title = title
        with opener() as fh:
            for _context, msg in walk(fh, arrays=("messages",), reopen=opener):
                yield _message(msg, f"{display}:{index}", thread, title)
                index += 1
    except JsonBroken as exc:
        yield RecordError(where=f"{display}:{index}", reason=exc.reason)
    except ENTRY_READ_ERRORS as exc:
        yield RecordError(where=display, reason=f"cannot read: {exc}")


def _message(msg: Any, where: str, thread: _Thread, title: str) -> ReadResult:
    if not isinstance(msg, dict):
        return RecordError(where=where, reason="message is not a JSON object")
    new_style = "senderName" in msg
    sender_raw = msg.get("senderName") if new_style else msg.get("sender_name")
    stamp = msg.get("timestamp") if new_style else msg.get("timestamp_ms")
    if not isinstance(stamp, int | float):
        return RecordError(where=where, reason="message has no timestamp")
    sender = fix_mojibake(str(sender_raw or "Facebook user"))
    ordinal = thread.ordinal(stamp, sender)
    external_id = stable_id(FORMAT, int(stamp), sender, ordinal)
    if msg.get("is_unsent") or msg.get("isUnsent"):
        return RecordSkip(where=where, reason=SKIP_DELETED)
    if msg.get("type") in ("Subscribe", "Unsubscribe", "Call") or "call_duration" in msg:
        return RecordSkip(where=where, reason=SKIP_SYSTEM)
    text = fix_mojibake(str((msg.get("text") if new_style else msg.get("content")) or ""))
    if _IG_REACTION.match(text):
        return RecordSkip(where=where, reason=SKIP_REACTION)
    attachments = _attachments(msg, new_style)
    if attachments and _SENT_MEDIA.match(text):
        text = ""  # "Alice sent a photo." only restates the attachment list
    share = msg.get("share") if isinstance(msg.get("share"), dict) else {}
    link = share.get("link")
    share_text = fix_mojibake(str(share.get("share_text") or ""))
    extras = [x for x in (share_text, link) if x and x not in text]
    if extras:
        text = "\n".join([text, *extras]) if text else "\n".join(extras)
    text = with_attachments(text, attachments, _media_kind(msg))
    if not text.strip():
        return RecordSkip(where=where, reason=SKIP_EMPTY)
    try:
        when = from_unix_ms(stamp)
    except OverflowError:
        return RecordError(where=where, reason=f"timestamp {stamp} out of range", external_id=external_id)
    meta: dict[str, Any] = {
        "reactions": [
            {"emoji": fix_mojibake(str(r.get("reaction", ""))), "actor": fix_mojibake(str(r.get("actor", "")))}
            for r in msg.get("reactions") or []
            if isinstance(r, dict)
        ],
        "attachments": attachments,
        "share_link": link,
        "platform": thread.platform,
        "truncated": cut_of(msg),
    }
    return message_record(FORMAT, external_id, when, text, conversation=title, speaker=sender, meta=meta)


def _attachments(msg: dict[str, Any], new_style: bool) -> list[str]:
    uris: list[str] = []
    if new_style:
        uris.extend(str(m.get("uri")) for m in msg.get("media") or [] if isinstance(m, dict) and m.get("uri"))
    else:
        for key, _label in _MEDIA_KEYS:
            uris.extend(str(m.get("uri")) for m in msg.get(key) or [] if isinstance(m, dict) and m.get("uri"))
        sticker = msg.get("sticker")
        if isinstance(sticker, dict) and sticker.get("uri"):
            uris.append(str(sticker["uri"]))
    return [PurePosixPath(u).name for u in uris]


def _media_kind(msg: dict[str, Any]) -> str:
    for key, label in _MEDIA_KEYS:
        if msg.get(key):
            return label
    return "sticker" if msg.get("sticker") else "attachment"


"""ChatGPT data exports: ``conversations.json``, alone or inside the export zip.

The file is a JSON array of conversations, streamed one conversation at a
time (``ijson``) while each is under ``WHOLE_BYTES`` of JSON; from the first
larger one on, one node at a time (``_jsonsplit``).  A conversation is then held whole up to ``HOLD_NODES``
nodes or ``HOLD_BYTES`` of text; a larger one is read twice: once for the
shape of its tree (``_gpt_tree``), once for the messages on its branch,
imported in file order (memory is then a few dozen bytes a node, and at most
``TREE_NODES`` nodes of one conversation are read, with a note).  Each
conversation is a tree (``mapping``: node id -> ``{message, parent,
children}``); edits and regenerations are branches.  Cairn imports the branch
the user last saw: from ``current_node`` up through ``parent`` to the root
(falling back to the most recent leaf when ``current_node`` is missing).

**Times**: ``create_time`` values are Unix epoch seconds (UTC): exact.  A
message without one takes its conversation's ``create_time`` and gets
``meta["time_estimated"]``.

**Ids**: ``external_id`` is the message id (a UUID); ``meta["reply_to"]`` is the
previous visible message on the branch, ``meta["conversation_id"]`` the
conversation's id.  Conversation name: the title.

**Speakers**: ``user``, ``ChatGPT`` (assistant) and ``tool:<name>`` (python,
browser, dalle...).  Content types are rendered as text where possible (text,
multimodal text with image/audio placeholders, code, execution output,
browsing quotes, reasoning summaries).  System messages, custom instructions
and parts marked ``is_visually_hidden_from_conversation`` are
``RecordSkip("hidden message")``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import Record, RecordError, RecordNote, RecordSkip

from ._common import SKIP_EMPTY, SKIP_HIDDEN, from_unix, message_record
from ._gpt_tree import RECORD, SKIP, UNDATED, BigTree
from ._inputs import ExportTree, find_root_prefix, is_zip, read_head, tree_names
from ._jsonsplit import Element, Member, split_items, whole_or_split
from ._jsonstream import JsonBroken

FORMAT = "chatgpt"

_ENTRY = re.compile(r"(^|/)conversations(-\d+)?\.json$")
_HIDDEN_CONTENT = frozenset(["user_editable_context", "model_editable_context"])
WHOLE_BYTES = 8_000_000  # JSON bytes of a conversation built whole (C builder, fast); a larger one is split
HOLD_NODES = 20_000  # nodes of a conversation held whole (real ones have hundreds; ~2 KB each when built)
HOLD_BYTES = 32_000_000  # text held for one conversation before it is read in two passes instead
TREE_NODES = 2_000_000  # nodes of one conversation read at all (~60 bytes each in the tree)
_KEEP = frozenset(["title", "create_time", "update_time", "current_node", "conversation_id", "id"])
_SPREAD = frozenset(["mapping"])


def _head_is_chatgpt(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith("["):
        return False
    if re.fullmatch(r"\[\s*\]\s*", text):
        return True
    # Older and stripped exports lack current_node and the conversation's create_time:
    # a list of objects with a message tree ("mapping" of nodes with "children") is enough.
    return '"mapping"' in text and ('"title"' in text or '"children"' in text or '"message"' in text)


def _entries(path: Path) -> list[str] | None:
    """``conversations*.json`` inside a zip/folder; [''] when ``path`` is the file itself."""
    if path.is_file() and not is_zip(path):
        return [""]
    names = tree_names(path, limit=10**9 if is_zip(path) else 5000)
    if names is None:
        return None
    prefix = find_root_prefix(names, "conversations.json")
    found = [n for n in names if _ENTRY.search(n) and (prefix is None or n.startswith(prefix))]
    return sorted(found, key=lambda n: (n.count("/"), n))


class ChatGPTReader:
    """ChatGPT ``conversations.json`` exports (see the module docstring)."""

    name = FORMAT
    description = "ChatGPT data export (conversations.json, or the export .zip)"

    def sniff(self, path: Path) -> bool:
        entries = _entries(path)
        if not entries:
            return False
        if entries == [""]:
            return path.suffix.lower() == ".json" and _head_is_chatgpt(read_head(path))
        if path.is_dir():
            return _head_is_chatgpt(read_head(path / entries[0]))
        try:
            with ExportTree(path) as tree:
                return _head_is_chatgpt(tree.head(entries[0]))
        except (ImportFailed, OSError, KeyError):
            return False

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        entries = _entries(path)
        if entries == [""]:
            if not _head_is_chatgpt(read_head(path)):
                raise ImportFailed(_not_chatgpt(path))
            with path.open("rb") as fh:
                yield from _read_stream(fh, path.name, path.stat().st_mtime, lambda: path.open("rb"))
            return
        if not entries:
            raise ImportFailed(_not_chatgpt(path))
        with ExportTree(path) as tree:
            yield from tree.rejected_errors()
            usable = [e for e in entries if e in tree.names()]
            if not usable or not _head_is_chatgpt(tree.head(usable[0])):
                raise ImportFailed(_not_chatgpt(path))
            yield from tree.read_each(
                usable, lambda entry, fh: _read_stream(fh, entry, path.stat().st_mtime, lambda: tree.open(entry))
            )


def _not_chatgpt(path: Path) -> str:
    return (
        f"{path}: not a ChatGPT export (expected conversations.json, a JSON list of conversations "
        "with 'mapping', or the export .zip containing it)"
    )


def _read_stream(
    fh: IO[bytes], display: str, export_time: float, reopen: Callable[[], IO[bytes]]
) -> Iterator[ReadResult]:
    """``export_time``: when the export was written, the last resort for an undated conversation;
    ``reopen``: the same stream again, for the second pass over a conversation too large to hold."""
    index = -1
    held: dict[Any, Any] = {}
    size = 0
    big: BigTree | None = None
    with ExitStack() as stack:
        again: Iterator[Member | Element] | None = None  # the second pass, opened at the first large conversation
        try:
            for piece in whole_or_split(fh, reopen, budget=WHOLE_BYTES, spread=_SPREAD, keep=_KEEP):
                if isinstance(piece, Member):
                    if big is not None:
                        _add(big, piece.key, piece.value)
                        continue
                    held[piece.key] = piece.value
                    size += piece.size
                    if len(held) > HOLD_NODES or size > HOLD_BYTES:
                        big = BigTree(TREE_NODES)
                        for key, node in held.items():
                            _add(big, key, node)
                        held, size = {}, 0
                    continue
                index = piece.index
                where = f"{display}:{index}"
                if piece.whole:
                    yield from _conversation(piece.value, where, export_time)
                elif big is None:
                    conv = piece.value
                    if isinstance(conv, dict) and isinstance(conv.get("mapping"), dict):
                        conv = {**conv, "mapping": held}
                    yield from _conversation(conv, where, export_time)
                else:
                    if again is None:
                        again = split_items(stack.enter_context(reopen()), spread=_SPREAD, keep=frozenset())
                        stack.callback(again.close)  # type: ignore[attr-defined]
                    yield from _big_conversation(piece, big, again, where, export_time)
                held, size, big = {}, 0, None
        except JsonBroken as exc:
            yield RecordError(where=f"{display}:{index + 1}", reason=exc.reason)


def _add(big: BigTree, node_id: Any, node: Any) -> None:
    """One node into the tree of a large conversation, with what its message will become."""
    msg = node.get("message") if isinstance(node, dict) else None
    if not isinstance(msg, dict):
        big.add(node_id, node, SKIP, None)
        return
    result = _message(msg, str(node_id), "", "", "", 0.0, None)
    if not isinstance(result, Record):
        big.add(node_id, node, SKIP, None)
        return
    big.add(node_id, node, RECORD if msg.get("create_time") else UNDATED, result.external_id)


def _big_conversation(
    element: Element, big: BigTree, again: Iterator[Member | Element], where: str, export_time: float
) -> Iterator[ReadResult]:
    """A conversation too large to hold: its branch from ``big``, its messages from the second pass ``again``."""
    conv = element.value
    if not isinstance(conv, dict) or not isinstance(conv.get("mapping"), dict):
        yield RecordError(where=where, reason="conversation has no 'mapping' object")
        return
    conv_id = str(conv.get("conversation_id") or conv.get("id") or "")
    title = str(conv.get("title") or "").strip() or f"ChatGPT conversation {conv_id[:8]}".strip()
    fallback_time = conv.get("create_time") or conv.get("update_time") or big.earliest or export_time
    try:
        undated_ok = bool(from_unix(float(fallback_time)))
    except (TypeError, ValueError, OverflowError):
        undated_ok = False
    big.plan(conv.get("current_node"), undated_ok)
    if big.dropped:
        yield RecordNote(where=where, text=(
            f"conversation {title!r} has more than {TREE_NODES} messages: the first {len(big)} were read, "
            f"{big.dropped} left out"
        ))
    for piece in again:
        if piece.index < element.index:
            continue
        if isinstance(piece, Element):
            return
        on_branch, previous = big.take(piece.key)  # type: ignore[arg-type]
        msg = piece.value.get("message") if on_branch and isinstance(piece.value, dict) else None
        if isinstance(msg, dict):
            yield _message(msg, str(piece.key), f"{where}/{piece.key}", title, conv_id, fallback_time, previous)


def _conversation(conv: Any, where: str, export_time: float) -> Iterator[ReadResult]:
    if not isinstance(conv, dict) or not isinstance(conv.get("mapping"), dict):
        yield RecordError(where=where, reason="conversation has no 'mapping' object")
        return
    mapping: dict[str, Any] = conv["mapping"]
    conv_id = str(conv.get("conversation_id") or conv.get("id") or "")
    title = str(conv.get("title") or "").strip() or f"ChatGPT conversation {conv_id[:8]}".strip()
    # Older exports lack the conversation's create_time; a message's own time wins anyway.
    fallback_time = conv.get("create_time") or conv.get("update_time") or _earliest_time(mapping) or export_time
    branch = _branch(mapping, conv.get("current_node"))
    previous: str | None = None
    for node_id in branch:
        node = mapping.get(node_id) or {}
        msg = node.get("message")
        if not isinstance(msg, dict):
            continue  # the synthetic root has no message
        node_where = f"{where}/{node_id}"
        result = _message(msg, node_id, node_where, title, conv_id, fallback_time, previous)
        if not isinstance(result, RecordSkip | RecordError):
            previous = result.external_id
        yield result


def _earliest_time(mapping: dict[str, Any]) -> float | None:
    stamps = []
    for node in mapping.values():
        msg = node.get("message") if isinstance(node, dict) else None
        if isinstance(msg, dict) and isinstance(msg.get("create_time"), int | float) and msg["create_time"] > 0:
            stamps.append(float(msg["create_time"]))
    return min(stamps) if stamps else None


def _branch(mapping: dict[str, Any], current: Any) -> list[str]:
    """Node ids from the root down to ``current_node`` (or the newest leaf)."""
    if not isinstance(current, str) or current not in mapping:
        current = _newest_leaf(mapping)
    chain: list[str] = []
    seen: set[str] = set()
    node_id: Any = current
    while isinstance(node_id, str) and node_id in mapping and node_id not in seen:
        seen.add(node_id)
        chain.append(node_id)
        node_id = (mapping[node_id] or {}).get("parent")
    chain.reverse()
    return chain


def _newest_leaf(mapping: dict[str, Any]) -> str | None:
    best: tuple[float, str] | None = None
    for node_id, node in mapping.items():
        if not isinstance(node, dict) or node.get("children"):
            continue
        msg = node.get("message") or {}
        stamp = float(msg.get("create_time") or 0) if isinstance(msg, dict) else 0.0
        if best is None or stamp >= best[0]:
            best = (stamp, node_id)
    return best[1] if best else None


def _message(
    msg: dict[str, Any],
    node_id: str,
    where: str,
    title: str,
    conv_id: str,
    fallback_time: Any,
    previous: str | None,
) -> ReadResult:
    author = msg.get("author") or {}
    role = author.get("role")
    metadata = msg.get("metadata") or {}
    content = msg.get("content") or {}
    content_type = content.get("content_type") if isinstance(content, dict) else None
    if (
        role == "system"
        or metadata.get("is_visually_hidden_from_conversation")
        or content_type in _HIDDEN_CONTENT
    ):
        return RecordSkip(where=where, reason=SKIP_HIDDEN)
    external_id = str(msg.get("id") or node_id)
    text = render_content(content)
    if not text.strip():
        return RecordSkip(where=where, reason=SKIP_EMPTY)
    stamp = msg.get("create_time")
    estimated = False
    if not stamp:
        stamp, estimated = fallback_time, True
    try:
        when: datetime = from_unix(float(stamp))
    except (TypeError, ValueError, OverflowError):
        return RecordError(where=where, reason="message has no usable create_time", external_id=external_id)
    if role == "user":
        speaker = "user"
    elif role == "assistant":
        speaker = "ChatGPT"
    else:
        speaker = f"{role or 'tool'}:{author.get('name') or 'unknown'}"
    attachments: list[str] = []
    for att in metadata.get("attachments") or []:
        if isinstance(att, dict):
            name = str(att.get("name") or att.get("id"))
            attachments.append(name)
            if att.get("id"):  # show the uploaded file's name instead of its asset id
                text = text.replace(f"[image: {att['id']}]", f"[image: {name}]")
    meta: dict[str, Any] = {
        "role": role,
        "reply_to": previous,
        "conversation_id": conv_id,
        "content_type": content_type,
        "model": metadata.get("model_slug"),
        "time_estimated": estimated,
        "attachments": attachments,
    }
    return message_record(FORMAT, external_id, when, text, conversation=title, speaker=speaker, meta=meta)


def render_content(content: Any) -> str:
    """Text of a message's ``content`` for every content type we know; '' otherwise."""
    if not isinstance(content, dict):
        return ""
    kind = content.get("content_type")
    if kind in ("text", "multimodal_text"):
        return "\n".join(p for p in (_part(x) for x in content.get("parts") or []) if p)
    if kind == "code":
        lang = content.get("language") or ""
        lang = "" if lang == "unknown" else lang
        return f"```{lang}\n{content.get('text', '')}\n```"
    if kind in ("execution_output", "system_error", "computer_output"):
        return str(content.get("text") or content.get("name") or "")
    if kind == "tether_browsing_display":
        return str(content.get("result") or content.get("summary") or "")
    if kind == "tether_quote":
        parts = [content.get("title"), content.get("url"), content.get("text")]
        return "\n".join(str(p) for p in parts if p)
    if kind == "thoughts":
        return "\n".join(
            str(t.get("summary") or t.get("content") or "")
            for t in content.get("thoughts") or []
            if isinstance(t, dict)
        )
    if kind == "reasoning_recap":
        return str(content.get("content") or "")
    if "text" in content and isinstance(content["text"], str):
        return content["text"]
    if "parts" in content:
        return "\n".join(p for p in (_part(x) for x in content.get("parts") or []) if p)
    return ""


def _part(part: Any) -> str:
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return ""
    kind = part.get("content_type")
    if kind == "audio_transcription":
        return str(part.get("text") or "")
    if kind == "image_asset_pointer":
        pointer = str(part.get("asset_pointer") or "")
        meta = part.get("metadata") or {}
        prompt = ((meta.get("dalle") or {}) if isinstance(meta, dict) else {}).get("prompt")
        name = PurePosixPath(pointer.split("://", 1)[-1]).name
        return f"[image: {prompt}]" if prompt else f"[image: {name}]"
    if kind in ("audio_asset_pointer", "real_time_user_audio_video_asset_pointer"):
        return "[audio]"
    if isinstance(part.get("text"), str):
        return part["text"]
    return ""

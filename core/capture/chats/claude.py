"""Claude.ai data exports: ``conversations.json`` and ``projects.json``, alone, in a folder or in the zip.

Anthropic's export (Settings → Privacy → Export data) is a zip holding
``conversations.json`` (a JSON list of conversations: ``uuid``, ``name``,
``created_at``, ``chat_messages[]``), ``projects.json`` (``uuid``, ``name``,
``description``, ``prompt_template``, ``docs[]`` with ``filename`` and
``content``) and ``users.json``.  Each list is streamed one element at a time
(``ijson``) while each is under ``WHOLE_BYTES`` of JSON; from the first larger
one on, one message (or project document) at a time (``_jsonsplit``): a
conversation or project is then held up to ``HOLD_MEMBERS`` messages or ``HOLD_BYTES`` of
text, a larger one is imported as it streams past (its name, time and id are
then those read before its messages, as in Anthropic's key order).

**Messages**: ``sender`` ``human`` becomes speaker ``user``, ``assistant``
becomes ``Claude``.  The text is the ``content[]`` blocks of type ``text``
(falling back to the flat ``text`` field of older exports); tool calls and
their results are rendered as short labelled lines; ``thinking`` blocks are
left out (they are not what was said).  ``external_id`` is the message uuid.

**Attachments**: a pasted or uploaded file's ``extracted_content`` becomes its
own ``document`` record (``<message uuid>:attachment:<n>``, titled with the
file name, in the same conversation), so a long file neither bloats the
message nor is lost; files without extracted text (``files[]``, images) are
named in the message.  **Projects**: one ``document`` record for the
description and instructions, one per knowledge document.

**Times**: ISO 8601 with ``Z`` (UTC): exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import Record, RecordError, RecordSkip

from ._caps import DOCUMENT_CAP, cut_note, take_cut
from ._common import SKIP_EMPTY, message_record, prune_meta, with_attachments
from ._inputs import ExportTree, is_zip, read_head, tree_names
from ._jsonsplit import Element, Member, whole_or_split
from ._jsonstream import ENTRY_READ_ERRORS, JsonBroken

FORMAT = "claude"
_DOCUMENT_KEYS = frozenset([b"extracted_content", b"content"])  # an attachment's and a project doc's text
_CONVERSATIONS = "conversations.json"
_PROJECTS = "projects.json"
WHOLE_BYTES = 8_000_000  # JSON bytes of a conversation built whole (C builder, fast); a larger one is split
HOLD_MEMBERS = 20_000  # messages or documents of one conversation or project held whole
HOLD_BYTES = 32_000_000  # text held for one conversation or project before it is imported as it streams
_SPREAD = frozenset(["chat_messages", "docs"])
_KEEP = frozenset(["uuid", "name", "created_at", "updated_at", "description", "prompt_template", "creator"])
_SPEAKERS = {"human": "user", "assistant": "Claude"}
_CONVERSATION_HEAD = re.compile(r'"chat_messages"\s*:|"sender"\s*:\s*"(?:human|assistant)"')
_PROJECT_HEAD = re.compile(r'"prompt_template"\s*:|"docs"\s*:\s*\[')


def _head_kind(head: bytes) -> str | None:
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith("["):
        return None
    if re.fullmatch(r"\[\s*\]\s*", text):
        return "empty"
    if '"mapping"' in text:  # ChatGPT's conversations.json
        return None
    if _CONVERSATION_HEAD.search(text) and '"uuid"' in text:
        return "conversations"
    if _PROJECT_HEAD.search(text) and '"uuid"' in text:
        return "projects"
    return None


def _entries(names: list[str]) -> list[str]:
    """conversations.json / projects.json at the shallowest folder that has them."""
    found = [n for n in names if PurePosixPath(n).name in (_CONVERSATIONS, _PROJECTS)]
    if not found:
        return []
    depth = min(n.count("/") for n in found)
    return sorted((n for n in found if n.count("/") == depth), key=lambda n: PurePosixPath(n).name)


class ClaudeReader:
    """Claude.ai export (see the module docstring)."""

    name = FORMAT
    description = "Claude.ai data export (conversations.json, projects.json, or the export .zip)"

    def sniff(self, path: Path) -> bool:
        if path.is_file() and not is_zip(path):
            return path.suffix.lower() == ".json" and _head_kind(read_head(path)) in ("conversations", "projects")
        entries = _entries(tree_names(path) or [])
        if not entries:
            return False
        try:
            with ExportTree(path) as tree:
                return any(_head_kind(tree.head(e)) in ("conversations", "projects", "empty") for e in entries) and \
                    any(_head_kind(tree.head(e)) != "empty" for e in entries)
        except (*ENTRY_READ_ERRORS, KeyError):
            return False

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        if path.is_file() and not is_zip(path):
            kind = _head_kind(read_head(path))
            if kind not in ("conversations", "projects", "empty"):
                raise ImportFailed(_not_claude(path))
            with path.open("rb") as fh:
                yield from _read_stream(fh, path.name, kind, lambda: path.open("rb"))
            return
        entries = _entries(tree_names(path, limit=10**9) or [])
        if not entries:
            raise ImportFailed(_not_claude(path))
        with ExportTree(path) as tree:
            yield from tree.rejected_errors()

            def read_entry(entry: str, fh: IO[bytes]) -> Iterator[ReadResult]:
                kind = _head_kind(tree.head(entry))
                if kind is None:
                    yield RecordError(where=entry, reason="not in the Claude.ai export format")
                    return
                yield from _read_stream(fh, entry, kind, lambda: tree.open(entry))

            yield from tree.read_each(entries, read_entry)


def _not_claude(path: Path) -> str:
    return (
        f"{path}: not a Claude.ai export (expected conversations.json with 'chat_messages', projects.json, "
        "or the export .zip holding them)"
    )


def _read_stream(
    fh: IO[bytes], display: str, kind: str | None, reopen: Callable[[], IO[bytes]]
) -> Iterator[ReadResult]:
    index = -1
    held: list[Member] = []
    size = 0
    try:
        # Attachments and project docs carry whole documents' text: those are cut at the document cap.
        pieces = whole_or_split(fh, reopen, budget=WHOLE_BYTES, spread=_SPREAD, keep=_KEEP, documents=_DOCUMENT_KEYS)
        for piece in pieces:
            if isinstance(piece, Member):
                held.append(piece)
                size += piece.size
                if len(held) > HOLD_MEMBERS or size > HOLD_BYTES:
                    index = piece.index
                    yield from _flowing(held, pieces, f"{display}:{index}", kind)
                    held, size = [], 0
                continue
            index = piece.index
            element = piece.value
            if isinstance(element, dict) and not piece.whole:
                element = {**element, **{
                    field: [m.value for m in held if m.field == field]
                    for field in _SPREAD if isinstance(element.get(field), list)
                }}
            held, size = [], 0
            where = f"{display}:{index}"
            if kind == "projects" or (isinstance(element, dict) and "docs" in element and "chat_messages" not in element):
                yield from _project(element, where)
            else:
                yield from _conversation(element, where)
    except JsonBroken as exc:
        yield RecordError(where=f"{display}:{index + 1}", reason=exc.reason)


def _flowing(held: list[Member], pieces: Iterator[Member | Element], where: str,
             kind: str | None) -> Iterator[ReadResult]:
    """A conversation or project too large to hold, imported as it streams: ``held`` then the rest of its
    members from ``pieces``, up to its ``Element``."""
    first = held[-1]
    context = first.context
    is_project = kind == "projects" or (first.field == "docs" and "chat_messages" not in context)
    field = "docs" if is_project else "chat_messages"
    if first.field == field and not isinstance(context.get(field), list):  # a map where a list belongs
        for piece in pieces:
            if isinstance(piece, Element):
                break
        yield RecordError(where=where, reason=f"{'project' if is_project else 'conversation'} has no '{field}' list")
        return

    def members() -> Iterator[tuple[int, Any]]:
        for member in held:
            if member.field == field:
                yield int(member.key), member.value
        held.clear()
        for piece in pieces:
            if isinstance(piece, Element):
                return
            if piece.field == field:
                yield int(piece.key), piece.value

    if is_project:
        yield from _project_docs(context, members(), where)
    else:
        yield from _messages(context, members(), where)
    for _ in members():  # an element that was not what it seemed (no uuid): its other members are read past
        pass


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _conversation(conv: Any, where: str) -> Iterator[ReadResult]:
    if not isinstance(conv, dict) or not isinstance(conv.get("chat_messages"), list):
        yield RecordError(where=where, reason="conversation has no 'chat_messages' list")
        return
    yield from _messages(conv, enumerate(conv["chat_messages"]), where)


def _messages(conv: dict[str, Any], messages: Iterable[tuple[int, Any]], where: str) -> Iterator[ReadResult]:
    """The messages of ``conv`` (its ``chat_messages`` with their positions, possibly as they stream)."""
    conv_id = str(conv.get("uuid") or "")
    title = str(conv.get("name") or "").strip() or f"Claude conversation {conv_id[:8]}".strip()
    fallback = _time(conv.get("created_at")) or _time(conv.get("updated_at"))
    previous: str | None = None
    for n, msg in messages:
        msg_where = f"{where}/{n}"
        if not isinstance(msg, dict):
            yield RecordError(where=msg_where, reason="message is not a JSON object")
            continue
        for result in _message(msg, msg_where, title, conv_id, fallback, previous):
            if isinstance(result, Record) and result.kind == "message":
                previous = result.external_id
            yield result


def render_content(msg: dict[str, Any]) -> str:
    """The visible text of a message: its text blocks, tool calls and tool results."""
    blocks = msg.get("content")
    if not isinstance(blocks, list) or not blocks:
        return str(msg.get("text") or "")
    parts: list[str] = []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            parts.append(str(block.get("text") or ""))
        elif kind == "tool_use":
            parts.append(f"[tool: {block.get('name') or 'tool'}]")
        elif kind == "tool_result":
            inner = block.get("content")
            texts = [str(c.get("text") or "") for c in inner if isinstance(c, dict)] if isinstance(inner, list) else []
            shown = "\n".join(t for t in texts if t)
            if shown:
                parts.append(f"[tool result: {block.get('name') or 'tool'}]\n{shown}")
    text = "\n\n".join(p for p in parts if p.strip())
    return text or str(msg.get("text") or "")


def _message(
    msg: dict[str, Any], where: str, title: str, conv_id: str, fallback: datetime | None, previous: str | None
) -> Iterator[ReadResult]:
    msg_id = str(msg.get("uuid") or "")
    if not msg_id:
        yield RecordError(where=where, reason="message has no uuid")
        return
    when = _time(msg.get("created_at")) or fallback
    if when is None:
        yield RecordError(where=where, reason="message has no readable created_at", external_id=msg_id)
        return
    sender = str(msg.get("sender") or "")
    speaker = _SPEAKERS.get(sender, sender or "unknown")
    attachments = [a for a in msg.get("attachments") or [] if isinstance(a, dict)]
    files = [f for f in msg.get("files") or [] if isinstance(f, dict)]
    names = [str(a.get("file_name") or "attachment") for a in attachments]
    names += [str(f.get("file_name") or "file") for f in files]
    text = with_attachments(render_content(msg).strip(), names)
    if text.strip():
        meta = {"role": sender, "reply_to": previous, "conversation_id": conv_id, "attachments": names}
        yield message_record(FORMAT, msg_id, when, text, conversation=title, speaker=speaker, meta=meta)
    elif not attachments:
        yield RecordSkip(where=where, reason=SKIP_EMPTY)
    for n, att in enumerate(attachments):
        content = str(att.get("extracted_content") or "")
        if content.strip():
            yield _document(
                f"{msg_id}:attachment:{n}", when, str(att.get("file_name") or "attachment"), content,
                conversation=title, speaker=speaker,
                meta={"file_type": att.get("file_type"), "file_size": att.get("file_size"), "message": msg_id},
            )


def _document(
    external_id: str, when: datetime, title: str, text: str, *, conversation: str, speaker: str | None,
    meta: dict[str, Any],
) -> Record:
    text, cut = take_cut(text)
    if cut:
        meta = {**meta, "truncated": cut_note("document", DOCUMENT_CAP)}
    return Record(
        source=f"chat:{FORMAT}", external_id=external_id, kind="document", timestamp=when, text=text,
        conversation=conversation, speaker=speaker, title=title, meta=prune_meta(meta),
    )


def _project(project: Any, where: str) -> Iterator[ReadResult]:
    if not isinstance(project, dict):
        yield RecordError(where=where, reason="project has no uuid")
        return
    docs = project.get("docs")
    yield from _project_docs(project, enumerate(docs if isinstance(docs, list) else []), where)


def _project_docs(project: dict[str, Any], docs: Iterable[tuple[int, Any]], where: str) -> Iterator[ReadResult]:
    """A project's description and its documents (with their positions, possibly as they stream)."""
    if not project.get("uuid"):
        yield RecordError(where=where, reason="project has no uuid")
        return
    project_id = str(project["uuid"])
    name = str(project.get("name") or "").strip() or f"Claude project {project_id[:8]}"
    conversation = f"Project: {name}"
    when = _time(project.get("created_at")) or _time(project.get("updated_at"))
    if when is None:
        yield RecordError(where=where, reason="project has no readable created_at", external_id=project_id)
        return
    creator = project.get("creator") if isinstance(project.get("creator"), dict) else {}
    about = "\n\n".join(
        str(project.get(k) or "").strip() for k in ("description", "prompt_template") if str(project.get(k) or "").strip()
    )
    if about:
        yield _document(f"project:{project_id}", when, name, about, conversation=conversation,
                        speaker=creator.get("full_name"), meta={"project": project_id})
    for n, doc in docs:
        if not isinstance(doc, dict):
            yield RecordError(where=f"{where}/docs/{n}", reason="document is not a JSON object")
            continue
        content = str(doc.get("content") or "")
        if not content.strip():
            yield RecordSkip(where=f"{where}/docs/{n}", reason=SKIP_EMPTY)
            continue
        doc_id = str(doc.get("uuid") or f"{project_id}:{n}")
        yield _document(f"project-doc:{doc_id}", _time(doc.get("created_at")) or when,
                        str(doc.get("filename") or f"document {n + 1}"), content, conversation=conversation,
                        speaker=None, meta={"project": project_id})

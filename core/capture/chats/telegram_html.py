"""Telegram Desktop's HTML export: ``messages.html``, ``messages2.html``, … of one chat or a whole account.

Layout (Telegram Desktop, "Export chat history" → format HTML): each page has
the chat's name in ``div.page_header .text`` and a ``div.history`` of
``div.message`` blocks with ``id="message<N>"``.  A message's ``div.body``
holds ``div.date.details`` whose ``title`` is the full time
(``20.11.2023 10:15:03``, newer versions add `` UTC+01:00``), ``div.from_name``
(absent on a "joined" message from the same sender as the one before),
``div.text`` (``<br>`` for line breaks), ``div.media_wrap`` (links to the
files), and for forwards a nested ``div.forwarded.body`` with its own
``from_name``.  ``div.message.service`` blocks are date separators and events.
A full-account export has one folder per chat (``chats/chat_001/messages.html``).

Pages are parsed with the standard library's incremental HTML parser, fed in
blocks: memory is bounded by one block's messages.  **Times** with ``UTC±hh:mm``
are exact; without, they are the exporting computer's wall-clock time, read
in ``options.timezone`` or this machine's zone.  **Ids**: the message number
(unique within a chat; the chat name is the conversation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import IO

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordSkip

from ._caps import MESSAGE_CAP, cut_note
from ._common import SKIP_EMPTY, SKIP_SYSTEM, Localizer, localizer, message_record, with_attachments
from ._inputs import ExportTree, read_head, tree_names
from ._jsonstream import ENTRY_READ_ERRORS

FORMAT = "telegram"
_PAGE = re.compile(r"(?:^|/)messages(\d*)\.html$")
_SIGNATURE = re.compile(rb'class="(?:page_header|history|message default|message service)')
_WHEN = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}) (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?: UTC(?P<oh>[+-]\d{1,2}):?(?P<om>\d{2}))?"
)
_BLOCK = 64 * 1024
_NAME_CAP = 1_000  # characters of a chat title or a sender name kept
_ATTACHMENTS_KEPT = 1_000  # attachments of one message kept
_DEPTH_KEPT = 256  # nested divs kept track of; a real page nests fewer than 10
_PENDING_CAP = 1024 * 1024  # characters the parser may hold back unparsed (one tag, comment or script)
_MANY_ATTACHMENTS = f"message has more than {_ATTACHMENTS_KEPT} attachments: the rest were left out while reading"
_MARKUP_CUT = (f"message markup nested deeper than {_DEPTH_KEPT} or a tag longer than {_PENDING_CAP} characters: "
               "left out while reading")


def page_order(name: str) -> tuple[str, int]:
    m = _PAGE.search(name)
    return (name[: m.start()] if m else name, int(m.group(1) or 1) if m else 0)


def chat_pages(names: list[str]) -> dict[str, list[str]]:
    """Folder -> its ``messages*.html`` pages in order (messages.html, messages2.html, …)."""
    chats: dict[str, list[str]] = {}
    for name in names:
        if _PAGE.search(name):
            chats.setdefault(str(PurePosixPath(name).parent), []).append(name)
    return {folder: sorted(pages, key=page_order) for folder, pages in sorted(chats.items())}


def looks_like_page(head: bytes) -> bool:
    return b"<html" in head[:2048].lower() and _SIGNATURE.search(head) is not None


@dataclass(slots=True)
class _Message:
    number: str
    service: bool
    depth: int
    when: str = ""
    speaker: str = ""
    text: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    forwarded_from: str = ""
    reply_to: str = ""
    chars: int = 0  # characters of text kept
    cut: str = ""  # why part of the message was dropped while reading (its text, attachments or markup)

    def add_text(self, data: str) -> None:
        """Keep ``data`` while the text is under the cap (memory stays bounded on a huge message)."""
        room = MESSAGE_CAP - self.chars
        if len(data) > room:
            self.cut = self.cut or cut_note()
            data = data[:max(room, 0)]
        if data:
            self.text.append(data)
            self.chars += len(data)


class _PageParser(HTMLParser):
    """Collects the messages of one page; ``done`` fills as their closing tags arrive."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title_parts: list[str] = []
        self.done: list[_Message] = []
        self._divs: list[set[str]] = []  # class sets of the open divs
        self._current: _Message | None = None
        self._capture: str | None = None  # "title", "from", "forwarded_from", "text"
        self._capture_depth = 0
        self._in_header = 0
        self._lost_depth = 0  # divs opened past _DEPTH_KEPT, not kept

    def _inside(self, cls: str) -> bool:
        return any(cls in classes for classes in self._divs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "br" and self._capture == "text" and self._current is not None:
            self._current.add_text("\n")
            return
        if tag == "a" and self._current is not None and self._inside("media_wrap") and values.get("href"):
            if len(self._current.attachments) < _ATTACHMENTS_KEPT:
                self._current.attachments.append(PurePosixPath(str(values["href"])).name[:_NAME_CAP])
            else:
                self._current.cut = self._current.cut or _MANY_ATTACHMENTS
        if tag == "a" and self._current is not None and self._inside("reply_to"):
            target = re.search(r"go_to_message(\d+)", str(values.get("href") or ""))
            if target:
                self._current.reply_to = target.group(1)
        if tag != "div":
            return
        if len(self._divs) >= _DEPTH_KEPT:  # nested deeper than any real page: counted, not kept
            self._lost_depth += 1
            self.cut_markup()
            return
        classes = set(str(values.get("class") or "").split())
        self._divs.append(classes)
        depth = len(self._divs)
        element_id = str(values.get("id") or "")
        if "message" in classes and element_id.startswith("message"):
            self._current = _Message(element_id.removeprefix("message"), "service" in classes, depth)
            return
        if "page_header" in classes:
            self._in_header = depth
        if self._in_header and "text" in classes and self._current is None:
            self._start_capture("title", depth)
        message = self._current
        if message is None:
            return
        if "date" in classes and "details" in classes and not message.when and not self._inside("forwarded"):
            message.when = str(values.get("title") or "")
        elif "from_name" in classes:
            self._start_capture("forwarded_from" if self._inside("forwarded") else "from", depth)
        elif "text" in classes and not self._inside("reply_to"):
            self._start_capture("text", depth)

    def _start_capture(self, what: str, depth: int) -> None:
        self._capture, self._capture_depth = what, depth

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div":  # <div/> opens and closes nothing
            return
        self.handle_starttag(tag, attrs)

    def cut_markup(self) -> None:
        """Part of the page's markup (a tag too long, divs too deep) was dropped: the message is noted as cut."""
        if self._current is not None:
            self._current.cut = self._current.cut or _MARKUP_CUT

    def handle_endtag(self, tag: str) -> None:
        if tag != "div" or not self._divs:
            return
        if self._lost_depth:
            self._lost_depth -= 1
            return
        depth = len(self._divs)
        self._divs.pop()
        if self._capture is not None and depth == self._capture_depth:
            self._capture = None
        if self._in_header == depth:
            self._in_header = 0
        if self._current is not None and depth == self._current.depth:
            self.done.append(self._current)
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._capture is None:
            return
        if self._capture == "title":
            if sum(map(len, self.title_parts)) < _NAME_CAP:
                self.title_parts.append(data[:_NAME_CAP])
            return
        message = self._current
        if message is None:
            return
        if self._capture == "text":
            message.add_text(data)
        elif self._capture == "from" and len(message.speaker) < _NAME_CAP:
            message.speaker += data[:_NAME_CAP]
        elif self._capture == "forwarded_from" and len(message.forwarded_from) < _NAME_CAP:
            message.forwarded_from += data[:_NAME_CAP]


def parse_time(title: str, to_aware: Localizer) -> datetime | None:
    m = _WHEN.search(title)
    if m is None:
        return None
    try:
        naive = datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"]), int(m["M"]), int(m["S"] or 0))
    except ValueError:
        return None
    if m["oh"] is None:
        return to_aware(naive)
    sign = -1 if m["oh"].startswith("-") else 1
    offset = timedelta(hours=abs(int(m["oh"])), minutes=int(m["om"]))
    return naive.replace(tzinfo=timezone(sign * offset))


def _clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip()


class TelegramHtmlPages:
    """Reads the ``messages*.html`` pages of a folder or zip (one chat per folder)."""

    def __init__(self, path: Path, options: ImportOptions) -> None:
        self.path = path
        self.to_aware = localizer(options)

    @staticmethod
    def sniff(path: Path) -> bool:
        if path.is_file() and path.suffix.lower() in (".html", ".htm"):
            return looks_like_page(read_head(path))
        names = tree_names(path) or []
        pages = [n for n in names if _PAGE.search(n)]
        if not pages:
            return False
        try:
            with ExportTree(path) as tree:
                return looks_like_page(tree.head(pages[0]))
        except (*ENTRY_READ_ERRORS, KeyError):
            return False

    def read(self) -> Iterator[ReadResult]:
        path = self.path
        if path.is_file() and path.suffix.lower() in (".html", ".htm"):
            siblings = sorted((p for p in path.parent.iterdir() if _PAGE.search(p.name)), key=lambda p: page_order(p.name))
            pages = siblings if path in siblings else [path]
            yield from self._chat([(p.name, (lambda p=p: p.open("rb"))) for p in pages], path.parent.name)
            return
        with ExportTree(path) as tree:
            yield from tree.rejected_errors()
            chats = chat_pages(tree.names())
            if not chats:
                raise ImportFailed(f"{path}: no Telegram HTML pages (messages.html) found")
            for folder, pages in chats.items():
                openers = [(name, (lambda n=name: tree.open(n))) for name in pages]
                yield from self._chat(openers, PurePosixPath(folder).name or path.stem)

    def _chat(self, pages: list[tuple[str, Callable[[], IO[bytes]]]], fallback_title: str) -> Iterator[ReadResult]:
        title: str | None = None
        last_speaker = ""
        for name, opener in pages:
            parser = _PageParser()
            try:
                with opener() as fh:
                    for block in _bounded(parser, _blocks(fh)):
                        parser.feed(block)
                        if title is None and parser.title_parts:
                            title = _clean("".join(parser.title_parts)) or None
                        for message in parser.done:
                            result = self._record(message, f"{name}#message{message.number}",
                                                  title or fallback_title, last_speaker)
                            if not isinstance(result, RecordSkip | RecordError) and result.speaker:
                                last_speaker = result.speaker
                            yield result
                        parser.done.clear()
                parser.close()
            except (*ENTRY_READ_ERRORS, AssertionError) as exc:
                yield RecordError(where=name, reason=f"reading stopped: {exc}")

    def _record(self, message: _Message, where: str, title: str, last_speaker: str) -> ReadResult:
        if message.service:
            return RecordSkip(where=where, reason=SKIP_SYSTEM)
        when = parse_time(message.when, self.to_aware)
        if when is None:
            return RecordError(where=where, reason=f"message has no readable time ({message.when[:40]!r})")
        speaker = _clean(message.speaker) or last_speaker or title
        text = with_attachments(_clean("".join(message.text)), message.attachments)
        if not text:
            return RecordSkip(where=where, reason=SKIP_EMPTY)
        meta = {
            "attachments": message.attachments,
            "forwarded_from": _clean(message.forwarded_from),
            "reply_to": message.reply_to,
            "export": "html",
            "truncated": message.cut or None,
        }
        return message_record(FORMAT, message.number, when, text, conversation=title, speaker=speaker, meta=meta)


def _bounded(parser: _PageParser, blocks: Iterator[str]) -> Iterator[str]:
    """``blocks`` to feed ``parser``, never letting it hold back more than ``_PENDING_CAP`` characters.

    ``HTMLParser`` keeps an unfinished construct (a tag, a comment, a ``<script>`` body, an ``&`` run) in
    ``rawdata`` until it ends, and re-joins it with every block: one 500 MB tag would cost its size in memory
    and quadratic time.  Past the cap the held-back text is dropped, and the input up to the next ``>``.
    """
    skipping = False
    for block in blocks:
        if skipping:
            end = block.find(">")
            if end < 0:
                continue
            block, skipping = block[end + 1:], False
        yield block
        if len(parser.rawdata) > _PENDING_CAP:
            parser.rawdata = ""
            parser.cut_markup()
            skipping = True


def _blocks(fh: IO[bytes]) -> Iterator[str]:
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    while True:
        raw = fh.read(_BLOCK)
        if not raw:
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
            return
        yield decoder.decode(raw)

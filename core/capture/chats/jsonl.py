"""Cairn's own chat format: JSON Lines, one message per line.

    {"conversation": str, "session": int?, "timestamp": ISO-8601, "speaker": str,
     "text": str, "id": str, "image_caption": str?}

Timestamps without an offset are local times in ``options.timezone`` (default:
the machine's zone).  The file is streamed line by line in binary, so a 200 MB
file costs the memory of one line, and a string longer than the cap is cut as it is read
(``meta["truncated"]``); a line that is not valid UTF-8 JSON with the
required fields is reported with its line number and the import goes on.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.capture.chats.timezones import localize
from core.errors import ImportFailed
from core.types import Record, RecordError, RecordSkip

from ._budget import cut_of, within_budget
from ._caps import capped_json, cut_note, take_cut
from ._common import short_error

REQUIRED = ("conversation", "timestamp", "speaker", "text", "id")
MAX_LINE_BYTES = 64 * 1024 * 1024
SNIFF_LINE_BYTES = 16 * 1024 * 1024
_WHOLE_LINE_BYTES = 1024 * 1024  # a line up to this is read whole and built by ``json`` (fast; bounded)


class JsonLinesReader:
    name = "jsonl"
    description = "Cairn JSON Lines chat (one message object per line)"

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in {".jsonl", ".ndjson", ".json"} or not path.is_file():
            return False
        with path.open("rb") as fh:
            for _ in range(50):  # sniffing reads at most 50 lines of at most 16 MiB
                raw = fh.readline(SNIFF_LINE_BYTES)
                if not raw:
                    break
                line = raw.strip()
                if not line:
                    continue
                obj = _load(line, "")
                return isinstance(obj, dict) and {"speaker", "text", "timestamp"} <= obj.keys()
        return False

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        try:
            fh = path.open("rb")
        except OSError as exc:
            raise ImportFailed(f"{path}: cannot open ({exc.strerror})") from exc
        with fh:
            for number, raw in enumerate(_lines(capped_json(fh)), start=1):
                where = f"{path.name}:{number}"
                if isinstance(raw, _LongLine):  # parsed as it streams, under the message's budget
                    obj = _load_budgeted(raw, where)
                    size = raw.drain()
                    if size > MAX_LINE_BYTES:
                        yield RecordError(where, f"line longer than {MAX_LINE_BYTES} bytes ({size} bytes); skipped")
                    else:
                        yield _record(obj, where, options)
                    continue
                if not raw.strip():
                    continue
                yield _parse_line(raw, where, options)


class _LongLine:
    """The rest of a line longer than ``_WHOLE_LINE_BYTES``, as a stream that ends at its newline (or past
    ``MAX_LINE_BYTES``), so ijson parses it without the line ever being held whole."""

    def __init__(self, fh: Any, head: bytes) -> None:
        self._fh = fh
        self._head = head
        self.size = len(head)
        self._done = head.endswith(b"\n")

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes the stream's type with read(0)
            return b""
        if self._head:
            head, self._head = self._head, b""
            return head
        if self._done or self.size > MAX_LINE_BYTES:
            return b""
        return self._more(size if size > 0 else _WHOLE_LINE_BYTES)

    def _more(self, size: int) -> bytes:
        chunk = self._fh.readline(size)
        self.size += len(chunk)
        self._done = not chunk or chunk.endswith(b"\n")
        return chunk

    def drain(self) -> int:
        """Reads the line to its end, unkept; its length in bytes."""
        while not self._done:
            self._more(_WHOLE_LINE_BYTES)
        return self.size


def _lines(fh: Any) -> Iterator[bytes | _LongLine]:
    """Lines of a binary file; a line longer than ``_WHOLE_LINE_BYTES`` comes as a ``_LongLine`` to stream."""
    whole = min(_WHOLE_LINE_BYTES, MAX_LINE_BYTES)
    while True:
        line = fh.readline(whole + 1)
        if not line:
            return
        if len(line) > whole and not line.endswith(b"\n"):
            long_line = _LongLine(fh, line)
            yield long_line
            long_line.drain()  # the reader may not have read it to its end
            continue
        yield line


def _load(raw: bytes, where: str) -> Any:
    """The line's JSON value, or a ``RecordError``."""
    if len(raw) > _WHOLE_LINE_BYTES:
        return _load_budgeted(io.BytesIO(raw), where)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RecordError(where, f"not valid UTF-8 at byte {exc.start}")
    try:
        return json.loads(text)
    except ValueError as exc:
        return RecordError(where, f"invalid JSON ({exc.msg} at column {exc.colno})")


def _load_budgeted(stream: Any, where: str) -> Any:
    """A long line's JSON value built under a ``_budget.MessageBudget`` (a line of millions of tiny values
    would otherwise cost gigabytes once built), or a ``RecordError``."""
    import ijson

    try:
        for value in ijson.items(within_budget(ijson.parse(stream, use_float=True), ""), ""):
            return value
    except ijson.JSONError as exc:
        return RecordError(where, f"invalid JSON ({short_error(exc)})")
    except UnicodeDecodeError as exc:
        return RecordError(where, f"not valid UTF-8 at byte {exc.start}")
    return RecordError(where, "invalid JSON (no value)")


def _parse_line(raw: bytes, where: str, options: ImportOptions) -> ReadResult:
    return _record(_load(raw, where), where, options)


def _record(obj: Any, where: str, options: ImportOptions) -> ReadResult:
    if isinstance(obj, RecordError):
        return obj
    if not isinstance(obj, dict):
        return RecordError(where, "a line must be a JSON object")
    missing = [k for k in REQUIRED if obj.get(k) in (None, "")]
    if missing == ["text"] and obj.get("image_caption"):
        missing = []
    if missing:
        return RecordError(where, f"missing field(s): {', '.join(missing)}", str(obj.get("id")) if obj.get("id") else None)
    try:
        stamp = datetime.fromisoformat(str(obj["timestamp"]).replace("Z", "+00:00"))
    except ValueError:
        return RecordError(where, f"timestamp {obj['timestamp']!r} is not ISO-8601", str(obj["id"]))
    body = str(obj.get("text") or "")
    caption = obj.get("image_caption")
    meta: dict[str, Any] = {}
    if caption:
        meta["image_caption"] = take_cut(str(caption))[0]
        body = f"{body} [shared an image: {caption}]".strip()
    if obj.get("session") is not None:
        meta["session"] = obj["session"]
    for key in ("reply_to", "turn"):
        if obj.get(key) is not None:
            meta[key] = obj[key]
    body, cut = take_cut(body)
    if cut_of(obj) or cut:
        meta["truncated"] = cut_of(obj) or cut_note()
    if not body.strip():
        return RecordSkip(where, "empty message")
    return Record(
        source="chat:jsonl", external_id=str(obj["id"]), kind="message", timestamp=localize(stamp, options.timezone),
        text=body, conversation=take_cut(str(obj["conversation"]))[0], speaker=take_cut(str(obj["speaker"]))[0],
        meta=meta,
    )

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

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from core.capture.chats.reader import ImportOptions, ReadResult
from core.capture.chats.timezones import localize
from core.errors import ImportFailed
from core.types import Record, RecordError, RecordSkip

from ._caps import capped_json, cut_note, take_cut

REQUIRED = ("conversation", "timestamp", "speaker", "text", "id")
MAX_LINE_BYTES = 64 * 1024 * 1024
SNIFF_LINE_BYTES = 16 * 1024 * 1024


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
                try:
                    obj = json.loads(line)
                except ValueError:
                    return False
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
                if isinstance(raw, int):
                    yield RecordError(where, f"line longer than {MAX_LINE_BYTES} bytes ({raw} bytes); skipped")
                    continue
                if not raw.strip():
                    continue
                yield _parse_line(raw, where, options)


def _lines(fh: Any) -> Iterator[bytes | int]:
    """Lines of a binary file; a monster line is yielded as its length (an int) instead."""
    while True:
        line = fh.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            size = len(line)
            while True:  # drain the rest of the line without keeping it
                more = fh.readline(MAX_LINE_BYTES)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield size
            continue
        yield line


def _parse_line(raw: bytes, where: str, options: ImportOptions) -> ReadResult:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RecordError(where, f"not valid UTF-8 at byte {exc.start}")
    try:
        obj = json.loads(text)
    except ValueError as exc:
        return RecordError(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
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
    if cut:
        meta["truncated"] = cut_note()
    if not body.strip():
        return RecordSkip(where, "empty message")
    return Record(
        source="chat:jsonl", external_id=str(obj["id"]), kind="message", timestamp=localize(stamp, options.timezone),
        text=body, conversation=take_cut(str(obj["conversation"]))[0], speaker=take_cut(str(obj["speaker"]))[0],
        meta=meta,
    )

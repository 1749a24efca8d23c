"""Small builders used by several tests (records, JSON Lines files)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.types import Record

BASE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def message(ext_id: str, text: str, *, speaker: str = "Ana", conversation: str = "team", minutes: float = 0,
            source: str = "chat:jsonl") -> Record:
    return Record(source=source, external_id=ext_id, kind="message", timestamp=BASE_TIME + timedelta(minutes=minutes),
                  text=text, conversation=conversation, speaker=speaker)


def jsonl_line(ext_id: str, text: str, *, speaker: str = "Ana", conversation: str = "team", minutes: float = 0,
               **extra: Any) -> str:
    stamp = (BASE_TIME + timedelta(minutes=minutes)).isoformat()
    return json.dumps({"conversation": conversation, "timestamp": stamp, "speaker": speaker, "text": text,
                       "id": ext_id, **extra}, ensure_ascii=False)


def write_jsonl(path: Path, lines: Iterable[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

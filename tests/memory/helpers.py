"""Small builders shared by the memory tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.memory.items import MemItem
from core.types import Record

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def chat(ext: str, text: str, speaker: str, when: datetime, conversation: str = "family",
         source: str = "chat:whatsapp", **meta: Any) -> Record:
    return Record(source=source, external_id=ext, kind="message", timestamp=when, text=text,
                  conversation=conversation, speaker=speaker, meta=dict(meta))


def doc(ext: str, text: str, when: datetime, title: str | None = None) -> Record:
    return Record(source="file", external_id=ext, kind="document", timestamp=when, text=text,
                  title=title or ext.rsplit("/", 1)[-1])


def item(id: int, text: str, ts: float, *, source: str = "chat:whatsapp", speaker: str | None = "Ann",
         conversation: str | None = "c", kind: str = "message", **meta: Any) -> MemItem:
    return MemItem(id=id, source=source, kind=kind, ts=ts, text=text, conversation=conversation, speaker=speaker,
                   content_hash=f"h{id}", meta=dict(meta))


def consolidated_graph(vault: Any, records: list[Record], embed: bool = True) -> tuple[Any, dict[str, int]]:
    """Ingest ``records``, consolidate (no summaries), and return the memory graph and message ids by external id."""
    from core.memory.consolidation.consolidate import consolidate  # late: only the recall tests need it
    from core.memory.consolidation.types import ConsolidationOptions
    from core.memory.recall.graph import build_graph

    vault.ingest(records, embed=embed)
    consolidate(vault, options=ConsolidationOptions(phone_region="CH", summaries=False))
    reader = vault.read()
    ids = {ext: iid for iid, ext in reader.execute("SELECT id, external_id FROM items WHERE kind = 'message'")}
    return build_graph(reader), ids


def stored_vectors(vault: Any) -> Any:
    """Recall's stored-vector reader over ``vault`` (the window and person lifts), with a fresh query cache."""
    from core.index.query_cache import QueryVectors
    from core.memory.recall.window import StoredVectors

    return StoredVectors(vault.read, vault.embedder(), QueryVectors())

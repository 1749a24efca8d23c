"""One batch of items, consolidated inside one write transaction.

``process_batch`` forgets what changed items produced before, processes
each item under its own savepoint (a failing item is rolled back and
reported, never fatal), marks every item done in ``mem_consolidated``,
re-segments the affected episode streams and refreshes relation weights
and entity counts.  Because the marks are in the same transaction, a kill
loses the whole batch and it is redone from scratch: nothing duplicates.

Threads: runs inside ``vault.write`` (``conn`` is the writer).  Errors: an
item's error is caught and recorded; database errors outside an item
propagate and roll the batch back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.memory.consolidation.episodes import resegment, stream_of
from core.memory.consolidation.item import process_item
from core.memory.consolidation.pruning import forget_derived
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.extraction.names import NameContext
from core.memory.extraction.types import FactCandidate
from core.memory.extraction.value_norms import norm_text
from core.memory.items import MemItem
from core.memory.knowledge import entities as ents
from core.memory.knowledge.relations import episode_relations, refresh_relation_weights


@dataclass(slots=True)
class BatchOutcome:
    failed: list[tuple[int, str]] = field(default_factory=list)
    facts: int = 0
    episodes_changed: int = 0
    new_people: set[int] = field(default_factory=set)
    removed_summary_items: list[int] = field(default_factory=list)


def process_batch(
    conn: Any, items: Sequence[MemItem], proposed: dict[int, list[FactCandidate]], opts: ConsolidationOptions,
    texts: Callable[[MemItem], str] | None = None, names: NameContext | None = None,
) -> BatchOutcome:
    """``texts`` gives the text extraction reads (cleaned screen OCR); default: the item's text.  ``names``: the
    vault's apps, sites and map places (``ExtractionText.names``), which type the names found."""
    out = BatchOutcome()
    self_id = ents.self_entity(conn, opts.self_names)
    # exports that label the user's own messages "Me" (iMessage, Cairn's demo) mean the user
    self_norms = {norm_text(n) for n in opts.self_names} | {"me"}
    known_people = frozenset(
        r[0] for r in conn.execute(
            "SELECT DISTINCT a.norm FROM mem_aliases a JOIN mem_entities e ON e.id = a.entity_id"
            " WHERE e.kind = 'person' AND a.alias_kind = 'name'"
        )
    ) | frozenset(norm_text(it.speaker) for it in items if it.speaker)
    context = NameContext(known_people, names.apps, names.places) if names is not None else None
    touched_relations: set[int] = set()
    touched_entities: set[int] = set()
    by_stream: dict[str, list[MemItem]] = {}
    for item in items:
        conn.execute("SAVEPOINT item")
        try:
            forget_derived(conn, item.id, touched_entities, touched_relations)
            facts_count = process_item(
                conn, item, proposed.get(item.id, []), opts, self_id, self_norms, known_people,
                touched_entities, touched_relations, out.new_people, texts(item) if texts is not None else item.text,
                context,
            )
            out.facts += facts_count
        except Exception as exc:  # one bad item must not stop consolidation
            conn.execute("ROLLBACK TO item")
            out.failed.append((item.id, f"{type(exc).__name__}: {exc}"))
        conn.execute("RELEASE item")
        stream = stream_of(item)
        if stream is not None:
            by_stream.setdefault(stream, []).append(item)
        conn.execute(
            "INSERT INTO mem_consolidated (item_id, content_hash, done_at) VALUES (?,?,?)"
            " ON CONFLICT(item_id) DO UPDATE SET content_hash = excluded.content_hash, done_at = excluded.done_at",
            (item.id, item.content_hash, time.time()),
        )
    for stream, stream_items in by_stream.items():
        result = resegment(conn, stream, stream_items, opts.segment)
        out.episodes_changed += len(result.changed)
        out.removed_summary_items.extend(result.removed_summary_items)
        episode_relations(conn, result.changed, touched_relations)
    refresh_relation_weights(conn, touched_relations)
    ents.refresh_counts(conn, touched_entities)
    return out

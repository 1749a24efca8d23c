"""Relations between entities and the memories that are their evidence.

``relate`` records that one item links two entities; ``episode_relations``
links the speakers of one chat session ('talks_with', with its time span);
``refresh_relation_weights`` sets a relation's weight to its evidence count
and drops relations left without evidence.

Threads: run inside the vault's write transaction (``conn`` is the writer).
Errors: database errors propagate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.memory.items import MemItem
from core.memory.knowledge import entities as ents


def relate(conn: Any, a: int, b: int, rel: str, item: MemItem) -> int:
    """Record ``item`` as evidence that ``a`` and ``b`` are related by ``rel``; returns the relation id."""
    relation_id = ents.upsert_relation(conn, a, b, rel, 0.0, item.ts, item.ts)
    conn.execute("INSERT OR IGNORE INTO mem_relation_items (relation_id, item_id) VALUES (?,?)", (relation_id, item.id))
    return relation_id


def episode_relations(conn: Any, episode_ids: Sequence[int], touched: set[int]) -> None:
    """Chat participants of one session talked with each other: a 'talks_with' relation with time."""
    for episode_id in episode_ids:
        speakers = conn.execute(
            "SELECT DISTINCT m.entity_id, min(i.id), min(i.ts) FROM mem_episode_items x JOIN mem_mentions m"
            " ON m.item_id = x.item_id AND m.role = 'speaker' JOIN items i ON i.id = x.item_id"
            " WHERE x.episode_id = ? GROUP BY m.entity_id", (episode_id,),
        ).fetchall()
        for n, (a, item_a, ts_a) in enumerate(speakers):
            for b, item_b, ts_b in speakers[n + 1 :]:
                rel = ents.upsert_relation(conn, min(a, b), max(a, b), "talks_with", 0.0, min(ts_a, ts_b), max(ts_a, ts_b))
                conn.execute("INSERT OR IGNORE INTO mem_relation_items (relation_id, item_id) VALUES (?,?)", (rel, item_a))
                conn.execute("INSERT OR IGNORE INTO mem_relation_items (relation_id, item_id) VALUES (?,?)", (rel, item_b))
                touched.add(rel)


def refresh_relation_weights(conn: Any, relation_ids: set[int]) -> None:
    """A relation's weight is its number of evidence memories; evidence-less relations go."""
    for relation_id in relation_ids:
        n = conn.execute("SELECT count(*) FROM mem_relation_items WHERE relation_id = ?", (relation_id,)).fetchone()[0]
        if n == 0:
            conn.execute("DELETE FROM mem_relations WHERE id = ?", (relation_id,))
        else:
            conn.execute("UPDATE mem_relations SET weight = ? WHERE id = ?", (float(n), relation_id))

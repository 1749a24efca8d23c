"""Removing derived memory that lost its evidence.

``forget_derived`` drops what an earlier version of a changed item produced;
``drop_unsupported_facts`` deletes extracted facts left without sources
(user-entered facts stay); ``prune`` sweeps the whole vault after
``forget``: orphan facts, empty episodes, stale day and episode summaries,
evidence-less relations and unreferenced entities.

Threads: ``forget_derived``/``drop_unsupported_facts`` run inside a write
transaction; ``prune`` blocks on the store's writer.  Errors:
database errors propagate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.memory.items import SUMMARY_SOURCE
from core.memory.knowledge import facts as facts_mod
from core.ports import ForgetStore


def forget_derived(conn: Any, item_id: int, entities: set[int], relations: set[int]) -> None:
    """Drop what an earlier version of the item produced (its text changed)."""
    entities.update(int(r[0]) for r in conn.execute("SELECT entity_id FROM mem_mentions WHERE item_id = ?", (item_id,)))
    relations.update(int(r[0]) for r in conn.execute(
        "SELECT relation_id FROM mem_relation_items WHERE item_id = ?", (item_id,)))
    conn.execute("DELETE FROM mem_mentions WHERE item_id = ?", (item_id,))
    conn.execute("DELETE FROM mem_relation_items WHERE item_id = ?", (item_id,))
    fact_ids = [int(r[0]) for r in conn.execute("SELECT fact_id FROM mem_fact_sources WHERE item_id = ?", (item_id,))]
    conn.execute("DELETE FROM mem_fact_sources WHERE item_id = ?", (item_id,))
    drop_unsupported_facts(conn, fact_ids)


def drop_unsupported_facts(conn: Any, fact_ids: Sequence[int]) -> int:
    """Delete extracted facts left without any evidence (user facts stay)."""
    dropped = 0
    for fact_id in fact_ids:
        row = conn.execute(
            "SELECT subject, predicate, origin, (SELECT count(*) FROM mem_fact_sources WHERE fact_id = f.id)"
            " FROM mem_facts f WHERE id = ?", (fact_id,),
        ).fetchone()
        if row is None or row[2] == "user" or row[3] > 0:
            continue
        conn.execute("UPDATE mem_facts SET superseded_by = NULL WHERE superseded_by = ?", (fact_id,))
        conn.execute("DELETE FROM mem_facts WHERE id = ?", (fact_id,))
        facts_mod.recompute_timeline(conn, int(row[0]), row[1])
        dropped += 1
    return dropped


def prune(store: ForgetStore) -> dict[str, int]:
    """Remove derived memory that lost its evidence (after ``forget``); returns counts."""

    def job(conn: Any) -> tuple[dict[str, int], list[int]]:
        counts: dict[str, int] = {}
        orphan_facts = [int(r[0]) for r in conn.execute(
            "SELECT id FROM mem_facts f WHERE origin != 'user'"
            " AND NOT EXISTS (SELECT 1 FROM mem_fact_sources s WHERE s.fact_id = f.id)"
        )]
        counts["facts"] = drop_unsupported_facts(conn, orphan_facts)
        stale_summaries: list[int] = []
        empty = conn.execute(
            "SELECT id, summary_item_id FROM mem_episodes e"
            " WHERE NOT EXISTS (SELECT 1 FROM mem_episode_items x WHERE x.episode_id = e.id)"
        ).fetchall()
        for episode_id, summary_id in empty:
            if summary_id is not None:
                stale_summaries.append(int(summary_id))
            conn.execute("DELETE FROM mem_episodes WHERE id = ?", (episode_id,))
        counts["episodes"] = len(empty)
        # episodes that lost some items: recount so they are summarised again
        conn.execute(
            "UPDATE mem_episodes SET item_count = (SELECT count(*) FROM mem_episode_items x WHERE x.episode_id = mem_episodes.id),"
            " signature = signature || '~' WHERE item_count != (SELECT count(*) FROM mem_episode_items x"
            " WHERE x.episode_id = mem_episodes.id)"
        )
        # days whose episode summaries are gone (all: drop the day; some: summarise it again)
        live = {r[0] for r in conn.execute("SELECT summary_item_id FROM mem_episodes WHERE summary_item_id IS NOT NULL")}
        for day, day_item in conn.execute("SELECT day, summary_item_id FROM mem_days").fetchall():
            meta_row = conn.execute("SELECT meta FROM items WHERE id = ?", (day_item,)).fetchone() if day_item else None
            parts = set(json.loads(meta_row[0] or "{}").get("episode_summaries", [])) if meta_row else set()
            if not parts & live:
                conn.execute("DELETE FROM mem_days WHERE day = ?", (day,))
            elif not parts <= live:
                conn.execute("UPDATE mem_days SET summary_signature = NULL WHERE day = ?", (day,))
        # summary items whose episode or day is gone
        live |= {r[0] for r in conn.execute("SELECT summary_item_id FROM mem_days WHERE summary_item_id IS NOT NULL")}
        # only the summaries consolidation wrote (meta.summary_of); other "summary" items are not ours
        for (item_id,) in conn.execute(
            "SELECT id FROM items WHERE source = ? AND json_extract(meta, '$.summary_of') IN ('episode', 'day')",
            (SUMMARY_SOURCE,),
        ).fetchall():
            if item_id not in live:
                stale_summaries.append(int(item_id))
        counts["orphan_relations"] = conn.execute(
            "DELETE FROM mem_relations WHERE NOT EXISTS (SELECT 1 FROM mem_relation_items r WHERE r.relation_id = mem_relations.id)"
        ).rowcount or 0
        counts["entities"] = conn.execute(
            "DELETE FROM mem_entities WHERE user_edited = 0 AND is_self = 0 AND confirmed = 0 AND merged_into IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM mem_mentions m WHERE m.entity_id = mem_entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM mem_facts f WHERE f.subject = mem_entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM mem_entities o WHERE o.merged_into = mem_entities.id)"
        ).rowcount or 0
        return counts, sorted(set(stale_summaries))

    counts, stale = store.write(job)
    counts["summaries"] = store.forget(item_ids=stale).value if stale else 0
    return counts

"""Merging two entities into one: aliases, mentions, relations and facts move to the one kept.

Above ``entities`` and ``facts`` because it changes both (a merged subject's fact
timelines are recomputed).

Threads: runs inside the caller's write transaction (``vault.write``); never commits.
Errors: database errors propagate.
"""

from __future__ import annotations

import time
from typing import Any

from core.memory.knowledge.entities import canonical, record_edit, refresh_counts, upsert_relation
from core.memory.knowledge.facts import recompute_all_timelines


def merge_entities(conn: Any, keep: int, other: int, *, by_user: bool = True) -> int:
    """Fold ``other`` into ``keep``: aliases, mentions, relations and facts move; returns ``keep``.

    ``other`` stays as a redirect (``merged_into``) so ids held elsewhere still resolve.
    """
    keep, other = canonical(conn, keep), canonical(conn, other)
    if keep == other:
        return keep
    conn.execute(
        "INSERT OR IGNORE INTO mem_aliases (entity_id, alias_kind, value, norm)"
        " SELECT ?, alias_kind, value, norm FROM mem_aliases WHERE entity_id = ?", (keep, other),
    )
    conn.execute("DELETE FROM mem_aliases WHERE entity_id = ?", (other,))
    conn.execute(
        "INSERT OR IGNORE INTO mem_mentions (entity_id, item_id, ts, role, start, end)"
        " SELECT ?, item_id, ts, role, start, end FROM mem_mentions WHERE entity_id = ?", (keep, other),
    )
    conn.execute("DELETE FROM mem_mentions WHERE entity_id = ?", (other,))
    for rel_id, src, dst, rel, weight, first_ts, last_ts in conn.execute(
        "SELECT id, src, dst, rel, weight, first_ts, last_ts FROM mem_relations WHERE src = ? OR dst = ?", (other, other)
    ).fetchall():
        new_src = keep if src == other else src
        new_dst = keep if dst == other else dst
        if new_src == new_dst:
            conn.execute("DELETE FROM mem_relations WHERE id = ?", (rel_id,))
            continue
        target = upsert_relation(conn, new_src, new_dst, rel, weight, first_ts, last_ts)
        conn.execute(
            "INSERT OR IGNORE INTO mem_relation_items (relation_id, item_id)"
            " SELECT ?, item_id FROM mem_relation_items WHERE relation_id = ?", (target, rel_id),
        )
        conn.execute("DELETE FROM mem_relations WHERE id = ?", (rel_id,))
    conn.execute("UPDATE mem_facts SET subject = ? WHERE subject = ?", (keep, other))
    row = conn.execute("SELECT is_self, confirmed FROM mem_entities WHERE id = ?", (other,)).fetchone()
    if row is not None and row[0]:
        conn.execute("UPDATE mem_entities SET is_self = 1 WHERE id = ?", (keep,))
    conn.execute(
        "UPDATE mem_entities SET merged_into = ?, is_self = 0, updated_at = ? WHERE id = ?", (keep, time.time(), other)
    )
    pair = (min(keep, other), max(keep, other))
    conn.execute("UPDATE mem_merge_proposals SET status = 'accepted' WHERE a = ? AND b = ?", pair)
    conn.execute("DELETE FROM mem_merge_proposals WHERE (a = ? OR b = ?) AND status = 'pending'", (other, other))
    refresh_counts(conn, [keep])
    recompute_all_timelines(conn, keep)
    if by_user:
        conn.execute("UPDATE mem_entities SET confirmed = 1, user_edited = 1 WHERE id = ?", (keep,))
        record_edit(conn, "merge", f"{keep}|{other}")
    return keep

"""Consolidation bookkeeping: which items still wait, and the job's saved state.

An item is pending when it has no ``mem_consolidated`` row or its content
hash changed since (summary items are never consolidated).  The job state
(phase, counts, timestamps) is one JSON row in ``mem_jobs`` for status
displays.

Threads: ``save_job_state`` goes through the store's writer (blocks on it);
the readers take any connection.  Errors: database errors propagate.
"""

from __future__ import annotations

import json
import time
from typing import Any

from core.memory.items import SUMMARY_SOURCE
from core.ports import Writer

JOB_NAME = "consolidate"

# an item waits when it was never consolidated or its text changed since; summaries are ours, never input
_PENDING_WHERE = " WHERE i.source != ? AND (m.item_id IS NULL OR m.content_hash != i.content_hash)"


def pending_item_ids(conn: Any) -> list[int]:
    """Ids of the items waiting for consolidation, oldest first."""
    return [int(r[0]) for r in conn.execute(
        "SELECT i.id FROM items i LEFT JOIN mem_consolidated m ON m.item_id = i.id"
        + _PENDING_WHERE + " ORDER BY i.id",
        (SUMMARY_SOURCE,),
    )]


def pending_count(conn: Any) -> int:
    """Items waiting for consolidation (for status displays)."""
    row = conn.execute(
        "SELECT count(*) FROM items i LEFT JOIN mem_consolidated m ON m.item_id = i.id" + _PENDING_WHERE,
        (SUMMARY_SOURCE,),
    ).fetchone()
    return int(row[0])


def save_job_state(store: Writer, state: dict[str, Any]) -> None:
    """Replace the consolidation job's saved state (one write transaction)."""
    payload = json.dumps(state)
    store.write(lambda conn: conn.execute(
        "INSERT INTO mem_jobs (job, state, updated_at) VALUES (?,?,?)"
        " ON CONFLICT(job) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        (JOB_NAME, payload, time.time()),
    ))


def job_state(conn: Any) -> dict[str, Any]:
    """The consolidation job's last saved state, or {} before the first run."""
    row = conn.execute("SELECT state FROM mem_jobs WHERE job = ?", (JOB_NAME,)).fetchone()
    return json.loads(row[0]) if row else {}

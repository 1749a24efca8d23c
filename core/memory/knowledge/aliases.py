"""First name and full name as one person ("Priya" is "Priya Raman"), merged automatically and undoable.

A one-word person name is merged into the single full-named person whose
first name it is — only when exactly one such person exists (two Priyas:
nothing happens, the fuzzy merge proposals ask the user) and the user has not
separated the pair before.  Each automatic merge is recorded with what it
moved, so ``undo_merge`` can split the two again: the short name's aliases go
back, the redirect is removed, and the memories that mentioned it are
consolidated again (their mentions, relations and facts are re-derived, now
with the pair kept apart for good).

Threads: inside the caller's write transaction (``vault.write``); never commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.memory.knowledge.entities import canonical, merge_rejected, record_edit, refresh_counts
from core.memory.knowledge.merge import merge_entities

AUTO_MERGE = "auto_merge"


@dataclass(frozen=True, slots=True)
class AutoMerge:
    kept: int
    folded: int
    kept_name: str
    folded_name: str


def merge_first_names(conn: Any) -> list[AutoMerge]:
    """Fold each unambiguous first-name-only person into its full-named one; returns what merged."""
    rows = conn.execute(
        "SELECT id, name FROM mem_entities WHERE kind = 'person' AND merged_into IS NULL AND deleted = 0"
        " AND is_self = 0"
    ).fetchall()
    full_by_first: dict[str, list[tuple[int, str]]] = {}
    singles: list[tuple[int, str]] = []
    for entity_id, name in rows:
        words = str(name).split()
        if len(words) == 1:
            singles.append((int(entity_id), str(name)))
        elif len(words) in (2, 3) and all(w[:1].isupper() for w in words):
            full_by_first.setdefault(words[0].casefold(), []).append((int(entity_id), str(name)))
    merged: list[AutoMerge] = []
    for single_id, single_name in singles:
        candidates = full_by_first.get(single_name.casefold(), [])
        if len(candidates) != 1:
            continue
        keep_id, keep_name = candidates[0]
        if merge_rejected(conn, keep_id, single_id):
            continue
        detail = {
            "aliases": [[k, v, n] for k, v, n in conn.execute(
                "SELECT alias_kind, value, norm FROM mem_aliases WHERE entity_id = ?", (single_id,))],
            "items": [int(r[0]) for r in conn.execute(
                "SELECT DISTINCT item_id FROM mem_mentions WHERE entity_id = ?", (single_id,))],
            "names": [keep_name, single_name],
        }
        merge_entities(conn, keep_id, single_id, by_user=False)
        record_edit(conn, AUTO_MERGE, f"{keep_id}|{single_id}", detail)
        merged.append(AutoMerge(keep_id, single_id, keep_name, single_name))
    return merged


def recent_auto_merges(conn: Any, limit: int = 50) -> list[AutoMerge]:
    """Automatic merges still in effect, newest first (for the UI's review and undo)."""
    out: list[AutoMerge] = []
    for target, detail in conn.execute(
        "SELECT target, detail FROM mem_user_edits WHERE action = ? ORDER BY id DESC LIMIT ?", (AUTO_MERGE, limit)
    ):
        kept, folded = (int(x) for x in str(target).split("|"))
        if canonical(conn, folded) != kept:
            continue  # undone, or folded further since
        names = json.loads(detail or "{}").get("names", ["", ""])
        out.append(AutoMerge(kept, folded, names[0], names[1]))
    return out


def undo_merge(conn: Any, kept: int, folded: int) -> int:
    """Split ``folded`` from ``kept`` again; returns how many memories will be re-consolidated.

    Works for automatic merges (their record says what moved).  The pair is
    remembered as different, so no later run merges or proposes it again.
    """
    row = conn.execute(
        "SELECT detail FROM mem_user_edits WHERE action = ? AND target = ? ORDER BY id DESC LIMIT 1",
        (AUTO_MERGE, f"{kept}|{folded}"),
    ).fetchone()
    if row is None:
        raise ValueError(f"no automatic merge of {folded} into {kept} to undo")
    detail = json.loads(row[0] or "{}")
    conn.execute("UPDATE mem_entities SET merged_into = NULL, updated_at = strftime('%s','now') WHERE id = ?",
                 (folded,))
    for alias_kind, _value, norm in detail.get("aliases", []):
        conn.execute("UPDATE mem_aliases SET entity_id = ? WHERE entity_id = ? AND alias_kind = ? AND norm = ?",
                     (folded, kept, alias_kind, norm))
    items = [int(i) for i in detail.get("items", [])]
    for start in range(0, len(items), 500):
        part = items[start : start + 500]
        marks = ",".join("?" * len(part))
        # the mentions go back now (so the split person is not pruned as unmentioned before the re-run)...
        conn.execute(f"UPDATE OR IGNORE mem_mentions SET entity_id = ? WHERE entity_id = ? AND item_id IN ({marks})",
                     (folded, kept, *part))
        # ...and the re-run re-derives them, with their relations and facts
        conn.execute(f"DELETE FROM mem_consolidated WHERE item_id IN ({marks})", part)
    refresh_counts(conn, [kept, folded])
    pair = f"{min(kept, folded)}|{max(kept, folded)}"
    conn.execute("UPDATE mem_merge_proposals SET status = 'rejected' WHERE a = ? AND b = ?",
                 (min(kept, folded), max(kept, folded)))
    record_edit(conn, "reject_merge", pair)
    return len(items)

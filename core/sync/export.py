"""What changed here since the last sync, as operations: a diff of the vault against ``sync_items``/``sync_state``.

Exporting is a diff, not a hook in every write path: whatever changed the vault
(an import, the screen, a file, an edit, retention, forget), the next export
sees it.  Each changed item becomes an ``item`` operation stamped with this
device's hybrid logical clock; an item that is gone becomes a ``forget``
tombstone (and its media objects are deleted from the target once the segment
is uploaded); user-edited facts and the settings that follow the user become
``fact`` and ``setting`` operations.  Summaries are not exported: each device
makes its own from the same memories; the user's deletions, merges, renames and kind changes of
entities and rejected merge proposals travel as ``entity-delete``/``entity-merge``/``entity-edit``/
``merge-reject`` operations named by kind and name.  Vectors are never exported: each device
recomputes them from the chunks (all-MiniLM is deterministic and cheap next to
the bytes a 384-float vector per chunk would cost on the target).

Runs inside the writer's transaction (``collect``), except ``media_to_upload`` (a reader).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.memory.extraction.value_norms import norm_text
from core.memory.items import SUMMARY_SOURCE
from core.memory.knowledge.entities import ENTITY_EDITS, canonical, names_pair_key
from core.settings import Settings
from core.store.settings import load_settings
from core.sync.hlc import ZERO
from core.sync.state import dumps

SYNCED_SETTINGS: tuple[str, ...] = (
    "excluded_apps", "private_window_patterns", "self_names", "phone_region", "timezone",
    "retention_days", "text_retention_days", "files_ignore_patterns",
)
"""Settings that follow the user to every device; capture hardware, folders and models stay per device."""

LIVE_STATUS = ("active", "superseded")

_CHANGED_ITEMS = f"""
SELECT i.id, i.source_key, i.source, i.external_id, i.kind, i.ts, i.ts_end, i.conversation, i.speaker, i.title,
       i.text, i.content_hash, i.meta, i.deleted,
       (SELECT count(*) FROM media m WHERE m.item_id = i.id) AS media_count, s.digest
FROM items i LEFT JOIN sync_items s ON s.source_key = i.source_key
WHERE i.source != '{SUMMARY_SOURCE}'
  AND (s.digest IS NULL OR s.digest != i.content_hash || ':' || i.deleted || ':' || media_count)
ORDER BY i.id LIMIT ?
"""


def pending_items(conn: Any, limit: int = 10_000) -> int:
    """How many items changed here since they were last synced (up to ``limit``), forgotten ones included."""
    changed = len(conn.execute(_CHANGED_ITEMS, (limit,)).fetchall())
    gone = conn.execute("SELECT count(*) FROM sync_items s WHERE NOT EXISTS"
                        " (SELECT 1 FROM items i WHERE i.source_key = s.source_key)").fetchone()[0]
    return changed + int(gone)


def item_digest(content_hash: str, deleted: int, media_count: int) -> str:
    return f"{content_hash}:{int(deleted)}:{int(media_count)}"


@dataclass(slots=True)
class Collected:
    ops: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)  # target objects to delete once the segment is up
    waiting_media: int = 0


def media_to_upload(conn: Any, limit: int = 200) -> list[tuple[int, str]]:
    """``(media id, kind)`` of media of exportable items that have no object on the target yet."""
    return [(int(r[0]), str(r[1])) for r in conn.execute(
        "SELECT m.id, m.kind FROM media m JOIN items i ON i.id = m.item_id"
        " LEFT JOIN sync_media s ON s.media_id = m.id"
        f" WHERE s.obj IS NULL AND i.source != '{SUMMARY_SOURCE}' ORDER BY m.id LIMIT ?", (limit,))]


def collect(conn: Any, now: Callable[[], str], limit: int) -> Collected:
    """Up to ``limit`` operations for what changed, bookkept as synced in the same transaction."""
    conn.execute("DELETE FROM sync_media WHERE media_id IS NOT NULL AND media_id NOT IN (SELECT id FROM media)")
    out = Collected()
    _settings(conn, now, out)  # first: facts about the user are applied knowing the user's names
    _items(conn, now, limit, out)
    if len(out.ops) < limit:
        _tombstones(conn, now, limit - len(out.ops), out)
    if len(out.ops) < limit:
        _entity_edits(conn, now, out)  # before facts: a fact names its subject by the name the user gave it
        _facts(conn, now, out)
        _graph_edits(conn, now, out)
        _rejected_merges(conn, now, out)
    return out


def _items(conn: Any, now: Callable[[], str], limit: int, out: Collected) -> None:
    for row in conn.execute(_CHANGED_ITEMS, (limit,)).fetchall():
        (item_id, key, source, xid, kind, ts, ts_end, conv, speaker, title, text, chash, meta, deleted,
         media_count, _old) = row
        media = conn.execute(
            "SELECT m.kind, s.obj FROM media m LEFT JOIN sync_media s ON s.media_id = m.id WHERE m.item_id = ?"
            " ORDER BY m.id", (item_id,)).fetchall()
        if any(obj is None for _, obj in media):
            out.waiting_media += 1  # its media go up first; the item follows at the next export
            continue
        chunks = [
            [c[0], None if text[c[4]:c[5]] == c[1] else c[1], c[2], c[3], c[4], c[5]]
            for c in conn.execute("SELECT ordinal, text, page, heading, start, end FROM chunks WHERE item_id = ?"
                                  " ORDER BY ordinal", (item_id,))
        ]
        hlc = now()
        objects = [obj for _, obj in media]
        out.ops.append({
            "t": "item", "k": key, "h": hlc, "src": source, "xid": xid, "kind": kind, "ts": ts, "te": ts_end,
            "conv": conv, "spk": speaker, "title": title, "text": text, "hash": chash, "meta": json.loads(meta or "{}"),
            "del": int(deleted), "chunks": chunks, "media": [[obj, k] for k, obj in media],
        })
        conn.execute(
            "INSERT INTO sync_items (source_key, digest, hlc, objects) VALUES (?,?,?,?) ON CONFLICT(source_key)"
            " DO UPDATE SET digest = excluded.digest, hlc = excluded.hlc, objects = excluded.objects",
            (key, item_digest(chash, deleted, media_count), hlc, json.dumps(objects)))
        conn.execute("DELETE FROM sync_tombstones WHERE source_key = ?", (key,))  # back after a forget


def _tombstones(conn: Any, now: Callable[[], str], limit: int, out: Collected) -> None:
    gone = conn.execute(
        "SELECT s.source_key, s.objects FROM sync_items s WHERE NOT EXISTS"
        " (SELECT 1 FROM items i WHERE i.source_key = s.source_key) LIMIT ?", (limit,)).fetchall()
    for key, objects in gone:
        hlc = now()
        out.ops.append({"t": "forget", "k": key, "h": hlc})
        out.deletes.extend(f"media/{obj}" for obj in json.loads(objects))
        conn.execute("DELETE FROM sync_items WHERE source_key = ?", (key,))
        conn.execute("INSERT OR REPLACE INTO sync_tombstones (source_key, hlc) VALUES (?, ?)", (key, hlc))
        for obj in json.loads(objects):
            conn.execute("DELETE FROM sync_media WHERE obj = ?", (obj,))


def subject_key(kind: str, name: str, is_self: int) -> str:
    return "self" if is_self else f"{kind}|{norm_text(name)}"


def _facts(conn: Any, now: Callable[[], str], out: Collected) -> None:
    rows = conn.execute(
        "SELECT f.predicate, f.value, f.norm, f.valid_from, f.recorded_at, f.status, f.confirmed, f.origin,"
        " e.kind, e.name, e.is_self FROM mem_facts f JOIN mem_entities e ON e.id = f.subject"
        " WHERE f.origin = 'user' OR f.confirmed = 1 OR f.status IN ('rejected', 'deleted') ORDER BY f.id").fetchall()
    latest: dict[str, tuple[Any, ...]] = {}
    for row in rows:  # one version per (subject, predicate, value): the newest row
        latest[f"fact|{subject_key(row[8], row[9], row[10])}|{row[0]}|{row[2]}"] = row
    for key, row in latest.items():
        predicate, value, norm, valid_from, recorded_at, status, confirmed, origin, kind, name, is_self = row
        subject = subject_key(kind, name, is_self)
        digest = fact_digest(status, confirmed, origin, value, valid_from, recorded_at)
        if _unchanged(conn, key, digest):
            continue
        hlc = now()
        state = "live" if status in LIVE_STATUS else status
        out.ops.append({"t": "fact", "k": key, "h": hlc, "subject": subject, "skind": kind, "sname": name,
                        "pred": predicate, "value": value, "norm": norm, "from": valid_from, "rec": recorded_at,
                        "state": state, "confirmed": int(confirmed), "origin": origin})
        put_state(conn, key, digest, hlc)


def _graph_edits(conn: Any, now: Callable[[], str], out: Collected) -> None:
    """The user's deletions and merges of entities, named by kind and name (ids differ between devices)."""
    for kind, name in conn.execute("SELECT kind, name FROM mem_entities WHERE deleted = 1 ORDER BY id").fetchall():
        key = f"entity-deleted|{kind}|{norm_text(name)}"
        if _unchanged(conn, key, "deleted"):
            continue
        hlc = now()
        out.ops.append({"t": "entity-delete", "k": key, "h": hlc, "kind": kind, "name": name})
        put_state(conn, key, "deleted", hlc)
    for (target,) in conn.execute("SELECT target FROM mem_user_edits WHERE action = 'merge' ORDER BY id").fetchall():
        keep_id, _, other_id = str(target).partition("|")
        other = conn.execute("SELECT kind, name FROM mem_entities WHERE id = ?", (int(other_id),)).fetchone()
        keep = conn.execute("SELECT kind, name FROM mem_entities WHERE id = ?", (canonical(conn, int(keep_id)),)).fetchone()
        if other is None or keep is None:
            continue
        key, digest = f"merge|{other[0]}|{norm_text(other[1])}", f"{keep[0]}|{norm_text(keep[1])}"
        if _unchanged(conn, key, digest):
            continue
        hlc = now()
        out.ops.append({"t": "entity-merge", "k": key, "h": hlc, "keep": [keep[0], keep[1]],
                        "other": [other[0], other[1]]})
        put_state(conn, key, digest, hlc)


def _entity_edits(conn: Any, now: Callable[[], str], out: Collected) -> None:
    """The user's renames and kind changes, keyed by the (kind, name) the entity had before its first edit."""
    was: dict[int, list[str]] = {}
    for target, detail in conn.execute("SELECT target, detail FROM mem_user_edits WHERE action IN"
                                       f" ({','.join('?' * len(ENTITY_EDITS))}) ORDER BY id", ENTITY_EDITS).fetchall():
        before = json.loads(detail or "{}").get("was")
        if str(target).isdigit() and before and before[1]:
            was.setdefault(int(target), before)
    for entity_id, (was_kind, was_name) in was.items():
        row = conn.execute("SELECT kind, name FROM mem_entities WHERE id = ? AND deleted = 0 AND merged_into IS NULL",
                           (entity_id,)).fetchone()
        if row is None:
            continue  # deleted or merged: those edits travel as their own operations
        key, digest = f"entity-edit|{was_kind}|{norm_text(was_name)}", f"{row[0]}|{row[1]}"
        if _unchanged(conn, key, digest):
            continue
        hlc = now()
        out.ops.append({"t": "entity-edit", "k": key, "h": hlc, "was": [was_kind, was_name],
                        "kind": row[0], "name": row[1]})
        put_state(conn, key, digest, hlc)


def _rejected_merges(conn: Any, now: Callable[[], str], out: Collected) -> None:
    """Merge proposals the user rejected, the pair named by kind and name."""
    for (target,) in conn.execute("SELECT target FROM mem_user_edits WHERE action = 'reject_merge' ORDER BY id").fetchall():
        first, _, second = str(target).partition("|")
        if not (first.isdigit() and second.isdigit()):
            continue  # a rejection that came from another device by name
        rows = conn.execute("SELECT kind, name FROM mem_entities WHERE id IN (?, ?)", (int(first), int(second))).fetchall()
        if len(rows) != 2:
            continue
        key = f"reject-merge|{names_pair_key(rows[0], rows[1])}"
        if _unchanged(conn, key, "rejected"):
            continue
        hlc = now()
        out.ops.append({"t": "merge-reject", "k": key, "h": hlc, "pair": [list(rows[0]), list(rows[1])]})
        put_state(conn, key, "rejected", hlc)


def fact_digest(status: str, confirmed: int, origin: str, value: str, valid_from: Any, recorded_at: Any) -> str:
    return dumps(["live" if status in LIVE_STATUS else status, int(confirmed), origin, value, valid_from, recorded_at])


def local_fact_digest(conn: Any, subject: int, predicate: str, norm: str) -> str | None:
    row = conn.execute(
        "SELECT status, confirmed, origin, value, valid_from, recorded_at FROM mem_facts"
        " WHERE subject = ? AND predicate = ? AND norm = ? ORDER BY id DESC LIMIT 1", (subject, predicate, norm)).fetchone()
    return None if row is None else fact_digest(*row)


def _settings(conn: Any, now: Callable[[], str], out: Collected) -> None:
    settings = load_settings(conn).to_dict()
    defaults = Settings().to_dict()
    for name in SYNCED_SETTINGS:
        key, digest = f"setting|{name}", dumps(settings.get(name))
        if _unchanged(conn, key, digest):
            continue
        if settings.get(name) == defaults.get(name) and _state_hlc(conn, key) is None:
            put_state(conn, key, digest, ZERO)  # an untouched default never overrides what the user chose elsewhere
            continue
        hlc = now()
        out.ops.append({"t": "setting", "k": key, "h": hlc, "name": name, "value": settings.get(name)})
        put_state(conn, key, digest, hlc)


def _unchanged(conn: Any, key: str, digest: str) -> bool:
    row = conn.execute("SELECT digest FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row is not None and row[0] == digest


def _state_hlc(conn: Any, key: str) -> str | None:
    row = conn.execute("SELECT hlc FROM sync_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put_state(conn: Any, key: str, digest: str, hlc: str) -> None:
    conn.execute("INSERT INTO sync_state (key, digest, hlc) VALUES (?,?,?) ON CONFLICT(key)"
                 " DO UPDATE SET digest = excluded.digest, hlc = excluded.hlc", (key, digest, hlc))

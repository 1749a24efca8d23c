"""Applying another device's operations: last writer wins per item, fact and setting, by hybrid-logical-clock stamp.

Because every operation carries a stamp and each key keeps the stamp of the
version held here (``sync_items``, ``sync_state``, ``sync_tombstones``),
applying is idempotent and order-independent: a segment applied twice, or an
old one applied after a newer one, changes nothing.  Items are written with the
store's own ``upsert_item`` (chunks and full-text rows as on the device that
captured them; vectors are recomputed here later by ``embed_pending``).

A concurrent edit of the same fact on two devices leaves both values as user
facts with their original valid-from and recorded-at times; the fact timeline
(``facts.recompute_timeline``) orders them the same way on every device, so the
later one is current and the other stays in the fact's history as superseded.

``apply_ops`` runs inside the writer's transaction; forgetting items and
downloading media happen before it (``core.sync.engine``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.memory.extraction.value_norms import norm_text
from core.memory.knowledge import entities as ents
from core.memory.knowledge import facts as facts_mod
from core.memory.knowledge.aliases import AUTO_MERGE, undo_merge
from core.memory.knowledge.merge import merge_entities
from core.normalize.chunking import Chunk
from core.store.items import from_epoch, upsert_item
from core.store.settings import load_settings, save_settings
from core.sync.export import item_digest, local_fact_digest, put_state
from core.sync.state import dumps
from core.types import Record


@dataclass(slots=True)
class Applied:
    items: int = 0
    forgotten: int = 0
    facts: int = 0
    settings: int = 0
    graph: int = 0  # entity deletions, merges, renames, kind changes and rejected merge proposals
    stale: int = 0  # operations older than what this device holds


def item_is_newer(conn: Any, key: str, hlc: str) -> bool:
    return _item_versions(conn, key, hlc)[0]


def _item_versions(conn: Any, key: str, hlc: str) -> tuple[bool, bool, bool]:
    """(the operation is newer than what is held here, an item version is held, a tombstone is held): one query."""
    held, tomb = conn.execute(
        "SELECT (SELECT hlc FROM sync_items WHERE source_key = ?1), (SELECT hlc FROM sync_tombstones WHERE source_key = ?1)",
        (key,)).fetchone()
    newer = (held is None or held < hlc) and (tomb is None or tomb < hlc)
    return newer, held is not None, tomb is not None


def forget_is_newer(conn: Any, key: str, hlc: str) -> bool:
    row = conn.execute("SELECT hlc FROM sync_items WHERE source_key = ?", (key,)).fetchone()
    return row is None or row[0] < hlc


def apply_ops(conn: Any, ops: Sequence[dict[str, Any]], media_ids: dict[str, int],
              observe: Callable[[str], None]) -> Applied:
    done = Applied()
    for op in ops:
        observe(op["h"])
        kind = op["t"]
        if kind == "item":
            newer, held, tomb = _item_versions(conn, op["k"], op["h"])
            if newer:
                _apply_item(conn, op, media_ids, known=held, tombstoned=tomb)
                done.items += 1
            else:
                done.stale += 1
        elif kind == "forget":
            if forget_is_newer(conn, op["k"], op["h"]):
                conn.execute("DELETE FROM sync_items WHERE source_key = ?", (op["k"],))
                conn.execute("INSERT INTO sync_tombstones (source_key, hlc) VALUES (?, ?) ON CONFLICT(source_key)"
                             " DO UPDATE SET hlc = max(hlc, excluded.hlc)", (op["k"], op["h"]))
                done.forgotten += 1
            else:
                done.stale += 1
        elif kind == "fact":
            if _newer_state(conn, op["k"], op["h"]):
                _apply_fact(conn, op)
                done.facts += 1
            else:
                done.stale += 1
        elif kind in ("entity-delete", "entity-merge", "entity-edit", "merge-reject"):
            if _newer_state(conn, op["k"], op["h"]):
                _apply_graph_edit(conn, op)
                done.graph += 1
            else:
                done.stale += 1
        elif kind == "setting":
            if _newer_state(conn, op["k"], op["h"]):
                current = load_settings(conn)
                try:
                    save_settings(conn, current.updated(**{op["name"]: op["value"]}))
                except (KeyError, TypeError, ValueError):
                    continue  # a setting this version does not know: ignored, never fatal
                put_state(conn, op["k"], dumps(op["value"]), op["h"])
                done.settings += 1
            else:
                done.stale += 1
    return done


def _newer_state(conn: Any, key: str, hlc: str) -> bool:
    row = conn.execute("SELECT hlc FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row is None or row[0] < hlc


def _apply_item(conn: Any, op: dict[str, Any], media_ids: dict[str, int], *, known: bool = True,
                tombstoned: bool = True) -> None:
    """Store one item version; ``known``/``tombstoned`` (from the version check) spare statements on a new item."""
    text = op["text"]
    meta = dict(op["meta"])
    if op["te"] is not None:
        meta["ts_end"] = op["te"]
    record = Record(source=op["src"], external_id=op["xid"], kind=op["kind"], timestamp=from_epoch(op["ts"]),
                    text=text, conversation=op["conv"], speaker=op["spk"], title=op["title"])
    chunks = [Chunk(text=c[1] if c[1] is not None else text[c[4]:c[5]], ordinal=c[0], page=c[2], heading=c[3],
                    start=c[4], end=c[5]) for c in op["chunks"]]
    _, item_id = upsert_item(conn, record, text, chunks, meta)
    # the capturing device's hash: re-importing the same export here is then a duplicate, not an update
    conn.execute("UPDATE items SET content_hash = ?, deleted = ? WHERE id = ?", (op["hash"], op["del"], item_id))
    objects = [obj for obj, _ in op["media"]]
    for obj in objects:
        conn.execute("UPDATE media SET item_id = ? WHERE id = ? AND item_id IS NULL", (item_id, media_ids[obj]))
    count = 0 if not (objects or known) else conn.execute(
        "SELECT count(*) FROM media WHERE item_id = ?", (item_id,)).fetchone()[0]
    conn.execute(
        "INSERT INTO sync_items (source_key, digest, hlc, objects) VALUES (?,?,?,?) ON CONFLICT(source_key)"
        " DO UPDATE SET digest = excluded.digest, hlc = excluded.hlc, objects = excluded.objects",
        (op["k"], item_digest(op["hash"], op["del"], count), op["h"], json.dumps(objects)))
    if tombstoned:
        conn.execute("DELETE FROM sync_tombstones WHERE source_key = ?", (op["k"],))


def _entity_named(conn: Any, kind: str | None, name: str, *, edited_only: bool = False) -> int | None:
    """The live entity with this name alias (of this kind, or of any kind the user gave it when ``kind`` is None)."""
    for entity_id, entity_kind, edited in conn.execute(
            "SELECT e.id, e.kind, e.user_edited FROM mem_aliases a JOIN mem_entities e ON e.id = a.entity_id"
            " WHERE a.alias_kind = 'name' AND a.norm = ? AND e.deleted = 0 ORDER BY e.id", (norm_text(name),)).fetchall():
        if (kind is None or entity_kind == kind) and (edited or not edited_only):
            return ents.canonical(conn, int(entity_id))
    return None


def _apply_entity_edit(conn: Any, op: dict[str, Any]) -> None:
    """Rename / re-kind the entity that had the ``was`` name; created if this device has not extracted it yet."""
    was_kind, was_name = op["was"]
    found = _entity_named(conn, was_kind, was_name)
    if found is None:  # edited here too (another kind), or already renamed by an earlier operation
        found = _entity_named(conn, None, was_name, edited_only=True)
    if found is None:
        found = ents.create_entity(conn, was_kind, was_name)  # edited below: its edit records name the same origin
        ents.add_alias(conn, found, "name", was_name)
    row = conn.execute("SELECT kind, name FROM mem_entities WHERE id = ?", (found,)).fetchone()
    if row[1] != op["name"]:
        ents.rename_entity(conn, found, op["name"])
    if row[0] != op["kind"]:
        ents.set_entity_kind(conn, found, op["kind"])
    conn.execute("UPDATE mem_entities SET user_edited = 1 WHERE id = ?", (found,))
    put_state(conn, op["k"], f"{op['kind']}|{op['name']}", op["h"])


def _apply_merge_reject(conn: Any, op: dict[str, Any]) -> None:
    """Mark the pair different: by ids when both exist here (an automatic merge of them is undone), else by name."""
    (kind_a, name_a), (kind_b, name_b) = op["pair"]
    a, b = _entity_named(conn, kind_a, name_a), _entity_named(conn, kind_b, name_b)
    folded = _auto_merged(conn, a, ((kind_a, name_a), (kind_b, name_b))) if a is not None and a == b else None
    if folded is not None and a is not None:
        undo_merge(conn, a, folded)
    elif a is not None and b is not None and a != b:
        ents.reject_merge(conn, a, b)
    else:  # not both extracted here yet: propose_merges and merge_first_names check the names too
        ents.record_edit(conn, "reject_merge", ents.names_pair_key((kind_a, name_a), (kind_b, name_b)), {"synced": True})
    put_state(conn, op["k"], "rejected", op["h"])


def _auto_merged(conn: Any, kept: int, named: tuple[tuple[str, str], ...]) -> int | None:
    """The entity automatically folded into ``kept`` here that bears one of the ``named`` (kind, name)s."""
    wanted = {(kind, norm_text(name)) for kind, name in named}
    for (target,) in conn.execute("SELECT target FROM mem_user_edits WHERE action = ? AND target LIKE ?",
                                  (AUTO_MERGE, f"{kept}|%")).fetchall():
        folded = int(str(target).partition("|")[2])
        row = conn.execute("SELECT kind, name, merged_into FROM mem_entities WHERE id = ?", (folded,)).fetchone()
        if row is not None and row[2] == kept and (row[0], norm_text(row[1])) in wanted:
            return folded
    return None


def _apply_graph_edit(conn: Any, op: dict[str, Any]) -> None:
    if op["t"] == "entity-edit":
        _apply_entity_edit(conn, op)
        return
    if op["t"] == "merge-reject":
        _apply_merge_reject(conn, op)
        return
    if op["t"] == "entity-delete":
        found = _entity_named(conn, op["kind"], op["name"])
        if found is not None:
            ents.delete_entity(conn, found)
        else:  # not extracted here yet: it never will be
            ents.record_edit(conn, "delete_entity", ents.entity_key("name", norm_text(op["name"])), {"synced": True})
        put_state(conn, op["k"], "deleted", op["h"])
        return
    keep_kind, keep_name = op["keep"]
    other_kind, other_name = op["other"]
    keep = _entity_named(conn, keep_kind, keep_name)
    if keep is None:
        keep = ents.create_entity(conn, keep_kind, keep_name)
        ents.add_alias(conn, keep, "name", keep_name)
    other = _entity_named(conn, other_kind, other_name)
    if other is not None and other != keep:
        merge_entities(conn, keep, other)
    else:  # later mentions of the other name resolve to the kept entity
        ents.add_alias(conn, keep, "name", other_name)
    put_state(conn, op["k"], f"{keep_kind}|{norm_text(keep_name)}", op["h"])


def _subject(conn: Any, op: dict[str, Any]) -> int:
    if op["subject"] == "self":
        # the user's names as synced (settings travel before facts in a segment), else the other device's name
        return ents.self_entity(conn, tuple(load_settings(conn).self_names) or (op["sname"],))
    found = ents.resolve(conn, op["skind"], op["sname"])
    return found if found is not None else ents.create_entity(conn, op["skind"], op["sname"])


def _apply_fact(conn: Any, op: dict[str, Any]) -> None:
    subject = ents.canonical(conn, _subject(conn, op))
    predicate, norm = op["pred"], op["norm"]
    row = conn.execute("SELECT id FROM mem_facts WHERE subject = ? AND predicate = ? AND norm = ? ORDER BY id DESC LIMIT 1",
                       (subject, predicate, norm)).fetchone()
    if op["state"] == "live":
        if op["origin"] == "user" or row is None:
            fact_id = facts_mod.set_fact(conn, subject, predicate, op["value"], valid_from=op["from"])
            # the typing device's record time: every device then orders concurrent values the same way
            conn.execute("UPDATE mem_facts SET recorded_at = ? WHERE id = ?", (op["rec"], fact_id))
            facts_mod.recompute_timeline(conn, subject, predicate)
        else:
            facts_mod.confirm_fact(conn, int(row[0]))
    elif row is not None:
        facts_mod.reject_fact(conn, int(row[0]), action=op["state"])
    else:  # not extracted here yet: remember the user's verdict so extraction never proposes it
        ents.record_edit(conn, "reject_fact", facts_mod.fact_key(subject, predicate, norm), {"synced": True})
    digest = local_fact_digest(conn, subject, predicate, norm)
    put_state(conn, op["k"], digest or dumps([op["state"]]), op["h"])

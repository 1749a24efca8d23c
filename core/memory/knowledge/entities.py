"""Entities and their resolution: one person across WhatsApp name, email and Slack handle.

Resolution is conservative.  A mention joins an existing entity only through
an exact alias (the same email, phone, handle, or the same folded name) or an
explicit binding seen in the data ("Priya Sharma <priya.sharma@acme.com>").
Everything fuzzier (``rapidfuzz`` over names, email local parts and handles)
becomes a *merge proposal* the user confirms or rejects; both decisions are
stored and respected by later consolidation.

Every function takes an open connection and runs inside the caller's
transaction (``vault.write``); none commits.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.memory.extraction.value_norms import norm_email, norm_handle, norm_text

ENTITY_KINDS: tuple[str, ...] = ("person", "org", "place", "project", "topic", "work", "app", "file", "date")
STRONG_ALIASES: frozenset[str] = frozenset({"email", "phone", "handle", "url", "path"})
DEFAULT_MERGE_THRESHOLD = 86.0


@dataclass(frozen=True, slots=True)
class Entity:
    id: int
    kind: str
    name: str
    is_self: bool
    confirmed: bool
    mention_count: int
    first_ts: float | None
    last_ts: float | None
    aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MergeProposal:
    a: int
    b: int
    score: float
    reason: str
    status: str = "pending"


def _now() -> float:
    return time.time()


def canonical(conn: Any, entity_id: int) -> int:
    """Follow ``merged_into`` to the entity that stands for ``entity_id`` now."""
    seen: set[int] = set()
    current = entity_id
    while current not in seen:
        seen.add(current)
        row = conn.execute("SELECT merged_into FROM mem_entities WHERE id = ?", (current,)).fetchone()
        if row is None or row[0] is None:
            return current
        current = int(row[0])
    return current


def tombstoned(conn: Any, action: str, target: str) -> bool:
    row = conn.execute("SELECT 1 FROM mem_user_edits WHERE action = ? AND target = ? LIMIT 1", (action, target)).fetchone()
    return row is not None


def record_edit(conn: Any, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    conn.execute(
        "INSERT INTO mem_user_edits (action, target, detail, created_at) VALUES (?,?,?,?)",
        (action, target, json.dumps(detail or {}), _now()),
    )


def find_by_alias(conn: Any, alias_kind: str, norm: str) -> int | None:
    row = conn.execute(
        "SELECT a.entity_id FROM mem_aliases a JOIN mem_entities e ON e.id = a.entity_id"
        " WHERE a.alias_kind = ? AND a.norm = ? ORDER BY e.is_self DESC, e.mention_count DESC, e.id LIMIT 1",
        (alias_kind, norm),
    ).fetchone()
    return canonical(conn, int(row[0])) if row else None


def add_alias(conn: Any, entity_id: int, alias_kind: str, value: str, norm: str | None = None) -> None:
    norm = norm if norm is not None else norm_text(value)
    if not norm:
        return
    conn.execute(
        "INSERT OR IGNORE INTO mem_aliases (entity_id, alias_kind, value, norm) VALUES (?,?,?,?)",
        (entity_id, alias_kind, value, norm),
    )


def create_entity(conn: Any, kind: str, name: str, ts: float | None = None, *, is_self: bool = False) -> int:
    now = _now()
    cur = conn.execute(
        "INSERT INTO mem_entities (kind, name, is_self, first_ts, last_ts, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?)",
        (kind, name, int(is_self), ts, ts, now, now),
    )
    return int(cur.lastrowid)


def self_entity(conn: Any, names: Sequence[str] = ()) -> int:
    """The user's own entity (created on first use); ``names`` become its name aliases."""
    row = conn.execute("SELECT id FROM mem_entities WHERE is_self = 1 AND merged_into IS NULL LIMIT 1").fetchone()
    entity_id = int(row[0]) if row else create_entity(conn, "person", names[0] if names else "Me", is_self=True)
    for name in names:
        add_alias(conn, entity_id, "name", name)
    return entity_id


def entity_key(kind: str, norm: str) -> str:
    return f"entity:{kind}|{norm}"


def resolve(
    conn: Any, kind: str, name: str, aliases: Iterable[tuple[str, str, str]] = (), ts: float | None = None,
    *, create: bool = True,
) -> int | None:
    """The entity for a mention, creating it when nothing matches (unless ``create`` is False: then None).

    ``aliases`` are ``(alias_kind, value, norm)``; strong ones (email, phone,
    handle) decide first, then the folded name.  A typed mention may adopt an
    untyped ('topic') entity of the same name and upgrades its kind.  Returns
    None when the user deleted this entity before (the tombstone wins).
    """
    aliases = list(aliases)
    name_norm = norm_text(name)
    for alias_kind, _, norm in aliases:
        if tombstoned(conn, "delete_entity", entity_key(alias_kind, norm)):
            return None
    if name_norm and tombstoned(conn, "delete_entity", entity_key("name", name_norm)):
        return None
    found: int | None = None
    for alias_kind, _, norm in aliases:
        if alias_kind in STRONG_ALIASES:
            found = find_by_alias(conn, alias_kind, norm)
            if found is not None:
                break
    if found is None and name_norm:
        found = _find_by_name(conn, kind, name_norm)
    if found is None and not create:
        return None
    if found is None:
        found = create_entity(conn, kind, name, ts)
    else:
        _touch(conn, found, kind, ts)
    if name_norm:
        add_alias(conn, found, "name", name, name_norm)
    for alias_kind, value, norm in aliases:
        add_alias(conn, found, alias_kind, value, norm)
    return found


def _find_by_name(conn: Any, kind: str, name_norm: str) -> int | None:
    rows = conn.execute(
        "SELECT e.id, e.kind, e.user_edited FROM mem_aliases a JOIN mem_entities e ON e.id = a.entity_id"
        " WHERE a.alias_kind = 'name' AND a.norm = ? AND e.deleted = 0"
        " ORDER BY e.is_self DESC, e.mention_count DESC, e.id",
        (name_norm,),
    ).fetchall()
    for entity_id, entity_kind, edited in rows:
        # the user's kind beats the extractor's guess: a corrected entity keeps its later mentions
        if entity_kind == kind or kind == "topic" or entity_kind == "topic" or edited:
            return canonical(conn, int(entity_id))
    return None


def _touch(conn: Any, entity_id: int, kind: str, ts: float | None) -> None:
    row = conn.execute("SELECT kind, user_edited FROM mem_entities WHERE id = ?", (entity_id,)).fetchone()
    if row is not None and row[0] == "topic" and kind != "topic" and not row[1]:
        conn.execute("UPDATE mem_entities SET kind = ? WHERE id = ?", (kind, entity_id))
    if ts is not None:
        conn.execute(
            "UPDATE mem_entities SET first_ts = min(coalesce(first_ts, ?), ?), last_ts = max(coalesce(last_ts, ?), ?)"
            " WHERE id = ?", (ts, ts, ts, ts, entity_id),
        )


def display_name_from_email(email: str) -> str:
    local = email.split("@", 1)[0]
    parts = [p for p in re.split(r"[._+-]+", re.sub(r"\d+", "", local)) if p]
    return " ".join(p.capitalize() for p in parts) or email


def display_name_from_handle(handle: str) -> str:
    parts = [p for p in re.split(r"[._-]+", norm_handle(handle)) if p]
    return " ".join(p.capitalize() for p in parts) or handle


# -- merge proposals -----------------------------------------------------------------------------------


def _name_forms(conn: Any, entity_id: int) -> list[str]:
    """Every way to spell an entity's name for fuzzy comparison: names, email local parts, handles."""
    forms: list[str] = []
    for alias_kind, value, norm in conn.execute(
        "SELECT alias_kind, value, norm FROM mem_aliases WHERE entity_id = ?", (entity_id,)
    ):
        if alias_kind == "name":
            forms.append(norm)
        elif alias_kind == "email":
            forms.append(norm_text(display_name_from_email(value)))
        elif alias_kind == "handle":
            forms.append(norm_text(display_name_from_handle(value)))
    return [f for f in dict.fromkeys(forms) if f and "@" not in f]


def _pair_score(forms_a: Sequence[str], forms_b: Sequence[str]) -> tuple[float, str, str]:
    from rapidfuzz import fuzz

    best = (0.0, "", "")
    for fa in forms_a:
        for fb in forms_b:
            ta, tb = set(fa.split()), set(fb.split())
            # one token in common is weak evidence ("Priya" vs "Priya Sharma"): cap it below the default threshold
            if len(ta) == 1 or len(tb) == 1:
                score = fuzz.ratio(fa, fb) if len(ta) == len(tb) else min(fuzz.token_set_ratio(fa, fb), 80.0)
            else:
                score = max(fuzz.token_sort_ratio(fa, fb), fuzz.token_set_ratio(fa, fb) * 0.95)
            if score > best[0]:
                best = (float(score), fa, fb)
    return best


def propose_merges(
    conn: Any, entity_ids: Sequence[int] | None = None, threshold: float = DEFAULT_MERGE_THRESHOLD, kind: str = "person",
) -> list[MergeProposal]:
    """Store and return new proposals to merge entities of ``kind`` that look like one.

    Compares ``entity_ids`` (default: all) with every live entity of the kind.
    Pairs already proposed, accepted or rejected are not proposed again.
    """
    rows = conn.execute(
        "SELECT id FROM mem_entities WHERE kind = ? AND merged_into IS NULL AND deleted = 0", (kind,)
    ).fetchall()
    everyone = [int(r[0]) for r in rows]
    targets = [canonical(conn, i) for i in entity_ids] if entity_ids is not None else everyone
    forms = {i: _name_forms(conn, i) for i in set(everyone) | set(targets)}
    proposals: list[MergeProposal] = []
    done: set[tuple[int, int]] = set()
    for a in dict.fromkeys(targets):
        if not forms.get(a):
            continue
        for b in everyone:
            pair = (min(a, b), max(a, b))
            if a == b or pair in done or not forms.get(b):
                continue
            done.add(pair)
            score, fa, fb = _pair_score(forms[a], forms[b])
            if score < threshold:
                continue
            if conn.execute("SELECT 1 FROM mem_merge_proposals WHERE a = ? AND b = ?", pair).fetchone():
                continue
            if merge_rejected(conn, *pair):
                continue
            reason = f"similar names: {fa!r} ~ {fb!r}"
            conn.execute(
                "INSERT INTO mem_merge_proposals (a, b, score, reason, status, created_at) VALUES (?,?,?,?,?,?)",
                (*pair, score, reason, "pending", _now()),
            )
            proposals.append(MergeProposal(pair[0], pair[1], score, reason))
    return proposals


def pending_proposals(conn: Any) -> list[MergeProposal]:
    rows = conn.execute(
        "SELECT a, b, score, reason, status FROM mem_merge_proposals WHERE status = 'pending' ORDER BY score DESC"
    ).fetchall()
    return [MergeProposal(int(r[0]), int(r[1]), float(r[2]), r[3], r[4]) for r in rows]


def reject_merge(conn: Any, a: int, b: int) -> None:
    """The user says these are different: never propose the pair again."""
    pair = (min(a, b), max(a, b))
    conn.execute("UPDATE mem_merge_proposals SET status = 'rejected' WHERE a = ? AND b = ?", pair)
    record_edit(conn, "reject_merge", f"{pair[0]}|{pair[1]}")


def names_pair_key(first: tuple[str, str], second: tuple[str, str]) -> str:
    """A pair of entities named by (kind, name), the same on every device whatever the ids."""
    a, b = sorted(f"{kind}|{norm_text(name)}" for kind, name in (first, second))
    return f"names:{a}||{b}"


def merge_rejected(conn: Any, a: int, b: int) -> bool:
    """The user said these two are different, here (by id) or on another device (by kind and name)."""
    if tombstoned(conn, "reject_merge", f"{min(a, b)}|{max(a, b)}"):
        return True
    rows = conn.execute("SELECT kind, name FROM mem_entities WHERE id IN (?, ?)", (a, b)).fetchall()
    return len(rows) == 2 and tombstoned(conn, "reject_merge", names_pair_key(rows[0], rows[1]))


def upsert_relation(
    conn: Any, src: int, dst: int, rel: str, weight: float, first_ts: float, last_ts: float,
) -> int:
    if rel == "co_occurs" and src > dst:
        src, dst = dst, src  # undirected: one row per pair
    conn.execute(
        "INSERT INTO mem_relations (src, dst, rel, weight, first_ts, last_ts) VALUES (?,?,?,?,?,?)"
        " ON CONFLICT(src, dst, rel) DO UPDATE SET weight = weight + excluded.weight,"
        " first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts)",
        (src, dst, rel, weight, first_ts, last_ts),
    )
    row = conn.execute("SELECT id FROM mem_relations WHERE src = ? AND dst = ? AND rel = ?", (src, dst, rel)).fetchone()
    return int(row[0])


def refresh_counts(conn: Any, entity_ids: Iterable[int]) -> None:
    for entity_id in set(entity_ids):
        conn.execute(
            "UPDATE mem_entities SET mention_count = (SELECT count(DISTINCT item_id) FROM mem_mentions WHERE entity_id = ?),"
            " first_ts = coalesce((SELECT min(ts) FROM mem_mentions WHERE entity_id = ?), first_ts),"
            " last_ts = coalesce((SELECT max(ts) FROM mem_mentions WHERE entity_id = ?), last_ts) WHERE id = ?",
            (entity_id, entity_id, entity_id, entity_id),
        )


# -- user edits ------------------------------------------------------------------------------------------


ENTITY_EDITS: tuple[str, ...] = ("rename_entity", "set_kind")
"""The user's corrections of an entity; each record keeps the ``was`` (kind, name) the entity had before."""


def _was(conn: Any, entity_id: int) -> list[str]:
    row = conn.execute("SELECT kind, name FROM mem_entities WHERE id = ?", (entity_id,)).fetchone()
    return [str(row[0]), str(row[1])] if row else ["", ""]


def rename_entity(conn: Any, entity_id: int, name: str) -> None:
    entity_id = canonical(conn, entity_id)
    was = _was(conn, entity_id)
    conn.execute("UPDATE mem_entities SET name = ?, user_edited = 1, updated_at = ? WHERE id = ?", (name, _now(), entity_id))
    add_alias(conn, entity_id, "name", name)
    record_edit(conn, "rename_entity", str(entity_id), {"name": name, "was": was})


def set_entity_kind(conn: Any, entity_id: int, kind: str) -> None:
    if kind not in ENTITY_KINDS:
        raise ValueError(f"unknown entity kind {kind!r}")
    entity_id = canonical(conn, entity_id)
    was = _was(conn, entity_id)
    conn.execute("UPDATE mem_entities SET kind = ?, user_edited = 1, updated_at = ? WHERE id = ?", (kind, _now(), entity_id))
    record_edit(conn, "set_kind", str(entity_id), {"kind": kind, "was": was})


def confirm_entity(conn: Any, entity_id: int) -> None:
    conn.execute("UPDATE mem_entities SET confirmed = 1 WHERE id = ?", (canonical(conn, entity_id),))


def delete_entity(conn: Any, entity_id: int) -> None:
    """The user deletes an entity: its mentions, relations and facts go; its names are never re-created."""
    entity_id = canonical(conn, entity_id)
    for alias_kind, norm in conn.execute(
        "SELECT alias_kind, norm FROM mem_aliases WHERE entity_id = ?", (entity_id,)
    ).fetchall():
        record_edit(conn, "delete_entity", entity_key(alias_kind, norm))
    conn.execute("DELETE FROM mem_mentions WHERE entity_id = ?", (entity_id,))
    conn.execute("DELETE FROM mem_relations WHERE src = ? OR dst = ?", (entity_id, entity_id))
    conn.execute("DELETE FROM mem_aliases WHERE entity_id = ?", (entity_id,))
    conn.execute(
        "UPDATE mem_facts SET status = 'deleted', expired_at = ? WHERE subject = ? AND expired_at IS NULL",
        (_now(), entity_id),
    )
    conn.execute("UPDATE mem_entities SET deleted = 1, mention_count = 0, updated_at = ? WHERE id = ?", (_now(), entity_id))


# -- reading -------------------------------------------------------------------------------------------------


def get_entity(conn: Any, entity_id: int) -> Entity | None:
    entity_id = canonical(conn, entity_id)
    row = conn.execute(
        "SELECT id, kind, name, is_self, confirmed, mention_count, first_ts, last_ts FROM mem_entities"
        " WHERE id = ? AND deleted = 0", (entity_id,),
    ).fetchone()
    if row is None:
        return None
    aliases = tuple(
        (r[0], r[1]) for r in conn.execute(
            "SELECT alias_kind, value FROM mem_aliases WHERE entity_id = ? ORDER BY alias_kind, value", (entity_id,)
        )
    )
    return Entity(int(row[0]), row[1], row[2], bool(row[3]), bool(row[4]), int(row[5]), row[6], row[7], aliases)


def list_entities(conn: Any, kinds: Sequence[str] = (), limit: int = 500) -> list[Entity]:
    """Live entities, most mentioned first."""
    clause, params = "", []
    if kinds:
        clause = f" AND kind IN ({','.join('?' * len(kinds))})"
        params = list(kinds)
    rows = conn.execute(
        "SELECT id FROM mem_entities WHERE merged_into IS NULL AND deleted = 0" + clause
        + " ORDER BY mention_count DESC, id LIMIT ?", (*params, limit),
    ).fetchall()
    out = [get_entity(conn, int(r[0])) for r in rows]
    return [e for e in out if e is not None]


def email_alias_norm(value: str) -> tuple[str, str, str]:
    return ("email", value, norm_email(value))

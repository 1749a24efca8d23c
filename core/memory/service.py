"""The memory layer's facade for the UI, the CLI and the MCP server.

``MemoryService(store)`` bundles the reads the graph view, the profile and
the ask pipeline need, and the user's edits.  Reads use the store's reader
connection (any thread); mutations run on its writer thread and
return the set of things that changed (``{"entities", "facts"}``...), so
views refresh from that (Anki's OpChanges).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.changes import ENTITIES, FACTS, GRAPH, PROFILE, PROPOSALS, Changes, changes
from core.memory.knowledge import entities as ents
from core.memory.knowledge import facts as facts_mod
from core.memory.knowledge.entities import Entity, MergeProposal
from core.memory.knowledge.facts import Fact
from core.memory.knowledge.merge import merge_entities
from core.ports import MemoryStore
from core.retrieve.snippets import readable_text


@dataclass(frozen=True, slots=True)
class GraphNode:
    entity_id: int
    kind: str
    name: str
    importance: float  # 0..1, for node size (mentions in the window, log-scaled)
    mentions: int
    is_self: bool


@dataclass(frozen=True, slots=True)
class GraphEdge:
    src: int
    dst: int
    rel: str
    weight: float
    first_ts: float
    last_ts: float


@dataclass(frozen=True, slots=True)
class GraphView:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    item_id: int
    ts: float
    source: str
    speaker: str | None
    title: str | None
    snippet: str


@dataclass(frozen=True, slots=True)
class EntityDetail:
    entity: Entity
    facts: tuple[Fact, ...]
    mentions: tuple[Mention, ...]  # newest first
    timeline: tuple[tuple[float, int], ...]  # (day start epoch, mentions that day)
    neighbours: tuple[tuple[Entity, str, float], ...]  # (entity, relation, weight)
    proposals: tuple[MergeProposal, ...]


def _epoch(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


class MemoryService:
    """See the module doc.  Cheap to create; holds only the vault."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    # -- graph ---------------------------------------------------------------------------------------
    def graph(
        self, *, start: datetime | None = None, end: datetime | None = None, kinds: Sequence[str] = (),
        limit: int = 150, min_mentions: int = 1,
    ) -> GraphView:
        """The most mentioned entities in the window and the relations among them."""
        conn = self.store.read()
        s, e = _epoch(start), _epoch(end)
        # a web host made a topic by an older consolidation ("wiki.example.org", named by its url alias) is no topic
        clauses = ["e.deleted = 0", "e.merged_into IS NULL", "NOT (e.kind = 'topic' AND EXISTS (SELECT 1 FROM"
                   " mem_aliases a WHERE a.entity_id = e.id AND a.alias_kind = 'url'))"]
        params: list[Any] = []
        if kinds:
            clauses.append(f"e.kind IN ({','.join('?' * len(kinds))})")
            params.extend(kinds)
        time_clause = ""
        if s is not None:
            time_clause += " AND m.ts >= ?"
        if e is not None:
            time_clause += " AND m.ts < ?"
        time_params = [v for v in (s, e) if v is not None]
        rows = conn.execute(
            "SELECT e.id, e.kind, e.name, e.is_self, count(DISTINCT m.item_id) AS n FROM mem_entities e"
            f" JOIN mem_mentions m ON m.entity_id = e.id{time_clause} WHERE {' AND '.join(clauses)}"
            " GROUP BY e.id HAVING n >= ? ORDER BY n DESC, e.id LIMIT ?",
            (*time_params, *params, min_mentions, limit),
        ).fetchall()
        top = max((int(r[4]) for r in rows), default=1)
        nodes = tuple(
            GraphNode(int(r[0]), r[1], r[2], math.log1p(int(r[4])) / math.log1p(top), int(r[4]), bool(r[3]))
            for r in rows
        )
        ids = [n.entity_id for n in nodes]
        edges: list[GraphEdge] = []
        if ids:
            marks = ",".join("?" * len(ids))
            rel_time = ""
            if s is not None:
                rel_time += " AND last_ts >= ?"
            if e is not None:
                rel_time += " AND first_ts < ?"
            for r in conn.execute(
                f"SELECT src, dst, rel, weight, first_ts, last_ts FROM mem_relations WHERE src IN ({marks})"
                f" AND dst IN ({marks}){rel_time} ORDER BY weight DESC LIMIT ?", (*ids, *ids, *time_params, limit * 4),
            ):
                edges.append(GraphEdge(int(r[0]), int(r[1]), r[2], float(r[3]), float(r[4]), float(r[5])))
        return GraphView(nodes, tuple(edges))

    def entity(self, entity_id: int, *, mention_limit: int = 50) -> EntityDetail | None:
        """Everything the detail panel shows for one entity."""
        conn = self.store.read()
        entity = ents.get_entity(conn, entity_id)
        if entity is None:
            return None
        eid = entity.id
        mentions = tuple(  # what one reads of each: a screenshot without its chrome, a note without Markdown
            Mention(int(r[0]), float(r[1]), r[2], r[3], r[4], " ".join(readable_text(
                r[5] or "", r[6], title=r[4], external_id=r[7], meta=json.loads(r[8] or "{}")).split())[:200])
            for r in conn.execute(
                "SELECT i.id, i.ts, i.source, i.speaker, i.title, i.text, i.kind, i.external_id, i.meta"
                " FROM items i WHERE i.id IN"
                " (SELECT item_id FROM mem_mentions WHERE entity_id = ?) ORDER BY i.ts DESC LIMIT ?",
                (eid, mention_limit),
            )
        )
        timeline = tuple(
            (float(r[0]) * 86400.0, int(r[1])) for r in conn.execute(
                "SELECT CAST(ts / 86400 AS INTEGER) AS d, count(DISTINCT item_id) FROM mem_mentions WHERE entity_id = ?"
                " GROUP BY d ORDER BY d", (eid,),
            )
        )
        neighbours: list[tuple[Entity, str, float]] = []
        for other, rel, weight in conn.execute(
            "SELECT CASE WHEN src = ? THEN dst ELSE src END, rel, weight FROM mem_relations WHERE src = ? OR dst = ?"
            " ORDER BY weight DESC LIMIT 30", (eid, eid, eid),
        ):
            found = ents.get_entity(conn, int(other))
            if found is not None:
                neighbours.append((found, rel, float(weight)))
        proposals = tuple(p for p in ents.pending_proposals(conn) if eid in (p.a, p.b))
        return EntityDetail(entity, tuple(facts_mod.facts_about(conn, eid)), mentions, timeline, tuple(neighbours),
                            proposals)

    def entities(self, kinds: Sequence[str] = (), limit: int = 500) -> list[Entity]:
        return ents.list_entities(self.store.read(), kinds, limit)

    def proposals(self) -> list[MergeProposal]:
        return ents.pending_proposals(self.store.read())

    # -- edits (return what changed) -----------------------------------------------------------------
    def merge(self, keep: int, other: int) -> Changes:
        self.store.write(lambda c: merge_entities(c, keep, other))
        return changes(ENTITIES, FACTS, GRAPH)

    def auto_merges(self) -> list[Any]:
        """The first-name/full-name merges consolidation made by itself and that still hold (undoable)."""
        from core.memory.knowledge.aliases import recent_auto_merges

        return recent_auto_merges(self.store.read())

    def undo_auto_merge(self, kept: int, folded: int) -> Changes:
        """Split an automatic merge for good; the memories that mentioned the short name wait for the next
        consolidation, which re-derives their mentions, relations and facts."""
        from core.memory.knowledge.aliases import undo_merge

        self.store.write(lambda c: undo_merge(c, kept, folded))
        return changes(ENTITIES, FACTS, GRAPH, PROPOSALS)

    def reject_merge(self, a: int, b: int) -> Changes:
        self.store.write(lambda c: ents.reject_merge(c, a, b))
        return changes(PROPOSALS)

    def rename(self, entity_id: int, name: str) -> Changes:
        self.store.write(lambda c: ents.rename_entity(c, entity_id, name))
        return changes(ENTITIES, GRAPH)

    def set_kind(self, entity_id: int, kind: str) -> Changes:
        self.store.write(lambda c: ents.set_entity_kind(c, entity_id, kind))
        return changes(ENTITIES, GRAPH)

    def delete_entity(self, entity_id: int) -> Changes:
        self.store.write(lambda c: ents.delete_entity(c, entity_id))
        return changes(ENTITIES, FACTS, GRAPH)

    def confirm_fact(self, fact_id: int) -> Changes:
        self.store.write(lambda c: facts_mod.confirm_fact(c, fact_id))
        return changes(FACTS, PROFILE)

    def reject_fact(self, fact_id: int) -> Changes:
        self.store.write(lambda c: facts_mod.reject_fact(c, fact_id))
        return changes(FACTS, PROFILE)

    def delete_fact(self, fact_id: int) -> Changes:
        self.store.write(lambda c: facts_mod.delete_fact(c, fact_id))
        return changes(FACTS, PROFILE)

    def edit_fact(self, fact_id: int, value: str) -> Changes:
        self.store.write(lambda c: facts_mod.edit_fact(c, fact_id, value))
        return changes(FACTS, PROFILE)

    def set_my_fact(self, predicate: str, value: str) -> Changes:
        """The user types a profile value (confirmed, origin 'user')."""

        def job(conn: Any) -> None:
            me = ents.self_entity(conn, self.store.settings().self_names)
            facts_mod.set_fact(conn, me, predicate, value)

        self.store.write(job)
        return changes(FACTS, PROFILE)

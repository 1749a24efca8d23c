"""The memory graph's operations: the user's edits of entities and facts, and the reads the page shows.

Each function returns an operation (``ui.operations``); the page adds what to
do on success and runs it.  Edits announce what they changed through the
session, so every view (this page, the timeline, autofill) refreshes from it.

Threads: build on the GUI thread; the work runs on a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ui.operations import CollectionOp, QueryOp
from ui.session import Session

if TYPE_CHECKING:
    from core.memory.service import EntityDetail, GraphView, MemoryService
    from core.vault import Vault


def _service(vault: Vault) -> MemoryService:
    from core.memory.service import MemoryService  # late: the memory layer loads with the page

    return MemoryService(vault)


def load_graph(session: Session, *, start: datetime | None, kinds: Sequence[str],
               limit: int) -> QueryOp[tuple[GraphView, Any]]:
    """The graph in view and its node positions (the layout is computed off the GUI thread too)."""

    def work(vault: Vault) -> tuple[GraphView, Any]:
        from ui.graph.layout import spring_layout

        graph = _service(vault).graph(start=start, kinds=kinds, limit=limit, min_mentions=2)
        index = {n.entity_id: i for i, n in enumerate(graph.nodes)}
        edges = [(index[e.src], index[e.dst], e.weight) for e in graph.edges if e.src in index and e.dst in index]
        return graph, spring_layout(len(graph.nodes), edges, sizes=[n.importance for n in graph.nodes])

    return QueryOp(session, work, label="memory graph")


def load_entity(session: Session, entity_id: int) -> QueryOp[EntityDetail | None]:
    return QueryOp(session, lambda v: _service(v).entity(entity_id), label="entity detail")


def rename(session: Session, entity_id: int, name: str) -> CollectionOp:
    return CollectionOp(session, lambda v: _service(v).rename(entity_id, name), label="rename")


def merge(session: Session, keep: int, other: int) -> CollectionOp:
    return CollectionOp(session, lambda v: _service(v).merge(keep, other), label="merge")


def delete_entity(session: Session, entity_id: int) -> CollectionOp:
    return CollectionOp(session, lambda v: _service(v).delete_entity(entity_id), label="delete entity")


def confirm_fact(session: Session, fact_id: int) -> CollectionOp:
    return CollectionOp(session, lambda v: _service(v).confirm_fact(fact_id), label="confirm fact")


def reject_fact(session: Session, fact_id: int) -> CollectionOp:
    return CollectionOp(session, lambda v: _service(v).reject_fact(fact_id), label="reject fact")


def edit_fact(session: Session, fact_id: int, value: str) -> CollectionOp:
    return CollectionOp(session, lambda v: _service(v).edit_fact(fact_id, value), label="correct fact")


def load_auto_merges(session: Session) -> QueryOp[list[Any]]:
    """Merges consolidation made by itself ("Priya" into "Priya Raman") that still hold."""
    return QueryOp(session, lambda v: _service(v).auto_merges(), label="automatic merges")


def undo_auto_merge(session: Session, kept: int, folded: int) -> CollectionOp:
    """Split them again, then consolidate the memories that mentioned the short name (they are requeued)."""

    def work(vault: Vault) -> Any:
        changed = _service(vault).undo_auto_merge(kept, folded)
        vault.consolidate()
        return changed

    return CollectionOp(session, work, label="undo merge")

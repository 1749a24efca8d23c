"""The shape of a ChatGPT conversation too large to hold: which of its nodes are on the branch to import.

A conversation's messages are a tree whose branch (the one the user last saw) is known only once the whole
``mapping`` is read (``current_node`` follows it).  For a conversation too large to hold, the reader keeps
just this: per node its parent, whether it has children, its time and what its message becomes, in
arrays of a few bytes a node plus the node ids, then reads the conversation again and imports the nodes
this says are on the branch.  Mirrors ``chatgpt._branch``/``_newest_leaf``/``_earliest_time``.
"""

from __future__ import annotations

from array import array
from typing import Any

SKIP, RECORD, UNDATED = 0, 1, 2  # a node's message: no record; a record; a record if the conversation has a time
_SEEN, _CHILDREN = 1, 2  # flags: the node is a key of the mapping; it has children


class BigTree:
    """Nodes of one conversation, added in file order; ``limit`` nodes at most (``dropped`` counts the rest)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._index: dict[str, int] = {}
        self._ids: list[str] = []
        self._parent = array("i")
        self._time = array("d")
        self._flags = bytearray()
        self._kind = bytearray()
        self._order = array("i")  # nodes in the order they first appear as keys (a dict's order)
        self._external: dict[int, str] = {}  # a message id that is not its node id
        self._branch = bytearray()
        self._previous = array("i")
        self.earliest: float | None = None
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._order)

    def _at(self, node_id: str) -> int:
        """The index of ``node_id``, a new one if it was never mentioned; -1 when the limit is reached."""
        at = self._index.get(node_id)
        if at is not None:
            return at
        if len(self._ids) >= self._limit:
            return -1
        at = len(self._ids)
        self._index[node_id] = at
        self._ids.append(node_id)
        self._parent.append(-1)
        self._time.append(0.0)
        self._flags.append(0)
        self._kind.append(SKIP)
        return at

    def add(self, node_id: str, node: Any, kind: int, external_id: str | None) -> None:
        """One ``mapping`` entry; a repeated id replaces the earlier one (as a dict would)."""
        at = self._at(node_id)
        if at < 0:
            self.dropped += 1
            return
        node = node if isinstance(node, dict) else {}
        if not self._flags[at] & _SEEN:
            self._order.append(at)
        self._flags[at] = _SEEN | (_CHILDREN if node.get("children") else 0)
        parent = node.get("parent")
        self._parent[at] = self._at(parent) if isinstance(parent, str) else -1
        self._kind[at] = kind
        if external_id is not None and external_id != node_id:
            self._external[at] = external_id
        msg = node.get("message")
        stamp = msg.get("create_time") if isinstance(msg, dict) else None
        try:
            self._time[at] = float(stamp or 0)
        except (TypeError, ValueError, OverflowError):
            self._time[at] = 0.0
        if isinstance(stamp, int | float) and stamp > 0 and (self.earliest is None or stamp < self.earliest):
            self.earliest = float(stamp)

    def plan(self, current: Any, undated_ok: bool) -> None:
        """Mark the branch from the root to ``current`` (or the newest leaf) and each node's previous record."""
        start = self._index.get(current, -1) if isinstance(current, str) else -1
        if start < 0 or not self._flags[start] & _SEEN:
            start = self._newest(leaf=True)
            if start < 0 and self.dropped:  # the leaves were left out: end at the newest node read
                start = self._newest(leaf=False)
        self._branch = bytearray(len(self._ids))
        self._previous = array("i", [-1]) * len(self._ids)
        chain = array("i")
        at = start
        while at >= 0 and self._flags[at] & _SEEN and not self._branch[at]:
            self._branch[at] = 1
            chain.append(at)
            at = self._parent[at]
        previous = -1
        for at in reversed(chain):
            self._previous[at] = previous
            if self._kind[at] == RECORD or (self._kind[at] == UNDATED and undated_ok):
                previous = at

    def _newest(self, *, leaf: bool) -> int:
        best, stamp = -1, 0.0
        for at in self._order:
            if leaf and self._flags[at] & _CHILDREN:
                continue
            if best < 0 or self._time[at] >= stamp:
                best, stamp = at, self._time[at]
        return best

    def take(self, node_id: str) -> tuple[bool, str | None]:
        """(whether ``node_id`` is on the branch, the external id of the record before it); once per node."""
        at = self._index.get(node_id, -1)
        if at < 0 or not self._branch[at]:
            return False, None
        self._branch[at] = 0
        before = self._previous[at]
        return True, (None if before < 0 else self._external.get(before, self._ids[before]))

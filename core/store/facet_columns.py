"""Every chunk's filter columns in RAM, so a filter is a mask over arrays instead of SQL over ``chunk_facets``.

Why: at 1M chunks a wide filter (one speaker of eight) checked its ~2,000
candidates with ~2,000 random ``chunk_facets`` seeks (30-40 ms CPU a search)
and one conversation's 20,000 ids took 12-15 ms to list (bench.store, stop 29).
Here they are numpy arrays indexed by chunk id (~29 bytes a chunk: ts, five
dictionary codes, a flags byte): a filter's mask over 1M chunks takes a few
milliseconds, checking candidates against it microseconds.

Never written anywhere: the columns live in this process's RAM only (like the
loaded vector index), filled from the encrypted vault.

Exact, whoever writes: the columns hold the vault as of a ``vector_log``
position.  Triggers log every facet write there, in any process (op 1 chunk
added, 2 deleted, 4 its facets changed: an item edited, marked deleted,
synced, a chunk moved); before each use ``current`` reads the log after its
position and re-reads those chunks' rows, in one read transaction.  When the
log was pruned past it (an index compaction) it loads again in the background
and ``current`` says ``None`` meanwhile: the caller filters with SQL.

Threads: every method may be called from any thread (one lock); the load runs
on its own thread with its own reader connection.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from core.store import facets

# Facet writes the vector log does not carry already (chunks added and deleted, ops 1 and 2): op 4.
MIGRATION_SQL = """
CREATE TRIGGER IF NOT EXISTS vector_log_facets_changed AFTER UPDATE ON chunk_facets BEGIN
    INSERT INTO vector_log (op, chunk_id) VALUES (4, new.chunk_id);
END;
CREATE TRIGGER IF NOT EXISTS vector_log_chunk_moved AFTER UPDATE OF item_id ON chunks BEGIN
    INSERT INTO vector_log (op, chunk_id) VALUES (4, new.id);
END;
"""

PRESENT, DELETED = 1, 2  # flags: the chunk exists; its item is marked deleted
CODED = ("source", "conversation", "speaker", "app", "kind")
SELECT = "SELECT chunk_id, ts, " + ", ".join(CODED) + ", deleted FROM chunk_facets"
BLOCK = 65_536  # rows fetched at a time while loading
# The last few filters' masks, while the columns are unchanged: a search as one types repeats its filter, and a
# mask over 1M chunks takes 1.5-2.2 ms to build (~1.2 MB each, read-only: every caller shares it).
MASKS_KEPT = 4
# SQLite's NOCASE folds ASCII letters only: so must a match here.
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(text: str) -> str:
    return text.translate(_NOCASE)


class _Codes:
    """One text column's values, each a small integer (0 is NULL)."""

    def __init__(self) -> None:
        self.values: list[str | None] = [None]
        self.index: dict[str | None, int] = {None: 0}

    def code(self, value: str | None) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found

    def table(self, keep: Callable[[str], bool]) -> np.ndarray:
        """Which codes ``keep`` accepts (NULL never): a lookup table for ``table[codes]``."""
        return np.fromiter((v is not None and keep(v) for v in self.values), dtype=bool, count=len(self.values))


class FacetColumns:
    """The columns of one vault (see the module docstring); ``current`` is what searches call."""

    def __init__(self, reader: Callable[[], Any]) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._stopped = threading.Event()
        self._seq = -1  # the log position the arrays hold; -1: not loaded
        self._codes = {name: _Codes() for name in CODED}
        self._flags = np.zeros(0, dtype=np.uint8)
        self._ts = np.zeros(0, dtype=np.float64)
        self._coded = {name: np.zeros(0, dtype=np.int32) for name in CODED}
        self._masks: dict[tuple[Any, ...], tuple[int, np.ndarray]] = {}  # filter -> (log position, mask)
        self.loads = 0  # full loads done (tests: a pruned log means one more)
        self.error: BaseException | None = None

    # -- what searches call ---------------------------------------------------------------------
    def current(self, reader: Any) -> FacetColumns | None:
        """Caught up with the vault as ``reader`` sees it now, or ``None`` (not loaded yet: loading starts)."""
        if self._stopped.is_set() or not facets.ready(reader):
            return None
        with self._lock:
            if self._seq < 0:
                self.start_load()
                return None
            if not self._catch_up(reader):
                self._seq = -1
                self.start_load()
                return None
            return self

    def mask(self, start: float | None = None, end: float | None = None, sources: Sequence[str] = (),
             speakers: Sequence[str] = (), conversations: Sequence[str] = (), apps: Sequence[str] = (),
             kinds: Sequence[str] = (), include_deleted: bool = False) -> np.ndarray:
        """Which chunk ids (positions) pass: the same rows as ``core.retrieve.hybrid.build_filter`` over facets.
        Read-only (the same filter at the same log position gets the same array)."""
        key = (start, end, tuple(sources), tuple(speakers), tuple(conversations), tuple(apps), tuple(kinds),
               include_deleted)
        with self._lock:
            known = self._masks.get(key)
            if known is not None and known[0] == self._seq:
                return known[1]
            keep = self._mask(start, end, sources, speakers, conversations, apps, kinds, include_deleted)
            keep.flags.writeable = False
            self._masks = {k: v for k, v in self._masks.items() if v[0] == self._seq and k != key}
            self._masks[key] = (self._seq, keep)
            while len(self._masks) > MASKS_KEPT:
                del self._masks[next(iter(self._masks))]  # the oldest
            return keep

    def _mask(self, start: float | None, end: float | None, sources: Sequence[str], speakers: Sequence[str],
              conversations: Sequence[str], apps: Sequence[str], kinds: Sequence[str],
              include_deleted: bool) -> np.ndarray:
        """``mask`` computed (under the lock)."""
        keep = (self._flags & PRESENT) != 0 if include_deleted else self._flags == PRESENT
        if start is not None:
            keep &= self._ts >= start
        if end is not None:
            keep &= self._ts < end
        tests: list[tuple[str, Callable[[str], bool]]] = []
        if sources:
            exact = set(sources)
            prefixes = tuple(f"{s}:" for s in sources if ":" not in s)  # "chat" is every chat format
            tests.append(("source", lambda v: v in exact or v.startswith(prefixes)))
        if speakers:
            folded = {nocase(s) for s in speakers}
            tests.append(("speaker", lambda v: nocase(v) in folded))
        if conversations:
            folded_c = {nocase(c) for c in conversations}
            tests.append(("conversation", lambda v: nocase(v) in folded_c))
        if apps:
            lowered = {a.lower() for a in apps}
            tests.append(("app", lambda v: v in lowered))
        if kinds:
            wanted = set(kinds)
            tests.append(("kind", lambda v: v in wanted))
        for name, test in tests:
            keep &= self._codes[name].table(test)[self._coded[name]]
        return keep

    # -- loading and catching up ----------------------------------------------------------------
    def start_load(self) -> None:
        """Load in the background (once at a time)."""
        if self._stopped.is_set() or (self._loading is not None and self._loading.is_alive()):
            return
        self._loading = threading.Thread(target=self._guarded_load, name="cairn-facet-columns", daemon=True)
        self._loading.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a load in progress; whether none is running now."""
        loading = self._loading
        if loading is not None:
            loading.join(timeout)
            return not loading.is_alive()
        return True

    def stop(self) -> None:
        self._stopped.set()
        self.wait()
        with self._lock:
            self._seq, self._masks = -1, {}
            self._flags, self._ts = np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.float64)
            self._coded = {name: np.zeros(0, dtype=np.int32) for name in CODED}

    def _guarded_load(self) -> None:
        try:
            self._load(self._reader())
        except BaseException as exc:  # kept; searches keep using SQL
            if not self._stopped.is_set():
                self.error = exc

    def _load(self, reader: Any) -> None:
        codes = {name: _Codes() for name in CODED}
        reader.execute("BEGIN")  # one snapshot: the rows and the log position agree
        try:
            if not facets.ready(reader):
                return
            seq = _log_position(reader)
            size = int(reader.execute("SELECT coalesce(max(chunk_id), 0) FROM chunk_facets").fetchone()[0]) + 1
            flags, ts = np.zeros(size, dtype=np.uint8), np.zeros(size, dtype=np.float64)
            coded = {name: np.zeros(size, dtype=np.int32) for name in CODED}
            cursor = reader.execute(SELECT)
            while rows := cursor.fetchmany(BLOCK):
                if self._stopped.is_set():
                    return
                _fill(rows, codes, flags, ts, coded)
        finally:
            reader.execute("COMMIT")
        with self._lock:
            self._codes, self._flags, self._ts, self._coded, self._seq = codes, flags, ts, coded, seq
            self._masks = {}
            self.loads += 1

    def _catch_up(self, reader: Any) -> bool:
        """Under the lock: apply the log after our position; False when it was pruned past it (load again)."""
        if _log_position(reader) <= self._seq:
            return True
        reader.execute("BEGIN")
        try:
            if _log_floor(reader) > self._seq:
                return False
            seq = _log_position(reader)
            touched = [r[0] for r in reader.execute(
                "SELECT DISTINCT chunk_id FROM vector_log WHERE seq > ? AND op IN (1, 2, 4)", (self._seq,))]
            rows = reader.execute(
                f"{SELECT} WHERE chunk_id IN (SELECT value FROM json_each(?))", (json.dumps(touched),)).fetchall()
        finally:
            reader.execute("COMMIT")
        if touched:
            self._grow(max(touched) + 1)
            self._flags[np.asarray(touched, dtype=np.int64)] = 0  # gone unless a row says otherwise
        _fill(rows, self._codes, self._flags, self._ts, self._coded)
        self._seq = seq
        return True

    def _grow(self, size: int) -> None:
        if size <= len(self._flags):
            return
        size = max(size, len(self._flags) * 5 // 4)  # headroom: captures add ids one at a time

        def grown(a: np.ndarray) -> np.ndarray:
            b = np.zeros(size, dtype=a.dtype)
            b[: len(a)] = a
            return b

        self._flags, self._ts = grown(self._flags), grown(self._ts)
        self._coded = {name: grown(a) for name, a in self._coded.items()}


def _fill(rows: list[Any], codes: dict[str, _Codes], flags: np.ndarray, ts: np.ndarray,
          coded: dict[str, np.ndarray]) -> None:
    if not rows:
        return
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    ts[ids] = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
    flags[ids] = np.fromiter((PRESENT | (DELETED if r[7] else 0) for r in rows), dtype=np.uint8, count=len(rows))
    for n, name in enumerate(CODED, start=2):
        code = codes[name].code
        coded[name][ids] = np.fromiter((code(r[n]) for r in rows), dtype=np.int32, count=len(rows))


def _log_position(reader: Any) -> int:
    row = reader.execute("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'").fetchone()
    return int(row[0]) if row else 0


def _log_floor(reader: Any) -> int:
    row = reader.execute("SELECT value FROM meta WHERE key = 'vector_log_floor'").fetchone()
    return int(row[0]) if row else 0

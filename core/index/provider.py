"""Which vector index a vault searches: the sealed approximate one for a large vault, else the exact one.

The exact index (``VectorIndex``) loads every vector from the store, newest
first, in the background; the desktop app may search it while it loads
(``partial``), one-shot callers wait.  From ``min_vectors`` on, the sealed
approximate index (``AnnService``) is used instead: loaded whole at unlock, or
rebuilt in the background when its blob is missing, damaged or stale, while
exact search answers meanwhile (the app) or the caller waits (``cairn search``).

Threads: every method may be called from any thread.  ``close`` stops loads,
background builds and the search lane before the vault's connections close.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from core.index.ann import AnnIndex
from core.index.ann_store import AnnFiles, AnnService, Sealer
from core.index.loader import IndexLoader
from core.index.search_lane import SearchLane
from core.index.vectors import VectorIndex, load_index

PARTIAL_INDEX_WAIT_S = 0.5
# From this many vectors on, search uses the sealed approximate index: below it the exact index
# loads from the store in about a second and searches in a few ms (bench.store measures both).
ANN_MIN_VECTORS = 20_000


class ModelInfo(Protocol):
    model_id: str
    dim: int


class VectorIndexes:
    """One vault's vector indexes (see the module docstring)."""

    def __init__(self, reader: Callable[[], Any], write: Callable[[Callable[[Any], Any]], Any],
                 embedder: Callable[[], ModelInfo | None], index_dir: Path, sealer: Sealer,
                 min_vectors: int = ANN_MIN_VECTORS) -> None:
        self._reader = reader
        self._write = write
        self._embedder = embedder
        self._index_dir = index_dir
        self._sealer = sealer
        self.min_vectors = min_vectors
        self.partial = False  # the desktop app searches while older vectors still load (and says so)
        self._lock = threading.Lock()
        self._index: VectorIndex | None = None
        self._dirty = True
        self.loader: IndexLoader | None = None
        self._ann: AnnService | None = None
        self.lane = SearchLane()  # the thread a search's vector half runs on, beside its full-text half

    @property
    def exact(self) -> VectorIndex | None:
        return self._index

    def mark_dirty(self) -> None:
        """The store changed: top the exact index up before its next search (the approximate one reads the log)."""
        self._dirty = True

    def start_load(self) -> None:
        """Make vectors searchable (the app calls this at unlock, off the GUI thread)."""
        service = self.ann()
        if service is not None and service.index() is not None:
            return
        self._start_exact_load()

    def _start_exact_load(self) -> None:
        embedder = self._embedder()
        if embedder is None:
            return
        with self._lock:
            if self._index is None:
                self._index = VectorIndex(embedder.model_id, embedder.dim)
                self._dirty = False  # changes from now on are topped up once the load is done
                self.loader = IndexLoader(self._index, self._reader).start()

    def ann(self) -> AnnService | None:
        """The sealed approximate index's keeper for the current embedder (``None`` without one)."""
        embedder = self._embedder()
        if embedder is None:
            return None
        with self._lock:
            if self._ann is None:
                files = AnnFiles(self._index_dir, self._sealer, embedder.model_id, embedder.dim)
                self._ann = AnnService(files, self._reader, self._write, embedder.model_id, embedder.dim,
                                       self.min_vectors)
            return self._ann

    def current(self) -> VectorIndex | AnnIndex | None:
        """The index to search now (see the module docstring); ``None`` without an embedder."""
        service = self.ann()
        if service is None:
            return None
        found = service.index()
        if found is None and service.busy and not self.partial:
            service.wait()
            found = service.index()
        if found is not None:
            self._drop_exact()
            return found
        index = self._exact()
        if index is not None and len(index) >= self.min_vectors and not service.busy:
            service.start_rebuild()  # the vault outgrew exact search: build the approximate index meanwhile
        if index is not None:
            index.note = _rebuild_note(service) if service.busy else None
        return index

    def _drop_exact(self) -> None:
        with self._lock:
            loader, self.loader = self.loader, None
            self._index = None
        if loader is not None:
            loader.stop()

    def _exact(self) -> VectorIndex | None:
        self._start_exact_load()
        loader = self.loader
        if loader is not None and not loader.done:
            # Even a partial search waits a moment: a small vault is loaded by then, and complete.
            if self.partial and not loader.wait(PARTIAL_INDEX_WAIT_S):
                return self._index
            loader.wait()
        with self._lock:
            index = self._index
            if index is None:  # locked meanwhile
                return None
            if self.loader is not None and self.loader.done:
                finished, self.loader = self.loader, None
                try:
                    finished.wait(0)  # re-raises a failed load: never mistake it for an empty vault
                except BaseException:
                    self._index = None  # the next search tries again
                    raise
            if self._dirty:
                load_index(self._reader(), index.model, index.dim, index.max_chunk_id, index)
                self._dirty = False
            return index

    def before_forget(self) -> None:
        """Wait for an exact load in flight: it could bring forgotten vectors back."""
        if self.loader is not None:
            self.loader.wait()

    def forgotten(self, chunk_ids: list[int]) -> None:
        """Drop forgotten chunks from the exact index (the approximate one sees them in the log)."""
        if self._index is not None:
            self._index.remove(chunk_ids)

    def close(self) -> None:
        self.lane.close()  # its running job stops when the vault's readers close
        loader, self.loader = self.loader, None
        if loader is not None:
            loader.stop()  # before its reader connection closes under it
        ann, self._ann = self._ann, None
        if ann is not None:
            ann.close()  # a rebuild stops at its next block, a compaction finishes its write
        self._index = None


def _rebuild_note(service: AnnService) -> str:
    done, total = service.progress or (0, 0)
    why = f" ({service.problem})" if service.problem else ""
    return f"rebuilding the meaning index{why}: {done:,} of {total:,} passages; searching the loaded ones exactly"

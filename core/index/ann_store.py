"""The approximate index's life: sealed on disk, loaded whole at unlock, caught up, compacted, rebuilt.

Files: one sealed blob per model under the vault's ``index/`` folder, written
only through a ``Sealer`` (AES-GCM with the vault's key, atomic replace).  The
blob holds the faiss index of the vault as of ``vector_log`` position ``seq``;
``load`` authenticates it and refuses one that is from another model, or
older than the log's floor (the changes since were pruned), or newer than the
log (a restored database): each is ``IndexUnusable`` and the caller rebuilds.

``AnnService`` is what the vault holds: ``index()`` returns the caught-up
index (or ``None`` while there is none: the caller searches exactly meanwhile);
changes from any process reach it through the log at the next call; once
enough have piled up a background compaction folds them into a new blob.  A
rebuild runs on its own thread, reports progress, and swaps the index in when
done.  Threads: every method may be called from any thread; background work
uses its own reader connection (``reader`` is per thread) and stops at
``close``.  Errors in the background are kept in ``error`` and never lost.
"""

from __future__ import annotations

import json
import re
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from core.index.ann import AnnIndex, build_main, nlist_for
from core.index.vector_rows import (
    SqlVectorSource,
    changes_since,
    count_vectors,
    log_floor,
    log_position,
    prune_log,
    stream_vectors,
)

FORMAT = 1
MAGIC = b"CAIRNANN"
COMPACT_MIN = 2_000  # pending changes before a compaction is worth its ~1 s at 1M …
COMPACT_SHARE = 0.02  # … or this share of the index, whichever is larger
RETRAIN_GROWTH = 4  # rebuild (retrain the lists) once the vault outgrew the index's lists this many times


class IndexUnusable(Exception):
    """The sealed index cannot be used (missing, damaged, stale); the reason says which."""


class Sealer(Protocol):
    def write(self, path: Path, plaintext: bytes | memoryview, aad: bytes) -> int: ...

    def read(self, path: Path, aad: bytes) -> bytes: ...

    def remove_leftovers(self, path: Path) -> int: ...


Progress = Callable[[int, int], None]  # (done, total)


def _slug(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model)[:80]


class AnnFiles:
    """Reading and writing one model's sealed index blob."""

    def __init__(self, directory: Path, sealer: Sealer, model: str, dim: int) -> None:
        self.path = directory / f"vectors-{_slug(model)}.ann"
        self._sealer = sealer
        self._model = model
        self._dim = dim
        self._aad = b"cairn/vector-index/%d/" % FORMAT + self.path.name.encode()

    def remove_leftovers(self) -> int:
        return self._sealer.remove_leftovers(self.path)

    def save(self, main: Any, seq: int) -> int:
        import faiss

        header = json.dumps({"format": FORMAT, "model": self._model, "dim": self._dim, "seq": seq,
                             "count": int(main.ntotal), "nlist": int(main.nlist)}).encode()
        body = faiss.serialize_index(main)
        payload = b"".join([MAGIC, struct.pack("<I", len(header)), header, memoryview(body)])
        return self._sealer.write(self.path, payload, self._aad)

    def load(self, reader: Any) -> tuple[Any, int]:
        """The faiss index and the log position it covers; ``IndexUnusable`` when it must not be used."""
        import faiss

        if not self.path.exists():
            raise IndexUnusable("no index file yet")
        try:
            payload = self._sealer.read(self.path, self._aad)
        except Exception as exc:
            raise IndexUnusable(f"index file failed authentication: {exc}") from exc
        if payload[: len(MAGIC)] != MAGIC:
            raise IndexUnusable("index file has an unknown layout")
        (size,) = struct.unpack_from("<I", payload, len(MAGIC))
        start = len(MAGIC) + 4
        header = json.loads(payload[start : start + size])
        if header.get("format") != FORMAT or header.get("model") != self._model or header.get("dim") != self._dim:
            raise IndexUnusable("index file is for another model or format")
        seq = int(header["seq"])
        if seq < log_floor(reader):
            raise IndexUnusable("index file is stale: older than the changes the vault still keeps")
        if seq > log_position(reader):
            raise IndexUnusable("index file is newer than the vault (a restored database?)")
        return read_in_place(faiss, np.frombuffer(payload, dtype=np.uint8, offset=start + size)), seq


def read_in_place(faiss: Any, body: np.ndarray) -> Any:
    """The index whose lists are views into ``body`` (the decrypted blob), which it keeps alive.

    ``deserialize_index`` copied the 57 MB body twice more at 1M (~60 ms CPU of a fresh search's unlock);
    read through a ``ZeroCopyIOReader`` it takes ~1 ms.  faiss aborts the process when a view is resized, so
    such an index is never changed: compaction changes an owned copy (``ann.owned_copy``).
    """
    if not hasattr(faiss, "ZeroCopyIOReader"):  # faiss before 1.10
        return faiss.deserialize_index(body)
    main = faiss.read_index(faiss.ZeroCopyIOReader(faiss.swig_ptr(body), body.size))
    object.__setattr__(main, "cairn_backing", body)  # faiss' __setattr__ refuses new names: the buffer's owner
    return main


class AnnService:
    """Holds one vault's approximate index for one model (see the module docstring)."""

    def __init__(self, files: AnnFiles, reader: Callable[[], Any], write: Callable[[Callable[[Any], Any]], Any],
                 model: str, dim: int, min_vectors: int) -> None:
        self.files = files
        self._reader = reader
        self._write = write
        self.model = model
        self.dim = dim
        self.min_vectors = min_vectors
        self._index: AnnIndex | None = None
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._opened = False
        self.error: BaseException | None = None
        self.problem: str | None = None  # why the sealed index was last found unusable (kept after the rebuild)
        self.rebuilds = 0
        self.progress: tuple[int, int] | None = None  # (done, total) while a rebuild runs
        self.on_progress: Progress | None = None

    # -- the index ----------------------------------------------------------------------
    def open(self) -> None:
        """Load the sealed index if there is a usable one; else start a rebuild when the vault is large enough."""
        with self._lock:
            if self._opened:
                return
            self._opened = True
            self.files.remove_leftovers()
            try:
                index = self._load()
                # A vault below the switch point searches exactly even when a blob exists (it shrank, or
                # CAIRN_ANN_MIN_VECTORS was raised: bench.store's exact baseline silently used the blob).
                if len(index) >= self.min_vectors:
                    self._index = index
                return
            except IndexUnusable as exc:
                had_file = self.files.path.exists()
                self.problem = None if not had_file else str(exc)
            if self.min_vectors <= 0 or count_vectors(self._reader(), self.model) >= self.min_vectors:
                self.start_rebuild()

    def _load(self) -> AnnIndex:
        reader = self._reader()
        main, seq = self.files.load(reader)
        index = AnnIndex(self.model, self.dim, main, seq, SqlVectorSource(self._reader, self.model, self.dim))
        self._catch_up(index, reader)
        return index

    def index(self) -> AnnIndex | None:
        """The caught-up index, or ``None`` (none yet, or being rebuilt): search exactly meanwhile."""
        self.open()
        index = self._index
        if index is None:
            return None
        reader = self._reader()
        if log_floor(reader) > index.covered_seq:
            # Another process compacted and pruned the log past us: its blob has what we lack.
            with self._lock:
                try:
                    self._index = index = self._load()
                except IndexUnusable as exc:
                    self.problem = str(exc)
                    self._index = None
                    self.start_rebuild()
                    return None
        else:
            self._catch_up(index, reader)
        if index.pending >= max(COMPACT_MIN, COMPACT_SHARE * len(index)):
            self.start_compaction()
        return index

    @property
    def busy(self) -> bool:
        worker = self._worker
        return worker is not None and worker.is_alive()

    def _catch_up(self, index: AnnIndex, reader: Any) -> None:
        if log_position(reader) <= index.covered_seq:
            return
        changes = changes_since(reader, self.model, self.dim, index.covered_seq)
        index.apply(changes.upto, changes.added, changes.removed)

    # -- background work ------------------------------------------------------------------
    def start_rebuild(self) -> None:
        self._start(self._rebuild, "cairn-index-rebuild")

    def start_compaction(self) -> None:
        self._start(self._compact, "cairn-index-compact")

    def _start(self, job: Callable[[], None], name: str) -> None:
        with self._lock:
            if self.busy or self._stop.is_set():
                return
            self._worker = threading.Thread(target=self._guarded, args=(job,), name=name, daemon=True)
            self._worker.start()

    def _guarded(self, job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as exc:  # kept for wait(); a background thread must not die silently
            if not self._stop.is_set():
                self.error = exc

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for background work; re-raises its error.  Returns whether it ended."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
            if worker.is_alive():
                return False
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return True

    def rebuild(self) -> AnnIndex:
        """Build from the vault now (on this thread), seal it, and use it."""
        self._rebuild()
        assert self._index is not None
        return self._index

    def _rebuild(self) -> None:
        reader = self._reader()
        reader.execute("BEGIN")  # one snapshot: the vectors and the log position agree
        try:
            seq = log_position(reader)
            total = count_vectors(reader, self.model)
            if total == 0:
                return
            self._report(0, total)

            def blocks() -> Any:
                for block in stream_vectors(reader, self.model, self.dim):
                    if self._stop.is_set():
                        raise InterruptedError("vault locked during an index rebuild")
                    yield block

            main = build_main(blocks(), total, self.dim, progress=lambda done: self._report(done, total))
        finally:
            reader.execute("COMMIT")
        self._publish(main, seq)
        index = AnnIndex(self.model, self.dim, main, seq, SqlVectorSource(self._reader, self.model, self.dim))
        self._catch_up(index, reader)
        with self._lock:
            self._index = index
            self.progress = None
            self.rebuilds += 1

    def _compact(self) -> None:
        index = self._index
        if index is None:
            return
        reader = self._reader()
        if log_floor(reader) > index.covered_seq:
            return  # another process is ahead: our next index() reloads its blob
        self._catch_up(index, reader)
        snapshot = index.snapshot()
        grown = nlist_for(len(index)) >= RETRAIN_GROWTH * int(snapshot.main.nlist)
        if grown:
            self._rebuild()
            return
        main = index.compacted(snapshot)
        self._publish(main, snapshot.covered_seq)
        index.replace_main(main, snapshot.covered_seq)

    def compact(self) -> None:
        """Fold the delta and tombstones into a new sealed blob now (on this thread)."""
        self._compact()

    def _publish(self, main: Any, seq: int) -> None:
        """Seal the blob first, then prune the log it covers: a crash between the two loses nothing."""
        if self._stop.is_set():
            return
        self.files.save(main, seq)
        self._write(lambda conn: prune_log(conn, seq))

    def _report(self, done: int, total: int) -> None:
        self.progress = (done, total)
        if self.on_progress is not None:
            self.on_progress(done, total)

    def close(self) -> None:
        """Stop background work (a rebuild stops at its next block) and drop the index."""
        self._stop.set()
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join()
        self._index = None

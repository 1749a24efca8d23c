"""Load the vector index in the background after unlock, newest memories first.

Unlock should not wait for every vector: at 100k chunks loading them took ~4.8 s
of the 6.1 s from unlock to the first result (bench.store).  ``IndexLoader``
fills a ``VectorIndex`` block by block on its own thread (with its own reader
connection, newest items first).  Callers that may search a partial index (the
desktop app, while the user is still typing) do so meanwhile and say how much is
loaded; the others (a one-shot ``cairn search``) wait for the end.

Threads: one loader thread; ``start``/``wait``/``stop`` from any thread.
Errors: an exception in the loader ends the load; it is kept in ``error`` and
``wait`` re-raises it, so a failed load is never mistaken for an empty vault.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from core.index.vectors import VectorIndex, load_index


class IndexLoader:
    def __init__(
        self,
        index: VectorIndex,
        reader: Callable[[], Any],
    ) -> None:
        self.index = index
        self._reader = reader  # called on the loader thread: readers are per thread
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cairn-index-loader", daemon=True)
        self.error: BaseException | None = None

    def start(self) -> IndexLoader:
        self._thread.start()
        return self

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the load ended (``True``) or ``timeout`` passed; re-raises the loader's error."""
        finished = self._done.wait(timeout)
        if finished and self.error is not None:
            raise self.error
        return finished

    def stop(self) -> None:
        """Ask the loader to stop after its current block and wait for it (before the vault closes)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        try:
            reader = self._reader()
            self.index.expected = count_vectors(reader, self.index.model)
            load_index(reader, self.index.model, self.index.dim, index=self.index, stop=self._stop)
        except BaseException as exc:  # kept for wait(); a thread must not die silently
            self.error = exc
        finally:
            self.index.expected = None  # complete (or failed, which wait() reports)
            self._done.set()


def count_vectors(reader: Any, model: str) -> int:
    row = reader.execute(
        "SELECT count(*) FROM chunks c JOIN embeddings e ON e.model = ? AND e.text_hash = c.text_hash",
        (model,),
    ).fetchone()
    return int(row[0])

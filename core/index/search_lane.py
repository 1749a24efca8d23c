"""A second thread for one half of a search: the vector side runs on it while the caller runs the full-text statement.

Why: at 1M chunks an unfiltered hybrid search spends ~40 ms in the FTS statement
and ~50 ms on the vector side (query embedding, faiss, reading the exact vectors
it re-scores), one after the other.  Both halves spend that time in C with the
GIL released (SQLCipher, onnxruntime, faiss), so on a second core they overlap
and the search waits for the longer half, not for the sum.

One lane per vault, one persistent thread, started at the first job (a process
that never searches never starts it).  The thread reads through its own reader
connection (the database keeps one per OS thread), so the two halves never
share a connection.  ``close`` (the vault locking) stops the thread: a job
running or still queued then fails with ``VaultLocked`` when the database closes
its readers (interrupting the statement that runs), as the same work would on
the caller's thread; later jobs are refused.
While it runs one search's half, another search runs its own half itself.
Thread-safety: every method may be called from any thread.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from core.errors import VaultLocked

T = TypeVar("T")
_STOP = object()


class SearchLane:
    """One persistent thread running jobs in order (see the module docstring)."""

    def __init__(self, name: str = "cairn-search-lane") -> None:
        self._name = name
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._stopping: threading.Thread | None = None  # the thread ``join`` waits for after ``close``
        self._busy = 0  # jobs queued or running on the lane
        self.cpu_seconds = 0.0  # CPU its jobs used on the lane thread (bench.search_ab shows each half's share)

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn()`` on the lane; its result (or exception) comes back through the future.

        While the lane runs another job (another thread's search), ``fn`` runs here and now instead: concurrent
        searches never queue behind each other, each is at worst as fast as without a lane.  So does a job
        submitted from the lane itself (a job that searches): waiting on a job queued behind it would never end.
        """
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise VaultLocked("the vault is locked")
            inline = self._busy > 0 or threading.current_thread() is self._thread
            if not inline:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                    self._thread.start()
                self._busy += 1
                self._queue.put((fn, future))
        if inline:
            _run(fn, future)
        return future

    def close(self) -> None:
        """Refuse new jobs and let the thread end once the jobs already queued have returned.

        Call it before closing the database: the database's close then interrupts the running job's statement,
        so ``join`` waits for an interrupted statement, never for a whole search.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            self._queue.put(_STOP)
        if thread is not threading.current_thread():
            self._stopping = thread

    def join(self, timeout: float = 30.0) -> None:
        """Wait (``timeout`` seconds at most) for the lane's thread to end, after ``close`` and the database closing."""
        if self._stopping is not None:
            self._stopping.join(timeout)

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _serve(self) -> None:
        while (job := self._queue.get()) is not _STOP:  # nothing is queued behind the stop: ``close`` refuses it
            fn, future = job
            # Idle again before the caller wakes: its next search finds the lane free, not "busy" for a moment.
            _run(fn, future, functools.partial(self._done, time.thread_time()))

    def _done(self, started: float) -> None:
        with self._lock:
            self._busy -= 1
            self.cpu_seconds += time.thread_time() - started


def _run(fn: Callable[[], T], future: Future[T], before_answer: Callable[[], None] | None = None) -> None:
    if not future.set_running_or_notify_cancel():
        if before_answer is not None:
            before_answer()
        return
    try:
        result = fn()
    except BaseException as exc:  # handed to the waiting caller, who raises it
        if before_answer is not None:
            before_answer()
        future.set_exception(exc)
    else:
        if before_answer is not None:
            before_answer()
        future.set_result(result)

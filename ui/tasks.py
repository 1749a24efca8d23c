"""Background work for the UI: run core calls off the GUI thread, report back on it.

The pattern is Anki's ``QueryOp``/``CollectionOp``: a widget hands a plain
callable to :class:`TaskManager`; the callable runs on a pool thread; its
result or exception comes back through a queued signal, so the success and
failure callbacks always run on the GUI thread.  Callables must not touch
widgets.  Streams (the ask panel) work the same way: an iterator is consumed
on a pool thread and each item is delivered on the GUI thread; ``cancel()``
stops consuming at the next item.

Callbacks are bound to an optional ``owner`` QObject: when the owner has been
deleted by the time the result arrives, the callback is dropped instead of
crashing on a dead C++ object.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; worker threads emit, Qt queues to the GUI thread.

    The signals connect to this object's own slots (not to plain Python callables)
    so the receiver's thread, the GUI thread, decides where the callbacks run.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    item = Signal(object)
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.on_succeeded: Callable[[Any], None] = lambda _r: None
        self.on_failed: Callable[[BaseException], None] = lambda _e: None
        self.on_item: Callable[[Any], None] = lambda _v: None
        self.on_finished: Callable[[], None] = lambda: None
        self.succeeded.connect(self._succeeded)
        self.failed.connect(self._failed)
        self.item.connect(self._item)
        self.finished.connect(self._finished)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self.on_succeeded(result)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self.on_failed(exc)

    @Slot(object)
    def _item(self, value: Any) -> None:
        self.on_item(value)

    @Slot()
    def _finished(self) -> None:
        self.on_finished()


class TaskHandle:
    """What :meth:`TaskManager.run` and :meth:`TaskManager.stream` return."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._cancel = threading.Event()
        self._done = threading.Event()

    def cancel(self) -> None:
        """Ask the task to stop.  Streams stop at their next item; plain calls run to the end
        but their callbacks are not called."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)


class _CallRunnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay, handle: TaskHandle) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay
        self._handle = handle

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # delivered to the GUI thread, never lost
            exc.__cairn_traceback__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._handle._done.set()
            self._relay.failed.emit(exc)
        else:
            self._handle._done.set()
            self._relay.succeeded.emit(result)
        finally:
            self._relay.finished.emit()


class _StreamRunnable(QRunnable):
    def __init__(self, factory: Callable[[], Iterable[Any]], relay: _Relay, handle: TaskHandle) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._factory = factory
        self._relay = relay
        self._handle = handle

    def run(self) -> None:
        iterator: Iterator[Any] | None = None
        try:
            iterator = iter(self._factory())
            for value in iterator:
                if self._handle.cancelled:
                    break
                self._relay.item.emit(value)
        except BaseException as exc:
            exc.__cairn_traceback__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._handle._done.set()
            self._relay.failed.emit(exc)
        else:
            self._handle._done.set()
            self._relay.succeeded.emit(None)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                try:  # lets a generator release its model slot / cursor promptly
                    close()
                except Exception:
                    log.debug("closing a stream failed", exc_info=True)
            self._relay.finished.emit()


class TaskManager(QObject):
    """Runs callables on a small private thread pool and reports on the GUI thread.

    Threads: create and call it on the GUI thread only.
    Errors: a failing callable calls ``on_failure``; without one, ``error`` is emitted
    with the exception so the window can show it in the status bar.
    """

    error = Signal(object)
    busy_changed = Signal(int)

    def __init__(self, parent: QObject | None = None, max_threads: int = 3) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        # Keep the threads: the vault opens one reader connection per thread, and a pool that
        # retires idle threads would keep opening new connections (and leave old ones behind).
        self._pool.setExpiryTimeout(-1)
        self._relays: set[_Relay] = set()
        self._running = 0

    # -- public -----------------------------------------------------------------
    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        owner: QObject | None = None,
        label: str = "task",
    ) -> TaskHandle:
        """Run ``fn()`` on a pool thread; call ``on_success(result)`` on the GUI thread."""
        handle = TaskHandle(label)
        relay = self._make_relay(handle, on_success, on_failure, owner)
        self._started()
        self._pool.start(_CallRunnable(fn, relay, handle))
        return handle

    def stream(
        self,
        factory: Callable[[], Iterable[Any]],
        *,
        on_item: Callable[[Any], None],
        on_done: Callable[[], None] | None = None,
        on_failure: FailureCallback | None = None,
        owner: QObject | None = None,
        label: str = "stream",
    ) -> TaskHandle:
        """Consume ``factory()`` on a pool thread; call ``on_item`` per value on the GUI thread.

        ``on_done`` runs after the last item (also after ``cancel()``), unless the stream failed.
        """
        handle = TaskHandle(label)

        def deliver(value: Any) -> None:
            if not handle.cancelled and _alive(owner):
                on_item(value)

        relay = self._make_relay(handle, (lambda _r: on_done()) if on_done else None, on_failure, owner,
                                 deliver_cancelled=True)
        relay.on_item = deliver
        self._started()
        self._pool.start(_StreamRunnable(factory, relay, handle))
        return handle

    @property
    def running(self) -> int:
        return self._running

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Block until the pool is idle (tests and shutdown).  Does not process events."""
        return self._pool.waitForDone(timeout_ms)

    # -- internals ----------------------------------------------------------------
    def _make_relay(
        self,
        handle: TaskHandle,
        on_success: SuccessCallback | None,
        on_failure: FailureCallback | None,
        owner: QObject | None,
        deliver_cancelled: bool = False,
    ) -> _Relay:
        relay = _Relay()  # created here, so it lives on the GUI thread
        self._relays.add(relay)

        def succeeded(result: Any) -> None:
            if handle.cancelled and not deliver_cancelled:
                return
            if on_success is not None and _alive(owner):
                on_success(result)

        def failed(exc: BaseException) -> None:
            if handle.cancelled:
                return
            tb = getattr(exc, "__cairn_traceback__", "")
            if on_failure is not None:
                if _alive(owner):
                    on_failure(exc)
                return
            log.warning("background task %r failed: %s\n%s", handle.label, exc, tb)
            self.error.emit(exc)

        relay.on_succeeded = succeeded
        relay.on_failed = failed
        relay.on_finished = lambda: self._finished(relay)
        return relay

    def _started(self) -> None:
        self._running += 1
        self.busy_changed.emit(self._running)

    def _finished(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        relay.deleteLater()
        self._running = max(0, self._running - 1)
        self.busy_changed.emit(self._running)


def _alive(owner: QObject | None) -> bool:
    return owner is None or shiboken6.isValid(owner)

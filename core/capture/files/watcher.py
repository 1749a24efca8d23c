"""Watching folders with ``watchdog`` and keeping the vault in step with them.

``FolderWatcher`` turns file-system events into ``FileIndexer`` calls:

* Events only mark paths as *dirty* (or record a move); a worker thread
  handles a batch once the folders have been quiet for ``quiet_s`` (or the
  oldest event is ``max_delay_s`` old), by looking at the disk as it is then.
  A file rewritten a hundred times in a second, or an editor's save through
  a temporary file and a rename, is therefore extracted once.
* Moves keep the item (``FileSink.file_moved``), processed in event order
  before the dirty paths of the same batch.  A folder moved or deleted is
  handled through the ledger (every file below it).
* A full ``scan`` of every root runs when the watcher starts (what changed
  while Cairn was not running), when a root is added, when a
  ``.cairnignore`` changes, and when events were lost: the kernel's inotify
  queue overflowed (watchdog's ``EventsLostEvent``), or more than
  ``max_pending`` paths piled up in our own queue.
* A file that vanished is deleted only after ``move_grace_s`` unless a new
  file with the same content claims it as its move source first: on a busy
  machine the two halves of a move can land in different batches, and the
  item must keep its id.
* If a root cannot get an inotify watch (the per-user watch limit), it is
  watched by polling instead, and the status says so.

Logging: messages name no paths or file names (they are personal); details
go to ``status()``, which lives in memory.

Threads: watchdog's observer thread only appends to the pending batch under
a lock; one worker thread does all indexing and all sink calls.  Public
methods may be called from any thread.  Errors in one batch are counted in
``status().errors`` and never stop the watcher.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from core.capture.files.ignore import IGNORE_FILE
from core.capture.files.indexer import FileIndexer
from core.capture.files.report import ScanReport
from core.capture.files.sink_protocol import FileSink
from core.capture.files.vanished import Vanished
from core.capture.files.watch_events import Batch, EventHandler, WatcherStatus, event_filter, noise

log = logging.getLogger(__name__)

ReportCallback = Callable[[str, ScanReport], None]
"""``on_report(kind, report)`` after each batch; ``kind`` is ``"scan"`` or ``"events"``."""


class FolderWatcher:
    """Keeps watched folders indexed.  ``start()``, then ``add_root``/``remove_root``; ``stop()`` at the end.

    ``quiet_s``: how long the folders must be quiet before a batch runs;
    ``max_delay_s``: a batch runs at the latest this long after its first
    event, even under constant churn; ``max_pending``: more pending paths
    than this means the batch is dropped and the affected roots rescanned.
    ``move_grace_s``: how long a vanished file waits for its move target
    before it counts as deleted.  ``observer_factory`` builds a watchdog
    observer (tests and platforms may pass ``PollingObserver``).  ``clock``
    is the time the batching decisions follow (tests hold it still to make a
    burst one batch, whatever the machine's load); waits are in real time.
    """

    def __init__(
        self,
        indexer: FileIndexer,
        *,
        quiet_s: float = 0.5,
        max_delay_s: float = 5.0,
        max_pending: int = 20_000,
        move_grace_s: float = 2.0,
        observer_factory: Callable[[], Any] | None = None,
        on_report: ReportCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self.indexer = indexer
        self.quiet_s = quiet_s
        self.max_delay_s = max_delay_s
        self.max_pending = max_pending
        self.move_grace_s = move_grace_s
        self.on_report = on_report
        self._observer_factory = observer_factory
        self._cond = threading.Condition()
        self._batch = Batch()
        self._first_event: float | None = None
        self._last_event = 0.0
        self._roots: dict[Path, Any] = {}     # root -> watchdog ObservedWatch (or None while polling)
        self._polling: dict[Path, Any] = {}   # root -> a PollingObserver of its own
        self._status = WatcherStatus()
        self._observer: Any = None
        self._worker: threading.Thread | None = None
        self._stopping = False
        self._busy = False
        # Vanished files still waiting for a move target; only the worker touches the entries,
        # ``_vanished_due`` (when the oldest one is decided) is read under the lock.
        self._vanished = Vanished(clock)
        self._vanished_due: float | None = None

    @property
    def sink(self) -> FileSink:
        return self.indexer.sink

    # ----------------------------------------------------------------- lifecycle

    def start(self, roots: Iterable[Path] = (), *, rescan: bool = True) -> None:
        """Start the observer and the worker, watch ``roots``, and (by default) rescan them."""
        if self._worker is not None:
            raise RuntimeError("the watcher is already running")
        if self._observer_factory is not None:
            self._observer = self._observer_factory()
        else:
            from watchdog.observers import Observer

            self._observer = Observer()
        self._observer.start()
        self._stopping = False
        self._worker = threading.Thread(target=self._run, name="cairn-file-watcher", daemon=True)
        self._worker.start()
        for root in roots:
            try:
                self.add_root(root, rescan=rescan)
            except OSError as exc:  # a missing folder must not stop the others from being watched
                log.warning("cannot watch a folder: %s", type(exc).__name__)
                with self._cond:
                    self._status.errors += 1
                    self._status.last_error = f"cannot watch {root}: {exc}"

    def stop(self, timeout: float = 30.0) -> None:
        """Stop watching; the batch in progress finishes, pending events are dropped (the next start rescans)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
        for poller in self._polling.values():
            poller.stop()
            poller.join(timeout)
        self._polling.clear()
        if self._worker is not None:
            self._worker.join(timeout)
        self._worker = None
        self._observer = None

    def __enter__(self) -> FolderWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_root(self, root: Path, *, rescan: bool = True) -> None:
        """Watch ``root`` recursively; a full scan of it is queued unless ``rescan`` is false."""
        root = Path(os.path.abspath(root))
        if not root.is_dir():
            raise NotADirectoryError(f"{root}: not a folder")
        with self._cond:
            if root in self._roots:
                return
            self._roots[root] = None
        handler = EventHandler(self)
        try:
            self._roots[root] = self._observer.schedule(handler, os.fspath(root), recursive=True,
                                                        event_filter=event_filter())
        except OSError as exc:
            # Typically ENOSPC: the per-user inotify watch limit.  Polling is slower but loses nothing.
            from watchdog.observers.polling import PollingObserver

            log.warning("cannot watch a folder with inotify (%s); polling it instead", exc.strerror or type(exc).__name__)
            poller = PollingObserver(timeout=2.0)
            poller.schedule(handler, os.fspath(root), recursive=True, event_filter=event_filter())
            poller.start()
            self._polling[root] = poller
        if rescan:
            self.request_rescan(root)

    def remove_root(self, root: Path) -> None:
        """Stop watching ``root``.  Its items stay in the vault (forgetting them is the user's call)."""
        root = Path(os.path.abspath(root))
        with self._cond:
            watch = self._roots.pop(root, None)
            self._batch.rescans.pop(root, None)
        if watch is not None and self._observer is not None:
            self._observer.unschedule(watch)
        poller = self._polling.pop(root, None)
        if poller is not None:
            poller.stop()
            poller.join(10)

    def roots(self) -> list[Path]:
        with self._cond:
            return list(self._roots)

    def request_rescan(self, root: Path | None = None) -> None:
        """Queue a full scan of ``root`` (or of every root)."""
        with self._cond:
            targets = [Path(os.path.abspath(root))] if root is not None else list(self._roots)
            for target in targets:
                self._batch.rescans[target] = None
            self._touch(immediate=True)

    def status(self) -> WatcherStatus:
        with self._cond:
            self._status.roots = list(self._roots)
            self._status.polling = list(self._polling)
            self._status.pending = self._batch.size() + len(self._batch.rescans)
            self._status.busy = self._busy
            return self._status

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending or running (for tests and ``cairn index --watch``)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (self._batch.empty() and not self._busy and self._vanished_due is None):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
            return True

    # ----------------------------------------------------------------- events (observer thread)

    def _root_of(self, path: Path) -> Path | None:
        best: Path | None = None
        for root in self._roots:
            if (path == root or root in path.parents) and (best is None or len(root.parts) > len(best.parts)):
                best = root
        return best

    def _touch(self, immediate: bool = False) -> None:
        """Note that something is pending (caller holds the lock)."""
        now = self._clock()
        if self._first_event is None:
            self._first_event = now - (self.max_delay_s if immediate else 0.0)
        self._last_event = now - (self.quiet_s if immediate else 0.0)
        self._check_overflow()
        self._cond.notify_all()

    def _check_overflow(self) -> None:
        if self._batch.size() <= self.max_pending:
            return
        roots = {self._root_of(p) for p in self._batch.dirty} | {self._root_of(n) for _, n, _ in self._batch.moves}
        roots |= {self._root_of(o) for o, _, _ in self._batch.moves}
        roots |= {self._root_of(p) for p in (*self._batch.gone_dirs, *self._batch.new_dirs)}
        rescans = dict(self._batch.rescans)
        rescans.update({r: None for r in roots if r is not None})
        self._batch = Batch(rescans=rescans)
        self._status.overflows += 1
        log.warning("more than %d file events pending; rescanning %d folder(s) instead", self.max_pending,
                    len(rescans))

    def on_file(self, path: Path) -> None:
        with self._cond:
            if self._stopping:
                return
            if path.name == IGNORE_FILE:
                # The rules changed: a scan (which reloads them) decides what is in and out now.
                root = self._root_of(path)
                if root is not None:
                    self._batch.rescans[root] = None
            self._batch.dirty[path] = None
            self._touch()

    def on_dir(self, path: Path, *, gone: bool) -> None:
        with self._cond:
            if self._stopping:
                return
            (self._batch.gone_dirs if gone else self._batch.new_dirs)[path] = None
            self._touch()

    def on_move(self, old: Path | None, new: Path | None, is_dir: bool) -> None:
        with self._cond:
            if self._stopping:
                return
            if old is not None and new is not None:
                if noise(os.fspath(old)) and noise(os.fspath(new)):
                    return
                self._batch.moves.append((old, new, is_dir))
            elif old is not None:  # moved out of sight: a deletion
                (self._batch.gone_dirs if is_dir else self._batch.dirty)[old] = None
            elif new is not None:  # moved in from elsewhere: a creation
                (self._batch.new_dirs if is_dir else self._batch.dirty)[new] = None
            self._touch()

    def on_events_lost(self, watched: Path | None) -> None:
        """The kernel dropped events (every watch of the observer hears it): rescan what they covered."""
        with self._cond:
            if self._stopping:
                return
            root = self._root_of(watched) if watched is not None else None
            roots = [root] if root is not None else list(self._roots)
            if all(r in self._batch.rescans for r in roots) and self._batch.size() == 0:
                return  # this overflow is already being answered by a pending rescan
            self._status.overflows += 1
            rescans = dict(self._batch.rescans)
            rescans.update({r: None for r in roots})
            self._batch = Batch(rescans=rescans)
            self._touch(immediate=True)

    # ----------------------------------------------------------------- the worker

    def _take_ready(self) -> Batch | None:
        """Wait until a batch is due; return it (emptying the pending one) or ``None`` when stopping."""
        with self._cond:
            while not self._stopping:
                now = self._clock()
                if self._vanished_due is not None and now >= self._vanished_due and self._batch.empty():
                    self._busy = True
                    return Batch()  # nothing new: only decide the vanished files whose grace ran out
                if not self._batch.empty() and self._first_event is not None:
                    quiet_for = now - self._last_event
                    waited = now - self._first_event
                    if quiet_for >= self.quiet_s or waited >= self.max_delay_s:
                        batch, self._batch = self._batch, Batch()
                        self._first_event = None
                        self._busy = True
                        return batch
                    self._cond.wait(max(0.01, min(self.quiet_s - quiet_for, self.max_delay_s - waited)))
                elif self._vanished_due is not None:  # capped: the clock may be moved on by someone else
                    self._cond.wait(min(1.0, max(0.01, self._vanished_due - now)))
                else:
                    self._cond.wait(1.0)
            return None

    def _run(self) -> None:
        while True:
            batch = self._take_ready()
            if batch is None:
                return
            try:
                self._process(batch)
            except Exception as exc:  # never let one batch end the watcher
                log.error("file watcher batch failed: %s", type(exc).__name__)  # no paths in logs
                with self._cond:
                    self._status.errors += 1
                    self._status.last_error = f"{type(exc).__name__}: {exc}"
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _process(self, batch: Batch) -> None:
        with self._cond:
            roots = list(self._roots)
        for root in batch.rescans:
            if root not in roots:
                continue
            report = self.indexer.scan(root, should_stop=lambda: self._stopping)
            self._record("scan", report)
        report = ScanReport()
        rescanned = set(batch.rescans)

        def covered(path: Path) -> bool:
            return any(r == path or r in path.parents for r in rescanned)

        # Moves the events paired up, in order.
        for old, new, is_dir in batch.moves:
            if self._stopping:
                return
            old_root, new_root = self._root_of(old), self._root_of(new)
            if covered(old) and covered(new):
                continue
            if is_dir:
                self.indexer.process_moved_folder(old_root, old, new_root, new, report)
            else:
                self.indexer.process_move(old_root, old, new_root, new, report)
        # What is gone is only noted first: a new file in this batch or within
        # the grace period with the same content is the same file moved (inotify
        # loses the pairing when a file moves into a folder created a moment
        # before, and a busy machine can split a move across batches).
        vanished = self._vanished
        for folder in batch.gone_dirs:
            if not covered(folder):
                self.indexer.process_gone_folder(folder, report, vanished)
        existing: list[tuple[Path, Path]] = []
        for path in batch.dirty:
            root = self._root_of(path)
            if root is None or covered(path):
                continue
            if os.path.lexists(path):
                existing.append((root, path))
            else:
                self.indexer.process_path(root, path, report, vanished)
        for folder in batch.new_dirs:
            root = self._root_of(folder)
            if root is not None and not covered(folder) and folder.is_dir():
                report.merge(self.indexer.scan(root, folder=folder, should_stop=lambda: self._stopping,
                                               vanished=vanished))
        for root, path in existing:
            if self._stopping:
                return
            self.indexer.process_path(root, path, report, vanished)
        decided = len(vanished)
        self.indexer.delete_unclaimed(vanished, report, noted_before=self._clock() - self.move_grace_s)
        oldest = vanished.oldest()
        with self._cond:
            self._vanished_due = None if oldest is None else oldest + self.move_grace_s
        if batch.moves or batch.dirty or batch.gone_dirs or batch.new_dirs or decided != len(vanished):
            self.sink.flush()
            self._record("events", report)

    def _record(self, kind: str, report: ScanReport) -> None:
        with self._cond:
            self._status.batches += 1
            if kind == "scan":
                self._status.scans += 1
            self._status.totals.merge(report)
            if report.changed:
                self._status.last_indexed_at = time.time()
        if self.on_report is not None:
            try:
                self.on_report(kind, report)
            except Exception:  # a broken callback must not stop indexing
                log.error("file watcher report callback failed")

"""Indexing the files of a watched folder: the ledger logic, independent of watchdog and the vault.

``FileIndexer`` decides, for each path, whether to extract it again, and
tells a ``FileSink`` what happened.  The watcher (``core.capture.files.watcher``)
and the one-shot ``cairn index PATH`` both use it; the vault implements the
sink (``core.capture.files.sink.VaultFileSink``); tests use an in-memory one.

Per file, cheapest test first:

1. ignore rules (names, ``.cairnignore``, size cap from ``stat``);
2. the ledger's ``(size, mtime)``: equal means unchanged, nothing is read;
3. the first bytes: binary content without an extractor is skipped;
4. the content hash (BLAKE2b of the bytes actually read): equal means
   unchanged (only the ledger's ``stat`` is refreshed);
5. extraction in the sandbox (time and memory limits), then
   ``sink.index_file``.  A failure is recorded with its reason; the
   previous version of the item, if any, stays searchable.

A full ``scan`` also finds files that disappeared (``file_deleted``) and
files that moved while Cairn was not running (a new path whose hash equals
a vanished ledger entry's: ``file_moved``, so the item keeps its id).

Threads: one ``FileIndexer`` serves one thread at a time (the scanner or
the watcher's worker).  ``scan`` runs extractions on up to ``workers``
sandbox processes at once but calls the sink only from the calling thread.
Errors: problems with single files never raise; they are counted in the
``ScanReport`` and recorded in the ledger.  A failing sink raises.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from core.capture.files.ignore import Candidate, IgnoreOptions, IgnoreRules, Skipped
from core.capture.files.ledger import FileState, LedgerEntry, LedgerState
from core.capture.files.read import FileRead, Unreadable, read_file
from core.capture.files.report import Outcome, ScanProgress, ScanReport, known_outcome
from core.capture.files.sink_protocol import FileSink
from core.capture.files.vanished import Vanished
from core.normalize.extract import ExtractionFailed, ExtractLimits, TooLarge
from core.normalize.extract.base import Extraction
from core.normalize.sandbox import ExtractionSandbox
from core.ports import FilePageProgress

EMPTY = "empty"
_OCR_SUFFIXES = frozenset([".pdf", ".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif"])


def may_ocr(name: str) -> bool:
    """Files whose extraction may OCR pages (images, PDFs with scanned pages): they get time per page."""
    return Path(name).suffix.lower() in _OCR_SUFFIXES


@dataclass(frozen=True, slots=True)
class _Job:
    root: Path
    path: Path
    read: FileRead
    previous: LedgerEntry | None


class FileIndexer:
    """Brings a sink's view of watched folders up to date with the disk.

    ``limits`` bound extraction (``max_file_bytes`` is also the size cap the
    ignore rules use); ``options`` carry the other ignore settings.  The
    indexer owns its sandbox unless one is passed in.  ``pages`` hears each
    page OCR'd (``scan.pdf``, 37, 200), from the extraction threads.
    """

    def __init__(
        self,
        sink: FileSink,
        *,
        limits: ExtractLimits | None = None,
        options: IgnoreOptions | None = None,
        sandbox: ExtractionSandbox | None = None,
        workers: int = 1,
        pages: FilePageProgress | None = None,
    ) -> None:
        self.sink = sink
        self.pages = pages
        self.limits = limits or ExtractLimits()
        base = options or IgnoreOptions()
        self.options = IgnoreOptions(base.include_hidden, base.follow_symlinks, self.limits.max_file_bytes,
                                     base.extra_patterns)
        self.workers = max(1, workers)
        self._own_sandbox = sandbox is None
        self.sandbox = sandbox or ExtractionSandbox(self.limits, workers=self.workers)
        self._rules: dict[Path, IgnoreRules] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._own_sandbox:
            self.sandbox.close()

    def __enter__(self) -> FileIndexer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rules(self, root: Path) -> IgnoreRules:
        root = Path(os.path.abspath(root))
        with self._lock:
            rules = self._rules.get(root)
            if rules is None:
                rules = self._rules[root] = IgnoreRules(root, self.options)
            return rules

    # ----------------------------------------------------------------- scans

    def scan(
        self,
        root: Path,
        progress: ScanProgress | None = None,
        *,
        force: bool = False,
        should_stop: Callable[[], bool] | None = None,
        folder: Path | None = None,
        vanished: Vanished | None = None,
    ) -> ScanReport:
        """Bring everything below ``root`` (or only below ``folder`` inside it) up to date.

        ``force`` re-reads files whose ``stat`` matches the ledger (their hash
        still decides whether they are extracted again).  ``should_stop`` is
        polled between files; a stopped scan leaves a consistent ledger and
        deletes nothing.  ``vanished`` shares move sources with the caller
        (the watcher's batch); the scan deletes only what it found vanished
        itself and nobody claimed.
        """
        started = time.monotonic()
        root = Path(os.path.abspath(root))
        folder = Path(os.path.abspath(folder)) if folder else root
        report = ScanReport(root=root)
        if not os.path.isdir(folder):
            # An unmounted drive or a folder renamed away: say so, and do not
            # mark everything in it deleted.
            report.failed.append((folder, "folder is missing or unreadable; nothing was changed"))
            return report
        rules = self.rules(root)
        rules.invalidate()
        ledger = {entry.path: entry for entry in self.sink.ledger_under(folder)}
        candidates: list[Candidate] = []
        blocked: list[Path] = []  # folders that could not be read: what is below them is left alone
        for found in rules.walk(folder):
            if isinstance(found, Candidate):
                candidates.append(found)
            elif found.by_rule:
                if not found.is_dir:
                    report.add(Outcome.SKIPPED, found.path, found.reason)
                else:
                    report.add(Outcome.SKIPPED, found.path, found.reason + " (folder)")
            else:
                if found.is_dir:
                    blocked.append(found.path)
                self._problem(root, found.path, None, found.reason, ledger.get(found.path), report)
        total = len(candidates)
        seen = {c.path for c in candidates} | {p for p, _ in report.problems}
        # Live ledger entries the walk did not return: gone from disk (deleted
        # or moved), or still there but now ignored (.cairnignore, hidden).
        unseen = {p: e for p, e in ledger.items() if p not in seen and e.state is not LedgerState.DELETED
                  and not any(b in p.parents for b in blocked)}
        gone = [e for p, e in unseen.items() if not os.path.lexists(p)]
        ignored_now = [p for p in unseen if os.path.lexists(p)]
        vanished = vanished if vanished is not None else Vanished()
        for entry in gone:
            vanished.add(entry)

        done = 0
        stopped = False
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="extract") as pool:
            in_flight: list[tuple[_Job, Future[Extraction]]] = []

            def drain(limit: int) -> None:
                nonlocal done
                while len(in_flight) > limit:
                    job, future = in_flight.pop(0)
                    self._finish(job, future, report)
                    done += 1
                    if progress is not None:
                        progress(done, total)

            for candidate in candidates:
                if should_stop is not None and should_stop():
                    stopped = True
                    break
                previous = ledger.get(candidate.path)
                if previous is not None and not force and previous.state is not LedgerState.DELETED \
                        and previous.same_stat(candidate.stat):
                    report.add(known_outcome(previous), candidate.path, previous.reason or previous.state.value)
                    done += 1
                    if progress is not None and done % 200 == 0:
                        progress(done, total)
                    continue
                job = self._prepare(root, candidate.path, previous, report, vanished, find_moves=folder != root)
                if job is None:
                    done += 1
                    continue
                in_flight.append((job, pool.submit(self._extract, job)))
                drain(self.workers * 2)
            drain(0)
        if not stopped:
            own = Vanished()
            for entry in gone:
                if entry.path in vanished.entries:
                    own.add(vanished.take(entry.path))  # type: ignore[arg-type]
            self.delete_unclaimed(own, report)
            for path in ignored_now:
                self.sink.file_deleted(path)
                report.add(Outcome.DELETED, path)
        if progress is not None:
            progress(done, total)
        self.sink.flush()
        report.seconds = time.monotonic() - started
        return report

    # ----------------------------------------------------------------- one path (the watcher)

    def process_path(self, root: Path, path: Path, report: ScanReport, vanished: Vanished | None = None) -> Outcome:
        """Bring one path up to date (created, modified, deleted, or now ignored).

        With ``vanished``, a path that is gone is added to it instead of being
        deleted at once (it may be the source of a move seen later in the same
        batch), and a new path may claim a vanished entry as its move source.
        """
        root = Path(os.path.abspath(root))
        path = Path(os.path.abspath(path))
        rules = self.rules(root)
        judged = rules.check(path)
        previous = self.sink.ledger_get(path)
        if isinstance(judged, Skipped):
            if judged.is_dir and judged.reason == "is a folder":
                return Outcome.GONE
            exists = os.path.lexists(path)
            live = previous is not None and previous.state is not LedgerState.DELETED
            if live and not exists and vanished is not None:
                assert previous is not None
                vanished.add(previous)
                return Outcome.GONE
            if live and (not exists or judged.by_rule):
                # Gone, or now ignored (.cairnignore, renamed to a hidden name): no longer a live file.
                self.sink.file_deleted(path)
                report.add(Outcome.DELETED, path)
                return Outcome.DELETED
            if not exists:
                return Outcome.GONE
            if judged.by_rule:
                report.add(Outcome.SKIPPED, path, judged.reason)
                return Outcome.SKIPPED
            return self._problem(root, path, None, judged.reason, previous, report)
        if previous is not None and previous.state is not LedgerState.DELETED and previous.same_stat(judged.stat):
            outcome = known_outcome(previous)
            report.add(outcome, path, previous.reason or previous.state.value)
            return outcome
        job = self._prepare(root, path, previous, report, vanished or Vanished(), find_moves=True)
        if job is None:
            return Outcome.UNCHANGED
        future: Future[Extraction] = Future()
        try:
            future.set_result(self._extract(job))
        except BaseException as exc:
            future.set_exception(exc)
        return self._finish(job, future, report)

    def process_move(self, old_root: Path | None, old: Path, new_root: Path | None, new: Path,
                     report: ScanReport) -> None:
        """A file moved from ``old`` to ``new`` (either may be outside every watched folder)."""
        old = Path(os.path.abspath(old))
        new = Path(os.path.abspath(new))
        entry = self.sink.ledger_get(old)
        live = entry is not None and entry.state is not LedgerState.DELETED
        if new_root is None or not live:
            if old_root is not None:
                self.process_path(old_root, old, report)
            if new_root is not None:
                self.process_path(new_root, new, report)
            return
        judged = self.rules(new_root).check(new)
        target = self.sink.ledger_get(new)
        target_live = target is not None and target.state is not LedgerState.DELETED
        if isinstance(judged, Skipped) or target_live or os.path.lexists(old):
            # Moved to an ignored name, onto another indexed file, or the old
            # path was recreated: no identity to carry over; judge both paths.
            if old_root is not None:
                self.process_path(old_root, old, report)
            self.process_path(new_root, new, report)
            return
        self.sink.file_moved(new_root, old, new, FileState.of(judged.stat, entry.content_hash if entry else None))
        report.add(Outcome.MOVED, new)
        # The content may have changed too; an "unchanged" verdict is not
        # counted again (the move already counts this file).
        after = ScanReport()
        self.process_path(new_root, new, after)
        after.unchanged = 0
        report.merge(after)

    def process_gone_folder(self, folder: Path, report: ScanReport, vanished: Vanished | None = None) -> None:
        """A folder was deleted or moved away: every live entry below it that no longer exists is gone.

        With ``vanished`` the entries are only noted (a move may claim them);
        without, they are deleted at once.
        """
        target = vanished if vanished is not None else Vanished()
        for entry in list(self.sink.ledger_under(Path(os.path.abspath(folder)))):
            if entry.state is not LedgerState.DELETED and not os.path.lexists(entry.path):
                target.add(entry)
        if vanished is None:
            self.delete_unclaimed(target, report)

    def delete_unclaimed(self, vanished: Vanished, report: ScanReport, *, noted_before: float | None = None) -> None:
        """Mark entries left in ``vanished`` deleted (nothing claimed them as a move source).

        ``noted_before`` (a ``time.monotonic()`` value) decides only the entries
        noted before it and leaves the rest for a later batch: the watcher gives
        a vanished file a grace period in which its move target may still appear.
        """
        paths = list(vanished.entries) if noted_before is None else vanished.noted_before(noted_before)
        for path in paths:
            vanished.take(path)
            if os.path.lexists(path):
                continue  # it came back
            current = self.sink.ledger_get(path)
            if current is None or current.state is LedgerState.DELETED:
                continue  # already decided (moved away by a rescan, or deleted)
            self.sink.file_deleted(path)
            report.add(Outcome.DELETED, path)

    def process_moved_folder(self, old_root: Path | None, old: Path, new_root: Path | None, new: Path,
                             report: ScanReport) -> None:
        """A folder moved: carry every indexed file below it over to its new path."""
        old = Path(os.path.abspath(old))
        new = Path(os.path.abspath(new))
        for entry in list(self.sink.ledger_under(old)):
            if entry.state is LedgerState.DELETED:
                continue
            relative = entry.path.relative_to(old)
            self.process_move(old_root, entry.path, new_root, new / relative, report)
        if new_root is not None:
            report.merge(self.scan(new_root, folder=new))

    # ----------------------------------------------------------------- steps

    def _problem(self, root: Path, path: Path, st: os.stat_result | None, reason: str,
                 previous: LedgerEntry | None, report: ScanReport, *, failed: bool = False) -> Outcome:
        state = LedgerState.FAILED if failed else LedgerState.SKIPPED
        file_state = FileState.of(st) if st is not None else None
        unchanged = (previous is not None and previous.state is state and previous.reason == reason
                     and (st is None or previous.same_stat(st)))
        if not unchanged:
            self.sink.record_problem(root, path, file_state, reason, state)
        outcome = Outcome.FAILED if failed else Outcome.PROBLEM
        report.add(outcome, path, reason)
        return outcome

    def _lost_twin(self, digest: str) -> LedgerEntry | None:
        """A live indexed entry with this content whose file is gone: the source of a move whose
        "moved from" event has not been handled yet (inotify delivers it late when a file moves into
        a folder created a moment before)."""
        for entry in self.sink.ledger_find(digest):
            if entry.state is LedgerState.INDEXED and not os.path.lexists(entry.path):
                return entry
        return None

    def _prepare(self, root: Path, path: Path, previous: LedgerEntry | None, report: ScanReport,
                 vanished: Vanished, find_moves: bool = False) -> _Job | None:
        """Read and hash; settle unchanged content and moves here.  ``None``: nothing to extract."""
        try:
            read = read_file(path, self.limits.max_file_bytes)
        except Unreadable as exc:
            if exc.gone:
                if previous is not None and previous.state is not LedgerState.DELETED:
                    self.sink.file_deleted(path)
                    report.add(Outcome.DELETED, path)
                return None
            try:
                st: os.stat_result | None = os.stat(path)
            except OSError:
                st = None
            self._problem(root, path, st, exc.reason, previous, report, failed=not exc.skipped)
            return None
        report.bytes_read += len(read.data)
        if not read.data.strip():
            # An empty (or whitespace-only) file has nothing to remember: recorded, not an item.
            if previous is not None and previous.state is LedgerState.INDEXED:
                self.sink.file_deleted(path)
            self._problem(root, path, read.stat, EMPTY, previous, report)
            return None
        state = FileState.of(read.stat, read.digest)
        live = previous is not None and previous.state is not LedgerState.DELETED
        if live and previous is not None and previous.content_hash == read.digest and \
                previous.state in (LedgerState.INDEXED, LedgerState.FORGOTTEN):
            self.sink.record_unchanged(path, state)
            report.add(known_outcome(previous), path, previous.reason or previous.state.value)
            return None
        if previous is None or previous.state is LedgerState.DELETED:
            source = vanished.claim(read.digest)
            if source is None and find_moves:
                source = self._lost_twin(read.digest)
            if source is not None:
                self.sink.file_moved(root, source.path, path, state)
                report.add(Outcome.MOVED, path)
                return None
        return _Job(root, path, read, previous)

    def _extract(self, job: _Job) -> Extraction:
        """Extract one file in the sandbox (any thread), telling ``pages`` about each page OCR'd."""
        listener = self.pages
        progress = None if listener is None else lambda page, pages: listener(job.path, page, pages)
        limits = self.limits.for_file(len(job.read.data), ocr=may_ocr(job.path.name))
        return self.sandbox.extract(job.read.data, job.path.name, limits, progress=progress)

    def _finish(self, job: _Job, future: Future[Extraction], report: ScanReport) -> Outcome:
        state = FileState.of(job.read.stat, job.read.digest)
        try:
            extraction = future.result()
        except TooLarge as exc:
            return self._problem(job.root, job.path, job.read.stat, exc.reason, job.previous, report, failed=True)
        except ExtractionFailed as exc:
            return self._problem(job.root, job.path, job.read.stat, exc.reason, job.previous, report, failed=True)
        except Exception as exc:  # the sandbox itself broke: still one file's problem
            return self._problem(job.root, job.path, job.read.stat, f"extraction error: {exc}", job.previous,
                                 report, failed=True)
        self.sink.index_file(job.root, job.path, extraction, state)
        updated = job.previous is not None and job.previous.state is not LedgerState.DELETED
        outcome = Outcome.UPDATED if updated else Outcome.INDEXED
        report.add(outcome, job.path)
        report.notes += [(job.path, note) for note in extraction.notes]
        if extraction.image_only_pages:
            report.image_only.append((job.path, extraction.image_only_pages))
        return outcome

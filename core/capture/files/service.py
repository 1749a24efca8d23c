"""The file features as the CLI and the daemon use them: index a path, manage watched folders.

Everything here works on a store with settings (``WatchStore``; the vault is
one): ``watched_folders``, ``max_file_mb``, ``files_include_hidden``,
``files_follow_symlinks``, ``files_ignore_patterns``.  Errors meant for users
are ``CairnError``s.

Threads: ``index_path`` runs on the calling thread (with extraction workers
below it); ``start_watcher`` returns a running ``FolderWatcher`` with its own
threads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.capture.files.ignore import IgnoreOptions
from core.capture.files.indexer import FileIndexer
from core.capture.files.ledger import LedgerState
from core.capture.files.path_codec import codec_for
from core.capture.files.paths import display_path
from core.capture.files.report import ScanProgress, ScanReport
from core.capture.files.sink import ORIGIN_PREFIX, SOURCE, VaultFileSink
from core.capture.files.watcher import FolderWatcher, ReportCallback
from core.changes import Outcome
from core.errors import CairnError, DiskFull
from core.normalize.extract import EXTRACTORS, ExtractLimits, suffix_of
from core.ports import FilePageProgress, WatchStore
from core.settings import Settings
from core.store.disk_full import is_disk_full

# What chat exports are saved as: a file of one of these kinds goes to the chat importers first.
_CHAT_SUFFIXES = frozenset({".txt", ".json", ".jsonl", ".ndjson", ".zip", ".html", ".htm", ".csv", ".db", ".mbox"})


def is_document(path: Path) -> bool:
    """A file only the document indexer reads (PDF, office files, e-books, mail, images…), never a chat export."""
    suffix = suffix_of(path.name)
    return bool(suffix) and suffix not in _CHAT_SUFFIXES and any(key == suffix for key, _ in EXTRACTORS)


def limits_for(settings: Settings) -> ExtractLimits:
    return ExtractLimits.from_settings(float(settings.max_file_mb), ocr_lang=settings.ocr_languages or "eng")


def options_for(settings: Settings) -> IgnoreOptions:
    return IgnoreOptions(include_hidden=settings.files_include_hidden, follow_symlinks=settings.files_follow_symlinks,
                         extra_patterns=settings.files_ignore_patterns)


def make_indexer(store: WatchStore, *, embed: bool = True, workers: int | None = None,
                 sink: VaultFileSink | None = None, pages: FilePageProgress | None = None) -> FileIndexer:
    """A ``FileIndexer`` on the vault (or ``sink``) with the user's limits and ignore options.  Close it after use.

    ``pages`` hears each page OCR'd (see ``FileIndexer``)."""
    settings = store.settings()
    count = workers if workers is not None else max(1, min(2, (os.cpu_count() or 1) - 1))
    return FileIndexer(sink or VaultFileSink(store, embed=embed), limits=limits_for(settings),
                       options=options_for(settings), workers=count, pages=pages)


def index_path(store: WatchStore, path: Path, *, progress: ScanProgress | None = None, force: bool = False,
               embed: bool = True, pages: FilePageProgress | None = None) -> ScanReport:
    """``cairn index PATH``: bring a folder (or one file) into the vault now; returns the summary.

    ``progress(done, total)`` counts files (calling thread); ``pages(path, page, pages)`` hears
    each page OCR'd (an extraction thread).

    A folder becomes a root of its own (its files' ``conversation``); a
    single file is indexed with its parent folder as the root.  A full disk
    raises ``DiskFull`` saying how many files were stored (they stay).
    """
    target = Path(os.path.abspath(path))
    if not os.path.lexists(target):
        raise CairnError(f"{display_path(target)}: no such file or folder")
    sink, found = VaultFileSink(store, embed=embed), [0]

    def seen(done: int, total: int | None) -> None:
        found[0] = max(found[0], total or done)
        if progress is not None:
            progress(done, total)

    try:
        with make_indexer(store, sink=sink, pages=pages) as indexer:
            if target.is_dir():
                return indexer.scan(target, seen, force=force)
            report = ScanReport(root=target.parent)
            indexer.process_path(target.parent, target, report)
            indexer.sink.flush()
            seen(1, 1)
            return report
    except Exception as exc:
        if not (isinstance(exc, DiskFull) or is_disk_full(exc)):
            raise
        cause = exc.__cause__ if isinstance(exc, DiskFull) else exc
        raise DiskFull(sink.items_stored, found[0] or None, "files", display_path(target)) from cause


def report_lines(report: ScanReport, *, limit: int = 20) -> list[str]:
    """A human summary of a scan: counts, then each problem with its reason (at most ``limit`` each)."""
    lines = [report.summary() + f" ({report.seconds:.1f} s)"]
    for title, entries in (("failed", report.failed), ("skipped", report.problems)):
        for path, reason in entries[:limit]:
            lines.append(f"  {title}: {display_path(path)}: {reason}")
        if len(entries) > limit:
            lines.append(f"  … and {len(entries) - limit} more {title}")
    if report.skipped:
        ignored = ", ".join(f"{reason} ×{count}" for reason, count in sorted(report.skipped.items()))
        lines.append(f"  ignored by rule: {ignored}")
    if report.image_only:
        pages = sum(len(p) for _, p in report.image_only)
        lines.append(f"  {pages} scanned page(s) without readable text in {len(report.image_only)} PDF(s)")
    return lines


def report_json(report: ScanReport) -> dict[str, object]:
    """The summary of a scan for ``cairn index --json``: counts, every failure and skip with its reason, notes."""
    return {
        "root": display_path(report.root) if report.root else None,
        "indexed": report.indexed, "updated": report.updated, "unchanged": report.unchanged, "moved": report.moved,
        "deleted": report.deleted, "ignored": dict(report.skipped),
        "skipped": [{"path": display_path(p), "reason": r} for p, r in report.problems],
        "failed": [{"path": display_path(p), "reason": r} for p, r in report.failed],
        "notes": [{"path": display_path(p), "note": n} for p, n in report.notes],
        "image_only_pages": [{"path": display_path(p), "pages": list(pages)} for p, pages in report.image_only],
        "seconds": round(report.seconds, 3),
    }


# --------------------------------------------------------------------------- watched folders


@dataclass(frozen=True, slots=True)
class WatchedFolder:
    path: Path
    exists: bool
    indexed: int
    failed: int
    skipped: int
    deleted: int


def _normalise(path: Path) -> Path:
    return Path(os.path.abspath(os.path.expanduser(path)))


def watch_add(store: WatchStore, path: Path) -> Outcome[Path]:
    """Add a folder to ``Settings.watched_folders``; refuses files, missing folders and overlaps.  The folder added."""
    folder = _normalise(path)
    if not folder.is_dir():
        raise CairnError(f"{display_path(folder)}: not a folder")
    current = [Path(p) for p in store.settings().watched_folders]
    for other in current:
        if other == folder:
            raise CairnError(f"{display_path(folder)} is already watched")
        if other in folder.parents:
            raise CairnError(f"{display_path(folder)} is inside {display_path(other)}, which is already watched")
        if folder in other.parents:
            raise CairnError(f"{display_path(other)} (already watched) is inside {display_path(folder)}: "
                             f"remove it first")
    saved = store.update_settings(watched_folders=tuple(str(p) for p in [*current, folder]))
    return Outcome(folder, saved.changes)


def watch_remove(store: WatchStore, path: Path) -> Outcome[Path]:
    """Remove a folder from ``Settings.watched_folders``; the folder.  Its items stay (``cairn forget`` removes them)."""
    folder = _normalise(path)
    current = [Path(p) for p in store.settings().watched_folders]
    if folder not in current:
        raise CairnError(f"{display_path(folder)} is not watched")
    saved = store.update_settings(watched_folders=tuple(str(p) for p in current if p != folder))
    return Outcome(folder, saved.changes)


def watch_list(store: WatchStore) -> list[WatchedFolder]:
    """The watched folders with what the ledger knows about each."""
    out = []
    codec = codec_for(store.derived_key)
    for raw in store.settings().watched_folders:
        folder = Path(raw)
        prefix = ORIGIN_PREFIX + codec.key(folder).rstrip("/")
        counts = dict(store.read().execute(
            "SELECT state, COUNT(*) FROM ingest_ledger WHERE origin >= ? AND origin < ? AND source = ?"
            " GROUP BY state", (prefix + "/", prefix + "0", SOURCE)).fetchall())
        out.append(WatchedFolder(folder, folder.is_dir(), counts.get(LedgerState.INDEXED.value, 0),
                                 counts.get(LedgerState.FAILED.value, 0), counts.get(LedgerState.SKIPPED.value, 0),
                                 counts.get(LedgerState.DELETED.value, 0)))
    return out


def start_watcher(store: WatchStore, *, on_report: ReportCallback | None = None, embed: bool = True,
                  pages: FilePageProgress | None = None) -> FolderWatcher:
    """Start watching every folder in the settings (rescanning each first).  ``stop()`` it, then close
    ``watcher.indexer``.  ``pages`` hears each page OCR'd."""
    indexer = make_indexer(store, embed=embed, pages=pages)
    watcher = FolderWatcher(indexer, on_report=on_report)
    watcher.start([Path(p) for p in store.settings().watched_folders])
    return watcher

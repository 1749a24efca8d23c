"""watchdog's events turned into pending work: the batch a watcher collects, the handler, the event filter.

Threads: ``EventHandler.dispatch`` runs on watchdog's observer thread and only calls the target's ``on_*``
methods, which must be thread-safe (``FolderWatcher``'s append to its batch under a lock).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.capture.files.ignore import IGNORED_DIR_NAMES
from core.capture.files.report import ScanReport


class EventTarget(Protocol):
    """What receives the events (``FolderWatcher``)."""

    def on_file(self, path: Path) -> None: ...
    def on_dir(self, path: Path, *, gone: bool) -> None: ...
    def on_move(self, old: Path | None, new: Path | None, is_dir: bool) -> None: ...
    def on_events_lost(self, watched: Path | None) -> None: ...


@dataclass(slots=True)
class WatcherStatus:
    """A snapshot for the daemon's health report and ``cairn watch list``."""

    roots: list[Path] = field(default_factory=list)
    polling: list[Path] = field(default_factory=list)   # roots watched by polling (no inotify watch)
    pending: int = 0
    busy: bool = False
    batches: int = 0
    scans: int = 0
    overflows: int = 0
    errors: int = 0
    last_error: str | None = None
    last_indexed_at: float | None = None   # time.time() of the last batch that changed something
    totals: ScanReport = field(default_factory=ScanReport)


@dataclass(slots=True)
class Batch:
    moves: list[tuple[Path, Path, bool]] = field(default_factory=list)  # (old, new, is_dir) in order
    dirty: dict[Path, None] = field(default_factory=dict)               # ordered set of paths
    gone_dirs: dict[Path, None] = field(default_factory=dict)
    new_dirs: dict[Path, None] = field(default_factory=dict)
    rescans: dict[Path, None] = field(default_factory=dict)             # roots to scan fully

    def size(self) -> int:
        return len(self.moves) + len(self.dirty) + len(self.gone_dirs) + len(self.new_dirs)

    def empty(self) -> bool:
        return self.size() == 0 and not self.rescans


def noise(path: str) -> bool:
    """Cheap early filter for events inside folders that are always ignored (``.git``, caches)."""
    parts = path.split(os.sep)
    return any(part in IGNORED_DIR_NAMES for part in parts)


def event_filter() -> list[type]:
    """The event classes worth waking up for (not opens, reads or attribute changes)."""
    from watchdog import events as ev

    # EventsLostEvent must be listed: a filtered watch gets the kernel's overflow only if it asks for it.
    return [ev.FileCreatedEvent, ev.FileModifiedEvent, ev.FileClosedEvent, ev.FileDeletedEvent,
            ev.FileMovedEvent, ev.DirCreatedEvent, ev.DirDeletedEvent, ev.DirMovedEvent, ev.EventsLostEvent]


class EventHandler:
    """watchdog event handler: translate events into pending work.  Runs on the observer thread."""

    def __init__(self, watcher: EventTarget) -> None:
        self.watcher = watcher

    def dispatch(self, event: Any) -> None:
        kind = event.event_type
        src = os.fsdecode(event.src_path) if event.src_path else ""
        dest = os.fsdecode(event.dest_path) if getattr(event, "dest_path", "") else ""
        is_dir = bool(event.is_directory)
        if kind in ("opened", "closed_no_write", "attrib"):
            return
        if kind == "events_lost":  # the kernel queue overflowed: what changed below src is unknown
            self.watcher.on_events_lost(Path(src) if src else None)
            return
        if kind == "moved":
            self.watcher.on_move(Path(src) if src else None, Path(dest) if dest else None, is_dir)
            return
        if noise(src):
            return
        if is_dir:
            if kind == "deleted":
                self.watcher.on_dir(Path(src), gone=True)
            elif kind == "created":
                self.watcher.on_dir(Path(src), gone=False)
            return  # a directory's "modified" says nothing the file events do not
        if kind in ("created", "modified", "closed", "deleted"):
            self.watcher.on_file(Path(src))

"""What the folder watcher is OCR'ing right now, for a status bar: "scan.pdf: OCR page 37 of 200".

``FilesActivity.page`` is a ``core.ports.FilePageProgress`` (the indexer calls it from extraction
threads); ``batch_done`` is a watcher ``ReportCallback`` (a finished batch ends every page line);
``current`` is read by whoever shows it.  Held in memory only: a file's name is the user's content
and never goes into the runtime folder's status files.

Threads: any; one lock guards the single value.  Errors: none raised.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from core.capture.files.report import ScanReport


@dataclass(frozen=True, slots=True)
class PageActivity:
    """The page being OCR'd: the ``page``-th of the ``pages`` of ``name`` that are OCR'd."""

    name: str
    page: int
    pages: int

    def line(self) -> str:
        return f"{self.name}: OCR page {self.page} of {self.pages}"


class FilesActivity:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: PageActivity | None = None

    def page(self, path: Path, page: int, pages: int) -> None:
        with self._lock:
            self._current = PageActivity(path.name, page, pages)

    def batch_done(self, _kind: str, _report: ScanReport) -> None:
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._current = None

    def current(self) -> PageActivity | None:
        with self._lock:
            return self._current

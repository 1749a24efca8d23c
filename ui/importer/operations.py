"""Importing files off the GUI thread as a stream of progress events, then one result per file.

``import_files(session, paths)`` is a ``StreamOp``: for each path it yields
``ImportProgress`` while the importer reports (messages read so far, and the
total when the format knows it) and then ``ImportDone`` with the report (or
the error, which never stops the other files).  A document no chat importer
reads (PDF, office file, picture: ``core.host.documents``) is indexed as
``cairn index`` would, yielding ``ReadingPage`` for each page it OCRs and an
``ImportDone`` with the scan's report (``scan``).  The importer's progress
callback runs inside ``vault.import_path``; a helper thread runs the import so
this generator can hand each progress value to the GUI as it happens.

Threads: the generator runs on a worker; events are handled on the GUI thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ui.operations import StreamOp
from ui.session import Session

if TYPE_CHECKING:
    from core.vault import Vault


@dataclass(frozen=True, slots=True)
class ImportProgress:
    path: Path
    done: int
    total: int | None


@dataclass(frozen=True, slots=True)
class ReadingPage:
    """A document's page being OCR'd: the ``page``-th of the ``pages`` of ``name`` that are OCR'd."""

    path: Path
    name: str
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class ImportDone:
    path: Path
    report: Any = None  # core.store.ingest.ImportReport (a chat export)
    error: str | None = None
    scan: Any = None  # core.capture.files.report.ScanReport (a document)

    @property
    def memories(self) -> int:
        """Memories that came in: messages imported, or documents indexed."""
        if self.scan is not None:
            return int(self.scan.indexed + self.scan.updated)
        return int(self.report.imported) if self.report is not None else 0

    @property
    def result(self) -> Any:
        """The report that says what changed (``core.changes.Changed``), if any."""
        return self.scan if self.scan is not None else self.report


ImportEvent = ImportProgress | ReadingPage | ImportDone


def import_files(session: Session, paths: Sequence[Path]) -> StreamOp[ImportEvent]:
    return StreamOp(session, lambda vault: _events(vault, [Path(p) for p in paths]), label="import")


def _events(vault: Vault, paths: list[Path]) -> Iterator[ImportEvent]:
    for path in paths:
        events: queue.Queue[ImportEvent] = queue.Queue()

        def work(path: Path = path, events: queue.Queue[ImportEvent] = events) -> None:
            from core.host.documents import index_document, is_document  # late: the extractors' table

            try:
                if is_document(path):
                    scan = index_document(vault, path, pages=lambda file, page, pages: events.put(
                        ReadingPage(path, file.name, page, pages)))
                    problem = next((reason for _, reason in (*scan.failed, *scan.problems)), None)
                    events.put(ImportDone(path, error=problem, scan=scan))
                    return
                report = vault.import_path(path, progress=lambda done, total: events.put(
                    ImportProgress(path, int(done), total)))
                events.put(ImportDone(path, report=report))
            except Exception as exc:  # one bad file: say why, go on with the next
                events.put(ImportDone(path, error=str(exc) or type(exc).__name__))

        worker = threading.Thread(target=work, name="cairn-import", daemon=True)
        worker.start()
        while True:
            event = events.get()
            yield event
            if isinstance(event, ImportDone):
                break
        worker.join()

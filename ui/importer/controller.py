"""The window's importer: "Import…" (a file dialog) and files dropped on the window, with a progress dialog.

Each file shows "Importing <name> — N of M messages" (a scan or a picture:
"Reading <name> — OCR page N of M"); at the end the window's
status line says what came in (and what failed, in plain words), and every
view hears that memories changed.

Threads: GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from core.changes import changes_of
from ui.importer.operations import ImportDone, ImportProgress, ReadingPage, import_files
from ui.session import Session

FILE_FILTER = ("Chat exports and documents (*.json *.jsonl *.txt *.zip *.html *.csv *.mbox *.db *.pdf *.docx *.odt "
               "*.pptx *.xlsx *.eml *.msg *.epub *.png *.jpg *.jpeg *.webp *.tif *.tiff *.heic);;All files (*)")


class Importer(QObject):
    finished = Signal(list)  # [ImportDone]

    def __init__(self, session: Session, window: QWidget) -> None:
        super().__init__(window)
        self._session = session
        self._window = window
        self.progress: QProgressDialog | None = None
        self._results: list[ImportDone] = []
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Files dragged over the window are accepted; dropping them imports them."""
        if watched is self._window and event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self.accepts(event):  # type: ignore[arg-type]
                event.acceptProposedAction()  # type: ignore[attr-defined]
                return True
        elif watched is self._window and event.type() == QEvent.Type.Drop and self.accepts(event):  # type: ignore[arg-type]
            self.dropped(event)  # type: ignore[arg-type]
            return True
        return super().eventFilter(watched, event)

    # -- entry points ---------------------------------------------------------------------------
    def choose_and_import(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self._window, "Import chat exports or documents", "", FILE_FILTER)
        if names:
            self.import_paths([Path(n) for n in names])

    def accepts(self, event: QDragEnterEvent | QDropEvent) -> bool:
        mime = event.mimeData()
        return self._session.is_unlocked and mime.hasUrls() and any(u.isLocalFile() for u in mime.urls())

    def dropped(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def import_paths(self, paths: Sequence[Path]) -> None:
        self._results = []
        dialog = QProgressDialog(f"Importing {paths[0].name}…", "Hide", 0, 0, self._window)
        dialog.setWindowTitle("Importing")
        dialog.setAccessibleName("Import progress")
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.show()
        self.progress = dialog
        op = import_files(self._session, list(paths)).each(self._event).finished(self._done)
        op.failure(lambda exc: self._say(f"Import failed: {exc}", error=True)).owned_by(self).run()

    # -- events -------------------------------------------------------------------------------------
    def _event(self, event: Any) -> None:
        dialog = self.progress
        if isinstance(event, ImportProgress) and dialog is not None:
            total = event.total or 0
            dialog.setMaximum(total)
            dialog.setValue(min(event.done, total) if total else 0)
            of = f" of {total:,}" if total else ""
            dialog.setLabelText(f"Importing {event.path.name} — {event.done:,}{of} messages")
        elif isinstance(event, ReadingPage) and dialog is not None:
            dialog.setMaximum(event.pages)
            dialog.setValue(event.page - 1)  # the page is being read, not yet done
            dialog.setLabelText(f"Reading {event.name} — OCR page {event.page:,} of {event.pages:,}")
        elif isinstance(event, ImportDone):
            self._results.append(event)
            if event.result is not None:
                changed = changes_of(event.result)
                if changed:
                    self._session.changed.emit(changed)

    def _done(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None
        results = list(self._results)
        self.finished.emit(results)
        imported = sum(r.memories for r in results)
        failed = [r for r in results if r.error]  # a document that failed says why (a bomb, a damaged picture)
        text = f"Imported {imported:,} memor{'y' if imported == 1 else 'ies'}"
        if len(results) == 1:
            text += f" from {results[0].path.name}"
        if failed:
            text += " · could not import " + "; ".join(f"{r.path.name} ({r.error})" for r in failed)
        self._say(text, error=bool(failed) and not imported)

    def _say(self, text: str, *, error: bool = False) -> None:
        flash = getattr(self._window, "flash", None)
        if callable(flash):
            flash(text, 8000, error)

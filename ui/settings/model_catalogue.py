"""Settings → Model: the catalogue of better models, downloaded only when the user clicks Download.

A table (model, download size, RAM, licence, state), the selected model's
source URL, a progress bar, and Download / Cancel / Use.  A finished download
(or Use) puts the model's file into the section's model field, so Save
switches to it; the assistant loads it on the next question, no restart.

Threads: GUI thread; the download runs on the session's workers and reports
progress through a lock-free value the GUI polls (a timer), and stops when
Cancel sets an event.  Errors: none raised; a failed download is shown
under the table and keeps what arrived for resuming.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.llm.catalogue.choice import ModelState, get_model, model_states
from core.llm.catalogue.entries import CatalogueEntry, load_catalogue
from ui.session import Session

COLUMNS = ("Model", "Download", "RAM", "Licence", "State")


class ModelCatalogue(QWidget):
    """The catalogue table with its download controls.  ``choose(path)`` fills the model field."""

    def __init__(self, session: Session, model_path: Callable[[], str | None], choose: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._model_path = model_path
        self._choose = choose
        self._models_dir: Path = session.paths.models_dir
        self._stop = threading.Event()
        self._progress: tuple[int, int | None] = (0, None)
        self._downloading: CatalogueEntry | None = None
        try:
            self._entries = load_catalogue()
            problem = ""
        except Exception as exc:  # a broken override file: say so, keep the tab usable
            self._entries, problem = (), str(exc)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Downloadable models")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_controls)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setProperty("muted", True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Download progress")
        self.progress.setVisible(False)
        self.status = QLabel(problem)
        self.status.setWordWrap(True)
        self.download_button = QPushButton("Download")
        self.download_button.setAccessibleName("Download the selected model")
        self.download_button.clicked.connect(self.download_selected)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.clicked.connect(self.cancel)
        self.use_button = QPushButton("Use this model")
        self.use_button.setAccessibleName("Answer with the selected model")
        self.use_button.clicked.connect(self._use_selected)
        self.builtin_button = QPushButton("Use the built-in model")
        self.builtin_button.setAccessibleName("Answer with the built-in Gemma 3 270M")
        self.builtin_button.clicked.connect(self._use_builtin)
        buttons = QHBoxLayout()
        for button in (self.download_button, self.cancel_button, self.use_button, self.builtin_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.source)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._show_progress)
        self.refresh()

    # -- state ------------------------------------------------------------------------------
    def states(self) -> list[ModelState]:
        return model_states(self._entries, self._models_dir, self._model_path())

    def refresh(self) -> None:
        selected = self._selected_row()
        self.table.setRowCount(0)
        for state in self.states():
            e = state.entry
            row = self.table.rowCount()
            self.table.insertRow(row)
            for column, text in enumerate((e.name, f"{e.size_mb / 1000:.1f} GB", f"{e.ram_gb:g} GB", e.licence,
                                           _state_text(state))):
                item = QTableWidgetItem(text)
                item.setToolTip(e.note)
                self.table.setItem(row, column, item)
        # Show the whole (short) catalogue without scrolling.
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setMinimumHeight(self.table.horizontalHeader().height() + rows + 2 * self.table.frameWidth() + 2)
        if selected is not None and selected < self.table.rowCount():
            self.table.selectRow(selected)
        self._update_controls()

    def selected(self) -> CatalogueEntry | None:
        row = self._selected_row()
        return self._entries[row] if row is not None and row < len(self._entries) else None

    def select(self, model_id: str) -> None:
        for row, entry in enumerate(self._entries):
            if entry.id == model_id:
                self.table.selectRow(row)

    @property
    def downloading(self) -> bool:
        return self._downloading is not None

    # -- actions ----------------------------------------------------------------------------
    def download_selected(self) -> None:
        entry = self.selected()
        if entry is None or self._downloading is not None:
            return
        self._downloading = entry
        self._stop.clear()
        self._progress = (0, None)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status.setText(f"Downloading {entry.name} from {entry.url} …")
        self._timer.start()
        models_dir, stop = self._models_dir, self._stop

        def work() -> Path:
            return get_model(entry, models_dir, progress=self._record, should_stop=stop.is_set)

        self._session.run(work, on_success=self._finished, on_failure=self._failed, owner=self,
                          label=f"download {entry.id}")
        self._update_controls()

    def cancel(self) -> None:
        self._stop.set()

    def _record(self, done: int, total: int | None) -> None:  # worker thread: one tuple store, no Qt
        self._progress = (done, total)

    def _show_progress(self) -> None:
        done, total = self._progress
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
            self.progress.setFormat(f"{done / 1e6:,.0f} of {total / 1e6:,.0f} MB")
        else:
            self.progress.setRange(0, 0)

    def _finished(self, path: Path) -> None:
        entry, self._downloading = self._downloading, None
        self._timer.stop()
        self.progress.setVisible(False)
        self._choose(str(path))
        self.status.setText(f"{entry.name if entry else path.name} is downloaded and verified. "
                            "Save to answer with it from the next question on.")
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._downloading = None
        self._timer.stop()
        self.progress.setVisible(False)
        self.status.setText(str(exc))
        self.refresh()

    def _use_selected(self) -> None:
        entry = self.selected()
        if entry is not None and entry.is_downloaded(self._models_dir):
            self._choose(str(entry.path_in(self._models_dir)))
            self.status.setText(f"Save to answer with {entry.name} from the next question on.")
            self.refresh()

    def _use_builtin(self) -> None:
        self._choose("")
        self.status.setText("Save to answer with the built-in Gemma 3 270M again.")
        self.refresh()

    def _selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _update_controls(self) -> None:
        entry = self.selected()
        busy = self._downloading is not None
        downloaded = entry is not None and entry.is_downloaded(self._models_dir)
        self.download_button.setEnabled(entry is not None and not busy and not downloaded)
        self.cancel_button.setEnabled(busy)
        self.use_button.setEnabled(downloaded and not busy)
        self.source.setText(f"Source: {entry.url}" if entry is not None else
                            "Select a model to see where it comes from. Nothing is downloaded until you click "
                            "Download.")


def _state_text(state: ModelState) -> str:
    if state.active:
        return "in use"
    if state.downloaded:
        return "downloaded"
    if state.partial_bytes:
        return f"paused at {state.partial_bytes / 1e6:,.0f} MB"
    return "—"

"""Search: results as you type, filters, highlighted snippets and a live preview.

Typing restarts a short debounce timer; when it fires, one ``vault.search`` runs
in the background.  Each search carries a generation number so a slow, older
search can never overwrite a newer one.  Up/Down in the search box move the
selection; Enter (in the box or the list) opens the moment in the timeline.
The preview shows the screenshot with the matching OCR words boxed, or the
message in its conversation, or the document text, all highlighted.

Threads: GUI thread only; searches run through ``ui.search.operations``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui import fmt, theme
from ui.media import MediaCache
from ui.search.operations import load_people, nearest, nearest_wanted, search
from ui.session import Session
from ui.widgets.item_delegate import ItemDelegate
from ui.widgets.item_list import ITEM_ROLE, ItemListModel
from ui.widgets.memory_menu import attach_memory_menu
from ui.widgets.operations import load_item

DEBOUNCE_MS = 180
RESULT_COUNT = 30

TIME_CHOICES = ("Any time", "Today", "Yesterday", "Past 7 days", "Past 30 days", "Past year", "Custom range…")
SOURCE_CHOICES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # label, sources, kinds
    ("All sources", (), ()),
    ("Chats", ("chat",), ()),
    ("Screen", ("screen",), ()),
    ("Files", ("file",), ()),
    ("Summaries", (), ("summary",)),
)


def time_range_for(choice: str, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """The local-time range a time filter choice means (``None`` sides are open)."""
    now = now or datetime.now().astimezone()
    today = datetime.combine(now.date(), time()).astimezone()
    if choice == "Today":
        return today, today + timedelta(days=1)
    if choice == "Yesterday":
        return today - timedelta(days=1), today
    if choice == "Past 7 days":
        return today - timedelta(days=6), None
    if choice == "Past 30 days":
        return today - timedelta(days=29), None
    if choice == "Past year":
        return today - timedelta(days=365), None
    return None, None


WEAK_SHOWN = 5  # the closest weak matches listed after the good ones (or alone, when none is good)


class SearchPage(QWidget):
    open_in_timeline = Signal(int, object)  # item id, highlight terms
    results_shown = Signal(object)  # the SearchResult now on screen

    def __init__(self, session: Session, media: MediaCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.widgets.moment import MomentView

        self.setAccessibleName("Search")
        self._session = session
        self._generation = 0
        self._custom_range: tuple[datetime, datetime] | None = None
        self._terms: list[str] = []
        self._last_result: Any = None
        self._preview_generation = 0

        self.query = QLineEdit()
        self.query.setObjectName("BigInput")
        self.query.setPlaceholderText("Search everything you saw, read and said…")
        self.query.setAccessibleName("Search query")
        self.query.setClearButtonEnabled(True)
        self.query.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.query.textChanged.connect(self._schedule)
        self.query.returnPressed.connect(self.open_current)
        self.query.installEventFilter(self)

        self.when = QComboBox()
        self.when.addItems(TIME_CHOICES)
        self.when.setAccessibleName("Time range filter")
        self.when.activated.connect(self._when_changed)
        self.source = QComboBox()
        for label, _s, _k in SOURCE_CHOICES:
            self.source.addItem(label)
        self.source.setAccessibleName("Source filter")
        self.source.currentIndexChanged.connect(lambda _i: self.search_now())
        self.app = QComboBox()
        self.app.setEditable(True)
        self.app.lineEdit().setPlaceholderText("Any app")
        self.app.setAccessibleName("App filter")
        self.app.setMinimumWidth(130)
        self.app.lineEdit().textEdited.connect(self._schedule)
        self.app.activated.connect(lambda _i: self.search_now())
        self.person = QComboBox()
        self.person.setEditable(True)
        self.person.lineEdit().setPlaceholderText("Anyone")
        self.person.setAccessibleName("Person filter")
        self.person.setMinimumWidth(130)
        self.person.lineEdit().textEdited.connect(self._schedule)
        self.person.activated.connect(lambda _i: self.search_now())
        clear = QPushButton("Clear filters")
        clear.setAccessibleName("Clear filters")
        clear.clicked.connect(self.clear_filters)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        for label, widget in (("When", self.when), ("Source", self.source), ("App", self.app),
                              ("Person", self.person)):
            caption = QLabel(label)
            caption.setProperty("muted", True)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(clear)

        self.status = QLabel("Type to search. Time words work too: “staging link last week”.")
        self.status.setProperty("muted", True)
        self.status.setAccessibleName("Search status")
        self.status.setWordWrap(True)
        self._nearest: Any = None
        self.nearest_button = QPushButton()
        self.nearest_button.setFlat(True)
        self.nearest_button.setAccessibleName("Open the nearest good match outside the filters")
        self.nearest_button.clicked.connect(self.open_nearest)
        self.nearest_button.hide()

        self.model = ItemListModel(self)
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setItemDelegate(ItemDelegate(self.results, lines=2, show_date=True, terms=lambda: self._terms))
        self.results.setMouseTracking(True)
        self.results.setAccessibleName("Search results")
        self.results.activated.connect(lambda _i: self.open_current())
        self.results.selectionModel().currentChanged.connect(self._preview)
        attach_memory_menu(self.results, session, lambda pos: self.results.indexAt(pos).data(ITEM_ROLE),
                           lambda hit: self.open_in_timeline.emit(int(hit.item_id), list(self._terms)))

        self.preview = MomentView(session, media)
        self.preview.item_activated.connect(lambda item: self.open_in_timeline.emit(int(item.id), self._terms))
        self.open_button = QPushButton("Open in timeline  ↵")
        self.open_button.setObjectName("Primary")
        self.open_button.setAccessibleName("Open the selected result in the timeline")
        self.open_button.clicked.connect(self.open_current)
        self.open_button.setEnabled(False)
        preview_box = QWidget()
        pv = QVBoxLayout(preview_box)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.addWidget(self.preview, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        pv.addLayout(row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.results)
        splitter.addWidget(preview_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([420, 600])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.nearest_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(splitter, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        session.locked.connect(self._on_locked)
        session.unlocked.connect(self._load_people)
        session.changed.connect(lambda what: self.search_now() if "items" in what and self.query.text() else None)

    # -- public ---------------------------------------------------------------------------------
    def focus_query(self) -> None:
        self.query.setFocus()
        self.query.selectAll()

    def set_query(self, text: str) -> None:
        self.query.setText(text)
        self.search_now()

    def last_result(self) -> Any:
        return self._last_result

    def build_request(self) -> Any:
        from core.retrieve.types import SearchRequest
        from core.types import TimeRange

        choice = self.when.currentText()
        if choice == "Custom range…" and self._custom_range is not None:
            start, end = self._custom_range
        else:
            start, end = time_range_for(choice)
        _label, sources, kinds = SOURCE_CHOICES[self.source.currentIndex()]
        app = self.app.currentText().strip()
        person = self.person.currentText().strip()
        return SearchRequest(
            query=self.query.text().strip(), k=RESULT_COUNT,
            time_range=TimeRange(start, end) if (start or end) else None,
            sources=sources, kinds=kinds, apps=(app,) if app else (), speakers=(person,) if person else (),
        )

    def search_now(self) -> None:
        self._timer.stop()
        request = self.build_request()
        self._generation += 1
        generation = self._generation
        filtered = bool(request.time_range or request.sources or request.kinds or request.apps or request.speakers)
        if self._session.vault is None:
            return
        if not request.query and not filtered:
            self.model.set_items([])
            self._terms = []
            self.status.setText("Type to search. Time words work too: “staging link last week”.")
            self.preview.clear("Results appear here as you type.")
            self.open_button.setEnabled(False)
            return
        self.status.setText("Searching…")

        def done(result: Any) -> None:
            if generation != self._generation:
                return  # a newer search has started
            self._show(result)
            if nearest_wanted(request, result):
                nearest(self._session, request, result).success(
                    lambda hit: self._show_nearest(hit) if generation == self._generation else None
                ).quietly().owned_by(self).run()

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.status.setText(f"Search failed: {exc}")

        search(self._session, request).success(done).failure(failed).owned_by(self).run()

    def open_current(self) -> None:
        index = self.results.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        item = index.data(ITEM_ROLE) if index.isValid() else None
        if item is not None:
            self.open_in_timeline.emit(int(item.item_id), list(self._terms))

    def clear_filters(self) -> None:
        self.when.setCurrentIndex(0)
        self.source.setCurrentIndex(0)
        self.app.setEditText("")
        self.person.setEditText("")
        self._custom_range = None
        self.search_now()

    # -- internals ----------------------------------------------------------------------------------
    def _schedule(self, *_args: Any) -> None:
        self._timer.start()

    def _when_changed(self, _index: int) -> None:
        if self.when.currentText() == "Custom range…":
            picked = self._pick_range()
            if picked is None:
                self.when.setCurrentIndex(0)
            self._custom_range = picked
        self.search_now()

    def _pick_range(self) -> tuple[datetime, datetime] | None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Custom time range")
        start = QDateEdit(date.today() - timedelta(days=7))
        end = QDateEdit(date.today())
        for w, name in ((start, "From date"), (end, "To date")):
            w.setCalendarPopup(True)
            w.setDisplayFormat("d MMM yyyy")
            w.setAccessibleName(name)
        form = QFormLayout(dialog)
        form.addRow("From", start)
        form.addRow("To (inclusive)", end)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        a, b = start.date().toPython(), end.date().toPython()
        if b < a:
            a, b = b, a
        return fmt.day_start(a), fmt.day_start(b + timedelta(days=1))

    def _show(self, result: Any) -> None:
        self._last_result = result
        self._terms = fmt.query_terms(result.query_text or self.query.text())
        good, weak = list(result.good_hits), list(result.weak_hits)[:WEAK_SHOWN]
        hits = good + weak  # good matches first; the best weak ones stay listed (dimmed), not a tail of noise
        self.model.set_items(hits)
        query = self.query.text().strip()
        if good:
            parts = [f"{len(good)} good match{'es' if len(good) != 1 else ''}"]
            if weak:
                parts.append(f"{len(weak)} weaker below")
        elif hits:
            parts = [f"No good matches for “{query}” — try other words, a name, or a wider time range."
                     " The closest memories are listed, dimmed"]
        else:
            parts = [f"Nothing in your memory matches “{query}”" if query else "No matches"]
        if result.range_phrase and result.applied_range is not None:
            parts.append(f"“{result.range_phrase}” read as {fmt.describe_range(result.applied_range)}")
        elif result.applied_range is not None and self.when.currentIndex() != 0:
            parts.append(fmt.describe_range(result.applied_range))
        parts.extend(result.notes)
        self.status.setText(" · ".join(parts))
        self._show_nearest(result.nearest)
        self._remember_filters(hits)
        self.results_shown.emit(result)
        if hits:
            self.results.selectionModel().setCurrentIndex(self.model.index(0, 0),
                                                          QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            self.preview.clear("Nothing in your memory matches. Try fewer words or a wider time range.")
            self.open_button.setEnabled(False)

    def _show_nearest(self, nearest: Any) -> None:
        """Outside the filters there is a good match: offer it (its time and where it is from)."""
        self._nearest = nearest
        if nearest is None:
            self.nearest_button.hide()
            return
        where = fmt.secondary(nearest) or fmt.source_name(nearest.source)
        self.nearest_button.setText(f"Outside your filters: a good match on {fmt.fmt_when(nearest.timestamp)}"
                                    f" ({where}) — open it")
        self.nearest_button.show()

    def open_nearest(self) -> None:
        if self._nearest is not None:
            self.open_in_timeline.emit(int(self._nearest.item_id), list(self._terms))

    def _preview(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hit = current.data(ITEM_ROLE) if current.isValid() else None
        if hit is None:
            return
        self.open_button.setEnabled(True)
        if self._session.vault is None:
            return
        self._preview_generation += 1
        generation = self._preview_generation

        def shown(item: Any) -> None:
            if generation == self._preview_generation:
                self.preview.show_item(item, self._terms)

        load_item(self._session, hit.item_id, label="preview").success(shown).owned_by(self).run()

    def _remember_filters(self, hits: list[Any]) -> None:
        for combo, values in ((self.app, {h.app for h in hits if h.app}),
                              (self.person, {h.speaker for h in hits if h.speaker})):
            known = {combo.itemText(i) for i in range(combo.count())}
            text = combo.currentText()
            combo.blockSignals(True)  # suggestions only: adding must not change the filter
            for value in sorted(values - known):
                combo.addItem(value)
            combo.setEditText(text)
            combo.blockSignals(False)

    def _load_people(self) -> None:
        if self._session.vault is None:
            return

        def done(rows: list[tuple[str, str, int]]) -> None:
            text = self.person.currentText()
            known = {self.person.itemText(i) for i in range(self.person.count())}
            self.person.blockSignals(True)
            for _source, name, _n in rows:
                if name and name not in known:
                    self.person.addItem(name)
                    known.add(name)
            self.person.setEditText(text)
            self.person.blockSignals(False)

        load_people(self._session).success(done).owned_by(self).quietly().run()

    def _on_locked(self) -> None:
        self.model.set_items([])
        self.preview.clear("Cairn is locked.")
        self.open_button.setEnabled(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            key = event.key() if isinstance(event, QKeyEvent) else None
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.model.rowCount():
                row = self.results.currentIndex().row()
                row = max(0, min(self.model.rowCount() - 1, row + (1 if key == Qt.Key.Key_Down else -1)))
                self.results.selectionModel().setCurrentIndex(
                    self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
                return True
        return super().eventFilter(watched, event)

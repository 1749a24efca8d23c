"""The timeline page: a day with its hour strip, one moment in full, and the day's list;
zoomed out, a week or a month as an activity heat map.

Navigation: ◀/▶ (or PageUp/PageDown on the strip) change the day, week or
month; ``Ctrl+G`` jumps to a date; Day/Week/Month (``Ctrl+1/2/3`` on the
page) switch the zoom.  ``open_item(item_id)`` is how search results and
citations land here: the item is fetched, its day opened, and it is selected
once the page holding it has loaded (paging on with ``fetchMore`` if needed).

Threads: GUI thread only; all vault calls go through ``session.run``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCalendarWidget,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui import fmt, theme
from ui.item_delegate import ItemDelegate
from ui.media import MediaCache
from ui.session import Session
from ui.timeline.density import DensityView, HourCounts, month_grid, week_start
from ui.timeline.hour_strip import HourStrip
from ui.timeline.model import ITEM_ROLE, RangeModel

STRIP_BUCKET_S = 15 * 60
MAX_FOLLOW_PAGES = 50  # how far open_item pages on looking for its item


class TimelinePage(QWidget):
    day_shown = Signal(object)  # date

    def __init__(self, session: Session, media: MediaCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.timeline.moment import MomentView  # keeps the page module light to import

        self.setAccessibleName("Timeline")
        self._session = session
        self._media = media
        self._zoom = "day"
        self._day = date.today()
        self._pending_item: int | None = None
        self._pending_time: datetime | None = None
        self._follow_pages = 0
        self._terms: list[str] = []
        self._hist_generation = 0

        # -- toolbar ---------------------------------------------------------------------
        self._prev = self._tool("chevron-left", "Previous day (Page Up)", self._go_prev)
        self._next = self._tool("chevron-right", "Next day (Page Down)", self._go_next)
        self._date_button = QToolButton()
        self._date_button.setObjectName("Flat")
        self._date_button.setAccessibleName("Choose a date")
        self._date_button.setToolTip("Jump to a date (Ctrl+G)")
        self._date_button.clicked.connect(self.choose_date)
        self._date_button.setStyleSheet("font-size: 16px; font-weight: 600; padding: 4px 10px;")
        self._today = QToolButton()
        self._today.setText("Today")
        self._today.setObjectName("Segment")
        self._today.setAccessibleName("Go to today")
        self._today.clicked.connect(lambda: self.show_day(date.today()))
        self._latest = QToolButton()
        self._latest.setText("Latest")
        self._latest.setObjectName("Segment")
        self._latest.setToolTip("Go to the most recent day with memories")
        self._latest.setAccessibleName("Go to the latest day with memories")
        self._latest.clicked.connect(self.show_latest)
        self._count_label = QLabel()
        self._count_label.setProperty("muted", True)

        self._zoom_group = QButtonGroup(self)
        zoom_box = QHBoxLayout()
        zoom_box.setSpacing(0)
        for i, (mode, label) in enumerate((("day", "Day"), ("week", "Week"), ("month", "Month"))):
            b = QToolButton()
            b.setText(label)
            b.setObjectName("Segment")
            b.setCheckable(True)
            b.setAccessibleName(f"{label} view")
            b.setToolTip(f"{label} view (Ctrl+{i + 1})")
            b.setChecked(mode == "day")
            b.clicked.connect(lambda _c=False, m=mode: self.set_zoom(m))
            self._zoom_group.addButton(b)
            zoom_box.addWidget(b)
            setattr(self, f"_zoom_{mode}", b)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self._prev)
        bar.addWidget(self._date_button)
        bar.addWidget(self._next)
        bar.addSpacing(6)
        bar.addWidget(self._today)
        bar.addWidget(self._latest)
        bar.addSpacing(10)
        bar.addWidget(self._count_label)
        bar.addStretch(1)
        bar.addLayout(zoom_box)

        # -- day view ---------------------------------------------------------------------
        self.strip = HourStrip()
        self.strip.scrubbed.connect(self._scrubbed)
        self.strip.scrub_finished.connect(self._scrubbed)
        self.strip.step_requested.connect(self.step)
        self.strip.edge_requested.connect(self._edge)
        self.strip.day_requested.connect(lambda d: self.show_day(self._day + timedelta(days=d)))

        self.model = RangeModel(session, parent=self)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.load_failed.connect(lambda exc: self._count_label.setText(f"Could not load: {exc}"))
        self.day_list = QListView()
        self.day_list.setModel(self.model)
        self.day_list.setItemDelegate(ItemDelegate(self.day_list, lines=1, media=media))
        self.day_list.setUniformItemSizes(True)
        self.day_list.setMouseTracking(True)
        self.day_list.setAccessibleName("Memories of this day")
        self.day_list.selectionModel().currentChanged.connect(self._current_changed)

        self.moment = MomentView(session, media)
        self.moment.item_activated.connect(lambda item: self.open_item(int(item.id)))

        self._glance = QLabel()
        self._glance.setWordWrap(True)
        self._glance.setTextFormat(Qt.TextFormat.RichText)
        self._glance.setAccessibleName("Day at a glance")
        self._glance.linkActivated.connect(self._glance_link)
        glance_card = QFrame()
        glance_card.setObjectName("Card")
        g_layout = QVBoxLayout(glance_card)
        g_layout.setContentsMargins(12, 10, 12, 10)
        self._glance_title = QLabel("DAY AT A GLANCE")
        self._glance_title.setObjectName("SectionTitle")
        g_layout.addWidget(self._glance_title)
        g_layout.addWidget(self._glance)

        right = QWidget()
        r_layout = QVBoxLayout(right)
        r_layout.setContentsMargins(0, 0, 0, 0)
        r_layout.setSpacing(8)
        r_layout.addWidget(glance_card)
        list_title = QLabel("THIS DAY")
        list_title.setObjectName("SectionTitle")
        r_layout.addWidget(list_title)
        r_layout.addWidget(self.day_list, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.moment)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([640, 380])

        day_widget = QWidget()
        d_layout = QVBoxLayout(day_widget)
        d_layout.setContentsMargins(0, 0, 0, 0)
        d_layout.setSpacing(10)
        d_layout.addWidget(self.strip)
        d_layout.addWidget(splitter, 1)

        # -- week / month -------------------------------------------------------------------
        self.density = DensityView()
        self.density.day_chosen.connect(self._density_chosen)
        density_card = QFrame()
        density_card.setObjectName("Card")
        dc_layout = QVBoxLayout(density_card)
        dc_layout.setContentsMargins(12, 12, 12, 12)
        self._density_hint = QLabel()
        self._density_hint.setProperty("muted", True)
        dc_layout.addWidget(self._density_hint)
        dc_layout.addWidget(self.density, 1)

        self._stack = QStackedWidget()
        self._stack.addWidget(day_widget)
        self._stack.addWidget(density_card)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(bar)
        layout.addWidget(self._stack, 1)

        QShortcut(QKeySequence("Ctrl+G"), self, self.choose_date)
        QShortcut(QKeySequence("Ctrl+1"), self, lambda: self.set_zoom("day"))
        QShortcut(QKeySequence("Ctrl+2"), self, lambda: self.set_zoom("week"))
        QShortcut(QKeySequence("Ctrl+3"), self, lambda: self.set_zoom("month"))
        QShortcut(QKeySequence("Alt+Left"), self, self._go_prev)
        QShortcut(QKeySequence("Alt+Right"), self, self._go_next)

        session.locked.connect(self._on_locked)
        session.changed.connect(self._on_changed)
        theme.on_theme_changed(self._retheme)
        self._update_title()

    # -- public ---------------------------------------------------------------------------------
    def current_day(self) -> date:
        return self._day

    def zoom(self) -> str:
        return self._zoom

    def current_item(self) -> Any:
        return self.moment.item()

    def show_day(self, day: date, *, select_item: int | None = None, at: datetime | None = None) -> None:
        """Open ``day`` in the day view; select ``select_item`` or the moment nearest ``at``."""
        self._day = day
        self._pending_item = select_item
        self._pending_time = at
        self._follow_pages = 0
        if self._zoom != "day":
            self._set_zoom_buttons("day")
            self._zoom = "day"
            self._stack.setCurrentIndex(0)
        self._update_title()
        start, end = fmt.day_bounds(day)
        self.strip.set_day(start, end)
        self.moment.clear("Loading this day…")
        self._glance.setText("")
        self._count_label.setText("")
        if self._session.vault is None:
            return
        self.model.set_range(start, end)
        self._load_histogram(start, end)
        self.day_shown.emit(day)

    def show_latest(self) -> None:
        """Open the most recent day that holds memories (today when nothing is found)."""
        vault = self._session.vault
        if vault is None:
            return
        now = datetime.now().astimezone()

        def find() -> date | None:
            stats = getattr(vault, "stats", None)
            if stats is not None:
                last = stats().last_item_at
                return fmt.to_local(last).date() if last is not None else None
            # Without stats: the newest non-empty hour bucket, aligned to local hours.
            base = now.replace(minute=0, second=0, microsecond=0)
            for span_days in (2, 31, 400, 3650):
                start = base - timedelta(days=span_days)
                hist = vault.activity_histogram(start, base + timedelta(hours=1), 3600)
                for moment, count in reversed(hist):
                    if count:
                        return fmt.to_local(moment).date()
            return None

        self._session.run(find, owner=self, label="latest day",
                          on_success=lambda d: self.show_day(d or date.today()))

    def open_item(self, item_id: int, terms: list[str] | None = None) -> None:
        """Show one memory in its day (from search results, citations, related lists)."""
        vault = self._session.vault
        if vault is None:
            return
        self._terms = terms or []
        row = self.model.row_of(item_id)
        if row >= 0 and self._zoom == "day":
            self._select_row(row)
            return

        def opened(item: Any) -> None:
            day = fmt.to_local(item.timestamp).date()
            self.show_day(day, select_item=int(item.id), at=item.timestamp)

        self._session.run(lambda: vault.get_item(item_id), on_success=opened, owner=self, label="open item")

    def set_zoom(self, mode: str) -> None:
        if mode == self._zoom:
            return
        self._zoom = mode
        self._set_zoom_buttons(mode)
        if mode == "day":
            self._stack.setCurrentIndex(0)
            self.show_day(self._day)
            return
        self._stack.setCurrentIndex(1)
        self.density.set_mode(mode, self._day)
        self._update_title()
        self._count_label.setText("")
        self._load_density()
        self.density.setFocus()

    def step(self, direction: int) -> None:
        """Select the previous/next moment of the day (arrow keys on the strip)."""
        rows = self.model.rowCount()
        if rows == 0:
            return
        current = self.day_list.currentIndex().row()
        target = (0 if direction > 0 else rows - 1) if current < 0 else current + direction
        if target >= rows and self.model.canFetchMore():
            self._pending_time = None
            self.model.fetchMore()
            return
        self._select_row(max(0, min(rows - 1, target)))

    def choose_date(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Jump to date")
        calendar = QCalendarWidget(dialog)
        calendar.setAccessibleName("Calendar")
        calendar.setSelectedDate(self._day)
        calendar.setGridVisible(False)
        calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        calendar.activated.connect(dialog.accept)
        calendar.clicked.connect(dialog.accept)
        layout = QVBoxLayout(dialog)
        layout.addWidget(calendar)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            chosen = calendar.selectedDate().toPython()
            if self._zoom == "day":
                self.show_day(chosen)
            else:
                self._day = chosen
                self.density.set_mode(self._zoom, chosen)
                self._update_title()
                self._load_density()

    # -- day view internals ------------------------------------------------------------------------
    def _load_histogram(self, start: datetime, end: datetime) -> None:
        vault = self._session.vault
        if vault is None:
            return
        self._hist_generation += 1
        generation = self._hist_generation
        buckets = round((end - start).total_seconds() / STRIP_BUCKET_S)

        def load() -> list[int]:
            rows = vault.activity_histogram(start, end, STRIP_BUCKET_S)
            counts = [0] * buckets
            for moment, count in rows:
                index = int((moment.timestamp() - start.timestamp()) // STRIP_BUCKET_S)
                if 0 <= index < buckets:
                    counts[index] += count
            return counts

        def done(counts: list[int]) -> None:
            if generation == self._hist_generation:
                self.strip.set_histogram(counts)
                total = sum(counts)
                self._count_label.setText(f"{total:,} memor{'y' if total == 1 else 'ies'}" if total else "")

        self._session.run(load, on_success=done, owner=self, label="histogram")

    def _page_loaded(self, added: int) -> None:
        self.strip.set_moments(self.model.timestamps())
        self._update_glance()
        rows = self.model.rowCount()
        if self._pending_item is not None:
            row = self.model.row_of(self._pending_item)
            if row >= 0:
                self._pending_item = None
                self._pending_time = None
                self._select_row(row)
                return
            if self.model.canFetchMore() and self._follow_pages < MAX_FOLLOW_PAGES:
                self._follow_pages += 1
                self.model.fetchMore()
                return
            self._pending_item = None
        if self._pending_time is not None:
            last = self.model.last_time()
            if last is not None and last < self._pending_time.timestamp() and self.model.canFetchMore():
                self.model.fetchMore()
                return
            target, self._pending_time = self._pending_time, None
            row = self.model.row_near(target)
            if row >= 0:
                self._select_row(row)
                return
        if self.day_list.currentIndex().row() < 0 and rows:
            # Today opens on the latest moment, other days on the first (not on a summary).
            moments = [r for r in range(rows) if self.model.item(r).kind != "summary"] or list(range(rows))
            self._select_row(moments[-1] if self._day == date.today() else moments[0])
        elif rows == 0:
            self.moment.clear("Nothing was recorded on this day. Use ◀ ▶, the calendar or “Latest” to move.")

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.day_list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.day_list.scrollTo(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = current.data(ITEM_ROLE) if current.isValid() else None
        if item is None:
            return
        self.strip.set_cursor(fmt.to_local(item.timestamp))
        self.moment.show_item(item, self._terms)

    def _scrubbed(self, moment: datetime) -> None:
        last = self.model.last_time()
        if last is not None and moment.timestamp() > last and self.model.canFetchMore():
            self._pending_time = moment
            self.model.fetchMore()
            return
        row = self.model.row_near(moment)
        if row >= 0 and row != self.day_list.currentIndex().row():
            self._terms = []
            self._select_row(row)
            self.strip.set_cursor(moment)  # keep the cursor where the hand is while dragging

    def _edge(self, direction: int) -> None:
        if direction < 0:
            self._select_row(0) if self.model.rowCount() else None
        elif self.model.canFetchMore():
            self._pending_time = fmt.day_bounds(self._day)[1] - timedelta(seconds=1)
            self.model.fetchMore()
        elif self.model.rowCount():
            self._select_row(self.model.rowCount() - 1)

    def _update_glance(self) -> None:
        """Day summary and episodes when consolidation made them, else counts from the loaded rows."""
        rows = [self.model.item(r) for r in range(self.model.rowCount())]
        c = theme.colours()
        summaries = [r for r in rows if r.kind == "summary"]
        day_summary = next((s for s in summaries if _summary_level(s) == "day"), None)
        episodes = [s for s in summaries if _summary_level(s) == "episode"]
        parts: list[str] = []
        if day_summary is not None:
            parts.append(f"<a href='item:{int(day_summary.id)}' style='color:{c.text}; text-decoration:none'>"
                         f"{fmt.html_escape(fmt.one_line(day_summary.text, 420))}</a>")
        for episode in episodes[:6]:
            end = (episode.meta or {}).get("ts_end")
            span = fmt.fmt_time(episode.timestamp)
            if isinstance(end, int | float):
                span += "–" + datetime.fromtimestamp(end).astimezone().strftime("%H:%M")
            title = episode.title or fmt.one_line(episode.text, 80)
            parts.append(f"<a href='item:{int(episode.id)}' style='color:{c.accent}; text-decoration:none'>"
                         f"{span}</a> {fmt.html_escape(fmt.one_line(title, 90))}")
        others = [r for r in rows if r.kind != "summary"]
        kinds = Counter(r.kind for r in others)
        facts: list[str] = []
        if kinds.get("message"):
            convs = Counter(r.conversation or r.speaker or "?" for r in others if r.kind == "message")
            top = ", ".join(name for name, _ in convs.most_common(3))
            facts.append(f"<b>{kinds['message']}</b> message{'s' if kinds['message'] != 1 else ''} "
                         f"in {len(convs)} conversation{'s' if len(convs) != 1 else ''} ({fmt.html_escape(top)})")
        if kinds.get("screenshot"):
            apps = Counter(fmt.app_of(r) or "unknown app" for r in others if r.kind == "screenshot")
            top = ", ".join(name for name, _ in apps.most_common(3))
            facts.append(f"<b>{kinds['screenshot']}</b> screen moment{'s' if kinds['screenshot'] != 1 else ''} "
                         f"({fmt.html_escape(top)})")
        if kinds.get("document"):
            facts.append(f"<b>{kinds['document']}</b> document{'s' if kinds['document'] != 1 else ''} touched")
        if others:
            first, last = fmt.fmt_time(others[0].timestamp), fmt.fmt_time(others[-1].timestamp)
            facts.append(f"active from {first} to {last}")
        more = "" if self.model.exhausted else " <i>(more loading…)</i>"
        if facts:
            parts.append(f"<span style='color:{c.muted}'>" + " · ".join(facts) + more + "</span>")
        self._glance_title.setText("DAY SUMMARY" if (day_summary or episodes) else "DAY AT A GLANCE")
        self._glance.setText("<br>".join(parts) if parts else
                             f"<span style='color:{c.muted}'>No memories on this day.</span>")

    def _glance_link(self, link: str) -> None:
        if link.startswith("item:"):
            self.open_item(int(link[5:]))

    # -- week / month internals ------------------------------------------------------------------
    def _load_density(self) -> None:
        vault = self._session.vault
        if vault is None:
            return
        first, last = self.density.range()
        start, end = fmt.day_start(first), fmt.day_start(last)
        self.density.set_loading(True)
        mode = self._zoom
        anchor = self._day

        def load() -> HourCounts:
            counts: HourCounts = {}
            for moment, count in vault.activity_histogram(start, end, 3600):
                if count:
                    local = fmt.to_local(moment)
                    key = (local.date(), local.hour)
                    counts[key] = counts.get(key, 0) + count
            return counts

        def done(counts: HourCounts) -> None:
            if self._zoom == mode and self._day == anchor:
                self.density.set_counts(counts)
                total = sum(counts.values())
                active = len({d for d, _ in counts})
                self._density_hint.setText(
                    f"{total:,} memories on {active} day{'s' if active != 1 else ''}. "
                    "Click a cell or use the arrow keys and Enter to open that day.")
                self._count_label.setText(f"{total:,} memor{'y' if total == 1 else 'ies'}" if total else "")

        self._session.run(load, on_success=done, owner=self, label="density")

    def _density_chosen(self, day: date, hour: int | None) -> None:
        at = fmt.day_start(day) + timedelta(hours=hour) if hour is not None else None
        self.show_day(day, at=at)

    # -- navigation ------------------------------------------------------------------------------
    def _go_prev(self) -> None:
        self._shift(-1)

    def _go_next(self) -> None:
        self._shift(1)

    def _shift(self, direction: int) -> None:
        if self._zoom == "day":
            self.show_day(self._day + timedelta(days=direction))
            return
        if self._zoom == "week":
            self._day = self._day + timedelta(days=7 * direction)
        else:
            first = self._day.replace(day=1)
            self._day = (first + timedelta(days=32)).replace(day=1) if direction > 0 else \
                (first - timedelta(days=1)).replace(day=1)
        self.density.set_mode(self._zoom, self._day)
        self._update_title()
        self._load_density()

    def _update_title(self) -> None:
        if self._zoom == "day":
            text = fmt.fmt_day(self._day)
            what = "day"
        elif self._zoom == "week":
            start = week_start(self._day)
            end = start + timedelta(days=6)
            text = f"Week of {start.day} {start.strftime('%b')} – {end.day} {end.strftime('%b %Y')}"
            what = "week"
        else:
            text = self._day.strftime("%B %Y")
            what = "month"
        self._date_button.setText(text)
        self._prev.setToolTip(f"Previous {what}")
        self._next.setToolTip(f"Next {what}")
        self._prev.setAccessibleName(f"Previous {what}")
        self._next.setAccessibleName(f"Next {what}")

    def _set_zoom_buttons(self, mode: str) -> None:
        getattr(self, f"_zoom_{mode}").setChecked(True)

    def _tool(self, icon_name: str, tip: str, slot: Any) -> QToolButton:
        b = QToolButton()
        b.setObjectName("Flat")
        b.setIcon(theme.icon(icon_name))
        b.setToolTip(tip)
        b.setAccessibleName(tip.split(" (")[0])
        b.clicked.connect(slot)
        b.setProperty("icon_name", icon_name)
        return b

    def _retheme(self) -> None:
        for b in (self._prev, self._next):
            b.setIcon(theme.icon(b.property("icon_name")))
        self.update()

    def _on_locked(self) -> None:
        self.model.clear()
        self.moment.clear("Cairn is locked.")
        self.strip.set_day(*fmt.day_bounds(self._day))
        self._glance.setText("")
        self._count_label.setText("")

    def _on_changed(self, what: frozenset[str]) -> None:
        """New memories: page them in without disturbing the selection (only ranges that can change)."""
        if "items" not in what or not self._session.is_unlocked:
            return
        if self._zoom == "day":
            start, end = fmt.day_bounds(self._day)
            if start <= datetime.now().astimezone() < end + timedelta(minutes=5):
                self.model.refresh_tail()
                self._load_histogram(start, end)
        else:
            self._load_density()


def _summary_level(item: Any) -> str | None:
    """``"day"`` or ``"episode"`` for consolidation summaries (``meta["summary_of"]``)."""
    meta = item.meta or {}
    level = meta.get("summary_of") or meta.get("scope")
    return str(level) if level else None


_ = month_grid  # re-exported for tests that compute the month's cells

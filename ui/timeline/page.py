"""The timeline page: a day with its hour strip, one moment in full, and the day's list;
zoomed out, a week or a month as an activity heat map.

Navigation: ◀/▶ (or PageUp/PageDown on the strip) change the day, week or
month; ``Ctrl+G`` jumps to a date; Day/Week/Month (``Ctrl+1/2/3`` on the
page) switch the zoom.  ``open_item(item_id)`` is how search results and
citations land here: the item is fetched, its day opened, and it is selected
once the page holding it has loaded (paging on with ``fetchMore`` if needed).

The page wires the parts together and keeps the navigation state (zoom, day,
pending selection, which frame of an app-session card to show); the parts
live next to it (toolbar, hour_strip, sessions + session_bar, cards, density,
glance, periods, activity, day_layout, operations: every vault read).

Threads: GUI thread only; all vault calls go through ``ui.timeline.operations``.
Errors: a failed page load shows "Could not load: …" in the count label;
other task failures are left to the task manager's default handling.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QListView, QStackedWidget, QVBoxLayout, QWidget

from ui import fmt, theme
from ui.media import MediaCache
from ui.session import Session
from ui.timeline.cards import DensityCard, GlanceCard
from ui.timeline.count_text import density_hint_text, memory_count_text
from ui.timeline.date_dialog import ask_date
from ui.timeline.day_layout import day_view
from ui.timeline.density import HourCounts, own_counts
from ui.timeline.frame_preview import FramePreview
from ui.timeline.gaps import CaptureBand
from ui.timeline.glance import glance_text
from ui.timeline.hour_strip import HourStrip
from ui.timeline.model import RangeModel
from ui.timeline.operations import load_hour_counts, load_latest_day, load_strip_counts, load_summaries
from ui.timeline.periods import period_title, shift_period
from ui.timeline.session_bar import SessionBar
from ui.timeline.toolbar import TimelineToolbar
from ui.widgets.item_delegate import ItemDelegate
from ui.widgets.item_list import ITEM_ROLE
from ui.widgets.memory_menu import attach_memory_menu
from ui.widgets.operations import load_item

MAX_FOLLOW_PAGES = 50  # how far open_item pages on looking for its item


class TimelinePage(QWidget):
    day_shown = Signal(object)  # date

    def __init__(self, session: Session, media: MediaCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.widgets.moment import MomentView  # keeps the page module light to import

        self.setAccessibleName("Timeline")
        self._session = session
        self._media = media
        self._zoom = "day"
        self._day = date.today()
        self._pending_item: int | None = None
        self._summaries: list[Any] = []  # the shown day's summaries (above the day, not in its stream)
        self._summary_shown: Any = None  # a summary opened from the glance card, shown instead of a moment
        self._summary_generation = 0
        self._pending_time: datetime | None = None
        self._frame_wanted: int | None = None  # which frame of a session card to show when its row is selected
        self._moment_wanted: datetime | None = None  # … or the frame nearest this time (scrubbing the strip)
        self._follow_pages = 0
        self._terms: list[str] = []
        self._hist_generation = 0

        self._toolbar = TimelineToolbar()
        self._toolbar.previous_requested.connect(lambda: self._shift(-1))
        self._toolbar.next_requested.connect(lambda: self._shift(1))
        self._toolbar.date_requested.connect(self.choose_date)
        self._toolbar.today_requested.connect(lambda: self.show_day(date.today()))
        self._toolbar.latest_requested.connect(self.show_latest)
        self._toolbar.zoom_requested.connect(self.set_zoom)

        # -- day view ---------------------------------------------------------------------
        self.strip = HourStrip()
        self.strip.scrubbed.connect(self._scrubbed)
        self.strip.scrub_finished.connect(self._scrubbed)
        self.strip.step_requested.connect(self.step)
        self.strip.edge_requested.connect(self._edge)
        self.strip.day_requested.connect(lambda d: self.show_day(self._day + timedelta(days=d)))

        self.model = RangeModel(session, parent=self)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.load_failed.connect(lambda exc: self._toolbar.set_count_text(f"Could not load: {exc}"))
        self.day_list = QListView()
        self.day_list.setModel(self.model)
        attach_memory_menu(self.day_list, session, lambda pos: self.day_list.indexAt(pos).data(ITEM_ROLE),
                           lambda item: self.open_item(int(item.id)))
        self.day_list.setItemDelegate(ItemDelegate(self.day_list, lines=1, media=media))
        self.day_list.setUniformItemSizes(True)
        self.day_list.setMouseTracking(True)
        self.day_list.setAccessibleName("Memories of this day")
        self.day_list.selectionModel().currentChanged.connect(self._current_changed)

        self.moment = MomentView(session, media)
        self.frame_preview = FramePreview(self.strip, self.model, media)  # hover the strip: the screen then
        self.moment.item_activated.connect(lambda item: self.open_item(int(item.id)))
        self.session_bar = SessionBar()  # over the moment when the card is an app session: scrub its frames
        self.session_bar.frame_chosen.connect(self._frame_chosen)

        self._glance_card = GlanceCard()
        self._glance_card.link_activated.connect(self._glance_link)
        self._glance = self._glance_card.text_label
        self._glance_title = self._glance_card.title_label

        # -- week / month -------------------------------------------------------------------
        self._density_card = DensityCard()
        self.density = self._density_card.view
        self.density.day_chosen.connect(self._density_chosen)

        self._stack = QStackedWidget()
        self.day_view = day_view(CaptureBand(session, self.strip, self.day_shown).box, self.session_bar, self.moment, self._glance_card, self.day_list)
        self._stack.addWidget(self.day_view)
        self._stack.addWidget(self._density_card)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self._toolbar)
        layout.addWidget(self._stack, 1)

        QShortcut(QKeySequence("Ctrl+G"), self, self.choose_date)
        for key, mode in (("Ctrl+1", "day"), ("Ctrl+2", "week"), ("Ctrl+3", "month")):
            QShortcut(QKeySequence(key), self, lambda mode=mode: self.set_zoom(mode))
        QShortcut(QKeySequence("Alt+Left"), self, lambda: self._shift(-1))
        QShortcut(QKeySequence("Alt+Right"), self, lambda: self._shift(1))

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
        self._summary_shown = None
        self._follow_pages = 0
        if self._zoom != "day":
            self._toolbar.set_zoom("day")
            self._zoom = "day"
            self._stack.setCurrentIndex(0)
        self._update_title()
        start, end = fmt.day_bounds(day)
        self.strip.set_day(start, end)
        self.moment.clear("Loading this day…")
        self.session_bar.show_session(None, 0)
        self._frame_wanted = self._moment_wanted = None
        self._glance_card.clear()
        self._toolbar.set_count_text("")
        if self._session.vault is None:
            return
        self.model.set_range(start, end)
        self._load_histogram(start, end)
        self._load_summaries(start, end)
        self.day_shown.emit(day)

    def show_latest(self) -> None:
        """Open the most recent day that holds memories (today when nothing is found)."""
        if self._session.vault is None:
            return
        load_latest_day(self._session).success(lambda d: self.show_day(d or date.today())).owned_by(self).run()

    def open_item(self, item_id: int, terms: list[str] | None = None) -> None:
        """Show one memory in its day (from search results, citations, related lists)."""
        if self._session.vault is None:
            return
        self._terms = terms or []
        row = self.model.row_of(item_id)
        if row >= 0 and self._zoom == "day":
            self._frame_wanted = item_id
            self._select_row(row)
            return

        def opened(item: Any) -> None:
            day = fmt.to_local(item.timestamp).date()
            if item.kind == "summary":  # not a moment of the stream: shown on its own, over its day
                if day != self._day or self._zoom != "day":
                    self.show_day(day)
                self._show_summary(item)
                return
            self.show_day(day, select_item=int(item.id), at=item.timestamp)

        load_item(self._session, item_id).success(opened).owned_by(self).run()

    def set_zoom(self, mode: str) -> None:
        if mode == self._zoom:
            return
        self._zoom = mode
        self._toolbar.set_zoom(mode)
        if mode == "day":
            self._stack.setCurrentIndex(0)
            self.show_day(self._day)
            return
        self._stack.setCurrentIndex(1)
        self.density.set_mode(mode, self._day)
        self._update_title()
        self._toolbar.set_count_text("")
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

    def _days_with_memories(self, first: date, after: date, mark: Any) -> None:
        load_hour_counts(self._session, fmt.day_start(first), fmt.day_start(after)).success(
            lambda counts: mark({d for (d, _h), n in counts.items() if n})).quietly().owned_by(self).run()

    def choose_date(self) -> None:
        """Ask for a date (``Ctrl+G``, the date button) and open it in the current zoom."""
        chosen = ask_date(self, self._day, self._days_with_memories)
        if chosen is None:
            return
        if self._zoom == "day":
            self.show_day(chosen)
        else:
            self._day = chosen
            self.density.set_mode(self._zoom, chosen)
            self._update_title()
            self._load_density()

    # -- day view internals ------------------------------------------------------------------------
    def _load_histogram(self, start: datetime, end: datetime) -> None:
        if self._session.vault is None:
            return
        self._hist_generation += 1
        generation = self._hist_generation

        def done(counts: list[int]) -> None:
            if generation == self._hist_generation:
                self.strip.set_histogram(counts)
                self._toolbar.set_count_text(memory_count_text(sum(counts)))

        load_strip_counts(self._session, start, end).success(done).owned_by(self).run()

    def _page_loaded(self, added: int) -> None:
        self.strip.set_moments(self.model.timestamps())
        self._update_glance()
        rows = self.model.rowCount()
        if self._pending_item is not None:
            row = self.model.row_of(self._pending_item)
            if row >= 0:
                self._frame_wanted, self._pending_item = self._pending_item, None
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
                self._moment_wanted = target
                self._select_row(row)
                return
        if self.day_list.currentIndex().row() < 0 and rows and self._summary_shown is None:
            # Today opens on the latest moment, other days on the first.
            self._select_row(rows - 1 if self._day == date.today() else 0)
        elif rows == 0:
            self.moment.clear("Nothing was recorded on this day. Use the arrows at the top, the calendar or “Latest” to move.")

    def _select_row(self, row: int) -> None:
        self._summary_shown = None
        index = self.model.index(row, 0)
        if index == self.day_list.currentIndex():
            self._show_row(row)  # same card, maybe another of its frames
        else:
            self.day_list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.day_list.scrollTo(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.data(ITEM_ROLE) is not None:
            self._show_row(current.row())

    def _show_row(self, row: int) -> None:
        """Show the card's moment: the frame asked for, the frame nearest the time asked for, or its best."""
        session = self.model.session(row)
        if session is None:
            return
        index = session.pick(self._frame_wanted, self._moment_wanted)
        self._frame_wanted = self._moment_wanted = None
        self.session_bar.show_session(session, index)
        self._show_frame(session.frames[index])

    def _show_frame(self, item: Any) -> None:
        self.strip.set_cursor(fmt.to_local(item.timestamp))
        self.moment.show_item(item, self._terms)

    def _frame_chosen(self, index: int) -> None:
        session = self.model.session(self.day_list.currentIndex().row())
        if session is not None and 0 <= index < len(session.frames):
            self._terms = []
            self._show_frame(session.frames[index])

    def _scrubbed(self, moment: datetime) -> None:
        last = self.model.last_time()
        if last is not None and moment.timestamp() > last and self.model.canFetchMore():
            self._pending_time = moment
            self.model.fetchMore()
            return
        row = self.model.row_near(moment)
        if row < 0:
            return
        session = self.model.session(row)
        showing = self.moment.item()
        if row != self.day_list.currentIndex().row() or (
                session is not None and showing is not None and session.frame_near(moment) is not showing):
            self._terms = []
            self._moment_wanted = moment
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
        rows = [f for r in range(self.model.rowCount()) for f in self.model.session(r).frames]  # type: ignore[union-attr]
        shown = sorted([*self._summaries, *rows], key=lambda r: r.timestamp)
        self._glance_card.show_glance(glance_text(shown, theme.colours(), more_loading=not self.model.exhausted))

    def _load_summaries(self, start: datetime, end: datetime) -> None:
        self._summaries = []
        self._summary_generation += 1
        generation = self._summary_generation

        def done(summaries: list[Any]) -> None:
            if generation == self._summary_generation:
                self._summaries = summaries
                self._update_glance()

        load_summaries(self._session, start, end).success(done).quietly().owned_by(self).run()

    def _show_summary(self, item: Any) -> None:
        """A summary in the moment view (its "made from" links open the memories); no row is selected."""
        self._pending_item = self._pending_time = None
        self._summary_shown = item
        self.day_list.selectionModel().clearSelection()
        self.session_bar.show_session(None, 0)
        self.moment.show_item(item, [])

    def _glance_link(self, link: str) -> None:
        if link.startswith("item:"):
            self.open_item(int(link[5:]))

    # -- week / month internals ------------------------------------------------------------------
    def _load_density(self) -> None:
        if self._session.vault is None:
            return
        start, end = (fmt.day_start(d) for d in self.density.range())
        self.density.set_loading(True)
        mode, anchor = self._zoom, self._day

        def done(counts: HourCounts) -> None:
            if self._zoom == mode and self._day == anchor:
                self.density.set_counts(counts)
                own = own_counts(counts, mode, anchor)  # a month's title counts that month, not its greyed neighbours
                total = sum(own.values())
                self._density_card.set_hint(density_hint_text(total, len({d for d, _ in own})))
                self._toolbar.set_count_text(memory_count_text(total))

        load_hour_counts(self._session, start, end).success(done).owned_by(self).run()

    def _density_chosen(self, day: date, hour: int | None) -> None:
        at = fmt.day_start(day) + timedelta(hours=hour) if hour is not None else None
        self.show_day(day, at=at)

    # -- navigation ------------------------------------------------------------------------------
    def _shift(self, direction: int) -> None:
        if self._zoom == "day":
            self.show_day(shift_period("day", self._day, direction))
            return
        self._day = shift_period(self._zoom, self._day, direction)
        self.density.set_mode(self._zoom, self._day)
        self._update_title()
        self._load_density()

    def _update_title(self) -> None:
        self._toolbar.set_period(period_title(self._zoom, self._day))

    def _retheme(self) -> None:
        self._toolbar.retheme()
        self.update()

    def _on_locked(self) -> None:
        self.model.clear()
        self.session_bar.show_session(None, 0)
        self.moment.clear("Cairn is locked.")
        self.strip.set_day(*fmt.day_bounds(self._day))
        self._glance_card.clear()
        self._toolbar.set_count_text("")

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


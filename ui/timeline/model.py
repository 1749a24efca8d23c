"""A thin list model over the timeline's page read (``operations.load_page``): one range, paged with ``fetchMore``.

Rows are app sessions (``ui.timeline.sessions``) in time order: a single
moment, or consecutive screenshots of one app window folded into one card.
A row's item (``ITEM_ROLE``) is the session's best frame; ``SESSION_ROLE``
gives the whole session.  Pages load in background tasks;
``canFetchMore`` is false while a page is in flight, and a generation counter
drops pages that belong to a range the user has already left.

Threads: GUI thread only.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal

from ui import fmt
from ui.session import Session
from ui.timeline.operations import load_page
from ui.timeline.sessions import AppSession, frames_text, group
from ui.widgets.item_list import SESSION_ROLE, ItemRows, ModelIndex


class RangeModel(ItemRows):
    """Items in ``[start, end)``, oldest first, ``page_size`` at a time."""

    page_loaded = Signal(int)  # rows added
    load_failed = Signal(object)

    def __init__(self, session: Session, page_size: int = 200, parent: Any = None) -> None:
        super().__init__(parent)
        self._session = session
        self._page_size = page_size
        self._stamps: list[float] = []  # each row's first moment
        self._ends: list[float] = []  # each row's last moment
        self._sessions: list[AppSession] = []
        self._loaded = 0  # moments read so far (the next page's offset)
        self._start: datetime | None = None
        self._end: datetime | None = None
        self._kinds: tuple[str, ...] = ()
        self._exhausted = True
        self._loading = False
        self._tail_pending = False  # new items arrived while a page was loading
        self._generation = 0

    # -- range ------------------------------------------------------------------
    def set_range(self, start: datetime, end: datetime, kinds: tuple[str, ...] = ()) -> None:
        self.beginResetModel()
        self._generation += 1
        self._reset_rows()
        self._start, self._end, self._kinds = start, end, kinds
        self._exhausted = False
        self._loading = False
        self._tail_pending = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def refresh_tail(self) -> None:
        """Page in items added after the last load (new captures arrive at the end of the range)."""
        if self._start is None:
            return
        if self._loading:
            # The page in flight may have been read before the new items were committed: ask again
            # when it lands, or a frame stored at that moment would never show until the next one.
            self._tail_pending = True
            return
        self._exhausted = False
        self.fetchMore(QModelIndex())

    def clear(self) -> None:
        self.beginResetModel()
        self._generation += 1
        self._reset_rows()
        self._exhausted = True
        self._loading = False
        self.endResetModel()

    def _reset_rows(self) -> None:
        self._rows, self._stamps, self._ends, self._sessions, self._loaded = [], [], [], [], 0

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def row_of(self, item_id: int) -> int:
        """The row holding the moment ``item_id`` (a session's row for any of its frames)."""
        for row, session in enumerate(self._sessions):
            if session.index_of(item_id) >= 0:
                return row
        return -1

    def session(self, row: int) -> AppSession | None:
        return self._sessions[row] if 0 <= row < len(self._sessions) else None

    def row_near(self, moment: datetime) -> int:
        """The row whose span holds ``moment``, else the one nearest to it (-1 when empty)."""
        if not self._rows:
            return -1
        ts = moment.timestamp()
        pos = bisect.bisect_right(self._stamps, ts)
        if pos > 0 and ts <= self._ends[pos - 1]:
            return pos - 1
        if pos <= 0:
            return 0
        if pos >= len(self._stamps):
            return len(self._stamps) - 1
        return pos if self._stamps[pos] - ts < ts - self._ends[pos - 1] else pos - 1

    def last_time(self) -> float | None:
        return self._ends[-1] if self._ends else None

    def timestamps(self) -> list[float]:
        """Every moment's time (a session's frames each count)."""
        return sorted(f.timestamp.timestamp() for session in self._sessions for f in session.frames)

    # -- Qt model API ---------------------------------------------------------------
    def display_text(self, item: Any) -> str:
        return f"{fmt.fmt_time(item.timestamp)}  {fmt.headline(item)}"

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SESSION_ROLE:
            return self.session(index.row()) if index.isValid() else None
        value = super().data(index, role)
        if role == Qt.ItemDataRole.AccessibleTextRole and value:
            count = frames_text(self._sessions[index.row()])
            return f"{value}, {count}" if count else value
        return value

    def accessible_text(self, item: Any) -> str:
        return f"{fmt.fmt_time(item.timestamp)}, {item.kind}, {fmt.headline(item)}"

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading and self._start is not None

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        start, end = self._start, self._end
        if self._session.vault is None or start is None or end is None:
            self._exhausted = True
            return
        self._loading = True
        generation = self._generation
        page = load_page(self._session, start, end, limit=self._page_size, offset=self._loaded, kinds=self._kinds)
        page.success(lambda rows: self._append(generation, rows)).failure(lambda exc: self._failed(generation, exc))
        page.owned_by(self).run()

    def _append(self, generation: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if len(rows) < self._page_size:
            self._exhausted = True
        self._loaded += len(rows)
        if rows:
            self._add(rows)
        self.page_loaded.emit(len(rows))
        if self._tail_pending:
            self._tail_pending = False
            self.refresh_tail()

    def _add(self, items: list[Any]) -> None:
        """Fold ``items`` into sessions: an open session's row may grow, the rest become new rows."""
        first = len(self._sessions)
        sessions = self._sessions
        for row in sorted(group(sessions, items)):
            self._rows[row] = sessions[row].best
            self._ends[row] = sessions[row].end.timestamp()
            self.dataChanged.emit(self.index(row, 0), self.index(row, 0))
        if len(sessions) > first:
            self.beginInsertRows(QModelIndex(), first, len(sessions) - 1)
            for session in sessions[first:]:
                self._rows.append(session.best)
                self._stamps.append(session.start.timestamp())
                self._ends.append(session.end.timestamp())
            self.endInsertRows()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = True
        self.load_failed.emit(exc)

"""The day's hour strip: activity density per quarter hour, a cursor to scrub through moments.

Mouse: click or drag anywhere to move the cursor (``scrubbed`` fires while
dragging, ``scrub_finished`` on release).  Keys (when focused): Left/Right =
previous/next moment, Shift+Left/Right = one hour, Home/End = first/last
moment, PageUp/PageDown = previous/next day.  The strip only paints and
reports; the timeline page decides which memory a time means.

Threads: GUI thread only.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui import theme

MARGIN_X = 14
LABEL_H = 18
TICK_H = 8


class HourStrip(QWidget):
    scrubbed = Signal(object)  # datetime under the cursor while dragging
    scrub_finished = Signal(object)  # datetime where the drag ended
    step_requested = Signal(int)  # -1 / +1: previous / next moment
    edge_requested = Signal(int)  # -1: first moment of the day, +1: last
    day_requested = Signal(int)  # -1 / +1: previous / next day
    hovered = Signal(object)  # datetime under the pointer (not dragging), None when it leaves

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Hour strip")
        self.setAccessibleDescription("Activity through the day. Left and Right arrows step through moments, "
                                      "Shift with arrows moves an hour, Page Up and Page Down change the day.")
        self._start = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        self._end = self._start + timedelta(days=1)
        self._bins: list[int] = []
        self._moments: list[float] = []
        self._cursor: float | None = None
        self._hover: float | None = None
        self._dragging = False

    # -- data -------------------------------------------------------------------------
    def set_day(self, start: datetime, end: datetime) -> None:
        self._start, self._end = start, end
        self._bins, self._moments, self._cursor = [], [], None
        self.update()

    def set_histogram(self, counts: list[int]) -> None:
        self._bins = list(counts)
        self.update()

    def set_moments(self, stamps: list[float]) -> None:
        self._moments = stamps
        self.update()

    def set_cursor(self, moment: datetime | None) -> None:
        self._cursor = moment.timestamp() if moment is not None else None
        if moment is not None:
            self.setAccessibleDescription(f"Cursor at {moment.astimezone().strftime('%H:%M')}")
        self.update()

    def cursor(self) -> datetime | None:
        return datetime.fromtimestamp(self._cursor).astimezone() if self._cursor is not None else None

    def histogram(self) -> list[int]:
        return list(self._bins)

    def sizeHint(self) -> QSize:
        return QSize(720, 84)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 84)

    # -- geometry -----------------------------------------------------------------------
    def _track(self) -> QRectF:
        return QRectF(MARGIN_X, LABEL_H + 2, max(1.0, self.width() - 2 * MARGIN_X),
                      self.height() - LABEL_H - 2 - TICK_H - 6)

    def _x_of(self, ts: float) -> float:
        track = self._track()
        span = max(1.0, self._end.timestamp() - self._start.timestamp())
        return track.left() + (ts - self._start.timestamp()) / span * track.width()

    def _ts_of(self, x: float) -> float:
        track = self._track()
        span = self._end.timestamp() - self._start.timestamp()
        frac = min(1.0, max(0.0, (x - track.left()) / track.width()))
        return self._start.timestamp() + frac * span

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        c = theme.colours()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = self._track()
        # track background
        p.setPen(QPen(QColor(c.border), 1))
        p.setBrush(QColor(c.base))
        p.drawRoundedRect(track.adjusted(-4, -2, 4, TICK_H + 4), 8, 8)
        # hour grid + labels
        hours = max(1, round((self._end - self._start).total_seconds() / 3600))
        px_per_hour = track.width() / hours
        label_every = next(n for n in (1, 2, 3, 4, 6, 12, 24) if n * px_per_hour >= 34)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.82))
        p.setFont(small)
        for h in range(hours + 1):
            x = track.left() + h * px_per_hour
            grid = QColor(c.border)
            grid.setAlpha(140 if h % label_every == 0 else 60)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(x, track.top()), QPointF(x, track.bottom()))
            # an hour label under the cursor's time bubble is left out rather than half covered
            covered = self._cursor is not None and abs(x - self._x_of(self._cursor)) < 44
            if h % label_every == 0 and h < hours and not covered:
                p.setPen(QColor(c.muted))
                moment = self._start + timedelta(hours=h)
                p.drawText(QRectF(x - 20, 0, 40, LABEL_H), Qt.AlignmentFlag.AlignCenter,
                           moment.astimezone().strftime("%H:%M"))
        # density bars
        if self._bins:
            peak = max(self._bins) or 1
            bar_w = track.width() / len(self._bins)
            bar = QColor(c.density)
            for i, count in enumerate(self._bins):
                if count <= 0:
                    continue
                frac = math.sqrt(count / peak)
                h = max(2.0, frac * (track.height() - 4))
                bar.setAlphaF(0.35 + 0.65 * frac)
                p.fillRect(QRectF(track.left() + i * bar_w + 0.5, track.bottom() - h, max(1.0, bar_w - 1), h), bar)
        else:
            p.setPen(QColor(c.muted))
            p.drawText(track, Qt.AlignmentFlag.AlignCenter, "No activity recorded on this day")
        # moment ticks
        if self._moments:
            tick = QColor(c.text)
            tick.setAlpha(110)
            p.setPen(QPen(tick, 1))
            y0 = track.bottom() + 3
            last_x = -10.0
            for ts in self._moments:
                x = self._x_of(ts)
                if x - last_x >= 2:
                    p.drawLine(QPointF(x, y0), QPointF(x, y0 + TICK_H - 3))
                    last_x = x
        # now marker
        now = datetime.now().timestamp()
        if self._start.timestamp() <= now < self._end.timestamp():
            x = self._x_of(now)
            p.setPen(QPen(QColor(c.danger), 1.5, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x, track.top()), QPointF(x, track.bottom() + TICK_H))
        # hover
        if self._hover is not None and not self._dragging:
            x = self._x_of(self._hover)
            hover = QColor(c.text)
            hover.setAlpha(70)
            p.setPen(QPen(hover, 1))
            p.drawLine(QPointF(x, track.top()), QPointF(x, track.bottom()))
        # cursor
        if self._cursor is not None:
            x = self._x_of(self._cursor)
            accent = QColor(c.accent)
            p.setPen(QPen(accent, 2))
            p.drawLine(QPointF(x, track.top() - 1), QPointF(x, track.bottom() + TICK_H))
            path = QPainterPath()
            path.addEllipse(QPointF(x, track.top() - 1), 5, 5)
            p.fillPath(path, accent)
            label = datetime.fromtimestamp(self._cursor).astimezone().strftime("%H:%M")
            bold = QFont(small)
            bold.setBold(True)
            p.setFont(bold)
            w = p.fontMetrics().horizontalAdvance(label) + 12
            lx = min(max(x - w / 2, 0), self.width() - w)
            bubble = QRectF(lx, 0, w, LABEL_H - 1)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(accent)
            p.drawRoundedRect(bubble, 6, 6)
            p.setPen(QColor(c.accent_text))
            p.drawText(bubble, Qt.AlignmentFlag.AlignCenter, label)
        if self.hasFocus():
            focus = QColor(c.accent)
            focus.setAlpha(120)
            p.setPen(QPen(focus, 1.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(track.adjusted(-5, -3, 5, TICK_H + 5), 9, 9)
        p.end()

    # -- input ----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._scrub_to(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging:
            self._scrub_to(event.position().x())
        else:
            self._hover = self._ts_of(event.position().x())
            ts = datetime.fromtimestamp(self._hover).astimezone()
            self.setToolTip(ts.strftime("%H:%M") + self._count_hint(self._hover))
            self.hovered.emit(ts)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False
            self._scrub_to(event.position().x())
            cursor = self.cursor()
            if cursor is not None:
                self.scrub_finished.emit(cursor)

    def leaveEvent(self, event: object) -> None:
        self._hover = None
        self.hovered.emit(None)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            direction = -1 if key == Qt.Key.Key_Left else 1
            if shift:
                base = self._cursor if self._cursor is not None else self._start.timestamp()
                target = min(max(base + direction * 3600, self._start.timestamp()), self._end.timestamp() - 1)
                self._cursor = target
                moment = datetime.fromtimestamp(target).astimezone()
                self.update()
                self.scrub_finished.emit(moment)
            else:
                self.step_requested.emit(direction)
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            self.edge_requested.emit(-1 if key == Qt.Key.Key_Home else 1)
        elif key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.day_requested.emit(-1 if key == Qt.Key.Key_PageUp else 1)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: object) -> None:
        self.update()
        super().focusInEvent(event)  # type: ignore[arg-type]

    def focusOutEvent(self, event: object) -> None:
        self.update()
        super().focusOutEvent(event)  # type: ignore[arg-type]

    def _scrub_to(self, x: float) -> None:
        self._cursor = self._ts_of(x)
        self.update()
        cursor = self.cursor()
        if cursor is not None:
            self.scrubbed.emit(cursor)

    def _count_hint(self, ts: float) -> str:
        if not self._bins:
            return ""
        span = self._end.timestamp() - self._start.timestamp()
        index = int((ts - self._start.timestamp()) / span * len(self._bins))
        if 0 <= index < len(self._bins):
            n = self._bins[index]
            return f" · {n} memor{'y' if n == 1 else 'ies'}"
        return ""

"""Week and month views: how much was remembered when, as a heat map.

Week: seven rows (days) by 24 columns (hours).  Month: a calendar whose day
cells show the count and a small per-hour profile.  Click a cell, or move
with the arrow keys and press Enter, to open that day (and hour) in the day
view.  Data is hourly counts keyed by local ``(date, hour)``; the page loads
them with ``vault.activity_histogram`` in a background task.

Threads: GUI thread only.
"""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui import theme

HourCounts = dict[tuple[date, int], int]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_grid(day: date) -> list[date]:
    """The 6×7 dates shown for ``day``'s month, Monday first."""
    first = day.replace(day=1)
    start = week_start(first)
    return [start + timedelta(days=i) for i in range(42)]


def own_counts(counts: HourCounts, mode: str, anchor: date) -> HourCounts:
    """The counts the period's title speaks for: a month grid also shows its neighbours' days (greyed),
    but "November 2026 · N memories" counts November alone, as its cells do."""
    if mode != "month":
        return counts
    return {key: n for key, n in counts.items() if (key[0].year, key[0].month) == (anchor.year, anchor.month)}


class DensityView(QWidget):
    day_chosen = Signal(object, object)  # date, hour (int) or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Activity calendar")
        self._mode = "week"
        self._anchor = date.today()
        self._counts: HourCounts = {}
        self._selected: tuple[date, int | None] = (self._anchor, None)
        self._hover: tuple[date, int | None] | None = None
        self._loading = False

    # -- state ----------------------------------------------------------------------
    def set_mode(self, mode: str, anchor: date) -> None:
        self._mode = mode
        self._anchor = anchor
        self._selected = (anchor, None)
        self._counts = {}
        self.setAccessibleDescription(
            "Week by hour: arrow keys move, Enter opens the day" if mode == "week"
            else "Month calendar: arrow keys move between days, Enter opens the day")
        self.update()

    def set_loading(self, loading: bool) -> None:
        self._loading = loading
        self.update()

    def set_counts(self, counts: HourCounts) -> None:
        self._counts = counts
        self._loading = False
        self.update()

    def days(self) -> list[date]:
        if self._mode == "week":
            start = week_start(self._anchor)
            return [start + timedelta(days=i) for i in range(7)]
        return month_grid(self._anchor)

    def range(self) -> tuple[date, date]:
        days = self.days()
        return days[0], days[-1] + timedelta(days=1)

    def total(self, day: date) -> int:
        return sum(self._counts.get((day, h), 0) for h in range(24))

    def mode(self) -> str:
        return self._mode

    def sizeHint(self) -> QSize:
        return QSize(800, 480)

    # -- geometry ----------------------------------------------------------------------
    def _week_layout(self) -> tuple[QRectF, float, float]:
        left, top, right = 92.0, 26.0, 70.0
        area = QRectF(left, top, max(10.0, self.width() - left - right - 12), max(10.0, self.height() - top - 16))
        return area, area.width() / 24, min(area.height() / 7, 84.0)

    def _month_layout(self) -> tuple[QRectF, float, float]:
        top = 26.0
        area = QRectF(12, top, max(10.0, self.width() - 24), max(10.0, self.height() - top - 12))
        return area, area.width() / 7, area.height() / 6

    def _cell_at(self, pos: QPointF) -> tuple[date, int | None] | None:
        if self._mode == "week":
            area, cw, ch = self._week_layout()
            if not QRectF(area.left(), area.top(), area.width(), ch * 7).contains(pos):
                return None
            row = int((pos.y() - area.top()) / ch)
            col = int((pos.x() - area.left()) / cw)
            return self.days()[row], min(col, 23)
        area, cw, ch = self._month_layout()
        if not area.contains(pos):
            return None
        row = int((pos.y() - area.top()) / ch)
        col = int((pos.x() - area.left()) / cw)
        return self.days()[min(41, row * 7 + col)], None

    # -- paint ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._mode == "week":
            self._paint_week(p)
        else:
            self._paint_month(p)
        if self._loading:
            c = theme.colours()
            p.setPen(QColor(c.muted))
            p.drawText(self.rect().adjusted(0, 0, -12, -4), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                       "Loading…")
        p.end()

    def _heat(self, value: int, peak: int) -> QColor:
        c = theme.colours()
        colour = QColor(c.density)
        if value <= 0:
            empty = QColor(c.alt_base)
            return empty
        colour.setAlphaF(0.18 + 0.82 * math.sqrt(value / max(1, peak)))
        return colour

    def _paint_week(self, p: QPainter) -> None:
        c = theme.colours()
        area, cw, ch = self._week_layout()
        days = self.days()
        peak = max((self._counts.get((d, h), 0) for d in days for h in range(24)), default=0)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        p.setFont(small)
        p.setPen(QColor(c.muted))
        for h in range(0, 24, 3):
            p.drawText(QRectF(area.left() + h * cw - 2, 4, cw * 3, 18), Qt.AlignmentFlag.AlignLeft, f"{h:02d}:00")
        today = date.today()
        for row, d in enumerate(days):
            y = area.top() + row * ch
            label_font = QFont(small)
            label_font.setBold(d == today)
            p.setFont(label_font)
            p.setPen(QColor(c.text if d == today else c.muted))
            p.drawText(QRectF(0, y, area.left() - 10, ch), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"{d.strftime('%a')} {d.day} {d.strftime('%b')}")
            p.setFont(small)
            for h in range(24):
                cell = QRectF(area.left() + h * cw + 1, y + 2, cw - 2, ch - 4)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(self._heat(self._counts.get((d, h), 0), peak))
                p.drawRoundedRect(cell, 3, 3)
                if (d, h) == self._selected:
                    p.setPen(QPen(QColor(c.accent), 2))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRoundedRect(cell.adjusted(-1, -1, 1, 1), 4, 4)
                elif self._hover == (d, h):
                    p.setPen(QPen(QColor(c.text), 1))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRoundedRect(cell, 3, 3)
            total = self.total(d)
            p.setPen(QColor(c.muted))
            p.drawText(QRectF(area.right() + 8, y, 70, ch), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       f"{total:,}" if total else "–")
        if self._selected[1] is None and self._selected[0] in days:
            row = days.index(self._selected[0])
            p.setPen(QPen(QColor(c.accent), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(area.left() - 2, area.top() + row * ch, area.width() + 4, ch), 5, 5)

    def _paint_month(self, p: QPainter) -> None:
        c = theme.colours()
        area, cw, ch = self._month_layout()
        days = self.days()
        month = self._anchor.month
        peak = max((self.total(d) for d in days), default=0)
        hour_peak = max((self._counts.get((d, h), 0) for d in days for h in range(24)), default=0)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        p.setFont(small)
        p.setPen(QColor(c.muted))
        for i, name in enumerate(calendar.day_abbr):
            p.drawText(QRectF(area.left() + i * cw, 4, cw, 18), Qt.AlignmentFlag.AlignCenter, name)
        today = date.today()
        for i, d in enumerate(days):
            cell = QRectF(area.left() + (i % 7) * cw + 2, area.top() + (i // 7) * ch + 2, cw - 4, ch - 4)
            total = self.total(d)
            in_month = d.month == month
            bg = QColor(c.base if in_month else c.window)
            p.setPen(QPen(QColor(c.border), 1))
            p.setBrush(bg)
            p.drawRoundedRect(cell, 7, 7)
            if total:
                heat = self._heat(total, peak)
                heat.setAlphaF(heat.alphaF() * (0.45 if in_month else 0.2))
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(heat)
                p.drawRoundedRect(cell, 7, 7)
            # day number
            num_font = QFont(small)
            num_font.setBold(d == today)
            num_font.setPointSizeF(small.pointSizeF() * 1.15)
            p.setFont(num_font)
            p.setPen(QColor(c.text if in_month else c.muted))
            p.drawText(cell.adjusted(8, 5, -8, -5), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, str(d.day))
            p.setFont(small)
            if total:
                p.setPen(QColor(c.muted if not in_month else c.text))
                p.drawText(cell.adjusted(8, 5, -8, -5), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                           f"{total:,}")
                # mini hour profile along the bottom of the cell
                prof = QRectF(cell.left() + 8, cell.bottom() - min(28.0, cell.height() * 0.4) - 6,
                              cell.width() - 16, min(28.0, cell.height() * 0.4))
                bw = prof.width() / 24
                bar = QColor(c.density)
                for h in range(24):
                    v = self._counts.get((d, h), 0)
                    if v:
                        bh = max(1.5, math.sqrt(v / max(1, hour_peak)) * prof.height())
                        p.fillRect(QRectF(prof.left() + h * bw, prof.bottom() - bh, max(1.0, bw - 0.8), bh), bar)
            if d == today:
                p.setPen(QPen(QColor(c.accent), 1.5))  # today: the accent, not an alarm
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(cell.adjusted(1, 1, -1, -1), 6, 6)
            if self._selected[0] == d:
                p.setPen(QPen(QColor(c.accent), 2.2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(cell.adjusted(-1, -1, 1, 1), 8, 8)
            elif self._hover is not None and self._hover[0] == d:
                p.setPen(QPen(QColor(c.text), 1))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(cell, 7, 7)

    # -- input -----------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self._cell_at(event.position())
        if cell != self._hover:
            self._hover = cell
            if cell is not None:
                d, h = cell
                n = self._counts.get((d, h), 0) if h is not None else self.total(d)
                when = f"{d.strftime('%a')} {d.day} {d.strftime('%b')}" + (f", {h:02d}:00" if h is not None else "")
                self.setToolTip(f"{when}: {n:,} memor{'y' if n == 1 else 'ies'}")
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self._cell_at(event.position())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self._selected = cell
            self.update()
            self.day_chosen.emit(cell[0], cell[1])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        d, h = self._selected
        key = event.key()
        if self._mode == "week":
            hour = h if h is not None else 9
            moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0),
                     Qt.Key.Key_Down: (1, 0)}
            if key in moves:
                dd, dh = moves[key]
                hour = min(23, max(0, hour + dh))
                nd = d + timedelta(days=dd)
                days = self.days()
                if nd in days:
                    self._selected = (nd, hour)
                self.update()
                return
        else:
            moves_m = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -7, Qt.Key.Key_Down: 7}
            if key in moves_m:
                nd = d + timedelta(days=moves_m[key])
                if nd in self.days():
                    self._selected = (nd, None)
                self.update()
                return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.day_chosen.emit(*self._selected)
            return
        super().keyPressEvent(event)

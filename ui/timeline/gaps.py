"""The capture band under the day's hour strip: when the screen was captured, and each gap with its reason on hover.

``CaptureBand`` paints the screen ledger (``Vault.capture_coverage``) of the
day on the hour strip's time axis: captured minutes as a thin green line,
gaps as coloured blocks (paused, locked or asleep, excluded app or private
window, display unavailable, error, Cairn not running).  Hovering a gap
shows its times and reason.  It follows the page's ``day_shown`` itself,
reloads today's ledger each minute and when new memories arrive, and clears when locked;
``box`` is the strip with the band under it, for the page's layout.

Threads: GUI thread only (the read runs on a worker).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSize, QTimer, SignalInstance
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from ui import fmt, theme
from ui.operations import QueryOp
from ui.session import Session
from ui.timeline.hour_strip import MARGIN_X

if TYPE_CHECKING:
    from core.vault import Vault

BAND_H = 16


def load_ledger(session: Session, start: datetime, end: datetime) -> QueryOp[list[Any]]:
    """The day's capture ledger as spans (``start``, ``end``, ``state``, ``reason()``); ``end`` capped at now."""
    def read(vault: Vault) -> list[Any]:
        stop = min(end, datetime.now().astimezone())
        return list(vault.capture_coverage(start, stop).spans) if stop > start else []

    return QueryOp(session, read, label="capture ledger")


def strip_with_band(strip: QWidget, band: CaptureBand) -> QWidget:
    """The hour strip with the capture band right under it, as one widget."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(strip)
    layout.addWidget(band)
    return box


def _colour(state: str) -> QColor:
    c = theme.colours()
    colour = {
        "captured": c.ok, "idle": c.muted, "paused": c.warning, "locked": c.accent, "asleep": c.accent,
        "excluded": "#8a63d2", "unavailable": c.danger, "error": c.danger, "off": c.border,
    }.get(state, c.muted)
    return QColor(colour)


class CaptureBand(QWidget):
    """A thin band on the hour strip's axis: green where captured, a coloured block per gap."""

    def __init__(self, session: Session, strip: QWidget, day_shown: SignalInstance) -> None:
        super().__init__()
        self._session = session
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Screen capture gaps")
        self._start = 0.0
        self._end = 1.0
        self._spans: list[Any] = []
        self._generation = 0
        self.loads = 0  # ledger reads finished (tests wait on it)
        self.box = strip_with_band(strip, self)
        day_shown.connect(self.show_day)
        session.changed.connect(self._changed)
        session.locked.connect(lambda: self.set_spans([]))
        # Today's ledger grows a minute at a time even when nothing new is stored (paused, locked, vetoed).
        self._minutely = QTimer(self)
        self._minutely.setInterval(60_000)
        self._minutely.timeout.connect(lambda: self._changed(frozenset({"items"})))
        self._minutely.start()

    def show_day(self, day: date) -> None:
        """Show ``day``'s ledger (read on a worker)."""
        start, end = fmt.day_bounds(day)
        self.set_day(start, end)
        self._load()

    def _load(self) -> None:
        if self._session.vault is None:
            return
        self._generation += 1
        generation = self._generation
        start, end = datetime.fromtimestamp(self._start).astimezone(), datetime.fromtimestamp(self._end).astimezone()

        def done(spans: list[Any]) -> None:
            if generation == self._generation:
                self.set_spans(spans)
                self.loads += 1

        load_ledger(self._session, start, end).success(done).owned_by(self).run()

    def _changed(self, what: frozenset[str]) -> None:
        """New memories: today's ledger has grown (its closed minutes are written as capture goes on)."""
        if "items" in what and self._start <= datetime.now().timestamp() < self._end:
            self._load()

    def set_day(self, start: datetime, end: datetime) -> None:
        self._start, self._end, self._spans = start.timestamp(), end.timestamp(), []
        self._describe()
        self.update()

    def set_spans(self, spans: list[Any]) -> None:
        """The day's ledger; a day without any record (nothing was ever captured then) shows no band."""
        self._spans = list(spans) if any(s.state != "off" for s in spans) else []
        self._describe()
        self.update()

    def gaps(self) -> list[Any]:
        return [s for s in self._spans if s.state != "captured"]

    def span_at(self, x: float) -> Any | None:
        ts = self._ts_of(x)
        return next((s for s in self._spans if s.start <= ts < s.end), None)

    def tooltip_at(self, x: float) -> str:
        span = self.span_at(x)
        if span is None:
            return ""
        when = f"{_clock(span.start)}–{_clock(span.end)}"
        return f"{when} · screen captured" if span.state == "captured" else f"{when} · not captured: {span.reason()}"

    def x_of(self, ts: float) -> float:
        width = max(1.0, self.width() - 2 * MARGIN_X)
        return MARGIN_X + (ts - self._start) / max(1.0, self._end - self._start) * width

    def sizeHint(self) -> QSize:
        return QSize(720, BAND_H)

    def _ts_of(self, x: float) -> float:
        width = max(1.0, self.width() - 2 * MARGIN_X)
        return self._start + (x - MARGIN_X) / width * (self._end - self._start)

    def _describe(self) -> None:
        gaps = self.gaps()
        captured = sum(s.end - s.start for s in self._spans if s.state == "captured") // 60
        self.setAccessibleDescription(
            f"{captured} minutes captured, {len(gaps)} gaps" if self._spans else "No capture record for this day")

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        mid = self.height() / 2
        for span in self._spans:
            left, right = self.x_of(span.start), self.x_of(span.end)
            colour = _colour(span.state)
            if span.state == "captured":
                p.fillRect(QRectF(left, mid - 1.5, max(1.0, right - left), 3), colour)
            else:
                colour.setAlphaF(0.45 if span.state in ("off", "idle") else 0.85)
                p.fillRect(QRectF(left, 2, max(1.5, right - left), self.height() - 4), colour)
        if not self._spans:
            p.setPen(QColor(theme.colours().border))
            p.drawLine(QPointF(MARGIN_X, mid), QPointF(self.width() - MARGIN_X, mid))
        p.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.setToolTip(self.tooltip_at(event.position().x()))
        super().mouseMoveEvent(event)


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().strftime("%H:%M")


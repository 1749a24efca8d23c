"""Capture health, always visible: polled every two seconds, shown in the status bar and tray.

``HealthMonitor`` reads :class:`core.host.control.CaptureHealth` on a worker
and emits ``updated``; ``HealthBar`` is the status-bar widget (a coloured dot,
the state, "last indexed N s ago", the OCR backlog, and any warning).

Threads: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from core.changes import ITEMS, changes
from core.host.control import CaptureControl, CaptureHealth
from ui import fmt, theme
from ui.capture import operations as capture_ops
from ui.session import Session

POLL_MS = 2000
COVERAGE_EVERY = 30  # polls between two readings of today's capture ledger (a minute)


class HealthMonitor(QObject):
    updated = Signal(object)  # CaptureHealth
    coverage = Signal(str)  # today's capture coverage and newest gap, one line ("" when unknown)
    files = Signal(str)  # what the folder watcher is OCR'ing now ("scan.pdf: OCR page 37 of 200"), or ""

    def __init__(self, session: Session, control: CaptureControl, parent: QObject | None = None,
                 activity: Callable[[], str | None] | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.control = control
        self._activity = activity
        self.last: CaptureHealth | None = None
        self._in_flight = False
        self._polls = 0
        self.clock: Callable[[], datetime] = lambda: datetime.now().astimezone()  # "today" ends here
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()

    def poll(self) -> None:
        if self._in_flight:
            return
        self._in_flight = True
        if self._session.is_unlocked and self._polls % COVERAGE_EVERY == 0:
            capture_ops.read_coverage(self._session, self.clock()).success(self.coverage.emit).owned_by(self).run()
        self._polls += 1
        if self._activity is not None:
            files = capture_ops.read_files_activity(self._session, self._activity)
            files.success(lambda line: self.files.emit(line or "")).owned_by(self).run()
        reading = capture_ops.read_health(self._session, self.control)
        reading.success(self._got).failure(self._failed).owned_by(self).run()

    def pause(self, minutes: float | None = None) -> None:
        pausing = capture_ops.pause(self._session, self.control, minutes)
        pausing.success(lambda _r: self.poll()).owned_by(self).run()

    def resume(self) -> None:
        capture_ops.resume(self._session, self.control).success(lambda _r: self.poll()).owned_by(self).run()

    def _got(self, health: CaptureHealth) -> None:
        self._in_flight = False
        previous = self.last
        self.last = health
        self.updated.emit(health)
        # New frames were stored: views showing "now" can page them in.  The first report counts too:
        # a frame stored before it (a slow first poll) would otherwise never be paged in.
        known = previous.last_indexed_at if previous is not None else None
        if self._session.is_unlocked and health.last_indexed_at is not None and health.last_indexed_at != known:
            self._session.changed.emit(changes(ITEMS))

    def _failed(self, _exc: BaseException) -> None:
        self._in_flight = False


class _Dot(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self._colour = QColor("#888888")
        self.setFixedSize(QSize(12, 12))

    def set_colour(self, colour: str) -> None:
        self._colour = QColor(colour)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._colour)
        p.drawEllipse(2, 2, 8, 8)
        p.end()


class HealthBar(QWidget):
    """The left part of the status bar: capture state and freshness."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._health: CaptureHealth | None = None
        self.coverage = ""  # today's capture coverage (HealthMonitor.coverage), shown in the tooltip
        self.stopped_hint = "start it with `cairn daemon`"  # what to say when no capture runs
        self.stopped_headline: str | None = None  # instead of "not running", e.g. the demo's "capturing is off"
        self.dot = _Dot()
        self.state = QLabel("Checking capture…")
        self.state.setAccessibleName("Capture status")
        self.detail = QLabel()
        self.detail.setProperty("muted", True)
        self.detail.setAccessibleName("Capture details")
        self.warning_icon = QLabel()  # the warning icon from assets/icons (no emoji: fonts may lack it)
        self.warning_icon.hide()
        self.warning = QLabel()
        self.warning.setAccessibleName("Capture warning")
        self.files = QLabel()  # the folder watcher's OCR page, while a scan or an image is read
        self.files.setProperty("muted", True)
        self.files.setAccessibleName("Folder indexing progress")
        self.files.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.dot)
        layout.addWidget(self.state)
        layout.addWidget(self.detail)
        layout.addWidget(self.warning_icon)
        layout.addWidget(self.warning)
        layout.addWidget(self.files)
        layout.addStretch(1)
        session.locked.connect(self._refresh)
        session.unlocked.connect(self._refresh)

    def show_health(self, health: CaptureHealth) -> None:
        self._health = health
        self._refresh()

    def text(self) -> str:
        return " ".join(w.text() for w in (self.state, self.detail, self.warning, self.files) if w.text())

    def show_files(self, line: str) -> None:
        """The folder watcher's OCR progress ("" hides it); shown while unlocked."""
        shown = bool(line) and self._session.is_unlocked
        self.files.setText(f"· indexing {line}" if shown else "")
        self.files.setVisible(shown)

    def _refresh(self, *_args: Any) -> None:
        c = theme.colours()
        h = self._health
        if not self._session.is_unlocked:
            self.dot.set_colour(c.danger)
            head = "Locked"
            if h is not None and h.paused:
                head = "Locked · capture paused"
            self.state.setText(head)
            self.detail.setText("· unlock to see your memory")
            self.warning.setText("")
            self.warning_icon.hide()
            return
        if h is None:
            self.dot.set_colour(c.muted)
            self.state.setText("Checking capture…")
            return
        colour = {"capturing": c.ok, "paused": c.warning, "stalled": c.danger, "idle": c.muted}.get(h.state, c.muted)
        self.dot.set_colour(colour)
        off = not h.running and not h.paused
        self.state.setText(self.stopped_headline if off and self.stopped_headline else h.headline())
        details = []
        if h.running:
            # right after start nothing has been indexed yet: "waiting for the first change", not "never"
            details.append(f"last indexed {fmt.fmt_age(h.last_indexed_s)}" if h.last_indexed_s is not None
                           else "waiting for the first screen change")
            if h.backlog is not None:
                details.append(f"backlog {h.backlog}")
        elif not h.paused and self.stopped_hint:
            details.append(self.stopped_hint)
        self.detail.setText("· " + " · ".join(details) if details else "")
        if h.warnings:
            self.warning_icon.setPixmap(theme.icon("warning", c.danger).pixmap(16, 16))
            self.warning_icon.show()
            self.warning.setText(h.warnings[0])
            self.warning.setStyleSheet(f"color: {c.danger}; font-weight: 600;")
            self.warning.setToolTip("\n".join(h.warnings))
        else:
            self.warning.setText("")
            self.warning_icon.hide()
        self.setToolTip("\n".join(t for t in (h.detail or h.headline(), self.coverage) if t))

    def show_coverage(self, text: str) -> None:
        self.coverage = text
        self._refresh()

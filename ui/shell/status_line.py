"""The right-hand side of the window's status bar: short notices, "Working…", the memory count, pause/resume.

``flash(text)`` shows a notice for a few seconds without hiding the capture
health (which fills the left side); "Working…" appears only for background
work that takes longer than 400 ms; ``show_paused(paused)`` sets the pause
button's face.

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton

from ui import theme
from ui.tasks import TaskManager


class StatusLine(QObject):
    """The notice, busy, count and pause widgets, added to ``bar`` as permanent widgets."""

    def __init__(self, bar: QStatusBar, tasks: TaskManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.flash_label = QLabel()
        self.flash_label.setAccessibleName("Notice")
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self.flash_label.clear)
        self.busy_label = QLabel()
        self.busy_label.setProperty("muted", True)
        self.count_label = QLabel()
        self.count_label.setProperty("muted", True)
        self.count_label.setAccessibleName("Memories stored")
        self.pause_button = QToolButton()
        self.pause_button.setObjectName("Flat")
        self.pause_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for widget in (self.flash_label, self.busy_label, self.count_label, self.pause_button):
            bar.addPermanentWidget(widget)
        bar.setSizeGripEnabled(False)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(400)  # only say "working" for work that takes a while
        self._busy_timer.timeout.connect(lambda: self.busy_label.setText("Working…" if tasks.running else ""))
        tasks.busy_changed.connect(self._busy_changed)
        self.show_paused(False)

    def flash(self, text: str, ms: int = 4000, error: bool = False) -> None:
        """A short notice that does not hide the capture health."""
        colour = theme.colours().danger if error else theme.colours().text
        self.flash_label.setStyleSheet(f"color: {colour};")
        self.flash_label.setText(text)
        self._flash_timer.start(ms)

    def show_paused(self, paused: bool) -> None:
        self.pause_button.setIcon(theme.icon("play" if paused else "pause"))
        self.pause_button.setText("Resume capture" if paused else "Pause capture")
        self.pause_button.setAccessibleName("Resume capture" if paused else "Pause capture")
        self.pause_button.setToolTip("Ctrl+P")

    def _busy_changed(self, running: int) -> None:
        if running:
            if not self._busy_timer.isActive():
                self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_label.setText("")

"""The Capture tab: whether and how often the screen is looked at, idle pause, and which monitors.

Fields: ``screen_enabled``, ``capture_interval_s``, ``idle_pause_minutes``
and ``monitors`` (empty means every monitor; otherwise 1-based indexes of
``QGuiApplication.screens()`` as listed when the dialog opened).

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QListWidget, QListWidgetItem, QWidget

from ui.settings.section import SettingsSection, muted_note

if TYPE_CHECKING:
    from core.settings import Settings


class CaptureSection(SettingsSection):
    """Screen capture on/off, interval, idle pause and the monitors to capture."""

    TITLE: ClassVar[str] = "Capture"
    ICON: ClassVar[str] = "screen"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        s = settings
        self.screen_enabled = QCheckBox("Remember what is on screen")
        self.screen_enabled.setChecked(s.screen_enabled)
        self.screen_enabled.setAccessibleName("Screen capture enabled")
        self.form.addRow(self.screen_enabled)
        self.interval = QDoubleSpinBox()
        self.interval.setRange(1.0, 120.0)
        self.interval.setSingleStep(0.5)
        self.interval.setSuffix(" s")
        self.interval.setDecimals(1)
        self.interval.setValue(s.capture_interval_s)
        self.interval.setAccessibleName("Capture interval in seconds")
        self.form.addRow("Look at the screen every", self.interval)
        self.idle = QDoubleSpinBox()
        self.idle.setRange(0.5, 240.0)
        self.idle.setSuffix(" min")
        self.idle.setDecimals(1)
        self.idle.setValue(s.idle_pause_minutes)
        self.idle.setAccessibleName("Pause after idle minutes")
        self.form.addRow("Pause when idle for", self.idle)
        self.all_monitors = QCheckBox("Every monitor")
        self.all_monitors.setAccessibleName("Capture every monitor")
        self.monitors = QListWidget()
        self.monitors.setAccessibleName("Monitors to capture")
        self.monitors.setMaximumHeight(96)
        for i, screen in enumerate(QGuiApplication.screens()):
            g = screen.geometry()
            item = QListWidgetItem(f"Monitor {i + 1}: {screen.name() or 'screen'} ({g.width()}×{g.height()})")
            item.setData(Qt.ItemDataRole.UserRole, i + 1)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if (not s.monitors or (i + 1) in s.monitors)
                               else Qt.CheckState.Unchecked)
            self.monitors.addItem(item)
        self.all_monitors.setChecked(not s.monitors)
        self.monitors.setEnabled(bool(s.monitors))
        self.all_monitors.toggled.connect(lambda on: self.monitors.setEnabled(not on))
        self.form.addRow("Monitors", self.all_monitors)
        self.form.addRow("", self.monitors)
        self.form.addRow(muted_note("Screenshots are encrypted before they touch the disk. Excluded apps and "
                               "private windows are never captured — see the Privacy tab."))

    def values(self) -> dict[str, Any]:
        monitors: tuple[int, ...] = ()
        if not self.all_monitors.isChecked():
            monitors = tuple(
                int(self.monitors.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.monitors.count())
                if self.monitors.item(i).checkState() == Qt.CheckState.Checked)
        return {
            "screen_enabled": self.screen_enabled.isChecked(),
            "capture_interval_s": round(self.interval.value(), 2),
            "idle_pause_minutes": round(self.idle.value(), 2),
            "monitors": monitors,
        }

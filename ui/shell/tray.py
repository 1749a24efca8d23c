"""The tray icon: capture state at a glance; pause, resume, pause 30 min, lock, open, about, quit.

The menu exists even where the platform has no system tray (tests, some
Wayland desktops): the same actions are reachable from the window's menu and
shortcuts there.  The icon switches between normal, paused and locked.

Threads: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from core.host.control import CaptureHealth
from ui import theme


class Tray(QObject):
    open_requested = Signal()
    pause_requested = Signal(object)  # minutes (float) or None: until resumed
    resume_requested = Signal()
    lock_requested = Signal()
    quit_requested = Signal()
    autofill_requested = Signal()
    fill_form_requested = Signal()
    about_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.menu = QMenu()
        self.menu.setAccessibleName("Cairn tray menu")
        self.status_action = QAction("Checking capture…", self)
        self.status_action.setEnabled(False)
        self.coverage_action = QAction("", self)  # today's capture coverage and newest gap
        self.coverage_action.setEnabled(False)
        self.coverage_action.setVisible(False)
        self.open_action = QAction(theme.icon("open"), "Open Cairn", self)
        self.pause_action = QAction(theme.icon("pause"), "Pause capture", self)
        self.pause30_action = QAction(theme.icon("clock"), "Pause for 30 minutes", self)
        self.resume_action = QAction(theme.icon("play"), "Resume capture", self)
        self.autofill_action = QAction("Autofill a field…\tCtrl+Alt+A", self)
        self.fill_form_action = QAction("Fill the form in the focused window…", self)
        self.lock_action = QAction(theme.icon("lock"), "Lock Cairn", self)
        self.about_action = QAction(theme.icon("help"), "About Cairn", self)
        self.quit_action = QAction(theme.icon("quit"), "Quit Cairn", self)
        self.open_action.triggered.connect(self.open_requested)
        self.pause_action.triggered.connect(lambda: self.pause_requested.emit(None))
        self.pause30_action.triggered.connect(lambda: self.pause_requested.emit(30.0))
        self.resume_action.triggered.connect(self.resume_requested)
        self.autofill_action.triggered.connect(self.autofill_requested)
        self.fill_form_action.triggered.connect(self.fill_form_requested)
        self.lock_action.triggered.connect(self.lock_requested)
        self.about_action.triggered.connect(self.about_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.status_action)
        self.menu.addAction(self.coverage_action)
        self.menu.addSeparator()
        self.menu.addAction(self.open_action)
        self.menu.addSeparator()
        for action in (self.pause_action, self.pause30_action, self.resume_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.autofill_action)
        self.menu.addAction(self.fill_form_action)
        self.menu.addSeparator()
        self.menu.addAction(self.lock_action)
        self.menu.addAction(self.about_action)
        self.menu.addAction(self.quit_action)
        self.resume_action.setVisible(False)

        self.icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(theme.app_icon(), self)
            self.icon.setContextMenu(self.menu)
            self.icon.setToolTip("Cairn")
            self.icon.activated.connect(self._activated)
            self.icon.show()

    def available(self) -> bool:
        return self.icon is not None

    def notify(self, text: str) -> None:
        """A short balloon from the tray icon (where the user looks once the window is hidden)."""
        if self.icon is not None:
            self.icon.showMessage("Cairn", text, QSystemTrayIcon.MessageIcon.Information, 4000)

    def show_health(self, health: CaptureHealth, locked: bool) -> None:
        text = health.headline()
        if locked:
            text = "Locked" + (" · capture paused" if health.paused else "")
        elif health.warnings:  # a stalled or restarted capture is an alarm: visible from the tray too
            text = f"{text} · ⚠ {health.warnings[0]}"
        self.status_action.setText(text)
        self.pause_action.setVisible(not health.paused)
        self.pause30_action.setVisible(not health.paused)
        self.resume_action.setVisible(health.paused)
        self.lock_action.setEnabled(not locked)
        if self.icon is not None:
            state = "locked" if locked else ("paused" if health.paused else "")
            self.icon.setIcon(theme.app_icon(state))
            self.icon.setToolTip(f"Cairn — {text}")

    def show_coverage(self, text: str) -> None:
        """Today's coverage: its head in the menu (a menu line must stay short), all of it as the tooltip."""
        self.coverage_action.setText(text.split(";")[0].split(" · ")[0])
        self.coverage_action.setToolTip(text)
        self.coverage_action.setVisible(bool(text))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

"""The main window: navigation, the pages, the lock screen, capture health, tray and shortcuts.

Start-up order (fast to interactive): the window shows at once with the lock
page; ``start()`` then either shows the first-run steps or tries to unlock in
the background (keyring, or ``$CAIRN_PASSPHRASE`` when allowed): that is
``ui.shell.startup``.  Pages other
than the timeline are built the first time they are shown.

Threads: GUI thread only.  Core calls go through operations (``ui.operations``) or ``Session.run``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.host.control import CaptureControl, CaptureHealth
from ui import theme
from ui.capture.health_bar import HealthBar, HealthMonitor
from ui.importer.controller import Importer
from ui.media import MediaCache
from ui.session import Session
from ui.shell.help_overlay import HelpOverlay
from ui.shell.idle import IdleWatch
from ui.shell.lock_page import LockPage
from ui.shell.operations import flag_locked
from ui.shell.startup import Startup
from ui.shell.status_line import StatusLine
from ui.shell.tray import Tray
from ui.widgets.operations import load_stats

if TYPE_CHECKING:
    from core.vault import Vault

log = logging.getLogger(__name__)

DEMO_CAPTURE_OFF = "demo — capturing is off"
PAGES = (("timeline", "Timeline", "timeline", "Ctrl+T"), ("search", "Search", "search", "Ctrl+F"),
         ("ask", "Ask", "ask", "Ctrl+J"), ("graph", "Memory", "graph", "Ctrl+M"),
         ("profile", "Profile", "person", "Ctrl+U"))


class MainWindow(QMainWindow):
    def __init__(self, session: Session, *, allow_env_passphrase: bool = False, run_capture: bool = False) -> None:
        super().__init__()
        self.setWindowTitle("Cairn")
        self.demo = False  # `make run`: the demo vault, capture off until the user turns it on
        self.setWindowIcon(theme.app_icon())
        self.setAccessibleName("Cairn")
        self.resize(1280, 820)
        self.session = session
        self._pages: dict[str, QWidget] = {}
        self._quitting = False
        self.media = MediaCache(session)
        self.idle = IdleWatch(session, self.media, self)
        self.idle.lock_requested.connect(self.lock)
        self.importer = Importer(session, self)  # Ctrl+I, and files dropped anywhere on the window

        # -- shell: nav bar + pages --------------------------------------------------------------
        self.nav = QWidget()
        self.nav.setObjectName("NavBar")
        self.nav.setFixedWidth(84)
        nav_layout = QVBoxLayout(self.nav)
        nav_layout.setContentsMargins(8, 12, 8, 12)
        nav_layout.setSpacing(4)
        logo = QLabel()
        logo.setPixmap(theme.app_icon().pixmap(QSize(36, 36)))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        logo.setToolTip("Cairn")
        nav_layout.addWidget(logo)
        nav_layout.addSpacing(10)
        self._nav_group = QButtonGroup(self)
        self._nav_buttons: dict[str, QToolButton] = {}
        for key, label, icon_name, shortcut in PAGES:
            b = self._nav_button(label, icon_name, f"{label} ({shortcut})")
            b.setCheckable(True)
            b.clicked.connect(lambda _c=False, k=key: self.show_page(k))
            self._nav_group.addButton(b)
            self._nav_buttons[key] = b
            nav_layout.addWidget(b)
        nav_layout.addStretch(1)
        self.settings_button = self._nav_button("Settings", "settings", "Settings (Ctrl+,)")
        self.settings_button.clicked.connect(self.open_settings)
        self.help_button = self._nav_button("Help", "help", "Keyboard shortcuts (F1)")
        self.help_button.clicked.connect(self.toggle_help)
        self.lock_button = self._nav_button("Lock", "lock", "Lock Cairn (Ctrl+L)")
        self.lock_button.clicked.connect(self.lock)
        for b in (self.settings_button, self.help_button, self.lock_button):
            nav_layout.addWidget(b)

        self.pages = QStackedWidget()
        shell = QWidget()
        shell_layout = QHBoxLayout(shell)
        shell_layout.setContentsMargins(0, 0, 0, 0)
        shell_layout.setSpacing(0)
        shell_layout.addWidget(self.nav)
        shell_layout.addWidget(self.pages, 1)
        self.shell = shell

        self.lock_page = LockPage(session)
        self.lock_page.unlocked.connect(self._unlocked)
        self.root = QStackedWidget()
        self.root.addWidget(self.lock_page)
        self.startup = Startup(session, self, self.root, self.lock_page, unlocked=self._unlocked, quit=self.quit,
                               allow_env_passphrase=allow_env_passphrase)
        self.setup_page = self.startup.setup_page
        self.root.addWidget(self.shell)
        self.root.setCurrentWidget(self.lock_page)
        self.setCentralWidget(self.root)

        # -- status bar -----------------------------------------------------------------------------
        self.health_bar = HealthBar(session)
        self.statusBar().addWidget(self.health_bar, 1)
        self.status_line = StatusLine(self.statusBar(), session.tasks, self)
        self.count_label = self.status_line.count_label
        self.pause_button = self.status_line.pause_button
        self.pause_button.clicked.connect(self.toggle_pause)
        session.tasks.error.connect(self._task_error)
        session.status_message.connect(lambda text: self.flash(text, 6000))

        # -- capture health + tray -----------------------------------------------------------------
        session.capture = CaptureControl(session.paths.runtime_dir)
        from ui.capture.runner import CaptureRunner

        self.capture_runner = CaptureRunner(session, enabled=run_capture, parent=self)
        self.health = HealthMonitor(session, session.capture, self, activity=self.capture_runner.files_activity)
        self.tray = Tray(self)
        self.health.updated.connect(self._health_updated)
        self.health.coverage.connect(self.tray.show_coverage)
        self.health.coverage.connect(self.health_bar.show_coverage)
        self.health.files.connect(self.health_bar.show_files)
        self.tray.open_requested.connect(self.bring_to_front)
        self.tray.pause_requested.connect(self.pause_capture)
        self.tray.resume_requested.connect(self.resume_capture)
        self.tray.lock_requested.connect(self.lock)
        self.tray.quit_requested.connect(self.quit)
        self.tray.about_requested.connect(self.show_about)
        self.tray.autofill_requested.connect(self.autofill_field)
        from ui.shell.hotkey import AUTOFILL_SHORTCUT, GlobalHotkey

        self.hotkey = GlobalHotkey(parent=self)
        self.hotkey.activated.connect(self.summon)
        self.hotkey_problem = self.hotkey.start()  # None, or why this platform has no global shortcut
        # Autofill from any application, for desktops without a tray: the picker at the pointer.
        self.autofill_hotkey = GlobalHotkey(AUTOFILL_SHORTCUT, parent=self)
        self.autofill_hotkey.activated.connect(self.autofill_field)
        self.autofill_hotkey.start()
        self.tray.fill_form_requested.connect(self.fill_focused_form)

        self.help = HelpOverlay(self.root)
        self._bind_shortcuts()
        session.unlocked.connect(self._on_unlocked)
        session.locked.connect(self._on_locked)
        session.changed.connect(self._on_changed)
        session.open_item.connect(lambda item_id: self.open_item(item_id))
        QApplication.instance().installEventFilter(self.idle)
        theme.on_theme_changed(self._retheme)
        self._restore_geometry()
        self.health.poll()

    # -- start-up ---------------------------------------------------------------------------------
    def start(self) -> None:
        """First run or unlock; call once after ``show()``."""
        self.startup.start()

    def setup_with(self, choices: Any) -> None:
        """Create the vault from first-run choices on a worker, showing progress."""
        self.startup.setup_with(choices)

    # -- navigation -------------------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """The page ``key`` (built on first use)."""
        if key not in self._pages:
            self._pages[key] = self._build_page(key)
            self.pages.addWidget(self._pages[key])
        return self._pages[key]

    def timeline(self) -> Any:
        return self.page("timeline")

    def search(self) -> Any:
        return self.page("search")

    def ask(self) -> Any:
        return self.page("ask")

    def current_page(self) -> str:
        for key, widget in self._pages.items():
            if widget is self.pages.currentWidget():
                return key
        return ""

    def show_page(self, key: str) -> QWidget:
        widget = self.page(key)
        self.pages.setCurrentWidget(widget)
        self._nav_buttons[key].setChecked(True)
        if key == "search":
            widget.focus_query()  # type: ignore[attr-defined]
        elif key == "ask":
            widget.focus_input()  # type: ignore[attr-defined]
        elif key == "timeline":
            widget.strip.setFocus()  # type: ignore[attr-defined]
        return widget

    def open_item(self, item_id: int, terms: list[str] | None = None) -> None:
        page = self.show_page("timeline")
        page.open_item(int(item_id), terms)  # type: ignore[attr-defined]

    def _build_page(self, key: str) -> QWidget:
        from ui.shell.pages import build_page

        return build_page(key, self.session, self.media, self.open_item)

    # -- lock / unlock ----------------------------------------------------------------------------
    def _unlocked(self, vault: Vault) -> None:
        self.session.attach(vault)

    def _on_unlocked(self) -> None:
        self.root.setCurrentWidget(self.shell)
        timeline = self.show_page("timeline")
        timeline.show_latest()  # type: ignore[attr-defined]
        self._refresh_count()
        self.idle.touched()
        self._health_updated(self.health.last)

    def lock(self) -> None:
        if not self.session.is_unlocked:
            return
        flag_locked(self.session).failure(lambda exc: log.warning("lock flag: %s", exc)).run()
        self.session.lock()

    def _on_locked(self) -> None:
        self.help.hide()
        self.root.setCurrentWidget(self.lock_page)
        self.lock_page.prepare("Locked. Your memory stays encrypted until you unlock it.")
        self.count_label.setText("")
        self._health_updated(self.health.last)

    # -- capture --------------------------------------------------------------------------------------
    def pause_capture(self, minutes: float | None = None) -> None:
        self.health.pause(minutes)
        self.flash(f"Capture paused for {int(minutes)} minutes" if minutes else "Capture paused until you resume it")

    def resume_capture(self) -> None:
        self.health.resume()
        self.flash("Capture resumed")

    def toggle_pause(self) -> None:
        last = self.health.last
        if last is not None and last.paused:
            self.resume_capture()
        else:
            self.pause_capture(None)

    def flash(self, text: str, ms: int = 4000, error: bool = False) -> None:
        """A short notice in the status bar that does not hide the capture health."""
        self.status_line.flash(text, ms, error)

    def _health_updated(self, health: CaptureHealth | None) -> None:
        if health is None:
            return
        self.health_bar.stopped_hint = self._stopped_hint()
        demo_off = self.demo and self.session.is_unlocked and not self.session.settings.screen_enabled
        self.health_bar.stopped_headline = DEMO_CAPTURE_OFF.capitalize() if demo_off else None
        self.health_bar.show_health(health)
        self.tray.show_health(health, locked=not self.session.is_unlocked)
        self.status_line.show_paused(health.paused)

    def _stopped_hint(self) -> str:
        runner = self.capture_runner
        if self.demo and self.session.is_unlocked and not self.session.settings.screen_enabled:
            return "turn it on in Settings"
        if not runner.enabled:
            return "start it with `cairn daemon`"
        if self.session.is_unlocked and not self.session.settings.screen_enabled:
            return "turned off in Settings"
        if runner.last_error:
            return f"could not start: {runner.last_error}"
        return "starting…" if self.session.is_unlocked else ""

    # -- dialogs and overlays ------------------------------------------------------------------------
    def open_settings(self) -> None:
        if not self.session.is_unlocked:
            return
        from ui.settings.dialog import SettingsDialog

        dialog = SettingsDialog(self.session, self)
        dialog.exec()

    def forget(self, item: Any = None) -> Any:
        """The forget dialog (a time range, an app, the demo…; with ``item``: that memory and its hour/day)."""
        if not self.session.is_unlocked:
            return None
        from ui.widgets.memory_menu import open_forget

        return open_forget(self, self.session, item)

    def toggle_help(self) -> None:
        self.help.toggle()

    def show_about(self) -> None:
        from ui.shell.about import about_box

        about_box(self.session.paths.home, self).show()

    # -- autofill: only ever from these explicit user actions (tray menu, Ctrl+Alt+A) ---------------
    def autofill_field(self) -> None:
        from ui.autofill.actions import show_picker

        show_picker(self.session, self)

    def fill_focused_form(self) -> None:
        from ui.autofill.actions import fill_focused_form

        fill_focused_form(self.session, self)

    def summon(self) -> None:
        """The global shortcut: Cairn in front, on the search page, ready to type."""
        self.bring_to_front()
        self.show_page("search")

    def bring_to_front(self) -> None:
        self.show()
        self.setWindowState((self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
        self.raise_()
        self.activateWindow()

    def quit(self) -> None:
        self._quitting = True
        self.hotkey.stop()
        self.autofill_hotkey.stop()
        self._save_geometry()
        self.session.close_now()
        QApplication.instance().quit()

    # -- events ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and self.tray.available():
            self.hide()  # keep capturing and answering from the tray
            self.tray.notify("Cairn keeps running in the tray")  # the hidden window's status bar is unseen
            event.ignore()
            return
        self._save_geometry()
        self._quitting = True
        self.session.close_now()
        event.accept()

    # -- internals ------------------------------------------------------------------------------------
    def _bind_shortcuts(self) -> None:
        def add(seq: str, slot: Any, name: str) -> None:
            action = QAction(name, self)
            action.setShortcut(QKeySequence(seq))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

        for key, label, _icon, seq in PAGES:
            add(seq, lambda _c=False, k=key: self.show_page(k) if self.session.is_unlocked else None, label)
        add("Ctrl+,", self.open_settings, "Settings")
        add("Ctrl+L", self.lock, "Lock")
        add("Ctrl+P", self.toggle_pause, "Pause or resume capture")
        add("F1", self.toggle_help, "Help")
        add("Ctrl+Shift+Del", self.forget, "Forget…")
        add("Ctrl+I", lambda: self.importer.choose_and_import() if self.session.is_unlocked else None, "Import…")
        add("Ctrl+Q", self.quit, "Quit")

    def _nav_button(self, label: str, icon_name: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setObjectName("NavButton")
        b.setText(label)
        b.setIcon(theme.icon(icon_name))
        b.setIconSize(QSize(22, 22))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        b.setToolTip(tip)
        b.setAccessibleName(label)
        b.setFixedWidth(68)
        b.setProperty("icon_name", icon_name)
        return b

    def _retheme(self) -> None:
        for b in [*self._nav_buttons.values(), self.settings_button, self.help_button, self.lock_button]:
            b.setIcon(theme.icon(b.property("icon_name")))
        last = self.health.last
        self.status_line.show_paused(last is not None and last.paused)

    def _task_error(self, exc: BaseException) -> None:
        from core.errors import VaultLocked

        if isinstance(exc, VaultLocked) or not self.session.is_unlocked:
            return
        self.flash(f"Something went wrong: {exc}", 8000, error=True)

    def _on_changed(self, what: frozenset[str]) -> None:
        if "items" in what:
            self._refresh_count()
        if "settings" in what:
            self.flash("Settings saved")

    def _refresh_count(self) -> None:
        if self.session.vault is None:
            return

        def show(stats: Any) -> None:
            self.count_label.setText(f"{stats.items:,} memories")

        load_stats(self.session).success(show).owned_by(self).quietly().run()

    def _settings_store(self) -> QSettings:
        return QSettings("Cairn", "Cairn")

    def _save_geometry(self) -> None:
        store = self._settings_store()
        store.setValue("window/geometry", self.saveGeometry())

    def _restore_geometry(self) -> None:
        geometry = self._settings_store().value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))

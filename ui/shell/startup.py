"""Start-up of the main window: first run (its steps, then setting up on a worker) or unlocking in the background.

``Startup.start()`` shows the first-run steps when there is no vault yet;
otherwise it probes how the vault may be unlocked (the keyring, or
``$CAIRN_PASSPHRASE`` when allowed) and drives the lock page accordingly.
``setup_with(choices)`` creates the vault from the chosen settings on a
worker while ``SetupPage`` shows progress.  An unlocked vault is handed to
``unlocked``; "Quit setup", confirmed, calls ``quit``.

Threads: GUI thread only; key probing and setting up run on the session's
workers.  Errors: a failed probe or set-up is shown on the lock page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStackedWidget, QVBoxLayout, QWidget

from core import env as env_switch
from ui import theme
from ui.session import Session
from ui.shell.lock_page import LockPage
from ui.shell.operations import probe_unlock

if TYPE_CHECKING:
    from core.vault import Vault


class SetupPage(QWidget):
    """'Setting up…' with the Cairn logo and a busy bar, while the first run creates the vault."""

    def __init__(self) -> None:
        super().__init__()
        logo = QLabel()
        logo.setPixmap(theme.app_icon().pixmap(QSize(64, 64)))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label = QLabel("Setting up…")
        self.label.setObjectName("PageTitle")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName("Setup progress")
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setMaximumWidth(360)
        bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(logo)
        layout.addWidget(self.label)
        layout.addWidget(bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


class Startup:
    """First run or unlock for one window (``root`` shows ``lock_page`` or ``setup_page``)."""

    def __init__(self, session: Session, window: QWidget, root: QStackedWidget, lock_page: LockPage, *,
                 unlocked: Callable[[Vault], None], quit: Callable[[], None], allow_env_passphrase: bool) -> None:
        self._session = session
        self._window = window
        self._root = root
        self._lock_page = lock_page
        self._unlocked = unlocked
        self._quit = quit
        self._allow_env_passphrase = allow_env_passphrase
        self.setup_page = SetupPage()
        root.addWidget(self.setup_page)
        self.flow: Any = None  # the first-run steps (``FirstRunFlow``), built when there is no vault yet

    def start(self) -> None:
        """First run or unlock; call once after the window is shown."""
        if not self._session.paths.keyfile.exists():
            QTimer.singleShot(0, self.run_first_run)
            return
        self.try_auto_unlock()

    def try_auto_unlock(self) -> None:
        env = env_switch.PASSPHRASE.get() if self._allow_env_passphrase else None
        lock_page = self._lock_page

        def decided(result: tuple[bool, bool]) -> None:
            has_keyring, user_locked = result
            if env:
                lock_page.passphrase.setText(env)
                lock_page.unlock()
            elif has_keyring and not user_locked:
                lock_page.prepare("Unlocking with your system keyring…", keyring_available=True)
                lock_page.unlock(use_keyring=True)
            else:
                lock_page.prepare(keyring_available=has_keyring and not user_locked)

        probing = probe_unlock(self._session).success(decided)
        probing.failure(lambda exc: lock_page.set_message(str(exc), error=True)).owned_by(self._window).run()

    def run_first_run(self) -> None:
        """The first-run steps as a page of the window; Quit setup asks before quitting."""
        from ui.shell.first_run import FirstRunFlow

        if self.flow is None:
            self.flow = FirstRunFlow(self._window)
            self.flow.finished.connect(self.setup_with)
            self.flow.cancel_requested.connect(self._cancel_first_run)
            self._root.addWidget(self.flow)
        self._root.setCurrentWidget(self.flow)

    def _cancel_first_run(self) -> None:
        if confirm_quit_setup(self._window):
            self._quit()

    def setup_with(self, choices: Any) -> None:
        """Create the vault from first-run choices on a worker, showing progress."""
        from ui.shell.first_run import SetupDone, SetupProgress, setup_events

        self._root.setCurrentWidget(self.setup_page)
        paths = self._session.paths

        def on_item(event: Any) -> None:
            if isinstance(event, SetupProgress):
                self.setup_page.label.setText(event.text)
            elif isinstance(event, SetupDone):
                for note in event.notes:
                    self._session.status_message.emit(note)
                self._unlocked(event.vault)

        def failed(exc: BaseException) -> None:
            self._root.setCurrentWidget(self._lock_page)
            self._lock_page.set_message(f"Setting up failed: {exc}", error=True)

        self._session.tasks.stream(lambda: setup_events(paths, choices), on_item=on_item, on_failure=failed,
                                   owner=self._window, label="first run")


def confirm_quit_setup(parent: Any) -> bool:
    """"Quit setup" in the first run asks before quitting (nothing is stored yet); True: quit."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, "Quit Cairn?",
                      "Cairn is not set up yet, and nothing has been stored. Quit now, or go back to the setup?",
                      parent=parent)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Back to setup", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is quit_button

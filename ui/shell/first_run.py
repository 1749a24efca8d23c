"""First run: explain what is encrypted, protect the vault, choose what to capture, offer the demo.

``FirstRunFlow`` is a page of the main window (not a dialog over a lock
screen): a row of step names, one step at a time in a card (the steps are in
``first_run_steps``), Back / Continue, and "Quit setup" that asks first.  It
only collects :class:`FirstRunChoices`; the work (creating the vault, saving
settings, loading the demo memory) runs afterwards on a worker thread through
:func:`setup_events`, which yields progress lines and finally the unlocked
vault.

Threads: the flow is GUI-thread only; ``setup_events`` runs on a worker and
touches no Qt object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from ui import theme
from ui.shell.first_run_steps import CaptureStep, DemoStep, ProtectStep, StartStep, Step, WelcomeStep

if TYPE_CHECKING:
    from core.vault import Vault


@dataclass
class FirstRunChoices:
    passphrase: str | None
    use_keyring: bool
    screen_enabled: bool = True
    capture_interval_s: float = 3.0
    watched_folders: tuple[str, ...] = ()
    chat_inbox: str | None = None
    load_demo: bool = True
    autostart: bool = False  # opt-in: the app starts in the tray at login
    auto_lock_minutes: int = 15  # a privacy app locks itself when you walk away
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SetupProgress:
    text: str


@dataclass(frozen=True, slots=True)
class SetupDone:
    vault: Vault
    notes: tuple[str, ...]


def keyring_status() -> tuple[bool, str]:
    """Whether a trusted OS keyring exists here, and a sentence saying so."""
    from core.vault import keyring_status as probe

    available, _why_not = probe()  # the technical reason ("keyring.backends.fail…") is for logs, not for people
    return available, (
        "Your system keyring can keep the vault key, so Cairn unlocks when you log in." if available else
        "Your system has no secure keyring; Cairn will ask for your passphrase when it starts.")


def setup_events(paths: Any, choices: FirstRunChoices) -> Iterator[SetupProgress | SetupDone]:
    """Create the vault and apply the first-run choices (worker thread)."""
    from core.vault import Vault

    yield SetupProgress("Creating your encrypted vault…")
    vault = Vault.create(paths, choices.passphrase, use_keyring=choices.use_keyring)
    notes = list(vault.creation_notes)
    yield SetupProgress("Saving your choices…")
    vault.update_settings(
        screen_enabled=choices.screen_enabled, capture_interval_s=choices.capture_interval_s,
        watched_folders=choices.watched_folders, chat_inbox=choices.chat_inbox,
        auto_lock_minutes=choices.auto_lock_minutes,
    )
    if choices.autostart:
        yield SetupProgress("Starting Cairn with your session…")
        from ui.settings.startup import apply_autostart

        try:
            notes.extend(apply_autostart("app", paths.home))
        except OSError as exc:
            notes.append(f"could not set up autostart ({exc}); turn it on later in Settings → Startup")
    if choices.load_demo:
        yield SetupProgress("Loading the demo memory (chats, documents, screenshots)…")
        from core.demo import load_demo_memory

        report = load_demo_memory(vault)
        notes.append(f"demo memory: {report}")
    yield SetupDone(vault, tuple(notes))


RAIL_NAMES = ("Welcome", "Protect", "Capture", "Demo", "Start")


class FirstRunFlow(QWidget):
    """The first-run steps inside the main window; ``finished(choices)`` or ``cancel_requested``."""

    finished = Signal(object)  # FirstRunChoices
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None, keyring: tuple[bool, str] | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Set up Cairn")
        ok, text = keyring if keyring is not None else keyring_status()
        self.welcome = WelcomeStep()
        self.protect = ProtectStep(ok, text)
        self.capture = CaptureStep()
        self.demo = DemoStep()
        self.start = StartStep()
        self.steps: tuple[Step, ...] = (self.welcome, self.protect, self.capture, self.demo, self.start)
        self._stack = QStackedWidget()
        self._rail: list[QLabel] = []
        rail = QHBoxLayout()
        rail.setSpacing(18)
        logo = QLabel()
        logo.setPixmap(theme.app_icon().pixmap(QSize(40, 40)))
        rail.addWidget(logo)
        for number, step in enumerate(self.steps, 1):
            self._stack.addWidget(step)
            step.changed.connect(self._update_buttons)
            label = QLabel(f"{number}  {RAIL_NAMES[number - 1]}")
            label.setAccessibleName(f"Step {number}: {RAIL_NAMES[number - 1]}")
            self._rail.append(label)
            rail.addWidget(label)
        rail.addStretch(1)
        self._title = QLabel()
        self._title.setObjectName("Hero")
        self._subtitle = QLabel()
        self._subtitle.setProperty("muted", True)
        self._subtitle.setWordWrap(True)
        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(lambda: self._go(self.index() - 1))
        self.next_button = QPushButton("Continue")
        self.next_button.setObjectName("Primary")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        self.quit_button = QPushButton("Quit setup")
        self.quit_button.setObjectName("Flat")
        self.quit_button.clicked.connect(self.cancel_requested)
        for entry in (self.protect.passphrase, self.protect.confirm):
            entry.returnPressed.connect(self.next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        card = QFrame()
        card.setObjectName("Card")
        card.setFixedWidth(720)
        card.setMinimumHeight(480)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 26, 32, 22)
        inner.setSpacing(8)
        inner.addWidget(self._title)
        inner.addWidget(self._subtitle)
        inner.addSpacing(8)
        inner.addWidget(self._stack, 1)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 32)
        layout.setSpacing(20)
        layout.addLayout(rail)
        layout.addStretch(1)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self._go(0)

    def index(self) -> int:
        return self._stack.currentIndex()

    def current(self) -> Step:
        return self.steps[self.index()]

    def next(self) -> None:
        """Continue (the last step finishes with the choices); an incomplete step stays."""
        if not self.current().is_complete():
            return
        if self.index() == len(self.steps) - 1:
            self.finished.emit(self.choices())
            return
        self._go(self.index() + 1)

    def _go(self, index: int) -> None:
        index = max(0, min(len(self.steps) - 1, index))
        self._stack.setCurrentIndex(index)
        step = self.steps[index]
        self._title.setText(step.title())
        self._subtitle.setText(step.subtitle)
        c = theme.colours()
        for number, label in enumerate(self._rail):
            colour = c.accent if number == index else (c.text if number < index else c.muted)
            weight = 700 if number == index else 500
            label.setStyleSheet(f"color: {colour}; font-weight: {weight};")
        self.back_button.setVisible(index > 0)
        self.next_button.setText("Create my vault" if index == len(self.steps) - 1 else "Continue")
        self._update_buttons()
        step.setFocus()

    def _update_buttons(self) -> None:
        self.next_button.setEnabled(self.current().is_complete())

    def choices(self) -> FirstRunChoices:
        passphrase = self.protect.passphrase.text() or None
        return FirstRunChoices(
            passphrase=passphrase,
            use_keyring=self.protect.keyring.isChecked(),
            screen_enabled=self.capture.screen.isChecked(),
            capture_interval_s=self.capture.interval.value(),
            watched_folders=self.capture.folders.values(),
            chat_inbox=self.capture.inbox.text().strip() or None,
            load_demo=self.demo.demo.isChecked(),
            autostart=self.capture.autostart.isChecked(),
            auto_lock_minutes=int(self.start.lock.currentData()),
        )

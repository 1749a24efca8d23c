"""First run: explain what is encrypted, protect the vault, choose what to capture, offer the demo.

The wizard only collects :class:`FirstRunChoices`; the work (creating the vault,
saving settings, loading the demo memory) runs afterwards on a worker thread
through :func:`setup_events`, which yields progress lines and finally the
unlocked vault.

Threads: the wizard is GUI-thread only; ``setup_events`` runs on a worker and
touches no Qt object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ui import theme
from ui.settings.editable_list import EditableList
from ui.settings.passphrase import passphrase_problem

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


class _WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Welcome to Cairn")
        self.setSubTitle("Cairn remembers what you saw, read and said on this computer — and only here.")
        text = QLabel(
            "<p>Ask it about your past (“what was the staging link Lukas sent?”), scroll back through your "
            "day on the timeline, or search everything at once.</p>"
            "<p><b>What is encrypted:</b> everything Cairn keeps — messages, documents, the text read from "
            "your screen, screenshots, the search index and your settings — is encrypted on disk with a key "
            "that never leaves this computer. Nothing is uploaded; the language model runs locally.</p>"
            "<p><b>What you control:</b> pause capture any time from the tray, exclude apps, skip private "
            "browser windows, lock Cairn, and make it forget a time range for real.</p>")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addStretch(1)


class _ProtectPage(QWizardPage):
    def __init__(self, keyring_ok: bool, keyring_text: str) -> None:
        super().__init__()
        self.setTitle("Protect your memory")
        self.setSubTitle("Choose the passphrase that unlocks Cairn. It is never stored; there is no reset.")
        self.passphrase = QLineEdit()
        self.confirm = QLineEdit()
        for w, name in ((self.passphrase, "Passphrase"), (self.confirm, "Repeat passphrase")):
            w.setEchoMode(QLineEdit.EchoMode.Password)
            w.setAccessibleName(name)
        self.passphrase.setPlaceholderText("A few unrelated words work well")
        self.keyring = QCheckBox("Also keep the key in the system keyring (unlock without typing)")
        self.keyring.setAccessibleName("Keep the key in the system keyring")
        self.keyring.setChecked(keyring_ok)
        self.keyring.setEnabled(keyring_ok)
        note = QLabel(keyring_text)
        note.setWordWrap(True)
        note.setProperty("muted", True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.colours().danger}")
        form = QFormLayout(self)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Repeat", self.confirm)
        form.addRow(self.keyring)
        form.addRow(note)
        form.addRow(self.error)
        for w in (self.passphrase, self.confirm):
            w.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.keyring.toggled.connect(lambda _t: self.completeChanged.emit())

    def problem(self) -> str | None:
        text, confirm = self.passphrase.text(), self.confirm.text()
        if not text and not confirm and self.keyring.isChecked():
            return None  # keyring only: allowed, though a passphrase is recommended
        return passphrase_problem(text, confirm)

    def isComplete(self) -> bool:
        problem = self.problem()
        self.error.setText(problem or "" if self.passphrase.text() or self.confirm.text() else "")
        return problem is None


class _CapturePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("What should Cairn remember?")
        self.setSubTitle("You can change all of this later in Settings.")
        self.screen = QCheckBox("The screen: a screenshot when something changes, read with OCR")
        self.screen.setChecked(True)
        self.screen.setAccessibleName("Capture the screen")
        self.interval = QDoubleSpinBox()
        self.interval.setRange(1.0, 120.0)
        self.interval.setDecimals(1)
        self.interval.setValue(3.0)
        self.interval.setSuffix(" s")
        self.interval.setMinimumHeight(30)
        self.interval.setAccessibleName("Capture interval in seconds")
        self.screen.toggled.connect(self.interval.setEnabled)
        self.folders = EditableList("Watched folders", "Folder path", browse_folder=True)
        self.folders.list.setMaximumHeight(90)
        self.inbox = QLineEdit()
        self.inbox.setPlaceholderText("Optional: a folder where you drop chat exports")
        self.inbox.setAccessibleName("Chat export inbox folder")
        browse = QPushButton(theme.icon("folder"), "Choose…")
        browse.clicked.connect(self._browse)
        inbox_row = QHBoxLayout()
        inbox_row.addWidget(self.inbox, 1)
        inbox_row.addWidget(browse)
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        form.addRow(self.screen)
        form.addRow("Look every", self.interval)
        form.addRow(QLabel("Documents in these folders:"))
        form.addRow(self.folders)
        form.addRow("Chat export inbox", inbox_row)
        hint = QLabel("Password managers and private browser windows are never captured.")
        hint.setProperty("muted", True)
        form.addRow(hint)
        self.autostart = QCheckBox("Start Cairn in the tray when I log in")
        self.autostart.setAccessibleName("Start Cairn when I log in")
        form.addRow(self.autostart)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the chat export inbox")
        if folder:
            self.inbox.setText(folder)


class _DemoPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Start with a demo memory?")
        self.setSubTitle("So the timeline, search and answers have something to show right away.")
        self.demo = QCheckBox("Load the demo memory: a few weeks of sample chats, documents and screenshots")
        self.demo.setChecked(True)
        self.demo.setAccessibleName("Load the demo memory")
        text = QLabel("The demo is made-up data (a developer called Sam, their colleague Lukas, their friend "
                      "Priya and their family). Remove it whenever you like: press Ctrl+Shift+Del and choose "
                      "“The demo memory” — your own memories stay.")
        text.setWordWrap(True)
        text.setProperty("muted", True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.demo)
        layout.addWidget(text)
        layout.addStretch(1)


LOCK_CHOICES = ((5, "after 5 minutes"), (15, "after 15 minutes"), (30, "after 30 minutes"),
                (60, "after an hour"), (0, "never"))


class _StartPage(QWizardPage):
    """The last step says plainly that capture starts now, and how to pause it and lock Cairn."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Capture starts now")
        self.setSubTitle("Everything stays encrypted on this computer.")
        text = QLabel(
            "<p>When you click <b>Create my vault</b>, Cairn starts remembering: the screen (if you left it on), "
            "the folders you chose and chat exports you drop in.</p>"
            "<p><b>Pause</b> any time: <b>Ctrl+P</b>, the <b>Pause capture</b> button at the bottom right, or "
            "the tray icon. <b>Lock</b> Cairn with <b>Ctrl+L</b>; it asks for your passphrase again.</p>"
            "<p><b>Forget</b> anything for real: right-click a memory, or <b>Ctrl+Shift+Del</b> for an hour, "
            "a day, an app or a range.</p>")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.lock = QComboBox()
        for minutes, label in LOCK_CHOICES:
            self.lock.addItem(label, minutes)
        self.lock.setCurrentIndex(1)  # 15 minutes
        self.lock.setAccessibleName("Lock Cairn when idle")
        form = QFormLayout()
        form.addRow("Lock Cairn when I am away", self.lock)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addStretch(1)


class FirstRunWizard(QWizard):
    def __init__(self, parent: QWidget | None = None, keyring: tuple[bool, str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up Cairn")
        self.setWindowIcon(theme.app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setMinimumSize(620, 480)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, theme.app_icon().pixmap(48, 48))
        ok, text = keyring if keyring is not None else keyring_status()
        self.welcome = _WelcomePage()
        self.protect = _ProtectPage(ok, text)
        self.capture = _CapturePage()
        self.demo = _DemoPage()
        self.start = _StartPage()
        for page in (self.welcome, self.protect, self.capture, self.demo, self.start):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Create my vault")

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

"""The first-run steps: welcome, protect (passphrase, keyring), what to capture, the demo, "capture starts now".

Each step is a plain widget with a title, a subtitle and ``is_complete``;
``ui.shell.first_run.FirstRunFlow`` shows them one at a time inside the main
window and turns them into ``FirstRunChoices``.

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
)

from ui import theme
from ui.settings.editable_list import EditableList
from ui.settings.passphrase import passphrase_problem


class Step(QWidget):
    """One step of the first run: its words and its body (``body``), complete or not."""

    changed = Signal()  # whether the step is complete may have changed

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self._title, self.subtitle = title, subtitle
        self.body = QWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.body)

    def title(self) -> str:
        return self._title

    def is_complete(self) -> bool:
        return True


class WelcomeStep(Step):
    def __init__(self) -> None:
        super().__init__("Welcome to Cairn",
                         "Cairn remembers what you saw, read and said on this computer — and only here.")
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
        layout = QVBoxLayout(self.body)
        layout.addWidget(text)
        layout.addStretch(1)


class ProtectStep(Step):
    def __init__(self, keyring_ok: bool, keyring_text: str) -> None:
        super().__init__("Protect your memory",
                         "Choose the passphrase that unlocks Cairn. It is never stored; there is no reset.")
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
        form = QFormLayout(self.body)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Repeat", self.confirm)
        form.addRow(self.keyring)
        form.addRow(note)
        form.addRow(self.error)
        for w in (self.passphrase, self.confirm):
            w.textChanged.connect(lambda _t: self.changed.emit())
        self.keyring.toggled.connect(lambda _t: self.changed.emit())

    def problem(self) -> str | None:
        text, confirm = self.passphrase.text(), self.confirm.text()
        if not text and not confirm and self.keyring.isChecked():
            return None  # keyring only: allowed, though a passphrase is recommended
        return passphrase_problem(text, confirm)

    def is_complete(self) -> bool:
        problem = self.problem()
        self.error.setText(problem or "" if self.passphrase.text() or self.confirm.text() else "")
        return problem is None


class CaptureStep(Step):
    def __init__(self) -> None:
        super().__init__("What should Cairn remember?",
                         "You can change all of this later in Settings.")
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
        outer = QVBoxLayout(self.body)
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


class DemoStep(Step):
    def __init__(self) -> None:
        super().__init__("Start with a demo memory?",
                         "So the timeline, search and answers have something to show right away.")
        self.demo = QCheckBox("Load the demo memory: a few weeks of sample chats, documents and screenshots")
        self.demo.setChecked(True)
        self.demo.setAccessibleName("Load the demo memory")
        text = QLabel("The demo is made-up data (a developer called Sam, their colleague Lukas, their friend "
                      "Priya and their family). Remove it whenever you like: press Ctrl+Shift+Del and choose "
                      "“The demo memory” — your own memories stay.")
        text.setWordWrap(True)
        text.setProperty("muted", True)
        layout = QVBoxLayout(self.body)
        layout.addWidget(self.demo)
        layout.addWidget(text)
        layout.addStretch(1)


LOCK_CHOICES = ((5, "after 5 minutes"), (15, "after 15 minutes"), (30, "after 30 minutes"),
                (60, "after an hour"), (0, "never"))


class StartStep(Step):
    """The last step says plainly that capture starts now, and how to pause it and lock Cairn."""

    def __init__(self) -> None:
        super().__init__("Capture starts now",
                         "Everything stays encrypted on this computer.")
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
        layout = QVBoxLayout(self.body)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addStretch(1)

"""Settings: every field of ``core.settings.Settings``, grouped in tabs, plus passphrase change.

The dialog edits a copy; Save sends only the changed fields to
``vault.update_settings`` in a background task and closes when the vault has
stored them (settings live encrypted inside the vault).  Running apps for the
exclusion list come from ``psutil`` (process names only), recent apps from
the screenshots of the last two weeks; both load in the background.

Threads: GUI thread only.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.session import Session


class EditableList(QWidget):
    """A list of strings with an input (free text or picked) and Add/Remove buttons."""

    def __init__(self, name: str, placeholder: str, *, validator: Any = None, browse_folder: bool = False,
                 suggestions: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._validator = validator
        self.list = QListWidget()
        self.list.setAccessibleName(name)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        if suggestions:
            self.input: QLineEdit = QLineEdit()
            self.picker = QComboBox()
            self.picker.setEditable(True)
            self.picker.setLineEdit(self.input)
            self.picker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            entry: QWidget = self.picker
        else:
            self.input = QLineEdit()
            self.picker = None  # type: ignore[assignment]
            entry = self.input
        self.input.setPlaceholderText(placeholder)
        self.input.setAccessibleName(f"New entry for {name.lower()}")
        # Enter adds the entry; it must not reach the dialog (where it would press Save).
        self.input.installEventFilter(self)
        add = QPushButton(theme.icon("plus"), "Add")
        add.setAccessibleName(f"Add to {name.lower()}")
        add.clicked.connect(self.add_current)
        remove = QPushButton(theme.icon("remove"), "Remove")
        remove.setAccessibleName(f"Remove selected from {name.lower()}")
        remove.clicked.connect(self.remove_selected)
        for button in (add, remove):
            button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(entry, 1)
        if browse_folder:
            browse = QPushButton(theme.icon("folder"), "Choose folder…")
            browse.setAccessibleName("Choose a folder to add")
            browse.clicked.connect(self._browse)
            row.addWidget(browse)
        row.addWidget(add)
        row.addWidget(remove)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {theme.colours().danger}")
        self.error.hide()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.input and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.add_current()
            return True
        return super().eventFilter(watched, event)

    def values(self) -> tuple[str, ...]:
        return tuple(self.list.item(i).text() for i in range(self.list.count()))

    def set_values(self, values: tuple[str, ...] | list[str]) -> None:
        self.list.clear()
        for v in values:
            self.list.addItem(QListWidgetItem(v))

    def set_suggestions(self, values: list[str]) -> None:
        if self.picker is None:
            return
        text = self.input.text()
        self.picker.clear()
        self.picker.addItems(values)
        self.input.setText(text)

    def add(self, value: str) -> bool:
        value = value.strip()
        if not value:
            return False
        if self._validator is not None:
            problem = self._validator(value)
            if problem:
                self.error.setText(problem)
                self.error.show()
                return False
        self.error.hide()
        if value not in self.values():
            self.list.addItem(value)
        return True

    def add_current(self) -> None:
        if self.add(self.input.text()):
            self.input.clear()

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder to watch")
        if folder:
            self.add(folder)


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _regex_problem(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"Not a valid pattern: {exc}"
    return None


class SettingsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cairn settings")
        self.setAccessibleName("Settings")
        self.setMinimumSize(640, 560)
        self._session = session
        self._original = session.settings
        s = self._original

        self.tabs = QTabWidget()
        self.tabs.addTab(self._capture_tab(s), theme.icon("screen"), "Capture")
        self.tabs.addTab(self._privacy_tab(s), theme.icon("lock"), "Privacy")
        self.tabs.addTab(self._sources_tab(s), theme.icon("folder"), "Files && chats")
        self.tabs.addTab(self._storage_tab(s), theme.icon("summary"), "Storage")
        self.tabs.addTab(self._model_tab(s), theme.icon("ask"), "Answers")
        self.tabs.addTab(self._security_tab(s), theme.icon("key"), "Security")

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("Primary")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        for spin in self.findChildren(QAbstractSpinBox):
            spin.setMinimumHeight(30)  # Fusion's default is cramped next to the line edits
        self._load_app_suggestions()

    # -- tabs --------------------------------------------------------------------------------------
    def _form(self) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(16, 16, 16, 16)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(form)
        outer.addStretch(1)
        return page, form

    def _capture_tab(self, s: Any) -> QWidget:
        page, form = self._form()
        self.screen_enabled = QCheckBox("Remember what is on screen")
        self.screen_enabled.setChecked(s.screen_enabled)
        self.screen_enabled.setAccessibleName("Screen capture enabled")
        form.addRow(self.screen_enabled)
        self.interval = QDoubleSpinBox()
        self.interval.setRange(1.0, 120.0)
        self.interval.setSingleStep(0.5)
        self.interval.setSuffix(" s")
        self.interval.setDecimals(1)
        self.interval.setValue(s.capture_interval_s)
        self.interval.setAccessibleName("Capture interval in seconds")
        form.addRow("Look at the screen every", self.interval)
        self.idle = QDoubleSpinBox()
        self.idle.setRange(0.5, 240.0)
        self.idle.setSuffix(" min")
        self.idle.setDecimals(1)
        self.idle.setValue(s.idle_pause_minutes)
        self.idle.setAccessibleName("Pause after idle minutes")
        form.addRow("Pause when idle for", self.idle)
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
        form.addRow("Monitors", self.all_monitors)
        form.addRow("", self.monitors)
        note = QLabel("Screenshots are encrypted before they touch the disk. Excluded apps and private "
                      "windows are never captured — see the Privacy tab.")
        note.setWordWrap(True)
        note.setProperty("muted", True)
        form.addRow(note)
        return page

    def _privacy_tab(self, s: Any) -> QWidget:
        page, form = self._form()
        self.excluded = EditableList("Excluded apps", "App name, e.g. keepassxc", suggestions=True)
        self.excluded.set_values(s.excluded_apps)
        form.addRow(_wrapped("<b>Never capture these apps</b> (checked on every visible window, not only the "
                             "focused one). Pick from running and recent apps or type a name."))
        form.addRow(self.excluded)
        self.private = EditableList("Private window rules", "Title pattern (regular expression)",
                                    validator=_regex_problem)
        self.private.set_values(s.private_window_patterns)
        form.addRow(_wrapped("<b>Private windows</b>: a window whose title matches one of these patterns "
                             "(case-insensitive) stops capture while it is visible."))
        form.addRow(self.private)
        return page

    def _sources_tab(self, s: Any) -> QWidget:
        page, form = self._form()
        self.folders = EditableList("Watched folders", "Folder path", browse_folder=True)
        self.folders.set_values(s.watched_folders)
        form.addRow(_wrapped("<b>Watched folders</b>: documents in these folders are read and kept searchable."))
        form.addRow(self.folders)
        self.inbox = QLineEdit(s.chat_inbox or "")
        self.inbox.setPlaceholderText("No inbox")
        self.inbox.setAccessibleName("Chat export inbox folder")
        browse = QPushButton(theme.icon("folder"), "Choose…")
        browse.setAccessibleName("Choose the chat inbox folder")
        browse.clicked.connect(self._browse_inbox)
        row = QHBoxLayout()
        row.addWidget(self.inbox, 1)
        row.addWidget(browse)
        form.addRow("Chat export inbox", row)
        hint = QLabel("Drop WhatsApp, Telegram, Slack, Discord, ChatGPT or Messenger exports here; "
                      "they are imported automatically.")
        hint.setWordWrap(True)
        hint.setProperty("muted", True)
        form.addRow("", hint)
        self.max_file = QDoubleSpinBox()
        self.max_file.setRange(1.0, 2048.0)
        self.max_file.setSuffix(" MB")
        self.max_file.setDecimals(0)
        self.max_file.setValue(s.max_file_mb)
        self.max_file.setAccessibleName("Largest file to read in megabytes")
        form.addRow("Skip files larger than", self.max_file)
        return page

    def _storage_tab(self, s: Any) -> QWidget:
        page, form = self._form()
        self.retention_gb = QDoubleSpinBox()
        self.retention_gb.setRange(0.5, 4096.0)
        self.retention_gb.setSuffix(" GB")
        self.retention_gb.setDecimals(1)
        self.retention_gb.setValue(s.retention_gb)
        self.retention_gb.setAccessibleName("Storage budget in gigabytes")
        form.addRow("Use at most", self.retention_gb)
        self.retention_days = QSpinBox()
        self.retention_days.setRange(1, 36500)
        self.retention_days.setSuffix(" days")
        self.retention_days.setValue(s.retention_days)
        self.retention_days.setAccessibleName("Keep screenshots for days")
        form.addRow("Keep screenshots for", self.retention_days)
        self.text_days = QSpinBox()
        self.text_days.setRange(0, 36500)
        self.text_days.setSpecialValueText("as long as anything else")
        self.text_days.setSuffix(" days")
        self.text_days.setValue(s.text_retention_days)
        self.text_days.setAccessibleName("Keep text for days, zero means as long as anything else")
        form.addRow("Keep text for", self.text_days)
        note = QLabel("When the budget is reached the oldest screenshots go first; their text can stay "
                      "searchable longer.")
        note.setWordWrap(True)
        note.setProperty("muted", True)
        form.addRow(note)
        self.usage = QLabel("Measuring…")
        self.usage.setProperty("muted", True)
        self.usage.setAccessibleName("Storage used")
        form.addRow("In use now", self.usage)
        vault = self._session.vault
        if vault is not None and hasattr(vault, "stats"):
            self._session.run(vault.stats, on_success=self._show_usage, owner=self, label="stats",
                              on_failure=lambda _e: self.usage.setText("unknown"))
        return page

    def _model_tab(self, s: Any) -> QWidget:
        page, form = self._form()
        self.model_path = QLineEdit(s.model_path or "")
        self.model_path.setPlaceholderText("Packaged default (Gemma 3 270M)")
        self.model_path.setAccessibleName("Language model file")
        browse = QPushButton(theme.icon("file"), "Choose GGUF…")
        browse.setAccessibleName("Choose a GGUF model file")
        browse.clicked.connect(self._browse_model)
        row = QHBoxLayout()
        row.addWidget(self.model_path, 1)
        row.addWidget(browse)
        form.addRow("Model file", row)
        hint = QLabel("Any GGUF model works; a 1–4B instruct model gives clearly better answers than the "
                      "small default. Answers always cite your memories either way.")
        hint.setWordWrap(True)
        hint.setProperty("muted", True)
        form.addRow("", hint)
        self.context = QSpinBox()
        self.context.setRange(512, 131072)
        self.context.setSingleStep(512)
        self.context.setSuffix(" tokens")
        self.context.setValue(s.llm_context_tokens)
        self.context.setAccessibleName("Model context size in tokens")
        form.addRow("Context size", self.context)
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("automatic (physical cores)")
        self.threads.setValue(s.llm_threads)
        self.threads.setAccessibleName("Model threads, zero means automatic")
        form.addRow("Threads", self.threads)
        self.budget = QSpinBox()
        self.budget.setRange(100, 65536)
        self.budget.setSingleStep(100)
        self.budget.setSuffix(" tokens")
        self.budget.setValue(s.answer_context_budget)
        self.budget.setAccessibleName("Tokens of memories given to the model")
        form.addRow("Memories per answer", self.budget)
        return page

    def _security_tab(self, s: Any) -> QWidget:
        page, form = self._form()
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, 1440)
        self.auto_lock.setSpecialValueText("never")
        self.auto_lock.setSuffix(" min")
        self.auto_lock.setValue(s.auto_lock_minutes)
        self.auto_lock.setAccessibleName("Auto-lock after minutes idle, zero means never")
        form.addRow("Lock after idle", self.auto_lock)
        self.mcp = QCheckBox("Let other local tools search and ask (MCP server, read-only)")
        self.mcp.setChecked(s.mcp_enabled)
        self.mcp.setAccessibleName("Enable the MCP server")
        form.addRow(self.mcp)
        change = QPushButton(theme.icon("key"), "Change passphrase…")
        change.setAccessibleName("Change passphrase")
        change.clicked.connect(self.change_passphrase)
        form.addRow("Passphrase", change)
        note = QLabel("Changing the passphrase re-wraps the vault key; nothing is re-encrypted, so it is "
                      "instant. There is no way to recover a forgotten passphrase unless the key is also "
                      "kept in your system keyring.")
        note.setWordWrap(True)
        note.setProperty("muted", True)
        form.addRow(note)
        return page

    # -- actions -----------------------------------------------------------------------------------
    def changes(self) -> dict[str, Any]:
        """The fields that differ from the settings the dialog opened with."""
        monitors: tuple[int, ...] = ()
        if not self.all_monitors.isChecked():
            monitors = tuple(
                int(self.monitors.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.monitors.count())
                if self.monitors.item(i).checkState() == Qt.CheckState.Checked)
        values: dict[str, Any] = {
            "screen_enabled": self.screen_enabled.isChecked(),
            "capture_interval_s": round(self.interval.value(), 2),
            "idle_pause_minutes": round(self.idle.value(), 2),
            "monitors": monitors,
            "excluded_apps": self.excluded.values(),
            "private_window_patterns": self.private.values(),
            "watched_folders": self.folders.values(),
            "chat_inbox": self.inbox.text().strip() or None,
            "max_file_mb": round(self.max_file.value(), 2),
            "retention_gb": round(self.retention_gb.value(), 2),
            "retention_days": self.retention_days.value(),
            "text_retention_days": self.text_days.value(),
            "model_path": self.model_path.text().strip() or None,
            "llm_context_tokens": self.context.value(),
            "llm_threads": self.threads.value(),
            "answer_context_budget": self.budget.value(),
            "auto_lock_minutes": self.auto_lock.value(),
            "mcp_enabled": self.mcp.isChecked(),
        }
        return {k: v for k, v in values.items() if getattr(self._original, k) != v}

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.accept()
            return
        self.buttons.setEnabled(False)
        self.message.setText("Saving…")

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(f"<span style='color:{theme.colours().danger}'>Could not save: {exc}</span>")

        self._session.update_settings(changes, on_done=lambda _s: self.accept(), on_failure=failed)

    def change_passphrase(self) -> None:
        dialog = PassphraseDialog(self._session, self)
        dialog.exec()

    def _show_usage(self, stats: Any) -> None:
        media_mb = stats.media_bytes / 1e6
        db_mb = stats.database_bytes / 1e6
        self.usage.setText(f"{stats.items:,} memories · database {db_mb:,.1f} MB · "
                           f"{stats.media_files:,} screenshots {media_mb:,.1f} MB")

    def _browse_inbox(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the chat export inbox")
        if folder:
            self.inbox.setText(folder)

    def _browse_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", "", "GGUF models (*.gguf);;All files (*)")
        if path:
            self.model_path.setText(path)

    def _load_app_suggestions(self) -> None:
        vault = self._session.vault

        def collect() -> list[str]:
            names: set[str] = set()
            try:
                import psutil

                for proc in psutil.process_iter(["name"]):
                    name = (proc.info.get("name") or "").strip()
                    if name and not name.startswith(("kworker", "ksoftirq", "migration", "rcu_")):
                        names.add(name)
            except Exception:
                pass
            if vault is not None:
                now = datetime.now().astimezone()
                for item in vault.items_between(now - timedelta(days=14), now, limit=2000, kinds=("screenshot",)):
                    app = (item.meta or {}).get("app")
                    if isinstance(app, str) and app:
                        names.add(app)
            return sorted(names, key=str.lower)

        self._session.run(collect, on_success=self.excluded.set_suggestions, owner=self, label="apps",
                          on_failure=lambda _e: None)


class PassphraseDialog(QDialog):
    """Asks for the current and the new passphrase and re-wraps the vault key in the background."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change passphrase")
        self._session = session
        self.current = QLineEdit()
        self.new = QLineEdit()
        self.confirm = QLineEdit()
        for w, name in ((self.current, "Current passphrase"), (self.new, "New passphrase"),
                        (self.confirm, "Repeat new passphrase")):
            w.setEchoMode(QLineEdit.EchoMode.Password)
            w.setAccessibleName(name)
        self.current.setPlaceholderText("Leave empty if the key is only in the keyring")
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Current", self.current)
        form.addRow("New", self.new)
        form.addRow("Repeat", self.confirm)
        form.addRow(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Change")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def submit(self) -> None:
        new, confirm = self.new.text(), self.confirm.text()
        problem = passphrase_problem(new, confirm)
        if problem:
            self.message.setText(f"<span style='color:{theme.colours().danger}'>{problem}</span>")
            return
        current = self.current.text() or None
        paths = self._session.paths
        vault = self._session.vault

        def change() -> None:
            method = getattr(vault, "change_passphrase", None)
            if method is not None:
                method(current, new)
                return
            from core.crypto.keys import change_passphrase

            change_passphrase(paths, current, new)

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(f"<span style='color:{theme.colours().danger}'>{exc}</span>")

        def done(_r: Any) -> None:
            self._session.status_message.emit("Passphrase changed: the new one unlocks Cairn from now on")
            self.accept()

        self.buttons.setEnabled(False)
        self.message.setText("Changing…")
        self._session.run(change, on_success=done, on_failure=failed, owner=self, label="change passphrase")


def passphrase_problem(new: str, confirm: str) -> str | None:
    """Why a new passphrase is refused, or None."""
    if len(new) < 8:
        return "Use at least 8 characters (a few unrelated words work well)."
    if new != confirm:
        return "The two new passphrases differ."
    return None

"""The "Files & chats" tab: watched folders and what in them is read, and the chat-export inbox.

Fields: ``watched_folders``, ``chat_inbox`` (empty text means no inbox),
``max_file_mb``, ``files_include_hidden``, ``files_follow_symlinks``,
``files_ignore_patterns`` and ``ocr_languages`` (empty text means English).

Threads: GUI thread only (the folder pickers are modal).  Errors: none
raised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from core.settings import help_of
from ui import theme
from ui.settings.editable_list import EditableList
from ui.settings.section import SettingsSection, muted_note, wrapped

if TYPE_CHECKING:
    from core.settings import Settings


class SourcesSection(SettingsSection):
    """Folders whose documents are indexed, the chat inbox, and the largest file read."""

    TITLE: ClassVar[str] = "Files && chats"
    ICON: ClassVar[str] = "folder"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        s = settings
        self.folders = EditableList("Watched folders", "Folder path", browse_folder=True)
        self.folders.set_values(s.watched_folders)
        self.form.addRow(wrapped("<b>Watched folders</b>: documents in these folders are read and kept "
                                 "searchable."))
        self.form.addRow(self.folders)
        self.inbox = QLineEdit(s.chat_inbox or "")
        self.inbox.setPlaceholderText("No inbox")
        self.inbox.setAccessibleName("Chat export inbox folder")
        browse = QPushButton(theme.icon("folder"), "Choose…")
        browse.setAccessibleName("Choose the chat inbox folder")
        browse.clicked.connect(self._browse_inbox)
        row = QHBoxLayout()
        row.addWidget(self.inbox, 1)
        row.addWidget(browse)
        self.form.addRow("Chat export inbox", row)
        self.form.addRow("", muted_note("Drop WhatsApp, Telegram, Slack, Discord, ChatGPT or Messenger "
                                        "exports here; they are imported automatically."))
        self.max_file = QDoubleSpinBox()
        self.max_file.setRange(1.0, 2048.0)
        self.max_file.setSuffix(" MB")
        self.max_file.setDecimals(0)
        self.max_file.setValue(s.max_file_mb)
        self.max_file.setAccessibleName("Largest file to read in megabytes")
        self.form.addRow("Skip files larger than", self.max_file)
        self.ocr_languages = QLineEdit(s.ocr_languages or "")
        self.ocr_languages.setPlaceholderText("eng (e.g. eng+deu)")
        self.ocr_languages.setAccessibleName("Languages to read images and scanned pages in")
        self.ocr_languages.setToolTip(help_of("ocr_languages"))
        self.form.addRow("Text in images", self.ocr_languages)
        self.include_hidden = QCheckBox("Also read hidden files and folders")
        self.include_hidden.setChecked(s.files_include_hidden)
        self.include_hidden.setAccessibleName("Index hidden files in watched folders")
        self.form.addRow(self.include_hidden)
        self.follow_symlinks = QCheckBox("Follow symbolic links inside watched folders")
        self.follow_symlinks.setChecked(s.files_follow_symlinks)
        self.follow_symlinks.setAccessibleName("Follow symbolic links in watched folders")
        self.form.addRow(self.follow_symlinks)
        self.ignore_patterns = EditableList("Patterns never read", "e.g. *.log or build/")
        self.ignore_patterns.set_values(s.files_ignore_patterns)
        self.form.addRow(wrapped("<b>Never read</b> (gitignore-style patterns, in every watched folder):"))
        self.form.addRow(self.ignore_patterns)

    def values(self) -> dict[str, Any]:
        return {
            "watched_folders": self.folders.values(),
            "chat_inbox": self.inbox.text().strip() or None,
            "max_file_mb": round(self.max_file.value(), 2),
            "files_include_hidden": self.include_hidden.isChecked(),
            "files_follow_symlinks": self.follow_symlinks.isChecked(),
            "files_ignore_patterns": self.ignore_patterns.values(),
            "ocr_languages": self.ocr_languages.text().strip() or None,
        }

    def _browse_inbox(self) -> None:
        # Parented to the dialog, not this page, so the picker sits over the dialog as before the split.
        folder = QFileDialog.getExistingDirectory(self.window(), "Choose the chat export inbox")
        if folder:
            self.inbox.setText(folder)

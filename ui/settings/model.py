"""The Model tab: which language model answers, better ones to download, and how much it is given to work with.

The catalogue of downloadable models is ``ui.settings.model_catalogue``;
choosing one fills the model field.  Fields: ``model_path`` (empty text
means the packaged default),
``llm_context_tokens``, ``llm_threads`` (0 means automatic) and
``answer_context_budget``.

Threads: GUI thread only (the file picker is modal).  Errors: none raised;
the path is not checked here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QWidget

from ui import theme
from ui.settings.section import SettingsSection, muted_note

if TYPE_CHECKING:
    from core.settings import Settings
    from ui.session import Session


class ModelSection(SettingsSection):
    """The GGUF model, its context size and threads, and the memory budget per answer."""

    TITLE: ClassVar[str] = "Model"
    ICON: ClassVar[str] = "ask"

    def __init__(self, settings: Settings, session: Session | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        s = settings
        self.model_path = QLineEdit(s.model_path or "")
        self.model_path.setPlaceholderText("Packaged default (Gemma 3 270M)")
        self.model_path.setAccessibleName("Language model file")
        browse = QPushButton(theme.icon("file"), "Choose GGUF…")
        browse.setAccessibleName("Choose a GGUF model file")
        browse.clicked.connect(self._browse_model)
        row = QHBoxLayout()
        row.addWidget(self.model_path, 1)
        row.addWidget(browse)
        self.form.addRow("Model file", row)
        self.form.addRow("", muted_note("Any GGUF model works; a 1–4B instruct model gives clearly better "
                                        "answers than the small default. Answers always cite your memories "
                                        "either way."))
        self.catalogue = None
        if session is not None:
            from ui.settings.model_catalogue import ModelCatalogue

            self.catalogue = ModelCatalogue(session, lambda: self.model_path.text().strip() or None,
                                            self.model_path.setText)
            self.model_path.textChanged.connect(lambda _t: self.catalogue.refresh() if self.catalogue else None)
            self.form.addRow("Better models", self.catalogue)
            self.form.addRow("", muted_note("Downloading is the only thing Cairn sends to the network, and only "
                                            "when you click Download; the file is checked against the checksum "
                                            "its host publishes."))
        self.context = QSpinBox()
        self.context.setRange(512, 131072)
        self.context.setSingleStep(512)
        self.context.setSuffix(" tokens")
        self.context.setValue(s.llm_context_tokens)
        self.context.setAccessibleName("Model context size in tokens")
        self.form.addRow("Context size", self.context)
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("automatic (physical cores)")
        self.threads.setValue(s.llm_threads)
        self.threads.setAccessibleName("Model threads, zero means automatic")
        self.form.addRow("Threads", self.threads)
        self.budget = QSpinBox()
        self.budget.setRange(100, 65536)
        self.budget.setSingleStep(100)
        self.budget.setSuffix(" tokens")
        self.budget.setValue(s.answer_context_budget)
        self.budget.setAccessibleName("Tokens of memories given to the model")
        self.form.addRow("Memories per answer", self.budget)

    def values(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path.text().strip() or None,
            "llm_context_tokens": self.context.value(),
            "llm_threads": self.threads.value(),
            "answer_context_budget": self.budget.value(),
        }

    def _browse_model(self) -> None:
        # Parented to the dialog, not this page, so the picker sits over the dialog as before the split.
        path, _ = QFileDialog.getOpenFileName(self.window(), "Choose a GGUF model", "",
                                              "GGUF models (*.gguf);;All files (*)")
        if path:
            self.model_path.setText(path)

"""The Storage tab: the disk budget, how long screenshots and text are kept, and what is used now.

Fields: ``retention_gb`` (-1: automatic, from the free disk), ``retention_days``
and ``text_retention_days`` (0 means as long as anything else).  The "in use
now" line comes from ``vault.stats()`` and the forecast from
``vault.storage_budget()`` (the measured rate of the last days), both read in
the background when the section is built.

Threads: GUI thread only; the measurement runs on the session's workers.
Errors: none raised; a failed measurement shows "unknown".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLabel, QSpinBox, QWidget

from ui.operations import QueryOp
from ui.session import Session
from ui.settings.section import SettingsSection, muted_note
from ui.widgets.operations import load_stats

if TYPE_CHECKING:
    from core.settings import Settings


class StorageSection(SettingsSection):
    """Retention limits and the vault's current size."""

    TITLE: ClassVar[str] = "Storage"
    ICON: ClassVar[str] = "summary"

    def __init__(self, settings: Settings, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        s = settings
        self.retention_gb = QDoubleSpinBox()
        self.retention_gb.setRange(0.5, 4096.0)
        self.retention_gb.setSuffix(" GB")
        self.retention_gb.setDecimals(1)
        self.retention_gb.setValue(s.retention_gb if s.retention_gb > 0 else 20.0)
        self.retention_gb.setAccessibleName("Storage budget in gigabytes")
        self.auto_budget = QCheckBox("Automatic: a quarter of the free disk")
        self.auto_budget.setAccessibleName("Storage budget from the free disk")
        self.auto_budget.setChecked(s.retention_gb < 0)
        self.retention_gb.valueChanged.connect(lambda _gb: self.auto_budget.setChecked(False))  # a size typed wins
        self.form.addRow("Use at most", self.retention_gb)
        self.form.addRow("", self.auto_budget)
        self.retention_days = QSpinBox()
        self.retention_days.setRange(1, 36500)
        self.retention_days.setSuffix(" days")
        self.retention_days.setValue(s.retention_days)
        self.retention_days.setAccessibleName("Keep screenshots for days")
        self.form.addRow("Keep screenshots for", self.retention_days)
        self.text_days = QSpinBox()
        self.text_days.setRange(0, 36500)
        self.text_days.setSpecialValueText("as long as anything else")
        self.text_days.setSuffix(" days")
        self.text_days.setValue(s.text_retention_days)
        self.text_days.setAccessibleName("Keep text for days, zero means as long as anything else")
        self.form.addRow("Keep text for", self.text_days)
        self.form.addRow(muted_note("When the budget is reached the oldest screenshots go first, then their "
                                    "thumbnails; text goes last. When the disk is nearly full, capture keeps "
                                    "text only and says so."))
        self.usage = QLabel("Measuring…")
        self.usage.setProperty("muted", True)
        self.usage.setAccessibleName("Storage used")
        self.form.addRow("In use now", self.usage)
        self.forecast = QLabel("Measuring…")
        self.forecast.setProperty("muted", True)
        self.forecast.setAccessibleName("Storage forecast")
        self.form.addRow("Forecast", self.forecast)
        if session.vault is not None:
            usage = load_stats(session).success(self.show_usage).failure(lambda _e: self.usage.setText("unknown"))
            usage.owned_by(self).run()
            budget = QueryOp(session, lambda v: v.storage_budget(), label="storage forecast")
            budget.success(self.show_budget).owned_by(self).run()

    def values(self) -> dict[str, Any]:
        return {
            "retention_gb": -1.0 if self.auto_budget.isChecked() else round(self.retention_gb.value(), 2),
            "retention_days": self.retention_days.value(),
            "text_retention_days": self.text_days.value(),
        }

    def show_budget(self, budget: Any) -> None:
        """Show a ``vault.storage_budget()``: the forecast, and the automatic budget's size in the size box."""
        # one clause a line: a wrapped label in a form row is cut off when its text arrives late
        self.forecast.setText(budget.forecast().replace("; ", ";\n"))
        if self.auto_budget.isChecked() and budget.budget:
            self.retention_gb.blockSignals(True)  # showing the automatic size is not choosing a size
            self.retention_gb.setValue(budget.budget / 1e9)
            self.retention_gb.blockSignals(False)

    def show_usage(self, stats: Any) -> None:
        """Show a ``vault.stats()`` result: memories, database size, screenshots and their size."""
        media_mb = stats.media_bytes / 1e6
        db_mb = stats.database_bytes / 1e6
        self.usage.setText(f"{stats.items:,} memories · database {db_mb:,.1f} MB · "
                           f"{stats.media_files:,} screenshots {media_mb:,.1f} MB")

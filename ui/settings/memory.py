"""The "About you" tab: what consolidation needs to know about the user to read their memories right.

Fields: ``self_names`` (the user's own names, so facts about them are
theirs), ``phone_region`` (empty: from the locale) and ``timezone`` (empty:
UTC), which day summaries use to cut days.

Threads: GUI thread only.  Errors: none raised; the lists offer only valid
regions and zones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QComboBox, QWidget

from core.settings import help_of, phone_regions, time_zones
from ui.settings.editable_list import EditableList
from ui.settings.section import SettingsSection, muted_note, wrapped

if TYPE_CHECKING:
    from core.settings import Settings


def _choice(name: str, empty: str, options: list[str], current: str | None) -> QComboBox:
    """A combo box of ``options`` led by ``empty`` (stored as None); type-ahead picks an entry."""
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.addItem(empty, None)
    for option in options:
        combo.addItem(option, option)
    if current and combo.findData(current) < 0:
        combo.addItem(current, current)  # a value from an older Cairn or the CLI stays as it is
    combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
    return combo


class MemorySection(SettingsSection):
    """The user's own names, the phone region and the time zone used when reading memories."""

    TITLE: ClassVar[str] = "About you"
    ICON: ClassVar[str] = "person"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        s = settings
        self.self_names = EditableList("Your names", "A name you go by")
        self.self_names.set_values(s.self_names)
        self.form.addRow(wrapped("<b>Your names</b>: " + help_of("self_names") + "."))
        self.form.addRow(self.self_names)
        self.phone_region = _choice("Phone number region", "From the system locale", phone_regions(),
                                    s.phone_region)
        self.form.addRow("Phone region", self.phone_region)
        self.form.addRow("", muted_note("Phone numbers written without a country code are read as "
                                        "numbers of this region."))
        self.timezone = _choice("Time zone for day summaries", "UTC", time_zones(), s.timezone)
        self.form.addRow("Time zone", self.timezone)
        self.form.addRow("", muted_note("Where your days begin and end for the daily summaries."))

    def values(self) -> dict[str, Any]:
        return {
            "self_names": self.self_names.values(),
            "phone_region": self.phone_region.currentData(),
            "timezone": self.timezone.currentData(),
        }

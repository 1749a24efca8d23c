"""The picker fills only the value the user picks; locked (sensitive) values cannot be picked."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

from core.memory.knowledge import facts
from core.memory.knowledge.entities import self_entity
from core.memory.profile.profile import load_profile


class RecordingSink:
    def __init__(self) -> None:
        self.filled: list[tuple[str, str]] = []

    def session(self, values: Sequence[str]) -> AbstractContextManager[object]:
        return nullcontext()

    def fill(self, field_id: str, value: str) -> None:
        self.filled.append((field_id, value))


def test_picker_types_the_chosen_value_only(lexical_vault, qtbot) -> None:
    from PySide6.QtCore import Qt

    from ui.autofill.picker import AutofillPicker

    def setup(conn) -> None:
        me = self_entity(conn, ("Anna Berg",))
        facts.set_fact(conn, me, "email", "anna.berg@example.com")
        facts.set_fact(conn, me, "iban", "DE89 3704 0044 0532 0130 00")

    lexical_vault.write(setup)
    sink, copies = RecordingSink(), RecordingSink()
    picker = AutofillPicker(load_profile(lexical_vault.read()), sink, copies)
    qtbot.addWidget(picker)
    picker.popup_at_cursor()
    assert sink.filled == [] and copies.filled == []  # showing the picker fills nothing
    rows = {picker.list.item(i).text(): picker.list.item(i) for i in range(picker.list.count())}
    iban = next(item for text, item in rows.items() if text.startswith("IBAN"))
    assert "3704" not in iban.text() and not (iban.flags() & Qt.ItemFlag.ItemIsEnabled)
    picker._activated(iban)  # a locked value does nothing even if activated
    assert sink.filled == []
    email = next(item for text, item in rows.items() if text.startswith("E-mail"))
    with qtbot.waitSignal(picker.chosen, timeout=5000):
        picker._activated(email)
    assert sink.filled == [("focused", "anna.berg@example.com")] and copies.filled == []


def test_the_picker_stays_on_screen_near_the_edges(qapp) -> None:
    from PySide6.QtCore import QPoint, QSize
    from PySide6.QtGui import QGuiApplication

    from ui.autofill.picker import on_screen

    area = QGuiApplication.primaryScreen().availableGeometry()
    size = QSize(380, 300)
    corner = QPoint(area.right() - 5, area.bottom() - 5)  # the pointer in the bottom-right corner
    placed = on_screen(corner + QPoint(8, 8), size, corner)
    assert area.contains(placed) and area.contains(placed + QPoint(size.width() - 1, size.height() - 1))
    middle = area.center()
    assert on_screen(middle + QPoint(8, 8), size, middle) == middle + QPoint(8, 8)  # room enough: unchanged


def test_the_picker_is_driven_by_the_keyboard(lexical_vault, qtbot) -> None:
    from PySide6.QtCore import Qt

    from ui.autofill.picker import AutofillPicker

    def setup(conn) -> None:
        me = self_entity(conn, ("Anna Berg",))
        facts.set_fact(conn, me, "email", "anna.berg@example.com")
        facts.set_fact(conn, me, "phone", "+49 30 1234567")

    lexical_vault.write(setup)
    sink, copies = RecordingSink(), RecordingSink()
    picker = AutofillPicker(load_profile(lexical_vault.read()), sink, copies)
    qtbot.addWidget(picker)
    picker.popup_at_cursor()
    qtbot.waitUntil(lambda: picker.list.hasFocus(), timeout=5000)  # it takes the keyboard when it opens
    assert picker.list.currentRow() == 0  # the first value is ready for Enter
    qtbot.keyClick(picker.list, Qt.Key.Key_Down)
    wanted = picker.list.currentItem().data(Qt.ItemDataRole.UserRole).value
    with qtbot.waitSignal(picker.chosen, timeout=5000):
        qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    assert sink.filled == [("focused", wanted)] and copies.filled == []

"""Keyboard help, shortcuts and accessible names; light and dark themes."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QListView

from ui.shell.help_overlay import SHORTCUTS


def test_f1_shows_every_shortcut_and_esc_closes(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.help.isVisible()
    qtbot.keyClick(window.help, Qt.Key.Key_Escape)
    assert not window.help.isVisible()
    # the window binds every "Anywhere" shortcut the overlay lists
    bound = {a.shortcut().toString() for a in window.actions()}
    for keys, _what in SHORTCUTS[0][1]:
        assert keys in bound, keys


def test_page_shortcuts_switch_pages(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    for key, page in ((Qt.Key.Key_F, "search"), (Qt.Key.Key_J, "ask"), (Qt.Key.Key_M, "graph"),
                      (Qt.Key.Key_T, "timeline")):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() == page


def test_controls_have_accessible_names(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    for key in ("timeline", "search", "ask"):
        window.show_page(key)
    missing = []
    for widget in window.findChildren(QAbstractButton) + window.findChildren(QLineEdit) + \
            window.findChildren(QComboBox) + window.findChildren(QListView):
        parent = widget.parent()
        if isinstance(parent, QComboBox | QLineEdit):
            continue  # the combo box / line edit carries the name (its clear button, its editor)
        if parent is not None and parent.metaObject().className() == "QComboBoxPrivateContainer":
            continue  # a combo box's popup list
        if widget.objectName().startswith("qt_"):
            continue  # Qt's own internals (scroll bar buttons, calendar parts)
        if not (widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text())):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parent()).__name__}")
    assert missing == [], "\n".join(missing)


def test_dark_theme_follows_the_system_setting(theme: Any, qtbot: Any) -> None:
    old = os.environ.get("CAIRN_THEME")
    try:
        os.environ["CAIRN_THEME"] = "dark"
        theme.apply()
        assert theme.colours.dark
        assert qtbot is not None
        from PySide6.QtGui import QPalette
        from PySide6.QtWidgets import QApplication

        assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
    finally:
        os.environ["CAIRN_THEME"] = old or "light"
        theme.apply()
    assert not theme.colours.dark

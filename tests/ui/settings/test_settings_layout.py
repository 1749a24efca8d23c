"""Settings at its smallest size: every tab title shows, and no tab paints one row over another."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QWidget


def _overlaps(page: QWidget) -> list[str]:
    """Pairs of visible sibling widgets on ``page`` whose rectangles intersect (a squeezed layout)."""
    found: list[str] = []
    parents = [page, *page.findChildren(QWidget)]
    for parent in parents:
        if isinstance(parent, QAbstractScrollArea) and parent is not page:
            continue  # a scroll area's own parts (viewport, bars) are placed by Qt, not by our layouts
        kids = [w for w in parent.children()
                if isinstance(w, QWidget) and w.isVisible() and not w.isWindow() and w.width() > 0 and w.height() > 0]
        for i, a in enumerate(kids):
            for b in kids[i + 1:]:
                if a.geometry().intersects(b.geometry()):
                    found.append(f"{type(a).__name__}({a.accessibleName() or a.objectName()}) "
                                 f"over {type(b).__name__}({b.accessibleName() or b.objectName()}) in "
                                 f"{type(parent).__name__}")
    return found


def test_every_tab_fits_at_the_minimum_size(unlocked: Any, qtbot: Any) -> None:
    from ui.settings.dialog import SettingsDialog

    window = unlocked
    qtbot.waitUntil(lambda: window.session._settings is not None, timeout=10000)
    dialog = SettingsDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.resize(dialog.minimumSize())
    dialog.show()
    bar = dialog.tabs.tabBar()
    # Every title visible at once: the last tab ends inside the bar (no scroll arrows hiding "Sync").
    last = bar.tabRect(bar.count() - 1)
    assert last.right() <= bar.width(), (last, bar.width())
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        section = dialog.tabs.widget(index)
        qtbot.waitUntil(section.isVisible, timeout=5000)
        problems = _overlaps(section)
        assert not problems, f"{dialog.tabs.tabText(index)}: {problems}"
        # Nothing reaches past the tab's right edge (a row wider than the dialog would be cut off).
        for child in section.findChildren(QWidget):
            if child.isVisible() and not child.isWindow() and child.parentWidget() is not None \
                    and not isinstance(child.parentWidget(), QAbstractScrollArea):
                right = child.mapTo(section, QPoint(child.width(), 0)).x()
                assert right <= section.width() + 1, (dialog.tabs.tabText(index), type(child).__name__, right,
                                                      section.width(), QRect(child.geometry()))


def test_it_opens_tall_enough_for_the_longest_tab(unlocked: Any, qtbot: Any) -> None:
    from ui.settings.dialog import SettingsDialog

    window = unlocked
    qtbot.waitUntil(lambda: window.session._settings is not None, timeout=10000)
    dialog = SettingsDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()  # the size a user first sees (the test screen is 800 pixels high)
    screen = dialog.screen().availableGeometry().height()
    assert dialog.height() <= screen
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        section = dialog.tabs.widget(index)
        qtbot.waitUntil(section.isVisible, timeout=5000)
        if section.page.sizeHint().height() + 200 > screen:
            continue  # taller than this screen allows: scrolling is right
        bar = section.scroll.verticalScrollBar()

        def nothing_to_scroll(bar: Any = bar, index: int = index, section: Any = section) -> None:
            assert bar.maximum() == 0 and not bar.isVisible(), (
                f"{dialog.tabs.tabText(index)} scrolls at the opening size {dialog.size()}: "
                f"page wants {section.page.minimumSizeHint()}")

        qtbot.waitUntil(nothing_to_scroll, timeout=3000)  # once the tab has laid itself out

"""Forget from the app: a preview count, then the memories are gone for real; the demo can be removed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.ui.conftest import demo_now, wait_idle


def _some_memory(vault: Any, kind: str) -> Any:
    now = demo_now(vault)
    return next(i for i in vault.items_between(now - timedelta(days=90), now, limit=500) if i.kind == kind)


def test_forget_a_moment_with_its_preview_from_the_right_click_menu(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    vault = window.session.vault
    shot = _some_memory(vault, "screenshot")
    from ui.widgets.memory_menu import memory_menu

    menu = memory_menu(window, window.session, shot, lambda _i: None)
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels[:3] == ["Open in timeline", "Copy text", "Forget…"] and labels[-1].startswith("Never capture ")
    dialog = window.forget(shot)
    assert [s.key for s in dialog.scopes][:3] == ["moment", "hour", "day"] and "app" in [s.key for s in dialog.scopes]
    qtbot.waitUntil(lambda: dialog.count() == 1, timeout=15000)
    assert "1 memory will be deleted for good" in dialog.preview.text() and dialog.forget_button.isEnabled()
    dialog.choose("day")
    qtbot.waitUntil(lambda: dialog.count() is not None and dialog.count() >= 1, timeout=15000)
    dialog.choose("moment")
    qtbot.waitUntil(lambda: dialog.count() == 1, timeout=15000)
    gone: list[int] = []
    dialog.forgotten.connect(gone.append)
    dialog.forget_button.click()
    qtbot.waitUntil(lambda: gone == [1], timeout=15000)
    wait_idle(qtbot, window)
    import pytest

    from core.errors import CairnError

    with pytest.raises(CairnError, match="no memory"):
        vault.get_item(shot.id)


def test_remove_the_demo_memory_from_the_app(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    vault = window.session.vault
    before = vault.stats().items
    dialog = window.forget()
    assert [s.key for s in dialog.scopes] == ["range", "demo"]
    dialog.choose("demo")
    qtbot.waitUntil(lambda: dialog.count() is not None, timeout=15000)
    assert 0 < dialog.count() <= before
    expected = dialog.count()
    gone: list[int] = []
    dialog.forgotten.connect(gone.append)
    dialog.forget_button.click()
    qtbot.waitUntil(lambda: gone == [expected], timeout=30000)
    wait_idle(qtbot, window)
    from core.demo import count_demo_memory

    assert count_demo_memory(vault) == 0


def test_never_capture_an_app_from_the_menu(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    shot = _some_memory(window.session.vault, "screenshot")
    from ui.widgets.memory_menu import memory_menu

    menu = memory_menu(window, window.session, shot, lambda _i: None)
    never = next(a for a in menu.actions() if a.text().startswith("Never capture "))
    app = never.text().removeprefix("Never capture ")
    never.trigger()
    qtbot.waitUntil(lambda: app.lower() in window.session.vault.settings().excluded_apps, timeout=15000)


def test_the_screenshot_and_its_neighbours_have_the_memory_menu(unlocked: Any, qtbot: Any) -> None:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtWidgets import QApplication, QMenu

    window = unlocked
    shot = _some_memory(window.session.vault, "screenshot")
    timeline = window.timeline()
    timeline.open_item(int(shot.id))
    qtbot.waitUntil(lambda: timeline.current_item() is not None and int(timeline.current_item().id) == int(shot.id),
                    timeout=15000)
    image = timeline.moment.image_view()
    image.customContextMenuRequested.emit(QPoint(10, 10))  # a right-click on the screenshot
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=5000)
    menu = QApplication.activePopupWidget()
    labels = [a.text() for a in menu.actions() if a.text()]
    assert "Forget…" in labels and any(t.startswith("Never capture ") for t in labels)
    menu.close()
    around = timeline.moment._around
    assert around.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu

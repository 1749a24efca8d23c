from __future__ import annotations

from typing import Any

from tests.ui.conftest import wait_idle


def test_shot(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    search = window.show_page("search")
    search.set_query("staging")
    search.when.setCurrentIndex(search.when.findText("Today"))
    search.search_now()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: search.nearest_button.isVisibleTo(search), timeout=30000)
    qtbot.wait(300)
    window.grab().save("/tmp/flt/nearest.png")

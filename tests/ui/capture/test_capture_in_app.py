"""The app runs screen capture itself while unlocked: real Xvfb, a real window, real OCR.

The app's own widgets render offscreen; the screen daemon it starts grabs the
Xvfb display, where a separate Qt process shows a window with known words.
Those words must become a screenshot memory that the timeline (showing
today) pages in by itself, and the status bar must say "Capturing".  Locking
stops capture before the keys are dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.capture.screen.xserver import QtWindow, XServer, x_tools_missing, xserver

pytestmark = [pytest.mark.slow, pytest.mark.xvfb,
              pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))]

WORDS = ["Quarterly aardvark inventory", "Periwinkle zeppelin schedule"]


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[XServer]:
    with xserver() as srv:
        monkeypatch.setenv("DISPLAY", srv.display)  # the daemon grabs this display
        yield srv


def test_unlocked_app_captures_the_screen_and_the_timeline_follows(
        server: XServer, qtbot: Any, theme: Any, demo_paths: Any) -> None:
    from core.retrieve.types import SearchRequest
    from tests.conftest import TEST_PASSPHRASE
    from ui.session import Session
    from ui.shell.main_window import MainWindow

    window_proc = QtWindow(server, "cairn-notes", "Inventory - Notes", WORDS, (40, 40, 900, 500))
    session = Session(demo_paths)
    window = MainWindow(session, run_capture=True)
    qtbot.addWidget(window)
    window.show()
    try:
        window.lock_page.passphrase.setText(TEST_PASSPHRASE)
        window.lock_page.unlock()
        qtbot.waitUntil(lambda: session.is_unlocked, timeout=20000)
        # Unlocking opens the latest day with memories (the demo's: yesterday, after midnight); let that land
        # before turning to today, or it lands afterwards and the timeline ends up on the wrong day.
        qtbot.waitUntil(lambda: session.tasks.running == 0, timeout=20000)
        timeline = window.timeline()
        today = datetime.now().astimezone().date()
        timeline.show_day(today)
        assert timeline.current_day() == today
        qtbot.waitUntil(lambda: window.capture_runner.running, timeout=20000)
        vault = session.vault

        def captured() -> bool:
            hits = vault.search(SearchRequest("periwinkle zeppelin", k=3, parse_time=False)).hits
            return any(h.kind == "screenshot" for h in hits)

        qtbot.waitUntil(captured, timeout=60000)
        qtbot.waitUntil(lambda: window.health.last is not None and window.health.last.running
                        and window.health.last.last_indexed_at is not None, timeout=20000)
        assert window.health_bar.text().startswith(("Capturing", "Idle"))
        # the timeline showing today pages the new frame in without being reloaded by hand
        qtbot.waitUntil(lambda: any(timeline.model.item(r).kind == "screenshot"
                                    and "eriwinkle" in timeline.model.item(r).text
                                    for r in range(timeline.model.rowCount())), timeout=20000)
        now = datetime.now().astimezone()
        shots = [i for i in vault.items_between(now - timedelta(minutes=5), now + timedelta(minutes=1))
                 if i.kind == "screenshot"]
        assert shots and all(i.meta.get("media_id") for i in shots)

        window.lock()
        qtbot.waitUntil(lambda: session.tasks.running == 0, timeout=20000)
        assert not window.capture_runner.running
        # Nothing can be captured while locked: every capture thread has ended (not merely paused).
        qtbot.waitUntil(lambda: not any(t.name.startswith("cairn-screen-") for t in threading.enumerate()),
                        timeout=20000)
    finally:
        window._quitting = True
        session.close_now()
        window_proc.close()

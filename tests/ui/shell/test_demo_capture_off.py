"""`make run`'s demo never records the real screen unless asked, and says so where the user looks."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from core.paths import VaultPaths


def test_the_demo_says_capturing_is_off_and_captures_nothing(qtbot: Any, theme: Any, tmp_path: Path) -> None:
    from app.demo import DEMO_PASSPHRASE, ensure_demo_vault
    from ui.session import Session
    from ui.shell.main_window import DEMO_CAPTURE_OFF, MainWindow

    home = tmp_path / "demo"
    ensure_demo_vault(home).close()  # type: ignore[attr-defined]
    session = Session(VaultPaths(home))
    window = MainWindow(session, run_capture=True)
    window.demo = True
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    try:
        window.lock_page.passphrase.setText(DEMO_PASSPHRASE)
        window.lock_page.unlock()
        qtbot.waitUntil(lambda: session.is_unlocked, timeout=30000)
        qtbot.waitUntil(lambda: not session.settings.screen_enabled, timeout=20000)  # loaded after unlock
        window.health.poll()
        qtbot.waitUntil(lambda: DEMO_CAPTURE_OFF in window.health_bar.text().lower(), timeout=20000)
        assert not any(t.name.startswith("cairn-screen-") for t in threading.enumerate())
        window.grab().save(str(tmp_path / "demo.png"))  # looked at by hand: the status bar says it
    finally:
        window._quitting = True
        session.close_now()

"""Autofill from any application: Ctrl+Alt+A pressed for real on an X server opens the picker."""

from __future__ import annotations

from typing import Any

import pytest

from tests.capture.screen.xserver import x_tools_missing, xserver
from tests.conftest import TEST_PASSPHRASE


@pytest.mark.xvfb
def test_ctrl_alt_a_on_x11_opens_the_autofill_picker(qtbot: Any, theme: Any, demo_paths: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    missing = x_tools_missing()
    if missing:
        pytest.fail(f"X tools missing: {missing} (scripts/setup.sh installs them)")
    from ui.session import Session
    from ui.shell.main_window import MainWindow

    with xserver() as server:
        monkeypatch.setenv("DISPLAY", server.display)  # the shortcuts grab keys on this server
        session = Session(demo_paths)
        window = MainWindow(session)
        qtbot.addWidget(window)
        try:
            window.show()
            window.lock_page.passphrase.setText(TEST_PASSPHRASE)
            window.lock_page.unlock()
            qtbot.waitUntil(lambda: session.is_unlocked, timeout=20000)
            assert getattr(window, "_autofill_picker", None) is None
            with qtbot.assertNotEmitted(window.autofill_hotkey.activated, wait=300):
                server.xdotool("key", "ctrl+alt+space")  # the search shortcut is not autofill
            server.xdotool("key", "ctrl+alt+a")
            qtbot.waitUntil(lambda: getattr(window, "_autofill_picker", None) is not None
                            and window._autofill_picker.isVisible(), timeout=10000)
            picker = window._autofill_picker
            assert picker.list.count() > 0  # the profile's values, ready to pick
        finally:
            window._quitting = True
            window.autofill_hotkey.stop()
            window.hotkey.stop()
            session.close_now()

"""The global shortcut, pressed for real on an X server (Xvfb + openbox, xdotool)."""

from __future__ import annotations

import pytest

from tests.capture.screen.xserver import x_tools_missing, xserver


@pytest.mark.xvfb
def test_ctrl_alt_space_on_x11_emits_activated(qtbot) -> None:
    missing = x_tools_missing()
    if missing:
        pytest.fail(f"X tools missing: {missing} (scripts/setup.sh installs them)")
    from ui.shell.hotkey import GlobalHotkey

    with xserver() as server:
        hotkey = GlobalHotkey(display=server.display)
        assert hotkey.start() is None
        try:
            with qtbot.waitSignal(hotkey.activated, timeout=10_000):
                server.xdotool("key", "ctrl+alt+space")
            with qtbot.assertNotEmitted(hotkey.activated, wait=500):
                server.xdotool("key", "ctrl+space")  # another chord is not ours
        finally:
            hotkey.stop()


def test_without_x11_it_says_why(monkeypatch) -> None:
    from ui.shell.hotkey import GlobalHotkey

    monkeypatch.delenv("DISPLAY", raising=False)
    assert "bind" in (GlobalHotkey().start() or "")

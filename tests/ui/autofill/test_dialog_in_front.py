"""The fill-form confirmation opens in front of the form it fills (real Xvfb + openbox, two processes)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.capture.screen.xserver import x_tools_missing, xserver
from tests.ui.autofill.test_autofill_xvfb import _read_line

pytestmark = [pytest.mark.xvfb]
REPO = Path(__file__).resolve().parents[3]


def _root_window_ids(server, atom: str) -> list[int]:
    """The window ids a root property holds; [] while the window manager has none set."""
    value = subprocess.run(["xprop", "-root", atom], env=server.env(),
                           capture_output=True, text=True, timeout=10).stdout
    if "#" not in value:
        return []
    return [int(v.strip(), 16) for v in value.split("#", 1)[1].split(",") if v.strip()]


def _top_and_active(server) -> tuple[int, int]:
    # _NET_ACTIVE_WINDOW is read from the root rather than with ``xdotool getactivewindow``:
    # while focus passes between windows it is briefly unset, and xdotool exits 1 on that
    # (it made this test red in a fresh clone); the polling below treats "none" as 0.
    stacking = _root_window_ids(server, "_NET_CLIENT_LIST_STACKING")
    active = _root_window_ids(server, "_NET_ACTIVE_WINDOW")
    return (stacking[-1] if stacking else 0), (active[0] if active else 0)


@pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))
def test_the_confirmation_is_in_front_of_the_focused_form() -> None:
    with xserver() as server:
        env = {**server.env(), "QT_QPA_PLATFORM": "xcb"}

        def start(module: str, *args: str) -> subprocess.Popen[str]:
            return subprocess.Popen([sys.executable, "-m", module, *args], cwd=REPO, env=env, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def settle_on(expected: tuple[int, int] | int) -> tuple[int, int]:
            deadline = time.monotonic() + 20
            state = _top_and_active(server)
            while time.monotonic() < deadline and (state if isinstance(expected, tuple) else state[1]) != expected:
                time.sleep(0.05)
                state = _top_and_active(server)
            return state

        dialog = start("tests.ui.autofill.dialog_front")  # Cairn, its main window open
        form = None
        try:
            main_id = int(_read_line(dialog).split()[1])
            settle_on(main_id)
            form = start("tests.ui.autofill.qt_form")  # then the user opens another app's form: it has the focus
            form_id = int(_read_line(form).split()[1])
            assert settle_on(form_id)[1] == form_id
            dialog.stdin.write("go\n")  # "Fill form" from the tray or a shortcut
            dialog.stdin.flush()
            dialog_id = int(_read_line(dialog).split()[1])
            assert settle_on((dialog_id, dialog_id)) == (dialog_id, dialog_id)  # on top of the stack and focused
        finally:
            for proc in (dialog, form):
                if proc is not None:
                    proc.kill()
                    proc.wait(10)

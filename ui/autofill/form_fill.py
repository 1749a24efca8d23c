"""'Fill form': type confirmed values into the fields of the focused window, and check they arrived.

Reading the form (where the window is, its fields by OCR) is core's
``core.screen_form``.  X11 only for typing (``xdotool``); elsewhere the
dialog offers to copy values instead.  Nothing here runs without the user:
typing happens through ``XdotoolSink`` only when the dialog's "Fill" button
hands it a plan with a ``UserConfirmation``.

Threads: the sink types from the thread that executes the plan.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from core.process_env import child_env
from core.screen_form import FieldReader, WindowBox, grab_window


def typing_available() -> bool:
    return shutil.which("xdotool") is not None and bool(os.environ.get("DISPLAY"))


class XdotoolSink:
    """Types values into fields of an X11 window: click the field, select all, type; then checks.

    ``targets`` maps a plan's field ids to window-relative click points.  At
    the end of a fill session the window is read back (OCR of each field's
    row) and a field that does not show its value is typed again, up to
    ``retries`` times: a click can be lost while an application reloads its
    keymap, and the user must not find an e-mail address in the name field.
    Fields still wrong afterwards are listed in ``unverified``.
    """

    def __init__(self, box: WindowBox, targets: dict[str, tuple[int, int]], display: str | None = None,
                 delay_ms: int = 8, retries: int = 2) -> None:
        self._box = box
        self._targets = dict(targets)
        self._env = child_env({"DISPLAY": display} if display else None)  # xdotool needs no secrets
        self._display = display
        self._delay = str(delay_ms)
        self._retries = retries
        self._typed: dict[str, str] = {}
        self.unverified: list[str] = []

    @contextmanager
    def session(self, values: Sequence[str]) -> Iterator[object]:
        self._typed.clear()
        with typing_session(values, self._display):
            yield self
            self.unverified = self._check_and_retype()

    def _run(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self._env, check=True, timeout=20, capture_output=True)

    def fill(self, field_id: str, value: str) -> None:
        x, y = self._targets[field_id]
        # the pause lets the application move keyboard focus before the keystrokes arrive
        self._run("mousemove", "--sync", str(self._box.left + x), str(self._box.top + y), "click", "1", "sleep", "0.15")
        self._run("key", "--clearmodifiers", "ctrl+a", "BackSpace")
        self._run("type", "--clearmodifiers", "--delay", self._delay, "--", value)
        self._typed[field_id] = value

    def _check_and_retype(self) -> list[str]:
        reader = FieldReader()
        wrong = list(self._typed)
        for attempt in range(self._retries + 1):
            image = grab_window(self._box, self._display)
            wrong = [f for f in wrong if not reader.shows(image, self._targets[f], self._typed[f])]
            if not wrong or attempt == self._retries:
                break
            for field_id in wrong:
                self.fill(field_id, self._typed[field_id])
        return wrong


def typing_session(values: Sequence[str], display: str | None) -> AbstractContextManager[object]:
    """Keyboard mappings for the characters of ``values`` the keyboard lacks, held for a whole fill.

    xdotool would remap a keycode per keystroke and revert it at once, racing the
    application (an 'ß' got lost under load); and every change of the mapping makes
    applications reload their keymap, during which a loaded machine was seen to
    deliver the next field's click late.  So the missing characters are mapped onto
    spare keycodes once, before the first field, and released after the last.
    """
    missing = {ch for value in values for ch in value if not ch.isascii()}
    return _SpareKeycodes(missing, display) if missing else nullcontext()


def _keysym(ch: str) -> int:
    code = ord(ch)
    return code if 0x20 <= code <= 0xFF else 0x01000000 + code


class _SpareKeycodes:
    """Temporarily bind ``chars`` to unused keycodes of the X keyboard map (python-xlib)."""

    def __init__(self, chars: set[str], display: str | None) -> None:
        self._chars = sorted(chars)
        self._display_name = display
        self._display: Any = None
        self._used: list[int] = []

    def __enter__(self) -> _SpareKeycodes:
        import time

        from Xlib import display as xdisplay

        self._display = xdisplay.Display(self._display_name)
        info = self._display.display.info
        first, last = info.min_keycode, info.max_keycode
        mapping = self._display.get_keyboard_mapping(first, last - first + 1)
        existing = {sym for syms in mapping for sym in syms if sym}
        free = [first + n for n, syms in enumerate(mapping) if not any(syms)]
        for ch in self._chars:
            sym = _keysym(ch)
            if sym in existing or not free:
                continue
            keycode = free.pop()
            self._display.change_keyboard_mapping(keycode, [(sym, sym)])
            self._used.append(keycode)
        self._display.sync()
        if self._used:
            time.sleep(0.2)  # let applications process MappingNotify before the keystrokes
        return self

    def __exit__(self, *exc: object) -> None:
        import time

        if self._display is None:
            return
        try:
            if self._used:
                time.sleep(0.2)  # the application must translate the last keystroke first
                for keycode in self._used:
                    self._display.change_keyboard_mapping(keycode, [(0, 0)])
                self._display.sync()
        finally:
            self._display.close()

"""System-wide shortcuts: Ctrl+Alt+Space brings up Cairn's search, Ctrl+Alt+A the autofill picker.

X11: the key is grabbed on the root window with python-xlib on a thread of
its own connection; a press emits ``activated`` on the GUI thread (queued
signal).  The grab is repeated with the Num Lock / Caps Lock modifiers so it
works whatever their state.  Elsewhere (Wayland, Windows, macOS) the platform
offers no grab to a plain process: ``start`` returns a reason instead, and
users bind ``cairn-app --show`` to a key in their desktop's settings.

Threads: create, start and stop on the GUI thread.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

DEFAULT_SHORTCUT = ("control", "mod1", "space")  # Ctrl+Alt+Space
AUTOFILL_SHORTCUT = ("control", "mod1", "a")  # Ctrl+Alt+A: the autofill picker at the pointer


class GlobalHotkey(QObject):
    activated = Signal()

    def __init__(self, keys: tuple[str, ...] = DEFAULT_SHORTCUT, display: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keys = keys
        self._display_name = display
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> str | None:
        """Grab the key; returns None on success or why the platform does not allow it."""
        if sys.platform != "linux" or not (self._display_name or os.environ.get("DISPLAY")):
            return "global shortcuts need X11 here; bind `cairn-app --show` to a key in your desktop settings"
        try:
            from Xlib import XK, X, display
            from Xlib.error import DisplayError
        except ImportError:
            return "python-xlib is not installed"
        try:
            conn = display.Display(self._display_name)
        except (DisplayError, OSError) as exc:
            return f"cannot reach the X server: {exc}"
        *mods, key = self.keys
        modmask = 0
        for name in mods:
            modmask |= {"control": X.ControlMask, "shift": X.ShiftMask, "mod1": X.Mod1Mask, "mod4": X.Mod4Mask}[name]
        keycode = conn.keysym_to_keycode(XK.string_to_keysym(key))
        root = conn.screen().root
        for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):  # Caps Lock, Num Lock
            root.grab_key(keycode, modmask | extra, True, X.GrabModeAsync, X.GrabModeAsync)
        conn.sync()
        self._stop.clear()
        self._thread = threading.Thread(target=self._listen, args=(conn, keycode, X.KeyPress), daemon=True,
                                        name="cairn-hotkey")
        self._thread.start()
        return None

    def _listen(self, conn: Any, keycode: int, key_press: int) -> None:
        from Xlib.error import ConnectionClosedError

        try:
            while not self._stop.is_set():
                readable, _, _ = select.select([conn.fileno()], [], [], 0.25)
                if not readable and not conn.pending_events():
                    continue
                while conn.pending_events():
                    event = conn.next_event()
                    if event.type == key_press and event.detail == keycode:
                        self.activated.emit()
        except (ConnectionClosedError, OSError):
            return  # the X server went away (session ended): nothing left to listen to
        finally:
            with contextlib.suppress(ConnectionClosedError, OSError):
                conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

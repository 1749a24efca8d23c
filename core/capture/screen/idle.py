"""Is the user there?  Input idle time and screen lock per platform, and the rule that uses them.

- ``IdleSource`` reports seconds since the last keyboard/mouse input and whether
  the screen is locked, each ``None`` when the platform does not say.  X11 uses
  the MIT-SCREEN-SAVER extension (idle time; an active screensaver counts as
  locked) and the desktop's lock screen over D-Bus (``session_lock``), Windows ``GetLastInputInfo``, macOS Quartz event-source and session
  dictionaries.
- ``ActivityTracker`` turns those and "did the screen change" into a state:
  ``active``, ``idle`` (no input *and* no screen change for ``idle_after_s``;
  without input information, no screen change alone) or ``locked``.

Threads: an ``IdleSource`` belongs to the thread that made it (X connection);
``ActivityTracker`` is plain state for the capture thread.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from core.capture.screen.session_lock import SessionLockWatcher

ActivityStateName = Literal["active", "idle", "locked"]


class IdleSource(Protocol):
    name: str

    def input_idle_seconds(self) -> float | None: ...

    def screen_locked(self) -> bool | None: ...

    def close(self) -> None: ...


class NullIdleSource:
    """No platform information: idleness comes from screen changes alone."""

    name = "none"

    def input_idle_seconds(self) -> float | None:
        return None

    def screen_locked(self) -> bool | None:
        return None

    def close(self) -> None:
        return None


class X11IdleSource:
    """MIT-SCREEN-SAVER: idle milliseconds and whether the screensaver is on.

    Desktop lock screens (GNOME, KDE, ...) are invisible to that extension; with a
    ``lock_watcher`` (``session_lock.SessionLockWatcher``) their D-Bus state counts too.
    """

    def __init__(self, display: str | None = None, lock_watcher: SessionLockWatcher | None = None) -> None:
        from Xlib import display as xdisplay  # late: optional dependency

        self._display = xdisplay.Display(display)
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise RuntimeError("the X server has no MIT-SCREEN-SAVER extension")
        self._root = self._display.screen().root
        self._lock_watcher = lock_watcher
        self.name = "x11-screensaver+dbus" if lock_watcher else "x11-screensaver"

    def _info(self) -> Any:
        return self._root.screensaver_query_info()

    def input_idle_seconds(self) -> float | None:
        try:
            return float(self._info().idle) / 1000.0
        except Exception:  # connection trouble: say "unknown", the tracker copes
            return None

    def screen_locked(self) -> bool | None:
        from Xlib.ext import screensaver

        try:
            x_locked: bool | None = bool(self._info().state == screensaver.StateOn)
        except Exception:
            x_locked = None
        if x_locked or self._lock_watcher is None:
            return x_locked
        desktop_locked = self._lock_watcher.locked()
        if desktop_locked is None:
            return x_locked
        return desktop_locked

    def close(self) -> None:
        if self._lock_watcher is not None:
            self._lock_watcher.close()
        try:
            self._display.close()
        except Exception:
            return


class WindowsIdleSource:
    name = "windows"

    def __init__(self) -> None:
        import ctypes

        self._ctypes = ctypes

        class LastInputInfo(ctypes.Structure):
            _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

        self._info_type = LastInputInfo
        self._user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        self._kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]

    def input_idle_seconds(self) -> float | None:
        info = self._info_type()
        info.cbSize = self._ctypes.sizeof(info)
        if not self._user32.GetLastInputInfo(self._ctypes.byref(info)):
            return None
        return ((self._kernel32.GetTickCount() - info.dwTime) & 0xFFFFFFFF) / 1000.0

    def screen_locked(self) -> bool | None:
        # The secure desktop refuses OpenInputDesktop while the workstation is locked.
        handle = self._user32.OpenInputDesktop(0, False, 0x0100)  # DESKTOP_SWITCHDESKTOP
        if not handle:
            return True
        self._user32.CloseDesktop(handle)
        return False

    def close(self) -> None:
        return None


class MacIdleSource:
    name = "macos"

    def __init__(self) -> None:
        importlib.import_module("Quartz")  # late and optional: ImportError means "unavailable"

    def input_idle_seconds(self) -> float | None:
        import Quartz

        return float(
            Quartz.CGEventSourceSecondsSinceLastEventType(
                Quartz.kCGEventSourceStateCombinedSessionState, Quartz.kCGAnyInputEventType
            )
        )

    def screen_locked(self) -> bool | None:
        import Quartz

        session = Quartz.CGSessionCopyCurrentDictionary()
        if session is None:
            return None
        return bool(session.get("CGSSessionScreenIsLocked", False))

    def close(self) -> None:
        return None


def open_idle_source(display: str | None = None) -> IdleSource:
    """The platform's idle source, or ``NullIdleSource`` when there is none."""
    try:
        if sys.platform.startswith("linux") and (display or os.environ.get("DISPLAY")):
            return X11IdleSource(display, _session_lock_watcher())
        if sys.platform == "win32":
            return WindowsIdleSource()
        if sys.platform == "darwin":
            return MacIdleSource()
    except Exception:  # missing extension or optional package: fall back to screen changes
        return NullIdleSource()
    return NullIdleSource()


def _session_lock_watcher() -> SessionLockWatcher | None:
    try:
        importlib.import_module("jeepney")  # comes with keyring on Linux; optional all the same
    except ImportError:
        return None
    return SessionLockWatcher()


@dataclass(frozen=True, slots=True)
class ActivityState:
    state: ActivityStateName
    reason: str


class ActivityTracker:
    """The idle rule.  Feed it every capture tick; times are monotonic seconds."""

    def __init__(self, idle_after_s: float, now: float) -> None:
        self.idle_after_s = idle_after_s
        self._last_change = now

    def note_screen_change(self, now: float) -> None:
        self._last_change = now

    def update(self, now: float, input_idle_s: float | None, locked: bool | None) -> ActivityState:
        if locked:
            return ActivityState("locked", "screen locked")
        if self.idle_after_s <= 0:
            return ActivityState("active", "")
        still_for = now - self._last_change
        minutes = self.idle_after_s / 60
        if input_idle_s is None:
            if still_for >= self.idle_after_s:
                return ActivityState("idle", f"no screen change for {minutes:g} min")
            return ActivityState("active", "")
        if input_idle_s >= self.idle_after_s and still_for >= self.idle_after_s:
            return ActivityState("idle", f"no input and no screen change for {minutes:g} min")
        return ActivityState("active", "")

"""Which windows are on screen, which one has focus, and which app owns each: the types every backend shares.

``WindowInfo`` is the protocol, ``VisibleWindow`` what it reports;
``core.capture.screen.window_backends.open_window_info()`` picks the
platform's implementation, each in a module of its own (``window_x11``,
``window_win32``, ``window_mac``):

- X11: python-xlib over EWMH (``_NET_CLIENT_LIST_STACKING``, ``_NET_ACTIVE_WINDOW``,
  ``_NET_WM_NAME``, ``WM_CLASS``, ``_NET_WM_PID`` -> psutil process name).  No
  subprocess per frame.  Without an EWMH window manager the top-level windows
  are read from the X tree instead ("no window manager" is a normal state).
- Windows: pywin32 (``EnumWindows``; cloaked and minimised windows skipped).
- macOS: pyobjc's Quartz ``CGWindowListCopyWindowInfo`` (window titles need the
  Screen Recording permission; without it titles are empty).

Each platform's dependency is optional: when it is missing the factory returns
an ``UnavailableWindowInfo`` that says why, and the daemon reports that.
Browser URLs are not exposed by any of these APIs; ``url`` stays ``None`` and the
title (which browsers set to the page title) is what we have.

Threads: an instance belongs to the thread that created it (an X connection is
not thread-safe).  Errors: ``visible_windows``/``active_window`` raise
``WindowInfoError`` when the platform call fails as a whole; a window that
vanishes while it is being read is silently left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from core.errors import CairnError

if TYPE_CHECKING:
    from core.capture.screen.grab import Monitor


class WindowInfoError(CairnError):
    """Listing the windows failed (the display went away, the API refused)."""


class DisplayLost(WindowInfoError):
    """The connection to the display server is gone (logout, a crashed X server): reopen, do not retry on it."""


@dataclass(frozen=True, slots=True)
class VisibleWindow:
    """A window that is mapped and on the current desktop, in screen coordinates."""

    window_id: int
    app: str  # X11: WM_CLASS class; Windows: process name; macOS: owning app name
    title: str
    left: int
    top: int
    width: int
    height: int
    focused: bool = False
    pid: int | None = None
    process: str | None = None  # process name from psutil (or the OS)
    app_instance: str | None = None  # X11: WM_CLASS instance
    url: str | None = None

    def app_names(self) -> set[str]:
        """Every name this window's app goes by, normalised (for matching excluded apps)."""
        return {n for n in map(normalise_app_name, (self.app, self.app_instance, self.process)) if n}

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.left, self.top, self.width, self.height)


def normalise_app_name(name: str | None) -> str:
    """``"KeePassXC"``, ``"keepassxc.exe"``, ``"Keepass XC"`` -> ``"keepassxc"``."""
    if not name:
        return ""
    name = name.strip().lower()
    name = re.sub(r"\.(exe|app|bin|appimage)$", "", name)
    return re.sub(r"[\s_\-.]+", "", name)


class WindowInfo(Protocol):
    """What the daemon needs to know about windows on one platform."""

    name: str

    def available(self) -> bool: ...

    @property
    def unavailable_reason(self) -> str | None: ...

    def visible_windows(self) -> list[VisibleWindow]:
        """Visible windows bottom-to-top in stacking order (the last one is on top)."""
        ...

    def active_window(self) -> VisibleWindow | None:
        """The focused window, or ``None`` (no window manager, desktop focused)."""
        ...

    def close(self) -> None: ...


class UnavailableWindowInfo:
    """Stands in when the platform gives no window information; says why."""

    name = "unavailable"

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def available(self) -> bool:
        return False

    @property
    def unavailable_reason(self) -> str | None:
        return self._reason

    def visible_windows(self) -> list[VisibleWindow]:
        raise WindowInfoError(self._reason)

    def active_window(self) -> VisibleWindow | None:
        raise WindowInfoError(self._reason)

    def close(self) -> None:
        return None


class ImportedBackend:
    """A platform backend that is available as soon as its constructor's imports succeeded."""

    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> str | None:
        return None

    def close(self) -> None:
        return None


class ProcessNames:
    """Process names by pid, each looked up once until ``clear()`` (psutil, loaded on first use)."""

    def __init__(self) -> None:
        self._names: dict[int, str | None] = {}

    def clear(self) -> None:
        self._names.clear()

    def get(self, pid: int | None) -> str | None:
        if pid is None:
            return None
        if pid not in self._names:
            import psutil  # late: only when a window names its pid

            try:
                self._names[pid] = psutil.Process(pid).name()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                self._names[pid] = None
        return self._names[pid]


def window_for_monitor(windows: list[VisibleWindow], monitor: Monitor) -> VisibleWindow | None:
    """The focused window if it is on ``monitor``, else the topmost window overlapping it."""
    on_monitor = [w for w in windows if monitor.contains_box(w.left, w.top, w.width, w.height)]
    for window in on_monitor:
        if window.focused:
            return window
    return on_monitor[-1] if on_monitor else None

"""Picks this platform's window backend: X11, Windows or macOS, or an ``UnavailableWindowInfo`` that says why.

Each backend's dependency is optional and imported only here, when it is
asked for.  Threads: the returned instance belongs to the calling thread.
Errors: none raised; an unusable platform gives ``UnavailableWindowInfo``.
"""

from __future__ import annotations

import os
import sys

from core.capture.screen.window import UnavailableWindowInfo, WindowInfo, WindowInfoError


def open_window_info(display: str | None = None) -> WindowInfo:
    """The implementation for this platform, or an ``UnavailableWindowInfo`` saying why."""
    if sys.platform.startswith("linux") or sys.platform.startswith("freebsd"):
        if display is None and not os.environ.get("DISPLAY"):
            if os.environ.get("WAYLAND_DISPLAY"):
                return UnavailableWindowInfo("Wayland session without X11: window list not available")
            return UnavailableWindowInfo("no X display ($DISPLAY is not set)")
        try:
            from core.capture.screen.window_x11 import X11WindowInfo

            return X11WindowInfo(display)
        except ImportError:
            return UnavailableWindowInfo("python-xlib is not installed")
        except WindowInfoError as exc:
            return UnavailableWindowInfo(str(exc))
    if sys.platform == "win32":
        try:
            from core.capture.screen.window_win32 import WindowsWindowInfo

            return WindowsWindowInfo()
        except ImportError:
            return UnavailableWindowInfo("pywin32 is not installed (pip install pywin32)")
    if sys.platform == "darwin":
        try:
            from core.capture.screen.window_mac import MacWindowInfo

            return MacWindowInfo()
        except ImportError:
            return UnavailableWindowInfo("pyobjc is not installed (pip install pyobjc-framework-Quartz)")
    return UnavailableWindowInfo(f"window information is not supported on {sys.platform}")

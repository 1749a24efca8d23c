"""The Windows window backend: pywin32's ``EnumWindows`` (cloaked and minimised windows skipped).

Threads: an instance belongs to the thread that created it.  Errors:
``WindowInfoError`` when the listing fails as a whole.
"""

from __future__ import annotations

import importlib
import re

from core.capture.screen.window import ImportedBackend, ProcessNames, VisibleWindow, WindowInfoError


class WindowsWindowInfo(ImportedBackend):
    """pywin32: top-level visible, non-minimised, non-cloaked windows."""

    name = "windows"

    def __init__(self) -> None:
        # Late and optional: ImportError here means "unavailable" to the factory.
        importlib.import_module("win32gui")
        importlib.import_module("win32process")
        self._process_names = ProcessNames()

    def visible_windows(self) -> list[VisibleWindow]:
        import win32gui

        handles: list[int] = []

        def collect(hwnd: int, _extra: object) -> bool:
            handles.append(hwnd)
            return True

        self._process_names.clear()  # pids are reused quickly on Windows: never trust an old name
        try:
            win32gui.EnumWindows(collect, None)  # top-to-bottom z-order
            foreground = win32gui.GetForegroundWindow()
        except Exception as exc:  # pywintypes.error
            raise WindowInfoError(f"EnumWindows failed: {exc}") from exc
        windows = [w for w in (self._describe(h, foreground) for h in handles) if w is not None]
        windows.reverse()  # bottom-to-top like the other implementations
        return windows

    def active_window(self) -> VisibleWindow | None:
        import win32gui

        try:
            hwnd = win32gui.GetForegroundWindow()
        except Exception as exc:
            raise WindowInfoError(f"GetForegroundWindow failed: {exc}") from exc
        return self._describe(hwnd, hwnd) if hwnd else None

    def _describe(self, hwnd: int, foreground: int) -> VisibleWindow | None:
        import win32gui
        import win32process

        try:
            if not win32gui.IsWindowVisible(hwnd) or win32gui.IsIconic(hwnd) or _is_cloaked(hwnd):
                return None
            left, top, right, bottom = win32gui.GetWindowRect(hwnd)
            title = win32gui.GetWindowText(hwnd)
            _thread, pid = win32process.GetWindowThreadProcessId(hwnd)
        except Exception:
            return None  # the window closed while we read it
        if right - left <= 1 or bottom - top <= 1:
            return None
        process = self._process_names.get(pid)
        app = re.sub(r"\.exe$", "", process or "", flags=re.IGNORECASE)
        if not title and not app:
            return None
        return VisibleWindow(
            window_id=int(hwnd), app=app, title=title, left=left, top=top,
            width=right - left, height=bottom - top, focused=hwnd == foreground,
            pid=pid, process=process,
        )



def _is_cloaked(hwnd: int) -> bool:
    """UWP windows on other virtual desktops are 'visible' but cloaked by DWM."""
    import ctypes
    from ctypes import wintypes

    cloaked = wintypes.DWORD()
    dwmwa_cloaked = 14
    result = ctypes.windll.dwmapi.DwmGetWindowAttribute(  # type: ignore[attr-defined]
        wintypes.HWND(hwnd), ctypes.c_uint(dwmwa_cloaked), ctypes.byref(cloaked), ctypes.sizeof(cloaked)
    )
    return result == 0 and cloaked.value != 0

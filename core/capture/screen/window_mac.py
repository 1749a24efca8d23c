"""The macOS window backend: Quartz's ``CGWindowListCopyWindowInfo`` (titles need Screen Recording permission).

Threads: an instance belongs to the thread that created it.  Errors:
``WindowInfoError`` when the listing fails as a whole.
"""

from __future__ import annotations

import importlib

from core.capture.screen.window import ImportedBackend, VisibleWindow, WindowInfoError


class MacWindowInfo(ImportedBackend):
    """Quartz window list (front-to-back from the OS, returned bottom-to-top)."""

    name = "macos"

    def __init__(self) -> None:
        importlib.import_module("Quartz")  # late and optional: ImportError means "unavailable"

    def visible_windows(self) -> list[VisibleWindow]:
        import Quartz

        options = Quartz.kCGWindowListOptionOnScreenOnly | Quartz.kCGWindowListExcludeDesktopElements
        try:
            infos = Quartz.CGWindowListCopyWindowInfo(options, Quartz.kCGNullWindowID) or []
        except Exception as exc:
            raise WindowInfoError(f"CGWindowListCopyWindowInfo failed: {exc}") from exc
        front_pid = _frontmost_pid()
        windows: list[VisibleWindow] = []
        focused_given = False
        for info in infos:
            bounds = info.get("kCGWindowBounds") or {}
            width, height = int(bounds.get("Width", 0)), int(bounds.get("Height", 0))
            if width <= 1 or height <= 1 or float(info.get("kCGWindowAlpha", 1.0)) == 0.0:
                continue
            pid = int(info.get("kCGWindowOwnerPID", 0)) or None
            layer = int(info.get("kCGWindowLayer", 0))
            focused = not focused_given and layer == 0 and pid is not None and pid == front_pid
            focused_given = focused_given or focused
            owner = str(info.get("kCGWindowOwnerName") or "")
            windows.append(
                VisibleWindow(
                    window_id=int(info.get("kCGWindowNumber", 0)),
                    app=owner,
                    title=str(info.get("kCGWindowName") or ""),
                    left=int(bounds.get("X", 0)),
                    top=int(bounds.get("Y", 0)),
                    width=width,
                    height=height,
                    focused=focused,
                    pid=pid,
                    process=owner,
                )
            )
        windows.reverse()
        return windows

    def active_window(self) -> VisibleWindow | None:
        for window in reversed(self.visible_windows()):
            if window.focused:
                return window
        return None


def _frontmost_pid() -> int | None:
    try:
        from AppKit import NSWorkspace
    except ImportError:
        return None
    app = NSWorkspace.sharedWorkspace().frontmostApplication()
    return int(app.processIdentifier()) if app is not None else None

"""Which windows are on screen, which one has focus, and which app owns each.

``WindowInfo`` is the protocol; ``open_window_info()`` picks the platform's
implementation:

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

import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Protocol

from core.errors import CairnError


class WindowInfoError(CairnError):
    """Listing the windows failed (the display went away, the API refused)."""


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


def open_window_info(display: str | None = None) -> WindowInfo:
    """The implementation for this platform, or an ``UnavailableWindowInfo`` saying why."""
    if sys.platform.startswith("linux") or sys.platform.startswith("freebsd"):
        if display is None and not os.environ.get("DISPLAY"):
            if os.environ.get("WAYLAND_DISPLAY"):
                return UnavailableWindowInfo("Wayland session without X11: window list not available")
            return UnavailableWindowInfo("no X display ($DISPLAY is not set)")
        try:
            return X11WindowInfo(display)
        except ImportError:
            return UnavailableWindowInfo("python-xlib is not installed")
        except WindowInfoError as exc:
            return UnavailableWindowInfo(str(exc))
    if sys.platform == "win32":
        try:
            return WindowsWindowInfo()
        except ImportError:
            return UnavailableWindowInfo("pywin32 is not installed (pip install pywin32)")
    if sys.platform == "darwin":
        try:
            return MacWindowInfo()
        except ImportError:
            return UnavailableWindowInfo("pyobjc is not installed (pip install pyobjc-framework-Quartz)")
    return UnavailableWindowInfo(f"window information is not supported on {sys.platform}")


class _ImportedBackend:
    """A platform backend that is available as soon as its constructor's imports succeeded."""

    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> str | None:
        return None

    def close(self) -> None:
        return None


class _ProcessNames:
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


# -- X11 -----------------------------------------------------------------------


class X11WindowInfo(_ImportedBackend):
    """EWMH over python-xlib; falls back to the X tree when no EWMH window manager runs."""

    name = "x11"

    def __init__(self, display: str | None = None) -> None:
        from Xlib import X  # late: optional dependency
        from Xlib import display as xdisplay
        from Xlib import error as xerror

        self._X = X
        self._xerror = xerror
        try:
            self._display = xdisplay.Display(display)
        except (xerror.DisplayError, xerror.DisplayConnectionError, OSError) as exc:
            raise WindowInfoError(f"cannot open X display {display or os.environ.get('DISPLAY')!r}: {exc}") from exc
        self._root = self._display.screen().root
        self._atoms: dict[str, int] = {}
        # Process names by pid, valid for one listing only.  Nothing per window id is cached
        # across listings: X reuses the ids of a client that disconnected, and a stale app name
        # would let a password manager through the privacy veto.
        self._process_names = _ProcessNames()

    def close(self) -> None:
        try:
            self._display.close()
        except Exception:  # closing a dead connection: nothing to do
            return

    # -- public

    def visible_windows(self) -> list[VisibleWindow]:
        self._process_names.clear()
        try:
            ids, managed = self._client_ids()
            active = self._active_id() if managed else self._focus_id()
            current_desktop = self._cardinal(self._root, "_NET_CURRENT_DESKTOP")
            windows = []
            for wid in ids:
                window = self._describe(wid, active, current_desktop)
                if window is not None:
                    windows.append(window)
        except self._xerror.ConnectionClosedError as exc:
            raise WindowInfoError(f"X display connection lost: {exc}") from exc
        return windows

    def active_window(self) -> VisibleWindow | None:
        self._process_names.clear()
        try:
            _ids, managed = self._client_ids()
            active = self._active_id() if managed else self._focus_id()
            if not active:
                return None
            return self._describe(active, active, self._cardinal(self._root, "_NET_CURRENT_DESKTOP"))
        except self._xerror.ConnectionClosedError as exc:
            raise WindowInfoError(f"X display connection lost: {exc}") from exc

    # -- internals

    def _atom(self, name: str) -> int:
        atom = self._atoms.get(name)
        if atom is None:
            atom = self._display.intern_atom(name)
            self._atoms[name] = atom
        return atom

    def _client_ids(self) -> tuple[list[int], bool]:
        """Client window ids bottom-to-top, and whether an EWMH window manager supplied them."""
        X = self._X
        for prop in ("_NET_CLIENT_LIST_STACKING", "_NET_CLIENT_LIST"):
            value = self._root.get_full_property(self._atom(prop), X.AnyPropertyType)
            if value is not None and value.value is not None and len(value.value):
                return [int(v) for v in value.value], True
        # No EWMH window manager: top-level children of the root, already bottom-to-top.
        return [child.id for child in self._root.query_tree().children], False

    def _active_id(self) -> int | None:
        value = self._root.get_full_property(self._atom("_NET_ACTIVE_WINDOW"), self._X.AnyPropertyType)
        if value is None or not len(value.value):
            return None
        return int(value.value[0]) or None

    def _focus_id(self) -> int | None:
        focus = self._display.get_input_focus().focus
        wid = getattr(focus, "id", None)
        return int(wid) if wid and wid != self._root.id else None

    def _cardinal(self, window: Any, prop: str) -> int | None:
        value = window.get_full_property(self._atom(prop), self._X.AnyPropertyType)
        if value is None or not len(value.value):
            return None
        return int(value.value[0])

    def _describe(self, wid: int, active: int | None, current_desktop: int | None) -> VisibleWindow | None:
        X = self._X
        window = self._display.create_resource_object("window", wid)
        try:
            if window.get_attributes().map_state != X.IsViewable:
                return None
            if self._is_hidden(window):
                return None
            desktop = self._cardinal(window, "_NET_WM_DESKTOP")
            if (
                current_desktop is not None
                and desktop is not None
                and desktop not in (current_desktop, 0xFFFFFFFF)
            ):
                return None
            geometry = window.get_geometry()
            origin = self._root.translate_coords(window, 0, 0)
            title = self._title(window)
            app, instance, pid, process = self._app_facts(window)
        except (self._xerror.XError, self._xerror.BadWindow, self._xerror.BadDrawable):
            return None  # the window went away while we were reading it
        if geometry.width <= 1 or geometry.height <= 1:
            return None
        if not app and not title:
            return None  # override-redirect helpers, input-only shims: nothing a user sees as a window
        return VisibleWindow(
            window_id=wid,
            app=app,
            title=title,
            left=int(origin.x),
            top=int(origin.y),
            width=int(geometry.width),
            height=int(geometry.height),
            focused=wid == active,
            pid=pid,
            process=process,
            app_instance=instance,
        )

    def _is_hidden(self, window: Any) -> bool:
        value = window.get_full_property(self._atom("_NET_WM_STATE"), self._X.AnyPropertyType)
        return value is not None and self._atom("_NET_WM_STATE_HIDDEN") in list(value.value)

    def _title(self, window: Any) -> str:
        value = window.get_full_property(self._atom("_NET_WM_NAME"), self._atom("UTF8_STRING"))
        if value is not None and value.value:
            raw = value.value
            return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        legacy = window.get_wm_name()
        if isinstance(legacy, bytes):
            return legacy.decode("latin-1", "replace")
        return legacy or ""

    def _app_facts(self, window: Any) -> tuple[str, str | None, int | None, str | None]:
        wm_class = window.get_wm_class()
        instance, app = (wm_class[0], wm_class[1]) if wm_class else (None, "")
        pid = self._cardinal(window, "_NET_WM_PID")
        return (app or "", instance, pid, self._process_names.get(pid))



# -- Windows -------------------------------------------------------------------


class WindowsWindowInfo(_ImportedBackend):
    """pywin32: top-level visible, non-minimised, non-cloaked windows."""

    name = "windows"

    def __init__(self) -> None:
        # Late and optional: ImportError here means "unavailable" to the factory.
        importlib.import_module("win32gui")
        importlib.import_module("win32process")
        self._process_names = _ProcessNames()

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


# -- macOS ---------------------------------------------------------------------


class MacWindowInfo(_ImportedBackend):
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

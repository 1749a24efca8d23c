"""The X11 window backend: EWMH over python-xlib, the X tree when no EWMH window manager runs.

Threads: an instance belongs to the thread that created it (an X connection is
not thread-safe).  Errors: ``WindowInfoError`` when the display fails as a
whole; a window that vanishes while it is read is left out.
"""

from __future__ import annotations

import os
from typing import Any

from core.capture.screen.window import (
    DisplayLost,
    ImportedBackend,
    ProcessNames,
    VisibleWindow,
    WindowInfoError,
)


class X11WindowInfo(ImportedBackend):
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
        self._process_names = ProcessNames()

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
            raise DisplayLost(f"X display connection lost: {exc}") from exc
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
            raise DisplayLost(f"X display connection lost: {exc}") from exc

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

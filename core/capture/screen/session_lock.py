"""Is the Linux desktop session locked?  Asked over D-Bus, where lock screens say so.

The X screensaver extension (``idle.X11IdleSource``) only knows about the X
screensaver; the lock screens of GNOME, KDE, Cinnamon, MATE and Xfce are
compositor or separate-process overlays it never sees, so Cairn would keep
grabbing (and OCR'ing) the lock screen.  They announce the lock on D-Bus:

- session bus: the desktop's screensaver service answers ``GetActive()``
  (``org.freedesktop.ScreenSaver`` on KDE and Xfce, ``org.gnome.ScreenSaver``,
  ``org.cinnamon.ScreenSaver``, ``org.mate.ScreenSaver``);
- system bus: systemd-logind's ``LockedHint`` of our session, which GNOME and
  KDE set while locked (the session is ``session/auto``, or the user's display
  session when the daemon runs outside it, e.g. as a systemd user service).

Calls carry ``no_auto_start`` (asking must not start a screensaver) and a short
timeout; services that are not there are asked again only every
``reprobe_s`` seconds.  ``locked()`` is ``True`` when any source says locked,
``False`` when at least one answered and none did, ``None`` when nothing
answered (no bus, no desktop): the caller then relies on other signals.

Threads: one ``SessionLockWatcher`` per thread (blocking jeepney connections).
Errors: none raised; every D-Bus failure means "this source does not know".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SCREENSAVER_SERVICES = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
    ("org.cinnamon.ScreenSaver", "/org/cinnamon/ScreenSaver", "org.cinnamon.ScreenSaver"),
    ("org.mate.ScreenSaver", "/org/mate/ScreenSaver", "org.mate.ScreenSaver"),
)
LOGIND = "org.freedesktop.login1"
LOGIND_SESSION = "org.freedesktop.login1.Session"


@dataclass(slots=True)
class _Source:
    name: str
    ask: Callable[[], bool]
    retry_at: float = 0.0  # monotonic time before which a source that failed is not asked


class SessionLockWatcher:
    """Polls the D-Bus lock sources; see the module docstring."""

    name = "dbus"

    def __init__(
        self,
        session_bus: str = "SESSION",
        system_bus: str = "SYSTEM",
        timeout_s: float = 0.25,
        reprobe_s: float = 60.0,
    ) -> None:
        self.timeout_s = timeout_s
        self.reprobe_s = reprobe_s
        self._addresses = {"session": session_bus, "system": system_bus}
        self._connections: dict[str, Any] = {}
        self._dead_buses: dict[str, float] = {}  # bus -> retry time after a failed connect
        self._session_path: str | None = None
        self._sources = [
            _Source(f"screensaver {service}", self._screensaver_asker(service, path, interface))
            for service, path, interface in SCREENSAVER_SERVICES
        ]
        self._sources.append(_Source("logind LockedHint", self._logind_locked_hint))

    def locked(self) -> bool | None:
        now = time.monotonic()
        answered = False
        for source in self._sources:
            if now < source.retry_at:
                continue
            try:
                if source.ask():
                    return True
                answered = True
            except Exception:  # no such service, no bus, a timeout: this source does not know
                source.retry_at = now + self.reprobe_s
        return False if answered else None

    def close(self) -> None:
        for connection in self._connections.values():
            try:
                connection.close()
            except Exception:
                continue
        self._connections.clear()

    # -- sources -----------------------------------------------------------------

    def _screensaver_asker(self, service: str, path: str, interface: str) -> Callable[[], bool]:
        def ask() -> bool:
            from jeepney import DBusAddress, new_method_call

            body = self._call("session", new_method_call(DBusAddress(path, service, interface), "GetActive"))
            return bool(body[0])

        return ask

    def _logind_locked_hint(self) -> bool:
        from jeepney import DBusAddress, Properties

        if self._session_path is None:
            self._session_path = self._find_logind_session()
        session = DBusAddress(self._session_path, LOGIND, LOGIND_SESSION)
        body = self._call("system", Properties(session).get("LockedHint"))
        return bool(body[0][1])

    def _find_logind_session(self) -> str:
        """``session/auto`` (the caller's session), else the user's graphical session."""
        from jeepney import DBusAddress, Properties

        auto = "/org/freedesktop/login1/session/auto"
        try:
            self._call("system", Properties(DBusAddress(auto, LOGIND, LOGIND_SESSION)).get("Id"))
            return auto
        except Exception:
            user = DBusAddress("/org/freedesktop/login1/user/self", LOGIND, "org.freedesktop.login1.User")
            body = self._call("system", Properties(user).get("Display"))
            _session_id, path = body[0][1]
            if not path or path == "/":
                raise RuntimeError("the user has no graphical session") from None
            return str(path)

    # -- D-Bus ---------------------------------------------------------------------

    def _call(self, bus: str, message: Any) -> Any:
        from jeepney.low_level import MessageFlag
        from jeepney.wrappers import unwrap_msg

        message.header.flags |= MessageFlag.no_auto_start
        connection = self._connection(bus)
        try:
            reply = connection.send_and_get_reply(message, timeout=self.timeout_s)
        except (OSError, TimeoutError, ConnectionError):
            self._connections.pop(bus, None)  # reconnect next time (the bus may have restarted)
            connection.close()
            raise
        return unwrap_msg(reply)

    def _connection(self, bus: str) -> Any:
        connection = self._connections.get(bus)
        if connection is not None:
            return connection
        if time.monotonic() < self._dead_buses.get(bus, 0.0):
            raise ConnectionError(f"the {bus} bus was unreachable a moment ago")
        from jeepney.io.blocking import open_dbus_connection

        try:
            connection = open_dbus_connection(self._addresses[bus], auth_timeout=self.timeout_s)
        except Exception:
            self._dead_buses[bus] = time.monotonic() + self.reprobe_s
            raise
        self._connections[bus] = connection
        return connection

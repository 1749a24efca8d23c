"""Desktop lock screens over real D-Bus: private dbus-daemons stand in for the session and system buses.

The lock-screen services themselves (gnome-shell, logind) cannot run here, so small
jeepney services answer their calls on the private buses; the watcher under test
talks to them over real D-Bus connections.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core.capture.screen.idle import X11IdleSource
from core.capture.screen.session_lock import SessionLockWatcher

from .xserver import x_tools_missing, xserver

pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed")
pytest.importorskip("jeepney")

Handler = Callable[[str, str, tuple[Any, ...]], tuple[str, tuple[Any, ...]] | None]


@pytest.fixture
def bus() -> Iterator[Callable[[], str]]:
    """A factory of private message buses (session configuration); all stopped afterwards."""
    daemons: list[subprocess.Popen[str]] = []

    def start() -> str:
        daemon = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE, text=True,
        )
        daemons.append(daemon)
        assert daemon.stdout is not None
        return daemon.stdout.readline().strip()

    yield start
    for daemon in daemons:
        daemon.terminate()
        daemon.wait(10)


class Service:
    """A D-Bus service on its own thread: owns ``name`` and answers method calls with ``handler``."""

    def __init__(self, address: str, name: str, handler: Handler) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.handler = handler
        self.calls: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._connection = open_dbus_connection(address)
        self._connection.send_and_get_reply(message_bus.RequestName(name), timeout=5)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        from jeepney import MessageType, new_error, new_method_return
        from jeepney.low_level import HeaderFields

        while not self._stop.is_set():
            try:
                message = self._connection.receive(timeout=0.1)
            except TimeoutError:
                continue
            if message.header.message_type != MessageType.method_call:
                continue
            path = message.header.fields[HeaderFields.path]
            member = message.header.fields[HeaderFields.member]
            self.calls.append((path, member))
            answer = self.handler(path, member, message.body)
            if answer is None:
                self._connection.send(new_error(message, "org.freedesktop.DBus.Error.UnknownObject"))
            else:
                self._connection.send(new_method_return(message, *answer))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._connection.close()


def _screensaver(state: dict[str, bool]) -> Handler:
    def handle(path: str, member: str, body: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]] | None:
        if path == "/org/gnome/ScreenSaver" and member == "GetActive":
            return "b", (state["active"],)
        return None

    return handle


def _logind(locked: dict[str, bool], auto_works: bool = True) -> Handler:
    session = "/org/freedesktop/login1/session/_32"

    def handle(path: str, member: str, body: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]] | None:
        if member != "Get":
            return None
        _interface, prop = body
        if path == "/org/freedesktop/login1/user/self" and prop == "Display":
            return "v", (("(so)", ("2", session)),)
        if path == session or (auto_works and path == "/org/freedesktop/login1/session/auto"):
            if prop == "Id":
                return "v", (("s", "2"),)
            if prop == "LockedHint":
                return "v", (("b", locked["locked"]),)
        return None

    return handle


def test_nothing_answers_without_a_desktop(bus: Callable[[], str]) -> None:
    watcher = SessionLockWatcher(session_bus=bus(), system_bus=bus())
    try:
        assert watcher.locked() is None
    finally:
        watcher.close()


def test_no_bus_at_all_is_unknown_not_an_error() -> None:
    watcher = SessionLockWatcher(session_bus="unix:path=/nonexistent/bus", system_bus="unix:path=/nonexistent/bus")
    assert watcher.locked() is None
    watcher.close()


def test_gnome_lock_screen_is_seen_and_so_is_its_end(bus: Callable[[], str]) -> None:
    session = bus()
    state = {"active": False}
    service = Service(session, "org.gnome.ScreenSaver", _screensaver(state))
    watcher = SessionLockWatcher(session_bus=session, system_bus=bus())
    try:
        assert watcher.locked() is False
        state["active"] = True
        assert watcher.locked() is True
        state["active"] = False
        assert watcher.locked() is False
        assert ("/org/gnome/ScreenSaver", "GetActive") in service.calls
    finally:
        watcher.close()
        service.close()


@pytest.mark.parametrize("auto_works", [True, False], ids=["own-session", "user-display-session"])
def test_logind_locked_hint(bus: Callable[[], str], auto_works: bool) -> None:
    system = bus()
    locked = {"locked": True}
    service = Service(system, "org.freedesktop.login1", _logind(locked, auto_works))
    watcher = SessionLockWatcher(session_bus=bus(), system_bus=system)
    try:
        assert watcher.locked() is True
        locked["locked"] = False
        assert watcher.locked() is False
    finally:
        watcher.close()
        service.close()


@pytest.mark.xvfb
@pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))
def test_x11_idle_source_reports_the_desktop_lock(bus: Callable[[], str]) -> None:
    # A real X server whose screensaver is off: only the lock screen's D-Bus state says "locked".
    session = bus()
    state = {"active": True}
    service = Service(session, "org.gnome.ScreenSaver", _screensaver(state))
    with xserver() as server:
        source = X11IdleSource(server.display, SessionLockWatcher(session_bus=session, system_bus=bus()))
        try:
            assert source.name == "x11-screensaver+dbus"
            assert source.screen_locked() is True
            state["active"] = False
            assert source.screen_locked() is False
            assert source.input_idle_seconds() is not None
        finally:
            source.close()
            service.close()

"""Start a real X server (Xvfb) with a window manager (openbox), and real Qt windows, for tests and the bench."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]


def x_tools_missing() -> str | None:
    for tool in ("Xvfb", "openbox", "xdotool"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@dataclass
class XServer:
    display: str
    xvfb: subprocess.Popen[bytes]
    wm: subprocess.Popen[bytes]
    extra: dict[str, str] = field(default_factory=dict)  # e.g. the session bus of ``accessibility_bus``

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.extra)
        env["DISPLAY"] = self.display
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("QT_QPA_PLATFORM", None)
        return env

    def xdotool(self, *args: str) -> str:
        return subprocess.run(
            ["xdotool", *args], env=self.env(), capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()


@contextmanager
def xserver(size: str = "1280x800x24") -> Iterator[XServer]:
    """Xvfb on a free display number (``-displayfd``) plus openbox; both stopped afterwards."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp", "-s", "0"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    # Xvfb writes the number and then a newline; closing the pipe early kills it (EPIPE).
    received = b""
    try:
        while not received.endswith(b"\n"):
            ready, _, _ = select.select([read_fd], [], [], 15)
            chunk = os.read(read_fd, 32) if ready else b""
            if not chunk:
                xvfb.kill()
                raise RuntimeError("Xvfb did not start")
            received += chunk
    finally:
        os.close(read_fd)
    number = received.decode().strip()
    display = f":{number}"
    env = dict(os.environ, DISPLAY=display)
    wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = XServer(display, xvfb, wm)
    try:
        _wait_for_wm(display)
        yield server
    finally:
        for proc in (wm, xvfb):
            _stop(proc)


def _stop(proc: subprocess.Popen[Any]) -> None:
    """Terminate, and kill what does not exit within 5 s (a wedged server must not hang the suite)."""
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def accessibility_missing() -> str | None:
    for tool in ("dbus-daemon", "/usr/libexec/at-spi-bus-launcher"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@dataclass
class AccessibilityBus:
    env: dict[str, str]  # what a process needs to find the bus
    pids: list[int]  # the session bus and the launcher (their children: the a11y bus and the registry)


@contextmanager
def accessibility_bus(server: XServer, runtime_dir: Path) -> Iterator[AccessibilityBus]:
    """A private session bus with the AT-SPI bus launcher on it, for ``server``; Qt windows started afterwards
    expose their text (``QT_LINUX_ACCESSIBILITY_ALWAYS_ON``).  Sockets live in ``runtime_dir``; all stopped after."""
    runtime_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir.chmod(0o700)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1", f"--address=unix:dir={runtime_dir}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    procs: list[subprocess.Popen[Any]] = [bus]
    try:
        assert bus.stdout is not None
        ready, _, _ = select.select([bus.stdout], [], [], 15)
        if not ready:
            raise RuntimeError("dbus-daemon did not start")
        address = bus.stdout.readline().strip()
        extra = {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(runtime_dir),
                 "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "NO_AT_BRIDGE": "0"}
        server.extra.update(extra)
        procs.append(subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
                                      env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_for_a11y(address)
        yield AccessibilityBus(extra, [proc.pid for proc in procs])
    finally:
        for key in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON", "NO_AT_BRIDGE"):
            server.extra.pop(key, None)
        for proc in reversed(procs):
            _stop(proc)


def _wait_for_a11y(address: str, timeout: float = 15.0) -> None:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + timeout
    call = new_method_call(DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus"),
                           "GetAddress")
    while True:
        try:
            with open_dbus_connection(address) as conn:
                if conn.send_and_get_reply(call, timeout=2).body[0]:
                    return
        except Exception:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def _wait_for_wm(display: str, timeout: float = 10.0) -> None:
    from Xlib import X
    from Xlib import display as xdisplay
    from Xlib import error as xerror

    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = xdisplay.Display(display)
            break
        except xerror.DisplayConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        atom = conn.intern_atom("_NET_SUPPORTING_WM_CHECK")
        while time.monotonic() < deadline:
            if conn.screen().root.get_full_property(atom, X.AnyPropertyType) is not None:
                return
            time.sleep(0.1)
        raise RuntimeError("openbox did not start")
    finally:
        conn.close()


class QtWindow:
    """A real PySide6 window in its own process (see ``qt_window.py``)."""

    def __init__(self, server: XServer, app: str, title: str, lines: list[str],
                 geometry: tuple[int, int, int, int] = (0, 0, 900, 600), font_px: int = 22,
                 widget: str = "plain") -> None:
        self.app = app
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.capture.screen.qt_window", "--app", app, "--title", title,
             "--geometry", ",".join(map(str, geometry)), "--font-px", str(font_px), "--widget", widget,
             *lines],
            cwd=REPO, env=server.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True,
        )
        line = self._read_line(20)
        if not line.startswith("ready "):
            raise RuntimeError(f"Qt window did not start: {line!r}")
        self.window_id = int(line.split()[1])

    @property
    def pid(self) -> int:
        return self.proc.pid

    def command(self, text: str) -> str:
        """Send one command; returns the helper's answer payload (after ``done <verb>``)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        answer = self._read_line(10)
        return answer.split(" ", 2)[2] if answer.count(" ") >= 2 else ""

    def visible_lines(self) -> list[str]:
        import json

        return list(json.loads(self.command("visible")))

    def set_text(self, lines: list[str]) -> None:
        self.command("text " + "\\n".join(lines))

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.command("quit")
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait()

    def _read_line(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise RuntimeError("Qt window helper did not answer")
        return self.proc.stdout.readline().strip()

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
from dataclasses import dataclass
from pathlib import Path

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

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
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
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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
                 geometry: tuple[int, int, int, int] = (0, 0, 900, 600), font_px: int = 22) -> None:
        self.app = app
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.capture.screen.qt_window", "--app", app, "--title", title,
             "--geometry", ",".join(map(str, geometry)), "--font-px", str(font_px), *lines],
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

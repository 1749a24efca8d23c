"""A private Xvfb display for the package checks, and the wait for an app's first visible window.

Used by report.py (start time of the bundle) and package_test.py (the installed app).  Starts its own
Xvfb on a free display number (``-displayfd``) and stops it; waits on conditions with deadlines.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def xvfb(size: str = "1280x800x24") -> Iterator[str]:
    """Yields a DISPLAY value (":N") served by a fresh Xvfb, stopped on exit."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def visible_window(display: str, name: str, pid: int | None = None) -> str | None:
    """The id of a visible window whose title matches ``name`` (of ``pid`` if given), or None."""
    argv = ["xdotool", "search", "--onlyvisible", "--name", name]
    if pid is not None:
        argv[2:2] = ["--pid", str(pid)]
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "DISPLAY": display}, timeout=20)
    ids = done.stdout.split()
    return ids[0] if ids else None


def time_to_window(argv: list[str], env: dict[str, str], display: str, name: str = "Cairn",
                   deadline_s: float = 180.0, screenshot: Path | None = None) -> float:
    """Seconds from starting ``argv`` until its first visible window titled ``name``; the app is stopped after."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env={**env, "DISPLAY": display}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        while time.perf_counter() - start < deadline_s:
            if visible_window(display, name) is not None:
                elapsed = time.perf_counter() - start
                if screenshot is not None:
                    _screenshot(display, screenshot, proc)
                return elapsed
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited with {proc.returncode}: {proc.stderr.read()[-2000:]}")
            time.sleep(0.05)
        raise TimeoutError(f"no window titled {name!r} within {deadline_s} s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _screenshot(display: str, target: Path, proc: subprocess.Popen[str]) -> None:
    # Let the first frame settle (fonts, layout) before grabbing the whole screen.
    deadline = time.perf_counter() + 3.0
    while time.perf_counter() < deadline and proc.poll() is None:
        time.sleep(0.1)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["import", "-display", display, "-window", "root", str(target)], check=True, timeout=60,
                   capture_output=True)

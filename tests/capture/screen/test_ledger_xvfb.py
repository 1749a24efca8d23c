"""The capture ledger on a real X server: each gap kind with its reason, and a hung capture thread's alarm and recovery."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.capture.screen.daemon import ScreenDaemon
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.grab import Frame, ScreenGrabber
from core.capture.screen.health import read_status, status_path
from core.capture.screen.ledger import LedgerMinute
from core.host.control import CaptureControl

from .fakes import ListSink
from .test_ledger import ListLedger, WallClock
from .xserver import QtWindow, XServer, x_tools_missing, xserver

pytestmark = [pytest.mark.xvfb, pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))]

T0 = 1_796_000_000 - 1_796_000_000 % 60


@pytest.fixture(scope="module")
def server() -> Iterator[XServer]:
    pytest.importorskip("PySide6")
    with xserver() as srv:
        yield srv


def _wait_for(condition: Any, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in time")
        time.sleep(0.05)


def _screensaver(display: str, on: bool) -> None:
    """Switch the X screensaver on or off (what a lock screen that uses it does)."""
    from Xlib import X
    from Xlib import display as xdisplay

    conn = xdisplay.Display(display)
    try:
        conn.force_screen_saver(X.ScreenSaverActive if on else X.ScreenSaverReset)
        conn.sync()
    finally:
        conn.close()


def test_every_gap_kind_is_in_the_ledger_with_its_reason(server: XServer, tmp_path: Path) -> None:
    wall, ledger = WallClock(T0 + 1), ListLedger()
    daemon = ScreenDaemon(ListSink(), DaemonConfig(display=server.display, runtime_dir=tmp_path,
                                                   busy_window_gap_s=0.0), ledger_sink=ledger, wall=wall)
    notes = QtWindow(server, "cairn-notes", "Groceries - Notes", ["Buy lentils"], (0, 0, 900, 600))
    private = None
    try:
        notes.command("sync")
        assert daemon.capture_once() == 1  # minute 0: captured
        wall.now += 60
        private = QtWindow(server, "firefox", "Bank - Private Browsing", ["balance"], (900, 500, 360, 260))
        daemon.capture_once()  # minute 1: a private window is visible
        private.close()
        private = None
        wall.now += 60
        _screensaver(server.display, True)
        try:
            daemon.capture_once()  # minute 2: the screensaver (a lock) is on
        finally:
            _screensaver(server.display, False)
        wall.now += 60
        daemon.pause()
        daemon.capture_once()  # minute 3: paused by the user
        daemon.resume()
        wall.now += 60
        daemon.capture_once()  # minute 4: captured again
        daemon.watch.flush(final=True)
    finally:
        daemon.close_sync()
        notes.close()
        if private is not None:
            private.close()

    gone = ScreenDaemon(ListSink(), DaemonConfig(display=":31999"), ledger_sink=ledger, wall=wall)
    wall.now += 60
    gone.capture_once()  # minute 5: no X server there
    gone.watch.flush(final=True)
    got = [(m.minute - T0, m.state, m.detail) for m in ledger.minutes]
    assert got[:5] == [(0, "captured", ""), (60, "excluded", "a private window is in front"),
                       (120, "locked", ""), (180, "paused", ""), (240, "captured", "")]
    assert got[5][:2] == (300, "unavailable") and "cannot open the screen" in got[5][2]


class HangingGrabber:
    """The real grabber, whose ``hang_on``-th grab blocks like an X call that never returns."""

    def __init__(self, display: str, hang_on: int | None, release: threading.Event) -> None:
        self._inner = ScreenGrabber((), display)
        self._hang_on, self._release, self.grabs = hang_on, release, 0

    @property
    def monitors(self) -> Any:
        return self._inner.monitors

    def grab(self) -> list[Frame]:
        self.grabs += 1
        if self.grabs == self._hang_on:
            self._release.wait(120)
        return self._inner.grab()

    def close(self) -> None:
        self._inner.close()


def test_a_hung_capture_thread_raises_the_alarm_and_capture_recovers(server: XServer, tmp_path: Path) -> None:
    release = threading.Event()
    grabbers: list[HangingGrabber] = []

    def factory() -> HangingGrabber:
        grabbers.append(HangingGrabber(server.display, 3 if not grabbers else None, release))
        return grabbers[-1]

    ledger = ListLedger()
    started = time.monotonic()
    # The ledger's clock runs 30x: a stall of a few seconds spans whole minutes of it.  The stall limit leaves
    # room for a slow first tick on a loaded machine (Xlib connect + grab): below it no healthy thread is restarted.
    daemon = ScreenDaemon(ListSink(), DaemonConfig(display=server.display, runtime_dir=tmp_path, interval_s=0.2,
                                                   capture_stall_s=4.0, status_every_s=0.5),
                          grabber_factory=factory, ledger_sink=ledger,
                          wall=lambda: T0 + (time.monotonic() - started) * 30)
    daemon.start()
    try:
        _wait_for(lambda: daemon.snapshot().alarm is not None, what="the alarm")
        alarm = daemon.snapshot().alarm or ""
        assert "capture stalled" in alarm and "restarted" in alarm
        assert grabbers[0].grabs == 3  # the first thread is still stuck in its grab
        seen = daemon.snapshot().frames_seen
        _wait_for(lambda: len(grabbers) >= 2 and daemon.snapshot().frames_seen > seen, what="recovery")
        assert daemon.snapshot().state == "capturing"
        # The alarm is visible where the user looks: the status file, the app's health bar and tray.
        _wait_for(lambda: (read_status(status_path(tmp_path)) or daemon.snapshot()).frames_seen > seen,
                  what="a status file written after recovery")
        assert read_status(status_path(tmp_path)).alarm == alarm  # type: ignore[union-attr]
        assert alarm in CaptureControl(tmp_path).health().warnings
        assert any(alarm in line for line in daemon.snapshot().describe())
    finally:
        release.set()
        daemon.stop()
    states = [m.state for m in ledger.minutes]
    errors = [m for m in ledger.minutes if m.state == "error"]
    assert errors and "capture stalled" in errors[0].detail, states
    first_error = states.index("error")
    assert "captured" in states[:first_error] and "captured" in states[first_error + 1:], states
    assert all(isinstance(m, LedgerMinute) for m in ledger.minutes)


def test_a_display_that_goes_away_is_an_unavailable_gap_not_an_alarm(tmp_path: Path) -> None:
    ledger = ListLedger()
    started = time.monotonic()
    with xserver() as srv:
        daemon = ScreenDaemon(ListSink(), DaemonConfig(display=srv.display, runtime_dir=tmp_path, interval_s=0.2,
                                                       status_every_s=0.5, reopen_after_s=0.5),
                              ledger_sink=ledger, wall=lambda: T0 + (time.monotonic() - started) * 30)
        daemon.start()
        try:
            _wait_for(lambda: daemon.snapshot().frames_seen >= 2, what="first frames")
            srv.wm.kill()
            srv.xvfb.kill()  # the X server dies (a crash, a logout)
            srv.xvfb.wait()
            _wait_for(lambda: daemon.snapshot().state == "unavailable", what="unavailable")
            # Some minutes of the (fast) ledger clock pass with no display at all.
            _wait_for(lambda: time.monotonic() - started > 6 and daemon.snapshot().state == "unavailable",
                      what="a while without display")
        finally:
            daemon.stop()
    snap = daemon.snapshot()
    assert snap.alarm is None and not snap.thread_restarts, snap
    states = [m.state for m in ledger.minutes]
    assert states[0] == "captured" and "unavailable" in states and "error" not in states, states

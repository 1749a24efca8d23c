"""The capture loop with real OCR and redaction, fake screen and window list (logic tests)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.capture.screen.daemon import ScreenDaemon
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.encode import decode
from core.capture.screen.frame_queue import CoalescingQueue
from core.capture.screen.frames import CapturedFrame
from core.capture.screen.grab import Frame, Monitor
from core.capture.screen.health import read_status, status_path
from core.capture.screen.idle import ActivityTracker, NullIdleSource
from core.capture.screen.processor import REDACTED_WORD
from core.capture.screen.window import UnavailableWindowInfo
from core.normalize.ocr import TesseractOcr

from .conftest import render_lines
from .fakes import FakeGrabber, FakeWindows, ListSink, window

LINES = [
    "Meeting notes for the Lindenstrasse viewing",
    "Bring payslips and the SCHUFA report",
    "Rent is 1480 EUR warm with a south balcony",
]


@pytest.fixture(autouse=True)
def _needs_tesseract() -> None:
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")


def _daemon(
    image: Any, windows: FakeWindows | None = None, sink: ListSink | None = None,
    clock: Callable[[], float] = time.monotonic, **config: Any
) -> tuple[ScreenDaemon, FakeGrabber, FakeWindows, ListSink]:
    grabber = FakeGrabber(image)
    windows = windows or FakeWindows([window("gedit", "notes.txt - gedit", 11, focused=True)])
    sink = sink or ListSink()
    config.setdefault("busy_window_gap_s", 0.0)  # these tests take every change; deferral has its own test
    daemon = ScreenDaemon(
        sink,
        DaemonConfig(**config),
        grabber_factory=lambda: grabber,
        window_info_factory=lambda: windows,
        idle_factory=NullIdleSource,
        clock=clock,
    )
    return daemon, grabber, windows, sink


def _wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_changed_frames_are_stored_and_unchanged_ones_skipped() -> None:
    daemon, grabber, _windows, sink = _daemon(render_lines(LINES))
    assert daemon.capture_once() == 1
    assert daemon.process_pending() == 1
    assert len(sink.frames) == 1
    first = sink.frames[0]
    assert "Lindenstrasse" in first.text and "SCHUFA" in first.text
    assert first.app == "gedit" and first.window_title == "notes.txt - gedit"
    assert first.monitor == 1
    assert decode(first.image).size == (960, 540) and decode(first.thumbnail).width <= 384

    assert daemon.capture_once() == 0  # same pixels
    grabber.image = render_lines([*LINES, "Call the landlord about the bike storage"])
    assert daemon.capture_once() == 1
    daemon.process_pending()
    assert len(sink.frames) == 2
    second = sink.frames[1]
    assert "landlord" in second.text and "Lindenstrasse" in second.text
    # Only the new line was OCR'd, not the whole frame.
    ocr_area = sum(b[2] * b[3] for b in second.ocr_regions)
    assert 0 < ocr_area < 0.35 * 960 * 540
    health = daemon.snapshot()
    assert health.frames_seen == 3 and health.frames_stored == 2 and health.skipped["unchanged"] == 1


def test_excluded_app_vetoes_without_grabbing_even_unfocused() -> None:
    windows = FakeWindows([
        window("KeePassXC", "Passwords.kdbx - KeePassXC", 5),
        window("gedit", "notes.txt - gedit", 11, focused=True),
    ])
    daemon, grabber, _w, sink = _daemon(render_lines(LINES), windows)
    assert daemon.capture_once() == 0
    assert grabber.grabs == 0
    daemon.process_pending()
    assert sink.frames == []
    health = daemon.snapshot()
    assert health.skipped == {"excluded_app": 1} and health.state == "blocked"


def test_private_window_appearing_during_the_grab_is_vetoed() -> None:
    windows = FakeWindows([window("gedit", "notes.txt - gedit", 11, focused=True)])
    windows.script = [
        [window("gedit", "notes.txt - gedit", 11, focused=True)],
        [window("firefox", "Bank - Private Browsing", 12), window("gedit", "notes.txt", 11, focused=True)],
    ]
    daemon, grabber, _w, sink = _daemon(render_lines(LINES), windows)
    assert daemon.capture_once() == 0
    assert grabber.grabs == 1  # grabbed, then dropped
    assert daemon.snapshot().skipped == {"private_window": 1}
    daemon.process_pending()
    assert sink.frames == []


def test_no_window_list_means_no_capture() -> None:
    daemon = ScreenDaemon(
        ListSink(),
        DaemonConfig(),
        grabber_factory=lambda: FakeGrabber(render_lines(LINES)),
        window_info_factory=lambda: UnavailableWindowInfo("Wayland session without X11"),
        idle_factory=NullIdleSource,
    )
    assert daemon.capture_once() == 0
    health = daemon.snapshot()
    assert health.skipped == {"no_window_info": 1}
    assert "Wayland" in health.reason


def test_pause_and_resume() -> None:
    daemon, grabber, _w, _sink = _daemon(render_lines(LINES))
    daemon.pause()
    assert daemon.capture_once() == 0 and grabber.grabs == 0
    assert daemon.snapshot().state == "paused"
    daemon.resume()
    assert daemon.capture_once() == 1


def test_secrets_are_redacted_in_text_words_title_and_image() -> None:
    card = "4111 1111 1111 1111"
    lines = ["Checkout for the Hamburg flat", f"Card {card} expires 12/29", "password: Tr0ub4dor&3"]
    windows = FakeWindows([window("firefox", "Pay with sk_test_FAKE0nly4Test5Fixture6Xyz7", 3, focused=True)])
    daemon, _g, _w, sink = _daemon(render_lines(lines, font_px=26), windows)
    daemon.capture_once()
    daemon.process_pending()
    frame = sink.frames[0]
    assert "Hamburg" in frame.text
    assert "1111" not in frame.text and "ub4dor" not in frame.text
    assert "sk_test_" not in (frame.window_title or "")
    assert frame.redactions >= 3
    redacted = [w for w in frame.words if w.text == REDACTED_WORD]
    assert len(redacted) >= 3  # the card's digit groups (OCR may merge two) and the password
    assert all("1111" not in w.text for w in frame.words)
    # The stored image is black where the secrets were, and OCR no longer reads them.
    stored = decode(frame.image).convert("RGB")
    for word in redacted:
        cx, cy = word.left + word.width // 2, word.top + word.height // 2
        assert stored.getpixel((cx, cy)) == (0, 0, 0)
    reread = TesseractOcr().recognize(stored)
    assert "1111" not in reread.text and "ub4dor" not in reread.text
    assert "Hamburg" in reread.text


def test_duplicate_text_is_stored_once() -> None:
    from PIL import ImageDraw

    image = render_lines(LINES)
    daemon, grabber, _w, sink = _daemon(image)
    daemon.capture_once()
    daemon.process_pending()
    changed = image.copy()
    ImageDraw.Draw(changed).rectangle((700, 300, 900, 500), fill=(200, 220, 255))  # a picture, no text
    grabber.image = changed
    assert daemon.capture_once() == 1
    daemon.process_pending()
    assert len(sink.frames) == 1
    assert daemon.snapshot().skipped.get("duplicate_text") == 1


def test_a_busy_window_is_deferred_but_a_window_switch_is_taken_at_once() -> None:
    windows = FakeWindows([window("gedit", "notes.txt - gedit", 11, focused=True)])
    clock = [1000.0]
    daemon, grabber, _w, sink = _daemon(render_lines(LINES), windows, busy_window_gap_s=0.5,
                                        clock=lambda: clock[0])
    assert daemon.capture_once() == 1
    daemon.process_pending()
    grabber.image = render_lines([*LINES, "First quick edit"])
    assert daemon.capture_once() == 0  # same window, changed again right away: later
    assert daemon.snapshot().skipped["deferred"] == 1
    clock[0] += 0.6  # the busy window's gap has passed
    grabber.image = render_lines([*LINES, "First quick edit", "Second edit"])
    assert daemon.capture_once() == 1  # everything changed meanwhile is in this frame
    daemon.process_pending()
    windows.windows = [window("evince", "report.pdf", 12, focused=True)]
    grabber.image = render_lines(["Quarterly report for the board"])
    assert daemon.capture_once() == 1  # another window: no waiting
    daemon.process_pending()
    assert "Second edit" in sink.frames[1].text and "First quick edit" in sink.frames[1].text
    assert sink.frames[2].app == "evince"


def _deferred_then(switch: Callable[[ScreenDaemon, FakeWindows], None]) -> tuple[int, ListSink]:
    """A busy window's change deferred, then ``switch`` (another window comes to the front, perhaps after more)."""
    windows = FakeWindows([window("gedit", "notes.txt - gedit", 11, focused=True)])
    clock = [1000.0]
    daemon, grabber, _w, sink = _daemon(render_lines(LINES), windows, busy_window_gap_s=8.0, clock=lambda: clock[0])
    assert daemon.capture_once() == 1
    daemon.process_pending()
    grabber.image = render_lines([*LINES, "Wrenfield viewing moved to Saturday"])
    clock[0] += 3
    assert daemon.capture_once() == 0  # deferred: the window is busy
    clock[0] += 3
    switch(daemon, windows)
    grabber.image = render_lines(["Quarterly report for the board"])
    taken = daemon.capture_once()
    daemon.process_pending()
    return taken, sink


def test_a_busy_windows_deferred_change_is_taken_when_another_window_comes_to_the_front() -> None:
    def switch(_daemon: ScreenDaemon, windows: FakeWindows) -> None:
        windows.windows = [window("evince", "report.pdf", 12, focused=True)]

    taken, sink = _deferred_then(switch)
    assert taken == 2  # the busy window's last look, then the new window
    assert [f.app for f in sink.frames] == ["gedit", "gedit", "evince"]
    assert "Wrenfield" in sink.frames[1].text and "Quarterly" in sink.frames[2].text
    assert sink.frames[1].timestamp < sink.frames[2].timestamp


def test_a_deferred_change_is_dropped_by_a_pause() -> None:
    def pause_then_switch(daemon: ScreenDaemon, windows: FakeWindows) -> None:
        daemon.pause()
        assert daemon.capture_once() == 0
        daemon.resume()
        windows.windows = [window("evince", "report.pdf", 12, focused=True)]

    taken, sink = _deferred_then(pause_then_switch)
    assert taken == 1 and [f.app for f in sink.frames] == ["gedit", "evince"]
    assert all("Wrenfield" not in f.text for f in sink.frames)


def test_a_window_switch_caught_mid_repaint_is_grabbed_again_until_it_settles() -> None:
    windows = FakeWindows([window("gedit", "notes.txt - gedit", 11, focused=True)])
    daemon, grabber, _w, sink = _daemon(render_lines(LINES), windows, switch_settle_s=0.01)
    assert daemon.capture_once() == 1
    daemon.process_pending()
    report = ["Quarterly report for the board", "Revenue grew in Lisbon and Vienna"]
    torn = render_lines([*LINES[:1], *report[1:]])  # half the old window, half the new one
    windows.windows = [window("evince", "report.pdf", 12, focused=True)]
    grabber.script = [torn, torn.copy().rotate(180), render_lines(report)]
    grabber.image = render_lines(report)
    assert daemon.capture_once() == 1
    daemon.process_pending()
    assert grabber.grabs == 1 + 4  # the torn grab, two that still changed, two that agree
    assert daemon.snapshot().skipped["repainting"] == 2
    stored = sink.frames[-1]
    assert stored.app == "evince" and "Quarterly" in stored.text and "Lindenstrasse" not in stored.text


def test_a_private_window_opening_while_a_switch_settles_is_vetoed() -> None:
    notes = window("gedit", "notes.txt - gedit", 11, focused=True)
    windows = FakeWindows([notes])
    daemon, grabber, _w, sink = _daemon(render_lines(LINES), windows, switch_settle_s=0.01)
    assert daemon.capture_once() == 1
    daemon.process_pending()
    report = window("evince", "report.pdf", 12, focused=True)
    private = window("firefox", "Bank - Private Browsing", 13)
    windows.script = [[report], [report], [report, private]]  # before, after the grab, after settling
    grabber.image = render_lines(["Quarterly report for the board"])
    assert daemon.capture_once() == 0
    assert daemon.snapshot().skipped.get("private_window") == 1
    daemon.process_pending()
    assert len(sink.frames) == 1


def test_queue_coalesces_per_window_and_bounds_memory() -> None:
    queue = CoalescingQueue(maxsize=2)
    monitor = Monitor(1, 0, 0, 4, 4)

    def item(seq: int) -> CapturedFrame:
        from datetime import UTC, datetime

        import numpy as np

        return CapturedFrame(Frame(monitor, np.zeros((4, 4), dtype=np.uint32), datetime.now(UTC)), None, seq)

    assert queue.put("a", item(1)) == 0
    assert queue.put("a", item(2)) == 1  # same window: replaced
    assert queue.put("b", item(3)) == 0
    assert queue.put("c", item(4)) == 1  # full: the oldest ("a") dropped
    assert len(queue) == 2
    got = [queue.get(0).seq, queue.get(0).seq]  # type: ignore[union-attr]
    assert got == [3, 4]
    assert queue.get(0) is None


def test_capture_thread_that_dies_is_restarted_and_reported(tmp_path: Path) -> None:
    daemon, grabber, _w, sink = _daemon(render_lines(LINES), interval_s=0.05, runtime_dir=tmp_path)
    grabber.fail_on = {2}
    daemon.start()
    try:
        _wait_for(lambda: daemon.snapshot().thread_restarts.get("capture", 0) >= 1)
        _wait_for(lambda: grabber.grabs >= 4)
        _wait_for(lambda: len(sink.frames) >= 1)
    finally:
        daemon.stop()
    health = daemon.snapshot()
    assert "simulated crash" in (health.last_error or "")
    assert "the capture thread died" in (health.alarm or "") and "simulated crash" in (health.alarm or "")
    assert health.state == "stopped"
    status = read_status(status_path(tmp_path))
    assert status is not None and status.thread_restarts.get("capture", 0) >= 1
    # The plaintext status file names no app, title or on-screen text.
    raw = status_path(tmp_path).read_text()
    for secret in ("gedit", "notes.txt", "Lindenstrasse"):
        assert secret not in raw
    json.loads(raw)


def test_stalled_ocr_worker_is_reported_and_replaced() -> None:
    release = threading.Event()

    class BlockingSink(ListSink):
        def store(self, frame: Any) -> None:
            if not self.frames and not release.is_set():
                release.wait(20)
            super().store(frame)

    sink = BlockingSink()
    daemon, grabber, _w, _s = _daemon(render_lines(LINES), sink=sink, interval_s=0.05, stall_after_s=1.0)
    daemon.start()
    try:
        _wait_for(lambda: daemon.snapshot().stalled)
        assert daemon.snapshot().thread_restarts.get("ocr", 0) >= 1
        grabber.image = render_lines([*LINES, "A second screen after the stall"])
        release.set()
        _wait_for(lambda: any("second screen" in f.text for f in sink.frames))
    finally:
        release.set()
        daemon.stop()


def test_activity_tracker_rules() -> None:
    tracker = ActivityTracker(idle_after_s=300, now=0)
    assert tracker.update(10, input_idle_s=10, locked=False).state == "active"
    assert tracker.update(400, input_idle_s=400, locked=False).state == "idle"
    assert tracker.update(400, input_idle_s=2, locked=False).state == "active"  # input is back
    tracker.note_screen_change(390)
    assert tracker.update(400, input_idle_s=400, locked=False).state == "active"  # a video plays
    assert tracker.update(800, input_idle_s=None, locked=None).state == "idle"  # unknown input: screen only
    assert tracker.update(800, input_idle_s=0, locked=True).state == "locked"


def test_cairns_own_windows_are_never_captured_whatever_their_title(tmp_path: Path) -> None:
    import dataclasses
    import os
    import subprocess
    import sys

    from core.capture.screen.own_windows import OwnProcesses

    own = dataclasses.replace(window("python3", "notes.txt - gedit", 7, focused=True), pid=os.getpid())
    daemon, grabber, _w, _s = _daemon(render_lines(LINES), FakeWindows([own]), runtime_dir=tmp_path)
    assert daemon.capture_once() == 0 and grabber.grabs == 0
    assert daemon.snapshot().skipped == {"own_window": 1}
    # A Cairn app in another process (a separate `cairn daemon` captures): known by its registered pid.
    app = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        OwnProcesses(tmp_path).register(app.pid)
        other = dataclasses.replace(window("cairn-app", "Timeline", 8, focused=True), pid=app.pid)
        daemon, grabber, _w, _s = _daemon(render_lines(LINES), FakeWindows([other]), runtime_dir=tmp_path)
        assert daemon.capture_once() == 0 and daemon.snapshot().skipped == {"own_window": 1}
    finally:
        app.kill()
        app.wait(timeout=30)
    # A title that says Cairn is not Cairn: another process's window is captured.
    lookalike = dataclasses.replace(window("gedit", "Cairn — Timeline", 9, focused=True), pid=app.pid)
    daemon, grabber, _w, _s = _daemon(render_lines(LINES), FakeWindows([lookalike]), runtime_dir=tmp_path)
    assert daemon.capture_once() == 1


def test_an_app_that_registers_while_the_daemon_runs_is_known_on_the_next_tick(tmp_path: Path) -> None:
    """The registry is reread when the folder changes, not only every few seconds: the window an app maps right
    after registering is never grabbed in between (seen for real under Xvfb: one frame of the app was stored)."""
    import dataclasses
    import subprocess
    import sys

    from core.capture.screen.own_windows import OwnProcesses

    app = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        other = dataclasses.replace(window("cairn-app", "Timeline", 8, focused=True), pid=app.pid)
        daemon, _g, _w, _s = _daemon(render_lines(LINES), FakeWindows([other]), runtime_dir=tmp_path)
        assert daemon.capture_once() == 1  # not registered yet: an ordinary window
        OwnProcesses(tmp_path).register(app.pid)
        assert daemon.capture_once() == 0 and daemon.snapshot().skipped.get("own_window") == 1
    finally:
        app.kill()
        app.wait(timeout=30)


def test_the_capture_threads_comparison_is_not_run_again_by_ocr_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    """The capture tick compares a frame with the window's last one: planning takes that change."""
    from core.capture.screen import change

    daemon, grabber, _windows, sink = _daemon(render_lines(LINES))
    assert daemon.capture_once() == 1 and daemon.process_pending() == 1
    compared: list[tuple[int, int]] = []
    real_diff = change.diff

    def counting_diff(prev: Any, cur: Any, *args: Any, **kwargs: Any) -> Any:
        compared.append((id(prev), id(cur)))
        return real_diff(prev, cur, *args, **kwargs)

    monkeypatch.setattr(change, "diff", counting_diff)
    grabber.image = render_lines([*LINES, "Call the landlord about the bike storage"])
    assert daemon.capture_once() == 1
    assert daemon.process_pending() == 1
    assert "landlord" in sink.frames[-1].text and 0 < sum(b[2] * b[3] for b in sink.frames[-1].ocr_regions) < 0.35 * 960 * 540
    assert len(compared) == len(set(compared)) == 1, compared  # the tick's diff, and no second one

"""The capture ledger: minute decisions, spans with "off" filled in, the encrypted table, and the daemon's reasons."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from core.capture.screen.daemon import ScreenDaemon
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.grab import CaptureUnavailable
from core.capture.screen.idle import NullIdleSource
from core.capture.screen.ledger import Coverage, LedgerMinute, MinuteLedger, decide, spans
from core.capture.screen.ledger_store import VaultLedgerSink, read_spans

from .conftest import render_lines
from .fakes import FakeGrabber, FakeWindows, ListSink, window

T0 = 1_796_000_000 - 1_796_000_000 % 60  # a minute boundary


class ListLedger:
    def __init__(self) -> None:
        self.minutes: list[LedgerMinute] = []

    def record_minutes(self, minutes: Any) -> None:
        self.minutes.extend(minutes)


class WallClock:
    """The ledger's wall clock, moved by the test one minute per phase."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_a_minute_with_any_captured_tick_is_captured_else_its_most_frequent_reason() -> None:
    assert decide(Counter({"paused": 10, "captured": 1})) == "captured"
    assert decide(Counter({"paused": 3, "excluded": 1})) == "paused"
    assert decide(Counter({"paused": 1, "error": 1})) == "error"  # ties: the more serious reason


def test_closed_minutes_are_taken_once_and_the_current_one_waits() -> None:
    ledger = MinuteLedger()
    ledger.note("captured", T0 + 5)
    ledger.note("paused", T0 + 65)
    ledger.note("excluded", T0 + 70, "a private window is in front")
    ledger.note("excluded", T0 + 75, "a private window is in front")
    ledger.note("captured", T0 + 125)
    assert ledger.take_closed(T0 + 130) == [LedgerMinute(T0, "captured"),
                                            LedgerMinute(T0 + 60, "excluded", "a private window is in front")]
    assert ledger.take_closed(T0 + 130) == []
    assert ledger.take_all() == [LedgerMinute(T0 + 120, "captured")]


def test_spans_merge_equal_minutes_and_fill_unrecorded_ones_as_off() -> None:
    minutes = [LedgerMinute(T0, "captured"), LedgerMinute(T0 + 60, "captured"),
               LedgerMinute(T0 + 180, "paused"), LedgerMinute(T0 + 240, "error", "boom")]
    got = spans(minutes, T0, T0 + 360)
    assert [(s.start - T0, s.end - T0, s.state) for s in got] == [
        (0, 120, "captured"), (120, 180, "off"), (180, 240, "paused"), (240, 300, "error"), (300, 360, "off")]
    assert got[3].reason() == "capture error: boom"
    cover = Coverage.of(got)
    assert (cover.minutes, cover.captured) == (6, 2)
    assert cover.by_state == {"captured": 2, "off": 2, "paused": 1, "error": 1}
    assert cover.summary().startswith("33% captured (2 min of 6 min)")
    assert "capture error: boom" in cover.last_gaps()[1]


def test_a_sleep_span_marks_every_minute_it_covers() -> None:
    ledger = MinuteLedger()
    ledger.note_span("asleep", T0 + 30, T0 + 200)
    assert [(m.minute - T0, m.state) for m in ledger.take_all()] == [
        (0, "asleep"), (60, "asleep"), (120, "asleep"), (180, "asleep")]


def test_the_ledger_table_is_in_the_encrypted_vault_and_captured_wins_a_rewrite(lexical_vault: Any) -> None:
    sink = VaultLedgerSink(lexical_vault)
    sink.record_minutes([LedgerMinute(T0, "captured"), LedgerMinute(T0 + 60, "paused")])
    # A daemon restarted within the same minutes writes them again.
    sink.record_minutes([LedgerMinute(T0, "unavailable", "no display"), LedgerMinute(T0 + 60, "captured")])
    got = read_spans(lexical_vault, T0, T0 + 180)
    assert [(s.start - T0, s.state) for s in got] == [(0, "captured"), (120, "off")]
    facade = lexical_vault.capture_coverage(datetime.fromtimestamp(T0, UTC), datetime.fromtimestamp(T0 + 120, UTC))
    assert list(facade.spans) == got[:1] and facade.captured == 2


def _daemon(wall: WallClock, ledger: ListLedger, windows: FakeWindows | None = None,
            grabber_factory: Any = None, runtime_dir: Any = None) -> tuple[ScreenDaemon, FakeGrabber, FakeWindows]:
    grabber = FakeGrabber(render_lines(["Quarterly report draft"]))
    windows = windows or FakeWindows([window("gedit", "report.txt - gedit", 11, focused=True)])
    daemon = ScreenDaemon(ListSink(), DaemonConfig(busy_window_gap_s=0.0, runtime_dir=runtime_dir), grabber_factory=grabber_factory or (
        lambda: grabber), window_info_factory=lambda: windows, idle_factory=NullIdleSource,
        ledger_sink=ledger, wall=wall)
    return daemon, grabber, windows


def test_each_tick_outcome_lands_in_its_minute_with_the_reason(tmp_path: Any) -> None:
    wall, ledger = WallClock(T0 + 1), ListLedger()
    daemon, _grabber, windows = _daemon(wall, ledger, runtime_dir=tmp_path)
    try:
        assert daemon.capture_once() == 1  # minute 0: captured
        wall.now += 60
        windows.windows = [window("gedit", "report.txt - gedit", 11, focused=True),
                           window("firefox", "Bank - Private Browsing", 12)]
        daemon.capture_once()  # minute 1: a private window is visible
        wall.now += 60
        windows.windows = [window("KeePassXC", "Passwords.kdbx - KeePassXC", 13)]
        daemon.capture_once()  # minute 2: an excluded app
        wall.now += 60
        windows.windows = [window("gedit", "report.txt - gedit", 11, focused=True)]
        windows.fail = True
        daemon.capture_once()  # minute 3: the window list failed: no veto possible, an error
        windows.fail = False
        wall.now += 60
        daemon.pause()
        daemon.capture_once()  # minute 4: paused by the user
        daemon.resume()
        wall.now += 60
        daemon.capture_once()  # minute 5: captured again (unchanged screen still counts as seen)
        daemon.watch.flush(final=True)
    finally:
        daemon.close_sync()
    got = [(m.minute - T0, m.state, m.detail) for m in ledger.minutes]
    assert got == [
        (0, "captured", ""),
        (60, "excluded", "a private window is in front"),
        (120, "excluded", "an excluded app is in front"),
        (180, "error", "window list unavailable: simulated failure"),
        (240, "paused", ""),
        (300, "captured", ""),
    ]


def test_no_display_is_an_unavailable_minute_with_the_message() -> None:
    wall, ledger = WallClock(T0 + 1), ListLedger()

    def no_display() -> FakeGrabber:
        raise CaptureUnavailable("cannot open the screen for capture: $DISPLAY not set")

    daemon, _g, _w = _daemon(wall, ledger, grabber_factory=no_display)
    assert daemon.capture_once() == 0
    daemon.watch.flush(final=True)
    assert [(m.state, m.detail) for m in ledger.minutes] == [
        ("unavailable", "cannot open the screen for capture: $DISPLAY not set")]



def test_a_sleep_of_the_machine_is_an_asleep_gap() -> None:
    from core.capture.screen.health import Health
    from core.capture.screen.watch import CaptureWatch

    wall = WallClock(T0 + 5)
    sink = ListLedger()
    watch = CaptureWatch(Health(), sink, wall)
    watch.beat()
    watch.note("captured")
    wall.now += 600  # ten minutes on the wall clock, none on the monotonic one: the machine slept
    watch.beat()
    watch.note("captured")
    wall.now += 10  # an ordinary tick later: no sleep
    watch.beat()
    watch.flush(final=True)
    states = [(m.minute - T0, m.state) for m in sink.minutes]
    assert states[0] == (0, "captured") and states[-1] == (600, "captured")
    assert states[1:-1] == [(60 * i, "asleep") for i in range(1, 10)]


def test_the_ledger_ages_out_with_the_text(lexical_vault: Any) -> None:
    VaultLedgerSink(lexical_vault).record_minutes([LedgerMinute(T0, "captured"), LedgerMinute(T0 + 40 * 86400, "paused")])
    now = datetime.fromtimestamp(T0 + 41 * 86400, UTC)
    lexical_vault.enforce_retention(lexical_vault.settings().updated(retention_days=10, retention_gb=0), now)
    left = lexical_vault.capture_coverage(datetime.fromtimestamp(T0, UTC), now)
    assert left.by_state.get("captured", 0) == 0 and left.by_state["paused"] == 1


def test_a_minute_whose_frame_the_vault_refused_is_an_error_not_captured() -> None:
    class RefusingSink(ListSink):
        def store(self, frame: Any) -> None:
            raise OSError(28, "No space left on device")

    from core.normalize.ocr import TesseractOcr

    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")  # shown as skipped, not a silent pass
    wall, ledger = WallClock(T0 + 1), ListLedger()
    grabber = FakeGrabber(render_lines(["Quarterly report draft"]))
    windows = FakeWindows([window("gedit", "report.txt - gedit", 11, focused=True)])
    daemon = ScreenDaemon(RefusingSink(), DaemonConfig(busy_window_gap_s=0.0), grabber_factory=lambda: grabber,
                          window_info_factory=lambda: windows, idle_factory=NullIdleSource, ledger_sink=ledger,
                          wall=wall)
    try:
        assert daemon.capture_once() == 1 and daemon.process_pending() == 1
    finally:
        daemon.close_sync()
    daemon.watch.flush(final=True)
    assert [(m.state, m.detail) for m in ledger.minutes] == [
        ("error", "storing a frame failed: OSError: [Errno 28] No space left on device")]

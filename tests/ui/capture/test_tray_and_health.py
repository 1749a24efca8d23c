"""Capture health in the status bar and the tray; pause and resume from the tray menu."""

from __future__ import annotations

import os
import time
from typing import Any

from core.capture.screen.privacy import PauseControl


def _pause_state(window: Any) -> Any:
    return PauseControl(window.session.paths.runtime_dir).state()


def test_pause_and_resume_from_the_tray_menu(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    tray = window.tray
    assert tray.pause_action in tray.menu.actions() and tray.pause_action.isVisible()
    tray.pause_action.trigger()
    qtbot.waitUntil(lambda: window.health.last is not None and window.health.last.paused, timeout=10000)
    state = _pause_state(window)
    assert state.paused and state.until is None  # the daemon (another process) reads this file
    assert window.health_bar.text().startswith("Capture paused")
    assert tray.resume_action.isVisible() and not tray.pause_action.isVisible()
    assert tray.status_action.text().startswith("Capture paused")
    assert window.pause_button.text() == "Resume capture"

    tray.resume_action.trigger()
    qtbot.waitUntil(lambda: window.health.last is not None and not window.health.last.paused, timeout=10000)
    assert not _pause_state(window).paused

    tray.pause30_action.trigger()
    qtbot.waitUntil(lambda: window.health.last is not None and window.health.last.paused, timeout=10000)
    state = _pause_state(window)
    assert state.until is not None
    left = state.until.timestamp() - time.time()
    assert 29 * 60 < left <= 30 * 60
    assert "min left" in window.health_bar.text()


def test_health_reports_a_running_daemon_and_a_stall(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    qtbot.waitUntil(lambda: window.health.last is not None, timeout=10000)
    assert window.health_bar.text().startswith("Screen capture not running")
    from core.capture.screen.health import HealthSnapshot, status_path, write_status

    runtime = window.session.paths.runtime_dir
    runtime.mkdir(parents=True, exist_ok=True)
    now = time.time()
    # A live process (this one) reporting fresh counts: capturing, last indexed 12 s ago, backlog 3.
    write_status(status_path(runtime), HealthSnapshot(state="capturing", backlog=3, last_indexed_at=now - 12,
                                                      updated_at=now, pid=os.getpid()))
    window.health.poll()
    qtbot.waitUntil(lambda: window.health.last is not None and window.health.last.running, timeout=10000)
    text = window.health_bar.text()
    assert text.startswith("Capturing") and "last indexed 1" in text and "backlog 3" in text
    # just started, nothing indexed yet: it says what it is waiting for, not "never"
    write_status(status_path(runtime), HealthSnapshot(state="capturing", backlog=0, last_indexed_at=None,
                                                      updated_at=time.time(), pid=os.getpid()))
    window.health.poll()
    qtbot.waitUntil(lambda: "waiting for the first screen change" in window.health_bar.text(), timeout=10000)
    assert "never" not in window.health_bar.text()
    # The same daemon silent for two minutes is an alarm, not a quiet state.
    write_status(status_path(runtime), HealthSnapshot(state="capturing", backlog=3, last_indexed_at=now - 130,
                                                      updated_at=now - 120, pid=os.getpid()))
    window.health.poll()
    qtbot.waitUntil(lambda: window.health.last is not None and window.health.last.state == "stalled", timeout=10000)
    assert "Capture stalled" in window.health_bar.text()
    assert not window.health_bar.warning_icon.isHidden()  # the warning is flagged by the icon, not an emoji
    assert "⚠" not in window.health_bar.text()


def test_tray_lock_and_quit_actions(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    window.tray.lock_action.trigger()
    qtbot.waitUntil(lambda: not window.session.is_unlocked, timeout=5000)
    window.health.poll()
    qtbot.waitUntil(lambda: window.tray.status_action.text().startswith("Locked"), timeout=10000)
    assert not window.tray.lock_action.isEnabled()


def test_a_capture_alarm_and_todays_coverage_show_in_the_status_bar_and_tray(unlocked: Any, qtbot: Any) -> None:
    from datetime import datetime

    from core.capture.screen.health import HealthSnapshot, status_path, write_status
    from core.capture.screen.ledger import LedgerMinute, minute_of
    from core.capture.screen.ledger_store import VaultLedgerSink

    window = unlocked
    runtime = window.session.paths.runtime_dir
    runtime.mkdir(parents=True, exist_ok=True)
    now = time.time()
    alarm = "capture stalled: no frame and no reason for 61 s; restarted"
    write_status(status_path(runtime), HealthSnapshot(state="capturing", alarm=alarm, alarm_at=now - 30,
                                                      updated_at=now, pid=os.getpid()))
    window.health.poll()
    qtbot.waitUntil(lambda: alarm in window.health_bar.text(), timeout=10000)
    assert alarm in window.tray.status_action.text()

    # Today's ledger: captured, then paused; the tray and the status bar's tooltip say how much.
    # "Now" is today's 10:00 whatever the wall clock says: just after midnight, 40 minutes of today
    # would otherwise lie in the future and fall outside the day read so far.
    ten = datetime.now().astimezone().replace(hour=10, minute=0, second=0, microsecond=0)
    first = minute_of(ten.timestamp() - 3 * 3600)
    minutes = [LedgerMinute(first + 60 * i, "captured" if i < 30 else "paused") for i in range(40)]
    VaultLedgerSink(window.session.vault).record_minutes(minutes)
    window.health.clock = lambda: ten
    window.health._polls = 0  # the next poll reads the ledger (it does so once a minute)
    window.health.poll()
    qtbot.waitUntil(lambda: window.tray.coverage_action.isVisible(), timeout=10000)
    text = window.tray.coverage_action.toolTip()
    assert text.startswith("Today: ") and "captured (30 min of" in text and "paused 10 min" in text
    assert text in window.health_bar.toolTip()
    assert window.tray.coverage_action.text() == text.split(";")[0]  # the menu line stays short
    shot = os.environ.get("CAIRN_SHOT_DIR")
    if shot:  # the status bar with the alarm, and the tray menu with today's coverage, for a person to look at
        window.resize(1280, 800)
        window.grab().save(os.path.join(shot, "status-bar-alarm.png"))
        window.tray.menu.adjustSize()
        window.tray.menu.grab().save(os.path.join(shot, "tray-menu-coverage.png"))


def test_the_status_bar_shows_the_page_a_watched_folder_is_ocring(unlocked: Any, qtbot: Any) -> None:
    from ui.capture.health_bar import HealthMonitor

    window = unlocked
    now: list[str | None] = ["scan.pdf: OCR page 37 of 200"]
    monitor = HealthMonitor(window.session, window.session.capture, window, activity=lambda: now[0])
    monitor.files.connect(window.health_bar.show_files)
    monitor.poll()
    qtbot.waitUntil(lambda: "indexing scan.pdf: OCR page 37 of 200" in window.health_bar.text(), timeout=10000)
    assert window.health_bar.files.isVisible()
    if os.environ.get("CAIRN_SHOTS"):
        window.grab().save(os.path.join(os.environ["CAIRN_SHOTS"], "status_ocr_page.png"))
    now[0] = None  # the batch ended
    qtbot.waitUntil(lambda: monitor.last is not None, timeout=10000)  # the first poll's health read is back
    monitor.poll()
    qtbot.waitUntil(lambda: "OCR page" not in window.health_bar.text(), timeout=10000)
    assert not window.health_bar.files.isVisible()

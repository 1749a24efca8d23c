"""The capture band under the hour strip: the day's ledger, gaps coloured, the reason on hover."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QPoint

from core.capture.screen.ledger import LedgerMinute, minute_of
from core.capture.screen.ledger_store import VaultLedgerSink
from ui.timeline.gaps import CaptureBand


def test_the_days_gaps_show_under_the_strip_with_their_reason_on_hover(unlocked: Any, qtbot: Any) -> None:
    vault = unlocked.session.vault
    now = datetime.now().astimezone()
    day = now.date() if now.hour >= 3 else now.date() - timedelta(days=1)
    noon = minute_of(datetime(day.year, day.month, day.day, 1, 0).astimezone().timestamp())
    minutes = [LedgerMinute(noon + 60 * i, "captured") for i in range(60)]
    minutes += [LedgerMinute(noon + 60 * i, "paused") for i in range(60, 80)]
    minutes += [LedgerMinute(noon + 60 * i, "excluded", "a private window is in front") for i in range(80, 90)]
    minutes += [LedgerMinute(noon + 60 * i, "captured") for i in range(90, 120)]
    VaultLedgerSink(vault).record_minutes(minutes)

    timeline = unlocked.timeline()
    timeline.show_day(day - timedelta(days=1))
    timeline.show_day(day)
    band = timeline.findChild(CaptureBand)
    qtbot.waitUntil(lambda: any(g.state == "paused" for g in band.gaps()), timeout=15000)
    states = [(g.state, (g.end - g.start) // 60) for g in band.gaps() if g.state not in ("off",)]
    assert states == [("paused", 20), ("excluded", 10)]
    paused_x = band.x_of(noon + 60 * 70)
    assert "not captured: paused by you" in band.tooltip_at(paused_x)
    assert "private window" in band.tooltip_at(band.x_of(noon + 60 * 85))
    assert "screen captured" in band.tooltip_at(band.x_of(noon + 60 * 30))
    assert "Cairn was not running" in band.tooltip_at(band.x_of(noon - 3600))  # before the ledger starts
    qtbot.mouseMove(band, QPoint(round(paused_x), band.height() // 2))
    qtbot.waitUntil(lambda: "paused by you" in band.toolTip(), timeout=5000)
    shot = os.environ.get("CAIRN_SHOT_DIR")
    if shot:  # a picture of the day view for a person to look at
        unlocked.resize(1280, 800)
        unlocked.grab().save(os.path.join(shot, "timeline-capture-band.png"))


def test_a_day_without_any_capture_record_shows_no_band(unlocked: Any, qtbot: Any) -> None:
    timeline = unlocked.timeline()
    band = timeline.findChild(CaptureBand)
    day = datetime.now().astimezone().date() - timedelta(days=400)
    loads = band.loads
    timeline.show_day(day)
    qtbot.waitUntil(lambda: band.loads > loads, timeout=10000)  # the day's (empty) ledger was read
    assert band.accessibleDescription() == "No capture record for this day"
    assert band.gaps() == [] and band.tooltip_at(band.width() / 2) == ""

"""`cairn status`'s capture lines: no "never" right after a start, alarm times without seconds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from core.capture.screen.health import HealthSnapshot


def test_a_fresh_start_waits_instead_of_saying_never() -> None:
    now = datetime.now(UTC)
    text = "\n".join(HealthSnapshot(state="capturing", started_at=now.timestamp()).describe(now))
    assert "last indexed: nothing yet" in text and "never" not in text
    indexed = HealthSnapshot(state="capturing", last_indexed_at=(now - timedelta(seconds=12)).timestamp())
    assert "last indexed: 12 s ago" in "\n".join(indexed.describe(now))


def test_an_alarm_time_has_no_seconds() -> None:
    now = datetime.now(UTC)
    snapshot = HealthSnapshot(state="capturing", alarm="capture stalled", alarm_at=now.timestamp() - 30)
    line = next(line for line in snapshot.describe(now) if "ALARM at" in line)
    assert re.search(r"ALARM at \d\d:\d\d: capture stalled", line), line

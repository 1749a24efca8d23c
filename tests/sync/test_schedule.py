"""When background sync runs: debounced after changes, periodic, backing off while offline (pure logic)."""

from __future__ import annotations

from core.sync.schedule import SyncSchedule


def test_first_pass_at_once_then_after_changes_settle() -> None:
    s = SyncSchedule(quiet_s=15, max_delay_s=120, every_s=300, retry_s=30)
    assert s.due(0)
    s.started(0)
    s.finished(1)
    assert not s.due(2)
    s.changed(10)
    assert not s.due(20)  # still changing within the quiet period
    s.changed(20)
    assert not s.due(34)
    assert s.due(35)  # quiet for 15 s


def test_continuous_changes_sync_at_the_latest_after_max_delay() -> None:
    s = SyncSchedule(quiet_s=15, max_delay_s=120, every_s=300)
    s.started(0)
    s.finished(0)
    t = 1.0
    while t < 120:
        s.changed(t)  # screen capture: a change every few seconds, never quiet
        assert not s.due(t)
        t += 3
    s.changed(121)
    assert s.due(121)


def test_periodic_without_changes_and_backoff_offline() -> None:
    s = SyncSchedule(quiet_s=15, max_delay_s=120, every_s=300, retry_s=30)
    s.started(0)
    s.finished(0)
    assert not s.due(299) and s.due(300)
    s.started(300)
    s.offline(300)
    assert s.is_offline and not s.due(329) and s.due(330)
    s.offline(330)
    assert not s.due(389) and s.due(390)  # 60 s
    for _ in range(10):
        s.offline(1000)
    assert s.next_retry == 1300  # never longer than the periodic interval
    s.changed(1001)
    assert not s.due(1100)  # changes do not hammer an unreachable target
    s.finished(1300)
    assert not s.is_offline

"""Time filters follow the user's zone across both DST transitions, in three zones on both hemispheres.

``now`` is built the way the app builds it (``datetime.now().astimezone()``):
a fixed UTC offset.  The ranges must still use each date's own offset.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.retrieve.timeparse import parse_time_expression
from core.retrieve.zone import zoned

# (zone, the day its clocks change) — both transitions of 2026 in each zone.
TRANSITIONS = [
    ("Europe/Berlin", date(2026, 3, 29)), ("Europe/Berlin", date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8)), ("America/New_York", date(2026, 11, 1)),
    ("Australia/Sydney", date(2026, 4, 5)), ("Australia/Sydney", date(2026, 10, 4)),
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


@pytest.fixture()
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Sets the process's TZ for one test (as the user's system would) and restores it afterwards."""
    yield
    monkeypatch.undo()
    _reload_zone()


def _reload_zone() -> None:
    import tzlocal

    time.tzset()
    tzlocal.reload_localzone()


def _as_the_app_sees_now(monkeypatch: pytest.MonkeyPatch, zone: str, wall: datetime) -> datetime:
    monkeypatch.setenv("TZ", zone)
    _reload_zone()
    fixed = wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).astimezone()  # fixed offset, like datetime.now().astimezone()
    assert not isinstance(fixed.tzinfo, ZoneInfo)
    return fixed


@pytest.mark.parametrize(("zone", "day"), TRANSITIONS)
def test_next_month_starts_at_its_own_offset(monkeypatch: pytest.MonkeyPatch, local_zone: None, zone: str,
                                              day: date) -> None:
    tz = ZoneInfo(zone)
    now = _as_the_app_sees_now(monkeypatch, zone, datetime.combine(day - timedelta(days=2), datetime.min.time()) + timedelta(hours=12))
    month_after = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    # asked two days before the change about the month after it (named with its year: it lies ahead)
    parsed = parse_time_expression(f"in {MONTHS[month_after.month - 1]} {month_after.year}", now)
    assert parsed.range is not None and parsed.range.start is not None and parsed.range.end is not None
    expected = datetime(month_after.year, month_after.month, 1, tzinfo=tz)
    assert parsed.range.start.timestamp() == expected.timestamp()
    assert parsed.range.start.utcoffset() == expected.utcoffset() != now.utcoffset()


@pytest.mark.parametrize(("zone", "day"), TRANSITIONS)
def test_the_day_of_the_change_is_23_or_25_hours(monkeypatch: pytest.MonkeyPatch, local_zone: None, zone: str,
                                                 day: date) -> None:
    tz = ZoneInfo(zone)
    now = _as_the_app_sees_now(monkeypatch, zone, datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(hours=12))
    parsed = parse_time_expression("yesterday", now)
    assert parsed.range is not None and parsed.range.start is not None and parsed.range.end is not None
    assert parsed.range.start.timestamp() == datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()
    hours = (parsed.range.end.timestamp() - parsed.range.start.timestamp()) / 3600
    before = datetime.combine(day, datetime.min.time(), tzinfo=tz).utcoffset()
    after = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz).utcoffset()
    assert before is not None and after is not None
    assert hours == 24 - (after - before).total_seconds() / 3600  # spring: 23, autumn: 25


def test_past_hours_are_elapsed_hours_across_the_change(monkeypatch: pytest.MonkeyPatch, local_zone: None) -> None:
    now = _as_the_app_sees_now(monkeypatch, "Europe/Berlin", datetime(2026, 3, 29, 4, 0))  # 02:00–03:00 never happened
    parsed = parse_time_expression("in the past 2 hours", now)
    assert parsed.range is not None and parsed.range.start is not None
    assert now.timestamp() - parsed.range.start.timestamp() == 2 * 3600


def test_an_explicit_zone_wins_and_a_foreign_fixed_offset_is_kept(monkeypatch: pytest.MonkeyPatch,
                                                                  local_zone: None) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    _reload_zone()
    utc_now = datetime(2026, 3, 15, 12, tzinfo=UTC)
    assert zoned(utc_now).utcoffset() == timedelta(0)  # not the local zone's offset: left alone
    assert zoned(utc_now, ZoneInfo("Asia/Tokyo")).utcoffset() == timedelta(hours=9)


def test_search_in_april_keeps_the_first_half_hour_and_drops_may(monkeypatch: pytest.MonkeyPatch, local_zone: None,
                                                                 lexical_vault) -> None:
    from core.retrieve.types import SearchRequest
    from core.types import Record

    berlin = ZoneInfo("Europe/Berlin")
    first_of_april = datetime(2026, 4, 1, 0, 30, tzinfo=berlin)
    first_of_may = datetime(2026, 5, 1, 0, 30, tzinfo=berlin)
    lexical_vault.ingest([
        Record(source="chat:jsonl", external_id=ext, kind="message", timestamp=ts, text="the rota for the allotment",
               conversation="garden", speaker="Ana")
        for ext, ts in (("april", first_of_april), ("may", first_of_may))
    ])
    now = _as_the_app_sees_now(monkeypatch, "Europe/Berlin", datetime(2026, 3, 20, 12, 0))
    result = lexical_vault.search(SearchRequest("allotment rota in April 2026", k=5), now=now)
    assert result.applied_range is not None
    assert [h.external_id for h in result.hits] == ["april"]

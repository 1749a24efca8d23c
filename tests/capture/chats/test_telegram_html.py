"""Telegram Desktop's HTML export: pages in order, joined messages, times with and without offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from core.capture.chats.telegram import TelegramReader
from core.capture.chats.telegram_html import parse_time
from tests.data.chats.variants import _tg_html

from .builders import errors, read_all, records, skips


def test_pages_in_order_joined_sender_and_line_breaks(tmp_path: Path) -> None:
    folder = _tg_html(tmp_path)
    results = read_all(TelegramReader(), folder)
    recs = records(results)
    assert [r.external_id for r in recs] == ["2", "3", "4", "5"]
    assert [r.speaker for r in recs] == ["Ana", "Ben", "Ana", "Ana"]  # message 5 is "joined": no from_name
    assert recs[0].text == "Are we still on for the harbour walk?"
    assert recs[1].text == "Yes, meet at the\nferry terminal"
    assert {r.conversation for r in recs} == {"Walkers"}
    assert recs[0].timestamp == datetime(2024, 3, 14, 18, 0, tzinfo=UTC)
    assert len(skips(results)) == 2 and not errors(results)  # the two date separators


def test_a_single_page_file_is_read_with_its_sibling_pages(tmp_path: Path) -> None:
    folder = _tg_html(tmp_path)
    assert TelegramReader().sniff(folder / "messages.html")
    assert len(records(read_all(TelegramReader(), folder / "messages.html"))) == 4


def test_times_with_and_without_offsets() -> None:
    local = parse_time("20.11.2023 10:15:03", lambda naive: naive.replace(tzinfo=UTC))
    assert local == datetime(2023, 11, 20, 10, 15, 3, tzinfo=UTC)
    east = parse_time("20.11.2023 10:15:03 UTC+05:30", lambda naive: naive.replace(tzinfo=UTC))
    assert east == datetime(2023, 11, 20, 10, 15, 3, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    west = parse_time("20.11.2023 10:15:03 UTC-03:00", lambda naive: naive.replace(tzinfo=UTC))
    assert west is not None and west.utcoffset() == timedelta(hours=-3)
    assert parse_time("yesterday", lambda naive: naive) is None


_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>Exported Data</title></head><body>
<div class="page_wrap"><div class="page_header"><div class="content"><div class="text bold">Walkers</div></div></div>
<div class="page_body chat_page"><div class="history">
<div class="message default clearfix" id="message7"><div class="body">
 <div class="pull_right date details" title="14.03.2024 18:00:00 UTC+00:00">18:00</div>
 <div class="from_name">Ana</div>
 <div class="reply_to details">In reply to <a href="#go_to_message6" onclick="return GoToMessage(6)">this message</a></div>
 <div class="media_wrap clearfix"><a class="photo_wrap clearfix pull_left" href="photos/photo_1@14-03-2024_18-00-00.jpg">
  <img class="photo" src="photos/photo_1@14-03-2024_18-00-00_thumb.jpg"/></a></div>
 <div class="forwarded body"><div class="from_name">Chidi <span class="date details" title="13.03.2024 09:00:00"> 13.03.2024</span></div>
  <div class="text">the tide table &amp; map</div></div>
</div></div>
<div class="message default clearfix" id="message8"><div class="body">
 <div class="from_name">Ben</div><div class="text">no time on this one</div>
</div></div>
</div></div></div></body></html>
"""


def test_media_reply_forward_and_a_message_without_time(tmp_path: Path) -> None:
    (tmp_path / "messages.html").write_text(_PAGE, encoding="utf-8")
    results = read_all(TelegramReader(), tmp_path / "messages.html")
    (rec,) = records(results)
    assert rec.speaker == "Ana" and rec.text == "the tide table & map"
    assert rec.meta["attachments"] == ["photo_1@14-03-2024_18-00-00.jpg"]
    assert rec.meta["forwarded_from"].startswith("Chidi") and rec.meta["reply_to"] == "6"
    assert rec.timestamp == datetime(2024, 3, 14, 18, 0, tzinfo=UTC)  # not the forwarded original's date
    (error,) = errors(results)
    assert error.where.endswith("#message8") and "time" in error.reason

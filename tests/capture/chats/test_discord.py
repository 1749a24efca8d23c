"""DiscordChatExporter JSON: server channels, DMs, replies, edits, attachments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.capture.chats.discord import DiscordReader
from core.errors import ImportFailed

from .builders import DATA, errors, read_all, records, skips

GUILD = DATA / "discord" / "Indie Synth Makers - Projects - eurorack-builds [884000000000000010].json"
DM = DATA / "discord" / "Direct Messages - tomdev [990000000000000077].json"


@pytest.fixture()
def reader() -> DiscordReader:
    return DiscordReader()


def test_server_channel(reader: DiscordReader) -> None:
    results = read_all(reader, GUILD)
    recs = records(results)
    assert errors(results) == []
    assert [s.reason for s in skips(results)] == ["system message", "system message"]  # join, pin
    assert {r.conversation for r in recs} == {"Indie Synth Makers / #eurorack-builds"}
    build = recs[0]
    assert (build.source, build.external_id, build.speaker) == ("chat:discord", "1187000000000000002", "Renata")
    assert build.timestamp == datetime(2023, 12, 20, 18, 5, 44, 870000, tzinfo=timezone(timedelta(hours=1)))
    assert build.timestamp.astimezone(UTC).hour == 17
    assert build.meta["attachments"] == ["vco_front.jpg"]
    assert build.meta["reactions"] == [{"emoji": "🔥", "count": 3}]
    reply = recs[1]
    assert reply.speaker == "Tom (mod)" and reply.meta["reply_to"] == "1187000000000000002"
    edited = recs[2]
    assert edited.meta["edited"] is True and edited.meta["reply_to"] == "1187000000000000003"
    embed = recs[3]
    assert embed.text.startswith("Thonk VCO kit")


def test_direct_messages(reader: DiscordReader) -> None:
    results = read_all(reader, DM)
    recs = records(results)
    assert [r.conversation for r in recs] == ["tomdev", "tomdev"]
    assert recs[1].text == "Sure, pick it up at the makerspace, locker 14, code 5512"
    assert [s.reason for s in skips(results)] == ["system message"]  # the call


def test_folder_of_channel_exports(reader: DiscordReader) -> None:
    recs = records(read_all(reader, GUILD.parent))
    assert {r.conversation for r in recs} == {"tomdev", "Indie Synth Makers / #eurorack-builds"}
    assert len(recs) == 6


def test_truncated_export(reader: DiscordReader, tmp_path: Path) -> None:
    raw = GUILD.read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_bytes(raw[: raw.index(b"Discrete, matched pair")])
    results = read_all(reader, broken)
    assert [r.external_id for r in records(results)] == ["1187000000000000002", "1187000000000000003"]
    (error,) = errors(results)
    assert error.where == "broken.json:messages[3]"


def test_variable_fraction_digits(reader: DiscordReader, tmp_path: Path) -> None:
    text = GUILD.read_text(encoding="utf-8").replace("2023-12-20T18:05:44.870+01:00", "2023-12-20T18:05:44.8700000+01:00")
    path = tmp_path / "seven.json"
    path.write_text(text, encoding="utf-8")
    assert records(read_all(reader, path))[0].timestamp.microsecond == 870000


def test_telegram_given_as_discord(reader: DiscordReader) -> None:
    with pytest.raises(ImportFailed, match="not a DiscordChatExporter"):
        read_all(reader, DATA / "telegram" / "result_full_account.json")

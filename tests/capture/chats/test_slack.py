"""Slack workspace exports: channels, DMs, threads, mentions, blocks, bots."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.capture.chats.slack import SlackReader, parse_ts
from core.errors import ImportFailed
from core.types import Record

from .builders import DATA, errors, read_all, records, skips, zip_dir

EXPORT = DATA / "slack" / "acme-export"


@pytest.fixture()
def reader() -> SlackReader:
    return SlackReader()


@pytest.fixture()
def export_zip(tmp_path: Path) -> Path:
    return zip_dir(EXPORT, tmp_path / "Acme Slack export Dec 4 2023 - Dec 6 2023.zip")


def find(recs: list[Record], fragment: str) -> Record:
    (hit,) = [r for r in recs if fragment in r.text]
    return hit


def test_workspace_zip(reader: SlackReader, export_zip: Path) -> None:
    results = read_all(reader, export_zip)
    recs = records(results)
    assert errors(results) == []
    assert sorted(s.reason for s in skips(results)) == ["deleted message", "system message"]
    assert {r.conversation for r in recs} == {"#general", "#release-train", "Dana Whitfield, Omar Haddad"}
    parent = find(recs, "Q1 offsite")
    assert parent.source == "chat:slack"
    assert parent.speaker == "Dana Whitfield"
    assert parent.external_id == "C01GENERAL:1701709320.000200"
    assert parent.timestamp == datetime(2023, 12, 4, 17, 2, 0, 200, tzinfo=UTC)
    assert "@Omar Haddad is booking the venue & hotel" in parent.text  # mention resolved, &amp; decoded
    assert parent.meta["reactions"] == [{"emoji": "tada", "count": 2, "users": ["Omar Haddad", "Li Wei"]}]


def test_threads_and_deleted_parent(reader: SlackReader, export_zip: Path) -> None:
    recs = records(read_all(reader, export_zip))
    reply = find(recs, "Venue shortlist")
    assert reply.meta["reply_to"] == "C01GENERAL:1701709320.000200"
    assert reply.meta["thread_ts"] == "1701709320.000200"
    assert reply.text == "Venue shortlist is in this doc (https://docs.example.com/offsite), vote by Friday"
    edited = find(recs, "release-train folks")
    assert edited.meta["edited"] is True and "#release-train" in edited.text
    assert edited.speaker == "Li Wei"  # a deactivated user still has a name
    orphan = find(recs, "budget cap")
    assert orphan.meta["parent_deleted"] is True
    assert orphan.meta["reply_to"] == "C01GENERAL:1701714600.000300"


def test_blocks_files_bots_and_dms(reader: SlackReader, export_zip: Path) -> None:
    recs = records(read_all(reader, export_zip))
    agenda = find(recs, "Offsite agenda")
    assert agenda.text == "Offsite agenda draft:\n- Day 1: roadmap review\n- Day 2: hackathon with @Li Wei"
    upload = find(recs, "porto-venues.pdf")
    assert upload.meta["attachments"] == ["porto-venues.pdf"]
    bot = find(recs, "Deploy v2.14.0")
    assert bot.speaker == "deploybot" and bot.meta["bot"] is True
    here = find(recs, "is out")
    assert here.text.startswith("@here v2.14.0 is out")
    dm = find(recs, "PRT-88213")
    assert dm.conversation == "Dana Whitfield, Omar Haddad" and dm.speaker == "Omar Haddad"


def test_folder_reads_like_the_zip(reader: SlackReader, export_zip: Path) -> None:
    a = [(r.external_id, r.text) for r in records(read_all(reader, export_zip))]
    b = [(r.external_id, r.text) for r in records(read_all(reader, EXPORT))]
    assert a == b and len(a) == 10


def test_export_zipped_inside_a_folder(reader: SlackReader, tmp_path: Path) -> None:
    archive = zip_dir(EXPORT, tmp_path / "nested.zip", "Acme Slack export/")
    assert len(records(read_all(reader, archive))) == 10


def test_truncated_day_file_reports_and_continues(reader: SlackReader, tmp_path: Path) -> None:
    copy = tmp_path / "export"
    shutil.copytree(EXPORT, copy)
    day = copy / "general" / "2023-12-04.json"
    raw = day.read_bytes()
    day.write_bytes(raw[: raw.index(b"Answering anyway")])
    results = read_all(reader, copy)
    (error,) = errors(results)
    assert error.where == "general/2023-12-04.json:5"
    assert any("Offsite agenda" in r.text for r in records(results))  # the next day file still imported
    assert any("Q1 offsite" in r.text for r in records(results))  # records before the break kept


def test_unknown_user_falls_back_to_profile(reader: SlackReader, tmp_path: Path) -> None:
    copy = tmp_path / "export"
    shutil.copytree(EXPORT, copy)
    (copy / "users.json").write_text("[]", encoding="utf-8")
    recs = records(read_all(reader, copy))
    assert find(recs, "Q1 offsite").speaker == "Dana Whitfield"  # from the message's user_profile


def test_parse_ts_is_exact() -> None:
    assert parse_ts("1704053703.000200") == datetime(2023, 12, 31, 20, 15, 3, 200, tzinfo=UTC)
    assert parse_ts("1704053703.000200") == datetime.fromtimestamp(1704053703, UTC).replace(microsecond=200)
    assert parse_ts("garbage") is None


def test_whatsapp_text_given_as_slack(reader: SlackReader) -> None:
    with pytest.raises(ImportFailed) as info:
        read_all(reader, DATA / "whatsapp" / "WhatsApp Chat with Priya Shah.txt")
    assert "not a Slack workspace export" in str(info.value)


def test_json_given_as_slack(reader: SlackReader, tmp_path: Path) -> None:
    path = tmp_path / "general.json"
    path.write_text(json.dumps([{"type": "message", "ts": "1.0", "text": "x"}]), encoding="utf-8")
    with pytest.raises(ImportFailed, match="not a Slack"):
        read_all(reader, path)

"""Facebook Messenger / Instagram exports: mojibake repair, threads, ids."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.capture.chats._common import fix_mojibake
from core.capture.chats.messenger import MessengerReader
from core.errors import ImportFailed

from .builders import DATA, errors, read_all, records, skips, zip_dir

FB = DATA / "messenger" / "facebook-mira"
THREAD = FB / "your_facebook_activity/messages/inbox/jonasweber_10158123456789012"
IG = DATA / "messenger" / "instagram-mira"


@pytest.fixture()
def reader() -> MessengerReader:
    return MessengerReader()


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("Caf\u00c3\u00a9", "Café"),
        ("\u00e2\u0098\u0095 coffee", "☕ coffee"),
        ("Zo\u00c3\u00ab \u00c3\u0085ngstr\u00c3\u00b6m", "Zoë Ångström"),
        ("\u00f0\u009f\u00a7\u0097", "🧗"),
    ],
)
def test_mojibake_is_repaired(raw: str, fixed: str) -> None:
    assert fix_mojibake(raw) == fixed


@pytest.mark.parametrize(
    "correct",
    ["Café", "naïve façade", "plain ascii", "Zoë 🧗", "Ã is a letter too", "München – Öffnungszeiten", "£5 ©2024", ""],
)
def test_correct_text_is_left_alone(correct: str) -> None:
    assert fix_mojibake(correct) == correct


def test_export_folder(reader: MessengerReader) -> None:
    results = read_all(reader, FB)
    recs = records(results)
    assert errors(results) == []
    assert sorted(s.reason for s in skips(results)) == ["deleted message", "system message", "system message"]
    jonas = [r for r in recs if r.conversation == "Jonas Weber"]
    assert jonas[0].text == "Gute Nacht! Bis Samstag am Café Zeitgeist ☕"
    assert jonas[0].speaker == "Jonas Weber" and jonas[0].source == "chat:messenger"
    assert jonas[0].timestamp == datetime(2023, 12, 28, 19, 15, 31, tzinfo=UTC)
    photo = next(r for r in jonas if r.meta.get("attachments"))
    assert photo.text == "[photo: 412345678901234567_n.jpg]" and photo.speaker == "Mira Novak"
    share = next(r for r in jonas if r.meta.get("share_link"))
    assert share.text.startswith("Schau mal, die Öffnungszeiten:")
    older = next(r for r in jonas if "Frühstück" in r.text)  # from message_2.json
    assert older.meta["reactions"] == [{"emoji": "❤", "actor": "Jonas Weber"}]
    group = [r for r in recs if r.conversation == "Kletter-Crew 🧗"]
    assert [r.speaker for r in group] == ["Zoë Ångström"]


def test_instagram_zip(reader: MessengerReader, tmp_path: Path) -> None:
    results = read_all(reader, zip_dir(IG, tmp_path / "instagram.zip"))
    recs = records(results)
    assert [s.reason for s in skips(results)] == ["reaction"]
    assert {r.meta["platform"] for r in recs} == {"instagram"}
    assert recs[0].text.endswith("https://www.instagram.com/reel/C1abcDEFghi/")
    assert "Sauna etiquette" in recs[0].text


def test_single_file_uses_the_title_written_after_the_messages(reader: MessengerReader) -> None:
    recs = records(read_all(reader, THREAD / "message_2.json"))
    assert {r.conversation for r in recs} == {"Jonas Weber"}


def test_ids_match_between_file_folder_and_zip(reader: MessengerReader, tmp_path: Path) -> None:
    from_folder = {r.external_id: r.text for r in records(read_all(reader, FB))}
    from_file = {r.external_id: r.text for r in records(read_all(reader, THREAD / "message_2.json"))}
    from_zip = {r.external_id: r.text for r in records(read_all(reader, zip_dir(FB, tmp_path / "fb.zip")))}
    assert from_file.items() <= from_folder.items()
    assert from_zip == from_folder
    assert len(from_folder) == 6


def test_reexport_with_more_messages_and_an_edit(reader: MessengerReader, tmp_path: Path) -> None:
    copy = tmp_path / "later"
    shutil.copytree(FB, copy)
    path = copy / THREAD.relative_to(FB) / "message_1.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["messages"][0]["content"] = "Gute Nacht! Bis Sonntag!"  # (Meta strings stay as written)
    data["messages"].insert(0, {"sender_name": "Mira Novak", "timestamp_ms": data["messages"][0]["timestamp_ms"] + 60_000,
                                "content": "Schlaf gut", "is_geoblocked_for_viewer": False})
    path.write_text(json.dumps(data), encoding="utf-8")
    before = {r.external_id: r.text for r in records(read_all(reader, FB))}
    after = {r.external_id: r.text for r in records(read_all(reader, copy))}
    assert set(before) < set(after) and len(after) == len(before) + 1
    changed = [k for k in before if before[k] != after[k]]
    assert len(changed) == 1 and after[changed[0]] == "Gute Nacht! Bis Sonntag!"


def test_secure_storage_format(reader: MessengerReader) -> None:
    recs = records(read_all(reader, DATA / "messenger" / "secure-storage" / "Jonas Weber.json"))
    assert [r.speaker for r in recs] == ["Jonas Weber", "Mira Novak"]
    assert recs[1].meta["attachments"] == ["1704456060000_ticket.pdf"]
    assert recs[1].meta["reactions"] == [{"emoji": "👍", "actor": "Jonas Weber"}]


def test_truncated_thread_file(reader: MessengerReader, tmp_path: Path) -> None:
    raw = (THREAD / "message_1.json").read_bytes()
    broken = tmp_path / "message_1.json"
    broken.write_bytes(raw[: raw.index(b"Schau mal")])
    results = read_all(reader, broken)
    assert len(records(results)) == 2  # good night + photo; the unsent one is a skip
    (error,) = errors(results)
    assert error.where == "message_1.json:3"
    assert {r.conversation for r in records(results)} == {"Messenger chat"}  # the title was cut off


def test_discord_given_as_messenger(reader: MessengerReader) -> None:
    with pytest.raises(ImportFailed, match="not a Messenger"):
        read_all(reader, next((DATA / "discord").glob("*.json")))

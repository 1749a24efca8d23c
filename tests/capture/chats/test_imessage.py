"""Apple Messages chat.db: read-only access, attributedBody, Apple epoch, tapbacks."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.capture.chats.imessage import IMessageReader, apple_time, decode_attributed_body
from core.errors import ImportFailed

from .builders import errors, read_all, records, skips
from .imessage_fixture import apple_ns, apple_seconds, attributed_body, build_sample


@pytest.fixture()
def reader() -> IMessageReader:
    return IMessageReader()


@pytest.fixture()
def chat_db(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "chat.db"
    return path, build_sample(path)


@pytest.mark.parametrize("text", ["Hi", "x" * 127, "y" * 128, "Grüße aus München 🏔️ " * 20, "z" * 40_000])
def test_attributed_body_round_trip(text: str) -> None:
    assert decode_attributed_body(attributed_body(text)) == text


def test_attributed_body_known_blob() -> None:
    # A one-run NSAttributedString as Messages stores it, written out byte by byte.
    blob = bytes.fromhex(
        "040b73747265616d747970656481e803840140848484124e5341747472696275746564537472696e6700"
        "8484084e534f626a656374008592848484084e53537472696e67019484012b0c4f6e206d7920776179202120"
        "86840269490112928484840c4e5344696374696f6e617279009484016901"
    )
    assert decode_attributed_body(blob) == "On my way ! "
    assert decode_attributed_body(b"") is None
    assert decode_attributed_body(b"streamtyped but no string") is None


def test_apple_epoch_seconds_and_nanoseconds() -> None:
    moment = datetime(2024, 1, 14, 17, 2, 11, tzinfo=UTC)
    assert apple_time(apple_ns(moment)) == moment
    assert apple_time(apple_seconds(moment)) == moment
    assert apple_time(0) == datetime(2001, 1, 1, tzinfo=UTC)


def test_messages(reader: IMessageReader, chat_db: tuple[Path, dict[str, str]]) -> None:
    path, guids = chat_db
    results = read_all(reader, path)
    recs = records(results)
    assert errors(results) == []
    assert sorted(s.reason for s in skips(results)) == ["deleted message", "reaction", "system message"]
    by_id = {r.external_id: r for r in recs}
    question = by_id[guids["q"]]
    assert question.source == "chat:imessage" and question.speaker == "+14155550123"
    assert question.conversation == "+14155550123"
    assert question.timestamp == datetime(2024, 1, 14, 17, 2, 11, tzinfo=UTC)
    answer = by_id[guids["a"]]  # text column NULL: decoded from attributedBody
    assert answer.text == "Yes, they're in the blue envelope. Door code is 4417" and answer.speaker == "me"
    assert answer.meta["reactions"] == [{"emoji": "❤️", "actor": "+14155550123"}]
    photo = by_id[guids["photo"]]
    assert photo.text == "[attachment: IMG_4821.HEIC]" and photo.meta["attachments"] == ["IMG_4821.HEIC"]
    assert by_id[guids["edited"]].meta["edited"] is True
    reply = by_id[guids["reply"]]
    assert reply.conversation == "Tahoe Trip 🏔️" and reply.meta["reply_to"] == guids["group1"]
    assert by_id[guids["group1"]].text == "Snow chains are in the trunk ❄️"
    assert by_id[guids["long"]].text.startswith("Packing list: item 0") and len(by_id[guids["long"]].text) > 128
    old = by_id[guids["old"]]
    assert old.timestamp == datetime(2016, 6, 1, 12, 0, tzinfo=UTC)  # seconds-based date
    assert old.conversation == "+14155550123, +442079460000"  # unnamed group: its members


def test_database_is_not_modified(reader: IMessageReader, chat_db: tuple[Path, dict[str, str]]) -> None:
    path, _ = chat_db
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    files_before = sorted(p.name for p in path.parent.iterdir())
    read_all(reader, path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in path.parent.iterdir()) == files_before  # no journal or WAL left behind


def test_old_schema_without_newer_columns(reader: IMessageReader, tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, service TEXT);
        CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, chat_identifier TEXT, display_name TEXT);
        CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, text TEXT, handle_id INTEGER,
                              date INTEGER, is_from_me INTEGER);
        CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER);
        INSERT INTO handle VALUES (1, 'friend@example.com', 'iMessage');
        INSERT INTO chat VALUES (1, 'iMessage;-;friend@example.com', 'friend@example.com', '');
        INSERT INTO message VALUES (1, 'G-1', 'Lunch on Friday?', 1, 400000000, 0);
        INSERT INTO chat_message_join VALUES (1, 1);
        """
    )
    conn.commit()
    conn.close()
    (rec,) = records(read_all(reader, path))
    assert rec.text == "Lunch on Friday?" and rec.speaker == "friend@example.com"
    assert rec.timestamp == datetime(2013, 9, 4, 15, 6, 40, tzinfo=UTC)


def test_other_sqlite_database_is_refused(reader: IMessageReader, tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()
    assert not reader.sniff(path)
    with pytest.raises(ImportFailed, match="not Apple Messages"):
        read_all(reader, path)


def test_text_file_given_as_imessage(reader: IMessageReader) -> None:
    from .builders import DATA

    with pytest.raises(ImportFailed, match="not an Apple Messages database"):
        read_all(reader, DATA / "whatsapp" / "WhatsApp Chat with Priya Shah.txt")


def test_messages_still_in_the_wal_are_read(reader: IMessageReader, tmp_path: Path) -> None:
    """Messages keeps chat.db in WAL mode: a copy of the three files must read completely."""
    import shutil

    live = tmp_path / "live"
    live.mkdir()
    build_sample(live / "chat.db")
    writer = sqlite3.connect(live / "chat.db")
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "INSERT INTO message (guid, text, handle_id, date, is_from_me) VALUES ('WAL-1', 'Just landed in Reno', 1, ?, 0)",
        (apple_ns(datetime(2024, 2, 1, 9, 30, tzinfo=UTC)),),
    )
    writer.execute("INSERT INTO chat_message_join VALUES (1, last_insert_rowid(), 0)")
    writer.commit()
    copy = tmp_path / "copy"
    copy.mkdir()
    for part in live.iterdir():
        shutil.copy2(part, copy / part.name)
    writer.close()
    assert (copy / "chat.db-wal").stat().st_size > 0
    results = read_all(reader, copy / "chat.db")
    assert errors(results) == []
    assert [r.text for r in records(results) if r.external_id == "WAL-1"] == ["Just landed in Reno"]

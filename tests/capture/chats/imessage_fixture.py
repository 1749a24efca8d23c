"""Builds a realistic Apple Messages ``chat.db`` for tests and the benchmark.

The tables and columns are those of macOS 13/14 ``~/Library/Messages/chat.db``
(the subset a reader can touch, with the same names, types and defaults);
``attributedBody`` blobs are NSArchiver typedstreams laid out byte for byte
like the ones Messages writes for an NSAttributedString with one text run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
  service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
  state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT,
  account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT,
  group_id TEXT, is_filtered INTEGER DEFAULT 0, successful_query INTEGER, engram_id TEXT,
  server_change_token TEXT, ck_sync_state INTEGER DEFAULT 0, original_group_id TEXT,
  last_read_message_timestamp INTEGER DEFAULT 0, cloudkit_record_id TEXT, last_addressed_sim_id TEXT,
  is_blackholed INTEGER DEFAULT 0, syndication_date INTEGER DEFAULT 0, syndication_type INTEGER DEFAULT 0,
  is_recovered INTEGER DEFAULT 0, is_deleting_incoming_messages INTEGER DEFAULT 0);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
  replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT,
  attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service TEXT, account TEXT,
  account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER,
  is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0,
  is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0,
  is_auto_reply INTEGER DEFAULT 0, is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0,
  is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0, has_dd_results INTEGER DEFAULT 0,
  is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0, was_downgraded INTEGER DEFAULT 0,
  is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, cache_roomnames TEXT,
  was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0,
  is_played INTEGER DEFAULT 0, date_played INTEGER, item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0,
  group_title TEXT, group_action_type INTEGER DEFAULT 0, share_status INTEGER DEFAULT 0,
  share_direction INTEGER DEFAULT 0, is_expirable INTEGER DEFAULT 0, expire_state INTEGER DEFAULT 0,
  message_action_type INTEGER DEFAULT 0, message_source INTEGER DEFAULT 0, associated_message_guid TEXT,
  associated_message_type INTEGER DEFAULT 0, balloon_bundle_id TEXT, payload_data BLOB,
  expressive_send_style_id TEXT, associated_message_range_location INTEGER DEFAULT 0,
  associated_message_range_length INTEGER DEFAULT 0, time_expressive_send_played INTEGER,
  message_summary_info BLOB, ck_sync_state INTEGER DEFAULT 0, ck_record_id TEXT, ck_record_change_tag TEXT,
  destination_caller_id TEXT, is_corrupt INTEGER DEFAULT 0, reply_to_guid TEXT, sort_id INTEGER,
  is_spam INTEGER DEFAULT 0, has_unseen_mention INTEGER DEFAULT 0, thread_originator_guid TEXT,
  thread_originator_part TEXT, syndication_ranges TEXT, synced_syndication_ranges TEXT,
  was_delivered_quietly INTEGER DEFAULT 0, did_notify_recipient INTEGER DEFAULT 0,
  date_retracted INTEGER DEFAULT 0, date_edited INTEGER DEFAULT 0, was_detonated INTEGER DEFAULT 0,
  part_count INTEGER, is_stewie INTEGER DEFAULT 0, is_kt_verified INTEGER DEFAULT 0, is_sos INTEGER DEFAULT 0,
  is_critical INTEGER DEFAULT 0, bia_reference_id TEXT DEFAULT NULL, fallback_hash TEXT DEFAULT NULL,
  associated_message_emoji TEXT DEFAULT NULL);
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0,
  PRIMARY KEY (chat_id, message_id));
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT,
  transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0, user_info BLOB, transfer_name TEXT,
  total_bytes INTEGER DEFAULT 0, is_sticker INTEGER DEFAULT 0, sticker_user_info BLOB,
  attribution_info BLOB, hide_attachment INTEGER DEFAULT 0, ck_sync_state INTEGER DEFAULT 0,
  ck_server_change_token_blob BLOB, ck_record_id TEXT, original_guid TEXT UNIQUE NOT NULL,
  is_commsafety_sensitive INTEGER DEFAULT 0);
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE,
  attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id));
CREATE TABLE deleted_messages (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, guid TEXT NOT NULL);
CREATE INDEX message_idx_handle ON message(handle_id, date);
CREATE INDEX chat_message_join_idx_message_id_only ON chat_message_join(message_id);
"""

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)

# Everything around the string in a one-run NSAttributedString typedstream.
_PREFIX = bytes.fromhex(
    "040b73747265616d747970656481e803840140848484124e5341747472696275746564537472696e67"
    "008484084e534f626a6563740085928484840"
    "84e53537472696e6701948401"
) + b"+"
_RUN_HEAD = bytes.fromhex("868402694901")  # end of the NSString; an "iI" pair: run start 1, run length
_SUFFIX = bytes.fromhex(
    "92848484"
    "0c4e5344696374696f6e617279009484016901928496961d5f5f6b494d4d657373616765506172744174747269627574654e616d65"
    "86928484840" "84e534e756d626572008484074e5356616c7565009484012a84999900868686"
)


def typedstream_int(value: int) -> bytes:
    """A typedstream integer: one signed byte, or 0x81 + int16 LE, or 0x82 + int32 LE."""
    if 0 <= value <= 127:
        return bytes([value])
    if -32768 <= value <= 32767:
        return b"\x81" + value.to_bytes(2, "little", signed=True)
    return b"\x82" + value.to_bytes(4, "little", signed=True)


def attributed_body(text: str) -> bytes:
    """The ``attributedBody`` blob Messages writes for ``text``."""
    raw = text.encode("utf-8")
    # The attribute run's length counts UTF-16 code units, the string's length UTF-8 bytes.
    run = len(text.encode("utf-16-le")) // 2
    return _PREFIX + typedstream_int(len(raw)) + raw + _RUN_HEAD + typedstream_int(run) + _SUFFIX


def apple_ns(moment: datetime) -> int:
    """Nanoseconds since 2001-01-01 UTC (macOS 10.13+)."""
    delta = moment - APPLE_EPOCH
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def apple_seconds(moment: datetime) -> int:
    """Seconds since 2001-01-01 UTC (older macOS)."""
    return int((moment - APPLE_EPOCH).total_seconds())


@dataclass
class ChatDb:
    """A small builder over a fresh chat.db file."""

    path: Path
    conn: sqlite3.Connection = field(init=False)
    _next_guid: int = field(default=1, init=False)

    def __post_init__(self) -> None:
        self.conn = sqlite3.connect(self.path)
        self.conn.executescript(SCHEMA)
        self.conn.execute("INSERT INTO _SqliteDatabaseProperties VALUES ('counter_in_all', '0')")

    def handle(self, ident: str, service: str = "iMessage") -> int:
        cur = self.conn.execute(
            "INSERT INTO handle (id, country, service, uncanonicalized_id, person_centric_id) VALUES (?,?,?,?,?)",
            (ident, "us", service, ident, None),
        )
        return int(cur.lastrowid or 0)

    def chat(self, identifier: str, handles: list[int], display_name: str = "", group: bool = False) -> int:
        style = 43 if group else 45
        guid = f"iMessage;{'+' if group else '-'};{identifier}"
        cur = self.conn.execute(
            "INSERT INTO chat (guid, style, state, account_id, chat_identifier, service_name, room_name, "
            "display_name, group_id) VALUES (?,?,?,?,?,?,?,?,?)",
            (guid, style, 3, "A1B2C3D4-0000-0000-0000-000000000001", identifier, "iMessage",
             identifier if group else None, display_name, f"GROUP-{identifier}"),
        )
        chat_id = int(cur.lastrowid or 0)
        for h in handles:
            self.conn.execute("INSERT INTO chat_handle_join VALUES (?,?)", (chat_id, h))
        return chat_id

    def new_guid(self) -> str:
        self._next_guid += 1
        return f"5E7A1C2B-9D3F-4A6B-8C1D-{self._next_guid:012X}"

    def message(
        self,
        chat_id: int,
        moment: datetime,
        text: str | None,
        *,
        handle_id: int = 0,
        from_me: bool = False,
        body_only: bool = False,
        seconds: bool = False,
        guid: str | None = None,
        **columns: object,
    ) -> str:
        guid = guid or self.new_guid()
        date = apple_seconds(moment) if seconds else apple_ns(moment)
        values: dict[str, object] = {
            "guid": guid,
            "text": None if body_only else text,
            "attributedBody": attributed_body(text) if text is not None else None,
            "handle_id": handle_id,
            "service": "iMessage",
            "account": "E:mira@example.com",
            "account_guid": "A1B2C3D4-0000-0000-0000-000000000001",
            "date": date,
            "date_read": date + 5 * 10**9 if not seconds else date + 5,
            "date_delivered": date,
            "is_delivered": 1,
            "is_finished": 1,
            "is_from_me": int(from_me),
            "is_sent": int(from_me),
            "is_read": int(not from_me),
            "destination_caller_id": "mira@example.com",
            "part_count": 1,
        }
        values.update(columns)
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(f"INSERT INTO message ({cols}) VALUES ({marks})", tuple(values.values()))
        self.conn.execute("INSERT INTO chat_message_join VALUES (?,?,?)", (chat_id, cur.lastrowid, date))
        return guid

    def attach(self, message_guid: str, transfer_name: str, mime: str = "image/jpeg") -> None:
        (msg_id,) = self.conn.execute("SELECT ROWID FROM message WHERE guid = ?", (message_guid,)).fetchone()
        guid = self.new_guid()
        cur = self.conn.execute(
            "INSERT INTO attachment (guid, filename, uti, mime_type, transfer_state, transfer_name, total_bytes, "
            "original_guid) VALUES (?,?,?,?,?,?,?,?)",
            (guid, f"~/Library/Messages/Attachments/0a/10/{guid}/{transfer_name}", "public.jpeg", mime, 5,
             transfer_name, 48213, guid),
        )
        self.conn.execute("INSERT INTO message_attachment_join VALUES (?,?)", (msg_id, cur.lastrowid))
        self.conn.execute("UPDATE message SET cache_has_attachments = 1 WHERE ROWID = ?", (msg_id,))

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()


def build_sample(path: Path) -> dict[str, str]:
    """The sample conversation the tests check; returns the guids by role."""
    db = ChatDb(path)
    priya = db.handle("+14155550123")
    sam = db.handle("sam.carter@example.com")
    tom = db.handle("+442079460000", service="SMS")
    one = db.chat("+14155550123", [priya])
    group = db.chat("chat638112043219", [priya, sam], display_name="Tahoe Trip 🏔️", group=True)
    unnamed = db.chat("chat99887766", [priya, tom], group=True)
    t = lambda s: datetime.fromisoformat(s).replace(tzinfo=UTC)  # noqa: E731
    g: dict[str, str] = {}
    g["q"] = db.message(one, t("2024-01-14T17:02:11"), "Did you get the cabin keys from Marco?", handle_id=priya)
    g["a"] = db.message(one, t("2024-01-14T17:05:40"), "Yes, they're in the blue envelope. Door code is 4417",
                        from_me=True, body_only=True)
    db.message(one, t("2024-01-14T17:06:02"), "Loved “Yes, they're in the blue envelope. Door code is 4417”",
               handle_id=priya, associated_message_type=2000, associated_message_guid=f"p:0/{g['a']}")
    g["photo"] = db.message(one, t("2024-01-14T17:10:00"), "\ufffc", handle_id=priya)
    db.attach(g["photo"], "IMG_4821.HEIC", "image/heic")
    g["edited"] = db.message(one, t("2024-01-14T17:12:30"), "Leaving at 7:30 tomorrow, not 8", from_me=True,
                             date_edited=apple_ns(t("2024-01-14T17:13:00")))
    db.message(one, t("2024-01-14T17:13:30"), None, from_me=True, date_retracted=apple_ns(t("2024-01-14T17:14:00")))
    g["group1"] = db.message(group, t("2024-01-15T08:00:00"), "Snow chains are in the trunk ❄️", handle_id=sam,
                             body_only=True)
    g["reply"] = db.message(group, t("2024-01-15T08:02:10"), "Perfect, I'll grab coffee at Alpine Bakery",
                            handle_id=priya, thread_originator_guid=g["group1"], thread_originator_part="0:0:33")
    db.message(group, t("2024-01-15T08:03:00"), None, handle_id=sam, item_type=2, group_title="Tahoe Trip 🏔️")
    long_text = "Packing list: " + ", ".join(f"item {i}" for i in range(40))
    g["long"] = db.message(group, t("2024-01-15T08:05:00"), long_text, from_me=True, body_only=True)
    g["old"] = db.message(unnamed, t("2016-06-01T12:00:00"), "Old SMS from before High Sierra", handle_id=tom,
                          seconds=True, service="SMS")
    db.close()
    return g

"""Sample exports for the chat-reader tests and ``bench/chat_formats.py``.

``sample_paths`` turns the hand-written samples under ``tests/data/chats`` into
the inputs users actually have (zips are built here, in a temp dir, so the
repository holds no binary archives).  ``generate`` writes a large synthetic
export of any format *streaming*, so a 300 MB export never sits in memory.
"""

from __future__ import annotations

import json
import random
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from core.capture.chats.reader import ImportOptions
from core.types import Record, RecordError, RecordNote, RecordSkip

from .imessage_fixture import SCHEMA, apple_ns, attributed_body, build_sample

DATA = Path(__file__).resolve().parents[2] / "data" / "chats"

FORMATS = ("whatsapp", "telegram", "slack", "discord", "chatgpt", "messenger", "imessage")


def zip_dir(src: Path, dest: Path, prefix: str = "") -> Path:
    """Zip every file under ``src`` (names relative to it, under ``prefix``)."""
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(src.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(src).as_posix())
    return dest


def sample_paths(tmp: Path) -> list[tuple[str, Path]]:
    """(expected format, path) for every sample input, zips and chat.db included."""
    wa = DATA / "whatsapp"
    out: list[tuple[str, Path]] = [("whatsapp", p) for p in sorted(wa.glob("*.txt"))]
    out.append(("whatsapp", wa / "WhatsApp Chat - Wandergruppe" / "_chat.txt"))
    out.append(("whatsapp", zip_dir(wa / "WhatsApp Chat - Wandergruppe", tmp / "WhatsApp Chat - Wandergruppe.zip")))
    android_zip = tmp / "WhatsApp Chat with Priya Shah.zip"
    with zipfile.ZipFile(android_zip, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(wa / "WhatsApp Chat with Priya Shah.txt", "WhatsApp Chat with Priya Shah.txt")
        zf.writestr("IMG-20231230-WA0007.jpg", bytes.fromhex("ffd8ffe000104a464946000101ffd9"))
    out.append(("whatsapp", android_zip))
    tg = DATA / "telegram"
    out += [
        ("telegram", tg / "ChatExport_2023-11-20" / "result.json"),
        ("telegram", tg / "ChatExport_2023-11-20"),
        ("telegram", tg / "result_full_account.json"),
        ("telegram", zip_dir(tg / "ChatExport_2023-11-20", tmp / "ChatExport_2023-11-20.zip", "ChatExport_2023-11-20/")),
    ]
    out += [
        ("slack", DATA / "slack" / "acme-export"),
        ("slack", zip_dir(DATA / "slack" / "acme-export", tmp / "Acme Slack export Dec 4 2023 - Dec 6 2023.zip")),
    ]
    out += [("discord", p) for p in sorted((DATA / "discord").glob("*.json"))]
    out.append(("discord", DATA / "discord"))  # a folder of channel exports
    gpt = DATA / "chatgpt" / "export"
    out += [
        ("chatgpt", gpt / "conversations.json"),
        ("chatgpt", gpt),
        ("chatgpt", zip_dir(gpt, tmp / "f3a9c1e2b7d4-2024-03-06-10-11-12.zip")),
    ]
    fb = DATA / "messenger"
    out += [
        ("messenger", fb / "facebook-mira"),
        ("messenger", zip_dir(fb / "facebook-mira", tmp / "facebook-miranovak-2024-01-07-AbCdEf.zip")),
        ("messenger", zip_dir(fb / "instagram-mira", tmp / "instagram-mira.novak-2024-01-07.zip")),
        ("messenger", fb / "secure-storage" / "Jonas Weber.json"),
        (
            "messenger",
            fb / "facebook-mira/your_facebook_activity/messages/inbox/jonasweber_10158123456789012/message_1.json",
        ),
    ]
    chat_db = tmp / "chat.db"
    if not chat_db.exists():
        build_sample(chat_db)
    out.append(("imessage", chat_db))
    return out


def read_all(reader: object, path: Path, **options: str) -> list[Record | RecordError | RecordSkip]:
    return list(reader.read(path, ImportOptions(**options)))  # type: ignore[attr-defined]


def records(results: list[Record | RecordError | RecordSkip]) -> list[Record]:
    return [r for r in results if isinstance(r, Record)]


def errors(results: list[Record | RecordError | RecordSkip]) -> list[RecordError]:
    return [r for r in results if isinstance(r, RecordError)]


def notes(results: list[Record | RecordError | RecordSkip | RecordNote]) -> list[RecordNote]:
    return [r for r in results if isinstance(r, RecordNote)]


def skips(results: list[Record | RecordError | RecordSkip]) -> list[RecordSkip]:
    return [r for r in results if isinstance(r, RecordSkip)]


# ---------------------------------------------------------------------------
# Large synthetic exports (streamed to disk)

_WORDS = ["meet", "trail", "coffee", "tomorrow", "station", "ticket", "budget", "lisbon", "porto", "review", "draft", "keys", "cabin", "snow", "deploy", "release", "offsite", "hotel", "dinner", "train", "flight", "parcel", "invoice", "gym", "climbing", "recipe", "sourdough", "concert", "museum", "passport", "appointment", "doctor", "bike", "repair", "laptop", "charger", "weekend", "birthday", "gift"]
_PEOPLE = ["Priya Shah", "Sam Carter", "Lena Fischer", "Omar Haddad", "Mira Novak", "Jonah Reyes"]
_START = datetime(2022, 1, 13, 8, 0, tzinfo=UTC)


def _texts(n: int, size: int, seed: int = 7, huge: int = 0) -> Iterator[tuple[int, datetime, str, str]]:
    """(index, time, speaker, text) for ``n`` synthetic messages of about ``size`` chars; with ``huge``, the
    second message is ``huge`` characters on one line ("msg1 huge huge …")."""
    rng = random.Random(seed)
    moment = _START
    for i in range(n):
        moment += timedelta(seconds=rng.randint(20, 400))
        words: list[str] = []
        length = 0
        target = max(8, int(rng.gauss(size, size / 3)))
        while length < target:
            w = rng.choice(_WORDS)
            words.append(w)
            length += len(w) + 1
        text = f"msg{i} " + (_huge_text(huge, rng) if huge and i == 1 else " ".join(words))
        yield i, moment, _PEOPLE[i % len(_PEOPLE)], text


def _huge_text(size: int, rng: random.Random) -> str:
    """``size`` characters on one line that deflate like chat text (about 1:8, under every zip-bomb ratio)."""
    pool = [" ".join(rng.choice(_WORDS) + str(rng.randrange(1000)) for _ in range(12)) + " " for _ in range(400)]
    text = "huge huge " + "".join(rng.choice(pool) for _ in range(size // len(pool[0]) + 1))
    return text[:size]


def _json_array(fh: IO[str], items: Iterator[object]) -> None:
    fh.write("[\n")
    first = True
    for item in items:
        if not first:
            fh.write(",\n")
        fh.write(json.dumps(item, ensure_ascii=False))
        first = False
    fh.write("\n]")


def gen_whatsapp(dest: Path, n: int, size: int = 120, huge: int = 0) -> Path:
    path = dest / "WhatsApp Chat with Bench Group.txt"
    with path.open("w", encoding="utf-8") as fh:
        for i, moment, who, text in _texts(n, size, huge=huge):
            hour = moment.hour % 12 or 12
            ampm = "AM" if moment.hour < 12 else "PM"
            body = text if i % 7 else text.replace(" ", "\n", 2)  # some multi-line messages
            fh.write(f"{moment.month}/{moment.day}/{moment.year % 100:02d}, {hour}:{moment.minute:02d}\u202f{ampm} - {who}: {body}\n")
    return path


def gen_telegram(dest: Path, n: int, size: int = 120, huge: int = 0) -> Path:
    path = dest / "result.json"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{\n "name": "Bench Chat",\n "type": "private_group",\n "id": 777,\n "messages": ')

        def items() -> Iterator[object]:
            for i, moment, who, text in _texts(n, size, huge=huge):
                msg: dict[str, object] = {
                    "id": i + 1,
                    "type": "message",
                    "date": moment.replace(tzinfo=None).isoformat(timespec="seconds"),
                    "date_unixtime": str(int(moment.timestamp())),
                    "from": who,
                    "from_id": f"user{100 + i % 6}",
                    "text": text if i % 5 else ["see ", {"type": "bold", "text": text}],
                    "text_entities": [{"type": "plain", "text": text}],
                }
                if i and i % 11 == 0:
                    msg["reply_to_message_id"] = i
                yield msg

        _json_array(fh, items())
        fh.write("\n}\n")
    return path


def gen_discord(dest: Path, n: int, size: int = 120, huge: int = 0) -> Path:
    path = dest / "Bench Server - general [1].json"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            '{"guild": {"id": "1", "name": "Bench Server", "iconUrl": ""}, '
            '"channel": {"id": "2", "type": "GuildTextChat", "categoryId": "3", "category": "Text", '
            '"name": "general", "topic": null}, "dateRange": {"after": null, "before": null}, '
            '"exportedAt": "2024-01-10T19:22:31.553+01:00", "messages": '
        )

        def items() -> Iterator[object]:
            for i, moment, who, text in _texts(n, size, huge=huge):
                yield {
                    "id": str(1_000_000_000_000_000 + i),
                    "type": "Default",
                    "timestamp": moment.isoformat(timespec="milliseconds"),
                    "timestampEdited": None,
                    "callEndedTimestamp": None,
                    "isPinned": False,
                    "content": text,
                    "author": {"id": str(10 + i % 6), "name": who.lower().replace(" ", "_"), "discriminator": "0000",
                               "nickname": who, "color": None, "isBot": False, "roles": [], "avatarUrl": ""},
                    "attachments": [],
                    "embeds": [],
                    "stickers": [],
                    "reactions": [],
                    "mentions": [],
                }

        _json_array(fh, items())
        fh.write(f', "messageCount": {n}}}\n')
    return path


def gen_chatgpt(dest: Path, n: int, size: int = 120, huge: int = 0, per_conversation: int = 20) -> Path:
    path = dest / "conversations.json"
    with path.open("w", encoding="utf-8") as fh:

        def conversations() -> Iterator[object]:
            batch: list[tuple[int, datetime, str, str]] = []
            for item in _texts(n, size, huge=huge):
                batch.append(item)
                if len(batch) == per_conversation:
                    yield _gpt_conversation(batch)
                    batch = []
            if batch:
                yield _gpt_conversation(batch)

        _json_array(fh, conversations())
    return path


def _gpt_conversation(batch: list[tuple[int, datetime, str, str]]) -> dict[str, object]:
    first = batch[0][0]
    mapping: dict[str, object] = {"root": {"id": "root", "message": None, "parent": None, "children": []}}
    parent = "root"
    for i, moment, _who, text in batch:
        node_id = f"node-{i}"
        role = "user" if i % 2 == 0 else "assistant"
        mapping[node_id] = {
            "id": node_id,
            "message": {"id": node_id, "author": {"role": role, "name": None, "metadata": {}},
                        "create_time": moment.timestamp(), "update_time": None,
                        "content": {"content_type": "text", "parts": [text]}, "status": "finished_successfully",
                        "end_turn": None, "weight": 1.0, "metadata": {}, "recipient": "all"},
            "parent": parent,
            "children": [],
        }
        mapping[parent]["children"].append(node_id)  # type: ignore[index]
        parent = node_id
    return {"title": f"Bench conversation {first}", "create_time": batch[0][1].timestamp(),
            "update_time": batch[-1][1].timestamp(), "mapping": mapping, "moderation_results": [],
            "current_node": parent, "conversation_id": f"conv-{first}", "id": f"conv-{first}"}


def gen_messenger(dest: Path, n: int, size: int = 120, huge: int = 0, per_file: int = 10_000) -> Path:
    """An export folder with one thread split into message_N.json files (newest first)."""
    thread = dest / "your_facebook_activity" / "messages" / "inbox" / "benchgroup_1234567890"
    thread.mkdir(parents=True, exist_ok=True)
    texts = _texts(n, size, huge=huge)
    # Message files hold the newest messages first; generate oldest -> newest per file, write reversed.
    file_count = max(1, -(-n // per_file))
    for idx in range(file_count):
        chunk = [next(texts) for _ in range(min(per_file, n - idx * per_file))]
        number = file_count - idx  # the oldest chunk is the highest number
        with (thread / f"message_{number}.json").open("w", encoding="utf-8") as fh:
            fh.write('{\n  "participants": [{"name": "Priya Shah"}, {"name": "Sam Carter"}],\n  "messages": ')
            _json_array(
                fh,
                (
                    {"sender_name": who.encode().decode("latin-1"), "timestamp_ms": int(moment.timestamp() * 1000),
                     "content": text, "is_geoblocked_for_viewer": False}
                    for _i, moment, who, text in reversed(chunk)
                ),
            )
            fh.write(',\n  "title": "Bench Group",\n  "is_still_participant": true,\n'
                     '  "thread_path": "inbox/benchgroup_1234567890",\n  "magic_words": []\n}\n')
    return dest


def gen_slack(dest: Path, n: int, size: int = 120, huge: int = 0, per_day: int = 2_000) -> Path:
    path = dest / "Bench Slack export.zip"
    users = [{"id": f"U{k:04d}", "name": p.split()[0].lower(), "real_name": p, "profile": {"real_name": p}}
             for k, p in enumerate(_PEOPLE)]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("users.json", json.dumps(users))
        zf.writestr("channels.json", json.dumps([{"id": "C0BENCH", "name": "general", "members": []}]))
        day: list[dict[str, object]] = []
        day_index = 0

        def flush() -> None:
            nonlocal day, day_index
            if day:
                name = (_START + timedelta(days=day_index)).date().isoformat()
                zf.writestr(f"general/{name}.json", json.dumps(day, indent=1))
                day = []
                day_index += 1

        for i, moment, _who, text in _texts(n, size, huge=huge):
            day.append({"type": "message", "user": f"U{i % 6:04d}", "text": f"<@U{(i + 1) % 6:04d}> {text}",
                        "ts": f"{int(moment.timestamp())}.{i % 1_000_000:06d}"})
            if len(day) >= per_day:
                flush()
        flush()
    return path


def gen_imessage(dest: Path, n: int, size: int = 120, huge: int = 0) -> Path:
    path = dest / "chat.db"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.execute("INSERT INTO handle (id, service) VALUES ('+14155550123', 'iMessage')")
    conn.execute("INSERT INTO chat (guid, style, chat_identifier, display_name) VALUES ('iMessage;-;x', 45, '+14155550123', '')")

    def rows() -> Iterator[tuple[object, ...]]:
        for i, moment, _who, text in _texts(n, size, huge=huge):
            body_only = i % 3 == 0
            yield (f"GUID-{i:012d}", None if body_only else text, attributed_body(text), 1, i % 2, apple_ns(moment))

    conn.executemany(
        "INSERT INTO message (guid, text, attributedBody, handle_id, is_from_me, date) VALUES (?,?,?,?,?,?)", rows()
    )
    conn.execute("INSERT INTO chat_message_join (chat_id, message_id, message_date) SELECT 1, ROWID, date FROM message")
    conn.commit()
    conn.close()
    return path


GENERATORS: dict[str, Callable[..., Path]] = {
    "whatsapp": gen_whatsapp,
    "telegram": gen_telegram,
    "slack": gen_slack,
    "discord": gen_discord,
    "chatgpt": gen_chatgpt,
    "messenger": gen_messenger,
    "imessage": gen_imessage,
}


def generate(fmt: str, dest: Path, n: int, size: int = 120, huge: int = 0) -> Path:
    """Write a synthetic ``fmt`` export of ``n`` messages under ``dest`` (the second ``huge`` characters long
    when given); returns the path to import."""
    dest.mkdir(parents=True, exist_ok=True)
    return GENERATORS[fmt](dest, n, size, huge=huge)

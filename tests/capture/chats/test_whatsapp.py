"""WhatsApp .txt/.zip exports: header styles, locales, date order, markers, ids."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.capture.chats.whatsapp import WhatsAppReader
from core.errors import ImportFailed
from core.types import Record

from .builders import DATA, errors, notes, read_all, records, skips, zip_dir

WA = DATA / "whatsapp"
ANDROID = WA / "WhatsApp Chat with Priya Shah.txt"
IOS_DIR = WA / "WhatsApp Chat - Wandergruppe"


@pytest.fixture()
def reader() -> WhatsAppReader:
    return WhatsAppReader()


@pytest.fixture()
def machine_zone() -> Iterator[None]:
    """Run with the process's local zone set to Asia/Tokyo, restored afterwards."""
    import os

    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def by_text(recs: list[Record], fragment: str) -> Record:
    found = [r for r in recs if fragment in r.text]
    assert len(found) == 1, f"{fragment!r}: {len(found)} matches"
    return found[0]


def test_android_12h_export(reader: WhatsAppReader) -> None:
    results = read_all(reader, ANDROID, timezone="America/Los_Angeles")
    recs = records(results)
    assert errors(results) == []
    first = recs[0]
    assert first.source == "chat:whatsapp" and first.kind == "message"
    assert first.conversation == "Priya Shah"
    assert first.speaker == "Priya Shah"
    assert first.text == "Hey! Are we still on for the hike tomorrow?"
    assert first.timestamp == datetime(2023, 12, 30, 21, 2, tzinfo=timezone(timedelta(hours=-8)))
    assert by_text(recs, "Running 10 min").timestamp.hour == 7  # AM
    assert by_text(recs, "Summit!").timestamp.hour == 12  # 12 PM is noon
    packing = by_text(recs, "Packing list")
    assert packing.text == "Perfect. Packing list:\n- rain jacket\n- headlamp\n- trail mix"
    edited = by_text(recs, "parking lot")
    assert edited.meta["edited"] is True and "<This message was edited>" not in edited.text
    photo = by_text(recs, "Trail map")
    assert photo.meta["attachments"] == ["IMG-20231230-WA0007.jpg"]
    assert photo.text == "Trail map from the ranger station"
    omitted = [r for r in recs if r.meta.get("media_omitted")]
    assert len(omitted) == 1 and omitted[0].speaker == "Priya Shah"
    reasons = sorted(s.reason for s in skips(results))
    assert reasons == ["deleted message", "message not available in export", "system message"]
    headers = [ln for ln in ANDROID.read_text(encoding="utf-8").splitlines() if ln[:1].isdigit()]
    assert len(recs) + len(skips(results)) == len(headers) == 13  # every message is accounted for


def test_ios_zip_with_invisible_marks(reader: WhatsAppReader, tmp_path: Path) -> None:
    archive = zip_dir(IOS_DIR, tmp_path / "WhatsApp Chat - Wandergruppe.zip")
    results = read_all(reader, archive, timezone="Europe/Berlin")
    recs = records(results)
    assert errors(results) == []
    assert {r.conversation for r in recs} == {"Wandergruppe"}
    first = recs[0]
    assert first.speaker == "Jonas Weber"
    assert first.timestamp == datetime(2023, 12, 29, 18, 5, 3, tzinfo=timezone(timedelta(hours=1)))
    phone = by_text(recs, "Bin auch dabei")
    assert phone.speaker == "+49 151 2345678"  # U+202A/U+202C and U+200E removed
    assert phone.text == "Bin auch dabei,\nfalls noch ein Platz im Auto frei ist."  # CRLF export
    attached = [r for r in recs if r.meta.get("attachments")]
    assert attached[0].meta["attachments"] == ["00000014-PHOTO-2023-12-29-18-09-15.jpg"]
    assert by_text(recs, "Wettervorhersage").meta["edited"] is True
    assert by_text(recs, "image omitted").meta["media_omitted"] is True
    reasons = [s.reason for s in skips(results)]
    assert reasons.count("system message") == 3 and reasons.count("deleted message") == 1


def test_zip_and_bare_chat_file_give_the_same_messages(reader: WhatsAppReader, tmp_path: Path) -> None:
    archive = zip_dir(IOS_DIR, tmp_path / "WhatsApp Chat - Wandergruppe.zip")
    from_zip = records(read_all(reader, archive, timezone="UTC"))
    from_txt = records(read_all(reader, IOS_DIR / "_chat.txt", timezone="UTC"))
    assert [(r.external_id, r.text, r.conversation) for r in from_zip] == [
        (r.external_id, r.text, r.conversation) for r in from_txt
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Chat de WhatsApp con Lucía Gómez.txt", [(2023, 12, 31, 23, 58), (2023, 12, 31, 23, 59), (2024, 1, 1, 0, 3),
                                                  (2024, 1, 1, 10, 15)]),
        ("WhatsApp Chat with 佐藤 花子.txt", [(2023, 12, 31, 23, 58), (2023, 12, 31, 23, 59), (2024, 1, 1, 0, 5)]),
        ("WhatsApp Chat mit Anna Schmidt.txt", [(2023, 12, 30, 21, 15), (2023, 12, 30, 21, 17), (2023, 12, 30, 21, 17)]),
        # Arabic: Arabic-Indic digits, U+200F marks, the Arabic comma, ص/م for AM/PM.
        ("WhatsApp Chat with Ahmed.txt", [(2023, 12, 31, 23, 58), (2023, 12, 31, 23, 59), (2024, 1, 1, 0, 10)]),
    ],
)
def test_locales(reader: WhatsAppReader, name: str, expected: list[tuple[int, ...]]) -> None:
    results = read_all(reader, WA / name, timezone="UTC")
    assert errors(results) == []
    got = [r.timestamp.timetuple()[:5] for r in records(results)]
    assert got == expected


def test_conversation_names_from_localized_file_names(reader: WhatsAppReader) -> None:
    assert records(read_all(reader, WA / "Chat de WhatsApp con Lucía Gómez.txt"))[0].conversation == "Lucía Gómez"
    assert records(read_all(reader, WA / "WhatsApp Chat mit Anna Schmidt.txt"))[0].conversation == "Anna Schmidt"


def test_machine_zone_is_used_without_timezone_option(reader: WhatsAppReader, machine_zone: None) -> None:
    first = records(read_all(reader, ANDROID))[0]
    assert first.timestamp.utcoffset() == timedelta(hours=9)
    assert first.timestamp.replace(tzinfo=None) == datetime(2023, 12, 30, 21, 2)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_date_order_from_the_whole_file(reader: WhatsAppReader, tmp_path: Path) -> None:
    # Every date fits both orders; only as D/M do they run forward in time.
    lines = ["1/5/24, 10:00 - Ana: a", "2/5/24, 10:00 - Ben: b", "3/5/24, 10:00 - Ana: c", "1/6/24, 10:00 - Ben: d"]
    recs = records(read_all(reader, _write(tmp_path / "WhatsApp Chat with Ana.txt", lines), timezone="UTC"))
    assert [r.timestamp.date().isoformat() for r in recs] == ["2024-05-01", "2024-05-02", "2024-05-03", "2024-06-01"]


def test_a_late_unambiguous_date_decides_for_earlier_lines(reader: WhatsAppReader, tmp_path: Path) -> None:
    lines = [f"1/{d}/24, 9:00 AM - Ana: day {d}" for d in range(2, 13)] + ["1/13/24, 9:00 AM - Ana: day 13"]
    recs = records(read_all(reader, _write(tmp_path / "WhatsApp Chat with Ana.txt", lines), timezone="UTC"))
    assert recs[0].timestamp.date().isoformat() == "2024-01-02"  # M/D, decided by line 12


def test_dotted_dates_default_to_day_first(reader: WhatsAppReader, tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat mit Ana.txt", ["01.02.24, 10:00 - Ana: hallo"])
    assert records(read_all(reader, path, timezone="UTC"))[0].timestamp.date().isoformat() == "2024-02-01"


def test_ambiguous_dates_are_read_with_a_reasoned_guess_and_a_note(
    reader: WhatsAppReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        monkeypatch.delenv(name, raising=False)
    results = read_all(reader, WA / "bad" / "WhatsApp Chat with Ana.txt", timezone="UTC")
    recs = records(results)
    assert len(recs) == 3 and not errors(results)
    assert recs[0].timestamp.date().isoformat() == "2024-02-01"  # 24-hour clock: a day-first phone
    (note,) = notes(results)
    assert "line 1" in note.text and "'01/02/24'" in note.text and "--date-order MDY" in note.text


@pytest.mark.parametrize(
    ("lines", "env", "day"),
    [
        (["01/02/24, 9:00 PM - Ana: a", "01/02/24, 9:05 PM - Ben: b"], {}, "2024-01-02"),  # US phones: 'PM'
        (["01/02/24, 9:00 pm - Ana: a", "01/02/24, 9:05 pm - Ben: b"], {}, "2024-02-01"),  # en_GB/en_IN: 'pm'
        (["01/02/24, 21:00 - Ana: a"], {"LANG": "en_US.UTF-8"}, "2024-01-02"),  # the system locale decides
        (["01/02/24, 21:00 - Ana: a"], {"LC_TIME": "en_AU.UTF-8", "LANG": "en_US.UTF-8"}, "2024-02-01"),
    ],
)
def test_guess_uses_the_time_style_then_the_system_locale(
    reader: WhatsAppReader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    lines: list[str], env: dict[str, str], day: str,
) -> None:
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    results = read_all(reader, _write(tmp_path / "WhatsApp Chat with Ana.txt", lines), timezone="UTC")
    assert records(results)[0].timestamp.date().isoformat() == day
    assert len(notes(results)) == 1


def test_file_name_language_decides_before_the_system_locale(
    reader: WhatsAppReader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    path = _write(tmp_path / "Chat de WhatsApp con Lucía.txt", ["01/02/24, 21:00 - Lucía: hola"])
    results = read_all(reader, path, timezone="UTC")
    assert records(results)[0].timestamp.date().isoformat() == "2024-02-01"
    assert "Spanish" in notes(results)[0].text


def test_redo_with_the_other_order_keeps_the_ids(reader: WhatsAppReader) -> None:
    path = WA / "bad" / "WhatsApp Chat with Ana.txt"
    guessed = records(read_all(reader, path, timezone="UTC"))
    redone = records(read_all(reader, path, timezone="UTC", date_order="MDY"))
    assert [r.external_id for r in guessed] == [r.external_id for r in redone]
    assert guessed[0].timestamp != redone[0].timestamp


@pytest.mark.parametrize(("order", "day"), [("MDY", "2024-01-02"), ("DMY", "2024-02-01"), ("dmy", "2024-02-01")])
def test_date_order_option_wins(reader: WhatsAppReader, order: str, day: str) -> None:
    path = WA / "bad" / "WhatsApp Chat with Ana.txt"
    recs = records(read_all(reader, path, date_order=order, timezone="UTC"))
    assert len(recs) == 3 and recs[0].timestamp.date().isoformat() == day


def test_invalid_date_order_option(reader: WhatsAppReader) -> None:
    with pytest.raises(ImportFailed, match="DMY, MDY or YMD"):
        read_all(reader, ANDROID, date_order="DDMM")


def test_unknown_locale_fails_naming_the_line(reader: WhatsAppReader) -> None:
    with pytest.raises(ImportFailed) as info:
        read_all(reader, WA / "bad" / "WhatsApp Chat with Niran.txt")
    message = str(info.value)
    assert "WhatsApp Chat with Niran.txt:1" in message and "AM/PM" in message and "--date-order" in message


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("31 Dez. 2023, 21:15 - Ana: Hallo", "2023-12-31 21:15:00"),
        ("[4. Mai 2023, 16:13:22] Ana: Hallo", "2023-05-04 16:13:22"),
        ("May 4, 2023, 4:13 PM - Ana: Hallo", "2023-05-04 16:13:00"),
        ("2023/05/04, 16:13. - Ana: Hallo", "2023-05-04 16:13:00"),  # year first, a dot after the time
        ("4.5.2023 klo 16.13.22 - Ana: Hallo", "2023-05-04 16:13:22"),  # Finnish
        ("5/4/23, 3:22_PM - Ana: Hallo", "2023-05-04 15:22:00"),  # an underscore before PM
    ],
)
def test_header_variants(reader: WhatsAppReader, tmp_path: Path, line: str, when: str) -> None:
    results = read_all(reader, _write(tmp_path / "WhatsApp Chat with Ana.txt", [line, "second line"]), timezone="UTC")
    (rec,) = records(results)
    assert rec.timestamp.strftime("%Y-%m-%d %H:%M:%S") == when
    assert rec.speaker == "Ana" and rec.text == "Hallo\nsecond line"


def test_unknown_header_is_a_failure_with_its_line_not_glued(reader: WhatsAppReader, tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat with Ana.txt", [
        "31/12/23, 21:15 - Ana: first",
        "31/12/23 @ 21:16 ~ Ben: an unknown header style",
        "its second line",
        "31/12/23, 21:17 - Ana: third",
    ])
    results = read_all(reader, path, timezone="UTC")
    assert [r.text for r in records(results)] == ["first", "third"]
    (error,) = errors(results)
    assert error.where.endswith(":2") and "1 lines after it" in error.reason


def test_mixed_header_styles_each_get_their_own_order(reader: WhatsAppReader, tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat with Ana.txt", [
        "12/31/23, 9:15 PM - Ana: android, month first",
        "[31.12.23, 21:16:00] Ben: ios, day first",
        "01/13/24, 9:15 AM - Ana: proves month first",
    ])
    recs = records(read_all(reader, path, timezone="UTC"))
    assert [r.timestamp.date().isoformat() for r in recs] == ["2023-12-31", "2023-12-31", "2024-01-13"]


def test_tilde_prefix_of_unknown_contacts_is_dropped(reader: WhatsAppReader, tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat with Group.txt", ["31/12/23, 21:15 - ~\u202fAna Lee: hi"])
    assert records(read_all(reader, path, timezone="UTC"))[0].speaker == "Ana Lee"


def test_dates_impossible_under_the_detected_order_are_reported_per_message(reader: WhatsAppReader) -> None:
    results = read_all(reader, WA / "bad" / "WhatsApp Chat with Conflict.txt", timezone="UTC")
    assert len(records(results)) == 1
    (error,) = errors(results)
    assert error.where.endswith(":2") and "--date-order" in error.reason


def test_ids_are_stable_and_unique(reader: WhatsAppReader) -> None:
    recs = records(read_all(reader, ANDROID, timezone="UTC"))
    ids = [r.external_id for r in recs]
    assert len(set(ids)) == len(ids)  # Sam's two messages at 9:04 PM get different ordinals
    again = [r.external_id for r in records(read_all(reader, ANDROID, timezone="Asia/Tokyo"))]
    assert again == ids  # the id hashes the time as written, not the interpreted instant


def test_overlapping_exports_share_ids(reader: WhatsAppReader, tmp_path: Path) -> None:
    lines = ANDROID.read_text(encoding="utf-8").splitlines()
    (tmp_path / "a").mkdir()
    early = _write(tmp_path / "a" / "WhatsApp Chat with Priya Shah.txt", lines[:9])  # through the packing list
    full = {r.external_id: r.text for r in records(read_all(reader, ANDROID, timezone="UTC"))}
    partial = {r.external_id: r.text for r in records(read_all(reader, early, timezone="UTC"))}
    assert partial and partial.items() <= full.items()


def test_reexport_with_edited_message_keeps_the_id(reader: WhatsAppReader, tmp_path: Path) -> None:
    first = _write(tmp_path / "WhatsApp Chat with Sam.txt", [
        "3/14/24, 6:00 PM - Sam: Dinner at 7?",
        "3/14/24, 6:01 PM - Ana: Let's do 7:30 at Nopa",
        "3/14/24, 6:01 PM - Ana: I'll book",
    ])
    (tmp_path / "later").mkdir()
    second = _write(tmp_path / "later" / "WhatsApp Chat with Sam.txt", [
        "3/14/24, 6:00 PM - Sam: Dinner at 7?",
        "3/14/24, 6:01 PM - Ana: Let's do 8 at Nopa <This message was edited>",
        "3/14/24, 6:01 PM - Ana: I'll book",
        "3/14/24, 6:05 PM - Sam: 👍",
    ])
    old = records(read_all(reader, first, timezone="UTC"))
    new = records(read_all(reader, second, timezone="UTC"))
    assert [r.external_id for r in old] == [r.external_id for r in new[:3]]
    assert new[1].text == "Let's do 8 at Nopa" and new[1].meta["edited"] is True
    assert old[1].text != new[1].text


def test_ten_megabyte_message(reader: WhatsAppReader, tmp_path: Path) -> None:
    body_line = "x" * 99
    path = tmp_path / "WhatsApp Chat with Big.txt"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("12/31/23, 9:15 PM - Ana: start\n")
        for _ in range(100_000):
            fh.write(body_line + "\n")
        fh.write("12/31/23, 9:16 PM - Ben: after the big one\n")
    recs = records(read_all(reader, path, timezone="UTC"))
    assert len(recs) == 2
    # Cut while reading at the message cap (memory stays bounded), and said so; the next message is intact.
    from core.capture.chats._caps import MESSAGE_CAP

    assert MESSAGE_CAP - 100 <= len(recs[0].text) <= MESSAGE_CAP and recs[1].text == "after the big one"
    assert "cut while reading" in recs[0].meta["truncated"]


def test_text_before_the_first_header_is_reported(reader: WhatsAppReader, tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat with Ana.txt", [
        "12/31/23, 9:15 PM - Ana: one", "12/31/23, 9:16 PM - Ben: two",
    ])
    path.write_text("stray first line\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    results = read_all(reader, path, timezone="UTC")
    assert len(records(results)) == 2
    assert [e.where for e in errors(results)] == ["WhatsApp Chat with Ana.txt:1"]


def test_not_a_whatsapp_file(reader: WhatsAppReader) -> None:
    with pytest.raises(ImportFailed, match="not a WhatsApp export"):
        read_all(reader, DATA / "telegram" / "result_full_account.json")


def test_zip_without_chat_text(reader: WhatsAppReader, tmp_path: Path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("IMG-1.jpg", b"\xff\xd8\xff\xd9")
        zf.writestr("notes.txt", "nothing to see")
    with pytest.raises(ImportFailed, match="no WhatsApp chat"):
        read_all(reader, archive)

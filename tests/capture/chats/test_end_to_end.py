"""Each sample export through the real vault: import, search, re-import.

``Vault.import_path(fmt="auto")`` detects the format, the messages land in the
encrypted store and ``search`` finds them with the right speaker, time and
conversation; importing the same export again adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.capture.chats.formats import detect_format
from core.capture.chats.reader import ImportOptions
from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from core.types import Record, RecordError, RecordSkip

from .builders import DATA, zip_dir
from .imessage_fixture import build_sample


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _cases(tmp: Path) -> list[tuple[str, Path, str | None, str, str, str, datetime]]:
    """(format, path, time zone, query, speaker, conversation, UTC time) per sample."""
    wa = DATA / "whatsapp"
    chat_db = tmp / "chat.db"
    build_sample(chat_db)
    return [
        ("whatsapp", wa / "WhatsApp Chat with Priya Shah.txt", "America/Los_Angeles", "Bear Creek trailhead",
         "Sam Carter", "Priya Shah", _t("2023-12-31T05:04:00")),
        ("whatsapp", zip_dir(wa / "WhatsApp Chat - Wandergruppe", tmp / "WhatsApp Chat - Wandergruppe.zip"),
         "Europe/Berlin", "Zugspitze", "Jonas Weber", "Wandergruppe", _t("2023-12-29T17:05:03")),
        ("telegram", DATA / "telegram" / "ChatExport_2023-11-20", None, "TAP departing Friday",
         "Mira Novak", "Alex Petrov", _t("2023-11-04T09:07:40")),
        ("telegram", DATA / "telegram" / "result_full_account.json", None, "passport renewal appointment",
         "Mira Novak", "Saved Messages", _t("2023-10-05T20:30:00")),
        ("slack", zip_dir(DATA / "slack" / "acme-export", tmp / "acme.zip"), None, "hotel confirmation number",
         "Dana Whitfield", "Dana Whitfield, Omar Haddad", _t("2023-12-06T08:00:00.000100")),
        ("discord", next((DATA / "discord").glob("Direct*.json")), None, "borrow your oscilloscope",
         "Renata", "tomdev", _t("2023-12-22T08:30:00")),
        ("chatgpt", zip_dir(DATA / "chatgpt" / "export", tmp / "chatgpt.zip"), None, "acetone smell starter hungry",
         "ChatGPT", "Sourdough starter troubleshooting", _t("2024-02-10T08:00:40.123456")),
        ("messenger", zip_dir(DATA / "messenger" / "facebook-mira", tmp / "facebook.zip"), None,
         "Frühstück Samstag", "Mira Novak", "Jonas Weber", _t("2023-12-27T17:30:12")),
        ("messenger", DATA / "messenger" / "instagram-mira", None, "sauna booked Friday",
         "Kai Lindqvist", "Kai Lindqvist", _t("2024-01-03T20:00:30")),
        ("imessage", chat_db, None, "blue envelope door code", "me", "+14155550123", _t("2024-01-14T17:05:40")),
    ]


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from core.vault import Vault

    home = tmp_path_factory.mktemp("vault")
    v = Vault.create(VaultPaths(home), passphrase="test", use_keyring=False)
    yield v
    v.close()


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path, str | None, str, str, str, datetime]]:
    return _cases(tmp_path_factory.mktemp("exports"))


def test_import_search_reimport(vault: object, cases: list[tuple[str, Path, str | None, str, str, str, datetime]]) -> None:
    for fmt, path, zone, query, speaker, conversation, moment in cases:
        options = ImportOptions(timezone=zone)
        results = list(detect_format(path).read(path, options))
        report = vault.import_path(path, fmt="auto", options=options)  # type: ignore[attr-defined]
        assert report.format == fmt
        # Honest summary: every message imported, skipped with a reason or failed with a reason.
        n_records = sum(isinstance(r, Record) for r in results)
        assert report.imported == n_records, (path, report)
        assert sum(report.skipped.values()) == sum(isinstance(r, RecordSkip) for r in results)
        assert len(report.failed) == sum(isinstance(r, RecordError) for r in results) == 0

        found = vault.search(SearchRequest(query=query, k=5, conversations=(conversation,), parse_time=False))  # type: ignore[attr-defined]
        assert found.hits, (fmt, query)
        top = found.hits[0]
        assert (top.source, top.speaker, top.conversation) == (f"chat:{fmt}", speaker, conversation), (path, top)
        assert top.timestamp == moment, (path, top.timestamp)

        again = vault.import_path(path, fmt="auto", options=options)  # type: ignore[attr-defined]
        assert (again.imported, again.updated) == (0, 0), (path, again)
        assert again.duplicate == n_records


def test_reexport_with_an_edited_message_updates_in_place(vault: object, tmp_path: Path) -> None:
    first = tmp_path / "one" / "WhatsApp Chat with Noor.txt"
    second = tmp_path / "two" / "WhatsApp Chat with Noor.txt"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text("2/3/24, 7:00 PM - Noor: The pottery class is on Thursday\n", encoding="utf-8")
    second.write_text(
        "2/3/24, 7:00 PM - Noor: The pottery class moved to Friday <This message was edited>\n"
        "2/3/24, 7:02 PM - Sam: ok!\n",
        encoding="utf-8",
    )
    options = ImportOptions(timezone="UTC", date_order="MDY")
    assert vault.import_path(first, options=options).imported == 1  # type: ignore[attr-defined]
    report = vault.import_path(second, options=options)  # type: ignore[attr-defined]
    assert (report.imported, report.updated) == (1, 1)
    hits = vault.search(SearchRequest(query="pottery class", k=5, conversations=("Noor",), parse_time=False)).hits  # type: ignore[attr-defined]
    assert len(hits) == 1 and "Friday" in hits[0].text

"""What one reads of a screenshot leaves out its side rail (a mail client's folders, a notes app's list of notes),
found from the OCR word boxes' layout, never from the rail's words; search still finds every word.

Real encrypted vaults; the screens are made up here (their own words, not the demo's): a mail client whose
folder list runs into the message's lines as OCR reads them, and a status page whose table has a narrow
first column (no rail: it keeps every word).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.answer import Answerer
from core.retrieve.types import SearchRequest
from core.types import Record

CHAR = 8  # px a character, as the made-up screen is drawn


def _screen(rows: list[list[tuple[int, str]]]) -> tuple[str, list[list[Any]]]:
    """OCR text and ``meta["words"]`` of a screen drawn as rows of (left x, text) pieces."""
    words: list[list[Any]] = []
    lines = []
    for row, pieces in enumerate(rows):
        top = 8 + 18 * row
        line = []
        for left, text in pieces:
            x = left
            for word in text.split():
                words.append([word, x, top, CHAR * len(word), 12, 96.0])
                line.append(word)
                x += CHAR * (len(word) + 1)
        lines.append(" ".join(line))
    return "\n".join(lines), words


MAIL_TITLE = "Quarterly audit — Calendar — Wrenmail"
MAIL_ROWS = [
    [(8, "Activities Wrenmail"), (520, "09:05")],
    [(470, MAIL_TITLE)],
    [(14, "Mailbox (12)")],
    [(14, "Outbox"), (290, "Quarterly audit: Harrowgate branch")],
    [(14, "Junk")],
    [(14, "Starred"), (290, "When: Tuesday 9 March, 10:00 - 12:00")],
    [(14, "Drafts"), (290, "Venue: Orchard meeting room, level 2")],
    [(14, "Yesterday"), (290, "Auditors: Wilhelmina Okafor, Teodor Varga")],
    [(14, "Older"), (290, "Please send the ledger exports before the audit.")],
]

STATUS_TITLE = "Fleet status — Mozilla Firefox"
STATUS_ROWS = [  # a table whose narrow first column is set apart by a wide gap: not a rail (no line of its own)
    [(8, "Activities Firefox"), (520, "14:10")],
    [(470, STATUS_TITLE)],
    [(300, "Fleet status overview for the northern depot")],
    [(60, "Van"), (300, "Driver"), (600, "Route")],
    [(60, "V-12"), (300, "Quentin Albright"), (600, "Harbour loop")],
    [(60, "V-17"), (300, "Marisol Eberhardt"), (600, "Airport shuttle")],
    [(60, "V-21"), (300, "Odile Fairweather"), (600, "Old town")],
]


def _ingest(vault: Any, external_id: str, title: str, rows: list[list[tuple[int, str]]], hour: int) -> str:
    text, words = _screen(rows)
    vault.ingest([Record(
        source="screen:x11", external_id=external_id, kind="screenshot",
        timestamp=datetime(2026, 3, 2, hour, 5, tzinfo=UTC), text=text, title=title,
        meta={"app": "wrenmail", "window_title": title, "width": 1280, "height": 800, "words": words},
    )], embed=False)
    return text


RAIL = ("Mailbox", "Outbox", "Junk", "Starred", "Drafts", "Yesterday", "Older")


def test_a_mail_clients_folder_list_is_not_read_nor_quoted_but_still_found(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    stored = _ingest(lexical_vault, "frame-mail", MAIL_TITLE, MAIL_ROWS, 9)
    hits = lexical_vault.search(SearchRequest("auditors harrowgate", k=5, parse_time=False)).hits
    assert hits and hits[0].external_id == "frame-mail"
    assert hits[0].snippet.startswith("Quarterly audit: Harrowgate branch"), hits[0].snippet
    assert not any(word in hits[0].snippet for word in RAIL), hits[0].snippet
    assert hits[0].text == stored  # the memory keeps what was captured

    answer = Answerer(lexical_vault, neighbours=lexical_vault.neighbours).answer(
        "Who are the auditors of the Harrowgate audit?", now=datetime(2026, 3, 3, tzinfo=UTC), use_model=False)
    assert "Wilhelmina Okafor" in answer.text, answer.text  # the lines around the matched words
    assert not any(word in answer.text for word in RAIL), answer.text
    assert "Activities" not in answer.text and MAIL_TITLE not in answer.text, answer.text

    found = lexical_vault.search(SearchRequest("starred drafts", k=5, parse_time=False)).hits
    assert found and found[0].external_id == "frame-mail"  # the rail's words are still searchable


def test_a_narrow_first_table_column_is_not_a_rail(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    _ingest(lexical_vault, "frame-status", STATUS_TITLE, STATUS_ROWS, 14)
    hits = lexical_vault.search(SearchRequest("fleet depot", k=5, parse_time=False)).hits
    assert hits and hits[0].external_id == "frame-status"
    reading = hits[0].reading or ""
    assert all(van in reading for van in ("V-12", "V-17", "V-21")), reading
    assert "Activities" not in reading and STATUS_TITLE not in reading, reading

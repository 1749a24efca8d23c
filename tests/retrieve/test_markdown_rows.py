"""A Markdown note reads as prose wherever a row shows it: a search row's snippet, a timeline row and the memory
graph's list of mentions show neither list markers, heading marks, emphasis nor link syntax (one rule,
``core.retrieve.snippets.readable_text``); search still finds its words.  Real encrypted vault, a made-up note."""

from __future__ import annotations

from datetime import UTC, datetime

from core.retrieve.types import SearchRequest
from core.types import Record
from ui import fmt

NOTE = (
    "# Allotment plan — spring\n\n"
    "## Beds\n"
    "- **Leeks** and *parsnips* along the fence\n"
    "- Order seed potatoes from [Hollyhock Seeds](https://hollyhock.example/potatoes)\n"
    "1. Dig the compost in\n"
)
MARKS = ("# ", "- ", "**", "*parsnips*", "](", "[Hollyhock", "1. ")


def test_a_notes_markdown_marks_are_not_shown_in_search_or_timeline_rows(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    lexical_vault.ingest([Record(
        source="file:local", external_id="/home/me/notes/allotment.md", kind="document",
        timestamp=datetime(2026, 3, 1, 10, tzinfo=UTC), text=NOTE, title="allotment.md",
    )], embed=False)
    hits = lexical_vault.search(SearchRequest("seed potatoes leeks", k=5, parse_time=False)).hits
    assert hits and hits[0].external_id == "/home/me/notes/allotment.md"
    snippet = hits[0].snippet
    assert not any(mark in snippet for mark in MARKS), snippet
    assert "Leeks and parsnips along the fence" in snippet, snippet
    assert "Hollyhock Seeds (https://hollyhock.example/potatoes)" in snippet, snippet  # the address is kept

    item = lexical_vault.get_item(hits[0].item_id)
    row = fmt.body_text(item)  # a timeline row: the memory, not a search hit
    assert not any(mark in row for mark in MARKS), row
    assert row.startswith("Allotment plan — spring"), row


def test_the_lines_around_a_match_near_a_notes_end_are_found() -> None:
    """A match on the last lines of a long note: the window grows upwards and stops (it once looped forever)."""
    from core.retrieve.snippets import lines_around

    lines = [f"- line {n} about the shed and the water butt" for n in range(40)] + ["- compost at the end"]
    window = lines_around("\n".join(lines), ["compost"], 300)
    assert window.endswith("- compost at the end") and 300 <= len(window) < 400, window

"""A screenshot hit's snippet starts with what was on the screen, not with the desktop's top bar, the window
title again or the tab strip (a snippet is one line, so the chrome has to go before the lines are joined)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.retrieve.types import SearchRequest
from core.types import Record

SCREEN = (
    "Activities Firefox 21:01\n"
    "Harbour notes — Wiki — Mozilla Firefox\n"
    "Harbour notes x +\n"
    "Ferry timetable changes from Monday: the 7:40 boat leaves from pier 3.\n"
    "Bring the season pass."
)


def test_a_screenshot_snippet_has_no_screen_chrome(lexical_vault) -> None:
    lexical_vault.ingest([Record(
        source="screen:x11", external_id="frame-1", kind="screenshot", timestamp=datetime(2026, 5, 4, 21, 1, tzinfo=UTC),
        text=SCREEN, title="Harbour notes — Wiki — Mozilla Firefox",
        meta={"app": "Firefox", "window_title": "Harbour notes — Wiki — Mozilla Firefox"},
    )], embed=False)
    hits = lexical_vault.search(SearchRequest("ferry timetable pier", k=5, parse_time=False)).hits
    assert hits, "the screenshot is found"
    snippet = hits[0].snippet
    assert snippet.startswith("Ferry timetable changes"), snippet
    assert "Activities" not in snippet and "Mozilla Firefox" not in snippet
    assert hits[0].text == SCREEN  # the memory itself keeps what was captured

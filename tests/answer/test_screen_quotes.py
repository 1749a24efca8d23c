"""An answer quoting a screen capture quotes what one reads on it, never the desktop's chrome.

On a real encrypted vault holding the demo memory (the app wizard's "demo"): Lukas's chat message with the
staging link, and a Thunderbird screenshot whose OCR text starts "Activities Thunderbird 12:25" and the
window title again, and mentions "staging" and "sent" (a mail folder) too.
"""

from __future__ import annotations

import pytest

from tests.answer.demo_memory import ask, with_demo

CHROME = ("Activities Thunderbird", "12:25", "Release review — Calendar — Thunderbird")


@pytest.fixture()
def demo(lexical_vault):  # type: ignore[no-untyped-def]
    return with_demo(lexical_vault)


def test_the_staging_link_answer_quotes_the_message_not_the_mail_clients_chrome(demo) -> None:  # type: ignore[no-untyped-def]
    answer = ask(demo, "What was the staging URL Lukas sent?")
    assert "https://staging.tidepool.dev/app" in answer.text, answer.text
    assert not any(chrome in answer.text for chrome in CHROME), answer.text
    assert all(not c.source.startswith("screen") for c in answer.citations), answer.citations  # the chat message answers


def test_a_screen_capture_given_as_context_has_no_top_bar_or_title_line(demo) -> None:  # type: ignore[no-untyped-def]
    answer = ask(demo, "Where is the release review?")
    screens = [s for s in answer.snippets if s.source.startswith("screen")]
    assert screens, [s.source for s in answer.snippets]
    for snippet in screens:
        assert not any(chrome in snippet.text for chrome in CHROME), snippet.text


RAIL = ("Inbox", "rats", "Archive", "This week", "Family")  # the mail client's folder list, as OCR read it


def test_a_screen_quote_is_the_lines_around_the_question_without_the_folder_list(demo) -> None:  # type: ignore[no-untyped-def]
    answer = ask(demo, "Who is at the release review?")
    assert "Attendees: Priya Raman, Marta Kowalski, Sam Keller" in answer.text, answer.text
    assert not any(label in answer.text for label in RAIL), answer.text
    assert not any(chrome in answer.text for chrome in CHROME), answer.text

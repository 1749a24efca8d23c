"""Marked words in a memory: query words by their stem, an answer's values (times, amounts, names) exactly."""

from __future__ import annotations

import re

from ui.fmt import highlight_html


def _marked(html: str) -> list[str]:
    return re.findall(r'<span style="background:#ff0;[^"]*">([^<]*)</span>', html)


def test_query_words_match_by_stem_and_values_only_exactly() -> None:
    text = "Meetings moved: the ferry leaves at 17:45, not 17:40; tickets 14,00 € from Olga Berg (not Olga)."
    assert _marked(highlight_html(text, ["meeting"], "#ff0")) == ["Meetings"]
    assert _marked(highlight_html(text, ["17:40", "14,00 €", "Olga Berg"], "#ff0")) == [
        "17:40", "14,00 €", "Olga Berg"]
    assert _marked(highlight_html("at 17:4", ["17:40"], "#ff0")) == []


def test_a_short_query_word_is_marked_only_as_itself() -> None:
    text = "Good enough for the release, it can go out. Outage over, go-live at noon."
    assert _marked(highlight_html(text, ["release", "go", "out"], "#ff0")) == ["release", "go", "out", "go"]

"""`cairn status` says how old the newest memory is in words, never as a raw count of seconds."""

from __future__ import annotations

import pytest

from app.commands.vault_cmd import _age_words


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "just now"), (59, "just now"), (60, "1 minute ago"), (3 * 3600 + 5, "3 hours ago"),
    (86400, "1 day ago"), (20956008, "242 days ago"), (-30, "just now"),
])
def test_age_in_words(seconds: float, words: str) -> None:
    assert _age_words(seconds) == words

"""The text extraction reads for each memory: as stored, except screen OCR, which is cleaned first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.memory.items import MemItem
from core.normalize.screen_text import Lexicon, clean_screen_text, dictionary_lookup

VAULT_WORDS_FROM = 5000  # the newest written memories whose words count as known (what the user reads and writes)


class ExtractionText:
    """``texts(item)``: the text to extract from.  The lexicon (a dictionary and the vault's own words)
    is built on the first screenshot, once per consolidation run; chats and files never need it.

    Threads: one consolidation run (one thread).
    """

    def __init__(self, reader: Any, dictionary: Callable[[], Callable[[str], bool]] = dictionary_lookup) -> None:
        self._reader = reader
        self._dictionary = dictionary
        self._lexicon: Lexicon | None = None

    def __call__(self, item: MemItem) -> str:
        if not item.source.startswith("screen"):
            return item.text
        return clean_screen_text(item.text, self.lexicon(), window_title=item.window_title)

    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            lexicon = Lexicon(self._dictionary())
            rows = self._reader.execute(
                "SELECT text FROM items WHERE source NOT LIKE 'screen%' AND source != 'summary' AND deleted = 0"
                " ORDER BY ts DESC LIMIT ?", (VAULT_WORDS_FROM,),
            )
            for (text,) in rows:
                lexicon.learn(text or "")
            self._lexicon = lexicon
        return self._lexicon

"""The text extraction reads for each memory: as stored, except screen OCR, which is cleaned first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.memory.extraction.apps import map_page, site_name
from core.memory.extraction.names import NameContext
from core.memory.extraction.value_norms import norm_text
from core.memory.items import MemItem
from core.normalize.screen_text import Lexicon, clean_screen_text, dictionary_lookup

VAULT_WORDS_FROM = 5000  # the newest written memories whose words count as known (what the user reads and writes)
WINDOW_TITLES_FROM = 5000  # the most recently seen distinct window titles read for app, site and map names


class ExtractionText:
    """``texts(item)``: the text to extract from.  The lexicon (a dictionary and the vault's own words)
    is built on the first screenshot, once per consolidation run; chats and files never need it.

    Threads: one consolidation run (one thread).
    """

    def __init__(self, reader: Any, dictionary: Callable[[], Callable[[str], bool]] = dictionary_lookup) -> None:
        self._reader = reader
        self._dictionary = dictionary
        self._lexicon: Lexicon | None = None
        self._names: NameContext | None = None

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

    def names(self) -> NameContext:
        """Apps and sites the captures' window titles name, and places their map pages show (once per run)."""
        if self._names is None:
            apps: set[str] = set()
            places: set[str] = set()
            rows = self._reader.execute(
                "SELECT title, json_extract(meta, '$.app') FROM items WHERE source LIKE 'screen%' AND deleted = 0"
                " AND title IS NOT NULL GROUP BY title ORDER BY max(ts) DESC LIMIT ?", (WINDOW_TITLES_FROM,),
            )
            for title, app in rows:
                site = site_name(str(title), app if isinstance(app, str) else None)
                if site:
                    apps.add(norm_text(site))
                place = map_page(str(title))
                if place:
                    places.add(norm_text(place))
            self._names = NameContext(apps=frozenset(apps), places=frozenset(places))
        return self._names

"""Screen OCR text made fit for extraction and reading: chrome, toolbars and prompts dropped, OCR confusions fixed.

What a screenshot's OCR returns is the whole screen: the desktop's top bar
("Activities Firefox 09:41"), the window title again, the tab strip, the
address bar's arrows, terminal prompts, icon glyphs read as letters, bullets
read as "e" — and words with the classic confusions of OCR: "StraBe" for
"Straße", "rneeting" for "meeting".  Facts and entities made from that reach
the memory graph and autofill, so extraction gets the cleaned text.

A confusion is fixed only when the word as read is unknown and the fixed
word is known — to a dictionary (``pyspellchecker``'s word lists) or to the
vault's own words (what the user wrote or received, not what OCR read).  A
mid-word capital B between lower-case letters becomes ß when a known word
containing ß ends the compound ("GneisenaustraBe" → "Gneisenaustraße").
The stored memory keeps its text as captured; only extraction sees this.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# The desktop's top bar: "Activities Firefox 09:41", or only "Activities Code" when OCR put the clock on a
# line of its own (it does for a dark editor window beneath)
_TOP_BAR = re.compile(r"^\s*Activities\b[\s|—_]*(?:\S.*?\d{1,2}:\d{2}|[A-Z][\w.-]*)\s*$")
_TAB_STRIP = re.compile(r"\s[x×]\s+(?:\+|o[Fe+]?)\s*$")  # the close mark, then the new-tab "+" as OCR reads it
_ADDRESS_BAR = re.compile(r"^[^\w]*(?:[-=«<>@_ ]+)\s*_?(?P<url>(?:https?://|www\.)\S+)\s*$")
_PROMPT = re.compile(r"^\s*(?:[\w.-]+@[\w.-]+:\s?[~/][^$#]*[$#]|PS [A-Z]:\\[^>]*>|>>>|\$)\s?")
_BULLET = re.compile(r"^\s*(?:[e¢»«¥•·*]|[vy] )\s+(?=[A-Z0-9(])")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_STROKES = frozenset("|\\/[]{}")
_ESZETT_B = re.compile(r"(?<=[a-zäöü])B(?=[a-zäöü])")


@dataclass(slots=True)
class Lexicon:
    """Known words: a dictionary plus the vault's own; ``known`` is case-insensitive."""

    dictionary: Callable[[str], bool]
    vault_words: set[str] = field(default_factory=set)

    def known(self, word: str) -> bool:
        lowered = word.lower()
        return lowered in self.vault_words or self.dictionary(lowered)

    def learn(self, text: str) -> None:
        """Adds the words of text the user wrote or received (chats, files) — never OCR text."""
        self.vault_words.update(w.lower() for w in _WORD.findall(text) if len(w) > 2)


def dictionary_lookup(languages: Iterable[str] = ("en", "de")) -> Callable[[str], bool]:
    """Membership in ``pyspellchecker``'s word lists (loading takes about a second per language)."""
    from spellchecker import SpellChecker  # late: loads the word lists

    checker = SpellChecker(language=list(languages), distance=1)
    frequency = checker.word_frequency

    def known(word: str) -> bool:
        return word in frequency

    return known


def clean_screen_text(text: str, lexicon: Lexicon | None = None, *, window_title: str | None = None) -> str:
    """The OCR text of one screenshot without chrome and with confusions fixed; lines kept in order."""
    title = " ".join((window_title or "").split()).lower()
    kept: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or _TOP_BAR.match(line) or (title and " ".join(line.split()).lower() == title):
            continue
        if _TAB_STRIP.search(line):
            continue
        address = _ADDRESS_BAR.match(line)
        if address:
            kept.append(address["url"])
            continue
        line = _PROMPT.sub("", line)
        line = _BULLET.sub("", line)
        if _is_glyph_noise(line) or (lexicon is not None and _unreadable(line, lexicon)):
            continue
        kept.append(fix_confusions(line, lexicon) if lexicon is not None else line)
    return "\n".join(kept)


def _is_glyph_noise(line: str) -> bool:
    """Icons and borders read as text: few letters, many symbols, or only one- and two-letter scraps."""
    if len(line) < 3:
        return True
    letters = sum(ch.isalnum() for ch in line)
    if letters / len(line) < 0.5:
        return True
    words = _WORD.findall(line)
    return bool(words) and max(len(w) for w in words) <= 2 and not any(ch.isdigit() for ch in line)


def _unreadable(line: str, lexicon: Lexicon) -> bool:
    """Borders and icons read as letters ("AI\\ |WViTt"): strokes, no number, not one known word."""
    strokes = sum(ch in _STROKES for ch in line)
    if not strokes or any(ch.isdigit() for ch in line):
        return False
    if strokes / max(1, len(line.replace(" ", ""))) >= 0.2:  # a path or URL has far fewer
        return True
    return not any(lexicon.known(w) for w in _WORD.findall(line) if len(w) >= 3)


def fix_confusions(line: str, lexicon: Lexicon) -> str:
    """Each unknown word replaced by its ß/B or rn/m reading when that one is known."""
    return _WORD.sub(lambda m: _fix_word(m.group(0), lexicon), line)


def _fix_word(word: str, lexicon: Lexicon) -> str:
    if len(word) < 4 or lexicon.known(word):
        return word
    if _ESZETT_B.search(word):
        candidate = _ESZETT_B.sub("ß", word)
        if lexicon.known(candidate) or _known_compound_tail(candidate, lexicon):
            return candidate
    for read, meant in (("rn", "m"), ("m", "rn")):
        for candidate in _replacements(word, read, meant):
            if lexicon.known(candidate):
                return candidate
    return word


def _replacements(word: str, read: str, meant: str) -> list[str]:
    """``word`` with each single occurrence of ``read`` replaced, then all of them ("rnodern" → "modern")."""
    spots = [m.start() for m in re.finditer(re.escape(read), word)]
    out = [word[:at] + meant + word[at + len(read):] for at in spots]
    if len(spots) > 1:
        out.append(word.replace(read, meant))
    return out


def _known_compound_tail(word: str, lexicon: Lexicon) -> bool:
    """German compounds: the ß-word that ends it is known ("Gneisenau" + "straße")."""
    at = word.lower().find("ß")
    for start in range(max(0, at - 6), at):
        tail = word[start:].lower()
        if len(tail) >= 5 and lexicon.known(tail):
            return True
    return False

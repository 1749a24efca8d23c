"""Small text helpers shared by context building, validation and extraction."""

from __future__ import annotations

import re

_STOPWORD_TEXT = """a an the and or but if of to in on at by for with from about into over after before under again
    is are was were be been being am do does did doing have has had having can could will would should
    shall may might must i me my mine we us our ours you your yours he him his she her hers it its they
    them their theirs this that these those there here what which who whom whose when where why how
    not no nor so than too very just also only own same such both each few more most other some any all
    up down out off then once as s t don now ever recently tell say said says think thought like get got
    go went going one thing things something anything yes know"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD_RE = re.compile(r"[\w'’]+", re.UNICODE)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[\"“'A-Z0-9\[])")


def stem_key(word: str) -> str:
    """A crude stem ("meetings" → "meet"): matching, not linguistics."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in ("ings", "ing", "edly", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> list[str]:
    """Stem keys of the non-stopwords of ``text``, in order, without repeats."""
    out: list[str] = []
    for word in _WORD_RE.findall(text):
        low = word.lower().replace("’", "'")
        if low in STOPWORDS or low.rstrip("'s") in STOPWORDS:
            continue
        key = stem_key(low)
        if key and key not in out:
            out.append(key)
    return out


# Words a question uses for a thing that the text shows in another form ("the URL" is "https://…").
_SHAPE_TERMS: dict[str, re.Pattern[str]] = {
    "url": re.compile(r"https?://|www\.", re.IGNORECASE),
    "link": re.compile(r"https?://|www\.", re.IGNORECASE),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "address": re.compile(r"\b\d{4,5}\b.*\b[A-Z][a-z]+|\b[A-Z][a-z]+(?:straße|strasse|street|road|avenue)\b", re.IGNORECASE),
}


def coverage(query_terms: list[str], text: str) -> float:
    """Share of ``query_terms`` present in ``text`` (0 when there are no terms)."""
    if not query_terms:
        return 0.0
    present = set(content_terms(text))
    found = 0
    for term in query_terms:
        shape = _SHAPE_TERMS.get(term)
        if term in present or (shape is not None and shape.search(text)):
            found += 1
    return found / len(query_terms)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``; lines count as sentences too (OCR text and lists have no full stops)."""
    parts: list[str] = []
    for line in text.splitlines():
        parts += [p.strip() for p in _SENTENCE_RE.split(" ".join(line.split()))]
    return [p for p in parts if p]

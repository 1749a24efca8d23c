"""Splitting text into chunks that keep meaning: structure first, then size.

Contract: ``chunk_sections`` returns chunks of roughly ``target_tokens``
tokens (words, plus one per CJK character, which is how MiniLM's word pieces
see them; MiniLM truncates at 256 word pieces) with about ``overlap_tokens``
of overlap between neighbours inside one section.  A chunk never spans two
sections, so never two pages or two headings.  ``text`` is always
``section.text[start:end]``: ``start``/``end`` are character offsets into the
section's text, and ``ordinal`` numbers chunks across all sections from 0.

How a section is cut, coarsest first: paragraphs (blank lines); a paragraph
longer than the target into sentences; a sentence still too long into lines,
then into word windows; a "word" longer than the character cap (base64, a
minified script) into slices.  Pieces are packed greedily up to the target;
the next chunk starts with the last sentence(s) of the previous one (at most
``overlap_tokens``) so a fact cut at a boundary is whole in one of the two.
A short tail is merged into the chunk before it rather than left tiny.

Dedup: ``text_hash`` names a chunk's text (whitespace- and
Unicode-normalised), so the store can keep one vector for text that repeats
across files and versions; ``unique_texts`` gives the distinct texts to embed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from core.types import Section

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|(?<=[。！？])")
_LINE = re.compile(r"\n")
_WORD = re.compile(r"\S+")
# Ideographs, kana and hangul: MiniLM's tokenizer makes one piece per character.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

CHARS_PER_TOKEN_CAP = 10  # a piece longer than target * this in characters is cut regardless of words


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    ordinal: int
    page: int | None = None
    heading: str | None = None
    start: int = 0
    end: int = 0


def count_tokens(text: str) -> int:
    """The chunker's token estimate: whitespace-separated words plus CJK characters."""
    return len(text.split()) + len(_CJK.findall(text))


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    tokens: int


def _spans(text: str, start: int, end: int, separator: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Non-blank spans of ``text[start:end]`` between matches of ``separator``, trimmed."""
    position = start
    for match in separator.finditer(text, start, end):
        if match.start() > position:
            yield from _trimmed(text, position, match.start())
        position = max(match.end(), position)
    if position < end:
        yield from _trimmed(text, position, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


class _Splitter:
    def __init__(self, text: str, target: int) -> None:
        self.text = text
        self.target = target
        self.max_chars = max(200, target * CHARS_PER_TOKEN_CAP)

    def fits(self, start: int, end: int, tokens: int) -> bool:
        return tokens <= self.target and end - start <= self.max_chars

    def pieces(self) -> Iterator[_Piece]:
        for start, end in _spans(self.text, 0, len(self.text), _PARAGRAPH_BREAK):
            yield from self._split(start, end, level=0)

    def _split(self, start: int, end: int, level: int) -> Iterator[_Piece]:
        tokens = count_tokens(self.text[start:end])
        if self.fits(start, end, tokens):
            yield _Piece(start, end, tokens)
            return
        if level == 0:
            parts = list(_spans(self.text, start, end, _SENTENCE_END))
        elif level == 1:
            parts = list(_spans(self.text, start, end, _LINE))
        else:
            yield from self._word_windows(start, end)
            return
        if len(parts) <= 1:
            yield from self._split(start, end, level + 1)
            return
        for part_start, part_end in parts:
            yield from self._split(part_start, part_end, level + 1)

    def _word_windows(self, start: int, end: int) -> Iterator[_Piece]:
        """Windows of ``target`` words; words over the character cap are sliced."""
        window_start: int | None = None
        window_end = start
        count = 0
        for match in _WORD.finditer(self.text, start, end):
            w_start, w_end = match.span()
            weight = 1 + len(_CJK.findall(self.text, w_start, w_end))
            too_long = window_start is not None and (
                count + weight > self.target or w_end - window_start > self.max_chars)
            if too_long:
                assert window_start is not None
                yield _Piece(window_start, window_end, count)
                window_start, count = None, 0
            if w_end - w_start > self.max_chars:
                for s in range(w_start, w_end, self.max_chars):
                    e = min(s + self.max_chars, w_end)
                    yield _Piece(s, e, max(1, count_tokens(self.text[s:e])))
                continue
            if window_start is None:
                window_start = w_start
            window_end = w_end
            count += weight
        if window_start is not None:
            yield _Piece(window_start, window_end, count)


def _overlap_start(text: str, pieces: Sequence[_Piece], first: int, last: int, overlap: int,
                   max_chars: int) -> int:
    """Where the next chunk starts so it repeats about ``overlap`` tokens of pieces[first..last].

    Whole trailing pieces (sentences) are preferred; if even the last piece is
    longer than the overlap, its last ``overlap`` words are repeated instead.
    The overlap never exceeds ``max_chars`` characters and never swallows the
    whole previous chunk.  Returns ``pieces[last + 1].start`` for no overlap.
    """
    following = pieces[last + 1].start
    if overlap <= 0:
        return following
    used = 0
    k = last
    while k >= first and used + pieces[k].tokens <= overlap:
        used += pieces[k].tokens
        k -= 1
    if k < last:
        start = pieces[k + 1].start
    else:
        # The last piece alone is longer than the overlap: repeat its tail words.
        piece = pieces[last]
        starts = [m.start() for m in _WORD.finditer(text, piece.start, piece.end)]
        start = starts[-overlap] if len(starts) > overlap else following
    if start <= pieces[first].start:
        return following  # that would repeat the whole previous chunk
    if following - start > max_chars:
        start = following - max_chars
        space = text.find(" ", start, following)
        start = space + 1 if space >= 0 else start
    return min(start, following)


def _chunk_one(text: str, target: int, overlap: int) -> Iterator[tuple[int, int]]:
    splitter = _Splitter(text, target)
    max_chars = splitter.max_chars
    pieces = list(splitter.pieces())
    if not pieces:
        return
    # Tokens from piece i to the end, so a short tail is one lookup.
    remaining = [0] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        remaining[i] = remaining[i + 1] + pieces[i].tokens
    min_tail = max(1, target // 4)
    i = 0
    start = pieces[0].start
    budget = target
    while i < len(pieces):
        # The first piece always goes in; with the overlap before it, it must still fit.
        start = max(start, pieces[i].end - max_chars)
        j = i + 1
        tokens = pieces[i].tokens
        while j < len(pieces) and tokens + pieces[j].tokens <= budget and pieces[j].end - start <= max_chars:
            tokens += pieces[j].tokens
            j += 1
        tail = remaining[j]
        if 0 < tail < min_tail and tokens + tail <= target + target // 2 and pieces[-1].end - start <= max_chars:
            j = len(pieces)  # fold a short tail into this chunk rather than leave it tiny
        yield start, pieces[j - 1].end
        if j >= len(pieces):
            return
        start = _overlap_start(text, pieces, i, j - 1, overlap, max_chars // 4)
        repeated = count_tokens(text[start : pieces[j].start]) if start < pieces[j].start else 0
        budget = max(1, target - repeated)
        i = j


def chunk_sections(
    sections: Sequence[Section], target_tokens: int = 200, overlap_tokens: int = 40
) -> list[Chunk]:
    """Chunks of every section in order; see the module docstring for the contract."""
    if target_tokens < 1:
        raise ValueError("target_tokens must be positive")
    overlap_tokens = max(0, min(overlap_tokens, target_tokens // 2))
    chunks: list[Chunk] = []
    for section in sections:
        for start, end in _chunk_one(section.text, target_tokens, overlap_tokens):
            chunks.append(
                Chunk(section.text[start:end], len(chunks), section.page, section.heading, start, end)
            )
    return chunks


def chunk_text(text: str, target_tokens: int = 200, overlap_tokens: int = 40) -> list[Chunk]:
    return chunk_sections([Section(text)], target_tokens, overlap_tokens)


# --------------------------------------------------------------------------- dedup


def normalise_for_hash(text: str) -> str:
    """NFC, whitespace runs collapsed, ends trimmed: what makes two chunk texts "the same"."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_hash(text: str) -> str:
    """A stable 128-bit hex digest of ``normalise_for_hash(text)``, for vector reuse and dedup."""
    return hashlib.blake2b(normalise_for_hash(text).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def unique_texts(chunks: Sequence[Chunk]) -> tuple[list[str], list[int]]:
    """(distinct texts in first-seen order, index into them for each chunk).

    Embed ``texts`` once and give chunk ``n`` the vector ``vectors[index[n]]``.
    """
    seen: dict[str, int] = {}
    texts: list[str] = []
    index: list[int] = []
    for chunk in chunks:
        key = text_hash(chunk.text)
        position = seen.get(key)
        if position is None:
            position = seen[key] = len(texts)
            texts.append(chunk.text)
        index.append(position)
    return texts, index

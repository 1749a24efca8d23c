"""Splitting text into chunks that keep meaning: structure first, then size.

Contract: ``chunk_sections`` returns chunks of roughly ``target_tokens`` words
(a word-ish token count; MiniLM truncates at 256 word pieces) with
``overlap_tokens`` of overlap between neighbours inside one section; a chunk
never spans two pages.  ``start``/``end`` are character offsets into the
section's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.types import Section

_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    ordinal: int
    page: int | None = None
    heading: str | None = None
    start: int = 0
    end: int = 0


def chunk_sections(
    sections: Sequence[Section], target_tokens: int = 200, overlap_tokens: int = 40
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in sections:
        words = [(m.start(), m.end()) for m in _WORD.finditer(section.text)]
        if not words:
            continue
        step = max(1, target_tokens - overlap_tokens)
        i = 0
        while True:
            window = words[i : i + target_tokens]
            start, end = window[0][0], window[-1][1]
            chunks.append(
                Chunk(section.text[start:end], len(chunks), section.page, section.heading, start, end)
            )
            if i + target_tokens >= len(words):
                break
            i += step
    return chunks


def chunk_text(text: str, target_tokens: int = 200, overlap_tokens: int = 40) -> list[Chunk]:
    return chunk_sections([Section(text)], target_tokens, overlap_tokens)

"""The chunker's contract: structure first, bounded size, overlap, offsets that point into the section."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from core.normalize.chunking import (
    CHARS_PER_TOKEN_CAP,
    Chunk,
    chunk_sections,
    chunk_text,
    count_tokens,
    text_hash,
    unique_texts,
)
from core.types import Section

WORDS = ["harbour", "budget", "committee", "sea", "wall", "engineer", "estimate", "spring", "tide", "crane", "permit", "council"]


def _sentence(rng: random.Random, n: int | None = None) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n or rng.randint(6, 20))).capitalize() + "."


def _document(seed: int = 7, paragraphs: int = 25) -> str:
    rng = random.Random(seed)
    return "\n\n".join(" ".join(_sentence(rng) for _ in range(rng.randint(1, 14))) for _ in range(paragraphs))


def _check_contract(sections: list[Section], chunks: list[Chunk], target: int) -> None:
    by_text = {id(s): s for s in sections}
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        owners = [s for s in by_text.values() if s.text[chunk.start:chunk.end] == chunk.text
                  and s.page == chunk.page and s.heading == chunk.heading]
        assert owners, "each chunk is a slice of one section, with its page and heading"
        assert chunk.text.strip() == chunk.text
        assert len(chunk.text) <= target * CHARS_PER_TOKEN_CAP or len(chunk.text) <= 200


def test_sizes_overlap_and_offsets() -> None:
    text = _document()
    chunks = chunk_text(text, target_tokens=120, overlap_tokens=25)
    _check_contract([Section(text)], chunks, 120)
    sizes = [count_tokens(c.text) for c in chunks]
    assert max(sizes) <= 120 * 3 // 2
    assert sum(1 for s in sizes if s >= 60) >= len(sizes) * 0.6  # mostly well filled
    overlaps = [a.end - b.start for a, b in itertools.pairwise(chunks)]
    assert sum(1 for o in overlaps if o > 0) >= len(overlaps) // 2
    assert all(o <= 25 * 12 for o in overlaps)
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace()), "no text is dropped"


def test_paragraphs_stay_whole_when_they_fit() -> None:
    paragraphs = [f"Paragraph {i}. " + " ".join(["word"] * 30) for i in range(12)]
    text = "\n\n".join(paragraphs)
    chunks = chunk_text(text, target_tokens=100, overlap_tokens=0)
    for chunk in chunks:
        assert chunk.text.startswith("Paragraph"), "a chunk starts at a paragraph"
        assert chunk.text.endswith("word"), "and ends at one"


def test_long_paragraph_splits_at_sentences_with_sentence_overlap() -> None:
    rng = random.Random(3)
    text = " ".join(_sentence(rng, 10) for _ in range(60))
    chunks = chunk_text(text, target_tokens=80, overlap_tokens=20)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.text[0].isupper() and chunk.text.endswith("."), chunk.text[:40]


def test_pages_and_headings_never_mix() -> None:
    sections = [Section(_document(1, 3), page=1), Section(_document(2, 3), page=2, heading="Results"),
                Section("tiny", page=3)]
    chunks = chunk_sections(sections, target_tokens=60, overlap_tokens=10)
    _check_contract(sections, chunks, 60)
    assert {c.page for c in chunks} == {1, 2, 3}
    assert all(c.heading == "Results" for c in chunks if c.page == 2)


def test_short_tail_is_folded_in() -> None:
    text = " ".join(["alpha"] * 200) + ". " + "Tail end."
    chunks = chunk_text(text, target_tokens=200, overlap_tokens=0)
    assert len(chunks) == 1 or count_tokens(chunks[-1].text) > 10


def test_cjk_counts_characters() -> None:
    text = "東京は大きな都市です。" * 200
    chunks = chunk_text(text, target_tokens=100, overlap_tokens=10)
    assert len(chunks) >= 10
    assert all(count_tokens(c.text) <= 150 for c in chunks)


def test_lines_split_when_there_are_no_sentences() -> None:
    rows = "\n".join(f"Name: Person {i}; Email: p{i}@example.org; City: Osaka" for i in range(200))
    chunks = chunk_text(rows, target_tokens=60, overlap_tokens=0)
    assert all(c.text.startswith("Name:") and c.text.endswith("Osaka") for c in chunks)


def test_empty_and_whitespace() -> None:
    assert chunk_text("") == []
    assert chunk_text(" \n\n \t ") == []
    assert chunk_sections([Section(""), Section("one word")])[0].text == "one word"


def test_dedup_helpers() -> None:
    chunks = chunk_sections([Section("Same footer text"), Section("Body"), Section("Same   footer\ntext")])
    texts, index = unique_texts(chunks)
    assert texts == ["Same footer text", "Body"]
    assert index == [0, 1, 0]
    assert text_hash("é") == text_hash("e\u0301")  # NFC
    assert text_hash("a b") != text_hash("ab")


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(st.sampled_from([*"ab cd.\n!東", "word ", "Sentence. ", "\n\n", "x" * 700]), max_size=400).map("".join),
    target=st.integers(min_value=5, max_value=300),
    overlap=st.integers(min_value=0, max_value=100),
)
def test_contract_holds_for_any_text(text: str, target: int, overlap: int) -> None:
    chunks = chunk_text(text, target_tokens=target, overlap_tokens=overlap)
    _check_contract([Section(text)], chunks, target)
    starts = [c.start for c in chunks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), "chunks advance"
    if text.strip():
        assert chunks

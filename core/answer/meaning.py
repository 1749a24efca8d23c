"""How close each sentence of the snippets is in meaning to the question (sentence vectors, cosine)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from core.answer.text import split_sentences
from core.answer.types import Snippet

# Texts → unit-length row vectors (``Embedder.embed``).
Embed = Callable[[Sequence[str]], Any]
Similarity = Mapping[str, float]  # sentence → cosine to the question


def sentences_of(snippet: Snippet) -> list[str]:
    """The sentences compared in meaning.  A screen's lines are labels and fields, not sentences: one alone
    ("https://staging.example/app", "Tidepool - Staging dashboard") can echo a question's words in meaning
    without answering it, so a screen is compared by its sentences as if its lines ran on (its lines are kept
    for quoting the lines around the question's words)."""
    if snippet.source.split(":", 1)[0] == "screen":
        flat = " ".join(snippet.text.split())
        return split_sentences(flat) or [flat]
    return split_sentences(snippet.text) or [snippet.text]


def sentence_similarity(question: str, snippets: Sequence[Snippet], embed: Embed) -> dict[str, float]:
    """Cosine between the question and every distinct sentence of ``snippets``."""
    sentences = list(dict.fromkeys(s for snippet in snippets for s in sentences_of(snippet)))
    if not sentences:
        return {}
    vectors = embed([question, *sentences])
    scores = vectors[1:] @ vectors[0]
    return {sentence: float(score) for sentence, score in zip(sentences, scores, strict=True)}


def closest(snippet: Snippet, similarity: Similarity) -> float:
    """The snippet's best sentence similarity (0 when unknown)."""
    return max((similarity.get(s, 0.0) for s in sentences_of(snippet)), default=0.0)

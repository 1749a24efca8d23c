"""Whether the retrieved memories answer the question at all: one calibrated score over the whole context.

The rules of ``core.answer.abstain`` each look at one thing (enough of the
question's words, said by the person asked about, not someone else's story).
A question about something never said, or about what the *other* person said
("What did X realize…" when Y said it), leaves a pattern across them: the
question's words are found, but in the other speaker's messages more than in
the named person's; the closest sentence in meaning is someone else's.  This
module turns that pattern into features of the question and its snippets and a
logistic score: the probability that the memories do not answer.  The weights
and the threshold are fitted leave-one-conversation-out in ``bench.locomo
--answers`` (two conversations fit, the third is scored); the shipped ones are
fitted on all three.  No feature looks at names, topics or phrasings.
Pure functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.answer.abstain import Abstention, about_persons, matching, subjects
from core.answer.extractive import relevance, said_by
from core.answer.meaning import Similarity, closest
from core.answer.text import content_terms, coverage
from core.answer.types import Snippet

FEATURES = (
    "rules_abstain",  # the rules of core.answer.abstain find no snippet that answers
    "coverage",  # best share of the question's words in any snippet
    "about_coverage",  # … in a snippet about the person asked about (every snippet when no one is named)
    "about_meaning",  # best closeness in meaning of a sentence about that person
    "other_meaning",  # … of a sentence said by someone else
    "other_coverage",  # best share of the question's words in someone else's message
    "cosine",  # the best search hit's vector similarity
    "named",  # the question names a person who speaks in the memories
    "about_union",  # share of the question's words found anywhere in the snippets about the person
    "other_union",  # … anywhere in someone else's messages
    "union_gap",  # about_union - other_union
    "meaning_gap",  # about_meaning - other_meaning
    "coverage_gap",  # about_coverage - other_coverage
    "quote_coverage",  # the snippet an answer would quote: share of the question's words in it
    "quote_meaning",  # … its closest sentence in meaning
    "quote_said",  # … said by the person asked about
    "quote_relevance",  # … its relevance score (``core.answer.extractive.relevance``)
    "terms",  # how many words the question has to match, / 10
)


@dataclass(frozen=True, slots=True)
class AbstentionScore:
    """Logistic weights over ``FEATURES`` (raw values), a bias, and the probability from which to abstain."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"an abstention score needs {len(FEATURES)} weights, got {len(self.weights)}")

    def probability(self, features: Sequence[float]) -> float:
        """The probability that the memories do not answer the question."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def abstains(self, features: Sequence[float]) -> bool:
        return self.probability(features) >= self.threshold


def question_features(terms: list[str], persons: Sequence[str], snippets: Sequence[Snippet],
                      relevant: Sequence[Snippet], similarity: Similarity, policy: Abstention) -> tuple[float, ...]:
    """One row (``FEATURES`` order): ``terms`` are the question's words (``query_terms``), ``persons`` the
    names it asks about, ``relevant`` the snippets the rules found to answer (``Answerer.relevant``)."""
    named = subjects(snippets, persons, policy) if persons else ()
    about = [s for s in snippets if about_persons(s, named, policy, terms)] if named else list(snippets)
    others = [s for s in snippets if named and s.speaker and not said_by(s, named)]

    def best(items: Sequence[Snippet], value: Callable[[Snippet], float]) -> float:
        return max((value(s) for s in items), default=0.0)

    def cover(s: Snippet) -> float:
        return coverage(terms, s.text)

    def meaning(s: Snippet) -> float:
        return closest(s, similarity)

    def union(items: Sequence[Snippet]) -> float:
        present = {t for s in items for t in content_terms(s.text)}
        return sum(t in present for t in terms) / len(terms) if terms else 0.0

    about_union, other_union = union(about), union(others)
    about_meaning, other_meaning = best(about, meaning), best(others, meaning)
    about_coverage, other_coverage = best(about, cover), best(others, cover)
    cosines = [s.cosine for s in snippets if s.cosine is not None]
    # the snippet an answer would quote: the best of those the rules found, or of those holding the words, or of all
    pool = relevant or matching(snippets, terms, policy) or list(snippets)
    scores = [relevance(s, terms, persons, similarity, 1.0) for s in pool]
    quote = pool[scores.index(max(scores))] if pool else None
    quoted = (cover(quote), meaning(quote), 1.0 if named and said_by(quote, named) else 0.0, max(scores)) \
        if quote is not None else (0.0, 0.0, 0.0, 0.0)
    return (
        0.0 if relevant else 1.0, best(snippets, cover), about_coverage, about_meaning, other_meaning,
        other_coverage, max(cosines, default=0.0), 1.0 if named else 0.0,
        about_union, other_union, about_union - other_union, about_meaning - other_meaning,
        about_coverage - other_coverage, *quoted, len(terms) / 10,
    )


def scored(score: AbstentionScore, terms: list[str], persons: Sequence[str], snippets: Sequence[Snippet],
           relevant: list[Snippet], similarity: Similarity, policy: Abstention) -> list[Snippet]:
    """The snippets to answer from once ``score`` decides: none when it abstains; else the rules' ``relevant``
    ones, or (the rules abstained, the score does not) those holding the question's words, or all."""
    if not snippets:
        return relevant
    if score.abstains(question_features(terms, persons, snippets, relevant, similarity, policy)):
        return []
    return relevant or matching(snippets, terms, policy) or list(snippets)

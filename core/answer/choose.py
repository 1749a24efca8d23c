"""Which snippet answers: a linear score over a few question-to-snippet features, weights fitted on LoCoMo-dev.

The extractive answer quotes, and cites, the snippet with the highest score.
Shared words alone pick the message that *asks* about the thing, or the one
that repeats the question's words, more often than the one that answers; the
features below say what else counts: its meaning, being said by the person the
question is about, being a reply to a message that matches the question, not
being a question itself.  The weights are fitted listwise (softmax over the
snippets of one question, the gold evidence turn as target) leave-one-
conversation-out in ``bench.locomo --answers``; the shipped ones are fitted on
all three development conversations (opt-in: ``Answerer`` defaults to
shared words plus meaning).  No feature looks at names, topics or
phrasings of any conversation.  Pure functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from core.answer.abstain import Abstention, about_persons, subjects
from core.answer.extractive import best_sentence, query_terms, said_by
from core.answer.meaning import Similarity, closest
from core.answer.text import coverage
from core.answer.types import Snippet, Understanding

FEATURES = (
    "coverage",  # share of the question's words in the snippet
    "meaning",  # its closest sentence's similarity in meaning to the question (0 without vectors)
    "cosine",  # the search hit's own vector similarity (neighbours have none)
    "hit",  # a search hit, not a neighbour brought for context
    "rank",  # 1 / (1 + search rank)
    "said_by",  # said by a person the question names
    "about",  # about that person under the abstention policy (said, or mentioned beyond a greeting)
    "question",  # its matching sentence is itself a question
    "reply",  # it answers the other speaker's question just before it
    "reply_coverage",  # … and that question holds the question's words
    "image",  # a shared picture's caption
    "length",  # characters, up to 300, / 300: a one-word reaction rarely holds an answer
)


@dataclass(frozen=True, slots=True)
class Chooser:
    """Weights per feature (``FEATURES`` order)."""

    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"a chooser needs {len(FEATURES)} weights, got {len(self.weights)}")


# Fitted on all three LoCoMo-dev conversations by bench.locomo --answers (listwise, L2 0.001).  Same run, all 383
# answerable questions: shared words + meaning (before) F1 0.240, gold cited 0.509; this chooser with
# Composition.second_quote=0.3 (chosen in all three folds) held out F1 0.243, gold cited 0.522 — a small gain;
# the chosen snippet is a gold turn for 0.465 of questions held out.  Opt-in (``Answerer(chooser=…)``): fitted on
# chat only, it picked a screen capture's calendar time over the chat message that answered (tests/ui/ask).
DEFAULT_CHOOSER = Chooser((1.29, 3.79, 0.42, 0.07, 1.55, 2.14, 1.38, -0.7, -0.22, 2.72, -0.47, 1.96))


def snippet_features(understanding: Understanding, candidates: Sequence[Snippet], snippets: Sequence[Snippet],
                     similarity: Similarity | None, policy: Abstention) -> list[tuple[float, ...]]:
    """One feature row (``FEATURES`` order) per candidate; ``snippets`` (all of the context, candidates
    among them) say what was said just before each."""
    terms = query_terms(understanding)
    persons = subjects(snippets, understanding.persons, policy) if understanding.persons else ()
    by_number = {s.number: s for s in snippets}
    rows = []
    for s in candidates:
        before = by_number.get(s.number - 1)
        reply = before is not None and before.conversation == s.conversation and before.speaker != s.speaker \
            and before.text.rstrip().endswith("?")
        rows.append((
            coverage(terms, s.text),
            closest(s, similarity) if similarity else 0.0,
            s.cosine or 0.0,
            1.0 if s.is_hit else 0.0,
            1.0 / (1 + s.rank),
            1.0 if persons and said_by(s, persons) else 0.0,
            1.0 if persons and about_persons(s, persons, policy, terms) else 0.0,
            1.0 if best_sentence(s, terms).rstrip().endswith("?") else 0.0,
            1.0 if reply else 0.0,
            coverage(terms, before.text) if reply and before is not None else 0.0,
            1.0 if "[shared an image" in s.text else 0.0,
            min(len(s.text), 300) / 300,
        ))
    return rows


def choose(understanding: Understanding, candidates: Sequence[Snippet], snippets: Sequence[Snippet],
           similarity: Similarity | None, chooser: Chooser, policy: Abstention) -> list[tuple[float, Snippet]]:
    """The candidates with the probability that each is the answer (softmax of the scores), best first."""
    if not candidates:
        return []
    features = snippet_features(understanding, candidates, snippets, similarity, policy)
    scores = [sum(w * x for w, x in zip(chooser.weights, row, strict=True)) for row in features]
    top = max(scores)
    exp = [math.exp(score - top) for score in scores]
    total = sum(exp)
    ranked = [(e / total, s) for e, s in zip(exp, candidates, strict=True)]
    return sorted(ranked, key=lambda pair: (-pair[0], pair[1].number))

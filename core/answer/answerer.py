"""Question → grounded, cited answer.

Pipeline: understand the question (time range, filters, answer type) →
retrieve (widening the filters when they find nothing) → numbered snippets
with their neighbourhood, within a token budget → decide whether anything
relevant was found → the model answers with citations (streamed) → every
sentence is checked against the snippets it cites → the answer, or the
extractive answer when the model's text does not survive, or "I don't find
this in your memory" with the best matches.

Threads: ``ask`` runs on the caller's thread (the model generates on its own
thread); one ``Answerer`` may serve several threads.  Closing the ``ask``
iterator early cancels the generation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from core.answer.abstain import (
    Abstention,
    about_persons,
    echoes_other,
    matching,
    outweighed,
    subjects,
    swapped_speaker,
)
from core.answer.abstain_score import AbstentionScore, scored
from core.answer.choose import DEFAULT_CHOOSER, Chooser, choose
from core.answer.citations import NOT_FOUND_RE, check_dates, validate_answer
from core.answer.context import approx_tokens, build_snippets, format_snippet
from core.answer.extractive import (
    Composition,
    Extracted,
    extractive_answer,
    person_fit,
    query_terms,
    rank_snippets,
)
from core.answer.meaning import Embed, Similarity, sentence_similarity
from core.answer.support import Citing, supporting, with_citations
from core.answer.text import coverage
from core.answer.types import (
    NOT_FOUND_TEXT,
    Answer,
    AnswerEvent,
    Neighbours,
    Retriever,
    Snippet,
    StageEvent,
    Timings,
    TokenEvent,
    Understanding,
)
from core.answer.understand import understand
from core.errors import ModelUnavailable
from core.llm.backend import GenerationStats, LLMBackend, Message
from core.llm.prompts import PromptFile, fill, load_prompt
from core.retrieve.timeparse import resolve_anchor
from core.retrieve.types import Hit, SearchRequest
from core.types import TimeRange

# When a snippet counts as relevant (``core.answer.abstain``); chosen on LoCoMo-dev folds (bench/locomo.py).
DEFAULT_ABSTENTION = Abstention()
DEFAULT_COMPOSITION = Composition()
DEFAULT_CITING = Citing()
# Fitted on all three LoCoMo-dev conversations (bench.locomo --answers, 8 Dec, extractive, retrieval at 2c2e5d4): false
# abstention 0.102 -> 0.089, adversarial 0.554 -> 0.607 in-sample; fitted on two, scored on the third: 0.078 / 0.554.
DEFAULT_ABSTENTION_SCORE: AbstentionScore | None = AbstentionScore(
    (0.875, -0.076, -0.722, -1.738, 0.32, 0.444, 0.052, 0.191, -0.301, 0.305, -0.37, -0.811, -0.723, -0.412, 0.014,
     -0.315, -0.374, 1.452), bias=-0.387, threshold=0.37)
# The model's "NOT FOUND" is overruled (extractive answer) only on evidence this strong.
STRONG_COVERAGE = 0.8


class Answerer:
    """Answers questions from a ``Retriever``, optionally with a language model.

    ``backend=None`` gives extractive answers only.  ``prompt_style`` is
    ``"completion"`` (few-shot text, for small base models) or ``"chat"``
    (instruction-tuned models); ``None`` picks completion for the packaged
    default model and chat otherwise.  ``embed`` (texts → unit vectors: the
    vault's embedder) lets the extractive answer weigh meaning (``Composition.meaning``).  ``chooser``: the
    weights that pick the snippet an extractive answer quotes (``None``, the default: shared words plus meaning;
    ``core.answer.choose.DEFAULT_CHOOSER`` is fitted on chat only and picked a screen capture's calendar time
    over the chat message that answered, so it stays opt-in).
    """

    def __init__(
        self,
        retriever: Retriever,
        *,
        neighbours: Neighbours | None = None,
        backend: LLMBackend | None = None,
        context_budget: int = 1200,
        k: int = 8,
        prompt_style: str | None = None,
        prompt: PromptFile | None = None,
        neighbour_window: int = 1,
        abstention: Abstention = DEFAULT_ABSTENTION,
        composition: Composition = DEFAULT_COMPOSITION,
        embed: Embed | None = None,
        chooser: Chooser | None = None,
        citing: Citing = DEFAULT_CITING,
        citer: Chooser | None = DEFAULT_CHOOSER,
        abstention_score: AbstentionScore | None = DEFAULT_ABSTENTION_SCORE,
    ) -> None:
        self._retriever = retriever
        self._neighbours = neighbours
        self._backend = backend
        self._budget = context_budget
        self._k = k
        self._window = neighbour_window
        self._abstention = abstention
        self._composition = composition
        self._embed = embed
        self._chooser = chooser
        self._citing, self._citer, self._score = citing, citer, abstention_score
        self._prompt = prompt or load_prompt("answer")
        if prompt_style is None:
            spec = getattr(backend, "spec", None)
            prompt_style = "completion" if spec is not None and getattr(spec, "is_default", False) else "chat"
        if prompt_style not in ("completion", "chat"):
            raise ValueError(f"prompt_style must be 'completion' or 'chat', not {prompt_style!r}")
        self._style = prompt_style

    @property
    def abstention(self) -> Abstention:
        return self._abstention

    @property
    def prompt_style(self) -> str:
        return self._style

    def answer(self, question: str, **kwargs: object) -> Answer:
        """``ask`` without the stream: the final ``Answer``."""
        final: Answer | None = None
        for event in self.ask(question, **kwargs):  # type: ignore[arg-type]
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def ask(
        self,
        question: str,
        *,
        now: datetime | None = None,
        use_model: bool = True,
        conversations: Sequence[str] = (),
    ) -> Iterator[AnswerEvent]:
        """Stream the answer: a ``StageEvent`` with the snippets, ``TokenEvent``s, then the ``Answer``.

        ``now`` (timezone-aware; default: the current local time) anchors
        time expressions.  ``conversations`` restricts retrieval (tools,
        benchmarks).  Raises ``ValueError`` for an empty question; retrieval
        errors propagate; a model that fails to load degrades to extractive.
        """
        if not question.strip():
            raise ValueError("empty question")
        started = time.perf_counter()
        now = now or datetime.now(UTC).astimezone()
        if now.tzinfo is None:
            now = now.astimezone()
        tz = now.tzinfo
        notes: list[str] = []

        understanding = understand(question, now)
        t_understood = time.perf_counter()
        understanding = self._resolve_anchor(understanding, conversations, notes)
        hits, applied = self._retrieve(understanding, conversations, notes)
        t_retrieved = time.perf_counter()

        backend = self._backend if use_model else None
        prompt_overhead = 0
        counter = approx_tokens
        if backend is not None:
            try:
                counter = backend.count_tokens
                prompt_overhead = backend.count_tokens(self._render(understanding.question, []))
            except ModelUnavailable as exc:
                notes.append(f"model unavailable, answering by quoting: {exc}")
                backend, counter = None, approx_tokens
        budget = self._budget
        if backend is not None:
            room = backend.context_tokens - prompt_overhead - self._max_tokens() - 16
            budget = max(64, min(budget, room))
        snippets = build_snippets(
            hits, self._neighbours, budget_tokens=budget, count_tokens=counter, tz=tz,
            max_hits=self._k, window=self._window,
        )
        t_context = time.perf_counter()
        yield StageEvent("retrieved", tuple(snippets))

        base = dict(
            question=question, understanding=understanding, snippets=tuple(snippets), applied_range=applied,
            model=backend.name if backend is not None else None,
        )
        similarity = self._similarity(understanding.question, snippets)
        relevant = self.relevant(understanding, snippets, notes, similarity)
        if self._score is not None and similarity:  # the score over the whole context, calibrated with meaning
            relevant = scored(self._score, query_terms(understanding), understanding.persons, snippets, relevant,
                              similarity, self._abstention)
        best_matches = tuple(s for _, s in rank_snippets(understanding, snippets)[:3])
        if not relevant:
            yield Answer(
                text=NOT_FOUND_TEXT, mode="not_found", citations=(), best_matches=best_matches,
                notes=tuple(notes), timings=_timings(started, t_understood, t_retrieved, t_context, None, None),
                **base,  # type: ignore[arg-type]
            )
            return
        # Once something relevant is found, the chooser picks among all snippets: the answer is often the reply
        # next to the message that shares the question's words, which itself is not "relevant".
        ranked = choose(understanding, snippets, snippets, similarity, self._chooser, self._abstention) \
            if self._chooser is not None else None
        extracted = extractive_answer(understanding, relevant, tz, self._composition, similarity, ranked)
        assert extracted is not None
        extracted = self.supported(extracted, understanding, snippets, similarity)

        if backend is None:
            yield self._extractive(extracted, snippets, base, notes, best_matches,
                                   _timings(started, t_understood, t_retrieved, t_context, None, None))
            return

        yield StageEvent("generating")
        stats = GenerationStats()
        pieces: list[str] = []
        section = self._prompt.section(self._style)
        prompt = self._render(question, snippets, tz)
        t_generate = time.perf_counter()
        first_token: float | None = None
        try:
            for piece in backend.stream(
                prompt, stop=section.get("stop") or None, max_tokens=self._max_tokens(), stats=stats
            ):
                if first_token is None:
                    first_token = time.perf_counter() - started
                pieces.append(piece)
                yield TokenEvent(piece)
        except ModelUnavailable as exc:
            notes.append(f"model unavailable, answering by quoting: {exc}")
            yield self._extractive(extracted, snippets, base, notes, best_matches,
                                   _timings(started, t_understood, t_retrieved, t_context, t_generate, None))
            return
        timings = _timings(started, t_understood, t_retrieved, t_context, t_generate, first_token)
        model_text = "".join(pieces).strip()
        validated = validate_answer(model_text, snippets, question, tz)
        if validated.text and understanding.answer_type == "when":
            validated = check_dates(validated, snippets, {s.number for s in relevant}, tz)
        common = dict(
            prompt_tokens=stats.prompt_tokens, prompt_version=self._prompt.version,
            dropped=validated.dropped, timings=timings, model_text=model_text,
        )
        if validated.text:
            by_number = {s.number: s for s in snippets}
            yield Answer(
                text=validated.text, mode="llm",
                citations=tuple(by_number[n] for n in validated.cited),
                best_matches=best_matches, notes=tuple(notes), **base, **common,  # type: ignore[arg-type]
            )
            return
        strongest = max(
            (coverage(query_terms(understanding), s.text) for s in relevant if person_fit(s, understanding.persons)),
            default=0.0,
        )
        if (validated.says_not_found or NOT_FOUND_RE.search(model_text)) and strongest < STRONG_COVERAGE:
            notes.append("the model found no answer in the snippets")
            yield Answer(
                text=NOT_FOUND_TEXT, mode="not_found", citations=(), best_matches=best_matches,
                notes=tuple(notes), **base, **common,  # type: ignore[arg-type]
            )
            return
        if model_text:
            notes.append("the model's answer had no valid, supported citation; quoting the memories instead")
        answer = self._extractive(extracted, snippets, base, notes, best_matches, timings)
        yield replace(answer, prompt_tokens=stats.prompt_tokens, prompt_version=self._prompt.version,
                      dropped=validated.dropped, model_text=model_text)

    # ------------------------------------------------------------------ steps

    def _resolve_anchor(
        self, understanding: Understanding, conversations: Sequence[str], notes: list[str]
    ) -> Understanding:
        """'the week before my trip': find the trip, then turn the anchor into a range."""
        anchor = understanding.event_anchor
        if anchor is None or understanding.time_range is not None:
            return understanding
        result = self._retriever.search(
            SearchRequest(query=anchor.event, k=1, conversations=tuple(conversations), parse_time=False)
        )
        if not result.hits:
            notes.append(f"could not find when {anchor.event!r} was; searched all time")
            return understanding
        event = result.hits[0]
        time_range = resolve_anchor(anchor, event.timestamp)
        notes.append(f"took {anchor.event!r} to be {event.timestamp:%d %b %Y} (item {event.item_id})")
        return replace(understanding, time_range=time_range)

    def _retrieve(
        self, understanding: Understanding, conversations: Sequence[str], notes: list[str]
    ) -> tuple[list[Hit], TimeRange | None]:
        time_range = understanding.time_range
        speakers = understanding.speakers
        sources, apps = understanding.sources, understanding.apps
        hits = self._search_variants(understanding.query, time_range, speakers, sources, apps, conversations)
        if not hits and time_range is not None:
            notes.append(f"nothing found {understanding.time_phrase or 'in that time'}; searched all time")
            time_range = None
            hits = self._search_variants(understanding.query, None, speakers, sources, apps, conversations)
        if not hits and speakers:
            notes.append(f"nothing from {', '.join(speakers)}; searched everyone")
            speakers = ()
            hits = self._search_variants(understanding.query, time_range, (), sources, apps, conversations)
        if not hits and (sources or apps):
            notes.append("nothing in that source; searched everywhere")
            hits = self._search_variants(understanding.query, time_range, speakers, (), (), conversations)
        return hits, time_range

    def _search_variants(
        self,
        query: str,
        time_range: TimeRange | None,
        speakers: tuple[str, ...],
        sources: tuple[str, ...],
        apps: tuple[str, ...],
        conversations: Sequence[str],
    ) -> list[Hit]:
        """One search, or two merged when "in Slack" means a Slack chat or the Slack app on screen."""
        base = SearchRequest(
            query=query, k=self._k, time_range=time_range, speakers=speakers,
            conversations=tuple(conversations), parse_time=False,
        )
        if not apps:
            return list(self._retriever.search(replace(base, sources=sources)).hits)
        chat_sources = tuple(s for s in sources if s != "screen")
        lists = [list(self._retriever.search(replace(base, sources=("screen",), apps=apps)).hits)]
        if chat_sources:
            lists.insert(0, list(self._retriever.search(replace(base, sources=chat_sources)).hits))
        return _interleave(lists, self._k)

    def relevant(self, understanding: Understanding, snippets: Sequence[Snippet], notes: list[str] | None = None,
                 similarity: Similarity | None = None) -> list[Snippet]:
        """The snippets that plausibly answer, under this answerer's abstention policy; empty means "not found".
        ``similarity`` (sentence → closeness in meaning to the question) lets the speaker margin weigh meaning."""
        notes = notes if notes is not None else []
        terms = query_terms(understanding)
        found = matching(snippets, terms, self._abstention)
        if not found:
            return []
        if understanding.persons:
            persons = subjects(snippets, understanding.persons, self._abstention)
            about = [s for s in found if about_persons(s, persons, self._abstention, terms)
                     and not echoes_other(s, snippets, persons, terms, similarity or {}, self._abstention)]
            if not about or outweighed(found, about, terms, self._abstention) \
                    or swapped_speaker(snippets, persons, terms, similarity or {}, self._abstention):
                notes.append(f"the matching memories are not about {', '.join(persons)}")
                return []
            return about
        return found

    def supported(self, extracted: Extracted, understanding: Understanding, snippets: Sequence[Snippet],
                  similarity: Similarity) -> Extracted:
        """``extracted`` citing also the snippets ``citer`` finds nearly as likely to answer (``core.answer.support``)."""
        if self._citer is None or len(extracted.cited) >= self._citing.max_citations:
            return extracted
        likely = choose(understanding, snippets, snippets, similarity, self._citer, self._abstention)
        numbers = supporting(extracted.cited, likely, self._citing)
        return Extracted(with_citations(extracted.text, extracted.cited, numbers), numbers)

    def _similarity(self, question: str, snippets: Sequence[Snippet]) -> dict[str, float]:
        """Sentence → similarity in meaning to the question, when the composition uses it and vectors exist
        (a vault without an embedder answers by shared words alone, as before)."""
        if self._embed is None or not (self._composition.meaning or self._abstention.speaker_margin):
            return {}
        try:
            return sentence_similarity(question, snippets, self._embed)
        except ModelUnavailable:
            return {}

    def _max_tokens(self) -> int:
        return int(self._prompt.section(self._style).get("max_tokens", 128))

    def _render(self, question: str, snippets: Sequence[Snippet], tz: tzinfo | None = None) -> str | list[Message]:
        section = self._prompt.section(self._style)
        lines = "\n".join(format_snippet(s, tz) for s in snippets)
        if self._style == "completion":
            parts = [
                fill(section["block"], snippets=ex["snippets"], question=ex["question"]) + ex["answer"]
                for ex in section.get("examples", [])
            ]
            parts.append(fill(section["block"], snippets=lines, question=question))
            return section.get("header", "") + section.get("separator", "\n\n").join(parts)
        messages = [Message("system", section["system"])]
        for ex in section.get("examples", []):
            messages.append(Message("user", ex["user"]))
            messages.append(Message("assistant", ex["assistant"]))
        messages.append(Message("user", fill(section["user"], snippets=lines, question=question)))
        return messages

    def _extractive(
        self,
        extracted: Extracted,
        snippets: Sequence[Snippet],
        base: dict[str, object],
        notes: list[str],
        best_matches: tuple[Snippet, ...],
        timings: Timings,
    ) -> Answer:
        by_number = {s.number: s for s in snippets}
        return Answer(
            text=extracted.text, mode="extractive",
            citations=tuple(by_number[n] for n in extracted.cited),
            best_matches=best_matches, notes=tuple(notes), timings=timings, **base,  # type: ignore[arg-type]
        )


def _interleave(lists: Sequence[list[Hit]], k: int) -> list[Hit]:
    """Round-robin merge of ranked hit lists, each item once."""
    out: list[Hit] = []
    seen: set[int] = set()
    for rank in range(max((len(x) for x in lists), default=0)):
        for hits in lists:
            if rank < len(hits) and hits[rank].item_id not in seen:
                seen.add(hits[rank].item_id)
                out.append(hits[rank])
    return out[:k]


def _timings(
    started: float,
    understood: float,
    retrieved: float,
    context: float,
    generate_start: float | None,
    first_token: float | None,
) -> Timings:
    end = time.perf_counter()
    return Timings(
        understand=understood - started,
        retrieve=retrieved - understood,
        context=context - retrieved,
        generate=(end - generate_start) if generate_start is not None else 0.0,
        first_token=first_token,
        total=end - started,
    )

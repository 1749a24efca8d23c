"""Test doubles for the answerer: an in-memory retriever and scripted model backends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.answer.text import content_terms
from core.llm.backend import GenerationStats, Grammar, Prompt
from core.retrieve.types import Hit, SearchRequest, SearchResult
from core.types import ChunkId, ItemId


@dataclass(frozen=True)
class Memo:
    """One stored memory for ``FakeRetriever``."""

    text: str
    timestamp: datetime
    speaker: str | None = None
    source: str = "chat:whatsapp"
    conversation: str | None = "friends"
    app: str | None = None
    external_id: str | None = None


@dataclass
class FakeRetriever:
    """Term-overlap search over ``memos`` honouring every filter; records the requests it got."""

    memos: list[Memo]
    requests: list[SearchRequest] = field(default_factory=list)

    def search(self, request: SearchRequest) -> SearchResult:
        self.requests.append(request)
        terms = set(content_terms(request.query))
        scored = []
        for index, memo in enumerate(self.memos):
            if not self._passes(memo, request):
                continue
            overlap = len(terms & set(content_terms(memo.text)))
            if overlap:
                scored.append((overlap, index, memo))
        scored.sort(key=lambda t: (-t[0], t[1]))
        hits = [self.hit(index, score) for score, index, _ in scored[: request.k]]
        return SearchResult(hits=hits, query_text=request.query, applied_range=request.time_range, range_phrase=None)

    def hit(self, index: int, score: float = 1.0) -> Hit:
        memo = self.memos[index]
        return Hit(
            item_id=ItemId(index + 1), chunk_id=ChunkId(index + 1), score=float(score), source=memo.source,
            kind="message", external_id=memo.external_id or f"m{index + 1}", conversation=memo.conversation,
            speaker=memo.speaker, title=None, timestamp=memo.timestamp, text=memo.text, snippet=memo.text,
            app=memo.app,
        )

    @staticmethod
    def _passes(memo: Memo, request: SearchRequest) -> bool:
        r = request.time_range
        if r is not None and not r.contains(memo.timestamp):
            return False
        if request.speakers and (memo.speaker or "").lower() not in {s.lower() for s in request.speakers}:
            return False
        if request.sources and not any(
            memo.source == s or memo.source.startswith(s + ":") for s in request.sources
        ):
            return False
        if request.apps and (memo.app or "").lower() not in {a.lower() for a in request.apps}:
            return False
        return not (request.conversations and memo.conversation not in request.conversations)

    def neighbours(self, item_id: ItemId, before: int = 3, after: int = 3) -> list[NeighbourView]:
        index = int(item_id) - 1
        conv = self.memos[index].conversation
        same = [i for i, m in enumerate(self.memos) if m.conversation == conv]
        pos = same.index(index)
        picked = same[max(0, pos - before) : pos] + same[pos + 1 : pos + 1 + after]
        return [NeighbourView.of(i, self.memos[i]) for i in picked]


@dataclass(frozen=True)
class NeighbourView:
    id: ItemId
    source: str
    timestamp: datetime
    text: str
    speaker: str | None
    conversation: str | None
    title: str | None = None
    external_id: str | None = None

    @classmethod
    def of(cls, index: int, memo: Memo) -> NeighbourView:
        return cls(ItemId(index + 1), memo.source, memo.timestamp, memo.text, memo.speaker, memo.conversation,
                   None, memo.external_id)


class ScriptedBackend:
    """An ``LLMBackend`` that 'generates' a fixed text, a few characters at a time."""

    def __init__(self, text: str, name: str = "scripted") -> None:
        self.text = text
        self.prompts: list[Prompt] = []
        self.cancelled = False
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def context_tokens(self) -> int:
        return 4096

    def stream(self, prompt: Prompt, *, stop: Sequence[str] | None = None, grammar: Grammar | None = None,
               max_tokens: int = 256, temperature: float = 0.0,
               stats: GenerationStats | None = None) -> Iterator[str]:
        self.prompts.append(prompt)
        if stats is not None:
            stats.prompt_tokens = self.count_tokens(prompt)
        try:
            for start in range(0, len(self.text), 4):
                yield self.text[start : start + 4]
        except GeneratorExit:
            self.cancelled = True
            raise

    def complete(self, prompt: Prompt, **kwargs: object) -> str:
        return "".join(self.stream(prompt, **kwargs))  # type: ignore[arg-type]

    def count_tokens(self, prompt: Prompt) -> int:
        text = prompt if isinstance(prompt, str) else " ".join(m.content for m in prompt)
        return len(text) // 4 + 1

    def cancel(self) -> None:
        self.cancelled = True

    def close(self) -> None:
        pass

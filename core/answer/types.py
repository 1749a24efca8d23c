"""What the answerer takes and gives back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from core.retrieve.timeparse import EventAnchor
from core.retrieve.types import SearchRequest, SearchResult
from core.types import ItemId, TimeRange

NOT_FOUND_TEXT = "I don't find this in your memory."


class Retriever(Protocol):
    """Anything that searches memories (``core.vault.Vault`` is one)."""

    def search(self, request: SearchRequest) -> SearchResult: ...


class NeighbourItem(Protocol):
    """The fields the answerer reads from a neighbouring item (``core.vault.ItemView`` has them)."""

    @property
    def id(self) -> ItemId: ...
    @property
    def source(self) -> str: ...
    @property
    def timestamp(self) -> datetime: ...
    @property
    def text(self) -> str: ...
    @property
    def speaker(self) -> str | None: ...
    @property
    def conversation(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...


class Neighbours(Protocol):
    """``vault.neighbours``: items around one, same conversation/episode, in time order."""

    def __call__(self, item_id: ItemId, before: int = 3, after: int = 3) -> Sequence[NeighbourItem]: ...


@dataclass(frozen=True, slots=True)
class Snippet:
    """One numbered piece of memory shown to the model and cited in the answer.

    ``number`` starts at 1.  ``rank`` is the retrieval rank of the hit it
    belongs to (neighbours share their hit's rank); ``is_hit`` is False for
    context pulled in around a hit.
    """

    number: int
    item_id: ItemId
    timestamp: datetime
    source: str
    text: str
    speaker: str | None = None
    conversation: str | None = None
    title: str | None = None
    external_id: str | None = None
    rank: int = 0
    score: float = 0.0
    is_hit: bool = True
    cosine: float | None = None  # the hit's vector similarity, when the search had one


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the question asks, before any search.

    ``answer_type``: ``"clock"``, ``"when"``, ``"where"``, ``"who"``, ``"yes_no"``, ``"list"`` or ``"what"``.
    ``query`` is the text to search for (time and filter phrases removed).
    ``persons`` are names the question is about (a soft preference);
    ``speakers`` are explicit "from X" filters.
    """

    question: str
    query: str
    answer_type: str
    time_range: TimeRange | None = None
    time_phrase: str | None = None
    event_anchor: EventAnchor | None = None
    sources: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    filter_phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds spent in each step (``first_token`` from the start of ``ask``)."""

    understand: float = 0.0
    retrieve: float = 0.0
    context: float = 0.0
    generate: float = 0.0
    first_token: float | None = None
    total: float = 0.0


@dataclass(frozen=True, slots=True)
class Answer:
    """The final answer.

    ``mode``: ``"llm"`` (model sentences, each with a valid, supported
    citation), ``"extractive"`` (quoted from the memories, no model text) or
    ``"not_found"`` (``text`` says so; ``best_matches`` lists what came
    closest).  ``citations`` are the snippets the ``[n]`` in ``text`` name (a citation is its snippet).
    ``dropped`` lists model sentences or citation numbers that failed
    validation (for ``--explain``), never shown as fact.
    """

    question: str
    text: str
    mode: str
    citations: tuple[Snippet, ...]
    understanding: Understanding
    snippets: tuple[Snippet, ...]
    best_matches: tuple[Snippet, ...] = ()
    applied_range: TimeRange | None = None
    notes: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    prompt_tokens: int = 0
    model_text: str | None = None  # the model's raw output, before validation (for --explain)
    model: str | None = None
    prompt_version: int | None = None
    timings: Timings = field(default_factory=Timings)

    @property
    def item_ids(self) -> tuple[ItemId, ...]:
        return tuple(c.item_id for c in self.citations)


@dataclass(frozen=True, slots=True)
class TokenEvent:
    """A piece of model output as it streams (not yet validated: show it as 'drafting')."""

    text: str


@dataclass(frozen=True, slots=True)
class StageEvent:
    """Progress: ``stage`` is ``"retrieved"`` (with the snippets) or ``"generating"``."""

    stage: str
    snippets: tuple[Snippet, ...] = ()


AnswerEvent = TokenEvent | StageEvent | Answer
"""What ``Answerer.ask`` yields: stages and tokens as they come, an ``Answer`` last."""

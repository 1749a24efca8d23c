"""What Cairn needs from a language model, whatever runs it.

The answerer, extraction and summaries talk to a ``LLMBackend``; the
llama.cpp one (``core.llm.llama_backend``) is the real thing, tests use fakes.

A prompt is either a list of chat ``Message``s (rendered with the model's
chat template) or a plain string (raw completion, no template: what a small
base model follows best with few-shot examples).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Message:
    """One chat turn: ``role`` is ``"system"``, ``"user"`` or ``"assistant"``."""

    role: str
    content: str


Prompt = str | Sequence[Message]


@dataclass(frozen=True, slots=True)
class Grammar:
    """A llama.cpp GBNF grammar constraining the output (see ``core.llm.grammars``)."""

    gbnf: str
    name: str = "grammar"


@dataclass(slots=True)
class GenerationStats:
    """Filled in by a backend as a generation runs (pass one in to read it).

    Times are seconds from the call; ``first_token_s`` is ``None`` until a
    token arrives.  ``cancelled`` says the generation was stopped early.
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_s: float | None = None
    total_s: float = 0.0
    cancelled: bool = False


@runtime_checkable
class LLMBackend(Protocol):
    """A loaded (or lazily loading) model.

    Threads: every method may be called from any thread; a backend serialises
    generations itself (one model instance, requests queued in order).
    Errors: ``core.errors.ModelUnavailable`` when the model cannot be loaded.
    """

    @property
    def name(self) -> str:
        """A short label for the model ("gemma-3-270m-q4_k_m")."""
        ...

    @property
    def context_tokens(self) -> int:
        """The context window (prompt plus output) in tokens."""
        ...

    def stream(
        self,
        prompt: Prompt,
        *,
        stop: Sequence[str] | None = None,
        grammar: Grammar | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        """Yield the output text piece by piece.

        The iterator ends at a stop string (not included), the end of the
        model's turn, ``max_tokens``, or ``cancel()``.  Closing the iterator
        early cancels the generation.
        """
        ...

    def complete(
        self,
        prompt: Prompt,
        *,
        stop: Sequence[str] | None = None,
        grammar: Grammar | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stats: GenerationStats | None = None,
    ) -> str:
        """The whole output of ``stream`` as one string."""
        ...

    def count_tokens(self, prompt: Prompt) -> int:
        """How many tokens ``prompt`` takes, template included."""
        ...

    def cancel(self) -> None:
        """Stop the running generation and drop the queued ones (their iterators end)."""
        ...

    def close(self) -> None:
        """Free the model; later calls raise ``ModelUnavailable``."""
        ...

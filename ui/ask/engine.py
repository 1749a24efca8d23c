"""Turns a question into a stream of UI events, through ``core.answer.Answerer``.

:class:`AskEngine` owns one answerer and (lazily) one language-model backend
per unlocked vault: the model loads on the first question (not at start-up,
so the idle app stays small) and is closed on lock or after a quiet spell.
``events(question)`` runs on a worker thread and yields :class:`Status`,
core's ``TokenEvent`` (model draft text, not yet validated), then one :class:`Final`
holding the validated answer and its citations.  ``cancel()`` may be called
from any thread and stops generation promptly.

The answerer and the model come from ``core.assistant`` (the one place that
builds them); the events here are what the Ask page shows.

Threads: ``events`` and ``close`` on workers; ``cancel`` from any thread;
nothing here touches Qt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from core import env as env_switch
from core.answer.types import TokenEvent
from core.assistant import Assistant
from ui import fmt

if TYPE_CHECKING:
    from core.answer import Answer, Citation
    from core.settings import Settings
    from core.vault import Vault


@dataclass(frozen=True, slots=True)
class Status:
    text: str


@dataclass(frozen=True, slots=True)
class Final:
    text: str
    citations: list[Citation] = field(default_factory=list)
    range_text: str | None = None
    sources: tuple[str, ...] = ()
    found: bool = True
    mode: str = "extractive"  # "llm", "extractive" or "not_found"
    notes: tuple[str, ...] = ()
    best_matches: list[Citation] = field(default_factory=list)
    model: str | None = None


AskEvent = TokenEvent | Status | Final


class AskEngine:
    """One vault's answering machinery as UI events.  Create on the GUI thread, use from workers."""

    def __init__(self, vault: Vault, settings: Settings, *, use_model: bool | None = None) -> None:
        if use_model is None:
            use_model = env_switch.ASK_MODEL.get() != "0"
        self._assistant = Assistant(vault, settings, use_model=use_model)

    @property
    def use_model(self) -> bool:
        return self._assistant.use_model

    # -- worker side ----------------------------------------------------------------------------
    def events(self, question: str) -> Iterator[AskEvent]:
        """Stream the answer to ``question``.  Retrieval errors propagate (the panel shows them)."""
        from core.answer import Answer, StageEvent

        answerer = self._assistant.answerer()
        model = self._assistant.model_loaded and self.use_model
        yield Status("Searching your memory…")
        now = datetime.now().astimezone()
        for event in answerer.ask(question, now=now, use_model=model):
            if isinstance(event, TokenEvent):
                if event.text:
                    yield event
            elif isinstance(event, StageEvent):
                if event.stage == "retrieved":
                    n = len(event.snippets)
                    yield Status(f"Found {n} relevant memor{'y' if n == 1 else 'ies'}; "
                                 + ("writing the answer…" if model else "quoting them…"))
                elif event.stage == "generating":
                    yield Status("Writing the answer…")
            elif isinstance(event, Answer):
                yield _final(event, self._assistant.backend_problem)

    def cancel(self) -> None:
        self._assistant.cancel()

    def close(self) -> None:
        """Free the model (blocks until its thread stops; call from a worker)."""
        self._assistant.close()

    @property
    def settings(self) -> Settings:
        return self._assistant.settings

    @property
    def model_loaded(self) -> bool:
        return self._assistant.model_loaded


def _final(answer: Answer, backend_problem: str | None) -> Final:
    citations, best = list(answer.citations), list(answer.best_matches)
    phrase = answer.understanding.time_phrase
    range_text = None
    if answer.applied_range is not None:
        range_text = (f"“{phrase}” → " if phrase else "") + fmt.describe_range(answer.applied_range)
    notes = list(answer.notes)
    if backend_problem:
        notes.append(f"no language model ({backend_problem})")
    return Final(
        text=answer.text, citations=citations, range_text=range_text,
        sources=tuple(sorted({c.source for c in citations})), found=answer.mode != "not_found",
        mode=answer.mode, notes=tuple(notes), best_matches=best, model=answer.model,
    )


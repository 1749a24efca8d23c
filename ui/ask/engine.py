"""Turns a question into a stream of UI events, through ``core.answer.Answerer``.

:class:`AskEngine` owns one answerer and (lazily) one language-model backend
per unlocked vault: the model loads on the first question (not at start-up,
so the idle app stays small) and is closed on lock or after a quiet spell.
``events(question)`` runs on a worker thread and yields :class:`Status`,
:class:`Token` (model draft text, not yet validated), then one :class:`Final`
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
from typing import TYPE_CHECKING, Any

from core import env as env_switch
from core.assistant import Assistant
from ui import fmt

if TYPE_CHECKING:
    from core.answer import Answer
    from core.settings import Settings
    from core.vault import Vault


@dataclass(frozen=True, slots=True)
class Citation:
    number: int
    item_id: int
    source: str
    timestamp: datetime
    snippet: str
    speaker: str | None = None
    title: str | None = None
    kind: str = ""
    conversation: str | None = None
    app: str | None = None


@dataclass(frozen=True, slots=True)
class Token:
    text: str


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


AskEvent = Token | Status | Final


class AskEngine:
    """One vault's answering machinery as UI events.  Create on the GUI thread, use from workers."""

    def __init__(self, vault: Vault, settings: Settings, *, use_model: bool | None = None) -> None:
        if use_model is None:
            use_model = env_switch.ASK_MODEL.get() != "0"
        self._assistant = Assistant(vault, settings, use_model=use_model)
        self._vault = vault

    @property
    def use_model(self) -> bool:
        return self._assistant.use_model

    # -- worker side ----------------------------------------------------------------------------
    def events(self, question: str) -> Iterator[AskEvent]:
        """Stream the answer to ``question``.  Retrieval errors propagate (the panel shows them)."""
        from core.answer import Answer, StageEvent, TokenEvent

        answerer = self._assistant.answerer()
        model = self._assistant.model_loaded and self.use_model
        yield Status("Searching your memory…")
        now = datetime.now().astimezone()
        for event in answerer.ask(question, now=now, use_model=model):
            if isinstance(event, TokenEvent):
                if event.text:
                    yield Token(event.text)
            elif isinstance(event, StageEvent):
                if event.stage == "retrieved":
                    n = len(event.snippets)
                    yield Status(f"Found {n} relevant memor{'y' if n == 1 else 'ies'}; "
                                 + ("writing the answer…" if model else "quoting them…"))
                elif event.stage == "generating":
                    yield Status("Writing the answer…")
            elif isinstance(event, Answer):
                yield _named(_final(event, self._assistant.backend_problem), self._vault)

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
    citations = [_citation(c) for c in answer.citations]
    best = [_citation(c) for c in answer.best_matches]
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


def _named(final: Final, vault: Vault) -> Final:
    """The cited memories' conversation, title and app, so the sources can be named as the user knows them."""
    from dataclasses import replace

    def named(ci: Citation) -> Citation:
        try:
            item = vault.get_item(ci.item_id)
        except Exception:  # forgotten meanwhile: the citation keeps what the answer had
            return ci
        app = (item.meta or {}).get("app")
        return replace(ci, conversation=item.conversation, title=ci.title or item.title,
                       app=str(app) if app else None, kind=ci.kind or item.kind)

    return replace(final, citations=[named(c) for c in final.citations],
                   best_matches=[named(c) for c in final.best_matches])


def _citation(raw: Any) -> Citation:
    return Citation(number=int(raw.number), item_id=int(raw.item_id), source=str(raw.source),
                    timestamp=raw.timestamp, snippet=str(raw.text), speaker=raw.speaker)

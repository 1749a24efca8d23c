"""Turns a question into a stream of UI events, through ``core.answer.Answerer``.

:class:`AskEngine` owns one answerer and (lazily) one language-model backend
per unlocked vault: the model loads on the first question (not at start-up,
so the idle app stays small) and is closed on lock or after a quiet spell.
``events(question)`` runs on a worker thread and yields :class:`Status`,
:class:`Token` (model draft text, not yet validated), then one :class:`Final`
holding the validated answer and its citations.  ``cancel()`` may be called
from any thread and stops generation promptly.

When ``core.answer`` cannot be imported, an extractive answer is built from
the vault's search instead: the best matching snippets, each cited, never an
invented sentence.

Threads: ``events`` and ``close`` on workers; ``cancel`` from any thread;
nothing here touches Qt.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)
USE_MODEL_ENV = "CAIRN_ASK_MODEL"  # "0": extractive answers only (no model is loaded)


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
    """One vault's answering machinery.  Create on the GUI thread, use from workers."""

    def __init__(self, vault: Any, settings: Any, models_dir: Any, *, use_model: bool | None = None) -> None:
        self._vault = vault
        self._settings = settings
        self._models_dir = models_dir
        if use_model is None:
            use_model = os.environ.get(USE_MODEL_ENV, "1") != "0"
        self.use_model = use_model
        self._lock = threading.Lock()
        self._answerer: Any = None
        self._backend: Any = None
        self._backend_failed: str | None = None

    # -- worker side ----------------------------------------------------------------------------
    def events(self, question: str) -> Iterator[AskEvent]:
        """Stream the answer to ``question``.  Retrieval errors propagate (the panel shows them)."""
        try:
            from core.answer import Answer, StageEvent, TokenEvent
        except ImportError:
            yield from extractive_events(self._vault, question)
            return
        answerer = self._get_answerer()
        yield Status("Searching your memory…")
        now = datetime.now().astimezone()
        for event in answerer.ask(question, now=now, use_model=self.use_model and self._backend is not None):
            if isinstance(event, TokenEvent):
                if event.text:
                    yield Token(event.text)
            elif isinstance(event, StageEvent):
                if event.stage == "retrieved":
                    n = len(event.snippets)
                    yield Status(f"Found {n} relevant memor{'y' if n == 1 else 'ies'}; "
                                 + ("writing the answer…" if self._backend is not None and self.use_model
                                    else "quoting them…"))
                elif event.stage == "generating":
                    yield Status("Writing the answer…")
            elif isinstance(event, Answer):
                yield _final(event, self._backend_failed)

    def cancel(self) -> None:
        backend = self._backend
        if backend is not None:
            try:
                backend.cancel()
            except Exception:
                log.debug("cancelling the model failed", exc_info=True)

    def close(self) -> None:
        """Free the model (blocks until its thread stops; call from a worker)."""
        with self._lock:
            backend, self._backend = self._backend, None
            self._answerer = None
        if backend is not None:
            backend.close()

    @property
    def settings(self) -> Any:
        return self._settings

    @property
    def model_loaded(self) -> bool:
        return self._backend is not None

    def _get_answerer(self) -> Any:
        with self._lock:
            if self._answerer is not None:
                return self._answerer
            from core.answer import Answerer

            backend = None
            if self.use_model:
                try:
                    from core.llm.llama_backend import backend_from_settings

                    backend = backend_from_settings(self._settings, self._models_dir)
                except Exception as exc:  # no model: answers stay extractive, and say why
                    self._backend_failed = str(exc) or type(exc).__name__
                    log.warning("language model unavailable: %s", exc)
            self._backend = backend
            self._answerer = Answerer(self._vault, neighbours=self._vault.neighbours, backend=backend,
                                      context_budget=self._settings.answer_context_budget)
            return self._answerer


def _final(answer: Any, backend_problem: str | None) -> Final:
    citations = [_citation(c) for c in answer.citations]
    best = [_citation(c) for c in getattr(answer, "best_matches", ())]
    understanding = getattr(answer, "understanding", None)
    phrase = getattr(understanding, "time_phrase", None)
    range_text = None
    if answer.applied_range is not None:
        range_text = (f"“{phrase}” → " if phrase else "") + describe_range(answer.applied_range)
    notes = list(answer.notes)
    if backend_problem:
        notes.append(f"no language model ({backend_problem})")
    return Final(
        text=answer.text, citations=citations, range_text=range_text,
        sources=tuple(sorted({c.source for c in citations})), found=answer.mode != "not_found",
        mode=answer.mode, notes=tuple(notes), best_matches=best, model=getattr(answer, "model", None),
    )


def _citation(raw: Any) -> Citation:
    return Citation(number=int(raw.number), item_id=int(raw.item_id), source=str(raw.source),
                    timestamp=raw.timestamp, snippet=str(raw.text), speaker=raw.speaker)


# -- extractive fallback (no core.answer in this build) ----------------------------------------------
def extractive_events(vault: Any, question: str, k: int = 6, shown: int = 3) -> Iterator[AskEvent]:
    from core.retrieve.types import SearchRequest

    yield Status("Searching your memory…")
    result = vault.search(SearchRequest(query=question, k=k))
    range_text = None
    if result.applied_range is not None:
        range_text = (f"“{result.range_phrase}” → " if result.range_phrase else "") + \
            describe_range(result.applied_range)
    hits = [h for h in result.hits if h.snippet or h.text][:shown]
    if not hits:
        yield Final("I don't find this in your memory.", [], range_text, (), found=False, mode="not_found",
                    notes=tuple(result.notes))
        return
    citations = [Citation(number=i + 1, item_id=int(h.item_id), source=h.source, timestamp=h.timestamp,
                          snippet=h.snippet or h.text, speaker=h.speaker, title=h.title, kind=h.kind)
                 for i, h in enumerate(hits)]
    lines = []
    for c in citations:
        when = c.timestamp.astimezone().strftime("%a %d %b %Y, %H:%M")
        who = c.speaker or c.title or ""
        lines.append(f"{when}{' — ' + who if who else ''}: “{' '.join(c.snippet.split())}” [{c.number}]")
    yield Final("\n".join(lines), citations, range_text, tuple(sorted({c.source for c in citations})),
                found=True, mode="extractive", notes=tuple(result.notes))


def describe_range(time_range: Any) -> str:
    """``14 Nov 2026 – 20 Nov 2026`` (the end is exclusive, so the last day shown is end − 1 s)."""
    start, end = getattr(time_range, "start", None), getattr(time_range, "end", None)
    f = "%d %b %Y"
    last = (end - timedelta(seconds=1)).astimezone() if end is not None else None
    if start and last:
        first = start.astimezone()
        return first.strftime(f) if first.date() == last.date() else f"{first.strftime(f)} – {last.strftime(f)}"
    if start:
        return f"since {start.astimezone().strftime(f)}"
    if last:
        return f"until {last.strftime(f)}"
    return "any time"

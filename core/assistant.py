"""The one place that builds model back-ends and answerers: the app's Ask, `cairn ask`, the MCP server, consolidation.

``open_backend(settings, models_dir)`` loads the language model the settings
name (the packaged Gemma 3 270M, or the user's GGUF).  ``Assistant`` is one
vault's answering machinery: an ``Answerer`` over the vault and, when asked
for, the model, loaded on first use (so an idle app stays small) and closed
by ``close()``.  A model that cannot load leaves answers extractive and says
why (``backend_problem``).  Each question re-reads the vault's settings: a
different model (``cairn model use``, Settings → Model) or model setting
closes the old model and loads the new one then, with no restart.

Threads: ``answerer()`` and ``close()`` from workers, one at a time (a lock
guards the build); ``cancel()`` from any thread.  Errors: ``open_backend``
raises ``core.errors.ModelUnavailable``; ``Assistant`` never raises for a
missing model, only records it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.answer import Answerer
    from core.llm.backend import LLMBackend
    from core.settings import Settings
    from core.vault import Vault

log = logging.getLogger(__name__)


def open_backend(settings: Settings, models_dir: Path) -> LLMBackend:
    """The language model the settings name, loaded on its own thread (llama.cpp)."""
    from core.llm.llama_backend import backend_from_settings  # late: llama.cpp is heavy

    return backend_from_settings(settings, models_dir)


class Assistant:
    """One vault's answerer and (optionally) its model.  See the module doc."""

    def __init__(self, vault: Vault, settings: Settings | None = None, *, use_model: bool = True) -> None:
        self.vault = vault
        self.settings = settings or vault.settings()
        self.use_model = use_model
        self.backend_problem: str | None = None
        self._lock = threading.Lock()
        self._answerer: Answerer | None = None
        self._backend: LLMBackend | None = None

    @property
    def model_loaded(self) -> bool:
        return self._backend is not None

    def answerer(self) -> Answerer:
        with self._lock:
            self._follow_settings()
            if self._answerer is None:
                from core.answer import Answerer

                if self.use_model:
                    try:
                        self._backend = open_backend(self.settings, self.vault.paths.models_dir)
                    except Exception as exc:  # no model: answers stay extractive, and say why
                        self.backend_problem = str(exc) or type(exc).__name__
                        log.warning("language model unavailable: %s", exc)
                self._answerer = Answerer(self.vault, neighbours=self.vault.neighbours, backend=self._backend,
                                          context_budget=self.settings.answer_context_budget,
                                          embed=self._embed_sentences)
            return self._answerer

    def _embed_sentences(self, texts: Sequence[str]) -> Any:
        """The vault's sentence vectors (loaded on first use; the vault may release them while idle)."""
        from core.errors import ModelUnavailable

        embedder = self.vault.embedder()
        if embedder is None:
            raise ModelUnavailable("this vault has no sentence embedder")
        return embedder.embed(list(texts))

    def _follow_settings(self) -> None:
        """Drop the answerer (and model) built for settings that have since changed (lock held)."""
        try:
            fresh = self.vault.settings()
        except Exception:  # a locked or closing vault: keep what we have; the search will say why
            return
        if _model_key(fresh) == _model_key(self.settings):
            return
        self.settings = fresh
        backend, self._backend, self._answerer = self._backend, None, None
        self.backend_problem = None
        if backend is not None:
            backend.close()

    def cancel(self) -> None:
        backend = self._backend
        if backend is not None:
            try:
                backend.cancel()
            except Exception:
                log.debug("cancelling the model failed", exc_info=True)

    def close(self) -> None:
        """Free the model (blocks until its thread stops)."""
        with self._lock:
            backend, self._backend = self._backend, None
            self._answerer = None
        if backend is not None:
            backend.close()


def _model_key(settings: Settings) -> tuple[object, ...]:
    """The settings an answerer and its model are built from."""
    return (settings.model_path, settings.llm_chat_format, settings.llm_context_tokens, settings.llm_threads,
            settings.answer_context_budget)

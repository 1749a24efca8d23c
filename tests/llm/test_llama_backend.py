"""The llama.cpp backend with real GGUF files: a tiny one built here, and the packaged default."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import ModelUnavailable
from core.llm.backend import GenerationStats, LLMBackend, Message
from core.llm.grammars import choice_grammar
from core.llm.llama_backend import LlamaBackend, physical_cores
from core.llm.registry import custom_model, ensure_default_model
from tests.llm.tiny_gguf import build_tiny_gguf


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaBackend]:
    path = build_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny-test.gguf")
    backend = LlamaBackend(custom_model(path), context_tokens=256, threads=1)
    yield backend
    backend.close()


def test_a_custom_gguf_loads_with_its_own_chat_template(tiny: LlamaBackend) -> None:
    assert isinstance(tiny, LLMBackend)
    assert tiny.load() >= 0
    assert tiny.chat_format == "gguf"
    assert "<|im_start|>" in tiny.metadata()["tokenizer.chat_template"]
    # The template is applied: a chat prompt costs more tokens than its bare text.
    bare = tiny.count_tokens("hello")
    chat = tiny.count_tokens([Message("system", "be brief"), Message("user", "hello")])
    assert chat > bare + 4


def test_generation_streams_counts_and_respects_max_tokens(tiny: LlamaBackend) -> None:
    stats = GenerationStats()
    pieces = list(tiny.stream([Message("user", "what did I do in Paris")], max_tokens=5, stats=stats))
    assert 0 < len(pieces) <= 5
    assert stats.prompt_tokens > 0 and stats.completion_tokens == len(pieces)
    assert stats.first_token_s is not None and stats.total_s >= stats.first_token_s
    assert not stats.cancelled


def test_a_grammar_constrains_even_a_random_model(tiny: LlamaBackend) -> None:
    for seed_text in ("is it", "did I", "when"):
        out = tiny.complete(seed_text, grammar=choice_grammar(["yes", "no"]), max_tokens=4)
        assert out in ("yes", "no")


def test_requests_from_many_threads_are_served_one_by_one(tiny: LlamaBackend) -> None:
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def ask(i: int) -> None:
        try:
            results[i] = tiny.complete(f"the meeting {i}", max_tokens=3)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 4


def test_closing_the_iterator_or_cancel_stops_generation(tiny: LlamaBackend) -> None:
    stats = GenerationStats()
    stream = tiny.stream("the", max_tokens=200, stats=stats)
    next(stream)
    tiny.cancel()
    rest = list(stream)
    assert len(rest) < 199
    assert stats.cancelled
    # The backend still works afterwards.
    assert tiny.complete("the", max_tokens=2) is not None


def test_prompt_longer_than_the_context_is_a_clear_error(tiny: LlamaBackend) -> None:
    with pytest.raises(ModelUnavailable, match="does not fit"):
        tiny.complete("the meeting " * 400, max_tokens=2)


def test_a_broken_gguf_and_a_closed_backend_raise_model_unavailable(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(64))
    backend = LlamaBackend(custom_model(broken), context_tokens=128, threads=1)
    with pytest.raises(ModelUnavailable, match="could not be loaded"):
        backend.load()
    backend.close()
    with pytest.raises(ModelUnavailable, match="closed"):
        backend.complete("hi")


def test_threads_default_to_physical_cores(tmp_path: Path) -> None:
    path = build_tiny_gguf(tmp_path / "t.gguf")
    backend = LlamaBackend(custom_model(path), threads=0)
    try:
        assert backend.threads == physical_cores() >= 1
    finally:
        backend.close()


def test_the_default_model_through_the_custom_path_route() -> None:
    """The packaged Gemma GGUF, chosen as a user path: no template in the file, so the
    architecture's turn format is used; it generates text."""
    path = ensure_default_model(Path(os.environ["CAIRN_MODELS_DIR"]))
    backend = LlamaBackend(custom_model(path), context_tokens=512)
    try:
        backend.load()
        assert "tokenizer.chat_template" not in backend.metadata()
        assert backend.chat_format == "gemma"
        text = backend.complete("The capital of France is", max_tokens=8)
        assert text.strip()
    finally:
        backend.close()

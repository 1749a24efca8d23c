"""The real default model answers from a small real (encrypted) vault."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.answer import Answer, Answerer, TokenEvent
from core.llm.llama_backend import LlamaBackend, backend_from_settings
from core.settings import Settings
from core.types import Record

BASE = datetime(2024, 10, 12, 9, 0, tzinfo=UTC)
CHAT = [
    ("Sam", "Are we still on for the cabin this weekend?"),
    ("Ana", "Yes! Leaving Friday after work."),
    ("Sam", "The wifi password at the cabin is pinecone42."),
    ("Ana", "Perfect, thanks. Should I bring anything?"),
    ("Sam", "Bring boots, the trail is muddy."),
    ("Ana", "My sister's birthday dinner is at Lucia's on the 20th."),
]


@pytest.fixture(scope="module")
def backend() -> Iterator[LlamaBackend]:
    import os
    from pathlib import Path

    b = backend_from_settings(Settings(llm_context_tokens=2048), Path(os.environ["CAIRN_MODELS_DIR"]))
    b.load()
    yield b
    b.close()


@pytest.mark.slow
def test_default_model_answers_a_simple_question_with_a_valid_citation(lexical_vault, backend) -> None:  # type: ignore[no-untyped-def]
    records = [
        Record(source="chat:jsonl", external_id=f"m{i}", kind="message", timestamp=BASE + timedelta(minutes=i),
               text=text, conversation="cabin trip", speaker=speaker)
        for i, (speaker, text) in enumerate(CHAT)
    ]
    lexical_vault.ingest(records, embed=False)
    answerer = Answerer(lexical_vault, neighbours=lexical_vault.neighbours, backend=backend)
    assert answerer.prompt_style == "completion"  # the packaged base model
    events = list(answerer.ask("What is the wifi password at the cabin?", now=BASE + timedelta(days=3)))
    answer = events[-1]
    assert isinstance(answer, Answer)
    assert any(isinstance(e, TokenEvent) for e in events), "the model streamed tokens"
    assert answer.model_text is not None and answer.prompt_tokens > 0
    assert answer.mode in ("llm", "extractive")
    cited_ids = {c.external_id for c in answer.citations}
    assert "m2" in cited_ids
    assert "pinecone42" in answer.text or answer.mode == "llm"

    missing = answerer.answer("What is Sam's phone number?", now=BASE + timedelta(days=3))
    assert missing.mode == "not_found" and not missing.citations

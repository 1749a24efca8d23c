"""Switching the model takes effect on the next question, without restarting (real llama.cpp, real vault)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.assistant import Assistant
from core.types import Record
from tests.llm.tiny_gguf import build_tiny_gguf


def test_the_assistant_follows_a_changed_model_setting(lexical_vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = build_tiny_gguf(tmp_path / "first-model.gguf", seed=1)
    second = build_tiny_gguf(tmp_path / "second-model.gguf", seed=2)
    lexical_vault.ingest([Record(source="chat:jsonl", external_id="m1", kind="message",
                                 timestamp=datetime(2024, 5, 1, 9, tzinfo=UTC), text="The door code is 4417.",
                                 conversation="home", speaker="Ana")], embed=False)
    # One thread: llama.cpp's spinning thread sync crawls on a shared, oversubscribed CPU.
    lexical_vault.update_settings(model_path=str(first), llm_threads=1)
    assistant = Assistant(lexical_vault)
    try:
        answer = assistant.answerer().answer("What is the door code?")
        assert answer.model == "first-model"
        lexical_vault.update_settings(model_path=str(second))  # what `cairn model use` and Settings → Save do
        answer = assistant.answerer().answer("What is the door code?")
        assert answer.model == "second-model"
        assert answer.citations and answer.citations[0].external_id == "m1"
    finally:
        assistant.close()

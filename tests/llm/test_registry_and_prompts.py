"""Model registry (default model assembly, custom paths, clear errors), prompt files, grammars."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.errors import ModelUnavailable
from core.llm.grammars import choice_grammar, cited_sentence_grammar, json_schema_grammar
from core.llm.prompts import fill, load_prompt
from core.llm.registry import (
    DEFAULT_MODEL_FILE,
    check_gguf,
    custom_model,
    ensure_default_model,
    resolve_model,
)
from core.settings import Settings


def shared_models() -> Path:
    return Path(os.environ["CAIRN_MODELS_DIR"])


def test_default_model_is_assembled_once_and_cached() -> None:
    path = ensure_default_model(shared_models())
    assert path.name == DEFAULT_MODEL_FILE
    assert path.read_bytes()[:4] == b"GGUF"
    assert path.with_name(path.name + ".verified").exists()
    mtime = path.stat().st_mtime_ns
    assert ensure_default_model(shared_models()) == path
    assert path.stat().st_mtime_ns == mtime  # not rewritten
    spec = resolve_model(Settings(), shared_models())
    assert spec.is_default and spec.chat_format == "gemma" and spec.path == path


def test_a_corrupted_default_model_is_refused_not_loaded(tmp_path: Path) -> None:
    target = tmp_path / DEFAULT_MODEL_FILE
    target.write_bytes(b"GGUF" + b"\0" * 100)  # wrong content, no marker
    with pytest.raises(ModelUnavailable, match="could not be prepared"):
        ensure_default_model(tmp_path)
    assert target.exists()  # the user's file is not deleted behind their back
    assert not (tmp_path / (DEFAULT_MODEL_FILE + ".partial")).exists()


def test_custom_paths_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="does not exist"):
        resolve_model(Settings(model_path=str(tmp_path / "missing.gguf")), tmp_path)
    with pytest.raises(ModelUnavailable, match="not a file"):
        check_gguf(tmp_path)
    not_gguf = tmp_path / "model.bin"
    not_gguf.write_bytes(b"PK\x03\x04 a zip, not a model")
    with pytest.raises(ModelUnavailable, match="not a GGUF"):
        custom_model(not_gguf)


def test_custom_path_spec_uses_the_gguf_template(tmp_path: Path) -> None:
    from tests.llm.tiny_gguf import build_tiny_gguf

    path = build_tiny_gguf(tmp_path / "tiny.gguf")
    spec = resolve_model(Settings(model_path=str(path)), tmp_path)
    assert spec.path == path and spec.chat_format is None and not spec.is_default
    forced = resolve_model(Settings(model_path=str(path), llm_chat_format="chatml"), tmp_path)
    assert forced.chat_format == "chatml"


def test_answer_prompt_file_is_complete() -> None:
    prompt = load_prompt("answer")
    assert prompt.version >= 1
    completion = prompt.section("completion")
    assert "{snippets}" in completion["block"] and "{question}" in completion["block"]
    assert len(completion["examples"]) >= 2
    for example in completion["examples"]:
        assert "[" in example["answer"] or "NOT FOUND" in example["answer"]
    chat = prompt.section("chat")
    assert "{snippets}" in chat["user"] and chat["system"].strip()
    with pytest.raises(FileNotFoundError):
        load_prompt("no-such-prompt")


def test_fill_inserts_values_verbatim() -> None:
    assert fill("Q: {question}", question="what about {snippets}?") == "Q: what about {snippets}?"


def test_grammars_are_well_formed_text() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    assert "root ::=" in json_schema_grammar(schema).gbnf
    assert choice_grammar(["yes", "no"]).gbnf == 'root ::= "yes" | "no"\n'
    cited = cited_sentence_grammar(3).gbnf
    assert '"1" | "2" | "3"' in cited
    with pytest.raises(ValueError):
        cited_sentence_grammar(0)
    with pytest.raises(ValueError):
        choice_grammar([])

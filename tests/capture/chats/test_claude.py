"""Claude.ai exports: conversations with messages and attachments' text, projects, the export zip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.capture.chats.claude import ClaudeReader
from core.capture.chats.formats import detect_format
from core.errors import ImportFailed
from tests.data.chats.variants import _claude_conversations, _claude_projects, _claude_zip

from .builders import errors, read_all, records


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_conversation_messages_speakers_and_attachment_documents(tmp_path: Path) -> None:
    path = _write(tmp_path / "conversations.json", _claude_conversations())
    assert detect_format(path).name == "claude"
    results = read_all(ClaudeReader(), path)
    recs = records(results)
    messages = [r for r in recs if r.kind == "message"]
    assert [(m.speaker, m.external_id) for m in messages] == [("user", "m-0001"), ("Claude", "m-0002")]
    assert messages[1].text == "Start at the lighthouse pier, then follow the quay."  # thinking left out
    assert messages[1].meta["reply_to"] == "m-0001"
    (attachment,) = [r for r in recs if r.kind == "document"]
    assert attachment.title == "route.txt" and "fish market" in attachment.text
    assert attachment.conversation == "Harbour walk planning" and attachment.external_id == "m-0001:attachment:0"
    assert not errors(results)


def test_projects_become_documents(tmp_path: Path) -> None:
    recs = records(read_all(ClaudeReader(), _write(tmp_path / "projects.json", _claude_projects())))
    assert [(r.title, r.conversation) for r in recs] == [("Walking club", "Project: Walking club"),
                                                         ("members.md", "Project: Walking club")]
    assert "kilometres" in recs[0].text and "Chidi" in recs[1].text


def test_zip_reads_both_lists(tmp_path: Path) -> None:
    path = _claude_zip(tmp_path)
    recs = records(read_all(ClaudeReader(), path))
    assert {r.external_id for r in recs} >= {"m-0001", "m-0002", "project:p-0001", "project-doc:d-0001"}


def test_chatgpt_export_is_not_taken_for_claude(tmp_path: Path) -> None:
    path = _write(tmp_path / "conversations.json", [{"title": "t", "mapping": {}, "chat_messages": []}])
    assert not ClaudeReader().sniff(path)


def test_broken_message_and_truncated_file_are_records_not_crashes(tmp_path: Path) -> None:
    first = _claude_conversations()[0]
    first["chat_messages"].insert(0, {"sender": "human", "text": "no uuid"})  # type: ignore[union-attr]
    second = {**_claude_conversations()[0], "uuid": "c-2", "name": "cut off"}
    body = json.dumps([first, second])
    path = tmp_path / "conversations.json"
    path.write_text(body[: len(body) - 40], encoding="utf-8")
    results = read_all(ClaudeReader(), path)
    reasons = [e.reason for e in errors(results)]
    assert any("no uuid" in r for r in reasons) and any("JSON" in r for r in reasons)
    assert {r.external_id for r in records(results)} >= {"m-0001", "m-0002"}  # the complete conversation


def test_not_claude_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = _write(tmp_path / "conversations.json", {"hello": 1})
    with pytest.raises(ImportFailed, match=r"not a Claude\.ai export"):
        read_all(ClaudeReader(), path)

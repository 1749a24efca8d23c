"""ChatGPT conversations.json: current branch, roles, content types, zip."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest

from core.capture.chats.chatgpt import ChatGPTReader, render_content
from core.errors import ImportFailed

from .builders import DATA, errors, read_all, records, skips, zip_dir

EXPORT = DATA / "chatgpt" / "export"
CONVERSATIONS = EXPORT / "conversations.json"


@pytest.fixture()
def reader() -> ChatGPTReader:
    return ChatGPTReader()


def test_current_branch_only(reader: ChatGPTReader) -> None:
    results = read_all(reader, CONVERSATIONS)
    recs = records(results)
    assert errors(results) == []
    sourdough = [r for r in recs if r.conversation == "Sourdough starter troubleshooting"]
    assert [r.external_id for r in sourdough] == ["c1-user", "d1-asst", "e1-user", "f1-asst"]
    assert "start over" not in " ".join(r.text for r in recs)  # the abandoned regeneration
    assert [r.speaker for r in sourdough] == ["user", "ChatGPT", "user", "ChatGPT"]
    assert sourdough[1].meta["reply_to"] == "c1-user"
    assert sourdough[0].timestamp.tzinfo == UTC and sourdough[0].timestamp.year == 2024
    assert [s.reason for s in skips(results)] == ["hidden message", "hidden message"]  # system + custom instructions


def test_tools_code_and_multimodal(reader: ChatGPTReader) -> None:
    recs = [r for r in records(read_all(reader, CONVERSATIONS)) if r.conversation == "Electricity bill analysis"]
    assert [r.speaker for r in recs] == ["user", "ChatGPT", "tool:python", "ChatGPT", "user", "tool:dalle.text2im"]
    assert recs[0].text.startswith("[image: bill_feb_2024.png]\nWhat was my average daily consumption")
    assert recs[1].text == "```\nkwh = 412\ndays = 29\nprint(round(kwh / days, 2))\n```"
    assert recs[2].text == "14.21"
    assert recs[4].text.startswith("Draw me a cartoon of a happy light bulb")  # voice transcription
    assert recs[5].text == "[image: A cheerful cartoon light bulb with a smile]"


def test_missing_title_current_node_and_time(reader: ChatGPTReader) -> None:
    recs = [r for r in records(read_all(reader, CONVERSATIONS)) if r.meta["conversation_id"].startswith("6792")]
    assert [r.external_id for r in recs] == ["u3", "a3"]  # newest leaf used without current_node
    assert recs[0].conversation == "ChatGPT conversation 6792c3d4"
    assert recs[0].meta["time_estimated"] is True


def test_zip_and_folder(reader: ChatGPTReader, tmp_path: Path) -> None:
    expected = [r.external_id for r in records(read_all(reader, CONVERSATIONS))]
    archive = zip_dir(EXPORT, tmp_path / "chatgpt-export.zip")
    assert [r.external_id for r in records(read_all(reader, archive))] == expected
    assert [r.external_id for r in records(read_all(reader, EXPORT))] == expected


def test_truncated_conversations_file(reader: ChatGPTReader, tmp_path: Path) -> None:
    raw = CONVERSATIONS.read_bytes()
    broken = tmp_path / "conversations.json"
    broken.write_bytes(raw[: raw.index(b"Translate")])
    results = read_all(reader, broken)
    assert len({r.conversation for r in records(results)}) == 2  # the first two conversations survive
    (error,) = errors(results)
    assert error.where == "conversations.json:2"


def test_render_content_variants() -> None:
    assert render_content({"content_type": "execution_output", "text": "42"}) == "42"
    assert render_content({"content_type": "tether_quote", "url": "u", "title": "t", "text": "q"}) == "t\nu\nq"
    assert render_content({"content_type": "thoughts", "thoughts": [{"summary": "Plan", "content": "..."}]}) == "Plan"
    assert render_content({"content_type": "mystery"}) == ""


def test_other_json_list_is_refused(reader: ChatGPTReader, tmp_path: Path) -> None:
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([{"name": "not chatgpt"}]), encoding="utf-8")
    with pytest.raises(ImportFailed, match="not a ChatGPT export"):
        read_all(reader, path)

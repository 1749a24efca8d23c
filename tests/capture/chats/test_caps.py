"""Every chat reader caps while parsing: one huge message is cut as it is read, said so, and nothing else is lost.

Each reader gets a generated export whose second message is many megabytes on its own; Python's peak memory
while streaming it (tracemalloc) must stay far below that message's size, the message must come out cut at
the cap with ``meta["truncated"]``, and every other message must come out whole.  The JSON string capper
itself is checked against ``json`` and ``ijson`` on random strings cut at random chunk boundaries.
"""

from __future__ import annotations

import io
import json
import random
import tracemalloc
from pathlib import Path

import pytest

from core.capture.chats._caps import (
    CUT_MARK,
    DOCUMENT_STRING_CAP_BYTES,
    MESSAGE_CAP,
    STRING_CAP_BYTES,
    CappedJson,
    take_cut,
)
from core.capture.chats.formats import load_reader
from core.capture.chats.reader import ImportOptions
from core.types import Record, RecordError

from .builders import FORMATS, generate

HUGE = 8_000_000  # characters of the one huge message: 20x the largest string a reader may keep
MESSAGES = 40


def _read_watching_memory(fmt: str, path: Path) -> tuple[list[Record], list[RecordError], int]:
    """Records and errors of ``path``, and Python's peak traced memory while reading it."""
    reader = load_reader(fmt)
    kept: list[Record] = []
    failed: list[RecordError] = []
    tracemalloc.start()
    try:
        for result in reader.read(path, ImportOptions(timezone="UTC")):
            if isinstance(result, Record):
                kept.append(result)
            elif isinstance(result, RecordError):
                failed.append(result)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return kept, failed, peak


def _check(records: list[Record], failed: list[RecordError], peak: int, *, messages: int, huge: int,
           cap: int = STRING_CAP_BYTES) -> None:
    assert failed == []
    cut = [r for r in records if "huge huge" in r.text]
    assert len(cut) == 1, "the huge message is imported, once"
    assert MESSAGE_CAP // 2 <= len(cut[0].text) <= cap + 1_000 < huge  # + what a reader adds (Slack's @names)
    assert "cut while reading" in cut[0].meta["truncated"] and CUT_MARK not in cut[0].text
    whole = [r for r in records if r is not cut[0]]
    assert len([r for r in whole if r.kind == "message"]) == messages - 1  # nothing else lost
    assert all("truncated" not in r.meta for r in whole)
    assert peak < huge // 2, f"peak {peak / 1e6:.1f} MB while reading a {huge / 1e6:.0f} MB message"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_huge_message_is_cut_while_it_is_read(fmt: str, tmp_path: Path) -> None:
    path = generate(fmt, tmp_path / fmt, MESSAGES, huge=HUGE)
    _check(*_read_watching_memory(fmt, path), messages=MESSAGES, huge=HUGE)


def test_a_huge_telegram_html_message_is_cut_while_it_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "ChatExport_2024-03-20"
    folder.mkdir()
    rows = []
    for n in range(MESSAGES):
        text = "msg1 " + "huge " * (HUGE // 5) if n == 1 else f"msg{n} hello<br>again"
        rows.append(
            f'<div class="message default clearfix" id="message{n + 2}"><div class="body">'
            f'<div class="pull_right date details" title="14.03.2024 18:{n:02d}:00 UTC+00:00">18:{n:02d}</div>'
            f'<div class="from_name">Ana</div><div class="text">{text}</div></div></div>'
        )
    (folder / "messages.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>Exported Data</title></head><body>'
        '<div class="page_wrap"><div class="page_header"><div class="content"><div class="text bold">Walkers'
        '</div></div></div><div class="page_body chat_page"><div class="history">'
        + "\n".join(rows) + "</div></div></div></body></html>", encoding="utf-8")
    _check(*_read_watching_memory("telegram", folder), messages=MESSAGES, huge=HUGE, cap=MESSAGE_CAP)


def test_a_huge_jsonl_message_is_cut_while_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for n in range(MESSAGES):
            text = "msg1 " + "huge " * (HUGE // 5) if n == 1 else f"msg{n} hello"
            fh.write(json.dumps({"conversation": "team", "timestamp": f"2024-03-14T18:{n:02d}:00+00:00",
                                 "speaker": "Ana", "text": text, "id": f"m{n}"}) + "\n")
    _check(*_read_watching_memory("jsonl", path), messages=MESSAGES, huge=HUGE)


def _claude_export(path: Path, huge: int, where: str) -> Path:
    """A Claude conversations.json whose message 1 carries ``huge`` characters in its text or its attachment."""
    messages = [{"uuid": f"m{n}", "sender": "human" if n % 2 else "assistant",
                 "created_at": f"2024-03-14T18:{n:02d}:00.000000Z",
                 "content": [{"type": "text", "text": f"msg{n} hello"}], "files": [],
                 "attachments": [{"file_name": "notes.txt", "extracted_content": "PLACE"}] if n == 1 else []}
                for n in range(MESSAGES)]
    document = json.dumps([{"uuid": "c1", "name": "Big", "created_at": "2024-03-14T18:00:00.000000Z",
                            "chat_messages": messages}])
    head, tail = document.split('"msg1 hello"' if where == "text" else '"PLACE"')
    with path.open("w", encoding="utf-8") as fh:  # written in pieces: the test never holds the whole string
        fh.write(head + '"msg1 huge huge ')
        for _ in range(huge // 5_000_000):
            fh.write("huge " * 1_000_000)
        fh.write('"' + tail)
    return path


def test_a_huge_claude_message_is_cut_at_the_message_cap(tmp_path: Path) -> None:
    path = _claude_export(tmp_path / "conversations.json", HUGE, "text")
    records, failed, peak = _read_watching_memory("claude", path)
    _check([r for r in records if r.kind == "message"], failed, peak, messages=MESSAGES, huge=HUGE)


def test_a_claude_attachment_keeps_up_to_the_document_cap(tmp_path: Path) -> None:
    # An attachment's extracted text is a whole document: it is cut at the store's document cap, not the message cap.
    huge = DOCUMENT_STRING_CAP_BYTES + 5_000_000
    path = _claude_export(tmp_path / "c.json", huge, "attachment")
    results = list(load_reader("claude").read(path, ImportOptions(timezone="UTC")))
    records = [r for r in results if isinstance(r, Record)]
    (document,) = [r for r in records if r.kind == "document"]
    assert len(records) == len(results) and len([r for r in records if r.kind == "message"]) == MESSAGES
    assert DOCUMENT_STRING_CAP_BYTES - 10 <= len(document.text) <= DOCUMENT_STRING_CAP_BYTES
    assert "cut while reading" in document.meta["truncated"] and document.text.startswith("msg1 huge huge")


class _Trickle:
    """A byte stream that hands out a few bytes per read: every chunk boundary gets tried."""

    def __init__(self, data: bytes, rng: random.Random, most: int) -> None:
        self._data, self._rng, self._most, self._at = data, rng, most, 0

    def read(self, size: int = -1) -> bytes:
        piece = self._data[self._at:self._at + self._rng.randint(1, self._most)]
        self._at += len(piece)
        return piece


def test_capped_json_cuts_only_long_strings_between_whole_characters_and_escapes() -> None:
    rng = random.Random(20)
    alphabet = ["a", "xyz", '"', "\\", "\n", "é", "中", "😀", "\u2028", "\x01", "/", '\\"']
    for trial in range(1500):
        strings = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, rng.choice([5, 40, 300]))))
                   for _ in range(rng.randint(1, 5))]
        ascii_only = rng.random() < 0.5
        raw = json.dumps({"k": strings}, ensure_ascii=ascii_only).encode()
        cap = rng.randint(1, 200)
        data = io.BufferedReader(CappedJson(_Trickle(raw, rng, rng.choice([3, 50, 5000])), cap)).read()  # type: ignore[arg-type]
        if trial % 2:
            parsed = json.loads(data)
        else:
            import ijson

            parsed = next(ijson.items(io.BytesIO(data), ""))
        for original, seen in zip(strings, parsed["k"], strict=True):
            written = len(json.dumps(original, ensure_ascii=ascii_only).encode()) - 2
            if written <= cap:
                assert seen == original
            else:
                kept, cut = take_cut(seen)
                assert cut and seen.endswith(CUT_MARK) and original.startswith(kept)
                assert len(json.dumps(kept, ensure_ascii=ascii_only).encode()) - 2 <= cap

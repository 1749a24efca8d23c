"""One conversation with very many normal-sized messages does not make an import's memory grow (#20 item 6).

ChatGPT's ``mapping`` and Claude's ``chat_messages`` used to be built whole, one conversation at a time: a
legal-looking export holding one conversation of 200k messages drove the reader past 600 MB.  Each reader
runs here in its own process on one-conversation exports of two sizes; its peak resident memory (the
kernel's high-water mark) must not grow with the conversation.  The path a large conversation takes is
also checked against the held path on the hand-made exports (same records, skips and errors).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.capture.chats import _jsonsplit, chatgpt, claude
from core.capture.chats.formats import load_reader
from core.capture.chats.reader import ImportOptions
from core.types import Record, RecordNote
from tests.data.chats.variants import _claude_conversations, _claude_projects

from .builders import DATA, zip_dir

SMALL, LARGE = 25_000, 100_000  # both above the readers' hold limits (20k messages)
GROWTH_MB = 30  # what the node tree of 75k more ChatGPT nodes may add (~60 bytes each), with slack

_MEASURE = """
import sys
def peak_kb():  # this program's own high-water mark (ru_maxrss would carry the parent's over from the fork)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
from pathlib import Path
from typing import Any
from core.capture.chats.formats import load_reader
from core.capture.chats.reader import ImportOptions
from core.types import Record
count = sum(isinstance(r, Record) for r in load_reader(sys.argv[1]).read(Path(sys.argv[2]), ImportOptions(timezone="UTC")))
print(count, peak_kb())
"""


def _text(n: int) -> str:
    return f"msg{n} the trail to the cabin is snowed in, bring the keys and a charger for the laptop"


def _gpt_nodes(n: int) -> Iterator[str]:
    yield '"root": {"id": "root", "message": null, "parent": null, "children": ["n0"]}'
    for i in range(n):
        node = {"id": f"n{i}", "message": {
            "id": f"n{i}", "author": {"role": "user" if i % 2 == 0 else "assistant", "name": None, "metadata": {}},
            "create_time": 1_700_000_000.0 + i, "update_time": None, "status": "finished_successfully",
            "content": {"content_type": "text", "parts": [_text(i)]}, "weight": 1.0, "metadata": {},
            "recipient": "all"}, "parent": "root" if i == 0 else f"n{i - 1}",
            "children": [f"n{i + 1}"] if i < n - 1 else []}
        yield f'"n{i}": {json.dumps(node)}'


def _chatgpt_export(path: Path, n: int) -> Path:
    """One conversation of ``n`` messages, written node by node (the test never holds it)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write('[{"title": "one long talk", "create_time": 1700000000.0, "mapping": {')
        for k, node in enumerate(_gpt_nodes(n)):
            fh.write((", " if k else "") + node)
        fh.write(f'}}, "moderation_results": [], "current_node": "n{n - 1}", "conversation_id": "c1", "id": "c1"}}]')
    return path


def _claude_export(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('[{"uuid": "c1", "name": "one long talk", "created_at": "2024-03-14T18:00:00Z", "chat_messages": [')
        for i in range(n):
            msg = {"uuid": f"m{i}", "text": "", "sender": "human" if i % 2 else "assistant",
                   "created_at": "2024-03-14T18:00:00.000000Z", "content": [{"type": "text", "text": _text(i)}],
                   "attachments": [], "files": []}
            fh.write((", " if i else "") + json.dumps(msg))
        fh.write("]}]")
    return path


def _peak_rss_mb(fmt: str, path: Path) -> tuple[int, float]:
    """(records, peak RSS in MB) of a fresh process reading ``path`` with the real reader."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, fmt, str(path)], capture_output=True, text=True,
                         timeout=600, check=True, cwd=Path(__file__).resolve().parents[3])
    count, peak_kb = out.stdout.split()
    return int(count), int(peak_kb) / 1024


@pytest.mark.parametrize(("fmt", "build"), [("chatgpt", _chatgpt_export), ("claude", _claude_export)])
def test_one_huge_conversation_does_not_grow_memory(fmt: str, build: object, tmp_path: Path) -> None:
    small = build(tmp_path / "small.json", SMALL)  # type: ignore[operator]
    large = build(tmp_path / "large.json", LARGE)  # type: ignore[operator]
    small_count, small_mb = _peak_rss_mb(fmt, small)
    large_count, large_mb = _peak_rss_mb(fmt, large)
    assert (small_count, large_count) == (SMALL, LARGE)
    assert large.stat().st_size > 15_000_000
    # Built whole, 75k more messages cost 150-300 MB here.
    assert large_mb - small_mb < GROWTH_MB, f"{small_mb:.0f} MB for {SMALL} messages, {large_mb:.0f} MB for {LARGE}"
    assert large_mb < 400


def _outcome(fmt: str, path: Path) -> list[str]:
    """Every result of reading ``path``, in a stable order (a large conversation comes in file order)."""
    return sorted(repr(r) for r in load_reader(fmt).read(path, ImportOptions(timezone="UTC")))


def _samples(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    gpt = DATA / "chatgpt" / "export"
    yield "chatgpt", gpt / "conversations.json"
    yield "chatgpt", zip_dir(gpt, tmp_path / "gpt.zip")
    for name, data in (("conversations.json", _claude_conversations()), ("projects.json", _claude_projects())):
        folder = tmp_path / name.removesuffix(".json")
        folder.mkdir()
        path = folder / name
        path.write_text(json.dumps(data), encoding="utf-8")
        yield "claude", path


@pytest.mark.parametrize("hold", [20_000, 0])
def test_a_conversation_too_large_to_build_whole_reads_the_same(
    hold: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for fmt, path in _samples(tmp_path):
        whole = _outcome(fmt, path)
        with monkeypatch.context() as patch:  # every conversation is split; with hold 0, none is held either
            for module in (chatgpt, claude):
                patch.setattr(module, "WHOLE_BYTES", 0)
            patch.setattr(chatgpt, "HOLD_NODES", hold)
            patch.setattr(claude, "HOLD_MEMBERS", hold)
            split = _outcome(fmt, path)
        assert whole and split == whole, path


def test_the_branch_of_a_large_chatgpt_conversation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An edit half-way: the abandoned answer sits in the mapping before the branch that was kept.
    nodes = list(_gpt_nodes(6))
    old = {"id": "old", "message": {"id": "old", "author": {"role": "assistant"}, "create_time": 1_700_000_009.0,
                                    "content": {"content_type": "text", "parts": ["abandoned answer"]}},
           "parent": "n1", "children": []}
    nodes.insert(2, f'"old": {json.dumps(old)}')
    path = tmp_path / "conversations.json"
    path.write_text('[{"title": "t", "mapping": {' + ", ".join(nodes) + '}, "current_node": "n5", "id": "c"}]',
                    encoding="utf-8")
    monkeypatch.setattr(chatgpt, "WHOLE_BYTES", 0)
    monkeypatch.setattr(chatgpt, "HOLD_NODES", 2)
    records = [r for r in load_reader("chatgpt").read(path, ImportOptions(timezone="UTC")) if isinstance(r, Record)]
    assert [r.external_id for r in records] == [f"n{i}" for i in range(6)]
    assert [r.meta.get("reply_to") for r in records] == [None, "n0", "n1", "n2", "n3", "n4"]


def test_a_conversation_past_the_tree_limit_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _chatgpt_export(tmp_path / "conversations.json", 50)
    monkeypatch.setattr(chatgpt, "WHOLE_BYTES", 0)
    monkeypatch.setattr(chatgpt, "HOLD_NODES", 5)
    monkeypatch.setattr(chatgpt, "TREE_NODES", 20)
    results = list(load_reader("chatgpt").read(path, ImportOptions(timezone="UTC")))
    (note,) = [r for r in results if isinstance(r, RecordNote)]
    assert "more than 20 messages" in note.text and "31 left out" in note.text
    records = [r for r in results if isinstance(r, Record)]
    assert [r.external_id for r in records] == [f"n{i}" for i in range(19)]  # root + 19 nodes read


def test_whole_conversations_then_split_ones_in_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small, large, small: the first is built whole, the large one and what follows are split; nothing is
    # lost or read twice where the reading changes over.
    def conversation(name: str, n: int) -> str:
        return (f'{{"title": "{name}", "mapping": {{' + ", ".join(_gpt_nodes(n)).replace('"n', f'"{name}')
                + f'}}, "current_node": "{name}{n - 1}", "id": "{name}"}}')

    path = tmp_path / "conversations.json"
    path.write_text("[" + ", ".join([conversation("a", 150), conversation("b", 600), conversation("c", 4)]) + "]",
                    encoding="utf-8")
    whole = _outcome("chatgpt", path)
    starts: list[int] = []

    def split_items(*args: Any, **kwargs: Any) -> Iterator[Any]:
        starts.append(kwargs["start"])
        return real_split(*args, **kwargs)

    real_split = _jsonsplit.split_items
    monkeypatch.setattr(_jsonsplit, "split_items", split_items)
    monkeypatch.setattr(chatgpt, "WHOLE_BYTES", 150_000)  # more than a (67 KB) and ijson's read-ahead (64 KB)
    monkeypatch.setattr(chatgpt, "HOLD_NODES", 300)
    assert _outcome("chatgpt", path) == whole
    assert starts == [1]  # a was built whole, b and c split
    assert sum("Record(" in r for r in whole) == 754


def _claude_attachments(path: Path, attachments: int, chars: int = 4_000_000) -> Path:
    """One message carrying ``attachments`` documents of ``chars`` characters each (each under the cap)."""
    piece = "the lighthouse keeper logs the weather " * 1000
    with path.open("w", encoding="utf-8") as fh:
        fh.write('[{"uuid": "c1", "name": "docs", "created_at": "2024-03-14T18:00:00Z", "chat_messages": [{"uuid": "m0",'
                 ' "sender": "human", "created_at": "2024-03-14T18:00:00Z", "content": [{"type": "text", "text":'
                 ' "see the files"}], "files": [], "attachments": [')
        for n in range(attachments):
            fh.write((", " if n else "") + f'{{"file_name": "f{n}.txt", "extracted_content": "doc{n} ')
            for _ in range(chars // len(piece)):
                fh.write(piece)
            fh.write('"}')
        fh.write(']}, {"uuid": "m1", "sender": "assistant", "created_at": "2024-03-14T18:01:00Z", "content":'
                 ' [{"type": "text", "text": "read them"}], "files": [], "attachments": []}]}]')
    return path


def test_a_message_with_many_large_attachments_is_cut_at_the_message_budget(tmp_path: Path) -> None:
    # Each document is under the document cap; together they are not: past MEMBER_TEXT characters, the
    # message's further documents are left out with a note, and memory stays bounded.
    small_count, small_mb = _peak_rss_mb("claude", _claude_attachments(tmp_path / "small.json", 2))
    large_count, large_mb = _peak_rss_mb("claude", _claude_attachments(tmp_path / "large.json", 16))
    assert (small_count, large_count) == (2 + 2, 2 + 16)
    # Held whole, the 14 more documents (56M characters) cost ~56 MB more here.
    assert large_mb - small_mb < 30, f"{small_mb:.0f} MB for 2 documents, {large_mb:.0f} MB for 16"
    records = [r for r in load_reader("claude").read(tmp_path / "large.json", ImportOptions(timezone="UTC"))
               if isinstance(r, Record)]
    documents = [r for r in records if r.kind == "document"]
    kept = [d for d in documents if d.text.startswith("doc")]
    assert len(documents) == 16 and 1 < len(kept) <= _jsonsplit.MEMBER_TEXT // 4_000_000 + 1  # + the one that passes it
    assert all(len(d.text) > 3_900_000 and "truncated" not in d.meta for d in kept)
    assert all("left out" in d.text and "truncated" in d.meta for d in documents if d not in kept)
    assert [r.text for r in records if r.kind == "message"] == ["see the files", "read them"]

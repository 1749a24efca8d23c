"""One message's budget (#20 item 6): its total text and its number of values are bounded while it is parsed,
whatever the reader; what is cut is said (``_budget.cut_of`` → ``meta["truncated"]``)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from core.capture.chats import _budget, _jsonstream, telegram_html
from core.capture.chats._budget import CUT_KEY, LEFT_OUT, MEMBER_VALUES, cut_of
from core.capture.chats._jsonstream import iter_items, walk
from core.capture.chats.jsonl import JsonLinesReader
from core.capture.chats.reader import ImportOptions
from core.capture.chats.telegram import TelegramReader
from core.types import Record, RecordNote


def _export(*messages: object) -> bytes:
    return json.dumps(list(messages)).encode()


def _monster(values: int) -> dict[str, object]:
    """A message whose reactions come first and are millions of tiny values; its own fields come after."""
    return {"id": "m", "reactions": [{} for _ in range(values)], "more": [[1]] * 5_000, "ts": "T", "text": "hi"}


@pytest.mark.parametrize("reopen", [False, True])
def test_millions_of_tiny_values_are_cut_and_the_messages_own_fields_stay(
    reopen: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With ``reopen``, an item under WHOLE_ITEM_BYTES is built whole by the C builder (bounded by its size);
    # this one is over it, so it is re-read under its budget.
    monkeypatch.setattr(_jsonstream, "WHOLE_ITEM_BYTES", 100_000)
    raw = _export({"id": "a"}, _monster(3 * MEMBER_VALUES), {"id": "b"})
    items = list(iter_items(io.BytesIO(raw), "item", reopen=(lambda: io.BytesIO(raw)) if reopen else None))
    assert [item["id"] for item in items] == ["a", "m", "b"]
    monster = items[1]
    assert len(monster["reactions"]) < MEMBER_VALUES  # the rest was never built
    assert len(monster["more"]) < 1_000  # past the budget, a field holds at most 1k more values
    assert (monster["ts"], monster["text"]) == ("T", "hi")
    assert cut_of(monster) == _budget.VALUES_NOTE
    assert cut_of(items[0]) is None and CUT_KEY not in items[2]


def test_past_twice_the_budget_everything_left_is_dropped() -> None:
    fields = {f"k{n}": [0] * 900 for n in range(1_000)}  # each field under the late allowance, 900k values
    item = next(iter_items(io.BytesIO(_export({"id": "m", **fields, "ts": "T"})), "item"))
    assert sum(len(v) for v in item.values() if isinstance(v, list)) <= 2 * MEMBER_VALUES
    assert "ts" not in item and cut_of(item) == _budget.VALUES_NOTE


def test_text_past_the_budget_is_left_out_but_short_strings_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_budget, "MEMBER_TEXT", 50_000)
    raw = _export({"id": "m", "blocks": ["x" * 20_000] * 10, "user": "U1"})
    item = next(iter_items(io.BytesIO(raw), "item"))
    assert item["blocks"][:3] == ["x" * 20_000] * 3 and item["blocks"][3:] == [LEFT_OUT] * 7
    assert item["user"] == "U1" and cut_of(item) == _budget.TEXT_NOTE


def test_walk_keeps_contexts_in_step_when_it_re_reads_past_a_large_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jsonstream, "WHOLE_ITEM_BYTES", 100_000)
    chats = [{"name": "one", "messages": [{"id": 1}, _monster(3 * MEMBER_VALUES), {"id": 2}]},
             {"name": "two", "messages": [{"id": 3}]}]
    raw = json.dumps({"chats": {"list": chats}}).encode()
    pairs = list(walk(io.BytesIO(raw), arrays=("chats.list.item.messages",), scalars=frozenset(["chats.list.item.name"]),
                      markers=frozenset(["chats.list.item"]), reopen=lambda: io.BytesIO(raw)))
    assert [(ctx["chats.list.item.name"], item["id"]) for ctx, item in pairs] == [
        ("one", 1), ("one", "m"), ("one", 2), ("two", 3)]
    assert cut_of(pairs[1][1]) == _budget.VALUES_NOTE


def test_a_telegram_message_cut_by_its_budget_says_so(tmp_path: Path) -> None:
    message = {"id": 7, "type": "message", "date": "2024-03-14T18:00:00", "date_unixtime": "1710439200",
               "from": "Ana", "from_id": "user1", "reactions": [{"emoji": "x", "count": 1}] * MEMBER_VALUES,
               "text": "still here"}
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "Walkers", "type": "personal_chat", "id": 1, "messages": [message]}))
    records = [r for r in TelegramReader().read(path, ImportOptions(timezone="UTC")) if isinstance(r, Record)]
    assert [r.text for r in records] == ["still here"]
    assert records[0].meta["truncated"] == _budget.VALUES_NOTE


def test_a_long_jsonl_line_is_streamed_and_cut(tmp_path: Path) -> None:
    line = {"conversation": "c", "timestamp": "2024-03-14T18:00:00+00:00", "speaker": "Ana", "id": "1",
            "reactions": [[]] * (2 * MEMBER_VALUES), "text": "the monster"}
    path = tmp_path / "chat.jsonl"
    path.write_text(json.dumps(line) + "\n" + json.dumps({**line, "id": "2", "reactions": [], "text": "next"}) + "\n")
    records = list(JsonLinesReader().read(path, ImportOptions(timezone="UTC")))
    assert [(r.external_id, r.text) for r in records if isinstance(r, Record)] == [("1", "the monster"), ("2", "next")]
    assert records[0].meta["truncated"] == _budget.VALUES_NOTE  # type: ignore[union-attr]


def test_telegram_html_bounds_attachments_depth_and_an_unfinished_tag() -> None:
    parser = telegram_html._PageParser()
    page = ('<div class="message default" id="message1"><div class="body">'
            '<div class="date details" title="14.03.2024 18:00:00"></div><div class="text">hello</div>'
            '<div class="media_wrap">' + '<a href="p.jpg">p</a>' * 3_000 + "</div>"
            + "<div>" * 1_000 + "</div>" * 1_000 + "</div></div>")
    blocks = [page[i:i + 4096] for i in range(0, len(page), 4096)]
    huge = ['<div class="message default" id="message2"><div class="body"><a title="'] + ["y" * 65_536] * 40
    blocks += [*huge, '">x</a><div class="text">after</div></div></div>']
    held = 0
    for block in telegram_html._bounded(parser, iter(blocks)):
        parser.feed(block)
        held = max(held, len(parser.rawdata))
    parser.close()
    first, second = parser.done
    assert len(first.attachments) == telegram_html._ATTACHMENTS_KEPT and "attachments" in first.cut
    assert "".join(first.text) == "hello"
    assert held <= telegram_html._PENDING_CAP + 65_536  # never the whole 2.6 MB tag
    assert second.cut and "".join(second.text) == "after"


def test_an_imessage_with_thousands_of_tapbacks_and_attachments_is_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3

    from core.capture.chats import imessage

    from .imessage_fixture import build_sample

    monkeypatch.setattr(imessage, "_REACTIONS_INDEXED", 1_500)
    path = tmp_path / "chat.db"
    guids = build_sample(path)
    conn = sqlite3.connect(path)
    (target_id,) = conn.execute("SELECT ROWID FROM message WHERE guid = ?", (guids["q"],)).fetchone()
    conn.executemany(  # 2,500 tapbacks on one message, then 2,500 on another: the index holds 1,500 in all
        "INSERT INTO message (guid, handle_id, date, associated_message_type, associated_message_guid, is_from_me) "
        "VALUES (?, 1, 1, 2000, ?, 0)",
        [(f"tap-{n}", f"p:0/{guids['q'] if n < 2_500 else guids['long']}") for n in range(5_000)])
    conn.executemany("INSERT INTO attachment (guid, original_guid, filename, transfer_name) VALUES (?, ?, ?, ?)",
                     [(f"att-{n}", f"att-{n}", f"~/a/{n}.jpg", f"{n}.jpg") for n in range(1_500)])
    conn.execute("INSERT INTO message_attachment_join SELECT ?, ROWID FROM attachment WHERE guid LIKE 'att-%'",
                 (target_id,))
    conn.commit()
    conn.close()
    results = list(imessage.IMessageReader().read(path, ImportOptions(timezone="UTC")))
    by_id = {r.external_id: r for r in results if isinstance(r, Record)}
    cut = by_id[guids["q"]]
    assert len(cut.meta["reactions"]) == len(cut.meta["attachments"]) == imessage._PER_MESSAGE_KEPT
    assert cut.meta["truncated"] == imessage._MANY
    assert len(by_id[guids["long"]].meta["reactions"]) == 1_500 - (imessage._PER_MESSAGE_KEPT + 1)
    notes = [r for r in results if isinstance(r, RecordNote)]
    assert len(notes) == 1 and "2002 left out" in notes[0].text  # with the sample's own tapback, dated later

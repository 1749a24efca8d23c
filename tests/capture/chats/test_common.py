"""Shared helpers: streaming JSON walk, time zones, stable ids, invisible characters."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest

from core.capture.chats._common import localizer, stable_id, strip_invisible
from core.capture.chats._jsonstream import JsonBroken, iter_items, walk
from core.capture.chats.reader import ImportOptions
from core.errors import ImportFailed


def _doc(obj: object) -> io.BytesIO:
    return io.BytesIO(json.dumps(obj).encode())


def test_walk_gives_each_item_its_context() -> None:
    doc = {
        "about": "x",
        "chats": {"list": [
            {"name": "A", "id": 1, "messages": [{"id": 1}, {"id": 2}]},
            {"name": "B", "id": 2, "messages": [{"id": 3}]},
            {"name": "Empty", "id": 4, "messages": []},
            {"id": 3, "messages": [{"id": 4}]},  # no name: the previous chat's must not leak in
        ]},
        "left_chats": {"list": [{"name": "L", "id": 9, "messages": [{"id": 5}]}]},
    }
    scalars = frozenset(p + k for p in ("chats.list.item.", "left_chats.list.item.") for k in ("name", "id"))
    markers = frozenset(["chats.list.item", "left_chats.list.item"])
    got = [
        (ctx["_marker"], ctx["_index"], ctx.get("chats.list.item.name") or ctx.get("left_chats.list.item.name"),
         ctx["_array"], m["id"])
        for ctx, m in walk(_doc(doc), arrays=("chats.list.item.messages", "left_chats.list.item.messages"),
                           scalars=scalars, markers=markers)
    ]
    assert got == [
        (1, 0, "A", "chats.list.item.messages", 1),
        (1, 0, "A", "chats.list.item.messages", 2),
        (2, 1, "B", "chats.list.item.messages", 3),
        (4, 3, None, "chats.list.item.messages", 4),  # the empty chat before it still counts
        (5, 0, "L", "left_chats.list.item.messages", 5),
    ]


def test_walk_single_array_with_scalar_items() -> None:
    got = list(walk(_doc({"name": "n", "messages": ["a", 1, None, {"x": [1, 2]}, [3]]}), arrays=("messages",),
                    scalars=frozenset(["name"])))
    assert [item for _, item in got] == ["a", 1, None, {"x": [1, 2]}, [3]]
    assert all(ctx["name"] == "n" for ctx, _ in got)


def test_truncated_json_raises_after_the_complete_items() -> None:
    raw = json.dumps([{"i": i} for i in range(5)]).encode()
    seen = []
    with pytest.raises(JsonBroken) as info:
        for item in iter_items(io.BytesIO(raw[:-6]), "item"):  # cut inside {"i": 4}
            seen.append(item["i"])
    assert seen == [0, 1, 2, 3] and "truncated" in info.value.reason


def test_invalid_json_is_reported_as_such() -> None:
    with pytest.raises(JsonBroken, match="invalid JSON"):
        list(iter_items(io.BytesIO(b'[{"a": 1}, {"b": tru}]'), "item"))


def test_localizer_uses_the_named_zone_with_dst() -> None:
    to_aware = localizer(ImportOptions(timezone="Europe/Berlin"))
    assert to_aware(datetime(2024, 1, 15, 12, 0)).utcoffset() == timedelta(hours=1)
    assert to_aware(datetime(2024, 7, 15, 12, 0)).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("zone", ["Not/AZone", "../etc/passwd", "Europe/"])
def test_localizer_refuses_unknown_zones(zone: str) -> None:
    with pytest.raises(ImportFailed, match="unknown time zone"):
        localizer(ImportOptions(timezone=zone))


def test_stable_id_is_deterministic_and_sensitive() -> None:
    assert stable_id("a", 1, "b") == stable_id("a", 1, "b")
    assert stable_id("a", 1, "b") != stable_id("a", 2, "b")
    assert stable_id("ab", "c") != stable_id("a", "bc")  # parts are separated


def test_strip_invisible() -> None:
    assert strip_invisible("\u200e[12/31/23,\u202f9:15\u00a0PM]\u202a+1 555\u202c") == "[12/31/23, 9:15 PM]+1 555"
    assert strip_invisible("plain") == "plain"

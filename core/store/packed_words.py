"""OCR word boxes kept compressed in an item's meta (``words_z``) and expanded to ``meta["words"]`` on read.

A screenshot item carries every word on screen with its box (~40 bytes a word
as JSON, ~11 KB a frame: as much as its text, full-text index and chunks
together, bench.screen).  Consecutive frames repeat most words, so the list
compresses well: zlib over compact JSON, Base85 so it stays a JSON string.
Packing happens as the item is written (``items.upsert_item``, after redaction
has run over the plain list); readers never see the packed form: ``expand``
runs where item meta is parsed.

Pure functions; thread-safe.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Sequence
from typing import Any

KEY = "words_z"
MIN_WORDS = 20  # shorter lists stay plain: packing them saves next to nothing


def pack(words: Sequence[Sequence[Any]]) -> str:
    data = json.dumps([list(w) for w in words], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b85encode(zlib.compress(data, 6)).decode("ascii")


def pack_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with a long ``words`` list packed into ``words_z`` (what is written to the database)."""
    words = meta.get("words")
    if not isinstance(words, list) or len(words) < MIN_WORDS:
        return meta
    packed = {k: v for k, v in meta.items() if k not in ("words", KEY)}
    packed[KEY] = pack(words)
    return packed


def expand(meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with ``words_z`` unpacked into ``words`` (unchanged when there is none or it is unreadable)."""
    packed = meta.get(KEY)
    if not isinstance(packed, str):
        return meta
    try:
        words = json.loads(zlib.decompress(base64.b85decode(packed)).decode("utf-8"))
    except (ValueError, zlib.error):
        return meta
    expanded = {k: v for k, v in meta.items() if k != KEY}
    expanded["words"] = words
    return expanded

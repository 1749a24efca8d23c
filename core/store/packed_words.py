"""OCR word boxes kept compressed in an item's meta (``words_z``) and expanded to ``meta["words"]`` on read.

A screenshot item carries every word on screen with its box (~40 bytes a word
as JSON, ~11 KB a frame: as much as its text, full-text index and chunks
together, bench.screen).  Consecutive frames repeat most words, so the list
compresses well: zlib over compact JSON, Base85 so it stays a JSON string.
Written column by column (``words_c``: the texts, then each number column, left
and top as differences from the word before, which reading order keeps small):
a 1080p page of 442 words packs to 4.7 kB instead of 5.9 kB row by row
(``words_z``, still read; written for lists whose boxes are not whole numbers).
Packing happens as the item is written (``items.upsert_item``, after redaction
has run over the plain list); readers never see the packed form: ``expand``
runs where item meta is parsed.

Pure functions; thread-safe.
"""

from __future__ import annotations

import base64
import itertools
import json
import zlib
from collections.abc import Sequence
from typing import Any

KEY = "words_z"  # row by row
COLUMNS_KEY = "words_c"  # column by column
MIN_WORDS = 20  # shorter lists stay plain: packing them saves next to nothing
_DELTA_COLUMNS = (1, 2)  # left, top


def _encode(value: Any) -> str:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b85encode(zlib.compress(data, 9)).decode("ascii")


def _decode(packed: str) -> Any:
    return json.loads(zlib.decompress(base64.b85decode(packed)).decode("utf-8"))


def pack(words: Sequence[Sequence[Any]]) -> str:
    return _encode([list(w) for w in words])


def pack_columns(words: Sequence[Sequence[Any]]) -> str | None:
    """The words column by column, or None when they are not rows of one length with whole-number boxes."""
    rows = [list(w) for w in words]
    width = len(rows[0]) if rows else 0
    if width < 5 or any(len(row) != width for row in rows):
        return None
    if not all(type(v) is int for row in rows for v in row[1:5]):
        return None
    columns = [list(column) for column in zip(*rows, strict=True)]
    for i in _DELTA_COLUMNS:
        values = columns[i]
        columns[i] = values[:1] + [b - a for a, b in itertools.pairwise(values)]
    return _encode(columns)


def _expand_columns(packed: str) -> list[list[Any]]:
    columns = _decode(packed)
    for i in _DELTA_COLUMNS:
        columns[i] = list(itertools.accumulate(columns[i]))
    return [list(row) for row in zip(*columns, strict=True)]


def pack_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with a long ``words`` list packed into ``words_c`` or ``words_z`` (what is written to the database)."""
    words = meta.get("words")
    if not isinstance(words, list) or len(words) < MIN_WORDS:
        return meta
    packed = {k: v for k, v in meta.items() if k not in ("words", KEY, COLUMNS_KEY)}
    columns = pack_columns(words)
    if columns is not None:
        packed[COLUMNS_KEY] = columns
    else:
        packed[KEY] = pack(words)
    return packed


def expand(meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with ``words_c``/``words_z`` unpacked into ``words`` (unchanged when none or unreadable)."""
    for key, unpack in ((COLUMNS_KEY, _expand_columns), (KEY, _decode)):
        packed = meta.get(key)
        if not isinstance(packed, str):
            continue
        try:
            words = unpack(packed)
        except (ValueError, TypeError, IndexError, zlib.error):
            return meta
        expanded = {k: v for k, v in meta.items() if k != key}
        expanded["words"] = words
        return expanded
    return meta

"""An indexed file's real path and its folder as people see it, from the stored path keys (sealed parts opened).

A file item's ``external_id`` and ``conversation`` are path keys in which a
part holding a secret is sealed (``core.capture.files.path_codec``); the item's
shown path is redacted.  ``real_path`` opens the key in memory so the user can
open the file (or see an indexed image) — callers hand it to the OS and drop it:
never store it, log it or show it.  ``shown_key`` is the redacted readable form
of a key (a folder in ``cairn search``'s "(in <folder>)").

Threads: pure apart from the key derivation; safe from any thread.  Errors:
``PathKeyError`` for a key no key of this vault opens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.capture.files.path_codec import codec_for
from core.capture.files.sink import SOURCE


def real_path(derive: Callable[[str], bytes], item: Any) -> Path | None:
    """The path of an indexed file's ``item`` with its secret parts opened; None for any other item."""
    key = getattr(item, "external_id", None)
    if getattr(item, "source", None) != SOURCE or not key:
        return None
    return codec_for(derive).path(key)


def shown_key(derive: Callable[[str], bytes], key: str) -> str:
    """A stored path key as people may see it: the path with its secrets redacted (never a sealed token)."""
    codec = codec_for(derive)
    return codec.shown(codec.path(key))

"""Paths as storable keys: ``path_key`` / ``path_from_key`` (reversible) and ``display_path`` (for people).

POSIX file names may hold bytes that are not UTF-8; these helpers turn such
paths into strings a UTF-8 database accepts and back, without losing
anything, and give a readable (lossy) form for messages.

Threads: pure functions, safe from any thread.  Errors: none raised for any
``str`` or ``Path`` input.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_SURROGATE = re.compile(r"[\udc80-\udcff]")
_ESCAPED = re.compile(r"\ufffd([0-9A-F]{2})")


def path_key(path: Path | str) -> str:
    """A storable, reversible string for a path (the item's ``external_id``, the ledger's origin).

    POSIX paths may hold bytes that are not UTF-8; Python carries them as lone
    surrogates, which no UTF-8 database accepts.  Each such byte becomes
    U+FFFD followed by its two hex digits, and a real U+FFFD in a name becomes
    U+FFFD ``00``, so the mapping stays reversible and keeps prefixes (a key
    under a folder starts with the folder's key and ``/``).  Valid paths are
    returned unchanged.
    """
    text = os.fspath(path)
    if "\ufffd" not in text and not _SURROGATE.search(text):
        return text
    text = text.replace("\ufffd", "\ufffd00")
    return _SURROGATE.sub(lambda m: "\ufffd%02X" % (ord(m.group()) - 0xDC00), text)


def path_from_key(key: str) -> Path:
    """Inverse of ``path_key``."""
    if "\ufffd" not in key:
        return Path(key)

    def back(m: re.Match[str]) -> str:
        value = int(m.group(1), 16)
        return "\ufffd" if value == 0 else chr(0xDC00 + value)

    return Path(_ESCAPED.sub(back, key))


def display_path(path: Path | str) -> str:
    """The path for people: undecodable bytes shown as U+FFFD (lossy; never use as a key)."""
    return os.fsencode(path).decode("utf-8", errors="replace")

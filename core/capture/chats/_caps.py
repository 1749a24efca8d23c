"""Caps while reading: an export's one huge message is cut as it is read, never held whole in memory."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO

MESSAGE_CAP = 100_000  # characters of one message kept (the store's cap too); the rest is skipped while reading


def text_lines(opener: Callable[[], IO[bytes]]) -> Iterator[tuple[int, str, bool]]:
    """``(line number, text, cut)``: a line longer than ``MESSAGE_CAP`` is cut and the rest skipped unread
    into memory (one 440 MB line must not become a 440 MB string)."""
    with opener() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=None)
        lineno = 0
        while True:
            line = text.readline(MESSAGE_CAP)
            if not line:
                return
            lineno += 1
            cut = not line.endswith("\n") and len(line) >= MESSAGE_CAP
            while cut:
                rest = text.readline(MESSAGE_CAP)
                if not rest or rest.endswith("\n"):
                    break
            yield lineno, line.rstrip("\n"), cut

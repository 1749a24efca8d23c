"""A screenshot's side rail found from its OCR word boxes, so what one reads of a capture leaves it out.

A mail client's folder list ("Inbox (3)", "Sent", "Archive", "Today", "This week"), an editor's file tree or a
notes app's list of notes sit in a narrow column at the screen's left edge.  OCR reads the screen line by line,
so their labels run into the page's own lines ("This week Attendees: Priya …") and start every quote of it.

The rail is found from the layout alone, never from its words: below the desktop's top bar and the window
title, a vertical strip that no word crosses separates a narrow column at the left (at most
``MAX_RAIL_SHARE`` of the screen) from the page to its right, the column spans several lines and holds at
least one line of its own (a rail's entries stand between the page's lines), and the page holds most of the
words.  A table's narrow first column has no line of its own and a page whose lines run from the left edge
leaves no such strip, so neither is taken for a rail.

Only what a person reads changes: search indexes every word of the capture as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_RAIL_SHARE = 0.3  # a rail ends within the left 30 % of the screen
MIN_GUTTER_SHARE = 0.04  # the empty strip between rail and page: 4 % of the width (51 px at 1280)
MIN_RAIL_LINES = 3
_RESYNC = 6  # OCR text and word list drift apart by at most a few tokens (a word read as two)


@dataclass(frozen=True, slots=True)
class _Box:
    left: float
    right: float
    line: int


def _box(word: Any) -> tuple[str, float, float] | None:
    """(text, left, right) of one OCR word as ``[text, left, top, width, height, conf]`` or a dict."""
    try:
        if isinstance(word, dict):
            text = word.get("text")
            left = float(word.get("left", word.get("x")))
            width = float(word.get("width", word.get("w")))
        else:
            text, left, width = word[0], float(word[1]), float(word[3])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return (text, left, left + width) if isinstance(text, str) else None


def _align(lines: Sequence[Sequence[str]], words: Sequence[tuple[str, float, float] | None]) -> dict[tuple[int, int], int]:
    """(line, token) → index of the OCR word it was read from; the text may be a chunk starting mid-screen."""
    tokens = [(li, ti, tok) for li, line in enumerate(lines) for ti, tok in enumerate(line)]
    texts = [w[0] if w else None for w in words]
    head = [tok for _, _, tok in tokens[:3]]
    start = next((p for p in range(len(texts) - len(head) + 1) if texts[p:p + len(head)] == head), None)
    if start is None or not head:
        return {}
    mapping: dict[tuple[int, int], int] = {}
    p = start
    for li, ti, tok in tokens:
        hit = next((q for q in range(p, min(len(texts), p + _RESYNC)) if texts[q] == tok), None)
        if hit is not None:
            mapping[(li, ti)] = hit
            p = hit + 1
    return mapping


def _gutter(boxes: Sequence[_Box], width: float) -> float | None:
    """The x where the left rail ends (its gutter's left edge), or ``None`` when the screen has no rail."""
    if not boxes:
        return None
    edge = 0.0
    spans = sorted((b.left, b.right) for b in boxes)
    for left, right in spans:
        if left - edge >= MIN_GUTTER_SHARE * width and edge > 0 and _is_rail(boxes, edge, left):
            return edge
        edge = max(edge, right)
        if edge > MAX_RAIL_SHARE * width:
            return None
    return None


def _is_rail(boxes: Sequence[_Box], end: float, page_start: float) -> bool:
    rail = [b for b in boxes if b.right <= end]
    page = [b for b in boxes if b.left >= page_start]
    rail_lines = {b.line for b in rail}
    own_lines = rail_lines - {b.line for b in page}
    return len(rail_lines) >= MIN_RAIL_LINES and bool(own_lines) and len(page) > len(rail)


def without_rail(text: str, words: Sequence[Any] | None, *, width: float | None = None,
                 is_chrome: Callable[[str], bool] = lambda _line: False) -> str:
    """``text`` (a screenshot's OCR, or a chunk of it) without the words of its left rail; lines kept.

    ``words``: the capture's OCR words in reading order (``meta["words"]``); ``is_chrome(line)``: lines that are
    not the page (the top bar, the window title), left out when looking for the rail.  Unchanged when the
    words do not match the text or the screen has no rail.
    """
    if not words:
        return text
    lines = [line.split() for line in text.splitlines()]
    boxes = [_box(w) for w in words]
    mapping = _align(lines, boxes)
    if not mapping:
        return text
    chrome = {li for li, line in enumerate(text.splitlines()) if is_chrome(line.strip())}
    body = [_Box(boxes[i][1], boxes[i][2], li) for (li, _), i in mapping.items()  # type: ignore[index]
            if li not in chrome]
    screen = width or max((b[2] for b in boxes if b), default=0.0)
    end = _gutter(body, screen) if screen else None
    if end is None:
        return text
    out = []
    for li, line in enumerate(lines):
        if li in chrome:
            out.append(" ".join(line))
            continue
        kept = [tok for ti, tok in enumerate(line)
                if (li, ti) not in mapping or boxes[mapping[(li, ti)]][2] > end]  # type: ignore[index]
        if kept:
            out.append(" ".join(kept))
    return "\n".join(out)

"""Snippets and highlight spans for search results (no markup: views style the spans)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.normalize.markdown_plain import is_markdown, plain_markdown
from core.normalize.screen_layout import without_rail
from core.normalize.screen_text import clean_screen_text, is_chrome_line
from core.store import packed_words

_WORD = re.compile(r"\w+", re.UNICODE)


def _stem_key(word: str) -> str:
    """A crude common-prefix key: enough to highlight 'meeting' for 'meet'."""
    word = word.lower()
    return word[: max(4, len(word) - 3)] if len(word) > 5 else word


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    keys = {_stem_key(t) for t in terms if t}
    spans = []
    for m in _WORD.finditer(text):
        word = m.group(0).lower()
        if any(word == k or (len(k) >= 4 and word.startswith(k)) for k in keys):
            spans.append((m.start(), m.end()))
    return spans


def readable_text(text: str, kind: str | None, *, title: str | None = None, external_id: str | None = None,
                  meta: Mapping[str, Any] | None = None) -> str:
    """What a person reads of a memory's text, the one rule every row, snippet, source and quote uses.

    A screenshot's OCR without the screen's chrome (the top bar's "Activities Firefox 09:17", the window
    title again, the tab strip) and, when its word boxes are known (``meta["words"]``, packed or not),
    without its left rail (a mail client's folders, an editor's file tree); a Markdown note as prose
    ("## Numbers" / "- p95 340 ms" → "Numbers: p95 340 ms.", one line a block); any other text as it is.
    ``text`` may be one chunk of the memory.  Search still indexes every word as stored.
    """
    meta = meta or {}
    if is_markdown(external_id, title, meta=meta):
        return plain_markdown(text) or text
    if kind != "screenshot":
        return text
    window = meta.get("window_title") or meta.get("window")  # the demo's key, the capture sink's key
    window = window if isinstance(window, str) and window else title
    words = meta.get("words")
    if words is None and any(k in meta for k in (packed_words.KEY, packed_words.COLUMNS_KEY)):
        words = packed_words.expand(dict(meta)).get("words")
    width = meta.get("width")
    text = without_rail(text, words if isinstance(words, list) else None,
                        width=float(width) if isinstance(width, int | float) else None,
                        is_chrome=lambda line: is_chrome_line(line, window))
    return clean_screen_text(text, window_title=window) or text


def lines_around(text: str, terms: Sequence[str], chars: int) -> str:
    """The whole lines of ``text`` around the first line holding one of ``terms``, about ``chars`` long: what a
    snippet of a long Markdown chunk needs to be flattened from (parsing a whole chunk per hit costs too much)."""
    lines = text.splitlines()
    if len(text) <= chars or not lines:
        return text
    keys = [t for t in terms if t]
    at = next((i for i, line in enumerate(lines) if highlight_spans(line, keys)), 0)
    start = end = at
    size = len(lines[at])
    while size < chars:
        grew = False
        if end + 1 < len(lines):
            end, grew = end + 1, True
            size += len(lines[end]) + 1
        # a line or two of what leads up to it, more once the text below has run out
        if start > 0 and size < chars and (at - start < 2 or end + 1 == len(lines)):
            start, grew = start - 1, True
            size += len(lines[start]) + 1
        if not grew:
            break
    return "\n".join(lines[start:end + 1])


def make_snippet(text: str, terms: Sequence[str], width: int = 240) -> str:
    """A window of ``text`` around the first highlighted term, with ellipses where cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    spans = highlight_spans(text, terms)
    centre = spans[0][0] if spans else 0
    start = max(0, centre - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    # Snap to word boundaries so the snippet does not begin mid-word.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < centre else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > centre else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")

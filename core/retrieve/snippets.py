"""Snippets and highlight spans for search results (no markup: views style the spans)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.normalize.screen_text import clean_screen_text

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


def readable_text(text: str, kind: str | None, window_title: str | None = None) -> str:
    """What a person reads of a memory's text: a screenshot's OCR without the screen's chrome (the top bar's
    "Activities Firefox 09:17", the window title again, the tab strip), which would otherwise start every
    screen row and snippet; any other text as it is."""
    if kind != "screenshot":
        return text
    return clean_screen_text(text, window_title=window_title) or text


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

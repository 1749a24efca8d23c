"""Snippets and highlight spans for search results (no markup: views style the spans)."""

from __future__ import annotations

import re
from collections.abc import Sequence

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

"""Episode and day summaries: the local model with a strict short prompt, else extractive.

A model summary is kept only if it passes ``grounded``: every name and
number in it occurs in the source, most of its content words do, and it is
of sane length.  Otherwise — no model, a failure, a rambling or invented
answer — the summary is *extractive*: the most central source sentences
(TF-IDF centroid with a redundancy penalty), verbatim, in source order, each
tied to its item.  When the source has no text at all (screenshots without
OCR) the summary states what the metadata says (app, window titles, counts).
A summary is therefore never empty and never invented.

Pure functions; the model is passed in (``core.llm.backend.LLMBackend``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.index.fulltext import STOPWORDS
from core.memory.extraction.value_norms import norm_text
from core.memory.items import MemItem

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“(\[]?[A-Z0-9])|\n+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_EXTRA_STOP = frozenset({"yeah", "yes", "okay", "thanks", "thank", "really", "wow", "hey", "hi", "hello", "lol",
                         "gonna", "going", "much", "know", "think", "sure", "great", "good", "nice", "cool"})


@dataclass(frozen=True, slots=True)
class SummarySentence:
    item_id: int
    text: str  # verbatim from the item's text
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    text: str
    method: str  # 'model' | 'extractive' | 'metadata'
    sentences: tuple[SummarySentence, ...] = ()
    keywords: tuple[str, ...] = ()
    source_item_ids: tuple[int, ...] = ()


def split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


def _terms(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(text.lower()):
        w = w.strip("'’-")
        if len(w) < 3 or w in STOPWORDS or w in _EXTRA_STOP:
            continue
        out.append(w[:6])  # a crude stem: "painting"/"painted" meet at "painte"/"paint"
    return out


def keywords(items: Sequence[MemItem], k: int = 6) -> tuple[str, ...]:
    """The most characteristic words of the items, as they are written there."""
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for it in items:
        for w in _WORD.findall(it.text):
            key = w.lower().strip("'’-")
            if len(key) < 4 or key in STOPWORDS or key in _EXTRA_STOP:
                continue
            counts[key] += 1
            surface.setdefault(key, w.strip("'’-"))
    return tuple(surface[w] for w, n in counts.most_common(k) if n >= 1)


def extractive_summary(
    items: Sequence[MemItem], *, max_sentences: int = 3, max_chars: int = 420, redundancy: float = 0.5,
) -> Summary:
    """Top central sentences, verbatim and in source order; metadata when there is no text."""
    candidates: list[tuple[int, SummarySentence, Counter[str]]] = []
    for it in items:
        for sentence in split_sentences(it.text):
            if len(sentence) < 12 or len(sentence) > 400:
                continue
            bag = Counter(_terms(sentence))
            if not bag:
                continue
            candidates.append((len(candidates), SummarySentence(it.id, sentence, it.speaker), bag))
    ids = tuple(it.id for it in items)
    if not candidates:
        # short texts only ("ok", "see you"): take the longest non-empty lines verbatim
        short = [(it, line.strip()) for it in items for line in it.text.splitlines() if line.strip()]
        if short:
            it, line = max(short, key=lambda pair: len(pair[1]))
            s = SummarySentence(it.id, line[:max_chars], it.speaker)
            return Summary(_render([s]), "extractive", (s,), keywords(items), ids)
        return metadata_summary(items)
    df: Counter[str] = Counter()
    for _, _, bag in candidates:
        df.update(bag.keys())
    n = len(candidates)
    centroid: Counter[str] = Counter()
    for _, _, bag in candidates:
        for term, tf in bag.items():
            centroid[term] += tf * math.log(1 + n / df[term])

    def score(bag: Counter[str]) -> float:
        return sum(centroid[t] for t in bag) / math.sqrt(len(bag) + 3)

    chosen: list[tuple[int, SummarySentence, Counter[str]]] = []
    remaining = list(candidates)
    used_chars = 0
    while remaining and len(chosen) < max_sentences:
        def mmr(c: tuple[int, SummarySentence, Counter[str]]) -> float:
            overlap = max((_overlap(c[2], o[2]) for o in chosen), default=0.0)
            return score(c[2]) * (1.0 - redundancy * overlap)

        best = max(remaining, key=mmr)
        remaining.remove(best)
        if chosen and used_chars + len(best[1].text) > max_chars:
            continue
        chosen.append(best)
        used_chars += len(best[1].text)
    chosen.sort(key=lambda c: c[0])
    sentences = tuple(c[1] for c in chosen)
    return Summary(_render(sentences), "extractive", sentences, keywords(items), ids)


def _overlap(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a.keys() & b.keys()) / min(len(a), len(b))


def _render(sentences: Sequence[SummarySentence]) -> str:
    return "\n".join(f"{s.speaker}: {s.text}" if s.speaker else s.text for s in sentences)


def metadata_summary(items: Sequence[MemItem]) -> Summary:
    """What the metadata says, for items without text; never empty."""
    ids = tuple(it.id for it in items)
    if not items:
        return Summary("(no activity)", "metadata", (), (), ids)
    apps = Counter(it.app for it in items if it.app)
    titles = Counter((it.window_title or it.title) for it in items if (it.window_title or it.title))
    kinds = Counter(it.kind for it in items)
    start = datetime.fromtimestamp(items[0].ts, UTC).strftime("%Y-%m-%d %H:%M")
    parts = [", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in kinds.most_common()) + f" from {start} UTC"]
    if apps:
        parts.append("apps: " + ", ".join(a for a, _ in apps.most_common(3)))
    if titles:
        parts.append("windows: " + "; ".join(t for t, _ in titles.most_common(3)))
    return Summary(". ".join(parts), "metadata", (), tuple(a for a, _ in apps.most_common(3)), ids)


# -- the model ------------------------------------------------------------------------------------------------

EPISODE_PROMPT = (
    "Below is a record of activity. Write one or two short sentences saying what happened. "
    "Use only names and facts from the record.\n\n{record}\n\nSummary:"
)
DAY_PROMPT = (
    "Below are summaries of episodes of one day. Write two short sentences about the day. "
    "Use only names and facts from them.\n\n{record}\n\nDay summary:"
)


def _record_lines(items: Sequence[MemItem], budget: int) -> str:
    lines: list[str] = []
    used = 0
    for it in items:
        text = " ".join(it.text.split())[:300]
        if not text:
            continue
        line = f"{it.speaker}: {text}" if it.speaker else text
        if used + len(line) > budget:
            break
        lines.append(line)
        used += len(line)
    return "\n".join(lines)


def grounded(summary: str, source: str, *, min_chars: int = 15, max_chars: int = 500, min_support: float = 0.75) -> bool:
    """Is a model summary usable: sane length, every name/number and most content words in the source?"""
    text = summary.strip()
    if not (min_chars <= len(text) <= max_chars):
        return False
    if re.search(r"(?i)\b(summary|record of activity|as an ai|i cannot)\b", text):
        return False
    folded_source = norm_text(source)
    for token in re.findall(r"\b(?:[A-Z][\w'’-]+|\d[\d.,:/-]*)\b", text):
        # sentence-initial capitals may be ordinary words: check the lower-case form too
        if norm_text(token) not in folded_source and token.lower() not in folded_source:
            if token == text.split()[0] and token.lower() in STOPWORDS:
                continue
            return False
    words = [w for w in _terms(text)]
    if not words:
        return False
    source_terms = set(_terms(source))
    supported = sum(1 for w in words if w in source_terms)
    return supported / len(words) >= min_support


def model_summary(items: Sequence[MemItem], llm: Any, *, prompt: str = EPISODE_PROMPT, budget: int = 2500,
                  max_tokens: int = 90) -> Summary | None:
    """A model-written summary that passed ``grounded``, or None."""
    record = _record_lines(items, budget)
    if not record:
        return None
    try:
        raw = llm.complete(prompt.format(record=record), stop=["\n\n", "\nSummary", "Below are"], max_tokens=max_tokens,
                           temperature=0.0)
    except Exception:
        return None
    # a transcript ("Ann: ...") or a numbered list echoed back is not a summary
    if re.search(r"(?m)^\s*(?:\d+[.)]|[A-Z][\w .'’-]{0,30}:)\s", str(raw).strip()):
        return None
    text = " ".join(str(raw).split())
    if not grounded(text, record):
        return None
    return Summary(text, "model", (), keywords(items), tuple(it.id for it in items))


def summarize(items: Sequence[MemItem], llm: Any | None = None, *, prompt: str = EPISODE_PROMPT) -> Summary:
    """The model's summary when it is grounded, else the extractive one. Never empty."""
    if llm is not None:
        result = model_summary(items, llm, prompt=prompt)
        if result is not None:
            return result
    return extractive_summary(items)


def summarize_day(episode_summaries: Sequence[MemItem], llm: Any | None = None) -> Summary:
    """A day summary from its episode summaries (recursive summarisation)."""
    return summarize(episode_summaries, llm, prompt=DAY_PROMPT)

"""Check a model's answer against the snippets it was given.

A sentence survives only if it cites at least one snippet that exists *and*
that snippet supports it: most of the sentence's new words (those not
already in the question) appear in the cited snippets, their dates included.
Citation numbers that match no snippet are dropped; sentences left without a
valid, supporting citation are dropped.  What is dropped is reported, never
shown as fact.  Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from core.answer.extractive import speaks_of_future
from core.answer.text import content_terms, split_sentences
from core.answer.types import Snippet
from core.retrieve.timeparse import parse_time_expression

CITE_RE = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
NOT_FOUND_RE = re.compile(
    r"\bnot[\s_-]*found\b|\bnot (?:mentioned|stated|said|given) in the notes\b|\bthe notes do not (?:say|mention)\b",
    re.IGNORECASE,
)
_ORDINAL_RE = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
# The notes' own time stamp ("Mon 30 Mar 2026, 18:05", ``context.format_when``): a sentence holding it copies
# the layout of the notes instead of answering (small models echo "Mon 30 Mar 2026, 18:05, chat, Ana: …").
_STAMP_RE = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
MIN_SUPPORT = 0.5


@dataclass(frozen=True, slots=True)
class Validated:
    """The surviving text, the snippet numbers it cites (first-use order), what was dropped."""

    text: str
    cited: tuple[int, ...]
    dropped: tuple[str, ...]
    says_not_found: bool


def citation_numbers(text: str) -> list[int]:
    """Every number cited in ``text`` ("[2]", "[1, 3]", "[1][3]"), in order."""
    return [int(n) for group in CITE_RE.findall(text) for n in re.split(r"[,;]", group)]


def strip_citations(text: str) -> str:
    return re.sub(r"\s+([.,;!?])", r"\1", CITE_RE.sub("", text)).strip()


def date_words(moment: datetime, tz: tzinfo | None = None) -> set[str]:
    """Words a sentence may use for ``moment``: weekday, day, month, year."""
    local = moment.astimezone(tz) if tz is not None else moment
    return {
        f"{local:%A}".lower(), f"{local:%a}".lower(), str(local.day), f"{local:%B}".lower(),
        f"{local:%b}".lower(), str(local.year),
    }


def snippet_vocabulary(snippet: Snippet, tz: tzinfo | None = None) -> set[str]:
    """Terms a sentence citing ``snippet`` may use: its words, its date, dates it implies."""
    vocab = set(content_terms(snippet.text))
    if snippet.speaker:
        vocab.update(content_terms(snippet.speaker))
    vocab.update(date_words(snippet.timestamp, tz))
    local = snippet.timestamp.astimezone(tz) if tz is not None else snippet.timestamp
    implied = parse_time_expression(snippet.text, local, prefer_future=speaks_of_future(snippet.text)).range
    if implied is not None:
        for edge in (implied.start, implied.end):
            if edge is not None:
                vocab.update(date_words(edge, tz))
                vocab.update(date_words(edge - timedelta(days=1), tz))
    return vocab


def _normalise(term: str) -> str:
    m = _ORDINAL_RE.match(term)
    return m.group(1) if m else term


def support(sentence: str, cited: Sequence[Snippet], question: str, tz: tzinfo | None = None) -> float:
    """Share of the sentence's new terms found in the cited snippets (0 if it adds nothing)."""
    asked = {_normalise(t) for t in content_terms(question)}
    novel = [t for t in (_normalise(t) for t in content_terms(strip_citations(sentence))) if t not in asked]
    if not novel:
        return 0.0
    vocab: set[str] = set()
    for snippet in cited:
        vocab |= {_normalise(t) for t in snippet_vocabulary(snippet, tz)}
    return sum(1 for t in novel if t in vocab) / len(novel)


def validate_answer(
    model_text: str, snippets: Sequence[Snippet], question: str, tz: tzinfo | None = None
) -> Validated:
    """Keep only cited, supported sentences of ``model_text``; see the module docstring."""
    by_number = {s.number: s for s in snippets}
    sentences = _sentences_with_citations(model_text)
    kept: list[str] = []
    cited: list[int] = []
    dropped: list[str] = []
    for sentence in sentences:
        numbers = citation_numbers(sentence)
        valid = [n for n in dict.fromkeys(numbers) if n in by_number]
        for n in dict.fromkeys(numbers):
            if n not in by_number:
                dropped.append(f"citation [{n}]: no such snippet")
        bare = strip_citations(sentence)
        if not bare or NOT_FOUND_RE.search(bare):
            continue
        if not valid:
            dropped.append(f"uncited: {bare}")
            continue
        if _STAMP_RE.search(bare):
            dropped.append(f"copies the notes' layout: {bare}")
            continue
        score = support(bare, [by_number[n] for n in valid], question, tz)
        if score < MIN_SUPPORT:
            # Small models often cite the neighbour of the right snippet: re-attribute the
            # sentence to the snippet that does support it, if exactly that can be checked.
            better = max(snippets, key=lambda s: support(bare, [s], question, tz), default=None)
            if better is None or support(bare, [better], question, tz) < MIN_SUPPORT:
                dropped.append(f"unsupported by {''.join(f'[{n}]' for n in valid)}: {bare}")
                continue
            dropped.append(f"re-cited {''.join(f'[{n}]' for n in valid)} → [{better.number}]: {bare}")
            valid = [better.number]
        kept.append(_rewrite_citations(sentence, valid))
        cited.extend(n for n in valid if n not in cited)
    says_not_found = bool(NOT_FOUND_RE.search(model_text)) and not kept
    return Validated(" ".join(kept), tuple(cited), tuple(dropped), says_not_found)


_MONTH_WORDS = {
    m: i
    for i, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")),
        start=1,
    )
    for m in names
}


def event_range(snippet: Snippet, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """When the snippet's event happened: the time a phrase in it implies, else its own day."""
    local = snippet.timestamp.astimezone(tz) if tz is not None else snippet.timestamp
    implied = parse_time_expression(snippet.text, local, prefer_future=speaks_of_future(snippet.text)).range
    if implied is not None and implied.start is not None and implied.end is not None:
        return implied.start, implied.end
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def date_consistent(sentence: str, cited: Sequence[Snippet], tz: tzinfo | None = None) -> bool:
    """For "when" answers: the sentence names a date inside the event time of a cited snippet.

    Checks the day of month and month words it uses; a sentence with no day
    and no month says no date and fails.
    """
    words = re.findall(r"[a-z]+|\d+", strip_citations(sentence).lower())
    days = {int(w) for w in words if w.isdigit() and 1 <= int(w) <= 31}
    months = {_MONTH_WORDS[w] for w in words if w in _MONTH_WORDS}
    if not days and not months:
        return False
    for snippet in cited:
        start, end = event_range(snippet, tz)
        span_days: set[int] = set()
        span_months: set[int] = set()
        moment = start
        while moment < end and len(span_days) < 40:
            span_days.add(moment.day)
            span_months.add(moment.month)
            moment += timedelta(days=1)
        if days <= span_days and months <= span_months:
            return True
    return False


def _sentences_with_citations(text: str) -> list[str]:
    """Sentences, with a citation written after the full stop ("… 2023. [2]") joined to its sentence."""
    out: list[str] = []
    for part in split_sentences(text.strip()):
        if out and not strip_citations(part):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def _rewrite_citations(sentence: str, valid: list[int]) -> str:
    """The sentence with its citation groups replaced by the valid numbers, once, before the final stop."""
    bare = strip_citations(sentence)
    end = ""
    if bare and bare[-1] in ".!?":
        bare, end = bare[:-1], bare[-1]
    return f"{bare} {''.join(f'[{n}]' for n in valid)}{end}"


def check_dates(
    validated: Validated, snippets: Sequence[Snippet], relevant: set[int], tz: tzinfo | None
) -> Validated:
    """Keep "when" sentences only if they cite a relevant snippet and give its event's date.

    A date alone is "supported" by any snippet of that day; small models also
    copy a message's date where its text says "yesterday".
    """
    by_number = {s.number: s for s in snippets}
    kept, dropped = [], list(validated.dropped)
    for sentence in split_kept(validated.text):
        cited = [by_number[n] for n in citation_numbers(sentence) if n in by_number and n in relevant]
        if cited and date_consistent(sentence, cited, tz):
            kept.append(sentence)
        else:
            dropped.append(f"wrong or missing date: {sentence}")
    numbers = [n for n in validated.cited if any(f"[{n}]" in k for k in kept)]
    return Validated(" ".join(kept), tuple(numbers), tuple(dropped), validated.says_not_found)


def split_kept(text: str) -> list[str]:
    """Validated text → its sentences (each ends with citations and maybe a stop)."""
    return [p.strip() for p in re.findall(r".+?\](?:[.!?])?(?=\s|$)", text)] or ([text] if text else [])

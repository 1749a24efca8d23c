"""Answers without a model: the date of the best evidence, or its best sentence, cited.

Nothing here invents text: a "when" answer is a date read from the best
snippet (its own time, or the time a phrase in it implies: "yesterday" in a
message of 8 May 2023 is 7 May 2023); other answers quote the snippet.
Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from core.answer.meaning import Similarity, closest
from core.answer.text import STOPWORDS, content_terms, coverage, split_sentences
from core.answer.types import Snippet, Understanding
from core.retrieve.timeparse import parse_time_expression


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    cited: tuple[int, ...]


def query_terms(understanding: Understanding) -> list[str]:
    """Terms that must be found for a snippet to be relevant (names excluded: they are who, not what)."""
    names = {n.lower() for n in understanding.persons}
    terms = [t for t in content_terms(understanding.query) if t not in names]
    return terms or content_terms(understanding.query)


def person_fit(snippet: Snippet, persons: Sequence[str]) -> bool:
    """The snippet is by or mentions one of ``persons`` (True when no one is named)."""
    if not persons:
        return True
    # A capitalised word taken for a name may be a place or a chat's name ("the apartment in Lisbon"
    # asked of the chat "Lisbon trip"): the conversation and title count as what the snippet is about.
    about = " ".join(filter(None, (snippet.speaker, snippet.text, snippet.conversation, snippet.title))).lower()
    return any(p.lower() in about for p in persons)


def said_by(snippet: Snippet, persons: Sequence[str]) -> bool:
    speaker = (snippet.speaker or "").lower()
    return bool(speaker) and any(p.lower() in speaker for p in persons)


def relevance(snippet: Snippet, terms: list[str], persons: Sequence[str], similarity: Similarity | None = None,
              meaning: float = 0.0) -> float:
    """How well a snippet matches the question: term coverage, who it is about, retrieval rank.

    Being *said by* the person a question names counts more than mentioning
    them: "the URL Lukas sent" is Lukas's message, not a calendar naming him.
    """
    score = coverage(terms, snippet.text)
    if persons and said_by(snippet, persons):
        score += 0.3
    elif persons and person_fit(snippet, persons):
        score += 0.1
    score += 0.1 / (1 + snippet.rank)
    if snippet.is_hit:
        score += 0.05
    if similarity and meaning:
        score += meaning * closest(snippet, similarity)
    return score


def rank_snippets(understanding: Understanding, snippets: Sequence[Snippet], similarity: Similarity | None = None,
                  meaning: float = 0.0) -> list[tuple[float, Snippet]]:
    terms = query_terms(understanding)
    scored = [(relevance(s, terms, understanding.persons, similarity, meaning), s) for s in snippets]
    return sorted(scored, key=lambda pair: (-pair[0], pair[1].number))


def format_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


_FUTURE_RE = re.compile(
    r"\b(?:will|won't|shall|gonna|going\s+to|plan(?:s|ning)?\s+to|about\s+to|tomorrow|next|upcoming|"
    r"comes|coming|is\s+due|are\s+due|starts|begins|leaving|see\s+you)\b|'ll\b",
    re.IGNORECASE,
)


def speaks_of_future(text: str) -> bool:
    """The text makes plans ("comes Monday", "we'll go in March"): undated times are upcoming."""
    return bool(_FUTURE_RE.search(text))


_AGO_RE = re.compile(r"(?P<n>[\w-]+(?:\s+or\s+[\w-]+)?)\s+(?P<unit>weekends?|weeks?|months?|years?)\s+ago",
                     re.IGNORECASE)
_PRESENT_WHEN_RE = re.compile(r"^\s*when(?:'s|\s+(?:is|are|will|does|do|shall)\b)", re.IGNORECASE)


def asks_about_upcoming(question: str) -> bool:
    """ "When is grandpa's birthday?" asks for the next one; "When did …" for a past one."""
    return bool(_PRESENT_WHEN_RE.search(question))


def describe_event_date(snippet: Snippet, tz: tzinfo | None = None, sentence: str | None = None,
                        upcoming: bool = False) -> str:
    """When the snippet's event happened, as words ("7 May 2023", "the week before 9 August 2023").

    ``sentence`` (the part of the snippet that answers the question) is read
    first: a note with several dates must give the one next to the question's words.
    """
    local = snippet.timestamp.astimezone(tz) if tz is not None else snippet.timestamp
    parsed = None
    for text in ([sentence] if sentence else []) + [snippet.text]:
        parsed = parse_time_expression(text, local, prefer_future=upcoming or speaks_of_future(text))
        if parsed.range is not None:
            break
    assert parsed is not None
    time_range = parsed.range
    if time_range is None or time_range.start is None or time_range.end is None:
        return format_date(local)
    start = time_range.start
    length = time_range.end.timestamp() - start.timestamp()
    day = 86400
    ago = _AGO_RE.fullmatch((parsed.phrase or "").strip())
    if ago is not None and length > day * 1.05:  # "three weeks ago" is said best as "three weeks before <date>"
        return f"{ago['n'].lower()} {ago['unit'].lower()} before {format_date(local)}"
    if length <= day * 1.05:
        return format_date(start)
    before_message = time_range.end <= local
    # "the weekend/week before <message date>" only for the one just before it; an earlier one is named.
    just_before = before_message and (local - time_range.end).total_seconds() < day * 7
    if length <= day * 2.1 and start.weekday() == 5:
        return f"the weekend before {format_date(local)}" if just_before else f"the weekend of {format_date(start)}"
    if length <= day * 7.1:
        return f"the week before {format_date(local)}" if just_before else f"the week of {format_date(start)}"
    if length <= day * 31.1:
        return f"{start:%B %Y}"
    if length <= day * 366.1:
        return f"{start.year}"
    return format_date(local)


MAX_QUOTE_CHARS = 240
_CLOCK_TIME_RE = re.compile(
    r"\b(?:(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s*[ap]\.?m\.?)?|(?:1[0-2]|0?[1-9])\s*[ap]\.?m\.?|noon|midnight)(?!\w)",
    re.IGNORECASE,
)


def clock_time(text: str, terms: Sequence[str]) -> str | None:
    """The time of day in ``text`` nearest the question's words ("09:55", "7pm"), if any."""
    found = list(_CLOCK_TIME_RE.finditer(text))
    if not found:
        return None
    lowered = text.lower()
    anchors = [i for t in terms for i in [lowered.find(t.lower())] if i >= 0]
    if not anchors:
        return found[0].group(0)
    return min(found, key=lambda m: min(abs(m.start() - a) for a in anchors)).group(0)


# Where a note's line or a message's clause ends: a "when" answer takes the time (and place) only from the clause
# that names the event ("Lunch at Mum's at 13:00; Jonas brings the cake" → "13:00 at Mum's").
_CLAUSE_SPLIT_RE = re.compile(r"\s*(?:[;•·|]|\s[-–—]\s|#+\s|\n)\s*")
# "at Mum's", "in the Town Hall", "from Sweden": a capitalised place after at/in/to/from/near (times, months and days are not).
_PLACE_RE = re.compile(r"\b(?:at|in|to|from|near)\s+(?:the\s+)?(?P<place>[A-ZÀ-Ý][\w'’&-]*(?:\s+[A-ZÀ-Ý][\w'’&-]*){0,3})")
_NOT_PLACES = frozenset({
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "I", "Spring", "Summer",
    "Autumn", "Winter",
})


def event_clause(snippet: Snippet, terms: Sequence[str]) -> str | None:
    """The clause of ``snippet`` that names the asked-about event (most of ``terms``) and gives a time of day."""
    clauses = [c for c in _CLAUSE_SPLIT_RE.split(snippet.text) if c]
    timed = [c for c in clauses if coverage(list(terms), c) > 0 and _CLOCK_TIME_RE.search(c)]
    return max(timed, key=lambda c: coverage(list(terms), c), default=None)


def event_place(snippet: Snippet, terms: Sequence[str]) -> str | None:
    """The place named in the clause of ``snippet`` that names the asked-about thing (most of ``terms``)."""
    placed = [(coverage(list(terms), c), place) for c in _CLAUSE_SPLIT_RE.split(snippet.text) if c
              for place in [place_in(c)] if place is not None]
    placed = [p for p in placed if p[0] > 0]
    return max(placed, key=lambda p: p[0])[1] if placed else None


def place_in(clause: str) -> str | None:
    """The place a clause names ("at Mum's"), if any."""
    for m in _PLACE_RE.finditer(clause):
        if m["place"].split()[0].rstrip("'’s") not in _NOT_PLACES:
            return m.group(0)
    return None


def event_time_and_place(snippet: Snippet, terms: Sequence[str]) -> str | None:
    """ "13:00 at Mum's": the time of day, and the place when the same clause gives it, of the event the question
    names; ``None`` when no clause naming it gives a time (a date alone is then the answer)."""
    clause = event_clause(snippet, terms)
    if clause is None:
        return None
    clock = clock_time(clause, terms)
    place = place_in(clause)
    return f"{clock} {place}" if clock and place else clock


_HOW_MUCH_RE = re.compile(r"^\s*how\s+(?:long|old|often)\b", re.IGNORECASE)
_NUMBER_WORDS = (r"\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                 r"thirty|forty|fifty|hundred|a\s+dozen|a\s+couple\s+of|a\s+few|several|once|twice")
# "4 years", "a few times a week", "two dogs": a count and the words it counts (up to three, no punctuation).
_NUMBER_PHRASE_RE = re.compile(rf"\b(?:{_NUMBER_WORDS})\b(?:\s+(?!and\b|but\b|so\b)[a-z][\w'’-]*){{0,4}}", re.IGNORECASE)


def asks_how_much(question: str) -> bool:
    """ "How long …", "How old …", "How often …": the answer is a duration, an age or a frequency."""
    return bool(_HOW_MUCH_RE.search(question))


def _trim_stopwords(phrase: str) -> str:
    """ "once or twice a" → "once or twice": a phrase cut at a word limit does not end on a small word."""
    words = phrase.split()
    while len(words) > 1 and words[-1].lower() in STOPWORDS:
        words.pop()
    return " ".join(words)


def number_phrase(snippet: Snippet, terms: Sequence[str]) -> str | None:
    """The count in the clause of ``snippet`` that names the asked-about thing ("4 years"), if any."""
    counted = [(coverage(list(terms), c), _trim_stopwords(m.group(0))) for c in _CLAUSE_SPLIT_RE.split(snippet.text) if c
               for m in [_NUMBER_PHRASE_RE.search(c)] if m is not None and not _CLOCK_TIME_RE.search(m.group(0))]
    counted = [c for c in counted if c[0] > 0]
    return max(counted, key=lambda c: c[0])[1] if counted else None


def best_sentence(snippet: Snippet, terms: list[str]) -> str:
    """The sentence (or line) covering most terms; a long one is cut to a window around the terms."""
    from core.retrieve.snippets import make_snippet

    sentences = split_sentences(snippet.text) or [snippet.text]
    best = max(sentences, key=lambda s: (coverage(terms, s), -sentences.index(s)))
    return make_snippet(best, terms, MAX_QUOTE_CHARS) if len(best) > MAX_QUOTE_CHARS else best


# A sentence that only repeats the question's words ("Been busy with a project for veterans.") rarely
# holds the answer: the next sentence usually does.
MIN_NEW_TERMS = 3


def answer_sentences(snippet: Snippet, terms: list[str], similarity: Similarity | None = None,
                     meaning: float = 0.0) -> str:
    """The best sentence, and the one after it when the best adds fewer than ``MIN_NEW_TERMS`` new words.

    Best: most of the question's words, plus ``meaning`` times its similarity to the question.
    """
    from core.retrieve.snippets import make_snippet

    sentences = split_sentences(snippet.text) or [snippet.text]
    sims = [similarity.get(s, 0.0) if similarity else 0.0 for s in sentences]
    at = max(range(len(sentences)), key=lambda i: (coverage(terms, sentences[i]) + meaning * sims[i], -i))
    chosen = sentences[at]
    if is_screen(snippet):
        return _screen_lines(snippet.text, chosen, terms)
    new = [t for t in content_terms(chosen) if t not in terms]
    if len(new) < MIN_NEW_TERMS and at + 1 < len(sentences):
        chosen = f"{chosen} {sentences[at + 1]}"
    return make_snippet(chosen, terms, MAX_QUOTE_CHARS) if len(chosen) > MAX_QUOTE_CHARS else chosen


def _screen_lines(text: str, chosen: str, terms: list[str]) -> str:
    """A screen's quote: the line with the question's words and the lines below it, up to ``MAX_QUOTE_CHARS``.

    A screen's lines are its labels and fields ("Release review: Tidepool 2.4", "When: …", "Attendees: …"):
    the line naming the asked-about thing is a heading, and what is asked of it follows on the next lines.
    """
    from core.retrieve.snippets import make_snippet

    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    at = next((i for i, line in enumerate(lines) if chosen in line), None)
    if at is None or len(chosen) >= MAX_QUOTE_CHARS:
        return make_snippet(chosen, terms, MAX_QUOTE_CHARS) if len(chosen) > MAX_QUOTE_CHARS else chosen
    picked = [lines[at]]
    for line in lines[at + 1:]:
        if len(" · ".join([*picked, line])) > MAX_QUOTE_CHARS:
            break
        picked.append(line)
    return " · ".join(picked)


def is_screen(snippet: Snippet) -> bool:
    return snippet.source.split(":", 1)[0] == "screen"  # "screen", or "screen:demo" for the demo's captures


@dataclass(frozen=True, slots=True)
class Composition:
    """How an extractive answer is put together; chosen on LoCoMo-dev folds (``bench.locomo --answers``).

    ``second_quote`` > 0: a "what/who/yes-no" answer also quotes the runner-up memory when it scores at
    least this share of the best one (answers spread over two messages).
    """

    # 0.85 chosen in two of three folds: gold cited 0.436 -> 0.486 held out, F1 unchanged.  With the opt-in
    # snippet chooser (``core.answer.choose``, probabilities) 0.3 was chosen in all three folds instead.
    second_quote: float = 0.85
    # > 0: the memory and its sentence are chosen by shared words plus this times the sentence's similarity in
    # meaning to the question (needs sentence vectors: ``Answerer(embed=…)``).  1.0 chosen in all three folds:
    # held out F1 0.229 -> 0.239, gold cited 0.493 -> 0.514 (bench.locomo --answers).
    meaning: float = 1.0


def extractive_answer(
    understanding: Understanding, snippets: Sequence[Snippet], tz: tzinfo | None = None,
    composition: Composition = Composition(),
    similarity: Similarity | None = None,
    ranked: Sequence[tuple[float, Snippet]] | None = None,
) -> Extracted | None:
    """The extractive answer, or ``None`` when there are no snippets.  ``similarity``: sentence → cosine to
    the question (``core.answer.meaning``), used with ``composition.meaning``.  ``ranked``: the snippets
    already scored, best first (``core.answer.choose``); by default shared words plus meaning."""
    if ranked is None:
        ranked = rank_snippets(understanding, snippets, similarity, composition.meaning)
    if not ranked:
        return None
    terms = query_terms(understanding)
    best = ranked[0][1]

    def quote(snippet: Snippet) -> str:
        sentence = answer_sentences(snippet, terms, similarity, composition.meaning)
        return f"{snippet.speaker}: “{sentence}”" if snippet.speaker else f"“{sentence}”"

    if understanding.answer_type == "clock":
        for _, snippet in ranked[:3]:
            clock = clock_time(best_sentence(snippet, terms), terms) or clock_time(snippet.text, terms)
            if clock is not None:
                return Extracted(f"{clock} [{snippet.number}]", (snippet.number,))
    if understanding.answer_type in ("when", "clock"):
        from core.retrieve.snippets import make_snippet

        # The date nearest the question's words: a short window first, then the sentence.
        near = make_snippet(best_sentence(best, terms), terms, 90)
        when = describe_event_date(best, tz, near, upcoming=asks_about_upcoming(understanding.question))
        # An event's time of day belongs to "when" ("3 December 2026, 13:00 at Mum's"); the question's words must
        # name it, so "When is the birthday?" does not take the lunch's time.
        at = event_time_and_place(best, terms) if understanding.answer_type == "when" else None
        return Extracted(f"{when}, {at} [{best.number}]" if at else f"{when} [{best.number}]", (best.number,))
    # A duration, age or frequency is said as itself, cited to the snippet the quote would cite ("how many" is a
    # list: its answer quotes and cites each memory that counts).
    if asks_how_much(understanding.question) and understanding.answer_type != "list":
        count = number_phrase(best, terms)
        if count is not None:
            return Extracted(f"{count} [{best.number}]", (best.number,))
    if understanding.answer_type == "where":
        # The place, not the sentence, when the clause naming the asked-about thing gives one ("at Mum's"); the
        # citation is the snippet the quote would cite.
        place = event_place(best, terms)
        if place is not None:
            return Extracted(f"{place} [{best.number}]", (best.number,))
    if understanding.answer_type == "list":
        picked: list[Snippet] = [best]
        for score, snippet in ranked[1:]:
            if len(picked) == 3:
                break
            if score >= ranked[0][0] * 0.6 and coverage(terms, snippet.text) > 0:
                picked.append(snippet)
        parts = [f"{quote(s)} [{s.number}]" for s in picked]
        return Extracted("; ".join(parts), tuple(s.number for s in picked))
    if composition.second_quote > 0 and len(ranked) > 1:
        score, runner_up = ranked[1]
        # A screen capture does not second a message: its words match through menus and folder names ("sent"),
        # and what it quotes is a screenful, not an answer.
        seconds = not is_screen(runner_up) or is_screen(best)
        if runner_up.item_id != best.item_id and score >= composition.second_quote * ranked[0][0] \
                and coverage(terms, runner_up.text) > 0 and seconds:
            return Extracted(f"{quote(best)} [{best.number}]; {quote(runner_up)} "
                             f"[{runner_up.number}]", (best.number, runner_up.number))
    return Extracted(f"{quote(best)} [{best.number}]", (best.number,))

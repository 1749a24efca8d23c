"""Proper names in free text: capitalised word sequences, typed as person, org, place or plain name.

``find_names`` skips sentence-initial filler ("Thanks", "Monday") listed in
``NOT_NAMES`` (also used to trim fact values) and types a match by simple
cues: a known speaker is a person, a company suffix an org, "in"/"moved to"
before it a place.

Pure (text in, mentions out), safe from any thread, raises nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.memory.extraction.apps import app_name, is_app_name
from core.memory.extraction.places import is_place
from core.memory.extraction.types import Mention
from core.memory.extraction.value_norms import norm_text

_CAP_WORD = r"[A-Z][a-zA-Z'’-]*[a-z][a-zA-Z'’-]*"
_CAP_SEQ = re.compile(rf"\b{_CAP_WORD}(?:[ \t]+(?:(?:of|de|van|von|der|da|am|an|im|zum|zur|la|le|du|del|di|&)[ \t]+)?{_CAP_WORD}){{0,3}}\b")
NOT_NAMES: frozenset[str] = frozenset(
    ["i", "i'm", "i've", "i'd", "i'll", "im", "hey", "hi", "hello", "thanks", "thank", "yes", "no", "oh", "ok", "okay", "wow", "yeah", "yep", "sure", "well", "so", "but", "and", "or", "the", "a", "an", "this", "that", "these", "those", "it", "its", "it's", "my", "your", "our", "their", "his", "her", "we", "you", "they", "he", "she", "what", "when", "where", "why", "how", "who", "which", "there", "here", "then", "also", "just", "maybe", "really", "great", "good", "nice", "cool", "awesome", "sorry", "please", "lol", "haha", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "yesterday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "dear", "best", "regards", "cheers", "congrats", "congratulations", "love", "happy", "glad", "sounds", "that's", "it's", "what's", "let's", "don't", "can't", "won't", "didn't", "i'm", "you're", "we're", "they're", "he's", "she's", "there's", "here's"]
)
_ORG_SUFFIX = re.compile(
    r"\b(?:Inc|Ltd|LLC|GmbH|AG|SA|BV|Corp|Corporation|Company|Co|Group|University|College|School|Bank|"
    r"Institute|Foundation|Agency|Hospital|Labs?|Studio|Press|Club)\.?$"
)
# Family words name a person, capitalised or not ("Grandpa asked for it", "my aunt Rosa").
KIN_WORDS: frozenset[str] = frozenset(
    ["mum", "mom", "mummy", "mommy", "mother", "dad", "daddy", "father", "grandpa", "grandad", "granddad",
     "grandma", "granny", "gran", "grandmother", "grandfather", "nana", "nan", "opa", "oma", "papa", "mama",
     "aunt", "auntie", "uncle", "cousin", "sis", "bro"]
)
# Labels of people in calendars, tickets and mail headers; OCR runs them into the names beside them
# ("Assignee Lukas Brandt Reporter Sam Keller"), so they also end a name.
_PERSON_LABELS: frozenset[str] = frozenset(
    ["organiser", "organizer", "attendee", "attendees", "participant", "participants", "assignee", "reporter",
     "author", "owner", "host", "sender", "recipient", "cc", "present"]
)
_TITLES: frozenset[str] = frozenset(["mr", "mrs", "ms", "dr", "prof", "sir", "dame"])
# Words that put a person right after them: titles, greetings, relations, social verbs, and the labels of
# calendars, tickets and mail headers ("Organiser: Lukas Brandt", "Reporter Sam Keller").
_PERSON_CUE = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|prof|dear|hi|hello|hey|thanks|thank you|"
    r"friend|colleague|boss|manager|neighbou?r|partner|wife|husband|sister|brother|son|daughter|"
    r"girlfriend|boyfriend|fianc[eé]e?|" + "|".join(sorted(KIN_WORDS)) + r"|"
    r"met|meet|meeting|called|call|asked|ask|told|tell|texted|emailed|invited|invite|remind|phone|congratulate|"
    + "|".join(sorted(_PERSON_LABELS)) + r")"
    r"\.?:?[ \t]+)$",
    re.I,
)
# "by" before a first and last name: a book, a talk, a photo by someone ("by Richard Powers").
_BY_CUE = re.compile(r"\bby[ \t]+$", re.I)
# Between two names of one list: a comma, "and", "&", a role in brackets ("Lukas Brandt (chair), Priya").
_LIST_GAP = re.compile(r"^[ \t]*(?:\([^()\n]{0,30}\)[ \t]*)?(?:,|;|&|\band\b|\bund\b|\bor\b)[ \t]*(?:\band\b[ \t]*)?$", re.I)
# An author after a title on a list line: "- Designing Data-Intensive Applications — Martin Kleppmann".  Only a
# dash (em, en, or a spaced double hyphen) on a list item: in a window title ("Tidepool — Dashboard") the part
# after a dash is a page or an app, not a person.
_TITLE_DASH = re.compile(r"^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+\S[^\n]*?\S[ \t]+(?:—|–|--)[ \t]+$")
# What may follow an author's name on such a line: its end, a note in brackets, a comma or a semicolon.
_AFTER_AUTHOR = re.compile(r"^[ \t]*(?:$|\n|[(,;])")
# Verbs that start a reminder about a person ("Ask Grandpa about the club", "Call Lukas Brandt"): capitalised at
# the start of a sentence they run into the name after them, but they are no part of it.
_IMPERATIVE_VERBS: frozenset[str] = frozenset(
    ["ask", "tell", "call", "phone", "ring", "text", "email", "e-mail", "message", "invite", "remind", "thank",
     "meet", "visit", "help", "congratulate", "wish", "pick", "bring", "collect", "send", "write"]
)
# A list line "title — author": the part before the dash is a book, a film, a talk ("- The Peregrine — J. A. Baker").
_LIST_TITLE = re.compile(
    r"^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+(?P<title>\S[^\n]*?)[ \t]+(?:—|–|--)[ \t]+"
    r"(?P<author>(?:[A-Z]\.[ \t]*)*[A-Z][\w'’-]+(?:[ \t]+(?:[A-Z]\.[ \t]*)*[A-Z][\w'’-]+){0,2})[ \t]*(?:$|[(,;])")
_ARTICLE_BEFORE = re.compile(r"\b(The|A|An)[ \t]+$")
_QUOTE_OPENS = re.compile(r"['‘\"“](?:(?:The|A|An)[ \t]+)?$")
# A quoted name by someone: "'The Overstory' by Richard Powers".
_QUOTED_BY = re.compile(r"^['’\"”][ \t]+by[ \t]+[A-Z]")
# A word that goes on past a symbol OCR put in place of a letter ("Bergmannstra&e" for "Bergmannstraße"): the
# capitalised part before the symbol is a cut word, no name.
_CUT_WORD = re.compile(r"[&@#$%*|~^{}<>\\§][A-Za-zÀ-ÿ]")
# Where a line starts a sentence: after a list marker or a Markdown heading mark ("- Staging load test").
_LINE_START = re.compile(r"^[ \t]*(?:(?:[-*•>+]|#{1,6}|\d{1,3}[.)])[ \t]+)?$")


@dataclass(slots=True)
class _Found:
    words: list[str]
    value: str
    norm: str
    start: int
    end: int
    kind: str
    conf: float
    sentence_initial: bool


@dataclass(frozen=True, slots=True)
class NameContext:
    """What the vault knows beyond the text (folded names): people (chat speakers, known persons), apps and
    sites its captures' window metadata named ("Confluence" from "… — Confluence — Mozilla Firefox"), and
    places a map app showed."""

    people: frozenset[str] = frozenset()
    apps: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()


def find_names(text: str, known_people: frozenset[str] = frozenset(), context: NameContext | None = None
               ) -> list[Mention]:
    """Capitalised word sequences that are not sentence-initial filler; typed by simple cues.

    ``known_people`` (folded names, e.g. chat speakers) types matches as persons.  A name listed
    together with a person ("Priya Raman, Marta Kowalski"), or one whose first name is a person's named
    in the same text, is a person too.  ``context`` adds the vault's apps and places.
    """
    context = NameContext(known_people | (context.people if context else frozenset()),
                          context.apps if context else frozenset(), context.places if context else frozenset())
    found = [f for m in _CAP_SEQ.finditer(text) for f in _candidates(text, m, context)]
    _people_by_company(text, found)
    out: list[Mention] = []
    for f in found:
        if f.sentence_initial and len(f.words) == 1 and (f.kind == "name" or (f.kind == "app" and f.conf < 0.8)):
            continue  # an ordinary capitalised first word ("Dashboard loads…", though a window titled one)
        value = app_name(f.value) if f.kind == "app" else f.value
        out.append(Mention(f.kind, value, f.norm, f.start, f.end, "names", f.conf))
    return out


def _candidates(text: str, m: re.Match[str], context: NameContext) -> list[_Found]:
    """One capitalised sequence as names; a possessive ends a name ("Priya's Postgres" is Priya)."""
    out: list[_Found] = []
    offset = m.start()
    words = m.group(0).split()
    while words:
        if words[0].lower() in _PERSON_LABELS:
            offset = text.index(words[0], offset) + len(words[0])
            words = words[1:]
            continue
        cut = next((n for n, w in enumerate(words) if w.endswith(("'s", "’s"))), None)
        label = next((n for n, w in enumerate(words) if n and w.lower() in _PERSON_LABELS), None)
        if label is not None and (cut is None or label <= cut):
            part, words, cut = words[:label], words[label:], None
        else:
            part = words if cut is None else words[: cut + 1]
            words = [] if cut is None else words[cut + 1 :]
        if cut is not None:
            part = [*part[:-1], part[-1][:-2]]
        value = " ".join(part)
        start = text.index(part[0], offset)
        offset = start + len(value) + (2 if cut is not None else 0)
        one = _typed(text, part, start, context)
        if one is not None:
            out.append(one)
    return out


def _typed(text: str, words: list[str], start: int, context: NameContext) -> _Found | None:
    while words and words[0].lower().strip("'’") in NOT_NAMES:
        start = text.index(words[1], start + len(words[0])) if len(words) > 1 else start
        words = words[1:]
    if not words:
        return None
    if len(words) > 1 and words[0].lower() in _IMPERATIVE_VERBS and _starts_sentence(text, start):
        start = text.index(words[1], start + len(words[0]))  # "Ask Grandpa": the name is Grandpa
        words = words[1:]
    value = " ".join(words)
    end = start + len(value)
    norm = norm_text(value)
    if len(norm) < 3 or norm in NOT_NAMES or _CUT_WORD.match(text, end):
        return None
    line = text[text.rfind("\n", 0, start) + 1 : start]
    sentence_initial = _starts_sentence(text, start)
    before = text[max(0, start - 24) : start]
    known_people = context.people
    if is_app_name(value):
        kind, conf = "app", 0.8
    elif norm in context.apps:  # a site or app the user's own captures name in their window titles
        kind, conf = "app", 0.6
    elif _is_title(text, start, end):
        kind, conf = "work", 0.6
    elif norm in known_people or words[0].lower() in known_people:
        kind, conf = "person", 0.9
    elif words[0].lower() in KIN_WORDS or (len(words) > 1 and words[0].rstrip(".").lower() in _TITLES):
        kind, conf = "person", 0.8
    elif _ORG_SUFFIX.search(value):
        kind, conf = "org", 0.8
    elif _PERSON_CUE.search(before) or (len(words) in (2, 3) and _BY_CUE.search(before)):
        kind, conf = "person", 0.7
    elif len(words) in (2, 3) and _TITLE_DASH.match(line) and _AFTER_AUTHOR.match(text[end : end + 3]):
        kind, conf = "person", 0.6
    elif is_place(before, words, context.places):
        kind, conf = "place", 0.5
    else:
        kind, conf = "name", 0.5
    article = _ARTICLE_BEFORE.search(text, max(0, start - 4), start)
    if kind == "work" and article is not None:  # a title keeps its article: "The Overstory", not "Overstory"
        start, words = article.start(), [article[1], *words]
        value = " ".join(words)
        norm = norm_text(value)
    return _Found(words, value, norm, start, end, kind, conf, sentence_initial)


def _is_title(text: str, start: int, end: int) -> bool:
    """A book's or a talk's title: in quotes before "by" someone, or before the author on a list line."""
    if _QUOTE_OPENS.search(text, max(0, start - 6), start) and _QUOTED_BY.match(text[end : end + 40]):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    m = _LIST_TITLE.match(text[line_start : line_end if line_end >= 0 else len(text)])
    return m is not None and start - line_start >= m.start("title") and end - line_start <= m.end("title")


def _starts_sentence(text: str, start: int) -> bool:
    """At the start of the text, after a sentence's end or a line break, or after a list or heading mark."""
    before = text[max(0, start - 2) : start]
    line = text[text.rfind("\n", 0, start) + 1 : start]
    return start == 0 or bool(re.search(r"[.!?\n]\s*$", before)) or bool(_LINE_START.match(line))


def _people_by_company(text: str, found: list[_Found]) -> None:
    """Untyped names take the kind of a person or place they are listed with ("Priya Raman, Marta Kowalski",
    "Berlin and Leipzig"), and become people when a person of this text has their first name
    ("Marta Kowalski … Marta: announce the release")."""
    changed = True
    while changed:
        changed = False
        first_names = {f.words[0].lower() for f in found if f.kind == "person" and len(f.words) > 1}
        for n, f in enumerate(found):
            if f.kind != "name" or len(f.words) > 3:
                continue
            kind = next((other.kind for other in _list_neighbours(found, n) if other.kind in ("person", "place")
                         and _LIST_GAP.match(text[min(f.end, other.end) : max(f.start, other.start)] or "x")), None)
            if kind is None and f.words[0].lower() in first_names:
                kind = "person"
            if kind is not None:
                f.kind, f.conf = kind, 0.6
                changed = True


def _list_neighbours(found: list[_Found], n: int) -> list[_Found]:
    """The names just before and after ``found[n]`` (a list is read link by link)."""
    return [found[i] for i in (n - 1, n + 1) if 0 <= i < len(found)]

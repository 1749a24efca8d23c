"""Fact candidates from first-person statements ("my name is", "I live in"), statements about a named
person ("Grandpa's birthday is on 3 December", "Lukas moved to Hamburg") and labelled form values.

``FIRST_PERSON_PATTERNS`` yield facts about the speaker, ``NAMED_PATTERNS``
facts about the person named (subject ``person:<name>``), ``_LABELS``
("E-mail: ...") weaker facts about the user; ``FIRST_PERSON_CUE`` tells
whether a text is worth a model pass.  ``normalise_fact`` cleans and
validates one value per predicate (also for model output) and
``quote_span`` cuts the evidence quote.

Pure (text in, candidates out), safe from any thread; an invalid value is
dropped, never raised.
"""

from __future__ import annotations

import re
from datetime import datetime

from core.memory.extraction.contacts import EMAIL, find_addresses, trim_url
from core.memory.extraction.dates import find_dates
from core.memory.extraction.names import NOT_NAMES
from core.memory.extraction.types import FactCandidate
from core.memory.extraction.value_norms import iban_valid, norm_email, norm_phone, norm_text, norm_url

_NAME_VALUE = r"(?P<v>[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){0,3})"
_PLACE_VALUE = r"(?P<v>[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+){0,3}(?:,[ \t]*[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+)?)?)"
_ORG_VALUE = r"(?P<v>[A-Z][\w'’&-]*(?:[ \t]+(?:&[ \t]+)?[A-Z][\w'’&-]*){0,4})"
_REST = r"(?P<v>[^\n.;!?]{3,120})"

FIRST_PERSON_PATTERNS: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("name", re.compile(rf"(?i:\bmy (?:full )?name is|\bcall me)\s+{_NAME_VALUE}"), 0.85),
    ("address", re.compile(rf"(?i:\bmy (?:new |home |postal )?address is|\bi (?:now )?live at|\bi(?:'ve| have)? moved to|\bwe(?:'ve| have)? moved to)\s+{_REST}"), 0.8),
    ("city", re.compile(rf"(?i:\bi (?:now )?live in|\bi'm living in|\bi am living in|\bi(?:'ve| have)? (?:just )?moved to|\bi(?:'ve| have)? relocated to|\bwe(?:'ve| have)? moved to|\bi'm based in|\bi am based in|\bi'm moving to|\bi am moving to|\bwe're moving to|\bwe are moving to)\s+{_PLACE_VALUE}"), 0.75),
    ("employer", re.compile(rf"(?i:\bi (?:now )?work (?:at|for)|\bi'm working (?:at|for)|\bi am working (?:at|for)|\bi(?:'ve| have)? (?:just )?joined|\bi (?:just )?started (?:a new job |working )?at|\bmy employer is|\bi got (?:the|a|my) (?:new )?job (?:at|with))\s+(?:the\s+)?{_ORG_VALUE}"), 0.75),
    ("job_title", re.compile(r"(?i:\bmy job title is|\bi work as an?|\bi'm working as an?|\bmy (?:job|role|position) is)\s+(?P<v>[a-zA-Z][a-zA-Z -]{2,40}?)(?=\s+(?:at|for|in)\b|[.,;!?\n]|$)"), 0.7),
    ("birthday", re.compile(rf"(?i:\bmy birthday is(?: on)?|\bi was born on|\bmy date of birth is|\bborn on)\s+{_REST}"), 0.8),
    ("email", re.compile(r"(?i:\bmy (?:e-?mail|email address|e-mail address) is|\bemail me at|\bmail me at)\s+(?P<v>\S+@\S+)"), 0.9),
    ("phone", re.compile(r"(?i:\bmy (?:phone|mobile|cell|cellphone|telephone)(?: number)? is|\bcall me at|\breach me at|\btext me at)\s+(?P<v>\+?[\d][\d ()./-]{5,22}\d)"), 0.85),
    ("website", re.compile(r"(?i:\bmy (?:web)?site is|\bmy homepage is|\bmy blog is)\s+(?P<v>\S+)"), 0.8),
)

_PERSON = r"(?P<s>[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+)?)"
# Statements about someone by name: the subject is that person (each fact keeps the message as its source).
NAMED_PATTERNS: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("birthday", re.compile(rf"\b{_PERSON}(?:'s|’s) birthday is(?: on)?\s+{_REST}"), 0.7),
    ("city", re.compile(rf"\b{_PERSON} (?:now )?(?:lives in|has moved to|moved to|is moving to|relocated to)\s+{_PLACE_VALUE}"),
     0.6),
    ("employer", re.compile(rf"\b{_PERSON} (?:now )?(?:works (?:at|for)|has joined|joined|got (?:the|a) job at)\s+(?:the\s+)?{_ORG_VALUE}"),
     0.6),
)
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "this", "that", "there", "here", "who", "everyone"})

_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("name", re.compile(r"(?im)^\s*(?:full name|name|customer name|account holder)\s*[:：]\s*(?P<v>[^\n]{3,60})$")),
    ("email", re.compile(r"(?im)^\s*(?:e-?mail(?: address)?)\s*[:：]\s*(?P<v>\S+@\S+)\s*$")),
    ("phone", re.compile(r"(?im)^\s*(?:phone|tel(?:ephone)?|mobile|cell)(?: (?:no\.?|number))?\s*[:：]\s*(?P<v>\+?[\d][\d ()./-]{5,22}\d)\s*$")),
    ("address", re.compile(r"(?im)^\s*(?:(?:postal |home |billing |shipping )?address)\s*[:：]\s*(?P<v>[^\n]{5,120})$")),
    ("birthday", re.compile(r"(?im)^\s*(?:date of birth|dob|birthday|birth date)\s*[:：]\s*(?P<v>[^\n]{6,40})$")),
    ("employer", re.compile(r"(?im)^\s*(?:employer|company|organi[sz]ation)\s*[:：]\s*(?P<v>[^\n]{2,60})$")),
    ("job_title", re.compile(r"(?im)^\s*(?:job title|position|title|occupation)\s*[:：]\s*(?P<v>[^\n]{2,60})$")),
    ("website", re.compile(r"(?im)^\s*(?:website|homepage|web)\s*[:：]\s*(?P<v>\S+)\s*$")),
    ("passport", re.compile(r"(?im)^\s*passport(?: no\.?| number| #)?\s*[:：]\s*(?P<v>[A-Z0-9]{6,12})\s*$")),
    ("iban", re.compile(r"(?im)^\s*iban\s*[:：]\s*(?P<v>[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{2,4}){3,8})\s*$")),
)

FIRST_PERSON_CUE = re.compile(
    r"(?i)\b(?:my (?:name|address|birthday|email|e-mail|phone|number|job|employer|website)|i (?:live|work|moved|was born|joined)|i'm (?:a|an|based|living|working|moving)|i got (?:the|a) job)\b"
)


def normalise_fact(predicate: str, value: str, reference: datetime | None, phone_region: str | None) -> tuple[str, str] | None:
    """Clean and check a fact value; returns ``(value, norm)`` or None when it is not a valid value."""
    value = value.strip().strip(" ,;:").rstrip(".")
    if not value:
        return None
    if predicate == "email":
        m = EMAIL.search(value)
        return (m.group(0).rstrip("."), norm_email(m.group(0))) if m else None
    if predicate == "phone":
        e164 = norm_phone(value, phone_region)
        return (value, e164) if e164 else None
    if predicate == "website":
        if not re.match(r"(?i)(https?://|www\.)|[\w-]+\.[a-z]{2,}", value):
            return None
        v = trim_url(value)
        return v, norm_url(v)
    if predicate == "birthday":
        dates = find_dates(value, reference)
        if dates:
            return dates[0].value, dates[0].norm
        return None
    if predicate == "iban":
        return (value, re.sub(r"\s+", "", value).upper()) if iban_valid(value) else None
    if predicate == "address":
        addresses = find_addresses(value)
        if addresses:
            return addresses[0].value, addresses[0].norm
        # "I moved to Lisbon" is a city, not an address: require a digit for a free-form address
        if not re.search(r"\d", value):
            return None
        return value, norm_text(value)
    if predicate in ("name", "employer", "city"):
        words = value.split()
        # drop a trailing lower-case tail the capitalised pattern may not have caught
        while words and words[-1].lower() in NOT_NAMES:
            words.pop()
        if not words:
            return None
        value = " ".join(words)
        if norm_text(value) in NOT_NAMES:
            return None
    return value, norm_text(value)


def find_facts(
    text: str, *, reference: datetime | None = None, phone_region: str | None = "US", labelled: bool = True
) -> list[FactCandidate]:
    """First-person statements (subject 'speaker'), statements about a named person (subject 'person:<name>')
    and labelled values (subject 'self', lower confidence)."""
    # (subject, predicate, pattern, confidence, method): labels are weaker evidence than "my ... is".
    sources = [("speaker", predicate, pattern, confidence, "pattern")
               for predicate, pattern, confidence in FIRST_PERSON_PATTERNS]
    if labelled:
        sources += [("self", predicate, pattern, 0.45, "label") for predicate, pattern in _LABELS]
    sources += [("person", predicate, pattern, confidence, "pattern") for predicate, pattern, confidence in NAMED_PATTERNS]
    out: list[FactCandidate] = []
    for kind, predicate, pattern, confidence, method in sources:
        for m in pattern.finditer(text):
            subject = kind
            if kind == "person":
                name = m["s"]
                if name.split()[0].lower() in _PRONOUNS or norm_text(name) in NOT_NAMES:
                    continue
                subject = f"person:{name}"
            cleaned = normalise_fact(predicate, m["v"], reference, phone_region)
            if cleaned is None:
                continue
            value, norm = cleaned
            start = m.start("v")
            out.append(FactCandidate(subject, predicate, value, norm, start, start + len(value), confidence,
                                     method, quote_span(text, m.start(), m.end())))
    return out


def quote_span(text: str, start: int, end: int, pad: int = 40) -> str:
    return text[max(0, start - pad) : min(len(text), end + pad)].strip()

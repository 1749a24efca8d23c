"""Entity and fact extraction: deterministic extractors first, the model second.

Deterministic extractors (regexes, ``phonenumbers``) find emails, phones,
URLs, dates, @handles, file paths, postal addresses, "Name <email>" pairs,
proper names, labelled form values ("E-mail: ...") and first-person
statements ("my name is", "I live in", "I work at", "my birthday is").

The model pass (``model_facts``) only runs where a first-person cue exists
and the patterns found nothing; it is grammar-constrained to JSON, and every
value it returns must occur verbatim in the source text or it is dropped:
a small model may propose, never invent.

Everything here is pure: text in, values out; no database, no threads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

# -- value types ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """Something named in a text: ``kind`` is an entity kind or a contact kind.

    Kinds: 'person', 'org', 'place', 'name' (a proper name of unknown type),
    'email', 'phone', 'url', 'handle', 'path', 'address', 'date'.
    """

    kind: str
    value: str
    norm: str
    start: int
    end: int
    extractor: str
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class FactCandidate:
    """A proposed fact about ``subject`` ('self', 'speaker' or a name), with its evidence span."""

    subject: str
    predicate: str
    value: str
    norm: str
    start: int
    end: int
    confidence: float
    origin: str  # 'pattern' | 'label' | 'model'
    quote: str = ""


@dataclass(frozen=True, slots=True)
class Binding:
    """Two names of one entity seen together ("Priya Sharma <priya@acme.com>")."""

    name: str
    alias_kind: str
    alias: str
    alias_norm: str


@dataclass(slots=True)
class Extraction:
    mentions: list[Mention] = field(default_factory=list)
    facts: list[FactCandidate] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)


# Facts with one current value per subject; a new value supersedes the old one.
SINGLE_VALUED: frozenset[str] = frozenset(
    {"name", "address", "city", "employer", "job_title", "birthday", "passport", "national_id"}
)
MULTI_VALUED: frozenset[str] = frozenset({"email", "phone", "website", "iban"})
PREDICATES: frozenset[str] = SINGLE_VALUED | MULTI_VALUED
SENSITIVE: frozenset[str] = frozenset({"passport", "iban", "national_id"})

# -- normalisers ------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def norm_text(value: str) -> str:
    """Case- and space-folded text, for comparing names and values."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", value)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _SPACE.sub(" ", folded).strip().casefold()


def norm_email(value: str) -> str:
    return value.strip().strip(".").lower()


def norm_handle(value: str) -> str:
    return value.lstrip("@").lower()


def norm_url(value: str) -> str:
    v = value.strip().rstrip("/")
    v = re.sub(r"^https?://", "", v, flags=re.I)
    v = re.sub(r"^www\.", "", v, flags=re.I)
    return v.lower()


def norm_phone(value: str, region: str | None) -> str | None:
    """E.164 form, or None when ``phonenumbers`` does not accept it as a valid number."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def iban_valid(value: str) -> bool:
    """ISO 13616 mod-97 check."""
    compact = re.sub(r"\s+", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def occurs_in(value: str, text: str) -> bool:
    """True when ``value`` appears in ``text`` (case/space/accents folded): the model's grounding check."""
    v = norm_text(value)
    return bool(v) and v in norm_text(text)


# -- dates -------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"), "iso"),
    (re.compile(rf"\b(?P<d>{_DAY})(?:\s+of)?\s+(?P<mon>{_MONTH})\.?(?:,?\s+(?P<y>(?:19|20)\d\d))?\b", re.I), "dmy"),
    (re.compile(rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>{_DAY})(?:,?\s+(?P<y>(?:19|20)\d\d))?\b", re.I), "mdy"),
    (re.compile(r"\b(?P<a>0?[1-9]|[12]\d|3[01])[./](?P<b>0?[1-9]|1[0-2]|[12]\d|3[01])[./](?P<y>(?:19|20)\d\d)\b"), "num"),
)


def _day_number(raw: str) -> int:
    return int(re.sub(r"\D", "", raw))


def find_dates(text: str, reference: datetime | None = None, day_first: bool = True) -> list[Mention]:
    """Absolute calendar dates; a date without a year takes the reference's year.

    ``day_first`` decides numeric dates such as 03/04/2024 (ambiguous ones only).
    """
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    ref_year = (reference or datetime.now(UTC)).year
    for pattern, shape in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            try:
                if shape == "iso":
                    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
                elif shape in ("dmy", "mdy"):
                    mo = _MONTHS[m["mon"].lower().rstrip(".")]
                    d = _day_number(m["d"])
                    y = int(m["y"]) if m["y"] else ref_year
                    if shape == "mdy" and not m["y"] and not re.search(r"\d(?:st|nd|rd|th)|^\w+\s+\d", m.group(0)):
                        continue
                else:
                    a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
                    if a > 12:
                        d, mo = a, b
                    elif b > 12:
                        mo, d = a, b
                    else:
                        d, mo = (a, b) if day_first else (b, a)
                value = date(y, mo, d)
            except (ValueError, KeyError):
                continue
            # "May" alone is a verb too often; require a day next to it (the pattern does) and skip "may 2" in prose
            if shape in ("dmy", "mdy") and m["mon"].lower() == "may" and not m["y"] and m["mon"][0].islower():
                continue
            taken.append((m.start(), m.end()))
            found.append(Mention("date", m.group(0), value.isoformat(), m.start(), m.end(), "date"))
    found.sort(key=lambda x: x.start)
    return found


# -- contact-like values ------------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.I)
HANDLE = re.compile(r"(?<![\w@./])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,38}[A-Za-z0-9_])")
UNIX_PATH = re.compile(r"(?<![\w/:.@-])(?:~|/)(?:[\w.+-]+/)+[\w.+-]+")
WIN_PATH = re.compile(r"\b[A-Za-z]:\\(?:[\w .+-]+\\)*[\w .+-]+\.\w{1,8}\b")
NAME_EMAIL = re.compile(
    r"(?P<name>(?:[A-Z]\.|[A-Z][\w'’-]+)(?:[ \t]+(?:[A-Z]\.|[A-Z][\w'’-]+)){0,3})[ \t]*[<(][ \t]*(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,24})\s*[>)]"
)

_STREET_WORDS = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|"
    r"Square|Sq|Crescent|Parkway|Pkwy|Highway|Hwy|Circle|Row|Gardens|Grove|Hill|Walk"
)
US_UK_ADDRESS = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?[ \t]+(?:[A-Z][\w'.-]*[ \t]+){{1,4}}(?:{_STREET_WORDS})\b\.?(?:[ \t]+(?:NE|NW|SE|SW|N|S|E|W)\b)?"
    r"(?:,?[ \t]+(?:Apt|Apartment|Suite|Unit|Flat|#)\.?[ \t]*[\w-]+)?"
    r"(?:,[ \t]*[A-Z][A-Za-z .'-]{1,40}?)?"
    r"(?:,?[ \t]+(?:[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?|\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}))?"
    r"(?=[\s.,;!?)]|$)"
)
EU_ADDRESS = re.compile(
    r"\b[A-ZÄÖÜ][\wäöüßéèà.-]*(?:straße|strasse|str\.|weg|platz|gasse|allee|ring|damm|ufer|chaussee|"
    r"laan|straat|gracht|rue|via|calle)[ \t]+\d{1,4}[ \t]?[a-z]?"
    r"(?:,[ \t]*(?:[A-Z]{1,2}-)?\d{4,5}[ \t]+[A-ZÄÖÜ][\wäöüß-]+(?:[ \t]+[A-ZÄÖÜ][\wäöüß-]+)?)?",
)
FR_STYLE_ADDRESS = re.compile(
    r"\b\d{1,4},?[ \t]+(?:rue|avenue|boulevard|place|chemin|via|calle)[ \t]+(?:[\w'’-]+[ \t]+){0,4}[\w'’-]+"
    r"(?:,[ \t]*\d{4,5}[ \t]+[A-Z][\w-]+)?",
    re.I,
)


def _trim_url(raw: str) -> str:
    return raw.rstrip(".,;:!?'\"")


def find_contacts(text: str, phone_region: str | None = "US") -> list[Mention]:
    """Emails, phones, URLs, @handles, file paths and postal addresses in ``text``."""
    out: list[Mention] = []
    email_spans: list[tuple[int, int]] = []
    for m in EMAIL.finditer(text):
        value = m.group(0).rstrip(".")
        email_spans.append((m.start(), m.start() + len(value)))
        out.append(Mention("email", value, norm_email(value), m.start(), m.start() + len(value), "regex"))
    url_spans: list[tuple[int, int]] = []
    for m in URL.finditer(text):
        value = _trim_url(m.group(0))
        if len(value) < 8:
            continue
        url_spans.append((m.start(), m.start() + len(value)))
        out.append(Mention("url", value, norm_url(value), m.start(), m.start() + len(value), "regex"))

    def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in spans)

    for m in HANDLE.finditer(text):
        if inside(email_spans, m.start(), m.end()) or inside(url_spans, m.start(), m.end()):
            continue
        out.append(Mention("handle", m.group(0), norm_handle(m.group(0)), m.start(), m.end(), "regex"))
    for pattern in (UNIX_PATH, WIN_PATH):
        for m in pattern.finditer(text):
            if inside(url_spans, m.start(), m.end()):
                continue
            value = m.group(0).rstrip(".,;:")
            if value.count("/") + value.count("\\") < 2 and "." not in value.rsplit("/", 1)[-1]:
                continue
            out.append(Mention("path", value, value, m.start(), m.start() + len(value), "regex"))
    out.extend(find_phones(text, phone_region, exclude=email_spans + url_spans))
    out.extend(find_addresses(text))
    out.sort(key=lambda x: (x.start, x.kind))
    return out


def find_phones(text: str, region: str | None, exclude: list[tuple[int, int]] = ()) -> list[Mention]:  # type: ignore[assignment]
    import phonenumbers

    out: list[Mention] = []
    try:
        matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    except Exception:  # a bad region code must not stop extraction
        matcher = phonenumbers.PhoneNumberMatcher(text, None, leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        if any(s < match.end and match.start < e for s, e in exclude):
            continue
        raw = match.raw_string
        # a bare 4-digit year range or a date is not a phone number; phonenumbers already rejects most
        if sum(ch.isdigit() for ch in raw) < 7:
            continue
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        out.append(Mention("phone", raw, e164, match.start, match.end, "phonenumbers"))
    return out


def find_addresses(text: str) -> list[Mention]:
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for pattern, conf in ((US_UK_ADDRESS, 0.8), (EU_ADDRESS, 0.8), (FR_STYLE_ADDRESS, 0.6)):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            value = m.group(0).strip().rstrip(",.")
            taken.append((m.start(), m.start() + len(value)))
            out.append(Mention("address", value, norm_text(value), m.start(), m.start() + len(value), "regex", conf))
    return out


# -- proper names -------------------------------------------------------------------------------------

_CAP_WORD = r"[A-Z][a-zA-Z'’-]*[a-z][a-zA-Z'’-]*"
_CAP_SEQ = re.compile(rf"\b{_CAP_WORD}(?:[ \t]+(?:(?:of|de|van|von|der|da|&)[ \t]+)?{_CAP_WORD}){{0,3}}\b")
_NOT_NAMES: frozenset[str] = frozenset(
    ["i", "i'm", "i've", "i'd", "i'll", "im", "hey", "hi", "hello", "thanks", "thank", "yes", "no", "oh", "ok", "okay", "wow", "yeah", "yep", "sure", "well", "so", "but", "and", "or", "the", "a", "an", "this", "that", "these", "those", "it", "its", "it's", "my", "your", "our", "their", "his", "her", "we", "you", "they", "he", "she", "what", "when", "where", "why", "how", "who", "which", "there", "here", "then", "also", "just", "maybe", "really", "great", "good", "nice", "cool", "awesome", "sorry", "please", "lol", "haha", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "yesterday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "dear", "best", "regards", "cheers", "congrats", "congratulations", "love", "happy", "glad", "sounds", "that's", "it's", "what's", "let's", "don't", "can't", "won't", "didn't", "i'm", "you're", "we're", "they're", "he's", "she's", "there's", "here's"]
)
_ORG_SUFFIX = re.compile(
    r"\b(?:Inc|Ltd|LLC|GmbH|AG|SA|BV|Corp|Corporation|Company|Co|Group|University|College|School|Bank|"
    r"Institute|Foundation|Agency|Hospital|Labs?|Studio|Press|Club)\.?$"
)
_PLACE_CUE = re.compile(r"(?:\b(?:in|to|from|at|near|visit(?:ed|ing)?|moved to|live in|lives in)\s+)$", re.I)


def find_names(text: str, known_people: frozenset[str] = frozenset()) -> list[Mention]:
    """Capitalised word sequences that are not sentence-initial filler; typed by simple cues.

    ``known_people`` (folded names, e.g. chat speakers) types matches as persons.
    """
    out: list[Mention] = []
    for m in _CAP_SEQ.finditer(text):
        value = m.group(0)
        words = value.split()
        while words and words[0].lower().strip("'’") in _NOT_NAMES:
            words = words[1:]
        if not words:
            continue
        value = " ".join(words)
        start = m.start() + m.group(0).index(words[0])
        end = start + len(value)
        norm = norm_text(value)
        if len(norm) < 3 or norm in _NOT_NAMES:
            continue
        before = text[max(0, start - 2) : start]
        sentence_initial = start == 0 or bool(re.search(r"[.!?\n]\s*$", before)) or before.endswith("\n")
        if norm in known_people or words[0].lower() in known_people:
            kind, conf = "person", 0.9
        elif _ORG_SUFFIX.search(value):
            kind, conf = "org", 0.8
        elif _PLACE_CUE.search(text[max(0, start - 20) : start]):
            kind, conf = "place", 0.5
        else:
            kind, conf = "name", 0.5
        if sentence_initial and len(words) == 1 and kind == "name":
            continue  # an ordinary capitalised first word
        out.append(Mention(kind, value, norm, start, end, "names", conf))
    return out


# -- first-person statements and labelled values ---------------------------------------------------------

_NAME_VALUE = r"(?P<v>[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){0,3})"
_PLACE_VALUE = r"(?P<v>[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+){0,3}(?:,[ \t]*[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+)?)?)"
_ORG_VALUE = r"(?P<v>[A-Z][\w'’&-]*(?:[ \t]+(?:&[ \t]+)?[A-Z][\w'’&-]*){0,4})"
_REST = r"(?P<v>[^\n.;!?]{3,120})"

FIRST_PERSON_PATTERNS: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("name", re.compile(rf"(?i:\bmy (?:full )?name is|\bcall me)\s+{_NAME_VALUE}"), 0.85),
    ("address", re.compile(rf"(?i:\bmy (?:new |home |postal )?address is|\bi (?:now )?live at|\bi(?:'ve| have)? moved to|\bwe(?:'ve| have)? moved to)\s+{_REST}"), 0.8),
    ("city", re.compile(rf"(?i:\bi (?:now )?live in|\bi'm living in|\bi am living in|\bi(?:'ve| have)? (?:just )?moved to|\bi(?:'ve| have)? relocated to|\bwe(?:'ve| have)? moved to|\bi'm based in|\bi am based in)\s+{_PLACE_VALUE}"), 0.75),
    ("employer", re.compile(rf"(?i:\bi (?:now )?work (?:at|for)|\bi'm working (?:at|for)|\bi am working (?:at|for)|\bi(?:'ve| have)? (?:just )?joined|\bi (?:just )?started (?:a new job |working )?at|\bmy employer is)\s+{_ORG_VALUE}"), 0.75),
    ("job_title", re.compile(r"(?i:\bmy job title is|\bi work as an?|\bi'm working as an?|\bmy (?:job|role|position) is)\s+(?P<v>[a-zA-Z][a-zA-Z -]{2,40}?)(?=\s+(?:at|for|in)\b|[.,;!?\n]|$)"), 0.7),
    ("birthday", re.compile(rf"(?i:\bmy birthday is(?: on)?|\bi was born on|\bmy date of birth is|\bborn on)\s+{_REST}"), 0.8),
    ("email", re.compile(r"(?i:\bmy (?:e-?mail|email address|e-mail address) is|\bemail me at|\bmail me at)\s+(?P<v>\S+@\S+)"), 0.9),
    ("phone", re.compile(r"(?i:\bmy (?:phone|mobile|cell|cellphone|telephone)(?: number)? is|\bcall me at|\breach me at|\btext me at)\s+(?P<v>\+?[\d][\d ()./-]{5,22}\d)"), 0.85),
    ("website", re.compile(r"(?i:\bmy (?:web)?site is|\bmy homepage is|\bmy blog is)\s+(?P<v>\S+)"), 0.8),
)

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
    r"(?i)\b(?:my (?:name|address|birthday|email|e-mail|phone|number|job|employer|website)|i (?:live|work|moved|was born|joined)|i'm (?:a|an|based|living|working))\b"
)


def _normalise_fact(predicate: str, value: str, reference: datetime | None, phone_region: str | None) -> tuple[str, str] | None:
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
        v = _trim_url(value)
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
        while words and words[-1].lower() in _NOT_NAMES:
            words.pop()
        if not words:
            return None
        value = " ".join(words)
        if norm_text(value) in _NOT_NAMES:
            return None
    return value, norm_text(value)


def find_facts(
    text: str, *, reference: datetime | None = None, phone_region: str | None = "US", labelled: bool = True
) -> list[FactCandidate]:
    """First-person statements (subject 'speaker') and labelled values (subject 'self', lower confidence)."""
    out: list[FactCandidate] = []
    for predicate, pattern, confidence in FIRST_PERSON_PATTERNS:
        for m in pattern.finditer(text):
            cleaned = _normalise_fact(predicate, m["v"], reference, phone_region)
            if cleaned is None:
                continue
            value, norm = cleaned
            start = m.start("v")
            out.append(FactCandidate("speaker", predicate, value, norm, start, start + len(value), confidence,
                                     "pattern", _quote(text, m.start(), m.end())))
    if labelled:
        for predicate, pattern in _LABELS:
            for m in pattern.finditer(text):
                cleaned = _normalise_fact(predicate, m["v"], reference, phone_region)
                if cleaned is None:
                    continue
                value, norm = cleaned
                start = m.start("v")
                out.append(FactCandidate("self", predicate, value, norm, start, start + len(value), 0.45,
                                         "label", _quote(text, m.start(), m.end())))
    return out


def _quote(text: str, start: int, end: int, pad: int = 40) -> str:
    return text[max(0, start - pad) : min(len(text), end + pad)].strip()


def extract(
    text: str, *, reference: datetime | None = None, phone_region: str | None = "US",
    known_people: frozenset[str] = frozenset(), labelled: bool = True,
) -> Extraction:
    """All deterministic extractors over one text."""
    result = Extraction()
    if not text:
        return result
    result.mentions.extend(find_contacts(text, phone_region))
    result.mentions.extend(find_dates(text, reference))
    contact_spans = [(m.start, m.end) for m in result.mentions]
    for name in find_names(text, known_people):
        if any(s < name.end and name.start < e for s, e in contact_spans):
            continue
        result.mentions.append(name)
    for m in NAME_EMAIL.finditer(text):
        email = m["email"]
        result.bindings.append(Binding(m["name"].strip(), "email", email, norm_email(email)))
    result.facts.extend(find_facts(text, reference=reference, phone_region=phone_region, labelled=labelled))
    result.mentions.sort(key=lambda x: (x.start, x.kind))
    return result


# -- the model pass -------------------------------------------------------------------------------------

ModelComplete = Callable[[str, str], str]
"""``complete(prompt, grammar) -> text``: one grammar-constrained completion (see ``core.memory.model``)."""

FACT_GRAMMAR = r"""
root   ::= "{" ws "\"facts\"" ws ":" ws "[" ws ( fact ( ws "," ws fact ){0,4} )? ws "]" ws "}"
fact   ::= "{" ws "\"predicate\"" ws ":" ws pred ws "," ws "\"value\"" ws ":" ws string ws "}"
pred   ::= "\"name\"" | "\"address\"" | "\"city\"" | "\"employer\"" | "\"job_title\"" | "\"birthday\"" | "\"email\"" | "\"phone\"" | "\"website\""
string ::= "\"" ( [^"\\\n] | "\\" ["\\/bfnrt] ){1,80} "\""
ws     ::= [ \t\n]{0,2}
"""

FACT_PROMPT = (
    "Extract personal facts the writer states about themself. Copy values exactly from the text. "
    "If there are none, return an empty list.\n"
    "Text: {text}\n"
    "JSON: "
)


def model_facts(
    text: str, complete: ModelComplete, *, reference: datetime | None = None, phone_region: str | None = "US",
    max_chars: int = 600,
) -> list[FactCandidate]:
    """Facts proposed by a grammar-constrained model, each checked against ``text``.

    Any failure (exception, invalid JSON, a value not found verbatim in the
    text, an invalid phone/email/date) drops that value; never raises.
    """
    snippet = text[:max_chars]
    try:
        raw = complete(FACT_PROMPT.format(text=snippet.replace("\n", " ")), FACT_GRAMMAR)
        data = json.loads(raw)
    except Exception:
        return []
    facts = data.get("facts") if isinstance(data, dict) else None
    if not isinstance(facts, list):
        return []
    out: list[FactCandidate] = []
    folded = norm_text(snippet)
    for entry in facts:
        if not isinstance(entry, dict):
            continue
        predicate, value = entry.get("predicate"), entry.get("value")
        if predicate not in PREDICATES or not isinstance(value, str):
            continue
        if not occurs_in(value, snippet):
            continue  # invented or paraphrased: not evidence
        cleaned = _normalise_fact(predicate, value, reference, phone_region)
        if cleaned is None:
            continue
        value, norm = cleaned
        pos = folded.find(norm_text(value))
        start = max(pos, 0)
        out.append(FactCandidate("speaker", predicate, value, norm, start, start + len(value), 0.5, "model",
                                 _quote(snippet, start, start + len(value))))
    return out

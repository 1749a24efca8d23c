"""Contact-like values in free text: emails, phones, URLs, @handles, file paths and postal addresses.

The compiled patterns (``EMAIL``, ``URL``, ``HANDLE``, ``UNIX_PATH``,
``WIN_PATH``, ``NAME_EMAIL`` and the address shapes) are shared with the fact
extractors; ``find_contacts`` runs them all and drops overlaps (an email's
domain is not a handle, a URL's path is not a file path).  Phones go through
``phonenumbers`` and come out in E.164.

Pure (text in, mentions out), safe from any thread.  Errors: a bad phone
region falls back to no region; nothing is raised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.memory.extraction.types import Mention
from core.memory.extraction.value_norms import norm_email, norm_handle, norm_text, norm_url

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.I)
HANDLE = re.compile(r"(?<![\w@./])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,38}[A-Za-z0-9_])")
UNIX_PATH = re.compile(r"(?<![\w/:.@-])(?:~|/)(?:[\w.+-]+/)+[\w.+-]+")
WIN_PATH = re.compile(r"\b[A-Za-z]:\\(?:[\w .+-]+\\)*[\w .+-]+\.\w{1,8}\b")
NAME_EMAIL = re.compile(
    r"(?P<name>(?:[A-Z]\.|[A-Z][\w'’-]+)(?:[ \t]+(?:[A-Z]\.|[A-Z][\w'’-]+)){0,3})[ \t]*[<(][ \t]*(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,24})\s*[>)]"
)
# A name's lower-case particle right before where NAME_EMAIL's name starts: the name began earlier.
CUT_NAME = re.compile(r"\b(?:am|an|im|zum|zur|von|van|de|der|den|da|du|la|le|di|del|of|the|and|&)[ \t]+$")
# Mailboxes of a role, not a person: "orders@", "it-help@", "noreply@", "info.berlin@".
ROLE_MAILBOX = re.compile(
    r"^(?:[a-z0-9]+[-_.])?(?:no-?reply|do-?not-?reply|info|orders?|support|help|helpdesk|service|admin|sales|billing|"
    r"contact|hello|team|office|newsletter|news|notifications?|alerts?|mailer-daemon|postmaster|webmaster|"
    r"accounts?|invoices?|shop|store|bookings?|reservations?|jobs|careers|press|security|privacy)(?:[._+-][^@]*)?@"
)
# "Signed in with SSO as sam@…", "Logged in as …": the address of whoever is using the screen, the user.
SIGNED_IN_AS = re.compile(r"\b(?:signed|logged)[ \t]+in(?:[ \t]+(?:with|via|using)[ \t]+[\w-]+)?[ \t]+as[ \t]*:?[ \t]*$", re.I)


def own_address(email_norm: str, text_before: str, self_names: Iterable[str]) -> bool:
    """Whether an address seen in the user's memory is the user's own: one a screen says it is signed in as,
    or one whose mailbox spells a name of the user ("sam@", "sam.keller@", "skeller@", "keller.sam@")."""
    if SIGNED_IN_AS.search(text_before[-60:]):
        return True
    local = re.sub(r"\d+", "", email_norm.split("@", 1)[0])
    parts = [p for p in re.split(r"[._+-]+", local) if p]
    if not parts:
        return False
    for name in self_names:
        words = [w for w in re.split(r"[^\w]+", name.casefold()) if w]
        if not words or words == ["me"]:
            continue
        spellings = {words[0], "".join(words), words[0][0] + words[-1], words[-1] + words[0][0]}
        if parts == words or parts == words[::-1] or "".join(parts) in spellings:
            return True
    return False


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


def trim_url(raw: str) -> str:
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
        value = trim_url(m.group(0))
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

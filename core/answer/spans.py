"""What an answer states on the strength of one citation: its addresses, times, dates, amounts and names.

When the user opens a cited memory from an answer, the view marks these values
in the memory (not only the question's words), so the eye lands on the
"17:40" or "Leipzig" the answer took from it.  The claim of citation ``[n]`` is
the answer's text from the previous citation mark (or the sentence's start) up
to ``[n]``: "Priya moves to Leipzig [1] and starts on 12 January [2]" gives
Leipzig to [1] and 12 January to [2].

Pure functions: text in, values out.  Raise nothing.
"""

from __future__ import annotations

import re

from core.answer.citations import CITE_RE
from core.answer.text import STOPWORDS

_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
           r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?:\s+(?P<y1>\d{{4}}))?"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{{4}}))?"
    r"|\d{4}-\d{2}-\d{2})\b"
)
_CLOCK = re.compile(
    r"\b(?:(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s*[ap]\.?m\.?)?|(?:1[0-2]|0?[1-9])\s*[ap]\.?m\.?)(?!\w)", re.I
)
# A number with what it counts or costs: "14,00 €", "$189", "340 ms", "85", "2.4"
_AMOUNT = re.compile(r"(?:[$€£]\s?)?\b\d+(?:[.,]\d+)*(?:\s?(?:%|€|\$|£|[a-zA-Z]{1,5}\b))?")
_NAME = re.compile(r"\b[A-ZÄÖÜ][\w'’-]*[a-zäöüß][\w'’-]*(?:\s+(?:of|de|van|von|am|der|da)?\s*[A-ZÄÖÜ][\w'’-]*[a-zäöüß]"
                   r"[\w'’-]*){0,3}")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;“\"'(]\s*|\n\s*)$")


def claim_of(answer: str, number: int) -> str:
    """The answer's words that citation ``[number]`` backs (its claims joined when it is cited twice)."""
    return " ".join(claims_of(answer, number))


def claims_of(answer: str, number: int) -> list[str]:
    """Each stretch of the answer that citation ``[number]`` backs."""
    parts: list[str] = []
    last = 0
    for match in CITE_RE.finditer(answer):
        cited = {int(n) for n in re.findall(r"\d+", match.group(1))}
        segment = answer[last : match.start()]
        last = match.end()
        if number not in cited:
            continue
        # the claim starts after the previous citation or at its sentence's start, whichever is later
        starts = [m.end() for m in re.finditer(r"[.!?]\s+|\n", segment)]
        parts.append(segment[starts[-1] if starts else 0 :].strip())
    return [p for p in parts if p]


def answer_values(answer: str, number: int) -> list[str]:
    """Web addresses, times, dates, amounts and names that citation ``[number]`` backs, longest first, each once.

    A date with a year is given without it too ("3 December 2027" and "3 December"): an answer may add the
    year the memory leaves out.
    """
    found: list[str] = []
    for claim in claims_of(answer, number):
        found.extend(_values(claim))
    return sorted(dict.fromkeys(found), key=len, reverse=True)


def _values(claim: str) -> list[str]:
    found: list[str] = []
    taken: list[tuple[int, int]] = []

    def add(value: str, start: int, end: int) -> None:
        value = value.strip(" ,.;:")
        if value and not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            found.append(value)

    for m in _URL.finditer(claim):
        add(m.group(0), m.start(), m.end())
    for m in _DATE.finditer(claim):
        add(m.group(0), m.start(), m.end())
        year = m.group("y1") or m.group("y2")
        if year:
            found.append(m.group(0)[: m.group(0).rfind(year)].strip(" ,"))
    for m in _CLOCK.finditer(claim):
        add(m.group(0), m.start(), m.end())
    for m in _AMOUNT.finditer(claim):
        add(m.group(0), m.start(), m.end())
    for m in _NAME.finditer(claim):
        words = m.group(0).split()
        initial = bool(_SENTENCE_START.search(claim[: m.start()]))
        if initial and len(words) == 1:
            continue  # "Release went out at 17:40": a capitalised first word is no name
        if all(w.lower() in STOPWORDS for w in words):
            continue
        add(m.group(0), m.start(), m.end())
    return found

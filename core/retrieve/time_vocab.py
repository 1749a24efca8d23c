"""The words of time expressions: month, weekday, number and time-of-day vocabulary.

Building blocks for the time grammar (``time_rules``, ``time_span``,
``timeparse``): lookup tables from words to values, the regex fragments that
match those words, and two small readers that turn a matched word into a
value (``parse_count`` for "a few", ``clock_to_time`` for "3:30pm").  The regex
fragments are plain strings, uncompiled, meant to be embedded in bigger
patterns matched case-insensitively.

Pure functions and read-only tables, thread-safe, no I/O.  ``parse_count`` raises
``KeyError`` on a word ``NUM_RE`` does not match; ``clock_to_time`` returns
``None`` on an impossible time.
"""

from __future__ import annotations

import re
from datetime import time
from types import MappingProxyType

__all__ = [
    "CLOCK_RE",
    "MONTHS",
    "MONTH_RE",
    "NUMBER_WORDS",
    "NUM_RE",
    "TOD_HOURS",
    "TOD_WORDS",
    "UNIT_RE",
    "WEEKDAYS",
    "WEEKDAY_RE",
    "YEAR_RE",
    "clock_to_time",
    "parse_count",
]

MONTHS = MappingProxyType({
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
})
# Long names first so the alternation prefers "march" over "mar".
MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_RE = "|".join(WEEKDAYS)
# Number word → (low, high): vague counts ("a few") stand for a range.
NUMBER_WORDS = MappingProxyType({
    "a": (1, 1), "an": (1, 1), "one": (1, 1), "two": (2, 2), "three": (3, 3), "four": (4, 4),
    "five": (5, 5), "six": (6, 6), "seven": (7, 7), "eight": (8, 8), "nine": (9, 9), "ten": (10, 10),
    "eleven": (11, 11), "twelve": (12, 12), "a couple of": (2, 2), "a couple": (2, 2),
    "couple of": (2, 2), "a few": (2, 4), "few": (2, 4), "several": (3, 6),
})
NUM_RE = r"(?:\d{1,3}|a\s+couple(?:\s+of)?|couple\s+of|a\s+few|few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
UNIT_RE = r"(?:minute|min|hour|hr|day|week|month|year)s?"
YEAR_RE = r"(?:19[7-9]\d|20\d\d)"
TOD_WORDS = r"(?:morning|afternoon|evening|night|lunchtime|noon|midday)"
CLOCK_RE = (
    r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|noon|midday|midnight)"
)

# Hours of each time-of-day word: (start hour, end hour) where end may pass 24.
TOD_HOURS = MappingProxyType({
    "morning": (5, 12),
    "afternoon": (12, 18),
    "evening": (18, 23),
    "night": (20, 29),
    "lunchtime": (11, 15),
    "lunch": (11, 15),
    "noon": (11, 14),
    "midday": (11, 14),
})


def parse_count(text: str) -> tuple[int, int]:
    """The (low, high) count a ``NUM_RE`` match stands for: "3" → (3, 3), "a few" → (2, 4)."""
    text = re.sub(r"\s+", " ", text.strip().lower())
    if text.isdigit():
        return int(text), int(text)
    return NUMBER_WORDS[text]


def clock_to_time(text: str) -> time | None:
    """The time a ``CLOCK_RE`` match names ("3pm", "15:30", "noon"), or ``None`` if impossible."""
    text = text.lower().replace(".", "").replace(" ", "")
    if text in ("noon", "midday"):
        return time(12)
    if text == "midnight":
        return time(0)
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", text)
    if m is None:
        return None
    hour, minute = int(m[1]), int(m[2] or 0)
    if m[3]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m[3] == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)

"""Absolute calendar dates in free text ("2024-03-05", "5th of March", "March 5, 2024", "05/03/2024").

``find_dates`` returns ``date`` mentions normalised to ISO form; a date
without a year takes the reference's year, and ambiguous numeric dates are
read day-first unless told otherwise.

Pure (text in, mentions out), safe from any thread; impossible dates
("31 February") are skipped, never raised.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from core.memory.extraction.types import Mention

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

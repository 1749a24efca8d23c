"""Day/month order of chat exports whose dates fit both (``01/02/24``): evidence, then a reasoned guess.

``OrderDetector`` watches every header date of one header style and is
certain when a date fits only one order (``13/01/24``), or when only one order
makes the dates run forward in time.  When every date fits both, ``guess``
weighs what the export and this computer imply — the way times are written
(``9:15 PM`` on US phones, ``9:15 pm`` on British and Indian ones, 24-hour
clocks and non-English AM/PM words in day-first locales), the language of the
file name, the system locale — and always returns an order with the reason,
so the import proceeds and the user is told how to redo it.

Pure functions over values; reads the environment only through the mapping
it is given.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from core.errors import ImportFailed

ORDER_WORDS = {"DMY": "day/month/year", "MDY": "month/day/year", "YMD": "year/month/day"}
# Regions whose locales write the month first (CLDR short date patterns).
_MONTH_FIRST_REGIONS = frozenset(["US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "UM", "VI"])
_ENGLISH_MARKERS = frozenset(["am", "pm", "a", "p"])
# Words that start a WhatsApp file name in a day-first language ("WhatsApp Chat mit …").
_DAY_FIRST_NAME_WORDS = {
    "mit": "German", "con": "Spanish or Italian", "com": "Portuguese", "avec": "French", "met": "Dutch",
}


@dataclass(frozen=True, slots=True)
class DateFields:
    """One header's date as written: three numbers and where it is in the file."""

    line: int
    d1: int
    d2: int
    d3: int
    text: str


def ymd(d: DateFields, order: str) -> tuple[int, int, int]:
    if order == "YMD":
        y, mo, day = d.d1, d.d2, d.d3
    elif order == "DMY":
        day, mo, y = d.d1, d.d2, d.d3
    else:
        mo, day, y = d.d1, d.d2, d.d3
    return (y + 2000 if y < 100 else y), mo, day


def as_date(d: DateFields, order: str) -> date | None:
    try:
        return date(*ymd(d, order))
    except ValueError:
        return None


@dataclass(slots=True)
class OrderDetector:
    """Decides DMY / MDY / YMD from the dates of one header style of one file."""

    where: str
    count: int = 0
    first: DateFields | None = None
    decided: str | None = None
    backwards: dict[str, int] = field(default_factory=lambda: {"DMY": 0, "MDY": 0})
    possible: dict[str, bool] = field(default_factory=lambda: {"DMY": True, "MDY": True})
    last: dict[str, date | None] = field(default_factory=lambda: {"DMY": None, "MDY": None})
    impossible: dict[str, DateFields] = field(default_factory=dict)

    def feed(self, d: DateFields, year_first: bool) -> bool:
        """Take one date; True once the order is certain."""
        self.count += 1
        if self.first is None:
            self.first = d
        if year_first:
            self.decided = "YMD"
            return True
        for order in ("DMY", "MDY"):
            if not self.possible[order]:
                continue
            day = as_date(d, order)
            if day is None:
                self.possible[order] = False
                self.impossible[order] = d
                continue
            last = self.last[order]
            if last is not None and day < last:
                self.backwards[order] += 1
            self.last[order] = day
        if self.possible["DMY"] != self.possible["MDY"]:
            self.decided = "DMY" if self.possible["DMY"] else "MDY"
            return True
        return False

    def certain(self) -> str | None:
        """The order the dates prove, or None when they fit both equally well.

        Raises ``ImportFailed`` when the dates fit neither order.
        """
        if self.decided:
            return self.decided
        if not self.possible["DMY"] and not self.possible["MDY"]:
            bad_d, bad_m = self.impossible["DMY"], self.impossible["MDY"]
            raise ImportFailed(
                f"{self.where}: the dates fit neither day/month/year (line {bad_d.line}: {bad_d.text!r}) "
                f"nor month/day/year (line {bad_m.line}: {bad_m.text!r}); this locale's date format is not "
                "known. Re-run with --date-order DMY, MDY or YMD if all dates use one order."
            )
        if self.backwards["DMY"] != self.backwards["MDY"]:
            return "DMY" if self.backwards["DMY"] < self.backwards["MDY"] else "MDY"
        return None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the export says about its locale besides the dates."""

    separator: str | None = None
    markers: tuple[str, ...] = ()  # AM/PM markers as written (case and dots kept), most common first
    twenty_four_hour: bool = False
    file_name: str = ""


def guess(evidence: Evidence, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The more likely order of dates that fit both, and why (one clause for the user)."""
    if evidence.separator == ".":
        return "DMY", "dates written with dots are day-first in every locale that writes them"
    for raw in evidence.markers:
        plain = raw.replace(".", "").replace(" ", "")
        if plain.casefold() in _ENGLISH_MARKERS:
            if plain.isupper():
                return "MDY", f"times are written like '9:15 {raw}', as US English phones write them"
            return "DMY", f"times are written like '9:15 {raw}', as British, Australian and Indian English phones write them"
        return "DMY", f"the time marker {raw!r} comes from a language whose locales write the day first"
    language = file_name_language(evidence.file_name)
    if language is not None:
        return "DMY", f"the file name is in {language}, whose locales write the day first"
    region = system_region(env if env is not None else os.environ)
    if region is not None:
        if region in _MONTH_FIRST_REGIONS:
            return "MDY", f"this computer's locale (region {region}) writes the month first"
        return "DMY", f"this computer's locale (region {region}) writes the day first"
    if evidence.twenty_four_hour:
        return "DMY", "24-hour times are written by phones in day-first locales"
    return "MDY", "12-hour times without other clues are most often from US phones"


def file_name_language(name: str) -> str | None:
    """A day-first language named by the word joining "WhatsApp Chat" and the contact, if any."""
    for token in name.split()[:6]:
        word = token.casefold()
        if word in _DAY_FIRST_NAME_WORDS:
            return _DAY_FIRST_NAME_WORDS[word]
        if word in ("with", "-", "–"):
            return None
    return None


def system_region(env: Mapping[str, str]) -> str | None:
    """The region of the time locale (``en_GB.UTF-8`` -> ``GB``), or None for C/POSIX/unset."""
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        value = env.get(name, "")
        if not value:
            continue
        tag = value.split(".", 1)[0].split("@", 1)[0]
        _, _, region = tag.replace("-", "_").partition("_")
        return region.upper() if region.isalpha() and len(region) == 2 else None
    return None


def guessed_note(order: str, reason: str, sample: DateFields, count: int) -> str:
    other = "MDY" if order == "DMY" else "DMY"
    return (
        f"every date ({count}) fits both day/month and month/day (line {sample.line}: {sample.text!r}); read them as "
        f"{ORDER_WORDS[order]} because {reason}. If that is wrong, import the file again with "
        f"--date-order {other}: the same messages are re-dated in place."
    )

"""WhatsApp header lines: the date/time grammar of both export styles, parsed into a ``Header`` (no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.errors import ImportFailed

from ._common import strip_invisible
from ._dateorder import DateFields, ymd

_INV = "[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]*"
_SP = "[ \u00a0\u202f\u2007\u2009]"
# Right-to-left locales put U+200F marks after each number and use the Arabic comma.
_DATE = (
    r"(?P<d1>\d{1,4})" + _INV + r"(?P<sep>[./-])" + _INV + _SP + r"?(?P<d2>\d{1,2})" + _INV + r"[./-]" + _INV
    + _SP + r"?(?P<d3>\d{1,4})" + _INV + r"\.?"
)
_COMMA = "[,\u060c]?"
# Some iOS locales spell the month: "31 Dez. 2023", "4. Mai 2023", "May 4, 2023".
_MONTH_WORD = r"(?P<mon>[^\W\d_]{3,12})\.?"
_DATE_WORDS = (
    r"(?:(?P<wd>\d{1,2})\.?" + _SP + _MONTH_WORD + "|" + _MONTH_WORD.replace("mon", "mon2") + _SP
    + r"(?P<wd2>\d{1,2}),?)" + _SP + r"(?P<wy>\d{4})"
)
_TIME = (
    r"(?:(?P<pre>[^\W\d_][^\W\d_.]*\.?)" + _SP + r"?)?"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?"
    r"(?P<post>(?:" + _SP + r"|_)?[^\W\d_][^\]\d\n]*?)?\.?"
)
_HEADER_IOS = re.compile(
    "^" + _INV + r"\[" + _INV + _DATE + _COMMA + _SP + _INV + _TIME + _INV + r"\]" + _SP + "?(?P<rest>.*)$"
)
_HEADER_ANDROID = re.compile(
    "^" + _INV + _DATE + _COMMA + _SP + _INV + _TIME + _INV + _SP + "[-–]" + _SP + "(?P<rest>.*)$"
)
_HEADER_IOS_WORDS = re.compile(
    "^" + _INV + r"\[" + _INV + _DATE_WORDS + _COMMA + _SP + _INV + _TIME + _INV + r"\]" + _SP + "?(?P<rest>.*)$"
)
_HEADER_ANDROID_WORDS = re.compile(
    "^" + _INV + _DATE_WORDS + _COMMA + _SP + _INV + _TIME + _INV + _SP + "[-–]" + _SP + "(?P<rest>.*)$"
)
# A line that starts like a header (a date, then a time) but
# matched no header pattern: reported as a failure, never glued to the message above.
_LOOSE_HEADER = re.compile(
    "^" + _INV + r"\[?" + _INV + r"\d{1,4}\W{1,3}\d{1,2}\W{1,3}\d{1,4}\D{1,20}?\d{1,2}[:.h]\d{2}\b"
)
_MONTH_NAMES: tuple[frozenset[str], ...] = tuple(
    frozenset(names.split())
    for names in (
        "jan january januar janvier janv enero ene janeiro gennaio gen januari tammikuu",
        "feb february februar février févr fév febrero fevereiro fev febbraio februari helmikuu",
        "mar march märz mär mars marzo março marco maart maaliskuu",
        "apr april avril avr abril aprile huhtikuu",
        "may mai mayo maio maggio mag mei toukokuu",
        "jun june juni juin junio jun junho giugno giu kesäkuu",
        "jul july juli juillet juil julio julho luglio lug heinäkuu",
        "aug august août agosto ago augustus elokuu",
        "sep sept september septembre septiembre setembro set settembre syyskuu",
        "oct october oktober octobre oct octubre outubro out ottobre ott okt lokakuu",
        "nov november novembre noviembre novembro marraskuu",
        "dec december dezember dez décembre déc diciembre dic dezembro dicembre joulukuu",
    )
)
# Words some locales put between the date and the time ("klo 16.13", "kl. 9.05", "um 9:05").
_TIME_WORDS = frozenset(["klo", "kl", "kello", "um", "à", "às", "alle", "om", "lúc", "o"])
_HEADER_START = frozenset("0123456789[\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")

# AM/PM spellings, normalised (lower case, no dots or spaces).
AM = frozenset(
    ["am", "a", "vorm", "fm", "ap", "dop", "de", "öö", "πμ", "午前", "上午", "오전", "ص", "לפנה״צ", "pg", "sa", "पूर्वाह्न", "ก่อนเที่ยง"]
)
PM = frozenset(
    ["pm", "p", "nachm", "em", "ip", "odp", "du", "ös", "μμ", "午後", "下午", "오후", "م", "אחה״צ", "ptg", "ch", "अपराह्न", "หลังเที่ยง"]
)

SNIFF_LINES = 40


@dataclass(slots=True)
class Header:
    line: int
    date: DateFields
    sep: str
    style: str  # "[" (iOS) or "-" (Android) plus the date separator: each style has its own order
    fixed_order: str | None  # "DMY" when the month was spelled out
    hour: int
    minute: int
    second: int
    marker: str | None
    marker_raw: str | None
    rest: str


@dataclass(slots=True)
class Unparsed:
    """A header-like line that matched no header pattern, and the lines that followed it."""

    line: int
    reason: str
    extra: int = 0


def match_header(line: str) -> re.Match[str] | None:
    if not line:
        return None
    first = line[0]
    if first in _HEADER_START or first.isdigit():  # isdigit: non-ASCII digits
        m = _HEADER_IOS.match(line) or _HEADER_ANDROID.match(line)
        if m is not None:
            return m
    if first in _HEADER_START or first.isalnum():
        return _HEADER_IOS_WORDS.match(line) or _HEADER_ANDROID_WORDS.match(line)
    return None


def _marker_raw(m: re.Match[str]) -> str | None:
    raw = m.group("pre") or m.group("post")
    if not raw:
        return None
    raw = strip_invisible(raw).strip(" _")
    if raw.replace(".", "").casefold() in _TIME_WORDS:
        return None
    return raw or None


def parse_header(line: str, lineno: int) -> Header | Unparsed | None:
    """The header on ``line``; ``Unparsed`` for a line that only looks like one; None for text."""
    m = match_header(line)
    if m is None:
        if (line[:1] in _HEADER_START or line[:1].isdigit()) and _LOOSE_HEADER.match(line):
            return Unparsed(lineno, "line looks like a message header in a format Cairn does not recognise")
        return None
    groups = m.groupdict()
    if groups.get("wy"):
        word = (groups.get("mon") or groups.get("mon2") or "").casefold().rstrip(".")
        month = next((i for i, names in enumerate(_MONTH_NAMES, 1) if word in names), None)
        if month is None:
            return Unparsed(lineno, f"unknown month name {word!r} in a message header")
        day = groups.get("wd") or groups.get("wd2") or "0"
        text = line[m.start("wd") if groups.get("wd") else m.start("mon2"):m.end("wy")]
        fields = DateFields(lineno, int(day), month, int(groups["wy"]), text)
        sep, fixed = " ", "DMY"
    else:
        sep = m.group("sep")
        fields = DateFields(lineno, int(m.group("d1")), int(m.group("d2")), int(m.group("d3")),
                            f"{m.group('d1')}{sep}{m.group('d2')}{sep}{m.group('d3')}")
        fixed = "YMD" if len(m.group("d1")) == 4 else None
    raw = _marker_raw(m)
    return Header(
        line=lineno,
        date=fields,
        sep=sep,
        style=("[" if m.re is _HEADER_IOS or m.re is _HEADER_IOS_WORDS else "-") + sep,
        fixed_order=fixed,
        hour=int(m.group("H")),
        minute=int(m.group("M")),
        second=int(m.group("S") or 0),
        marker=raw.replace(".", "").replace(" ", "").casefold() if raw else None,
        marker_raw=raw,
        rest=m.group("rest"),
    )


def looks_like_whatsapp(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore")
    lines = text.splitlines()[:SNIFF_LINES]
    if len(head) >= 4096 and lines:
        lines = lines[:-1]  # the last line may be cut in the middle
    non_empty = [ln for ln in lines if ln.strip()]
    if not non_empty:
        return False
    hits = sum(1 for ln in non_empty if match_header(ln))
    # Exports start with a header line; a long first message may push the
    # second header out of the sample, so the first line alone is enough.
    return match_header(non_empty[0]) is not None or hits >= 2


def check_marker(h: Header, where: str, line: str) -> ImportFailed | None:
    if h.marker is None or h.marker in AM or h.marker in PM:
        return None
    return ImportFailed(
        f"{where}:{h.line}: unknown AM/PM marker {h.marker!r} in {line[:60]!r}: this locale's time "
        "format is not known to Cairn (24-hour clocks and the common AM/PM spellings are); "
        "if only the day/month order is the problem, pass --date-order DMY, MDY or YMD"
    )


def naive_time(h: Header, order: str) -> datetime | str:
    hour = h.hour
    if h.marker in PM:
        if hour > 12:
            return f"time {h.hour}:{h.minute:02d} with a PM marker is not a 12-hour time"
        hour = hour % 12 + 12
    elif h.marker in AM:
        if hour > 12:
            return f"time {h.hour}:{h.minute:02d} with an AM marker is not a 12-hour time"
        hour = hour % 12
    elif h.marker is not None:
        return f"unknown AM/PM marker {h.marker!r}"
    try:
        y, mo, d = ymd(h.date, order)
        return datetime(y, mo, d, hour, h.minute, h.second)
    except ValueError:
        return (
            f"date {h.date.text!r} {h.hour}:{h.minute:02d} is not valid as {order}; "
            "if the export uses another order, re-run with --date-order"
        )

"""WhatsApp chat exports: the ``.txt`` file and the ``.zip`` (chat text plus media).

Layout: one message per header line, continuation lines belong to the message
above.  Two header styles exist:

* Android ``12/31/23, 9:15 PM - Name: text`` (also ``31.12.23, 21:15 - ...``,
  ``2023/12/31 午後9:15 - ...``);
* iOS ``[31.12.23, 21:15:03] Name: text`` (U+200E marks before system lines
  and attachments).

Headers may contain U+200E/U+200F/U+202A-U+202E/U+2066-U+2069 marks and
U+00A0/U+202F/U+2009 spaces; AM/PM markers come in many spellings
(``PM``, ``p. m.``, ``nachm.``, ``午後``, ``오후`` ...), before or after the time.

**Date order** (day/month vs month/day) is decided once for the whole file, not
line by line: a 4-digit first field means year-month-day; a first field over 12
means DMY, a second field over 12 means MDY; when every date fits both, the
order under which the dates run forward in time wins; a tie with ``.``
separators means DMY (no locale writes M.D.Y); otherwise the import fails with
an error naming a line and asking for ``--date-order`` (``options.date_order``
always wins over detection).

**Times** are the phone's local wall-clock time without an offset: they are
read in ``options.timezone`` or, when unset, in this machine's local zone
(with the DST offset in force at that moment).

**Ids**: WhatsApp has no message ids.  ``external_id`` hashes the wall-clock
time as written (so ``--timezone`` does not change it), the speaker and the
ordinal among that speaker's messages in the same timestamp.  The text is not
part of the id, so a re-export with an edited message updates it in place.
(A message deleted "for me" between two exports shifts the ordinals of later
messages by the same speaker in the same minute.)

**Skipped** (``RecordSkip``): system messages (encryption notice, joins, group
renames, security-code changes), deleted-message placeholders, "waiting for
this message".  Media lines become messages with ``meta["attachments"]``
(``.zip`` or "file attached" exports) or ``meta["media_omitted"]``; the
``<This message was edited>`` marker is removed and sets ``meta["edited"]``.
"""

from __future__ import annotations

import io
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordNote, RecordSkip

from ._common import (
    SKIP_DELETED,
    SKIP_EMPTY,
    SKIP_SYSTEM,
    SKIP_UNAVAILABLE,
    Localizer,
    localizer,
    message_record,
    stable_id,
    strip_invisible,
)
from ._dateorder import DateFields, Evidence, OrderDetector, guess, guessed_note, ymd
from ._inputs import ExportTree, is_zip, read_head, zip_names
from ._jsonstream import ENTRY_READ_ERRORS

MESSAGE_CAP = 100_000  # characters of one message kept (the store's cap too); the rest is skipped while reading

FORMAT = "whatsapp"

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
_AM = frozenset(
    ["am", "a", "vorm", "fm", "ap", "dop", "de", "öö", "πμ", "午前", "上午", "오전", "ص", "לפנה״צ", "pg", "sa", "पूर्वाह्न", "ก่อนเที่ยง"]
)
_PM = frozenset(
    ["pm", "p", "nachm", "em", "ip", "odp", "du", "ös", "μμ", "午後", "下午", "오후", "م", "אחה״צ", "ptg", "ch", "अपराह्न", "หลังเที่ยง"]
)

_DELETED = frozenset(
    s.casefold()
    for s in (
        "This message was deleted",
        "You deleted this message",
        "Diese Nachricht wurde gelöscht",
        "Du hast diese Nachricht gelöscht",
        "Se eliminó este mensaje",
        "Eliminaste este mensaje",
        "Esta mensagem foi apagada",
        "Você apagou esta mensagem",
        "Ce message a été supprimé",
        "Vous avez supprimé ce message",
        "Dit bericht is verwijderd",
        "Je hebt dit bericht verwijderd",
        "Questo messaggio è stato eliminato",
        "Hai eliminato questo messaggio",
    )
)
_WAITING = re.compile(r"^(waiting for this message|warten auf diese nachricht|esperando este mensaje)", re.I)
_OMITTED = frozenset(
    s.casefold()
    for s in (
        "<Media omitted>",
        "<Medien ausgeschlossen>",
        "<Multimedia omitido>",
        "<Mídia oculta>",
        "<Médias omis>",
        "<Media weggelaten>",
        "<Media omessi>",
        "<الوسائط غير مضمنة>",
        "<Медиафайлы не включены>",
        "<Medya dahil edilmedi>",
    )
)
_IOS_OMITTED = re.compile(
    r"^(image|video|audio|sticker|gif|document|contact card|photo|bild|audio|sticker) "
    r"(omitted|weggelassen|omitido|omis|weggelaten|omesso)$",
    re.I,
)
_IOS_ATTACHED = re.compile(r"<(?:attached|anhang|adjunto|anexado|pièce jointe|bijlage|allegato): ([^>]+)>", re.I)
_ANDROID_ATTACHED = re.compile(
    r"^(?P<name>\S.*?\.\w{1,5}) \((?:file attached|datei angehängt|archivo adjunto|arquivo anexado|"
    r"fichier joint|bestand bijgevoegd|file allegato)\)\s*$",
    re.I,
)
_EDITED = re.compile(
    "[ \u200e]*<(?:This message was edited|Diese Nachricht wurde bearbeitet|Se editó este mensaje\\.?|"
    "Mensagem editada|Ce message a été modifié|Dit bericht is bewerkt|Questo messaggio è stato modificato)>\\s*$",
    re.I,
)
_CHAT_NAME = re.compile(
    r"^(?:WhatsApp[- ]Chat|Chat de WhatsApp|Conversa do WhatsApp|Discussion WhatsApp|Chat WhatsApp|"
    r"WhatsApp-chat)\s*(?:with|mit|con|com|avec|met|-|–)\s+(?P<name>.+?)(?:\s*\(\d+\))?$",
    re.I,
)
_QUOTES = ('"', "“", "”", "«", "»", "„")

_MARKER_MAX = 80  # longest deleted/omitted/waiting marker, with room for invisible marks
_ORDINAL_WINDOW = 1_000  # distinct (time, speaker) keys; exports are in time order
_SNIFF_LINES = 40


@dataclass(slots=True)
class _Header:
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
class _Pending:
    header: _Header
    lines: list[str] = field(default_factory=list)
    chars: int = 0
    cut: bool = False  # longer than MESSAGE_CAP: the rest was skipped while reading

    def add(self, line: str, cut: bool) -> None:
        """Keep a continuation line while the message is under the cap (memory stays bounded)."""
        room = MESSAGE_CAP - self.chars
        if room <= 0 or cut or len(line) > room:
            self.cut = True
        if room > 0:
            self.lines.append(line[:room])
            self.chars += min(len(line), room) + 1


@dataclass(slots=True)
class _Unparsed:
    """A header-like line that matched no header pattern, and the lines that followed it."""

    line: int
    reason: str
    extra: int = 0


def _match_header(line: str) -> re.Match[str] | None:
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


def _parse_header(line: str, lineno: int) -> _Header | _Unparsed | None:
    """The header on ``line``; ``_Unparsed`` for a line that only looks like one; None for text."""
    m = _match_header(line)
    if m is None:
        if (line[:1] in _HEADER_START or line[:1].isdigit()) and _LOOSE_HEADER.match(line):
            return _Unparsed(lineno, "line looks like a message header in a format Cairn does not recognise")
        return None
    groups = m.groupdict()
    if groups.get("wy"):
        word = (groups.get("mon") or groups.get("mon2") or "").casefold().rstrip(".")
        month = next((i for i, names in enumerate(_MONTH_NAMES, 1) if word in names), None)
        if month is None:
            return _Unparsed(lineno, f"unknown month name {word!r} in a message header")
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
    return _Header(
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


def _chat_name(stem: str) -> str:
    m = _CHAT_NAME.match(stem.strip())
    return m.group("name").strip() if m else stem.strip()


def _looks_like_whatsapp(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore")
    lines = text.splitlines()[:_SNIFF_LINES]
    if len(head) >= 4096 and lines:
        lines = lines[:-1]  # the last line may be cut in the middle
    non_empty = [ln for ln in lines if ln.strip()]
    if not non_empty:
        return False
    hits = sum(1 for ln in non_empty if _match_header(ln))
    # Exports start with a header line; a long first message may push the
    # second header out of the sample, so the first line alone is enough.
    return _match_header(non_empty[0]) is not None or hits >= 2


@dataclass(slots=True)
class _ChatSource:
    where: str  # display name used in error locations
    conversation: str
    opener: Callable[[], IO[bytes]]


class WhatsAppReader:
    """WhatsApp ``.txt`` / ``.zip`` exports (see the module docstring for the rules)."""

    name = FORMAT
    description = "WhatsApp chat export (.txt, or the .zip with media; Android and iOS)"

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            return False
        names = zip_names(path)
        if names is not None:
            texts = [n for n in names if n.lower().endswith(".txt")]
            if any(PurePosixPath(n).name == "_chat.txt" for n in texts):
                return True
            if any(_CHAT_NAME.match(PurePosixPath(n).stem) for n in texts):
                return True
            return 0 < len(texts) <= 3 and _zip_has_chat_text(path, texts)
        if path.suffix.lower() not in (".txt", ""):
            return False
        return _looks_like_whatsapp(read_head(path, 8192))

    def read(self, path: Path, options: ImportOptions) -> Iterator[ReadResult]:
        order_override = _check_order(options.date_order)
        to_aware = localizer(options)
        if is_zip(path):
            yield from self._read_zip(path, order_override, to_aware)
            return
        if not path.is_file():
            raise ImportFailed(f"{path}: not a WhatsApp export (expected a .txt file or the export .zip)")
        head = read_head(path, 8192)
        if not _looks_like_whatsapp(head):
            raise ImportFailed(_not_whatsapp(path.name, head))
        parent_hint = path.parent.name if path.name == "_chat.txt" else path.stem
        source = _ChatSource(path.name, _chat_name(parent_hint), lambda: path.open("rb"))
        yield from _read_chat(source, order_override, to_aware, path.name)

    def _read_zip(self, path: Path, order: str | None, to_aware: Localizer) -> Iterator[ReadResult]:
        with ExportTree(path) as tree:
            yield from tree.rejected_errors()
            texts = [n for n in tree.names() if n.lower().endswith(".txt")]
            chats: list[str] = []
            for name in texts:
                try:
                    head = tree.head(name, 8192)
                except ENTRY_READ_ERRORS as exc:
                    yield RecordError(where=f"{path.name}!{name}", reason=f"cannot read entry: {exc}")
                    continue
                if _looks_like_whatsapp(head):
                    chats.append(name)
            bombs = [f"{n}: {reason}" for n, reason in tree.rejected if n.lower().endswith(".txt")]
            if not chats and bombs:
                raise ImportFailed(f"{path}: refused as a possible zip bomb ({'; '.join(bombs[:3])}); nothing"
                                   " was imported")
            if not chats:
                raise ImportFailed(
                    f"{path}: no WhatsApp chat text in this zip (expected _chat.txt or "
                    "'WhatsApp Chat with ….txt' with lines like '31/12/23, 21:15 - Name: text')"
                )
            for name in chats:
                stem = PurePosixPath(name).stem
                conversation = _chat_name(path.stem if stem == "_chat" else stem)

                def opener(entry: str = name) -> IO[bytes]:
                    return tree.open(entry)

                source = _ChatSource(f"{path.name}!{name}", conversation, opener)
                yield from _read_chat(source, order, to_aware, name if stem != "_chat" else path.name)


def _zip_has_chat_text(path: Path, texts: list[str]) -> bool:
    """Peek (through SafeZip, a few KB) at the few text entries of a zip."""
    try:
        with ExportTree(path) as tree:
            for name in texts:
                if name in tree.names() and _looks_like_whatsapp(tree.head(name, 8192)):
                    return True
    except ENTRY_READ_ERRORS:
        return False
    return False


def _check_order(value: str | None) -> str | None:
    if value is None:
        return None
    order = value.strip().upper()
    if order not in ("DMY", "MDY", "YMD"):
        raise ImportFailed(f"--date-order must be DMY, MDY or YMD, not {value!r}")
    return order


def _not_whatsapp(name: str, head: bytes) -> str:
    first = next((ln for ln in head.decode("utf-8", errors="replace").splitlines() if ln.strip()), "")
    return (
        f"{name}: not a WhatsApp export: line 1 ({first[:60]!r}) does not start with a date and time "
        "like '31/12/23, 21:15 - Name:' or '[31.12.23, 21:15:03] Name:'. If it is a WhatsApp export in a "
        "locale Cairn does not know, pass --date-order DMY, MDY or YMD; otherwise choose another --format."
    )


def _lines(opener: Callable[[], IO[bytes]]) -> Iterator[tuple[int, str, bool]]:
    """``(line number, text, cut)``: a line longer than ``MESSAGE_CAP`` is cut and the rest skipped unread
    into memory (one 440 MB line must not become a 440 MB string)."""
    with opener() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=None)
        lineno = 0
        while True:
            line = text.readline(MESSAGE_CAP)
            if not line:
                return
            lineno += 1
            cut = not line.endswith("\n") and len(line) >= MESSAGE_CAP
            while cut:
                rest = text.readline(MESSAGE_CAP)
                if not rest or rest.endswith("\n"):
                    break
            yield lineno, line.rstrip("\n"), cut


@dataclass(slots=True)
class _Orders:
    """The date order of each header style of one chat file, and what the user should be told."""

    by_style: dict[str, str]
    notes: list[str]

    def for_header(self, h: _Header) -> str:
        if h.fixed_order:
            return h.fixed_order
        # A style first seen after detection stopped: the order of the most similar style.
        return (self.by_style.get(h.style) or next((o for st, o in self.by_style.items() if st[1:] == h.sep), None)
                or next(iter(self.by_style.values()), "DMY"))


_DETECT_MIN_HEADERS = 5_000  # keep looking this long for other header styles once every order is certain


def _detect(source: _ChatSource, file_name: str, override: str | None) -> _Orders:
    detectors: dict[str, OrderDetector] = {}
    markers: Counter[str] = Counter()
    seps: Counter[str] = Counter()
    plain_clock = False
    count = 0
    bad_marker: ImportFailed | None = None
    try:
        for lineno, line, _cut in _lines(source.opener):
            h = _parse_header(line, lineno)
            if not isinstance(h, _Header):
                continue
            count += 1
            bad_marker = _check_marker(h, source.where, line)
            if bad_marker is not None:
                break
            if h.marker_raw:
                markers[h.marker_raw] += 1
            else:
                plain_clock = True
            if h.fixed_order == "DMY" or override:
                continue
            seps[h.sep] += 1
            detector = detectors.get(h.style)
            if detector is None:
                detector = detectors[h.style] = OrderDetector(source.where)
            detector.feed(h.date, year_first=h.fixed_order == "YMD")
            if count >= _DETECT_MIN_HEADERS and all(d.decided for d in detectors.values()):
                break
    except ENTRY_READ_ERRORS as exc:
        # A damaged tail is reported by the reading pass; only an unreadable start is fatal here.
        if count == 0:
            raise ImportFailed(f"{source.where}: cannot read: {exc}") from exc
    if bad_marker is not None:
        raise bad_marker
    if count == 0:
        raise ImportFailed(f"{source.where}: no WhatsApp message header found")
    orders = _Orders({}, [])
    for style, detector in detectors.items():
        if override:
            orders.by_style[style] = override
            continue
        order = detector.certain()
        if order is None:
            evidence = Evidence(separator=style[1:], markers=tuple(m for m, _ in markers.most_common()),
                                twenty_four_hour=plain_clock and not markers, file_name=file_name)
            order, reason = guess(evidence)
            if style[1:] != ".":  # dotted dates are day-first everywhere: nothing to tell
                assert detector.first is not None
                orders.notes.append(guessed_note(order, reason, detector.first, detector.count))
        orders.by_style[style] = order
    if override and not orders.by_style:
        orders.by_style["-/"] = override
    return orders


def _check_marker(h: _Header, where: str, line: str) -> ImportFailed | None:
    if h.marker is None or h.marker in _AM or h.marker in _PM:
        return None
    return ImportFailed(
        f"{where}:{h.line}: unknown AM/PM marker {h.marker!r} in {line[:60]!r}: this locale's time "
        "format is not known to Cairn (24-hour clocks and the common AM/PM spellings are); "
        "if only the day/month order is the problem, pass --date-order DMY, MDY or YMD"
    )


def _read_chat(source: _ChatSource, override: str | None, to_aware: Localizer, file_name: str) -> Iterator[ReadResult]:
    orders = _detect(source, file_name, override)
    for note in orders.notes:
        yield RecordNote(where=source.where, text=note)
    ordinals: OrderedDict[tuple[datetime, str], int] = OrderedDict()
    pending: _Pending | _Unparsed | None = None
    orphan_line: int | None = None
    try:
        for lineno, line, cut in _lines(source.opener):
            h = _parse_header(line, lineno)
            if h is None:
                if isinstance(pending, _Pending):
                    pending.add(line, cut)
                elif isinstance(pending, _Unparsed):
                    pending.extra += 1
                elif line.strip() and orphan_line is None:
                    orphan_line = lineno
                continue
            if pending is not None:
                yield from _finish(pending, source, orders, to_aware, ordinals)
            pending = _Pending(h, [h.rest], len(h.rest), cut) if isinstance(h, _Header) else h
    except ENTRY_READ_ERRORS as exc:
        if pending is not None:
            yield from _finish(pending, source, orders, to_aware, ordinals)
            pending = None
        yield RecordError(where=source.where, reason=f"reading stopped: {exc}")
    if pending is not None:
        yield from _finish(pending, source, orders, to_aware, ordinals)
    if orphan_line is not None:
        yield RecordError(
            where=f"{source.where}:{orphan_line}",
            reason="text before the first message header belongs to no message",
        )


def _finish(
    pending: _Pending | _Unparsed,
    source: _ChatSource,
    orders: _Orders,
    to_aware: Localizer,
    ordinals: OrderedDict[tuple[datetime, str], int],
) -> Iterator[ReadResult]:
    if isinstance(pending, _Unparsed):
        more = f" (with the {pending.extra} lines after it)" if pending.extra else ""
        yield RecordError(where=f"{source.where}:{pending.line}",
                          reason=f"{pending.reason}{more}; kept apart from the message above, not imported")
        return
    h = pending.header
    where = f"{source.where}:{h.line}"
    order = orders.for_header(h)
    naive = _naive_time(h, order)
    if isinstance(naive, str):
        yield RecordError(where=where, reason=naive)
        return
    speaker_raw, colon, first_text = h.rest.partition(": ")
    if not colon:
        if h.rest.endswith(":") and ":" not in h.rest[:-1]:
            speaker_raw, first_text = h.rest[:-1], ""
        else:
            yield RecordSkip(where=where, reason=SKIP_SYSTEM)
            return
    # "~ Name": WhatsApp's mark for a group member who is not in the phone's contacts.
    speaker = strip_invisible(speaker_raw).strip().removeprefix("~").strip()
    if not speaker or any(q in speaker for q in _QUOTES):
        yield RecordSkip(where=where, reason=SKIP_SYSTEM)
        return
    key = (naive, speaker)
    ordinal = ordinals.get(key, 0)
    ordinals[key] = ordinal + 1
    ordinals.move_to_end(key)
    if len(ordinals) > _ORDINAL_WINDOW:
        ordinals.popitem(last=False)
    pending.lines[0] = first_text
    raw_text = "\n".join(pending.lines).rstrip()
    outcome = _interpret_text(raw_text)
    if isinstance(outcome, RecordSkip):
        yield RecordSkip(where=where, reason=outcome.reason)
        return
    text, meta = outcome
    if pending.cut:
        meta = {**meta, "truncated": f"message longer than {MESSAGE_CAP} characters: cut while reading"}
    # The id hashes the date as written (not as interpreted): re-importing with another
    # --date-order re-dates the same messages instead of adding copies.
    written = f"{h.date.d1}/{h.date.d2}/{h.date.d3} {naive.time().isoformat()}"
    external_id = stable_id(FORMAT, written, speaker, ordinal)
    yield message_record(
        FORMAT,
        external_id,
        to_aware(naive),
        text,
        conversation=source.conversation,
        speaker=speaker,
        meta=meta,
    )


def _naive_time(h: _Header, order: str) -> datetime | str:
    hour = h.hour
    if h.marker in _PM:
        if hour > 12:
            return f"time {h.hour}:{h.minute:02d} with a PM marker is not a 12-hour time"
        hour = hour % 12 + 12
    elif h.marker in _AM:
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


def _interpret_text(raw: str) -> tuple[str, dict[str, object]] | RecordSkip:
    """Turn a message body into (text, meta) or a skip (system / deleted)."""
    meta: dict[str, object] = {}
    system_mark = raw.startswith("\u200e")
    text = raw.lstrip("\u200e")
    # Cheap guards first: every marker below is short or ends/contains a bracket.
    if text.endswith(">"):
        edited = _EDITED.search(text)
        if edited:
            meta["edited"] = True
            text = text[: edited.start()].rstrip()
    if len(text) <= _MARKER_MAX:
        clean = strip_invisible(text).strip()
        folded = clean.casefold()
        if folded.rstrip(".") in _DELETED:
            return RecordSkip(where="", reason=SKIP_DELETED)
        if _WAITING.match(clean):
            return RecordSkip(where="", reason=SKIP_UNAVAILABLE)
        if folded in _OMITTED or _IOS_OMITTED.match(clean):
            meta["media_omitted"] = True
            return (f"[{folded}]" if clean[:1] != "<" else "[media omitted]"), meta
    else:
        clean = text
    if "<" in text:
        attached = [strip_invisible(n).strip() for n in _IOS_ATTACHED.findall(text)]
        if attached:
            meta["attachments"] = attached
            caption = strip_invisible(_IOS_ATTACHED.sub("", text)).strip()
            # iOS writes document lines as "‎name.pdf • ‎3 pages ‎<attached: …>": keep it readable.
            return (caption or f"[attachment: {', '.join(attached)}]"), meta
    first, _, more = text.partition("\n")
    android = _ANDROID_ATTACHED.match(strip_invisible(first).strip()) if first.rstrip().endswith(")") else None
    if android:
        name = android.group("name")
        meta["attachments"] = [name]
        caption = more.strip()
        return (caption or f"[attachment: {name}]"), meta
    if system_mark:
        return RecordSkip(where="", reason=SKIP_SYSTEM)
    if not clean.strip():
        return RecordSkip(where="", reason=SKIP_EMPTY)
    return text, meta

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
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import IO

from core.capture.chats.reader import ImportOptions, ReadResult
from core.errors import ImportFailed
from core.types import RecordError, RecordSkip

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
_TIME = (
    r"(?:(?P<pre>[^\W\d_][^\W\d_.]*\.?)" + _SP + r"?)?"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?"
    r"(?P<post>" + _SP + r"?[^\W\d_][^\]\d\n]*?)?"
)
_HEADER_IOS = re.compile(
    "^" + _INV + r"\[" + _INV + _DATE + _COMMA + _SP + _INV + _TIME + _INV + r"\]" + _SP + "?(?P<rest>.*)$"
)
_HEADER_ANDROID = re.compile(
    "^" + _INV + _DATE + _COMMA + _SP + _INV + _TIME + _INV + _SP + "[-–]" + _SP + "(?P<rest>.*)$"
)
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
    d1: str
    d2: str
    d3: str
    sep: str
    hour: int
    minute: int
    second: int
    marker: str | None
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


def _match_header(line: str) -> re.Match[str] | None:
    if not line or (line[0] not in _HEADER_START and not line[0].isdigit()):  # isdigit: non-ASCII digits
        return None
    return _HEADER_IOS.match(line) or _HEADER_ANDROID.match(line)


def _marker_text(m: re.Match[str]) -> str | None:
    raw = m.group("pre") or m.group("post")
    if not raw:
        return None
    return strip_invisible(raw).replace(".", "").replace(" ", "").casefold() or None


def _header(m: re.Match[str], lineno: int) -> _Header:
    return _Header(
        line=lineno,
        d1=m.group("d1"),
        d2=m.group("d2"),
        d3=m.group("d3"),
        sep=m.group("sep"),
        hour=int(m.group("H")),
        minute=int(m.group("M")),
        second=int(m.group("S") or 0),
        marker=_marker_text(m),
        rest=m.group("rest"),
    )


def _ymd(h: _Header, order: str) -> tuple[int, int, int]:
    a, b, c = int(h.d1), int(h.d2), int(h.d3)
    if order == "YMD":
        y, mo, d = a, b, c
    elif order == "DMY":
        d, mo, y = a, b, c
    else:
        mo, d, y = a, b, c
    if y < 100:
        y += 2000
    return y, mo, d


def _as_date(h: _Header, order: str) -> date | None:
    try:
        return date(*_ymd(h, order))
    except ValueError:
        return None


def _date_text(h: _Header) -> str:
    return f"{h.d1}{h.sep}{h.d2}{h.sep}{h.d3}"


class _OrderDetector:
    """Decides DMY / MDY / YMD from all the header dates of one file."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.count = 0
        self.first: _Header | None = None
        self.decided: str | None = None
        self.backwards = {"DMY": 0, "MDY": 0}
        self.possible = {"DMY": True, "MDY": True}
        self.last: dict[str, date | None] = {"DMY": None, "MDY": None}
        self.impossible_line: dict[str, _Header] = {}

    def feed(self, h: _Header) -> bool:
        """Take one header; True once the order is certain (the caller may stop)."""
        self.count += 1
        if self.first is None:
            self.first = h
        if len(h.d1) == 4:
            self.decided = "YMD"
            return True
        for order in ("DMY", "MDY"):
            if not self.possible[order]:
                continue
            day = _as_date(h, order)
            if day is None:
                self.possible[order] = False
                self.impossible_line[order] = h
                continue
            last = self.last[order]
            if last is not None and day < last:
                self.backwards[order] += 1
            self.last[order] = day
        if self.possible["DMY"] != self.possible["MDY"]:
            self.decided = "DMY" if self.possible["DMY"] else "MDY"
            return True
        return False

    def result(self, sep_hint: str | None) -> str:
        if self.decided:
            return self.decided
        first = self.first
        assert first is not None
        if not self.possible["DMY"] and not self.possible["MDY"]:
            bad_d = self.impossible_line["DMY"]
            bad_m = self.impossible_line["MDY"]
            raise ImportFailed(
                f"{self.where}: the dates fit neither day/month/year (line {bad_d.line}: "
                f"{_date_text(bad_d)!r}) nor month/day/year (line {bad_m.line}: {_date_text(bad_m)!r}); "
                "this locale's date format is not known. Re-run with --date-order DMY, MDY or YMD "
                "if all dates use one order."
            )
        if self.backwards["DMY"] != self.backwards["MDY"]:
            return "DMY" if self.backwards["DMY"] < self.backwards["MDY"] else "MDY"
        if sep_hint == ".":
            return "DMY"
        raise ImportFailed(
            f"{self.where}: cannot tell whether the dates are day/month/year or month/day/year "
            f"(line {first.line}: {_date_text(first)!r} fits both, and so do all {self.count} dates). "
            "Re-run with --date-order DMY or --date-order MDY."
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
        yield from _read_chat(source, order_override, to_aware)

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
                yield from _read_chat(source, order, to_aware)


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


def _detect(source: _ChatSource) -> str:
    detector = _OrderDetector(source.where)
    seps: dict[str, int] = {}
    bad_marker: ImportFailed | None = None
    try:
        for lineno, line, _cut in _lines(source.opener):
            m = _match_header(line)
            if m is None:
                continue
            h = _header(m, lineno)
            bad_marker = _check_marker(h, source.where, line)
            if bad_marker is not None:
                break
            seps[h.sep] = seps.get(h.sep, 0) + 1
            if detector.feed(h):
                break
    except ENTRY_READ_ERRORS as exc:
        # A damaged tail is reported by the reading pass; only an unreadable start is fatal here.
        if detector.count == 0:
            raise ImportFailed(f"{source.where}: cannot read: {exc}") from exc
    if bad_marker is not None:
        raise bad_marker
    if detector.count == 0:
        raise ImportFailed(f"{source.where}: no WhatsApp message header found")
    return detector.result(max(seps, key=lambda s: seps[s]) if seps else None)


def _check_marker(h: _Header, where: str, line: str) -> ImportFailed | None:
    if h.marker is None or h.marker in _AM or h.marker in _PM:
        return None
    return ImportFailed(
        f"{where}:{h.line}: unknown AM/PM marker {h.marker!r} in {line[:60]!r}: this locale's time "
        "format is not known to Cairn (24-hour clocks and the common AM/PM spellings are); "
        "if only the day/month order is the problem, pass --date-order DMY, MDY or YMD"
    )


def _read_chat(source: _ChatSource, order: str | None, to_aware: Localizer) -> Iterator[ReadResult]:
    if order is None:
        order = _detect(source)
    ordinals: OrderedDict[tuple[datetime, str], int] = OrderedDict()
    pending: _Pending | None = None
    orphan_line: int | None = None
    try:
        for lineno, line, cut in _lines(source.opener):
            m = _match_header(line)
            if m is None:
                if pending is not None:
                    pending.add(line, cut)
                elif line.strip() and orphan_line is None:
                    orphan_line = lineno
                continue
            if pending is not None:
                yield from _finish(pending, source, order, to_aware, ordinals)
            h = _header(m, lineno)
            pending = _Pending(h, [h.rest], len(h.rest), cut)
    except ENTRY_READ_ERRORS as exc:
        if pending is not None:
            yield from _finish(pending, source, order, to_aware, ordinals)
            pending = None
        yield RecordError(where=source.where, reason=f"reading stopped: {exc}")
    if pending is not None:
        yield from _finish(pending, source, order, to_aware, ordinals)
    if orphan_line is not None:
        yield RecordError(
            where=f"{source.where}:{orphan_line}",
            reason="text before the first message header belongs to no message",
        )


def _finish(
    pending: _Pending,
    source: _ChatSource,
    order: str,
    to_aware: Localizer,
    ordinals: OrderedDict[tuple[datetime, str], int],
) -> Iterator[ReadResult]:
    h = pending.header
    where = f"{source.where}:{h.line}"
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
    speaker = strip_invisible(speaker_raw).strip()
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
    external_id = stable_id(FORMAT, naive.isoformat(), speaker, ordinal)
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
        y, mo, d = _ymd(h, order)
        return datetime(y, mo, d, hour, h.minute, h.second)
    except ValueError:
        return (
            f"date {_date_text(h)!r} {h.hour}:{h.minute:02d} is not valid as {order}; "
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

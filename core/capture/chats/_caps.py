"""Caps while reading: an export's one huge message is cut as it is read, never held whole in memory."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import IO

MESSAGE_CAP = 100_000  # characters of one message kept (the store's cap too); the rest is skipped while reading


def text_lines(opener: Callable[[], IO[bytes]]) -> Iterator[tuple[int, str, bool]]:
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


CUT_MARK = "\ue0c7"  # a private-use character put where a JSON string was cut; readers turn it into meta["truncated"]
_CUT_MARK_BYTES = CUT_MARK.encode()
STRING_CAP_BYTES = 4 * MESSAGE_CAP  # bytes of one JSON string kept: MESSAGE_CAP characters of any script
DOCUMENT_CAP = 5_000_000  # characters of one document kept (the store's cap too)
DOCUMENT_STRING_CAP_BYTES = 4 * DOCUMENT_CAP  # for exports whose strings hold whole documents (Claude's attachments)
_BACKSLASHES_QUOTE = re.compile(rb'\\+"')
_CHUNK = 64 * 1024
_KEY_CONTEXT = 96
_KEY_BEFORE = re.compile(rb'"([^"\\]{1,64})"\s*:\s*$')  # the key whose value starts right after
_BODY = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.S)  # a string's body up to its closing quote (escapes whole)
_PARTIAL_ESCAPE = re.compile(rb"\\u(?:[dD][89abAB][0-9a-fA-F]{2}|[0-9a-fA-F]{0,3})$")  # \\u cut, or a lone high surrogate


def cut_note(what: str = "message", cap: int = MESSAGE_CAP) -> str:
    """The ``meta["truncated"]`` text of a record cut while it was read."""
    return f"{what} longer than {cap} characters: cut while reading"


def take_cut(text: str) -> tuple[str, bool]:
    """``text`` without the cut marks a capped JSON stream left in it, and whether there were any."""
    if CUT_MARK not in text:
        return text, False
    return text.replace(CUT_MARK, ""), True


class CappedJson(io.RawIOBase):
    """A JSON byte stream whose strings are cut at ``cap`` bytes as they stream past, the rest never held.

    The cut is made between whole UTF-8 characters and whole escapes and marked with ``CUT_MARK``, so the
    JSON stays valid and a parser (ijson, ``json``) sees at most ``cap`` bytes of any one string.
    The values of the keys in ``wide_keys`` (e.g. a whole document's text) are cut at ``wide_cap`` instead.
    ``cuts`` counts the strings cut so far.  Not thread-safe; one per stream.
    """

    def __init__(self, source: IO[bytes], cap: int = STRING_CAP_BYTES, *,
                 wide_keys: frozenset[bytes] = frozenset(), wide_cap: int = 0) -> None:
        super().__init__()
        self._source = source
        self._base_cap = cap
        self._cap = cap  # the cap of the string being read
        self._wide_keys = wide_keys
        self._wide_cap = max(wide_cap, cap)
        self._recent = b""  # the last bytes read, where the key of a string opened at a chunk's start is
        self._out = bytearray()
        self._carry = b""  # the end of a chunk that parts a character or an escape: read again with the next
        self._in_string = False
        self._length = 0  # bytes of the current string kept so far
        self._skipping = False  # past the cap: drop the string's bytes until its closing quote
        self._eof = False
        self.cuts = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._out and not self._eof:
            data = self._source.read(_CHUNK)
            if not data:
                self._eof = True
                self._out += self._carry
                self._carry = b""
                break
            self._filter(self._carry + data)
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        del self._out[:size]
        return size

    def _filter(self, data: bytes) -> None:
        self._carry = b""
        self._pass(data)
        if self._wide_keys:
            self._recent = (self._recent + data)[-_KEY_CONTEXT:]

    def _opened(self, data: bytes, quote: int) -> None:
        """A string opens at ``data[quote]``: its cap is the wide one when it is the value of a wide key."""
        if not self._wide_keys:
            return
        key = _KEY_BEFORE.search((self._recent + data[max(0, quote - _KEY_CONTEXT):quote])[-_KEY_CONTEXT:])
        self._cap = self._wide_cap if key is not None and key.group(1) in self._wide_keys else self._base_cap

    def _pass(self, data: bytes) -> None:
        """Pass ``data`` on: whole when no string in it can pass the cap (counting quotes is enough), else by ``_scan``."""
        if self._skipping or len(data) > self._base_cap:
            return self._scan(data)
        escaped = _escaped_quotes(data) if b'\\"' in data else set()
        real = data.count(b'"') - len(escaped)
        if real == 0:
            if not self._in_string:
                self._out += data
            elif self._length + len(data) > self._cap:
                self._scan(data)
            else:
                self._pass_open_string(data, 0)
            return None
        first = data.find(b'"')
        while first in escaped:
            first = data.find(b'"', first + 1)
        if self._in_string and self._length + first > self._cap:
            return self._scan(data)
        if self._in_string == (real % 2 == 0):  # a string is open at the end: it began after the last quote
            last = data.rfind(b'"')
            while last in escaped:
                last = data.rfind(b'"', 0, last)
            self._opened(data, last)
            self._in_string = True
            self._pass_open_string(data, last + 1)
        else:
            self._in_string = False
            self._out += data
        return None

    def _pass_open_string(self, data: bytes, start: int) -> None:
        """Pass ``data`` on, keeping back a character or escape the chunk's end parts; the string from ``start`` is open."""
        whole = _safe_cut(data, start, len(data))
        self._out += data[:whole]
        self._length = (self._length if start == 0 else 0) + whole - start
        self._carry = data[whole:]

    def _scan(self, data: bytes) -> None:
        """Pass ``data`` on string by string, cutting the one that passes the cap."""
        out, pos, end_of_data = self._out, 0, len(data)
        while pos < end_of_data:
            if not self._in_string:
                quote = data.find(b'"', pos)
                if quote < 0:
                    out += data[pos:]
                    return
                out += data[pos:quote + 1]
                pos, self._in_string, self._length, self._skipping = quote + 1, True, 0, False
                self._opened(data, quote)
                continue
            end = _BODY.match(data, pos).end()  # type: ignore[union-attr]
            closed = end < end_of_data and data[end] == 0x22
            # A chunk that ends inside the string keeps back a cut character or escape for the next one,
            # so every chunk's part of a string starts at a boundary where a cut is safe.
            whole = end if closed else _safe_cut(data, pos, end_of_data)
            if not self._skipping:
                if self._length + whole - pos <= self._cap:
                    out += data[pos:whole]
                    self._length += whole - pos
                else:
                    out += data[pos:_safe_cut(data, pos, pos + self._cap - self._length)] + _CUT_MARK_BYTES
                    self._skipping = True
                    self.cuts += 1
            if not closed:
                self._carry = data[whole:]
                return
            out += b'"'
            self._in_string = False
            pos = end + 1


def _escaped_quotes(data: bytes) -> set[int]:
    """Positions of the quotes in ``data`` an odd run of backslashes escapes (``\\"``, not ``\\\\"``)."""
    return {m.end() - 1 for m in _BACKSLASHES_QUOTE.finditer(data) if (m.end() - m.start() - 1) % 2}


def _safe_cut(data: bytes, start: int, cut: int) -> int:
    """``cut`` moved back (not before ``start``, a safe place) so no UTF-8 character or escape is parted,
    nor a surrogate pair."""
    lead = cut
    while lead > start and lead > cut - 4 and data[lead - 1] & 0xC0 == 0x80:
        lead -= 1
    if lead > start and data[lead - 1] >= 0xC0:  # a multi-byte character's lead: is it whole?
        need = 2 if data[lead - 1] < 0xE0 else 3 if data[lead - 1] < 0xF0 else 4
        if cut - (lead - 1) < need:
            cut = lead - 1
    run = 0
    while cut - run > start and data[cut - run - 1] == 0x5C:
        run += 1
    if run % 2:  # the last backslash starts an escape whose letter is not kept
        cut -= 1
    while (partial := _PARTIAL_ESCAPE.search(data, max(start, cut - 6), cut)) is not None:
        before = 0
        while partial.start() - before > start and data[partial.start() - before - 1] == 0x5C:
            before += 1
        if before % 2:  # that backslash is itself escaped: no escape is cut
            break
        cut = partial.start()  # drop a cut \\u escape, then a high surrogate left without its low half
    return cut


def capped_json(source: IO[bytes], cap: int = STRING_CAP_BYTES, *,
                wide_keys: frozenset[bytes] = frozenset(), wide_cap: int = 0) -> IO[bytes]:
    """``source`` read through ``CappedJson``, buffered (``read``, ``readline``)."""
    capped = CappedJson(source, cap, wide_keys=wide_keys, wide_cap=wide_cap)
    return io.BufferedReader(capped, buffer_size=_CHUNK)  # type: ignore[arg-type,return-value]

"""Turning bytes of unknown encoding into text, and saying what was guessed.

Order of evidence: a byte-order mark; valid UTF-8; a charset the container
declared (HTML ``<meta charset>``, an e-mail header) if the bytes agree; the NUL-byte
pattern of UTF-16/32 without a BOM; strict UTF-8 (or UTF-8 with a few stray
bytes); charset-normalizer's detection for non-Latin scripts; and for Latin
text the Western default, cp1252, unless cp1250 (Central European) reads the
bytes clearly better; latin-1 last, which never fails.  Undecodable bytes
become U+FFFD and the count is reported, never silently dropped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Guesses that only mean "some Latin-script single-byte text".  charset-normalizer
# cannot tell these apart reliably (it calls French cp775 and Polish cp1252),
# so for them we choose between cp1252 and cp1250 ourselves.
_LATIN = frozenset({
    "cp1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250", "iso8859_2", "iso8859_3", "iso8859_4",
    "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_16", "cp1257", "cp775", "cp437", "cp850", "cp852",
    "cp858", "cp1258", "mac_roman", "mac_latin2", "mac_iceland", "hp_roman8",
})
# Multi-byte guesses overruled when the bytes read as plausible Western text:
# short Western snippets are often "detected" as big5 or Shift-JIS.
_MULTIBYTE = frozenset({
    "big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213", "euc_jp", "euc_kr",
    "gb2312", "gb18030", "gbk", "hz", "iso2022_jp", "iso2022_kr", "johab", "shift_jis", "shift_jis_2004",
    "shift_jisx0213", "utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le", "utf_7",
})
_WESTERN_PUNCT = frozenset("“”‘’‚„–—€…•«»‹›°§©®™£¥¿¡·×÷±\xa0")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# charset-normalizer is given at most this much; its answer is applied to all.
_DETECT_SAMPLE = 512 * 1024


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding named by a byte-order mark and the BOM's length, if there is one."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def control_ratio(text: str) -> float:
    """Share of characters that are control codes never seen in text (not tab, newline, form feed)."""
    if not text:
        return 0.0
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\x1b") or 0x7F <= ord(ch) < 0xA0)
    return controls / len(text)


def utf16_32_without_bom(sample: bytes) -> str | None:
    """Guess UTF-16/32 from where the NUL bytes sit (ASCII-heavy text has many).

    The guess must also decode to text: binary data with a regular NUL
    pattern decodes to control characters and is rejected.
    """
    guess = _wide_pattern(sample)
    if guess is None:
        return None
    n = len(sample) - len(sample) % (4 if guess.startswith("utf-32") else 2)
    text = sample[:n].decode(guess, errors="replace")
    if text.count("\ufffd") > max(2, len(text) // 100) or control_ratio(text) > 0.02:
        return None
    return guess


def _wide_pattern(sample: bytes) -> str | None:
    n = len(sample) - len(sample) % 4
    if n < 8:
        return None
    sample = sample[:n]
    zeros_by_pos4 = [sample[i::4].count(0) / (n // 4) for i in range(4)]
    if all(z > 0.7 for z in zeros_by_pos4[1:]) and zeros_by_pos4[0] < 0.3:
        return "utf-32-le"
    if all(z > 0.7 for z in zeros_by_pos4[:3]) and zeros_by_pos4[3] < 0.3:
        return "utf-32-be"
    even = (zeros_by_pos4[0] + zeros_by_pos4[2]) / 2
    odd = (zeros_by_pos4[1] + zeros_by_pos4[3]) / 2
    if odd > 0.4 and even < 0.1:
        return "utf-16-le"
    if even > 0.4 and odd < 0.1:
        return "utf-16-be"
    return None


def _decode_replacing(data: bytes, encoding: str) -> tuple[str, int]:
    before = data.count(b"\xef\xbf\xbd") if encoding.startswith("utf-8") else 0
    text = data.decode(encoding, errors="replace")
    return text, max(0, text.count("\ufffd") - before)


def _replaced_note(count: int, encoding: str) -> tuple[str, ...]:
    if not count:
        return ()
    return (f"{count:,} byte sequence(s) not valid {encoding} were replaced with U+FFFD",)


def _detect(data: bytes) -> str | None:
    """charset-normalizer's first choice, or ``None``."""
    from charset_normalizer import from_bytes  # heavy-ish: only for input that is not UTF-8

    best = from_bytes(data[:_DETECT_SAMPLE]).best()
    return best.encoding if best is not None else None


def _plausibly_western(sample: bytes) -> bool:
    """Do these bytes read as Western text in cp1252 (mostly ASCII, accented letters, typographic marks)?"""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    high = _NON_ASCII.findall(text)
    if not high:
        return False
    letters = sum(1 for ch in text if ch.isalpha())
    high_letters = sum(1 for ch in high if ch.isalpha())
    if high_letters > 0.5 * letters:  # Cyrillic or Greek read as cp1252: all "accented"
        return False
    return all(ch.isalpha() or ch in _WESTERN_PUNCT for ch in high)


def _misfit_score(text: str) -> int:
    """How wrong a Latin decoding looks: symbols inside words (``Za¿ó³æ``), C1 controls."""
    score = 0
    for match in _NON_ASCII.finditer(text):
        ch = match.group()
        i = match.start()
        if 0x80 <= ord(ch) < 0xA0:
            score += 3
        elif not ch.isalpha() and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            score += 1
    return score


def _latin(data: bytes) -> Decoded:
    """cp1252 unless cp1250 reads the bytes clearly better; latin-1 if neither can."""
    sample = data[:_DETECT_SAMPLE]
    order = ("cp1252", "cp1250")  # a tie goes to the Western code page
    scores: dict[str, int] = {}
    for name in order:
        try:
            scores[name] = _misfit_score(sample.decode(name))
        except UnicodeDecodeError:
            continue
    if scores:
        name = min(scores, key=lambda n: (scores[n], order.index(n)))
        text, replaced = _decode_replacing(data, name)
        kind = {"cp1252": "Western", "cp1250": "Central European"}[name]
        return Decoded(text, name, (f"encoding: {name} (not UTF-8; {kind} code page)",
                                    *_replaced_note(replaced, name)))
    # latin-1 maps every byte, so this cannot fail or lose anything.
    return Decoded(data.decode("latin-1"), "latin-1", ("encoding: latin-1 (not UTF-8; fallback)",))


def decode_text(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data`` to ``str``; never raises for any input bytes."""
    bom = bom_encoding(data)
    if bom:
        name, skip = bom
        text, replaced = _decode_replacing(data[skip:], name)
        return Decoded(text, name, (f"encoding: {name} (byte-order mark)", *_replaced_note(replaced, name)))

    if declared:
        # Valid UTF-8 with non-ASCII text beats a label: stale <meta charset> tags are common, and
        # multi-byte UTF-8 sequences almost never occur by accident in single-byte text.
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
        try:
            codec: str | None = codecs.lookup(declared).name
        except LookupError:
            codec = None
        if codec:
            try:
                return Decoded(data.decode(codec), codec)
            except (UnicodeDecodeError, ValueError):
                pass  # the declaration lies; fall through to evidence from the bytes

    if b"\x00" in data[:4096]:
        # NULs are valid UTF-8, so UTF-16/32 without a BOM must be ruled out first.
        wide = utf16_32_without_bom(data[:4096])
        if wide:
            text, replaced = _decode_replacing(data, wide)
            if replaced <= max(2, len(text) // 1000):
                return Decoded(text, wide, (f"encoding: {wide} without byte-order mark (detected)",
                                            *_replaced_note(replaced, wide)))

    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        cut_at_end = exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
    # Mostly UTF-8 with a few stray bytes (a pasted latin-1 character, a file
    # cut inside a character): keep UTF-8 and report what was replaced.
    text, replaced = _decode_replacing(data, "utf-8")
    valid_non_ascii = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if cut_at_end or valid_non_ascii >= 2 * replaced:
        return Decoded(text, "utf-8", _replaced_note(replaced, "utf-8"))

    detected = _detect(data)
    if detected in _MULTIBYTE and _plausibly_western(data[:_DETECT_SAMPLE]):
        detected = None
    if detected is None or detected in _LATIN:
        return _latin(data)
    text, replaced = _decode_replacing(data, detected)
    return Decoded(text, detected, (f"encoding: {detected} (detected)", *_replaced_note(replaced, detected)))

"""What every extractor returns, the limits it must respect, and how it fails.

An extractor is a function ``extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction``.
It works on bytes already in memory (the caller read and hashed them, so the
hash always matches what was extracted) and never touches the disk.

Errors: an extractor raises ``ExtractionFailed`` (or a subclass) with a reason
fit to show a user ("corrupt PDF: ...", "encrypted, not indexed").  Anything
else it raises is a bug in a library; ``extract_bytes`` wraps it into
``ExtractionFailed`` so the caller only ever sees one error type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from core.errors import CairnError
from core.types import Section

MIB = 1024 * 1024

PageProgress = Callable[[int, int], None]
"""``progress(page, pages)``: an extractor is about to OCR the ``page``-th (1-based) of the ``pages`` it will OCR.

Called in order, once per page, from the extracting thread (in the sandbox worker: relayed to the parent)."""


class ExtractionFailed(CairnError):
    """A file could not be turned into text; ``reason`` says why, for the user and the ledger."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str]]:
        # Keep subclasses picklable across the sandbox pipe.
        return (type(self), (self.reason,))


class Unsupported(ExtractionFailed):
    """No extractor handles this file (a binary format Cairn does not read)."""


class EncryptedDocument(ExtractionFailed):
    """The document is encrypted and no password is known: recorded, not indexed."""


class TooLarge(ExtractionFailed):
    """The file, or what it expands to, is over a configured limit."""


class ExtractionTimeout(ExtractionFailed):
    """The sandboxed extraction ran past its wall-clock limit."""


class ExtractionOutOfMemory(ExtractionFailed):
    """The sandboxed extraction hit its memory limit."""


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    """Bounds on one extraction.  Defaults suit a desktop; ``max_file_bytes`` comes from settings.

    ``max_chars`` caps the text kept from one file (a note says when it cut);
    ``max_unpacked_bytes`` caps what a zip-based format (DOCX, ODT, EPUB) may
    expand to; ``timeout_s`` and ``memory_bytes`` are enforced by the sandbox.
    """

    max_file_bytes: int = 50 * MIB
    max_chars: int = 5_000_000
    max_pages: int = 3000
    max_rows: int = 20_000
    max_unpacked_bytes: int = 300 * MIB
    timeout_s: float = 30.0
    memory_bytes: int = 1024 * MIB
    max_image_pixels: int = 60_000_000  # a 7700x7700 scan; a bomb declares far more
    max_ocr_pages: int = 200
    ocr_page_timeout_s: float = 60.0
    ocr_lang: str = "eng"
    ocr_pdf_pages: bool = True  # OCR PDF pages that are images without text (scans)

    @classmethod
    def from_settings(cls, max_file_mb: float, **overrides: float | int | str) -> ExtractLimits:
        return cls(max_file_bytes=int(max_file_mb * MIB), **overrides)  # type: ignore[arg-type]

    def for_file(self, size: int, load: float | None = None, *, ocr: bool = False) -> ExtractLimits:
        """These limits with the time limit scaled to one file: ``timeout_s`` covers a 1 MB file on an
        idle machine; a big file gets more (a 619-page PDF alone takes minutes on a busy laptop), and a
        machine busy with other work (``load``: run-queue length per core, default: measured) gets
        proportionally more, so a folder scan indexes what a single import would."""
        from dataclasses import replace

        if load is None:
            load = machine_load()
        size_factor = max(1.0, size / MIB) ** 0.9  # extraction time grows a little slower than size
        load_factor = min(4.0, max(1.0, load))
        timeout = self.timeout_s * size_factor
        if ocr:  # an image is OCR'd page by page: give it its pages' time, not its bytes'
            timeout = max(timeout, 2 * self.ocr_page_timeout_s)
        return replace(self, timeout_s=min(timeout * load_factor, _MAX_TIMEOUT_S))


_MAX_TIMEOUT_S = 1800.0  # past half an hour a file is hostile or hopeless, however large


def machine_load() -> float:
    """The one-minute load average per core (1.0 where the platform has none)."""
    import os

    try:
        return os.getloadavg()[0] / max(1, os.cpu_count() or 1)
    except (AttributeError, OSError):
        return 1.0


@dataclass(frozen=True, slots=True)
class Extraction:
    """The text of one file with its structure.

    ``sections`` carry page numbers (1-based) and headings for the chunker;
    ``notes`` are warnings worth showing (encoding guessed, rows cut, a page
    that failed); ``image_only_pages`` lists 1-based pages with images and no
    text, for OCR later; ``meta`` holds small strings (``encoding``,
    ``author``, ``date`` as ISO-8601); ``words`` are OCR'd words with boxes, for highlighting.
    """

    sections: tuple[Section, ...]
    mime: str
    title: str | None = None
    notes: tuple[str, ...] = ()
    image_only_pages: tuple[int, ...] = ()
    pages: int | None = None
    meta: dict[str, str] = field(default_factory=dict)
    # OCR'd words: (text, left, top, width, height, confidence, page) in the image's pixels
    words: tuple[tuple[str, int, int, int, int, float, int], ...] = ()

    @property
    def text(self) -> str:
        """All section text, sections separated by a blank line."""
        return "\n\n".join(s.text for s in self.sections if s.text)

    @property
    def is_empty(self) -> bool:
        return not any(s.text.strip() for s in self.sections)


_BLANK_RUNS = re.compile(r"\n[ \t\r\f\v]*\n(?:[ \t\r\f\v]*\n)+")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """Replace lone surrogates (from broken PDF font maps, odd codecs) with U+FFFD: they cannot be stored."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def tidy(text: str) -> str:
    """Normalise newlines, drop NULs and trailing spaces, collapse runs of blank lines."""
    text = no_surrogates(text).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


class TextBudget:
    """Counts characters kept across a file's sections and cuts at ``limit``.

    ``take(text)`` returns what still fits (possibly ``""``); ``notes()``
    reports the cut once, so extractors do not each invent their wording.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.cut = False

    def take(self, text: str) -> str:
        room = self.limit - self.used
        if room <= 0:
            self.cut = self.cut or bool(text)
            return ""
        if len(text) > room:
            self.cut = True
            text = text[:room]
        self.used += len(text)
        return text

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit

    def notes(self) -> tuple[str, ...]:
        return (f"text cut at {self.limit:,} characters",) if self.cut else ()


def build_sections(parts: Iterable[Section], budget: TextBudget) -> tuple[Section, ...]:
    """Tidy each section, drop empty ones, and respect the character budget."""
    out: list[Section] = []
    for part in parts:
        if budget.exhausted:
            budget.cut = budget.cut or bool(part.text.strip())
            break
        text = budget.take(tidy(part.text))
        if text.strip():
            out.append(Section(text, part.page, part.heading))
    return tuple(out)

"""PDF with pypdf: text per page, page numbers kept, hostile files refused with a reason.

* Encrypted without a password (an empty user password is tried, as readers
  do) raises ``EncryptedDocument("encrypted, not indexed")``.
* The page tree is walked with a bound before pypdf flattens it, so a tree
  that repeats the same kids a million times (a "PDF bomb") is refused in
  milliseconds instead of exhausting memory; cycles are refused too.
* A page whose text cannot be extracted gets a note; the other pages stay.
* Pages with images and no text (scans) are OCR'd, each within ``limits.ocr_page_timeout_s``,
  at most ``limits.max_ocr_pages`` of them; ``progress`` hears each one begin.  Without a
  ``progress`` listener OCR also stops at 80 % of ``limits.timeout_s`` (nobody could extend
  the file's deadline); in the sandbox each reported page extends it (``core.normalize.sandbox``).
  Pages still without text are listed in ``image_only_pages``.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.normalize.extract.base import (
    EncryptedDocument,
    Extraction,
    ExtractionFailed,
    ExtractLimits,
    PageProgress,
    TextBudget,
    TooLarge,
    Unsupported,
    build_sections,
)
from core.types import Section

_MIN_PAGE_CHARS = 3  # fewer visible characters than this: the page has no text layer
_MAX_NOTES = 8


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


@contextmanager
def _pypdf_warnings() -> Iterator[list[str]]:
    """Collect pypdf's warnings (logged and warned) instead of printing them."""
    logger = logging.getLogger("pypdf")
    collector = _LogCollector()
    saved = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield collector.messages
            for w in caught:
                collector.messages.append(str(w.message))
    finally:
        logger.removeHandler(collector)
        logger.propagate = saved


def count_pages(reader: Any, limit: int) -> int:
    """Leaves of the page tree, walked without flattening; stops past ``limit``.

    Raises ``TooLarge`` over the limit and ``ExtractionFailed`` for a cycle.
    Repeated references count every time, exactly as a flattening reader
    would expand them.
    """
    from pypdf.generic import IndirectObject

    root = reader.trailer["/Root"]
    pages = root.get_object().get("/Pages")
    if pages is None:
        raise ExtractionFailed("corrupt PDF: no page tree")
    count = 0
    visited_nodes = 0
    # Each stack entry: (node reference or object, ids of its ancestors).
    stack: list[tuple[Any, tuple[int, ...]]] = [(pages, ())]
    while stack:
        ref, ancestors = stack.pop()
        visited_nodes += 1
        if visited_nodes > 4 * limit + 10_000:
            raise TooLarge(f"PDF page tree has more than {4 * limit + 10_000:,} nodes (PDF bomb?); not indexed")
        ident = ref.idnum if isinstance(ref, IndirectObject) else None
        if ident is not None and ident in ancestors:
            raise ExtractionFailed("corrupt PDF: the page tree contains a cycle")
        node = ref.get_object()
        kids = node.get("/Kids") if hasattr(node, "get") else None
        if kids is None:
            count += 1
            if count > limit:
                declared = pages.get_object().get("/Count")
                raise TooLarge(
                    f"PDF has more than {limit:,} pages (declares {declared}); not indexed (PDF bomb?)"
                )
            continue
        below = (*ancestors, ident) if ident is not None else ancestors
        stack.extend((kid, below) for kid in reversed(kids.get_object()))
    return count


def _has_images(page: Any) -> bool:
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is not None:
            for ref in xobjects.get_object().values():
                obj = ref.get_object()
                subtype = obj.get("/Subtype")
                if subtype == "/Image":
                    return True
                if subtype == "/Form":
                    inner = obj.get("/Resources")
                    inner_x = inner.get_object().get("/XObject") if inner is not None else None
                    if inner_x and any(r.get_object().get("/Subtype") == "/Image"
                                       for r in inner_x.get_object().values()):
                        return True
        return len(page.images) > 0  # inline images
    except Exception:  # a broken resource dictionary: treat as no image
        return False


def _metadata(reader: Any) -> tuple[str | None, dict[str, str]]:
    meta: dict[str, str] = {}
    title = None
    try:
        info = reader.metadata
        if info is not None:
            title = (info.title or "").strip() or None
            if info.author:
                meta["author"] = str(info.author).strip()
            try:
                if info.creation_date is not None:
                    meta["date"] = info.creation_date.isoformat()
            except Exception:  # malformed date string: not worth a failure
                pass
    except Exception:
        pass
    return title, meta


_OBJ_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b")
_CATALOG = re.compile(rb"/Type\s*/Catalog\b")


def rebuild_xref(data: bytes) -> bytes | None:
    """Append a fresh xref table and trailer to a PDF whose end is missing or broken.

    What desktop viewers do for a truncated download: find every ``N G obj``,
    take the last definition of each, and point the trailer at the catalog.
    Returns ``None`` when no catalog survives.
    """
    offsets: dict[int, tuple[int, int]] = {}
    for m in _OBJ_HEADER.finditer(data):
        offsets[int(m.group(1))] = (m.start(), int(m.group(2)))
    catalog = None
    for number, (start, _) in offsets.items():
        end = data.find(b"endobj", start)
        if _CATALOG.search(data[start : end if end > 0 else start + 4096]):
            catalog = number
    if catalog is None:
        return None
    size = max(offsets) + 1
    out = [data if data.endswith(b"\n") else data + b"\n"]
    xref_at = len(out[0])
    rows = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
    for number in range(1, size):
        if number in offsets:
            rows.append(b"%010d %05d n \n" % offsets[number])
        else:
            rows.append(b"0000000000 65535 f \n")
    out.extend(rows)
    out.append(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, catalog, xref_at))
    return b"".join(out)


def _reader(data: bytes) -> Any:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data), strict=False)


def _check_root(reader: Any) -> None:
    """Fail now, not page by page, if the catalog or page tree is gone."""
    reader.trailer["/Root"].get_object()["/Pages"]


def _decrypt(reader: Any) -> None:
    from pypdf import PasswordType

    try:
        result = reader.decrypt("")  # many PDFs only restrict printing: the user password is empty
    except Exception as exc:
        raise EncryptedDocument(f"encrypted, not indexed ({exc})") from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise EncryptedDocument("encrypted, not indexed (a password is needed)")


def _open(data: bytes, notes: list[str]) -> Any:
    try:
        reader = _reader(data)
        if reader.is_encrypted:
            # Never "repair" an encrypted file: a rebuilt trailer would drop
            # /Encrypt and hand ciphertext to the text extractor.
            _decrypt(reader)
        _check_root(reader)
        return reader
    except EncryptedDocument:
        raise
    except RecursionError as exc:
        raise ExtractionFailed("corrupt PDF: structure nested too deeply") from exc
    except Exception as exc:
        repaired = rebuild_xref(data)
        if repaired is None or b"/Encrypt" in data:
            raise ExtractionFailed(f"corrupt PDF: {exc}") from exc
        try:
            reader = _reader(repaired)
            _check_root(reader)
        except Exception as again:
            raise ExtractionFailed(f"corrupt PDF: {exc} (repair failed: {again})") from exc
        notes.append(f"damaged PDF ({exc}); its cross-reference table was rebuilt, some pages may be missing")
        return reader


def extract(data: bytes, name: str, limits: ExtractLimits, progress: PageProgress | None = None) -> Extraction:
    if not data.lstrip()[:1024].count(b"%PDF-"):
        raise ExtractionFailed("corrupt PDF: no %PDF header")
    import time

    started = time.monotonic()
    notes: list[str] = []
    words: list[Any] = []
    with _pypdf_warnings() as pdf_warnings:
        reader = _open(data, notes)
        try:
            total = count_pages(reader, limits.max_pages)
            pages = reader.pages
            total = len(pages)
        except ExtractionFailed:
            raise
        except RecursionError as exc:
            raise ExtractionFailed("corrupt PDF: page tree nested too deeply") from exc
        except Exception as exc:
            raise ExtractionFailed(f"corrupt PDF: cannot read the page tree ({exc})") from exc
        if total == 0:
            raise ExtractionFailed("corrupt PDF: no pages found")
        title, meta = _metadata(reader)
        budget = TextBudget(limits.max_chars)
        sections: list[Section] = []
        image_only: list[int] = []
        failed_pages: list[int] = []
        for number in range(1, total + 1):
            if budget.exhausted:
                budget.cut = True
                break
            try:
                page = pages[number - 1]
                text = page.extract_text() or ""
            except RecursionError:
                failed_pages.append(number)
                continue
            except Exception as exc:
                failed_pages.append(number)
                if len(notes) < _MAX_NOTES:
                    notes.append(f"page {number}: text not extractable ({type(exc).__name__}: {exc})")
                continue
            if len(text.strip()) < _MIN_PAGE_CHARS:
                if _has_images(page):
                    image_only.append(number)
                continue
            sections.append(Section(text, page=number))
        if image_only and limits.ocr_pdf_pages:
            ocr_sections, words, image_only = _ocr_pages(pages, image_only, limits, started, notes, progress)
            sections = sorted([*sections, *ocr_sections], key=lambda s: s.page or 0)
        kept = build_sections(sections, budget)
    if failed_pages and len(failed_pages) == total:
        raise ExtractionFailed(f"corrupt PDF: none of its {total} page(s) could be read")
    if failed_pages:
        notes.append(f"{len(failed_pages)} page(s) had unreadable text: {_ranges(failed_pages)}")
    if image_only:
        notes.append(f"{len(image_only)} page(s) are images without readable text: {_ranges(image_only)}")
    if not kept and not image_only:
        notes.append("no text layer found")
    notes.extend(f"pypdf: {_short(w)}" for w in pdf_warnings[:3])
    meta["pages"] = str(total)
    return Extraction(
        sections=kept,
        mime="application/pdf",
        title=title,
        notes=(*notes, *budget.notes()),
        image_only_pages=tuple(image_only),
        pages=total,
        meta=meta,
        words=tuple(words),
    )


def _page_image(page: Any, limits: ExtractLimits, notes: list[str], number: int) -> Any:
    """The largest image drawn on a page (a scan is one), refused before decoding when it declares too many pixels."""
    best: tuple[int, Any] | None = None
    for image in page.images:
        ref = getattr(image, "indirect_reference", None)
        try:
            obj = ref.get_object() if ref is not None else None
            pixels = int(obj["/Width"]) * int(obj["/Height"]) if obj is not None else 0
        except (KeyError, TypeError, ValueError):
            pixels = 0
        if pixels > limits.max_image_pixels:
            notes.append(f"page {number}: image of {pixels:,} pixels refused (decompression bomb?)")
            continue
        if best is None or pixels > best[0]:
            best = (pixels, image)
    return best[1].image if best is not None else None


def _ocr_pages(pages: Any, numbers: list[int], limits: ExtractLimits, started: float, notes: list[str],
               progress: PageProgress | None) -> tuple[list[Section], list[Any], list[int]]:
    """OCR the image-only pages (within the file's time budget when nobody hears progress);
    returns (sections, words, pages still without text)."""
    import time

    from core.normalize.extract.image import ocr_engines, ocr_image
    from core.normalize.ocr import OcrFailed, OcrTimeout, OcrUnavailable

    try:
        engines = ocr_engines(limits)
    except Unsupported as exc:
        notes.append(exc.reason)
        return [], [], numbers
    sections: list[Section] = []
    words: list[Any] = []
    left: list[int] = []
    count = min(len(numbers), limits.max_ocr_pages)
    for n, number in enumerate(numbers):
        # Unheard, stop with time to spare: a caller's deadline ends the whole file at timeout_s.
        # Heard, each page gets its own time (the sandbox extends the deadline per reported page).
        late = progress is None and time.monotonic() - started > limits.timeout_s * 0.8
        if n >= limits.max_ocr_pages or late:
            left += numbers[n:]
            why = "time limit" if late else f"at most {limits.max_ocr_pages} pages are OCR'd per file"
            notes.append(f"{len(numbers) - n} scanned page(s) not OCR'd ({why}): {_ranges(numbers[n:])}")
            break
        if progress is not None:
            progress(n + 1, count)
        try:
            image = _page_image(pages[number - 1], limits, notes, number)
            if image is None:
                left.append(number)
                continue
            text, found = ocr_image(image, number, limits, engines)
        except (OcrTimeout, OcrFailed, OcrUnavailable, ExtractionFailed) as exc:
            notes.append(f"page {number}: OCR failed ({exc})")
            left.append(number)
            continue
        except Exception as exc:  # an image pypdf cannot decode
            notes.append(f"page {number}: image not decodable ({type(exc).__name__})")
            left.append(number)
            continue
        if text.strip():
            sections.append(Section(text, page=number))
            words += found
        else:
            left.append(number)
    return sections, words, left


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1–3, 7"``."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:]:
        if n == prev + 1:
            prev = n
            continue
        out.append(f"{start}–{prev}" if prev > start else str(start))
        start = prev = n
    out.append(f"{start}–{prev}" if prev > start else str(start))
    return ", ".join(out)

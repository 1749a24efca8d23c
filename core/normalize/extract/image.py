"""Images (PNG, JPEG, WebP, TIFF, BMP, GIF, HEIC) become searchable through OCR, with the screen recipe.

The image is checked before anything is decoded: its declared size may not
exceed ``limits.max_image_pixels`` (a decompression bomb declares billions of
pixels in a few KB), Pillow's own limits refuse oversized PNG text chunks,
and a truncated file fails when its pixels are loaded.  Each frame (multi-page
TIFF, animated GIF: the first ``limits.max_ocr_pages``) is OCR'd by
``core.normalize.ocr.TesseractOcr`` — the recipe screen capture uses (grayscale,
2x upscale, ``--psm 3``; scans 1600 px or larger are not upscaled) — with ``limits.ocr_page_timeout_s`` per page (``progress`` hears each page begin).  Word
boxes (in the image's pixels, with the 1-based page) are returned in
``Extraction.words`` so search can highlight a hit on the image.

Runs in the extraction sandbox like every extractor (time and memory limits).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from core.normalize.extract.base import (
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

Word = tuple[str, int, int, int, int, float, int]  # text, left, top, width, height, confidence, page
MIME = "image"
_HEIF_BRANDS = (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1", b"ftypheim", b"ftypheis")


def _open(data: bytes, limits: ExtractLimits) -> Any:
    from PIL import Image, UnidentifiedImageError

    if data[4:12] in _HEIF_BRANDS:
        try:
            import pi_heif
        except ImportError as exc:
            raise Unsupported("HEIC/HEIF image: the pi-heif package is not installed") from exc
        pi_heif.register_heif_opener()
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise TooLarge(f"image refused: {exc} (decompression bomb?)") from exc
    except UnidentifiedImageError as exc:
        raise ExtractionFailed("image refused: not an image Cairn can read (unknown or damaged format)") from exc
    except (ValueError, OSError, SyntaxError) as exc:  # Pillow refuses oversized text chunks with ValueError
        raise ExtractionFailed(f"image refused: {exc}") from exc
    pixels = image.width * image.height
    if pixels > limits.max_image_pixels:
        raise TooLarge(f"image refused: {image.width}x{image.height} pixels is over the "
                       f"{limits.max_image_pixels:,}-pixel limit (decompression bomb?)")
    return image


def _frames(image: Any, limit: int) -> Any:
    count = getattr(image, "n_frames", 1)
    for index in range(min(count, limit)):
        if index:
            image.seek(index)
        yield index + 1, image


# Screen-sized images get the screen recipe's 2x upscale (text at 96 dpi is small for tesseract);
# a page scanned at 200-300 dpi is already large enough, and upscaling it would only cost time.
_UPSCALE_BELOW_PX = 1600


def ocr_image(image: Any, page: int, limits: ExtractLimits, engines: OcrEngines) -> tuple[str, list[Word]]:
    """OCR one decoded image (loading its pixels here, so truncation shows as a failure)."""
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise ExtractionFailed(f"image refused: damaged or truncated ({exc})") from exc
    engine = engines.screen if max(image.width, image.height) < _UPSCALE_BELOW_PX else engines.scan
    result = engine.recognize(image)
    words = [(w.text, w.left, w.top, w.width, w.height, float(w.conf), page) for w in result.words]
    return result.text, words


@dataclass(frozen=True, slots=True)
class OcrEngines:
    screen: Any  # the screen recipe: 2x upscale
    scan: Any  # the same without the upscale, for large scans


def ocr_engines(limits: ExtractLimits) -> OcrEngines:
    """Tesseract with the screen recipe; raises ``Unsupported`` when tesseract is missing."""
    from core.normalize.ocr import TesseractOcr, find_tessdata

    if find_tessdata("eng") is not None:  # the data folder is known: name a missing language precisely
        for lang in limits.ocr_lang.split("+"):
            if find_tessdata(lang) is None:
                raise Unsupported(f"the OCR language {lang!r} is not installed "
                                  f"(Debian/Ubuntu: apt-get install tesseract-ocr-{lang}); not indexed")
    screen = TesseractOcr(lang=limits.ocr_lang, timeout_s=limits.ocr_page_timeout_s)
    if not screen.available():
        raise Unsupported("OCR needs tesseract (the 'tesseract-ocr' package); not indexed")
    return OcrEngines(screen, TesseractOcr(lang=limits.ocr_lang, timeout_s=limits.ocr_page_timeout_s, upscale=1.0))


def extract(data: bytes, name: str, limits: ExtractLimits, progress: PageProgress | None = None) -> Extraction:
    """OCR every frame (up to ``limits.max_ocr_pages``); ``progress(page, pages)`` hears each frame begin."""
    from core.normalize.ocr import OcrFailed, OcrTimeout, OcrUnavailable

    image = _open(data, limits)
    engines = ocr_engines(limits)
    sections: list[Section] = []
    words: list[Word] = []
    notes: list[str] = []
    frames = getattr(image, "n_frames", 1)
    if frames > limits.max_ocr_pages:
        notes.append(f"only the first {limits.max_ocr_pages} of {frames} pages were OCR'd")
    try:
        for page, frame in _frames(image, limits.max_ocr_pages):
            if progress is not None:
                progress(page, min(frames, limits.max_ocr_pages))
            try:
                text, found = ocr_image(frame, page, limits, engines)
            except OcrTimeout:
                notes.append(f"page {page}: OCR stopped after {limits.ocr_page_timeout_s:g} s")
                continue
            except (OcrFailed, OcrUnavailable) as exc:
                raise ExtractionFailed(f"OCR failed: {exc}") from exc
            sections.append(Section(text, page=page if frames > 1 else None))
            words += found
    finally:
        image.close()
    budget = TextBudget(limits.max_chars)
    built = build_sections(sections, budget)
    if not built:
        notes.append("no text found in the image")
    return Extraction(sections=built, mime=f"{MIME}/{(image.format or 'unknown').lower()}",
                      notes=(*notes, *budget.notes()), pages=frames if frames > 1 else None,
                      meta={"ocr": "tesseract", "ocr_lang": limits.ocr_lang}, words=tuple(words))

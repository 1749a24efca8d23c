"""Text size from pixels (whole frames OCR'd at 1x only when their text is large), on real screenshots."""

from __future__ import annotations

from collections import Counter

import pytest

from core.capture.screen.grab import image_to_pixels
from core.capture.screen.text_size import large_text
from core.normalize.ocr import TesseractOcr, normalise_word

from .conftest import font, screen_path

SMALL = ("01_inbox.png", "02_chat.png", "04_spreadsheet.png", "08_small_11px.png", "10_terminal.png",
         "12_invoice_pdf.png", "13_search_results.png", "16_dark_messenger.png", "18_qt_contacts.png")


def _pixels(name: str):  # type: ignore[no-untyped-def]
    from PIL import Image

    return image_to_pixels(Image.open(screen_path(name)).convert("RGB"))


@pytest.mark.parametrize("name", SMALL)
def test_small_text_of_real_screenshots_keeps_the_2x_upscale(name: str) -> None:
    assert not large_text(_pixels(name))


def _page(font_px: int):  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1920, 1080), "#fbfbf8")
    draw = ImageDraw.Draw(image)
    for row in range(0, 1000 // (font_px + 8)):
        draw.text((24, 40 + (font_px + 8) * row), f"Row {row}: Brenquist ledger for Tavolin, batch {4000 + 13 * row}",
                  font=font(font_px), fill="#1d1d1f")
    return image


def test_large_text_is_read_at_1x_with_the_words_of_2x() -> None:
    assert large_text(_pixels("06_article.png"))  # 20 px body text
    assert not large_text(image_to_pixels(_page(13)))
    assert not large_text(image_to_pixels(_page(15)))
    page = _page(24)
    assert large_text(image_to_pixels(page))
    ocr = TesseractOcr()
    if not ocr.available():
        pytest.skip("tesseract not installed")

    def words(upscale: float | None) -> Counter[str]:
        return Counter(normalise_word(w.text) for w in ocr.recognize(page, upscale=upscale).words if len(w.text) > 1)

    assert words(1.0) == words(None)

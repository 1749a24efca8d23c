"""Pictures of text for the OCR tests and benchmarks: photos, screenshots, faxes and scanned PDFs, made here.

``text_image`` draws lines of text (DejaVu Sans when installed) on a white page
and saves it in any Pillow format (``"HEIF"`` through pillow-heif);
``scanned_pdf`` puts one such page per entry into a PDF with no text layer, as
a scanner writes it.
"""

from __future__ import annotations

import io
from pathlib import Path

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def text_image(lines: list[str], size: tuple[int, int] = (1200, 400), font_px: int = 36, fmt: str = "PNG") -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(_FONT), font_px) if _FONT.exists() else ImageFont.load_default(font_px)
    for n, line in enumerate(lines):
        draw.text((40, 40 + n * int(font_px * 1.6)), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def multipage(pages: list[list[str]], fmt: str, size: tuple[int, int] = (1000, 200), resolution: int = 150) -> bytes:
    """One page per entry of ``pages`` (lines of text), saved as a multi-page ``"PDF"`` (image-only) or ``"TIFF"``."""
    from PIL import Image

    images = [Image.open(io.BytesIO(text_image(lines, size=size))) for lines in pages]
    out = io.BytesIO()
    images[0].save(out, fmt, save_all=True, append_images=images[1:], resolution=resolution)
    return out.getvalue()


def scanned_pdf(words: tuple[str, ...]) -> bytes:
    """An image-only PDF (no text layer), one scanned page per word: "Page about WORD and the harbour"."""
    return multipage([[f"Page about {word} and the harbour"] for word in words], "PDF")

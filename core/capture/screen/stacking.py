"""Several regions of a frame OCR'd in one tesseract run: the crops stacked vertically.

Each tesseract run has a fixed cost, so the processor stacks a frame's changed
regions into one image.  Each crop sits ``STACK_GAP`` inside a band of its own
border's commonest colour (its background, as a rule).  One colour for the
whole canvas (the first crop's corner pixel, before) framed Qt's chat lines in
their widget's grey border: at 1x tesseract then lost 32 of 415 words of new
lines on Xvfb, 0 with each crop's own background.

Pure functions apart from the OCR call; thread-safe as the OCR engine is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.normalize.ocr import OcrWord, TesseractOcr

Box = tuple[int, int, int, int]
STACK_GAP = 24


def ocr_stacked(ocr: TesseractOcr, image: Any, boxes: Sequence[Box],
                upscale: float | None = None) -> tuple[list[OcrWord], float]:
    """The words of ``boxes`` of ``image`` (boxes in ``image`` coordinates) and tesseract's seconds."""
    from PIL import Image

    crops = [image.crop((b[0], b[1], b[0] + b[2], b[1] + b[3])) for b in boxes]
    canvas_w = max(c.width for c in crops) + 2 * STACK_GAP
    canvas = Image.new("RGB", (canvas_w, sum(c.height + 2 * STACK_GAP for c in crops)))
    placements: list[tuple[int, int, Box]] = []  # (stack_top, stack_bottom, original box)
    y = 0
    for crop, box in zip(crops, boxes, strict=True):
        canvas.paste(border_colour(crop), (0, y, canvas_w, y + crop.height + 2 * STACK_GAP))
        canvas.paste(crop, (STACK_GAP, y + STACK_GAP))
        placements.append((y + STACK_GAP, y + STACK_GAP + crop.height, box))
        y += crop.height + 2 * STACK_GAP
    result = ocr.recognize(canvas, upscale=upscale)
    words: list[OcrWord] = []
    for word in result.words:
        centre = word.top + word.height // 2
        for top, bottom, box in placements:
            if top <= centre < bottom:
                words.append(word.moved(box[0] - STACK_GAP, box[1] - top))
                break
    return words, result.seconds


def border_colour(crop: Any) -> tuple[int, ...]:
    """The commonest colour on the edges of a crop (its background, as a rule), as RGB."""
    pixels = np.asarray(crop.convert("RGB"))
    edges = np.concatenate((pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1])).astype(np.uint32)
    # One integer per colour (0xRRGGBB sorts as the rows would): a 1-D unique, not ``unique(axis=0)``'s
    # structured sort of the rows, several times slower.
    colours, counts = np.unique(edges[:, 0] << 16 | edges[:, 1] << 8 | edges[:, 2], return_counts=True)
    colour = int(colours[int(np.argmax(counts))])
    return colour >> 16, colour >> 8 & 0xFF, colour & 0xFF

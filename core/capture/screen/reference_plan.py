"""What OCR a frame needs against one earlier frame (a reference): the change, the boxes to read, the words kept.

``plan_against`` compares a frame with a reference (``FrameComparisons``: diff, then a
scroll search per changed region), moves the reference's words with scrolled content,
and leaves to OCR the new bands (less a cut line that only moved, ``change.trim_moved_lines``)
and the changed regions that did not scroll (less moving pictures).  The processor
weighs every reference it remembers and keeps the cheapest plan.

Pure functions over immutable frames; thread-safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.capture.screen import change as ch
from core.capture.screen.comparisons import FrameComparisons
from core.capture.screen.pictures import ocr_area_floor, outside_moving_pictures
from core.normalize.ocr import OcrWord

Box = tuple[int, int, int, int]


@dataclass(slots=True)
class Reference:
    pixels: np.ndarray
    words: list[OcrWord]


@dataclass(slots=True)
class Plan:
    """What a frame costs against one reference: the change, the boxes to OCR, the words reused."""

    reference: Reference
    change: ch.Change
    to_ocr: list[Box]
    inherited: list[OcrWord]

    @property
    def cost(self) -> int:
        return sum(ch.area(b) for b in self.to_ocr)


def plan_against(reference: Reference, comparisons: FrameComparisons, skip_pictures: bool = True,
                 bound: int | None = None) -> Plan | None:
    """The plan against ``reference``, or ``None`` when it cannot cost less than ``bound``.

    The bound is checked before the moving-picture analysis of the regions that did not scroll:
    against another window's frame (every remembered window is a candidate) that region is most
    of the frame, and weighing its pictures was half of the OCR planning's CPU in bench.screen's
    scripted session.  ``pictures.ocr_area_floor`` never exceeds what the analysis would leave,
    so a dismissed reference could not have been chosen: the chosen plan is the same.
    """
    # Minor regions (a caret, a scrollbar thumb, a clock's last digit) are not OCR'd: their words
    # stay as they were until a real change covers them.  OCR'ing them cost as much as the text
    # that did change (tesseract's cost per call is mostly fixed).
    pixels = comparisons.current
    change = comparisons.diff(reference.pixels)
    inherited: list[OcrWord] = []
    parts: list[list[Box] | None] = []  # per region, in order; None: not scrolled, pictures still to weigh
    cost = 0
    for region in change.regions:
        scroll = comparisons.find_scroll(reference.pixels, region) if region[3] >= 48 else None
        if scroll is None:
            parts.append(None if skip_pictures else [region])
            cost += 0 if skip_pictures else ch.area(region)
            continue
        bands = [t for b in scroll.new_bands if (t := ch.trim_moved_lines(reference.pixels, pixels, b, scroll.dy))]
        inherited.extend(shift_words(reference.words, region, scroll.dy, bands))
        parts.append(bands)
        cost += sum(ch.area(b) for b in bands)
    unweighed = [r for r, part in zip(change.regions, parts, strict=True) if part is None]
    if bound is not None and (cost >= bound or (unweighed and cost + sum(
            ocr_area_floor(reference.pixels, reference.words, pixels, r, bound - cost) for r in unweighed) >= bound)):
        return None
    to_ocr: list[Box] = []
    for region, part in zip(change.regions, parts, strict=True):
        to_ocr.extend(outside_moving_pictures(reference.pixels, reference.words, pixels, region)
                      if part is None else part)
    return Plan(reference, change, to_ocr, inherited)


def shift_words(words: Sequence[OcrWord], region: Box, dy: int, new_bands: Sequence[Box]) -> list[OcrWord]:
    """Words of the reference inside ``region``, moved up by ``dy``, that stay inside and off new bands."""
    moved: list[OcrWord] = []
    left, top, width, height = region
    for word in words:
        cx, cy = word.left + word.width // 2, word.top + word.height // 2
        if not (left <= cx < left + width and top <= cy < top + height):
            continue
        shifted = word.moved(0, -dy)
        if shifted.top < top or shifted.top + shifted.height > top + height:
            continue
        if any(ch.intersects(shifted.box, band) for band in new_bands):
            continue
        moved.append(shifted)
    return moved

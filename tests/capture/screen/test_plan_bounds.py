"""Less work per frame with the same outcome: a line a scroll band cuts is kept when it only moved, and
other windows' frames are dismissed by a lower bound before their pictures are weighed (real tesseract,
rendered frames)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from core.capture.screen import change as ch
from core.capture.screen import pictures, reference_plan
from core.capture.screen.frames import CapturedFrame
from core.capture.screen.grab import Frame, Monitor, image_to_pixels
from core.capture.screen.processor import FrameProcessor
from core.normalize.ocr import TesseractOcr
from core.redact.redactor import Redactor

from .conftest import font
from .fakes import window

FONT_PX, LINE_PX, FIRST = 16, 24, 40
ROWS = (1080 - FIRST) // LINE_PX
LINES = [f"Entry {i}: the Tavolin ledger lists {17 * i % 97} invoices for Brenquist, batch {4000 + 13 * i}"
         for i in range(ROWS + 40)]
OTHER = [f"Note {i}: Quaverly asked Zimbrel about {31 * i % 89} parcels from Oslo, order {7000 + 11 * i}"
         for i in range(ROWS + 40)]


def _page(lines: list[str], top: int) -> Any:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1920, 1080), "#fbfbf8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1920, 31), fill="#2b2d31")
    for row, line in enumerate(lines[top : top + ROWS]):
        draw.text((24, FIRST + LINE_PX * row), line, font=font(FONT_PX), fill="#1d1d1f")
    return image


def _captured(image: Any, seq: int, wid: int) -> CapturedFrame:
    frame = Frame(Monitor(1, 0, 0, 1920, 1080), image_to_pixels(image), datetime.now(UTC))
    return CapturedFrame(frame, window("app", f"w{wid}", wid), seq)


@pytest.fixture
def ocr() -> TesseractOcr:
    real = TesseractOcr()
    if not real.available():
        pytest.skip("tesseract not installed")
    return real


def _line_rows(pixels: np.ndarray, row: int) -> tuple[int, int]:
    """The ink rows (first, last + 1) of text row ``row`` of a rendered page."""
    band = pixels[FIRST + LINE_PX * row - 4 : FIRST + LINE_PX * (row + 1), :1000]
    ink = np.flatnonzero((band != band[:, :1]).any(axis=1))
    return FIRST + LINE_PX * row - 4 + int(ink[0]), FIRST + LINE_PX * row - 4 + int(ink[-1]) + 1


def test_a_band_that_cuts_a_moved_line_starts_below_it_and_not_when_the_line_changed() -> None:
    before, after = image_to_pixels(_page(LINES, 0)), image_to_pixels(_page(LINES, 4))
    dy = 4 * LINE_PX
    line_top, line_bottom = _line_rows(after, ROWS - 5)  # the last line that only moved
    cut = (0, line_top + 5, 1920, 1080 - line_top - 5)  # a band whose top edge cuts it
    trimmed = ch.trim_moved_lines(before, after, cut, dy)
    assert trimmed is not None and line_bottom < trimmed[1] <= line_bottom + 3, (trimmed, line_bottom)
    assert trimmed[1] + trimmed[3] == 1080
    # One pixel of that line differs from the earlier frame (in the band, or above it): it is read again.
    for y in (line_top + 7, line_top + 2):
        edited = after.copy()
        edited[y, 300] ^= 0x00FFFFFF
        assert ch.trim_moved_lines(before, edited, cut, dy) == cut
    # A band that starts on the blank row right under a line drops that row (no growing back into it).
    under = (0, line_bottom, 1920, 1080 - line_bottom)
    assert ch.trim_moved_lines(before, after, under, dy) == (0, line_bottom + 1, 1920, 1080 - line_bottom - 1)


def test_a_scrolled_page_reads_only_the_lines_that_scrolled_in_and_keeps_the_cut_line(ocr: TesseractOcr) -> None:
    processor = FrameProcessor(ocr, Redactor.from_default_rules())
    processor.process(_captured(_page(LINES, 0), 1, 1))
    outcome = processor.process(_captured(_page(LINES, 4), 2, 1))
    assert outcome.frame is not None and outcome.ran_ocr
    after = image_to_pixels(_page(LINES, 4))
    _, moved_bottom = _line_rows(after, ROWS - 5)  # the last line that was on the first frame
    assert all(box[1] >= moved_bottom for box in outcome.frame.ocr_regions), (outcome.frame.ocr_regions, moved_bottom)
    text = outcome.frame.text
    for i in (ROWS - 1, *range(ROWS, ROWS + 4)):  # the moved line's words kept, the new lines read
        assert f"batch {4000 + 13 * i}" in text, i


def test_the_area_floor_never_exceeds_what_the_picture_analysis_leaves(ocr: TesseractOcr) -> None:
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(7)
    text = _page(LINES, 0)
    words = ocr.recognize(text).words
    cases = []
    for t in (0, 1):  # a video beside text, moving; then the text window against the other window
        frame = text.copy()
        noise = rng.integers(0, 255, (360, 640, 3), dtype=np.uint8)
        frame.paste(Image.fromarray(noise), (1200, 300))
        ImageDraw.Draw(frame).text((1250, 700), f"Caption {t} for Tavolin", font=font(FONT_PX), fill="black")
        cases.append(frame)
    pairs = [(cases[0], cases[1]), (text, _page(OTHER, 0)), (text, _page(LINES, 3))]
    for before_img, after_img in pairs:
        before, after = image_to_pixels(before_img), image_to_pixels(after_img)
        for _ in range(40):
            x, y = int(rng.integers(0, 1800)), int(rng.integers(0, 1000))
            region = (x, y, int(rng.integers(64, 1920 - x + 1)), int(rng.integers(64, 1080 - y + 1)))
            leaves = sum(ch.area(b) for b in pictures.outside_moving_pictures(before, words, after, region))
            assert pictures.ocr_area_floor(before, words, after, region) <= leaves, region
    # and it is not trivially zero: another window's frame over the whole page
    whole = (0, 0, 1920, 1080)
    assert pictures.ocr_area_floor(image_to_pixels(text), words, image_to_pixels(_page(OTHER, 0)), whole) > 0.1 * 1920 * 1080


def test_other_windows_are_dismissed_before_their_pictures_are_weighed_and_the_outcome_is_the_same(
        ocr: TesseractOcr, monkeypatch: pytest.MonkeyPatch) -> None:
    weighed: list[tuple[int, int, int, int]] = []
    real_weigh = reference_plan.outside_moving_pictures

    def counting(before, words, pixels, region):  # type: ignore[no-untyped-def]
        weighed.append(region)
        return real_weigh(before, words, pixels, region)

    monkeypatch.setattr(reference_plan, "outside_moving_pictures", counting)
    # Two windows in turn, each scrolled while in front; the second visit of each finds its own past.
    script = [(LINES, 0, 1), (OTHER, 0, 2), (LINES, 3, 1), (OTHER, 5, 2), (LINES, 3, 1), (LINES, 7, 1),
              (OTHER, 9, 2)]

    def run() -> tuple[list[Any], int]:
        processor = FrameProcessor(ocr, Redactor.from_default_rules())
        weighed.clear()
        seen = []
        for seq, (lines, top, wid) in enumerate(script):
            outcome = processor.process(_captured(_page(lines, top), seq, wid))
            seen.append((outcome.ran_ocr, outcome.frame.ocr_regions if outcome.frame else None,
                         outcome.frame.text if outcome.frame else outcome.skip_reason))
        return seen, len(weighed)

    bounded, weighed_bounded = run()
    monkeypatch.setattr(reference_plan, "ocr_area_floor", lambda *args, **kwargs: 0)  # no bound
    unbounded, weighed_unbounded = run()
    assert bounded == unbounded
    assert not bounded[4][0]  # switching back to an unchanged window: no OCR
    # Without the bound each later frame weighs the other window's near-whole-frame region; with it only the
    # second window's first frame does (no frame of its own yet to bound the first window's by).
    assert weighed_unbounded >= 5 and weighed_bounded == 1, (weighed_bounded, weighed_unbounded)


def test_a_scrolled_frame_is_read_from_crops_without_making_the_whole_image(ocr: TesseractOcr,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from core.capture.screen import grab

    pixels = image_to_pixels(_page(LINES, 0))
    for box in ((0, 0, 1920, 1080), (24, 40, 700, 112), (1900, 1000, 1940, 1100)):  # the last reaches outside
        assert grab.FrameImage(pixels).crop(box).tobytes() == grab.pixels_to_image(pixels).crop(box).tobytes()
    made: list[tuple[int, ...]] = []
    real = grab.pixels_to_image
    monkeypatch.setattr(grab, "pixels_to_image", lambda p: made.append(p.shape) or real(p))
    processor = FrameProcessor(ocr, Redactor.from_default_rules())
    processor.process(_captured(_page(LINES, 0), 1, 1))
    assert (1080, 1920) in made  # the first frame: a whole-frame OCR and a keyframe
    made.clear()
    outcome = processor.process(_captured(_page(LINES, 4), 2, 1))
    assert outcome.frame is not None and outcome.frame.keyframe is not None and f"batch {4000 + 13 * ROWS}" in outcome.frame.text
    assert made and (1080, 1920) not in made, made  # only the band's crop

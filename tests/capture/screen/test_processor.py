"""Region OCR, scroll reuse and window references on real screenshots (real tesseract)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from core.capture.screen.frames import CapturedFrame
from core.capture.screen.grab import Frame, Monitor, image_to_pixels
from core.capture.screen.processor import FrameProcessor
from core.normalize.ocr import TesseractOcr, normalise_word, word_recall
from core.redact.redactor import Redactor

from .conftest import font, render_lines, screen_path, truth_words
from .fakes import window

MONITOR = Monitor(1, 0, 0, 1920, 1080)


@pytest.fixture
def processor() -> FrameProcessor:
    ocr = TesseractOcr()
    if not ocr.available():
        pytest.skip("tesseract not installed")
    return FrameProcessor(ocr, Redactor.from_default_rules())


def _captured(pixels: np.ndarray, seq: int, wid: int = 1) -> CapturedFrame:
    return CapturedFrame(Frame(MONITOR, pixels, datetime.now(UTC)), window("app", "title", wid, size=(1920, 1080)), seq)


def _pixels(name: str) -> np.ndarray:
    from PIL import Image

    return image_to_pixels(Image.open(screen_path(name)))


def test_new_chat_line_is_ocrd_alone_and_the_frame_text_stays_complete(processor: FrameProcessor) -> None:
    first = processor.process(_captured(_pixels("02_chat.png"), 1))
    assert first.frame is not None and first.ocr_fraction == 1.0
    second = processor.process(_captured(_pixels("phash_variants/v_chat_plus1.png"), 2))
    assert second.frame is not None
    assert 0 < second.ocr_fraction < 0.1
    truth = truth_words(screen_path("phash_variants/v_chat_plus1.json"))
    recall = word_recall(truth, [w.text for w in second.frame.words])
    assert recall >= 0.85, recall
    # As good as OCR'ing the whole new frame, within a few points.
    full = TesseractOcr().recognize(second_frame_image := _image("phash_variants/v_chat_plus1.png"))
    assert recall >= word_recall(truth, [w.text for w in full.words]) - 0.03
    assert second_frame_image.size == (1920, 1080)


def _image(name: str):  # type: ignore[no-untyped-def]
    from PIL import Image

    return Image.open(screen_path(name)).convert("RGB")


def test_scrolled_article_reuses_words_and_ocrs_the_new_band(processor: FrameProcessor) -> None:
    from PIL import Image, ImageDraw

    page = _image("06_article.png")
    before = image_to_pixels(page)
    first = processor.process(_captured(before, 1))
    assert first.frame is not None
    # Scroll the article column up by 60 px and reveal a new line at the bottom of the viewport.
    after_img = page.copy()
    column = (560, 150, 1360, 1040)
    region = page.crop((column[0], column[1] + 60, column[2], column[3]))
    after_img.paste(region, (column[0], column[1]))
    ImageDraw.Draw(after_img).rectangle((column[0], column[3] - 60, column[2], column[3]), fill=page.getpixel((column[0] + 5, column[3] - 5)))
    ImageDraw.Draw(after_img).text((column[0] + 20, column[3] - 50), "Freshly revealed paragraph about quokkas", fill="black", font=font(22))
    after = image_to_pixels(after_img)
    second = processor.process(_captured(after, 2))
    assert second.frame is not None
    assert second.ocr_fraction < 0.15, second.frame.ocr_regions
    assert "quokkas" in second.frame.text
    # Words that scrolled kept their text and moved by exactly the scroll distance.
    before_words = {(w.text, w.left): w.top for w in first.frame.words if column[1] + 60 < w.top < column[3] - 80 and column[0] < w.left < column[2]}
    moved = [(w.top, before_words[(w.text, w.left)]) for w in second.frame.words if (w.text, w.left) in before_words]
    assert len(moved) > 20
    assert sum(1 for new, old in moved if new == old - 60) / len(moved) > 0.9
    # The new frame's words still cover the article as a fresh full OCR of it would.
    fresh = TesseractOcr().recognize(Image.fromarray(np.asarray(after_img)))
    assert word_recall([w.text for w in fresh.words], [w.text for w in second.frame.words]) >= 0.9


def _small(image, seq: int, wid: int) -> CapturedFrame:  # type: ignore[no-untyped-def]
    """A rendered 960x540 frame on a monitor of that size, from window ``wid``."""
    small = Monitor(1, 0, 0, 960, 540)
    return CapturedFrame(Frame(small, image_to_pixels(image), datetime.now(UTC)), window("app", "t", wid), seq)


def test_switching_back_to_a_window_needs_no_ocr(processor: FrameProcessor) -> None:
    notes = render_lines(["Staging server is staging-2.internal.example.com", "port 8443"])
    mail = render_lines(["Invoice 4521 from Northwind is due Friday"])
    assert processor.process(_small(notes, 1, wid=1)).ran_ocr
    assert processor.process(_small(mail, 2, wid=2)).ran_ocr
    back = processor.process(_small(notes, 3, wid=1))
    assert not back.ran_ocr and back.frame is not None
    assert "staging-2.internal.example.com" in back.frame.text


def test_a_frame_labelled_with_the_wrong_window_still_finds_its_reference(processor: FrameProcessor) -> None:
    # During a switch the window list may already name the next window while the pixels still show
    # the previous one (focus and repaint are asynchronous): the pixels decide, not the label.
    notes = render_lines(["Staging server is staging-2.internal.example.com", "port 8443"])
    mail = render_lines(["Invoice 4521 from Northwind is due Friday"])
    calendar = render_lines(["Dentist appointment Thursday 14:30"])
    assert processor.process(_small(notes, 1, wid=1)).ran_ocr
    assert processor.process(_small(mail, 2, wid=2)).ran_ocr
    assert processor.process(_small(calendar, 3, wid=3)).ran_ocr
    mislabelled = processor.process(_small(notes, 4, wid=3))  # the notes' pixels, the calendar's id
    assert not mislabelled.ran_ocr and mislabelled.frame is not None
    assert "staging-2.internal.example.com" in mislabelled.frame.text


def test_a_scrolled_window_is_matched_to_its_own_past_not_to_a_look_alike(processor: FrameProcessor) -> None:
    # Two windows with the same layout differ by fewer pixels than one window scrolled by a few lines;
    # the scroll leaves only a band to OCR, the look-alike the whole column.
    from PIL import ImageDraw

    page = _image("06_article.png")
    column = (560, 150, 1360, 1040)
    scrolled = page.copy()
    scrolled.paste(page.crop((column[0], column[1] + 60, column[2], column[3])), (column[0], column[1]))
    background = page.getpixel((column[0] + 5, column[3] - 5))
    ImageDraw.Draw(scrolled).rectangle((column[0], column[3] - 60, column[2], column[3]), fill=background)
    ImageDraw.Draw(scrolled).text((column[0] + 20, column[3] - 50), "Freshly revealed paragraph about quokkas",
                                  fill="black", font=font(22))
    look_alike = scrolled.copy()  # same chrome, the column's text blanked a little inside its edges
    ImageDraw.Draw(look_alike).rectangle((column[0] + 60, column[1], column[2] - 60, column[3]), fill=background)
    assert processor.process(_captured(image_to_pixels(page), 1, wid=1)).ran_ocr
    assert processor.process(_captured(image_to_pixels(look_alike), 2, wid=2)).ran_ocr
    outcome = processor.process(_captured(image_to_pixels(scrolled), 3, wid=1))
    assert outcome.frame is not None and "quokkas" in outcome.frame.text
    assert 0 < outcome.ocr_fraction < 0.15, outcome.frame.ocr_regions


def _video_frame(page, t: int):  # type: ignore[no-untyped-def]
    """``page`` with a 640x360 'video' at (200, 300) showing frame ``t`` (moving gradient + sensor noise)."""
    from PIL import Image

    yy, xx = np.mgrid[0:360, 0:640].astype(np.float32)
    picture = np.stack([128 + 100 * np.sin((xx + 7 * t) / 90), 128 + 100 * np.sin((yy + 5 * t) / 70),
                        128 + 100 * np.sin((xx + yy + 3 * t) / 120)], -1)
    picture = np.clip(picture + np.random.default_rng(t).normal(0, 6, picture.shape), 0, 255).astype(np.uint8)
    frame = page.copy()
    frame.paste(Image.fromarray(picture), (200, 300))
    return frame


def test_a_playing_video_is_not_ocrd_but_text_beside_it_is(processor: FrameProcessor) -> None:
    from PIL import ImageDraw

    page = render_lines(["Quarterly review recording", "Speaker notes follow below the player"],
                        size=(1920, 1080), font_px=22)
    first = processor.process(_captured(image_to_pixels(_video_frame(page, 0)), 1))
    assert first.frame is not None and first.ran_ocr
    # The video moves on: nothing to read, no OCR, nothing new to store.
    second = processor.process(_captured(image_to_pixels(_video_frame(page, 24)), 2))
    assert not second.ran_ocr and second.frame is None and second.skip_reason == "duplicate_text"
    # The video moves and a line of text appears beside it: only the text is OCR'd.
    third_img = _video_frame(page, 48)
    ImageDraw.Draw(third_img).text((1000, 500), "Budget approved for Tavolin", fill="black", font=font(22))
    third = processor.process(_captured(image_to_pixels(third_img), 3))
    assert third.frame is not None and "Tavolin" in third.frame.text, (third.skip_reason, third.ran_ocr)
    video = (200, 300, 640, 360)
    assert not any(_overlap(box, video) for box in third.frame.ocr_regions), third.frame.ocr_regions


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


class _RecordingOcr:
    """The real tesseract, noting the upscale each call asked for (None: the recipe's 2x)."""

    def __init__(self, ocr: TesseractOcr) -> None:
        self.ocr = ocr
        self.upscales: list[float | None] = []

    def recognize(self, image, region=None, upscale=None):  # type: ignore[no-untyped-def]
        self.upscales.append(upscale)
        return self.ocr.recognize(image, region, upscale=upscale)


@pytest.mark.parametrize(("font_px", "native"), [(14, True), (16, True), (22, True), (22, False)])
def test_scrolled_rendered_page_ocrs_only_the_new_band_and_reads_it_as_a_full_ocr_does(font_px: int, native: bool) -> None:
    """Band OCR reads what a whole-frame OCR (2x upscale) reads there; text of 16 px and up is read at 1x
    (unless switched off: ``native_scale=False``, the bench baseline)."""
    from collections import Counter

    from PIL import Image, ImageDraw

    real = TesseractOcr()
    if not real.available():
        pytest.skip("tesseract not installed")
    ocr = _RecordingOcr(real)
    processor = FrameProcessor(ocr, Redactor.from_default_rules(), native_scale=native)  # type: ignore[arg-type]
    line_px = font_px + 8
    rows = (1080 - 40) // line_px
    lines = [f"Entry {i}: the Tavolin ledger lists {17 * i % 97} invoices for Brenquist, batch {4000 + 13 * i}"
             for i in range(rows + 20)]

    def page(top: int) -> Image.Image:
        image = Image.new("RGB", (1920, 1080), "#fbfbf8")
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 1920, 31), fill="#2b2d31")
        for row, line in enumerate(lines[top : top + rows]):
            draw.text((24, 40 + line_px * row), line, font=font(font_px), fill="#1d1d1f")
        return image

    processor.process(_captured(image_to_pixels(page(0)), 1))
    scrolled = page(4)
    outcome = processor.process(_captured(image_to_pixels(scrolled), 2))
    assert outcome.frame is not None and outcome.ran_ocr
    band_top = 40 + line_px * (rows - 4)  # the four lines that scrolled into view
    assert all(box[1] >= band_top - 30 for box in outcome.frame.ocr_regions), outcome.frame.ocr_regions
    # The first frame is OCR'd whole, the band alone; both at 1x only when the page's text is large (the
    # whole frame judged by its pixels, text_size; the band by the first frame's words).
    large = 1.0 if native and font_px >= 16 else None
    assert ocr.upscales == [large, large], ocr.upscales
    full = real.recognize(scrolled).words

    def in_band(word) -> bool:  # type: ignore[no-untyped-def]
        return word.top + word.height // 2 >= band_top

    # (single letters left out: the whole-frame pass once read a stray "t" out of the background).
    # Words are compared as search and recall count them (normalise_word): at 1x tesseract once
    # added a stray full stop after a line's last number ("4585." for "4585").
    band_words = [normalise_word(w.text) for w in outcome.frame.words if in_band(w) and len(w.text) > 1]
    full_words = [normalise_word(w.text) for w in full if in_band(w) and len(w.text) > 1]
    assert len(full_words) >= 4 * 11
    assert Counter(band_words) == Counter(full_words), (Counter(band_words) - Counter(full_words),
                                                        Counter(full_words) - Counter(band_words))
    # and the lines that only moved kept the words the first OCR read (batch numbers of the first and last)
    assert {str(4000 + 13 * 4), str(4000 + 13 * (rows - 1))} <= {w.text for w in outcome.frame.words}


def test_small_real_text_keeps_the_2x_upscale_for_its_new_line() -> None:
    """A real chat screenshot (13-15 px text) OCRs its new line at the recipe's 2x, not at 1x."""
    real = TesseractOcr()
    if not real.available():
        pytest.skip("tesseract not installed")
    ocr = _RecordingOcr(real)
    processor = FrameProcessor(ocr, Redactor.from_default_rules())  # type: ignore[arg-type]
    processor.process(_captured(_pixels("02_chat.png"), 1))
    second = processor.process(_captured(_pixels("phash_variants/v_chat_plus1.png"), 2))
    assert second.frame is not None and 0 < second.ocr_fraction < 0.1
    assert ocr.upscales == [None, None], ocr.upscales

"""New lines of a real Qt chat window on Xvfb, OCR'd as bands at 1x: every word read (real tesseract)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from core.capture.screen.frames import CapturedFrame
from core.capture.screen.grab import ScreenGrabber
from core.capture.screen.processor import FrameProcessor
from core.normalize.ocr import OcrWord, TesseractOcr, normalise_word
from core.redact.redactor import Redactor

from .fakes import window
from .xserver import QtWindow, x_tools_missing, xserver

pytestmark = [pytest.mark.xvfb, pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))]

NAMES = ("Maria Gonzalez", "Tom Becker", "Aisha Khan", "Priya Raman")
WORDS = ("parser", "editor", "table", "setting", "balance", "schema", "folder", "office", "launch", "policy",
         "receipt", "finance", "budget", "sprint", "vendor", "ledger", "kitchen", "layout", "source", "hamburg")


def _line(rng: random.Random) -> str:
    made_up = "".join(rng.choice(("b", "qu", "st", "v", "z", "n")) + rng.choice(("ai", "ou", "e", "i"))
                      for _ in range(3)) + rng.choice(("n", "x", "r"))
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 9))]
    words.insert(rng.randrange(len(words)), made_up)
    return f"{rng.choice(NAMES)}: " + " ".join(words).capitalize()


def _unread(lines: list[str], words: list[OcrWord]) -> Counter[str]:
    """The words of ``lines`` (with their counts) that are not among the OCR'd ``words``."""
    truth = Counter(w for line in lines for w in map(normalise_word, line.split()) if w)
    return truth - Counter(w for w in (normalise_word(x.text) for x in words) if w)


def test_new_chat_lines_of_a_qt_window_are_read_whole_at_1x() -> None:
    pytest.importorskip("PySide6")
    ocr = TesseractOcr()
    if not ocr.available():
        pytest.skip("tesseract not installed")
    upscales: list[float | None] = []

    class Recording:  # the real engine; which scale each band was read at is noted
        def recognize(self, image, region=None, upscale=None):  # type: ignore[no-untyped-def]
            upscales.append(upscale)
            return ocr.recognize(image, region, upscale=upscale)

    processor = FrameProcessor(Recording(), Redactor.from_default_rules())  # type: ignore[arg-type]
    rng = random.Random(7)
    missed: Counter[str] = Counter()
    with xserver("1920x1080x24") as server:
        chat = QtWindow(server, "cairn-chat", "#design - Chat", [_line(rng) for _ in range(8)], (0, 0, 1920, 1080),
                        font_px=16)
        grabber = ScreenGrabber(display=server.display)
        try:
            def take(seq: int) -> CapturedFrame:
                return CapturedFrame(grabber.grab()[0], window("chat", "#design", 5, size=(1920, 1080)), seq)

            processor.process(take(0))
            for seq in range(1, 7):
                new = [_line(rng) for _ in range(2)]
                for line in new:
                    chat.command("append " + line)
                outcome = processor.process(take(seq))
                assert outcome.frame is not None and 0 < outcome.ocr_fraction < 0.1
                missed += _unread(new, outcome.frame.words)
        finally:
            chat.close()
            grabber.close()
    assert upscales[1:] and all(u == 1.0 for u in upscales[1:]), upscales  # 16 px text: bands at 1x
    assert not missed, missed


def test_a_scrolled_qt_pages_new_band_starts_between_lines_and_is_read_whole() -> None:
    """The band a scroll exposes at the foot of a real Qt text edit goes to tesseract from the gap above its first
    line: the widget's bottom border once hid every blank row, the full margin cut into the line above and tesseract
    read that line again (one line in seven of bench.screen_live's article)."""
    pytest.importorskip("PySide6")
    ocr = TesseractOcr()
    if not ocr.available():
        pytest.skip("tesseract not installed")
    processor = FrameProcessor(ocr, Redactor.from_default_rules())
    rng = random.Random(11)
    lines = [_line(rng) for _ in range(200)]
    missed: Counter[str] = Counter()
    with xserver("1920x1080x24") as server:
        article = QtWindow(server, "cairn-reader", "Notes - Reader", lines, (0, 0, 1920, 1080), font_px=16)
        grabber = ScreenGrabber(display=server.display)
        try:
            processor.process(CapturedFrame(grabber.grab()[0], window("reader", "Notes", 5, size=(1920, 1080)), 0))
            shown = set(article.visible_lines())
            for seq in range(1, 4):
                article.command("scroll 3")
                article.command("scroll 3")
                frame = grabber.grab()[0]
                outcome = processor.process(CapturedFrame(frame, window("reader", "Notes", 5, size=(1920, 1080)), seq))
                assert outcome.frame is not None and 0 < outcome.ocr_fraction < 0.1
                bands = [b for b in outcome.frame.ocr_regions if b[2] > 400]  # the text, not the scroll bar
                assert bands
                for left, top, width, _ in bands:
                    row = frame.pixels[top, left + 8 : left + width - 8]
                    assert (row == row[0]).all(), f"the OCR'd band {top} cuts a line"
                new = [line for line in article.visible_lines() if line not in shown]
                shown.update(new)
                missed += _unread(new, outcome.frame.words)
        finally:
            article.close()
            grabber.close()
    assert sum(missed.values()) <= 2, missed

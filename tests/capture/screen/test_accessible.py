"""Accessible text: exact words where the accessibility tree gives them, OCR only for the rest, veto first.

The processor and the daemon run with real tesseract and the real redactor; the
accessibility source is a recording stand-in (the real AT-SPI source is tested
with Qt windows on Xvfb in ``test_accessible_xvfb.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from core.capture.screen import change as ch
from core.capture.screen.accessible import AccessibleLine, AccessibleText, line_words
from core.capture.screen.daemon import ScreenDaemon
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.encode import decode
from core.capture.screen.frames import CapturedFrame
from core.capture.screen.grab import Frame, Monitor, image_to_pixels
from core.capture.screen.idle import NullIdleSource
from core.capture.screen.processor import REDACTED_WORD, FrameProcessor
from core.capture.screen.window import VisibleWindow
from core.normalize.ocr import TesseractOcr
from core.redact.redactor import Redactor

from .conftest import font
from .fakes import FakeGrabber, FakeWindows, ListSink, window

LINES = ["Meeting notes for the Lindenstrasse viewing", "Bring payslips and the SCHUFA report",
         "Rent is 1480 EUR warm with a south balcony"]
TITLE = "Groceries planner"
CONTENT = (0, 60, 960, 480)  # the text widget, below a title strip the tree does not cover


@pytest.fixture(autouse=True)
def _needs_tesseract() -> None:
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")


class CountingOcr(TesseractOcr):
    """Real tesseract that remembers the size of every image it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[tuple[int, int]] = []

    def recognize(self, image: Any, region: Any = None, upscale: float | None = None) -> Any:
        self.sizes.append(image.size)
        return super().recognize(image, region, upscale)


def _screen(lines: list[str]) -> tuple[Any, AccessibleText]:
    """A 960x540 frame: a title strip with text, then ``lines`` in the widget; and the widget as the tree gives it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 540), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 959, 40), fill="#dddddd")
    draw.text((12, 8), TITLE, fill="black", font=font(22))
    face = font(22)
    accessible: list[AccessibleLine] = []
    for i, line in enumerate(lines):
        y = CONTENT[1] + 20 + i * 36
        draw.text((40, y), line, fill="black", font=face)
        left, top, right, bottom = draw.textbbox((40, y), line, font=face)
        accessible.append(AccessibleLine(line, (left, top, right - left, bottom - top)))
    return image, AccessibleText(CONTENT, tuple(accessible))


def _captured(image: Any, texts: tuple[AccessibleText, ...], seq: int) -> CapturedFrame:
    from datetime import UTC, datetime

    frame = Frame(Monitor(1, 0, 0, 960, 540), image_to_pixels(image), datetime.now(UTC))
    return CapturedFrame(frame, VisibleWindow(7, "notes", "Notes", 0, 0, 960, 540, focused=True), seq, texts)


def test_words_are_boxed_by_their_share_of_the_line() -> None:
    words = line_words(AccessibleLine("ab  cdef", (100, 50, 80, 20)), block=3, index=2)
    assert [w.text for w in words] == ["ab", "cdef"]
    assert words[0].box == (100, 50, 20, 20) and words[1].box == (140, 50, 40, 20)
    assert {w.line for w in words} == {(3, 0, 2)}


def test_subtract_leaves_what_a_cover_does_not_hide() -> None:
    pieces = ch.subtract((0, 0, 100, 100), [(20, 30, 50, 40)])
    assert sum(ch.area(p) for p in pieces) == 100 * 100 - 50 * 40
    assert all(not ch.intersects(p, (20, 30, 50, 40)) for p in pieces)
    assert ch.subtract((0, 0, 10, 10), [(0, 0, 10, 10)]) == []
    assert ch.subtract((0, 0, 10, 10), [(50, 50, 5, 5)]) == [(0, 0, 10, 10)]


def test_accessible_text_is_taken_exactly_and_only_the_rest_is_ocrd() -> None:
    ocr = CountingOcr()
    processor = FrameProcessor(ocr, Redactor.from_default_rules())
    image, text = _screen(LINES)
    outcome = processor.process(_captured(image, (text,), 1))
    assert outcome.frame is not None
    words = outcome.frame.text.split()
    for line in LINES:
        assert all(word in words for word in line.split()), line  # every word, exactly
    assert "Groceries" in words and "planner" in words  # the title strip is not in the tree: OCR'd
    # Tesseract saw the title strip only, never the widget's 480 rows.
    assert ocr.sizes and all(height < CONTENT[1] + 100 for _w, height in ocr.sizes), ocr.sizes

    # A new line inside the widget: taken from the tree, no OCR at all.
    ocr.sizes.clear()
    image2, text2 = _screen([*LINES, "Quokka deposit is due on Friday"])
    second = processor.process(_captured(image2, (text2,), 2))
    assert second.frame is not None and "Quokka deposit is due on Friday" in second.frame.text
    assert not second.ran_ocr and ocr.sizes == []


def test_a_widget_without_accessible_text_is_ocrd_as_before() -> None:
    ocr = CountingOcr()
    processor = FrameProcessor(ocr, Redactor.from_default_rules())
    image, _text = _screen(LINES)
    outcome = processor.process(_captured(image, (), 1))
    assert outcome.frame is not None and "SCHUFA" in outcome.frame.text
    assert max(height for _w, height in ocr.sizes) >= 540  # the whole frame


def test_secrets_in_accessible_text_are_redacted_in_text_words_and_pixels() -> None:
    card = "4111 1111 1111 1111"
    lines = ["Checkout for the Hamburg flat", f"Card {card} expires 12/29"]
    processor = FrameProcessor(TesseractOcr(), Redactor.from_default_rules())
    image, text = _screen(lines)
    outcome = processor.process(_captured(image, (text,), 1))
    frame = outcome.frame
    assert frame is not None and "Hamburg" in frame.text
    assert "1111" not in frame.text and all("1111" not in w.text for w in frame.words)
    redacted = [w for w in frame.words if w.text == REDACTED_WORD]
    assert redacted
    stored = decode(frame.image).convert("RGB")
    for word in redacted:
        assert stored.getpixel((word.left + word.width // 2, word.top + word.height // 2)) == (0, 0, 0)
    assert "1111" not in TesseractOcr().recognize(stored).text


class RecordingSource:
    """An accessibility source that answers for any window and remembers which windows it was asked about."""

    name = "recording"

    def __init__(self, texts: tuple[AccessibleText, ...]) -> None:
        self.texts = texts
        self.asked: list[str] = []

    def texts_for(self, window: VisibleWindow) -> tuple[AccessibleText, ...]:
        self.asked.append(window.app)
        return self.texts

    def close(self) -> None:
        return None


def _daemon(windows: FakeWindows, source: RecordingSource, image: Any, **config: Any) -> tuple[ScreenDaemon, ListSink]:
    sink = ListSink()
    daemon = ScreenDaemon(sink, DaemonConfig(busy_window_gap_s=0.0, **config),
                          grabber_factory=lambda: FakeGrabber(image), window_info_factory=lambda: windows,
                          idle_factory=NullIdleSource, accessible_factory=lambda: source)
    return daemon, sink


def test_the_tree_is_read_only_for_a_window_the_privacy_veto_cleared() -> None:
    image, text = _screen(LINES)
    source = RecordingSource((text,))
    vetoed = FakeWindows([window("KeePassXC", "Passwords.kdbx - KeePassXC", 5),
                          window("gedit", "notes.txt - gedit", 11, focused=True)])
    daemon, sink = _daemon(vetoed, source, image)
    assert daemon.capture_once() == 0
    daemon.process_pending()
    assert source.asked == [] and sink.frames == []  # an excluded app on screen: nothing read

    private = FakeWindows([window("firefox", "Bank - Private Browsing", 12, focused=True)])
    daemon, sink = _daemon(private, source, image)
    assert daemon.capture_once() == 0
    assert source.asked == []

    cleared = FakeWindows([window("gedit", "notes.txt - gedit", 11, focused=True)])
    daemon, sink = _daemon(cleared, source, image)
    assert daemon.capture_once() == 1
    daemon.process_pending()
    assert source.asked == ["gedit"]
    assert "Lindenstrasse" in sink.frames[0].text


def test_the_setting_off_never_reads_the_tree() -> None:
    image, text = _screen(LINES)
    source = RecordingSource((text,))
    daemon, sink = _daemon(FakeWindows([window("gedit", "notes.txt - gedit", 11, focused=True)]), source, image,
                           accessible_text=False)
    assert daemon.capture_once() == 1
    daemon.process_pending()
    assert source.asked == [] and "SCHUFA" in sink.frames[0].text  # OCR'd instead

"""Text an application exposes through the accessibility tree, as words with boxes.

Where a window's text widgets answer through the platform's accessibility API
(AT-SPI on Linux: ``accessible_atspi``), their visible lines are taken exactly
from there and the screen processor OCRs only what they do not cover (title
bars, pictures, widgets that expose no text).  Exact text costs a few D-Bus
calls instead of a tesseract pass, and never misreads a word.

Privacy: the capture thread asks only for a window the privacy veto has
already cleared (``daemon``), never for a password field (the source skips
them), and the words go through the same redactor as OCR words.

Pure data and helpers; thread-safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from core.capture.screen import change as ch
from core.capture.screen.grab import Frame
from core.capture.screen.window import VisibleWindow
from core.normalize.ocr import OcrWord

Box = tuple[int, int, int, int]  # left, top, width, height
EXACT_CONF = 100.0  # an accessible word's confidence: it was not guessed


@dataclass(frozen=True, slots=True)
class AccessibleLine:
    text: str
    box: Box  # where the line is drawn


@dataclass(frozen=True, slots=True)
class AccessibleText:
    """One text widget: the part of the screen it covers and its visible lines (screen or frame coordinates)."""

    box: Box
    lines: tuple[AccessibleLine, ...]

    def moved(self, dx: int, dy: int) -> AccessibleText:
        """The same text with every box shifted by (``dx``, ``dy``): screen to monitor coordinates."""
        return AccessibleText(
            _shift(self.box, dx, dy), tuple(AccessibleLine(line.text, _shift(line.box, dx, dy)) for line in self.lines)
        )


class AccessibleTextSource(Protocol):
    """Reads the visible text of one window; created, used and closed on the capture thread."""

    name: str

    def texts_for(self, window: VisibleWindow) -> tuple[AccessibleText, ...]:
        """The window's visible text widgets (screen coordinates); empty when it exposes none or cannot be asked."""
        ...

    def close(self) -> None: ...


class NoAccessibleText:
    """No accessibility bus (another platform, no session bus, or the setting is off): OCR reads everything."""

    name = "none"

    def texts_for(self, window: VisibleWindow) -> tuple[AccessibleText, ...]:
        return ()

    def close(self) -> None:
        return None


def on_monitor(texts: tuple[AccessibleText, ...], frame: Frame) -> tuple[AccessibleText, ...]:
    """Screen-coordinate texts in ``frame``'s pixel coordinates, clipped to it (a window may span monitors)."""
    monitor = frame.monitor
    out: list[AccessibleText] = []
    for text in texts:
        moved = text.moved(-monitor.left, -monitor.top)
        box = ch.clip(moved.box, frame.width, frame.height)
        if box[2] > 0 and box[3] > 0:
            out.append(AccessibleText(box, moved.lines))
    return tuple(out)


def line_words(line: AccessibleLine, block: int, index: int) -> list[OcrWord]:
    """The words of one line, each boxed by its share of the line's characters (no per-word query)."""
    left, top, width, height = line.box
    length = max(1, len(line.text))
    words: list[OcrWord] = []
    position = 0
    for word in line.text.split():
        start = line.text.index(word, position)
        position = start + len(word)
        x0 = left + width * start // length
        x1 = left + width * position // length
        words.append(OcrWord(word, x0, top, max(1, x1 - x0), height, EXACT_CONF, (block, 0, index)))
    return words


def texts_to_words(texts: Sequence[AccessibleText], first_block: int) -> list[OcrWord]:
    """All visible words of ``texts`` in reading order, one block per widget starting at ``first_block``."""
    words: list[OcrWord] = []
    for number, text in enumerate(texts):
        for index, line in enumerate(text.lines):
            words.extend(line_words(line, first_block + number, index))
    return words


def _shift(box: Box, dx: int, dy: int) -> Box:
    return (box[0] + dx, box[1] + dy, box[2], box[3])

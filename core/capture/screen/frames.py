"""The values that travel through the capture pipeline, and the ``FrameSink`` protocol at its end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.capture.screen.accessible import AccessibleText
from core.capture.screen.change import Change
from core.capture.screen.grab import Frame
from core.capture.screen.window import VisibleWindow
from core.normalize.ocr import OcrWord

Box = tuple[int, int, int, int]
Compared = tuple[Any, Change] | None  # (earlier pixels, change.diff of them against a frame's)


@dataclass(frozen=True, slots=True)
class CapturedFrame:
    """A frame the capture thread accepted (changed, not vetoed), waiting for OCR."""

    frame: Frame
    window: VisibleWindow | None  # the focused window on this monitor, else the topmost one
    seq: int
    # The window's text widgets read through the accessibility tree, in this frame's pixel coordinates:
    # their words are taken as they are and their area is not OCR'd.
    accessible: tuple[AccessibleText, ...] = ()
    # The capture thread's comparison: (the earlier pixels, ``change.diff`` of them against this frame's).
    # The earlier frame is as a rule the window's OCR reference, so planning takes it instead of diffing again.
    compared: Compared = None


@dataclass(frozen=True, slots=True)
class FinishedFrame:
    """A frame ready to store: redacted image and text, context, and how it was made.

    ``image`` is WebP bytes of the whole monitor with secrets blacked out, or,
    when ``keyframe`` names an earlier frame, a ``core.store.frame_codec`` delta
    that composites on that frame's image;
    ``thumbnail`` a small WebP (keyframes only); ``words`` the OCR words (boxes in ``image``
    pixels) with redacted ones replaced by ``REDACTED_WORD``; ``text`` the
    redacted reading-order text.  Plain bytes and strings: the sink encrypts.
    """

    frame_id: str
    timestamp: datetime
    monitor: int
    image: bytes
    image_lossless: bool
    thumbnail: bytes | None  # None for a delta frame (its preview is the composite, scaled)
    width: int
    height: int
    text: str
    words: list[OcrWord]
    app: str | None
    window_title: str | None
    url: str | None
    ocr_regions: tuple[Box, ...]  # what was OCR'd this time (empty: words reused)
    redactions: int  # secrets found in this frame's words, title and text
    keyframe: str | None = None  # frame id of the keyframe this delta composites on (None: a whole image)
    # The lines of ``text`` to index for search: those not on this window's previous stored frame
    # (None: all of them).  Each line is then indexed once, on the frame where it appeared.
    index_text: str | None = None


class FrameSink(Protocol):
    """Where finished frames go (the vault in production, a list in tests).

    Called on the OCR worker thread, one frame at a time.  Raising counts the
    frame as ``store_error`` in the health report; the daemon goes on.  A
    returned text says the frame was stored degraded (text only: the disk is
    nearly full) and why; the health report shows it.
    """

    def store(self, frame: FinishedFrame) -> str | None: ...

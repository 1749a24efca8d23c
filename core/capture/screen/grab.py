"""Grab every monitor with ``mss.MSS()`` into packed uint32 arrays.

Threads: a ``ScreenGrabber`` belongs to the thread that created it (mss keeps an
X connection per instance); the capture thread creates its own.
Errors: ``CaptureUnavailable`` when no display can be opened (no ``$DISPLAY``,
a Wayland session without XWayland access, macOS without the screen-recording
permission gives black frames instead: nothing to detect there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from core.errors import CairnError


class CaptureUnavailable(CairnError):
    """The screen cannot be captured (no display, or permission refused)."""


@dataclass(frozen=True, slots=True)
class Monitor:
    """A monitor in virtual-screen coordinates; ``index`` counts from 1 as mss does."""

    index: int
    left: int
    top: int
    width: int
    height: int

    def contains_box(self, left: int, top: int, width: int, height: int) -> bool:
        """Whether a rectangle (screen coordinates) overlaps this monitor at all."""
        return (
            left < self.left + self.width
            and self.left < left + width
            and top < self.top + self.height
            and self.top < top + height
        )


class PixelsSize:
    """``width`` and ``height`` of a (height, width) ``pixels`` array."""

    __slots__ = ()
    pixels: np.ndarray

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


@dataclass(frozen=True, slots=True)
class Frame(PixelsSize):
    """One grabbed monitor.  ``pixels`` is (height, width) uint32 of packed BGRX bytes."""

    monitor: Monitor
    pixels: np.ndarray
    timestamp: datetime

    def to_image(self) -> Any:
        """The frame as a PIL RGB image (a copy)."""
        return pixels_to_image(self.pixels)


def pixels_to_image(pixels: np.ndarray) -> Any:
    from PIL import Image  # late: PIL only where images are made

    height, width = pixels.shape
    # The array itself is the buffer: ``.tobytes()`` first copied the frame once more (5.6 -> 2.9 ms a 1080p frame).
    return Image.frombuffer("RGB", (width, height), np.ascontiguousarray(pixels), "raw", "BGRX", 0, 1)


class FrameImage(PixelsSize):
    """A grab's pixels as a PIL image, made on first use (``get``); ``crop`` cuts from the pixels until then.

    Most processed frames need only crops (the changed lines to OCR): their deltas are cut from
    the pixels, and only keyframes, thumbnails, a whole-frame OCR and a blackout need the whole
    image (~5 ms a 1080p frame, made for every processed frame before).
    """

    __slots__ = ("_image", "pixels")

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self._image: Any = None

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def get(self) -> Any:
        if self._image is None:
            self._image = pixels_to_image(self.pixels)
        return self._image

    def crop(self, box: tuple[int, int, int, int]) -> Any:
        """``get().crop(box)`` (left, top, right, bottom), the same pixels."""
        left, top, right, bottom = box
        inside = 0 <= left < right <= self.width and 0 <= top < bottom <= self.height
        if self._image is not None or not inside:  # PIL pads a box reaching outside: let it
            return self.get().crop(box)
        return pixels_to_image(self.pixels[top:bottom, left:right])


def image_to_pixels(image: Any) -> np.ndarray:
    """A PIL image as the packed uint32 layout grabs use (for tests and benchmarks)."""
    rgb = np.asarray(image.convert("RGB"))
    bgrx = np.empty((*rgb.shape[:2], 4), dtype=np.uint8)
    bgrx[..., 0] = rgb[..., 2]
    bgrx[..., 1] = rgb[..., 1]
    bgrx[..., 2] = rgb[..., 0]
    bgrx[..., 3] = 255
    return bgrx.view(np.uint32)[..., 0]


class ScreenGrabber:
    """``mss.MSS()`` over the selected monitors (empty selection: all of them)."""

    def __init__(self, monitors: Sequence[int] = (), display: str | None = None) -> None:
        import mss  # late: mss opens X libraries

        kwargs: dict[str, Any] = {}
        if display is not None:
            kwargs["display"] = display
        try:
            self._mss = mss.MSS(**kwargs)
            available = self._mss.monitors
        except Exception as exc:  # mss raises ScreenShotError or OSError subclasses per backend
            raise CaptureUnavailable(f"cannot open the screen for capture: {exc}") from exc
        self._selected = tuple(monitors)
        # monitors[0] is the union of all screens; real monitors start at 1.
        self._monitors = [
            Monitor(i, int(m["left"]), int(m["top"]), int(m["width"]), int(m["height"]))
            for i, m in enumerate(available)
            if i >= 1 and (not self._selected or i in self._selected)
        ]
        if not self._monitors:
            raise CaptureUnavailable(f"no monitor to capture (selected {list(self._selected)})")

    @property
    def monitors(self) -> list[Monitor]:
        return list(self._monitors)

    def grab(self) -> list[Frame]:
        frames: list[Frame] = []
        for monitor in self._monitors:
            region = {"left": monitor.left, "top": monitor.top, "width": monitor.width, "height": monitor.height}
            try:
                shot = self._mss.grab(region)
            except Exception as exc:
                raise CaptureUnavailable(f"grabbing monitor {monitor.index} failed: {exc}") from exc
            width, height = shot.size
            # mss hands back a fresh bytearray per grab: a view is safe, no copy needed.
            pixels = np.frombuffer(shot.raw, dtype=np.uint32).reshape(height, width)
            frames.append(Frame(monitor, pixels, datetime.now(UTC)))
        return frames

    def close(self) -> None:
        self._mss.close()


class Grabber(Protocol):
    """What the daemon needs of a screen grabber (``ScreenGrabber``, or a fake in tests)."""

    @property
    def monitors(self) -> list[Monitor]: ...

    def grab(self) -> list[Frame]: ...

    def close(self) -> None: ...

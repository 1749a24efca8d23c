"""One frame's comparisons with earlier frames, each computed once for OCR planning and encoding.

The processor compares a new frame with its OCR references (``change.diff``,
then ``change.find_scroll`` per changed region) and the encoder compares it
with the stored frames it may composite on.  Most of the time those are the
very same arrays (the last frame of a window is both), so the second caller
takes the first one's answer instead of comparing ~2 million pixels again.
Keyed by the earlier frame's identity (``is``, not equal contents: equal
contents would need the comparison it saves).

``RowSignatureCache`` keeps each frame's row hashes for a column span across
frames: a frame's rows are hashed when it is the current frame, and the same
hashes serve when it is the earlier frame of the next comparisons (a scrolling
page's changed region has the same columns frame after frame).

Threads: one per frame being processed; not thread-safe.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from core.capture.screen import change as ch

Box = tuple[int, int, int, int]


class RowSignatureCache:
    """``change.row_signatures`` of recent frames, by (frame, column span); frames are held weakly.

    Measured on bench.screen's scripted session: the scroll search hashed ~340,000 row
    segments (about a tenth of the daemon's CPU outside tesseract), mostly the same rows of
    the same frames again: once as the current frame, then as the reference of each
    following frame, for the processor and the encoder alike.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._rows: OrderedDict[tuple[int, int, int], tuple[weakref.ref[np.ndarray], list[int | None]]] = OrderedDict()
        self.hashed = 0  # rows actually hashed (the tests count them)

    def __call__(self, pixels: np.ndarray, left: int, width: int, top: int, bottom: int) -> Sequence[int | None]:
        """The frame's row hashes for the span, rows ``top``..``bottom`` filled in (others may be ``None``).

        Only the rows asked for are hashed: a typed line's small region would otherwise cost the
        whole frame's height.
        """
        key = (id(pixels), left, width)
        hit = self._rows.get(key)
        if hit is not None and hit[0]() is pixels:  # the same live array: its id was not reused
            self._rows.move_to_end(key)
            rows = hit[1]
        else:
            rows = [None] * pixels.shape[0]
            self._rows[key] = (weakref.ref(pixels), rows)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)
        missing = [y for y in range(top, bottom) if rows[y] is None]
        if missing:
            first, last = missing[0], missing[-1] + 1
            for y, sig in zip(range(first, last), ch.row_signatures(pixels, left, width, first, last), strict=True):
                rows[y] = sig
            self.hashed += last - first
        return rows


class FrameComparisons:
    def __init__(self, current: np.ndarray, rows: RowSignatureCache | None = None) -> None:
        self.current = current
        self.rows = rows
        self._diffs: dict[int, tuple[np.ndarray, ch.Change]] = {}
        self._scrolls: dict[tuple[int, Box], tuple[np.ndarray, ch.Scroll | None]] = {}
        self.computed = 0  # comparisons actually run (the tests count them)

    def know(self, earlier: np.ndarray, change: ch.Change) -> None:
        """Take ``change.diff(earlier, current)`` computed elsewhere (the capture thread's comparison)."""
        self._diffs[id(earlier)] = (earlier, change)

    def diff(self, earlier: np.ndarray) -> ch.Change:
        """``change.diff(earlier, current)``, once per ``earlier`` array."""
        hit = self._diffs.get(id(earlier))
        if hit is not None and hit[0] is earlier:
            return hit[1]
        self.computed += 1
        result = ch.diff(earlier, self.current)
        self._diffs[id(earlier)] = (earlier, result)  # the array is held: its id cannot be reused meanwhile
        return result

    def find_scroll(self, earlier: np.ndarray, box: Box) -> ch.Scroll | None:
        """``change.find_scroll(earlier, current, box)``, once per (``earlier``, ``box``)."""
        key = (id(earlier), box)
        hit = self._scrolls.get(key)
        if hit is not None and hit[0] is earlier:
            return hit[1]
        self.computed += 1
        result = ch.find_scroll(earlier, self.current, box, rows=self.rows)
        self._scrolls[key] = (earlier, result)
        return result

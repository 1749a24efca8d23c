"""One frame's comparisons with earlier frames, each computed once for OCR planning and encoding.

The processor compares a new frame with its OCR references (``change.diff``,
then ``change.find_scroll`` per changed region) and the encoder compares it
with the stored frames it may composite on.  Most of the time those are the
very same arrays (the last frame of a window is both), so the second caller
takes the first one's answer instead of comparing ~2 million pixels again.
Keyed by the earlier frame's identity (``is``, not equal contents: equal
contents would need the comparison it saves).

Threads: one per frame being processed; not thread-safe.
"""

from __future__ import annotations

import numpy as np

from core.capture.screen import change as ch

Box = tuple[int, int, int, int]


class FrameComparisons:
    def __init__(self, current: np.ndarray) -> None:
        self.current = current
        self._diffs: dict[int, tuple[np.ndarray, ch.Change]] = {}
        self._scrolls: dict[tuple[int, Box], tuple[np.ndarray, ch.Scroll | None]] = {}
        self.computed = 0  # comparisons actually run (the tests count them)

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
        result = ch.find_scroll(earlier, self.current, box)
        self._scrolls[key] = (earlier, result)
        return result

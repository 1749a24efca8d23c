"""After a window switch: did a monitor change window, and grab again until the screen has finished repainting.

Focus moves before the new window has finished painting; a torn frame matches
no earlier frame of either window and cost a whole-frame OCR (~2.3 CPU-s at
1080p, seen in bench/screen.py).  Only switches pay for the extra grabs.

Threads: the capture thread.  Errors: what the grab raises.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from core.capture.screen.grab import Frame
from core.capture.screen.window import VisibleWindow, window_for_monitor


def switched(last_window: dict[int, int | None], frames: list[Frame], windows: list[VisibleWindow]) -> bool:
    """Does a monitor show another window than in the frame taken last?"""
    for frame in frames:
        index = frame.monitor.index
        if index in last_window:
            window = window_for_monitor(windows, frame.monitor)
            if last_window[index] != (window.window_id if window else None):
                return True
    return False


def settle(grab: Callable[[], list[Frame]], frames: list[Frame], tries: int, wait_s: float,
           stop: threading.Event, torn: Callable[[], None]) -> list[Frame] | None:
    """Grab again (``wait_s`` apart, at most ``tries`` times) until two grabs agree; ``None`` when stopping."""
    for _ in range(tries):
        if stop.wait(wait_s):
            return None
        again = grab()
        stable = len(again) == len(frames) and all(
            np.array_equal(a.pixels, b.pixels) for a, b in zip(again, frames, strict=True)
        )
        frames = again
        if stable:
            break
        torn()
    return frames

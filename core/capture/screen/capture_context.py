"""What one capture thread of the screen daemon owns: the grabber, the window list, the idle source, the accessible-text source and what it took last.

Threads: created, used and closed on one capture thread (an X connection is
not thread-safe).  Errors: ``close`` swallows the errors of closing after a
failure; nothing else is raised here.
"""

from __future__ import annotations

from core.capture.screen.accessible import AccessibleText, AccessibleTextSource, NoAccessibleText
from core.capture.screen.grab import Frame, Grabber
from core.capture.screen.idle import ActivityTracker, IdleSource
from core.capture.screen.window import VisibleWindow, WindowInfo

Texts = tuple[AccessibleText, ...] | list[AccessibleText]
__all__ = ["CaptureContext", "Texts", "VisibleWindow"]


class CaptureContext:
    """Platform objects owned by one capture thread."""

    def __init__(self, grabber: Grabber, windows: WindowInfo, idle: IdleSource, now: float, idle_after: float,
                 accessible: AccessibleTextSource | None = None):
        self.grabber = grabber
        self.accessible: AccessibleTextSource = accessible or NoAccessibleText()
        self.windows = windows
        self.idle = idle
        self.tracker = ActivityTracker(idle_after, now)
        self.last_taken: dict[int, object] = {}  # monitor -> pixels of the last frame enqueued
        self.last_window: dict[int, int | None] = {}  # monitor -> window id of the last frame enqueued
        self.last_taken_at: dict[int, float] = {}  # monitor -> monotonic time of the last frame enqueued
        # monitor -> the newest frame of a busy window not taken yet (deferred), its window and tick: taken
        # when that window leaves the front at the next tick, so what it showed last is not lost.  A tick in
        # between that took nothing (paused, locked, vetoed, idle) leaves it stale: dropped.
        self.deferred: dict[int, tuple[int, Frame, VisibleWindow | None]] = {}
        self.tick = 0

    def same_window(self, monitor: int, window: VisibleWindow | None) -> bool:
        """Whether ``window`` is the window of the last frame taken on ``monitor``."""
        return monitor in self.last_window and self.last_window[monitor] == (window.window_id if window else None)

    def took(self, monitor: int, frame: Frame, window: VisibleWindow | None, now: float) -> None:
        self.last_taken[monitor] = frame.pixels
        self.last_window[monitor] = window.window_id if window else None
        self.last_taken_at[monitor] = now

    def defer(self, monitor: int, frame: Frame, window: VisibleWindow | None) -> None:
        self.deferred[monitor] = (self.tick, frame, window)

    def left_front(self, monitor: int, same_window: bool) -> tuple[Frame, VisibleWindow | None] | None:
        """The frame deferred at the previous tick of the busy window that just left the front of ``monitor``
        (taken instead of lost: bench.screen_live, lines scrolled in just before a switch were the words most
        often missing)."""
        held = self.deferred.pop(monitor, None)
        if held is None or same_window or held[0] != self.tick - 1:
            return None
        return held[1], held[2]

    def close(self) -> None:
        for closer in (self.grabber.close, self.windows.close, self.idle.close, self.accessible.close):
            try:
                closer()
            except Exception:  # closing after a failure: nothing more to do
                continue

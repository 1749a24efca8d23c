"""What one capture thread of the screen daemon owns: the grabber, the window list, the idle source, the accessible-text source and what it took last.

Threads: created, used and closed on one capture thread (an X connection is
not thread-safe).  Errors: ``close`` swallows the errors of closing after a
failure; nothing else is raised here.
"""

from __future__ import annotations

from core.capture.screen.accessible import AccessibleTextSource, NoAccessibleText
from core.capture.screen.grab import Grabber
from core.capture.screen.idle import ActivityTracker, IdleSource
from core.capture.screen.window import WindowInfo


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
        self.tick = 0

    def close(self) -> None:
        for closer in (self.grabber.close, self.windows.close, self.idle.close, self.accessible.close):
            try:
                closer()
            except Exception:  # closing after a failure: nothing more to do
                continue

"""Fakes for the daemon's platform edges (logic tests only; the Xvfb tests use the real ones)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.capture.screen.frames import FinishedFrame
from core.capture.screen.grab import Frame, Monitor, image_to_pixels
from core.capture.screen.window import VisibleWindow, WindowInfoError


class FakeGrabber:
    def __init__(self, image: Any) -> None:
        self.image = image
        self.script: list[Any] = []  # images returned first, one per grab (then ``image``)
        self.grabs = 0
        self.fail_on: set[int] = set()
        self.closed = False

    @property
    def monitors(self) -> list[Monitor]:
        return [Monitor(1, 0, 0, self.image.width, self.image.height)]

    def grab(self) -> list[Frame]:
        self.grabs += 1
        if self.grabs in self.fail_on:
            raise RuntimeError(f"simulated crash on grab {self.grabs}")
        image = self.script.pop(0) if self.script else self.image
        return [Frame(self.monitors[0], image_to_pixels(image), datetime.now(UTC))]

    def close(self) -> None:
        self.closed = True


class FakeWindows:
    name = "fake"

    def __init__(self, windows: list[VisibleWindow] | None = None) -> None:
        self.windows = windows or []
        self.script: list[list[VisibleWindow]] = []  # returned first, one per call
        self.calls = 0
        self.fail = False

    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> str | None:
        return None

    def visible_windows(self) -> list[VisibleWindow]:
        self.calls += 1
        if self.fail:
            raise WindowInfoError("simulated failure")
        if self.script:
            return self.script.pop(0)
        return list(self.windows)

    def active_window(self) -> VisibleWindow | None:
        return next((w for w in self.windows if w.focused), None)

    def close(self) -> None:
        return None


class ListSink:
    def __init__(self) -> None:
        self.frames: list[FinishedFrame] = []

    def store(self, frame: FinishedFrame) -> None:
        self.frames.append(frame)


def window(app: str, title: str, wid: int, *, focused: bool = False, size: tuple[int, int] = (960, 540)) -> VisibleWindow:
    return VisibleWindow(wid, app, title, 0, 0, size[0], size[1], focused=focused)

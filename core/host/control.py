"""Capture health and pause/resume as the app sees them: the service behind the UI's health bar and tray.

The UI reaches no capture module itself; it asks this (no Qt here).

The screen daemon runs in the capture host (of ``cairn daemon`` or of the
app).  It reports through a status file in the vault's runtime folder
(counts and times only, never content; read by ``core.host.status``, with
its one staleness rule) and reads its pause state from ``capture-pause.json`` there, written with the
screen area's ``PauseControl`` — so pausing from the tray, the CLI
(``cairn pause``) or the daemon itself all agree.  When the daemon has never
run, health says "screen capture not running" and pausing still records the
user's wish for when it starts.

Threads: any thread; each call reads or writes a small file (use a worker).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.host.status import read_capture_status

BACKLOG_WARNING = 50


@dataclass(frozen=True, slots=True)
class CaptureHealth:
    state: str  # capturing | paused | idle | stalled | blocked | locked | unavailable | starting | not running
    running: bool
    paused: bool
    paused_until: datetime | None = None
    last_indexed_s: float | None = None  # seconds since the daemon last stored something
    last_indexed_at: float | None = None  # UTC epoch seconds of that
    backlog: int | None = None  # frames waiting for OCR
    warnings: tuple[str, ...] = ()
    detail: str = ""
    counters: dict[str, Any] = field(default_factory=dict)

    def headline(self) -> str:
        """One short phrase for the status bar and the tray tooltip."""
        if self.paused:
            if self.paused_until is not None:
                left = max(0, round((self.paused_until - datetime.now(UTC)).total_seconds() / 60))
                return f"Capture paused ({left} min left)"
            return "Capture paused"
        if not self.running:
            return "Screen capture not running"
        if self.state == "stalled":
            return "Capture stalled"
        if self.state == "idle":
            return "Idle (capture resumes when you are back)"
        if self.state == "blocked":
            return "Not capturing: " + (self.detail or "a private window or excluded app is visible")
        if self.state == "locked":
            return "Screen locked: not capturing"
        if self.state == "unavailable":
            return "Screen capture unavailable" + (f" ({self.detail})" if self.detail else "")
        if self.state == "starting":
            return "Starting capture…"
        if self.state in ("disabled", "stopped"):
            return "Screen capture off"
        return "Capturing"


class CaptureControl:
    """Reads the daemon's health and writes pause/resume for one vault's runtime folder."""

    def __init__(self, runtime_dir: Any) -> None:
        from core.capture.screen.privacy import PauseControl

        self._runtime_dir = runtime_dir
        self._pause = PauseControl(runtime_dir)

    def pause(self, minutes: float | None = None) -> None:
        self._pause.pause(timedelta(minutes=minutes) if minutes else None)

    def resume(self) -> None:
        self._pause.resume()

    def health(self) -> CaptureHealth:
        pause = self._pause.state()
        status = read_capture_status(self._runtime_dir)
        snapshot = status.snapshot
        running = status.process_alive
        warnings: list[str] = []
        state = "not running"
        last_indexed = backlog = last_indexed_at = None
        detail = ""
        counters: dict[str, Any] = {}
        if snapshot is not None:
            detail = snapshot.reason
            counters = {k: v for k, v in snapshot.to_dict().items() if isinstance(v, int | float)}
            seen = snapshot.last_indexed_at or snapshot.last_frame_at
            last_indexed = max(0.0, time.time() - seen) if seen else None
            last_indexed_at = snapshot.last_indexed_at
            backlog = snapshot.backlog
            if snapshot.stalled:
                warnings.append("the OCR worker stalled and was restarted")
            alarm = snapshot.current_alarm()
            if alarm:
                warnings.append(alarm)
            if snapshot.degraded and running:
                warnings.append(snapshot.degraded)
            if snapshot.last_error and snapshot.state == "unavailable":
                detail = snapshot.last_error
            if running:
                state = snapshot.state
                if status.stalled:
                    state = "stalled"
                    warnings.append(f"the capture daemon has not reported for {status.age_s or 0:.0f} s")
        if running and backlog is not None and backlog >= BACKLOG_WARNING:
            warnings.append(f"OCR is {backlog} frames behind")
        if pause.paused:
            state = "paused"
        return CaptureHealth(state=state, running=running, paused=pause.paused, paused_until=pause.until,
                             last_indexed_s=last_indexed, last_indexed_at=last_indexed_at, backlog=backlog,
                             warnings=tuple(warnings), detail=detail, counters=counters)

    def external_daemon_running(self) -> bool:
        """A live capture daemon in another process reports into this vault's runtime folder."""
        status = read_capture_status(self._runtime_dir)
        return status.reporting and status.snapshot is not None and status.snapshot.pid != os.getpid()

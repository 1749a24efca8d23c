"""The one reader of the capture daemon's status file, with the one staleness rule (``STALE_AFTER_S``).

Used by `cairn status` and by the app's health bar alike.  The file holds
counters, states and times only (``HealthSnapshot``), never content.

Threads: any thread; reads one small file.  Errors: none raised: an absent or
unreadable file reads as "no daemon".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from core.capture.screen.health import STALE_AFTER_S, HealthSnapshot, read_status, status_path


@dataclass(frozen=True, slots=True)
class CaptureStatus:
    """What the last status file says, and whether the process that wrote it still reports."""

    snapshot: HealthSnapshot | None
    process_alive: bool  # the writing process exists and did not report "stopped"
    age_s: float | None  # seconds since the last report

    @property
    def stalled(self) -> bool:
        """Alive, but silent for longer than the rule allows."""
        return self.process_alive and (self.age_s is None or self.age_s > STALE_AFTER_S)

    @property
    def reporting(self) -> bool:
        """Alive and reporting on time: a capture daemon is at work."""
        return self.process_alive and not self.stalled


def read_capture_status(runtime_dir: Path, now: float | None = None) -> CaptureStatus:
    snapshot = read_status(status_path(runtime_dir))
    if snapshot is None:
        return CaptureStatus(None, False, None)
    age = None if snapshot.updated_at is None else max(0.0, (now or time.time()) - snapshot.updated_at)
    alive = snapshot.state != "stopped" and snapshot.pid is not None and pid_alive(snapshot.pid)
    return CaptureStatus(snapshot, alive, age)


def pid_alive(pid: int) -> bool:
    import psutil  # late: only status readers need it

    return pid > 0 and bool(psutil.pid_exists(pid))

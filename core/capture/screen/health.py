"""What the capture daemon is doing, in numbers: counters, state, and a status file for ``cairn status``.

``Health`` is updated by the daemon's threads (every method takes a lock) and
``snapshot()`` gives an immutable ``HealthSnapshot``.  The status file
(``runtime_dir/screen-status.json``) is written atomically and holds only
counters, states and times: never an app name, a title or any text seen on
screen, because it is a plaintext file.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

DaemonState = Literal["starting", "capturing", "paused", "idle", "locked", "blocked", "unavailable", "stopped"]
STATUS_FILE_NAME = "screen-status.json"
# The status file is rewritten every ``status_every_s`` (2 s): one not rewritten for this long means a
# stalled or dead daemon.  The one staleness rule, for `cairn status` and the app alike.
STALE_AFTER_S = 30.0
# A capture alarm (a dead or hung capture thread, restarted) stays on show this long after it was raised.
ALARM_SHOWN_S = 15 * 60.0

# Reasons a frame is not stored (keys of ``skipped``):
#   paused, idle, locked         capture is off for now (counted per monitor and tick)
#   excluded_app, private_window the privacy veto (per monitor and tick)
#   own_window                   a window of Cairn itself is on screen (never captured: see own_windows)
#   no_window_info               windows could not be listed, so the veto could not run
#   unchanged, minor_change      nothing (or only a caret/clock) changed since the last frame taken
#   deferred                     the same window changed again within busy_window_gap_s; taken later
#   coalesced                    OCR was behind: a newer frame of the same window replaced this one
#   duplicate_text, empty_text   OCR text identical to the frame before, or no text at all
#   ocr_timeout, ocr_error       tesseract was too slow or failed
#   store_error                  the sink (the vault) refused the frame


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    state: DaemonState
    reason: str = ""
    frames_seen: int = 0
    frames_enqueued: int = 0
    frames_ocr: int = 0
    frames_stored: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    backlog: int = 0
    backlog_max: int = 0
    ocr_seconds_total: float = 0.0
    ocr_pixels_fraction_total: float = 0.0  # sum over OCR passes of (OCR'd area / frame area)
    redactions: int = 0
    thread_restarts: dict[str, int] = field(default_factory=dict)
    stalled: bool = False
    degraded: str | None = None  # frames are stored degraded (text only, the disk nearly full) and why
    alarm: str | None = None  # the capture thread died or hung and was restarted: shown until ALARM_SHOWN_S after
    alarm_at: float | None = None  # UTC epoch seconds
    last_error: str | None = None
    last_frame_at: float | None = None  # UTC epoch seconds
    last_indexed_at: float | None = None
    paused_until: float | None = None
    window_backend: str | None = None
    idle_backend: str | None = None
    started_at: float | None = None
    updated_at: float | None = None
    pid: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HealthSnapshot:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def last_indexed_ago(self, now: datetime | None = None) -> float | None:
        if self.last_indexed_at is None:
            return None
        return (now or datetime.now(UTC)).timestamp() - self.last_indexed_at

    def current_alarm(self, now: float | None = None) -> str | None:
        """The alarm, while it is recent enough to show."""
        if self.alarm is None or self.alarm_at is None:
            return None
        return self.alarm if (now or datetime.now(UTC).timestamp()) - self.alarm_at <= ALARM_SHOWN_S else None

    def describe(self, now: datetime | None = None) -> list[str]:
        """Lines for ``cairn status``."""
        now = now or datetime.now(UTC)
        state = self.state + (f" ({self.reason})" if self.reason else "")
        lines = [f"screen capture: {state}"]
        if self.stalled:
            lines.append("  ALARM: the OCR worker is stalled (restarted)")
        if self.degraded:
            lines.append(f"  DEGRADED: {self.degraded}")
        alarm = self.current_alarm(now.timestamp())
        if alarm:
            at = datetime.fromtimestamp(self.alarm_at or 0, UTC).astimezone().strftime("%H:%M")
            lines.append(f"  ALARM at {at}: {alarm}")
        ago = self.last_indexed_ago(now)
        lines.append(
            f"  frames: {self.frames_seen} seen, {self.frames_ocr} OCR'd, {self.frames_stored} stored;"
            f" OCR backlog {self.backlog} (max {self.backlog_max})"
        )
        # Right after a start nothing is indexed yet: say what it waits for, not "never".
        lines.append("  last indexed: " + ("nothing yet (waiting for a change on screen)" if ago is None
                                           else f"{ago:.0f} s ago"))
        if self.skipped:
            parts = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items(), key=lambda kv: -kv[1]))
            lines.append(f"  skipped: {parts}")
        if self.redactions:
            lines.append(f"  secrets redacted: {self.redactions}")
        if self.thread_restarts:
            parts = ", ".join(f"{k} {v}x" for k, v in self.thread_restarts.items())
            lines.append(f"  thread restarts: {parts}")
        if self.last_error:
            lines.append(f"  last error: {self.last_error}")
        return lines


class Health:
    """Thread-safe counters behind ``HealthSnapshot``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: DaemonState = "starting"
        self._reason = ""
        self._counts: Counter[str] = Counter()
        self._skipped: Counter[str] = Counter()
        self._restarts: Counter[str] = Counter()
        self._ocr_seconds = 0.0
        self._ocr_fraction = 0.0
        self._backlog = 0
        self._backlog_max = 0
        self._stalled = False
        self._alarm: str | None = None
        self._degraded: str | None = None
        self._alarm_at: float | None = None
        self._last_error: str | None = None
        self._last_frame_at: float | None = None
        self._last_indexed_at: float | None = None
        self._paused_until: float | None = None
        self._window_backend: str | None = None
        self._idle_backend: str | None = None
        self._started_at = datetime.now(UTC).timestamp()

    def set_state(self, state: DaemonState, reason: str = "", paused_until: datetime | None = None) -> None:
        with self._lock:
            self._state, self._reason = state, reason
            self._paused_until = paused_until.timestamp() if paused_until else None

    def set_backends(self, window: str | None, idle: str | None) -> None:
        with self._lock:
            self._window_backend, self._idle_backend = window, idle

    def seen(self, n: int = 1) -> None:
        with self._lock:
            self._counts["seen"] += n
            self._last_frame_at = datetime.now(UTC).timestamp()

    def enqueued(self) -> None:
        with self._lock:
            self._counts["enqueued"] += 1

    def skip(self, reason: str, n: int = 1) -> None:
        if n <= 0:
            return
        with self._lock:
            self._skipped[reason] += n

    def ocr_done(self, seconds: float, area_fraction: float) -> None:
        with self._lock:
            self._counts["ocr"] += 1
            self._ocr_seconds += seconds
            self._ocr_fraction += area_fraction

    def stored(self, redactions: int = 0, degraded: str | None = None) -> None:
        with self._lock:
            self._degraded = degraded
            self._counts["stored"] += 1
            self._counts["redactions"] += redactions
            self._last_indexed_at = datetime.now(UTC).timestamp()

    def backlog(self, n: int) -> None:
        with self._lock:
            self._backlog = n
            self._backlog_max = max(self._backlog_max, n)

    def thread_restarted(self, name: str, error: str | None) -> None:
        with self._lock:
            self._restarts[name] += 1
            if error:
                self._last_error = error

    def error(self, message: str) -> None:
        with self._lock:
            self._last_error = message[:300]

    def raise_alarm(self, message: str) -> None:
        with self._lock:
            self._alarm, self._alarm_at = message[:300], datetime.now(UTC).timestamp()
            self._last_error = message[:300]

    def set_stalled(self, stalled: bool) -> None:
        with self._lock:
            self._stalled = stalled

    def snapshot(self) -> HealthSnapshot:
        with self._lock:
            return HealthSnapshot(
                state=self._state,
                reason=self._reason,
                frames_seen=self._counts["seen"],
                frames_enqueued=self._counts["enqueued"],
                frames_ocr=self._counts["ocr"],
                frames_stored=self._counts["stored"],
                skipped=dict(self._skipped),
                backlog=self._backlog,
                backlog_max=self._backlog_max,
                ocr_seconds_total=round(self._ocr_seconds, 3),
                ocr_pixels_fraction_total=round(self._ocr_fraction, 3),
                redactions=self._counts["redactions"],
                thread_restarts=dict(self._restarts),
                stalled=self._stalled,
                alarm=self._alarm,
                degraded=self._degraded,
                alarm_at=self._alarm_at,
                last_error=self._last_error,
                last_frame_at=self._last_frame_at,
                last_indexed_at=self._last_indexed_at,
                paused_until=self._paused_until,
                window_backend=self._window_backend,
                idle_backend=self._idle_backend,
                started_at=self._started_at,
                updated_at=datetime.now(UTC).timestamp(),
                pid=os.getpid(),
            )


def status_path(runtime_dir: Path) -> Path:
    return runtime_dir / STATUS_FILE_NAME


def write_status(path: Path, snapshot: HealthSnapshot) -> None:
    """Atomically replace the status file (temp file in the same folder, then rename)."""
    from core.private_file import write_private

    write_private(path, json.dumps(snapshot.to_dict()).encode())


def read_status(path: Path) -> HealthSnapshot | None:
    """The last status a daemon wrote, or ``None``.  Check ``updated_at``/``pid`` for staleness."""
    try:
        return HealthSnapshot.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def daemon_alive(snapshot: HealthSnapshot, max_age_s: float = STALE_AFTER_S, now: datetime | None = None) -> bool:
    """Whether the daemon that wrote ``snapshot`` still runs: recent update, live pid, not stopped."""
    if snapshot.state == "stopped" or snapshot.updated_at is None or snapshot.pid is None:
        return False
    if (now or datetime.now(UTC)).timestamp() - snapshot.updated_at > max_age_s:
        return False
    import psutil  # late: only `cairn status` needs it

    return bool(psutil.pid_exists(snapshot.pid))

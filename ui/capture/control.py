"""Capture health and pause/resume, as the UI sees them (no Qt here).

The screen daemon runs in its own process.  It reports through a status file
in the vault's runtime folder (counts and times only, never content) and
reads its pause state from ``capture-pause.json`` there, written with the
screen area's ``PauseControl`` — so pausing from the tray, the CLI
(``cairn pause``) or the daemon itself all agree.  When the daemon has never
run, health says "screen capture not running" and pausing still records the
user's wish for when it starts.

Threads: any thread; each call reads or writes a small file (use a worker).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

STATUS_FILES = ("screen-status.json", "daemon-status.json")  # the screen daemon's, then a generic one
STALE_AFTER_S = 30.0
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
            return "Not capturing: a private window or excluded app is visible"
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
        status = self._read_status()
        running = status is not None and status.get("_alive", False)
        warnings: list[str] = []
        state = "not running"
        last_indexed = backlog = None
        detail = ""
        counters: dict[str, Any] = {}
        last_indexed_at = None
        if status is not None:
            detail = str(status.get("reason") or status.get("summary") or "")
            counters = {k: v for k, v in status.items() if isinstance(v, int | float) and not k.startswith("_")}
            last_indexed = _age(status, ("last_indexed_at", "last_stored_at", "last_frame_at"))
            value = status.get("last_indexed_at")
            last_indexed_at = float(value) if isinstance(value, int | float) else None
            backlog = _int(status, ("backlog", "ocr_backlog", "queue"))
            warnings.extend(str(w) for w in status.get("warnings", []) or [])
            if status.get("stalled"):
                warnings.append("the OCR worker stalled and was restarted")
            if status.get("last_error") and status.get("state") == "unavailable":
                detail = str(status["last_error"])
            if running:
                state = str(status.get("state") or "capturing")
                if state == "stopped":
                    running = False
                age = time.time() - float(status.get("updated_at", 0) or 0)
                if running and age > STALE_AFTER_S:
                    state = "stalled"
                    warnings.append(f"the capture daemon has not reported for {age:.0f} s")
        if running and backlog is not None and backlog >= BACKLOG_WARNING:
            warnings.append(f"OCR is {backlog} frames behind")
        if pause.paused:
            state = "paused"
        return CaptureHealth(state=state, running=running, paused=pause.paused, paused_until=pause.until,
                             last_indexed_s=last_indexed, last_indexed_at=last_indexed_at, backlog=backlog,
                             warnings=tuple(warnings),
                             detail=detail, counters=counters)

    def _read_status(self) -> dict[str, Any] | None:
        for name in STATUS_FILES:
            try:
                data: dict[str, Any] = json.loads((self._runtime_dir / name).read_text("utf-8"))
            except (OSError, ValueError):
                continue
            pid = int(data.get("pid", 0) or 0)
            data["_alive"] = pid > 0 and _pid_alive(pid)
            return data
        return None

    def external_daemon_running(self) -> bool:
        """A live capture daemon in another process reports into this vault's runtime folder."""
        status = self._read_status()
        if status is None or not status.get("_alive") or status.get("state") == "stopped":
            return False
        if int(status.get("pid", 0) or 0) == os.getpid():
            return False
        return time.time() - float(status.get("updated_at", 0) or 0) <= STALE_AFTER_S


def _age(status: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        value = status.get(key)
        if isinstance(value, int | float) and value > 0:
            return max(0.0, time.time() - float(value))
        if isinstance(value, str):
            try:
                return max(0.0, time.time() - datetime.fromisoformat(value).timestamp())
            except ValueError:
                continue
    for key in ("last_indexed_s", "last_indexed_ago_s"):
        value = status.get(key)
        if isinstance(value, int | float):
            return float(value)
    return None


def _int(status: dict[str, Any], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        value = status.get(key)
        if isinstance(value, int | float):
            return int(value)
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True

"""The privacy veto: nothing is captured while an excluded app or a private window is visible, or while paused.

- ``PrivacyPolicy.check(windows)`` looks at *every* visible window (not only the
  focused one): an excluded app (password managers by default, user-editable
  in settings) or a title matching a private/incognito pattern anywhere on
  screen vetoes the whole capture tick, on every monitor.  A window covered by
  another one still counts: we do not try to prove it is hidden.
- ``PauseControl`` is the pause switch, shared between processes through a small
  JSON file in the runtime directory (``cairn pause --for 30m`` in one process,
  the daemon in another).  The file holds only times, never user content.
- ``parse_duration("30m")`` reads the durations the CLI accepts.

Threads: ``PrivacyPolicy`` is immutable; ``PauseControl`` methods take a lock
and may be called from any thread.  Errors: ``InvalidDuration`` (a CairnError).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from core.capture.screen.window import VisibleWindow, normalise_app_name
from core.errors import CairnError
from core.settings import Settings

VetoReason = Literal["excluded_app", "private_window"]


class InvalidDuration(CairnError):
    """A pause duration the CLI could not read (use e.g. 30m, 2h, 1h30m, 45s)."""


@dataclass(frozen=True, slots=True)
class Veto:
    """Why a capture was refused.  ``detail`` names the app: keep it in memory, never on disk."""

    reason: VetoReason
    detail: str


class PrivacyPolicy:
    def __init__(self, excluded_apps: Iterable[str], private_window_patterns: Iterable[str]) -> None:
        self.excluded_apps = frozenset(n for n in map(normalise_app_name, excluded_apps) if n)
        self.private_patterns = tuple(re.compile(p, re.IGNORECASE) for p in private_window_patterns)

    @classmethod
    def from_settings(cls, settings: Settings) -> PrivacyPolicy:
        return cls(settings.excluded_apps, settings.private_window_patterns)

    def check_window(self, window: VisibleWindow) -> Veto | None:
        names = window.app_names()
        excluded = names & self.excluded_apps
        if excluded:
            return Veto("excluded_app", sorted(excluded)[0])
        for pattern in self.private_patterns:
            if pattern.search(window.title) or any(pattern.search(n) for n in (window.app, window.process or "")):
                return Veto("private_window", window.app or "browser")
        return None

    def check(self, windows: Sequence[VisibleWindow]) -> Veto | None:
        """The first veto among all visible windows (topmost first), else ``None``."""
        for window in reversed(windows):
            veto = self.check_window(window)
            if veto is not None:
                return veto
        return None


# -- pause --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PauseState:
    paused: bool
    until: datetime | None = None  # None while paused: until resumed
    since: datetime | None = None

    def describe(self, now: datetime | None = None) -> str:
        if not self.paused:
            return "capturing"
        if self.until is None:
            return "paused until resumed"
        now = now or datetime.now(UTC)
        minutes = max(0, round((self.until - now).total_seconds() / 60))
        return f"paused for {minutes} more min (until {self.until.astimezone():%H:%M})"


class PauseControl:
    """Pause/resume, optionally persisted in ``runtime_dir/capture-pause.json`` for other processes."""

    FILE_NAME = "capture-pause.json"

    def __init__(self, runtime_dir: Path | None = None) -> None:
        self._path = runtime_dir / self.FILE_NAME if runtime_dir is not None else None
        self._lock = threading.Lock()
        self._state = PauseState(False)
        self._mtime: float | None = None

    def pause(self, duration: timedelta | None = None, now: datetime | None = None) -> PauseState:
        now = now or datetime.now(UTC)
        state = PauseState(True, now + duration if duration else None, now)
        self._write(state)
        return state

    def resume(self) -> PauseState:
        state = PauseState(False)
        self._write(state)
        return state

    def state(self, now: datetime | None = None) -> PauseState:
        """The current state; an elapsed timed pause reads as not paused."""
        now = now or datetime.now(UTC)
        with self._lock:
            self._reload()
            state = self._state
        if state.paused and state.until is not None and now >= state.until:
            return PauseState(False)
        return state

    def _write(self, state: PauseState) -> None:
        with self._lock:
            self._state = state
            if self._path is None:
                return
            payload = {
                "paused": state.paused,
                "until": state.until.timestamp() if state.until else None,
                "since": state.since.timestamp() if state.since else None,
            }
            from core.private_file import write_private

            write_private(self._path, json.dumps(payload).encode())
            self._mtime = self._path.stat().st_mtime_ns

    def _reload(self) -> None:
        if self._path is None:
            return
        try:
            mtime = self._path.stat().st_mtime_ns
        except FileNotFoundError:
            return
        if mtime == self._mtime:
            return
        self._mtime = mtime
        with contextlib.suppress(OSError, ValueError, TypeError):
            data = json.loads(self._path.read_text(encoding="utf-8"))
            until = data.get("until")
            since = data.get("since")
            self._state = PauseState(
                bool(data.get("paused")),
                datetime.fromtimestamp(until, UTC) if until else None,
                datetime.fromtimestamp(since, UTC) if since else None,
            )


_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
          "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
          "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
          "d": 86400, "day": 86400, "days": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")


def parse_duration(text: str) -> timedelta:
    """``"30m"``, ``"2h"``, ``"1h30m"``, ``"45 s"``, ``"1 day"`` -> timedelta (a unit is required)."""
    cleaned = text.strip().lower()
    position = 0
    total = 0.0
    for match in _PART.finditer(cleaned):
        if cleaned[position : match.start()].strip():
            break
        unit = _UNITS.get(match.group(2))
        if unit is None:
            raise InvalidDuration(f"unknown unit {match.group(2)!r} in {text!r} (use s, m, h or d)")
        total += float(match.group(1)) * unit
        position = match.end()
    if not cleaned or position != len(cleaned) or total <= 0:
        raise InvalidDuration(f"cannot read duration {text!r} (examples: 30m, 2h, 1h30m)")
    return timedelta(seconds=total)



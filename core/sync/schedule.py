"""When background sync runs: soon after changes settle (debounced), every few minutes anyway, less often offline.

A pure state machine over a monotonic clock, so its rules are tested without
waiting: ``changed(now)`` notes a change, ``due(now)`` says whether a pass
should start, ``finished(now, ok=…)``/``offline(now)`` record how it went.

* a change starts a pass once nothing else changed for ``quiet_s``, and at the
  latest ``max_delay_s`` after the first unsynced change (screen capture
  never goes quiet for long);
* with no changes, a pass every ``every_s`` brings in the other devices' work;
* while the target is unreachable, retries back off from ``retry_s`` doubling up
  to ``every_s``: sync pauses without spinning, and resumes by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

QUIET_S = 15.0
MAX_DELAY_S = 120.0
EVERY_S = 300.0
RETRY_S = 30.0


@dataclass(slots=True)
class SyncSchedule:
    quiet_s: float = QUIET_S
    max_delay_s: float = MAX_DELAY_S
    every_s: float = EVERY_S
    retry_s: float = RETRY_S
    last_pass: float | None = None
    first_change: float | None = None
    last_change: float | None = None
    offline_since: float | None = None
    next_retry: float | None = None
    _backoff: float = 0.0

    def changed(self, now: float) -> None:
        if self.first_change is None:
            self.first_change = now
        self.last_change = now

    def due(self, now: float) -> bool:
        if self.offline_since is not None:
            return self.next_retry is not None and now >= self.next_retry
        if self.last_pass is None:
            return True
        if self.first_change is not None and self.last_change is not None and (
                now - self.last_change >= self.quiet_s or now - self.first_change >= self.max_delay_s):
            return True
        return now - self.last_pass >= self.every_s

    def started(self, now: float) -> None:
        """A pass begins: the changes up to now are in it."""
        self.first_change = self.last_change = None

    def finished(self, now: float) -> None:
        self.last_pass = now
        self.offline_since = self.next_retry = None
        self._backoff = 0.0

    def offline(self, now: float) -> None:
        if self.offline_since is None:
            self.offline_since = now
        self._backoff = min(self.every_s, self._backoff * 2 if self._backoff else self.retry_s)
        self.next_retry = now + self._backoff

    @property
    def is_offline(self) -> bool:
        return self.offline_since is not None

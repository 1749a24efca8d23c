"""The capture thread's watch: its heartbeat (a hung thread is noticed), sleeps noticed, and the minute ledger it keeps.

The capture thread calls ``beat()`` at each tick and ``note()`` with each
tick's outcome; the supervisor asks ``silent_s()``, calls ``failed()`` when
the thread died or hangs (alarm in the health report, an error gap in the
ledger) and ``flush()`` to hand closed minutes to the ``LedgerSink``.

Threads: ``beat`` on the capture thread, the rest on any thread (the
ledger is thread-safe; the heartbeat is a pair of floats, written whole).
Errors: ``flush`` reports a sink's failure in the health report, never raises.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core.capture.screen.health import Health
from core.capture.screen.ledger import LedgerSink, LedgerState, MinuteLedger

# The wall clock ran this much further than the monotonic one between two beats: the machine slept.
SLEEP_GAP_S = 30.0


class CaptureWatch:
    def __init__(self, health: Health, sink: LedgerSink | None, wall: Callable[[], float] = time.time) -> None:
        self.ledger = MinuteLedger()  # every minute: captured, or the reason it was not
        self._health = health
        self._sink = sink
        self._wall = wall  # the ledger's clock (UTC epoch seconds)
        self._beat = (time.monotonic(), wall())

    def reset(self) -> None:
        """A new capture thread starts: it has not been silent yet."""
        self._beat = (time.monotonic(), self._wall())

    def beat(self) -> None:
        """The capture thread is alive; a wall-clock jump since its last beat was a sleep."""
        mono, wall = time.monotonic(), self._wall()
        last_mono, last_wall = self._beat
        # The monotonic clock stops while the machine sleeps; the wall clock does not.
        if (wall - last_wall) - (mono - last_mono) > SLEEP_GAP_S:
            self.ledger.note_span("asleep", last_wall, wall)
        self._beat = (mono, wall)

    def silent_s(self) -> float:
        return time.monotonic() - self._beat[0]

    def note(self, state: LedgerState, detail: str = "") -> None:
        self.ledger.note(state, self._wall(), detail)

    def lost(self, message: str) -> None:
        """A captured frame was lost (the vault refused it): an error, and this minute is not "captured"."""
        self._health.error(message)
        self.ledger.note("failed", self._wall(), message)

    def failed(self, message: str, hung: bool = False) -> None:
        """The capture thread died or hangs: the alarm, and an error gap (since its last beat, if it hangs)."""
        now = self._wall()
        self._health.raise_alarm(message)
        if hung:
            self.ledger.note_span("error", self._beat[1], now, message)
        self.ledger.note("error", now, message)

    def flush(self, final: bool = False) -> None:
        """Hand the closed minutes (all of them when ``final``) to the sink."""
        minutes = self.ledger.take_all() if final else self.ledger.take_closed(self._wall())
        if not minutes or self._sink is None:
            return
        try:
            self._sink.record_minutes(minutes)
        except Exception as exc:  # the vault refused (locked, disk full): reported, capture goes on
            self._health.error(f"writing the capture ledger failed: {type(exc).__name__}: {exc}")

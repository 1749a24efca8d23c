"""Capture health as a ledger: every minute either captured or a gap with its reason, and the spans read back.

The capture thread ``note``s what each tick did (captured, or why not); a
minute's outcome is "captured" when any tick in it grabbed the screen, else
the gap reason noted most often in it (ties go to the more serious reason).
Closed minutes are handed to a ``LedgerSink`` (the vault's encrypted table,
``ledger_store``); minutes with no record at all read back as ``off`` (Cairn
was not running, or the machine was off).  Details hold reason labels and
error messages, never an app name, a window title or screen text.

Threads: ``MinuteLedger`` is thread-safe (the capture thread notes, the
supervisor takes closed minutes).  Errors: none raised here.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, Protocol

LedgerState = Literal["captured", "idle", "paused", "locked", "asleep", "excluded", "unavailable", "error", "off",
                      "failed"]  # "failed": a frame was lost; noted, never stored (the minute becomes "error")
MINUTE = 60
# Which reason names a minute when several were noted equally often: the one the user most needs to see.
_SEVERITY: Mapping[str, int] = MappingProxyType({"error": 8, "unavailable": 7, "excluded": 6, "locked": 5,
                                                 "asleep": 4, "paused": 3, "idle": 2, "off": 1, "captured": 0})
_LABELS: Mapping[str, str] = MappingProxyType({
    "captured": "captured",
    "idle": "idle (nothing changed while you were away)",
    "paused": "paused by you",
    "locked": "screen locked",
    "asleep": "machine asleep",
    "excluded": "an excluded app or private window was in front",
    "unavailable": "display unavailable",
    "error": "capture error",
    "off": "Cairn was not running",
})

_SHORT: Mapping[str, str] = MappingProxyType({
    "idle": "idle", "paused": "paused", "locked": "locked", "asleep": "asleep",
    "excluded": "excluded app/private window", "unavailable": "display unavailable", "error": "errors",
    "off": "Cairn not running"})


def minute_of(epoch: float) -> int:
    """The start (UTC epoch seconds) of the minute holding ``epoch``."""
    return int(epoch // MINUTE) * MINUTE


@dataclass(frozen=True, slots=True)
class LedgerMinute:
    minute: int  # UTC epoch seconds, a multiple of 60
    state: LedgerState
    detail: str = ""  # which excluded kind, the error message, …: never content


@dataclass(frozen=True, slots=True)
class LedgerSpan:
    """Consecutive minutes with the same state and detail: ``[start, end)`` in UTC epoch seconds."""

    start: int
    end: int
    state: LedgerState
    detail: str = ""

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // MINUTE

    @property
    def is_gap(self) -> bool:
        return self.state != "captured"

    def reason(self) -> str:
        """What the user reads on hover and in `cairn status`."""
        label = _LABELS.get(self.state, self.state)
        if self.state == "excluded" and self.detail:
            return self.detail
        return f"{label}: {self.detail}" if self.detail else label


class LedgerSink(Protocol):
    """Where closed minutes go (the vault's encrypted ledger in production, a list in tests)."""

    def record_minutes(self, minutes: Sequence[LedgerMinute]) -> None: ...


class MinuteLedger:
    """Collects tick outcomes per minute until the supervisor takes the closed minutes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[int, Counter[str]] = {}
        self._details: dict[tuple[int, str], str] = {}

    def note(self, state: LedgerState, at: float, detail: str = "") -> None:
        """One tick's outcome at wall-clock time ``at`` (UTC epoch seconds)."""
        minute = minute_of(at)
        with self._lock:
            self._counts.setdefault(minute, Counter())[state] += 1
            if detail:
                self._details[(minute, state)] = detail[:300]

    def note_span(self, state: LedgerState, start: float, end: float, detail: str = "") -> None:
        """Every minute of ``[start, end)`` had ``state`` (a sleep, a stall): one note per minute."""
        minute = minute_of(start)
        while minute < end:
            self.note(state, max(float(minute), start), detail)
            minute += MINUTE

    def take_closed(self, now: float) -> list[LedgerMinute]:
        """The minutes before the one holding ``now``, decided and forgotten here."""
        return self._take(lambda minute: minute < minute_of(now))

    def take_all(self) -> list[LedgerMinute]:
        """Every minute noted so far, the current one too (the daemon stops)."""
        return self._take(lambda _minute: True)

    def _take(self, closed: Callable[[int], bool]) -> list[LedgerMinute]:
        with self._lock:
            done = sorted(m for m in self._counts if closed(m))
            out = []
            for minute in done:
                counts = self._counts.pop(minute)
                state = decide(counts)
                detail = self._details.get((minute, "failed" if counts.get("failed") else state), "")
                for key in [k for k in self._details if k[0] == minute]:
                    del self._details[key]
                out.append(LedgerMinute(minute, state, detail))
            return out


def decide(counts: Counter[str]) -> LedgerState:
    """A minute that lost a frame is an error; one with any captured tick is captured; else its most frequent
    reason, the more serious on ties."""
    if counts.get("failed"):
        return "error"
    if counts.get("captured"):
        return "captured"
    return max(counts, key=lambda s: (counts[s], _SEVERITY.get(s, 0)))  # type: ignore[return-value]


def spans(minutes: Iterable[LedgerMinute], start: int, end: int) -> list[LedgerSpan]:
    """The ledger over ``[start, end)`` (minute-aligned) as spans; minutes without a record are ``off``."""
    by_minute = {m.minute: m for m in minutes if start <= m.minute < end}
    out: list[LedgerSpan] = []
    for minute in range(minute_of(start), end, MINUTE):
        rec = by_minute.get(minute)
        state: LedgerState = rec.state if rec else "off"
        detail = rec.detail if rec else ""
        last = out[-1] if out else None
        if last is not None and last.state == state and last.detail == detail and last.end == minute:
            out[-1] = LedgerSpan(last.start, minute + MINUTE, state, detail)
        else:
            out.append(LedgerSpan(minute, minute + MINUTE, state, detail))
    return out


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a period was captured, and the gaps in it (newest last)."""

    minutes: int
    captured: int
    by_state: dict[str, int]
    gaps: tuple[LedgerSpan, ...]
    spans: tuple[LedgerSpan, ...] = ()  # the whole ledger of the period, captured spans too

    @property
    def fraction(self) -> float:
        return self.captured / self.minutes if self.minutes else 0.0

    def summary(self) -> str:
        """'78 % captured (6 h 12 min of 7 h 58 min); idle 40 min, paused by you 12 min'."""
        head = f"{self.fraction:.0%} captured ({minutes_words(self.captured)} of {minutes_words(self.minutes)})"
        rest = [f"{_SHORT.get(state, state)} {minutes_words(n)}"
                for state, n in sorted(self.by_state.items(), key=lambda kv: -kv[1]) if state != "captured" and n]
        return head + ("; " + ", ".join(rest) if rest else "")

    def last_gaps(self, count: int = 5) -> list[str]:
        """The newest gaps, newest first, as 'HH:MM–HH:MM reason' in local time."""
        return [f"{_clock(g.start)}–{_clock(g.end)} {g.reason()}" for g in reversed(self.gaps[-count:])]

    @classmethod
    def of(cls, ledger: Sequence[LedgerSpan]) -> Coverage:
        by_state: Counter[str] = Counter()
        for span in ledger:
            by_state[span.state] += span.minutes
        return cls(sum(by_state.values()), by_state["captured"], dict(by_state),
                   tuple(s for s in ledger if s.is_gap), tuple(ledger))


def minutes_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def _clock(epoch: int) -> str:
    from datetime import datetime  # late: formatting only

    return datetime.fromtimestamp(epoch).astimezone().strftime("%H:%M")

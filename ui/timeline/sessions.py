"""App sessions: consecutive screenshots of one app window, folded into one timeline card.

Two frames belong together when both are screenshots of the same app, window
title and monitor, taken at most ``SESSION_GAP_S`` apart with no other
screenshot *of that monitor* between them (two monitors' frames interleave:
each monitor's window keeps its own session).  A chat message or document stored meanwhile (often
imported from elsewhere) does not end the session: it gets its own row after
the card, which stays where the session started.  A session is named by its best frame:
the one with the most words read from the screen (the fullest view of the
window), the later one on a tie.

Threads: pure functions and a plain dataclass; any thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ui import fmt

SESSION_GAP_S = 300.0  # five minutes without a frame of the window ends its session


def session_key(item: Any) -> tuple[str, str, str] | None:
    """What must match for two frames to share a session (None: not a screenshot)."""
    if item.kind != "screenshot":
        return None
    meta = item.meta or {}
    return ((fmt.app_of(item) or "").lower(), (fmt.window_of(item) or "").strip(), str(meta.get("monitor", "")))


def continues(session: AppSession, item: Any) -> bool:
    """Whether ``item`` (the next moment in time) extends ``session``."""
    key = session_key(item)
    if key is None or key != session_key(session.frames[-1]):
        return False
    gap = (item.timestamp - session.frames[-1].timestamp).total_seconds()
    return 0 <= gap <= SESSION_GAP_S


@dataclass
class AppSession:
    """One timeline row: a single moment, or several frames of one app window."""

    frames: list[Any] = field(default_factory=list)

    @property
    def best(self) -> Any:
        return max(reversed(self.frames), key=lambda f: len((f.text or "").split()))

    @property
    def start(self) -> datetime:
        return self.frames[0].timestamp

    @property
    def end(self) -> datetime:
        return self.frames[-1].timestamp

    def frame_near(self, moment: datetime) -> Any:
        return min(self.frames, key=lambda f: abs((f.timestamp - moment).total_seconds()))

    def pick(self, item_id: int | None, near: datetime | None) -> int:
        """The index of the frame ``item_id``, else of the frame nearest ``near``, else of the best frame."""
        index = self.index_of(item_id) if item_id is not None else -1
        if index < 0:
            index = self.frames.index(self.frame_near(near) if near is not None else self.best)
        return index

    def index_of(self, item_id: int) -> int:
        for index, frame in enumerate(self.frames):
            if int(frame.id) == int(item_id):
                return index
        return -1


def _monitor(item: Any) -> str:
    return str((item.meta or {}).get("monitor", ""))


def _open_screen_sessions(sessions: list[AppSession], look_back: int = 64) -> dict[str, int]:
    """Per monitor, the index of its newest session of screenshots (among the last ``look_back`` rows)."""
    found: dict[str, int] = {}
    for index in range(len(sessions) - 1, max(-1, len(sessions) - 1 - look_back), -1):
        first = sessions[index].frames[0]
        if first.kind == "screenshot":
            found.setdefault(_monitor(first), index)
    return found


def group(sessions: list[AppSession], items: list[Any]) -> set[int]:
    """Append ``items`` (in time order) to ``sessions``, extending each monitor's open session where they continue it.

    Returns the indices of sessions that existed before and grew."""
    before = len(sessions)
    grown: set[int] = set()
    open_sessions = _open_screen_sessions(sessions)
    for item in items:
        if item.kind == "screenshot":
            index = open_sessions.get(_monitor(item), -1)
            if index >= 0 and continues(sessions[index], item):
                sessions[index].frames.append(item)
                if index < before:
                    grown.add(index)
                continue
            open_sessions[_monitor(item)] = len(sessions)
        sessions.append(AppSession([item]))
    return grown


def span_text(session: AppSession) -> str:
    """"09:17" for one moment, "09:17–09:42" for a session spanning minutes."""
    first, last = fmt.fmt_time(session.start), fmt.fmt_time(session.end)
    return first if first == last else f"{first}–{last}"


def frames_text(session: AppSession) -> str:
    """"12 screens" (empty for a single moment)."""
    count = len(session.frames)
    return f"{count} screens" if count > 1 else ""

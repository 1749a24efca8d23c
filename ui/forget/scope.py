"""What the user can forget, in words and as ``vault.forget`` arguments: a moment, its hour, its day, an app,
a time range, the demo memory.  Pure (no Qt); the dialog lists the scopes that fit what was right-clicked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.types import TimeRange
from ui import fmt


@dataclass(frozen=True, slots=True)
class ForgetScope:
    key: str
    label: str
    time_range: TimeRange | None = None
    app: str | None = None
    item_ids: tuple[int, ...] = ()
    demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``vault.forget`` / ``vault.count_forget``."""
        return {"time_range": self.time_range, "app": self.app, "item_ids": self.item_ids}


def scopes_for(item: Any | None) -> list[ForgetScope]:
    """The scopes offered for ``item`` (a memory the user pointed at; None: only ranges and the demo)."""
    out: list[ForgetScope] = []
    if item is not None:
        when = fmt.to_local(item.timestamp)
        hour = when.replace(minute=0, second=0, microsecond=0)
        day = datetime.combine(when.date(), datetime.min.time()).astimezone()
        out.append(ForgetScope("moment", f"This memory ({fmt.fmt_when(item.timestamp)}, {fmt.fmt_time(item.timestamp)})", item_ids=(int(item.id),)))
        out.append(ForgetScope("hour", f"Everything from {hour:%H:%M}–{hour + timedelta(hours=1):%H:%M}"
                                       f" on {hour:%a %-d %b}", time_range=TimeRange(hour, hour + timedelta(hours=1))))
        out.append(ForgetScope("day", f"Everything from {day:%A %-d %B}",
                               time_range=TimeRange(day, day + timedelta(days=1))))
        app = fmt.app_of(item)
        if app:
            out.append(ForgetScope("app", f"Every screenshot of {app}", app=app))
    out.append(ForgetScope("range", "A time range…"))
    out.append(ForgetScope("demo", "The demo memory (sample chats, screenshots and documents)", demo=True))
    return out


def preview_text(count: int | None, scope: ForgetScope) -> str:
    if count is None:
        return "Counting…"
    if count == 0:
        return "Nothing to forget here."
    what = f"{count} memor{'y' if count == 1 else 'ies'}"
    return (f"{what} will be deleted for good — text, screenshots, search index and everything learned from them."
            " This cannot be undone.")

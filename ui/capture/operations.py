"""The capture area's operations: run the capture host inside the app, read its health, pause and resume it.

None of them needs the vault handle (the host got it when it was built), so
they are ``ui.operations.WorkOp``s: they run while locking too, which is when
the host must stop.

Threads: build on the GUI thread; the work runs on a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ui.operations import QueryOp, WorkOp
from ui.session import Session

if TYPE_CHECKING:
    from core.host.control import CaptureControl, CaptureHealth
    from core.host.host import CaptureHost
    from core.settings import Settings
    from core.vault import Vault


def start_host(session: Session, vault: Vault, settings: Settings) -> WorkOp[CaptureHost]:
    """Build the capture host over ``vault`` and start what ``settings`` turn on (it takes the capture lock)."""

    def build() -> CaptureHost:
        from core.host.host import CaptureHost, HostOptions  # late: capture loads with the first unlock

        host = CaptureHost(vault, HostOptions(holder="Cairn app"))
        host.start(settings)
        return host

    return WorkOp(session, build, label="start capture")


def apply_settings(session: Session, host: CaptureHost, settings: Settings) -> WorkOp[None]:
    """New settings for a running host: privacy rules at once, restarts where needed."""
    return WorkOp(session, lambda: host.apply(settings), label="apply capture settings")


def stop_host(session: Session, host: CaptureHost) -> WorkOp[None]:
    return WorkOp(session, host.stop, label="stop capture")


def read_health(session: Session, control: CaptureControl) -> WorkOp[CaptureHealth]:
    return WorkOp(session, control.health, label="health")


def read_files_activity(session: Session, activity: Callable[[], str | None]) -> WorkOp[str | None]:
    """What the folder watcher is OCR'ing now ("scan.pdf: OCR page 37 of 200"), or None."""
    return WorkOp(session, activity, label="files activity")


def pause(session: Session, control: CaptureControl, minutes: float | None) -> WorkOp[object]:
    """Pause capture for ``minutes`` (None: until resumed)."""
    return WorkOp(session, lambda: control.pause(minutes), label="pause")


def resume(session: Session, control: CaptureControl) -> WorkOp[object]:
    return WorkOp(session, control.resume, label="resume")


def read_coverage(session: Session, now: datetime) -> QueryOp[str]:
    """The screen capture ledger from ``now``'s midnight to ``now`` in one line: coverage, then the newest gap
    ("" when nothing was recorded)."""
    def today(vault: Vault) -> str:
        cover = vault.capture_coverage(now.replace(hour=0, minute=0, second=0, microsecond=0), now)
        if not cover.captured:
            return ""
        gaps = [g for g in cover.last_gaps(1)]
        return "Today: " + cover.summary() + (f" · last gap {gaps[0]}" if gaps else "")

    return QueryOp(session, today, label="capture coverage")

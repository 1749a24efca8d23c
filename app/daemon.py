"""``cairn daemon``: everything that captures, in one process, while the vault is unlocked.

Runs the screen capture daemon, the folder watcher, the chat inbox (export
files dropped into ``settings.chat_inbox`` are imported, idempotently) and
consolidation while nothing new arrives.  It writes only non-secret status
files (counts and times) into the runtime folder, polls the lock flag every
second and, when the user locks the vault (`cairn lock`, the app, the tray),
stops capture and closes the vault: its keys are gone and it exits.
SIGTERM / SIGINT stop it the same way.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

INBOX_EVERY_S = 5.0  # a directory listing: cheap
EMBED_EVERY_S = 60.0  # screen frames are stored without vectors; they get them in batches
RETENTION_EVERY_S = 3600.0
CONSOLIDATE_QUIET_S = 120.0  # nothing new for this long counts as idle for consolidation


@dataclass(slots=True)
class DaemonOptions:
    screen: bool = True
    files: bool = True
    inbox: bool = True
    consolidate: bool = True
    tick_s: float = 1.0


@dataclass(slots=True)
class InboxState:
    seen: dict[str, tuple[int, float]] = field(default_factory=dict)  # path -> (size, mtime) imported


def import_inbox(vault: Any, folder: Path, state: InboxState, say: Callable[[str], None]) -> int:
    """Import export files that appeared or changed in ``folder``; returns records imported."""
    from core.errors import CairnError

    imported = 0
    if not folder.is_dir():
        return 0
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        st = path.stat()
        key = str(path)
        if state.seen.get(key) == (st.st_size, st.st_mtime):
            continue
        if time.time() - st.st_mtime < 2.0:
            continue  # still being written: next round
        try:
            report = vault.import_path(path)
        except CairnError as exc:
            say(f"inbox: {path.name}: {exc}")
        else:
            imported += report.imported + report.updated
            if report.imported or report.updated or report.failed:
                say(f"inbox: {path.name} ({report.format}): {report.imported} imported, {report.updated} updated,"
                    f" {report.duplicate} duplicate, {len(report.failed)} failed")
        state.seen[key] = (st.st_size, st.st_mtime)
    return imported


def run_daemon(vault: Any, options: DaemonOptions, stop: threading.Event, say: Callable[[str], None]) -> str:
    """Run until ``stop`` is set or the vault is locked; returns why it stopped.  Closes nothing it did not open."""
    from core.host.screen import build_screen_daemon
    from core.vault import lock_flag

    settings = vault.settings()
    screen = watcher = None
    if options.screen and settings.screen_enabled:
        screen = build_screen_daemon(vault, settings)
        screen.start()
        say(f"screen capture: every {settings.capture_interval_s:g} s")
    if options.files and settings.watched_folders:
        from core.capture.files.service import start_watcher

        watcher = start_watcher(vault)
        say(f"watching {len(settings.watched_folders)} folder(s)")
    inbox = Path(settings.chat_inbox).expanduser() if (options.inbox and settings.chat_inbox) else None
    if inbox is not None:
        say(f"chat inbox: {inbox}")
    state = InboxState()
    last_inbox = 0.0
    last_embed = last_retention = time.monotonic() - RETENTION_EVERY_S + 60.0  # first retention pass after a minute
    last_new = time.monotonic()
    last_count = vault.stats().items
    reason = "stopped"
    try:
        while not stop.wait(options.tick_s):
            if lock_flag(vault.paths).exists():
                reason = "locked"
                break
            now = time.monotonic()
            if inbox is not None and now - last_inbox >= INBOX_EVERY_S:
                last_inbox = now
                import_inbox(vault, inbox, state, say)
            if now - last_embed >= EMBED_EVERY_S:
                last_embed = now
                vault.embed_pending()
            if now - last_retention >= RETENTION_EVERY_S:
                last_retention = now
                gone = vault.enforce_retention()
                if gone["items"] or gone["media"]:
                    say(f"retention: {gone['items']} memories and {gone['media']} media files removed")
            count = vault.stats().items
            if count != last_count:
                last_count, last_new = count, now
            elif options.consolidate and now - last_new >= CONSOLIDATE_QUIET_S:
                report = vault.consolidate(should_stop=lambda: stop.is_set() or lock_flag(vault.paths).exists())
                if report.items_processed:
                    say(f"consolidated {report.items_processed} memories")
                last_new = now  # wait for the next quiet period
    finally:
        if screen is not None:
            screen.stop()
        if watcher is not None:
            watcher.stop()
            watcher.indexer.close()
    return reason


def install_signal_handlers(stop: threading.Event) -> None:
    def handler(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)

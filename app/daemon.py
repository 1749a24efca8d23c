"""``cairn daemon``: the capture host in a process of its own, while the vault is unlocked.

Runs ``core.host.CaptureHost`` (screen, watched folders, chat inbox,
embeddings, retention, consolidation while idle), polls the lock flag every
tick and, when the user locks the vault (`cairn lock`, the app, the tray),
stops capture and returns: the caller closes the vault, its keys are gone and
the process exits.  SIGTERM / SIGINT stop it the same way.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.host.host import CaptureHost, HostOptions

if TYPE_CHECKING:
    from core.vault import Vault


def run_daemon(vault: Vault, options: HostOptions, stop: threading.Event, say: Callable[[str], None]) -> str:
    """Run until ``stop`` is set or the vault is locked; returns why it stopped.  Closes nothing it did not open."""
    from core.vault import lock_flag

    host = CaptureHost(vault, options, say)
    host.start()
    try:
        return host.wait_stopped(stop, lambda: "locked" if lock_flag(vault.paths).exists() else None)
    finally:
        host.stop()


def install_signal_handlers(stop: threading.Event) -> None:
    def handler(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)

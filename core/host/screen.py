"""Builds the screen capture daemon for an unlocked vault (run by the capture host, under `cairn daemon` or the app)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.capture.screen.daemon import ScreenDaemon
    from core.settings import Settings
    from core.vault import Vault


def build_screen_daemon(vault: Vault, settings: Settings) -> ScreenDaemon:
    """A ScreenDaemon that stores into ``vault`` (not started)."""
    # Late: the daemon pulls mss, Pillow and the OCR engine, which a CLI command must not pay for.
    from core.capture.screen.daemon import ScreenDaemon
    from core.capture.screen.daemon_config import DaemonConfig
    from core.capture.screen.ledger_store import VaultLedgerSink
    from core.capture.screen.privacy import PauseControl, PrivacyPolicy
    from core.capture.screen.sink import VaultFrameSink

    runtime_dir = vault.paths.runtime_dir
    runtime_dir.mkdir(parents=True, exist_ok=True)
    from core.storage_budget import disk_low

    sink = VaultFrameSink(vault, low_disk=lambda: disk_low(vault.paths.home))  # text only when the disk is nearly full
    return ScreenDaemon(sink, DaemonConfig.from_settings(settings, runtime_dir),
                        PrivacyPolicy.from_settings(settings), pause_control=PauseControl(runtime_dir),
                        ledger_sink=VaultLedgerSink(vault))

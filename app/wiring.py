"""Builds the concrete capture services for a vault (used by `cairn daemon` and the desktop app)."""

from __future__ import annotations

from typing import Any


def build_screen_daemon(vault: Any, settings: Any) -> Any:
    """A ScreenDaemon that stores into ``vault`` (not started)."""
    from core.capture.screen.daemon import DaemonConfig, ScreenDaemon
    from core.capture.screen.privacy import PauseControl, PrivacyPolicy
    from core.capture.screen.sink import VaultFrameSink

    runtime_dir = vault.paths.runtime_dir
    runtime_dir.mkdir(parents=True, exist_ok=True)
    return ScreenDaemon(VaultFrameSink(vault), DaemonConfig.from_settings(settings, runtime_dir),
                        PrivacyPolicy.from_settings(settings), pause_control=PauseControl(runtime_dir))

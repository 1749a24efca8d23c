"""`cairn daemon` capturing a real X screen (Xvfb + openbox + Qt windows), checked through `cairn search`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.paths import VaultPaths
from tests.capture.screen.xserver import QtWindow, x_tools_missing, xserver
from tests.conftest import TEST_PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xvfb


def _wait(predicate: Callable[[], bool], timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(1.0)
    return False


def test_cli_daemon_captures_screen_text_and_never_a_private_window(tmp_path: Path) -> None:
    missing = x_tools_missing()
    if missing:
        pytest.fail(f"X tools missing: {missing} (scripts/setup.sh installs them)")
    from core.vault import Vault

    home = tmp_path / "home"
    with Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None) as v:
        v.update_settings(capture_interval_s=1.0)
    with xserver() as server:
        env = {**os.environ, **server.env(), "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE,
               "CAIRN_EMBEDDER": "none"}

        def cairn(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, capture_output=True,
                                  text=True, timeout=120)

        def found(word: str) -> bool:
            return word.lower() in cairn("search", word, "--json", "--no-time-parse").stdout.lower()

        daemon = subprocess.Popen([sys.executable, "-m", "app.cli", "daemon", "--no-files", "--no-inbox"], env=env,
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        notes = private = None
        try:
            notes = QtWindow(server, "cairn-notes", "Groceries - Notes",
                             ["Buy marmalade for the quokkafest picnic"], (40, 40, 900, 300))
            assert _wait(lambda: found("quokkafest")), "the text on screen never became searchable"

            def capture() -> dict:
                return json.loads(cairn("status", "--json").stdout)["capture"]

            # The status file is rewritten on the daemon's own beat: wait for it to tell of the stored frame.
            assert _wait(lambda: capture().get("frames_stored", 0) >= 1, 60), capture()
            status = capture()
            assert status["state"] not in ("not running", "stopped"), status
            private = QtWindow(server, "firefox", "Secret plans - Mozilla Firefox Private Browsing",
                               ["The zebracrossword surprise party is on Friday"], (200, 200, 900, 300))
            stored_before = status["frames_stored"]

            def private_skips() -> int:
                skipped = capture().get("skipped", {})
                return sum(n for reason, n in skipped.items() if "private" in reason or "veto" in reason)

            # Several capture ticks (each one vetoed) with the private window on screen.
            assert _wait(lambda: private_skips() >= 3, 60), capture()
            private.close()
            private = None
            assert not found("zebracrossword")
            after = json.loads(cairn("status", "--json").stdout)["capture"]
            assert any("private" in reason or "veto" in reason for reason in after.get("skipped", {})), after
            assert after["frames_stored"] >= stored_before
            assert cairn("lock").returncode == 0
            out, _ = daemon.communicate(timeout=60)
            assert "daemon locked" in out
        finally:
            for window in (notes, private):
                if window is not None:
                    window.close()
            if daemon.poll() is None:
                daemon.kill()
    # The capture ledger (encrypted in the vault) has the minutes the daemon captured.
    with Vault.open(VaultPaths(home), TEST_PASSPHRASE, embedder=None) as v:
        now = datetime.now(UTC)
        cover = v.capture_coverage(now - timedelta(hours=1), now + timedelta(minutes=2))
    assert cover.captured >= 1, cover
    # Nothing of the private window in any file (the vault is encrypted, and the text was never captured).
    for path in home.rglob("*"):
        if path.is_file():
            assert b"zebracrossword" not in path.read_bytes()

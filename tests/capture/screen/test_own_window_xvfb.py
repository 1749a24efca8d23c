"""Cairn never captures itself, for real: a `cairn daemon` grabs a real Xvfb screen while the real desktop app (another
process, known to the daemon by its registered pid, not its title) is open in front.  Not one frame is stored while
it is open; the same daemon stores a foreign window before the app opens and after it closes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.capture.screen.window_x11 import X11WindowInfo
from core.normalize.ocr import TesseractOcr
from core.paths import VaultPaths
from core.types import Record
from tests.conftest import TEST_PASSPHRASE

from .xserver import QtWindow, x_tools_missing, xserver

pytestmark = [pytest.mark.xvfb, pytest.mark.slow,
              pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))]

ROOT = Path(__file__).resolve().parents[3]


def _wait(what: str, predicate: Callable[[], Any], timeout: float = 180.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"gave up waiting: {what}")


def _screen_rows(vault: Any) -> list[tuple[str, str, str]]:
    rows = vault.read().execute("SELECT title, conversation, text FROM items WHERE source = 'screen'").fetchall()
    return [(title or "", app or "", text.lower()) for title, app, text in rows]


def _skipped(home: Path, reason: str) -> int:
    try:
        status = json.loads((home / "run" / "screen-status.json").read_text())
    except (OSError, ValueError):
        return 0
    return int(status.get("skipped", {}).get(reason, 0))


def test_the_apps_own_window_is_never_captured_by_a_running_daemon(tmp_path: Path) -> None:
    pytest.importorskip("PySide6")
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")
    from core.vault import Vault

    home = tmp_path / "home"
    with Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        vault.update_settings(capture_interval_s=0.5, screen_enabled=True)
        # A memory the app's timeline shows: re-captured, it would come back as a screen moment.
        vault.ingest([Record(source="chat:test", external_id="1", kind="message", timestamp=datetime.now(UTC),
                             text="The kestrelvault inventory is due on Friday", speaker="Ana", conversation="team")],
                     embed=False)
    with xserver() as server:
        env = {**server.env(), "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none"}
        info = X11WindowInfo(server.display)
        notes = QtWindow(server, "notes-app", "Groceries - Notes", ["Zanzibar marmalade and quokka biscuits"],
                         (0, 0, 1280, 800), font_px=28)
        daemon = subprocess.Popen([sys.executable, "-m", "app.cli", "daemon", "--no-files", "--no-inbox"], env=env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        app: subprocess.Popen[bytes] | None = None
        reader = Vault.open(VaultPaths(home), TEST_PASSPHRASE, embedder=None)
        app_titles: set[str] = set()
        try:
            _wait("the daemon stores the foreign window",
                  lambda: any("quokka" in text for _, _, text in _screen_rows(reader)))

            app = subprocess.Popen([sys.executable, "-m", "app.main", "--home", str(home), "--passphrase-env",
                                    "--no-capture"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            app_pid = app.pid
            shown = _wait("the app's window is on screen", lambda: [
                w for w in info.visible_windows() if w.pid == app_pid and w.width > 200])
            app_titles |= {w.title for w in shown}
            before = _skipped(home, "own_window")
            # While the app is open, the screen changes under it: each tick must still be refused.
            notes.command("text Osprey lighthouse and pelican crossing")
            _wait("ticks refused as Cairn's own window", lambda: _skipped(home, "own_window") >= before + 5)
            app_titles |= {w.title for w in info.visible_windows() if w.pid == app_pid}

            # The next text goes up while the app is still open: once the app is gone, a tick may come
            # before the helper could repaint, and the notes window must no longer say "osprey" then.
            notes.command("text Heron feeding schedule for the aviary")
            app.send_signal(signal.SIGTERM)
            app.wait(60)
            _wait("the same daemon stores the foreign window again",
                  lambda: any("heron" in text for _, _, text in _screen_rows(reader)))
        finally:
            if app is not None and app.poll() is None:
                app.kill()
                app.wait()
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(60)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
            notes.close()
            info.close()
        rows = _screen_rows(reader)
        reader.close()
    assert app_titles and all(t for t in app_titles), app_titles
    for title, app_name, text in rows:
        assert title not in app_titles, f"a frame of Cairn's own window was stored: {title!r}"
        assert "osprey" not in text, "a frame taken while Cairn's window was open was stored"
        assert "kestrelvault" not in text, "a memory shown in Cairn's window was captured again"
        assert app_name == "notes-app", app_name

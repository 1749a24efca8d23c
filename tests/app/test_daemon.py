"""`cairn daemon` in a real process: chat inbox, watched folder, lock stops it (screen capture has its own Xvfb tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from core.paths import VaultPaths
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def _wait(predicate: Callable[[], bool], timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_daemon_imports_inbox_and_watched_files_and_stops_on_lock(tmp_path: Path) -> None:
    from core.vault import Vault

    home, inbox, docs = tmp_path / "home", tmp_path / "inbox", tmp_path / "docs"
    inbox.mkdir()
    docs.mkdir()
    with Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None) as v:
        v.update_settings(chat_inbox=str(inbox), watched_folders=[str(docs)], screen_enabled=False)
    env = {**os.environ, "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none"}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "daemon", "--no-screen"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def found(word: str) -> bool:
        out = subprocess.run([sys.executable, "-m", "app.cli", "search", word, "--json", "--no-time-parse"], env=env,
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
        return word in out.stdout

    try:
        write_jsonl(inbox / "export.jsonl", [jsonl_line("1", "the pelicanwharf meeting moved to thursday")])
        (docs / "notes.md").write_text("# Plans\n\nBook the zeppelinhangar tour for March.\n")
        assert _wait(lambda: found("pelicanwharf")), "the inbox export was not imported"
        assert _wait(lambda: found("zeppelinhangar")), "the watched folder was not indexed"
        assert subprocess.run([sys.executable, "-m", "app.cli", "lock"], env=env, cwd=ROOT).returncode == 0
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "daemon locked" in out


def test_a_second_daemon_is_refused_and_status_names_the_holder(tmp_path: Path) -> None:
    import json

    from core.vault import Vault

    home = tmp_path / "home"
    with Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None) as v:
        v.update_settings(screen_enabled=False)
    env = {**os.environ, "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none"}
    cli = [sys.executable, "-m", "app.cli"]
    first = subprocess.Popen([*cli, "daemon", "--no-screen"], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def lock_holder() -> dict[str, object] | None:
        out = subprocess.run([*cli, "status", "--json"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        return json.loads(out.stdout)["capture"]["lock_holder"] if out.returncode == 0 else None

    try:
        assert _wait(lambda: (lock_holder() or {}).get("pid") == first.pid), "the daemon did not take the capture lock"
        assert lock_holder() == {**(lock_holder() or {}), "name": "cairn daemon"}
        second = subprocess.run([*cli, "daemon", "--no-screen"], env=env, cwd=ROOT, capture_output=True, text=True,
                                timeout=120)
        assert second.returncode == 1
        assert f"error: capture already runs for this vault: cairn daemon (pid {first.pid}" in second.stderr
        assert "Traceback" not in second.stderr + second.stdout
        human = subprocess.run([*cli, "status"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert f"capture lock held by cairn daemon (pid {first.pid}" in human.stdout
        assert subprocess.run([*cli, "lock"], env=env, cwd=ROOT).returncode == 0
        first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0

"""`cairn sync` in fresh processes: two data directories meet in a folder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def _cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none",
            "CAIRN_SYNC_PASSPHRASE": "sync phrase", **env}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=full, cwd=ROOT, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_setup_now_status_between_two_homes(tmp_path: Path) -> None:
    laptop, desktop, folder = tmp_path / "laptop", tmp_path / "desktop", tmp_path / "Sync"
    folder.mkdir()
    for home in (laptop, desktop):
        assert _cli(home, "init", "--no-keyring").returncode == 0
    chat = write_jsonl(tmp_path / "c.jsonl", [jsonl_line("m1", "the staging url is staging.example.org",
                                                         speaker="Lukas", conversation="work")])
    assert _cli(laptop, "import", str(chat)).returncode == 0
    first = _cli(laptop, "sync", "setup", "folder", str(folder), "--name", "laptop")
    assert first.returncode == 0 and "Started a synced vault" in first.stdout, first.stderr
    wrong = _cli(desktop, "sync", "setup", "folder", str(folder), CAIRN_SYNC_PASSPHRASE="guess")
    assert wrong.returncode == 1 and "wrong sync passphrase" in wrong.stderr
    joined = _cli(desktop, "sync", "setup", "folder", str(folder), "--name", "desktop")
    assert joined.returncode == 0 and "Joined" in joined.stdout, joined.stderr
    sent = _cli(laptop, "sync", "now")
    assert sent.returncode == 0 and "Sent 1 change" in sent.stdout, sent.stdout + sent.stderr
    got = _cli(desktop, "sync", "now")
    assert got.returncode == 0 and "received 1 memories" in got.stdout, got.stdout + got.stderr
    hits = [json.loads(line) for line in _cli(desktop, "search", "staging url", "--json").stdout.splitlines()]
    assert hits and hits[0]["external_id"] == "m1"
    status = json.loads(_cli(desktop, "sync", "status", "--json").stdout)
    assert status["configured"] and {d["name"] for d in status["devices"]} == {"laptop", "desktop"}
    assert status["pending_changes"] == 0
    human = _cli(laptop, "sync", "status").stdout
    assert "laptop (this device)" in human and "last sync" in human
    # times to the minute, as everywhere else in Cairn (seconds are noise to a reader)
    assert re.search(r"last sync: \d{4}-\d{2}-\d{2} \d{2}:\d{2};", human), human
    assert not re.search(r"\d{2}:\d{2}:\d{2}", human), human


def test_remote_targets_need_a_trusted_keyring(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _cli(home, "init", "--no-keyring").returncode == 0
    # keyring's null backend (what a headless machine has): never the real keyring of whoever runs the tests
    result = _cli(home, "sync", "setup", "webdav", "http://127.0.0.1:9/cairn", "--user", "ana",
                  CAIRN_SYNC_SECRET="pw", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    assert result.returncode == 1
    assert "keyring" in result.stderr  # no trusted OS keyring here: refused, the secret is stored nowhere
    assert "pw" not in result.stdout + result.stderr.replace("keyring", "")

"""`cairn status` tells today's screen capture coverage and the last gaps, from the encrypted ledger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from core.capture.screen.ledger import LedgerMinute, minute_of
from core.capture.screen.ledger_store import VaultLedgerSink
from core.paths import VaultPaths
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]


def test_status_shows_todays_coverage_and_the_last_gaps(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none"}
    vault = Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None)
    now = time.time()
    midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    first = minute_of(max(midnight, now - 3600))
    minutes = [LedgerMinute(first + 60 * i, "excluded", "a private window is in front") for i in range(3)]
    minutes += [LedgerMinute(first + 60 * i, "captured") for i in range(3, 13)]
    try:
        VaultLedgerSink(vault).record_minutes(minutes)
    finally:
        vault.close()

    def cairn(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)

    human = cairn("status")
    assert human.returncode == 0, human.stderr
    today = next(line for line in human.stdout.splitlines() if line.strip().startswith("today:"))
    assert "captured (" in today and "excluded" in today, human.stdout
    assert "last gaps:" in human.stdout and "a private window is in front" in human.stdout
    storage = next(line for line in human.stdout.splitlines() if line.strip().startswith("storage:"))
    assert "used of budget" in storage and "automatic" in storage, human.stdout
    data = json.loads(cairn("status", "--json").stdout)["today"]
    assert data["by_state"]["excluded"] == 3 and data["captured"] == min(10, data["minutes"] - 3)
    assert any(g["state"] == "excluded" and "private window" in g["reason"] for g in data["gaps"])
    storage = json.loads(cairn("status", "--json").stdout)["storage"]
    assert storage["auto"] and storage["budget_bytes"] > 0 and storage["low_disk"] is None

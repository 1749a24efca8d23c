"""`cairn search` in fresh processes with the sealed approximate index forced on: load, and rebuild with progress."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def test_a_fresh_search_loads_the_sealed_index_and_rebuilds_a_damaged_one_with_progress(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_ANN_MIN_VECTORS": "0"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)

    chat = write_jsonl(tmp_path / "c.jsonl", [
        jsonl_line(f"m{n}", text, minutes=n) for n, text in enumerate(
            ["we adopted a beagle puppy from the shelter", "the invoice for the roof repair is overdue",
             "our train to Vienna leaves at 7:40", "a tiny tabby kitten moved in"] * 5)])
    assert cli("init", "--no-keyring").returncode == 0
    assert cli("import", str(chat)).returncode == 0
    first = cli("search", "dog adopted", "--json", "--no-time-parse")
    assert first.returncode == 0, first.stderr
    assert "rebuilding the meaning index" in first.stderr  # none yet: built once, with progress
    blob = next((home / "index").glob("*.ann"))
    second = cli("search", "dog adopted", "--json", "--no-time-parse")
    assert "rebuilding" not in second.stderr and second.stdout == first.stdout  # loaded from the sealed blob
    data = bytearray(blob.read_bytes())
    data[-40] ^= 0x10
    blob.write_bytes(bytes(data))
    third = cli("search", "dog adopted", "--json", "--no-time-parse")
    assert third.returncode == 0
    assert "rebuilding the meaning index (index file failed authentication" in third.stderr
    assert [json.loads(x)["external_id"] for x in third.stdout.splitlines()] == \
        [json.loads(x)["external_id"] for x in first.stdout.splitlines()]

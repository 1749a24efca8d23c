"""Failures a user can meet print one ``error: …`` line and exit 1, never a traceback: a full disk (simulated by a
file-size limit in the child, no root needed), a damaged database page, damaged page 1, a damaged key file."""

from __future__ import annotations

import base64
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from core.paths import VaultPaths
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def _vault(tmp_path: Path, messages: int = 20) -> tuple[Path, dict[str, str]]:
    from core.vault import Vault

    home = tmp_path / "home"
    with Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        vault.import_path(write_jsonl(tmp_path / "seed.jsonl", [
            jsonl_line(str(i), f"seed message {i} about the lighthouse keeper", minutes=i) for i in range(messages)]))
    env = {**os.environ, "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none"}
    return home, env


def _cairn(env: dict[str, str], *args: str, file_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300, preexec_fn=limit)


def _one_error_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_disk_full_during_import_is_one_clear_line(tmp_path: Path) -> None:
    home, env = _vault(tmp_path)
    big = write_jsonl(tmp_path / "big.jsonl", [jsonl_line(f"b{i}", f"message {i} " + "harbour crane " * 300, minutes=i)
                                              for i in range(3000)])
    size = max(p.stat().st_size for p in home.iterdir() if p.is_file())
    _one_error_line(_cairn(env, "import", str(big), file_limit=size + 256 * 1024), "disk", "committed")
    found = _cairn(env, "search", "lighthouse", "--json", "--no-time-parse")
    assert found.returncode == 0 and "lighthouse" in found.stdout  # what was there before is intact


def test_disk_full_during_passwd_leaves_the_key_file_and_no_temp_file(tmp_path: Path) -> None:
    home, env = _vault(tmp_path, messages=1)
    before = (home / "keys.json").read_bytes()
    done = _cairn({**env, "CAIRN_NEW_PASSPHRASE": "a new passphrase"}, "passwd", file_limit=64)
    _one_error_line(done, "keys.json", "unchanged")
    assert (home / "keys.json").read_bytes() == before
    assert [p.name for p in home.iterdir() if p.name.endswith(".tmp")] == []


def test_a_damaged_database_page_is_named_as_damage(tmp_path: Path) -> None:
    home, env = _vault(tmp_path, messages=400)
    db = home / "vault.db"
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    for offset in range(3 * page + 100, 3 * page + 140):  # inside page 4: one of the tables
        data[offset] ^= 0xFF
    db.write_bytes(bytes(data))
    line = _one_error_line(_cairn(env, "search", "lighthouse", "--no-time-parse"), "damaged")
    assert "passphrase" not in line.split("damaged")[0]


def test_damaged_page_one_is_not_called_a_wrong_key(tmp_path: Path) -> None:
    home, env = _vault(tmp_path, messages=1)
    db = home / "vault.db"
    data = bytearray(db.read_bytes())
    for offset in range(40, 80):
        data[offset] ^= 0xFF
    db.write_bytes(bytes(data))
    line = _one_error_line(_cairn(env, "status"), "damaged", "vault.db")
    assert "does not open" not in line and "wrong" not in line.lower()


def test_a_damaged_key_file_is_named_as_such(tmp_path: Path) -> None:
    home, env = _vault(tmp_path, messages=1)
    keys = json.loads((home / "keys.json").read_text())
    nonce = keys["wraps"]["passphrase"]["nonce"]
    keys["wraps"]["passphrase"]["nonce"] = "!" + nonce[1:]  # one corrupted base64 character
    (home / "keys.json").write_text(json.dumps(keys))
    _one_error_line(_cairn(env, "search", "lighthouse"), "key file", "damaged", "backup")
    keys["wraps"]["passphrase"]["nonce"] = base64.b64encode(b"x" * 12).decode()  # valid base64, wrong nonce
    (home / "keys.json").write_text(json.dumps(keys))
    _one_error_line(_cairn(env, "search", "lighthouse"), "passphrase")

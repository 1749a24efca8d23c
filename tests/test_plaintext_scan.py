"""No plaintext user content, FTS tokens or vectors in any file under the data directory.

Keep this test forever (issue 2).  It seeds marker strings, a Luhn-valid card
number and a known embedding through the real import path, lets the vault do
its normal work (search, embed, close, reopen), then scans every byte of every
file under the data directory: database, WAL, SHM, key file, media, temp files.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

MARKERS = ["ZEBRAFINCH-7731-MARKER", "quokkalicious", "Wrenfield Avenue 221b"]
CARD = "4539 1488 0343 6467"  # Luhn-valid test number
VECTOR_TEXT = "Ana: the ZEBRAFINCH-7731-MARKER flew over the quokkalicious garden"


def _needles(vector: np.ndarray) -> dict[str, bytes]:
    needles = {m: m.encode() for m in MARKERS}
    needles.update({m + " (utf-16)": m.encode("utf-16-le") for m in MARKERS})
    needles["card"] = CARD.encode()
    needles["card digits"] = CARD.replace(" ", "").encode()
    needles["fts token"] = b"quokkalici"  # a Porter stem as FTS5 would store it
    # A vector is found by any 8 consecutive dimensions in either precision.
    needles["vector f32"] = vector.astype(np.float32)[10:18].tobytes()
    needles["vector f16"] = vector.astype(np.float16)[10:26].tobytes()
    return needles


def _scan(home: Path, needles: dict[str, bytes]) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{name} in {path.relative_to(home)}" for name, needle in needles.items() if needle in data]
    return found


def test_nothing_plain_on_disk(tmp_path: Path) -> None:
    home = tmp_path / "home"
    chat = write_jsonl(tmp_path / "chat.jsonl", [
        jsonl_line("1", "the ZEBRAFINCH-7731-MARKER flew over the quokkalicious garden"),
        jsonl_line("2", f"pay with {CARD} please, deliver to Wrenfield Avenue 221b", minutes=1),
        jsonl_line("3", "quokkalicious quokkalicious", minutes=2, speaker="Ben"),
    ])
    from core.vault import Vault

    vault = Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False)
    report = vault.import_path(chat)
    assert report.imported == 3
    embedder = vault.embedder()
    vector = embedder.embed([VECTOR_TEXT])[0]
    # The vector we look for is really in the vault (so the scan below can fail).
    stored = vault.read().execute("SELECT vector FROM embeddings").fetchall()
    assert any(np.allclose(np.frombuffer(r[0], dtype=np.float16), vector, atol=2e-3) for r in stored)
    assert vault.search(SearchRequest("quokkalicious", parse_time=False)).hits
    # Scan while the vault is open (WAL and SHM present) and after closing it.
    needles = _needles(vector)
    assert _scan(home, needles) == []
    vault.close()
    assert _scan(home, needles) == []


def test_scan_catches_plaintext(tmp_path: Path) -> None:
    """The scanner itself must be able to fail: a plain SQLite file is caught."""
    import sqlite3

    home = tmp_path / "plain"
    home.mkdir()
    conn = sqlite3.connect(home / "leak.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (?)", (MARKERS[0],))
    conn.commit()
    conn.close()
    assert _scan(home, _needles(np.zeros(384))) != []


def test_cli_process_leaves_nothing_plain(tmp_path: Path) -> None:
    """The same through `cairn` in fresh processes (logs, temp files, caches included)."""
    home = tmp_path / "cli-home"
    chat = write_jsonl(tmp_path / "c.jsonl", [jsonl_line("1", f"ZEBRAFINCH-7731-MARKER card {CARD}")])
    env = {"CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "PATH": "/usr/bin:/bin",
           "CAIRN_MODELS_DIR": str(tmp_path / "models"), "HOME": str(tmp_path)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, capture_output=True,  # noqa: E731
                                       text=True, cwd=Path(__file__).resolve().parents[1], timeout=300)
    assert run("init", "--no-keyring").returncode == 0
    assert run("import", str(chat), "--no-embed").returncode == 0
    out = run("search", "ZEBRAFINCH", "--json")
    assert out.returncode == 0 and "ZEBRAFINCH" in out.stdout
    chat.unlink()  # the input itself is the user's file; everything else under $HOME is Cairn's
    needles = {"marker": MARKERS[0].encode(), "card": CARD.encode(), "card digits": CARD.replace(" ", "").encode()}
    assert _scan(tmp_path, needles) == []


def test_a_watched_folders_path_is_stored_only_encrypted(tmp_path: Path) -> None:
    """#20 item 2: the settings (watched folders included) live in the SQLCipher database, not in a plain file."""
    home = tmp_path / "cli-home"
    folder = tmp_path / f"{MARKERS[0]}-projects"
    folder.mkdir()
    env = {"CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "PATH": "/usr/bin:/bin",
           "CAIRN_MODELS_DIR": str(tmp_path / "models"), "HOME": str(tmp_path)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, capture_output=True,  # noqa: E731
                                       text=True, cwd=Path(__file__).resolve().parents[1], timeout=300)
    assert run("init", "--no-keyring").returncode == 0
    assert run("watch", "add", str(folder)).returncode == 0
    listed = run("watch", "list")
    assert listed.returncode == 0 and MARKERS[0] in listed.stdout  # it is stored (the scan below can fail)
    needles = {"folder": MARKERS[0].encode(), "folder (utf-16)": MARKERS[0].encode("utf-16-le")}
    assert _scan(tmp_path, needles) == []

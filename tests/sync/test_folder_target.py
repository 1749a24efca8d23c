"""A plain folder target: nothing readable in it, names and sizes that say nothing, crash-safe passes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from core.paths import VaultPaths
from core.sync.engine import SyncEngine
from core.sync.padding import padme
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.memory.helpers import at, chat
from tests.sync import markers
from tests.sync.helpers import folder_target, join, new_vault

ROOT = Path(__file__).resolve().parents[2]


def test_the_folder_holds_no_plaintext_and_sizes_are_bucketed(tmp_path: Path) -> None:
    a = new_vault(tmp_path, "a")
    try:
        spec, target = folder_target(tmp_path)
        join(a, spec, target, "laptop")
        markers.seed(a)
        SyncEngine(a, target).sync()
        blobs = [(str(p), p.read_bytes()) for p in Path(spec.url).rglob("*") if p.is_file()]
        assert len(blobs) >= 4  # header, device, key wrap, segment, media
        assert markers.scan(blobs) == []
        for name, blob in blobs:
            if "/segments/" in name or "/media/" in name:
                base = Path(name).name
                assert len(base) == 32 and int(base, 16) >= 0  # a keyed hash, not a content name
                assert len(blob) - 36 == padme(len(blob) - 36)  # header(20) + tag(16) around a bucket
        # the scan can fail: the same markers are found in a plain dump of the vault's content
        plain = [("dump", "\n".join(r[0] for r in a.read().execute("SELECT text FROM items")).encode())]
        assert markers.scan(plain)
    finally:
        a.close()


CHILD = """
import os, signal, sys
from pathlib import Path
from core.paths import VaultPaths
from core.sync.engine import SyncEngine
from core.sync.target import TargetSpec, open_target
from core.vault import Vault

home, folder, mode, after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
vault = Vault.open(VaultPaths(Path(home)), os.environ["CAIRN_PASSPHRASE"], embedder=None)
target = open_target(TargetSpec("folder", folder))
seen = [0]
if mode == "upload":
    put = target.put
    def dying_put(name, data):
        if name.startswith("segments/"):
            seen[0] += 1
            if seen[0] > after:
                os.kill(os.getpid(), signal.SIGKILL)
        put(name, data)
    target.put = dying_put
else:
    write = vault.write
    def dying_write(fn):
        def job(conn):
            result = fn(conn)
            if conn.execute("SELECT count(*) FROM sync_applied").fetchone()[0] > after:
                os.kill(os.getpid(), signal.SIGKILL)  # inside the transaction, before its commit
            return result
        return write(job)
    vault.write = dying_write
SyncEngine(vault, target, ops_per_segment=5).sync()
"""


def _child(home: Path, folder: str, mode: str, after: int) -> int:
    env = {**os.environ, "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", CHILD, str(home), folder, mode, str(after)], env=env,
                          timeout=120, cwd=ROOT).returncode


def test_kill_9_during_upload_and_apply_resumes_without_duplicates_or_gaps(tmp_path: Path) -> None:
    a, b = new_vault(tmp_path, "a"), new_vault(tmp_path, "b")
    spec, target = folder_target(tmp_path)
    join(a, spec, target, "laptop")
    join(b, spec, target, "desktop")
    a.ingest([chat(str(n), f"message {n}", "Ana Lima", at(n)) for n in range(30)], embed=False)
    a.close()
    b.close()
    assert _child(tmp_path / "a", spec.url, "upload", 2) == -signal.SIGKILL
    segs = Path(spec.url) / "segments"
    assert len(list(segs.iterdir())) == 2
    assert _child(tmp_path / "a", spec.url, "upload", 10_000) == 0
    assert len(list(segs.iterdir())) == 6  # 30 items in segments of 5: none twice, none missing
    assert _child(tmp_path / "b", spec.url, "apply", 3) == -signal.SIGKILL
    assert _child(tmp_path / "b", spec.url, "apply", 10_000) == 0
    a = Vault.open(VaultPaths(tmp_path / "a"), TEST_PASSPHRASE, embedder=None)
    b = Vault.open(VaultPaths(tmp_path / "b"), TEST_PASSPHRASE, embedder=None)
    try:
        assert a.read().execute("SELECT count(*) FROM sync_outbox").fetchone()[0] == 0
        rows = b.read().execute("SELECT text FROM items ORDER BY ts").fetchall()
        assert [r[0] for r in rows] == [f"message {n}" for n in range(30)]
        assert b.read().execute("SELECT count(*) FROM chunks").fetchone()[0] == 30
        assert b.read().execute("SELECT count(*) FROM chunks_fts").fetchone()[0] == 30
        assert SyncEngine(b, target).sync().applied_segments == 0
    finally:
        a.close()
        b.close()

"""Failures a user can meet print one ``error: …`` line and exit 1, never a traceback: a full disk (a real full
file system: a small tmpfs in a private mount namespace, no root needed; and a file-size limit in the child), a
damaged database page, damaged page 1, a damaged key file."""

from __future__ import annotations

import base64
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


def _said_and_stored(line: str, total: int, export: Path, home: Path, before: int) -> int:
    """The count the disk-full line gives is exactly what the vault holds (intact); returns it."""
    found = re.search(r"after ([\d,]+) of ([\d,]+) messages from (\S+) were stored", line)
    assert found, line
    stored = int(found.group(1).replace(",", ""))
    assert int(found.group(2).replace(",", "")) == total and found.group(3) == str(export)
    from core.vault import Vault

    with Vault.open(VaultPaths(home), TEST_PASSPHRASE, embedder=None) as vault:
        assert vault.read().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert vault.read().execute("SELECT COUNT(*) FROM items").fetchone()[0] == before + stored
    return stored


def _rerun_continues(env: dict[str, str], export: Path, total: int, stored: int) -> None:
    again = _cairn(env, "import", str(export), "--no-consolidate", "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["imported"], summary["duplicate"]) == (total - stored, stored)  # nothing lost, nothing twice


def test_disk_full_during_import_is_one_clear_line(tmp_path: Path) -> None:
    home, env = _vault(tmp_path)
    big = write_jsonl(tmp_path / "big.jsonl", [jsonl_line(f"b{i}", f"message {i} " + "harbour crane " * 300, minutes=i)
                                              for i in range(3000)])
    size = max(p.stat().st_size for p in home.iterdir() if p.is_file())
    line = _one_error_line(_cairn(env, "import", str(big), file_limit=size + 8 * 1024 * 1024), "disk full",
                           "nothing stored is lost")
    stored = _said_and_stored(line, 3000, big, home, 20)
    found = _cairn(env, "search", "lighthouse", "--json", "--no-time-parse")
    assert found.returncode == 0 and "lighthouse" in found.stdout  # what was there before is intact
    _rerun_continues(env, big, 3000, stored)


def test_disk_full_during_index_says_how_many_files_were_stored(tmp_path: Path) -> None:
    home, env = _vault(tmp_path, messages=1)
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(200):
        (folder / f"note-{i:03}.txt").write_text(f"note {i} " + "quay bollard " * 4000)
    size = max(p.stat().st_size for p in home.iterdir() if p.is_file())
    line = _one_error_line(_cairn(env, "index", str(folder), "--no-embed", file_limit=size + 16 * 1024 * 1024),
                           "disk full", "nothing stored is lost")
    found = re.search(r"after ([\d,]+) of ([\d,]+) files from (\S+) were stored", line)
    assert found and found.group(2) == "200" and found.group(3) == str(folder), line
    from core.vault import Vault

    with Vault.open(VaultPaths(home), TEST_PASSPHRASE, embedder=None) as vault:
        stored = vault.read().execute("SELECT COUNT(*) FROM items WHERE source = 'file'").fetchone()[0]
    assert 0 < stored < 200 and stored == int(found.group(1))


def _private_tmpfs(tmp_path: Path) -> bool:
    """Whether this machine lets an unprivileged process mount a tmpfs in its own user and mount namespace."""
    if shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                           f"mount -t tmpfs -o size=64k tmpfs {shlex.quote(str(probe))}"],
                          capture_output=True, timeout=30)
    return done.returncode == 0


def _on_a_small_disk(tmp_path: Path, home: Path, env: dict[str, str], spare_kb: int,
                     *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``cairn ARGS`` on a copy of ``home`` on a file system with ``spare_kb`` to spare (a tmpfs in a private
    user and mount namespace), until it is full; the outcome and the vault as it was left, copied back out."""
    if not _private_tmpfs(tmp_path):
        pytest.skip("no unprivileged user namespaces here (the file-size-limit tests still run)")
    used_kb = sum(p.stat().st_size for p in home.rglob("*") if p.is_file()) // 1024
    disk, after, out = tmp_path / "disk", tmp_path / "after", tmp_path / "out"
    disk.mkdir()
    q = {name: shlex.quote(str(value)) for name, value in
         (("disk", disk), ("home", home), ("after", after), ("out", out), ("py", sys.executable))}
    command = " ".join(shlex.quote(a) for a in args)
    script = (f"set -e; mount -t tmpfs -o size={used_kb + spare_kb}k,mode=0700 tmpfs {q['disk']};"
              f" cp -a {q['home']} {q['disk']}/home; set +e;"
              f" CAIRN_HOME={q['disk']}/home {q['py']} -m app.cli {command}"
              f" >{q['out']}.stdout 2>{q['out']}.stderr; echo $? >{q['out']}.rc;"
              f" cp -a {q['disk']}/home {q['after']}")
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script], env=env, cwd=ROOT,
                   check=True, timeout=600)
    done = subprocess.CompletedProcess([], int(Path(f"{out}.rc").read_text()), Path(f"{out}.stdout").read_text(),
                                       Path(f"{out}.stderr").read_text())
    return done, after


def test_a_really_full_disk_during_import_says_how_many_messages_were_stored(tmp_path: Path) -> None:
    home, env = _vault(tmp_path)
    total = 3000
    big = write_jsonl(tmp_path / "big.jsonl", [jsonl_line(f"b{i}", f"message {i} " + "harbour crane " * 300,
                                                          minutes=i) for i in range(total)])
    # The vault is copied onto a file system with 16 MB to spare, imported into until ENOSPC, copied back out.
    done, after = _on_a_small_disk(tmp_path, home, env, 16384, "import", str(big), "--no-consolidate")
    line = _one_error_line(done, "disk full", "nothing stored is lost", "run the same command again")
    stored = _said_and_stored(line, total, big, after, 20)
    assert 0 < stored < total  # no limit but the file system's own size stopped it
    _rerun_continues({**env, "CAIRN_HOME": str(after)}, big, total, stored)


def _count(home: Path, sql: str) -> int:
    from core.vault import Vault

    with Vault.open(VaultPaths(home), TEST_PASSPHRASE, embedder=None) as vault:
        assert vault.read().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(vault.read().execute(sql).fetchone()[0])


def test_a_really_full_disk_during_embed_says_how_many_vectors_were_stored(tmp_path: Path) -> None:
    home, env = _vault(tmp_path, messages=1500)  # imported without vectors
    texts = _count(home, "SELECT COUNT(DISTINCT text_hash) FROM chunks")
    done, after = _on_a_small_disk(tmp_path, home, {**env, "CAIRN_EMBEDDER": "default"}, 256, "embed")
    line = _one_error_line(done, "disk full", "nothing stored is lost", "run the same command again")
    found = re.search(r"after ([\d,]+) of ([\d,]+) chunk vectors were stored", line)
    assert found and int(found.group(2).replace(",", "")) == texts, line
    stored = int(found.group(1).replace(",", ""))
    assert 0 < stored < texts and _count(after, "SELECT COUNT(*) FROM embeddings") == stored
    again = _cairn({**env, "CAIRN_HOME": str(after), "CAIRN_EMBEDDER": "default"}, "embed")
    assert again.returncode == 0 and f"embedded {texts - stored} chunk texts" in again.stdout, again.stdout


def test_a_really_full_disk_during_consolidation_says_how_many_memories_were_done(tmp_path: Path) -> None:
    home, env = _vault(tmp_path, messages=1500)  # imported, not consolidated
    done, after = _on_a_small_disk(tmp_path, home, env, 256, "consolidate")
    line = _one_error_line(done, "disk full", "nothing stored is lost", "run the same command again")
    found = re.search(r"after ([\d,]+) of 1,500 memories were consolidated", line)
    assert found, line
    consolidated = int(found.group(1).replace(",", ""))
    assert 0 < consolidated < 1500 and _count(after, "SELECT COUNT(*) FROM mem_consolidated") == consolidated
    again = _cairn({**env, "CAIRN_HOME": str(after)}, "consolidate")
    assert again.returncode == 0 and f"{1500 - consolidated} memories processed" in again.stdout, again.stdout


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


def test_a_full_disk_while_import_updates_memory_says_the_import_is_whole(tmp_path: Path) -> None:
    home, env = _vault(tmp_path, messages=1500)  # 1,500 memories waiting for consolidation
    one = write_jsonl(tmp_path / "one.jsonl", [jsonl_line("new", "the lighthouse keeper retired", minutes=9999)])
    # 512 KB spare: enough for the import and a first consolidation batch (its chunks' filter rows included), not
    # for all 1,501 memories, so the disk fills part-way through the memory update.
    done, after = _on_a_small_disk(tmp_path, home, env, 512, "import", str(one))
    line = _one_error_line(done, f"{one}: all 1 new or changed messages were imported", "nothing stored is lost",
                           "cairn consolidate")
    found = re.search(r"\(([\d,]+) of 1,501 memories consolidated\)", line)
    assert found and 0 < int(found.group(1).replace(",", "")) < 1501, line
    assert _count(after, "SELECT COUNT(*) FROM items WHERE external_id = 'new'") == 1

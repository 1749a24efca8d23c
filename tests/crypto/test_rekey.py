"""`cairn rekey`: a new data key for the database and every media file; an old keys.json opens nothing after it,
and a rekey killed half-way is finished by running it again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import CairnError
from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import jsonl_line, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def _vault_with_media(tmp_path: Path) -> tuple[VaultPaths, int]:
    from core.vault import Vault

    paths = VaultPaths(tmp_path / "home")
    with Vault.create(paths, TEST_PASSPHRASE, use_keyring=False, embedder=None) as vault:
        vault.import_path(write_jsonl(tmp_path / "c.jsonl", [jsonl_line("1", "the albatross lands at dawn")]))
        media_id = vault.put_media(b"a screenshot's bytes", "frame").value
    return paths, int(media_id)


def _check_open(paths: VaultPaths, media_id: int) -> None:
    from core.vault import Vault

    with Vault.open(paths, TEST_PASSPHRASE, embedder=None) as vault:
        assert vault.search(SearchRequest(query="albatross", k=3, parse_time=False)).hits
        assert vault.get_media(media_id) == b"a screenshot's bytes"


def test_rekey_and_an_old_key_file_opens_nothing(tmp_path: Path) -> None:
    from core.vault import Vault

    paths, media_id = _vault_with_media(tmp_path)
    old_keys = paths.keyfile.read_bytes()
    env = {**os.environ, "CAIRN_HOME": str(paths.home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE}
    done = subprocess.run([sys.executable, "-m", "app.cli", "rekey"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "re-encrypted 1 media file" in done.stdout
    _check_open(paths, media_id)
    paths.keyfile.write_bytes(old_keys)  # a backup from before, with the old passphrase
    with pytest.raises(CairnError, match="damaged"):
        Vault.open(paths, TEST_PASSPHRASE, embedder=None)


def test_an_interrupted_rekey_is_finished_by_running_it_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import core.rekey as rekey_module
    from core.vault import Vault

    paths, media_id = _vault_with_media(tmp_path)

    def killed(*_args: object) -> None:
        raise KeyboardInterrupt  # as if the process died after the media, before the database

    with monkeypatch.context() as patch:
        patch.setattr(rekey_module, "_rekey_database", killed)
        with pytest.raises(KeyboardInterrupt):
            rekey_module.rekey(paths, TEST_PASSPHRASE)
    with pytest.raises(CairnError, match="rekey"):
        Vault.open(paths, TEST_PASSPHRASE, embedder=None)
    rekey_module.rekey(paths, TEST_PASSPHRASE)
    _check_open(paths, media_id)

"""Two vaults syncing through a real WebDAV server and a real S3 API on 127.0.0.1, credentials in a keyring."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.sync import credentials, setup
from core.sync.service import configured_target, sync_pass
from core.sync.target import Credentials, TargetSpec, TargetUnreachable, parse_target
from tests.memory.helpers import at, chat
from tests.sync import markers
from tests.sync.helpers import SYNC_PASSPHRASE, new_vault, snapshot
from tests.sync.servers import (
    S3_KEY,
    S3_SECRET,
    WEBDAV_PASSWORD,
    WEBDAV_USER,
    FolderKeyring,
    s3_server,
    webdav_server,
)


def _round_trip(tmp_path: Path, spec: TargetSpec, secret: Credentials) -> list[tuple[str, bytes]]:
    keyring = FolderKeyring(tmp_path / "keyring.json")
    credentials.save_credentials(spec, secret, keyring)
    a, b = new_vault(tmp_path, "a"), new_vault(tmp_path, "b")
    try:
        for vault, name in ((a, "laptop"), (b, "desktop")):
            setup.join(vault, spec, configured_target_for(spec, keyring), passphrase=SYNC_PASSPHRASE, device_name=name)
        markers.seed(a)
        b.ingest([chat("9", "a message written on the desktop", "Ana Lima", at(30))], embed=False)
        for vault in (a, b, a):
            sync_pass(vault, keyring_backend=keyring)
        assert snapshot(a)["items"] == snapshot(b)["items"]
        assert len(snapshot(b)["items"]) == 4
        assert snapshot(b)["media"] == snapshot(a)["media"]
        # the secret is in the keyring only: not in the vault's sync configuration, not on the target
        conn = a.read()
        meta = " ".join(str(r[0]) for r in conn.execute("SELECT value FROM sync_meta"))
        assert secret.secret not in meta
        return markers.target_blobs(configured_target(a, keyring))
    finally:
        a.close()
        b.close()


def configured_target_for(spec: TargetSpec, keyring: FolderKeyring):
    from core.sync.target import open_target

    return open_target(spec, credentials.load_credentials(spec, keyring))


def test_sync_through_a_real_webdav_server(tmp_path: Path) -> None:
    with webdav_server(tmp_path / "dav-root") as url:
        spec = parse_target("webdav", url)
        blobs = _round_trip(tmp_path, spec, Credentials(WEBDAV_USER, WEBDAV_PASSWORD))
    assert any("segments/" in name for name, _ in blobs)
    assert markers.scan(blobs) == []
    # the server's own folder on disk holds the same ciphertext only
    on_disk = [(str(p), p.read_bytes()) for p in (tmp_path / "dav-root").rglob("*") if p.is_file()]
    assert len(on_disk) == len(blobs) and markers.scan(on_disk) == []
    assert WEBDAV_PASSWORD.encode() not in b"".join(b for _, b in on_disk)


def test_sync_through_a_real_s3_api(tmp_path: Path) -> None:
    with s3_server() as endpoint:
        spec = parse_target("s3", f"s3://cairn-sync/me/vault?endpoint={endpoint}")
        blobs = _round_trip(tmp_path, spec, Credentials(S3_KEY, S3_SECRET))
    assert any("segments/" in name for name, _ in blobs)
    assert markers.scan(blobs) == []


def test_wrong_webdav_password_and_an_offline_server_are_told_apart(tmp_path: Path) -> None:
    from core.sync.target import open_target

    with webdav_server(tmp_path / "dav-root") as url:
        spec = parse_target("webdav", url)
        bad = open_target(spec, Credentials(WEBDAV_USER, "wrong"))
        with pytest.raises(Exception) as refused:
            bad.put("probe", b"x")
        assert not isinstance(refused.value, TargetUnreachable)
    gone = open_target(spec, Credentials(WEBDAV_USER, WEBDAV_PASSWORD))  # the server has stopped
    with pytest.raises(TargetUnreachable, match="unreachable"):
        gone.get("cairn-sync.json")


def test_credentials_never_go_into_the_address(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="keyring"):
        parse_target("webdav", "https://ana:pw@dav.example.org/cairn")
    assert os.environ.get("CAIRN_SYNC_SECRET") is None

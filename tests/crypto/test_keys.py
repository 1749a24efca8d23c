"""Key creation, wrapping, re-wrapping and the keyring allow-list."""

from __future__ import annotations

import json

import pytest

from core.crypto.keyring_guard import acceptable_backends
from core.crypto.keys import KeyFile, change_passphrase, create_keyfile, unlock_data_key
from core.errors import KeyringUnavailable, VaultExists, WrongPassphrase
from core.paths import VaultPaths


def test_passphrase_wrap_round_trip_and_wrong_passphrase(vault_paths: VaultPaths) -> None:
    key, _, _ = create_keyfile(vault_paths, "s3cret", use_keyring=False)
    assert len(key) == 32
    assert unlock_data_key(vault_paths, "s3cret") == key
    with pytest.raises(WrongPassphrase):
        unlock_data_key(vault_paths, "wrong")


def test_key_file_holds_no_key_material_in_the_clear(vault_paths: VaultPaths) -> None:
    key, _, _ = create_keyfile(vault_paths, "s3cret", use_keyring=False)
    raw = vault_paths.keyfile.read_bytes()
    assert key not in raw and key.hex().encode() not in raw
    data = json.loads(raw)
    assert data["wraps"]["passphrase"]["kdf"]["name"] == "argon2id"
    assert data["wraps"]["passphrase"]["kdf"]["memory_cost"] >= 65536


def test_two_installs_never_share_a_key(tmp_path) -> None:
    a, _, _ = create_keyfile(VaultPaths(tmp_path / "a"), "same", use_keyring=False)
    b, _, _ = create_keyfile(VaultPaths(tmp_path / "b"), "same", use_keyring=False)
    assert a != b


def test_change_passphrase_rewraps_without_changing_the_data_key(vault_paths: VaultPaths) -> None:
    key, _, _ = create_keyfile(vault_paths, "old", use_keyring=False)
    change_passphrase(vault_paths, "old", "new")
    assert unlock_data_key(vault_paths, "new") == key
    with pytest.raises(WrongPassphrase):
        unlock_data_key(vault_paths, "old")


def test_init_twice_is_refused(vault_paths: VaultPaths) -> None:
    create_keyfile(vault_paths, "x", use_keyring=False)
    with pytest.raises(VaultExists):
        create_keyfile(vault_paths, "x", use_keyring=False)


def test_headless_machine_without_keyring_needs_a_passphrase(vault_paths: VaultPaths) -> None:
    # This machine has no D-Bus secret service: keyring's null backend must be refused.
    with pytest.raises(KeyringUnavailable):
        create_keyfile(vault_paths, None, use_keyring=True)
    _, keyfile, notes = create_keyfile(vault_paths, "pw", use_keyring=True)
    assert keyfile.methods() == ["passphrase"]
    assert any("keyring" in n for n in notes)


class _PlaintextKeyring:  # stands in for keyrings.alt.file.PlaintextKeyring by module/name
    pass


_PlaintextKeyring.__module__ = "keyrings.alt.file"
_PlaintextKeyring.__qualname__ = "PlaintextKeyring"


class _SecretService:
    pass


_SecretService.__module__ = "keyring.backends.SecretService"
_SecretService.__qualname__ = "Keyring"


class _Chainer:
    def __init__(self, *backends: object) -> None:
        self.backends = backends


def test_allow_list_refuses_plaintext_and_accepts_real_stores() -> None:
    assert acceptable_backends(_PlaintextKeyring()) == []
    real = _SecretService()
    assert acceptable_backends(_Chainer(_PlaintextKeyring(), real)) == [real]


def test_keyfile_survives_reload(vault_paths: VaultPaths) -> None:
    _, keyfile, _ = create_keyfile(vault_paths, "pw", use_keyring=False)
    assert KeyFile.load(vault_paths).install_id == keyfile.install_id

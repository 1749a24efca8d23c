"""The per-install data key and the ways it is wrapped.

One random 256-bit data key per install encrypts everything: SQLCipher uses it
raw, media files use HKDF-derived subkeys (see ``envelope``).  The data key is
never stored plain: ``keys.json`` holds it wrapped (AES-256-GCM) by

* a key derived from the passphrase with Argon2id (parameters stored, versioned), and/or
* a random key-encryption key kept in a trusted OS keyring.

Changing the passphrase re-wraps the data key; no data is re-encrypted.
``keys.json`` is written temp → fsync → rename so a crash never leaves it half-written.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from core.crypto.keyring_guard import trusted_keyring
from core.errors import (
    CairnError,
    KeyFileDamaged,
    KeyringUnavailable,
    VaultExists,
    VaultNotFound,
    WrongPassphrase,
)
from core.paths import VaultPaths

KEYFILE_FORMAT = 1
PENDING_WRAP = "pending"  # the next data key, wrapped by the current one, while `cairn rekey` runs
KEYRING_SERVICE = "cairn-vault"

# RFC 9106 "second recommended" (low-memory) Argon2id option; ~0.1 s here.
ARGON2_PARAMS: dict[str, int] = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4, "hash_len": 32}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive_passphrase_key(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params["time_cost"],
        memory_cost=params["memory_cost"],
        parallelism=params["parallelism"],
        hash_len=params["hash_len"],
        type=Type.ID,
    )


def _wrap(kek: bytes, data_key: bytes, aad: bytes) -> dict[str, str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return {"nonce": _b64(nonce), "ciphertext": _b64(AESGCM(kek).encrypt(nonce, data_key, aad))}


def _unwrap(kek: bytes, wrapped: dict[str, str], aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(kek).decrypt(_unb64(wrapped["nonce"]), _unb64(wrapped["ciphertext"]), aad)
    except InvalidTag as exc:
        raise WrongPassphrase("the passphrase does not unlock this vault") from exc


def wrap_key(kek: bytes, key: bytes, aad: bytes) -> dict[str, str]:
    """``key`` sealed under ``kek`` (AES-256-GCM) as a key-file wrap entry."""
    return _wrap(kek, key, aad)


def unwrap_key(kek: bytes, wrapped: dict[str, str], aad: bytes) -> bytes:
    return _unwrap(kek, wrapped, aad)


@dataclass(slots=True)
class KeyFile:
    """The parsed ``keys.json``: install id and the wraps of the data key."""

    install_id: str
    wraps: dict[str, dict[str, Any]]

    def aad(self, kind: str) -> bytes:
        return f"cairn:{KEYFILE_FORMAT}:{self.install_id}:{kind}".encode()

    @classmethod
    def load(cls, paths: VaultPaths) -> KeyFile:
        try:
            raw = json.loads(paths.keyfile.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise VaultNotFound(f"no Cairn vault at {paths.home} (run `cairn init`)") from exc
        except OSError as exc:
            raise VaultNotFound(f"{paths.keyfile} is unreadable: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise _damaged(paths, f"not JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise _damaged(paths, "not a JSON object")
        if raw.get("format") != KEYFILE_FORMAT:
            raise VaultNotFound(f"{paths.keyfile}: unsupported key file format {raw.get('format')!r}")
        keyfile = cls(install_id=raw.get("install_id"), wraps=raw.get("wraps"))  # type: ignore[arg-type]
        problem = keyfile.problem()
        if problem:
            raise _damaged(paths, problem)
        return keyfile

    def problem(self) -> str | None:
        """What makes this key file unusable (a field missing, bad base64), or ``None``."""
        if not isinstance(self.install_id, str) or not isinstance(self.wraps, dict):
            return "install_id or wraps missing"
        for kind, wrap in self.wraps.items():
            fields = [("nonce", wrap.get("nonce")), ("ciphertext", wrap.get("ciphertext"))] if isinstance(
                wrap, dict) else []
            if kind == "passphrase" and isinstance(wrap, dict):
                kdf = wrap.get("kdf")
                if not isinstance(kdf, dict):
                    return "wraps.passphrase.kdf missing"
                fields.append(("kdf.salt", kdf.get("salt")))
                if not all(isinstance(kdf.get(k), int) for k in ARGON2_PARAMS):
                    return "wraps.passphrase.kdf parameters damaged"
            if not fields:
                return f"wraps.{kind} is not an object"
            for name, value in fields:
                try:
                    _unb64(value)
                except (AttributeError, TypeError, ValueError):
                    return f"wraps.{kind}.{name} is not valid base64"
        return None

    def save(self, paths: VaultPaths) -> None:
        """Replace ``keys.json`` atomically; on a full disk the old file stays and no temp file is left."""
        from core.private_file import write_private

        data = json.dumps({"format": KEYFILE_FORMAT, "install_id": self.install_id, "wraps": self.wraps}, indent=2)
        try:
            write_private(paths.keyfile, data.encode("utf-8"), durable=True)
        except OSError as exc:
            raise CairnError(f"could not write {paths.keyfile}: {exc.strerror or exc}; the key file is unchanged"
                             " (free some space and try again)") from exc

    # -- passphrase wrap ------------------------------------------------------------
    def set_passphrase(self, data_key: bytes, passphrase: str) -> None:
        if not passphrase:
            raise WrongPassphrase("an empty passphrase is not allowed")
        salt = secrets.token_bytes(16)
        params = dict(ARGON2_PARAMS)
        kek = _derive_passphrase_key(passphrase, salt, params)
        self.wraps["passphrase"] = {
            "kdf": {"name": "argon2id", "version": 19, "salt": _b64(salt), **params},
            **_wrap(kek, data_key, self.aad("passphrase")),
        }

    def unwrap_with_passphrase(self, passphrase: str) -> bytes:
        wrap = self.wraps.get("passphrase")
        if wrap is None:
            raise WrongPassphrase("this vault has no passphrase; it unlocks through the OS keyring")
        kdf = wrap["kdf"]
        if kdf.get("name") != "argon2id":
            raise WrongPassphrase(f"unsupported key derivation {kdf.get('name')!r}")
        params = {k: int(kdf[k]) for k in ("time_cost", "memory_cost", "parallelism", "hash_len")}
        kek = _derive_passphrase_key(passphrase, _unb64(kdf["salt"]), params)
        return _unwrap(kek, wrap, self.aad("passphrase"))

    # -- keyring wrap ---------------------------------------------------------------
    def set_keyring(self, data_key: bytes) -> None:
        backend = trusted_keyring()
        kek = secrets.token_bytes(32)
        backend.set_password(KEYRING_SERVICE, self.install_id, _b64(kek))
        self.wraps["keyring"] = {"service": KEYRING_SERVICE, **_wrap(kek, data_key, self.aad("keyring"))}

    def unwrap_with_keyring(self) -> bytes:
        wrap = self.wraps.get("keyring")
        if wrap is None:
            raise KeyringUnavailable("this vault is not linked to the OS keyring")
        backend = trusted_keyring()
        secret = backend.get_password(wrap.get("service", KEYRING_SERVICE), self.install_id)
        if not secret:
            raise KeyringUnavailable("the OS keyring no longer holds Cairn's key")
        return _unwrap(_unb64(secret), wrap, self.aad("keyring"))

    def methods(self) -> list[str]:
        return sorted(self.wraps)


def _damaged(paths: VaultPaths, what: str) -> KeyFileDamaged:
    return KeyFileDamaged(f"the key file {paths.keyfile} is damaged ({what}); restore keys.json from a backup"
                          " (the database cannot be opened without it)")


def create_keyfile(paths: VaultPaths, passphrase: str | None, use_keyring: bool) -> tuple[bytes, KeyFile, list[str]]:
    """Make a new data key and wrap it; returns ``(data_key, keyfile, notes)``.

    At least one wrap must succeed: with no passphrase and no trusted keyring
    this raises ``KeyringUnavailable``.
    """
    if paths.keyfile.exists():
        raise VaultExists(f"a Cairn vault already exists at {paths.home}")
    paths.ensure()
    data_key = secrets.token_bytes(32)
    keyfile = KeyFile(install_id=str(uuid.uuid4()), wraps={})
    notes: list[str] = []
    if passphrase:
        keyfile.set_passphrase(data_key, passphrase)
    if use_keyring:
        try:
            keyfile.set_keyring(data_key)
            notes.append("the vault key is also kept in the OS keyring")
        except KeyringUnavailable as exc:
            if not passphrase:
                raise
            notes.append(f"{exc}")
    if not keyfile.wraps:
        raise KeyringUnavailable("a passphrase is needed: no trusted OS keyring on this machine")
    keyfile.save(paths)
    return data_key, keyfile, notes


def unlock_data_key(paths: VaultPaths, passphrase: str | None) -> bytes:
    """The data key, from the passphrase if given, else from the OS keyring."""
    keyfile = KeyFile.load(paths)
    if passphrase:
        return keyfile.unwrap_with_passphrase(passphrase)
    if "keyring" in keyfile.wraps:
        return keyfile.unwrap_with_keyring()
    raise WrongPassphrase("a passphrase is needed to unlock this vault (set CAIRN_PASSPHRASE or enter it)")


def change_passphrase(paths: VaultPaths, current: str | None, new: str) -> None:
    """Re-wrap the data key under ``new``; instant, no data is re-encrypted."""
    keyfile = KeyFile.load(paths)
    data_key = unlock_data_key(paths, current)
    keyfile.set_passphrase(data_key, new)
    keyfile.save(paths)

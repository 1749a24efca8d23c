"""Who may read a synced vault: the sync keys on the target, wrapped for the passphrase and for each device.

On the target:

* ``cairn-sync.json`` (plain JSON, no secrets): format, a random vault id, the
  current key epoch, and the current sync key wrapped by a key derived from the
  sync passphrase (Argon2id, parameters stored).
* ``keys/<epoch>-<device>``: the epoch's sync key wrapped for one device's X25519
  public key (ephemeral-static ECDH → HKDF → AES-256-GCM).
* ``keys/chain-<epoch>``: the previous epoch's key sealed under this epoch's key,
  so a device holding today's key can read every older segment.
* ``devices/<device>``: a sealed record of each device (name, public key, joined,
  removed), rewritten under the new key at each rotation.
* ``pairing/<id>``: a one-time pairing code's wrap of the current key (15 minutes).

Removing a device rotates to a new epoch: a fresh random key, wrapped for every
remaining device and for a *new* passphrase (the removed device knew the old one);
new segments are sealed under it, so the removed device can no longer read them.

Errors: ``WrongSyncPassphrase``, ``ForeignVault``, ``DeviceRemoved`` (all ``CairnError``).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from core.crypto.envelope import derive_key
from core.errors import CairnError
from core.sync import sealing
from core.sync.target import Target

HEADER = "cairn-sync.json"
FORMAT = "cairn-sync/1"
ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
PAIRING_TTL_S = 15 * 60


class WrongSyncPassphrase(CairnError):
    """The passphrase does not unlock the vault on the target."""


class ForeignVault(CairnError):
    """The target holds a different Cairn vault than the one this device syncs with."""


class DeviceRemoved(CairnError):
    """This device was removed from the synced vault: it gets no key for new segments."""


class NotATarget(CairnError):
    """No synced Cairn vault at the target yet."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _aead(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _passphrase_key(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(passphrase.encode("utf-8"), salt, time_cost=params["time_cost"],
                           memory_cost=params["memory_cost"], parallelism=params["parallelism"], hash_len=32,
                           type=Type.ID)


@dataclass(slots=True)
class KeyRing:
    """The sync keys this device holds, by epoch; ``current`` seals everything new."""

    vault_id: str
    keys: dict[int, bytes] = field(default_factory=dict)

    @property
    def epoch(self) -> int:
        return max(self.keys)

    @property
    def current(self) -> bytes:
        return self.keys[self.epoch]


# -- device key pairs ------------------------------------------------------------------------------------------
def new_device_keypair() -> tuple[bytes, bytes]:
    """(private, public) raw X25519 keys for a new device."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    return (private.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
            private.public_key().public_bytes(raw, serialization.PublicFormat.Raw))


def _device_aad(vault_id: str, epoch: int, device: str) -> bytes:
    return f"cairn-sync|{vault_id}|device-key|{epoch}|{device}".encode()


def wrap_for_device(public: bytes, key: bytes, vault_id: str, epoch: int, device: str) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    eph_pub = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    nonce = secrets.token_bytes(12)
    kek = derive_key(shared + eph_pub + public, "sync/device-wrap")
    return eph_pub + nonce + _aead(kek).encrypt(nonce, key, _device_aad(vault_id, epoch, device))


def unwrap_for_device(private: bytes, blob: bytes, vault_id: str, epoch: int, device: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

    me = X25519PrivateKey.from_private_bytes(private)
    public = me.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    eph_pub, nonce, ct = blob[:32], blob[32:44], blob[44:]
    shared = me.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    try:
        return bytes(_aead(derive_key(shared + eph_pub + public, "sync/device-wrap")).decrypt(
            nonce, ct, _device_aad(vault_id, epoch, device)))
    except InvalidTag as exc:
        raise sealing.SealError(f"the key wrapped for this device (epoch {epoch}) failed authentication") from exc


# -- the header and the passphrase wrap ------------------------------------------------------------------------
def read_header(target: Target) -> dict[str, Any] | None:
    try:
        raw = target.get(HEADER)
    except FileNotFoundError:
        return None
    try:
        header = json.loads(raw)
    except ValueError as exc:
        raise CairnError(f"{HEADER} on the sync target is damaged: {exc}") from exc
    if header.get("format") != FORMAT:
        raise CairnError(f"the sync target holds {header.get('format')!r}, which this Cairn cannot read")
    return dict(header)


def _passphrase_wrap(vault_id: str, epoch: int, key: bytes, passphrase: str) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    aad = f"cairn-sync|{vault_id}|passphrase|{epoch}".encode()
    ct = _aead(_passphrase_key(passphrase, salt, ARGON2)).encrypt(nonce, key, aad)
    return {"epoch": epoch, "salt": _b64(salt), "params": ARGON2, "nonce": _b64(nonce), "ciphertext": _b64(ct)}


def unlock_with_passphrase(header: dict[str, Any], passphrase: str, where: str) -> tuple[int, bytes]:
    from cryptography.exceptions import InvalidTag

    wrap = header["passphrase"]
    epoch = int(wrap["epoch"])
    aad = f"cairn-sync|{header['vault']}|passphrase|{epoch}".encode()
    kek = _passphrase_key(passphrase, _unb64(wrap["salt"]), dict(wrap["params"]))
    try:
        return epoch, bytes(_aead(kek).decrypt(_unb64(wrap["nonce"]), _unb64(wrap["ciphertext"]), aad))
    except InvalidTag as exc:
        raise WrongSyncPassphrase(f"wrong sync passphrase: it does not unlock the Cairn vault synced at {where}") from exc


def create(target: Target, passphrase: str) -> KeyRing:
    """Start a synced vault on an empty target: epoch 1, a random key wrapped for the passphrase."""
    vault_id = secrets.token_hex(16)
    key = secrets.token_bytes(32)
    header = {"format": FORMAT, "vault": vault_id, "epoch": 1, "passphrase": _passphrase_wrap(vault_id, 1, key, passphrase)}
    target.put(HEADER, json.dumps(header, indent=1).encode())
    return KeyRing(vault_id, {1: key})


def check_vault(header: dict[str, Any], expected_vault: str | None, where: str) -> None:
    if expected_vault is not None and header["vault"] != expected_vault:
        raise ForeignVault(
            f"the sync target at {where} holds another Cairn vault ({header['vault'][:8]}…), not the one this "
            f"device syncs with ({expected_vault[:8]}…): choose another place, or `cairn sync leave` first")


def fill_older_keys(target: Target, ring: KeyRing) -> None:
    """Walk the key chain down from the oldest epoch held to epoch 1."""
    epoch = min(ring.keys)
    while epoch > 1:
        name = f"keys/chain-{epoch}"
        try:
            blob = target.get(name)
        except FileNotFoundError as exc:
            raise CairnError(f"the key chain on the sync target is missing {name}") from exc
        ring.keys[epoch - 1] = sealing.open_sealed(ring.keys[epoch], ring.vault_id, "chain", name, blob)
        epoch -= 1


# -- devices ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeviceRecord:
    device: str
    name: str
    public: bytes
    joined: float
    removed: float | None = None

    def to_json(self) -> bytes:
        return json.dumps({"device": self.device, "name": self.name, "public": _b64(self.public),
                           "joined": self.joined, "removed": self.removed}).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> DeviceRecord:
        d = json.loads(raw)
        return cls(d["device"], d["name"], _unb64(d["public"]), float(d["joined"]), d.get("removed"))


def put_device(target: Target, ring: KeyRing, record: DeviceRecord) -> None:
    name = f"devices/{record.device}"
    target.put(name, sealing.seal(ring.epoch, ring.current, ring.vault_id, "device", name, record.to_json()))
    if record.removed is None:
        wrap = f"keys/{ring.epoch}-{record.device}"
        target.put(wrap, wrap_for_device(record.public, ring.current, ring.vault_id, ring.epoch, record.device))


def list_devices(target: Target, ring: KeyRing) -> list[DeviceRecord]:
    records = []
    for name in target.list("devices"):
        blob = target.get(name)
        epoch = sealing.sealed_epoch(blob)
        if epoch not in ring.keys:
            continue
        records.append(DeviceRecord.from_json(sealing.open_sealed(ring.keys[epoch], ring.vault_id, "device", name, blob)))
    return sorted(records, key=lambda r: r.joined)


def unlock_as_device(target: Target, header: dict[str, Any], device: str, private: bytes) -> KeyRing:
    """This device's keys for the target's current epoch, or ``DeviceRemoved``."""
    vault_id, epoch = header["vault"], int(header["epoch"])
    try:
        blob = target.get(f"keys/{epoch}-{device}")
    except FileNotFoundError as exc:
        raise DeviceRemoved(
            "this device was removed from the synced vault (no key for it since the last rotation): it can no "
            "longer read new changes; join again with the new sync passphrase or a pairing code") from exc
    ring = KeyRing(vault_id, {epoch: unwrap_for_device(private, blob, vault_id, epoch, device)})
    fill_older_keys(target, ring)
    return ring


def rotate(target: Target, ring: KeyRing, remove: str, new_passphrase: str) -> KeyRing:
    """Remove ``remove``: a new epoch key for every other device and for ``new_passphrase``."""
    devices = list_devices(target, ring)
    if remove not in {d.device for d in devices}:
        raise CairnError(f"no device {remove!r} in this synced vault (see `cairn sync status`)")
    epoch = ring.epoch + 1
    new_key = secrets.token_bytes(32)
    new = KeyRing(ring.vault_id, {**ring.keys, epoch: new_key})
    chain = f"keys/chain-{epoch}"
    target.put(chain, sealing.seal(epoch, new_key, ring.vault_id, "chain", chain, ring.current))
    now = time.time()
    for record in devices:
        if record.device == remove and record.removed is None:
            record = DeviceRecord(record.device, record.name, record.public, record.joined, now)
        put_device(target, new, record)
    header = read_header(target) or {}
    header.update({"epoch": epoch, "passphrase": _passphrase_wrap(ring.vault_id, epoch, new_key, new_passphrase)})
    target.put(HEADER, json.dumps(header, indent=1).encode())
    for name in list(target.list("keys")):
        if name.startswith(f"keys/{ring.epoch}-") or name.startswith("keys/0"):
            target.delete(name)  # the old epoch's wraps: nobody needs them once the new ones exist
    return new


# -- pairing codes -------------------------------------------------------------------------------------------
def _pairing_parts(code: str) -> tuple[str, bytes]:
    clean = code.replace("-", "").replace(" ", "").upper()
    secret = derive_key(clean.encode(), "sync/pairing")
    return f"pairing/{derive_key(secret, 'sync/pairing-name').hex()[:24]}", secret


def new_pairing_code(target: Target, ring: KeyRing) -> str:
    """A one-time code (80 random bits, base32 in groups of four) that lets one device join for 15 minutes."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    code = "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
    name, secret = _pairing_parts(code)
    expires = round(time.time() + PAIRING_TTL_S)
    nonce = secrets.token_bytes(12)
    aad = f"cairn-sync|{ring.vault_id}|pairing|{expires}".encode()
    body = {"vault": ring.vault_id, "epoch": ring.epoch, "expires": expires, "nonce": _b64(nonce),
            "ciphertext": _b64(_aead(secret).encrypt(nonce, ring.current, aad))}
    target.put(name, json.dumps(body).encode())
    return code


def redeem_pairing_code(target: Target, code: str, where: str) -> KeyRing:
    from cryptography.exceptions import InvalidTag

    name, secret = _pairing_parts(code)
    try:
        body = json.loads(target.get(name))
    except FileNotFoundError as exc:
        raise WrongSyncPassphrase(f"no such pairing code at {where} (already used, expired or mistyped)") from exc
    target.delete(name)  # one time only, whatever happens next
    if time.time() > float(body["expires"]):
        raise WrongSyncPassphrase("this pairing code has expired: show a new one on the other device")
    aad = f"cairn-sync|{body['vault']}|pairing|{int(body['expires'])}".encode()
    try:
        key = bytes(_aead(secret).decrypt(_unb64(body["nonce"]), _unb64(body["ciphertext"]), aad))
    except InvalidTag as exc:
        raise WrongSyncPassphrase("the pairing code does not unlock the synced vault") from exc
    ring = KeyRing(body["vault"], {int(body["epoch"]): key})
    fill_older_keys(target, ring)
    return ring

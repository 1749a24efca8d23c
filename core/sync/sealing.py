"""What makes an object safe to hand to a sync target: padded, AES-256-GCM sealed, bound to its name.

Layout: ``MAGIC(4) | epoch(4, big-endian) | nonce(12) | ciphertext+tag``.
The key is HKDF-SHA256 of the epoch's sync key with the object's purpose
(segment, media, device), and the associated data binds the vault id, the
purpose and the object's name: an object copied under another name, into
another vault or from another purpose fails authentication.  Plaintexts are
padded (``core.sync.padding``) before sealing, so sizes fall into buckets.

Names are random-looking: a keyed hash of what the object is (a device's
sequence number, a media blob's content hash), so the same object always
gets the same name (idempotent re-upload) and the name tells the target nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct

from core.crypto.envelope import derive_key
from core.errors import CairnError
from core.sync.padding import pad, unpad

MAGIC = b"CRS1"
_EPOCH = struct.Struct(">I")
HEADER = len(MAGIC) + _EPOCH.size + 12


class SealError(CairnError):
    """An object failed authentication, was truncated or belongs elsewhere."""


def object_name(epoch_key: bytes, purpose: str, identity: bytes) -> str:
    """A stable, random-looking name for an object (hex, 32 characters)."""
    key = derive_key(epoch_key, f"sync/names/{purpose}")
    return hmac.new(key, identity, hashlib.sha256).hexdigest()[:32]


def _aad(vault_id: str, purpose: str, name: str) -> bytes:
    return f"cairn-sync|{vault_id}|{purpose}|{name}".encode()


def seal(epoch: int, epoch_key: bytes, vault_id: str, purpose: str, name: str, payload: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    aead = AESGCM(derive_key(epoch_key, f"sync/{purpose}"))
    return MAGIC + _EPOCH.pack(epoch) + nonce + aead.encrypt(nonce, pad(payload), _aad(vault_id, purpose, name))


def sealed_epoch(blob: bytes) -> int:
    """The key epoch an object was sealed under (``SealError`` for something that is no sealed object)."""
    if len(blob) < HEADER + 16 or blob[:4] != MAGIC:
        raise SealError("not a Cairn sync object (wrong header or truncated)")
    return int(_EPOCH.unpack_from(blob, 4)[0])


def open_sealed(epoch_key: bytes, vault_id: str, purpose: str, name: str, blob: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    sealed_epoch(blob)
    aead = AESGCM(derive_key(epoch_key, f"sync/{purpose}"))
    try:
        padded = aead.decrypt(blob[8:HEADER], blob[HEADER:], _aad(vault_id, purpose, name))
    except InvalidTag as exc:
        raise SealError("failed authentication (tampered, truncated, renamed or from another vault)") from exc
    try:
        return unpad(padded)
    except ValueError as exc:
        raise SealError(str(exc)) from exc

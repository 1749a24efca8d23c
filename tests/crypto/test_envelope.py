"""Media envelopes: the header (version byte included) is authenticated; old version-1 files still open."""

from __future__ import annotations

import secrets

import pytest

from core.crypto.envelope import MAGIC, MediaCipher, derive_key
from core.errors import CairnError

KEY = bytes(range(32))


def test_round_trip_and_a_flipped_version_byte_is_refused() -> None:
    cipher = MediaCipher(KEY)
    blob = cipher.seal(b"a screenshot", "abc123")
    assert blob[:4] == MAGIC and blob[4] == 2
    assert cipher.open(blob, "abc123") == b"a screenshot"
    for version in (1, 3):
        tampered = blob[:4] + bytes([version]) + blob[5:]
        with pytest.raises(CairnError, match="damaged"):
            cipher.open(tampered, "abc123")
    with pytest.raises(CairnError, match="damaged"):
        cipher.open(blob, "other-name")  # two files swapped on disk


def test_a_version_1_file_still_opens() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    legacy = MAGIC + b"\x01" + nonce + AESGCM(derive_key(KEY, "media")).encrypt(nonce, b"old frame", b"n1")
    assert MediaCipher(KEY).open(legacy, "n1") == b"old frame"

"""AES-256-GCM envelopes for media files (screenshots, thumbnails, attachments).

Layout of a file: ``MAGIC(4) | version(1) | nonce(12) | ciphertext+tag``.  The
key is HKDF-SHA256 of the data key with a purpose label, so the media key is
never the database key.  The header (magic and version) and the file name (a
random id) are bound in as associated data, so a flipped version byte or two
files swapped on disk are detected.  Version 1 files (name only as associated
data) are still read; new files are version 2.  Files are written by
``core.private_file.write_private`` (temp, fsync, rename) so a crash leaves either the old state or the new file.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from core.errors import CairnError
from core.private_file import write_private

MAGIC = b"CRN1"
VERSION = 2
LEGACY_VERSION = 1  # associated data was the name only: read, never written
HEADER_LEN = len(MAGIC) + 1
NONCE_LEN = 12


def derive_key(data_key: bytes, purpose: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"cairn/{purpose}".encode()).derive(data_key)


class MediaCipher:
    """Encrypts and decrypts media blobs under a key derived from the data key."""

    def __init__(self, data_key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(derive_key(data_key, "media"))

    def seal(self, plaintext: bytes, name: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_LEN)
        header = MAGIC + bytes([VERSION])
        return header + nonce + self._aead.encrypt(nonce, plaintext, _associated(header, name))

    def open(self, blob: bytes, name: str) -> bytes:
        from cryptography.exceptions import InvalidTag

        if blob[:4] != MAGIC or len(blob) < HEADER_LEN + NONCE_LEN + 16:
            raise CairnError(f"media file {name} is not a Cairn envelope")
        header, version = blob[:HEADER_LEN], blob[4]
        if version not in (VERSION, LEGACY_VERSION):
            raise CairnError(f"media file {name} is damaged (unknown envelope version {version})")
        associated = name.encode() if version == LEGACY_VERSION else _associated(header, name)
        try:
            return self._aead.decrypt(blob[HEADER_LEN:HEADER_LEN + NONCE_LEN], blob[HEADER_LEN + NONCE_LEN:],
                                      associated)
        except InvalidTag as exc:
            raise CairnError(f"media file {name} is damaged or belongs to another vault") from exc

    def write_file(self, directory: Path, name: str, plaintext: bytes) -> Path:
        """Seal and write atomically and durably; returns the final path."""
        final = directory / name
        write_private(final, self.seal(plaintext, name), durable=True)
        return final

    def read_file(self, directory: Path, name: str) -> bytes:
        return self.open((directory / name).read_bytes(), name)


def _associated(header: bytes, name: str) -> bytes:
    """What the tag authenticates besides the ciphertext: the whole header, then the file name."""
    return header + name.encode()

"""AES-256-GCM sealed files for derived data (the vector index): authenticated, atomic, never plaintext on disk.

Layout: ``MAGIC(4) | nonce(12) | ciphertext+tag``.  The key is HKDF of the
data key with its own purpose label; the file name and a caller's header are
bound in as associated data, so a renamed, truncated, swapped or tampered file
fails ``open`` with ``SealedFileError`` instead of yielding wrong bytes.
Writes go through ``core.private_file.write_private`` (temp file, fsync, rename,
folder fsync): a kill -9 leaves the old file or the new one, never a mix.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from core.crypto.envelope import derive_key
from core.errors import CairnError
from core.private_file import TEMP_SUFFIX, write_private

MAGIC = b"CRS1"
_HEAD = len(MAGIC) + 12


class SealedFileError(CairnError):
    """A sealed file is missing, truncated, tampered with or from another vault."""


class SealedFiles:
    """Seals and opens whole files under a key derived from the data key for one ``purpose``."""

    def __init__(self, data_key: bytes, purpose: str) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(derive_key(data_key, purpose))

    def seal(self, plaintext: bytes | memoryview, aad: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return MAGIC + nonce + self._aead.encrypt(nonce, bytes(plaintext), aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag

        if blob[: len(MAGIC)] != MAGIC or len(blob) < _HEAD + 16:
            raise SealedFileError("not a sealed Cairn file (wrong magic or truncated)")
        view = memoryview(blob)  # slices of a view: no second copy of a 57 MB index blob (~0.03 s CPU at unlock)
        try:
            return self._aead.decrypt(view[len(MAGIC) : _HEAD], view[_HEAD:], aad)
        except InvalidTag as exc:
            raise SealedFileError("sealed file failed authentication (damaged, stale or from another vault)") from exc

    def write(self, path: Path, plaintext: bytes | memoryview, aad: bytes) -> int:
        """Seal ``plaintext`` into ``path`` atomically and durably; returns the bytes written."""
        return write_private(path, self.seal(plaintext, aad), durable=True)

    def read(self, path: Path, aad: bytes) -> bytes:
        try:
            blob = path.read_bytes()
        except FileNotFoundError as exc:
            raise SealedFileError(f"{path.name} is missing") from exc
        return self.open(blob, aad)

    def remove_leftovers(self, path: Path, older_than_s: float = 600.0) -> int:
        """Delete half-written temp files a killed writer left beside ``path`` (ciphertext, but clutter).

        Only old ones: a younger file may belong to another process that is writing right now.
        """
        import time

        removed = 0
        # ``.name.<pid>.<token>.tmp`` from write_private; ``name.<token>.new`` from versions before it
        leftovers = [*path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"), *path.parent.glob(f"{path.name}.*.new")]
        for leftover in leftovers:
            try:
                if time.time() - leftover.stat().st_mtime > older_than_s:
                    leftover.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

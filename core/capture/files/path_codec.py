"""Path keys with no secret in them: ``PathCodec`` encrypts each part of a path the redactor finds a secret in.

The file indexer looks its rows up by the path (the item's ``external_id`` and
``conversation``, the ledger's ``origin``), so those keys must stay
deterministic and reversible; they must also keep prefixes (every key under a
folder starts with the folder's key and ``/``: watch remove, moves and
deletions scan a folder's range).  A key is ``path_key(path)`` in which every
``/``-separated part holding a secret becomes ``U+FFFD '*'`` + base64url of
its AES-SIV encryption (deterministic authenticated encryption, RFC 5297)
under a key derived from the vault's data key.  Parts are judged one by one,
so a folder's key is a prefix of its files' keys whatever the rules find;
``path_key`` never writes U+FFFD followed by ``*``, so the two never mix.
A path without a secret keeps its readable key, so nothing else changes.

``fingerprint`` names the key and the rules: a vault whose stored fingerprint
differs (older rules, a vault from before this module, a rekey) has its keys
re-encoded by ``core.capture.files.path_recode``.

Threads: immutable apart from a bounded cache of judged parts (a dict; safe
under the GIL).  Errors: ``path`` raises ``PathKeyError`` for a part no key
given opens (a damaged or foreign key).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from pathlib import Path

from core.capture.files.paths import display_path, path_from_key, path_key
from core.errors import CairnError

PURPOSE = "file-path-keys"
MARK = "\ufffd*"
_CACHE_ENTRIES = 16384  # parts judged (folder names repeat on every file below them)
_AAD = b"cairn file path part v1"


class PathKeyError(CairnError):
    """A stored path key has a part that no key of this vault opens."""


def siv_key(derive: Callable[[str], bytes]) -> bytes:
    """The 64-byte AES-256-SIV key from a 32-byte key derivation (two labels)."""
    return derive(PURPOSE + "/1") + derive(PURPOSE + "/2")


def fingerprint(key: bytes, rules_digest: str) -> str:
    """Names the key (by a keyed check value, never the key) and the rules a codec encodes with."""
    check = hmac.new(key, b"cairn path key check", hashlib.sha256).hexdigest()[:16]
    return f"v1:{rules_digest[:16]}:{check}"


def current_fingerprint(derive: Callable[[str], bytes]) -> str:
    """``codec_for(derive).fingerprint`` without loading the redaction rules."""
    from core.redact.redactor import default_rules_digest

    return fingerprint(siv_key(derive), default_rules_digest())


class PathCodec:
    """``key(path)`` and its inverse ``path(key)``; ``shown(path)`` for people, secrets redacted part by part.

    ``redact(part)`` returns the part with its secrets replaced (the part
    itself when it holds none).  ``key`` encrypts; ``old_keys`` only open (a
    rekey that stopped half-way leaves parts under either key).
    """

    def __init__(self, key: bytes, redact: Callable[[str], str], rules_digest: str,
                 old_keys: Sequence[bytes] = ()) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESSIV

        self._siv = AESSIV(key)
        self._openers = [self._siv, *(AESSIV(k) for k in old_keys)]
        self._redact = redact
        self._judged: dict[str, str] = {}
        self.fingerprint = fingerprint(key, rules_digest)

    def key(self, path: Path | str) -> str:
        """The stored key of ``path``: ``path_key(path)`` with every part that holds a secret encrypted."""
        return self.encode(path_key(path))

    def encode(self, plain: str) -> str:
        """``path_key`` text → stored key."""
        parts = plain.split("/")
        if not any(self._has_secret(part) for part in parts):
            return plain
        return "/".join(self._seal(part) if self._has_secret(part) else part for part in parts)

    def plain(self, key: str) -> str:
        """Stored key → ``path_key`` text (inverse of ``encode``)."""
        if MARK not in key:
            return key
        return "/".join(self._open(part) if part.startswith(MARK) else part for part in key.split("/"))

    def path(self, key: str) -> Path:
        """Stored key → the path (inverse of ``key``)."""
        return path_from_key(self.plain(key))

    def shown(self, path: Path | str) -> str:
        """``display_path(path)`` with the secrets in each part redacted (a whole-path pass can run past a ``/``)."""
        return "/".join(self._clean(part) for part in display_path(path).split("/"))

    def _clean(self, part: str) -> str:
        if not part:
            return part
        clean = self._judged.get(part)
        if clean is None:
            clean = self._redact(part)
            if len(self._judged) >= _CACHE_ENTRIES:
                self._judged.clear()
            self._judged[part] = clean
        return clean

    def _has_secret(self, part: str) -> bool:
        return self._clean(part) != part

    def _seal(self, part: str) -> str:
        sealed = self._siv.encrypt(part.encode("utf-8"), [_AAD])
        return MARK + base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")

    def _open(self, token: str) -> str:
        from cryptography.exceptions import InvalidTag

        body = token[len(MARK):]
        try:
            sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError as exc:
            raise PathKeyError("a stored file path key is damaged") from exc
        for opener in self._openers:
            try:
                return opener.decrypt(sealed, [_AAD]).decode("utf-8")
            except InvalidTag:
                continue
        raise PathKeyError("a stored file path key does not open with this vault's key (damaged or foreign)")


def codec_for(derive: Callable[[str], bytes], *, old_derive: Callable[[str], bytes] | None = None) -> PathCodec:
    """The codec with the shipped redaction rules and a key from ``derive`` (``old_derive``: also opens)."""
    from core.redact.redactor import Redactor, default_rules_digest

    def redact(part: str) -> str:
        return Redactor.from_default_rules().redact(part).text  # parsed once per process, on first use

    old = [siv_key(old_derive)] if old_derive is not None else []
    return PathCodec(siv_key(derive), redact, default_rules_digest(), old)

"""WebDAV and S3 credentials live in the OS keyring only: never in settings, the vault, logs or the target.

Entries: service ``cairn-sync``, user name = the target's address (no secret
in it), password = JSON ``{"user", "secret"}``.  The backend is the trusted OS
keyring (``core.crypto.keyring_guard``: plaintext and null backends are
refused); a caller may hand in another ``keyring.backend.KeyringBackend``
(tests keep one in their temporary folder).
"""

from __future__ import annotations

import json
from typing import Any

from core.crypto.keyring_guard import trusted_keyring
from core.sync.target import Credentials, TargetSpec

SERVICE = "cairn-sync"


def _backend(backend: Any | None) -> Any:
    return backend if backend is not None else trusted_keyring()


def save_credentials(spec: TargetSpec, credentials: Credentials, backend: Any | None = None) -> None:
    _backend(backend).set_password(SERVICE, spec.url, json.dumps({"user": credentials.user,
                                                                   "secret": credentials.secret}))


def load_credentials(spec: TargetSpec, backend: Any | None = None) -> Credentials | None:
    if not spec.needs_credentials:
        return None
    raw = _backend(backend).get_password(SERVICE, spec.url)
    if not raw:
        return None
    data = json.loads(raw)
    return Credentials(str(data["user"]), str(data["secret"]))


def delete_credentials(spec: TargetSpec, backend: Any | None = None) -> None:
    import contextlib

    if spec.needs_credentials:
        with contextlib.suppress(Exception):
            _backend(backend).delete_password(SERVICE, spec.url)

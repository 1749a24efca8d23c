"""Which OS keyring backends Cairn trusts with its key-encryption key.

``keyring`` silently falls back to a plaintext file when ``keyrings.alt`` is
installed, and to a null backend on a headless machine.  Both would defeat the
encryption, so only real OS stores are allowed.
"""

from __future__ import annotations

from typing import Any

from core.errors import KeyringUnavailable

ALLOWED_BACKENDS: frozenset[str] = frozenset(
    {
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
    }
)


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def acceptable_backends(backend: Any) -> list[Any]:
    """The allow-listed stores behind ``backend`` (unwrapping keyring's chainer)."""
    inner = getattr(backend, "backends", None)
    candidates = list(inner) if inner is not None else [backend]
    return [b for b in candidates if backend_name(b) in ALLOWED_BACKENDS]


def trusted_keyring() -> Any:
    """The OS keyring backend to use, or ``KeyringUnavailable`` saying why not."""
    try:
        import keyring
    except ImportError as exc:  # pragma: no cover - keyring is a hard dependency
        raise KeyringUnavailable("the keyring package is not installed") from exc
    backend = keyring.get_keyring()
    good = acceptable_backends(backend)
    if not good:
        raise KeyringUnavailable(
            f"no trusted OS keyring (found {backend_name(backend)}); "
            "Cairn uses your passphrase instead (plaintext and null keyrings are refused)"
        )
    return good[0]

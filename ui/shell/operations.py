"""The shell's operations: how the vault may be unlocked, the "locked by the user" flag, giving memory back when idle.

``WorkOp``s (``ui.operations``): none needs the vault handle — the probe runs
before there is one, the flag as it goes, the release with the handle the
caller still holds.

Threads: build on the GUI thread; the work runs on a worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.operations import WorkOp
from ui.session import Session

if TYPE_CHECKING:
    from core.vault import Vault


def probe_unlock(session: Session) -> WorkOp[tuple[bool, bool]]:
    """Whether the key is wrapped for the OS keyring, and whether the user locked the vault (keyring refused)."""
    paths = session.paths

    def probe() -> tuple[bool, bool]:
        from core.vault import unlock_options

        return unlock_options(paths)

    return WorkOp(session, probe, label="probe keys")


def flag_locked(session: Session) -> WorkOp[None]:
    """Mark the vault as locked by the user, so the keyring does not unlock it behind their back."""
    paths = session.paths

    def flag() -> None:
        from core.private_file import write_private
        from core.vault import lock_flag

        write_private(lock_flag(paths), b"locked\n")

    return WorkOp(session, flag, label="lock flag")


def release_models(session: Session, vault: Vault) -> WorkOp[None]:
    """Unload the embedding model after a long idle spell, and give the freed heap back."""

    def release() -> None:
        from ui.shell.ram import release_free_memory

        if vault.release_embedder():
            release_free_memory()

    return WorkOp(session, release, label="release models")


def release_memory(session: Session) -> WorkOp[None]:
    """Give freed heap back to the system (after the screenshot cache was trimmed)."""
    from ui.shell.ram import release_free_memory

    return WorkOp(session, release_free_memory, label="release memory")

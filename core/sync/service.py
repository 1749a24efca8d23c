"""A whole sync pass for a vault as configured: target from the vault, credentials from the keyring, then
vectors and consolidation for what arrived.

Used by `cairn sync now`, the capture host's background sync and the app.
Threads: one pass at a time per vault.  Errors: as ``SyncEngine.sync``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from core.errors import CairnError
from core.paths import VaultPaths
from core.ports import EmbedPending
from core.sync import setup
from core.sync.credentials import load_credentials
from core.sync.engine import SyncEngine, SyncReport, SyncStore
from core.sync.target import Target, open_target


class SyncedVault(SyncStore, EmbedPending, Protocol):
    """A vault that syncs: what the engine needs, plus embedding what arrived and where its files are."""

    paths: VaultPaths


@contextmanager
def one_pass_at_a_time(paths: VaultPaths) -> Iterator[None]:
    """An exclusive lock on ``run/sync.lock``: the daemon, the app and `cairn sync now` never pass together."""
    paths.ensure()
    with open(paths.runtime_dir / "sync.lock", "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: passes are serialised within a process only
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def configured_target(store: SyncStore, keyring_backend: Any | None = None) -> Target:
    spec = setup.spec_of(store.read())
    if spec is None:
        raise CairnError("sync is not set up on this device: run `cairn sync setup folder|webdav|s3 …`")
    return open_target(spec, load_credentials(spec, keyring_backend))


def sync_pass(vault: SyncedVault, *, target: Target | None = None, keyring_backend: Any | None = None,
              consolidate: Callable[[], Any] | None = None) -> SyncReport:
    """Export, upload, download, apply; then embed the new chunks and consolidate when anything arrived."""
    with one_pass_at_a_time(vault.paths):
        engine = SyncEngine(vault, target or configured_target(vault, keyring_backend))
        report = engine.sync()
    if report.changed_here:
        vault.embed_pending()
        if consolidate is not None:
            consolidate()
    return report

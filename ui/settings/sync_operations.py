"""The Sync tab's operations: read the sync status, connect to a target, sync now, pair, remove a device, leave.

Each runs on a worker through ``ui.operations``; credentials go to the OS
keyring (``core.sync.credentials``), never to the settings.

Threads: build on the GUI thread; the work runs on a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.changes import ENTITIES, FACTS, GRAPH, ITEMS, MEDIA, SETTINGS, Outcome, changes
from ui.operations import CollectionOp, QueryOp
from ui.session import Session

if TYPE_CHECKING:
    from core.vault import Vault


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    """What the user typed in the Sync tab to start or join a synced vault."""

    kind: str  # 'folder' | 'webdav' | 's3'
    where: str
    user: str = ""
    secret: str = ""
    endpoint: str = ""
    passphrase: str = ""
    code: str = ""
    device_name: str = ""


def sync_status(session: Session) -> QueryOp[Any]:
    """``core.sync.setup.SyncStatus``, with the device list when the target answers."""

    def read(vault: Vault) -> Any:
        from core.sync import setup
        from core.sync.service import configured_target

        try:
            target: Any = configured_target(vault)
        except Exception:
            target = None  # offline or not set up: the local part still shows
        return setup.status(vault, target)

    return QueryOp(session, read, label="sync status")


def connect(session: Session, request: ConnectRequest) -> CollectionOp:
    """Start or join the synced vault at the target; the value says whether it was created here."""

    def run(vault: Vault) -> Outcome[bool]:
        from core.sync import setup
        from core.sync.credentials import save_credentials
        from core.sync.target import Credentials, open_target, parse_target

        where = request.where.strip()
        if request.kind == "s3" and request.endpoint.strip():
            where = f"{where}?endpoint={request.endpoint.strip()}"
        spec = parse_target(request.kind, where)
        credentials = Credentials(request.user.strip(), request.secret) if spec.needs_credentials else None
        target = open_target(spec, credentials)
        if credentials is not None:
            save_credentials(spec, credentials)
        _, created = setup.join(vault, spec, target, passphrase=request.passphrase or None,
                                code=request.code.strip() or None, device_name=request.device_name.strip() or None)
        return Outcome(created, frozenset())

    return CollectionOp(session, run, label="set up sync")


def sync_now(session: Session) -> CollectionOp:
    """One sync pass; views refresh for what arrived."""

    def run(vault: Vault) -> Outcome[Any]:
        from core.sync.service import sync_pass

        report = sync_pass(vault, consolidate=vault.consolidate)
        arrived = changes(ITEMS, MEDIA, ENTITIES, FACTS, GRAPH, SETTINGS) if report.changed_here else frozenset()
        return Outcome(report, arrived)

    return CollectionOp(session, run, label="sync now")


def pairing_code(session: Session) -> QueryOp[str]:
    def run(vault: Vault) -> str:
        from core.sync import setup
        from core.sync.service import configured_target

        return setup.pairing_code(vault, configured_target(vault))

    return QueryOp(session, run, label="pairing code")


def remove_device(session: Session, device: str, new_passphrase: str) -> CollectionOp:
    def run(vault: Vault) -> Outcome[None]:
        from core.sync import setup
        from core.sync.service import configured_target

        setup.remove_device(vault, configured_target(vault), device, new_passphrase)
        return Outcome(None, frozenset())

    return CollectionOp(session, run, label="remove device")


def set_background(session: Session, enabled: bool) -> CollectionOp:
    def run(vault: Vault) -> Outcome[None]:
        from core.sync import state

        vault.write(lambda c: state.set_meta(c, "enabled", "1" if enabled else "0"))
        return Outcome(None, frozenset())

    return CollectionOp(session, run, label="background sync")


def leave(session: Session) -> CollectionOp:
    def run(vault: Vault) -> Outcome[None]:
        from core.sync import setup
        from core.sync.credentials import delete_credentials

        spec = setup.spec_of(vault.read())
        setup.leave(vault)
        if spec is not None:
            delete_credentials(spec)
        return Outcome(None, frozenset())

    return CollectionOp(session, run, label="leave sync")

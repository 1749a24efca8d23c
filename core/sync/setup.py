"""Joining a target, leaving it, pairing, removing devices, and what `cairn sync status` reports.

Threads: any; database writes go through the store's writer.  Errors:
``membership.WrongSyncPassphrase``, ``ForeignVault``, ``DeviceRemoved``,
``CairnError`` — each with a message fit for the user.
"""

from __future__ import annotations

import json
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

from core.errors import CairnError
from core.ports import Store
from core.sync import membership, state
from core.sync.membership import DeviceRecord, KeyRing
from core.sync.target import Target, TargetSpec


def spec_of(conn: Any) -> TargetSpec | None:
    raw = state.get_meta(conn, "target")
    return None if raw is None else TargetSpec(**json.loads(raw))


def join(store: Store, spec: TargetSpec, target: Target, *, passphrase: str | None = None, code: str | None = None,
         device_name: str | None = None) -> tuple[KeyRing, bool]:
    """Join (or start) the synced vault at ``target``; returns its keys and whether it was created here."""
    conn = store.read()
    known_vault = state.get_meta(conn, "vault")
    header = membership.read_header(target)
    created = False
    if header is None:
        if code is not None:
            raise membership.NotATarget(f"no synced Cairn vault at {spec.url} to join with a pairing code")
        if not passphrase:
            raise CairnError("a sync passphrase is needed to start syncing (it lets your other devices join)")
        if known_vault is not None:
            raise membership.ForeignVault(
                f"this device already syncs with another vault ({known_vault[:8]}…): `cairn sync leave` first")
        ring = membership.create(target, passphrase)
        created = True
    else:
        membership.check_vault(header, known_vault, spec.url)
        if code is not None:
            ring = membership.redeem_pairing_code(target, code, spec.url)
        elif passphrase:
            epoch, key = membership.unlock_with_passphrase(header, passphrase, spec.url)
            ring = KeyRing(header["vault"], {epoch: key})
            membership.fill_older_keys(target, ring)
        else:
            raise CairnError("joining a synced vault needs its sync passphrase or a pairing code")
    device = state.get_meta(conn, "device") or secrets.token_hex(8)
    private_hex = state.get_meta(conn, "device_private")
    if private_hex is None:
        private, public = membership.new_device_keypair()
    else:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        private = bytes.fromhex(private_hex)
        public = X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    record = DeviceRecord(device, device_name or socket.gethostname() or "device", public, time.time())
    membership.put_device(target, ring, record)

    def save(c: Any) -> None:
        state.save_ring(c, ring)
        state.set_meta(c, "device", device)
        state.set_meta(c, "device_private", private.hex())
        state.set_meta(c, "device_name", record.name)
        state.set_meta(c, "target", json.dumps({"kind": spec.kind, "url": spec.url}))
        state.set_meta(c, "enabled", "1")

    store.write(save)
    return ring, created


def leave(store: Store) -> None:
    """Stop syncing here and forget the keys; the memories stay in this vault."""
    store.write(state.forget_everything)


def remove_device(store: Store, target: Target, device: str, new_passphrase: str) -> KeyRing:
    """Remove ``device`` (by id or name): rotate keys; every other device gets the new key, it does not."""
    conn = store.read()
    ring = state.load_ring(conn)
    if ring is None:
        raise CairnError("sync is not set up on this device")
    me = state.get_meta(conn, "device")
    records = membership.list_devices(target, ring)
    match = [r for r in records if device in (r.device, r.name) and r.removed is None]
    if not match:
        raise CairnError(f"no device {device!r} in this synced vault (see `cairn sync status`)")
    if len(match) > 1:
        raise CairnError(f"{len(match)} devices are called {device!r}: remove one by its id")
    if match[0].device == me:
        raise CairnError("this is the device you are on: use `cairn sync leave` instead")
    new = membership.rotate(target, ring, match[0].device, new_passphrase)
    store.write(lambda c: state.save_ring(c, new))
    return new


def pairing_code(store: Store, target: Target) -> str:
    ring = state.load_ring(store.read())
    if ring is None:
        raise CairnError("sync is not set up on this device")
    return membership.new_pairing_code(target, ring)


@dataclass(frozen=True, slots=True)
class DeviceSeen:
    device: str
    name: str
    this_device: bool
    joined: float
    removed: float | None
    last_segment: int | None
    last_applied_at: float | None


@dataclass(frozen=True, slots=True)
class SyncStatus:
    configured: bool
    target: TargetSpec | None = None
    device: str | None = None
    device_name: str | None = None
    last_sync: float | None = None
    pending_segments: int = 0
    pending_changes: int = 0
    epoch: int | None = None
    errors: tuple[tuple[float, str], ...] = ()
    devices: tuple[DeviceSeen, ...] = ()
    enabled: bool = False


def status(store: Store, target: Target | None = None) -> SyncStatus:
    """What `cairn sync status` shows; ``target`` (optional, may be offline) adds the device list."""
    from core.sync.export import pending_items

    conn = store.read()
    spec = spec_of(conn)
    ring = state.load_ring(conn)
    if spec is None or ring is None:
        return SyncStatus(configured=False)
    me = state.get_meta(conn, "device")
    pending_segments = int(conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0])
    pending_changes = pending_items(conn)
    applied = {str(r[0]): (int(r[1]), float(r[2])) for r in conn.execute(
        "SELECT device, max(seq), max(applied_at) FROM sync_applied WHERE device != '!rejected' GROUP BY device")}
    seen: list[DeviceSeen] = []
    records: list[DeviceRecord] = []
    if target is not None:
        try:
            records = membership.list_devices(target, ring)
        except Exception:  # offline or damaged: the local part of the status still shows
            records = []
    for r in records:
        last = applied.get(r.device)
        seen.append(DeviceSeen(r.device, r.name, r.device == me, r.joined, r.removed,
                               last[0] if last else None, last[1] if last else None))
    if not records:
        for device, (seq, at) in applied.items():
            seen.append(DeviceSeen(device, device, device == me, 0.0, None, seq, at))
    last_sync = state.get_meta(conn, "last_sync")
    return SyncStatus(
        configured=True, target=spec, device=me, device_name=state.get_meta(conn, "device_name"),
        last_sync=float(last_sync) if last_sync else None, pending_segments=pending_segments,
        pending_changes=pending_changes, epoch=ring.epoch, errors=tuple(state.recent_errors(conn)),
        devices=tuple(seen), enabled=state.get_meta(conn, "enabled") == "1",
    )

"""Joining by passphrase or pairing code, refusing wrong keys and foreign vaults, removing a device."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import CairnError
from core.sync import membership, segments, setup, state
from core.sync.engine import SyncEngine
from core.sync.target import TargetSpec, open_target
from tests.memory.helpers import at, chat
from tests.sync.helpers import SYNC_PASSPHRASE, folder_target, join, new_vault


def test_wrong_passphrase_and_foreign_vault_are_refused_clearly(tmp_path: Path) -> None:
    a, b, c = new_vault(tmp_path, "a"), new_vault(tmp_path, "b"), new_vault(tmp_path, "c")
    try:
        spec, target = folder_target(tmp_path)
        join(a, spec, target, "laptop")
        with pytest.raises(membership.WrongSyncPassphrase, match="wrong sync passphrase"):
            join(b, spec, target, "desktop", passphrase="not it")
        assert setup.status(b).configured is False  # nothing half set up
        other = tmp_path / "other-folder"
        other.mkdir()
        other_spec = TargetSpec("folder", str(other))
        join(c, other_spec, open_target(other_spec), "tablet")
        with pytest.raises(membership.ForeignVault, match="another Cairn vault"):
            join(c, spec, target, "tablet")
        # a target swapped under a configured device is refused at sync time too
        c.write(lambda conn: state.set_meta(conn, "target", json.dumps({"kind": "folder", "url": spec.url})))
        with pytest.raises(membership.ForeignVault):
            SyncEngine(c, target).sync()
    finally:
        for v in (a, b, c):
            v.close()


def test_pairing_code_joins_once(tmp_path: Path) -> None:
    a, b, c = new_vault(tmp_path, "a"), new_vault(tmp_path, "b"), new_vault(tmp_path, "c")
    try:
        spec, target = folder_target(tmp_path)
        join(a, spec, target, "laptop")
        a.ingest([chat("1", "paired devices see this", "Ana Lima", at(0))], embed=False)
        SyncEngine(a, target).sync()
        code = setup.pairing_code(a, target)
        setup.join(b, spec, target, code=code, device_name="phone")
        SyncEngine(b, target).sync()
        assert [r[0] for r in b.read().execute("SELECT text FROM items")] == ["paired devices see this"]
        with pytest.raises(membership.WrongSyncPassphrase, match="pairing code"):
            setup.join(c, spec, target, code=code, device_name="thief")
    finally:
        for v in (a, b, c):
            v.close()


def test_removed_device_cannot_read_new_segments(tmp_path: Path) -> None:
    a, b, c = new_vault(tmp_path, "a"), new_vault(tmp_path, "b"), new_vault(tmp_path, "c")
    try:
        spec, target = folder_target(tmp_path)
        for vault, name in ((a, "laptop"), (b, "desktop"), (c, "old-phone")):
            join(vault, spec, target, name)
        a.ingest([chat("1", "before the removal", "Ana Lima", at(0))], embed=False)
        SyncEngine(a, target).sync()
        SyncEngine(c, target).sync()
        old_ring = state.load_ring(c.read())
        setup.remove_device(a, target, "old-phone", "a brand new sync passphrase")
        a.ingest([chat("2", "after the removal", "Ana Lima", at(1))], embed=False)
        SyncEngine(a, target).sync()

        with pytest.raises(membership.DeviceRemoved, match="removed"):
            SyncEngine(c, target).sync()
        newest = [n for n in target.list("segments")]
        readable = 0
        for name in newest:
            try:
                segments.decode(old_ring, name, target.get(name))
                readable += 1
            except CairnError:
                pass
        assert readable == len(newest) - 1  # everything but the segment written after the rotation
        SyncEngine(b, target).sync()  # the remaining device picks up the new key by itself
        assert {r[0] for r in b.read().execute("SELECT text FROM items")} == {"before the removal", "after the removal"}
        # the old passphrase (which the removed device knew) no longer joins; the new one does
        d = new_vault(tmp_path, "d")
        try:
            with pytest.raises(membership.WrongSyncPassphrase):
                join(d, spec, target, "new-laptop", passphrase=SYNC_PASSPHRASE)
            join(d, spec, target, "new-laptop", passphrase="a brand new sync passphrase")
            SyncEngine(d, target).sync()
            assert d.read().execute("SELECT count(*) FROM items").fetchone()[0] == 2
        finally:
            d.close()
        names = {s.name: s.removed is not None for s in setup.status(a, target).devices}
        assert names == {"laptop": False, "desktop": False, "old-phone": True, "new-laptop": False}
    finally:
        for v in (a, b, c):
            v.close()

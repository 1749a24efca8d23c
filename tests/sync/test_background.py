"""Background sync for real: the capture host syncs on its own, pauses while the server is down, resumes."""

from __future__ import annotations

import socket
from pathlib import Path

from core.host.host import CaptureHost, HostOptions
from core.sync import credentials, setup
from core.sync.background import BackgroundSync
from core.sync.schedule import SyncSchedule
from core.sync.target import Credentials, open_target, parse_target
from tests.memory.helpers import at, chat
from tests.sync.helpers import SYNC_PASSPHRASE, folder_target, join, new_vault
from tests.sync.servers import WEBDAV_PASSWORD, WEBDAV_USER, FolderKeyring, webdav_server

NO_CAPTURE = HostOptions(screen=False, files=False, inbox=False, consolidate=False, tick_s=0.05)


def _wait(condition, deadline_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    import threading

    stop = threading.Event()
    waited = 0.0
    while not condition():
        assert waited < deadline_s, "condition not reached before the deadline"
        stop.wait(0.05)
        waited += 0.05


def _texts(vault) -> set[str]:  # type: ignore[no-untyped-def]
    return {r[0] for r in vault.read().execute("SELECT text FROM items")}


def test_the_capture_host_syncs_in_the_background(tmp_path: Path) -> None:
    a, b = new_vault(tmp_path, "a"), new_vault(tmp_path, "b")
    hosts: list[CaptureHost] = []
    try:
        spec, target = folder_target(tmp_path)
        join(a, spec, target, "laptop")
        join(b, spec, target, "desktop")
        a.ingest([chat("1", "captured on the laptop", "Ana Lima", at(0))], embed=False)
        host_a = CaptureHost(a, NO_CAPTURE)
        hosts.append(host_a)
        host_a.start()
        assert host_a.background_sync is not None
        _wait(lambda: any(target.list("segments")))  # the first pass runs at once
        host_b = CaptureHost(b, NO_CAPTURE)
        hosts.append(host_b)
        host_b.start()
        _wait(lambda: "captured on the laptop" in _texts(b))
        # switched off in the vault (Settings → Sync or another process): the host follows
        host_b.stop()
        hosts.remove(host_b)
        b.write(lambda c: c.execute("UPDATE sync_meta SET value = '0' WHERE key = 'enabled'"))
        host_b = CaptureHost(b, NO_CAPTURE)
        hosts.append(host_b)
        host_b.start()
        assert host_b.background_sync is None
    finally:
        for host in hosts:
            host.stop()
        a.close()
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_changes_sync_after_they_settle_and_sync_pauses_while_offline(tmp_path: Path) -> None:
    keyring = FolderKeyring(tmp_path / "keyring.json")
    port = _free_port()
    root = tmp_path / "dav-root"
    a, b = new_vault(tmp_path, "a"), new_vault(tmp_path, "b")
    workers: list[BackgroundSync] = []
    try:
        with webdav_server(root, port) as url:
            spec = parse_target("webdav", url)
            credentials.save_credentials(spec, Credentials(WEBDAV_USER, WEBDAV_PASSWORD), keyring)
            for vault, name in ((a, "laptop"), (b, "desktop")):
                setup.join(vault, spec, open_target(spec, credentials.load_credentials(spec, keyring)),
                           passphrase=SYNC_PASSPHRASE, device_name=name)
            for vault in (a, b):
                worker = BackgroundSync(vault, schedule=SyncSchedule(quiet_s=0.3, max_delay_s=2, every_s=1.0,
                                                                     retry_s=0.2), tick_s=0.05, keyring_backend=keyring)
                workers.append(worker)
                worker.start()
            _wait(lambda: all(w.state().passes >= 1 for w in workers))
            a.ingest([chat("1", "written while online", "Ana Lima", at(0))], embed=False)
            _wait(lambda: "written while online" in _texts(b))
        # the server is gone: both pause and say so, nothing is lost
        a.ingest([chat("2", "written while the server was down", "Ana Lima", at(1))], embed=False)
        _wait(lambda: workers[0].state().phase == "offline")
        assert "unreachable" in (workers[0].state().last_error or "")
        assert a.read().execute("SELECT count(*) FROM sync_log WHERE message LIKE 'offline%'").fetchone()[0] >= 1
        with webdav_server(root, port):
            _wait(lambda: "written while the server was down" in _texts(b))
            assert workers[0].state().phase in ("idle", "syncing")
    finally:
        for worker in workers:
            worker.stop()
        a.close()
        b.close()

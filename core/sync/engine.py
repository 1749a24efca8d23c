"""One sync pass: export what changed here, upload it, download and apply what other devices wrote.

``SyncEngine(store, target)`` holds no state between passes beyond what is in
the vault (``core.store.sync_schema``), so a pass killed at any point (-9
included) resumes at the next one without duplicates or gaps:

1. media of changed items are sealed and uploaded under content-addressed
   names (same bytes → same name; a re-upload overwrites identical content);
2. the diff becomes sealed segments in ``sync_outbox`` in the same transaction
   that marks its rows synced (``export.collect``);
3. each outbox segment is uploaded under its derived name, then dropped from the
   outbox; the media objects of forgotten items are deleted from the target;
4. every segment on the target not yet applied here is fetched, authenticated
   and applied in one transaction with its bookkeeping (``apply.apply_ops``);
   one that fails authentication, is truncated or replayed is skipped with its
   reason logged (``sync_log``) and the pass goes on; one whose media have not
   arrived yet (a folder still syncing) waits for the next pass.

Threads: one pass at a time per vault (the caller serialises); database
writes go through the store's writer.  Errors: ``TargetUnreachable`` when the
target cannot be reached (the caller pauses and retries), ``CairnError`` for
refusals (wrong key, removed device, foreign vault).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.errors import CairnError
from core.ports import Forget, Media, SettingsSource, Store
from core.sync import apply as apply_mod
from core.sync import export, membership, sealing, segments, state
from core.sync.hlc import Clock
from core.sync.membership import KeyRing
from core.sync.target import Target

log = logging.getLogger(__name__)
OPS_PER_SEGMENT = 2000
REJECTED = "!rejected"


class SyncStore(Store, Forget, Media, SettingsSource, Protocol):
    """What sync needs of the vault: reads, writes, forget, media in and out, the settings."""

    def get_media(self, media_id: Any) -> bytes: ...


@dataclass(slots=True)
class SyncReport:
    uploaded_segments: int = 0
    uploaded_ops: int = 0
    uploaded_media: int = 0
    applied_segments: int = 0
    applied: apply_mod.Applied = field(default_factory=apply_mod.Applied)
    downloaded_media: int = 0
    deleted_objects: int = 0
    compacted: int = 0  # own segments rewritten without the text of items forgotten since
    rejected: list[str] = field(default_factory=list)
    waiting: int = 0  # segments whose media have not reached the target yet

    @property
    def changed_here(self) -> bool:
        a = self.applied
        return bool(a.items or a.forgotten or a.facts or a.settings or a.graph)


class SyncEngine:
    """Syncs one unlocked vault with one target; see the module doc."""

    def __init__(self, store: SyncStore, target: Target, *, ops_per_segment: int = OPS_PER_SEGMENT) -> None:
        self.store = store
        self.target = target
        self.ops_per_segment = ops_per_segment
        conn = store.read()
        device = state.get_meta(conn, "device")
        ring = state.load_ring(conn)
        if device is None or ring is None:
            raise CairnError("sync is not set up on this device: run `cairn sync setup …`")
        self.device = device
        self.ring: KeyRing = ring
        self.clock = Clock.restore(device, state.get_meta(conn, "hlc"))

    # -- the pass ----------------------------------------------------------------------------------------
    def sync(self, forget_items: Callable[[Sequence[int]], None] | None = None) -> SyncReport:
        report = SyncReport()
        self.target.invalidate()
        self._refresh_keys()
        self._upload_media(report)
        self._export()
        self._upload_outbox(report)
        self._download(report, forget_items)
        self._compact(report)
        self.store.write(lambda c: (state.set_meta(c, "hlc", self.clock.last),
                                    state.set_meta(c, "last_sync", str(time.time()))))
        return report

    def _refresh_keys(self) -> None:
        header = membership.read_header(self.target)
        if header is None:
            raise CairnError("the sync target is empty: it was wiped or moved (set sync up again)")
        membership.check_vault(header, self.ring.vault_id, "the configured target")
        if int(header["epoch"]) > self.ring.epoch:
            private = bytes.fromhex(state.get_meta(self.store.read(), "device_private") or "")
            ring = membership.unlock_as_device(self.target, header, self.device, private)
            ring.keys.update({e: k for e, k in self.ring.keys.items() if e not in ring.keys})
            self.ring = ring
            self.store.write(lambda c: state.save_ring(c, ring))

    # -- out ------------------------------------------------------------------------------------------
    def _upload_media(self, report: SyncReport) -> None:
        while True:
            batch = export.media_to_upload(self.store.read())
            if not batch:
                return
            done: list[tuple[str, int]] = []
            for media_id, _kind in batch:
                data = self.store.get_media(media_id)
                obj = sealing.object_name(self.ring.current, "media", hashlib.sha256(data).digest())
                name = f"media/{obj}"
                if not self.target.exists(name):  # content-addressed: a re-run after a crash uploads nothing twice
                    self.target.put(name, sealing.seal(self.ring.epoch, self.ring.current, self.ring.vault_id,
                                                       "media", obj, data))
                    report.uploaded_media += 1
                done.append((obj, media_id))
            # one transaction per batch (each commit is an fsync)
            self.store.write(lambda c, rows=done: c.executemany(
                "INSERT OR REPLACE INTO sync_media (obj, media_id, uploaded) VALUES (?, ?, 1)", rows))

    def _export(self) -> None:
        while True:
            if not self.store.write(self._export_one):
                return

    def _export_one(self, conn: Any) -> bool:
        collected = export.collect(conn, self.clock.now, self.ops_per_segment)
        if not collected.ops:
            return False
        seq = int(state.get_meta(conn, "next_seq") or "1")
        segment = segments.Segment(self.device, seq, self.clock.now(), collected.ops)
        name, blob = segments.encode(self.ring, segment)
        conn.execute("INSERT INTO sync_outbox (seq, name, blob, ops, deletes) VALUES (?,?,?,?,?)",
                     (seq, name, blob, len(collected.ops), state.dumps(collected.deletes)))
        conn.executemany("INSERT OR IGNORE INTO sync_authored (source_key, seq) VALUES (?, ?)",
                         [(op["k"], seq) for op in collected.ops if op["t"] == "item"])
        state.set_meta(conn, "next_seq", str(seq + 1))
        state.set_meta(conn, "hlc", self.clock.last)
        return len(collected.ops) >= self.ops_per_segment

    def _upload_outbox(self, report: SyncReport) -> None:
        import json

        rows = self.store.read().execute("SELECT seq, name, blob, ops, deletes FROM sync_outbox ORDER BY seq").fetchall()
        for seq, name, blob, ops, deletes in rows:
            self.target.put(name, bytes(blob))
            for obj in json.loads(deletes):
                self.target.delete(obj)
                report.deleted_objects += 1
            self.store.write(lambda c, s=seq, n=name: (
                c.execute("DELETE FROM sync_outbox WHERE seq = ?", (s,)),
                c.execute("INSERT OR IGNORE INTO sync_applied (name, device, seq, applied_at) VALUES (?,?,?,?)",
                          (n, self.device, s, time.time()))))
            report.uploaded_segments += 1
            report.uploaded_ops += int(ops)

    # -- in -------------------------------------------------------------------------------------------
    def _download(self, report: SyncReport, forget_items: Callable[[Sequence[int]], None] | None) -> None:
        conn = self.store.read()
        seen = {str(r[0]): int(r[1]) for r in conn.execute("SELECT name, seq FROM sync_applied")}
        rejected = {str(r[0]): int(r[1]) for r in
                    conn.execute("SELECT name, seq FROM sync_applied WHERE device = ?", (REJECTED,))}
        for name in self.target.list(segments.FOLDER):
            if name in seen and name not in rejected:
                continue
            try:
                blob = self.target.get(name)
            except FileNotFoundError:
                continue
            if name in rejected and rejected[name] == len(blob):
                continue  # the same bad bytes as last time: already logged
            try:
                segment = segments.decode(self.ring, name, blob)
            except sealing.SealError as exc:
                self._reject(name, len(blob), str(exc), report)
                continue
            self._apply(name, segment, report, forget_items)

    def _reject(self, name: str, size: int, reason: str, report: SyncReport) -> None:
        message = f"segment {name.rsplit('/', 1)[-1][:12]}… rejected: {reason}"
        log.warning(message)
        report.rejected.append(message)
        self.store.write(lambda c: (
            state.log_error(c, message),
            c.execute("INSERT OR REPLACE INTO sync_applied (name, device, seq, applied_at) VALUES (?,?,?,?)",
                      (name, REJECTED, size, time.time()))))

    def _apply(self, name: str, segment: segments.Segment, report: SyncReport,
               forget_items: Callable[[Sequence[int]], None] | None) -> None:
        if segment.device == self.device:
            # our own segment, uploaded before a crash lost the bookkeeping: already in this vault
            self.store.write(lambda c: c.execute(
                "INSERT OR IGNORE INTO sync_applied (name, device, seq, applied_at) VALUES (?,?,?,?)",
                (name, segment.device, segment.seq, time.time())))
            return
        media_ids = self._fetch_media(segment, report)
        if media_ids is None:
            report.waiting += 1
            return
        self._forget_first(segment, forget_items)

        def job(conn: Any) -> apply_mod.Applied:
            done = apply_mod.apply_ops(conn, segment.ops, media_ids, self.clock.observe)
            conn.execute("INSERT OR REPLACE INTO sync_applied (name, device, seq, applied_at) VALUES (?,?,?,?)",
                         (name, segment.device, segment.seq, time.time()))
            state.set_meta(conn, "hlc", self.clock.last)
            return done

        done = self.store.write(job)
        report.applied_segments += 1
        for attr in ("items", "forgotten", "facts", "settings", "graph", "stale"):
            setattr(report.applied, attr, getattr(report.applied, attr) + getattr(done, attr))

    def _fetch_media(self, segment: segments.Segment, report: SyncReport) -> dict[str, int] | None:
        """Local media ids for every object the segment's items reference (downloading the new ones)."""
        conn = self.store.read()
        wanted = {obj: kind for op in segment.ops if op["t"] == "item" for obj, kind in op["media"]}
        found: dict[str, int] = {}
        for obj, kind in wanted.items():
            row = conn.execute("SELECT media_id FROM sync_media WHERE obj = ? AND media_id IS NOT NULL", (obj,)).fetchone()
            if row is not None:
                found[obj] = int(row[0])
                continue
            try:
                blob = self.target.get(f"media/{obj}")
            except FileNotFoundError:
                return None
            epoch = sealing.sealed_epoch(blob)
            if epoch not in self.ring.keys:
                return None
            data = sealing.open_sealed(self.ring.keys[epoch], self.ring.vault_id, "media", obj, blob)
            media_id = int(self.store.put_media(data, kind, None).value)
            self.store.write(lambda c, o=obj, m=media_id: c.execute(
                "INSERT OR REPLACE INTO sync_media (obj, media_id, uploaded) VALUES (?, ?, 1)", (o, m)))
            found[obj] = media_id
            report.downloaded_media += 1
        return found

    def _forget_first(self, segment: segments.Segment, forget_items: Callable[[Sequence[int]], None] | None) -> None:
        """Items the segment forgets, deleted for real (media files and vectors too) before it is applied."""
        conn = self.store.read()
        ids: list[int] = []
        for op in segment.ops:
            if op["t"] != "forget" or not apply_mod.forget_is_newer(conn, op["k"], op["h"]):
                continue
            row = conn.execute("SELECT id FROM items WHERE source_key = ?", (op["k"],)).fetchone()
            if row is not None:
                ids.append(int(row[0]))
        if ids:
            (forget_items or (lambda chosen: self.store.forget(item_ids=chosen)))(ids)

    # -- compaction -----------------------------------------------------------------------------------
    def _compact(self, report: SyncReport) -> None:
        """Cut forgotten items out of this device's segments on the target (their text must not stay there).

        Each device rewrites only its own segments (same device and sequence number, sealed under the
        current key); a device that already applied the old one skips the rewrite as stale, a new one
        never sees the forgotten text.
        """
        conn = self.store.read()
        by_seq: dict[int, set[str]] = {}
        for seq, key in conn.execute(
                "SELECT a.seq, a.source_key FROM sync_authored a JOIN sync_tombstones t ON t.source_key = a.source_key"
                " ORDER BY a.seq"):
            by_seq.setdefault(int(seq), set()).add(str(key))
        for seq, keys in by_seq.items():
            row = conn.execute("SELECT name FROM sync_applied WHERE device = ? AND seq = ?", (self.device, seq)).fetchone()
            if row is None:
                continue  # not uploaded yet: the next pass compacts it
            name = str(row[0])
            try:
                segment = segments.decode(self.ring, name, self.target.get(name))
            except FileNotFoundError:
                segment = None
            if segment is not None:
                kept = [op for op in segment.ops if not (op["t"] == "item" and op["k"] in keys)]
                new_name, blob = segments.encode(self.ring, segments.Segment(self.device, seq, segment.hlc, kept))
                self.target.put(new_name, blob)
                if new_name != name:
                    self.target.delete(name)
                name = new_name
                report.compacted += 1
            marks = ",".join("?" * len(keys))

            def done(c: Any, s: int = seq, n: str = name, k: tuple[str, ...] = tuple(keys), m: str = marks) -> None:
                c.execute("DELETE FROM sync_applied WHERE device = ? AND seq = ?", (self.device, s))
                c.execute("INSERT OR REPLACE INTO sync_applied (name, device, seq, applied_at) VALUES (?,?,?,?)",
                          (n, self.device, s, time.time()))
                c.execute(f"DELETE FROM sync_authored WHERE seq = ? AND source_key IN ({m})", (s, *k))

            self.store.write(done)

"""Forget travels as a tombstone, concurrent fact edits resolve the same way everywhere, bad segments are skipped."""

from __future__ import annotations

import json
from pathlib import Path

from core.memory.knowledge import facts
from core.memory.knowledge.entities import self_entity
from core.sync import segments, state
from core.sync.engine import SyncEngine
from tests.memory.helpers import at, chat
from tests.sync.helpers import sync, two_devices

SHOT = b"pretend this is a webp screenshot " * 40


def _media_files(vault) -> list[Path]:
    return [p for p in vault.paths.media_dir.rglob("*.crn")]


def test_forget_removes_items_media_and_derived_facts_everywhere(tmp_path: Path) -> None:
    with two_devices(tmp_path) as (a, b, spec, target):
        a.ingest([chat("1", "Hi, I'm Ana Lima. My email is ana.lima@example.com", "Ana Lima", at(0)),
                  chat("2", "an unrelated message that stays", "Ana Lima", at(5))], embed=False)
        shot = a.ingest([chat("s1", "screen text of a private page", "Ana Lima", at(1), source="screen")], embed=False)
        a.put_media(SHOT, "screenshot", shot.item_ids[0])
        b.ingest([chat("d1", "a desktop note to forget later", "Ana Lima", at(7))], embed=False)
        sync(b, target)
        sync(a, target)
        sync(b, target)
        folder = Path(spec.url)
        assert len(list((folder / "media").iterdir())) == 1
        assert len(_media_files(b)) == 1
        emails = "SELECT count(*) FROM mem_facts WHERE predicate = 'email' AND status = 'active'"
        assert b.read().execute(emails).fetchone()[0] == 1

        a.forget(item_ids=[shot.item_ids[0], *[r[0] for r in a.read().execute(
            "SELECT id FROM items WHERE external_id IN ('1', 'd1')")]])
        report = sync(a, target)
        assert report.deleted_objects == 1
        assert list((folder / "media").iterdir()) == []  # the screenshot's object left the target
        report = sync(b, target)
        assert report.applied.forgotten == 3
        texts = [r[0] for r in b.read().execute("SELECT text FROM items WHERE source != 'summary'")]
        assert texts == ["an unrelated message that stays"]
        assert _media_files(b) == []
        assert b.read().execute(emails).fetchone()[0] == 0  # the fact lost its evidence
        # an old copy of the forgotten item arriving late does not bring it back
        assert sync(a, target).applied.items == 0
        # and its text is gone from the target too: the segments that carried it were rewritten without it
        ring = state.load_ring(a.read())
        carried = []
        for name in target.list("segments"):
            plain = json.dumps(segments.decode(ring, name, target.get(name)).ops)
            carried += [t for t in ("ana.lima@example.com", "private page", "desktop note") if t in plain]
        assert carried == []
        assert "an unrelated message that stays" in texts


def _employer(vault) -> tuple[str, list[tuple[str, str]]]:
    conn = vault.read()
    me = conn.execute("SELECT id FROM mem_entities WHERE is_self = 1").fetchone()[0]
    rows = facts.facts_about(conn, me, predicate="employer")
    current = [f.value for f in rows if f.current]
    assert len(current) == 1, rows
    return current[0], sorted((f.value, f.status) for f in rows)


def test_concurrent_edits_of_one_fact_resolve_deterministically(tmp_path: Path) -> None:
    with two_devices(tmp_path) as (a, b, _spec, target):
        fact_a = a.write(lambda c: facts.set_fact(c, self_entity(c, ("Ana Lima",)), "employer", "Acme"))
        sync(a, target)
        sync(b, target)
        fact_b = b.read().execute("SELECT id FROM mem_facts WHERE value = 'Acme'").fetchone()[0]
        # offline on both devices, the user corrects the same fact differently
        a.write(lambda c: facts.edit_fact(c, fact_a, "Globex"))
        b.write(lambda c: facts.edit_fact(c, fact_b, "Initech"))
        for vault in (b, a, b):
            sync(vault, target)
        current_a, history_a = _employer(a)
        current_b, history_b = _employer(b)
        assert current_a == current_b == "Initech"  # the later edit wins on both
        assert history_a == history_b
        assert ("Globex", "superseded") in history_a  # the losing value stays in the fact's history
        assert ("Acme", "rejected") in history_a


def test_tampered_truncated_and_replayed_segments_are_rejected_and_the_rest_applies(tmp_path: Path) -> None:
    with two_devices(tmp_path) as (a, b, spec, target):
        for n in range(8):
            a.ingest([chat(str(n), f"message number {n}", "Ana Lima", at(n))], embed=False)
            SyncEngine(a, target, ops_per_segment=50).sync()
        seg_dir = Path(spec.url) / "segments"
        names = sorted(seg_dir.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        assert len(names) == 8
        tampered, truncated, replay_source = names[1], names[3], names[5]
        blob = bytearray(tampered.read_bytes())
        blob[40] ^= 0x01
        tampered.write_bytes(bytes(blob))
        truncated.write_bytes(truncated.read_bytes()[:100])
        (seg_dir / ("0" * 32)).write_bytes(replay_source.read_bytes())  # an old segment under a new name
        report = SyncEngine(b, target).sync()
        assert report.applied_segments == 6
        assert len(report.rejected) == 3
        assert all("rejected" in r for r in report.rejected)
        texts = {r[0] for r in b.read().execute("SELECT text FROM items")}
        assert len(texts) == 6 and "message number 1" not in texts and "message number 3" not in texts
        logged = [r[0] for r in b.read().execute("SELECT message FROM sync_log")]
        assert len(logged) == 3 and any("authentication" in m for m in logged)
        # the same bad objects are not reported again at the next pass
        assert SyncEngine(b, target).sync().rejected == []

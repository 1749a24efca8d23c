"""Two vaults syncing through a plain folder end with the same memory, whatever order they sync in."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.memory.knowledge import facts
from core.memory.knowledge.entities import self_entity
from core.vault import Vault
from tests.memory.helpers import at, chat
from tests.sync.helpers import snapshot, sync, two_devices

PNG_A = b"\x89PNG fake screenshot bytes of device A " * 50


def _capture(a: Vault, b: Vault) -> None:
    """Each device captures, imports and edits on its own (one message arrives on both)."""
    a.update_settings(self_names=("Ana Lima",))  # set on one device, followed on the other
    a.ingest([chat("1", "Hi, I'm Ana Lima. My email is ana.lima@example.com", "Ana Lima", at(0)),
              chat("2", "Priya from Acme Corp sends the Globex invoice and the staging URL tomorrow", "Ana Lima", at(1)),
              chat("3", "shared message seen on both devices", "Priya", at(2))], embed=False)
    report = a.ingest([chat("4", "screen: invoice 4711 from Globex", "Ana Lima", at(3), source="screen")], embed=False)
    a.put_media(PNG_A, "screenshot", report.item_ids[0])
    b.ingest([chat("3", "shared message seen on both devices", "Priya", at(2)),
              chat("5", "Lukas joined Initech in Berlin last week", "Lukas", at(10), conversation="work"),
              chat("6", "Call me on +49 30 1234567", "Ana Lima", at(11), conversation="work")], embed=False)
    b.write(lambda c: facts.set_fact(c, self_entity(c, ("Ana Lima",)), "birthday", "1990-04-01"))


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_two_devices_converge_in_either_order(tmp_path: Path, order: str) -> None:
    with two_devices(tmp_path) as (a, b, _spec, target):
        _capture(a, b)
        first, second = (a, b) if order == "ab" else (b, a)
        for vault in (first, second, first):
            sync(vault, target)
        sa, sb = snapshot(a), snapshot(b)
        assert sa == sb
        assert len(sa["items"]) == 6  # the message both devices saw is one item, not two
        assert ("Ana Lima", "birthday", "1990-04-01", "active", 1) in sa["facts"]
        assert any(row[1] == "email" and row[2] == "ana.lima@example.com" for row in sa["facts"])
        assert sa["media"] and sa["media"][0][1] == "screenshot"
        # re-syncing adds nothing, in either direction
        for vault in (a, b):
            again = sync(vault, target)
            assert (again.uploaded_ops, again.applied.items, again.applied_segments) == (0, 0, 0)
        assert snapshot(a) == sa and snapshot(b) == sb
        # the synced screenshot opens on the other device
        other = b  # the device that did not capture it
        media_id = other.read().execute("SELECT m.id FROM media m JOIN items i ON i.id = m.item_id"
                                        " WHERE i.source = 'screen'").fetchone()[0]
        assert other.get_media(media_id) == PNG_A


def test_search_finds_the_other_devices_memories(tmp_path: Path) -> None:
    from core.retrieve.types import SearchRequest

    with two_devices(tmp_path) as (a, b, _spec, target):
        a.ingest([chat("1", "the quokka photos are on the shared drive", "Ana Lima", at(0))], embed=False)
        sync(a, target)
        sync(b, target)
        hits = b.search(SearchRequest(query="quokka photos"))
        assert [h.text for h in hits.hits][:1] == ["the quokka photos are on the shared drive"]


def test_graph_edits_follow_to_the_other_device(tmp_path: Path) -> None:
    from core.memory.knowledge import entities
    from core.memory.knowledge.merge import merge_entities

    def named(vault: Vault, name: str) -> int:
        return vault.read().execute("SELECT id FROM mem_entities WHERE name = ? AND deleted = 0 AND"
                                    " merged_into IS NULL", (name,)).fetchone()[0]

    with two_devices(tmp_path) as (a, b, _spec, target):
        _capture(a, b)
        for vault in (a, b, a):
            sync(vault, target)
        a.write(lambda c: entities.delete_entity(c, named(a, "Initech")))
        a.write(lambda c: merge_entities(c, named(a, "Priya"), named(a, "Lukas")))
        assert snapshot(a) != snapshot(b)
        sync(a, target)
        report = sync(b, target)
        assert report.applied.graph == 2
        sa, sb = snapshot(a), snapshot(b)
        assert sa == sb
        assert not any(e[1] == "Initech" and e[2] == 0 for e in sa["entities"])  # deleted (or pruned) on both
        assert not any(r[0] == "Lukas" or r[1] == "Lukas" for r in sa["relations"])
        # a later message naming Lukas lands on the merged entity on both devices
        b.ingest([chat("7", "Lukas sent the slides", "Lukas", at(20), conversation="work")], embed=False)
        for vault in (b, a):
            sync(vault, target)
        assert snapshot(a) == snapshot(b)


def _entity(vault: Vault, name: str) -> int:
    return vault.read().execute("SELECT id FROM mem_entities WHERE name = ? AND deleted = 0 AND merged_into IS NULL",
                                (name,)).fetchone()[0]


def _proposals(vault: Vault) -> set[tuple[str, str, str]]:
    return set(vault.read().execute(
        "SELECT a.name, b.name, p.status FROM mem_merge_proposals p JOIN mem_entities a ON a.id = p.a"
        " JOIN mem_entities b ON b.id = p.b").fetchall())


def test_renames_kind_changes_and_rejected_proposals_follow(tmp_path: Path) -> None:
    from core.memory.knowledge import entities

    with two_devices(tmp_path) as (a, b, _spec, target):
        _capture(a, b)
        a.ingest([chat("8", "I'll review the contract", "Jon Miller", at(12)),
                  chat("9", "me too, tonight", "John Miller", at(13))], embed=False)
        for vault in (a, b, a):
            sync(vault, target)
        assert ("Jon Miller", "John Miller", "pending") in _proposals(b)
        a.write(lambda c: entities.rename_entity(c, _entity(a, "Priya"), "Priya Sharma"))
        a.write(lambda c: entities.set_entity_kind(c, _entity(a, "Globex"), "org"))
        a.write(lambda c: entities.reject_merge(c, _entity(a, "Jon Miller"), _entity(a, "John Miller")))
        sync(a, target)
        report = sync(b, target)
        assert report.applied.graph == 3
        sa, sb = snapshot(a), snapshot(b)
        assert sa == sb
        assert ("person", "Priya Sharma", 0, 1) in sb["entities"] and ("org", "Globex", 0, 1) in sb["entities"]
        assert ("Jon Miller", "John Miller", "rejected") in _proposals(b)
        # later mentions land on the renamed, re-kinded entity on both devices; the rejection is not re-proposed
        b.ingest([chat("10", "Priya from Acme Corp shared the Globex invoice", "Lukas", at(30), conversation="work"),
                  chat("11", "Jon Miller here, contract reviewed", "Jon Miller", at(31))], embed=False)
        for vault in (b, a):
            sync(vault, target)
        sa = snapshot(a)
        assert sa == snapshot(b)
        live = [e[:2] for e in sa["entities"] if e[2] == 0 and e[3] == 1]
        assert "Priya" not in [name for _, name in live] and [k for k, name in live if name == "Globex"] == ["org"], live
        assert all(status == "rejected" for x, y, status in _proposals(a) | _proposals(b) if "Miller" in x + y)


def test_rejection_before_the_other_device_extracted_the_pair(tmp_path: Path) -> None:
    from core.memory.knowledge import entities

    with two_devices(tmp_path) as (a, b, _spec, target):  # the edits arrive with the items they are about
        a.ingest([chat("8", "I'll review the contract", "Jon Miller", at(12)),
                  chat("9", "me too, tonight", "John Miller", at(13)),
                  chat("10", "screen: invoice 4711 from Globex Plaza", "Ana Lima", at(14), source="screen")], embed=False)
        sync(a, target)
        a.write(lambda c: entities.reject_merge(c, _entity(a, "Jon Miller"), _entity(a, "John Miller")))
        a.write(lambda c: entities.rename_entity(c, _entity(a, "Jon Miller"), "Jonathan Miller"))
        a.write(lambda c: entities.set_entity_kind(c, _entity(a, "Globex Plaza"), "org"))  # typed a place
        sync(a, target)  # b receives the items, the rename and the rejection in one pass, then consolidates
        sync(b, target)
        assert snapshot(a) == snapshot(b)
        assert not any(status == "pending" for _x, _y, status in _proposals(b))


def test_concurrent_renames_resolve_the_same_way_on_both(tmp_path: Path) -> None:
    from core.memory.knowledge import entities

    with two_devices(tmp_path) as (a, b, _spec, target):
        _capture(a, b)
        for vault in (a, b, a):
            sync(vault, target)
        a.write(lambda c: entities.rename_entity(c, _entity(a, "Lukas"), "Lukas Weber"))
        b.write(lambda c: entities.rename_entity(c, _entity(b, "Lukas"), "Lukas W."))
        for vault in (a, b, a):
            sync(vault, target)
        sa = snapshot(a)
        assert sa == snapshot(b)
        assert sum(e[1] in ("Lukas Weber", "Lukas W.") for e in sa["entities"]) == 1


def test_undoing_an_automatic_merge_follows(tmp_path: Path) -> None:
    from core.memory.knowledge.aliases import recent_auto_merges, undo_merge

    def split(vault: Vault) -> bool:
        return vault.read().execute("SELECT count(*) FROM mem_entities WHERE name = 'Priya' AND merged_into IS NULL"
                                    " AND deleted = 0").fetchone()[0] == 1

    with two_devices(tmp_path) as (a, b, _spec, target):
        a.ingest([chat("1", "I joined the call late", "Priya Raman", at(0)),
                  chat("2", "I will send the slides", "Priya", at(1))], embed=False)
        for vault in (a, b, a):
            sync(vault, target)
        assert not split(a) and not split(b)  # "Priya" folded into "Priya Raman" by each device on its own
        (merge,) = recent_auto_merges(a.read())
        a.write(lambda c: undo_merge(c, merge.kept, merge.folded))
        sync(a, target)
        report = sync(b, target)
        assert report.applied.graph == 1
        assert split(a) and split(b)
        assert snapshot(a) == snapshot(b)

"""Two real encrypted vaults and a sync target, for the sync tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.paths import VaultPaths
from core.sync import setup
from core.sync.engine import SyncEngine, SyncReport
from core.sync.target import Target, TargetSpec, open_target
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE

SYNC_PASSPHRASE = "the sync passphrase"
OPTIONS = ConsolidationOptions(self_names=("Ana Lima",), phone_region="DE", summaries=False)


def new_vault(root: Path, name: str) -> Vault:
    return Vault.create(VaultPaths(root / name), TEST_PASSPHRASE, use_keyring=False, embedder=None)


def folder_target(root: Path) -> tuple[TargetSpec, Target]:
    folder = root / "synced-folder"
    folder.mkdir(exist_ok=True)
    spec = TargetSpec("folder", str(folder))
    return spec, open_target(spec)


@contextmanager
def two_devices(root: Path) -> Iterator[tuple[Vault, Vault, TargetSpec, Target]]:
    """A laptop and a desktop vault joined to one synced folder; both closed at the end."""
    a, b = new_vault(root, "a"), new_vault(root, "b")
    try:
        spec, target = folder_target(root)
        join(a, spec, target, "laptop")
        join(b, spec, target, "desktop")
        yield a, b, spec, target
    finally:
        a.close()
        b.close()


def join(vault: Vault, spec: TargetSpec, target: Target, name: str, **kw: Any) -> None:
    kw.setdefault("passphrase", SYNC_PASSPHRASE)
    setup.join(vault, spec, target, device_name=name, **kw)


def sync(vault: Vault, target: Target, **kw: Any) -> SyncReport:
    report = SyncEngine(vault, target, **kw).sync()
    consolidate(vault, options=OPTIONS)
    return report


def snapshot(vault: Vault) -> dict[str, Any]:
    """What must be equal on converged devices: items, facts and the graph, by content (ids are local)."""
    conn = vault.read()
    items = sorted(conn.execute(
        "SELECT source_key, source, kind, ts, conversation, speaker, title, text, deleted FROM items"
        " WHERE source != 'summary'").fetchall())
    chunks = sorted(conn.execute(
        "SELECT i.source_key, c.ordinal, c.text FROM chunks c JOIN items i ON i.id = c.item_id"
        " WHERE i.source != 'summary'").fetchall())
    facts = sorted(conn.execute(
        "SELECT e.name, f.predicate, f.value, f.status, f.valid_to IS NULL FROM mem_facts f"
        " JOIN mem_entities e ON e.id = f.subject").fetchall())
    entities = sorted(conn.execute(
        "SELECT kind, name, deleted, merged_into IS NULL FROM mem_entities").fetchall())
    relations = sorted(  # co_occurs is undirected (stored lower id first, and ids are local): names in order
        (*sorted((x, y)), rel, w) if rel == "co_occurs" else (x, y, rel, w) for x, y, rel, w in conn.execute(
            "SELECT a.name, b.name, r.rel, round(r.weight, 6) FROM mem_relations r JOIN mem_entities a ON a.id = r.src"
            " JOIN mem_entities b ON b.id = r.dst").fetchall())
    media = sorted(conn.execute(
        "SELECT i.source_key, m.kind, m.bytes FROM media m JOIN items i ON i.id = m.item_id").fetchall())
    return {"items": items, "chunks": chunks, "facts": facts, "entities": entities, "relations": relations,
            "media": media}

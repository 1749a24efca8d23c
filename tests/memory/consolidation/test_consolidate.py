"""Consolidation is resumable after a kill, idempotent, and follows ``forget``."""

from __future__ import annotations

import pytest

from core.memory.consolidation import consolidate as cons
from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.state import pending_count
from core.memory.consolidation.types import ConsolidationOptions
from tests.memory.helpers import at, chat

TABLES = ("mem_episodes", "mem_episode_items", "mem_entities", "mem_aliases", "mem_mentions", "mem_relations",
          "mem_relation_items", "mem_facts", "mem_fact_sources", "mem_consolidated")


def _conversation() -> list:
    lines = [
        ("Ann", "I moved to 42 Baker Street, London NW1 6XE last month"),
        ("Ben", "Nice! Is that near Regent's Park?"),
        ("Ann", "Yes, and I work at Blue Fern Studio now"),
        ("Ben", "Call Carla Ruiz about the housewarming, her email is carla@ruiz.example"),
    ]
    records = []
    for day in range(6):  # six sessions, a day apart
        for n, (who, text) in enumerate(lines):
            records.append(chat(f"{day}-{n}", f"{text} (day {day})", who, at(minutes=n, days=day)))
    return records


def _snapshot(vault) -> dict[str, int]:
    conn = vault.read()
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    counts["summaries"] = conn.execute("SELECT count(*) FROM items WHERE source = 'summary'").fetchone()[0]
    return counts


def test_resume_after_a_kill_gives_the_same_memory_without_duplicates(lexical_vault, vault_paths, monkeypatch) -> None:
    vault = lexical_vault
    vault.ingest(_conversation(), embed=False)
    options = ConsolidationOptions(batch_size=5, phone_region="GB")
    real = cons._process_batch
    calls = {"n": 0}

    def dying(conn, items, proposed, opts, *rest):
        calls["n"] += 1
        if calls["n"] == 3:
            real(conn, items, proposed, opts, *rest)  # the work is done inside the transaction...
            raise KeyboardInterrupt("killed")  # ...and the process dies before it commits
        return real(conn, items, proposed, opts, *rest)

    monkeypatch.setattr(cons, "_process_batch", dying)
    with pytest.raises(KeyboardInterrupt):
        consolidate(vault, options=options)
    assert pending_count(vault.read()) == 24 - 10  # two batches committed, the third rolled back
    monkeypatch.setattr(cons, "_process_batch", real)
    report = consolidate(vault, options=options)
    assert report.items_processed == 14 and report.remaining == 0
    resumed = _snapshot(vault)
    again = consolidate(vault, options=options)
    assert again.items_processed == 0 and again.summaries_written == 0
    assert _snapshot(vault) == resumed

    # a clean run over the same data in a second vault builds exactly the same memory
    from core.paths import VaultPaths
    from core.vault import Vault

    other = Vault.create(VaultPaths(vault_paths.home.parent / "clean"), "pw", use_keyring=False, embedder=None)
    try:
        other.ingest(_conversation(), embed=False)
        consolidate(other, options=options)
        assert _snapshot(other) == resumed
    finally:
        other.close()
    # each of the 6 episodes is on its own day: a one-episode day gets no day summary (it would restate the
    # episode's), so there are never more summaries than episodes
    assert resumed["mem_episodes"] == 6 and resumed["summaries"] == 6


def test_should_stop_pauses_and_the_next_call_resumes(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest(_conversation(), embed=False)
    options = ConsolidationOptions(batch_size=4, phone_region="GB")
    seen: list[tuple[int, int | None]] = []
    stops = iter([False, False, True])
    first = consolidate(vault, lambda d, t: seen.append((d, t)), options=options, should_stop=lambda: next(stops, True))
    assert first.stopped_early and first.items_processed == 8 and seen[-1] == (8, 24)
    second = consolidate(vault, options=options)
    assert second.items_processed == 16 and not second.stopped_early
    assert pending_count(vault.read()) == 0


def test_changed_item_is_reprocessed_and_forget_prunes(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest(_conversation(), embed=False)
    options = ConsolidationOptions(phone_region="GB")
    consolidate(vault, options=options)
    conn = vault.read()
    assert conn.execute("SELECT count(*) FROM mem_facts WHERE predicate = 'employer'").fetchone()[0] == 1
    # an edited message: its old facts go, the new ones come
    vault.ingest([chat("0-2", "Yes, and I work at Red Kite Press now (day 0)", "Ann", at(minutes=2))], embed=False)
    consolidate(vault, options=options)
    values = {r[0] for r in vault.read().execute("SELECT value FROM mem_facts WHERE predicate = 'employer'")}
    assert values == {"Blue Fern Studio", "Red Kite Press"}
    # forgetting day 0..5 removes the evidence, then the facts, episodes and summaries built on it
    vault.forget(source="chat")
    report = consolidate(vault, options=options)
    assert report.pruned["facts"] >= 1
    after = _snapshot(vault)
    assert after["mem_facts"] == 0 and after["mem_episodes"] == 0 and after["summaries"] == 0
    assert after["mem_mentions"] == 0

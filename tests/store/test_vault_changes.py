"""Every mutation of the vault facade says what it changed, and says nothing when nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.changes import (
    ENTITIES,
    FACTS,
    GRAPH,
    ITEMS,
    MEDIA,
    NOTHING,
    PROPOSALS,
    SETTINGS,
    changes,
    changes_of,
)
from core.memory.consolidation.types import ConsolidationReport
from core.retrieve.types import SearchRequest
from core.types import TimeRange
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import BASE_TIME, message


def test_ingest_reports_items_only_when_something_was_stored(lexical_vault: Any) -> None:
    v = lexical_vault
    assert v.ingest([message("1", "a new memory")]).changes == changes(ITEMS)
    assert v.ingest([message("1", "a new memory")]).changes == NOTHING  # a duplicate
    assert v.ingest([message("1", "an edited memory")]).changes == changes(ITEMS)  # an update


def test_media_and_forget_report_items_and_media(lexical_vault: Any) -> None:
    v = lexical_vault
    v.ingest([message("1", "the secret garden"), message("2", "an unrelated note", minutes=120)])
    item_id = v.search(SearchRequest("garden", parse_time=False)).hits[0].item_id
    put = v.put_media(b"pixels", "screenshot")
    assert put.changes == changes(MEDIA) and put.value > 0
    assert v.attach_media(put.value, item_id) == changes(MEDIA)
    nothing = v.forget(TimeRange(BASE_TIME + timedelta(days=30), BASE_TIME + timedelta(days=31)))
    assert (nothing.value, nothing.changes) == (0, NOTHING)
    gone = v.forget(item_ids=[item_id])
    assert (gone.value, gone.changes) == (1, changes(ITEMS, MEDIA))
    text_only = v.forget(source="chat:jsonl")
    assert (text_only.value, text_only.changes) == (1, changes(ITEMS))


def test_settings_retention_and_embedding_say_what_changed(lexical_vault: Any) -> None:
    v = lexical_vault
    saved = v.update_settings(auto_lock_minutes=9)
    assert saved.changes == changes(SETTINGS) and saved.value.auto_lock_minutes == 9
    assert v.settings().auto_lock_minutes == 9
    v.ingest([message("old", "an old memory")])
    kept = v.enforce_retention(v.settings().updated(retention_days=0, retention_gb=0))
    assert (kept.value, kept.changes) == ({"items": 0, "media": 0}, NOTHING)
    went = v.enforce_retention(v.settings().updated(retention_days=1, retention_gb=0), BASE_TIME + timedelta(days=3))
    assert (went.value["items"], went.changes) == (1, changes(ITEMS))
    assert v.embed_pending().changes == NOTHING  # no embedder here; vectors are in no view anyway
    assert v.mark_deleted("chat", "nothing-like-this").changes == NOTHING


def test_changing_the_passphrase_changes_no_view(vault_paths: Any) -> None:
    from core.vault import Vault

    with Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None) as v:
        assert v.change_passphrase(TEST_PASSPHRASE, TEST_PASSPHRASE + "-new") == NOTHING


def test_a_consolidation_report_names_what_it_touched() -> None:
    assert ConsolidationReport().changes == NOTHING
    assert ConsolidationReport(items_processed=3).changes == changes(ENTITIES, FACTS, GRAPH)
    assert ConsolidationReport(items_processed=3, summaries_written=1, merge_proposals=2).changes == changes(
        ENTITIES, FACTS, GRAPH, ITEMS, PROPOSALS)
    assert ConsolidationReport(pruned={"summaries": 1}).changes == changes(ENTITIES, FACTS, GRAPH, ITEMS)
    assert changes_of(ConsolidationReport(items_processed=1)) == changes(ENTITIES, FACTS, GRAPH)

"""The vault facade against the real encrypted database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import CairnError, VaultLocked, WrongPassphrase
from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from core.types import TimeRange
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import BASE_TIME, message


def test_ingest_is_idempotent_and_updates_edited_messages(lexical_vault) -> None:
    v = lexical_vault
    first = v.ingest([message("1", "the quarterly report is due friday"), message("2", "lunch at noon?", minutes=1)])
    assert (first.imported, first.duplicate, first.updated) == (2, 0, 0)
    again = v.ingest([message("1", "the quarterly report is due friday"), message("2", "lunch at noon?", minutes=1)])
    assert (again.imported, again.duplicate, again.updated) == (0, 2, 0)
    edited = v.ingest([message("2", "lunch at one instead?", minutes=1)])
    assert (edited.imported, edited.updated) == (0, 1)
    assert v.stats().items == 2
    hits = v.search(SearchRequest("lunch", parse_time=False)).hits
    assert [h.text for h in hits] == ["lunch at one instead?"]
    assert v.get_item(hits[0].item_id).meta["history"][0]["text"] == "lunch at noon?"
    assert v.search(SearchRequest("noon", parse_time=False)).hits == []


def test_same_id_in_two_conversations_are_two_memories(lexical_vault) -> None:
    report = lexical_vault.ingest([message("D1:1", "hello there", conversation="a"),
                                   message("D1:1", "hello there", conversation="b")])
    assert report.imported == 2


def test_filters_apply_inside_retrieval(lexical_vault) -> None:
    records = [message(str(i), f"budget meeting notes {i}", speaker="Ana" if i % 2 else "Ben",
                       conversation="x" if i < 30 else "y", minutes=i * 60) for i in range(60)]
    lexical_vault.ingest(records)
    by_ben = lexical_vault.search(SearchRequest("budget", k=10, speakers=("ben",), parse_time=False)).hits
    assert len(by_ben) == 10 and {h.speaker for h in by_ben} == {"Ben"}
    in_y = lexical_vault.search(SearchRequest("budget", k=50, conversations=("y",), parse_time=False)).hits
    assert len(in_y) == 30 and {h.conversation for h in in_y} == {"y"}
    window = TimeRange(BASE_TIME + timedelta(hours=10), BASE_TIME + timedelta(hours=15))
    timed = lexical_vault.search(SearchRequest("budget", k=50, time_range=window)).hits
    assert sorted(h.external_id for h in timed) == [str(i) for i in range(10, 15)]


def test_secrets_are_redacted_before_storage(lexical_vault) -> None:
    lexical_vault.ingest([message("1", "my card 4111 1111 1111 1111 exp 09/29")])
    item = lexical_vault.search(SearchRequest("card", parse_time=False)).hits[0]
    assert "4111" not in item.text


def test_only_the_index_text_is_chunked_and_it_is_redacted_too(lexical_vault) -> None:
    from dataclasses import replace

    record = replace(message("f1", "old line about tapirs\nnew line card 4111 1111 1111 1111 about ibises"),
                     kind="screenshot", index_text="new line card 4111 1111 1111 1111 about ibises")
    lexical_vault.ingest([record])
    assert lexical_vault.search(SearchRequest("tapirs", parse_time=False)).hits == []
    hit = lexical_vault.search(SearchRequest("ibises", parse_time=False)).hits[0]
    assert "4111" not in hit.text and "tapirs" not in hit.text
    item = lexical_vault.get_item(hit.item_id)
    assert "tapirs" in item.text and "4111" not in item.text


def test_oversized_message_is_truncated_with_a_note(lexical_vault) -> None:
    report = lexical_vault.ingest([message("big", "word " * 2_500_000)])
    assert report.imported == 1
    hit = lexical_vault.search(SearchRequest("word", parse_time=False)).hits[0]
    item = lexical_vault.get_item(hit.item_id)
    assert "truncated" in item.meta["truncated"] and len(item.text) <= 100_000


def test_forget_deletes_rows_index_and_media(lexical_vault) -> None:
    v = lexical_vault
    v.ingest([message("1", "the secret garden", minutes=0), message("2", "the secret garden again", minutes=120)])
    hits = v.search(SearchRequest("garden", parse_time=False)).hits
    item = next(h for h in hits if h.external_id == "1")
    media = v.put_media(b"\x89PNG fake pixels", "screenshot", item.item_id).value
    media_files = list(v.paths.media_dir.rglob("*.crn"))
    assert len(media_files) == 1
    n = v.forget(TimeRange(BASE_TIME - timedelta(minutes=1), BASE_TIME + timedelta(minutes=1))).value
    assert n == 1
    assert [h.external_id for h in v.search(SearchRequest("garden", parse_time=False)).hits] == ["2"]
    assert not media_files[0].exists()
    with pytest.raises(CairnError):
        v.get_media(media)
    assert v.read().execute("SELECT count(*) FROM chunks_fts").fetchone()[0] == 1


def test_media_round_trip_is_encrypted_on_disk(lexical_vault) -> None:
    payload = b"PIXELS-" + bytes(range(256)) * 10
    media_id = lexical_vault.put_media(payload, "screenshot").value
    assert lexical_vault.get_media(media_id) == payload
    (path,) = list(lexical_vault.paths.media_dir.rglob("*.crn"))
    assert b"PIXELS-" not in path.read_bytes()


def test_settings_persist_encrypted(vault_paths: VaultPaths) -> None:
    from core.vault import Vault

    with Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None) as v:
        v.update_settings(capture_interval_s=7.5, excluded_apps=["keepassxc", "signal"])
    with Vault.open(vault_paths, TEST_PASSPHRASE, embedder=None) as v:
        s = v.settings()
    assert s.capture_interval_s == 7.5 and s.excluded_apps == ("keepassxc", "signal")
    assert b"signal" not in vault_paths.database.read_bytes()


def test_wrong_passphrase_and_closed_vault(vault_paths: VaultPaths) -> None:
    from core.vault import Vault

    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    v.close()
    with pytest.raises(VaultLocked):
        v.search(SearchRequest("x"))
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_paths, "not it")


def test_neighbours_and_timeline(lexical_vault) -> None:
    lexical_vault.ingest([message(str(i), f"line {i}", minutes=i) for i in range(10)]
                         + [message("o", "other chat", conversation="z", minutes=5)])
    mid = lexical_vault.search(SearchRequest("line 5", parse_time=False)).hits[0]
    around = lexical_vault.neighbours(mid.item_id, before=2, after=2)
    assert [i.external_id for i in around] == ["3", "4", "5", "6", "7"]
    day = lexical_vault.items_between(BASE_TIME, BASE_TIME + timedelta(days=1), limit=4, offset=2)
    assert [i.external_id for i in day] == ["2", "3", "4", "5"]
    hist = lexical_vault.activity_histogram(BASE_TIME, BASE_TIME + timedelta(hours=1), 600)
    assert [n for _, n in hist] == [11, 0, 0, 0, 0, 0]


def test_retention_drops_pixels_first_then_text(lexical_vault) -> None:
    from datetime import timedelta

    v = lexical_vault
    v.ingest([message("old", "ancient screenshot text", minutes=0),
              message("mid", "older screenshot text", minutes=60 * 24 * 20),
              message("new", "fresh screenshot text", minutes=60 * 24 * 40)])
    ids = {h.external_id: h.item_id for h in v.search(SearchRequest("screenshot", k=5, parse_time=False)).hits}
    for ext, item_id in ids.items():
        v.put_media(ext.encode() * 1000, "screenshot", item_id)
    now = BASE_TIME + timedelta(days=41)
    # Pixels older than 10 days go; text is kept for 30 days.
    settings = v.settings().updated(retention_days=10, text_retention_days=30, retention_gb=0)
    gone = v.enforce_retention(settings, now).value
    assert gone == {"items": 1, "media": 2}
    assert sorted(h.external_id for h in v.search(SearchRequest("screenshot", k=5, parse_time=False)).hits) == ["mid", "new"]
    assert v.get_item(ids["mid"]).media == () and len(v.get_item(ids["new"]).media) == 1
    assert len(list(v.paths.media_dir.rglob("*.crn"))) == 1


def test_retention_size_budget_removes_oldest_media(lexical_vault) -> None:
    v = lexical_vault
    v.ingest([message(str(i), f"frame {i}", minutes=i) for i in range(5)])
    hits = sorted(v.search(SearchRequest("frame", k=10, parse_time=False)).hits, key=lambda h: h.timestamp)
    for h in hits:
        v.put_media(bytes(200_000), "screenshot", h.item_id)
    db = v.stats().database_bytes
    settings = v.settings().updated(retention_days=0, retention_gb=(db + 450_000) / 1e9)
    gone = v.enforce_retention(settings).value
    assert gone["items"] == 0 and gone["media"] == 3
    kept = [bool(v.get_item(h.item_id).media) for h in hits]
    assert kept == [False, False, False, True, True]

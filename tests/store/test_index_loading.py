"""The vector index loads in the background after unlock, newest first (real vault, real embedder).

The loader's pace is slowed with a gate between blocks (the data path is the real
one): that is the only way to look at a search that runs while the load is going on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from core.index import loader as loader_module
from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import message

DAY = 60 * 24


@pytest.fixture
def filled(vault_paths: VaultPaths) -> VaultPaths:
    with Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False) as vault:
        vault.ingest([
            message("old-dog", "I adopted a puppy from the shelter, she is a beagle", minutes=0),
            message("old-budget", "The quarterly budget spreadsheet needs two more columns", minutes=1 * DAY),
            message("old-train", "Our train to Vienna leaves at 7:40 from platform 9", minutes=2 * DAY),
            message("new-cat", "We brought home a kitten yesterday, a tiny tabby", minutes=30 * DAY),
            message("new-bike", "My bicycle got a flat tyre on the way to work", minutes=31 * DAY),
        ])
    return vault_paths


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Load two vectors per block and hold the loader after the first block until the gate opens."""
    opened = threading.Event()
    real = loader_module.load_index

    def gated(reader: Any, model: str, dim: int, **kwargs: Any) -> Any:
        kwargs.pop("on_block", None)
        return real(reader, model, dim, block_rows=2, on_block=lambda _loaded: opened.wait(60), **kwargs)

    monkeypatch.setattr(loader_module, "load_index", gated)
    yield opened
    opened.set()


def _ids(vault: Vault, query: str) -> tuple[list[str | None], tuple[str, ...]]:
    result = vault.search(SearchRequest(query, k=5, parse_time=False))
    return [h.external_id for h in result.hits if "cosine" in h.signals], result.notes


def test_search_while_loading_covers_the_newest_first_and_says_so(filled: VaultPaths, gate: threading.Event) -> None:
    vault = Vault.open(filled, TEST_PASSPHRASE)
    try:
        vault.partial_vector_search = True
        vault.start_index_load()
        by_meaning, notes = _ids(vault, "pet animal adopted")
        assert any("still loading" in note and "2 of 5" in note for note in notes), notes
        assert "new-cat" in by_meaning and "old-dog" not in by_meaning  # only the newest two so far
        gate.set()
        assert vault.vectors.loader is None or vault.vectors.loader.wait(30)
        by_meaning, notes = _ids(vault, "pet animal adopted")
        assert not any("still loading" in note for note in notes)
        assert {"new-cat", "old-dog"} <= set(by_meaning)
    finally:
        vault.close()


def test_a_one_shot_search_waits_for_the_whole_index(filled: VaultPaths, gate: threading.Event) -> None:
    vault = Vault.open(filled, TEST_PASSPHRASE)  # partial_vector_search is off: `cairn search`, the MCP server
    try:
        found: list[Any] = []
        searcher = threading.Thread(target=lambda: found.append(_ids(vault, "pet animal adopted")))
        searcher.start()
        searcher.join(1.5)
        assert searcher.is_alive(), "the search must wait for the load, not answer from part of it"
        gate.set()
        searcher.join(30)
        by_meaning, notes = found[0]
        assert "old-dog" in by_meaning and not notes
    finally:
        vault.close()


def test_forget_during_a_load_leaves_no_vector_behind(filled: VaultPaths, gate: threading.Event) -> None:
    vault = Vault.open(filled, TEST_PASSPHRASE)
    try:
        vault.partial_vector_search = True
        vault.start_index_load()
        index = vault.vectors.exact
        assert index is not None
        forgetting = threading.Thread(target=lambda: vault.forget(source="chat:jsonl"))
        forgetting.start()
        forgetting.join(1.0)
        assert forgetting.is_alive(), "forget waits for the load that could bring the vectors back"
        gate.set()
        forgetting.join(30)
        assert len(index) == 0
        assert vault.search(SearchRequest("pet animal adopted", k=5, parse_time=False)).hits == []
    finally:
        vault.close()


def test_locking_stops_a_load_in_progress(filled: VaultPaths, gate: threading.Event) -> None:
    vault = Vault.open(filled, TEST_PASSPHRASE)
    vault.start_index_load()
    loader = vault.vectors.loader
    assert loader is not None and not loader.done
    threading.Timer(0.5, gate.set).start()  # the gate stands for a block still being read
    vault.close()
    assert loader.done and len(loader.index) < 5


def test_memories_added_after_a_search_of_an_empty_vault_are_found_by_meaning(vault: Vault) -> None:
    # The first search builds an empty index; what is added later is topped up into that same index.
    assert vault.search(SearchRequest("pet animal adopted", k=5, parse_time=False)).hits == []
    vault.ingest([message("dog", "I adopted a puppy from the shelter, she is a beagle")])
    by_meaning, _notes = _ids(vault, "pet animal adopted")
    assert by_meaning == ["dog"]

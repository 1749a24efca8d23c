"""The vector half of an unfiltered search on the vault's search lane, beside the full-text half.

Real encrypted vault, real MiniLM vectors, the approximate index forced on
(``ann_min_vectors = 0``) so a small vault takes the path a 1M one takes.  The
interleavings are made, not hoped for: the vector half waits on an event at a
chosen point while the test forgets or locks, with deadlines, never sleeps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import numpy as np
import pytest

from core.errors import VaultLocked
from core.index.ann import AnnIndex
from core.index.search_lane import SearchLane
from core.paths import VaultPaths
from core.retrieve.hybrid import HybridRetriever
from core.retrieve.types import SearchRequest
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import message

DEADLINE_S = 30
TOPICS = ["I adopted a puppy from the shelter, she is a beagle", "The quarterly budget spreadsheet needs columns",
          "Our train to Vienna leaves at 7:40 from platform 9", "We brought home a kitten, a tiny tabby",
          "My bicycle got a flat tyre on the way to work", "The dentist moved my appointment to Friday"]
QUERIES = ["beagle puppy", "budget spreadsheet columns", "train to Vienna", "a small cat at home",
           "flat tyre", "dentist Friday appointment", "adopting a dog", "note 7"]


@pytest.fixture
def vault(vault_paths: VaultPaths) -> Iterator[Vault]:
    with Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False) as v:
        v.ingest([message(f"m{n}", f"{TOPICS[n % len(TOPICS)]} (note {n})", minutes=n) for n in range(48)])
    v = Vault.open(vault_paths, TEST_PASSPHRASE)
    v.ann_min_vectors = 0
    assert isinstance(v.vector_index(), AnnIndex)
    yield v
    v.close()


class Held:
    """The vault's vector index, whose ``search`` stops at ``point`` ("before" / "after" the real search) until
    ``go`` is set; ``reached`` is set when it stops there, ``found`` is what the real search answered."""

    def __init__(self, index: Any, point: str) -> None:
        self.index, self.point = index, point
        self.reached, self.go = threading.Event(), threading.Event()
        self.found: tuple[np.ndarray, np.ndarray] | None = None
        self.threads: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.index, name)

    def __len__(self) -> int:
        return len(self.index)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        self.threads.append(threading.current_thread().name)
        if allowed is None and self.point == "before":
            self._hold()
        found = self.index.search(query, k, allowed)
        if allowed is None:
            self.found = found
            if self.point == "after":
                self._hold()
        return found  # type: ignore[no-any-return]

    def _hold(self) -> None:
        self.reached.set()
        assert self.go.wait(DEADLINE_S), "the test never let the vector half go on"


def _retriever(vault: Vault, index: Any, beside: Callable[[Callable[[], Any]], Future[Any]] | None
               ) -> HybridRetriever:
    return HybridRetriever(vault.read, lambda: index, _embed(vault), beside=beside)


def _embed(vault: Vault) -> Callable[[str], np.ndarray]:
    embedder = vault.embedder()
    assert embedder is not None
    return embedder.embed_query


def _answers(result: Any) -> list[tuple[int, float, dict[str, float]]]:
    return [(int(h.chunk_id), round(h.score, 9), dict(h.signals)) for h in result.hits]


def _in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_the_vector_half_runs_on_the_lane_and_answers_as_the_serial_search_does(vault: Vault,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The vault's own searches (with the floor and the nearest match) start the lane, and answer as without it.
    assert not vault.vectors.lane.running
    requests = [SearchRequest(query, k=10, parse_time=False) for query in QUERIES]
    beside = [_answers(vault.search(request)) for request in requests]
    assert vault.vectors.lane.running
    embed = vault._query_vectors.embed_query(vault.embedder())
    monkeypatch.setattr(vault, "retriever", lambda weights=None, rankings=None: HybridRetriever(
        vault.read, vault.vector_index, embed, weights, rankings))
    assert [_answers(vault.search(request)) for request in requests] == beside
    assert all(beside)
    # Where each half ran, and the retriever's own answers with and without the lane.
    index = Held(vault.vector_index(), point="none")
    serial = _retriever(vault, index, beside=None)
    lane = _retriever(vault, index, beside=vault.vectors.lane.submit)
    for request in requests:
        index.threads.clear()
        one = serial.search(request)
        assert index.threads == [threading.current_thread().name]
        index.threads.clear()
        two = lane.search(request)
        assert index.threads == ["cairn-search-lane"], "the vector half ran on the lane"
        assert one.hits and _answers(two) == _answers(one)


def test_a_forget_while_the_vector_half_holds_a_match_never_returns_it(vault: Vault) -> None:
    request = SearchRequest("beagle puppy shelter", k=10, parse_time=False)
    first = vault.search(request).hits[0]
    assert "beagle" in first.text
    index = Held(vault.vector_index(), point="after")
    searching, out = _in_thread(lambda: _retriever(vault, index, vault.vectors.lane.submit).search(request))
    assert index.reached.wait(DEADLINE_S)
    assert index.found is not None and int(first.chunk_id) in index.found[0].tolist(), "the half holds it"
    assert vault.forget(item_ids=[first.item_id]).value == 1
    index.go.set()
    searching.join(DEADLINE_S)
    assert not searching.is_alive() and "error" not in out
    hits = out["value"].hits
    assert hits and first.item_id not in {h.item_id for h in hits}
    assert first.item_id not in {h.item_id for h in vault.search(request).hits}


def test_locking_with_a_search_in_flight_fails_that_search_as_locked_and_ends_the_lane(vault: Vault) -> None:
    index = Held(vault.vector_index(), point="before")
    lane = vault.vectors.lane
    request = SearchRequest("train to Vienna", k=10, parse_time=False)
    searching, out = _in_thread(lambda: _retriever(vault, index, lane.submit).search(request))
    assert index.reached.wait(DEADLINE_S)
    vault.close()
    index.go.set()
    searching.join(DEADLINE_S)
    assert not searching.is_alive()
    assert isinstance(out.get("error"), VaultLocked), out
    lane.join(DEADLINE_S)
    assert not lane.running
    with pytest.raises(VaultLocked):
        lane.submit(lambda: None)
    with pytest.raises(VaultLocked):
        vault.search(request)


def test_the_lane_runs_a_job_beside_the_caller_one_at_a_time_and_refuses_jobs_once_closed() -> None:
    lane = SearchLane()
    assert not lane.running  # no thread until the first job
    here = threading.current_thread().name
    assert lane.submit(lambda: threading.current_thread().name).result(DEADLINE_S) == "cairn-search-lane"
    assert lane.submit(lambda: threading.current_thread().name).result(DEADLINE_S) == "cairn-search-lane"
    # Busy with one search's half: another search's half runs on its own thread, at once.
    go = threading.Event()
    held = lane.submit(lambda: go.wait(DEADLINE_S) and threading.current_thread().name)
    assert lane.submit(lambda: threading.current_thread().name).result(DEADLINE_S) == here
    go.set()
    assert held.result(DEADLINE_S) == "cairn-search-lane"
    nested = lane.submit(lambda: lane.submit(lambda: threading.current_thread().name).result(DEADLINE_S))
    assert nested.result(DEADLINE_S) == "cairn-search-lane"
    with pytest.raises(ZeroDivisionError):
        lane.submit(lambda: 1 / 0).result(DEADLINE_S)
    assert lane.submit(lambda: threading.current_thread().name).result(DEADLINE_S) == "cairn-search-lane"
    before = lane.cpu_seconds
    lane.submit(_busy_for_5_ms_of_cpu).result(DEADLINE_S)
    assert lane.cpu_seconds - before >= 0.005  # what bench.search_ab shows as the lane's half
    lane.close()
    lane.join(DEADLINE_S)
    assert not lane.running
    with pytest.raises(VaultLocked):
        lane.submit(lambda: None)


def _busy_for_5_ms_of_cpu() -> None:
    start = time.thread_time()
    while time.thread_time() - start < 0.005:
        pass

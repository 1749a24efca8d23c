"""The sealed approximate index in a real vault: delta, forget, compaction, tampering, stale blobs, kill -9.

Real encrypted vault, real MiniLM vectors; the approximate index is forced on
(``ann_min_vectors = 0``) so a small vault exercises the path a large one takes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core.index.ann import AnnIndex
from core.index.vector_rows import log_position
from core.paths import VaultPaths
from core.retrieve.types import SearchRequest
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import message

TOPICS = ["I adopted a puppy from the shelter, she is a beagle", "The quarterly budget spreadsheet needs columns",
          "Our train to Vienna leaves at 7:40 from platform 9", "We brought home a kitten, a tiny tabby",
          "My bicycle got a flat tyre on the way to work", "The dentist moved my appointment to Friday"]
REPO = Path(__file__).resolve().parents[2]


def _open(paths: VaultPaths) -> Vault:
    vault = Vault.open(paths, TEST_PASSPHRASE)
    vault.ann_min_vectors = 0
    return vault


@pytest.fixture
def filled(vault_paths: VaultPaths) -> VaultPaths:
    with Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False) as vault:
        vault.ingest([message(f"m{n}", f"{TOPICS[n % len(TOPICS)]} (note {n})", minutes=n) for n in range(36)])
    return vault_paths


@pytest.fixture
def vault(filled: VaultPaths) -> Iterator[Vault]:
    v = _open(filled)
    assert isinstance(v.vector_index(), AnnIndex)  # built and sealed on first use
    yield v
    v.close()


def _blob_ids(vault: Vault) -> tuple[set[int], int]:
    import faiss

    service = vault.ann()
    assert service is not None
    main, seq = service.files.load(vault.read())
    invlists = faiss.extract_index_ivf(main).invlists
    ids: set[int] = set()
    for lst in range(invlists.nlist):
        if invlists.list_size(lst):
            ids.update(faiss.rev_swig_ptr(invlists.get_ids(lst), invlists.list_size(lst)).tolist())
    return ids, seq


def _meaning(vault: Vault, query: str, k: int = 5) -> list[str | None]:
    result = vault.search(SearchRequest(query, k=k, parse_time=False))
    return [h.external_id for h in result.hits if "cosine" in h.signals]


def _exact_ids(vault: Vault, query: str, k: int) -> list[int]:
    embedder = vault.embedder()
    assert embedder is not None
    rows = vault.read().execute(
        "SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.model = ? AND e.text_hash = c.text_hash",
        (embedder.model_id,)).fetchall()
    vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), -1).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    q = embedder.embed_query(query)
    order = np.argsort(-(vecs @ (q / np.linalg.norm(q))))[:k]
    return [int(rows[i][0]) for i in order]


def test_below_the_switch_point_search_is_exact_though_a_sealed_index_exists(filled: VaultPaths,
                                                                            vault: Vault) -> None:
    service = vault.ann()
    assert service is not None and service.files.path.exists()
    vault.close()
    default = Vault.open(filled, TEST_PASSPHRASE)  # switch point 20,000 vectors: this vault holds 36
    try:
        index = default.vector_index()
        assert index is not None and not isinstance(index, AnnIndex)
        assert len(index) == 36
    finally:
        default.close()


def test_new_vectors_are_searchable_before_any_compaction(vault: Vault) -> None:
    before_ids, blob_seq = _blob_ids(vault)
    vault.ingest([message("hamster", "A hamster named Biscuit joined our family today", minutes=500)])
    assert _meaning(vault, "hamster pet Biscuit")[0] == "hamster"
    after_ids, same_seq = _blob_ids(vault)
    assert same_seq == blob_seq and after_ids == before_ids, "found from the delta, not a rewritten blob"
    assert log_position(vault.read()) > blob_seq


def test_forget_hides_at_once_and_leaves_the_blob_at_the_next_compaction(vault: Vault) -> None:
    target = vault.search(SearchRequest("beagle puppy shelter", k=1, parse_time=False)).hits[0]
    vault.forget(item_ids=[target.item_id])
    again = vault.search(SearchRequest("beagle puppy shelter", k=10, parse_time=False)).hits
    assert target.item_id not in {h.item_id for h in again}
    assert int(target.chunk_id) in _blob_ids(vault)[0], "not yet compacted: the tombstone hides it"
    service = vault.ann()
    assert service is not None
    service.compact()
    ids, seq = _blob_ids(vault)
    assert int(target.chunk_id) not in ids and len(ids) == 35
    assert vault.read().execute("SELECT count(*) FROM vector_log WHERE seq <= ?", (seq,)).fetchone()[0] == 0


def test_a_flipped_byte_fails_closed_and_the_index_is_rebuilt(filled: VaultPaths, vault: Vault) -> None:
    expected = _meaning(vault, "kitten tabby")
    service = vault.ann()
    assert service is not None
    blob = service.files.path
    vault.close()
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    reopened = _open(filled)
    try:
        assert _meaning(reopened, "kitten tabby") == expected
        again = reopened.ann()
        assert again is not None and again.rebuilds == 1 and "authentication" in (again.problem or "")
        _blob_ids(reopened)  # the new blob authenticates
    finally:
        reopened.close()


def test_a_stale_blob_is_refused_and_rebuilt(filled: VaultPaths, vault: Vault) -> None:
    service = vault.ann()
    assert service is not None
    old = service.files.path.read_bytes()
    vault.forget(item_ids=[vault.search(SearchRequest("bicycle tyre", k=1, parse_time=False)).hits[0].item_id])
    vault.ingest([message("late", "The ferry to the island was cancelled", minutes=900)])
    service.compact()  # prunes the log past the old blob's position
    vault.close()
    service.files.path.write_bytes(old)  # a rolled-back (stale) copy, still authentic
    reopened = _open(filled)
    try:
        assert _meaning(reopened, "ferry island cancelled")[0] == "late"
        again = reopened.ann()
        assert again is not None and again.rebuilds == 1 and "stale" in (again.problem or "")
    finally:
        reopened.close()


SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from core.paths import VaultPaths
    from core.vault import Vault
    vault = Vault.open(VaultPaths(Path(sys.argv[1])), sys.argv[2])
    vault.ann_min_vectors = 0
    vault.vector_index()
    service = vault.ann()
    index = service.index()
    n = 0
    while True:  # save the same index over and over: the parent kills us mid-write
        service.files.save(service.index().compacted(index.snapshot()), index.main_seq)
        n += 1
        print(n, flush=True)
""")


def test_kill_9_during_save_leaves_a_consistent_index(filled: VaultPaths, vault: Vault) -> None:
    vault.close()
    child = subprocess.Popen([sys.executable, "-c", SAVER, str(filled.home), TEST_PASSPHRASE], cwd=REPO,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert child.stdout is not None
        for _ in range(3):  # a few whole saves done: the next one is in flight when the signal lands
            assert child.stdout.readline(), "the saver died before saving"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(60)
    reopened = _open(filled)
    try:
        index = reopened.vector_index()
        assert isinstance(index, AnnIndex)
        embedder = reopened.embedder()
        assert embedder is not None
        got, _ = index.search(embedder.embed_query("train to Vienna platform"), 10)
        assert got.tolist() == _exact_ids(reopened, "train to Vienna platform", 10)
    finally:
        reopened.close()


def test_the_sealed_index_holds_no_plaintext_vector(vault: Vault) -> None:
    embedder = vault.embedder()
    assert embedder is not None
    service = vault.ann()
    assert service is not None and service.files.path.exists()
    vector = embedder.embed([f"Ana: {TOPICS[0]} (note 0)"])[0]
    needles = [vector.astype(np.float32)[10:18].tobytes(), vector.astype(np.float16)[10:26].tobytes(), b"beagle",
               b"IVF", b"CAIRNANN"]
    for path in vault.paths.index_dir.iterdir():
        data = path.read_bytes()
        assert not [n for n in needles if n in data], path


def test_while_a_damaged_index_is_rebuilt_the_app_searches_exactly_and_says_so(
    filled: VaultPaths, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from core.index import ann_store

    expected = _meaning(vault, "kitten tabby")
    service = vault.ann()
    assert service is not None
    blob = service.files.path
    vault.close()
    blob.write_bytes(blob.read_bytes()[:-100])  # truncated
    gate = threading.Event()
    real = ann_store.stream_vectors

    def held(*args: object, **kwargs: object) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        gate.wait(60)  # the rebuild is still reading the vault while the user searches
        yield from real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ann_store, "stream_vectors", held)
    app = _open(filled)
    try:
        app.partial_vector_search = True
        app.start_index_load()
        result = app.search(SearchRequest("kitten tabby", k=5, parse_time=False))
        assert any("rebuilding the meaning index" in note for note in result.notes), result.notes
        assert [h.external_id for h in result.hits if "cosine" in h.signals] == expected  # exact meanwhile
        gate.set()
        again = app.ann()
        assert again is not None and again.wait(60)
        assert isinstance(app.vector_index(), AnnIndex)
        assert not any("rebuilding" in n for n in app.search(SearchRequest("kitten tabby", k=5, parse_time=False)).notes)
    finally:
        gate.set()
        app.close()


COMPACT_LOADED = textwrap.dedent("""
    import sys
    from pathlib import Path
    from core.paths import VaultPaths
    from core.retrieve.types import SearchRequest
    from core.vault import Vault
    from tests.helpers import message
    vault = Vault.open(VaultPaths(Path(sys.argv[1])), sys.argv[2])
    vault.ann_min_vectors = 0
    vault.vector_index()
    service = vault.ann()
    assert service.rebuilds == 0, "read from the sealed blob, not rebuilt"
    target = vault.search(SearchRequest("beagle puppy shelter", k=1, parse_time=False)).hits[0]
    vault.forget(item_ids=[target.item_id])
    vault.ingest([message("hamster", "A hamster named Biscuit joined our family today", minutes=500)])
    service.compact()
    print(int(target.chunk_id), flush=True)
    vault.close()
""")


def test_an_index_read_from_its_blob_compacts_a_copy(filled: VaultPaths, vault: Vault) -> None:
    """The main index read from the blob keeps its lists in the decrypted buffer (no copies at unlock): faiss
    aborts when such lists are resized, so compaction (forget and add) must work on an owned copy."""
    vault.close()
    done = subprocess.run([sys.executable, "-c", COMPACT_LOADED, str(filled.home), TEST_PASSPHRASE], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    forgotten = int(done.stdout.split()[0])
    reopened = _open(filled)
    try:
        ids, _ = _blob_ids(reopened)
        assert forgotten not in ids and len(ids) == 36  # 36 - the forgotten one + the hamster
        assert _meaning(reopened, "hamster pet Biscuit")[0] == "hamster"
    finally:
        reopened.close()

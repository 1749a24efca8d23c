"""The approximate index on seeded synthetic vectors: recall against exact search, delta, tombstones, filters.

The exact vectors come from an in-memory source here (the vault's SQL source is
exercised in tests/store/test_ann_vault.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from core.index.ann import EXACT_FILTER_LIMIT, AnnIndex, build_main, normalise

DIM = 384


class ArraySource:
    """Exact vectors by chunk id from a dict (what the vault reads from SQLCipher)."""

    def __init__(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.rows = {int(c): v for c, v in zip(ids, vectors, strict=True)}

    def vectors(self, chunk_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = [int(c) for c in chunk_ids if int(c) in self.rows]
        vecs = np.array([self.rows[c] for c in found], dtype=np.float32).reshape(len(found), DIM)
        return np.array(found, dtype=np.int64), vecs


def clustered(n: int, seed: int, centers: int = 64, noise: float = 0.7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centers, DIM)).astype(np.float32)
    return normalise(middle[rng.integers(0, centers, n)] + noise * rng.standard_normal((n, DIM)).astype(np.float32))


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, np.ndarray, AnnIndex]:
    vectors = clustered(12_000, seed=1)
    ids = np.arange(1, len(vectors) + 1, dtype=np.int64) * 3  # chunk ids are not row numbers
    order = np.random.default_rng(2).permutation(len(ids))
    blocks = ((ids[order[s : s + 4096]], vectors[order[s : s + 4096]]) for s in range(0, len(ids), 4096))
    main = build_main(blocks, len(ids), DIM)
    return ids, vectors, AnnIndex("test-model", DIM, main, 0, ArraySource(ids, vectors))


def exact_top(ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return [int(c) for c in ids[np.argsort(-(vectors @ query), kind="stable")[:k]]]


def test_recall_at_10_against_exact_search_is_above_the_floor(corpus: tuple[np.ndarray, np.ndarray, AnnIndex]) -> None:
    ids, vectors, index = corpus
    queries = clustered(60, seed=9)
    recall = []
    for q in queries:
        got, scores = index.search(q, 10)
        recall.append(len(set(got.tolist()) & set(exact_top(ids, vectors, q, 10))) / 10)
        assert np.all(np.diff(scores) <= 1e-6), "best first"
    assert float(np.mean(recall)) >= 0.95


def test_scores_are_exact_cosines(corpus: tuple[np.ndarray, np.ndarray, AnnIndex]) -> None:
    ids, vectors, index = corpus
    q = clustered(1, seed=4)[0]
    got, scores = index.search(q, 5)
    by_id = dict(zip(ids.tolist(), vectors, strict=True))
    assert np.allclose(scores, [float(by_id[int(c)] @ q) for c in got], atol=1e-5)


@pytest.mark.parametrize("share", [0.0, 1 / 12_000, 0.5 * EXACT_FILTER_LIMIT / 12_000, EXACT_FILTER_LIMIT / 12_000])
def test_a_narrow_filter_returns_exactly_the_exact_answer_set(
    corpus: tuple[np.ndarray, np.ndarray, AnnIndex], share: float
) -> None:
    ids, vectors, index = corpus
    rng = np.random.default_rng(5)
    pick = rng.choice(len(ids), size=round(share * len(ids)), replace=False)
    q = clustered(1, seed=6)[0]
    got, _ = index.search(q, 20, allowed=ids[pick])
    assert got.tolist() == exact_top(ids[pick], vectors[pick], q, 20)


@pytest.mark.parametrize("share", [0.5, 1.0])
def test_a_wide_filter_stays_inside_the_filter_with_high_recall(
    corpus: tuple[np.ndarray, np.ndarray, AnnIndex], share: float
) -> None:
    ids, vectors, index = corpus
    rng = np.random.default_rng(7)
    pick = np.sort(rng.choice(len(ids), size=round(share * len(ids)), replace=False))
    recall = []
    for q in clustered(20, seed=8):
        got, _ = index.search(q, 10, allowed=ids[pick])
        assert set(got.tolist()) <= set(ids[pick].tolist())
        recall.append(len(set(got.tolist()) & set(exact_top(ids[pick], vectors[pick], q, 10))) / 10)
    assert float(np.mean(recall)) >= 0.95


def test_delta_is_searchable_and_tombstones_hide_at_once() -> None:
    vectors = clustered(3000, seed=11)
    ids = np.arange(1, 3001, dtype=np.int64)
    source = ArraySource(ids, vectors)
    index = AnnIndex("m", DIM, build_main([(ids, vectors)], len(ids), DIM), 0, source)
    new = clustered(1, seed=12)
    source.rows[5000] = new[0]
    index.apply(7, (np.array([5000]), new, np.array([7])), (np.empty(0, np.int64), np.empty(0, np.int64)))
    got, scores = index.search(new[0], 3)
    assert got[0] == 5000 and scores[0] == pytest.approx(1.0, abs=1e-5)
    victim = int(index.search(vectors[42], 1)[0][0])
    assert victim == 43
    index.apply(8, (np.empty(0, np.int64), np.empty((0, DIM)), np.empty(0, np.int64)), (np.array([43]), np.array([8])))
    assert 43 not in index.search(vectors[42], 10)[0].tolist()
    # Compaction folds both in; a change after its snapshot stays pending.
    snapshot = index.snapshot()
    main = index.compacted(snapshot)
    index.apply(9, (np.empty(0, np.int64), np.empty((0, DIM)), np.empty(0, np.int64)), (np.array([44]), np.array([9])))
    index.replace_main(main, snapshot.covered_seq)
    assert index.pending == 1 and index.main_seq == 8
    assert 43 not in _ids_in(main) and 5000 in _ids_in(main)
    assert 44 not in index.search(vectors[43], 10)[0].tolist()


def _ids_in(main: object) -> set[int]:
    import faiss

    invlists = faiss.extract_index_ivf(main).invlists
    found: set[int] = set()
    for lst in range(invlists.nlist):
        size = invlists.list_size(lst)
        if size:
            found.update(faiss.rev_swig_ptr(invlists.get_ids(lst), size).tolist())
    return found


@pytest.mark.parametrize("share", [0.125, 0.5, 1.0])
def test_a_wide_filter_without_its_id_list_is_post_filtered_with_widening(
    corpus: tuple[np.ndarray, np.ndarray, AnnIndex], share: float
) -> None:
    ids, vectors, index = corpus
    passing = set(ids[np.random.default_rng(13).random(len(ids)) < share].tolist())
    members = np.array(sorted(passing), dtype=np.int64)

    def accept(candidates: np.ndarray) -> np.ndarray:
        return np.array([c for c in candidates.tolist() if c in passing], dtype=np.int64)

    recall = []
    for q in clustered(20, seed=14):
        found = index.search_where(q, 10, accept)
        assert found is not None
        got = found[0].tolist()
        assert set(got) <= passing and len(got) == 10
        member_rows = np.isin(ids, members)
        recall.append(len(set(got) & set(exact_top(ids[member_rows], vectors[member_rows], q, 10))) / 10)
    assert float(np.mean(recall)) >= 0.9


def test_a_post_filter_that_finds_too_few_gives_up_for_the_caller_to_list_ids(
    corpus: tuple[np.ndarray, np.ndarray, AnnIndex]
) -> None:
    ids, _, index = corpus
    rare = {int(ids[7])}
    found = index.search_where(clustered(1, seed=15)[0], 10, lambda c: np.array([x for x in c if x in rare], np.int64),
                               cap=1600)
    assert found is None


@pytest.mark.parametrize("share", [0.0, 1 / 12_000, EXACT_FILTER_LIMIT / 12_000, 0.125, 0.5, 1.0])
def test_a_filter_as_a_mask_answers_what_its_id_list_answers(
    corpus: tuple[np.ndarray, np.ndarray, AnnIndex], share: float
) -> None:
    """A filter in RAM (a mask by chunk id, faiss's bitmap selector) = the same filter as a list of ids (an id set),
    the delta and tombstones included."""
    ids, _, built = corpus
    index = AnnIndex("test-model", DIM, built.main, 0, built.source)
    new = clustered(3, seed=16)
    built.source.rows.update({40_001: new[0], 40_002: new[1], 40_003: new[2]})  # type: ignore[attr-defined]
    index.apply(5, (np.array([40_001, 40_002, 40_003]), new, np.array([3, 4, 5])),
                (np.array([int(ids[10]), int(ids[11])]), np.array([4, 5])))
    pick = np.sort(np.random.default_rng(17).choice(len(ids), size=round(share * len(ids)), replace=False))
    allowed = np.concatenate([ids[pick], [40_001, 40_003, int(ids[10])]])
    mask = np.zeros(40_010, dtype=bool)
    mask[allowed] = True
    for q in [*clustered(10, seed=18), new[0]]:
        got, scores = index.search_mask(q, 20, mask)
        want, want_scores = index.search(q, 20, allowed)
        assert got.tolist() == want.tolist() and np.allclose(scores, want_scores)
        assert set(got.tolist()) <= set(allowed.tolist()) - {int(ids[10])}

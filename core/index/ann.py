"""Approximate vector search for large vaults: faiss IVF-PQ in RAM, an exact delta, tombstones, exact rerank.

Why this shape (measured in ``bench.store``): at 1M × 384 the PQ codes take
48 bytes a vector (~56 MB with ids) instead of 1.5 GB of float32, so the whole
index loads from its sealed blob in well under a second.  PQ distances are
approximate, so the best ``RERANK`` candidates are re-scored with their exact
vectors read from the encrypted store by chunk id; the scores a caller sees
are exact cosines, and an id the store no longer has is dropped, never shown.

State is one immutable snapshot (``_Snapshot``) swapped whole under a lock:
``main`` (the faiss index, covering the vault's ``vector_log`` up to
``covered_seq``), ``delta`` (vectors added or changed after that, searched
exactly in RAM) and ``tombstones`` (chunk ids gone after that).  Delta ids and
tombstones are excluded from ``main`` with an id selector.  A search reads one
snapshot and never sees a torn state; ``apply`` and ``replace_main`` build a
new snapshot.  Thread-safety: every public method may be called from any thread.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

PQ_BYTES = 48  # sub-quantizers; 384 / 48 = 8 dimensions each (recall measured in bench.store)
# PQ candidates re-scored exactly.  At 1M bench vectors (nprobe 256 of 2048 lists, which is not the limit: 1/4 of
# the lists gave the same) the PQ top-200 held 0.928 of the exact top-10, top-240 0.953, top-280 0.975, top-320 0.987.
RERANK = 280
NPROBE_FRACTION = 1 / 8  # lists probed per search, of nlist (at least MIN_NPROBE); recall measured in bench.store
MIN_NPROBE = 32
EXACT_FILTER_LIMIT = 4096  # a filter this narrow is answered exactly over its candidates' stored vectors
TRAIN_PER_LIST = 40  # faiss wants >= 39 training points per list


class VectorSource(Protocol):
    """Exact vectors by chunk id, from the encrypted store (absent ids are simply missing)."""

    def vectors(self, chunk_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12))


def nlist_for(count: int) -> int:
    """Inverted lists for ``count`` vectors: ~2·sqrt(n), a power of two, 16…4096."""
    return int(min(4096, max(16, 2 ** round(math.log2(max(16.0, 2 * math.sqrt(max(count, 1))))))))


def pq_bits(count: int) -> int:
    """Bits per sub-quantizer code: 8 (256 centroids) once there are enough vectors to train them."""
    return int(min(8, max(1, math.floor(math.log2(max(count / 8, 2))))))


def train_size(count: int) -> int:
    return max(256 * TRAIN_PER_LIST // 4, nlist_for(count) * TRAIN_PER_LIST)


def build_main(blocks: Iterable[tuple[np.ndarray, np.ndarray]], count: int, dim: int,
               progress: Callable[[int], None] | None = None) -> Any:
    """A trained, filled IVF-PQ index from ``(chunk_ids, vectors)`` blocks in an order that samples well.

    The first ``train_size(count)`` vectors train it (the store yields them in
    text-hash order, which is a random sample), then everything is added.
    """
    import faiss

    nlist = min(nlist_for(count), max(1, count))
    index = faiss.index_factory(dim, f"IVF{nlist},PQ{PQ_BYTES}x{pq_bits(count)}", faiss.METRIC_INNER_PRODUCT)
    # Polysemous codes only speed up Hamming pre-filtering we do not use; training them took 95 s of CPU at 10k.
    index.do_polysemous_training = False
    want = min(count, train_size(count))
    pending: list[tuple[np.ndarray, np.ndarray]] = []
    held = 0
    added = 0
    iterator: Iterator[tuple[np.ndarray, np.ndarray]] = iter(blocks)
    for ids, vecs in iterator:
        pending.append((np.asarray(ids, dtype=np.int64), normalise(vecs)))
        held += len(ids)
        if held >= want:
            break
    if not held:
        raise ValueError("no vectors to build an index from")
    sample = np.concatenate([v for _, v in pending])
    index.train(sample)
    del sample
    for ids, vecs in pending:
        index.add_with_ids(vecs, ids)
        added += len(ids)
        if progress is not None:
            progress(added)
    pending.clear()
    for ids, vecs in iterator:
        index.add_with_ids(normalise(vecs), np.asarray(ids, dtype=np.int64))
        added += len(ids)
        if progress is not None:
            progress(added)
    return index


@dataclass(frozen=True)
class _Snapshot:
    main: Any  # faiss.IndexIVFPQ or None
    covered_seq: int
    delta_ids: np.ndarray
    delta_vecs: np.ndarray
    delta_seq: np.ndarray
    tomb_ids: np.ndarray
    tomb_seq: np.ndarray
    excluded: np.ndarray  # sorted: delta ∪ tombstones, kept out of ``main``'s results
    main_seq: int  # the log position ``main`` itself covers


def _empty(dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.empty(0, dtype=np.int64), np.empty((0, dim), dtype=np.float32), np.empty(0, dtype=np.int64)


class AnnIndex:
    """Vector search over one model's vectors in a large vault (see the module docstring)."""

    def __init__(self, model: str, dim: int, main: Any, covered_seq: int, source: VectorSource) -> None:
        self.model = model
        self.dim = dim
        self.source = source
        self.expected: int | None = None  # never partial: the whole index loads at once
        self.rerank = RERANK
        self._lock = threading.Lock()
        ids, vecs, seqs = _empty(dim)
        self._state = _Snapshot(main, covered_seq, ids, vecs, seqs, ids.copy(), seqs.copy(), ids.copy(), covered_seq)

    # -- what it holds ----------------------------------------------------------------
    def __len__(self) -> int:
        st = self._state
        main_n = int(st.main.ntotal) if st.main is not None else 0
        in_main = int(np.count_nonzero(np.isin(st.tomb_ids, st.delta_ids, invert=True)))
        return max(0, main_n - in_main) + len(st.delta_ids)

    @property
    def covered_seq(self) -> int:
        return self._state.covered_seq

    @property
    def main_seq(self) -> int:
        """The log position the faiss part itself covers (what a sealed blob of it must record)."""
        return self._state.main_seq

    @property
    def main(self) -> Any:
        return self._state.main

    @property
    def pending(self) -> int:
        """Changes not yet folded into ``main`` (delta vectors + tombstones): what compaction would fold."""
        st = self._state
        return len(st.delta_ids) + len(st.tomb_ids)

    def snapshot(self) -> _Snapshot:
        return self._state

    # -- changes ------------------------------------------------------------------------
    def apply(self, upto_seq: int, added: tuple[np.ndarray, np.ndarray, np.ndarray],
              removed: tuple[np.ndarray, np.ndarray]) -> None:
        """Fold log changes up to ``upto_seq``: ``added`` (ids, vectors, seqs) shadow ``main``; ``removed`` (ids, seqs)."""
        add_ids, add_vecs, add_seq = added
        rm_ids, rm_seq = removed
        with self._lock:
            st = self._state
            if upto_seq <= st.covered_seq and not len(add_ids) and not len(rm_ids):
                return
            touched = np.concatenate([np.asarray(add_ids, dtype=np.int64), np.asarray(rm_ids, dtype=np.int64)])
            keep = np.isin(st.delta_ids, touched, invert=True)
            d_ids = np.concatenate([st.delta_ids[keep], np.asarray(add_ids, dtype=np.int64)])
            d_vecs = np.concatenate([st.delta_vecs[keep], normalise(add_vecs).reshape(-1, self.dim)])
            d_seq = np.concatenate([st.delta_seq[keep], np.asarray(add_seq, dtype=np.int64)])
            keep_t = np.isin(st.tomb_ids, touched, invert=True)
            t_ids = np.concatenate([st.tomb_ids[keep_t], np.asarray(rm_ids, dtype=np.int64)])
            t_seq = np.concatenate([st.tomb_seq[keep_t], np.asarray(rm_seq, dtype=np.int64)])
            excluded = np.union1d(d_ids, t_ids)
            self._state = _Snapshot(st.main, max(upto_seq, st.covered_seq), d_ids, d_vecs, d_seq, t_ids, t_seq,
                                    excluded, st.main_seq)

    def compacted(self, snapshot: _Snapshot) -> Any:
        """A copy of ``snapshot``'s main with its delta and tombstones folded in (slow; no lock held)."""
        import faiss

        main = owned_copy(faiss, snapshot.main)
        if len(snapshot.excluded):
            main.remove_ids(faiss.IDSelectorBatch(snapshot.excluded))
        if len(snapshot.delta_ids):
            main.add_with_ids(snapshot.delta_vecs, snapshot.delta_ids)
        return main

    def replace_main(self, main: Any, covered_seq: int) -> None:
        """Swap in a main index covering the log up to ``covered_seq``; later changes stay in the delta."""
        with self._lock:
            st = self._state
            later = st.delta_seq > covered_seq
            later_t = st.tomb_seq > covered_seq
            d_ids, d_vecs, d_seq = st.delta_ids[later], st.delta_vecs[later], st.delta_seq[later]
            t_ids, t_seq = st.tomb_ids[later_t], st.tomb_seq[later_t]
            self._state = _Snapshot(main, max(covered_seq, st.covered_seq), d_ids, d_vecs, d_seq, t_ids, t_seq,
                                    np.union1d(d_ids, t_ids), covered_seq)

    # -- search ---------------------------------------------------------------------------
    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` chunk ids and exact cosine scores; ``allowed`` restricts to those chunk ids."""
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        q = normalise(np.asarray(query, dtype=np.float32).reshape(1, -1))
        st = self._state
        if allowed is not None:
            allowed = np.unique(np.asarray(allowed, dtype=np.int64))
            if len(allowed) <= EXACT_FILTER_LIMIT:
                return self._exact(q, k, allowed)
        depth = max(k, self.rerank)
        candidates = [self._search_main(st, q, depth, allowed)]
        if len(st.delta_ids):
            d_ids, d_vecs = st.delta_ids, st.delta_vecs
            if allowed is not None:
                mask = np.isin(d_ids, allowed)
                d_ids, d_vecs = d_ids[mask], d_vecs[mask]
            candidates.append(_top(d_ids, d_vecs @ q[0], depth)[0])
        ids = np.unique(np.concatenate(candidates))
        return self._exact(q, k, ids)

    def search_mask(self, query: np.ndarray, k: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``search`` kept to the chunk ids whose ``mask`` entry is set (a filter in RAM,
        ``core.store.facet_columns``): the same as ``search(query, k, np.flatnonzero(mask))`` without the id list,
        through faiss's bitmap selector (a bit test per scanned code; an id set of 125k cost ms to build)."""
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        count = int(np.count_nonzero(mask))
        if count <= EXACT_FILTER_LIMIT:
            return self.search(query, k, np.flatnonzero(mask))
        q = normalise(np.asarray(query, dtype=np.float32).reshape(1, -1))
        st = self._state
        depth = max(k, self.rerank)
        candidates = [self._search_main(st, q, depth, None, within=(mask, count))]
        if len(st.delta_ids):
            inside = st.delta_ids < len(mask)
            keep = np.zeros(len(st.delta_ids), dtype=bool)
            keep[inside] = mask[st.delta_ids[inside]]
            candidates.append(_top(st.delta_ids[keep], st.delta_vecs[keep] @ q[0], depth)[0])
        return self._exact(q, k, np.unique(np.concatenate(candidates)))

    def search_where(self, query: np.ndarray, k: int, accept: Callable[[np.ndarray], np.ndarray],
                     cap: int = 32 * RERANK) -> tuple[np.ndarray, np.ndarray] | None:
        """Top-``k`` among the ids ``accept`` keeps (a filter too wide to list its ids), or ``None``.

        Post-filter with widening: take the ``4·depth`` best candidates by PQ
        distance, keep those ``accept`` passes, and widen ×4 until ``k`` pass
        (all of them are re-scored) or ``cap`` candidates were looked at; ``None`` then
        means the filter is narrower than it looked and the caller should list its ids instead.
        """
        q = normalise(np.asarray(query, dtype=np.float32).reshape(1, -1))
        st = self._state
        depth = max(k, self.rerank)
        available = (int(st.main.ntotal) if st.main is not None else 0) + len(st.delta_ids)
        fetch = 4 * depth
        checked = np.empty(0, dtype=np.int64)
        kept: list[np.ndarray] = []
        delta_kept = np.empty(0, dtype=np.int64)
        if len(st.delta_ids):
            delta_kept = _top(st.delta_ids, st.delta_vecs @ q[0], len(st.delta_ids))[0]
            delta_kept = delta_kept[np.isin(delta_kept, accept(delta_kept))][:depth]
        while True:
            found = self._search_main(st, q, fetch, None, widen=fetch / depth)
            new = found[np.isin(found, checked, invert=True)]
            if len(new):
                kept.append(new[np.isin(new, accept(new))])
                checked = np.concatenate([checked, new])
            total = sum(len(part) for part in kept)
            if total >= k or fetch >= available:  # k passing candidates are enough: all of them get reranked
                break
            if fetch >= cap:
                return None
            fetch *= 4
        main_kept = np.concatenate(kept)[:depth] if kept else np.empty(0, dtype=np.int64)
        return self._exact(q, k, np.unique(np.concatenate([main_kept, delta_kept])))

    def _search_main(self, st: _Snapshot, q: np.ndarray, depth: int, allowed: np.ndarray | None,
                     widen: float = 1.0, within: tuple[np.ndarray, int] | None = None) -> np.ndarray:
        """``allowed`` ids only, or ``within``: (a mask by chunk id, how many it sets)."""
        import faiss

        main = st.main
        if main is None or main.ntotal == 0:
            return np.empty(0, dtype=np.int64)
        nlist = int(main.nlist)
        nprobe = min(nlist, max(MIN_NPROBE, int(nlist * NPROBE_FRACTION * widen)))
        keep_alive: list[Any] = []
        selector = None
        if len(st.excluded):
            batch = faiss.IDSelectorBatch(st.excluded)
            selector = faiss.IDSelectorNot(batch)
            keep_alive += [batch, selector]
        if allowed is not None or within is not None:
            share = max((len(allowed) if allowed is not None else within[1]) / max(int(main.ntotal), 1), 1e-6)
            # Widening: probe enough lists that about 4×depth allowed vectors are scanned.
            per_list = main.ntotal / nlist
            nprobe = min(nlist, max(nprobe, math.ceil(4 * depth / max(per_list * share, 1e-9))))
            if allowed is not None:
                only = faiss.IDSelectorBatch(allowed)
            else:
                bits = np.packbits(within[0], bitorder="little")  # bit i of byte i >> 3: chunk id i
                only = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))
                keep_alive.append(bits)
            keep_alive.append(only)
            selector = only if selector is None else faiss.IDSelectorAnd(only, selector)
            keep_alive.append(selector)
        params = faiss.SearchParametersIVF(nprobe=nprobe, sel=selector) if selector is not None else \
            faiss.SearchParametersIVF(nprobe=nprobe)
        _, labels = main.search(q, depth, params=params)
        del keep_alive
        labels = labels[0]
        return labels[labels >= 0].astype(np.int64)

    def _exact(self, q: np.ndarray, k: int, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosine over ``ids``' stored vectors (delta ones from RAM: they are the newest)."""
        if not len(ids):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        st = self._state
        in_delta = np.isin(ids, st.delta_ids)
        found_ids, found_vecs = self.source.vectors(ids[~in_delta])
        if in_delta.any():
            pos = {int(c): n for n, c in enumerate(st.delta_ids.tolist())}
            rows = [pos[int(c)] for c in ids[in_delta]]
            found_ids = np.concatenate([found_ids, ids[in_delta]])
            found_vecs = np.concatenate([found_vecs.reshape(-1, self.dim), st.delta_vecs[rows]])
        if not len(found_ids):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        dead = np.isin(found_ids, st.tomb_ids)
        found_ids, found_vecs = found_ids[~dead], found_vecs[~dead]
        return _top(found_ids, normalise(found_vecs) @ q[0], k)


def owned_copy(faiss: Any, main: Any) -> Any:
    """A copy of ``main`` that owns its lists.  A loaded main's lists are views into its decrypted blob, and
    ``clone_index`` keeps them views: removing ids from such a clone aborts the process (faiss' MaybeOwnedVector)."""
    return faiss.deserialize_index(faiss.serialize_index(main))


def _top(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    if not len(ids):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    k = min(k, len(ids))
    top = np.argpartition(-scores, k - 1)[:k]
    order = top[np.argsort(-scores[top], kind="stable")]
    return ids[order].astype(np.int64), scores[order].astype(np.float32)

"""faiss (Cairn's IVF-PQ + exact rerank) against usearch HNSW and exact search: recall, speed, size, load.

    python -m bench.ann_compare [--n 100000] [--locomo]

On seeded clustered vectors (bench.store's generator) and, with ``--locomo``,
on real all-MiniLM-L6-v2 vectors of the LoCoMo-dev turns with its questions as
queries (``../shared`` beside the checkout).  Everything is in memory: these
are the index libraries' own figures, the vault's are in bench.store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.store import Table, clustered, percentile, topic_centres


def exact_top(vectors: np.ndarray, q: np.ndarray, k: int) -> set[int]:
    return set(np.argpartition(-(vectors @ q), k)[:k].tolist())


def timed(search: Callable[[np.ndarray], list[int]], queries: np.ndarray, truth: list[set[int]]
          ) -> tuple[float, float, float]:
    lat, hits = [], []
    for q, gold in zip(queries, truth, strict=True):
        t0 = time.perf_counter()
        got = search(q)
        lat.append((time.perf_counter() - t0) * 1000)
        hits.append(len(set(got[:10]) & gold) / 10)
    return float(np.mean(hits)), statistics.median(lat), percentile(lat, 0.95)


def compare(name: str, vectors: np.ndarray, queries: np.ndarray) -> list[tuple[str, str]]:
    import faiss

    from core.index.ann import AnnIndex, build_main

    n, dim = vectors.shape
    ids = np.arange(n, dtype=np.int64)
    truth = [exact_top(vectors, q, 10) for q in queries]
    rows: list[tuple[str, str]] = []
    load = f"load {os.getloadavg()[0]:.1f}"

    recall, p50, p95 = timed(lambda q: np.argsort(-(vectors @ q))[:10].tolist(), queries, truth)
    rows.append((f"{name}: exact numpy", f"recall 1.000, p50/p95 {p50:.2f}/{p95:.2f} ms, RAM {vectors.nbytes / 2**20:.0f} MiB"))

    class Source:
        def vectors(self, chunk_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return chunk_ids, vectors[chunk_ids]

    order = np.random.default_rng(1).permutation(n)
    t0 = time.perf_counter()
    main = build_main(((ids[order[s:s + 8192]], vectors[order[s:s + 8192]]) for s in range(0, n, 8192)), n, dim)
    build = time.perf_counter() - t0
    blob = faiss.serialize_index(main)
    t0 = time.perf_counter()
    faiss.deserialize_index(blob)
    load_s = time.perf_counter() - t0
    index = AnnIndex("bench", dim, main, 0, Source())
    recall, p50, p95 = timed(lambda q: index.search(q, 10)[0].tolist(), queries, truth)
    rows.append((f"{name}: faiss IVF{main.nlist},PQ48 + rerank 200 (Cairn)",
                 f"recall {recall:.3f}, p50/p95 {p50:.2f}/{p95:.2f} ms, build {build:.1f} s, "
                 f"{blob.nbytes / 2**20:.1f} MiB, deserialize {load_s * 1000:.0f} ms ({load})"))
    try:
        from usearch.index import Index
    except ImportError:
        rows.append((f"{name}: usearch", "not installed (pip install usearch)"))
        return rows
    hnsw = Index(ndim=dim, metric="cos", dtype="i8")
    t0 = time.perf_counter()
    hnsw.add(ids, vectors, threads=2)
    build = time.perf_counter() - t0
    buffer = hnsw.save()
    t0 = time.perf_counter()
    Index.restore(buffer)
    load_s = time.perf_counter() - t0
    recall, p50, p95 = timed(lambda q: hnsw.search(q, 10).keys.tolist(), queries, truth)
    rows.append((f"{name}: usearch HNSW i8 (defaults)",
                 f"recall {recall:.3f}, p50/p95 {p50:.2f}/{p95:.2f} ms, build {build:.1f} s, "
                 f"{len(buffer) / 2**20:.1f} MiB, restore {load_s * 1000:.0f} ms ({load})"))
    return rows


def locomo_vectors() -> tuple[np.ndarray, np.ndarray]:
    from bench.locomo_data import DEFAULT_DATA, build_vault, load, questions
    from core.index.vector_rows import stream_vectors

    data = load(DEFAULT_DATA)
    with tempfile.TemporaryDirectory() as tmp:
        vault, known, _ = build_vault(data, Path(tmp), embed=True)
        embedder = vault.embedder()
        blocks = list(stream_vectors(vault.read(), embedder.model_id, embedder.dim))
        vectors = np.concatenate([v for _, v in blocks])
        qs = questions(data, known)
        queries = np.asarray(embedder.embed([q["question"] for q in qs]), dtype=np.float32)
        vault.close()
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return vectors, queries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--locomo", action="store_true")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str]] = []
    if args.n:
        centres = topic_centres(384)
        vectors = clustered(centres, np.random.default_rng(3), args.n)
        queries = clustered(centres, np.random.default_rng(99), 200)
        rows += compare(f"clustered {args.n:,}", vectors, queries)
    if args.locomo:
        vectors, queries = locomo_vectors()
        rows += compare(f"LoCoMo-dev MiniLM {len(vectors):,}", vectors, queries)
    table = Table()
    table.extend(rows)
    table.print()


if __name__ == "__main__":
    main()

"""Vault figures: import throughput, search latency at 10k/100k chunks, unlock-to-first-result.

    python -m bench.store [--sizes 10000 100000] [--embed-sample 2000]

Synthetic messages draw words from a Zipf distribution over a 20,000-word
vocabulary (72 real words ranked first, then made-up ones), seeded, so term
frequencies look like real text rather than every word matching every chunk.  Import with
embeddings runs the real MiniLM embedder on a sample; the large vaults get
their vectors from a seeded random generator written straight into the
embeddings table (the cost measured there is search, not embedding).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

WORDS = ["meeting", "budget", "release", "staging", "server", "invoice", "flight", "hotel", "dinner", "birthday", "project", "deadline", "report", "review", "design", "sprint", "ticket", "customer", "contract", "lawyer", "doctor", "appointment", "train", "bus", "museum", "concert", "recipe", "garden", "climbing", "book", "film", "podcast", "password", "backup", "laptop", "phone", "camera", "holiday", "beach", "mountain", "river", "city", "friend", "sister", "brother", "mother", "father", "colleague", "manager", "team", "office", "home", "weekend", "monday", "tuesday", "morning", "evening", "coffee", "lunch", "pizza", "salad", "wine"]
NAMES = ("Ana", "Ben", "Chen", "Dana", "Eli", "Fay", "Gus", "Hana")


VOCABULARY = tuple(WORDS) + tuple(f"{a}{b}{c}" for a in ("ka", "lo", "mi", "nu", "pe", "ra", "so", "ti", "vu", "ze")
                            for b in ("bar", "cen", "dor", "fil", "gan", "hul", "jor", "kel", "lum", "mar")
                            for c in range(200))


def zipf_words(rnd: random.Random, count: int) -> str:
    """``count`` words, the r-th most common with probability ~ 1/r."""
    n = len(VOCABULARY)
    return " ".join(VOCABULARY[min(n - 1, int(n ** rnd.random()) - 1)] for _ in range(count))


def messages(n: int, seed: int = 7) -> Iterator[object]:
    from core.types import Record

    rnd = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(n):
        text = zipf_words(rnd, rnd.randint(6, 30))
        yield Record(source="chat:bench", external_id=str(i), kind="message",
                     timestamp=start + timedelta(minutes=7 * i), text=text,
                     conversation=f"chat-{i % 50}", speaker=rnd.choice(NAMES))


def fill_random_vectors(vault: object, model: str, dim: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    hashes = [r[0] for r in vault.read().execute("SELECT DISTINCT text_hash FROM chunks")]  # type: ignore[attr-defined]
    for start in range(0, len(hashes), 5000):
        part = hashes[start : start + 5000]
        vecs = rng.standard_normal((len(part), dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        rows = [(h, model, dim, v.astype(np.float16).tobytes()) for h, v in zip(part, vecs, strict=True)]
        vault.write(lambda c, rows=rows: c.executemany(  # type: ignore[attr-defined]
            "INSERT OR REPLACE INTO embeddings (text_hash, model, dim, vector) VALUES (?,?,?,?)", rows))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main(argv: list[str] | None = None) -> None:
    from core.paths import VaultPaths
    from core.retrieve.types import SearchRequest
    from core.vault import Vault

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--embed-sample", type=int, default=2000)
    args = parser.parse_args(argv)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        # Import throughput with real embeddings (a sample) and without.
        v = Vault.create(VaultPaths(Path(tmp) / "embed"), "bench", use_keyring=False)
        v.embedder()  # model load is not import cost
        t0 = time.perf_counter()
        v.ingest(messages(args.embed_sample, seed=11), embed=True)
        rows.append(("import with embeddings (MiniLM, onnxruntime)", f"{args.embed_sample / (time.perf_counter() - t0):,.0f} msg/s"))
        model, dim = v.embedder().model_id, v.embedder().dim
        v.close()
        for n in args.sizes:
            paths = VaultPaths(Path(tmp) / f"v{n}")
            v = Vault.create(paths, "bench", use_keyring=False, embedder=None)
            t0 = time.perf_counter()
            v.ingest(messages(n), embed=False)
            rows.append((f"import without embeddings ({n:,} msgs)", f"{n / (time.perf_counter() - t0):,.0f} msg/s"))
            fill_random_vectors(v, model, dim)
            v.close()
            # Unlock to first result: key derivation, open, load the vector index, first hybrid search.
            t0 = time.perf_counter()
            v = Vault.open(paths, "bench")
            v.embedder()
            t_open = time.perf_counter() - t0
            first = v.search(SearchRequest("budget meeting with the lawyer", k=10, parse_time=False))
            t_first = time.perf_counter() - t0
            assert first.hits
            rows.append((f"unlock to first result ({n:,} chunks)", f"{t_first:.2f} s (open+model {t_open:.2f} s)"))
            # The desktop app: vectors load in the background, searches meanwhile cover the newest.
            v.close()
            t0 = time.perf_counter()
            v = Vault.open(paths, "bench")
            v.partial_vector_search = True
            v.start_index_load()
            partial = v.search(SearchRequest("budget meeting with the lawyer", k=10, parse_time=False))
            t_partial = time.perf_counter() - t0
            assert partial.hits
            loader = v.vectors.loader
            if loader is not None:
                loader.wait()
            t_loaded = time.perf_counter() - t0
            rows.append((f"app: unlock to first result ({n:,} chunks)",
                         f"{t_partial:.2f} s ({'partial' if partial.notes else 'complete'}; all vectors at {t_loaded:.2f} s)"))
            rnd = random.Random(5)
            lat = []
            for _ in range(100):
                q = zipf_words(rnd, rnd.randint(2, 6))
                t0 = time.perf_counter()
                v.search(SearchRequest(q, k=10, parse_time=False))
                lat.append((time.perf_counter() - t0) * 1000)
            rows.append((f"hybrid search ({n:,} chunks) p50 / p95", f"{statistics.median(lat):.0f} / {percentile(lat, 0.95):.0f} ms"))
            lat = []
            for i in range(50):
                t0 = time.perf_counter()
                v.search(SearchRequest(zipf_words(rnd, 3), k=10, conversations=(f"chat-{i % 50}",), parse_time=False))
                lat.append((time.perf_counter() - t0) * 1000)
            rows.append((f"filtered search ({n:,} chunks) p50 / p95", f"{statistics.median(lat):.0f} / {percentile(lat, 0.95):.0f} ms"))
            v.close()
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()

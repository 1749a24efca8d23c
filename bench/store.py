"""Vault figures per size: import, unlock to first result (CLI and app), search latency, ANN recall, RSS.

    python -m bench.store [--sizes 10000 100000 1000000] [--keep DIR] [--skip-baseline]
    python -m bench.store --import-into DIR [--count 100000] [--import-baseline]  # into a copy of a built vault
    python -m bench.store --fresh-search DIR [--runs 8]        # fresh `cairn search` processes on a built vault

Each size gets a vault of synthetic chat messages (Zipf words over a 20,000-word
vocabulary, seeded) and clustered 384-d vectors (2,000 topics, per-dimension
noise 0.7: neighbours at cosine ~0.67, like MiniLM's), written straight into
the embeddings table (the cost measured is search, not embedding; the real
embedder's rate is in bench.embedder).  With ``--keep DIR`` a built vault is
reused by the next run (it is encrypted; building 1M takes long on 2 cores).

Today's design is the baseline in the same run: exact search over every vector
loaded from the store (``CAIRN_ANN_MIN_VECTORS`` set above the vault's size).

``--import-into DIR`` measures what import costs once a vault is large: it
copies the built vault ``DIR`` (never changed) to a temporary folder and
imports ``--count`` new messages into the copy (ids after the vault's), printing
msg/s and the process's CPU seconds; run it from two checkouts to compare.  With
``--import-baseline`` it also imports with the chunks inserted one statement each
(the design before stop 29: FTS5 flushed a segment per chunk), in the same run,
alternating baseline, today, today, baseline.
``--fresh-search DIR`` starts ``--runs`` fresh ``cairn search`` processes on the
built vault ``DIR`` (ANN on, read-only) and prints the median wall and CPU
seconds and peak RSS; run it from two checkouts, alternating, to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.table import print_table

WORDS = ["meeting", "budget", "release", "staging", "server", "invoice", "flight", "hotel", "dinner", "birthday", "project", "deadline", "report", "review", "design", "sprint", "ticket", "customer", "contract", "lawyer", "doctor", "appointment", "train", "bus", "museum", "concert", "recipe", "garden", "climbing", "book", "film", "podcast", "password", "backup", "laptop", "phone", "camera", "holiday", "beach", "mountain", "river", "city", "friend", "sister", "brother", "mother", "father", "colleague", "manager", "team", "office", "home", "weekend", "monday", "tuesday", "morning", "evening", "coffee", "lunch", "pizza", "salad", "wine"]
NAMES = ("Ana", "Ben", "Chen", "Dana", "Eli", "Fay", "Gus", "Hana")
PASSPHRASE = "bench"
TOPICS = 2000
NOISE = 0.7
NEVER = str(10**12)  # CAIRN_ANN_MIN_VECTORS for the exact baseline

VOCABULARY = tuple(WORDS) + tuple(f"{a}{b}{c}" for a in ("ka", "lo", "mi", "nu", "pe", "ra", "so", "ti", "vu", "ze")
                            for b in ("bar", "cen", "dor", "fil", "gan", "hul", "jor", "kel", "lum", "mar")
                            for c in range(200))
START = datetime(2025, 1, 1, tzinfo=UTC)
SPACING = timedelta(minutes=7)


def zipf_words(rnd: random.Random, count: int) -> str:
    """``count`` words, the r-th most common with probability ~ 1/r."""
    n = len(VOCABULARY)
    return " ".join(VOCABULARY[min(n - 1, int(n ** rnd.random()) - 1)] for _ in range(count))


def messages(n: int, seed: int = 7) -> Iterator[object]:
    from core.types import Record

    rnd = random.Random(seed)
    for i in range(n):
        text = zipf_words(rnd, rnd.randint(6, 30))
        yield Record(source="chat:bench", external_id=str(i), kind="message", timestamp=START + SPACING * i,
                     text=text, conversation=f"chat-{i % 50}", speaker=rnd.choice(NAMES))


def topic_centres(dim: int, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((TOPICS, dim)).astype(np.float32)


def clustered(centres: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    topics = rng.integers(0, len(centres), count)
    vecs = centres[topics] + NOISE * rng.standard_normal((count, centres.shape[1])).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def fill_vectors(vault: Any, model: str, dim: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    centres = topic_centres(dim)
    hashes = [r[0] for r in vault.read().execute("SELECT DISTINCT text_hash FROM chunks")]
    for start in range(0, len(hashes), 5000):
        part = hashes[start : start + 5000]
        vecs = clustered(centres, rng, len(part))
        rows = [(h, model, dim, v.astype(np.float16).tobytes()) for h, v in zip(part, vecs, strict=True)]
        vault.write(lambda c, rows=rows: c.executemany(
            "INSERT OR REPLACE INTO embeddings (text_hash, model, dim, vector) VALUES (?,?,?,?)", rows))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def build(home: Path, n: int) -> dict[str, Any]:
    """Create the size-``n`` vault (or reuse it) and its sealed index; returns the build figures."""
    from core.paths import VaultPaths
    from core.vault import Vault

    meta_file = home / "bench-figures.json"
    if meta_file.exists():
        return dict(json.loads(meta_file.read_text()))
    paths = VaultPaths(home)
    v = Vault.create(paths, PASSPHRASE, use_keyring=False, embedder=None)
    t0 = time.perf_counter()
    v.ingest(messages(n), embed=False)
    figures: dict[str, Any] = {"import_rate": n / (time.perf_counter() - t0), "import_load": load()}
    v.close()
    v = Vault.open(paths, PASSPHRASE)
    embedder = v.embedder()
    assert embedder is not None
    fill_vectors(v, embedder.model_id, embedder.dim)
    v.ann_min_vectors = 0
    service = v.ann()
    assert service is not None
    t0 = time.perf_counter()
    service.rebuild()
    figures.update(build_s=time.perf_counter() - t0, build_load=load(), blob_bytes=service.files.path.stat().st_size)
    v.close()
    meta_file.write_text(json.dumps(figures))
    return figures


def import_into(vault_dir: Path, count: int, per_chunk: bool = False) -> list[tuple[str, str]]:
    """Import ``count`` new bench messages into a copy of the built vault ``vault_dir``; the figures.

    ``per_chunk``: the baseline, every chunk inserted by its own statement (what bulk_rows did before stop 29).
    """
    import dataclasses
    import shutil
    from unittest import mock

    from core.paths import VaultPaths
    from core.store import bulk_rows
    from core.vault import Vault

    def one_each(conn: Any, chunks: Any) -> None:
        conn.executemany(f"INSERT INTO chunks ({bulk_rows.CHUNK_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", chunks)

    with tempfile.TemporaryDirectory(dir=vault_dir.parent) as tmp:
        home = Path(tmp) / "copy"
        shutil.copytree(vault_dir, home)
        v = Vault.open(VaultPaths(home), PASSPHRASE, embedder=None)
        offset = int(v.read().execute("SELECT count(*) FROM items").fetchone()[0])
        new = (dataclasses.replace(r, external_id=str(offset + i)) for i, r in enumerate(messages(count, seed=11)))
        t0, cpu0 = time.perf_counter(), time.process_time()
        with mock.patch.object(bulk_rows, "insert_chunks", one_each) if per_chunk else contextlib.nullcontext():
            report = v.ingest(new, embed=False)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        v.close()
    design = "baseline: a statement per chunk" if per_chunk else "today"
    return [(f"import {count:,} into a copy of {offset:,} items ({design})", f"{report.imported / wall:,.0f} msg/s, "
             f"{wall:.1f} s wall, {cpu:.1f} s CPU ({load()})")]


def fresh_searches(home: Path, runs: int) -> list[tuple[str, str]]:
    """``runs`` fresh ``cairn search`` processes on the built vault ``home``: median wall, CPU and peak RSS."""
    figures = [fresh_process(home, "budget meeting with the lawyer", ann=True, cpu=True) for _ in range(runs)]
    wall, rss, cpu = (statistics.median(f[i] for f in figures) for i in range(3))
    return [(f"fresh `cairn search`, ANN, median of {runs}", f"{wall:.2f} s wall (min {min(f[0] for f in figures):.2f}),"
             f" {cpu:.2f} s CPU, RSS {rss:,.0f} MiB ({load()})")]


def fresh_process(home: Path, query: str, ann: bool, cpu: bool = False) -> Any:
    """Wall seconds and peak RSS (MiB) of a fresh ``cairn search`` process (and its CPU seconds with ``cpu``)."""
    env = {**os.environ, "CAIRN_PASSPHRASE": PASSPHRASE, "CAIRN_HOME": str(home)}
    env["CAIRN_ANN_MIN_VECTORS"] = "0" if ann else NEVER  # ANN at every size here; the product switches at 20k
    code = ("import resource, sys; from app.cli import main\n"
            f"sys.argv = ['cairn', 'search', {query!r}, '--no-time-parse']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child spawned by this (large) bench
            # process reported the bench's own RSS (1,110 MiB at 1M where the search itself peaked at 385 MiB).
            "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
            "print('RSS', hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("RSS"))
    seconds = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return (wall, rss / 1024, seconds) if cpu else (wall, rss / 1024)


def latencies(search: Callable[[Any], Any], make: Callable[[random.Random], Any], runs: int,
              cpu: list[float] | None = None) -> tuple[float, float]:
    """p50 / p95 wall ms; ``cpu`` gets each search's process CPU ms (what a busy machine's wall hides)."""
    rnd = random.Random(5)
    lat = []
    for _ in range(runs):
        request = make(rnd)
        c0, t0 = time.process_time(), time.perf_counter()
        search(request)
        lat.append((time.perf_counter() - t0) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(lat), percentile(lat, 0.95)


def measure(home: Path, n: int, figures: dict[str, Any], baseline: bool, runs: int, rows: list[tuple[str, str]]
            ) -> None:
    from core.index.ann import AnnIndex
    from core.paths import VaultPaths
    from core.retrieve.types import SearchRequest
    from core.vault import Vault

    tag = f"({n:,})"
    rows.append((f"import without embeddings {tag}", f"{figures['import_rate']:,.0f} msg/s ({figures['import_load']})"))
    rows.append((f"ANN build {tag}", f"{figures['build_s']:.1f} s ({figures['build_load']}); sealed blob "
                 f"{figures['blob_bytes'] / 2**20:.1f} MiB"))
    _facets_ready(home, tag, rows)
    _fts_ready(home, tag, rows)
    query = "budget meeting with the lawyer"
    wall, rss = fresh_process(home, query, ann=True)
    rows.append((f"fresh `cairn search`, ANN {tag}", f"{wall:.2f} s wall, RSS {rss:,.0f} MiB ({load()})"))
    if baseline:
        wall, rss = fresh_process(home, query, ann=False)
        rows.append((f"fresh `cairn search`, exact baseline {tag}", f"{wall:.2f} s wall, RSS {rss:,.0f} MiB ({load()})"))
    paths = VaultPaths(home)
    os.environ.pop("CAIRN_ANN_MIN_VECTORS", None)
    # The app: unlock, start the index load, first (partial) result, all searchable.
    t0 = time.perf_counter()
    v = Vault.open(paths, PASSPHRASE)
    v.ann_min_vectors = min(v.ann_min_vectors, n)
    v.partial_vector_search = True
    v.embedder()
    t_unlock = time.perf_counter() - t0
    v.start_index_load()
    first = v.search(SearchRequest(query, k=10, parse_time=False))
    t_first = time.perf_counter() - t0
    index = v.vector_index()
    t_all = time.perf_counter() - t0
    assert first.hits and isinstance(index, AnnIndex)
    rows.append((f"app: unlock → first result / all searchable {tag}",
                 f"{t_first:.2f} / {t_all:.2f} s (unlock+model {t_unlock:.2f} s; {load()})"))
    rss_ann = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    hybrid = lambda rnd: SearchRequest(zipf_words(rnd, rnd.randint(2, 6)), k=10, parse_time=False)  # noqa: E731
    day = timedelta(days=30)
    narrow = lambda rnd: SearchRequest(  # noqa: E731 - one conversation in one month: ~120 items at 1M
        zipf_words(rnd, 3), k=10, parse_time=False, conversations=(f"chat-{rnd.randrange(50)}",),
        time_range=_month(rnd, n, day))
    one_chat = lambda rnd: SearchRequest(  # noqa: E731 - the issue's "one conversation": 2 %
        zipf_words(rnd, 3), k=10, parse_time=False, conversations=(f"chat-{rnd.randrange(50)}",))
    wide = lambda rnd: SearchRequest(  # noqa: E731 - one speaker: 12.5 %
        zipf_words(rnd, 3), k=10, parse_time=False, speakers=(rnd.choice(NAMES),))
    plans = [("hybrid search", hybrid), ("filtered: one conversation, one month (narrow)", narrow),
             ("filtered: one conversation (2 %)", one_chat), ("filtered: one speaker (wide, 12.5 %)", wide)]
    ann_cpu: dict[str, list[float]] = {name: [] for name, _ in plans}
    ann_lat = {name: latencies(v.search, make, runs, ann_cpu[name]) for name, make in plans}
    _fulltext_alone(v, plans[:3], runs, tag, rows)
    recall, recall_wide, ann_vec = _recall(v, index, n)
    v.close()
    exact_lat: dict[str, tuple[float, float]] = {}
    exact_vec = (0.0, 0.0)
    if baseline:
        os.environ["CAIRN_ANN_MIN_VECTORS"] = NEVER
        v = Vault.open(paths, PASSPHRASE)
        t0 = time.perf_counter()
        exact = v.vector_index()
        rows.append((f"exact baseline: load every vector {tag}", f"{time.perf_counter() - t0:.1f} s ({load()})"))
        exact_lat = {name: latencies(v.search, make, max(20, runs // 3)) for name, make in plans}
        exact_vec = _vector_latency(exact, n)
        v.close()
        os.environ.pop("CAIRN_ANN_MIN_VECTORS", None)
    for name, _ in plans:
        p50, p95 = ann_lat[name]
        text = f"{p50:.0f} / {p95:.0f} ms, CPU {statistics.median(ann_cpu[name]):.0f} ms a search"
        if name in exact_lat:
            e50, e95 = exact_lat[name]
            text += f"  (exact baseline {e50:.0f} / {e95:.0f} ms; p95 ratio {e95 / max(p95, 1e-9):.1f}×)"
        rows.append((f"{name} {tag} p50 / p95", f"{text} ({load()})"))
    text = f"{ann_vec[0]:.1f} / {ann_vec[1]:.1f} ms"
    if baseline:
        text += f"  (exact {exact_vec[0]:.1f} / {exact_vec[1]:.1f} ms; p95 ratio {exact_vec[1] / max(ann_vec[1], 1e-9):.1f}×)"
    rows.append((f"vector search alone, k=100 {tag} p50 / p95", text))
    rows.append((f"ANN recall@10 vs exact {tag}", f"{recall:.3f} unfiltered, {recall_wide:.3f} one speaker (12.5 %)"))
    rows.append((f"peak RSS of this process with the ANN index {tag}", f"{rss_ann:,.0f} MiB"))


def _facets_ready(home: Path, tag: str, rows: list[tuple[str, str]]) -> None:
    """An old kept vault gets ``chunk_facets`` at its first unlock: time the migration and the background copy."""
    from core.paths import VaultPaths
    from core.store import facets
    from core.vault import Vault

    t0 = time.perf_counter()
    v = Vault.open(VaultPaths(home), PASSPHRASE, embedder=None)
    opened = time.perf_counter() - t0
    if not facets.ready(v.read()):
        while not facets.ready(v.read()):
            if v._facets.error is not None:
                raise v._facets.error
            time.sleep(0.1)
        rows.append((f"chunk_facets backfill of an old vault {tag}", f"unlock {opened:.2f} s, then "
                     f"{time.perf_counter() - t0:.1f} s in the background, searches meanwhile the old way ({load()})"))
    v.close()


def _fulltext_alone(v: Any, plans: list[tuple[str, Any]], runs: int, tag: str, rows: list[tuple[str, str]]) -> None:
    from bench.store_fulltext import fulltext_alone

    fulltext_alone(v, plans, runs, tag, rows, latencies, percentile, load)


def _bytes_per_chunk(reader: Any) -> str:
    """The database pages in use (free pages left by a dropped table are reused by later writes) per chunk."""
    pages, free, size = (int(reader.execute(f"PRAGMA {p}").fetchone()[0]) for p in ("page_count", "freelist_count", "page_size"))
    chunks = max(1, reader.execute("SELECT max(id) FROM chunks").fetchone()[0] or 1)
    return f"{(pages - free) * size / chunks:,.0f} bytes/chunk in use ({(pages - free) * size / 2**20:,.0f} MiB)"


def _fts_ready(home: Path, tag: str, rows: list[tuple[str, str]]) -> None:
    """An old kept vault gets the contentless ``chunks_fts`` at its first unlock: time it, bytes per chunk before/after."""
    from core.paths import VaultPaths
    from core.store import fts_contentless
    from core.vault import Vault

    t0 = time.perf_counter()
    v = Vault.open(VaultPaths(home), PASSPHRASE, embedder=None)
    opened = time.perf_counter() - t0
    if fts_contentless.migrating(v.read()):
        before = _bytes_per_chunk(v.read())
        while fts_contentless.migrating(v.read()):
            if v._fts_fill.error is not None:
                raise v._fts_fill.error
            time.sleep(0.1)
        rows.append((f"contentless chunks_fts migration of an old vault {tag}",
                     f"unlock {opened:.2f} s, then {time.perf_counter() - t0:.1f} s in the background ({load()}); "
                     f"before {before}, after {_bytes_per_chunk(v.read())}"))
    else:
        rows.append((f"vault size {tag}", _bytes_per_chunk(v.read())))
    v.close()


def _month(rnd: random.Random, n: int, span: timedelta) -> Any:
    from core.types import TimeRange

    start = START + SPACING * rnd.randrange(max(1, n))
    return TimeRange(start, start + span)


def _queries(dim: int, count: int = 100) -> np.ndarray:
    return clustered(topic_centres(dim), np.random.default_rng(99), count)


def _vector_latency(index: Any, n: int) -> tuple[float, float]:
    lat = []
    for q in _queries(index.dim, 50):
        t0 = time.perf_counter()
        index.search(q, 100)
        lat.append((time.perf_counter() - t0) * 1000)
    return statistics.median(lat), percentile(lat, 0.95)


def _recall(v: Any, index: Any, n: int) -> tuple[float, float, tuple[float, float]]:
    """recall@10 of the ANN index against exact search over the same stored vectors (streamed, float32)."""
    from core.index.vector_rows import stream_vectors

    queries = _queries(index.dim)
    speaker = "Ana"
    allowed = np.fromiter((r[0] for r in v.read().execute(
        "SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id WHERE i.speaker = ?", (speaker,))), dtype=np.int64)
    best = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), 10), dtype=np.int64)
    best_w = best.copy()
    best_w_ids = best_ids.copy()
    for ids, vecs in stream_vectors(v.read(), index.model, index.dim, block_rows=50_000):
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        scores = queries @ vecs.T
        for store, store_ids, mask in ((best, best_ids, None), (best_w, best_w_ids, np.isin(ids, allowed))):
            s = scores if mask is None else np.where(mask[None, :], scores, -np.inf)
            merged = np.concatenate([store, s], axis=1)
            merged_ids = np.concatenate([store_ids, np.broadcast_to(ids, s.shape)], axis=1)
            top = np.argsort(-merged, axis=1)[:, :10]
            store[:] = np.take_along_axis(merged, top, axis=1)
            store_ids[:] = np.take_along_axis(merged_ids, top, axis=1)
    hits = [len(set(index.search(q, 10)[0].tolist()) & set(best_ids[i].tolist())) / 10 for i, q in enumerate(queries)]
    hits_w = [len(set(index.search(q, 10, allowed)[0].tolist()) & set(best_w_ids[i].tolist())) / 10
              for i, q in enumerate(queries[:30])]
    return float(np.mean(hits)), float(np.mean(hits_w)), _vector_latency(index, n)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the built vaults under this folder")
    parser.add_argument("--build-only", action="store_true", help="build the vaults and stop")
    parser.add_argument("--skip-baseline", action="store_true", help="no exact-search baseline (it loads every vector)")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--import-into", type=Path, metavar="DIR", help="a built vault: import into a copy of it")
    parser.add_argument("--count", type=int, default=100_000, help="messages --import-into imports")
    parser.add_argument("--import-baseline", action="store_true", help="--import-into: also the baseline, alternating")
    parser.add_argument("--fresh-search", type=Path, metavar="DIR", help="a built vault: time fresh searches (--runs)")
    args = parser.parse_args(argv)
    rows = Table()
    if args.import_into or args.fresh_search:
        designs = (True, False, False, True) if args.import_baseline else (False,)
        found = [row for per_chunk in designs for row in import_into(args.import_into, args.count, per_chunk)] \
            if args.import_into else fresh_searches(args.fresh_search, args.runs)
        for row in found:
            rows.append(row)
        rows.print()
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for n in args.sizes:
            home = root / f"v{n}"
            figures = build(home, n)
            if args.build_only:
                rows.append((f"built {n:,}", json.dumps(figures)))
                continue
            measure(home, n, figures, not args.skip_baseline, args.runs, rows)
    rows.print()


class Table(list[tuple[str, str]]):
    """The figures, each also printed (to stderr) the moment it is measured: a long run stopped early keeps them."""

    def append(self, row: tuple[str, str]) -> None:
        super().append(row)
        print(f"{row[0]}: {row[1]}", file=sys.stderr, flush=True)

    def print(self) -> None:
        print()
        print_table(("figure", "value"), self)


if __name__ == "__main__":
    main()

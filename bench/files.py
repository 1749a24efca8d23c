"""File indexing figures: throughput on a mixed corpus, rescan time of an unchanged tree, peak memory.

Run: ``.venv/bin/python -m bench.files [--variants] [--docs N] [--tree N] [--workers W] [--vault]``.

* Variants first: the test corpus plus every document variant of
  ``tests/data/files/variants.py`` (PPTX/ODP, XLSX/ODS/XLS, MHTML, UTF-16 mail,
  a malformed DOCX table, misnamed files, an empty file) indexed by the real
  folder indexer: a table and the share extracted correctly (``--variants``
  stops there).

* Mixed corpus: N documents (txt, md, html, csv, pdf, docx, odt, rtf, epub, eml,
  code) of a few KB to ~200 KB, built with the test corpus builders and
  seeded random prose.  Throughput = files/s and MB/s of a first scan
  (read, hash, extract in the sandbox, chunk+store in the sink).
* Rescan: a tree of ``--tree`` small files (default 10,000) in nested
  folders, indexed once, then scanned again unchanged: that second scan is
  what every daemon start costs.
* Sinks: the in-memory reference sink (the indexer's own cost) and, with
  ``--vault``, a real encrypted vault without embeddings (adds redaction,
  chunking, SQLCipher writes).  Embedding cost is measured by ``bench.embedder``.
* Peak RSS: this process (``ru_maxrss``) and the largest extraction worker.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.table import print_table
from core.capture.files.indexer import FileIndexer
from core.capture.files.report import ScanReport
from core.normalize.extract import ExtractLimits
from tests.data.files import corpus
from tests.support.memory_file_sink import MemoryFileSink

_WORDS = ["harbour", "budget", "committee", "engineer", "estimate", "spring", "tide", "crane", "permit", "council", "invoice", "passport", "appointment", "dentist", "flight", "booking", "receipt", "account", "project", "deadline", "kitchen", "garden", "holiday", "birthday", "weather", "traffic", "station", "library", "museum", "hospital", "pharmacy", "restaurant", "meeting", "report", "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "at", "by", "from", "it", "this", "be", "are", "or", "an", "have", "not", "but"]


def _prose(rng: random.Random, words: int) -> str:
    out: list[str] = []
    for i in range(words):
        w = rng.choice(_WORDS)
        out.append(w.capitalize() if i == 0 or out[-1].endswith(".") else w)
        if rng.random() < 0.07:
            out[-1] += "."
        if rng.random() < 0.01:
            out[-1] += "\n\n"
    return " ".join(out) + "."


def build_mixed(dest: Path, count: int, seed: int = 11) -> int:
    """Write ``count`` documents of mixed formats; returns total bytes."""
    rng = random.Random(seed)
    kinds = ["txt", "md", "html", "csv", "pdf", "docx", "odt", "rtf", "epub", "eml", "py"]
    total = 0
    for i in range(count):
        kind = kinds[i % len(kinds)]
        size = rng.choice([150, 600, 2500, 8000])
        sub = dest / f"folder{i % 17}" / f"sub{i % 5}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"doc{i:05}.{kind}"
        text = _prose(rng, size)
        if kind in ("txt", "py"):
            data = text.encode()
        elif kind == "md":
            data = ("# Title\n\n" + text.replace("\n\n", "\n\n## Section\n\n")).encode()
        elif kind == "html":
            data = (f"<html><head><title>Doc {i}</title></head><body><h1>Doc</h1><p>"
                    + text.replace("\n\n", "</p><p>") + "</p></body></html>").encode()
        elif kind == "csv":
            rows = ["Name,Email,City,Note"] + [f"P{j},p{j}@example.org,City{j % 40},{rng.choice(_WORDS)}"
                                                for j in range(size // 8)]
            data = "\n".join(rows).encode()
        elif kind == "pdf":
            pages = [text[k:k + 3000] for k in range(0, len(text), 3000)] or [text]
            data = corpus.make_pdf(pages, title=f"Doc {i}")
        elif kind == "docx":
            data = corpus.make_docx(f"Doc {i}", text.split("\n\n"))
        elif kind == "odt":
            data = corpus.make_odt(f"Doc {i}", text.split("\n\n"))
        elif kind == "rtf":
            data = corpus.make_rtf(text.split("\n\n"))
        elif kind == "epub":
            parts = text.split("\n\n")
            data = corpus.make_epub(f"Book {i}", [(f"Chapter {n}", p) for n, p in enumerate(parts, 1)])
        else:
            data = corpus.make_eml(f"Subject {i}", text)
        path.write_bytes(data)
        total += len(data)
    return total


def build_tree(dest: Path, count: int) -> None:
    for i in range(count):
        folder = dest / f"d{i % 50:02}" / f"e{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:05}.txt").write_text(f"small note {i} about the {_WORDS[i % len(_WORDS)]}\n")


def _vault(home: Path) -> Any:
    from core.paths import VaultPaths
    from core.vault import Vault

    return Vault.create(VaultPaths(home), "bench passphrase", use_keyring=False, embedder=None)


def _sinks(use_vault: bool, work: Path) -> list[tuple[str, Callable[[], tuple[Any, Callable[[], None]]]]]:
    def memory() -> tuple[Any, Callable[[], None]]:
        return MemoryFileSink(), lambda: None

    def vault() -> tuple[Any, Callable[[], None]]:
        from core.capture.files.sink import VaultFileSink

        home = Path(tempfile.mkdtemp(dir=work))
        v = _vault(home)
        return VaultFileSink(v, embed=False), v.close

    out: list[tuple[str, Callable[[], tuple[Any, Callable[[], None]]]]] = [("memory", memory)]
    if use_vault:
        out.append(("vault", vault))
    return out


class _RssSampler:
    """Samples the RSS of this process and of the sandbox workers every 50 ms while indexing runs."""

    def __init__(self) -> None:
        import threading

        self.indexer: FileIndexer | None = None
        self.parent_mb = 0.0
        self.worker_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.05):
            self.parent_mb = max(self.parent_mb, me.memory_info().rss / 2**20)
            indexer = self.indexer
            if indexer is None:
                continue
            for worker in list(indexer.sandbox._all):
                try:
                    self.worker_mb = max(self.worker_mb, psutil.Process(worker.proc.pid).memory_info().rss / 2**20)
                except psutil.Error:
                    continue

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def variants_table() -> tuple[int, int]:
    """Index the document corpus and every variant as ``cairn index`` would; print whether each marker was found."""
    from tests.data.files import variants as doc_variants

    work = Path(tempfile.mkdtemp(prefix="cairn-bench-docvariants-"))
    try:
        expected: list[tuple[str, str, tuple[str, ...]]] = [
            (f"{doc.name.rsplit('.', 1)[-1].upper()} ({doc.name})", doc.name, (doc.marker,))
            for doc in corpus.build_corpus(work)]
        for variant in doc_variants.variants():
            (work / "variants").mkdir(exist_ok=True)
            (work / "variants" / variant.filename).write_bytes(variant.build())
            expected.append((variant.name, f"variants/{variant.filename}", variant.markers))
        (work / "variants" / "empty.txt").write_bytes(b"")
        sink = MemoryFileSink()
        with FileIndexer(sink, limits=ExtractLimits(timeout_s=60), workers=1) as ix:
            report = ix.scan(work)
        problems = {p.relative_to(work).as_posix(): reason for p, reason in (*report.problems, *report.failed)}
        print("document variants through the folder indexer (the share extracted correctly)\n")
        header = f"{'variant':<52} {'result':<8} detail"
        print(header)
        print("-" * len(header))
        good = 0
        for label, name, markers in expected:
            if name in problems:
                detail = f"not indexed: {problems[name]}"
            else:
                text = sink.text_of(work / name)
                missing = [m for m in markers if m not in text]
                detail = f"missing {missing}" if missing else ""
            good += not detail
            print(f"{label:<52} {'ok' if not detail else 'WRONG':<8} {detail}")
        empty_ok = problems.get("variants/empty.txt") == "empty"
        good += empty_ok
        print(f"{'empty file (recorded as skipped: empty)':<52} {'ok' if empty_ok else 'WRONG':<8}")
        total = len(expected) + 1
        print(f"\nextracted correctly: {good}/{total} ({good / total:.0%})\n")
        return good, total
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=660)
    parser.add_argument("--tree", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--vault", action="store_true", help="also measure with a real encrypted vault")
    parser.add_argument("--variants", action="store_true", help="only the document variants table, no throughput")
    args = parser.parse_args()
    variants_table()
    if args.variants:
        return

    work = Path(tempfile.mkdtemp(prefix="cairn-bench-files-"))
    rows: list[tuple[str, str, str]] = []
    sampler = _RssSampler()
    try:
        mixed = work / "mixed"
        t = time.perf_counter()
        total_bytes = build_mixed(mixed, args.docs)
        print(f"built {args.docs} mixed documents, {total_bytes / 2**20:.1f} MB, in {time.perf_counter() - t:.1f} s")
        tree = work / "tree"
        build_tree(tree, args.tree)
        print(f"built a tree of {args.tree} small files")

        for sink_name, make in _sinks(args.vault, work):
            for workers in sorted({1, args.workers}):
                sink, close = make()
                with FileIndexer(sink, limits=ExtractLimits(timeout_s=60), workers=workers) as ix:
                    sampler.indexer = ix
                    t = time.perf_counter()
                    report: ScanReport = ix.scan(mixed)
                    dt = time.perf_counter() - t
                    sampler.indexer = None
                close()
                assert report.indexed == args.docs, report.summary()
                rows.append((f"mixed corpus, {sink_name} sink, {workers} worker(s)",
                             f"{args.docs / dt:,.1f} files/s, {total_bytes / 2**20 / dt:,.2f} MB/s",
                             f"{dt:.1f} s"))

            sink, close = make()
            with FileIndexer(sink, workers=args.workers) as ix:
                t = time.perf_counter()
                first = ix.scan(tree)
                first_dt = time.perf_counter() - t
                t = time.perf_counter()
                again = ix.scan(tree)
                again_dt = time.perf_counter() - t
            close()
            assert first.indexed == args.tree and again.unchanged == args.tree, again.summary()
            rows.append((f"{args.tree:,}-file tree, {sink_name} sink, first index",
                         f"{args.tree / first_dt:,.0f} files/s", f"{first_dt:.1f} s"))
            rows.append((f"{args.tree:,}-file tree, {sink_name} sink, rescan unchanged",
                         f"{again_dt:.2f} s", f"{args.tree / again_dt:,.0f} files/s, 0 bytes read"))
    finally:
        sampler.stop()
        shutil.rmtree(work, ignore_errors=True)

    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS (sampled every 50 ms)", f"indexing process {sampler.parent_mb:.0f} MB",
                 f"largest worker {sampler.worker_mb:.0f} MB; ru_maxrss incl. corpus build {self_mb:.0f} MB"))
    print()
    print_table(("measure", "result", "detail"), rows)


if __name__ == "__main__":
    main()

"""``python -m bench`` (or ``make bench``): every benchmark, one after another, each printing its table.

    python -m bench                 # all of them (about an hour on 2 cores)
    python -m bench store locomo    # just these
    python -m bench --list

Each benchmark runs in its own process so one's memory does not colour the
next one's figures; its own flags are available through ``python -m bench.NAME --help``.
Benchmarks are never part of the test suite.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("store", "vault import, search latency at 10k/100k chunks, unlock to first result", ()),
    ("ann_compare", "faiss IVF-PQ (Cairn) vs usearch HNSW vs exact: recall, latency, size, load", ("--locomo",)),
    ("locomo", "LoCoMo-dev evidence recall per category: BM25, hybrid, Cairn default", ()),
    ("embedder", "MiniLM chunks/s", ()),
    ("chat_formats", "messages/s and peak RSS per chat export format", ("--size-mb", "100")),
    ("import_memory", "peak RSS importing a 440 MB single-chat WhatsApp zip, cut while reading vs whole", ()),
    ("files", "files/s, MB/s, unchanged-rescan time, peak RSS", ("--vault",)),
    ("llm", "model load, time to first token, answer latency", ()),
    ("memory", "LoCoMo-dev R@10 before/after memory recall", ()),
    ("ocr", "OCR recipe: word recall and CPU per 1080p frame, shipped vs alternatives", ()),
    ("screen", "10-min scripted + 60-min mixed session replayed, today's pipeline vs new: CPU %, MB/hour, words, "
               "legibility", ()),
    ("screen_live", "the 10-min scripted session in real time on Xvfb, the daemon in its own process", ()),
    ("ui", "app start to interactive, idle RSS with a month of data", ()),
    ("ledger", "capture ledger: database growth for a year of minutes, one day's coverage read", ()),
    ("sync", "sync upload/apply items/s and MB/s, bytes on the target, new-device catch-up at 100k", ()),
)


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for name, what, _ in BENCHMARKS:
            print(f"{name:<14}{what}")
        return 0
    chosen = [b for b in BENCHMARKS if not argv or b[0] in argv]
    unknown = set(argv) - {b[0] for b in BENCHMARKS}
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; see --list", file=sys.stderr)
        return 2
    summary = []
    for name, what, args in chosen:
        print(f"\n=== bench.{name}: {what}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}", *args])
        summary.append((name, code, time.perf_counter() - t0))
    print("\nbenchmark      exit   minutes")
    for name, code, seconds in summary:
        print(f"{name:<14}{code:>4}   {seconds / 60:7.1f}")
    return max((c for _, c, _ in summary), default=0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

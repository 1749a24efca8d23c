"""Embedder throughput: chunks/s for ~100-word chunks, f32, by batch size.

Run: ``.venv/bin/python -m bench.embedder [--chunks N] [--threads T] [--numpy]``.
Texts are synthetic (seeded random English words and sentence punctuation), which is
what matters for speed: ~100 words is ~130 word pieces, as for real prose.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from core.index.embedder import Embedder
from core.index.minilm import load_minilm_tokenizer, locate_minilm_files

_WORD_TEXT = (
    "the of and to in is was for on that with as at by from it this be are or an have not but had his "
    "they you were her she which their we all there been one would when who will more no if out so said "
    "what up its about into than them can only other new some could time these two may then do first any "
    "my now such like our over man me even most made after also did many before must through back years "
    "where much your way well down should because each just those people how too little state good very "
    "make world still own see men work long get here between both life being under never day same another "
    "know while last might us great old year off come since against go came right used take three meeting "
    "invoice passport appointment dentist flight booking receipt account password project deadline budget "
    "kitchen garden holiday birthday weather traffic station library museum hospital pharmacy restaurant"
)
_WORDS = tuple(_WORD_TEXT.split())


def make_chunks(count: int, words: int = 100, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    chunks = []
    for _ in range(count):
        parts = []
        for i in range(words):
            w = rng.choice(_WORDS)
            parts.append(w.capitalize() if i == 0 or parts[-1].endswith(".") else w)
            if rng.random() < 0.08:
                parts[-1] += "."
        chunks.append(" ".join(parts) + ".")
    return chunks


def measure(embedder: Embedder, chunks: list[str], repeat: int) -> tuple[float, float, float]:
    """Best and median wall-clock chunks/s over ``repeat`` runs, and CPU ms per chunk.

    The CPU is shared with other work, so wall-clock rates vary; CPU time per chunk is
    steadier and gives the rate on idle cores as ``cores * 1000 / cpu_ms``.
    """
    embedder.embed(chunks[:4])  # warm-up: first run allocates arenas
    rates, cpu_ms = [], []
    for _ in range(repeat):
        cpu_started, started = time.process_time(), time.perf_counter()
        embedder.embed(chunks)
        rates.append(len(chunks) / (time.perf_counter() - started))
        cpu_ms.append((time.process_time() - cpu_started) * 1000 / len(chunks))
    return max(rates), statistics.median(rates), min(cpu_ms)


def _row(runtime: str, batch: str, figures: tuple[float, float, float], words: int, pieces: float) -> None:
    best, median, cpu_ms = figures
    cores = os.cpu_count() or 1
    print(
        f"{runtime:<10} {words:>5} {pieces:>6.0f} {batch:>5} {best:>8.1f} {median:>8.1f} {cpu_ms:>8.1f}"
        f" {cores * 1000 / cpu_ms:>9.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=192, help="chunks per measurement")
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads")
    parser.add_argument("--words", type=int, nargs="+", default=[100], help="chunk lengths in words")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row")
    parser.add_argument("--numpy", action="store_true", help="also measure the numpy reference")
    args = parser.parse_args()

    from core.index.minilm import DEFAULT_BATCH_TOKENS
    from core.index.minilm_numpy import NumpyMiniLMEmbedder
    from core.index.minilm_onnx import OnnxMiniLMEmbedder

    files = locate_minilm_files()
    tokenizer = load_minilm_tokenizer(files)
    with tempfile.TemporaryDirectory() as tmp:
        models_dir = Path(tmp)
        started = time.perf_counter()
        default = OnnxMiniLMEmbedder(files, models_dir, threads=args.threads)
        print(f"model {default.model_id}, {default.threads} threads, ", end="")
        print(f"graph build+load {time.perf_counter() - started:.1f} s")
        print("batch N: fixed batches of N texts; auto: the default (<= 128 texts and")
        print(f"<= {DEFAULT_BATCH_TOKENS} padded tokens per batch)\n")
        print(f"{'':<29}{'wall chunks/s':>17} {'CPU ms':>8} {'idle-CPU':>9}")
        print(
            f"{'runtime':<10} {'words':>5} {'pieces':>6} {'batch':>5} {'best':>8} {'median':>8}"
            f" {'/chunk':>8} {'chunks/s':>9}"
        )
        for words in args.words:
            chunks = make_chunks(args.chunks, words)
            pieces = sum(len(e.ids) for e in tokenizer.encode_batch(chunks)) / len(chunks)

            for batch in (1, 16, 32, 64):
                fixed = OnnxMiniLMEmbedder(
                    files, models_dir, threads=args.threads, batch_size=batch, max_batch_tokens=None
                )
                _row("onnx-f32", str(batch), measure(fixed, chunks, args.repeat), words, pieces)
            _row("onnx-f32", "auto", measure(default, chunks, args.repeat), words, pieces)
            if args.numpy:
                reference = NumpyMiniLMEmbedder(files)
                _row("numpy-f32", "auto", measure(reference, chunks, args.repeat), words, pieces)


if __name__ == "__main__":
    main()

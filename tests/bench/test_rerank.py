"""The measured (unshipped) cross-feature reranker: its features on a real consolidated vault, its fit."""

from __future__ import annotations

import numpy as np

from bench.rerank import FEATURES, Candidate, candidate_features, fit, load_model
from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.recall.graph import query_entities
from tests.memory.helpers import at, chat

SESSION = [
    ("m1", "Ben", "Where should we go for the long weekend in August?"),
    ("m2", "Ana", "The cabin by the lake, definitely, it has a sauna."),
    ("m3", "Ben", "Perfect, I will book it tonight."),
]


def test_features_lift_the_reply_next_to_a_strong_match_and_mark_the_named_speaker(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    lexical_vault.ingest([chat(ext, text, who, at(minutes=n)) for n, (ext, who, text) in enumerate(SESSION)],
                         embed=False)
    consolidate(lexical_vault, options=ConsolidationOptions(phone_region="CH", summaries=False))
    reader = lexical_vault.read()
    ids = {ext: iid for iid, ext in reader.execute("SELECT id, external_id FROM items WHERE kind = 'message'")}
    question = "Where did Ana want to go for the long weekend in August?"
    only_the_question = [Candidate(ids["m1"], SESSION[0][2], 1.0, {"bm25": 3.0})]
    rows, x = candidate_features(reader, only_the_question, question, query_entities(reader, question))
    assert x.shape == (len(rows), len(FEATURES))
    assert rows[0] == ids["m1"] and ids["m2"] in rows, "the reply joins the candidates though retrieval missed it"
    reply = x[rows.index(ids["m2"])]
    col = {name: n for n, name in enumerate(FEATURES)}
    assert reply[col["neighbour"]] == 1.0 and reply[col["inv_rank"]] == 0.0
    assert reply[col["speaker_named"]] == 1.0 and x[0][col["speaker_named"]] == 0.0
    assert x[0][col["terms"]] > reply[col["terms"]]


def test_fit_learns_which_feature_marks_the_evidence() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((400, len(FEATURES)))
    y = (x[:, FEATURES.index("session")] + 0.1 * rng.standard_normal(400) > 0.6).astype(float)
    model = fit(x, y)
    assert int(np.argmax(model.weights)) == FEATURES.index("session")
    scores = model.score(x)
    assert scores[y == 1].mean() > scores[y == 0].mean()
    again = load_model(model.to_json())
    assert again is not None and np.allclose(again.score(x), scores)


def test_weights_for_other_features_are_ignored() -> None:
    assert load_model('{"features": ["something else"], "weights": [1], "bias": 0, "mean": [0], "scale": [1]}') is None
    assert load_model("not json") is None

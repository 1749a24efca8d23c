"""The snippet chooser of the extractive answer (``core.answer.choose``), fitted leave-one-conversation-out.

For every answerable question: the snippets the answerer judged relevant, their
features, and which of them is a gold evidence turn.  Weights are fitted
listwise (softmax over one question's candidates, the gold turns as target, L2)
on two conversations and the answers of the third are scored with them, rotating;
the in-sample rows use weights fitted on all three (what ships as
``DEFAULT_CHOOSER``) next to the scorer before (shared words + meaning).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

L2 = 0.001
STEPS = 1500
RATE = 1.0


def fit_softmax(groups: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Weights maximising the softmax probability of the gold candidates (groups without gold are skipped)."""
    usable = [(x, y / y.sum()) for x, y in groups if len(y) and y.sum() > 0]
    if not usable:
        raise ValueError("no question has a gold turn among its candidates")
    w = np.zeros(usable[0][0].shape[1])
    for _ in range(STEPS):
        grad = np.zeros_like(w)
        for x, target in usable:
            z = x @ w
            p = np.exp(z - z.max())
            grad += x.T @ (p / p.sum() - target)
        w -= RATE * (grad / len(usable) + L2 * w)
    return w


def top1(groups: Sequence[tuple[np.ndarray, np.ndarray]], w: np.ndarray) -> float:
    """Share of questions whose best-scored candidate is a gold turn (no candidates counts as a miss)."""
    hits = [float(y[int(np.argmax(x @ w))]) if len(y) else 0.0 for x, y in groups]
    return sum(hits) / len(hits) if hits else 0.0


def candidate_groups(vault: Any, picked: Sequence[dict[str, Any]], retriever: Any, embed: Any
                     ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(conversation, features, gold labels) per answerable question, candidates as the answerer sees them."""
    from bench.llm import _conversation_now
    from core.answer import Answerer
    from core.answer.choose import FEATURES, snippet_features
    from core.answer.meaning import sentence_similarity

    answerer = Answerer(retriever, neighbours=retriever.neighbours, chooser=None, embed=embed)
    now_for = {c: _conversation_now(vault, c) for c in {q["conversation"] for q in picked}}
    out = []
    for q in picked:
        answer = answerer.answer(q["question"], now=now_for[q["conversation"]], conversations=(q["conversation"],),
                                 use_model=False)
        similarity = sentence_similarity(q["question"], answer.snippets, embed) if embed and answer.snippets else {}
        # the chooser picks among all snippets once the answerer answers at all
        candidates = answer.snippets if answerer.relevant(answer.understanding, answer.snippets, None, similarity) \
            else ()
        rows = snippet_features(answer.understanding, candidates, answer.snippets, similarity,
                                answerer.abstention)
        x = np.array(rows, dtype=float).reshape(len(rows), len(FEATURES))
        y = np.array([1.0 if s.external_id in q["evidence"] else 0.0 for s in candidates])
        out.append((q["conversation"], x, y))
    return out


def held_out_chooser(vault: Any, qs: Sequence[dict[str, Any]], limit: int | None, retriever: Any, embed: Any
                     ) -> dict[str, Any]:
    """Answers with the scorer before, the shipped chooser, weights fitted on all, and held-out folds."""
    from bench.llm import answer_rows, answer_table, pick_questions
    from core.answer import Answerer
    from core.answer.choose import DEFAULT_CHOOSER, Chooser

    picked = [q for q in pick_questions(qs, limit) if int(q["category"]) != 5]
    groups = candidate_groups(vault, picked, retriever, embed)
    conversations = sorted({c for c, _, _ in groups})

    def rows_with(chooser: Chooser | None, questions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        answerer = Answerer(retriever, neighbours=retriever.neighbours, chooser=chooser, embed=embed)
        return answer_rows(vault, questions, answerer, use_model=False)[0]

    held_rows: list[dict[str, Any]] = []
    held_top1: list[float] = []
    for conv in conversations:
        w = fit_softmax([(x, y) for c, x, y in groups if c != conv])
        test = [(x, y) for c, x, y in groups if c == conv]
        held_top1.extend([top1([g], w) for g in test])
        held_rows += rows_with(Chooser(tuple(float(v) for v in w)),
                               [q for q in picked if q["conversation"] == conv])
    fitted = fit_softmax([(x, y) for _, x, y in groups])
    all_groups = [(x, y) for _, x, y in groups]
    tables = {
        "before: shared words + meaning": answer_table(rows_with(None, picked)),
        "DEFAULT_CHOOSER (opt-in)": answer_table(rows_with(DEFAULT_CHOOSER, picked)),
        "fitted on all three": answer_table(rows_with(Chooser(tuple(float(v) for v in fitted)), picked)),
        "HELD-OUT FOLDS": answer_table(held_rows),
    }
    return {"tables": tables, "weights": [round(float(v), 2) for v in fitted],
            "top1": {"fitted, in-sample": top1(all_groups, fitted),
                     "DEFAULT_CHOOSER, in-sample": top1(all_groups, np.array(DEFAULT_CHOOSER.weights)),
                     "held-out folds": sum(held_top1) / max(1, len(held_top1))}}


def print_chooser(result: dict[str, Any]) -> None:
    print("\nExtractive answers: which snippet is quoted and cited (answerable questions; chooser fitted "
          "leave-one-conversation-out)")
    print(f"{'scorer':<38}{'F1':>7}{'cited':>8}")
    for name, table in result["tables"].items():
        print(f"{name:<38}{table['all']['f1']:>7.3f}{table['all']['evidence_cited']:>8.3f}")
    print("  chosen candidate is a gold turn: "
          + "; ".join(f"{name} {value:.3f}" for name, value in result["top1"].items()))
    print(f"  weights fitted on all three: {result['weights']}")

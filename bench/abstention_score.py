"""The calibrated abstention score (``core.answer.abstain_score``), fitted leave-one-conversation-out.

For every question (answerable and adversarial): the features of the question
and its snippets as the answerer sees them, and whether it is adversarial.  A
logistic regression (standardised features, L2) is fitted on two
conversations, its threshold chosen there to maximise adversarial minus false
abstention with false abstention aimed at ``AIM`` (under the issue's 0.10, so
that a third conversation's noise stays below it), and the answers of the third
conversation are given with it, rotating.  The in-sample row is the score
fitted on all three (printed: what ships as ``DEFAULT_ABSTENTION_SCORE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

AIM = 0.08
L2 = 0.1
STEPS = 3000
RATE = 0.5


def fit_score(x: np.ndarray, y: np.ndarray) -> tuple[tuple[float, ...], float]:
    """Logistic weights over the raw features and a bias (fitted on standardised features, L2)."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-z @ w))
        w -= RATE * (z.T @ (p - y) / len(y) + L2 * np.append(w[:-1], 0.0))
    raw = w[:-1] / sd
    return tuple(float(v) for v in raw), float(w[-1] - raw @ mu)


def threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The probability from which to abstain: adversarial minus false abstention, false above ``AIM`` charged
    five times over."""
    def balance(t: float) -> float:
        out = p >= t
        false = float(out[y == 0].mean())
        return float(out[y == 1].mean()) - false - 5 * max(0.0, false - AIM)

    return max((float(t) for t in np.linspace(0.05, 0.95, 91)), key=lambda t: (balance(t), t))


def held_out_score(vault: Any, qs: Sequence[dict[str, Any]], limit: int | None, retriever: Any, embed: Any
                   ) -> dict[str, Any]:
    from bench.answer_choice import answered
    from bench.llm import abstention_balance, answer_rows, answer_table, pick_questions
    from core.answer import Answerer
    from core.answer.abstain_score import AbstentionScore, question_features
    from core.answer.extractive import query_terms

    picked = pick_questions(qs, limit)
    rules = Answerer(retriever, neighbours=retriever.neighbours, embed=embed, abstention_score=None)
    rows_x, rows_y, convs = [], [], []
    for q, a, similarity in answered(vault, picked, rules, embed):
        relevant = rules.relevant(a.understanding, a.snippets, None, similarity)
        rows_x.append(question_features(query_terms(a.understanding), a.understanding.persons, a.snippets,
                                        relevant, similarity, rules.abstention))
        rows_y.append(1.0 if int(q["category"]) == 5 else 0.0)
        convs.append(q["conversation"])
    x, y, conv = np.array(rows_x, dtype=float), np.array(rows_y), np.array(convs)

    def score_on(mask: np.ndarray) -> AbstentionScore:
        weights, bias = fit_score(x[mask], y[mask])
        p = 1 / (1 + np.exp(-np.clip(x[mask] @ np.array(weights) + bias, -60, 60)))
        return AbstentionScore(weights, bias, threshold(p, y[mask]))

    def rows_with(score: AbstentionScore | None, questions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        answerer = Answerer(retriever, neighbours=retriever.neighbours, embed=embed, abstention_score=score)
        return answer_rows(vault, questions, answerer, use_model=False)[0]

    held: list[dict[str, Any]] = []
    for c in sorted(set(convs)):
        held += rows_with(score_on(conv != c), [q for q in picked if q["conversation"] == c])
    fitted = score_on(np.ones(len(y), dtype=bool))
    tables = {"rules only (before)": rows_with(None, picked), "score fitted on all three": rows_with(fitted, picked),
              "HELD-OUT FOLDS": held}
    return {"tables": {n: answer_table(r) for n, r in tables.items()},
            "balance": {n: abstention_balance(r) for n, r in tables.items()},
            "fitted": fitted}


def print_score(result: dict[str, Any]) -> None:
    print("\nExtractive answers with the calibrated abstention score (fitted on two conversations, threshold aimed at "
          f"false abstention {AIM}, scored on the third)")
    print(f"{'abstention':<38}{'F1':>7}{'cited':>8}{'false abst.':>13}{'adv. abst.':>12}{'balance':>9}")
    for name, table in result["tables"].items():
        print(f"{name:<38}{table['all']['f1']:>7.3f}{table['all']['evidence_cited']:>8.3f}"
              f"{table['all']['not_found']:>13.3f}{table.get(5, {}).get('not_found', 0.0):>12.3f}"
              f"{result['balance'][name]:>9.3f}")
    fitted = result["fitted"]
    print(f"  fitted on all three: weights {tuple(round(w, 3) for w in fitted.weights)}, bias {fitted.bias:.3f}, "
          f"threshold {fitted.threshold:.2f}")

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


def answered(vault: Any, picked: Sequence[dict[str, Any]], answerer: Any, embed: Any) -> list[tuple[Any, Any, Any]]:
    """(question, extractive answer, sentence similarity to the question) per question, each asked within its
    conversation a day after its last message."""
    from bench.llm import _conversation_now
    from core.answer.meaning import sentence_similarity

    now_for = {c: _conversation_now(vault, c) for c in {q["conversation"] for q in picked}}
    out = []
    for q in picked:
        answer = answerer.answer(q["question"], now=now_for[q["conversation"]], conversations=(q["conversation"],),
                                 use_model=False)
        out.append((q, answer, sentence_similarity(q["question"], answer.snippets, embed)
                    if embed and answer.snippets else {}))
    return out


def candidate_groups(vault: Any, picked: Sequence[dict[str, Any]], retriever: Any, embed: Any
                     ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(conversation, features, gold labels) per answerable question, candidates as the answerer sees them."""
    from core.answer import Answerer
    from core.answer.choose import FEATURES, snippet_features

    answerer = Answerer(retriever, neighbours=retriever.neighbours, chooser=None, embed=embed)
    out = []
    for q, answer, similarity in answered(vault, picked, answerer, embed):
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


CITATION_COST = 0.1  # the folds' charge per citation: one more must bring a gold turn into 1 answer in 10


def citing_grid() -> dict[str, Any]:
    """Citation policies, shipped first (ties keep it); ``max_citations=1`` cites only what the quote cites."""
    from core.answer.answerer import DEFAULT_CITING
    from core.answer.support import Citing

    grid = {"shipped": DEFAULT_CITING}
    for most in (1, 2, 3, 4):
        for share in (0.1, 0.2, 0.3, 0.5):
            policy = Citing(most, share)
            if policy != DEFAULT_CITING and (most > 1 or share == 0.2):
                grid[f"max {most}, share {share}" if most > 1 else "quote's citations only"] = policy
    return grid


def held_out_citing(vault: Any, qs: Sequence[dict[str, Any]], limit: int | None, retriever: Any, embed: Any
                    ) -> dict[str, Any]:
    """Which snippets an answer cites besides its quote's: the chooser fitted on two conversations, the policy
    (count, share) chosen there by gold cited minus ``CITATION_COST`` per citation, scored on the third."""
    from bench.folds import leave_one_conversation_out, mean_of
    from bench.llm import pick_questions
    from core.answer import Answerer
    from core.answer.choose import DEFAULT_CHOOSER, Chooser, choose, snippet_features
    from core.answer.support import supporting

    picked = [q for q in pick_questions(qs, limit) if int(q["category"]) != 5]
    answerer = Answerer(retriever, neighbours=retriever.neighbours, citer=None, embed=embed)
    cases = answered(vault, picked, answerer, embed)
    grid = citing_grid()

    def rows_with(weights: Sequence[float], conversations: set[str]) -> dict[str, list[dict[str, Any]]]:
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in grid}
        for q, a, similarity in cases:
            if q["conversation"] not in conversations:
                continue
            base = {"conversation": q["conversation"], "category": int(q["category"])}
            if a.mode == "not_found":
                for name in grid:
                    rows[name].append({**base, "evidence_cited": 0.0})
                continue
            likely = choose(a.understanding, a.snippets, a.snippets, similarity, Chooser(tuple(weights)),
                            answerer.abstention)
            by_number = {s.number: s for s in a.snippets}
            for name, policy in grid.items():
                numbers = supporting([c.number for c in a.citations], likely, policy)
                cited = {by_number[n].external_id for n in numbers}
                rows[name].append({**base, "evidence_cited": 1.0 if cited & set(q["evidence"]) else 0.0,
                                   "citations": float(len(numbers))})
        return rows

    def objective(rows: Sequence[Any]) -> float:
        return mean_of(rows, "evidence_cited") - CITATION_COST * mean_of(rows, "citations")

    conversations = sorted({q["conversation"] for q in picked})
    held: list[dict[str, Any]] = []
    chosen: dict[str, str] = {}
    for conv in conversations:
        train = [(x, y) for c, x, y in _groups(cases, answerer.abstention, snippet_features) if c != conv]
        rows = rows_with(tuple(float(v) for v in fit_softmax(train)), set(conversations))
        pick = leave_one_conversation_out(rows, objective, ())
        chosen[conv] = pick.chosen[conv]
        held += [r for r in rows[chosen[conv]] if r["conversation"] == conv]
    shipped = rows_with(DEFAULT_CHOOSER.weights, set(conversations))
    summary = {name: (mean_of(rs, "evidence_cited"), mean_of(rs, "citations")) for name, rs in shipped.items()}
    return {"in_sample": summary, "held_out": (mean_of(held, "evidence_cited"), mean_of(held, "citations")),
            "chosen": chosen}


def _groups(cases: Sequence[Any], policy: Any, features: Any) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(conversation, features, gold labels) per answered question, every snippet a candidate."""
    out = []
    for q, a, similarity in cases:
        if a.mode == "not_found":
            continue
        x = np.array(features(a.understanding, a.snippets, a.snippets, similarity, policy), dtype=float)
        y = np.array([1.0 if s.external_id in q["evidence"] else 0.0 for s in a.snippets])
        out.append((q["conversation"], x, y))
    return out


def print_citing(result: dict[str, Any]) -> None:
    print("\nExtractive answers: what they cite besides the quote (answerable questions; chooser fitted and policy "
          f"chosen on two conversations by cited - {CITATION_COST} x citations, scored on the third)")
    print(f"{'policy':<38}{'cited':>8}{'citations':>11}")
    for name, (cited, count) in {**result["in_sample"], "HELD-OUT FOLDS": result["held_out"]}.items():
        print(f"{name:<38}{cited:>8.3f}{count:>11.2f}")
    print("  chosen per held-out conversation: "
          + "; ".join(f"{conv}: {name}" for conv, name in sorted(result["chosen"].items())))

"""LLM latency and LoCoMo answer quality.

    python -m bench.llm                      # latency of the default model on a typical question
    python -m bench.llm --locomo [--limit N] [--lexical]   # + LoCoMo-dev answer metrics

Latency: model load time, then for a few questions over a small real vault:
prompt tokens, time to first token (from the start of ``ask``) and total time
(cold = first question, warm = later ones, which reuse the cached few-shot
prefix).  Answer metrics (``answer_metrics``, also called by bench/locomo.py):
LoCoMo's token F1 per category (its own normalisation and Porter stemming;
multi-hop answers split on commas), the share of answers whose citations
include a gold evidence turn, the share of category-5 (adversarial) questions
answered "not in memory", and how often answerable questions were wrongly
answered "not found" — extractive and model side by side.
"""

from __future__ import annotations

import argparse
import random
import re
import string
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FALSE_ABSTENTION_CAP = 0.10
CATEGORY_NAMES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}

# --------------------------------------------------------------------------- LoCoMo's F1


def _stemmer() -> Any:
    import snowballstemmer  # the Porter algorithm, as LoCoMo's evaluation (nltk's PorterStemmer)

    return snowballstemmer.stemmer("porter")


def normalize_answer(text: str) -> str:
    """LoCoMo's normalisation: lower case, no punctuation, no articles/'and', single spaces."""
    text = text.replace(",", "").lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the|and)\b", " ", text)
    return " ".join(text.split())


def f1_score(prediction: str, truth: str, stemmer: Any = None) -> float:
    stemmer = stemmer or _stemmer()
    pred = [stemmer.stemWord(w) for w in normalize_answer(prediction).split()]
    gold = [stemmer.stemWord(w) for w in normalize_answer(truth).split()]
    common = Counter(pred) & Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def multi_hop_f1(prediction: str, truth: str, stemmer: Any = None) -> float:
    """Each comma-separated gold part scored against its best predicted part, averaged."""
    preds = [p.strip() for p in prediction.split(",")]
    golds = [g.strip() for g in truth.split(",")]
    return sum(max(f1_score(p, g, stemmer) for p in preds) for g in golds) / len(golds)


def locomo_f1(prediction: str, truth: str, category: int, stemmer: Any = None) -> float:
    if category == 3:
        truth = truth.split(";")[0].strip()
    if category == 1:
        return multi_hop_f1(prediction, truth, stemmer)
    return f1_score(prediction, truth, stemmer)


def answer_text_for_scoring(answer: Any) -> str:
    """The answer without citation marks and quote decoration (what F1 should see)."""
    from core.answer.citations import strip_citations

    text = strip_citations(answer.text)
    return re.sub(r"[“”]", "", text)


# --------------------------------------------------------------------------- answer metrics


def _conversation_now(vault: Any, conversation: str) -> datetime:
    from core.store.items import from_epoch

    row = vault.read().execute("SELECT max(ts) FROM items WHERE conversation = ?", (conversation,)).fetchone()
    last = from_epoch(row[0]) if row and row[0] is not None else datetime.now(UTC)
    return last + timedelta(days=1)


def pick_questions(questions: Sequence[dict[str, Any]], limit_per_category: int | None, seed: int = 0
                   ) -> list[dict[str, Any]]:
    """All questions, or a seeded sample of ``limit_per_category`` per category."""
    rng = random.Random(seed)
    by_cat: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        by_cat[int(q["category"])].append(q)
    picked: list[dict[str, Any]] = []
    for cat in sorted(by_cat):
        qs = by_cat[cat]
        picked.extend(rng.sample(qs, limit_per_category) if limit_per_category and len(qs) > limit_per_category else qs)
    return picked


def answer_rows(vault: Any, picked: Sequence[dict[str, Any]], answerer: Any, *, use_model: bool,
                progress: str | None = None) -> tuple[list[dict[str, Any]], Counter[str], float]:
    """One row per question (conversation, category, not_found; f1 and evidence_cited when answerable),
    the answer modes seen, and seconds per question."""
    now_for = {c: _conversation_now(vault, c) for c in {q["conversation"] for q in picked}}
    stemmer = _stemmer()
    rows: list[dict[str, Any]] = []
    modes_seen: Counter[str] = Counter()
    started = time.perf_counter()
    for i, q in enumerate(picked):
        answer = answerer.answer(q["question"], now=now_for[q["conversation"]], conversations=(q["conversation"],),
                                 use_model=use_model)
        modes_seen[answer.mode] += 1
        cat = int(q["category"])
        not_found = 1.0 if answer.mode == "not_found" else 0.0
        row: dict[str, Any] = {"conversation": q["conversation"], "category": cat, "not_found": not_found}
        if cat != 5:
            row["f1"] = 0.0 if not_found else locomo_f1(answer_text_for_scoring(answer), str(q["answer"]), cat, stemmer)
            cited = {c.external_id for c in answer.citations}
            row["evidence_cited"] = 1.0 if cited & set(q["evidence"]) else 0.0
            if not not_found:
                row["citations"] = float(len(answer.citations))
        rows.append(row)
        if progress and (i + 1) % 50 == 0:
            print(f"  {progress}: {i + 1}/{len(picked)} questions", flush=True)
    return rows, modes_seen, (time.perf_counter() - started) / max(1, len(picked))


def answer_table(rows: Sequence[dict[str, Any]]) -> dict[Any, dict[str, float]]:
    """Per category and over answerable questions ("all"); category 5 stays apart (abstention only)."""
    from bench.folds import aggregate

    answerable = [r for r in rows if r["category"] != 5]
    table = aggregate(answerable, ("f1", "evidence_cited", "not_found", "citations"))
    adversarial = [r for r in rows if r["category"] == 5]
    if adversarial:
        table[5] = aggregate(adversarial, ("not_found",))[5]
    return table


def abstention_balance(rows: Sequence[dict[str, Any]]) -> float:
    """Adversarial questions answered "not in memory" minus answerable ones wrongly so (Youden's J),
    with false abstention above ``FALSE_ABSTENTION_CAP`` (the issue's limit) charged five times over."""
    adversarial = [r["not_found"] for r in rows if r["category"] == 5]
    answerable = [r["not_found"] for r in rows if r["category"] != 5]
    if not adversarial or not answerable:
        return 0.0
    false = sum(answerable) / len(answerable)
    return sum(adversarial) / len(adversarial) - false - 5 * max(0.0, false - FALSE_ABSTENTION_CAP)


def answer_metrics(
    vault: Any,
    questions: Sequence[dict[str, Any]],
    *,
    backend: Any = None,
    limit_per_category: int | None = None,
    seed: int = 0,
    progress: bool = True,
    answerer_options: dict[str, Any] | None = None,
) -> dict[str, dict[Any, dict[str, float]]]:
    """LoCoMo answer metrics for extractive answering and (with ``backend``) the model.

    ``questions``: dicts with ``question``, ``category``, ``conversation``,
    ``evidence`` (normalised dia_ids, the vault's external ids) and
    ``answer`` (categories 1–4).  Returns ``{"extractive": table, "model":
    table}`` where each table maps a category (and ``"all"``, the answerable
    ones) to ``f1``, ``evidence_cited``, ``not_found`` and ``n``, plus per-mode timings.
    """
    from core.answer import Answerer

    picked = pick_questions(questions, limit_per_category, seed)
    options = answerer_options or {}
    modes = {"extractive": Answerer(vault, neighbours=vault.neighbours, backend=None, **options)}
    if backend is not None:
        modes["model"] = Answerer(vault, neighbours=vault.neighbours, backend=backend, **options)
    results: dict[str, dict[Any, dict[str, float]]] = {}
    for mode, answerer in modes.items():
        rows, modes_seen, per_question = answer_rows(vault, picked, answerer, use_model=mode == "model",
                                                     progress=mode if progress else None)
        table: dict[Any, Any] = answer_table(rows)
        table["timing"] = {"s_per_question": per_question}
        table["modes"] = {k: float(v) for k, v in modes_seen.items()}
        results[mode] = table
    return results


def print_answer_metrics(results: dict[str, dict[Any, dict[str, float]]]) -> None:
    modes = list(results)
    print("\nLoCoMo-dev answers (F1 = LoCoMo token F1; cited = citations include a gold evidence turn; "
          "not found = answered 'not in memory'; cites = citations per answer given)")
    header = f"{'category':<14}{'n':>5}" + "".join(f"{m[:10] + ' F1':>15}{'cited':>8}{'cites':>7}{'not found':>11}"
                                                   for m in modes)
    print(header)
    for key in (1, 2, 3, 4, "all"):
        if key not in results[modes[0]]:
            continue
        name = CATEGORY_NAMES.get(key, "overall 1-4") if isinstance(key, int) else "overall 1-4"
        line = f"{name:<14}{int(results[modes[0]][key]['n']):>5}"
        for m in modes:
            row = results[m][key]
            line += f"{row['f1']:>15.3f}{row['evidence_cited']:>8.3f}{row.get('citations', 0.0):>7.2f}{row['not_found']:>11.3f}"
        print(line)
    for key in (5,):
        if key in results[modes[0]]:
            line = f"{'adversarial':<14}{int(results[modes[0]][key]['n']):>5}"
            for m in modes:
                line += f"{'':>15}{'':>8}{'':>7}{results[m][key]['not_found']:>11.3f}"
            print(line + "   (adversarial abstention: higher is better; 'overall 1-4' not found = false abstention)")
    for m in modes:
        print(f"{m}: {results[m]['timing']['s_per_question']:.2f} s/question; answer modes "
              + ", ".join(f"{k} {int(v)}" for k, v in sorted(results[m]["modes"].items())))


# --------------------------------------------------------------------------- latency

_LATENCY_CHAT = [
    ("Sam", "Are we still on for the cabin this weekend?"),
    ("Ana", "Yes! Leaving Friday after work, I booked the train for 17:40."),
    ("Sam", "The wifi password at the cabin is pinecone42."),
    ("Ana", "Perfect, thanks. Should I bring anything?"),
    ("Sam", "Bring boots, the trail is muddy after the rain."),
    ("Ana", "My sister's birthday dinner is at Lucia's on the 20th, 19:30."),
    ("Sam", "Did you send the invoice to Priya yesterday?"),
    ("Ana", "Yes, invoice 2024-117 went out on Tuesday, 1,240 euros."),
    ("Priya", "Got the invoice, paying it next week."),
    ("Sam", "The plumber comes Monday morning between 8 and 10."),
]
_LATENCY_QUESTIONS = [
    "What is the wifi password at the cabin?",
    "When does the plumber come?",
    "How much was the invoice to Priya?",
    "Where is the birthday dinner?",
]


def latency(models_dir: Path, context_tokens: int = 4096, rounds: int = 2) -> dict[str, Any]:
    """Load time and per-question latency of the default model over a small real vault."""
    from core.answer import Answerer, TokenEvent
    from core.assistant import open_backend
    from core.paths import VaultPaths
    from core.settings import Settings
    from core.types import Record
    from core.vault import Vault

    base = datetime(2024, 10, 12, 9, 0, tzinfo=UTC)
    out: dict[str, Any] = {"questions": []}
    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault.create(VaultPaths(Path(tmp) / "vault"), "bench", use_keyring=False, embedder=None)
        vault.ingest(
            [Record(source="chat:jsonl", external_id=f"m{i}", kind="message", timestamp=base + timedelta(minutes=9 * i),
                    text=text, conversation="home", speaker=speaker) for i, (speaker, text) in enumerate(_LATENCY_CHAT)],
            embed=False,
        )
        backend = open_backend(Settings(llm_context_tokens=context_tokens), models_dir)
        out["load_s"] = backend.load()
        out["threads"] = backend.threads
        out["model"] = backend.name
        answerer = Answerer(vault, neighbours=vault.neighbours, backend=backend)
        for round_no in range(rounds):
            for question in _LATENCY_QUESTIONS:
                t0 = time.perf_counter()
                first = None
                final = None
                for event in answerer.ask(question, now=base + timedelta(days=2)):
                    if isinstance(event, TokenEvent) and first is None:
                        first = time.perf_counter() - t0
                    final = event
                out["questions"].append({
                    "round": round_no, "question": question, "prompt_tokens": final.prompt_tokens,  # type: ignore[union-attr]
                    "first_token_s": first, "total_s": time.perf_counter() - t0,
                    "mode": final.mode, "answer": final.text,  # type: ignore[union-attr]
                })
        backend.close()
        vault.close()
    return out


def print_latency(result: dict[str, Any]) -> None:
    print(f"\nDefault model {result['model']}: load {result['load_s']:.2f} s, {result['threads']} threads")
    print(f"{'':<6}{'question':<42}{'prompt tok':>11}{'1st token s':>13}{'total s':>9}  mode / answer")
    for row in result["questions"]:
        first = f"{row['first_token_s']:.2f}" if row["first_token_s"] is not None else "-"
        tag = "cold" if row is result["questions"][0] else ("warm" if row["round"] else "")
        print(f"{tag:<6}{row['question'][:40]:<42}{row['prompt_tokens']:>11}{first:>13}{row['total_s']:>9.2f}"
              f"  {row['mode']}: {row['answer'][:60]}")
    warm = [r for r in result["questions"] if r["round"] > 0 and r["first_token_s"] is not None]
    if warm:
        firsts = sorted(r["first_token_s"] for r in warm)
        print(f"warm first token: median {firsts[len(firsts) // 2]:.2f} s, max {firsts[-1]:.2f} s")


def main(argv: list[str] | None = None) -> dict[str, Any]:

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locomo", action="store_true", help="also measure LoCoMo-dev answer metrics")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None, help="questions per category (random sample)")
    parser.add_argument("--lexical", action="store_true", help="LoCoMo vault without embeddings (faster)")
    parser.add_argument("--no-model", action="store_true", help="LoCoMo: extractive only")
    parser.add_argument("--models-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    from core import env as env_switch

    models_dir = args.models_dir or Path(env_switch.MODELS_DIR.get() or Path(tempfile.gettempdir()) / "cairn-bench-models")
    results: dict[str, Any] = {"latency": latency(models_dir)}
    print_latency(results["latency"])
    if args.locomo:
        from bench import locomo_data
        from core.assistant import open_backend
        from core.settings import Settings

        data = locomo_data.load(args.data or locomo_data.DEFAULT_DATA)
        with tempfile.TemporaryDirectory() as tmp:
            vault, known, _ = locomo_data.build_vault(data, Path(tmp), embed=not args.lexical)
            qs = locomo_data.questions(data, known, cats=(1, 2, 3, 4, 5))
            backend = None if args.no_model else open_backend(Settings(), models_dir)
            try:
                results["answers"] = answer_metrics(vault, qs, backend=backend, limit_per_category=args.limit)
            finally:
                if backend is not None:
                    backend.close()
                vault.close()
        print_answer_metrics(results["answers"])
    return results


if __name__ == "__main__":
    main()

"""The model pass over fact candidates: a small model may propose, never invent.

``model_facts`` asks a grammar-constrained completion (``FACT_GRAMMAR``,
JSON only) for first-person facts, then keeps a value only when it occurs
verbatim in the source text and passes the same validation as the patterns.

Threads: blocks on ``complete`` (the model); call from a worker thread.
Errors: any failure (exception, invalid JSON, ungrounded or invalid value)
drops that value; it never raises.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from core.memory.extraction.fact_patterns import normalise_fact, quote_span
from core.memory.extraction.types import PREDICATES, FactCandidate
from core.memory.extraction.value_norms import norm_text, occurs_in

ModelComplete = Callable[[str, str], str]
"""``complete(prompt, grammar) -> text``: one grammar-constrained completion (see ``core.memory.model``)."""

FACT_GRAMMAR = r"""
root   ::= "{" ws "\"facts\"" ws ":" ws "[" ws ( fact ( ws "," ws fact ){0,4} )? ws "]" ws "}"
fact   ::= "{" ws "\"predicate\"" ws ":" ws pred ws "," ws "\"value\"" ws ":" ws string ws "}"
pred   ::= "\"name\"" | "\"address\"" | "\"city\"" | "\"employer\"" | "\"job_title\"" | "\"birthday\"" | "\"email\"" | "\"phone\"" | "\"website\""
string ::= "\"" ( [^"\\\n] | "\\" ["\\/bfnrt] ){1,80} "\""
ws     ::= [ \t\n]{0,2}
"""

FACT_PROMPT = (
    "Extract personal facts the writer states about themself. Copy values exactly from the text. "
    "If there are none, return an empty list.\n"
    "Text: {text}\n"
    "JSON: "
)


def model_facts(
    text: str, complete: ModelComplete, *, reference: datetime | None = None, phone_region: str | None = "US",
    max_chars: int = 600,
) -> list[FactCandidate]:
    """Facts proposed by a grammar-constrained model, each checked against ``text``.

    Any failure (exception, invalid JSON, a value not found verbatim in the
    text, an invalid phone/email/date) drops that value; never raises.
    """
    snippet = text[:max_chars]
    try:
        raw = complete(FACT_PROMPT.format(text=snippet.replace("\n", " ")), FACT_GRAMMAR)
        data = json.loads(raw)
    except Exception:
        return []
    facts = data.get("facts") if isinstance(data, dict) else None
    if not isinstance(facts, list):
        return []
    out: list[FactCandidate] = []
    folded = norm_text(snippet)
    for entry in facts:
        if not isinstance(entry, dict):
            continue
        predicate, value = entry.get("predicate"), entry.get("value")
        if predicate not in PREDICATES or not isinstance(value, str):
            continue
        if not occurs_in(value, snippet):
            continue  # invented or paraphrased: not evidence
        cleaned = normalise_fact(predicate, value, reference, phone_region)
        if cleaned is None:
            continue
        value, norm = cleaned
        pos = folded.find(norm_text(value))
        start = max(pos, 0)
        out.append(FactCandidate("speaker", predicate, value, norm, start, start + len(value), 0.5, "model",
                                 quote_span(snippet, start, start + len(value))))
    return out

"""Grammars that constrain what the model may write (llama.cpp GBNF).

A small model under a grammar always produces parseable output; the values
in it still have to be checked against the source (see ``core.answer``).
Grammars are plain text (``Grammar``), so they can be built and tested
without loading a model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from core.llm.backend import Grammar


def json_schema_grammar(schema: dict[str, Any], name: str = "json") -> Grammar:
    """A grammar accepting exactly the JSON documents ``schema`` describes.

    Uses llama-cpp-python's converter (``LlamaGrammar.from_json_schema``'s
    engine).  Raises ``ValueError`` for a schema it cannot express.
    """
    from llama_cpp.llama_grammar import json_schema_to_gbnf  # late: llama_cpp is heavy

    try:
        gbnf = json_schema_to_gbnf(json.dumps(schema))
    except (KeyError, TypeError, NotImplementedError) as exc:
        raise ValueError(f"JSON schema not supported by the grammar converter: {exc}") from exc
    return Grammar(gbnf=gbnf, name=name)


def _literal(text: str) -> str:
    return json.dumps(text)  # a GBNF string literal uses JSON-style escapes


def choice_grammar(options: Sequence[str], name: str = "choice") -> Grammar:
    """Exactly one of ``options`` (e.g. ``["yes", "no"]``)."""
    if not options:
        raise ValueError("choice_grammar needs at least one option")
    return Grammar(gbnf="root ::= " + " | ".join(_literal(o) for o in options) + "\n", name=name)


def cited_sentence_grammar(snippet_count: int, max_chars: int = 200) -> Grammar:
    """One short sentence followed by one to three citations ``[n]`` with 1 ≤ n ≤ ``snippet_count``.

    Forces a small model to cite *a* snippet that exists; whether the cited
    snippet supports the sentence is checked afterwards.
    """
    if snippet_count < 1:
        raise ValueError("cited_sentence_grammar needs at least one snippet")
    numbers = " | ".join(_literal(str(i)) for i in range(1, snippet_count + 1))
    # The sentence may not contain brackets or newlines, so citations are unambiguous.
    gbnf = (
        f"root ::= text cite cite? cite? \".\"?\n"
        f"text ::= [^\\[\\]\\n]{{1,{max_chars}}}\n"
        f"cite ::= \" [\" num \"]\"\n"
        f"num ::= {numbers}\n"
    )
    return Grammar(gbnf=gbnf, name="cited_sentence")

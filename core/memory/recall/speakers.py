"""A question's words without the names of the people who speak in the memories.

"What did Melanie paint?" is answered by a message Melanie *wrote* ("I painted
that lake sunrise"), which rarely contains her own name; the messages that do
name her are the other person's ("Wow, Melanie!").  So a speaker's name in a
question is matched through who said a memory (the recall's speaker focus and
the memory graph, which read the names from the whole question), and the words
and meaning searches run on the rest of the question.  Names of people who are
only mentioned, never speak, stay: their name is in the messages about them.

No names, topics or phrases: which names are speakers comes from the vault.
Bounded work: one indexed look-up per alias of the few entities the question names.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from core.memory.extraction.value_norms import norm_text

_TOKEN = re.compile(r"[@\w][\w.'’@-]*")  # as ``graph.query_entities`` reads a question
_POSSESSIVE = ("'s", "’s")


def speaker_aliases(reader: Any, entity_ids: Collection[int], max_aliases: int = 16) -> set[str]:
    """Folded name aliases of those ``entity_ids`` that speak somewhere in the vault (``items.speaker``)."""
    out: set[str] = set()
    for entity_id in entity_ids:
        aliases = [(str(v), str(n)) for v, n in reader.execute(
            "SELECT value, norm FROM mem_aliases WHERE entity_id = ? AND alias_kind = 'name' LIMIT ?",
            (entity_id, max_aliases))]
        # items_speaker_nocase makes each probe one index seek, however large the vault
        if any(reader.execute("SELECT 1 FROM items WHERE speaker = ? COLLATE NOCASE LIMIT 1", (value,)).fetchone()
               for value, _ in aliases):
            out.update(norm for _, norm in aliases)
    return out


def without_names(text: str, names: Collection[str], max_ngram: int = 4) -> str:
    """``text`` with every 1..4-word span whose folded form (or possessive) is in ``names`` cut out.

    Returns ``text`` unchanged when nothing matches or nothing but names would be left.
    """
    if not names:
        return text
    tokens = [(m.start(), m.end(), m.group(0).strip(".,'’-")) for m in _TOKEN.finditer(text)]
    cut: list[tuple[int, int]] = []
    n = 0
    while n < len(tokens):
        for size in range(min(max_ngram, len(tokens) - n), 0, -1):
            gram = norm_text(" ".join(t[2] for t in tokens[n : n + size]))
            bare = next((gram[: -len(p)] for p in _POSSESSIVE if gram.endswith(p)), gram)
            if gram in names or bare in names:
                cut.append((tokens[n][0], tokens[n + size - 1][1]))
                n += size
                break
        else:
            n += 1
    if not cut:
        return text
    parts, last = [], 0
    for start, end in cut:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    rest = re.sub(r"\s+", " ", "".join(parts)).strip()
    rest = re.sub(r"\s+([?.!,;:])", r"\1", rest)
    return rest if _TOKEN.search(rest) else text

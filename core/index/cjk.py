"""Search inside runs of Chinese, Japanese and Korean text, which have no spaces between words.

The Porter/unicode61 full-text table sees a whole CJK run (``東京で会議``) as one
token, so a word inside it (``会議``) is never found.  A second FTS5 table,
``chunks_cjk`` (rowid = chunks.id, filled by a trigger for chunks that contain
CJK), holds each chunk's overlapping character *bigrams* (``東京 京で で会 会議``):
any word of two or more characters is then a phrase of bigrams, found through
the index.  Queries are split the same way; alphabetic words keep using the
stemmed table, so retrieval over non-CJK text is unchanged.

The SQL is pure (no application-defined functions): any connection that
writes chunks keeps the table current, and a vault migrated from an older
version is filled by the migration itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# Hiragana, Katakana, CJK Extension A, CJK Unified Ideographs, Hangul syllables, CJK compatibility.
_CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")
_GLOB = f"[{_CJK_CLASS}]"

# A chunk's bigrams, generated in SQL: json_each over "[0,0,…]" (one element per
# character) numbers the positions, since triggers cannot use recursive CTEs.
_BIGRAMS_OF = (
    "(SELECT group_concat(substr({text}, key + 1, 2), ' ') FROM json_each("
    "'[' || substr(replace(hex(zeroblob(length({text}))), '00', '0,'), 1, 2 * length({text}) - 1) || ']')"
    " WHERE substr({text}, key + 1, 2) GLOB '" + _GLOB + _GLOB + "')"
)
_HAS_CJK = "{text} GLOB '*" + _GLOB + "*'"

MIGRATION_SQL = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_cjk USING fts5(body, tokenize = 'unicode61');
INSERT INTO chunks_cjk(chunks_cjk, rank) VALUES ('secure-delete', 1);
CREATE TRIGGER IF NOT EXISTS chunks_cjk_insert AFTER INSERT ON chunks
WHEN {_HAS_CJK.format(text="NEW.text")}
BEGIN
    INSERT INTO chunks_cjk(rowid, body) VALUES (NEW.id, {_BIGRAMS_OF.format(text="NEW.text")});
END;
CREATE TRIGGER IF NOT EXISTS chunks_cjk_delete AFTER DELETE ON chunks
BEGIN
    DELETE FROM chunks_cjk WHERE rowid = OLD.id;
END;
INSERT INTO chunks_cjk(rowid, body)
    SELECT id, {_BIGRAMS_OF.format(text="text")} FROM chunks WHERE {_HAS_CJK.format(text="text")};
"""

# A later step: the insert trigger's guard first asks whether the text has any byte over ASCII at all
# (``octet_length`` reads the stored size, ``length`` counts characters in one tight loop), and runs the
# GLOB only when it does: every CJK character is multi-byte, so the same chunks match.  The GLOB tries
# its character class at every position of the text: ~10 us for a short chat message, ~7 % of an
# import's writer at 1M items; the pre-check costs ~0.5 us.
_CHEAP_HAS_CJK = "octet_length({text}) > length({text}) AND " + _HAS_CJK
GUARD_SQL = f"""
DROP TRIGGER IF EXISTS chunks_cjk_insert;
CREATE TRIGGER chunks_cjk_insert AFTER INSERT ON chunks
WHEN {_CHEAP_HAS_CJK.format(text="NEW.text")}
BEGIN
    INSERT INTO chunks_cjk(rowid, body) VALUES (NEW.id, {_BIGRAMS_OF.format(text="NEW.text")});
END;
"""


def has_cjk(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


def split_terms(terms: Sequence[str]) -> tuple[list[str], list[str]]:
    """(terms for the stemmed table, CJK runs) of a query's terms."""
    plain: list[str] = []
    runs: list[str] = []
    for term in terms:
        found = _CJK_RUN.findall(term)
        if not found:
            plain.append(term)
            continue
        runs += [r for r in found if r not in runs]
        rest = _CJK_RUN.sub(" ", term).split()
        plain += [r for r in rest if len(r) > 1 and r not in plain]
    return plain, runs


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def match_expression(runs: Sequence[str]) -> str:
    """Any run, each as the phrase of its bigrams (a one-character run: any bigram starting with it).

    A run longer than a word (a whole query sentence) also contributes its bigrams
    one by one, so documents holding its words apart still match, ranked lower.
    """
    parts: list[str] = []
    for run in runs:
        if len(run) == 1:
            parts.append(f'"{run}"*')
            continue
        grams = bigrams(run)
        parts.append('"' + " ".join(grams) + '"')
        if len(grams) > 1:
            parts += [f'"{g}"' for g in grams if f'"{g}"' not in parts]
    return " OR ".join(parts)


def search_cjk(reader: Any, runs: Sequence[str], limit: int, where_sql: str = "",
               params: Sequence[Any] = (), join: str = "JOIN chunks c ON c.id = f.rowid JOIN items i ON i.id = c.item_id",
               ) -> list[tuple[int, float]]:
    """``(chunk_id, score)`` best first (higher is better) for CJK runs; ``where_sql`` filters on ``i`` (items),
    or on what ``join`` brings in next to the bigram row ``f``."""
    if not runs:
        return []
    if not where_sql:
        rows = reader.execute(
            "SELECT rowid, bm25(chunks_cjk) AS score FROM chunks_cjk WHERE chunks_cjk MATCH ? ORDER BY score LIMIT ?",
            (match_expression(runs), limit),
        ).fetchall()
    else:
        rows = reader.execute(
            f"SELECT f.rowid, bm25(chunks_cjk) AS score FROM chunks_cjk f {join}"
            f" WHERE chunks_cjk MATCH ? AND {where_sql} ORDER BY score LIMIT ?",
            (match_expression(runs), *params, limit),
        ).fetchall()
    return [(int(r[0]), -float(r[1])) for r in rows]


def merge(first: list[tuple[int, float]], second: list[tuple[int, float]], limit: int) -> list[tuple[int, float]]:
    """Two BM25 lists on different scales as one: each scaled to its best score, a chunk keeps its best."""
    best: dict[int, float] = {}
    for hits in (first, second):
        if not hits:
            continue
        top = max(abs(s) for _, s in hits) or 1.0
        for chunk_id, score in hits:
            best[chunk_id] = max(best.get(chunk_id, float("-inf")), score / top)
    return sorted(best.items(), key=lambda kv: -kv[1])[:limit]

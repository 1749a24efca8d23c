"""The memory graph and its walk: personalized PageRank from a question's entities (HippoRAG).

Nodes are entities and memories (items).  Edges:

* entity — item: a mention (weighted by the entity's specificity, as
  HippoRAG's node specificity: an entity named in few memories is a strong
  link, a hub such as a chat's own speaker is a weak one);
* entity — entity: relations (co-occurrence and typed, log-weighted);
* item — item: neighbours inside an episode (episode context), and a
  summary to the memories it summarises.

``personalized_pagerank`` runs power iteration on a column-stochastic scipy
sparse matrix; seeds are the question's entities (and optionally the top
hits of the lexical/dense retriever, as HippoRAG 2 seeds passages).

Threads: read-only; build with a reader connection.  A built graph is an
immutable value and may be shared between threads.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.memory.extraction.value_norms import norm_text


@dataclass(frozen=True, slots=True)
class GraphWeights:
    mention: float = 1.0
    speaker: float = 0.25  # "said by X" links X to everything X says: a weak, hub-like edge
    relation: float = 0.5
    episode_neighbour: float = 0.6
    neighbour_span: int = 2
    summary: float = 0.5
    terms: float = 0.0  # > 0 adds keyword nodes (content-word stems shared by 2+ memories)
    term_max_df: float = 0.05  # keywords in more than this share of memories are too common to link


@dataclass(slots=True)
class MemoryGraph:
    entity_ids: list[int]
    item_ids: list[int]
    matrix: Any  # scipy.sparse.csr_matrix, column-stochastic, shape (n, n)
    entity_index: dict[int, int] = field(default_factory=dict)
    item_index: dict[int, int] = field(default_factory=dict)
    term_index: dict[str, int] = field(default_factory=dict)
    term_df: dict[str, int] = field(default_factory=dict)
    speaker_of: dict[int, int] = field(default_factory=dict)  # item id -> the entity who said/wrote it
    # Per item node, in episode order: the node said just before it and just after it (-1: none),
    # and whether it asks something (its text has a "?") — the dialogue around a memory.
    previous: Any = None  # np.ndarray[int64]
    following: Any = None  # np.ndarray[int64]
    asks: Any = None  # np.ndarray[bool]

    @property
    def size(self) -> int:
        return len(self.entity_ids) + len(self.item_ids) + len(self.term_index)


def build_graph(
    conn: Any, *, item_where: str = "", params: Sequence[Any] = (), weights: GraphWeights = GraphWeights(),
) -> MemoryGraph:
    """The graph over the items matching ``item_where`` (SQL on alias ``i``) and the entities they mention."""
    from scipy import sparse

    where = f" WHERE {item_where}" if item_where else ""
    item_rows = conn.execute(
        f"SELECT i.id, i.source, i.meta, i.text FROM items i{where} ORDER BY i.ts, i.id", params
    ).fetchall()
    item_ids = [int(r[0]) for r in item_rows]
    item_index = {iid: n for n, iid in enumerate(item_ids)}
    mention_rows: list[tuple[int, int, str]] = []
    for start in range(0, len(item_ids), 900):
        part = item_ids[start : start + 900]
        mention_rows.extend(
            (int(r[0]), int(r[1]), r[2]) for r in conn.execute(
                "SELECT m.entity_id, m.item_id, m.role FROM mem_mentions m JOIN mem_entities e ON e.id = m.entity_id"
                f" WHERE e.deleted = 0 AND e.merged_into IS NULL AND m.item_id IN ({','.join('?' * len(part))})", part,
            )
        )
    entity_ids = sorted({e for e, _, _ in mention_rows})
    offset = len(item_ids)
    entity_index = {eid: offset + n for n, eid in enumerate(entity_ids)}
    degree: dict[int, int] = {}
    for e, _, _ in mention_rows:
        degree[e] = degree.get(e, 0) + 1
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []

    def edge(a: int, b: int, w: float) -> None:
        rows.extend((a, b))
        cols.extend((b, a))
        vals.extend((w, w))

    speaker_of = {i: e for e, i, role in mention_rows if role == "speaker"}
    for e, i, role in mention_rows:
        specificity = 1.0 / math.log(2.0 + degree[e])
        base = weights.speaker if role == "speaker" else weights.mention
        edge(entity_index[e], item_index[i], base * specificity)
    if entity_ids:
        for start in range(0, len(entity_ids), 900):
            part = entity_ids[start : start + 900]
            marks = ",".join("?" * len(part))
            for src, dst, w in conn.execute(
                f"SELECT src, dst, weight FROM mem_relations WHERE src IN ({marks}) AND dst IN ({marks})", (*part, *part)
            ):
                if src in entity_index and dst in entity_index and src != dst:
                    edge(entity_index[src], entity_index[dst], weights.relation * math.log1p(float(w)))
    # episode context: each memory linked to its neighbours in the same episode
    by_episode: dict[int, list[int]] = {}
    for start in range(0, len(item_ids), 900):
        part = item_ids[start : start + 900]
        for ep, iid in conn.execute(
            f"SELECT episode_id, item_id FROM mem_episode_items WHERE item_id IN ({','.join('?' * len(part))})", part
        ):
            by_episode.setdefault(int(ep), []).append(item_index[int(iid)])
    previous = np.full(len(item_ids), -1, dtype=np.int64)
    following = np.full(len(item_ids), -1, dtype=np.int64)
    said = [n for n, r in enumerate(item_rows) if r[1] != "summary"]
    for members in by_episode.values():
        members.sort()
        turns = [m for m in members if item_rows[m][1] != "summary"]
        previous[turns[1:]] = turns[:-1]
        following[turns[:-1]] = turns[1:]
        for n, a in enumerate(members):
            for d in range(1, weights.neighbour_span + 1):
                if n + d < len(members):
                    edge(a, members[n + d], weights.episode_neighbour / d)
    term_index: dict[str, int] = {}
    term_df: dict[str, int] = {}
    if weights.terms > 0:
        bags = [(item_index[int(r[0])], set(keyword_stems(r[3] or ""))) for r in item_rows if r[1] != "summary"]
        for _, bag in bags:
            for t in bag:
                term_df[t] = term_df.get(t, 0) + 1
        max_df = max(3, int(weights.term_max_df * max(len(bags), 1)))
        term_df = {t: df for t, df in term_df.items() if 2 <= df <= max_df}
        base_index = len(item_ids) + len(entity_ids)
        term_index = {t: base_index + n for n, t in enumerate(sorted(term_df))}
        for node, bag in bags:
            for t in bag:
                idx = term_index.get(t)
                if idx is not None:
                    edge(node, idx, weights.terms / math.log(1.0 + term_df[t]))
    for iid, source, meta_text, _ in item_rows:
        if source != "summary":
            continue
        try:
            sources = json.loads(meta_text or "{}").get("source_item_ids", [])
        except ValueError:
            sources = []
        for sid in sources:
            if int(sid) in item_index:
                edge(item_index[int(iid)], item_index[int(sid)], weights.summary)
    n = len(item_ids) + len(entity_ids) + len(term_index)
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(n, n), dtype=np.float64)
    out_weight = np.asarray(matrix.sum(axis=0)).ravel()
    out_weight[out_weight == 0] = 1.0
    matrix = (matrix @ sparse.diags(1.0 / out_weight)).tocsr()  # column-stochastic
    asks = np.zeros(len(item_ids), dtype=bool)
    asks[said] = ["?" in (item_rows[n][3] or "") for n in said]
    return MemoryGraph(entity_ids, item_ids, matrix, entity_index, item_index, term_index, term_df, speaker_of,
                       previous, following, asks)


def personalized_pagerank(
    graph: MemoryGraph, seeds: Mapping[int, float], *, damping: float = 0.5, iterations: int = 60, tol: float = 1e-8,
) -> np.ndarray:
    """PPR scores over graph nodes; ``seeds`` maps node index -> weight (normalised here).

    ``damping`` is the probability to follow an edge (HippoRAG uses 0.5);
    the walk restarts at the seeds otherwise.  Dangling mass returns to the seeds.
    """
    n = graph.size
    if n == 0:
        return np.zeros(0)
    restart = np.zeros(n)
    for node, weight in seeds.items():
        if 0 <= node < n and weight > 0:
            restart[node] += weight
    total = restart.sum()
    if total <= 0:
        return np.zeros(n)
    restart /= total
    scores = restart.copy()
    dangling = np.asarray(graph.matrix.sum(axis=0)).ravel() == 0
    for _ in range(iterations):
        spread = graph.matrix @ scores
        lost = scores[dangling].sum()
        new = damping * (spread + lost * restart) + (1.0 - damping) * restart
        if np.abs(new - scores).sum() < tol:
            scores = new
            break
        scores = new
    return scores


def item_ranking(graph: MemoryGraph, scores: np.ndarray, k: int, exclude_seeds: Iterable[int] = ()) -> list[tuple[int, float]]:
    """The top ``k`` items by PPR score as ``(item_id, score)``."""
    count = len(graph.item_ids)
    if count == 0 or scores.size == 0:
        return []
    item_scores = scores[:count].copy()
    for node in exclude_seeds:
        if 0 <= node < count:
            item_scores[node] = -1.0
    order = np.argsort(-item_scores)[:k]
    return [(graph.item_ids[int(i)], float(item_scores[int(i)])) for i in order if item_scores[int(i)] > 0]


def entity_ranking(graph: MemoryGraph, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    count = len(graph.item_ids)
    ent = scores[count : count + len(graph.entity_ids)]
    order = np.argsort(-ent)[:k]
    return [(graph.entity_ids[int(i)], float(ent[int(i)])) for i in order if ent[int(i)] > 0]


_TOKEN = re.compile(r"[@\w][\w.'’@-]*")


def query_entities(conn: Any, query: str, max_ngram: int = 4) -> dict[int, float]:
    """Entities named in ``query`` (exact folded alias match of 1..4-grams, emails, handles) -> weight.

    The weight favours specific entities: 1 / log(2 + number of memories mentioning it).
    """
    tokens = [t.strip(".,'’-") for t in _TOKEN.findall(query)]
    tokens = [t for t in tokens if t]
    grams: set[str] = set()
    for size in range(1, max_ngram + 1):
        for start in range(0, len(tokens) - size + 1):
            grams.add(norm_text(" ".join(tokens[start : start + size])))
    # possessives: "Caroline's" -> "caroline"
    grams |= {g[:-2] for g in grams if g.endswith("'s") or g.endswith("’s")}
    found: dict[int, float] = {}
    grams_list = [g for g in grams if len(g) >= 2]
    for start in range(0, len(grams_list), 400):
        part = grams_list[start : start + 400]
        for entity_id, count in conn.execute(
            "SELECT e.id, e.mention_count FROM mem_aliases a JOIN mem_entities e ON e.id = a.entity_id"
            f" WHERE a.norm IN ({','.join('?' * len(part))}) AND e.deleted = 0 AND e.merged_into IS NULL", part,
        ):
            found[int(entity_id)] = 1.0 / math.log(2.0 + float(count or 0))
    return found


_KEYWORD = re.compile(r"[a-z][a-z'’-]{2,}")


def stem(word: str) -> str:
    """A light English suffix stripper (enough to join 'paintings'/'painting'/'painted')."""
    w = word.strip("'’-").replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + repl
            break
    return w


def keyword_stems(text: str) -> list[str]:
    """Content-word stems of ``text`` (stop words dropped), in order."""
    from core.index.fulltext import STOPWORDS

    out = []
    for m in _KEYWORD.finditer(text.lower()):
        w = m.group(0)
        if w in STOPWORDS or len(w) < 4:
            continue
        out.append(stem(w))
    return out

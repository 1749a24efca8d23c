"""MaxScore pruning of the FTS5 rankings (core.index.maxscore): on a real encrypted vault counted as big, the pruned
rankings are exactly the unpruned ones (ids and bm25 scores), through new chunks and forget, and they did prune."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from core.index import fulltext, maxscore
from core.index.fulltext import WordFacts, ranked_matches
from core.paths import VaultPaths
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import message

WORDS = [f"w{r:03d}" for r in range(300)]


def _text(rnd: random.Random) -> str:
    # the r-th word with probability ~ 1/r, 3-12 words: common words, rare words, repeats within a message
    return " ".join(WORDS[min(len(WORDS) - 1, int(len(WORDS) ** rnd.random()) - 1)] for _ in range(rnd.randint(3, 12)))


@pytest.fixture
def vault(vault_paths: VaultPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Vault]:
    monkeypatch.setattr(fulltext, "PRUNE_FROM_ROWS", 100)  # this 1,500-chunk vault counts as big
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    rnd = random.Random(14)
    v.ingest([message(f"m{n}", _text(rnd), minutes=n) for n in range(1500)])
    yield v
    v.close()


class _Counting:
    """A reader that records the ranking statements that scored only candidates."""

    def __init__(self, conn: object) -> None:
        self.conn, self.pruned = conn, 0

    def execute(self, sql: str, params: object = ()) -> object:
        self.pruned += "bm25" in sql and "+rowid IN (SELECT rowid FROM chunks_fts" in sql
        return self.conn.execute(sql, params)  # type: ignore[attr-defined]


def _queries(seed: int, count: int) -> list[list[str]]:
    rnd = random.Random(seed)
    return [sorted(set(_text(rnd).split()[: rnd.randint(2, 5)])) for _ in range(count)]


def _same(vault: Vault, queries: list[list[str]], limit: int, window: int, facts: WordFacts) -> int:
    reader = _Counting(vault.read())
    for terms in queries:
        pruned = ranked_matches(reader, terms, limit, window=window, facts=facts)
        assert pruned == ranked_matches(vault.read(), terms, limit, window=window), terms  # facts=None: unpruned
    return reader.pruned


QUERIES = [*_queries(3, 60), ["w000", "w001"], ["w000", "w001", "w002"], ["w000", "w250"], ["w001", "w299"]]


def test_pruned_rankings_are_the_unpruned_ones_and_did_prune(vault: Vault) -> None:
    """Past the window: the window's ranking scores only chunks that can pass the older rare matches' floor."""
    facts = WordFacts()
    assert _same(vault, QUERIES, 20, 300, facts) > 10
    assert _same(vault, QUERIES, 5, 300, facts) > 10


def test_rankings_without_a_window_are_not_pruned_and_unchanged(vault: Vault) -> None:
    """No floor to start from (no older matches): a guessed one failed its check at 1M nearly every time."""
    assert _same(vault, QUERIES, 20, 100_000, WordFacts()) == 0


def test_new_chunks_and_forget_are_ranked_at_once(vault: Vault) -> None:
    facts = WordFacts()
    terms = ["w000", "w001", "w123"]
    assert _same(vault, [terms], 10, 300, facts)  # counts cached
    vault.ingest([message("fresh", "w123 w123 w123 w001", minutes=5000)])
    fresh = vault.read().execute("SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id"
                                 " WHERE i.external_id = 'fresh'").fetchone()
    assert fresh is not None
    found = ranked_matches(vault.read(), terms, 10, window=300, facts=facts)
    assert found[0][0] == fresh[0]
    assert _same(vault, [terms], 10, 300, facts)
    item = vault.read().execute("SELECT id FROM items WHERE external_id = 'fresh'").fetchone()[0]
    vault.forget(item_ids=[item])
    assert fresh[0] not in {cid for cid, _ in ranked_matches(vault.read(), terms, 10, window=300, facts=facts)}
    assert _same(vault, [terms], 10, 300, facts)


def test_word_counts_follow_the_index(vault: Vault) -> None:
    facts = WordFacts()
    reader = vault.read()

    def fresh_count(term: str) -> int:
        return reader.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (f'"{term}"',)).fetchone()[0]

    before = facts.count(reader, "w042")
    assert before == fresh_count("w042")
    vault.ingest([message("more", "w042 again", minutes=6000)])
    assert facts.count(vault.read(), "w042") == before + 1 == fresh_count("w042")


def test_the_highest_share_bounds_every_share_bm25_gives(vault: Vault) -> None:
    """The bound MaxScore rests on: no chunk's single-word bm25 exceeds that word's highest share."""
    reader = vault.read()
    totals = bytes(reader.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()[0])
    facts = WordFacts()
    terms = [t for t in ("w000", "w001", "w010", "w100", "w200", "w290") if facts.count(reader, t)]
    assert len(terms) >= 5
    for term in terms:
        shares = maxscore.highest_shares(totals, {term: facts.count(reader, term)})
        assert shares is not None
        best = -reader.execute("SELECT bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s"
                               " LIMIT 1", (f'"{term}"',)).fetchone()[0]
        assert 0 < best < shares[term], term


def test_candidates_cover_every_set_of_words_that_can_reach_the_floor() -> None:
    shares = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 9.0}
    assert maxscore.candidates(["a", "b", "c", "d"], shares, 4.0) == '"d" OR ("a" AND "c") OR ("b" AND "c")'
    assert maxscore.candidates(["a", "b"], shares, 0.5) is None  # nothing left out
    assert maxscore.candidates(["a", "b"], shares, 5.0) == ""  # no chunk can reach it

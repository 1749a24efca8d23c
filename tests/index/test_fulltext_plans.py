"""Full-text plans for large vaults, on a real encrypted vault: windowed common words, rare words over all time,
a narrow filter inside its rowid span, a wide one post-filtered."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest

from core.index.fulltext import _ranked, match_expression, ranked_matches, search_fulltext
from core.paths import VaultPaths
from core.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from tests.helpers import message


@pytest.fixture
def vault(vault_paths: VaultPaths) -> Iterator[Vault]:
    v = Vault.create(vault_paths, TEST_PASSPHRASE, use_keyring=False, embedder=None)
    records = [message(f"m{n}", f"coffee with the team, round {n}", conversation=f"c{n % 4}", minutes=n)
               for n in range(300)]
    records[3] = message("old-rare", "coffee and the zanzibar itinerary", conversation="c3", minutes=3)
    v.ingest(records)
    yield v
    v.close()


def test_below_the_window_the_ranking_is_plain_bm25(vault: Vault) -> None:
    terms = ["coffee", "zanzibar"]
    assert ranked_matches(vault.read(), terms, 10) == _ranked(vault.read(), match_expression(terms), 10)


def test_past_the_window_common_words_rank_the_newest_and_rare_words_reach_back(vault: Vault) -> None:
    found = [cid for cid, _ in ranked_matches(vault.read(), ["coffee", "zanzibar"], 10, window=50)]
    old_rare = vault.read().execute("SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id"
                                    " WHERE i.external_id = 'old-rare'").fetchone()[0]
    assert found[0] == old_rare  # older than the window, found by its rare word
    common = [cid for cid, _ in ranked_matches(vault.read(), ["coffee"], 10, window=50)]
    newest = vault.read().execute("SELECT max(id) FROM chunks").fetchone()[0]
    assert all(cid > newest - 51 for cid in common)


def _join_plan(vault: Vault, terms: list[str], where: str, params: list[object]) -> list[int]:
    return [cid for cid, _ in search_fulltext(vault.read(), terms, 10, where, params)]


def test_a_narrow_filter_inside_its_span_matches_the_join_plan(vault: Vault) -> None:
    where, params = "i.conversation = ? AND i.ts < ?", ["c3", 1e12]
    listed = [r[0] for r in vault.read().execute(
        f"SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id WHERE {where}", params)]
    spanned = [cid for cid, _ in search_fulltext(vault.read(), ["coffee", "zanzibar"], 10, where, params,
                                                 listed=listed)]
    assert spanned == _join_plan(vault, ["coffee", "zanzibar"], where, params)
    assert set(spanned) <= set(listed) and spanned


def test_a_wide_filter_post_filtered_keeps_only_passing_chunks(vault: Vault) -> None:
    where, params = "i.conversation IN (?, ?, ?)", ["c0", "c1", "c2"]
    passing = {r[0] for r in vault.read().execute(
        f"SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id WHERE {where}", params)}
    got = search_fulltext(vault.read(), ["coffee"], 10, where, params, accept=lambda ids: passing & set(ids))
    assert len(got) == 10 and {cid for cid, _ in got} <= passing
    assert [c for c, _ in got] == _join_plan(vault, ["coffee"], where, params)


@pytest.mark.parametrize("share", [1, 2, 8, 40])
def test_a_wide_filter_checks_about_as_many_candidates_as_its_pass_rate_needs(vault: Vault, share: int) -> None:
    """One chunk in ``share`` passes: the rows kept are the first ten passing in rank order, as with ×4 slices,
    and the check sees little more than the candidates up to the tenth passing one (×4 slices saw up to 4× that)."""
    ranking = [cid for cid, _ in ranked_matches(vault.read(), ["coffee"], 10_000)]
    passing = set(ranking[::share])
    checked: list[int] = []

    def accept(ids: list[int]) -> set[int]:
        checked.extend(ids)
        return passing & set(ids)

    got = [cid for cid, _ in search_fulltext(vault.read(), ["coffee"], 10, "1", [], accept=accept)]
    assert got == [cid for cid in ranking if cid in passing][:10]
    needed = ranking.index(got[-1]) + 1
    assert len(checked) == len(set(checked)) <= max(40, 1.6 * needed)


@pytest.mark.parametrize("window", [10_000, 50])  # below the window, and past it (older rare matches apart)
@pytest.mark.parametrize("pick", ["every 8th", "the tail", "the last", "none"])
def test_a_wide_filter_in_ram_keeps_exactly_the_rankings_passing_rows_in_its_order(
        vault: Vault, monkeypatch: pytest.MonkeyPatch, pick: str, window: int) -> None:
    """A filter in RAM (``mask=``) ranks inside the statements: the rows are the unfiltered ranking's passing rows,
    in its order with its scores, however far down they are (a post-filter of a too short ranking missed the tail;
    without the mask this plan is the join, the unfiltered order)."""
    import core.index.fulltext as fulltext

    monkeypatch.setattr(fulltext, "WINDOW_MATCHES", window)
    terms = ["coffee", "zanzibar"]
    ranking = ranked_matches(vault.read(), terms, 10_000, window=window)
    ids = [cid for cid, _ in ranking]
    passing = {"every 8th": ids[::8], "the tail": ids[-15:], "the last": ids[-1:], "none": []}[pick]
    mask = np.zeros(max(passing, default=0) + 1, dtype=bool)  # ids past its end do not pass
    mask[passing] = True
    got = search_fulltext(vault.read(), terms, 10, "1", [], mask=mask)
    expected = [row for row in ranking if row[0] in set(passing)][:10]
    if len(expected) < 10 and passing:
        # Fewer than asked pass within the window: every match of theirs over all time, scored in full (an older
        # rare match's window score counts its rare words alone), the join plan's answer.
        expected = _ranked(vault.read(), match_expression(terms), 10, among=json.dumps(sorted(passing)))
    assert got == expected
    assert len(got) == min(10, len(passing))


def test_a_filter_in_ram_of_rows_older_than_the_window_ranks_them_over_all_time(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """A filter whose rows all lie before the newest matches (a past year): the window holds none of them, so its
    rows are ranked over all time, the join plan's answer (returning the window's empty share left a one-year
    filter at 1M without any full-text hit)."""
    import core.index.fulltext as fulltext

    monkeypatch.setattr(fulltext, "WINDOW_MATCHES", 50)
    old = [r[0] for r in vault.read().execute("SELECT id FROM chunks ORDER BY id LIMIT 100")]
    mask = np.zeros(max(old) + 1, dtype=bool)
    mask[old] = True
    where, params = f"c.id <= {max(old)}", []
    got = search_fulltext(vault.read(), ["coffee", "team"], 10, where, params, mask=mask)
    assert [cid for cid, _ in got] == _join_plan(vault, ["coffee", "team"], where, params)
    assert len(got) == 10 and {cid for cid, _ in got} <= set(old)


def test_a_listed_filter_spread_over_the_vault_is_the_ranking_kept_to_the_list(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """One conversation over the whole vault: its span is too wide to search, the unfiltered ranking is kept to it
    (no join over items: that scores every match of the vault)."""
    import core.index.fulltext as fulltext

    monkeypatch.setattr(fulltext, "SPAN_MIN", 10)
    monkeypatch.setattr(fulltext, "SPAN_PER_LISTED", 1)

    class Recording:
        def __init__(self, conn: object) -> None:
            self.conn, self.sql = conn, []

        def execute(self, sql: str, params: object = ()) -> object:
            self.sql.append(sql)
            return self.conn.execute(sql, params)  # type: ignore[attr-defined]

    where, params = "i.conversation = ?", ["c3"]
    listed = [r[0] for r in vault.read().execute(
        f"SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id WHERE {where}", params)]
    reader = Recording(vault.read())
    got = [cid for cid, _ in search_fulltext(reader, ["coffee", "zanzibar"], 10, where, params, listed=listed)]
    assert reader.sql and not any("JOIN" in sql for sql in reader.sql)
    assert got == _join_plan(vault, ["coffee", "zanzibar"], where, params)
    assert set(got) <= set(listed) and len(got) == 10


class _Recording:
    def __init__(self, conn: object) -> None:
        self.conn, self.sql = conn, []

    def execute(self, sql: str, params: object = ()) -> object:
        self.sql.append(sql)
        return self.conn.execute(sql, params)  # type: ignore[attr-defined]


def _spread(monkeypatch: pytest.MonkeyPatch, vault: Vault) -> tuple[str, list[object], list[int]]:
    import core.index.fulltext as fulltext

    monkeypatch.setattr(fulltext, "SPAN_MIN", 10)
    monkeypatch.setattr(fulltext, "SPAN_PER_LISTED", 1)
    where, params = "i.conversation = ?", ["c3"]
    listed = [r[0] for r in vault.read().execute(
        f"SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id WHERE {where}", params)]
    return where, params, listed


def test_a_spread_list_short_because_of_the_window_is_ranked_over_all_time_without_the_join(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's matches in the list are fewer than asked: every match of the list is ranked, as the join plan
    does, but kept to the list in the FTS statement (the join scored every match of the vault: 1-3 s at 1M)."""
    import core.index.fulltext as fulltext

    where, params, listed = _spread(monkeypatch, vault)
    monkeypatch.setattr(fulltext, "WINDOW_MATCHES", 50)  # ~12 of c3's 75 coffee chunks are in the window
    reader = _Recording(vault.read())
    got = search_fulltext(reader, ["coffee", "zanzibar"], 30, where, params, listed=listed)
    assert not any("JOIN" in sql for sql in reader.sql)
    assert got == search_fulltext(vault.read(), ["coffee", "zanzibar"], 30, where, params)  # the join plan
    assert len(got) == 30 and {cid for cid, _ in got} <= set(listed)


def test_a_list_too_sparse_for_the_window_is_ranked_over_all_time_in_one_statement(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """c3 is a quarter of the vault: a 50-match window holds ~12 of its chunks, fewer than the 60 asked, so the
    windowed ranking is skipped, not computed and thrown away: one bm25 statement, the join plan's exact answer."""
    import core.index.fulltext as fulltext

    where, params, listed = _spread(monkeypatch, vault)
    monkeypatch.setattr(fulltext, "WINDOW_MATCHES", 50)
    reader = _Recording(vault.read())
    got = search_fulltext(reader, ["coffee", "zanzibar"], 60, where, params, listed=listed)
    assert sum("bm25" in sql for sql in reader.sql) == 1
    assert got == search_fulltext(vault.read(), ["coffee", "zanzibar"], 60, where, params)  # the join plan
    assert len(got) == 60 and {cid for cid, _ in got} <= set(listed)


def test_a_sparse_list_with_a_word_known_past_the_window_does_not_walk_the_window(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the vault's word facts, "coffee" is known to have more matches than the window: the list goes to the
    all-time ranking without the window's probe (a walk over 20,000 matches at 1M), and the answer is the same."""
    import core.index.fulltext as fulltext

    where, params, listed = _spread(monkeypatch, vault)
    monkeypatch.setattr(fulltext, "WINDOW_MATCHES", 50)
    rankings = fulltext.Rankings(fulltext.WordFacts())
    terms = ["coffee", "zanzibar"]
    first = search_fulltext(vault.read(), terms, 60, where, params, listed=listed, rankings=rankings)  # learns
    reader = _Recording(vault.read())
    again = search_fulltext(reader, terms, 60, where, params, listed=listed, rankings=rankings)
    assert not any("OFFSET" in sql for sql in reader.sql)
    assert again == first == search_fulltext(vault.read(), terms, 60, where, params)  # the join plan


def test_a_spread_list_short_of_weighted_matches_leaves_the_words_in_most_chunks_out(
        vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the unfiltered ranking does: a word in most chunks (idf clamped to 1e-6) adds nothing to the ranking, and
    chunks matching only it are not ranked (that meant bm25 over its every match in the vault)."""
    import core.index.fulltext as fulltext

    where, params, listed = _spread(monkeypatch, vault)
    monkeypatch.setattr(fulltext, "SAMPLE", 20)  # coffee (every chunk) is weightless
    old_rare = vault.read().execute("SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id"
                                    " WHERE i.external_id = 'old-rare'").fetchone()[0]
    reader = _Recording(vault.read())
    got = search_fulltext(reader, ["coffee", "zanzibar"], 10, where, params, listed=listed)
    assert [cid for cid, _ in got] == [old_rare]
    assert not any("JOIN" in sql for sql in reader.sql)
    # with no word left out, a short list is every match of the list: what the join plan gives
    reader = _Recording(vault.read())
    assert (search_fulltext(reader, ["zanzibar", "itinerary"], 10, where, params, listed=listed)
            == search_fulltext(vault.read(), ["zanzibar", "itinerary"], 10, where, params))
    assert not any("JOIN" in sql for sql in reader.sql)


def test_the_post_filter_check_walks_the_candidate_ids_not_the_filter_index(vault: Vault) -> None:
    """EXPLAIN QUERY PLAN: the check starts from the candidates' primary keys (a plain JOIN started from the
    conversation index and visited every item of the conversation for each batch of candidates)."""
    from core.retrieve.hybrid import chunk_ids_where

    class Recording:
        def __init__(self, conn: object) -> None:
            self.conn, self.sql = conn, []

        def execute(self, sql: str, params: object = ()) -> object:
            self.sql.append((sql, params))
            return self.conn.execute(sql, params)  # type: ignore[attr-defined]

    reader = Recording(vault.read())
    where, params = "i.conversation COLLATE NOCASE IN (?) AND i.deleted = 0", ["c1"]
    passed = chunk_ids_where(reader, np.arange(1, 301), where, params)
    assert len(passed) == 75
    (sql, args), = reader.sql
    plan = [row[3] for row in vault.read().execute("EXPLAIN QUERY PLAN " + sql, args)]
    assert plan[0].startswith("SEARCH c USING INTEGER PRIMARY KEY"), plan


def test_a_word_in_most_chunks_is_left_out_of_the_ranking_and_the_scores_stay_bm25s(vault: Vault, monkeypatch) -> None:
    from core.index import fulltext

    reader = vault.read()
    full = _ranked(reader, match_expression(["coffee", "zanzibar"]), 1)
    monkeypatch.setattr(fulltext, "SAMPLE", 20)  # a 300-chunk vault counts as big
    assert fulltext.weighted_terms(reader, ["coffee", "zanzibar"]) == ["zanzibar"]  # coffee: every chunk
    assert fulltext.weighted_terms(reader, ["coffee", "team"]) == ["coffee", "team"]  # nothing would remain
    assert fulltext.weighted_terms(reader, ["coffee"]) == ["coffee"]
    found = ranked_matches(reader, ["coffee", "zanzibar"], 10)
    assert [cid for cid, _ in found] == [full[0][0]]  # only the chunk that has the weighted word
    assert found[0][1] == pytest.approx(full[0][1], rel=1e-4)  # coffee's share of the score was ~0 anyway


def test_a_second_pass_reads_the_first_ones_longer_ranking_and_gets_the_same_answer(vault: Vault, monkeypatch) -> None:
    from core.index import fulltext

    reader = vault.read()
    terms = ["coffee", "zanzibar"]
    fresh = {limit: ranked_matches(reader, terms, limit, window=50) for limit in (10, 40)}
    calls: list[int] = []
    real = fulltext.ranked_matches
    monkeypatch.setattr(fulltext, "ranked_matches", lambda *a, **k: calls.append(1) or real(*a, **k))
    rankings = fulltext.Rankings()
    assert rankings.ranked(reader, terms, 40, window=50) == fresh[40]
    assert rankings.ranked(reader, terms, 10, window=50) == fresh[10]  # a prefix of the longer one
    assert len(calls) == 1
    rankings.ranked(reader, terms, 100, window=50)  # longer than what it holds: ranked again
    rankings.ranked(reader, terms, 10)  # another window: ranked again
    assert len(calls) == 3



class _Counting:
    """A reader that counts the probes (OFFSET scans) run on it."""

    def __init__(self, reader) -> None:
        self.reader, self.probes = reader, 0

    def execute(self, sql: str, args=()):
        self.probes += "OFFSET" in sql
        return self.reader.execute(sql, args)


def test_word_facts_are_reused_until_the_index_changes_and_rank_as_fresh_probes_do(vault: Vault, monkeypatch) -> None:
    from core.index import fulltext

    facts = fulltext.WordFacts()
    queries = (["coffee", "zanzibar"], ["team", "itinerary"], ["round", "zanzibar", "itinerary"])

    def same() -> bool:
        return all(ranked_matches(vault.read(), q, 100, window=50, facts=facts) ==
                   ranked_matches(vault.read(), q, 100, window=50) for q in queries)

    assert same()
    counting = _Counting(vault.read())
    for q in queries:  # the same words again: only each query's own window is probed, no single word
        ranked_matches(counting, q, 100, window=50, facts=facts)
    assert counting.probes == len(queries)
    # A write makes "zanzibar" common (past the window): the old-rare chunk leaves the ranking, facts learnt again.
    vault.ingest([message(f"z{n}", f"zanzibar itinerary {n}", minutes=1000 + n) for n in range(80)])
    assert same()
    vault.forget(item_ids=[r[0] for r in vault.read().execute("SELECT id FROM items WHERE external_id LIKE 'z%'")])
    assert same()
    monkeypatch.setattr(fulltext, "SAMPLE", 20)  # a 300-chunk vault counts as big: weightless words are probed too
    assert same()
    counting.probes = 0
    ranked_matches(counting, ["coffee", "zanzibar"], 100, window=50, facts=facts)
    assert counting.probes == 1

"""The relevance floor on a real encrypted vault with the real embedder: good matches, weak ones, the empty state."""

from __future__ import annotations

from datetime import timedelta

from core.retrieve.relevance import HitEvidence, RelevanceFloor, coverage, is_good
from core.retrieve.types import SearchRequest
from core.types import TimeRange
from tests.helpers import BASE_TIME, message

CHATS = [
    message("dog", "We adopted a new dog yesterday, a beagle puppy called Biscuit", conversation="family"),
    message("budget", "The quarterly budget spreadsheet needs two more columns", conversation="work", minutes=10),
    message("train", "Our train to Vienna leaves at 7:40 from platform 9", conversation="family", minutes=20),
    message("cabbage", "Red cabbage recipe: two apples, a bay leaf and cloves; cook slowly", conversation="family",
            minutes=60 * 24 * 40),
    message("cat", "The cat sleeps on the sofa all afternoon", conversation="family", minutes=30),
    message("leash", "Bought food and a leash at the pet shop", conversation="family", minutes=40),
    message("music", "Band practice moved to Thursday, bring the drum sticks", conversation="band", minutes=50),
    message("stones", "The museum has a room of minerals and crystals from the Alps", conversation="trips", minutes=70),
]


def test_made_up_words_have_no_good_match_but_keep_their_nearest_weak_hits(vault) -> None:
    vault.ingest(CHATS)
    result = vault.search(SearchRequest("xylophone quartz", k=10, parse_time=False))
    assert result.hits and result.good_hits == []  # the minerals are near in meaning, and still no match


def test_a_real_question_has_a_good_first_match_and_the_order_is_the_rankings(vault) -> None:
    vault.ingest(CHATS)
    judged = vault.search(SearchRequest("puppy we adopted", k=10, parse_time=False))
    assert judged.hits[0].external_id == "dog" and not judged.hits[0].weak
    assert "leash" in {h.external_id for h in judged.weak_hits}
    unjudged = vault.retriever().search(SearchRequest("puppy we adopted", k=10, parse_time=False))
    assert [h.item_id for h in judged.hits] == [h.item_id for h in unjudged.hits]  # recall cannot drop


def test_a_filter_that_excludes_the_match_points_to_the_nearest_one_outside(vault) -> None:
    vault.ingest(CHATS)
    first_days = TimeRange(BASE_TIME - timedelta(days=1), BASE_TIME + timedelta(days=2))
    result = vault.search(SearchRequest("red cabbage recipe", k=10, time_range=first_days, parse_time=False))
    assert result.good_hits == []
    assert result.nearest is not None and result.nearest.external_id == "cabbage"
    unfiltered = vault.search(SearchRequest("red cabbage recipe", k=10, parse_time=False))
    assert unfiltered.nearest is None  # a good match within: nothing to point to


def test_without_vectors_the_words_decide(lexical_vault) -> None:
    lexical_vault.ingest(CHATS)
    assert lexical_vault.search(SearchRequest("beagle puppy Biscuit", parse_time=False)).hits[0].weak is False
    result = lexical_vault.search(SearchRequest("beagle spreadsheet zebra", parse_time=False))
    assert result.hits and all(h.weak for h in result.hits)  # one word of three is not a match


def test_rare_words_weigh_more_than_common_ones() -> None:
    weights = {"recipe": 0.3, "quartz": 3.0}
    assert coverage("Mum's recipe for red cabbage", weights) < 0.1
    assert coverage("a quartz clock", weights) > 0.9


def test_the_floor_rules() -> None:
    floor = RelevanceFloor(cosine=0.5, coverage=0.6, support_cosine=0.2, coverage_alone=0.75)
    assert is_good(HitEvidence(0.55, 0.0), floor)
    assert is_good(HitEvidence(0.25, 0.7), floor)
    assert not is_good(HitEvidence(0.1, 1.0), floor)  # the words, but about something else
    assert not is_good(HitEvidence(0.45, 0.3), floor)
    assert is_good(HitEvidence(None, 0.8), floor) and not is_good(HitEvidence(None, 0.5), floor)


def test_a_words_document_count_is_exact_when_few_and_estimated_from_its_newest_when_many(lexical_vault, monkeypatch
                                                                                          ) -> None:
    from core.retrieve import relevance

    # "common" in every second chunk, "rare" in 5: counted exactly below the sample, estimated above it
    lexical_vault.ingest([message(f"m{n}", ("common " if n % 2 == 0 else "") + ("rare " if n % 80 == 0 else "")
                                  + f"words {n}", minutes=n) for n in range(400)])
    reader = lexical_vault.read()
    total = int(reader.execute("SELECT max(id) FROM chunks").fetchone()[0])
    assert relevance.document_count(reader, "rare", total) == 5
    assert relevance.document_count(reader, "common", total) == 200
    monkeypatch.setattr(relevance, "DF_SAMPLE", 50)
    assert relevance.document_count(reader, "rare", total) == 5
    assert 180 <= relevance.document_count(reader, "common", total) <= 220


def test_the_floor_counts_a_word_once_per_index_state_and_weighs_it_as_a_fresh_count_does(lexical_vault) -> None:
    """Each search's floor counted up to DF_SAMPLE matches of every word again; the vault's WordFacts keep the
    counts until the index changes."""
    from core.index.fulltext import WordFacts
    from core.retrieve import relevance

    class Counting:
        def __init__(self, reader) -> None:
            self.reader, self.counts = reader, 0

        def execute(self, sql: str, args=()):
            self.counts += sql == relevance.COUNT_SQL
            return self.reader.execute(sql, args)

    lexical_vault.ingest([message(f"m{n}", ("common " if n % 2 == 0 else "") + ("rare " if n % 80 == 0 else "")
                                  + f"words {n}", minutes=n) for n in range(400)])
    facts, terms = WordFacts(), ["common", "rare", "absent"]
    reader = Counting(lexical_vault.read())
    first = relevance.term_weights(reader, terms, facts)
    assert first == relevance.term_weights(lexical_vault.read(), terms) and reader.counts == 3
    assert relevance.term_weights(reader, terms, facts) == first and reader.counts == 3  # nothing counted again
    # Forgetting older chunks keeps the highest id (the vault's size in the weights): the index state changed anyway.
    lexical_vault.forget(item_ids=[r[0] for r in lexical_vault.read().execute(
        "SELECT id FROM items WHERE external_id IN ('m0', 'm2', 'm4', 'm80', 'm160')")])
    again = relevance.term_weights(reader, terms, facts)
    assert again == relevance.term_weights(lexical_vault.read(), terms) and again != first and reader.counts == 6
    lexical_vault.ingest([message(f"r{n}", f"rare absent {n}", minutes=500 + n) for n in range(30)])
    assert relevance.term_weights(reader, terms, facts) == relevance.term_weights(lexical_vault.read(), terms)


def test_a_word_asking_for_a_link_or_a_number_is_answered_by_one(lexical_vault) -> None:
    """"staging url" is a good match for the message that gives the staging link, though it never says "url";
    a message without any link is still judged by its words."""
    lexical_vault.ingest([
        *CHATS,
        message("link", "Morning! The new staging environment is up: https://staging.quillmark.dev/app",
                conversation="work", minutes=80),
        message("nolink", "The staging environment is slow again today", conversation="work", minutes=90),
        message("phone", "New phone since Friday, call me at +49 151 2345678", conversation="family", minutes=95),
    ], embed=False)
    result = lexical_vault.search(SearchRequest("staging url", k=10, parse_time=False))
    by_id = {h.external_id: h for h in result.hits}
    assert by_id["link"].weak is False and by_id["nolink"].weak is True
    assert coverage("call me at +49 151 2345678", {"phone": 1.0}) == 1.0
    assert coverage("my phone broke", {"url": 2.0, "phone": 1.0}) < 0.5

"""A speaker's name in a question is matched by who said a memory, not by the words of the other person's messages."""

from __future__ import annotations

from dataclasses import replace

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.recall.graph import query_entities
from core.memory.recall.recall import RecallWeights, recall
from core.memory.recall.speakers import speaker_aliases, without_names
from core.retrieve.types import SearchRequest
from tests.memory.helpers import at, chat

# Cleo says "Dan" a lot and talks about painting; only Dan's own message says what he painted, without his name.
SESSION = [  # Dan's message first: no match before it for the dialogue lift to pass on
    ("d1", "Dan", "I painted the old barn red last week, it took four days."),
    ("c1", "Cleo", "Dan, the paint shop on the corner is closing, did you hear, Dan?"),
    ("c2", "Cleo", "Dan! Paint night at the pub on Friday, are you coming Dan?"),
    ("c3", "Cleo", "Dan, my sister wants to paint her kitchen, any tips Dan?"),
    ("c4", "Cleo", "Dan, Dan, we should paint the fence together some day, Dan."),
    ("c6", "Cleo", "Dan, is paint or varnish better for a boat, Dan?"),
    ("c5", "Cleo", "Also Dan, Rosa said hello. She is moving to Porto."),
]


def _vault(vault):  # type: ignore[no-untyped-def]
    vault.ingest([chat(ext, text, who, at(minutes=n)) for n, (ext, who, text) in enumerate(SESSION)], embed=False)
    consolidate(vault, options=ConsolidationOptions(phone_region="CH", summaries=False))
    reader = vault.read()
    return reader, {ext: iid for iid, ext in reader.execute("SELECT id, external_id FROM items WHERE kind = 'message'")}


def test_names_are_cut_as_whole_words_with_possessives_and_long_names() -> None:
    assert without_names("What did Melanie's kids like?", {"melanie"}) == "What did kids like?"
    assert without_names("Where did Ann Lee and Bo go?", {"ann lee"}) == "Where did and Bo go?"
    assert without_names("Did Annabel call?", {"ann"}) == "Did Annabel call?"  # not inside a longer word
    assert without_names("Melanie?", {"melanie"}) == "Melanie?"  # nothing else to search: the question stays
    assert without_names("What did Bo say?", set()) == "What did Bo say?"


def test_only_people_who_speak_are_cut(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    reader, _ = _vault(lexical_vault)
    named = query_entities(reader, "Did Dan tell Rosa about Porto?")
    aliases = speaker_aliases(reader, named)
    assert "dan" in aliases
    assert "rosa" not in aliases  # only mentioned: her name is in the messages about her


def test_what_a_speaker_said_is_found_although_the_other_person_says_the_name(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    _, ids = _vault(lexical_vault)
    request = SearchRequest("What did Dan paint?", k=1, parse_time=False)
    assert RecallWeights().strip_speakers
    # A pool of 4 stands for the retriever's 100 in a large vault; no graph walk, which would bring the
    # whole episode back in a vault this small.
    shipped = replace(RecallWeights(), pool=4, graph=0.0)
    found = recall(lexical_vault.retriever(), lexical_vault, request, weights=shipped)
    kept = recall(lexical_vault.retriever(), lexical_vault, request, weights=replace(shipped, strip_speakers=False))
    assert [h.item_id for h in found.hits] == [ids["d1"]]
    assert [h.item_id for h in kept.hits] != [ids["d1"]], "with the name searched as a word, Cleo's messages win"
    assert found.query_text == "What did Dan paint?"  # the caller still sees the whole question


def test_a_time_phrase_is_still_parsed_and_left_out_of_the_query_text(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    _vault(lexical_vault)
    request = SearchRequest("What did Dan paint in March 2026?", k=3)
    found = recall(lexical_vault.retriever(), lexical_vault, request)
    assert found.applied_range is not None
    assert "March" not in found.query_text and "Dan" in found.query_text

"""Recall's first stage: a time the question states is widened by a reporting lag; names of speakers are left out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.recall.first_stage import widened
from core.memory.recall.recall import RecallWeights, recall
from core.retrieve.types import SearchRequest
from core.types import TimeRange
from tests.memory.helpers import chat

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 18, 0, tzinfo=UTC)


def _vault(vault, records):  # type: ignore[no-untyped-def]
    vault.ingest(records, embed=False)
    consolidate(vault, options=ConsolidationOptions(phone_region="CH", summaries=False))
    reader = vault.read()
    return {ext: iid for iid, ext in reader.execute("SELECT id, external_id FROM items WHERE kind = 'message'")}


def test_a_range_is_widened_by_a_share_of_its_length_within_a_day_and_a_month() -> None:
    march = TimeRange(_at(3, 1), _at(4, 1))
    assert widened(march, 1.0).end == _at(4, 1) + timedelta(days=31)
    assert widened(march, 0.5).end == _at(4, 1) + timedelta(days=15.5)
    week = TimeRange(_at(7, 27), _at(8, 3))
    assert widened(week, 1.0) == TimeRange(_at(7, 27), _at(8, 10))
    assert widened(TimeRange(_at(8, 2), _at(8, 2) + timedelta(hours=2)), 1.0).end == _at(8, 3) + timedelta(hours=2)
    assert widened(TimeRange(None, _at(8, 3)), 1.0).end == _at(8, 3) + timedelta(days=31)  # "before August 3"
    assert widened(march, 0.0) == march
    assert widened(TimeRange(_at(3, 1), None), 1.0) == TimeRange(_at(3, 1), None)  # "since March": nothing later


def test_an_event_told_after_the_stated_time_is_found_and_one_told_within_it_comes_first(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    ids = _vault(lexical_vault, [
        chat("told-later", "Last week we took the kids to the war memorial, very moving.", "Dan", _at(4, 2)),
        chat("other", "The memorial service for grandpa is next spring.", "Dan", _at(6, 20)),
        chat("within-words", "The kids ate all the pancakes again.", "Dan", _at(3, 12)),
    ])
    request = SearchRequest("Where did Dan take the kids in March 2026?", k=3)
    found = recall(lexical_vault.retriever(), lexical_vault, request, now=NOW)
    strict = recall(lexical_vault.retriever(), lexical_vault, request, now=NOW,
                    weights=replace(RecallWeights(), report_lag=0.0))
    assert ids["told-later"] in [h.item_id for h in found.hits]
    assert ids["told-later"] not in [h.item_id for h in strict.hits], "the strict March range cannot see it"
    assert ids["other"] not in [h.item_id for h in found.hits], "June is past the lag"
    assert found.range_phrase == "in March 2026" and found.applied_range is not None
    assert "March" not in found.query_text and "Dan" in found.query_text

    same = _vault(lexical_vault, [chat("within", "We took the kids to the war memorial today.", "Dan", _at(3, 20))])
    found = recall(lexical_vault.retriever(), lexical_vault, request, now=NOW)
    ranked = [h.item_id for h in found.hits]
    assert ranked.index(same["within"]) < ranked.index(ids["told-later"]), "told within the range comes first"


def test_a_stated_time_that_matches_nothing_still_falls_back_to_any_time_and_says_so(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    ids = _vault(lexical_vault, [chat("m", "We took the kids to the war memorial.", "Dan", _at(7, 2))])
    found = recall(lexical_vault.retriever(), lexical_vault, SearchRequest("war memorial in January 2026", k=3),
                   now=NOW)
    assert [h.item_id for h in found.hits] == [ids["m"]]
    assert found.applied_range is None
    assert any("nothing found" in note and "January 2026" in note for note in found.notes)

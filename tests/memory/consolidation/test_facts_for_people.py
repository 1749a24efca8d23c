"""Facts for every person, not only the user: the demo's chats say who moves where, takes which job, and when a
birthday is; each fact names the message it came from."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.demo import load_demo_memory
from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.extraction.fact_patterns import find_facts
from core.memory.knowledge.facts import facts_about

BERLIN = ZoneInfo("Europe/Berlin")


def _facts(text: str) -> list[tuple[str, str, str]]:
    return [(c.subject, c.predicate, c.value) for c in find_facts(text, phone_region="DE")]


def test_statements_about_the_speaker_and_about_named_people() -> None:
    assert _facts("By the way, I'm moving to Leipzig in January, I got the job at the Fraunhofer institute") == [
        ("speaker", "city", "Leipzig"), ("speaker", "employer", "Fraunhofer")]
    assert _facts("Grandpa's birthday is on 3 December, he turns 85.") == [("person:Grandpa", "birthday", "3 December")]
    assert _facts("Lukas moved to Hamburg last year") == [("person:Lukas", "city", "Hamburg")]
    assert _facts("Marta joined Northwind as head of design") == [("person:Marta", "employer", "Northwind")]
    # pronouns and sentences that are no such statement give nothing
    assert _facts("She moved to Paris") == []
    assert _facts("Priya tuned the Postgres indexes on Friday") == []


def test_the_demo_yields_facts_about_priya_and_grandpa_with_their_sources(lexical_vault) -> None:
    load_demo_memory(lexical_vault, now=datetime(2026, 11, 16, 12, 0, tzinfo=BERLIN), embed=False)
    consolidate(lexical_vault, options=ConsolidationOptions(phone_region="DE", self_names=("Sam Keller",),
                                                            timezone=BERLIN, summaries=False))
    conn = lexical_vault.read()

    def facts_of(name: str) -> dict[str, tuple[str, str]]:
        row = conn.execute("SELECT id FROM mem_entities WHERE name = ? AND merged_into IS NULL", (name,)).fetchone()
        assert row is not None, name
        found = {}
        for fact in facts_about(conn, int(row[0]), history=False):
            texts = [conn.execute("SELECT text FROM items WHERE id = ?", (p.item_id,)).fetchone()[0]
                     for p in fact.provenance]
            found[fact.predicate] = (fact.value, " ".join(texts))
        return found

    priya = facts_of("Priya Raman")
    assert priya["city"][0] == "Leipzig" and "moving to Leipzig" in priya["city"][1]
    assert priya["employer"][0] == "Fraunhofer" and "Fraunhofer institute" in priya["employer"][1]
    grandpa = facts_of("Grandpa")
    assert grandpa["birthday"][0] == "3 December" and "he turns 85" in grandpa["birthday"][1]
